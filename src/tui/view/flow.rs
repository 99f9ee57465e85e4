//! A flow's page: Overview, Stage Bindings (rows that expand into their policy, group and user
//! bindings) and the flow's own Policy / Group / User Bindings.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs, Widget, Wrap};

use super::table::{self, Rows, safe};
use crate::model::{Document, EngineMode, Flow, ObjKind, PolicyBinding, StageBinding, Subject};
use crate::tui::action::Action;
use crate::tui::app::{App, BindingRow, FlowPage, FlowTab};
use crate::tui::keymap::{Keymap, Mode};
use crate::tui::theme::Theme;

/// authentik's own wording for the engine modes.
pub fn mode_text(mode: EngineMode) -> &'static str {
    match mode {
        EngineMode::Any => "ANY, any policy must match to grant access",
        EngineMode::All => "ALL, all policies must match to grant access",
    }
}

/// The first key of `action`, for a hint in the page's text.
fn keymap_hint(keymap: &Keymap, mode: Mode, action: Action) -> String {
    keymap
        .keys_of(mode, action)
        .into_iter()
        .next()
        .unwrap_or_else(|| action.name().to_string())
}

/// What a binding's subject is: a policy's type, or "group" or "user".
fn subject_type(doc: &Document, b: &PolicyBinding) -> String {
    match b.subject {
        Subject::Policy(id) => doc
            .policies
            .get(id)
            .map(|p| p.kind.short().to_string())
            .unwrap_or_default(),
        Subject::Group(_) => "group".into(),
        Subject::User(_) => "user".into(),
    }
}

fn subject(doc: &Document, b: &PolicyBinding) -> String {
    let (kind, name) = match b.subject {
        Subject::Policy(id) => ("Policy", doc.label_of(ObjKind::Policy, id)),
        Subject::Group(id) => ("Group", doc.label_of(ObjKind::Group, id)),
        Subject::User(id) => ("User", doc.label_of(ObjKind::User, id)),
    };
    format!("{kind} {}", safe(&name))
}

/// One line on what gates a stage binding: when it is checked, and by what.
pub fn gating(
    doc: &Document,
    rel: &crate::model::relations::Relations,
    b: &StageBinding,
) -> String {
    let enabled: Vec<&PolicyBinding> = rel
        .policy_bindings_of(b.id)
        .iter()
        .filter_map(|id| doc.policy_bindings.get(*id))
        .filter(|p| p.enabled)
        .collect();
    if enabled.is_empty() {
        return "always shown (no bindings)".into();
    }
    let when = match (b.evaluate_on_plan, b.re_evaluate_policies) {
        (false, true) => "when run",
        (true, false) => "when planned",
        (true, true) => "planned & run",
        (false, false) => "never checked",
    };
    let what = match enabled.as_slice() {
        [one] => {
            let negated = if one.negate { "not " } else { "" };
            format!("{negated}{}", subject(doc, one))
        }
        many => format!("{} of {} bindings", b.policy_engine_mode, many.len()),
    };
    format!("{when}: {what}")
}

/// Tab titles shorten on narrow screens so that all five fit.
fn tab_title(tab: FlowTab, width: u16) -> &'static str {
    if width < 100 {
        tab.short_title()
    } else {
        tab.title()
    }
}

