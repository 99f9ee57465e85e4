//! Scripts are told the truth about saves (issue 11, item 8): a command asked to change the
//! store exits non-zero unless every change it was asked for is durably saved, and names on
//! stderr each change that was not (for a conflict, both sides). All through the real binary.

mod tui_common;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use bindery::model::StageKind;
use bindery::store::Store;

const PASSWORD_BINDING: &str = "edit binding of default-authentication-password";

fn bindery_command(store: &Path, args: &[&str]) -> Command {
    let dir = store.parent().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_bindery"));
    command
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("BINDERY_STORE")
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"));
    command
}

fn bindery(store: &Path, args: &[&str]) -> Output {
    bindery_command(store, args).output().expect("run bindery")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A demo store in a fresh directory.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let out = bindery(&store, &["init", "--demo"]);
    assert!(out.status.success(), "{out:?}");
    (dir, store)
}

/// Keys that set the order of the password stage's binding on the authentication flow (the
/// first flow, third binding) and submit the form, which saves.
fn set_order_keys(order: i64) -> String {
    format!("<Enter>jje<BS><BS>{order}<Enter>")
}

fn password_order(store: &Path) -> i64 {
    let store = Store::open(store).unwrap();
    let doc = store.doc();
    let flow = doc.flow_by_slug("default-authentication-flow").unwrap().id;
    let stage = doc
        .stages
        .iter()
        .find(|s| s.name == "default-authentication-password")
        .unwrap()
        .id;
    doc.stage_bindings
        .iter()
        .find(|b| b.target == flow && b.stage == stage)
        .unwrap()
        .order
}

/// Takes the store's save lock as another bindery would, until dropped.
fn hold_lock(store: &Path) -> File {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(store.with_file_name("store.json.lock"))
        .unwrap();
    file.try_lock().expect("the lock is free");
    file.set_len(0).unwrap();
    write!(file, "the test (pid {})", std::process::id()).unwrap();
    file
}

#[test]
fn screen_keys_exits_non_zero_when_another_process_holds_the_lock() {
    let (_dir, store) = demo();
    let before = fs::read(&store).unwrap();
    let _lock = hold_lock(&store);
    let out = bindery(&store, &["screen", "--keys", &set_order_keys(37)]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        text(&out.stdout).contains("NOT SAVED"),
        "the screen shows it"
    );
    assert!(
        stderr.contains(&format!("not saved: {PASSWORD_BINDING}")),
        "{stderr}"
    );
    assert!(stderr.contains("being saved by someone else"), "{stderr}");
    assert!(
        stderr.contains("the test (pid"),
        "names the holder: {stderr}"
    );
    assert!(!stderr.contains("kept in memory"), "{stderr}");
    assert_eq!(fs::read(&store).unwrap(), before, "the store is untouched");
}

#[test]
fn a_failing_save_fails_screen_and_import_but_not_a_dry_run() {
    let (dir, store) = demo();
    let before = fs::read(&store).unwrap();
    // The lock file cannot be opened: every save fails at once, as EACCES or ENOSPC would.
    let lock = store.with_file_name("store.json.lock");
    let _ = fs::remove_file(&lock);
    fs::create_dir(&lock).unwrap();

    let out = bindery(&store, &["screen", "--keys", &set_order_keys(37)]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("not saved: {PASSWORD_BINDING}")),
        "{stderr}"
    );
    assert!(stderr.contains("taking the save lock"), "{stderr}");
    assert!(stderr.contains("keeps nothing in memory"), "{stderr}");
    assert!(!stderr.contains("kept in memory"), "{stderr}");

    let out = bindery(
        &store,
        &["screen", "--dry-run", "--keys", &set_order_keys(37)],
    );
    assert!(
        out.status.success(),
        "a dry run saves nothing and fails nothing: {out:?}"
    );

    let blueprint = dir.path().join("group.yaml");
    fs::write(
        &blueprint,
        "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: ops\n",
    )
    .unwrap();
    let out = bindery(&store, &["import", blueprint.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("not saved: import "), "{stderr}");
    assert!(stderr.contains("group.yaml"), "{stderr}");
    assert!(!stderr.contains("kept in memory"), "{stderr}");
    assert!(
        !text(&out.stdout).contains("created"),
        "no summary of what did not happen"
    );
    assert_eq!(fs::read(&store).unwrap(), before);
}

/// Starts commands while the lock is held, so that each opens the store before any saves,
/// then lets them race for it.
fn race(store: &Path, commands: Vec<Command>) -> Vec<Output> {
    let lock = hold_lock(store);
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut c| {
            c.stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn bindery")
        })
        .collect();
    // Long enough for every process to have opened the store; not an assertion on time: any
    // interleaving must keep the exit codes true.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    drop(lock);
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

