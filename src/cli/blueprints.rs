//! `bindery import FILE...` and `bindery export FLOW_SLUG|--all [-o FILE]`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{CliError, Output, saving};
use crate::blueprint::{self, FileReport, ImportOptions, Outcome, Source};
use crate::store::Store;
use crate::text::sanitize;

pub fn import(
    store_path: &Path,
    files: &[PathBuf],
    options: &ImportOptions,
) -> Result<Output, CliError> {
    for dir in &options.allow_files {
        if !dir.is_dir() {
            return Err(CliError::msg(format!(
                "--allow-file {}: not a folder",
                sanitize(&dir.display().to_string())
            )));
        }
    }
    let mut sources = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(file)
            .map_err(|e| CliError::msg(format!("{}: cannot read: {e}", sanitize(&name))))?;
        sources.push(Source { name, text });
    }
    let mut store = Store::open(store_path)?;
    let label = format!(
        "import {}",
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let (reports, _) = store
        .apply_batch(&label, |batch| blueprint::import(batch, &sources, options))
        .map_err(|e| CliError::msg(sanitize(&e.to_string()).into_owned()))?;
    // The summary says what was done: only once it is on disk.
    saving::save(&mut store, &label)?;
    let mut out = Output::default();
    for report in &reports {
        summarise(report, &mut out);
    }
    Ok(out)
}

fn summarise(report: &FileReport, out: &mut Output) {
    let count = |f: fn(&Outcome) -> bool| report.count(f);
    let _ = writeln!(
        out.stdout,
        "{}: {} entries: {} created, {} updated, {} unchanged, {} deleted, {} skipped",
        sanitize(&report.name),
        report.outcomes.len(),
        count(|o| matches!(o, Outcome::Created(_))),
        count(|o| matches!(o, Outcome::Updated(_))),
        count(|o| matches!(
            o,
            Outcome::Unchanged(_) | Outcome::Kept(_) | Outcome::AlreadyAbsent
        )),
        count(|o| matches!(o, Outcome::Deleted(_))),
        count(|o| matches!(o, Outcome::Skipped { .. } | Outcome::ConditionFalse { .. })),
    );
    for (n, outcome) in report.outcomes.iter().enumerate() {
        match outcome {
            Outcome::Skipped {
                model,
                identifiers,
                why,
            } => {
                let _ = writeln!(
                    out.stdout,
                    "  entry {}: skipped {} {}: {why}",
                    n + 1,
                    sanitize(model),
                    sanitize(&identifiers.to_string())
                );
            }
            Outcome::ConditionFalse {
                model,
                identifiers,
                conditions,
                values,
            } => {
                let _ = writeln!(
                    out.stdout,
                    "  entry {}: skipped {} {}: its conditions {} gave {}, not all true",
                    n + 1,
                    sanitize(model),
                    sanitize(identifiers),
                    sanitize(conditions),
                    sanitize(&values.to_string())
                );
            }
            Outcome::Deleted(gone) => {
                let _ = writeln!(
                    out.stdout,
                    "  entry {}: deleted {}",
                    n + 1,
                    sanitize(&gone.join(", "))
                );
            }
            _ => {}
        }
    }
    for warning in &report.warnings {
        let _ = writeln!(
            out.stderr,
            "warning: {}: {}",
            sanitize(&report.name),
            sanitize(warning)
        );
    }
}

/// The demo blueprint, embedded in the binary.
pub(crate) const DEMO: &str = include_str!("../../assets/demo.yaml");

pub fn init(store_path: &Path, demo: bool) -> Result<Output, CliError> {
    let mut store = Store::open_new(store_path)?;
    let mut out = Output::default();
    if demo {
        let demo = [Source {
            name: "demo.yaml".into(),
            text: DEMO.to_string(),
        }];
        store
            .apply_batch("import the demo", |batch| {
                blueprint::import(batch, &demo, &ImportOptions::default())
            })
            .map_err(|e| CliError::msg(e.to_string()))?;
    }
    let what = if demo { "the demo" } else { "an empty store" };
    saving::save(&mut store, &format!("create {what}"))?;
    let _ = writeln!(
        out.stdout,
        "created {what} at {}",
        sanitize(&store_path.display().to_string())
    );
    Ok(out)
}

pub fn export(
    store_path: &Path,
    flow: Option<&str>,
    all: bool,
    output: Option<&Path>,
) -> Result<Output, CliError> {
    let store = Store::open(store_path)?;
    let doc = store.doc();
    let node = match (flow, all) {
        (Some(_), true) => return Err(CliError::msg("give a flow slug or --all, not both")),
        (None, false) => {
            return Err(CliError::msg(
                "give a flow slug, or --all for the whole store",
            ));
        }
        (None, true) => blueprint::export_all(doc),
        (Some(slug), false) => {
            let id = doc
                .flow_by_slug(slug)
                .ok_or_else(|| CliError::msg(format!("no flow with slug {:?}", sanitize(slug))))?
                .id;
            blueprint::export_flow(doc, id).expect("the flow exists")
        }
    };
    let text = blueprint::yaml::emit(&node);
    match output {
        None => Ok(Output {
            stdout: text,
            ..Output::default()
        }),
        Some(path) => {
            crate::store::write_output(path, text.as_bytes(), store_path)?;
            Ok(Output::default())
        }
    }
}
