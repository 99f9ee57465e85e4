//! The TUI's shape, checked: every file under src/tui/dialogs/ is one dialog named in the
//! `Dialog` enum, update.rs routes and builds no forms; every dialog opens, edits and submits
//! through `handle_event`; the status line, paste and the disk check behave the same in
//! `screen --keys` and in the terminal loop (both go through `handle_event` and one runner).

mod tui_common;

use std::collections::BTreeSet;
use std::path::Path;

use bindery::tui::app::{Effect, StatusKind};
use bindery::tui::dialogs::Dialog;
use bindery::tui::effects::{Live, carry_out};
use bindery::tui::event::Event;
use bindery::tui::keys::parse_events;
use bindery::tui::modal::Modal;
use bindery::tui::screen;
use bindery::tui::update::handle_event;
use tui_common::*;

fn source(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// Every dialog by name; no wildcard, so a new dialog must be added here (and given a
/// scenario below) for this file to compile.
fn name(dialog: &Dialog) -> &'static str {
    match dialog {
        Dialog::Flow(_) => "flow",
        Dialog::Stage(_) => "stage",
        Dialog::StageBinding(_) => "stage_binding",
        Dialog::Binding(_) => "binding",
        Dialog::Policy(_) => "policy",
        Dialog::User(_) => "user",
        Dialog::Group(_) => "group",
        Dialog::Duplicate(_) => "duplicate",
        Dialog::SimulateAs(_) => "simulate_as",
        Dialog::ExportTo(_) => "export_to",
        Dialog::ImportFrom(_) => "import_from",
    }
}

const ALL: [&str; 11] = [
    "binding",
    "duplicate",
    "export_to",
    "flow",
    "group",
    "import_from",
    "policy",
    "simulate_as",
    "stage",
    "stage_binding",
    "user",
];

#[test]
fn every_file_under_dialogs_is_one_dialog_of_the_enum() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/dialogs");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let shared = ["fields.rs", "mod.rs"];
    let dialogs: Vec<&str> = files
        .iter()
        .filter(|f| !shared.contains(&f.as_str()))
        .map(|f| f.strip_suffix(".rs").expect("only Rust files"))
        .collect();
    assert_eq!(dialogs, ALL, "one file per dialog, and no other file");
    let module = source("src/tui/dialogs/mod.rs");
    for file in &dialogs {
        let text = source(&format!("src/tui/dialogs/{file}.rs"));
        let structs: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("pub struct "))
            .collect();
        assert_eq!(
            structs.len(),
            1,
            "{file}.rs defines one dialog: {structs:?}"
        );
        let ty = structs[0]
            .trim_start_matches("pub struct ")
            .split([' ', '{'])
            .next()
            .unwrap();
        assert!(ty.ends_with("Dialog"), "{file}.rs: {ty}");
        assert!(
            text.contains(&format!("impl Kind for {ty}")),
            "{file}.rs implements Kind"
        );
        assert!(
            module.contains(&format!("({file}::{ty})")),
            "{ty} is a variant of Dialog"
        );
    }
    // No catch-all arm hides a dialog that was forgotten: `each!` names every variant.
    let each = &module[module.find("macro_rules! each").unwrap()..];
    let each = &each[..each.find("\n}\n").unwrap()];
    for file in &dialogs {
        let variant: String = file
            .split('_')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect();
        assert!(
            each.contains(&format!("Dialog::{variant}($d) => $e")),
            "each! names {variant}"
        );
    }
    assert!(!each.contains("_ =>"), "each! has a catch-all arm");
}

#[test]
fn update_routes_and_builds_no_forms() {
    let update = source("src/tui/update.rs");
    for built in [
        "Form::new",
        "Field::new",
        "Field {",
        "fields::",
        "FieldValue::Pick",
    ] {
        assert!(!update.contains(built), "update.rs builds a form: {built}");
    }
    // Magic field keys are gone from the dialogs.
    for file in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/dialogs")).unwrap()
    {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        for magic in [
            "\"_attrs\"",
            "\"_kind\"",
            "\"_subject\"",
            "\"binding.",
            "starts_with(\"deep",
        ] {
            assert!(!text.contains(magic), "magic key {magic}");
        }
    }
}

fn top(ui: &Ui) -> Option<&'static str> {
    match ui.app.modals.last() {
        Some(Modal::Dialog(dialog)) => Some(name(dialog)),
        _ => None,
    }
}

/// Opens a dialog with `open`, checks which it is, edits and submits it with `edit`; the
/// dialog must close without an error.
fn through(ui: &mut Ui, seen: &mut BTreeSet<&'static str>, open: &str, edit: &str) -> Vec<Effect> {
    ui.keys(open);
    let opened = top(ui).unwrap_or_else(|| panic!("{open:?} opens no dialog"));
    seen.insert(opened);
    let effects = ui.keys(edit);
    assert!(
        top(ui).is_none(),
        "{opened} stays open after {edit:?}: {:?}",
        ui.app.top_form().and_then(|f| f.error.clone())
    );
    effects
}