#[test]
fn parallel_same_object_edits_exit_zero_exactly_when_saved() {
    const N: i64 = 8;
    let (_dir, store) = demo();
    let log_before = Store::open(&store).unwrap().doc().log.len();
    let commands = (0..N)
        .map(|i| bindery_command(&store, &["screen", "--keys", &set_order_keys(101 + i)]))
        .collect();
    let outputs = race(&store, commands);

    let mut saved = Vec::new();
    for (i, out) in outputs.iter().enumerate() {
        let stderr = text(&out.stderr);
        if out.status.success() {
            assert_eq!(stderr, "", "a saved edit reports nothing");
            saved.push(101 + i as i64);
        } else {
            assert!(
                stderr.contains(&format!("not saved: {PASSWORD_BINDING}")),
                "{stderr}"
            );
            assert!(stderr.contains("conflict:"), "{stderr}");
            assert!(
                stderr.contains("order: was")
                    && stderr.contains("theirs")
                    && stderr.contains(&format!("yours {}", 101 + i)),
                "both sides: {stderr}"
            );
        }
    }
    let doc = Store::open(&store).unwrap().doc().clone();
    let logged = doc.log[log_before..]
        .iter()
        .filter(|e| e.operation == PASSWORD_BINDING)
        .count();
    assert_eq!(logged, saved.len(), "one change-log entry per exit 0");
    assert!(
        saved.contains(&password_order(&store)),
        "the store holds a value some process was told it saved"
    );
    assert!(!saved.is_empty());
    assert!(
        saved.len() < N as usize,
        "processes that opened the store before another saved conflict"
    );
    println!(
        "exit codes: {} of {N} parallel same-object edits saved (exit 0), {} reported not saved (exit 1)",
        saved.len(),
        N as usize - saved.len()
    );
}

#[test]
fn import_prints_each_conflict_with_both_sides_and_exits_non_zero() {
    let (dir, store) = demo();
    let commands = ["Closed by A", "Closed by B"]
        .iter()
        .enumerate()
        .map(|(i, message)| {
            let file = dir.path().join(format!("notice-{i}.yaml"));
            fs::write(
                &file,
                format!(
                    "version: 1\nentries:\n  - model: authentik_stages_deny.denystage\n    \
                     identifiers:\n      name: demo-maintenance-notice\n    attrs:\n      \
                     deny_message: {message}\n"
                ),
            )
            .unwrap();
            bindery_command(&store, &["import", file.to_str().unwrap()])
        })
        .collect();
    let outputs = race(&store, commands);
    let failed: Vec<&Output> = outputs.iter().filter(|o| !o.status.success()).collect();
    assert_eq!(failed.len(), 1, "{outputs:?}");
    let stderr = text(&failed[0].stderr);
    let (mine, theirs) = if text(&failed[0].stderr).contains("notice-0") {
        ("Closed by A", "Closed by B")
    } else {
        ("Closed by B", "Closed by A")
    };
    println!("the import that lost the race says:\n{stderr}");
    assert!(stderr.contains("not saved: import "), "{stderr}");
    assert!(
        stderr.contains("stage 'demo-maintenance-notice' was changed by someone else"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "deny_message: was \"Logins are paused for maintenance.\", theirs \"{theirs}\", yours \"{mine}\""
        )),
        "{stderr}"
    );
    assert_eq!(
        text(&failed[0].stdout),
        "",
        "no summary of an import that did not land"
    );
    let doc = Store::open(&store).unwrap().doc().clone();
    let notice = doc
        .stages
        .iter()
        .find(|s| s.name == "demo-maintenance-notice")
        .unwrap();
    match &notice.kind {
        StageKind::Deny(s) => assert_eq!(s.deny_message, theirs),
        other => panic!("{other:?}"),
    }
}

/// Only the UI, which really keeps them, says that unsaved edits are kept in memory; its next
/// save writes them.
#[test]
fn the_ui_says_its_unsaved_edits_are_kept_and_saves_them_with_the_next_change() {
    let mut ui = tui_common::Ui::demo();
    let lock = ui.path().with_file_name("store.json.lock");
    let _ = fs::remove_file(&lock);
    fs::create_dir(&lock).unwrap();
    ui.keys("5nops<Enter>");
    let status = ui.app.status.clone().expect("a status").text;
    assert!(status.contains("not saved"), "{status}");
    assert!(status.contains("kept in memory"), "{status}");
    assert!(ui.app.store.has_unsaved_changes());

    fs::remove_dir(&lock).unwrap();
    ui.keys("ndev<Enter>");
    assert!(!ui.app.store.has_unsaved_changes());
    let doc = Store::open(&ui.path()).unwrap().doc().clone();
    assert!(doc.groups.iter().any(|g| g.name == "ops"));
    assert!(doc.groups.iter().any(|g| g.name == "dev"));
}
