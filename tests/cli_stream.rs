//! `list` and `lint` write their output as they make it (issue 13): a write that fails half-way
//! (a full disk) is exit 1 naming it, a reader that goes away (`| head`) ends the command
//! quietly, and what is streamed is what the library computes, record for record.

mod common;

use std::fs;
use std::io::Read;
use std::process::{Command, Stdio};

use bindery::generate::{Sizes, generate};
use bindery::model::Document;
use bindery::store::Store;
use serde_json::Value;

const KINDS: [&str; 8] = [
    "flows",
    "stages",
    "policies",
    "bindings",
    "policy-bindings",
    "groups",
    "users",
    "others",
];

/// A store with enough rows that no command's output fits a pipe's buffer.
fn store() -> (tempfile::TempDir, std::path::PathBuf, Document) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let doc = generate(Sizes {
        flows: 20,
        stages: 200,
        stage_bindings: 1_000,
        policy_bindings: 2_000,
        users: 500,
        groups: 50,
        group_depth: 3,
        first_flow_bindings: 40,
        seed: 7,
    });
    Store::create(&path, doc.clone()).unwrap();
    (dir, path, doc)
}

fn command(store: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bindery"));
    cmd.arg("--store")
        .arg(store)
        .args(args)
        .env_remove("BINDERY_STORE")
        .stdin(Stdio::null());
    cmd
}

fn every_command() -> Vec<Vec<&'static str>> {
    let mut all: Vec<Vec<&str>> = KINDS
        .iter()
        .flat_map(|k| [vec!["list", *k], vec!["list", *k, "--json"]])
        .collect();
    all.push(vec!["lint"]);
    all.push(vec!["lint", "--json"]);
    all
}

#[test]
fn a_full_disk_is_an_error_that_says_so() {
    let (_dir, store, _) = store();
    for args in every_command() {
        let out = command(&store, &args)
            .stdout(fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = common::run::text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("writing the output: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let (_dir, store, _) = store();
    for args in [
        vec!["list", "policy-bindings"],
        vec!["list", "users", "--json"],
    ] {
        let mut child = command(&store, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert_eq!(common::run::text(&out.stderr), "", "{args:?}");
    }
}

/// The streamed JSON holds one record per object, in store order, and the table one line per
/// record with the same first column.
#[test]
fn streamed_records_are_one_per_object_and_the_table_shows_the_same_rows() {
    let (_dir, store, doc) = store();
    for kind in KINDS {
        let json = common::run::bindery(&store, &["list", kind, "--json"]);
        assert!(json.status.success(), "{kind}");
        let records: Vec<Value> = serde_json::from_slice(&json.stdout).unwrap();
        let expected = match kind {
            "flows" => doc.flows.len(),
            "stages" => doc.stages.len(),
            "policies" => doc.policies.len(),
            "bindings" => doc.stage_bindings.len(),
            "policy-bindings" => doc.policy_bindings.len(),
            "groups" => doc.groups.len(),
            "users" => doc.users.len(),
            _ => doc.others.len(),
        };
        assert_eq!(records.len(), expected, "{kind}");
        let table = common::run::bindery(&store, &["list", kind]);
        let text = common::run::text(&table.stdout);
        assert_eq!(
            text.lines().count(),
            expected + 1,
            "{kind}: a header and a line per record"
        );
    }
    let flows: Vec<Value> =
        serde_json::from_slice(&common::run::bindery(&store, &["list", "flows", "--json"]).stdout)
            .unwrap();
    for (record, flow) in flows.iter().zip(doc.flows.iter()) {
        assert_eq!(record["slug"], flow.slug.as_str());
        assert_eq!(
            record["stages"],
            doc.bindings_of_flow(flow.id).len(),
            "{}",
            flow.slug
        );
    }
}
