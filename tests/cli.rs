//! The command line through the real binary: exit codes, stdout and stderr as the contract says.

mod common;

use std::fs;
use std::process::Command;

use bindery::model::*;
use bindery::store::Store;
use common::run::{bindery, text};

#[test]
fn init_creates_an_empty_store_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s/store.json");
    let out = bindery(&store, &["init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("created an empty store"));
    let doc = Store::open(&store).unwrap();
    assert_eq!(doc.doc().flows.len(), 0);
    let before = fs::read(&store).unwrap();
    let again = bindery(&store, &["init"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(fs::read(&store).unwrap(), before);
}

#[test]
fn list_prints_every_kind_as_json_and_as_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let doc = common::random_document(42, 8);
    Store::create(&path, doc.clone()).unwrap();
    for (kind, expected) in [
        ("flows", doc.flows.len()),
        ("stages", doc.stages.len()),
        ("policies", doc.policies.len()),
        ("bindings", doc.stage_bindings.len()),
        ("policy-bindings", doc.policy_bindings.len()),
        ("groups", doc.groups.len()),
        ("users", doc.users.len()),
    ] {
        let out = bindery(&path, &["list", kind, "--json"]);
        assert!(out.status.success(), "{kind}: {}", text(&out.stderr));
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(value.as_array().unwrap().len(), expected, "{kind}");
        let table = bindery(&path, &["list", kind]);
        assert!(table.status.success());
        assert_eq!(text(&table.stdout).lines().count(), expected + 1, "{kind}");
    }
}

#[test]
fn list_flow_narrows_bindings_to_one_flow_in_plan_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let mut doc = Document::default();
    let login = Flow::new("login", "Login", Designation::Authentication);
    let other = Flow::new("other", "Other", Designation::Enrollment);
    let deny = Stage::new(
        "deny",
        StageKind::default_for("authentik_stages_deny.denystage").unwrap(),
    );
    let dummy = Stage::new(
        "dummy",
        StageKind::default_for("authentik_stages_dummy.dummystage").unwrap(),
    );
    doc.stage_bindings
        .put(StageBinding::new(login.id, deny.id, 20));
    doc.stage_bindings
        .put(StageBinding::new(login.id, dummy.id, 10));
    doc.stage_bindings
        .put(StageBinding::new(other.id, deny.id, 10));
    for f in [login, other] {
        doc.flows.put(f);
    }
    for s in [deny, dummy] {
        doc.stages.put(s);
    }
    Store::create(&path, doc).unwrap();
    let out = bindery(&path, &["list", "bindings", "--flow", "login", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stages: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, vec!["dummy", "deny"]);
    assert_eq!(value[0]["kind"], "dummy");
    assert_eq!(value[1]["order"], 20);

    let unknown = bindery(&path, &["list", "bindings", "--flow", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown.stderr).contains("no flow with slug \"nope\""));
    assert!(unknown.stdout.is_empty());
}

#[test]
fn list_policy_bindings_gives_each_targets_bindings_in_evaluation_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let mut doc = Document::default();
    let login = Flow::new("login", "Login", Designation::Authentication);
    let deny = Stage::new(
        "deny",
        StageKind::default_for("authentik_stages_deny.denystage").unwrap(),
    );
    let binding = StageBinding::new(login.id, deny.id, 10);
    let on_flow = Target::Flow(login.id);
    let on_stage = Target::StageBinding(binding.id);
    // Store order is creation order, not evaluation order.
    for (target, group, order) in [
        (on_flow, "g30", 30),
        (on_stage, "s5", 5),
        (on_flow, "g10", 10),
        (on_stage, "s1", 1),
        (on_flow, "g20", 20),
    ] {
        let g = Group::new(group);
        doc.policy_bindings
            .put(PolicyBinding::new(target, Subject::Group(g.id), order));
        doc.groups.put(g);
    }
    doc.stage_bindings.put(binding);
    doc.flows.put(login);
    doc.stages.put(deny);
    Store::create(&path, doc).unwrap();
    let out = bindery(&path, &["list", "policy-bindings", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let subjects: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["g10", "g20", "g30", "s1", "s5"]);
    let table = text(&bindery(&path, &["list", "policy-bindings"]).stdout);
    let rows: Vec<&str> = table.lines().skip(1).collect();
    for (row, subject) in rows.iter().zip(["g10", "g20", "g30", "s1", "s5"]) {
        assert!(row.contains(subject), "{table}");
    }
}

#[test]
fn a_corrupt_store_is_an_error_with_its_position_and_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    fs::write(
        &path,
        "{\n  \"schema_version\": 1,\n  \"generation\": 4,\n  \"flows\": [\n",
    )
    .unwrap();
    let before = fs::read(&path).unwrap();
    for args in [&["list", "flows"][..], &["list", "users"], &["init"]] {
        let out = bindery(&path, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("store.json:5:0") || err.contains("store.json:4:"),
            "{err}"
        );
        assert_eq!(fs::read(&path).unwrap(), before);
    }
}

#[test]
fn hostile_names_are_escaped_in_human_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let mut doc = Document::default();
    doc.groups
        .put(Group::new("evil\x1b]0;owned\x07\x1b[2J\u{202e}name"));
    Store::create(&path, doc).unwrap();
    let out = bindery(&path, &["list", "groups"]);
    let shown = text(&out.stdout);
    assert!(
        !shown.contains('\x1b') && !shown.contains('\u{202e}'),
        "{shown:?}"
    );
    assert!(shown.contains("evil\\u{1b}]0;owned"), "{shown}");
}

#[test]
fn version_names_the_store_config_and_log_paths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let out = bindery(&path, &["--version"]);
    assert!(out.status.success());
    let shown = text(&out.stdout);
    assert!(shown.starts_with(&format!("bindery {}", env!("CARGO_PKG_VERSION"))));
    assert!(
        shown.contains(&format!("store:  {} (from --store)", path.display())),
        "{shown}"
    );
    assert!(shown.contains("config: "));
    assert!(shown.contains("logs: "));
}

#[test]
fn the_store_comes_from_the_environment_when_no_flag_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env-store.json");
    let out = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("init")
        .env("BINDERY_STORE", &path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(path.exists());
}

#[test]
fn the_bare_command_without_a_terminal_says_how_to_script_instead() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let out = bindery(&path, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("needs a terminal") && err.contains("bindery screen"),
        "{err}"
    );
    assert!(!path.exists(), "nothing is created without a terminal");
}

#[test]
fn completions_are_generated_for_common_shells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    for shell in ["bash", "zsh", "fish"] {
        let out = bindery(&path, &["completions", shell]);
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("bindery"));
    }
    let bad = bindery(&path, &["completions", "cmd.exe"]);
    assert_eq!(bad.status.code(), Some(2), "usage errors are clap's");
}
