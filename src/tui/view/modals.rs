//! Dialogs drawn over the page: forms, confirmations, the type picker, help and the palette.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use super::table::safe;
use super::wrap::wrapped;
use crate::model::{PolicyKind, StageKind};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::form::{FieldValue, Form, matches, pick_matches};
use crate::tui::keymap::Mode;
use crate::tui::modal::{Confirm, Confirmed, Help, Modal, Palette, TypeChoice, TypePicker};
use crate::tui::theme::Theme;
use crate::tui::update::{page_modes, palette_actions};

/// A centred box of at most `width` x `height` inside `area`.
fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let w = width
        .min(area.width.saturating_sub(2))
        .max(1)
        .min(area.width);
    let h = height
        .min(area.height.saturating_sub(2))
        .max(1)
        .min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Draws `lines` in a bordered box, scrolled so that line `focus` is visible; `wrap` folds
/// long lines at words (and sizes the box for them) instead of cutting them.
#[allow(clippy::too_many_arguments)]
fn boxed(
    title: &str,
    lines: Vec<Line<'static>>,
    focus: usize,
    wrap: bool,
    theme: &Theme,
    area: Rect,
    width: u16,
    buf: &mut Buffer,
) {
    let inner_width = usize::from(width.min(area.width.saturating_sub(2)).saturating_sub(2)).max(1);
    let lines = if wrap {
        wrapped(lines, inner_width)
    } else {
        lines
    };
    let height = (lines.len().min(usize::from(u16::MAX)) as u16).saturating_add(2);
    let rect = centred(area, width, height);
    // Clear a column either side too, so the page behind does not touch the border.
    let margin = Rect::new(
        rect.x.saturating_sub(1).max(area.x),
        rect.y,
        (rect.width + 2).min(
            area.right()
                .saturating_sub(rect.x.saturating_sub(1).max(area.x)),
        ),
        rect.height,
    );
    Clear.render(margin, buf);
    let inner_height = usize::from(rect.height.saturating_sub(2)).max(1);
    // Scroll only when the lines do not fit, keeping a little context below the focus.
    let total = lines.len();
    let scroll = if total <= inner_height {
        0
    } else {
        (focus + 3)
            .saturating_sub(inner_height)
            .min(total - inner_height)
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {} ", safe(title)), theme.title()));
    Paragraph::new(lines)
        .block(block)
        .scroll((scroll.min(u16::MAX as usize) as u16, 0))
        .render(rect, buf);
}

pub fn draw(app: &App, modal: &Modal, theme: &Theme, area: Rect, buf: &mut Buffer) {
    match modal {
        Modal::Dialog(dialog) => draw_form(dialog.form(), &Hints::new(app), theme, area, buf),
        Modal::Confirm(confirm) => draw_confirm(app, confirm, theme, area, buf),
        Modal::Types(picker) => draw_types(picker, theme, area, buf),
        Modal::Help(help) => draw_help(app, help, theme, area, buf),
        Modal::Palette(palette) => draw_palette(app, palette, theme, area, buf),
        Modal::Report(report) => draw_report(report, theme, area, buf),
    }
}

/// How a field's value reads on one line.
fn summary(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(s)
        | FieldValue::Number(s)
        | FieldValue::Decimal(s)
        | FieldValue::List(s) => safe(s),
        // Compact, on one line, while it parses.
        FieldValue::Json(s) => safe(
            &serde_json::from_str::<serde_json::Value>(s)
                .map(|v| v.to_string())
                .unwrap_or_else(|_| s.replace('\n', " ")),
        ),
        FieldValue::MultiLine(s) => {
            let first = s.lines().next().unwrap_or("");
            let more = s.lines().count().saturating_sub(1);
            if more > 0 {
                format!("{} (+{more} lines)", safe(first))
            } else {
                safe(first)
            }
        }
        FieldValue::Toggle(b) => if *b { "[x] yes" } else { "[ ] no" }.to_string(),
        FieldValue::Choice { options, index } => format!(
            "‹ {} ›",
            safe(options.get(*index).map(String::as_str).unwrap_or(""))
        ),
        FieldValue::Tabs { options, index } => options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                if i == *index {
                    format!("[{o}]")
                } else {
                    format!(" {o} ")
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        FieldValue::Pick {
            items,
            query,
            highlighted,
        } => {
            let found = pick_matches(items.iter().map(|(_, l)| l.as_str()), query);
            match found.get(*highlighted) {
                Some(i) => safe(&items[*i].1),
                None => "(nothing matches)".into(),
            }
        }
        FieldValue::MultiPick { items, chosen, .. } => {
            let names: Vec<String> = chosen
                .iter()
                .map(|c| {
                    items
                        .iter()
                        .find(|(v, _)| v == c)
                        .map(|(_, l)| safe(l))
                        .unwrap_or_else(|| safe(c))
                })
                .collect();
            if names.is_empty() {
                "(none)".into()
            } else {
                names.join(", ")
            }
        }
        FieldValue::Note(s) => safe(s),
    }
}

/// The keys a dialog's hints name, from the keymap (the first key of each action).
struct Hints {
    submit: String,
    cancel: String,
    next_field: String,
    newline: String,
    /// Submit from a multi-line field: a submit key that is not its new-line key.
    submit_multiline: String,
}

impl Hints {
    fn new(app: &App) -> Hints {
        let first = |mode: Mode, action: Action| {
            app.keymap
                .keys_of(mode, action)
                .into_iter()
                .next()
                .unwrap_or_else(|| action.name().to_string())
        };
        let newline = app.keymap.keys_of(Mode::Editor, Action::NewLine);
        let submit_multiline = app
            .keymap
            .keys_of(Mode::Dialog, Action::Submit)
            .into_iter()
            .find(|k| !newline.contains(k))
            .unwrap_or_else(|| Action::Submit.name().to_string());
        Hints {
            submit: first(Mode::Dialog, Action::Submit),
            cancel: first(Mode::Dialog, Action::Cancel),
            next_field: first(Mode::Dialog, Action::NextField),
            newline: first(Mode::Editor, Action::NewLine),
            submit_multiline,
        }
    }
}

fn draw_form(form: &Form, hints: &Hints, theme: &Theme, area: Rect, buf: &mut Buffer) {
    // Why a submit was refused comes first, so that it is seen however small the screen.
    // A conflict explains itself over several lines.
    let mut lines: Vec<Line<'static>> = match &form.error {
        Some(error) => error
            .split('\n')
            .enumerate()
            .flat_map(|(i, line)| {
                let mark = if i == 0 { "! " } else { "  " };
                form_text(format!("{mark}{}", safe(line)), theme.error(), area)
            })
            .collect(),
        None => Vec::new(),
    };
    let mut focus_line = lines.len();
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        if let FieldValue::Note(text) = &field.value {
            if !text.is_empty() {
                let style = if text.starts_with("Warning") {
                    theme.error()
                } else {
                    theme.header()
                };
                lines.extend(form_text(safe(text), style, area));
            }
            continue;
        }
        if focused {
            focus_line = lines.len();
        }
        let marker = if focused { "> " } else { "  " };
        let label = Span::styled(
            format!("{marker}{:<30}", safe(&field.label)),
            if focused {
                theme.focus()
            } else {
                theme.header()
            },
        );
        // The value's room in the box; a focused text scrolls to keep its cursor in sight.
        let room = usize::from(76u16.min(area.width.saturating_sub(2)).saturating_sub(2))
            .saturating_sub(33)
            .max(4);
        let cursor = form.cursor_position().filter(|_| focused);
        let value = match (cursor, field.value.text()) {
            (Some((_, at)), Some(text)) if !field.value.multi_line() => {
                with_cursor(text, at, room, theme)
            }
            // A focused multi-line field shows its lines below the label.
            (Some(_), Some(_)) => Vec::new(),
            _ => vec![Span::raw(summary(&field.value))],
        };
        let mut spans = vec![label, Span::raw(" ")];
        spans.extend(value);
        lines.push(Line::from(spans));
        if !focused {
            continue;
        }
        match &field.value {
            FieldValue::Pick {
                items,
                query,
                highlighted,
            } => {
                lines.push(Line::from(Span::styled(
                    format!("    filter: {}▏", safe(query)),
                    theme.dim(),
                )));
                let found = pick_matches(items.iter().map(|(_, l)| l.as_str()), query);
                let start = highlighted.saturating_sub(3);
                for (n, i) in found.iter().enumerate().skip(start).take(6) {
                    let text = format!(
                        "    {} {}",
                        if n == *highlighted { ">" } else { " " },
                        safe(&items[*i].1)
                    );
                    lines.push(if n == *highlighted {
                        Line::from(Span::styled(text, theme.selected()))
                    } else {
                        Line::from(text)
                    });
                }
            }
            FieldValue::MultiPick {
                items,
                chosen,
                query,
                highlighted,
            } => {
                lines.push(Line::from(Span::styled(
                    format!("    filter: {}▏  (Space adds or removes)", safe(query)),
                    theme.dim(),
                )));
                let found = matches(items, query);
                let start = highlighted.saturating_sub(3);
                for (n, i) in found.iter().enumerate().skip(start).take(6) {
                    let mark = if chosen.contains(&items[*i].0) {
                        "[x]"
                    } else {
                        "[ ]"
                    };
                    let text = format!("    {mark} {}", safe(&items[*i].1));
                    lines.push(if n == *highlighted {
                        Line::from(Span::styled(text, theme.selected()))
                    } else {
                        Line::from(text)
                    });
                }
            }
            FieldValue::Choice { options, index } => {
                let value = options.get(*index).map_or("", String::as_str);
                if let Some(text) = crate::tui::explain::explanation(&field.key, value) {
                    lines.extend(form_text(format!("    {text}"), theme.dim(), area));
                }
            }
            FieldValue::MultiLine(text) | FieldValue::Json(text) => {
                let (row, at) = form.cursor_position().unwrap_or_default();
                let room = usize::from(76u16.min(area.width.saturating_sub(2)))
                    .saturating_sub(6)
                    .max(4);
                for (i, line) in text.split('\n').enumerate() {
                    let mut spans = vec![Span::raw("    ")];
                    if i == row {
                        focus_line = lines.len();
                        spans.extend(with_cursor(line, at, room, theme));
                    } else {
                        spans.push(Span::raw(safe(line)));
                    }
                    lines.push(Line::from(spans));
                }
                lines.push(Line::from(Span::styled(
                    format!(
                        "    {} new line · {} save",
                        hints.newline, hints.submit_multiline
                    ),
                    theme.dim(),
                )));
            }
            _ => {}
        }
    }
    lines.push(Line::from(Span::styled(
        format!("{}: next field", hints.next_field),
        theme.dim(),
    )));
    // In a multi-line field Enter is a new line: the title names the key that saves there.
    let submit = if form.focused().is_some_and(|f| f.value.multi_line()) {
        &hints.submit_multiline
    } else {
        &hints.submit
    };
    let title = format!("{} · {submit} save · {} cancel", form.title, hints.cancel);
    boxed(&title, lines, focus_line, false, theme, area, 76, buf);
}

