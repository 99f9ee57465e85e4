//! The interactive UI on a real pseudo-terminal (portable-pty), its output read by a terminal
//! emulator (vt100): it starts, takes keys, and on every way out (q, SIGTERM, SIGINT, SIGHUP)
//! leaves the terminal as it found it: main screen, cursor visible, canonical mode and echo on
//! (docs/reliability.md §7, T10).

#![cfg(unix)]

mod pty_common;

use std::time::Duration;

use pty_common::{Session, contains};

/// Asserts the terminal is as it was before bindery started.
fn assert_restored(s: &Session, modes_before: (bool, bool, bool)) {
    let parser = s.parser.lock().unwrap();
    let screen = parser.screen();
    assert!(
        !screen.alternate_screen(),
        "still on the alternate screen:\n{}",
        screen.contents()
    );
    assert!(!screen.hide_cursor(), "the cursor is still hidden");
    let bytes = s.bytes.lock().unwrap();
    assert!(
        contains(&bytes, b"\x1b[?1049h"),
        "the alternate screen was entered"
    );
    assert!(
        contains(&bytes, b"\x1b[?1049l"),
        "the 'leave alternate screen' sequence was written"
    );
    assert_eq!(s.modes(), modes_before, "raw mode left on");
}

#[test]
fn q_twice_leaves_the_flow_page_then_quits_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start(dir.path(), None, &[]);
    let before = s.modes_at_start;
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
    assert_restored(&s, before);
    // The demo store was written on the way.
    assert!(dir.path().join("store.json").exists());
}

fn signal_restores(signal: libc::c_int, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start(dir.path(), None, &[]);
    let before = s.modes_at_start;
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
    assert_restored(&s, before);
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
    let mut s = Session::start(dir.path(), None, &[]);
    let before = s.modes_at_start;
    s.wait_for("Flows (12)");
    s.send("n");
    s.wait_for("Create flow");
    s.send("\x03"); // Ctrl-c: in raw mode a key, not a signal
    let (status, took) = s.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert!(took <= Duration::from_secs(2), "took {took:?}");
    assert_restored(&s, before);
}
