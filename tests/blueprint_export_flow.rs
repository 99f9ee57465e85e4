//! `export FLOW` stands on its own: every flow of the demo and of authentik's corpus, exported
//! alone through the binary, imports into a store that holds only the same users and groups,
//! and exports again to the same bytes. `--shallow` keeps the flow alone, as before.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use bindery::blueprint::yaml::{self, Node};
use common::blueprints::{corpus_files, corpus_name};
use common::run::{bindery, text};

/// Runs a command that must succeed; its stdout.
fn ok(store: &Path, args: &[&str]) -> String {
    let out = bindery(store, args);
    assert!(
        out.status.success(),
        "bindery {args:?} failed:\n{}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn flow_slugs(store: &Path) -> Vec<String> {
    let list: serde_json::Value =
        serde_json::from_str(&ok(store, &["list", "flows", "--json"])).expect("list flows --json");
    list.as_array()
        .expect("a list")
        .iter()
        .map(|f| f["slug"].as_str().expect("a slug").to_string())
        .collect()
}

/// The entries of a blueprint's text.
fn entries(text: &str) -> Vec<Node> {
    let docs = yaml::parse(text).expect("the export parses");
    docs[0]
        .get("entries")
        .and_then(Node::as_seq)
        .expect("entries")
        .to_vec()
}

fn model(entry: &Node) -> &str {
    entry.get("model").and_then(Node::scalar_str).unwrap_or("")
}

/// A blueprint holding only the users and groups of the store (its `export --all` entries
/// for them), the directory a flow export expects where it is applied.
fn directory_blueprint(store: &Path) -> String {
    let all = ok(store, &["export", "--all"]);
    let mut root = yaml::parse(&all).expect("the export parses").remove(0);
    let kept: Vec<Node> = entries(&all)
        .into_iter()
        .filter(|e| matches!(model(e), "authentik_core.user" | "authentik_core.group"))
        .collect();
    *root.get_mut("entries").expect("entries") = Node::seq(kept);
    yaml::emit(&root)
}

/// Exports each flow of `store` alone, imports it into a fresh store holding only the same
/// directory, exports it again there: the number of flows whose bytes came back identical
/// (every flow must; a difference panics with both texts).
fn round_trip_every_flow(store: &Path, work: &Path, what: &str) -> usize {
    let directory = write(work, "directory.yaml", &directory_blueprint(store));
    let mut identical = 0;
    for slug in flow_slugs(store) {
        let first = ok(store, &["export", &slug]);
        let written = entries(&first);
        let ids: Vec<&str> = written
            .iter()
            .filter_map(|e| e.get("id")?.scalar_str())
            .collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(
            unique.len(),
            ids.len(),
            "{what} {slug}: an object written twice"
        );

        let fresh = work.join(format!("fresh-{slug}.json"));
        ok(&fresh, &["init"]);
        ok(&fresh, &["import", directory.to_str().unwrap()]);
        let exported = write(work, &format!("{slug}.yaml"), &first);
        let imported = bindery(&fresh, &["import", exported.to_str().unwrap()]);
        assert!(
            imported.status.success(),
            "{what} {slug}: the export does not import into a store holding only its users and groups:\n{}\n{first}",
            text(&imported.stderr)
        );
        let second = ok(&fresh, &["export", &slug]);
        assert_eq!(
            first, second,
            "{what} {slug}: the round trip changed the export"
        );
        identical += 1;
    }
    identical
}

#[test]
fn every_demo_flow_exported_alone_imports_and_round_trips_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("demo.json");
    ok(&store, &["init", "--demo"]);
    let flows = round_trip_every_flow(&store, dir.path(), "demo");
    println!("demo: {flows} flows round-tripped");
    assert_eq!(flows, flow_slugs(&store).len());
    assert!(flows >= 12, "the demo has authentik's default flows");
}

#[test]
fn every_corpus_flow_exported_alone_imports_and_round_trips_byte_for_byte() {
    let mut flows = 0;
    let mut files = 0;
    for path in corpus_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store.json");
        ok(&store, &["init"]);
        // system/bootstrap.yaml reads these; the others read no variable.
        let mut args = vec!["import".to_string()];
        for var in ["EMAIL", "PASSWORD", "TOKEN"] {
            args.push("--allow-env".into());
            args.push(format!("AUTHENTIK_BOOTSTRAP_{var}"));
        }
        args.push(path.display().to_string());
        ok(&store, &args.iter().map(String::as_str).collect::<Vec<_>>());
        files += 1;
        flows += round_trip_every_flow(&store, dir.path(), &corpus_name(&path));
    }
    println!("corpus: {files} files imported, {flows} flows round-tripped");
    assert_eq!(files, 39);
    assert!(flows >= 25, "the corpus has many flows");
}

