//! Invisible and control characters in names (issue 11, item 9), on the surfaces that are not
//! a terminal (tests/tui_robustness.rs checks the UI's bytes, the pseudo-terminal and every
//! CLI command's output for leaks): `--json` output escapes them as `\uXXXX` and parses back
//! to the same names; `export` writes them double-quoted with YAML escapes and the export
//! re-imports to the same names; `lint` warns about them and about look-alike names.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use bindery::lint::{Finding, lint};
use bindery::model::*;
use common::run::{bindery, text};
use serde_json::Value;

/// The characters of the issue, each after a visible prefix and before an `x`.
const PAYLOADS: &[(&str, char)] = &[
    ("tag space", '\u{E0020}'),
    ("language tag", '\u{E0001}'),
    ("cancel tag", '\u{E007F}'),
    ("soft hyphen", '\u{AD}'),
    ("Mongolian vowel separator", '\u{180E}'),
    ("Hangul filler", '\u{3164}'),
    ("combining grapheme joiner", '\u{34F}'),
    ("variation selector 16", '\u{FE0F}'),
    ("C1 CSI", '\u{9B}'),
    ("C1 NEL", '\u{85}'),
    ("RLO", '\u{202E}'),
    ("LRI", '\u{2066}'),
    ("PDI", '\u{2069}'),
    ("zero width space", '\u{200B}'),
    ("DEL", '\u{7F}'),
    ("ESC", '\u{1B}'),
];

/// `s` as a YAML double-quoted scalar with every non-ASCII or control character escaped (what
/// a hand-written blueprint would hold).
fn yaml_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\U{:08X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// How bindery's YAML export escapes one character.
fn yaml_escape(c: char) -> String {
    if u32::from(c) <= 0xFFFF {
        format!("\\u{:04X}", u32::from(c))
    } else {
        format!("\\U{:08X}", u32::from(c))
    }
}

fn group_name(i: usize, c: char) -> String {
    format!("g{i}-admins{c}x")
}

fn stage_name(i: usize, c: char) -> String {
    format!("s{i}-deny{c}x")
}

fn flow_name(i: usize, c: char) -> String {
    format!("Login {i}{c}x")
}

fn blueprint() -> String {
    let mut out = String::from("version: 1\nentries:\n");
    for (i, (_, c)) in PAYLOADS.iter().enumerate() {
        out.push_str(&format!(
            "- model: authentik_core.group\n  identifiers: {{name: {}}}\n",
            yaml_quoted(&group_name(i, *c))
        ));
        out.push_str(&format!(
            "- model: authentik_stages_dummy.dummystage\n  identifiers: {{name: {}}}\n",
            yaml_quoted(&stage_name(i, *c))
        ));
        out.push_str(&format!(
            "- model: authentik_flows.flow\n  identifiers: {{slug: flow-{i}}}\n  attrs: {{name: {}, title: {}, designation: authentication}}\n",
            yaml_quoted(&flow_name(i, *c)),
            yaml_quoted(&flow_name(i, *c)),
        ));
    }
    out
}

fn expected(name: fn(usize, char) -> String) -> BTreeSet<String> {
    PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, (_, c))| name(i, *c))
        .collect()
}

