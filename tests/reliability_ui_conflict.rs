//! Two UI sessions on one store (docs/reliability.md §7, T6): two `App`s opened on the same
//! file before either edits, each editing through the keys the terminal loop routes
//! (`handle_key`, then the save and `saved` it carries out). Editing different bindings, both
//! edits land; editing the same binding, the second session's status line shows a conflict and
//! the first session's version is kept: never a silent overwrite.

mod tui_common;

use bindery::tui::app::StatusKind;
use bindery::tui::{self, Effect, Keymap};
use tui_common::*;

/// A second session on the first one's store (its own temp dir is unused).
fn second_session(first: &Ui) -> Ui {
    let app = tui::open_app(&first.path(), Keymap::default_keymap(), false).expect("open");
    Ui {
        dir: tempfile::tempdir().unwrap(),
        app,
    }
}

/// Opens the binding form of a stage on the authentication flow and sets its order.
fn set_order(ui: &mut Ui, stage: &str, order: i64) -> Vec<Effect> {
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(stage);
    ui.keys("e");
    assert_eq!(ui.focused().key, "order");
    let current = binding(ui.doc(), AUTH_FLOW, stage).order.to_string();
    ui.keys(&"<BS>".repeat(current.len()));
    ui.keys(&order.to_string());
    ui.keys("<Enter>")
}

fn status(ui: &Ui) -> (Option<StatusKind>, String) {
    match &ui.app.status {
        Some(s) => (Some(s.kind.clone()), s.text.clone()),
        None => (None, String::new()),
    }
}

fn on_disk(ui: &Ui, stage: &str) -> i64 {
    let store = bindery::store::Store::open(&ui.path()).unwrap();
    binding(store.doc(), AUTH_FLOW, stage).order
}

#[test]
fn two_sessions_editing_different_bindings_both_land() {
    let mut alice = Ui::demo();
    let mut bob = second_session(&alice);
    assert_eq!(on_disk(&alice, PASSWORD_STAGE), 20);
    assert_eq!(on_disk(&alice, MFA_STAGE), 30);

    assert_eq!(
        set_order(&mut alice, PASSWORD_STAGE, 25),
        vec![Effect::Save]
    );
    assert_ne!(
        status(&alice).0,
        Some(StatusKind::Error),
        "{:?}",
        status(&alice)
    );
    // Bob's view is stale: he opened the store before Alice saved.
    assert_eq!(binding(bob.doc(), AUTH_FLOW, PASSWORD_STAGE).order, 20);
    assert_eq!(set_order(&mut bob, MFA_STAGE, 35), vec![Effect::Save]);
    let (kind, text) = status(&bob);
    assert_eq!(kind, Some(StatusKind::Info), "{text}");
    assert!(text.contains("someone else saved"), "{text}");

    assert_eq!(on_disk(&alice, PASSWORD_STAGE), 25, "Alice's edit landed");
    assert_eq!(on_disk(&alice, MFA_STAGE), 35, "Bob's edit landed");
    assert_eq!(binding(bob.doc(), AUTH_FLOW, PASSWORD_STAGE).order, 25);
    println!(
        "UI conflict: different bindings: both land (2 of 2 edits on disk); Bob's status: {text}"
    );
}

#[test]
fn two_sessions_editing_the_same_binding_show_a_conflict_and_keep_the_first() {
    let mut alice = Ui::demo();
    let mut bob = second_session(&alice);

    assert_eq!(
        set_order(&mut alice, PASSWORD_STAGE, 25),
        vec![Effect::Save]
    );
    assert_eq!(set_order(&mut bob, PASSWORD_STAGE, 27), vec![Effect::Save]);
    let (kind, text) = status(&bob);
    assert_eq!(kind, Some(StatusKind::Error), "{text}");
    assert!(text.contains("conflict"), "{text}");

    assert_eq!(
        on_disk(&alice, PASSWORD_STAGE),
        25,
        "Alice's version is kept"
    );
    assert_eq!(
        binding(bob.doc(), AUTH_FLOW, PASSWORD_STAGE).order,
        25,
        "Bob now sees Alice's version"
    );
    assert!(!bob.app.store.has_unsaved_changes());
    // Bob can redo his edit on top of Alice's, knowingly.
    assert_eq!(set_order(&mut bob, PASSWORD_STAGE, 27), vec![Effect::Save]);
    assert_eq!(on_disk(&alice, PASSWORD_STAGE), 27);
    println!(
        "UI conflict: same binding: 0 silent overwrites, conflict shown to the second session, \
         the first session's version kept; Bob's status: {text}"
    );
}
