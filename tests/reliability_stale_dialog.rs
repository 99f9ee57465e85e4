//! A dialog that stays open while someone else saves (issue 11, item 7). Two `App`s on one
//! store: Bob opens a dialog, Alice saves a change to the same object, Bob's UI reloads the
//! store (as the terminal loop does when nothing of his is pending) and Bob submits. A form
//! submits only the fields Bob changed, and if anything the dialog acts on changed since it
//! opened, the submit is a conflict shown with both values: never a silent revert of Alice's
//! work. Ctrl-r re-opens the dialog on the current version with Bob's changes.

mod tui_common;

use bindery::model::{Document, StageKind};
use bindery::store::Store;
use bindery::tui::app::StatusKind;
use bindery::tui::modal::Modal;
use bindery::tui::{self, Keymap};
use tui_common::*;

/// A second session on the first one's store (its own temp dir is unused).
fn second_session(first: &Ui) -> Ui {
    let app = tui::open_app(&first.path(), Keymap::default_keymap(), false).expect("open");
    Ui {
        dir: tempfile::tempdir().unwrap(),
        app,
    }
}

/// What the terminal loop does when the file changed on disk and nothing is pending.
fn reload(ui: &mut Ui) {
    assert!(!ui.app.store.has_unsaved_changes());
    ui.app.store.reload().expect("reload");
    bindery::tui::update::reloaded(&mut ui.app);
}

fn on_disk(ui: &Ui) -> Document {
    Store::open(&ui.path()).unwrap().doc().clone()
}

/// The deny message of the stage with the maintenance notice's id (its name may change).
fn deny_message(doc: &Document, stage: uuid::Uuid) -> String {
    match &doc.stages.get(stage).expect("the stage exists").kind {
        StageKind::Deny(s) => s.deny_message.clone(),
        other => panic!("not a deny stage: {other:?}"),
    }
}

fn status(ui: &Ui) -> (Option<StatusKind>, String) {
    match &ui.app.status {
        Some(s) => (Some(s.kind.clone()), s.text.clone()),
        None => (None, String::new()),
    }
}

/// Opens "Edit stage" (E) on the maintenance notice from the authentication flow's page.
fn open_edit_stage(ui: &mut Ui) {
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MAINTENANCE_STAGE);
    ui.keys("E");
    assert_eq!(ui.focused().key, "name");
}

/// Replaces the focused text field's content.
fn retype(ui: &mut Ui, text: &str) {
    let len = match &ui.focused().value {
        bindery::tui::form::FieldValue::Text(s)
        | bindery::tui::form::FieldValue::MultiLine(s)
        | bindery::tui::form::FieldValue::Number(s) => s.chars().count(),
        other => panic!("not a text field: {other:?}"),
    };
    ui.keys(&"<BS>".repeat(len));
    ui.keys(text);
}

#[test]
fn a_stale_edit_stage_dialog_reports_a_conflict_instead_of_reverting_the_message() {
    let mut alice = Ui::demo();
    let mut bob = second_session(&alice);
    let notice = stage_id(alice.doc(), MAINTENANCE_STAGE);
    let old_message = deny_message(alice.doc(), notice);
    open_edit_stage(&mut bob);

    // Alice saves a new deny message.
    open_edit_stage(&mut alice);
    alice.keys("<Tab>");
    assert_eq!(alice.focused().key, "deny_message");
    retype(&mut alice, "Back at noon.");
    alice.keys("<C-s>");
    assert_eq!(deny_message(&on_disk(&alice), notice), "Back at noon.");

    // Bob's UI reloads; his dialog still shows what it opened with, and the status says so.
    reload(&mut bob);
    let (_, text) = status(&bob);
    assert!(
        text.contains("older version") && text.contains("Ctrl-r"),
        "{text}"
    );
    // He renames the stage.
    retype(&mut bob, "maintenance-renamed");
    let effects = bob.keys("<Enter>");
    let disk = on_disk(&alice);
    assert_eq!(
        deny_message(&disk, notice),
        "Back at noon.",
        "Alice's message is not reverted"
    );
    assert!(effects.is_empty(), "nothing is saved: {effects:?}");
    assert!(!bob.app.store.has_unsaved_changes());
    // The dialog stays open and shows both values and the way forward.
    let error = bob.form().error.clone().expect("a conflict is shown");
    assert!(error.contains("deny_message"), "{error}");
    assert!(error.contains("Back at noon."), "theirs: {error}");
    assert!(
        error.contains(&old_message),
        "what the form opened with: {error}"
    );
    assert!(error.contains("maintenance-renamed"), "yours: {error}");
    assert!(error.contains("Ctrl-r"), "{error}");
    assert_eq!(status(&bob).0, Some(StatusKind::Error));
    let screen = bob.screen(100, 40);
    println!("{screen}");
    assert!(screen.contains("Back at noon."), "{screen}");

    // Ctrl-r re-opens on the current version, keeping Bob's rename; submitting lands both.
    bob.keys("<C-r>");
    assert_eq!(bob.form().error, None);
    assert_eq!(
        bob.field("deny_message"),
        &bindery::tui::form::FieldValue::MultiLine("Back at noon.".into())
    );
    assert_eq!(
        bob.field("name"),
        &bindery::tui::form::FieldValue::Text("maintenance-renamed".into())
    );
    bob.keys("<Enter>");
    assert!(bob.app.modals.is_empty());
    let disk = on_disk(&alice);
    assert_eq!(deny_message(&disk, notice), "Back at noon.");
    assert_eq!(disk.stages.get(notice).unwrap().name, "maintenance-renamed");
}