/// A line of a text field with its cursor (a bar before the character it stands on),
/// scrolled sideways so that the cursor stays within `room` cells.
fn with_cursor(text: &str, at: usize, room: usize, theme: &Theme) -> Vec<Span<'static>> {
    // Each character as shown: an escape or control character shows as a visible mark.
    let shown: Vec<String> = text
        .chars()
        .map(|c| safe(c.encode_utf8(&mut [0; 4])))
        .collect();
    let widths: Vec<usize> = shown.iter().map(|s| crate::text::width(s)).collect();
    let at = at.min(shown.len());
    // The cursor bar takes a cell; so does "…" where the text runs on out of sight.
    let mut start = 0;
    let mut used: usize = widths[..at].iter().sum::<usize>() + 1;
    while start < at && used + usize::from(start > 0) > room {
        used -= widths[start];
        start += 1;
    }
    let mut before = String::from(if start > 0 { "…" } else { "" });
    before.extend(shown[start..at].iter().map(String::as_str));
    let mut left = room.saturating_sub(used + usize::from(start > 0));
    let mut after = String::new();
    for (piece, width) in shown[at..].iter().zip(&widths[at..]) {
        if *width > left {
            after.pop();
            after.push('…');
            break;
        }
        left -= width;
        after.push_str(piece);
    }
    vec![
        Span::raw(before),
        Span::styled("▏", theme.focus()),
        Span::raw(after),
    ]
}

