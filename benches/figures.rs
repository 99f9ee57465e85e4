//! Budgets that are not times: bytes sent to the terminal when the selection moves one row in
//! a 200x50 table (no repaint), and the peak memory of the UI on the big store (at most three
//! times the store's size on disk). Run with `cargo bench --bench figures`.

use std::io::Write;
use std::process::Command;

use bindery::generate::{Sizes, generate};
use bindery::store::Store;
use bindery::tui::keys::parse_keys;
use bindery::tui::update::handle_key;
use bindery::tui::{App, Keymap, Theme};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// A writer whose bytes can be counted and cleared between frames.
#[derive(Clone, Default)]
struct Counter(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn selection_bytes(path: &std::path::Path) {
    let mut app = App::new(Store::open(path).expect("open"), Keymap::default_keymap());
    let theme = Theme::default();
    let bytes = Counter::default();
    let backend = CrosstermBackend::new(bytes.clone());
    let mut terminal = Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 200, 50)),
        },
    )
    .expect("terminal");
    app.width = 200;
    app.height = 50;
    let draw = |app: &mut App, terminal: &mut Terminal<CrosstermBackend<Counter>>| {
        terminal
            .draw(|frame| bindery::tui::view::draw(app, &theme, frame.area(), frame.buffer_mut()))
            .expect("draw");
        let n = bytes.0.borrow().len();
        bytes.0.borrow_mut().clear();
        n
    };
    let first = draw(&mut app, &mut terminal);
    for (screen, setup) in [
        ("flows list", ""),
        ("stage bindings of a 200-binding flow", "<Enter>"),
    ] {
        for key in parse_keys(setup).expect("keys") {
            handle_key(&mut app, key);
        }
        draw(&mut app, &mut terminal);
        handle_key(&mut app, parse_keys("j").expect("j")[0]);
        let moved = draw(&mut app, &mut terminal);
        println!(
            "terminal bytes, selection moved one row in the {screen} at 200x50: {moved} (a full first frame: {first})"
        );
    }
}

fn peak_memory(path: &std::path::Path) {
    let binary = env!("CARGO_BIN_EXE_bindery");
    let status = Command::new(binary)
        .args(["--store"])
        .arg(path)
        .args([
            "screen",
            "--size",
            "200x50",
            "--dry-run",
            "--keys",
            "1<Enter>jjj2jjj",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run bindery");
    assert!(status.success());
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let peak = usage.ru_maxrss as f64 * 1024.0;
    let size = std::fs::metadata(path).expect("size").len() as f64;
    println!(
        "peak memory of the UI on the big store: {:.0} MB for a {:.0} MB store ({:.2}x its size on disk; budget 3x)",
        peak / 1e6,
        size / 1e6,
        peak / size
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.json");
    Store::create(&path, generate(Sizes::big())).expect("create");
    selection_bytes(&path);
    peak_memory(&path);
}
