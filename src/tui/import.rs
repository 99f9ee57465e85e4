//! The import dialog's work: the files applied all or nothing (one batch, as `bindery import`)
//! or each on its own (as `bindery import --each`), and a report with each file's result.

use std::path::PathBuf;

use super::app::App;
use super::modal::Modal;
use super::report::{Report, ReportLine, Tone};
use crate::blueprint::{self, FileReport, ImportOptions};
use crate::text::sanitize;

/// Imports the files and shows what became of each; true when something was applied (the
/// caller then saves, as after any edit).
pub fn import(app: &mut App, files: &[PathBuf], each: bool) -> bool {
    // `!Env` and `!File` stay refused here: the command line's --allow-* flags say who may.
    let options = ImportOptions::default();
    let mut lines = Vec::new();
    let mut sources = Vec::new();
    let mut unreadable = Vec::new();
    for file in files {
        match blueprint::read_source(file) {
            Ok(source) => sources.push(source),
            Err(why) => unreadable.push(why),
        }
    }
    let applied = if each {
        let results = blueprint::import_each(&mut app.store, &sources, &options);
        let ok = results.iter().filter(|r| r.result.is_ok()).count();
        let failed = results.len() - ok + unreadable.len();
        lines.push(heading(format!(
            "Each on its own: {ok} of {} file(s) applied, {failed} failed",
            files.len()
        )));
        for done in &results {
            match &done.result {
                Ok(report) => applied_lines(report, &mut lines),
                Err(e) => lines.push(failed_line(&done.name, &e.to_string())),
            }
        }
        ok
    } else if unreadable.is_empty() {
        match blueprint::import_all(&mut app.store, &sources, &options) {
            Ok(reports) => {
                lines.push(heading(format!(
                    "All or nothing: {} file(s) applied",
                    reports.len()
                )));
                for report in &reports {
                    applied_lines(report, &mut lines);
                }
                reports.len()
            }
            Err(e) => {
                lines.push(heading("All or nothing: nothing was applied".into()));
                lines.push(failed_line(&e.file, &e.to_string()));
                0
            }
        }
    } else {
        lines.push(heading("All or nothing: nothing was applied".into()));
        0
    };
    for why in unreadable {
        lines.push(ReportLine::new(why, Tone::Error, None));
    }
    app.modals
        .push(Modal::Report(Box::new(Report::new("Import", lines))));
    applied > 0
}

fn heading(text: String) -> ReportLine {
    ReportLine::new(text, Tone::Heading, None)
}

fn failed_line(name: &str, why: &str) -> ReportLine {
    ReportLine::new(
        format!(
            "{}: failed, nothing of it applied: {}",
            sanitize(name),
            sanitize(why)
        ),
        Tone::Error,
        None,
    )
}

fn applied_lines(report: &FileReport, lines: &mut Vec<ReportLine>) {
    lines.push(ReportLine::new(
        format!(
            "{}: applied, {}",
            sanitize(&report.name),
            blueprint::counts(report)
        ),
        Tone::Plain,
        None,
    ));
    for warning in &report.warnings {
        lines.push(ReportLine::new(
            format!("  warning: {}", sanitize(warning)),
            Tone::Warning,
            None,
        ));
    }
}