#[test]
fn a_stale_edit_binding_dialog_does_not_revert_the_order() {
    let mut alice = Ui::demo();
    let mut bob = second_session(&alice);
    bob.open_flow(AUTH_FLOW);
    bob.select_stage_row(PASSWORD_STAGE);
    bob.keys("e");
    assert_eq!(bob.focused().key, "order");

    alice.open_flow(AUTH_FLOW);
    alice.select_stage_row(PASSWORD_STAGE);
    alice.keys("e");
    retype(&mut alice, "25");
    alice.keys("<Enter>");
    assert_eq!(
        binding(&on_disk(&alice), AUTH_FLOW, PASSWORD_STAGE).order,
        25
    );

    // Bob, reloaded, only changes the invalid response behaviour.
    let was = binding(bob.doc(), AUTH_FLOW, PASSWORD_STAGE).invalid_response_action;
    reload(&mut bob);
    bob.keys("<Tab><Tab><Tab>");
    assert_eq!(bob.focused().key, "invalid_response_action");
    bob.keys("<Right><Enter>");
    let disk = on_disk(&alice);
    assert_eq!(
        binding(&disk, AUTH_FLOW, PASSWORD_STAGE).order,
        25,
        "Alice's order is kept"
    );
    let error = bob.form().error.clone().expect("a conflict is shown");
    assert!(error.contains("order"), "{error}");
    assert!(error.contains("25") && error.contains("20"), "{error}");

    bob.keys("<C-r><Enter>");
    let disk = on_disk(&alice);
    let b = binding(&disk, AUTH_FLOW, PASSWORD_STAGE);
    assert_eq!(b.order, 25, "both changes land");
    assert_ne!(b.invalid_response_action, was);
}

#[test]
fn a_save_conflict_names_both_sides_field_by_field() {
    // Alice changes the message of the stage; Bob, who opened before and never reloads, renames
    // it: the save finds Alice's version, and the conflict names both sides field by field.
    let mut alice = Ui::demo();
    let mut bob = second_session(&alice);
    let notice = stage_id(alice.doc(), MAINTENANCE_STAGE);
    open_edit_stage(&mut bob);
    open_edit_stage(&mut alice);
    alice.keys("<Tab>");
    retype(&mut alice, "Back at noon.");
    alice.keys("<C-s>");

    retype(&mut bob, "maintenance-renamed");
    bob.keys("<Enter>");
    let (kind, text) = status(&bob);
    assert_eq!(kind, Some(StatusKind::Error), "{text}");
    assert!(text.contains("deny_message"), "{text}");
    assert!(text.contains("Back at noon."), "theirs: {text}");
    assert!(text.contains("maintenance-renamed"), "yours: {text}");
    let disk = on_disk(&alice);
    assert_eq!(deny_message(&disk, notice), "Back at noon.");
}

