//! `bindery revert ENTRY` through the real binary: a change-log entry undone as a new change,
//! across processes, with undo's conflict rule.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::run::{bindery, text};
use serde_json::Value;

/// A flow with a deny stage bound at order 10, the binding gated by a group, and a group.
const BASE: &str = "version: 1
metadata:
  name: base
entries:
  - model: authentik_core.group
    id: staff
    identifiers:
      name: staff
    attrs:
      attributes:
        level: 1
  - model: authentik_flows.flow
    id: flow
    identifiers:
      slug: login
    attrs:
      name: login
      title: login
      designation: authentication
  - model: authentik_stages_deny.denystage
    id: stage
    identifiers:
      name: blocked
  - model: authentik_flows.flowstagebinding
    id: binding
    identifiers:
      target: !KeyOf flow
      stage: !KeyOf stage
      order: 10
  - model: authentik_policies.policybinding
    identifiers:
      target: !KeyOf binding
      group: !KeyOf staff
      order: 0
";

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    store: PathBuf,
}

impl Fixture {
    /// A store holding [`BASE`], imported as entry 1.
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Fixture {
            dir: dir.path().to_path_buf(),
            store: dir.path().join("store.json"),
            _dir: dir,
        };
        fixture.import("base.yaml", BASE);
        fixture
    }

    fn run(&self, args: &[&str]) -> Output {
        bindery(&self.store, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    fn import(&self, name: &str, yaml: &str) {
        let path = self.dir.join(name);
        std::fs::write(&path, yaml).unwrap();
        self.ok(&["import", path.to_str().unwrap()]);
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// The newest log entry's id and operation.
    fn newest(&self) -> (u64, String) {
        let log = self.json(&["log", "--json"]);
        (
            log[0]["id"].as_u64().unwrap(),
            log[0]["operation"].as_str().unwrap().to_string(),
        )
    }

    fn names(&self, kind: &str) -> Vec<String> {
        let list = self.json(&["list", kind, "--json"]);
        list.as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x["name"]
                    .as_str()
                    .or(x["stage"].as_str())
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }

    fn staff_level(&self) -> Value {
        let doc: Value = serde_json::from_slice(&std::fs::read(&self.store).unwrap()).unwrap();
        doc["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == "staff")
            .unwrap()["attributes"]["level"]
            .clone()
    }

    fn set_level(&self, name: &str, level: u32) {
        self.import(
            name,
            &format!(
                "version: 1\nmetadata:\n  name: {name}\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: staff\n    attrs:\n      attributes:\n        level: {level}\n"
            ),
        );
    }
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn reverting_a_create_removes_what_it_created_and_is_logged() {
    let f = Fixture::new();
    f.import(
        "extra.yaml",
        "version: 1\nmetadata:\n  name: extra\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: extra\n",
    );
    assert!(f.names("groups").contains(&"extra".to_string()));
    let (id, operation) = f.newest();
    let out = f.ok(&["revert", &id.to_string()]);
    assert!(
        out.starts_with(&format!("reverted entry {id}: {operation}\n")),
        "{out}"
    );
    assert!(out.contains("  deleted group 'extra'"), "{out}");
    assert_eq!(f.names("groups"), ["staff"]);
    // The revert is itself an entry of the log, the newest, with its own id.
    let (revert_id, revert_operation) = f.newest();
    assert_eq!(revert_id, id + 1);
    assert_eq!(revert_operation, format!("revert: {operation}"));
    let log = f.ok(&["log"]);
    let first = log.lines().next().unwrap();
    assert!(first.starts_with(&format!("{revert_id}  ")), "{log}");
    assert!(first.ends_with(&format!("revert: {operation}")), "{log}");
}

#[test]
fn reverting_an_update_puts_the_fields_back() {
    let f = Fixture::new();
    f.set_level("level.yaml", 2);
    assert_eq!(f.staff_level(), 2);
    let (id, _) = f.newest();
    let out = f.ok(&["revert", &format!("#{id}")]);
    assert!(out.contains("  changed back group 'staff'"), "{out}");
    assert_eq!(f.staff_level(), 1);
}

#[test]
fn reverting_a_delete_brings_the_object_back_with_its_bindings() {
    let f = Fixture::new();
    let before = f.json(&["list", "policy-bindings", "--json"]);
    assert_eq!(before.as_array().unwrap().len(), 1, "{before:#}");
    f.import(
        "delete.yaml",
        "version: 1\nmetadata:\n  name: delete\nentries:\n  - model: authentik_stages_deny.denystage\n    identifiers:\n      name: blocked\n    state: absent\n",
    );
    assert!(f.names("stages").is_empty());
    assert!(
        f.json(&["list", "bindings", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (id, _) = f.newest();
    let out = f.ok(&["revert", &id.to_string()]);
    assert!(out.contains("  restored stage 'blocked'"), "{out}");
    assert_eq!(f.names("stages"), ["blocked"]);
    let bindings = f.json(&["list", "bindings", "--json"]);
    assert_eq!(bindings.as_array().unwrap().len(), 1, "{bindings:#}");
    assert_eq!(f.json(&["list", "policy-bindings", "--json"]), before);
}

#[test]
fn a_revert_whose_object_changed_since_is_refused_and_writes_nothing() {
    let f = Fixture::new();
    f.set_level("two.yaml", 2);
    let (id, operation) = f.newest();
    f.set_level("three.yaml", 3);
    let on_disk = bytes(&f.store);
    let out = f.run(&["revert", &id.to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("entry {id} ({operation}) cannot be reverted")),
        "{err}"
    );
    assert!(err.contains("group 'staff'"), "{err}");
    assert!(err.contains('3'), "what changed is named: {err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(bytes(&f.store), on_disk, "the store is byte-identical");
    // The newer change reverts cleanly, and then the older one does too.
    f.ok(&["revert", &(id + 1).to_string()]);
    f.ok(&["revert", &id.to_string()]);
    assert_eq!(f.staff_level(), 1);
}

#[test]
fn an_unknown_entry_is_a_clear_error() {
    let f = Fixture::new();
    let on_disk = bytes(&f.store);
    for entry in ["99", "abc", "#0", ""] {
        let out = f.run(&["revert", entry]);
        assert_eq!(out.status.code(), Some(1), "{entry:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!(
                "there is no change-log entry {entry} (`bindery log` lists them)"
            )),
            "{entry:?}: {err}"
        );
        assert!(text(&out.stdout).is_empty());
    }
    assert_eq!(bytes(&f.store), on_disk);
}

#[test]
fn a_dry_run_says_what_it_would_do_and_writes_nothing() {
    let f = Fixture::new();
    f.set_level("two.yaml", 2);
    let (id, operation) = f.newest();
    let on_disk = bytes(&f.store);
    let out = f.ok(&["revert", &id.to_string(), "--dry-run"]);
    assert_eq!(
        out,
        format!(
            "would revert entry {id}: {operation}\n  changed back group 'staff'\nnot saved (dry run)\n"
        )
    );
    assert_eq!(bytes(&f.store), on_disk);
}

#[test]
fn log_entries_carry_ids_and_whether_they_can_be_reverted() {
    let f = Fixture::new();
    f.set_level("two.yaml", 2);
    let log = f.json(&["log", "--json"]);
    let ids: Vec<u64> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [2, 1]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|e| e["revertible"] == true)
    );
    assert!(log[0].get("images").is_none(), "{log:#}");
}

#[test]
fn an_entry_too_large_to_keep_its_images_is_refused_with_what_to_do() {
    let f = Fixture::new();
    let many = bindery::store::REVERT_ENTRY_IMAGES + 1;
    let mut yaml = String::from("version: 1\nmetadata:\n  name: many\nentries:\n");
    for i in 0..many {
        yaml.push_str(&format!(
            "  - model: authentik_core.group\n    identifiers:\n      name: group-{i}\n"
        ));
    }
    f.import("many.yaml", &yaml);
    let log = f.json(&["log", "--json"]);
    assert_eq!(log[0]["revertible"], false, "{:#}", log[0]["id"]);
    assert_eq!(log[1]["revertible"], true);
    let on_disk = bytes(&f.store);
    let out = f.run(&["revert", "2"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("entry 2 (import "), "{err}");
    assert!(err.contains("many.yaml) cannot be reverted"), "{err}");
    assert!(
        err.contains("restore a backup with `bindery doctor`"),
        "{err}"
    );
    assert_eq!(bytes(&f.store), on_disk);
}
