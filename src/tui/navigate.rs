//! Going to an object from anywhere (lint findings, where-used lines), and the reports that
//! offer such jumps.

use uuid::Uuid;

use super::app::{App, BindingRow, FlowPage, FlowTab, Page, Screen};
use super::report::{Jump, Report, ReportLine, Tone};
use super::simulate::Asker;
use crate::engine::{self, Engine, Index, Outcome, Request, Tri};
use crate::lint::{Severity, lint};
use crate::model::usage::{flow_of, where_used};
use crate::model::{Designation, ObjKind, Target};

/// Shows an object where it lives: a flow's page and row for bindings, its list for the rest.
pub fn jump(app: &mut App, to: Jump) {
    app.remember_place();
    let doc = app.store.doc();
    let (kind, id) = match to {
        Jump::FlowTab(flow, tab, user) => {
            let mut page = FlowPage::new(flow);
            page.tab = tab;
            if tab == FlowTab::Simulate
                && let Some((user, asker)) = user
            {
                page.sim.user = Some(user);
                page.sim.asker = asker;
            }
            app.screen = Screen::Flow(Box::new(page));
            app.refresh();
            return;
        }
        Jump::Object(kind, id) => (kind, id),
    };
    match kind {
        ObjKind::Flow | ObjKind::StageBinding | ObjKind::PolicyBinding => {
            let Some(obj) = doc.get(kind, id) else { return };
            let Some(flow) = flow_of(doc, &obj) else {
                return;
            };
            let mut page = FlowPage::new(flow);
            match &obj {
                obj if obj.kind() == ObjKind::Flow => page.tab = FlowTab::Overview,
                crate::model::Obj::PolicyBinding(pb) => match pb.target {
                    Target::Flow(_) => page.tab = FlowTab::FlowBindings,
                    Target::StageBinding(parent) => {
                        page.expanded.insert(parent);
                    }
                },
                _ => {}
            }
            app.screen = Screen::Flow(Box::new(page));
            app.refresh();
            if let Screen::Flow(fp) = &mut app.screen {
                let row = fp.binding_rows.iter().position(|r| match r {
                    BindingRow::Stage(b) => *b == id,
                    BindingRow::Policy { id: p, .. } => *p == id,
                    BindingRow::NoBindings { .. } => false,
                });
                if let Some(row) = row {
                    fp.stage_rows.selected = row;
                }
                fp.flow_rows.select(id);
            }
        }
        ObjKind::Stage | ObjKind::Policy | ObjKind::User | ObjKind::Group => {
            let page = match kind {
                ObjKind::Stage => Page::Stages,
                ObjKind::Policy => Page::Policies,
                ObjKind::User => Page::Users,
                _ => Page::Groups,
            };
            app.screen = Screen::List(page);
            app.list_mut(page).filter.clear();
            app.refresh();
            app.list_mut(page).select(id);
        }
        ObjKind::Prompt => {}
        ObjKind::Other => {
            app.screen = Screen::List(Page::Others);
            app.list_mut(Page::Others).filter.clear();
            app.refresh();
            app.list_mut(Page::Others).select(id);
        }
    }
}