/// Runs a command that must succeed; its stdout, checked for raw payload characters.
fn run_clean(store: &Path, args: &[&str]) -> String {
    let out = bindery(store, args);
    assert!(
        out.status.success(),
        "bindery {args:?}: {}",
        text(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    for (label, c) in PAYLOADS {
        assert!(
            !stdout.contains(*c),
            "bindery {args:?} prints {label} raw:\n{stdout}"
        );
    }
    stdout
}

/// The values of `field` in the records of a `list --json` output.
fn listed(store: &Path, kind: &str, field: &str) -> BTreeSet<String> {
    let stdout = run_clean(store, &["list", kind, "--json"]);
    let records: Vec<Value> = serde_json::from_str(&stdout).expect("list --json is JSON");
    records
        .iter()
        .map(|r| r[field].as_str().expect("a string field").to_string())
        .collect()
}

#[test]
fn json_output_escapes_invisible_characters_and_parses_back_to_the_same_names() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let file = dir.path().join("names.yaml");
    std::fs::write(&file, blueprint()).unwrap();
    run_clean(&store, &["import", file.to_str().unwrap()]);

    assert_eq!(listed(&store, "groups", "name"), expected(group_name));
    assert_eq!(listed(&store, "stages", "name"), expected(stage_name));
    assert_eq!(listed(&store, "flows", "name"), expected(flow_name));
    let raw = run_clean(&store, &["list", "groups", "--json"]);
    assert!(raw.contains("g0-admins\\udb40\\udc20x"), "{raw}");
    assert!(raw.contains("g3-admins\\u00adx"), "{raw}");
    assert!(raw.contains("g14-admins\\u007fx"), "{raw}");

    // lint --json: one finding per name (group, stage, flow name), names parse back.
    let out = bindery(&store, &["lint", "--json"]);
    let stdout = text(&out.stdout);
    for (label, c) in PAYLOADS {
        assert!(!stdout.contains(*c), "lint --json prints {label} raw");
    }
    let findings: Vec<Value> = serde_json::from_str(&stdout).expect("lint --json is JSON");
    let named: BTreeSet<String> = findings
        .iter()
        .filter(|f| f["code"] == "invisible-characters-in-name")
        .map(|f| f["objects"][0]["name"].as_str().unwrap().to_string())
        .collect();
    let mut want = expected(group_name);
    want.extend(expected(stage_name));
    assert!(want.is_subset(&named), "{named:?}");

    // where-used --json on a name with a tag character, given on the command line.
    let tagged = group_name(0, '\u{E0020}');
    let stdout = run_clean(&store, &["where-used", "group", &tagged, "--json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap(),
        Value::Array(vec![])
    );
}

#[test]
fn export_double_quotes_invisible_characters_and_reimports_the_same_names() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let file = dir.path().join("names.yaml");
    std::fs::write(&file, blueprint()).unwrap();
    run_clean(&store, &["import", file.to_str().unwrap()]);

    let exported = run_clean(&store, &["export", "--all"]);
    for (i, (label, c)) in PAYLOADS.iter().enumerate() {
        let quoted = format!("\"g{i}-admins{}x\"", yaml_escape(*c));
        assert!(
            exported.contains(&quoted),
            "{label}: {quoted} not in the export:\n{exported}"
        );
    }
    let flow = run_clean(&store, &["export", "flow-0"]);
    assert!(flow.contains("\"Login 0\\U000E0020x\""), "{flow}");

    let again = dir.path().join("again.json");
    let export = dir.path().join("export.yaml");
    std::fs::write(&export, &exported).unwrap();
    run_clean(&again, &["import", export.to_str().unwrap()]);
    assert_eq!(listed(&again, "groups", "name"), expected(group_name));
    assert_eq!(listed(&again, "stages", "name"), expected(stage_name));
    assert_eq!(listed(&again, "flows", "name"), expected(flow_name));
    assert_eq!(run_clean(&again, &["export", "--all"]), exported);
}

// --- lint --------------------------------------------------------------------------------------

fn with_code<'a>(findings: &'a [Finding], code: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.code == code).collect()
}

