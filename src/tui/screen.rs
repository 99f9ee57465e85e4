//! The UI without a terminal: keys replayed through the very same `update`, the final frame
//! drawn into ratatui's test backend and returned as text.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use super::app::{App, Effect};
use super::keys::Key;
use super::theme::Theme;
use super::update::{handle_key, saved};
use super::view;

/// The text of a buffer, one line per row, trailing spaces trimmed.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Draws the app at a size.
pub fn render(app: &mut App, theme: &Theme, width: u16, height: u16) -> Buffer {
    app.height = height;
    if app.width != width {
        app.width = width;
        app.refresh();
    }
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| view::draw(app, theme, frame.area(), frame.buffer_mut()))
        .expect("drawing to a test backend cannot fail");
    terminal.backend().buffer().clone()
}

/// Replays keys as the interactive UI would, saving after each edit unless `dry_run`;
/// returns whether a quit was asked for.
pub fn replay(app: &mut App, keys: &[Key], width: u16, height: u16, dry_run: bool) -> bool {
    app.height = height;
    app.width = width;
    for key in keys {
        for effect in handle_key(app, *key) {
            match effect {
                Effect::Quit => return true,
                Effect::Save if !dry_run => {
                    let result = app.store.save();
                    saved(app, result);
                }
                Effect::Save => {}
                Effect::Write { path, text } if !dry_run => super::update::write(app, &path, &text),
                Effect::Write { .. } => {}
            }
        }
    }
    false
}