/// Title, tab row and body of a flow page.
fn sections(area: Rect) -> [Rect; 3] {
    let [title, tabs, _, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    [title, tabs, body]
}

/// The engine mode line and the table of the Policy / Group / User Bindings tab.
fn flow_bindings_table(body: Rect) -> (Rect, Rect) {
    let [mode, rest] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(body);
    (mode, rest)
}

/// Where the current tab's table is drawn.
pub fn table_area(fp: &FlowPage, area: Rect) -> Rect {
    let [_, _, body] = sections(area);
    match fp.tab {
        FlowTab::FlowBindings => flow_bindings_table(body).1,
        FlowTab::Simulate => simulate_table(body),
        _ => body,
    }
}

/// A click on a flow page: a tab title, or a table row.
pub fn hit(fp: &FlowPage, area: Rect, x: u16, y: u16) -> Option<super::Hit> {
    let [_, tabs, body] = sections(area);
    if y == tabs.y {
        // Tabs draw " title " for each, separated by the divider.
        let mut start = tabs.x;
        for tab in FlowTab::ALL {
            let end = start + tab_title(tab, area.width).chars().count() as u16 + 2;
            if x >= start && x < end {
                return Some(super::Hit::Tab(tab));
            }
            start = end + 1;
        }
        return None;
    }
    let (table, list) = match fp.tab {
        FlowTab::Overview | FlowTab::Export => return None,
        FlowTab::Simulate => (simulate_table(body), &fp.sim.list),
        FlowTab::StageBindings => (body, &fp.stage_rows),
        FlowTab::FlowBindings => (flow_bindings_table(body).1, &fp.flow_rows),
    };
    let first = list.scroll_for(usize::from(table.height.saturating_sub(1)).max(1));
    super::row_at(table, y, first, list.rows.len())
}

pub fn draw(app: &App, fp: &FlowPage, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let doc = app.store.doc();
    let Some(flow) = doc.flows.get(fp.flow) else {
        return;
    };
    let [title, tabs, body] = sections(area);
    Line::from(vec![
        Span::styled(safe(&flow.name), theme.title()),
        Span::styled(
            format!("  {} · {}", safe(&flow.slug), flow.designation),
            theme.dim(),
        ),
    ])
    .render(title, buf);
    let selected = FlowTab::ALL.iter().position(|t| *t == fp.tab).unwrap_or(0);
    Tabs::new(FlowTab::ALL.iter().map(|t| tab_title(*t, area.width)))
        .select(selected)
        .highlight_style(theme.selected())
        .divider("|")
        .render(tabs, buf);
    match fp.tab {
        FlowTab::Overview => overview(doc, flow, fp.scroll, theme, body, buf),
        FlowTab::StageBindings => stage_bindings(doc, &app.rel, &app.keymap, fp, theme, body, buf),
        FlowTab::FlowBindings => flow_bindings(doc, fp, theme, body, buf),
        FlowTab::Simulate => simulate(doc, fp, theme, body, buf),
        FlowTab::Export => export(fp, theme, body, buf),
    }
}

fn overview(
    doc: &Document,
    flow: &Flow,
    scroll: usize,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<20}"), theme.header()),
            Span::raw(value),
        ])
    };
    let mut lines = vec![
        field("Name", safe(&flow.name)),
        field("Title", safe(&flow.title)),
        field("Slug", safe(&flow.slug)),
        field("Designation", flow.designation.to_string()),
        field("Authentication", flow.authentication.to_string()),
        field(
            "Policy engine mode",
            mode_text(flow.policy_engine_mode).to_string(),
        ),
        field("Denied action", flow.denied_action.to_string()),
        field("Layout", flow.layout.to_string()),
        field(
            "Compatibility mode",
            if flow.compatibility_mode { "on" } else { "off" }.to_string(),
        ),
        field(
            "Background",
            if flow.background.is_empty() {
                "(brand default)".into()
            } else {
                safe(&flow.background)
            },
        ),
        Line::from(""),
        Line::from(Span::styled(
            "Diagram: the flow as the planner sees it (j/k scroll)",
            theme.title(),
        )),
    ];
    lines.extend(
        crate::engine::diagram::text_at(doc, flow, usize::from(area.width))
            .lines()
            .map(|l| Line::from(l.to_string())),
    );
    let scroll = scroll.min(lines.len().saturating_sub(1));
    Paragraph::new(lines)
        .scroll((scroll.min(u16::MAX as usize) as u16, 0))
        .render(area, buf);
}