#[test]
fn a_stale_delete_confirmation_is_shown_again_with_what_it_now_removes() {
    let mut alice = Ui::demo();
    let mut bob = second_session(&alice);
    // Bob asks to delete the maintenance stage: the confirmation lists its one binding.
    bob.keys("2");
    let index = bob
        .app
        .list(bindery::tui::app::Page::Stages)
        .rows
        .iter()
        .position(|id| *id == stage_id(bob.doc(), MAINTENANCE_STAGE))
        .unwrap();
    bob.keys("g");
    bob.keys(&"j".repeat(index));
    bob.keys("d");
    assert!(matches!(bob.app.modals.last(), Some(Modal::Confirm(_))));

    // Alice binds the stage to another flow.
    alice.open_flow("default-source-authentication");
    alice.keys("a");
    alice.keys(MAINTENANCE_STAGE);
    alice.keys("<Enter>");
    let bound = |doc: &Document| match doc.stages.iter().find(|s| s.name == MAINTENANCE_STAGE) {
        Some(stage) => doc
            .stage_bindings
            .iter()
            .filter(|b| b.stage == stage.id)
            .count(),
        None => 0,
    };
    assert_eq!(bound(&on_disk(&alice)), 2);

    reload(&mut bob);
    bob.keys("y");
    let disk = on_disk(&alice);
    assert_eq!(bound(&disk), 2, "nothing was deleted behind Alice's back");
    let Some(Modal::Confirm(confirm)) = bob.app.modals.last() else {
        panic!("the confirmation is shown again: {:?}", bob.app.modals);
    };
    let text = confirm.lines.join("\n");
    assert!(text.contains("default-source-authentication"), "{text}");
    // Confirming what is now shown deletes the stage and both bindings.
    bob.keys("y");
    let disk = on_disk(&alice);
    assert!(!disk.stages.iter().any(|s| s.name == MAINTENANCE_STAGE));
}

#[test]
fn a_stale_create_binding_dialog_reports_the_binding_added_meanwhile() {
    let mut alice = Ui::demo();
    let mut bob = second_session(&alice);
    for ui in [&mut bob, &mut alice] {
        ui.open_flow(AUTH_FLOW);
        ui.select_stage_row(PASSWORD_STAGE);
        // The drop-down starts empty: each chooses the first policy.
        ui.keys("b<Tab><Down><Down>");
    }
    let target = bindery::model::Target::StageBinding(
        binding(&on_disk(&alice), AUTH_FLOW, PASSWORD_STAGE).id,
    );
    let before = bindings_on(&on_disk(&alice), target).len();
    alice.keys("<Enter>");
    assert_eq!(bindings_on(&on_disk(&alice), target).len(), before + 1);

    reload(&mut bob);
    bob.keys("<Enter>");
    assert_eq!(
        bindings_on(&on_disk(&alice), target).len(),
        before + 1,
        "not added on top of Alice's at the same order"
    );
    let error = bob.form().error.clone().expect("a conflict is shown");
    assert!(error.contains("added"), "{error}");
    bob.keys("<C-r><Enter>");
    let orders: Vec<i64> = bindings_on(&on_disk(&alice), target)
        .into_iter()
        .map(|(o, _)| o)
        .collect();
    assert_eq!(orders.len(), before + 2);
    let distinct: std::collections::BTreeSet<i64> = orders.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        orders.len(),
        "the re-opened form proposes a free order"
    );
}

#[test]
fn a_stale_duplicate_dialog_reports_the_changed_binding() {
    let mut alice = Ui::demo();
    let mut bob = second_session(&alice);
    bob.keys("1gD");
    assert_eq!(bob.form().title, format!("Duplicate flow {AUTH_FLOW}"));
    let flows = on_disk(&alice).flows.len();

    alice.open_flow(AUTH_FLOW);
    alice.select_stage_row(PASSWORD_STAGE);
    alice.keys("e");
    retype(&mut alice, "25");
    alice.keys("<Enter>");

    reload(&mut bob);
    bob.keys("<Enter>");
    assert_eq!(on_disk(&alice).flows.len(), flows, "nothing copied yet");
    let error = bob.form().error.clone().expect("a conflict is shown");
    assert!(
        error.contains("order: theirs now 25, when opened 20"),
        "{error}"
    );
    bob.keys("<C-r><Enter>");
    assert_eq!(on_disk(&alice).flows.len(), flows + 1);
}
