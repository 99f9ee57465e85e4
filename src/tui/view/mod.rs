//! Views: functions of the state that draw it. They never change anything.

mod flow;
pub(in crate::tui) mod modals;
mod pages;
pub mod table;
mod wrap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::action::Action;
use super::app::{App, Page, SaveState, Screen, StatusKind};
use super::keymap::Mode;
use super::theme::Theme;
use super::update::page_modes;
use table::safe;

/// Below this the screen shows a notice instead of a page.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// Narrower than this, the sidebar folds to its page numbers, so that tables keep their names
/// (the breadcrumb still says where you are).
const SIDEBAR_NAMES_FROM: u16 = 100;
const SIDEBAR_WIDTH: u16 = 13;
const SIDEBAR_NUMBERS_WIDTH: u16 = 2;

/// How many rows the current table shows at the last drawn size, so that paging moves by a
/// screenful and the selection stays in view.
pub fn table_rows(app: &App) -> usize {
    let main = regions(Rect::new(0, 0, app.width, app.height)).main;
    let table = match &app.screen {
        Screen::List(_) => pages::table_area(main),
        Screen::Flow(fp) => flow::table_area(fp, main),
    };
    usize::from(table.height.saturating_sub(1)).max(1)
}

/// Where the parts of the screen are.
pub struct Regions {
    pub top: Rect,
    pub sidebar: Option<Rect>,
    pub main: Rect,
    pub bottom: Rect,
}

pub fn regions(area: Rect) -> Regions {
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let side_width = if area.width >= SIDEBAR_NAMES_FROM {
        SIDEBAR_WIDTH
    } else {
        SIDEBAR_NUMBERS_WIDTH
    };
    let [side, _, main] = Layout::horizontal([
        Constraint::Length(side_width),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(body);
    Regions {
        top,
        sidebar: Some(side),
        main,
        bottom,
    }
}

/// What a mouse click at a screen position points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    Page(Page),
    Tab(super::app::FlowTab),
    /// A row of the current table, as an index into its rows.
    Row(usize),
}

pub fn hit_test(app: &App, area: Rect, x: u16, y: u16) -> Option<Hit> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT || !app.modals.is_empty() {
        return None;
    }
    let r = regions(area);
    if let Some(side) = r.sidebar
        && side.contains((x, y).into())
    {
        // Sidebar lines: a section title before Flows, Policies and Users.
        return match y - side.y {
            1 => Some(Hit::Page(Page::Flows)),
            2 => Some(Hit::Page(Page::Stages)),
            4 => Some(Hit::Page(Page::Policies)),
            6 => Some(Hit::Page(Page::Users)),
            7 => Some(Hit::Page(Page::Groups)),
            9 if !app.store.doc().others.is_empty() => Some(Hit::Page(Page::Others)),
            _ => None,
        };
    }
    if !r.main.contains((x, y).into()) {
        return None;
    }
    match &app.screen {
        Screen::List(page) => {
            let table = pages::table_area(r.main);
            let list = app.list(*page);
            let first = list.scroll_for(usize::from(table.height.saturating_sub(1)).max(1));
            row_at(table, y, first, list.rows.len())
        }
        Screen::Flow(fp) => flow::hit(fp, r.main, x, y),
    }
}

/// The row under `y` in a table drawn at `table` whose first visible row is `first`.
fn row_at(table: Rect, y: u16, first: usize, rows: usize) -> Option<Hit> {
    let top = table.y + 1;
    (y >= top && y < table.bottom())
        .then(|| first + usize::from(y - top))
        .filter(|i| *i < rows)
        .map(Hit::Row)
}

pub fn draw(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(area, buf);
        return;
    }
    let Regions {
        top,
        sidebar: side,
        main,
        bottom,
    } = regions(area);
    header(app, theme, top, buf);
    if let Some(side) = side {
        sidebar(app, theme, side, buf);
    }
    match &app.screen {
        Screen::List(page) => pages::draw(app, *page, theme, main, buf),
        Screen::Flow(fp) => flow::draw(app, fp, theme, main, buf),
    }
    footer(app, theme, bottom, buf);
    if let Some(modal) = app.modals.last() {
        modals::draw(app, modal, theme, area, buf);
    }
}

fn too_small(area: Rect, buf: &mut Buffer) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let text = format!(
        "Terminal too small: {}x{}. bindery needs at least {MIN_WIDTH}x{MIN_HEIGHT}. Enlarge the window (Ctrl-c quits).",
        area.width, area.height
    );
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn breadcrumb(app: &App) -> String {
    match &app.screen {
        Screen::List(page) => format!("bindery › {}", page.title()),
        Screen::Flow(fp) => format!(
            "bindery › Flows › {} › {}",
            safe(
                &app.store
                    .doc()
                    .label_of(crate::model::ObjKind::Flow, fp.flow)
            ),
            if app.width < 100 {
                fp.tab.short_title()
            } else {
                fp.tab.title()
            }
        ),
    }
}

fn header(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let state = match &app.save {
        SaveState::Saved => Span::styled("saved", theme.dim()),
        SaveState::Unsaved => Span::styled("saving…", theme.dim()),
        SaveState::DryRun => Span::styled("not saved (dry run)", theme.dim()),
        SaveState::Failed(_) => Span::styled("! NOT SAVED", theme.error()),
    };
    let remote = app.remote.as_ref().map(|r| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Span::styled(format!("{} · ", r.summary(now)), theme.dim())
    });
    let right_line = Line::from_iter(remote.into_iter().chain([state]));
    let width = right_line.width() as u16;
    let [left, right] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(width + 1)]).areas(area);
    Line::from(Span::styled(breadcrumb(app), theme.title())).render(left, buf);
    right_line.right_aligned().render(right, buf);
}

