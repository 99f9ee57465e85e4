//! Views: functions of the state that draw it. They never change anything.

mod flow;
mod modals;
mod pages;
pub mod table;

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
/// Narrower than this, the sidebar folds away (the breadcrumb still says where you are).
const SIDEBAR_FROM: u16 = 76;

/// Rows of the main list area for a terminal height, so that paging moves by a screenful.
pub fn list_height(height: u16) -> usize {
    usize::from(height.saturating_sub(6)).max(1)
}

pub fn draw(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(area, buf);
        return;
    }
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header(app, theme, top, buf);
    let main = if area.width >= SIDEBAR_FROM {
        let [side, _, main] = Layout::horizontal([
            Constraint::Length(13),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(body);
        sidebar(app, theme, side, buf);
        main
    } else {
        body
    };
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
        "Terminal too small: {}x{}. bindery needs at least {MIN_WIDTH}x{MIN_HEIGHT}. Enlarge the window, or press q to quit.",
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
            fp.tab.title()
        ),
    }
}

fn header(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let state = match &app.save {
        SaveState::Saved => Span::styled("saved", theme.dim()),
        SaveState::Unsaved => Span::styled("saving…", theme.dim()),
        SaveState::Failed(_) => Span::styled("! NOT SAVED", theme.error()),
    };
    let width = state.width() as u16;
    let [left, right] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(width + 1)]).areas(area);
    Line::from(Span::styled(breadcrumb(app), theme.title())).render(left, buf);
    Line::from(state).right_aligned().render(right, buf);
}

fn sidebar(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines = Vec::new();
    let mut section = "";
    for page in Page::ALL {
        if page.section() != section {
            section = page.section();
            lines.push(Line::from(Span::styled(section, theme.dim())));
        }
        let text = format!("{} {}", page.index() + 1, page.title());
        lines.push(if page == app.page() {
            Line::from(Span::styled(format!("»{text:<12}"), theme.selected()))
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
        Screen::List(_) => &[Down, Filter, Open, New, Edit, Delete, Undo, Help, Quit],
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
            super::app::FlowTab::Overview => &[Edit, NextTab, Back, Help],
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
        .render(area, buf);
        return;
    }
    let mut spans = Vec::new();
    for (mode, action) in hints(app) {
        let keys = app.keymap.keys_of(mode, action);
        if let Some(key) = keys.first() {
            if !spans.is_empty() {
                spans.push(Span::styled(" · ", theme.dim()));
            }
            spans.push(Span::styled(key.clone(), theme.header()));
            spans.push(Span::raw(format!(" {}", short(action))));
        }
    }
    Line::from(spans).render(area, buf);
}
