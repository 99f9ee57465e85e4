//! The UI without a terminal: events replayed through the very same `handle_event` and effect
//! runner as the terminal's, the final frame drawn into ratatui's test backend and returned as
//! text.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use super::app::App;
use super::effects::{Host, carry_out};
use super::event::Event;
use super::theme::Theme;
use super::update::{handle_event, saved};
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

/// Replays events as the interactive UI would, saving after each edit unless `dry_run`;
/// returns whether a quit was asked for.
pub fn replay(app: &mut App, events: &[Event], width: u16, height: u16, dry_run: bool) -> bool {
    replay_checked(app, events, width, height, dry_run).quit
}

/// What a replay did: whether it quit, and each change it was asked for that is not durably
/// on disk at its end.
#[derive(Debug, Default)]
pub struct Replayed {
    pub quit: bool,
    pub unsaved: Vec<Unsaved>,
}

/// A replay's host: saves (unless a dry run) keeping account of what did not reach the disk.
struct Replay {
    dry_run: bool,
    unsaved: Vec<Unsaved>,
    /// The last save's failure, with the changes it was writing; a later save that succeeds
    /// writes them too.
    failed: Option<Vec<Unsaved>>,
}

impl Host for Replay {
    fn save(&mut self, app: &mut App) {
        if self.dry_run {
            app.save = super::app::SaveState::DryRun;
            return;
        }
        let changes = app.store.unsaved_changes();
        let result = app.store.save();
        match &result {
            Ok(report) => {
                self.failed = None;
                self.unsaved
                    .extend(report.conflicts.iter().map(Unsaved::conflict));
            }
            Err(err) => self.failed = Some(Unsaved::failed(changes, err)),
        }
        saved(app, result);
    }

    fn write(&mut self, app: &mut App, path: &str, text: &str) {
        if !self.dry_run {
            super::update::write(app, path, text);
        }
    }

    /// A pull or a push, to its end (nothing stops a replay); a dry run sends nothing.
    fn remote(&mut self, app: &mut App, job: super::remote::RemoteJob) {
        if self.dry_run {
            app.info("not sent (dry run)");
            return;
        }
        let cancel = std::sync::atomic::AtomicBool::new(false);
        super::remote::run_job(app, job, &cancel, &mut |_, _| {});
    }
}

/// Like `replay`, keeping account of the saves: a change dropped as a conflict, or still
/// pending (or not flushed) after the last save failed, is reported as unsaved.
pub fn replay_checked(
    app: &mut App,
    events: &[Event],
    width: u16,
    height: u16,
    dry_run: bool,
) -> Replayed {
    app.height = height;
    app.width = width;
    let mut host = Replay {
        dry_run,
        unsaved: Vec::new(),
        failed: None,
    };
    // A replay shows the screen settled: the remote's base read and its changes counted.
    super::remote::finish_loading(app, true);
    let mut quit = false;
    for event in events {
        let effects = handle_event(app, event.clone());
        if carry_out(app, effects, &mut host).quit {
            quit = true;
            break;
        }
        // What a person would see once the screen settled: a ranking under way runs to its end.
        app.finish_ranking();
    }
    let mut unsaved = host.unsaved;
    unsaved.extend(host.failed.into_iter().flatten());
    Replayed { quit, unsaved }
}