fn sidebar(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines = Vec::new();
    let mut section = "";
    for page in Page::ALL {
        // Shown once a blueprint brought some: stores without them look as before.
        if page == Page::Others && app.store.doc().others.is_empty() && app.page() != page {
            continue;
        }
        let names = area.width >= SIDEBAR_WIDTH;
        if page.section() != section {
            section = page.section();
            // Folded to numbers, the section titles leave their lines blank, so that each
            // page keeps its line (and its mouse target).
            lines.push(Line::from(Span::styled(
                if names { section } else { "" },
                theme.dim(),
            )));
        }
        let text = if names {
            format!("{} {}", page.index() + 1, page.title())
        } else {
            (page.index() + 1).to_string()
        };
        let width = usize::from(area.width).saturating_sub(1);
        lines.push(if page == app.page() {
            Line::from(Span::styled(format!("»{text:<width$}"), theme.selected()))
        } else {
            Line::from(format!(" {text}"))
        });
    }
    Paragraph::new(lines).render(area, buf);
}

/// What the status bar suggests on each kind of page: (mode, action), in this order.
fn hints(app: &App) -> Vec<(Mode, Action)> {
    use Action::*;
    let modes = page_modes(app);
    let wanted: &[Action] = match &app.screen {
        Screen::List(super::app::Page::Flows) => &[
            Down, Filter, Open, New, Edit, Delete, Duplicate, Undo, Lint, Help, Quit,
        ],
        // Read-only: no new, edit or delete.
        Screen::List(super::app::Page::Others) => &[Down, Filter, Open, WhereUsed, Help, Quit],
        Screen::List(super::app::Page::Users) => &[
            Down,
            Filter,
            Open,
            New,
            WhatUserSees,
            WhereUsed,
            Delete,
            Undo,
            Help,
            Quit,
        ],
        Screen::List(_) => &[
            Down, Filter, Open, New, Edit, Delete, WhereUsed, Undo, Help, Quit,
        ],
        Screen::Flow(fp) => match fp.tab {
            super::app::FlowTab::StageBindings => &[
                Expand,
                BindStage,
                CreateAndBind,
                BindSubject,
                MoveUp,
                MoveDown,
                Unbind,
                Undo,
                NextTab,
                Help,
            ],
            super::app::FlowTab::FlowBindings => {
                &[BindSubject, Edit, MoveUp, Unbind, Undo, NextTab, Help]
            }
            super::app::FlowTab::Overview => &[Edit, Down, NextTab, Back, Help],
            super::app::FlowTab::Simulate => &[Who, PickUser, Expand, NextTab, Back, Help],
            super::app::FlowTab::Export => &[WriteFile, Down, NextTab, Back, Help],
        },
    };
    wanted
        .iter()
        .filter_map(|a| {
            modes
                .iter()
                .find(|m| !app.keymap.keys_of(**m, *a).is_empty())
                .map(|m| (*m, *a))
        })
        .collect()
}

fn short(action: Action) -> &'static str {
    use Action::*;
    match action {
        Down => "move",
        Duplicate => "duplicate",
        Lint => "lint",
        WhatUserSees => "sees",
        WhereUsed => "used",
        Who => "who",
        PickUser => "user",
        WriteFile => "write",
        Filter => "filter",
        Open => "open",
        New => "new",
        Edit => "edit",
        Delete => "delete",
        Undo => "undo",
        Help => "help",
        Quit => "quit",
        Expand => "expand",
        BindStage => "bind stage",
        CreateAndBind => "new stage",
        BindSubject => "bind policy/group/user",
        MoveUp => "up",
        MoveDown => "down",
        Unbind => "unbind",
        NextTab => "tab",
        Back => "back",
        other => other.name(),
    }
}

fn footer(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    // `? help` is always there, at the right, whatever else the line says.
    let help = app
        .keymap
        .keys_of(Mode::Global, Action::Help)
        .first()
        .map(|key| format!("{key} {}", short(Action::Help)));
    let help_width = help.as_deref().map_or(0, crate::text::width) as u16;
    let [left, right] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(help_width + if help.is_some() { 2 } else { 0 }),
    ])
    .areas(area);
    if let Some(help) = help {
        let [_, key_and_name] =
            Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(right);
        let (key, name) = help.split_once(' ').unwrap_or((help.as_str(), ""));
        Line::from(vec![
            Span::styled(key.to_string(), theme.header()),
            Span::raw(format!(" {name}")),
        ])
        .render(key_and_name, buf);
    }
    if let Some(status) = &app.status {
        let style = match status.kind {
            StatusKind::Info => Style::new(),
            StatusKind::Error => theme.error(),
        };
        let prefix = if status.kind == StatusKind::Error {
            "! "
        } else {
            ""
        };
        Line::from(Span::styled(
            format!("{prefix}{}", safe(&status.text)),
            style,
        ))
        .render(left, buf);
        return;
    }
    // Whole hints only, as many as fit.
    let mut spans = Vec::new();
    let mut used = 0;
    for (mode, action) in hints(app) {
        if action == Action::Help {
            continue;
        }
        let keys = app.keymap.keys_of(mode, action);
        let Some(key) = keys.first() else {
            continue;
        };
        let text = format!(" {}", short(action));
        let gap = if spans.is_empty() { 0 } else { 3 };
        let width = gap + crate::text::width(key) + crate::text::width(&text);
        if used + width > usize::from(left.width) {
            break;
        }
        used += width;
        if gap > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(key.clone(), theme.header()));
        spans.push(Span::raw(text));
    }
    Line::from(spans).render(left, buf);
}