/// The Simulate tab's table, below the two lines that say who is asking and the answer.
fn simulate_table(body: Rect) -> Rect {
    let [_, rest] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(body);
    rest
}

fn simulate(doc: &Document, fp: &FlowPage, theme: &Theme, area: Rect, buf: &mut Buffer) {
    use crate::engine::{Outcome, Tri};
    use crate::tui::simulate::{Asker, SimRow};
    let sim = &fp.sim;
    let [head, _] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(area);
    let user = sim.user.map(|u| safe(&doc.label_of(ObjKind::User, u)));
    let who = match (sim.asker, &user) {
        (Asker::Nobody, None) => "nobody logged in, identifying as nobody yet".to_string(),
        (Asker::Nobody, Some(u)) => format!("nobody logged in, identifying as {u}"),
        (Asker::LoggedIn, Some(u)) => format!("{u}, logged in"),
        (Asker::LoggedIn, None) => "a logged-in user (choose one with i)".to_string(),
        (Asker::Pending, Some(u)) => format!("{u} as pending user (recovery link, source login)"),
        (Asker::Pending, None) => "a pending user (choose one with i)".to_string(),
    };
    let Some(plan) = &sim.plan else { return };
    let (answer, style) = match plan.applicable {
        Tri::Pass => ("applies".to_string(), theme.header()),
        Tri::Unknown => (
            "applies or not: it depends on an assumption".to_string(),
            theme.header(),
        ),
        Tri::Fail => (
            format!(
                "does not apply: {}",
                plan.denied
                    .as_ref()
                    .map(|(r, a)| format!("{} (then: {a})", safe(r)))
                    .unwrap_or_default()
            ),
            theme.error(),
        ),
    };
    let [who_line, answer_lines] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(head);
    Line::from(vec![Span::styled("Who: ", theme.header()), Span::raw(who)]).render(who_line, buf);
    Paragraph::new(Line::from(vec![
        Span::styled("The flow ", theme.header()),
        Span::styled(answer, style),
    ]))
    .wrap(Wrap { trim: true })
    .render(answer_lines, buf);
    let table_area = simulate_table(area);
    let height = usize::from(table_area.height.saturating_sub(1)).max(1);
    let first = sim.list.scroll_for(height);
    // A binding's stage in the plan, by id: a search of the plan per row drawn would grow with
    // the flow's size times the rows on screen.
    let planned_stages: std::collections::HashMap<uuid::Uuid, _> =
        plan.stages.iter().rev().map(|s| (s.binding, s)).collect();
    let outcome_of = |binding: uuid::Uuid| planned_stages.get(&binding).copied();
    let width = usize::from(table_area.width);
    // Room for "; ends the flow here" after an outcome only when some stage needs it.
    let effects = plan.stages.iter().any(|s| !effect(s).is_empty());
    let outcome_width = if effects { 42 } else { 25 };
    let name_width = width.saturating_sub(2 + 8 + outcome_width).max(8);
    let fit = |text: String, n: usize| crate::text::fit(&text, n);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "  {:<8}{}{}",
            "Order",
            fit("Stage".into(), name_width),
            "  Outcome"
        ),
        theme.header(),
    ))];
    for (n, row) in sim.rows.iter().enumerate().skip(first).take(height) {
        let (text, style) = match row {
            SimRow::Assumption(policy) => {
                let name = doc
                    .policies
                    .get(*policy)
                    .map(|p| format!("{} ({})", safe(&p.name), p.kind.short()))
                    .unwrap_or_default();
                let value = match sim.assumptions.get(policy) {
                    None => "unknown (Space assumes)",
                    Some(true) => "assumed to pass",
                    Some(false) => "assumed to fail",
                };
                (
                    format!("{:<8}{}  {value}", "assume", fit(name, name_width)),
                    ratatui::style::Style::new(),
                )
            }
            SimRow::Stage(binding) => {
                let Some(b) = doc.stage_bindings.get(*binding) else {
                    continue;
                };
                let caret = if sim.expanded.contains(binding) {
                    "v"
                } else {
                    ">"
                };
                let planned = outcome_of(*binding);
                let (mut text, style) = match planned.map(|s| (s.outcome, s.decided_at)) {
                    Some((Outcome::Presented, at)) => {
                        (format!("presented{}", decided(at)), theme.header())
                    }
                    Some((Outcome::Skipped, at)) => {
                        (format!("skipped{}", decided(at)), theme.dim())
                    }
                    Some((Outcome::Depends, at)) => {
                        (format!("DEPENDS{}", decided(at)), theme.matched())
                    }
                    Some((Outcome::Unreached, _)) => {
                        ("unreached: the flow ended".to_string(), theme.dim())
                    }
                    None => (String::new(), theme.dim()),
                };
                if let Some(s) = planned {
                    text.push_str(effect(s));
                }
                let order = format!("{caret} {}", b.order);
                (
                    format!(
                        "{order:<8}{}  {text}",
                        fit(safe(&doc.label_of(ObjKind::Stage, b.stage)), name_width)
                    ),
                    style,
                )
            }
            SimRow::Reason(_, i) => (
                format!(
                    "{:<8}{}",
                    "",
                    sim.reason_lines
                        .get(*i)
                        .map(|r| safe(r))
                        .unwrap_or_default()
                ),
                theme.dim(),
            ),
        };
        let selected = n == sim.list.selected;
        let marker = if selected { "» " } else { "  " };
        lines.push(Line::from(Span::styled(
            format!("{marker}{text}"),
            if selected { theme.selected() } else { style },
        )));
    }
    Paragraph::new(lines).render(table_area, buf);
}

