//! Running the UI on a real terminal: raw mode and the alternate screen, restored on every
//! way out (quit, panic, SIGTERM, SIGINT, SIGHUP); a watchdog that ends the process when the
//! terminal goes away; drawing only when something changed; saves and reloads as effects.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEventKind, MouseButton, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::{DefaultTerminal, Terminal};

use super::action::Action;
use super::app::{App, Effect};
use super::keys::Key;
use super::theme::Theme;
use super::update::{click, handle_key, reloaded, saved, update};
use super::view;

/// How often the loop looks for a change made by someone else.
const DISK_CHECK: Duration = Duration::from_secs(2);

/// Leaves raw mode, the alternate screen, mouse capture and bracketed paste, and shows the
/// cursor: the terminal as it was.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    );
}

fn setup() -> io::Result<DefaultTerminal> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Ends the process when the terminal hangs up (an SSH link dropped while SIGHUP was ignored):
/// crossterm would otherwise spin on the dead descriptor.
fn watch_for_hangup(quit: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        loop {
            let mut fd = libc::pollfd {
                fd: 0,
                events: 0,
                revents: 0,
            };
            // SAFETY: one valid pollfd, a count of one, a finite timeout.
            let ready = unsafe { libc::poll(&mut fd, 1, 500) };
            if ready > 0 && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                // crossterm would spin on the dead descriptor: end now, nobody is looking.
                quit.store(true, Ordering::SeqCst);
                restore();
                std::process::exit(129);
            }
            if quit.load(Ordering::SeqCst) {
                return;
            }
        }
    });
}

fn carry_out(app: &mut App, effects: Vec<Effect>) -> bool {
    let mut quit = false;
    for effect in effects {
        match effect {
            Effect::Save => {
                let result = app.store.save();
                if let Err(err) = &result {
                    let err = crate::text::sanitize(&err.to_string()).into_owned();
                    tracing::error!("save failed: {err}");
                }
                saved(app, result);
            }
            Effect::Quit => quit = true,
            Effect::Write { path, text } => super::update::write(app, &path, &text),
        }
    }
    quit
}

pub fn run(mut app: App, theme: Theme) -> io::Result<()> {
    let quit = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&quit))?;
        signal_hook::flag::register(signal, Arc::clone(&quit))?;
    }
    let mut terminal = setup()?;
    watch_for_hangup(Arc::clone(&quit));
    let result = event_loop(&mut terminal, &mut app, &theme, &quit);
    quit.store(true, Ordering::SeqCst);
    restore();
    let _ = io::stdout().flush();
    result
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    theme: &Theme,
    quit: &AtomicBool,
) -> io::Result<()> {
    let mut dirty = true;
    let mut last_check = Instant::now();
    // A hidden test hook: BINDERY_TEST_PANIC=after-draw makes the loop panic right after its
    // first draw, so that tests/reliability_terminal.rs can check that a panic leaves the
    // terminal restored. Nothing else reads this variable; unset, it changes nothing.
    let panic_after_draw =
        std::env::var_os("BINDERY_TEST_PANIC").is_some_and(|v| v == "after-draw");
    while !quit.load(Ordering::SeqCst) {
        if dirty {
            let size = terminal.size()?;
            if app.width != size.width {
                app.width = size.width;
                app.refresh();
            }
            terminal.draw(|frame| {
                app.height = frame.area().height;
                view::draw(app, theme, frame.area(), frame.buffer_mut())
            })?;
            dirty = false;
            if panic_after_draw {
                panic!("BINDERY_TEST_PANIC=after-draw: a panic forced for testing");
            }
        }
        if event::poll(Duration::from_millis(250))? {
            let effects = match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    app.status = None;
                    handle_key(app, Key::from_event(key))
                }
                Event::Mouse(mouse) => match mouse.kind {
                    MouseEventKind::ScrollDown => update(app, Action::Down),
                    MouseEventKind::ScrollUp => update(app, Action::Up),
                    MouseEventKind::Down(MouseButton::Left) => {
                        let size = terminal.size()?;
                        let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
                        click(app, area, mouse.column, mouse.row)
                    }
                    _ => Vec::new(),
                },
                Event::Paste(text) => {
                    let mut effects = Vec::new();
                    for c in text.chars().filter(|c| !c.is_control() || *c == '\n') {
                        effects.extend(handle_key(app, Key::char(c)));
                    }
                    effects
                }
                _ => Vec::new(),
            };
            if carry_out(app, effects) {
                return Ok(());
            }
            dirty = true;
        } else if last_check.elapsed() >= DISK_CHECK {
            last_check = Instant::now();
            if !app.store.has_unsaved_changes() && app.store.changed_on_disk().unwrap_or(false) {
                match app.store.reload() {
                    Ok(()) => reloaded(app),
                    Err(err) => app.error(format!(
                        "the store changed on disk but cannot be read: {err}"
                    )),
                }
                dirty = true;
            }
        }
    }
    Ok(())
}
