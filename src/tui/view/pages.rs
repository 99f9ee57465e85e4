//! The top-level lists: Flows, Stages, Policies, Users, Groups, and the other authentik objects
//! bindery keeps as written.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use uuid::Uuid;

use super::table::{self, Rows, marked, safe};
use crate::model::relations::Relations;
use crate::model::{Document, ObjKind};
use crate::tui::app::{App, Page};
use crate::tui::theme::Theme;

fn cells(
    doc: &Document,
    rel: &Relations,
    page: Page,
    id: Uuid,
    marks: Option<&Vec<usize>>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    match page {
        Page::Flows => {
            let Some(f) = doc.flows.get(id) else {
                return Vec::new();
            };
            let stages = rel.stage_bindings_of(id).len();
            let policies = rel.policy_bindings_of(id).len();
            vec![
                marked(&f.slug, marks, theme),
                Line::from(f.designation.to_string()),
                Line::from(stages.to_string()),
                Line::from(policies.to_string()),
                Line::from(safe(&f.name)),
            ]
        }
        Page::Stages => {
            let Some(s) = doc.stages.get(id) else {
                return Vec::new();
            };
            let flows: Vec<String> = rel
                .bindings_by_stage
                .get(&id)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .take(20)
                .filter_map(|b| doc.stage_bindings.get(*b))
                .map(|b| safe(&doc.label_of(ObjKind::Flow, b.target)))
                .collect();
            let used = if flows.is_empty() {
                "not bound".to_string()
            } else {
                flows.join(", ")
            };
            vec![
                marked(&s.name, marks, theme),
                Line::from(s.kind.short().to_string()),
                Line::from(used),
            ]
        }
        Page::Policies => {
            let Some(p) = doc.policies.get(id) else {
                return Vec::new();
            };
            let n = rel.bindings_by_policy.get(&id).copied().unwrap_or(0);
            let assigned = match n {
                0 => "not assigned".to_string(),
                1 => "assigned to 1 object".to_string(),
                n => format!("assigned to {n} objects"),
            };
            vec![
                marked(&p.name, marks, theme),
                Line::from(p.kind.short().to_string()),
                Line::from(assigned),
            ]
        }
        Page::Users => {
            let Some(u) = doc.users.get(id) else {
                return Vec::new();
            };
            let groups: Vec<String> = u
                .groups
                .iter()
                .map(|g| safe(&doc.label_of(ObjKind::Group, *g)))
                .collect();
            vec![
                marked(&u.username, marks, theme),
                Line::from(safe(&u.name)),
                Line::from(groups.join(", ")),
                Line::from(if u.is_active { "active" } else { "inactive" }),
            ]
        }
        Page::Others => {
            let Some(o) = doc.others.get(id) else {
                return Vec::new();
            };
            vec![
                marked(o.label(), marks, theme),
                Line::from(safe(&o.model)),
                Line::from(others_refers_to(doc, o)),
                Line::from(others_used_by(doc, rel, id)),
            ]
        }
        Page::Groups => {
            let Some(g) = doc.groups.get(id) else {
                return Vec::new();
            };
            let parents: Vec<String> = g
                .parents
                .iter()
                .map(|p| safe(&doc.label_of(ObjKind::Group, *p)))
                .collect();
            let members = rel.members_by_group.get(&id).copied().unwrap_or(0);
            vec![
                marked(&g.name, marks, theme),
                Line::from(if g.is_superuser { "superuser" } else { "" }),
                Line::from(parents.join(", ")),
                Line::from(members.to_string()),
            ]
        }
    }
}

/// What an other authentik object refers to, by name.
fn others_refers_to(doc: &Document, o: &crate::model::OtherObject) -> String {
    let mut refs = Vec::new();
    o.refs(&mut refs);
    let names: Vec<String> = refs
        .iter()
        .take(20)
        .map(|r| safe(&doc.label_of(r.kind, r.id)))
        .collect();
    names.join(", ")
}

