//! The terminal UI end to end through the real binary: `bindery screen --keys` sessions (each
//! invocation a new session) on one store, checked with `bindery list ... --json`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const FLOW: &str = "default-authentication-flow";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("store.json")
    }

    fn run(&self, args: &[&str]) -> Output {
        bindery(self.dir.path(), &self.store(), args)
    }

    /// A `screen` session; its stdout (the final screen).
    fn screen(&self, keys: &str) -> String {
        let out = self.run(&["screen", "--size", "100x30", "--keys", keys]);
        assert!(
            out.status.success(),
            "screen --keys {keys:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Vec<Value> {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        match serde_json::from_slice(&out.stdout).expect("one JSON document") {
            Value::Array(items) => items,
            other => panic!("{args:?}: not a list: {other}"),
        }
    }

    /// The flow's stage bindings as (order, stage).
    fn bindings(&self) -> Vec<(i64, String)> {
        self.json(&["list", "bindings", "--flow", FLOW])
            .iter()
            .map(|b| {
                (
                    b["order"].as_i64().unwrap(),
                    b["stage"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// The policy, group and user bindings on the binding of a stage in the flow, as
    /// (order, kind, subject).
    fn policy_bindings_on(&self, stage: &str) -> Vec<(i64, String, String)> {
        self.json(&["list", "policy-bindings"])
            .iter()
            .filter(|b| b["target"]["flow"] == FLOW && b["target"]["stage"] == stage)
            .map(|b| {
                (
                    b["order"].as_i64().unwrap(),
                    b["subject_kind"].as_str().unwrap().to_string(),
                    b["subject"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn bindery(dir: &Path, store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("--store")
        .arg(store)
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env_remove("BINDERY_STORE")
        .output()
        .expect("run bindery")
}

#[test]
fn sessions_create_bind_gate_reorder_undo_and_redo() {
    let env = Env::new();

    // 1. Create a stage from the Stages page: type picker, then its form.
    let screen = env.screen("2ndummy<Enter>e2e-reminder<Enter>");
    assert!(screen.contains("Stages (21)"), "{screen}");
    assert!(screen.contains("e2e-reminder"), "{screen}");
    let stages = env.json(&["list", "stages"]);
    let stage = stages
        .iter()
        .find(|s| s["name"] == "e2e-reminder")
        .expect("the stage is saved");
    assert_eq!(stage["kind"], "dummy", "{stage}");
    assert!(env.bindings().iter().all(|(_, s)| s != "e2e-reminder"));

    // 2. Bind it to the flow (a new session): flow page, `a`, pick it, Enter.
    let before = env.bindings();
    env.screen("1<Enter>ae2e-remi<Enter>");
    let after = env.bindings();
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap(), &(110, "e2e-reminder".to_string()));

    // 3. Bind a group to it: select its row (the last), `b`, Group tab, pick staff.
    let screen = env.screen("1<Enter>Gb<Right><Tab>staff<Enter>");
    assert!(screen.contains("Group staff"), "shown expanded:\n{screen}");
    assert_eq!(
        env.policy_bindings_on("e2e-reminder"),
        vec![(10, "group".to_string(), "staff".to_string())]
    );

    // 4. Reorder: K moves it above the login stage, J moves it back.
    env.screen("1<Enter>GK");
    let moved = env.bindings();
    assert_eq!(
        moved[moved.len() - 2..],
        [
            (100, "e2e-reminder".to_string()),
            (110, "default-authentication-login".to_string())
        ]
    );
    env.screen("1<Enter>GkJ");
    assert_eq!(env.bindings(), after, "back where it was");

    // 5. Undo and redo within one session.
    env.screen("1<Enter>GKu");
    assert_eq!(env.bindings(), after, "K then u: nothing moved");
    env.screen("1<Enter>GKu<C-r>");
    assert_eq!(env.bindings(), moved, "K, u, Ctrl-r: moved");
    // The group binding on the moved binding went along.
    assert_eq!(env.policy_bindings_on("e2e-reminder").len(), 1);

    // 6. Unbind (d, y): the binding and the group binding on it go, the stage stays.
    env.screen("1<Enter>Gkdy");
    assert!(env.bindings().iter().all(|(_, s)| s != "e2e-reminder"));
    assert!(env.policy_bindings_on("e2e-reminder").is_empty());
    assert!(
        env.json(&["list", "stages"])
            .iter()
            .any(|s| s["name"] == "e2e-reminder")
    );
}

#[test]
fn the_first_session_creates_the_demo_store() {
    let env = Env::new();
    assert!(!env.store().exists());
    let screen = env.screen("");
    assert!(screen.contains("Flows (12)"), "{screen}");
    assert!(screen.contains("created the demo store"), "{screen}");
    assert!(env.store().exists());
    assert_eq!(env.json(&["list", "flows"]).len(), 12);
}

#[test]
fn dry_run_does_not_write() {
    let env = Env::new();
    // Without a store, a dry run creates none.
    let out = env.run(&["screen", "--dry-run", "--keys", "5nops<Enter>"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("ops"));
    assert!(!env.store().exists(), "no store written");

    // With one, edits show on the screen but the file stays as it was.
    env.screen("");
    let before = std::fs::read(env.store()).unwrap();
    let out = env.run(&[
        "screen",
        "--dry-run",
        "--keys",
        "5nops<Enter>2ddy1<Enter>GK",
    ]);
    assert!(out.status.success());
    let screen = String::from_utf8(out.stdout).unwrap();
    assert!(screen.contains("Stage Bindings"), "{screen}");
    assert_eq!(std::fs::read(env.store()).unwrap(), before);
    assert!(
        env.json(&["list", "groups"])
            .iter()
            .all(|g| g["name"] != "ops")
    );
}

#[test]
fn a_dry_run_says_it_saves_nothing_never_saving() {
    let env = Env::new();
    env.screen("");
    let out = env.run(&["screen", "--dry-run", "--keys", "5nops<Enter>"]);
    let screen = String::from_utf8(out.stdout).unwrap();
    let header = screen.lines().next().unwrap();
    assert!(header.ends_with("not saved (dry run)"), "{screen}");
    assert!(!screen.contains("saving"), "{screen}");
}

/// The status line, without the `? help` at its right.
fn status(screen: &str) -> &str {
    let last = screen.trim_end().rsplit_once('\n').unwrap().1;
    assert!(
        last.ends_with("? help"),
        "the footer always shows help: {last:?}"
    );
    last.strip_suffix("? help").unwrap().trim_end()
}

#[test]
fn messages_keep_names_case_and_say_what_happened() {
    let env = Env::new();
    env.screen("");
    // A group whose name has capitals: the message and the log keep them.
    let screen = env.screen("5nOps-Team<Enter>");
    assert_eq!(status(&screen), "done: create group Ops-Team", "{screen}");
    // Editing it without changing anything: said, not saved, not logged.
    let log_before = env.json(&["log"]).len();
    let screen = env.screen("5Ge<Enter>");
    assert_eq!(status(&screen), "nothing changed", "{screen}");
    assert_eq!(env.json(&["log"]).len(), log_before, "not logged");
    // Undo and redo say which.
    let screen = env.screen("5Ge<BS><BS>AM<Enter>u");
    assert_eq!(status(&screen), "undo edit group Ops-Team", "{screen}");
    let screen = env.screen("5Ge<BS><BS>AM<Enter>u<C-r>");
    assert_eq!(status(&screen), "redo: edit group Ops-Team", "{screen}");
    // At 60 columns, `? help` is still there.
    let out = env.run(&["screen", "--size", "60x16", "--keys", "1<Enter>"]);
    let screen = String::from_utf8(out.stdout).unwrap();
    status(&screen);
}

#[test]
fn a_bad_key_exits_1_with_a_message() {
    let env = Env::new();
    let out = env.run(&["screen", "--keys", "1<Bogus>"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<Bogus>"), "{err}");
    assert!(out.stdout.is_empty());
    let out = env.run(&["screen", "--keys", "abc<Enter"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<lt>"));
    assert!(!env.store().exists(), "nothing happened");
}

#[test]
fn a_tiny_size_prints_the_notice() {
    let env = Env::new();
    let out = env.run(&["screen", "--size", "10x5"]);
    assert!(out.status.success());
    let screen = String::from_utf8(out.stdout).unwrap();
    assert_eq!(screen.lines().count(), 5);
    assert!(screen.lines().all(|l| l.chars().count() <= 10));
    assert!(screen.starts_with("Terminal"), "{screen}");
    assert!(screen.replace('\n', " ").contains("too small"), "{screen}");
    let out = env.run(&["screen", "--size", "59x15"]);
    let screen = String::from_utf8(out.stdout).unwrap();
    assert!(screen.contains("Terminal too small: 59x15"), "{screen}");
    let out = env.run(&["screen", "--size", "wide"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn q_ends_the_replay_and_later_keys_are_not_pressed() {
    let env = Env::new();
    env.screen("");
    let screen = env.screen("q5nops<Enter>");
    assert!(screen.contains("Flows (12)"), "{screen}");
    assert!(
        env.json(&["list", "groups"])
            .iter()
            .all(|g| g["name"] != "ops")
    );
}

#[test]
fn the_export_tab_writes_the_blueprint_unless_dry_run() {
    let env = Env::new();
    env.screen("");
    let file = env.dir.path().join(format!("{FLOW}.yaml"));
    let out = env.run(&[
        "screen",
        "--dry-run",
        "--keys",
        "1<Enter><Tab><Tab><Tab>o<Enter>",
    ]);
    assert!(out.status.success());
    assert!(!file.exists(), "a dry run writes no file");
    let screen = env.screen("1<Enter><Tab><Tab><Tab>o<Enter>");
    assert!(screen.contains("written to"), "{screen}");
    let text = std::fs::read_to_string(&file).expect("the blueprint is written");
    assert!(text.starts_with("version: 1"), "{text}");
    assert!(text.contains(&format!("slug: {FLOW}")));
}

#[test]
fn screen_keys_can_paste_into_a_field() {
    let env = Env::new();
    // A pasted `q` is text, not a quit; the paste is one event, as a terminal sends it.
    env.screen("5n<paste:quiet hours><Enter>");
    let store = bindery::store::Store::open(&env.store()).unwrap();
    assert!(store.doc().groups.iter().any(|g| g.name == "quiet hours"));
    let out = env.run(&["screen", "--keys", "<paste:unclosed"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unclosed paste is a parse error"
    );
}