/// A note or an error in a form, folded to the form's width.
fn form_text(text: String, style: ratatui::style::Style, area: Rect) -> Vec<Line<'static>> {
    let width = usize::from(76u16.min(area.width.saturating_sub(2)).saturating_sub(2));
    wrapped(vec![Line::from(Span::styled(text, style))], width)
}

fn draw_confirm(app: &App, confirm: &Confirm, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let width = usize::from(76u16.min(area.width.saturating_sub(2)).saturating_sub(2));
    let mut lines = wrapped(
        vec![Line::from(Span::styled(
            format!("{}?", safe(&confirm.title)),
            theme.header(),
        ))],
        width,
    );
    let mut items = wrapped(
        confirm
            .lines
            .iter()
            .map(|l| Line::from(format!("  {}", safe(l))))
            .collect(),
        width,
    );
    // Keep room for the title, a blank line and the keys; say how many more there are.
    let room = usize::from(area.height.saturating_sub(4))
        .saturating_sub(lines.len() + 2)
        .max(1);
    if items.len() > room {
        let more = items.len() - (room - 1);
        items.truncate(room - 1);
        items.push(Line::from(Span::styled(
            format!("  … and {more} more lines"),
            theme.dim(),
        )));
    }
    lines.extend(items);
    lines.push(Line::from(""));
    let yes = app.keymap.keys_of(Mode::Confirm, Action::Confirm).join("/");
    let no = app.keymap.keys_of(Mode::Confirm, Action::Cancel).join("/");
    lines.push(Line::from(vec![
        Span::styled(yes, theme.header()),
        Span::raw(match confirm.action {
            // Undo works on the store; what authentik applied stays applied.
            Confirmed::Push => " yes, push (undo here does not undo it there) · ",
            _ => " yes, do it (u undoes it) · ",
        }),
        Span::styled(no, theme.header()),
        Span::raw(" cancel"),
    ]));
    boxed("Confirm", lines, 0, false, theme, area, 76, buf);
}

