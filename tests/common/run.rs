//! Running the real binary on one store, the same way in every suite.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `bindery --store STORE ARGS...` with no stdin, no colour and no `BINDERY_STORE` from the
/// caller's environment.
pub fn bindery(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("BINDERY_STORE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run bindery")
}

/// The same under a umask, with the log beside the store.
pub fn bindery_umask(umask: &str, store: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" --store \"$@\""))
        .arg(env!("CARGO_BIN_EXE_bindery"))
        .arg(store)
        .args(args)
        .env_remove("BINDERY_STORE")
        .env("XDG_STATE_HOME", store.parent().unwrap().join("state"))
        .stdin(Stdio::null())
        .output()
        .expect("run bindery")
}

/// Output bytes as text (invalid UTF-8 shown as U+FFFD).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A file's permission bits, setuid/setgid/sticky included, without following a link.
pub fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}
