//! Plain aligned columns for human output. Every cell is sanitised, and measured in terminal
//! cells (a CJK character or an emoji takes two).
//!
//! Aligning needs every row's width before the first line is written, so rows are kept until
//! then: each as one string, its sanitised cells joined by a NUL (which sanitising escapes, so
//! it never occurs in a cell), a fraction of the memory of a vector of cells per row.

use std::io::{self, Write};

use crate::text::{sanitize, width as cells_width};

const SEPARATOR: char = '\0';

pub struct Columns {
    widths: Vec<usize>,
    rows: Vec<String>,
}

impl Columns {
    pub fn new(header: &[&str]) -> Columns {
        let mut table = Columns {
            widths: vec![0; header.len()],
            rows: Vec::new(),
        };
        table.row(header.iter().map(|h| h.to_string()).collect());
        table
    }

    pub fn row(&mut self, cells: Vec<String>) {
        let mut row = String::new();
        for (i, (cell, width)) in cells.iter().zip(self.widths.iter_mut()).enumerate() {
            if i > 0 {
                row.push(SEPARATOR);
            }
            let cell = sanitize(cell);
            *width = (*width).max(cells_width(&cell));
            row.push_str(&cell);
        }
        self.rows.push(row);
    }

    /// Every row, the header first, cells padded to the widest and each line's end trimmed.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut line = String::new();
        for row in &self.rows {
            line.clear();
            for (i, (cell, width)) in row.split(SEPARATOR).zip(&self.widths).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                // Padded by hand: a format width above u16::MAX panics (a 1 MB name).
                let pad = width.saturating_sub(cells_width(cell));
                line.extend(std::iter::repeat_n(' ', pad));
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(table: &Columns) -> String {
        let mut out = Vec::new();
        table.write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn columns_fit_the_widest_cell_and_lines_are_trimmed() {
        let mut table = Columns::new(&["name", "v"]);
        table.row(vec!["a".into(), "x".into()]);
        table.row(vec!["long name".into(), "".into()]);
        assert_eq!(render(&table), "name       v\na          x\nlong name\n");
    }

    #[test]
    fn escape_sequences_and_nul_are_shown_escaped_and_keep_their_cell() {
        let mut table = Columns::new(&["n", "m"]);
        table.row(vec!["\u{1b}[31mred\0x".into(), "y".into()]);
        let text = render(&table);
        assert!(!text.contains(['\u{1b}', '\0']), "{text:?}");
        let last = text.lines().last().unwrap();
        assert!(last.ends_with("  y"), "{last:?}");
        assert_eq!(
            last.chars().count(),
            sanitize("\u{1b}[31mred\0x").chars().count() + 3
        );
    }
}
