//! bindery's own events: what the terminal sends (converted from crossterm's here, once) and
//! what `screen --keys` replays. `update::handle_event` takes them both.

use crossterm::event::{self as ct, KeyEventKind, MouseButton, MouseEventKind};

use super::keys::Key;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Key(Key),
    /// Text pasted at once (bracketed paste).
    Paste(String),
    /// A left click at a cell.
    Click {
        x: u16,
        y: u16,
    },
    ScrollUp,
    ScrollDown,
    Resize(u16, u16),
    /// Time passed with no input: the moment to look for someone else's change on disk.
    Tick,
}

impl Event {
    /// The event a crossterm event stands for; None for those bindery ignores (key
    /// releases, mouse moves, focus changes).
    pub fn from_crossterm(event: ct::Event) -> Option<Event> {
        match event {
            ct::Event::Key(key) if key.kind != KeyEventKind::Release => {
                Some(Event::Key(Key::from_event(key)))
            }
            ct::Event::Mouse(mouse) => match mouse.kind {
                MouseEventKind::ScrollDown => Some(Event::ScrollDown),
                MouseEventKind::ScrollUp => Some(Event::ScrollUp),
                MouseEventKind::Down(MouseButton::Left) => Some(Event::Click {
                    x: mouse.column,
                    y: mouse.row,
                }),
                _ => None,
            },
            ct::Event::Paste(text) => Some(Event::Paste(text)),
            ct::Event::Resize(w, h) => Some(Event::Resize(w, h)),
            _ => None,
        }
    }
}