fn draw_types(picker: &TypePicker, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let types = match picker.choice {
        TypeChoice::Stage { .. } => StageKind::TYPES,
        TypeChoice::Policy => PolicyKind::TYPES,
    };
    let found = pick_matches(types.iter().map(|t| t.title), &picker.query);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "type to filter: {}▏   {} of {} types, ↑↓ to see them all",
            safe(&picker.query),
            found.len(),
            types.len()
        ),
        theme.dim(),
    ))];
    let start = picker.highlighted.saturating_sub(8);
    for (n, i) in found.iter().enumerate().skip(start).take(12) {
        let text = format!(
            "{} {}",
            if n == picker.highlighted { ">" } else { " " },
            types[*i].title
        );
        lines.push(if n == picker.highlighted {
            Line::from(Span::styled(text, theme.selected()))
        } else {
            Line::from(text)
        });
    }
    if let Some(i) = found.get(picker.highlighted) {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(types[*i].description, theme.dim())));
    }
    lines.push(Line::from(Span::styled(
        "Enter choose · Esc cancel",
        theme.dim(),
    )));
    let title = match picker.choice {
        TypeChoice::Stage { bind_to: Some(_) } => "Create and bind stage: choose a type",
        TypeChoice::Stage { bind_to: None } => "New stage: choose a type",
        TypeChoice::Policy => "New policy: choose a type",
    };
    boxed(title, lines, 0, true, theme, area, 76, buf);
}

fn draw_help(app: &App, help: &Help, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let lines = help_lines(app, help, theme, area);
    let scroll = help.scroll.min(help_last_scroll(lines.len(), area));
    boxed(
        "Help",
        lines.into_iter().skip(scroll).collect(),
        0,
        false,
        theme,
        area,
        90,
        buf,
    );
}

/// How far help scrolls: to where its last page is full (G shows the end).
pub fn help_last_scroll(lines: usize, area: Rect) -> usize {
    let visible = usize::from(area.height.saturating_sub(4)).max(1);
    lines.saturating_sub(visible)
}

