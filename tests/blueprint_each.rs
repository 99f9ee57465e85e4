//! `import --each`: each file applies atomically on its own, in order, the run goes on past a
//! failing file, prints a result per file and exits 1 if any failed; what applied is saved
//! under the same rules as any change. Without `--each`, all files apply or none do.

mod common;

use std::path::{Path, PathBuf};

use common::run::{bindery, text};

/// A flow blueprint; `extra` entries (YAML list items at column 1) follow the flow.
fn flow_file(dir: &Path, name: &str, slug: &str, extra: &str) -> PathBuf {
    let body = format!(
        "version: 1\nmetadata:\n  name: {slug}\nentries:\n\
         - model: authentik_flows.flow\n  id: flow\n  identifiers:\n    slug: {slug}\n\
         \x20 attrs:\n    name: {slug}\n    title: {slug}\n    designation: authentication\n\
         {extra}"
    );
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

/// A file whose third entry (line 16) is wrong: the flow and stage before it must not stay applied.
fn failing_file(dir: &Path) -> PathBuf {
    flow_file(
        dir,
        "bad.yaml",
        "half-applied",
        "- model: authentik_stages_deny.denystage\n  identifiers:\n    name: bad-deny\n\
         - model: authentik_stages_nothing.nostage\n  identifiers:\n    name: nothing\n",
    )
}

fn flows(store: &Path) -> Vec<String> {
    let out = bindery(store, &["list", "flows", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["slug"].as_str().unwrap().to_string())
        .collect()
}

fn empty_store(dir: &Path) -> PathBuf {
    let store = dir.join("store.json");
    assert!(bindery(&store, &["init"]).status.success());
    store
}

#[test]
fn each_file_applies_on_its_own_and_a_failing_one_leaves_nothing_of_itself() {
    let dir = tempfile::tempdir().unwrap();
    let store = empty_store(dir.path());
    let first = flow_file(dir.path(), "first.yaml", "first", "");
    let bad = failing_file(dir.path());
    let missing = dir.path().join("missing.yaml");
    // The third file finds the first file's flow: files apply in order, each on the result
    // of the ones before.
    let third = flow_file(
        dir.path(),
        "third.yaml",
        "third",
        "- model: authentik_stages_deny.denystage\n  id: deny\n  identifiers:\n    name: third-deny\n- model: authentik_flows.flowstagebinding\n  identifiers:\n    target: !Find [authentik_flows.flow, [slug, first]]\n    stage: !KeyOf deny\n    order: 10\n",
    );
    let args: Vec<&str> = ["import", "--each"]
        .into_iter()
        .chain([&first, &bad, &missing, &third].map(|p| p.to_str().unwrap()))
        .collect();
    let out = bindery(&store, &args);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");

    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(lines[0].starts_with(&format!(
        "{}: applied, 1 entries: 1 created",
        first.display()
    )));
    let bad_name = bad.display().to_string();
    assert!(
        lines[1].starts_with(&format!(
            "{bad_name}: failed, nothing of it applied: {bad_name}:"
        )),
        "{stdout}"
    );
    // FILE:LINE:COL points into the file, at the third entry's model.
    let position = lines[1].split(": ").nth(2).unwrap();
    let mut parts = position.rsplitn(3, ':');
    let (col, line) = (parts.next().unwrap(), parts.next().unwrap());
    assert_eq!((line, col), ("16", "10"), "{stdout}");
    assert!(lines[1].contains("entry 3"), "{stdout}");
    assert!(
        lines[2].starts_with(&format!("{}: failed", missing.display())),
        "{stdout}"
    );
    assert!(lines[2].contains("cannot read"), "{stdout}");
    assert!(lines[3].starts_with(&format!(
        "{}: applied, 3 entries: 3 created",
        third.display()
    )));
    assert_eq!(lines[4], "2 of 4 file(s) applied, 2 failed");
    assert!(stderr.contains("2 file(s) failed"), "{stderr}");

    // What applied is on disk; nothing of the failing file is.
    assert_eq!(flows(&store), ["first", "third"]);
    let bindings = bindery(&store, &["list", "bindings", "--flow", "first"]);
    assert!(text(&bindings.stdout).contains("third-deny"));
    let log = text(&bindery(&store, &["log"]).stdout);
    assert!(
        log.contains(&format!("import {}", first.display())),
        "{log}"
    );
    assert!(!log.contains(&format!("import {bad_name}")), "{log}");
}

#[test]
fn without_each_one_failing_file_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = empty_store(dir.path());
    let first = flow_file(dir.path(), "first.yaml", "first", "");
    let bad = failing_file(dir.path());
    let out = bindery(
        &store,
        &["import", first.to_str().unwrap(), bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("bad.yaml:"),
        "{}",
        text(&out.stderr)
    );
    assert!(flows(&store).is_empty());
}

#[test]
fn each_with_every_file_applied_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let store = empty_store(dir.path());
    let a = flow_file(dir.path(), "a.yaml", "a", "");
    let b = flow_file(dir.path(), "b.yaml", "b", "");
    let out = bindery(
        &store,
        &["import", "--each", a.to_str().unwrap(), b.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with("2 of 2 file(s) applied, 0 failed\n"));
    assert_eq!(flows(&store), ["a", "b"]);
}

#[test]
fn each_names_every_applied_file_that_could_not_be_saved_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = empty_store(dir.path());
    let a = flow_file(dir.path(), "a.yaml", "a", "");
    let bad = failing_file(dir.path());
    let b = flow_file(dir.path(), "b.yaml", "b", "");
    // The lock file cannot be opened: the save fails, as EACCES or ENOSPC would.
    let lock = store.with_file_name("store.json.lock");
    let _ = std::fs::remove_file(&lock);
    std::fs::create_dir(&lock).unwrap();
    let out = bindery(
        &store,
        &[
            "import",
            "--each",
            a.to_str().unwrap(),
            bad.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    for file in [&a, &b] {
        assert!(
            stderr.contains(&format!("not saved: import {}", file.display())),
            "{stderr}"
        );
        assert!(
            !stdout.contains(&format!("{}: applied", file.display())),
            "{stdout}"
        );
    }
    assert!(stdout.contains("bad.yaml: failed"), "{stdout}");
    std::fs::remove_dir(&lock).unwrap();
    assert!(flows(&store).is_empty());
}

/// The UI's import (I) offers the same choice and shows each file's result.
#[test]
fn the_ui_imports_all_or_nothing_or_each_on_its_own_with_a_result_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = empty_store(dir.path());
    let good = flow_file(dir.path(), "good.yaml", "good", "");
    let bad = failing_file(dir.path());
    let files = format!("{} {}", good.display(), bad.display());
    let screen = |keys: &str| {
        let out = bindery(&store, &["screen", "--size", "200x30", "--keys", keys]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };

    let form = screen("I");
    assert!(form.contains("Import blueprints"), "{form}");
    assert!(form.contains("all or nothing"), "{form}");

    let all = screen(&format!("I{files}<Enter>"));
    assert!(all.contains("All or nothing: nothing was applied"), "{all}");
    assert!(all.contains(&format!("{}:16:10", bad.display())), "{all}");
    assert!(flows(&store).is_empty());

    let each = screen(&format!("I{files}<Tab><Right><Enter>"));
    assert!(
        each.contains("Each on its own: 1 of 2 file(s) applied, 1 failed"),
        "{each}"
    );
    assert!(
        each.contains(&format!("{}: applied, 1 entries", good.display())),
        "{each}"
    );
    assert!(
        each.contains(&format!("{}: failed, nothing of it applied", bad.display())),
        "{each}"
    );
    assert_eq!(flows(&store), ["good"], "what applied is saved");
}
