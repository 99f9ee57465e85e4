//! A bindery process on a real pseudo-terminal (portable-pty), what it writes parsed by a
//! terminal emulator (vt100). The master is read through its raw descriptor so that a test can
//! also close it (a hang-up). Shared by tests/tui_pty.rs and tests/reliability_terminal.rs.
#![allow(dead_code)]

use std::ffi::OsString;
use std::num::NonZeroU16;
use std::os::fd::RawFd;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const ROWS: u16 = 24;
pub const COLS: u16 = 80;

pub struct Session {
    pub child: Box<dyn Child + Send + Sync>,
    pub master: Option<Box<dyn MasterPty + Send>>,
    pub fd: RawFd,
    pub parser: Arc<Mutex<vt100::Parser>>,
    pub bytes: Arc<Mutex<Vec<u8>>>,
    pub stop: Arc<AtomicBool>,
    pub reader: Option<JoinHandle<()>>,
    /// The pty's local modes before the child was started: what it must restore. Read after
    /// the start it would race with the child turning raw mode on.
    pub modes_at_start: (bool, bool, bool),
}

impl Session {
    /// `bindery --store DIR/store.json`, directly or through `sh -c SCRIPT` (where `$0` is the
    /// binary and `$1` the store).
    pub fn start(dir: &Path, shell: Option<&str>, env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let bin = env!("CARGO_BIN_EXE_bindery");
        let store: OsString = dir.join("store.json").into();
        let mut cmd = match shell {
            None => {
                let mut cmd = CommandBuilder::new(bin);
                cmd.arg("--store");
                cmd.arg(&store);
                cmd
            }
            Some(script) => {
                let mut cmd = CommandBuilder::new("sh");
                cmd.args(["-c", script, bin]);
                cmd.arg(&store);
                cmd
            }
        };
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_CONFIG_HOME", dir.join("config"));
        cmd.env("XDG_STATE_HOME", dir.join("state"));
        cmd.env("XDG_DATA_HOME", dir.join("data"));
        cmd.env_remove("BINDERY_STORE");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("BINDERY_TEST_PANIC");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let fd = pty.master.as_raw_fd().expect("the master's descriptor");
        let modes_at_start = modes_of(fd);
        let child = pty.slave.spawn_command(cmd).expect("spawn");
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(ROWS).unwrap(),
            NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (parser, bytes, stop) =
                (Arc::clone(&parser), Arc::clone(&bytes), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while !stop.load(Ordering::SeqCst) {
                    let mut pfd = libc::pollfd {
                        fd,
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: one valid pollfd; the descriptor stays open until this thread
                    // has been joined.
                    if unsafe { libc::poll(&mut pfd, 1, 50) } <= 0 {
                        continue;
                    }
                    // SAFETY: reading into a buffer of the given length.
                    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
                    if n <= 0 {
                        break; // EIO: the child exited and the slave side is closed.
                    }
                    let n = n as usize;
                    parser.lock().unwrap().process(&buf[..n]);
                    bytes.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            })
        };
        Session {
            child,
            master: Some(pty.master),
            fd,
            modes_at_start,
            parser,
            bytes,
            stop,
            reader: Some(reader),
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the screen never showed {text:?}:\n{}", self.screen());
    }

    pub fn send(&self, keys: &str) {
        // SAFETY: writing a buffer of the given length to the open master.
        let n = unsafe { libc::write(self.fd, keys.as_ptr().cast(), keys.len()) };
        assert_eq!(n as usize, keys.len());
    }

    pub fn pid(&self) -> i32 {
        self.child.process_id().expect("a pid") as i32
    }

    /// Waits for the process to end; its exit status and how long it took.
    pub fn wait_exit(&mut self, limit: Duration) -> (portable_pty::ExitStatus, Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                if let Some(reader) = self.reader.take() {
                    let deadline = Instant::now() + Duration::from_secs(2);
                    while !reader.is_finished() && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    self.stop.store(true, Ordering::SeqCst);
                    reader.join().unwrap();
                }
                return (status, start.elapsed());
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                panic!(
                    "did not exit within {limit:?}; the screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The terminal's local modes, as `stty -a` shows them: (icanon, echo, isig).
    pub fn modes(&self) -> (bool, bool, bool) {
        modes_of(self.fd)
    }

    /// What is wrong with the terminal now (empty: restored).
    pub fn not_restored(&self) -> Vec<String> {
        let mut wrong = Vec::new();
        let (icanon, echo, isig) = self.modes();
        for (on, name) in [(isig, "isig"), (icanon, "icanon"), (echo, "echo")] {
            if !on {
                wrong.push(format!("-{name}"));
            }
        }
        let parser = self.parser.lock().unwrap();
        if parser.screen().alternate_screen() {
            wrong.push("still on the alternate screen".into());
        }
        if parser.screen().hide_cursor() {
            wrong.push("the cursor is hidden".into());
        }
        let bytes = self.bytes.lock().unwrap();
        if !contains(&bytes, b"\x1b[?1049h") {
            wrong.push("never entered the alternate screen (nothing was tested)".into());
        }
        wrong
    }

    /// Closes the master: the terminal hangs up.
    pub fn hang_up(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        drop(self.master.take());
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A terminal's local modes: (icanon, echo, isig).
fn modes_of(fd: RawFd) -> (bool, bool, bool) {
    // SAFETY: a valid descriptor and a zeroed termios for tcgetattr to fill.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::tcgetattr(fd, &mut t) };
    assert_eq!(rc, 0, "tcgetattr");
    (
        t.c_lflag & libc::ICANON != 0,
        t.c_lflag & libc::ECHO != 0,
        t.c_lflag & libc::ISIG != 0,
    )
}