pub fn lint_report(app: &App) -> Report {
    let doc = app.store.doc();
    let findings = lint(doc, None);
    let mut lines = Vec::new();
    for f in &findings {
        let (word, tone) = match f.severity {
            Severity::Error => ("error", Tone::Error),
            Severity::Warning => ("warning", Tone::Warning),
            Severity::Info => ("note", Tone::Dim),
        };
        let jump = f.objects.first().map(|(k, id)| Jump::Object(*k, *id));
        lines.push(ReportLine::new(
            format!("{word}: {}", f.message),
            tone,
            jump,
        ));
    }
    if lines.is_empty() {
        lines.push(ReportLine::new(
            "No findings: nothing to fix.",
            Tone::Dim,
            None,
        ));
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    Report::new(
        format!(
            "Lint: {}, {}, {}",
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            plural(count(Severity::Info), "note")
        ),
        lines,
    )
}

pub fn where_used_report(app: &App, kind: ObjKind, id: Uuid) -> Report {
    let doc = app.store.doc();
    let found = where_used(doc, kind, id);
    let mut lines: Vec<ReportLine> = found
        .iter()
        .map(|u| {
            ReportLine::new(
                format!("{} ({})", u.description, u.field),
                Tone::Plain,
                Some(Jump::Object(u.kind, u.id)),
            )
        })
        .collect();
    if lines.is_empty() {
        lines.push(ReportLine::new("Used nowhere.", Tone::Dim, None));
    }
    Report::new(
        format!("Where {} '{}' is used", kind.noun(), doc.label_of(kind, id)),
        lines,
    )
}

/// Every flow at once for one user: logged in for flows that need it, identifying as them in
/// flows that start before anyone is known.
pub fn user_report(app: &App, user: Uuid) -> Report {
    let doc = app.store.doc();
    let index = Index::build(doc);
    let assumptions = Default::default();
    let engine = Engine::new(&index, &assumptions);
    let mut lines = Vec::new();
    let slug_width = doc
        .flows
        .iter()
        .map(|f| crate::text::width(&f.slug))
        .max()
        .unwrap_or(0);
    for flow in doc.flows.iter() {
        let starts_anonymous = matches!(
            flow.designation,
            Designation::Authentication | Designation::Enrollment | Designation::Recovery
        );
        let asker = if starts_anonymous {
            Asker::Nobody
        } else {
            Asker::LoggedIn
        };
        let request = if starts_anonymous {
            Request {
                user: None,
                pending_user: None,
                identify_as: Some(user),
            }
        } else {
            Request {
                user: Some(user),
                pending_user: None,
                identify_as: Some(user),
            }
        };
        let plan = engine::plan(&engine, flow, request);
        let names = |outcome| -> Vec<String> {
            plan.stages
                .iter()
                .filter(|s| s.outcome == outcome)
                .filter_map(|s| doc.stage_bindings.get(s.binding))
                .map(|b| doc.label_of(ObjKind::Stage, b.stage))
                .collect()
        };
        let (applicable, tone) = match plan.applicable {
            Tri::Pass => ("yes", Tone::Plain),
            Tri::Fail => ("no", Tone::Dim),
            Tri::Unknown => ("depends", Tone::Warning),
        };
        // Padded by hand: a format width above u16::MAX panics.
        let pad = slug_width.saturating_sub(crate::text::width(&flow.slug));
        let mut text = format!("{}{} {applicable:<7}", flow.slug, " ".repeat(pad));
        if plan.applicable != Tri::Fail {
            let shown = names(Outcome::Presented);
            let depends = names(Outcome::Depends);
            text.push_str(&format!(
                " {}",
                if shown.is_empty() {
                    "(no stages)".into()
                } else {
                    shown.join(" › ")
                }
            ));
            if !depends.is_empty() {
                text.push_str(&format!("; depends: {}", depends.join(", ")));
            }
        }
        lines.push(ReportLine::new(
            text,
            tone,
            Some(Jump::FlowTab(
                flow.id,
                FlowTab::Simulate,
                Some((user, asker)),
            )),
        ));
    }
    Report::new(
        format!(
            "What {} sees in every flow (Enter: simulate)",
            doc.label_of(ObjKind::User, user)
        ),
        lines,
    )
}

pub fn log_report(app: &App) -> Report {
    let doc = app.store.doc();
    let mut lines: Vec<ReportLine> = Vec::new();
    for entry in doc.log.iter().rev() {
        // As `bindery log` shows it: the number `bindery revert` takes first.
        lines.push(
            ReportLine::new(
                format!(
                    "{}  {}  {}  {}",
                    entry.id, entry.at, entry.user, entry.operation
                ),
                Tone::Plain,
                None,
            )
            .of_entry(entry.id),
        );
        for object in entry.objects.iter().take(5) {
            lines
                .push(ReportLine::new(format!("    {object}"), Tone::Dim, None).of_entry(entry.id));
        }
        if entry.objects.len() > 5 {
            let more = entry.objects.len() - 5;
            lines.push(
                ReportLine::new(format!("    … and {more} more"), Tone::Dim, None)
                    .of_entry(entry.id),
            );
        }
    }
    if lines.is_empty() {
        lines.push(ReportLine::new(
            "The change log is empty: nothing has been saved yet.",
            Tone::Dim,
            None,
        ));
    }
    let undo = app
        .keymap
        .keys_of(super::keymap::Mode::Global, super::action::Action::Undo)
        .into_iter()
        .next()
        .unwrap_or_else(|| "undo".into());
    Report::new(
        format!("Change log, newest first · {undo} reverts the selected entry"),
        lines,
    )
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
