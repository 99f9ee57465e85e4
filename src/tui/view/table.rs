//! Drawing a slice of rows as a table with a visible, marked selection.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, StatefulWidget, Table, TableState};

use crate::text::sanitize;
use crate::tui::theme::Theme;

/// Untrusted text, made safe to draw.
pub fn safe(text: &str) -> String {
    sanitize(text).into_owned()
}

/// A name with its fuzzy-matched characters emphasised.
pub fn marked<'a>(text: &str, marks: Option<&Vec<usize>>, theme: &Theme) -> Line<'a> {
    let Some(marks) = marks.filter(|m| !m.is_empty()) else {
        return Line::from(safe(text));
    };
    let spans: Vec<Span> = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let shown = safe(&c.to_string());
            if marks.contains(&i) {
                Span::styled(shown, theme.matched())
            } else {
                Span::raw(shown)
            }
        })
        .collect();
    Line::from(spans)
}

pub struct Rows<'a> {
    pub header: Vec<&'a str>,
    pub widths: Vec<Constraint>,
    /// Only the visible rows: `first` is the index of the first of them.
    pub rows: Vec<Vec<Line<'a>>>,
    pub first: usize,
    pub selected: Option<usize>,
}

pub fn draw(rows: Rows, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let header = Row::new(rows.header.iter().map(|h| Cell::from(*h))).style(theme.header());
    let body = rows
        .rows
        .into_iter()
        .map(|cells| Row::new(cells.into_iter().map(Cell::from)));
    let table = Table::new(body, rows.widths)
        .header(header)
        .row_highlight_style(theme.selected())
        .highlight_symbol("» ")
        .column_spacing(2);
    let mut state = TableState::default();
    state.select(rows.selected.and_then(|s| s.checked_sub(rows.first)));
    StatefulWidget::render(table, area, buf, &mut state);
}
