//! `bindery import [--each] FILE...` and `bindery export FLOW_SLUG [--shallow]|--all [-o FILE]`.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, Output, saving};
use crate::blueprint::{self, FileReport, ImportOptions, Outcome, Reach};
use crate::store::Store;
use crate::text::sanitize;

fn check_allowed_folders(options: &ImportOptions) -> Result<(), CliError> {
    for dir in &options.allow_files {
        if !dir.is_dir() {
            return Err(CliError::msg(format!(
                "--allow-file {}: not a folder",
                sanitize(&dir.display().to_string())
            )));
        }
    }
    Ok(())
}

pub fn import(
    store_path: &Path,
    files: &[PathBuf],
    options: &ImportOptions,
) -> Result<Output, CliError> {
    check_allowed_folders(options)?;
    let sources = files
        .iter()
        .map(|f| blueprint::read_source(f))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::Message)?;
    let mut store = Store::open(store_path)?;
    let reports = blueprint::import_all(&mut store, &sources, options)
        .map_err(|e| CliError::msg(sanitize(&e.to_string()).into_owned()))?;
    let label = format!(
        "import {}",
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    // The summary says what was done: only once it is on disk.
    saving::save(&mut store, &label)?;
    let mut out = Output::default();
    for report in &reports {
        summarise(report, "", &mut out);
    }
    Ok(out)
}

/// `import --each`: every file is tried, each atomic on its own; what applied is saved (with
/// the same rules as any change: exit 1 and each unsaved file named unless all are durably on
/// disk), and the run exits 1 when any file failed.
pub fn import_each(
    store_path: &Path,
    files: &[PathBuf],
    options: &ImportOptions,
) -> Result<Output, CliError> {
    check_allowed_folders(options)?;
    let mut store = Store::open(store_path)?;
    // Each file: its report when it applied, else the error that left nothing of it applied.
    let mut results: Vec<(String, Result<FileReport, String>)> = Vec::new();
    for file in files {
        // A file that cannot be read fails alone, like a file that does not import.
        match blueprint::read_source(file) {
            Ok(source) => {
                for done in blueprint::import_each(&mut store, &[source], options) {
                    let result = done
                        .result
                        .map_err(|e| sanitize(&e.to_string()).into_owned());
                    results.push((done.name, result));
                }
            }
            Err(why) => results.push((file.display().to_string(), Err(why))),
        }
    }
    let failed: Vec<&str> = results
        .iter()
        .filter(|(_, r)| r.is_err())
        .map(|(name, _)| name.as_str())
        .collect();
    if failed.len() < results.len() {
        let label = format!("import --each of {} file(s)", results.len());
        if let Err(err) = saving::save(&mut store, &label) {
            // Nothing that applied is on disk (stderr names each file): only the failures
            // are worth a line on stdout.
            return Err(match err {
                CliError::NotSaved(mut unsaved) => {
                    for (name, result) in &results {
                        if let Err(why) = result {
                            failed_line(name, why, &mut unsaved);
                        }
                    }
                    CliError::NotSaved(unsaved)
                }
                other => other,
            });
        }
    }
    // The full summary, in the order given, once what applied is on disk.
    let mut lines = Output::default();
    for (name, result) in &results {
        match result {
            Ok(report) => summarise(report, "applied, ", &mut lines),
            Err(why) => failed_line(name, why, &mut lines),
        }
    }
    let _ = writeln!(
        lines.stdout,
        "{} of {} file(s) applied, {} failed",
        results.len() - failed.len(),
        results.len(),
        failed.len()
    );
    if failed.is_empty() {
        return Ok(lines);
    }
    let _ = writeln!(
        lines.stderr,
        "bindery: {} file(s) failed: {}",
        failed.len(),
        failed
            .iter()
            .map(|f| sanitize(f).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Err(CliError::Findings(lines))
}

fn failed_line(name: &str, why: &str, out: &mut Output) {
    let _ = writeln!(
        out.stdout,
        "{}: failed, nothing of it applied: {why}",
        sanitize(name)
    );
}

fn summarise(report: &FileReport, status: &str, out: &mut Output) {
    let _ = writeln!(
        out.stdout,
        "{}: {status}{}",
        sanitize(&report.name),
        blueprint::counts(report)
    );
    for (n, outcome) in report.outcomes.iter().enumerate() {
        match outcome {
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

pub fn init(store_path: &Path, demo: bool) -> Result<Output, CliError> {
    let mut store = Store::open_new(store_path)?;
    let mut out = Output::default();
    if demo {
        crate::demo::create(&mut store).map_err(|e| CliError::msg(e.to_string()))?;
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

/// Writes the export to `-o FILE` (atomically) or to `stdout`, entry by entry as it is made.
pub fn export(
    store_path: &Path,
    flow: Option<&str>,
    all: bool,
    reach: Reach,
    output: Option<&Path>,
    stdout: &mut dyn Write,
) -> Result<Output, CliError> {
    let store = Store::open(store_path)?;
    let doc = store.doc();
    let flow = match (flow, all) {
        (Some(_), true) => return Err(CliError::msg("give a flow slug or --all, not both")),
        (None, false) => {
            return Err(CliError::msg(
                "give a flow slug, or --all for the whole store",
            ));
        }
        (None, true) => None,
        (Some(slug), false) => Some(
            doc.flow_by_slug(slug)
                .ok_or_else(|| CliError::msg(format!("no flow with slug {:?}", sanitize(slug))))?
                .id,
        ),
    };
    let write = |out: &mut dyn Write| match flow {
        None => blueprint::export_all_to(doc, out),
        Some(id) => blueprint::export_flow_to(doc, id, reach, out),
    };
    match output {
        Some(path) => crate::store::write_output_with(path, store_path, write)?,
        None => write(stdout)?,
    }
    Ok(Output::default())
}
