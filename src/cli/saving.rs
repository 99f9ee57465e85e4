//! A command asked to change the store exits non-zero unless every change it was asked for is
//! durably saved, and names on stderr each change that was not, with the reason (for a
//! conflict, both sides). Unlike the UI, a command keeps nothing in memory: what is not on
//! disk when it exits is lost, and it says so.

use std::fmt::Write as _;

use super::{CliError, Output};
pub use crate::store::Unsaved;
use crate::store::{SaveReport, Store};
use crate::text::sanitize;

/// Saves the store; an error naming every change that is not on disk unless all are, durably.
/// `what` names the change when no edit is pending (creating an empty store).
pub fn save(store: &mut Store, what: &str) -> Result<SaveReport, CliError> {
    let mut changes = store.unsaved_changes();
    if changes.is_empty() {
        changes.push(what.to_string());
    }
    match store.save() {
        Ok(report) if report.conflicts.is_empty() => Ok(report),
        Ok(report) => Err(not_saved(
            Output::default(),
            report.conflicts.iter().map(Unsaved::conflict).collect(),
        )),
        Err(err) => Err(not_saved(Output::default(), Unsaved::failed(changes, &err))),
    }
}

/// The failure that prints `out` and then, on stderr, each change that was not saved.
pub fn not_saved(mut out: Output, unsaved: Vec<Unsaved>) -> CliError {
    for item in &unsaved {
        let _ = writeln!(
            out.stderr,
            "bindery: {}: {}: {}",
            if item.in_place {
                "not durably saved"
            } else {
                "not saved"
            },
            sanitize(&item.change),
            sanitize(&item.why)
        );
    }
    let _ = writeln!(
        out.stderr,
        "bindery: {} change(s) not saved; this command keeps nothing in memory (run it again to retry)",
        unsaved.len()
    );
    CliError::NotSaved(out)
}
