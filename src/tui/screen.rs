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
use crate::store::Unsaved;

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
    replay_checked(app, keys, width, height, dry_run).quit
}

/// What a replay did: whether it quit, and each change it was asked for that is not durably
/// on disk at its end.
#[derive(Debug, Default)]
pub struct Replayed {
    pub quit: bool,
    pub unsaved: Vec<Unsaved>,
}

/// Like `replay`, keeping account of the saves: a change dropped as a conflict, or still
/// pending (or not flushed) after the last save failed, is reported as unsaved.
pub fn replay_checked(
    app: &mut App,
    keys: &[Key],
    width: u16,
    height: u16,
    dry_run: bool,
) -> Replayed {
    app.height = height;
    app.width = width;
    let mut replayed = Replayed::default();
    // The last save's failure, with the changes it was writing; a later save that succeeds
    // writes them too.
    let mut failed: Option<Vec<Unsaved>> = None;
    'keys: for key in keys {
        for effect in handle_key(app, *key) {
            match effect {
                Effect::Quit => {
                    replayed.quit = true;
                    break 'keys;
                }
                Effect::Save if !dry_run => {
                    let changes = app.store.unsaved_changes();
                    let result = app.store.save();
                    match &result {
                        Ok(report) => {
                            failed = None;
                            replayed
                                .unsaved
                                .extend(report.conflicts.iter().map(Unsaved::conflict));
                        }
                        Err(err) => failed = Some(Unsaved::failed(changes, err)),
                    }
                    saved(app, result);
                }
                Effect::Save => {}
                Effect::Write { path, text } if !dry_run => super::update::write(app, &path, &text),
                Effect::Write { .. } => {}
            }
        }
    }
    replayed.unsaved.extend(failed.into_iter().flatten());
    replayed
}
