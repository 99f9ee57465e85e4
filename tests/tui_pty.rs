//! The interactive UI on a real pseudo-terminal (portable-pty), its output read by a terminal
//! emulator (vt100): it starts, takes keys, and on every way out (q, SIGTERM, SIGINT, SIGHUP)
//! leaves the terminal as it found it: main screen, cursor visible, canonical mode and echo on
//! (docs/reliability.md §7, T10).

#![cfg(unix)]

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::RawFd;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const ROWS: u16 = 24;
const COLS: u16 = 80;

/// A bindery process on a pseudo-terminal, with what it wrote parsed by a vt100 emulator.
struct Session {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    bytes: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
}

impl Session {
    fn start(dir: &Path) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_bindery"));
        cmd.arg("--store");
        cmd.arg(dir.join("store.json"));
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_CONFIG_HOME", dir.join("config"));
        cmd.env("XDG_STATE_HOME", dir.join("state"));
        cmd.env("XDG_DATA_HOME", dir.join("data"));
        cmd.env_remove("BINDERY_STORE");
        cmd.env_remove("NO_COLOR");
        let child = pty.slave.spawn_command(cmd).expect("spawn bindery");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("a reader");
        let writer = pty.master.take_writer().expect("a writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(ROWS).unwrap(),
            NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let parser = Arc::clone(&parser);
            let bytes = Arc::clone(&bytes);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                // Ends at EOF or EIO, once the child has exited and the slave side is closed.
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    parser.lock().unwrap().process(&buf[..n]);
                    bytes.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            })
        };
        Session {
            child,
            master: pty.master,
            writer,
            parser,
            bytes,
            reader: Some(reader),
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "the screen never showed {text:?}; it shows:\n{}",
            self.screen()
        );
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn pid(&self) -> i32 {
        self.child.process_id().expect("a pid") as i32
    }

    /// Waits for the process to end; its exit status and how long it took.
    fn wait_exit(&mut self, limit: Duration) -> (portable_pty::ExitStatus, Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader drain what was written before the exit.
                if let Some(reader) = self.reader.take() {
                    let deadline = Instant::now() + Duration::from_secs(2);
                    while !reader.is_finished() && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    if reader.is_finished() {
                        reader.join().unwrap();
                    }
                }
                return (status, start.elapsed());
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                panic!(
                    "bindery did not exit within {limit:?}; the screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn master_fd(&self) -> RawFd {
        self.master.as_raw_fd().expect("the master's descriptor")
    }

    /// The terminal's local modes: (canonical, echo, signals).
    fn modes(&self) -> (bool, bool, bool) {
        // SAFETY: a valid descriptor and a zeroed termios for tcgetattr to fill.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::tcgetattr(self.master_fd(), &mut t) };
        assert_eq!(rc, 0, "tcgetattr");
        (
            t.c_lflag & libc::ICANON != 0,
            t.c_lflag & libc::ECHO != 0,
            t.c_lflag & libc::ISIG != 0,
        )
    }

    /// Asserts the terminal is as it was before bindery started.
    fn assert_restored(&self, modes_before: (bool, bool, bool)) {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        assert!(
            !screen.alternate_screen(),
            "still on the alternate screen:\n{}",
            screen.contents()
        );
        assert!(!screen.hide_cursor(), "the cursor is still hidden");
        let bytes = self.bytes.lock().unwrap();
        assert!(
            contains(&bytes, b"\x1b[?1049h"),
            "the alternate screen was entered"
        );
        assert!(
            contains(&bytes, b"\x1b[?1049l"),
            "the 'leave alternate screen' sequence was written"
        );
        assert_eq!(self.modes(), modes_before, "raw mode left on");
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn q_twice_leaves_the_flow_page_then_quits_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start(dir.path());
    let before = s.modes();
    assert_eq!(before, (true, true, true), "a fresh pty is cooked");
    s.wait_for("Flows (12)");
    assert!(
        s.parser.lock().unwrap().screen().alternate_screen(),
        "the UI runs on the alternate screen"
    );
    // Raw mode is on while the UI runs.
    assert!(!s.modes().0, "canonical mode is off while running");

    s.send("\r"); // open the first flow
    s.wait_for("Overview | Stages");
    s.wait_for("default-authentication-iden");
    s.send("jjl"); // down to the password stage binding, and expand it
    s.wait_for("v 20");
    s.send("q"); // back to the list
    s.wait_for("Flows (12)");
    s.send("q"); // quit
    let (status, _) = s.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "exit status {status:?}");
    s.assert_restored(before);
    // The demo store was written on the way.
    assert!(dir.path().join("store.json").exists());
}

fn signal_restores(signal: libc::c_int, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start(dir.path());
    let before = s.modes();
    s.wait_for("Flows (12)");
    s.send("\r");
    s.wait_for("Overview | Stages");
    // SAFETY: signalling our own child by its pid.
    let rc = unsafe { libc::kill(s.pid(), signal) };
    assert_eq!(rc, 0, "kill");
    let (status, took) = s.wait_exit(Duration::from_secs(10));
    assert!(
        took <= Duration::from_secs(2),
        "{name}: took {took:?} to exit"
    );
    assert!(status.signal().is_none(), "{name}: died of {status:?}");
    s.assert_restored(before);
}

#[test]
fn sigterm_restores_the_terminal_and_exits_within_2s() {
    signal_restores(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sigint_restores_the_terminal_and_exits_within_2s() {
    signal_restores(libc::SIGINT, "SIGINT");
}

#[test]
fn sighup_restores_the_terminal_and_exits_within_2s() {
    signal_restores(libc::SIGHUP, "SIGHUP");
}

#[test]
fn ctrl_c_quits_at_once_from_a_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start(dir.path());
    let before = s.modes();
    s.wait_for("Flows (12)");
    s.send("n");
    s.wait_for("Create flow");
    s.send("\x03"); // Ctrl-c: in raw mode a key, not a signal
    let (status, took) = s.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert!(took <= Duration::from_secs(2), "took {took:?}");
    s.assert_restored(before);
}