/// Help's lines, folded to its box in `area`.
pub fn help_lines(app: &App, help: &Help, theme: &Theme, area: Rect) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        if help.filtering || !help.filter.is_empty() {
            format!("/{}▏", safe(&help.filter))
        } else {
            "/ to search · Esc to close".into()
        },
        theme.dim(),
    ))];
    let mut modes = page_modes(app);
    modes.extend([Mode::Dialog, Mode::Text, Mode::Editor, Mode::Confirm]);
    let filter = help.filter.to_lowercase();
    let inner = usize::from(90u16.min(area.width.saturating_sub(2)).saturating_sub(2)).max(1);
    // The keys' column is as wide as the widest keys (within reason); a description folds
    // under itself, the keys' column left clear.
    let sections: Vec<(Mode, Vec<(String, &'static str)>)> = modes
        .into_iter()
        .map(|mode| {
            let rows = app
                .keymap
                .bindings(mode)
                .iter()
                .filter(|(action, _)| {
                    filter.is_empty()
                        || action.description().to_lowercase().contains(&filter)
                        || action.name().contains(&filter)
                })
                .map(|(action, _)| {
                    let keys = app.keymap.keys_of(mode, *action).join(", ");
                    (safe(&keys), action.description())
                })
                .collect();
            (mode, rows)
        })
        .collect();
    let keys_width = sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| crate::text::width(k)))
        .max()
        .unwrap_or(0)
        .min(inner / 3);
    let room = inner.saturating_sub(keys_width + 3).max(10);
    for (mode, rows) in sections {
        if rows.is_empty() {
            continue;
        }
        lines.push(Line::from(Span::styled(mode.title(), theme.title())));
        for (keys, description) in rows {
            for (i, part) in crate::text::wrap(description, room).into_iter().enumerate() {
                let keys = if i == 0 { keys.as_str() } else { "" };
                let pad = keys_width.saturating_sub(crate::text::width(keys));
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys}{} ", " ".repeat(pad)), theme.header()),
                    Span::raw(part.to_string()),
                ]));
            }
        }
    }
    // Keys wider than their column (a user's long binding) still fold to the box.
    wrapped(lines, inner)
}

fn draw_palette(app: &App, palette: &Palette, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let actions = palette_actions(app);
    let found = pick_matches(actions.iter().map(|a| a.description()), &palette.query);
    let mut lines = vec![Line::from(format!(": {}▏", safe(&palette.query)))];
    let start = palette.highlighted.saturating_sub(8);
    let modes = page_modes(app);
    for (n, i) in found.iter().enumerate().skip(start).take(12) {
        let action = actions[*i];
        let keys = modes
            .iter()
            .map(|m| app.keymap.keys_of(*m, action))
            .find(|k| !k.is_empty())
            .unwrap_or_default();
        let text = format!(
            "{} {:<60} {}",
            if n == palette.highlighted { ">" } else { " " },
            action.description(),
            keys.join(", ")
        );
        lines.push(if n == palette.highlighted {
            Line::from(Span::styled(text, theme.selected()))
        } else {
            Line::from(text)
        });
    }
    if found.is_empty() {
        lines.push(Line::from(Span::styled(
            "  no matches (Backspace widens the search)",
            theme.dim(),
        )));
    }
    boxed("Command palette", lines, 0, false, theme, area, 90, buf);
}

fn draw_report(report: &crate::tui::report::Report, theme: &Theme, area: Rect, buf: &mut Buffer) {
    use crate::tui::report::Tone;
    let inner = usize::from(110u16.min(area.width.saturating_sub(2)).saturating_sub(2));
    let visible = report.visible();
    let mut lines = vec![Line::from(Span::styled(
        if report.filtering || !report.filter.is_empty() {
            format!("/{}▏", safe(&report.filter))
        } else {
            "j/k move · Enter go there · / filter · Esc close".into()
        },
        theme.dim(),
    ))];
    let mut focus = 0;
    for (n, i) in visible.iter().enumerate() {
        let line = &report.lines[*i];
        let selected = n == report.selected;
        let style = if selected {
            theme.selected()
        } else {
            match line.tone {
                Tone::Plain => ratatui::style::Style::new(),
                Tone::Heading | Tone::Warning => theme.header(),
                Tone::Error => theme.error(),
                Tone::Dim => theme.dim(),
            }
        };
        let marker = if selected { "» " } else { "  " };
        if selected {
            focus = lines.len();
        }
        // Long lines fold under themselves, indented past the marker.
        let pieces = wrapped(
            vec![Line::from(Span::styled(safe(&line.text), style))],
            inner.saturating_sub(4).max(8),
        );
        for (k, piece) in pieces.into_iter().enumerate() {
            let text: String = piece.spans.iter().map(|s| s.content.as_ref()).collect();
            let lead = if k == 0 { marker } else { "    " };
            lines.push(Line::from(Span::styled(format!("{lead}{text}"), style)));
        }
    }
    if visible.is_empty() {
        lines.push(Line::from(Span::styled(
            "Nothing matches the filter.",
            theme.dim(),
        )));
    }
    boxed(&report.title, lines, focus, false, theme, area, 110, buf);
}