/// What a presented stage does to the run, after its outcome.
fn effect(stage: &crate::engine::StagePlan) -> &'static str {
    use crate::engine::{Ending, Outcome};
    if stage.outcome == Outcome::Skipped {
        return "";
    }
    match (stage.ends_flow, stage.logs_out) {
        (Some(Ending::Certainly), _) => "; ends the flow here",
        (Some(Ending::Maybe), _) => "; may end the flow here",
        (None, true) => "; logs out",
        (None, false) => "",
    }
}

fn decided(at: Option<crate::engine::DecidedAt>) -> &'static str {
    match at {
        Some(crate::engine::DecidedAt::Plan) => ", when planned",
        Some(crate::engine::DecidedAt::Run) => ", when run",
        None => "",
    }
}

fn export(fp: &FlowPage, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines = vec![Line::from(Span::styled(
        "o: write to a file · j/k: scroll",
        theme.dim(),
    ))];
    lines.extend(fp.export.lines().map(|l| Line::from(safe(l))));
    let scroll = fp.scroll.min(lines.len().saturating_sub(1));
    Paragraph::new(lines)
        .scroll((scroll.min(u16::MAX as usize) as u16, 0))
        .render(area, buf);
}

fn stage_bindings(
    doc: &Document,
    rel: &crate::model::relations::Relations,
    keymap: &Keymap,
    fp: &FlowPage,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if fp.binding_rows.is_empty() {
        Paragraph::new(Span::styled(
            "No stages bound. Press a to bind an existing stage, or n to create and bind one.",
            theme.dim(),
        ))
        .wrap(Wrap { trim: true })
        .render(area, buf);
        return;
    }
    let height = usize::from(area.height.saturating_sub(1)).max(1);
    let first = fp.stage_rows.scroll_for(height);
    let rows: Vec<Vec<Line>> = fp
        .binding_rows
        .iter()
        .skip(first)
        .take(height)
        .map(|row| match row {
            BindingRow::Stage(id) => {
                let Some(b) = doc.stage_bindings.get(*id) else {
                    return Vec::new();
                };
                let caret = if fp.expanded.contains(id) { "v" } else { ">" };
                let kind = doc
                    .stages
                    .get(b.stage)
                    .map(|s| s.kind.short().to_string())
                    .unwrap_or_default();
                vec![
                    Line::from(format!("{caret} {}", b.order)),
                    Line::from(safe(&doc.label_of(ObjKind::Stage, b.stage))),
                    Line::from(kind),
                    Line::from(gating(doc, rel, b)),
                ]
            }
            BindingRow::NoBindings { .. } => {
                let key = keymap_hint(keymap, Mode::StageBindings, Action::BindSubject);
                vec![
                    Line::default(),
                    Line::from(Span::styled(
                        format!("  no bindings — {key} binds one"),
                        theme.dim(),
                    )),
                ]
            }
            BindingRow::Policy { id, .. } => {
                let Some(p) = doc.policy_bindings.get(*id) else {
                    return Vec::new();
                };
                let mut flags = vec![if p.enabled { "enabled" } else { "DISABLED" }.to_string()];
                if p.negate {
                    flags.push("negated".into());
                }
                flags.push(format!("timeout {}s", p.timeout));
                flags.push(format!(
                    "on error: {}",
                    if p.failure_result {
                        "pass"
                    } else {
                        "don't pass"
                    }
                ));
                vec![
                    Line::from(format!("    {}", p.order)),
                    Line::from(format!("  {}", subject(doc, p))),
                    // The subject's own type; the engine mode is the parent's, said on its row.
                    Line::from(Span::styled(subject_type(doc, p), theme.dim())),
                    Line::from(flags.join(", ")),
                ]
            }
        })
        .collect();
    let (header, rows) = if area.width < 90 {
        let rows = rows
            .into_iter()
            .map(|mut r| {
                if r.len() == 4 {
                    r.remove(2);
                }
                r
            })
            .collect();
        (vec!["Order", "Stage", "Gated"], rows)
    } else {
        (vec!["Order", "Stage", "Type", "Gated"], rows)
    };
    table::draw(
        Rows {
            header,
            name: 1,
            rows,
            first,
            selected: Some(fp.stage_rows.selected),
        },
        theme,
        area,
        buf,
    );
}

