//! Issue 11, items 1, 10 and 12: one set of limits and validators holds at every entry point
//! (blueprint import, the UI's forms, `screen --keys`, the command line); a save never writes
//! what load would reject; a store that fails to load names the backup that restores it.

mod common;
mod tui_common;

use std::fs;
use std::path::Path;
use std::process::Output;

use bindery::model::limits::{MAX_NESTING, ORDER};
use bindery::model::*;
use bindery::store::{Store, StoreError};
use bindery::tui::app::Page;
use common::blueprints::{dedent, import_err, import_ok};
use common::run::{bindery, text};
use tui_common::*;

/// `levels` nested empty lists, as JSON and YAML flow text.
fn nested(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

/// The 382-byte blueprint of the issue: a group whose attribute nests 124 levels.
fn brick_blueprint() -> String {
    format!(
        "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {{name: brick}}\n    attrs:\n      attributes:\n        x: {}\n",
        nested(124)
    )
}

fn brick_message() -> String {
    format!("attributes.x: nested deeper than {MAX_NESTING} levels")
}

fn demo_store(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("store.json");
    let out = bindery(&path, &["init", "--demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    path
}

// --- Item 1: nesting ---------------------------------------------------------------------

#[test]
fn a_deep_attribute_is_refused_by_the_cli_import_and_the_store_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let before = fs::read(&store).unwrap();
    let file = dir.path().join("brick.yaml");
    fs::write(&file, brick_blueprint()).unwrap();
    let out = bindery(&store, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains(&brick_message()), "{err}");
    // Issue 12: the error points at the attribute's value, not the entry.
    assert!(
        err.contains("brick.yaml:7:12"),
        "points at the value: {err}"
    );
    assert_eq!(fs::read(&store).unwrap(), before, "byte-identical");
    assert!(bindery(&store, &["list", "groups"]).status.success());
}

#[test]
fn a_deep_attribute_is_refused_by_the_library_importer() {
    let mut doc = Document::default();
    let err = import_err(&mut doc, &brick_blueprint());
    assert!(err.to_string().contains(&brick_message()), "{err}");
    // At the limit it is accepted, and what is accepted saves and loads back.
    let ok = brick_blueprint().replace(&nested(124), &nested(MAX_NESTING - 1));
    import_ok(&mut doc, &ok);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    Store::create(&path, doc.clone()).unwrap();
    assert_eq!(Store::open(&path).unwrap().doc().groups, doc.groups);
}

/// Enough backspaces to empty the demo's attributes fields.
static CLEAR_FIELD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| "<BS>".repeat(100));

#[test]
fn a_deep_attribute_is_refused_by_the_group_form() {
    let mut ui = Ui::demo();
    let before = fs::read(ui.path()).unwrap();
    let staff = group_id(ui.doc(), "staff");
    let attributes = ui.doc().groups.get(staff).unwrap().attributes.clone();
    ui.keys("5");
    let index = ui
        .app
        .list(Page::Groups)
        .rows
        .iter()
        .position(|r| *r == staff);
    ui.keys("g");
    for _ in 0..index.unwrap() {
        ui.keys("j");
    }
    ui.keys("e<Tab><Tab><Tab>");
    assert_eq!(ui.focused().key, "attributes");
    ui.keys(&CLEAR_FIELD);
    ui.keys(&format!("{{\"x\": {}}}<C-s>", nested(124)));
    let error = ui.form().error.clone().unwrap_or_default();
    assert!(error.contains(&brick_message()), "{error}");
    assert_eq!(fs::read(ui.path()).unwrap(), before, "byte-identical");
    assert_eq!(ui.doc().groups.get(staff).unwrap().attributes, attributes);
}

#[test]
fn a_deep_attribute_is_refused_by_screen_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let before = fs::read(&store).unwrap();
    // The first group in the list is the one edited; which one does not matter.
    let keys = format!(
        "5e<Tab><Tab><Tab>{}{{\"x\": {}}}<C-s>",
        *CLEAR_FIELD,
        nested(124)
    );
    let out = bindery(&store, &["screen", "--size", "200x40", "--keys", &keys]);
    let screen = text(&out.stdout);
    assert!(screen.contains("nested deeper than"), "{screen}");
    assert_eq!(fs::read(&store).unwrap(), before, "byte-identical");
}