/// The objects that refer to an other authentik object, by name.
fn others_used_by(doc: &Document, rel: &Relations, id: Uuid) -> String {
    let users: Vec<String> = rel
        .referrers_of_other(id)
        .iter()
        .take(20)
        .map(|(kind, id)| safe(&doc.label_of(*kind, *id)))
        .collect();
    if users.is_empty() {
        "not used".to_string()
    } else {
        users.join(", ")
    }
}

/// Columns left out below 90 columns, highest index first.
fn narrow_drops(page: Page) -> &'static [usize] {
    match page {
        Page::Flows => &[4, 3],
        Page::Users => &[1],
        Page::Groups => &[3],
        Page::Others => &[2],
        Page::Stages | Page::Policies => &[],
    }
}

fn columns(page: Page) -> Vec<&'static str> {
    match page {
        Page::Flows => vec!["Slug", "Designation", "Stages", "Policies", "Name"],
        Page::Stages => vec!["Name", "Type", "Flows"],
        Page::Policies => vec!["Name", "Type", "Assigned"],
        Page::Users => vec!["Username", "Name", "Groups", "Status"],
        Page::Others => vec!["Name", "Model", "Refers to", "Used by"],
        Page::Groups => vec!["Name", "Superuser", "Parents", "Members"],
    }
}

/// The table part of a list page (below its title line).
pub fn table_area(area: Rect) -> Rect {
    let [_, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    rest
}

pub fn draw(app: &App, page: Page, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let doc = app.store.doc();
    let list = app.list(page);
    let [title, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let count = match &list.pending {
        // A ranking under way: the matches so far, and how far it got.
        Some(pending) => {
            let (done, all) = pending.progress();
            format!(
                "{} so far, matching {}%",
                list.rows.len(),
                done * 100 / all.max(1)
            )
        }
        None => list.rows.len().to_string(),
    };
    let mut spans = vec![Span::styled(
        format!("{} ({count})", page.title()),
        theme.title(),
    )];
    if list.filtering || !list.filter.is_empty() {
        spans.push(Span::raw("  /"));
        spans.push(Span::styled(safe(&list.filter), theme.matched()));
        if list.filtering {
            spans.push(Span::styled("▏ Enter keep · Esc clear", theme.dim()));
        }
    }
    Line::from(spans).render(title, buf);
    if list.rows.is_empty() {
        let hint = if page == Page::Others && list.filter.is_empty() {
            "No other authentik objects: a blueprint's providers, sources, applications, \
             brands ... are kept here, read-only, when it is imported."
                .to_string()
        } else if list.filter.is_empty() {
            format!(
                "No {} yet. Press n to create one.",
                page.title().to_lowercase()
            )
        } else if list.pending.is_some() {
            "Matching…".to_string()
        } else {
            "Nothing matches the filter. Esc clears it.".to_string()
        };
        Paragraph::new(Span::styled(hint, theme.dim()))
            .wrap(Wrap { trim: true })
            .render(rest, buf);
        return;
    }
    let height = usize::from(rest.height.saturating_sub(1)).max(1);
    let first = list.scroll_for(height);
    let visible: Vec<Vec<Line>> = list
        .rows
        .iter()
        .skip(first)
        .take(height)
        .map(|id| {
            let name = doc.label_of(page.kind(), *id);
            let marks = crate::tui::fuzzy::matched_positions(&name, &list.filter);
            cells(doc, &app.rel, page, *id, marks.as_ref(), theme)
        })
        .collect();
    let mut header = columns(page);
    // Narrow screens keep the columns that matter most.
    let mut visible = visible;
    if rest.width < 90 {
        for &drop in narrow_drops(page) {
            header.remove(drop);
            for row in &mut visible {
                if drop < row.len() {
                    row.remove(drop);
                }
            }
        }
    }
    table::draw(
        Rows {
            header,
            name: 0,
            rows: visible,
            first,
            selected: Some(list.selected),
        },
        theme,
        rest,
        buf,
    );
}