#[test]
fn lint_warns_about_each_name_with_an_invisible_or_control_character() {
    for (label, c) in PAYLOADS {
        let mut doc = Document::default();
        let group = doc.groups.put(Group::new(&format!("admins{c}")));
        let user = doc.users.put(User::new(&format!("alice{c}")));
        let policy = doc.policies.put(Policy::new(
            &format!("policy{c}"),
            PolicyKind::default_for("authentik_policies_dummy.dummypolicy").unwrap(),
        ));
        let stage = doc.stages.put(Stage::new(
            &format!("stage{c}"),
            StageKind::default_for("authentik_stages_dummy.dummystage").unwrap(),
        ));
        let flow = doc.flows.put(Flow::new(
            "login",
            &format!("Login{c}"),
            Designation::Authorization,
        ));
        let findings = lint(&doc, None);
        let found = with_code(&findings, "invisible-characters-in-name");
        let objects: Vec<(ObjKind, uuid::Uuid)> = found.iter().map(|f| f.objects[0]).collect();
        assert_eq!(
            objects,
            [
                (ObjKind::Flow, flow),
                (ObjKind::Stage, stage),
                (ObjKind::Policy, policy),
                (ObjKind::Group, group),
                (ObjKind::User, user),
            ],
            "{label}: {findings:#?}"
        );
        let escape = format!("\\u{{{:x}}}", u32::from(*c));
        let code_point = format!("U+{:04X}", u32::from(*c));
        let message = &found[3].message;
        assert!(
            message.contains(&format!("group name 'admins{escape}'"))
                && message.contains(&code_point),
            "{label}: {message}"
        );
        assert!(!message.contains(*c), "{label}: the message shows it raw");
        assert_eq!(found[0].flow, Some(flow));
        assert!(with_code(&findings, "look-alike-names").is_empty());
    }
}

#[test]
fn lint_warns_about_names_that_look_the_same_once_invisible_characters_are_removed() {
    let mut doc = Document::default();
    let plain = doc.groups.put(Group::new("admins"));
    let tagged = doc.groups.put(Group::new("admins\u{E0020}"));
    let hyphen = doc.groups.put(Group::new("ad\u{AD}mins"));
    doc.groups.put(Group::new("Admins"));
    doc.groups.put(Group::new("staff"));
    // Another kind with the same visible name is not a look-alike.
    doc.users.put(User::new("admins\u{200B}"));
    // Two flows shown as "Login".
    let a = doc
        .flows
        .put(Flow::new("a", "Login", Designation::Authorization));
    let b = doc
        .flows
        .put(Flow::new("b", "Log\u{3164}in", Designation::Authorization));
    doc.flows
        .put(Flow::new("c", "Login", Designation::Authorization));

    let findings = lint(&doc, None);
    let found = with_code(&findings, "look-alike-names");
    assert_eq!(found.len(), 2, "{findings:#?}");
    let flows = found
        .iter()
        .find(|f| f.objects[0].0 == ObjKind::Flow)
        .unwrap();
    let groups = found
        .iter()
        .find(|f| f.objects[0].0 == ObjKind::Group)
        .unwrap();
    // The ones with hidden characters first: they are the ones to fix.
    assert_eq!(
        groups.objects,
        [
            (ObjKind::Group, tagged),
            (ObjKind::Group, hyphen),
            (ObjKind::Group, plain)
        ]
    );
    assert_eq!(
        groups.message,
        "group names 'admins', 'admins\\u{e0020}', 'ad\\u{ad}mins' look the same: they differ only in control or invisible characters"
    );
    assert_eq!(flows.objects[0], (ObjKind::Flow, b));
    assert!(flows.objects.contains(&(ObjKind::Flow, a)));
    assert_eq!(flows.flow, Some(b));
}

#[test]
fn lint_has_no_name_findings_for_ordinary_names() {
    let mut doc = Document::default();
    for name in [
        "admins",
        "Admins",
        "ad-mins",
        "ädmins",
        "管理者",
        "admins 2",
        "😀",
    ] {
        doc.groups.put(Group::new(name));
    }
    // Two flows may share a name that has nothing hidden in it.
    doc.flows
        .put(Flow::new("a", "Login", Designation::Authorization));
    doc.flows
        .put(Flow::new("b", "Login", Designation::Authorization));
    let findings = lint(&doc, None);
    assert!(with_code(&findings, "invisible-characters-in-name").is_empty());
    assert!(with_code(&findings, "look-alike-names").is_empty());
}