/// The case: the demo's login flow points at configuration stages (authenticator
/// validation), a configure flow (password stage) and an enrollment flow (identification).
#[test]
fn a_flow_export_carries_its_configuration_and_finds_the_directory_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("demo.json");
    ok(&store, &["init", "--demo"]);
    let whole = ok(&store, &["export", "default-authentication-flow"]);
    for wanted in [
        "configuration_stages:\n    - !KeyOf stage-default-authenticator-totp-setup",
        "configure_flow: !KeyOf flow-default-password-change",
        "enrollment_flow: !KeyOf flow-default-source-enrollment",
        "configure_flow: !KeyOf flow-default-authenticator-totp-setup",
        // The enrollment flow's user write stage: a group of the target instance.
        "create_users_group: !Find [authentik_core.group, [name, contractors]]",
        "group: !Find [authentik_core.group, [name, admins]]",
    ] {
        assert!(whole.contains(wanted), "missing {wanted:?} in\n{whole}");
    }
    let models: Vec<String> = entries(&whole)
        .iter()
        .map(|e| model(e).to_string())
        .collect();
    assert!(
        !models.iter().any(|m| m.starts_with("authentik_core.")),
        "users and groups are never exported with a flow: {models:?}"
    );
    // Dependency order: every !KeyOf names an entry written before it.
    let mut seen = HashSet::new();
    for entry in entries(&whole) {
        let entry_text = yaml::emit(&entry);
        for line in entry_text.lines() {
            if let Some((_, id)) = line.split_once("!KeyOf ") {
                assert!(
                    seen.contains(id.trim()),
                    "{id} is used before it is written"
                );
            }
        }
        if let Some(id) = entry.get("id").and_then(Node::scalar_str) {
            seen.insert(id.to_string());
        }
    }
}

#[test]
fn shallow_keeps_the_flow_alone_and_refers_to_the_rest_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("demo.json");
    ok(&store, &["init", "--demo"]);
    let shallow = ok(
        &store,
        &["export", "default-authentication-flow", "--shallow"],
    );
    let flows = entries(&shallow)
        .iter()
        .filter(|e| model(e) == "authentik_flows.flow")
        .count();
    assert_eq!(flows, 1, "{shallow}");
    assert!(
        shallow.contains(
            "configure_flow: !Find [authentik_flows.flow, [slug, default-password-change]]"
        ),
        "{shallow}"
    );
    let deep = ok(&store, &["export", "default-authentication-flow"]);
    assert!(deep.len() > shallow.len());
    // A shallow export needs its configuration where it goes: an empty instance refuses it.
    let fresh = dir.path().join("fresh.json");
    ok(&fresh, &["init"]);
    let directory = write(dir.path(), "directory.yaml", &directory_blueprint(&store));
    ok(&fresh, &["import", directory.to_str().unwrap()]);
    let file = write(dir.path(), "shallow.yaml", &shallow);
    let refused = bindery(&fresh, &["import", file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    // The authenticator validation stage's configuration stages are not there.
    assert!(
        text(&refused.stderr).contains("authenticatorvalidatestage"),
        "{}",
        text(&refused.stderr)
    );
    let usage = bindery(&store, &["export", "--all", "--shallow"]);
    assert_eq!(usage.status.code(), Some(2), "--shallow is for one flow");
}

/// Flows that point at each other (an enrollment flow whose identification stage links back
/// to the login flow for recovery) are each written once, and the export still round-trips.
#[test]
fn flows_that_point_at_each_other_are_each_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    ok(&store, &["init"]);
    let flow = |slug: &str| {
        format!(
            "- model: authentik_flows.flow\n  id: {slug}\n  identifiers:\n    slug: {slug}\n  attrs:\n    name: {slug}\n    title: {slug}\n    designation: authentication\n"
        )
    };
    let stage = |name: &str, field: &str, to: &str, target: &str| {
        format!(
            "- model: authentik_stages_identification.identificationstage\n  id: {name}\n  identifiers:\n    name: {name}\n  attrs:\n    user_fields: [username]\n    {field}: !KeyOf {to}\n\
             - model: authentik_flows.flowstagebinding\n  identifiers:\n    target: !KeyOf {target}\n    stage: !KeyOf {name}\n    order: 10\n"
        )
    };
    let blueprint = format!(
        "version: 1\nmetadata:\n  name: cycle\nentries:\n{}{}{}{}",
        flow("login"),
        flow("signup"),
        stage("login-id", "enrollment_flow", "signup", "login"),
        stage("signup-id", "recovery_flow", "login", "signup"),
    );
    let file = write(dir.path(), "cycle.yaml", &blueprint);
    ok(&store, &["import", file.to_str().unwrap()]);
    let exported = ok(&store, &["export", "login"]);
    let flows: Vec<String> = entries(&exported)
        .iter()
        .filter(|e| model(e) == "authentik_flows.flow")
        .filter_map(|e| {
            e.get("identifiers")?
                .get("slug")?
                .scalar_str()
                .map(String::from)
        })
        .collect();
    assert_eq!(flows, ["login", "signup"], "{exported}");
    assert!(
        exported.contains("recovery_flow: !KeyOf flow-login"),
        "{exported}"
    );
    assert_eq!(round_trip_every_flow(&store, dir.path(), "cycle"), 2);
}
