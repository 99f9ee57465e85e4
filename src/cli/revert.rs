//! `bindery revert ENTRY [--dry-run]`: one change-log entry undone as a new, logged change.

use std::fmt::Write as _;
use std::path::Path;

use super::{CliError, Output, saving};
use crate::store::Store;
use crate::text::sanitize;

pub fn run(store_path: &Path, entry: &str, dry_run: bool) -> Result<Output, CliError> {
    let mut store = Store::open(store_path)?;
    let patch = store
        .revert(entry)
        .map_err(|e| CliError::msg(e.to_string()))?;
    let mut out = Output::default();
    let number = entry.strip_prefix('#').unwrap_or(entry);
    let operation = patch.label.strip_prefix("revert: ").unwrap_or(&patch.label);
    let _ = writeln!(
        out.stdout,
        "{} entry {number}: {}",
        if dry_run { "would revert" } else { "reverted" },
        sanitize(operation)
    );
    let doc = store.doc();
    for change in patch.changes.iter() {
        let (verb, obj) = match (&change.before, &change.after) {
            (None, Some(obj)) => ("restored", obj),
            (Some(obj), None) => ("deleted", obj),
            (_, Some(obj)) => ("changed back", obj),
            (None, None) => continue,
        };
        let _ = writeln!(out.stdout, "  {verb} {}", sanitize(&doc.describe(obj)));
    }
    if dry_run {
        out.stdout.push_str("not saved (dry run)\n");
    } else {
        saving::save(&mut store, &patch.label)?;
    }
    Ok(out)
}