#[test]
fn every_dialog_opens_edits_and_submits_through_handle_event() {
    let mut ui = Ui::demo();
    let mut seen = BTreeSet::new();
    let blueprint = ui.dir.path().join("group.yaml");
    std::fs::write(
        &blueprint,
        "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: imported\n    attrs:\n      name: imported\n",
    )
    .unwrap();

    through(&mut ui, &mut seen, "1e", "z<Enter>");
    through(&mut ui, &mut seen, "1D", "<Enter>");
    through(&mut ui, &mut seen, "2e", "z<Enter>");
    through(&mut ui, &mut seen, "2ndeny<Enter>", "closed<Enter>");
    through(&mut ui, &mut seen, "3e", "z<Enter>");
    through(&mut ui, &mut seen, "4e", "z<Enter>");
    through(&mut ui, &mut seen, "5e", "z<Enter>");
    through(
        &mut ui,
        &mut seen,
        "I",
        &format!("<paste:{}><Enter>", blueprint.display()),
    );
    assert!(ui.doc().groups.iter().any(|g| g.name == "imported"));
    assert!(
        matches!(ui.app.modals.last(), Some(Modal::Report(_))),
        "the import's report"
    );
    ui.keys("<Esc>");
    ui.open_flow(AUTH_FLOW);
    through(&mut ui, &mut seen, "e", "<BS>5<Enter>");
    through(&mut ui, &mut seen, "b", "<Tab><Down><Down><Enter>");
    through(&mut ui, &mut seen, "<Tab><Tab>i", "<Enter>");
    let effects = through(&mut ui, &mut seen, "<Tab>o", "<Enter>");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Write { .. })),
        "{effects:?}"
    );
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ALL);
    // Each edit was applied: the names typed into the first field.
    assert!(ui.doc().users.iter().any(|u| u.username.ends_with('z')));
    assert!(ui.doc().groups.iter().any(|g| g.name.ends_with('z')));
    assert!(ui.doc().stages.iter().any(|s| s.name == "closed"));
}

#[test]
fn a_key_clears_the_status_line_in_screen_replay_as_in_the_terminal() {
    // `u` with nothing to undo says so; the next key clears it, replayed or not.
    let mut replayed = Ui::demo();
    screen::replay(
        &mut replayed.app,
        &parse_events("u").unwrap(),
        80,
        24,
        false,
    );
    assert_eq!(
        replayed.app.status.as_ref().map(|s| s.text.as_str()),
        Some("nothing to undo")
    );
    screen::replay(
        &mut replayed.app,
        &parse_events("j").unwrap(),
        80,
        24,
        false,
    );
    assert_eq!(replayed.app.status, None, "screen --keys clears it");

    let mut live = Ui::demo();
    handle_event(
        &mut live.app,
        Event::Key(bindery::tui::keys::Key::char('u')),
    );
    assert!(live.app.status.is_some());
    handle_event(
        &mut live.app,
        Event::Key(bindery::tui::keys::Key::char('j')),
    );
    assert_eq!(live.app.status, None, "the terminal clears it");
    // A paste is input too.
    handle_event(
        &mut live.app,
        Event::Key(bindery::tui::keys::Key::char('u')),
    );
    handle_event(&mut live.app, Event::Paste("j".into()));
    assert_eq!(live.app.status, None, "a paste clears it");
}

#[test]
fn a_paste_goes_into_the_field_through_screen_replay() {
    let mut ui = Ui::demo();
    // A pasted `q` is text in a field, not a quit.
    let quit = screen::replay(
        &mut ui.app,
        &parse_events("5n<paste:quiet hours><Enter>").unwrap(),
        80,
        24,
        false,
    );
    assert!(!quit);
    assert!(ui.doc().groups.iter().any(|g| g.name == "quiet hours"));
    let on_disk = bindery::store::Store::open(&ui.path()).unwrap();
    assert!(
        on_disk.doc().groups.iter().any(|g| g.name == "quiet hours"),
        "saved"
    );
}

#[test]
fn a_tick_reloads_what_someone_else_saved_through_the_one_runner() {
    let mut ui = Ui::demo();
    let mut other = bindery::store::Store::open(&ui.path()).unwrap();
    let group = bindery::model::Group::new("theirs");
    other
        .apply(&bindery::edit::Op::Create(bindery::model::Obj::Group(
            group,
        )))
        .unwrap();
    other.save().unwrap();
    let effects = handle_event(&mut ui.app, Event::Tick);
    assert_eq!(effects, vec![Effect::CheckDisk]);
    let ran = carry_out(
        &mut ui.app,
        effects,
        &mut Live {
            frame: &mut |_| false,
        },
    );
    assert!(ran.changed && !ran.quit);
    assert!(ui.doc().groups.iter().any(|g| g.name == "theirs"));
    let status = ui.app.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Info);
    assert!(status.text.contains("reloaded"), "{}", status.text);
    // Nothing more to reload.
    let ran = carry_out(
        &mut ui.app,
        vec![Effect::CheckDisk],
        &mut Live {
            frame: &mut |_| false,
        },
    );
    assert!(!ran.changed);
}

#[test]
fn dialog_keys_and_their_hints_come_from_the_keymap() {
    let mut ui = Ui::demo();
    ui.app.keymap = bindery::tui::Keymap::with_overrides(
        "[dialog]\nsubmit = [\"<C-s>\"]\ndelete_back = [\"<C-h>\"]\n",
        "user",
    )
    .unwrap();
    ui.keys("5n");
    let text = ui.screen(100, 30);
    assert!(
        text.contains("Create group · Ctrl-s save · Esc cancel"),
        "{text}"
    );
    ui.keys("opsx<C-h><BS><Enter>");
    assert_eq!(top(&ui), Some("group"), "Enter no longer submits");
    assert_eq!(
        ui.field("name"),
        &bindery::tui::form::FieldValue::Text("ops".into()),
        "Ctrl-h deletes, Backspace no longer does"
    );
    ui.keys("<C-s>");
    assert_eq!(top(&ui), None);
    assert!(ui.doc().groups.iter().any(|g| g.name == "ops"));
}
