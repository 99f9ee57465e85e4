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
    /// The column that names each row: the last to be cut.
    pub name: usize,
    /// Only the visible rows: `first` is the index of the first of them.
    pub rows: Vec<Vec<Line<'a>>>,
    pub first: usize,
    pub selected: Option<usize>,
}

const MARKER: &str = "» ";
const SPACING: u16 = 2;

/// Below this a column that is cut to keep a name whole is no use: the name is cut instead.
const USEFUL: u16 = 10;

/// Column widths within `room` cells. Every column is as wide as its widest cell when they all
/// fit. Otherwise the name column (`name`) stays whole while the others can keep a useful
/// width, and the widest columns are cut to one common width, so that a short column (a type,
/// a number) is never cut while a long one could give way.
pub fn fit(natural: &[u16], name: usize, room: u16) -> Vec<u16> {
    let Some(&whole) = natural.get(name) else {
        return share(natural, room);
    };
    let others: Vec<u16> = natural
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != name)
        .map(|(_, w)| *w)
        .collect();
    let least: u32 = others.iter().map(|w| u32::from((*w).min(USEFUL))).sum();
    if u32::from(whole) + least > u32::from(room) {
        return share(natural, room);
    }
    let mut rest = share(&others, room - whole).into_iter();
    (0..natural.len())
        .map(|i| {
            if i == name {
                whole
            } else {
                rest.next().unwrap_or(0)
            }
        })
        .collect()
}

/// A column this narrow (a type, a designation, a count) is kept whole while the long ones can
/// give way.
const SHORT: u16 = 24;

/// Widths within `room`: short columns whole while the long ones keep a useful width, and the
/// widest cut to one common width.
fn share(natural: &[u16], room: u16) -> Vec<u16> {
    let short: u32 = natural
        .iter()
        .filter(|w| **w <= SHORT)
        .map(|w| u32::from(*w))
        .sum();
    let long: Vec<u16> = natural.iter().copied().filter(|w| *w > SHORT).collect();
    if long.is_empty() || short + u32::from(USEFUL) * long.len() as u32 > u32::from(room) {
        return level(natural, room);
    }
    let mut cut = level(&long, room - short as u16).into_iter();
    natural
        .iter()
        .map(|w| {
            if *w <= SHORT {
                *w
            } else {
                cut.next().unwrap_or(0)
            }
        })
        .collect()
}

/// Widths within `room`: the widest columns cut to one common width.
fn level(natural: &[u16], room: u16) -> Vec<u16> {
    let total = |cap: u16| -> u32 { natural.iter().map(|w| u32::from((*w).min(cap))).sum() };
    let widest = natural.iter().copied().max().unwrap_or(0);
    if total(widest) <= u32::from(room) {
        return natural.to_vec();
    }
    // The largest common cap that fits: total() only grows with the cap.
    let (mut low, mut high) = (0u16, widest);
    while low < high {
        let mid = low + (high - low).div_ceil(2);
        if total(mid) <= u32::from(room) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let mut widths: Vec<u16> = natural.iter().map(|w| (*w).min(low)).collect();
    // What is left over after the cap goes, a cell each, to the cut columns from the left.
    let mut spare = u32::from(room).saturating_sub(total(low));
    for (width, want) in widths.iter_mut().zip(natural) {
        if spare > 0 && *width < *want {
            *width += 1;
            spare -= 1;
        }
    }
    widths
}

pub fn draw(rows: Rows, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let natural: Vec<u16> = (0..rows.header.len())
        .map(|c| {
            let cells = rows.rows.iter().filter_map(|r| r.get(c)).map(Line::width);
            let widest = cells.chain([rows.header[c].chars().count()]).max();
            u16::try_from(widest.unwrap_or(0)).unwrap_or(u16::MAX)
        })
        .collect();
    let gaps = SPACING * u16::try_from(natural.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let marker = if rows.selected.is_some() {
        MARKER.chars().count() as u16
    } else {
        0
    };
    let widths = fit(
        &natural,
        rows.name,
        area.width.saturating_sub(gaps + marker),
    );
    let header = Row::new(rows.header.iter().map(|h| Cell::from(*h))).style(theme.header());
    let body = rows
        .rows
        .into_iter()
        .map(|cells| Row::new(cells.into_iter().map(Cell::from)));
    let table = Table::new(body, widths.into_iter().map(Constraint::Length))
        .header(header)
        .row_highlight_style(theme.selected())
        .highlight_symbol(MARKER)
        .column_spacing(SPACING);
    let mut state = TableState::default();
    state.select(rows.selected.and_then(|s| s.checked_sub(rows.first)));
    StatefulWidget::render(table, area, buf, &mut state);
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn columns_keep_their_width_while_they_fit() {
        assert_eq!(fit(&[10, 5, 20], 0, 35), vec![10, 5, 20]);
        assert_eq!(fit(&[10, 5, 20], 0, 80), vec![10, 5, 20]);
    }

    #[test]
    fn the_name_stays_whole_and_the_widest_other_columns_give_way_first() {
        // A 48-cell name, a 22-cell type and 35 cells of flows in 90 cells.
        assert_eq!(fit(&[48, 22, 35], 0, 90), vec![48, 22, 20]);
        assert_eq!(fit(&[48, 19, 6, 8, 50], 0, 103), vec![48, 19, 6, 8, 22]);
        assert_eq!(fit(&[48, 12, 35], 0, 90), vec![48, 12, 30]);
        // An order column before the name.
        assert_eq!(fit(&[5, 40, 30], 1, 60), vec![5, 40, 15]);
    }

    #[test]
    fn when_the_name_cannot_stay_whole_every_column_shares_the_cut() {
        let widths = fit(&[60, 22, 35], 0, 70);
        assert_eq!(widths.iter().sum::<u16>(), 70);
        assert_eq!(widths[1], 22);
        assert!(widths[0].abs_diff(widths[2]) <= 1, "{widths:?}");
        // Too little room even for that: the short columns are cut too.
        let widths = fit(&[60, 22, 35], 0, 30);
        assert_eq!(widths, vec![10, 10, 10]);
        assert_eq!(fit(&[10, 10, 10], 0, 6), vec![2, 2, 2]);
        assert_eq!(fit(&[10, 10, 10], 0, 0), vec![0, 0, 0]);
    }
}
