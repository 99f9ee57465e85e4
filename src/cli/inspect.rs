//! `bindery lint`, `where-used`, `diagram` and `log`: reading the store for an administrator.

use std::fmt::Write as _;

use serde_json::json;

use super::{CliError, Output, json};
use crate::engine::diagram;
use crate::lint::{Severity, lint};
use crate::model::usage::where_used as usages;
use crate::model::{Document, ObjKind};
use crate::text::sanitize;

fn flow_id(doc: &Document, slug: &str) -> Result<uuid::Uuid, CliError> {
    doc.flow_by_slug(slug)
        .map(|f| f.id)
        .ok_or_else(|| CliError::msg(format!("no flow with slug {:?}", sanitize(slug))))
}

/// Findings; the command fails (exit 1) when any is an error.
/// One finding of `lint --json`, fields in the contract's order (a struct rather than a
/// `json!` map: 70,000 findings of the big store are written without building a map each).
#[derive(serde::Serialize)]
struct FindingRecord<'a> {
    code: &'static str,
    severity: Severity,
    message: &'a str,
    flow: Option<String>,
    objects: Vec<ObjectRecord>,
}

#[derive(serde::Serialize)]
struct ObjectRecord {
    kind: ObjKind,
    id: uuid::Uuid,
    name: String,
}

/// Lint's findings, written as they are turned into text; whether any is an error.
pub fn run_lint(
    doc: &Document,
    flow: Option<&str>,
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> Result<bool, CliError> {
    let flow = flow.map(|slug| flow_id(doc, slug)).transpose()?;
    let findings = lint(doc, flow);
    let errors = findings.iter().any(|f| f.severity == Severity::Error);
    if as_json {
        let records = findings.iter().map(|f| FindingRecord {
            code: f.code,
            severity: f.severity,
            message: &f.message,
            flow: f.flow.map(|id| doc.label_of(ObjKind::Flow, id)),
            objects: f
                .objects
                .iter()
                .map(|(kind, id)| ObjectRecord {
                    kind: *kind,
                    id: *id,
                    name: doc.label_of(*kind, *id),
                })
                .collect(),
        });
        json::write_array(out, records)?;
        return Ok(errors);
    }
    for f in &findings {
        let word = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        writeln!(out, "{word}[{}]: {}", f.code, sanitize(&f.message))?;
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    writeln!(
        out,
        "{} errors, {} warnings, {} notes",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )?;
    Ok(errors)
}

pub fn where_used(
    doc: &Document,
    kind: &str,
    name: &str,
    as_json: bool,
) -> Result<Output, CliError> {
    let kind = match kind {
        "stage" => ObjKind::Stage,
        "policy" => ObjKind::Policy,
        "group" => ObjKind::Group,
        "user" => ObjKind::User,
        "flow" => ObjKind::Flow,
        "prompt" => ObjKind::Prompt,
        // An authentik object bindery keeps as written, named as `list others` shows it.
        "other" => ObjKind::Other,
        other => {
            return Err(CliError::msg(format!(
                "unknown kind {:?}: use stage, policy, group, user, flow, prompt or other",
                sanitize(other)
            )));
        }
    };
    let mut id = None;
    doc.for_each(|k, _, object| {
        if k == kind && object.view_label() == name {
            id = Some(object.view_id());
        }
    });
    let id =
        id.ok_or_else(|| CliError::msg(format!("no {} named {:?}", kind.noun(), sanitize(name))))?;
    let found = usages(doc, kind, id);
    let stdout = if as_json {
        let list: Vec<_> = found
            .iter()
            .map(|u| {
                json!({
                    "kind": u.kind, "id": u.id, "field": u.field,
                    "flow": u.flow.map(|f| doc.label_of(ObjKind::Flow, f)),
                    "description": u.description,
                })
            })
            .collect();
        json::to_string(&list)
    } else if found.is_empty() {
        format!("{} {:?} is used nowhere\n", kind.noun(), sanitize(name))
    } else {
        let mut out = String::new();
        for u in &found {
            let _ = writeln!(out, "{} ({})", sanitize(&u.description), u.field);
        }
        out
    };
    Ok(Output {
        stdout,
        ..Output::default()
    })
}

pub fn diagram(doc: &Document, slug: &str, format: &str) -> Result<Output, CliError> {
    let flow = doc.flows.get(flow_id(doc, slug)?).expect("found above");
    let stdout = match format {
        "text" => diagram::text(doc, flow),
        "mermaid" => diagram::mermaid(doc, flow),
        other => {
            return Err(CliError::msg(format!(
                "unknown format {:?}: use text or mermaid",
                sanitize(other)
            )));
        }
    };
    Ok(Output {
        stdout,
        ..Output::default()
    })
}

pub fn log(doc: &Document, as_json: bool) -> Output {
    /// An entry as `log --json` shows it: without the images kept to revert it.
    #[derive(serde::Serialize)]
    struct Shown<'a> {
        id: u64,
        at: &'a str,
        user: &'a str,
        operation: &'a str,
        objects: &'a [String],
        /// Whether `bindery revert` has what it needs to try.
        revertible: bool,
    }
    let entries = doc.log.iter().rev();
    let stdout = if as_json {
        let shown: Vec<Shown> = entries
            .map(|e| Shown {
                id: e.id,
                at: &e.at,
                user: &e.user,
                operation: &e.operation,
                objects: &e.objects,
                revertible: e.images.is_some(),
            })
            .collect();
        json::to_string(&shown)
    } else {
        let mut out = String::new();
        for e in entries {
            let _ = writeln!(
                out,
                "{}  {}  {}  {}",
                e.id,
                e.at,
                sanitize(&e.user),
                sanitize(&e.operation)
            );
        }
        if out.is_empty() {
            out.push_str("the change log is empty\n");
        }
        out
    };
    Output {
        stdout,
        ..Output::default()
    }
}