fn flow_bindings(doc: &Document, fp: &FlowPage, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some(flow) = doc.flows.get(fp.flow) else {
        return;
    };
    let (mode, rest) = flow_bindings_table(area);
    Line::from(vec![
        Span::styled("Policy engine mode: ", theme.header()),
        Span::raw(mode_text(flow.policy_engine_mode)),
    ])
    .render(mode, buf);
    if fp.flow_rows.rows.is_empty() {
        Paragraph::new(Span::styled(
            "No policy, group or user bindings: the flow applies to everyone. Press b to bind one.",
            theme.dim(),
        ))
        .wrap(Wrap { trim: true })
        .render(rest, buf);
        return;
    }
    let height = usize::from(rest.height.saturating_sub(1)).max(1);
    let first = fp.flow_rows.scroll_for(height);
    let rows: Vec<Vec<Line>> = fp
        .flow_rows
        .rows
        .iter()
        .skip(first)
        .take(height)
        .filter_map(|id| doc.policy_bindings.get(*id))
        .map(|p| {
            vec![
                Line::from(p.order.to_string()),
                Line::from(subject(doc, p)),
                Line::from(if p.enabled { "enabled" } else { "DISABLED" }),
                Line::from(if p.negate { "negated" } else { "" }),
                Line::from(format!("{}s", p.timeout)),
                Line::from(if p.failure_result {
                    "pass"
                } else {
                    "don't pass"
                }),
            ]
        })
        .collect();
    table::draw(
        Rows {
            header: vec![
                "Order", "Binding", "Enabled", "Negate", "Timeout", "On error",
            ],
            name: 1,
            rows,
            first,
            selected: Some(fp.flow_rows.selected),
        },
        theme,
        rest,
        buf,
    );
}
