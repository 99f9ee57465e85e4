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
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::{DefaultTerminal, Terminal};

use super::app::App;
use super::effects::{Live, carry_out};
use super::event::Event;
use super::remote;
use super::theme::Theme;
use super::update::handle_event;
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
        // A ranking under way takes its next step whenever no key is waiting.
        let wait = if app.ranking() {
            Duration::ZERO
        } else if remote::loading(app) {
            Duration::from_millis(50)
        } else {
            Duration::from_millis(250)
        };
        let event = if event::poll(wait)? {
            match Event::from_crossterm(event::read()?) {
                Some(event) => event,
                None => continue,
            }
        } else if app.ranking() {
            app.rank_step();
            dirty = true;
            continue;
        } else if remote::finish_loading(app, false) {
            dirty = true;
            continue;
        } else if last_check.elapsed() >= DISK_CHECK {
            last_check = Instant::now();
            Event::Tick
        } else {
            continue;
        };
        let drawn_anyway = !matches!(event, Event::Tick);
        let effects = handle_event(app, event);
        let mut frame = |app: &mut App| {
            let _ = terminal.draw(|frame| view::draw(app, theme, frame.area(), frame.buffer_mut()));
            stop_asked()
        };
        let ran = carry_out(app, effects, &mut Live { frame: &mut frame });
        if ran.quit {
            return Ok(());
        }
        dirty |= drawn_anyway || ran.changed;
    }
    Ok(())
}

/// Whether Esc or Ctrl-c is waiting (during a pull or a push; other keys are dropped).
fn stop_asked() -> bool {
    let mut stop = false;
    while event::poll(Duration::ZERO).unwrap_or(false) {
        if let Ok(event::Event::Key(key)) = event::read() {
            let ctrl_c = key.code == event::KeyCode::Char('c')
                && key.modifiers.contains(event::KeyModifiers::CONTROL);
            stop |= ctrl_c || key.code == event::KeyCode::Esc;
        }
    }
    stop
}