#[test]
fn a_save_never_writes_bytes_the_loader_would_reject() {
    // A document built outside the edit layer, as a bug or a future code path might.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let mut doc = Document::default();
    let mut group = Group::new("deep");
    group
        .attributes
        .insert("x".into(), serde_json::from_str(&nested(124)).unwrap());
    doc.groups.put(group);
    let Err(err) = Store::create(&path, doc) else {
        panic!("the save should have been refused");
    };
    let message = err.to_string();
    assert!(
        message.contains("nest") && message.contains("reads at most 127"),
        "{message}"
    );
    assert!(!path.exists(), "nothing written");
    let left: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "store.json.lock")
        .collect();
    assert!(left.is_empty(), "no temp file left: {left:?}");
}

// --- Item 1: recovery --------------------------------------------------------------------

/// A store with backups: generation 1 (created), then 2, 3 and 4 adding groups a, b and c,
/// so `.bak.1` is generation 3 and `.bak.2` generation 2; then the store and its newest
/// backup are broken by hand.
fn bricked_store(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("store.json");
    let mut store = Store::create(&path, Document::default()).unwrap();
    for name in ["a", "b", "c"] {
        store
            .apply(&bindery::edit::Op::Create(Obj::Group(Group::new(name))))
            .unwrap();
        store.save().unwrap();
    }
    // The newest backup is broken too: the restore hint must skip it.
    fs::write(
        path.with_file_name("store.json.bak.1"),
        b"{\"schema_version\": 2,",
    )
    .unwrap();
    let bytes = fs::read(&path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let deep = format!("\"attributes\": {{\"x\": {}}}", nested(124));
    fs::write(&path, text.replacen("\"attributes\": {}", &deep, 1)).unwrap();
    path
}

#[test]
fn a_store_that_fails_to_load_names_the_newest_backup_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = bricked_store(dir.path());
    let err = match Store::open(&path) {
        Err(e @ StoreError::Parse { .. }) => e.to_string(),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a bricked store loaded"),
    };
    let bak2 = path.with_file_name("store.json.bak.2");
    assert!(err.contains("recursion limit exceeded"), "{err}");
    assert!(
        err.contains(&format!(
            "the newest backup that loads is {} (generation 2)",
            bak2.display()
        )),
        "{err}"
    );
    let command = format!(
        "bindery --store {} doctor --restore {}",
        path.display(),
        bak2.display()
    );
    assert!(err.contains(&command), "{err}");
    let out = bindery(&path, &["list", "groups"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(&command),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn doctor_lists_backups_and_restores_one_keeping_the_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = bricked_store(dir.path());
    let broken = fs::read(&path).unwrap();
    let out = bindery(&path, &["doctor"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a store that does not load fails"
    );
    let report = text(&out.stdout);
    assert!(report.contains("DOES NOT LOAD"), "{report}");
    assert!(
        report.contains("store.json.bak.1  does not load"),
        "{report}"
    );
    assert!(
        report.contains("store.json.bak.2  generation 2  loads"),
        "{report}"
    );

    let bak2 = path.with_file_name("store.json.bak.2");
    let out = bindery(&path, &["doctor", "--restore", bak2.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("kept the previous store file as"), "{said}");
    let store = Store::open(&path).expect("the store loads again");
    let names: Vec<&str> = store.doc().groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["a"], "generation 2's content");
    assert!(store.doc().generation > 2);
    let aside: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("store.json.broken-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the broken file is kept aside");
    assert_eq!(fs::read(aside[0].path()).unwrap(), broken);
    assert!(bindery(&path, &["doctor"]).status.success());
    // A file that does not load is never restored.
    let bak1 = path.with_file_name("store.json.bak.1");
    let before = fs::read(&path).unwrap();
    let out = bindery(&path, &["doctor", "--restore", bak1.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read(&path).unwrap(), before);
}

// --- Item 10: integer ranges ---------------------------------------------------------------

const ORDER_BLUEPRINT: &str = "
    version: 1
    entries:
      - model: authentik_flows.flow
        id: flow
        identifiers: {slug: f}
        attrs: {name: F, title: F, designation: authentication}
      - model: authentik_stages_dummy.dummystage
        id: stage
        identifiers: {name: s}
      - model: authentik_flows.flowstagebinding
        identifiers: {target: !KeyOf flow, stage: !KeyOf stage, order: ORDER}
";

#[test]
fn orders_outside_authentiks_32_bit_range_are_refused_by_import() {
    let mut doc = Document::default();
    for order in ["9223372036854775807", "2147483648", "-2147483649"] {
        let err = import_err(&mut doc, &dedent(&ORDER_BLUEPRINT.replace("ORDER", order)));
        assert!(
            err.to_string()
                .contains(&format!("order: {order} is out of range")),
            "{err}"
        );
    }
    import_ok(
        &mut doc,
        &dedent(&ORDER_BLUEPRINT.replace("ORDER", "2147483647")),
    );
}

#[test]
fn policy_binding_timeout_and_settings_keep_their_ranges() {
    let mut doc = Document::default();
    let text = dedent(
        "
        version: 1
        entries:
          - model: authentik_flows.flow
            id: flow
            identifiers: {slug: f}
            attrs: {name: F, title: F, designation: authentication}
          - model: authentik_core.group
            id: g
            identifiers: {name: g}
          - model: authentik_policies.policybinding
            identifiers: {target: !KeyOf flow, group: !KeyOf g, order: 0}
            attrs: {timeout: 3000000000}
        ",
    );
    let err = import_err(&mut doc, &text);
    assert!(
        err.to_string()
            .contains("timeout: 3000000000 is out of range"),
        "{err}"
    );
    let text = dedent(
        "
        version: 1
        entries:
          - model: authentik_stages_authenticator_static.authenticatorstaticstage
            identifiers: {name: s}
            attrs: {token_length: 101}
        ",
    );
    let err = import_err(&mut doc, &text);
    assert!(
        err.to_string()
            .contains("token_length: 101 is out of range"),
        "{err}"
    );
}

#[test]
fn bind_existing_stage_proposes_an_order_inside_the_range() {
    let mut ui = Ui::demo();
    // A store written before the range was enforced, holding the largest i64 order.
    let flow = flow(ui.doc(), AUTH_FLOW).id;
    let mut doc = ui.doc().clone();
    let first = doc.bindings_of_flow(flow)[0].id;
    doc.stage_bindings.get_mut(first).unwrap().order = i64::MAX;
    fs::write(ui.path(), serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    ui.app.store = Store::open(&ui.path()).unwrap();
    ui.app.refresh();
    ui.open_flow(AUTH_FLOW);
    ui.keys(":bind an existing stage<Enter>");
    let proposed: i64 = match ui.field("order") {
        bindery::tui::form::FieldValue::Number(n) => n.parse().unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(
        (ORDER.min..=ORDER.max).contains(&proposed),
        "proposed {proposed}"
    );
}

#[test]
fn the_generation_counter_never_wraps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let doc = Document {
        generation: u64::MAX,
        ..Document::default()
    };
    fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let before = fs::read(&path).unwrap();
    let mut store = Store::open(&path).unwrap();
    store
        .apply(&bindery::edit::Op::Create(Obj::Group(Group::new("g"))))
        .unwrap();
    let err = store.save().unwrap_err().to_string();
    assert!(err.contains("generation counter"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before, "nothing written");
}

// --- Item 12: validators -------------------------------------------------------------------

const LOGIN_STAGE: &str = "
    version: 1
    entries:
      - model: authentik_stages_user_login.userloginstage
        identifiers: {name: login}
        attrs: {session_duration: VALUE}
";

#[test]
fn time_lengths_are_validated_by_import() {
    let mut doc = Document::default();
    let err = import_err(&mut doc, &dedent(&LOGIN_STAGE.replace("VALUE", "abc")));
    assert!(
        err.to_string()
            .contains("session_duration: \"abc\" is not a time length like hours=1;minutes=30"),
        "{err}"
    );
    import_ok(
        &mut doc,
        &dedent(&LOGIN_STAGE.replace("VALUE", "hours=1;minutes=30")),
    );
    let text = dedent(
        "
        version: 1
        entries:
          - model: authentik_stages_email.emailstage
            identifiers: {name: mail}
            attrs: {from_address: not-an-address}
        ",
    );
    let err = import_err(&mut doc, &text);
    assert!(
        err.to_string()
            .contains("from_address: \"not-an-address\" is not a valid email"),
        "{err}"
    );
}

/// The repro through the real binary: `session_duration: abc` typed into the stage
/// form by `screen --keys` is refused with the field named, and nothing is written.
#[test]
fn time_lengths_are_validated_by_screen_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let before = fs::read(&store).unwrap();
    let keys = format!(
        "2/default-authentication-login<Enter>e<Tab>{}abc<Enter>",
        *CLEAR_FIELD
    );
    let out = bindery(&store, &["screen", "--size", "200x40", "--keys", &keys]);
    let screen = text(&out.stdout);
    assert!(
        screen.contains("session_duration: \"abc\" is not a time length"),
        "{screen}"
    );
    assert_eq!(fs::read(&store).unwrap(), before, "byte-identical");
}

#[test]
fn time_lengths_are_validated_by_the_stage_form() {
    let mut ui = Ui::demo();
    import_login_stage(&mut ui);
    let before = fs::read(ui.path()).unwrap();
    ui.keys("e<Tab>");
    assert_eq!(ui.focused().key, "session_duration");
    ui.keys(&format!("{}abc<Enter>", "<BS>".repeat("seconds=0".len())));
    let error = ui.form().error.clone().unwrap_or_default();
    assert!(
        error.contains("session_duration: \"abc\" is not a time length"),
        "{error}"
    );
    assert_eq!(fs::read(ui.path()).unwrap(), before);
}

/// Selects the demo's user login stage in the Stages list.
fn import_login_stage(ui: &mut Ui) {
    let id = ui
        .doc()
        .stages
        .iter()
        .find(|s| matches!(s.kind, StageKind::UserLogin(_)))
        .expect("the demo has a user login stage")
        .id;
    ui.keys("2g");
    let index = ui
        .app
        .list(Page::Stages)
        .rows
        .iter()
        .position(|r| *r == id)
        .unwrap();
    for _ in 0..index {
        ui.keys("j");
    }
}

#[test]
fn lint_flags_invalid_values_kept_in_an_older_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_store(dir.path());
    let text = fs::read_to_string(&path).unwrap();
    let edited = text.replacen(
        "\"session_duration\": \"seconds=0\"",
        "\"session_duration\": \"abc\"",
        1,
    );
    assert_ne!(edited, text);
    fs::write(&path, edited).unwrap();
    let out = bindery(&path, &["lint"]);
    assert_eq!(out.status.code(), Some(1), "an error finding");
    let said = text_of(&out);
    assert!(said.contains("session_duration"), "{said}");
    assert!(said.contains("\"abc\" is not a time length"), "{said}");
    // The store still loads and other edits still save.
    assert!(bindery(&path, &["list", "stages"]).status.success());
}

fn text_of(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}
