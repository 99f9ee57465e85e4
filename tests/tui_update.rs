//! `handle_key` / `update` for every action of the keymap, and the dialogs' form behaviour,
//! asserted on the app state and on the store document (and the file on disk).

mod tui_common;

use bindery::model::{Subject, Target};
use bindery::store::Store;
use bindery::tui::action::Action;
use bindery::tui::app::{BindingRow, FlowTab, Page, SaveState, Screen, StatusKind};
use bindery::tui::dialogs::Dialog;
use bindery::tui::form::FieldValue;
use bindery::tui::keymap::Mode;
use bindery::tui::modal::{Modal, TypeChoice};
use bindery::tui::update::{palette_actions, update};
use bindery::tui::{Effect, Keymap};
use tui_common::*;

fn confirm_lines(ui: &Ui) -> Vec<String> {
    match ui.app.modals.last() {
        Some(Modal::Confirm(c)) => c.lines.clone(),
        other => panic!("no confirmation open: {other:?}"),
    }
}

fn status(ui: &Ui) -> String {
    ui.app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

// --- Everywhere ------------------------------------------------------------------------------

#[test]
fn help_opens_filters_scrolls_and_closes() {
    let mut ui = Ui::demo();
    assert!(ui.keys("?").is_empty());
    assert!(matches!(ui.app.modals.last(), Some(Modal::Help(_))));
    let text = ui.screen(100, 40);
    assert!(text.contains("undo the last edit"), "{text}");
    ui.keys("/undo");
    match ui.app.modals.last() {
        Some(Modal::Help(h)) => {
            assert!(h.filtering);
            assert_eq!(h.filter, "undo");
        }
        other => panic!("{other:?}"),
    }
    let text = ui.screen(100, 40);
    assert!(text.contains("undo the last edit"), "{text}");
    assert!(!text.contains("go to Flows"), "filtered away: {text}");
    ui.keys("<Enter>j");
    match ui.app.modals.last() {
        Some(Modal::Help(h)) => {
            assert!(!h.filtering);
            assert_eq!(h.filter, "undo", "Enter keeps the search");
            assert_eq!(h.scroll, 0, "what the search found fits: nothing to scroll");
        }
        other => panic!("{other:?}"),
    }
    ui.keys("k?");
    assert!(ui.app.modals.is_empty(), "? closes help");
    ui.keys("?<Esc>");
    assert!(ui.app.modals.is_empty(), "Esc closes help");
    assert_eq!(ui.page(), Some(Page::Flows), "nothing else happened");
}

#[test]
fn palette_finds_and_runs_an_action() {
    let mut ui = Ui::demo();
    ui.keys(":");
    assert!(matches!(ui.app.modals.last(), Some(Modal::Palette(_))));
    ui.keys("go to Stages");
    let text = ui.screen(100, 30);
    assert!(text.contains("> go to Stages"), "best match first: {text}");
    assert!(ui.keys("<Enter>").is_empty());
    assert!(ui.app.modals.is_empty());
    assert_eq!(ui.page(), Some(Page::Stages));

    // Esc closes it without running anything.
    ui.keys(":go to Groups<Esc>");
    assert!(ui.app.modals.is_empty());
    assert_eq!(ui.page(), Some(Page::Stages));

    // On a flow page it offers the flow's actions, and runs them there.
    ui.open_flow(AUTH_FLOW);
    let offered = palette_actions(&ui.app);
    for action in [
        Action::BindStage,
        Action::CreateAndBind,
        Action::BindSubject,
        Action::NextTab,
    ] {
        assert!(offered.contains(&action), "{action:?} in {offered:?}");
    }
    assert!(!offered.contains(&Action::Palette));
    ui.keys(":bind an existing stage<Enter>");
    assert_eq!(ui.form().title, "Bind existing stage");
}

#[test]
fn goto_keys_switch_pages_from_anywhere() {
    let mut ui = Ui::demo();
    for (key, page) in [
        ("2", Page::Stages),
        ("3", Page::Policies),
        ("4", Page::Users),
        ("5", Page::Groups),
        ("1", Page::Flows),
    ] {
        assert!(ui.keys(key).is_empty());
        assert_eq!(ui.page(), Some(page));
    }
    ui.open_flow(AUTH_FLOW);
    ui.keys("4");
    assert_eq!(ui.page(), Some(Page::Users), "from a flow page too");
    // Each list keeps its selection.
    ui.keys("jj2j4");
    assert_eq!(ui.app.list(Page::Users).selected, 2);
    assert_eq!(ui.app.list(Page::Stages).selected, 1);
}

#[test]
fn esc_closes_the_dialog_then_clears_the_filter_then_leaves_the_flow_page() {
    let mut ui = Ui::demo();
    // A dialog closes and nothing changes.
    let before = ui.doc().clone();
    ui.keys("5n");
    assert!(!ui.app.modals.is_empty());
    ui.keys("ops<Esc>");
    assert!(ui.app.modals.is_empty());
    assert_eq!(*ui.doc(), before);
    assert_eq!(status(&ui), "cancelled: nothing changed");

    // A kept filter is cleared by Esc.
    ui.keys("1/source<Enter>");
    assert_eq!(ui.app.list(Page::Flows).filter, "source");
    assert!(!ui.app.list(Page::Flows).filtering);
    assert!(ui.keys("<Esc>").is_empty());
    assert_eq!(ui.app.list(Page::Flows).filter, "");
    assert_eq!(ui.app.list(Page::Flows).rows.len(), 12);

    // A flow page is left for the Flows list.
    ui.open_flow(AUTH_FLOW);
    assert!(ui.keys("<Esc>").is_empty());
    assert_eq!(ui.page(), Some(Page::Flows));

    // On a top-level page with nothing to close, Esc does nothing (it never quits).
    assert!(ui.keys("<Esc><Esc>").is_empty());
    assert_eq!(ui.page(), Some(Page::Flows));
}

#[test]
fn q_quits_only_from_a_top_level_page_without_a_dialog() {
    let mut ui = Ui::demo();
    for page in ["1", "2", "3", "4", "5"] {
        ui.keys(page);
        assert_eq!(ui.keys("q"), vec![Effect::Quit], "q on page {page}");
    }
    // On a flow page q goes back first.
    ui.open_flow(AUTH_FLOW);
    assert!(ui.keys("q").is_empty());
    assert_eq!(ui.page(), Some(Page::Flows));
    assert_eq!(ui.keys("q"), vec![Effect::Quit]);

    // With a filter kept, q still quits (Esc is what clears it).
    ui.keys("/auth<Enter>");
    assert_eq!(ui.keys("q"), vec![Effect::Quit]);
    ui.keys("<Esc>");

    // While a dialog is open, q never quits.
    let before = ui.doc().clone();
    ui.keys("n"); // create flow: focus on the Name text field
    assert!(ui.keys("q").is_empty());
    assert_eq!(ui.field("name"), &FieldValue::Text("q".into()), "typed");
    ui.keys("<Tab><Tab><Tab>"); // Designation, a choice: q is not text
    assert!(ui.keys("q").is_empty());
    assert!(matches!(ui.app.modals.last(), Some(Modal::Dialog(_))));
    ui.keys("<Esc>");

    ui.keys("d"); // a confirmation
    assert!(ui.keys("q").is_empty());
    assert!(matches!(ui.app.modals.last(), Some(Modal::Confirm(_))));
    ui.keys("<Esc>");

    ui.keys("2n"); // the type picker: q filters
    assert!(ui.keys("q").is_empty());
    assert!(matches!(ui.app.modals.last(), Some(Modal::Types(t)) if t.query == "q"));
    ui.keys("<Esc>");

    ui.keys(":"); // the palette: q filters
    assert!(ui.keys("q").is_empty());
    assert!(matches!(ui.app.modals.last(), Some(Modal::Palette(p)) if p.query == "q"));
    ui.keys("<Esc>");

    ui.keys("?"); // help: q closes help, and only help
    assert!(ui.keys("q").is_empty());
    assert!(ui.app.modals.is_empty());
    assert_eq!(ui.page(), Some(Page::Stages));
    assert_eq!(*ui.doc(), before);
}

#[test]
fn ctrl_c_quits_at_once_even_with_a_dialog_open() {
    let mut ui = Ui::demo();
    assert_eq!(ui.keys("<C-c>"), vec![Effect::Quit]);
    ui.keys("n");
    assert_eq!(ui.keys("<C-c>"), vec![Effect::Quit]);
    ui.keys("<Esc>");
    ui.open_flow(AUTH_FLOW);
    ui.keys("b");
    assert_eq!(ui.keys("<C-c>"), vec![Effect::Quit]);
    // force_quit through update as well.
    assert_eq!(update(&mut ui.app, Action::ForceQuit), vec![Effect::Quit]);
}

#[test]
fn undo_and_redo_walk_back_and_forth_across_several_edits() {
    let mut ui = Ui::demo();
    let original = ui.doc().clone();

    // 1: create a group.
    assert_eq!(ui.keys("5nops<Enter>"), vec![Effect::Save]);
    let ops = group_id(ui.doc(), "ops");
    let after_1 = ui.doc().clone();
    // 2: move the maintenance notice up in the authentication flow.
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MAINTENANCE_STAGE);
    assert_eq!(ui.keys("K"), vec![Effect::Save]);
    assert_eq!(plan(ui.doc(), AUTH_FLOW)[0].1, MAINTENANCE_STAGE);
    let after_2 = ui.doc().clone();
    // 3: delete erin.
    ui.keys("4G");
    assert_eq!(ui.keys("dy"), vec![Effect::Save]);
    assert_eq!(ui.doc().users.len(), 4);
    let after_3 = ui.doc().clone();

    let same = |a: &bindery::model::Document, b: &bindery::model::Document| {
        let strip = |d: &bindery::model::Document| {
            // The change log records undo and redo as edits of their own.
            let mut d = d.clone();
            d.generation = 0;
            d.log.clear();
            d
        };
        strip(a) == strip(b)
    };

    assert_eq!(ui.keys("u"), vec![Effect::Save]);
    assert!(same(ui.doc(), &after_2), "erin is back");
    assert!(ui.doc().users.iter().any(|u| u.username == "erin"));
    ui.keys("u");
    assert!(same(ui.doc(), &after_1), "the move is undone");
    assert_eq!(plan(ui.doc(), AUTH_FLOW)[1].1, MAINTENANCE_STAGE);
    ui.keys("u");
    assert!(same(ui.doc(), &original), "the group is gone");
    assert!(ui.doc().groups.get(ops).is_none());

    assert_eq!(ui.keys("<C-r>"), vec![Effect::Save]);
    assert!(same(ui.doc(), &after_1));
    ui.keys("<C-r><C-r>");
    assert!(same(ui.doc(), &after_3));
    assert!(ui.keys("<C-r>").is_empty(), "nothing left to redo");
    assert_eq!(status(&ui), "nothing to redo");

    // What is on disk follows.
    let disk = Store::open(&ui.path()).unwrap();
    assert!(same(disk.doc(), &after_3));
    assert_eq!(ui.app.save, SaveState::Saved);
}

#[test]
fn undo_on_a_fresh_demo_store_has_nothing_to_undo() {
    let mut ui = Ui::demo();
    let before = ui.doc().clone();
    ui.keys("u");
    assert_eq!(
        ui.doc().flows.len(),
        before.flows.len(),
        "the demo survives u"
    );
    assert_eq!(status(&ui), "nothing to undo");
}

// --- Lists -----------------------------------------------------------------------------------

#[test]
fn moves_stay_within_the_list() {
    let mut ui = Ui::demo();
    ui.app.height = 14; // ten table rows on a list page
    let sel = |ui: &Ui| ui.app.list(Page::Flows).selected;
    assert_eq!(ui.app.list(Page::Flows).rows.len(), 12);
    for (keys, expected) in [
        ("k", 0),
        ("<Up>", 0),
        ("j", 1),
        ("<Down>", 2),
        ("G", 11),
        ("j", 11),
        ("g", 0),
        ("<End>", 11),
        ("<Home>", 0),
        ("<PgDn>", 10),
        ("<PgDn>", 11),
        ("<PgUp>", 1),
        ("<PgUp>", 0),
        ("<C-d>", 10),
        ("<C-u>", 0),
    ] {
        ui.keys(keys);
        assert_eq!(sel(&ui), expected, "after {keys}");
    }
    // The Stage Bindings tab moves the same way over its rows.
    ui.open_flow(AUTH_FLOW);
    ui.keys("G");
    assert_eq!(ui.flow_page().stage_rows.selected, 6);
    ui.keys("jjj");
    assert_eq!(ui.flow_page().stage_rows.selected, 6);
    ui.keys("<PgUp>");
    assert_eq!(ui.flow_page().stage_rows.selected, 0);
    // An empty list does not move.
    ui.keys("1/zzzzzz<Enter>jGk<PgDn>");
    assert_eq!(ui.app.list(Page::Flows).rows.len(), 0);
    assert_eq!(ui.app.list(Page::Flows).selected, 0);
}

#[test]
fn filter_narrows_live_enter_keeps_esc_clears() {
    let mut ui = Ui::demo();
    let slugs = |ui: &Ui| -> Vec<String> {
        ui.app
            .list(Page::Flows)
            .rows
            .iter()
            .map(|id| ui.doc().flows.get(*id).unwrap().slug.clone())
            .collect()
    };
    ui.keys("/");
    assert!(ui.app.list(Page::Flows).filtering);
    ui.keys("source");
    assert_eq!(
        slugs(&ui),
        vec![
            "default-source-authentication".to_string(),
            "default-source-enrollment".to_string()
        ]
    );
    // Letters that are keys elsewhere go into the filter while it has the keys.
    assert_eq!(ui.app.list(Page::Flows).filter, "source");
    ui.keys("<BS><BS><BS><BS><BS><BS>enrol");
    assert_eq!(slugs(&ui), vec!["default-source-enrollment".to_string()]);
    ui.keys("<Enter>");
    assert!(!ui.app.list(Page::Flows).filtering);
    assert_eq!(
        ui.app.list(Page::Flows).filter,
        "enrol",
        "Enter keeps the filter"
    );
    assert_eq!(slugs(&ui).len(), 1);
    // The list has the keys again: Enter opens the match.
    ui.keys("<Enter>");
    assert_eq!(
        ui.flow_page().flow,
        flow(ui.doc(), "default-source-enrollment").id
    );
    ui.keys("<Esc>");
    assert_eq!(slugs(&ui).len(), 1, "the filter is kept while away");
    // Esc while typing clears it.
    ui.keys("/xyz<Esc>");
    assert!(!ui.app.list(Page::Flows).filtering);
    assert_eq!(ui.app.list(Page::Flows).filter, "");
    assert_eq!(slugs(&ui).len(), 12);
    // Each page has its own filter.
    ui.keys("2/login<Enter>1");
    assert_eq!(slugs(&ui).len(), 12);
    assert_eq!(ui.app.list(Page::Stages).filter, "login");
}

#[test]
fn open_shows_a_flow_page_or_the_edit_form() {
    let mut ui = Ui::demo();
    ui.keys("j<Enter>");
    assert_eq!(
        ui.flow_page().flow,
        flow(ui.doc(), "default-invalidation-flow").id
    );
    assert_eq!(ui.flow_page().tab, FlowTab::StageBindings);
    // On the Overview tab Enter edits the flow.
    ui.keys("<S-Tab>");
    assert_eq!(ui.flow_page().tab, FlowTab::Overview);
    ui.keys("<Enter>");
    assert_eq!(ui.form().title, "Edit flow default-invalidation-flow");
    ui.keys("<Esc><Esc>");

    for (page_key, title) in [
        (
            "2",
            "Edit TOTP Authenticator Setup Stage default-authenticator-totp-setup",
        ),
        (
            "3",
            "Edit Expression Policy default-authentication-flow-password-stage",
        ),
        ("4", "Edit user alice"),
        ("5", "Edit group staff"),
    ] {
        ui.keys(page_key);
        ui.keys("<Enter>");
        assert_eq!(ui.form().title, title);
        ui.keys("<Esc>");
    }
}

#[test]
fn new_creates_an_object_of_each_page_kind() {
    let mut ui = Ui::demo();
    // Flows: the create-flow form.
    ui.keys("1n");
    assert_eq!(ui.form().title, "Create flow");
    let effects = ui.keys("Test flow<Tab>Testing<Tab>test-flow<Enter>");
    assert_eq!(effects, vec![Effect::Save]);
    assert!(ui.app.modals.is_empty());
    let f = flow(ui.doc(), "test-flow");
    assert_eq!(
        (f.name.as_str(), f.title.as_str()),
        ("Test flow", "Testing")
    );
    let id = f.id;
    assert_eq!(
        ui.app.list(Page::Flows).selected_id(),
        Some(id),
        "the new flow is selected"
    );

    // Stages: a type picker, then the type's form.
    ui.keys("2n");
    match ui.app.modals.last() {
        Some(Modal::Types(t)) => assert_eq!(t.choice, TypeChoice::Stage { bind_to: None }),
        other => panic!("{other:?}"),
    }
    ui.keys("dummy<Enter>");
    assert_eq!(ui.form().title, "Create Dummy Stage");
    ui.keys("my-dummy<Enter>");
    let id = stage_id(ui.doc(), "my-dummy");
    assert_eq!(ui.doc().stages.get(id).unwrap().kind.short(), "dummy");
    assert!(ui.doc().stage_bindings.iter().all(|b| b.stage != id));
    assert_eq!(ui.app.list(Page::Stages).selected_id(), Some(id));

    // Policies: a type picker too; Up/Down move in it.
    ui.keys("3n");
    match ui.app.modals.last() {
        Some(Modal::Types(t)) => assert_eq!(t.choice, TypeChoice::Policy),
        other => panic!("{other:?}"),
    }
    ui.keys("<Down><Down><Up><Enter>");
    assert_eq!(ui.form().title, "Create Password Policy");
    ui.keys("<Esc>3ndummy<Enter>");
    assert_eq!(ui.form().title, "Create Dummy Policy");
    ui.keys("always<Enter>");
    assert_eq!(
        ui.doc()
            .policies
            .get(policy_id(ui.doc(), "always"))
            .unwrap()
            .kind
            .short(),
        "dummy"
    );

    // Users and groups: their forms straight away.
    ui.keys("4n");
    assert_eq!(ui.form().title, "Create user");
    ui.keys("zed<Tab>Zed Zero<Enter>");
    let u = ui.doc().users.get(user_id(ui.doc(), "zed")).unwrap();
    assert_eq!(u.name, "Zed Zero");
    ui.keys("5n");
    assert_eq!(ui.form().title, "Create group");
    ui.keys("ops<Enter>");
    group_id(ui.doc(), "ops");

    // Everything is on disk.
    let disk = Store::open(&ui.path()).unwrap();
    assert_eq!(disk.doc().flows.len(), 13);
    assert_eq!(disk.doc().stages.len(), 21);
    assert_eq!(disk.doc().policies.len(), 6);
    assert_eq!(disk.doc().users.len(), 6);
    assert_eq!(disk.doc().groups.len(), 6);
}

#[test]
fn new_on_a_flow_page_outside_stage_bindings_does_nothing() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.keys("<S-Tab>"); // Overview
    assert!(ui.keys("n").is_empty());
    assert!(ui.app.modals.is_empty());
}

#[test]
fn edit_changes_the_selected_object_in_place() {
    let mut ui = Ui::demo();
    let staff = group_id(ui.doc(), "staff");
    ui.keys("5");
    ui.select_in(Page::Groups, staff);
    ui.keys("e");
    assert_eq!(ui.form().title, "Edit group staff");
    assert_eq!(
        ui.keys("<BS><BS><BS><BS><BS>employees<Enter>"),
        vec![Effect::Save]
    );
    let g = ui.doc().groups.get(staff).unwrap();
    assert_eq!(g.name, "employees");
    assert_eq!(ui.app.list(Page::Groups).selected_id(), Some(staff));
    // The users that were members still are.
    assert!(
        ui.doc()
            .users
            .get(user_id(ui.doc(), "dave"))
            .unwrap()
            .groups
            .contains(&staff)
    );
}

#[test]
fn delete_lists_the_cascade_and_only_y_confirms() {
    let mut ui = Ui::demo();
    let mfa = stage_id(ui.doc(), MFA_STAGE);
    let mfa_binding = binding(ui.doc(), AUTH_FLOW, MFA_STAGE).id;
    let before = ui.doc().clone();
    ui.keys("2");
    ui.select_in(Page::Stages, mfa);
    assert!(ui.keys("d").is_empty());
    let lines = confirm_lines(&ui);
    assert_eq!(
        lines,
        vec![
            format!("unbinds stage '{MFA_STAGE}' from flow '{AUTH_FLOW}' (order 30)"),
            format!(
                "removes the binding of group 'admins' on the binding of stage '{MFA_STAGE}' in flow '{AUTH_FLOW}' at order 0"
            ),
        ]
    );
    // d again is not a confirmation.
    assert!(ui.keys("d").is_empty());
    assert!(matches!(ui.app.modals.last(), Some(Modal::Confirm(_))));
    assert_eq!(*ui.doc(), before);
    // n cancels.
    assert!(ui.keys("n").is_empty());
    assert!(ui.app.modals.is_empty());
    assert_eq!(*ui.doc(), before);
    // Esc cancels.
    ui.keys("d<Esc>");
    assert!(ui.app.modals.is_empty());
    assert_eq!(*ui.doc(), before);
    // y deletes the stage and everything with it.
    assert_eq!(ui.keys("dy"), vec![Effect::Save]);
    assert!(ui.doc().stages.get(mfa).is_none());
    assert!(ui.doc().stage_bindings.get(mfa_binding).is_none());
    assert!(ui.doc().policy_bindings_of(mfa_binding).is_empty());
    assert_eq!(
        ui.doc().policy_bindings.len(),
        before.policy_bindings.len() - 1
    );
    assert_eq!(ui.doc().stages.len(), 19);
    let disk = Store::open(&ui.path()).unwrap();
    assert!(disk.doc().stages.get(mfa).is_none());
}

#[test]
fn deleting_a_flow_names_its_bindings_and_returns_to_an_updated_list() {
    let mut ui = Ui::demo();
    let id = flow(ui.doc(), AUTH_FLOW).id;
    ui.keys("d");
    let lines = confirm_lines(&ui);
    assert_eq!(
        lines[0],
        format!(
            "unbinds stage 'default-authentication-identification' from flow '{AUTH_FLOW}' (order 10)"
        )
    );
    // 7 stage bindings and the 6 policy, group and user bindings on them.
    assert_eq!(lines.len(), 7 + 6, "{lines:#?}");
    for stage in [MFA_STAGE, MAINTENANCE_STAGE, PASSWORD_STAGE] {
        assert!(
            lines.iter().any(|l| l.contains(stage)),
            "{stage} in {lines:#?}"
        );
    }
    ui.keys("y");
    assert!(ui.doc().flows.get(id).is_none());
    assert!(ui.doc().stage_bindings.iter().all(|b| b.target != id));
    assert_eq!(ui.app.list(Page::Flows).rows.len(), 11);
    // The stages themselves stay.
    stage_id(ui.doc(), MFA_STAGE);
}

// --- Flow page -------------------------------------------------------------------------------

#[test]
fn tabs_cycle_both_ways() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    let tab = |ui: &Ui| ui.flow_page().tab;
    assert_eq!(tab(&ui), FlowTab::StageBindings);
    for (key, expected) in [
        ("<Tab>", FlowTab::FlowBindings),
        ("<Tab>", FlowTab::Simulate),
        ("<Tab>", FlowTab::Export),
        ("<Tab>", FlowTab::Overview),
        ("<Tab>", FlowTab::StageBindings),
        ("<S-Tab>", FlowTab::Overview),
        ("<S-Tab>", FlowTab::Export),
        ("[", FlowTab::Simulate),
        ("]", FlowTab::Export),
    ] {
        assert!(ui.keys(key).is_empty());
        assert_eq!(tab(&ui), expected, "after {key}");
    }
    // Tabs mean nothing on a list page.
    ui.keys("1<Tab>");
    assert_eq!(ui.page(), Some(Page::Flows));
}

#[test]
fn expand_shows_children_then_moves_into_them_and_collapse_goes_back() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MFA_STAGE);
    let parent = binding(ui.doc(), AUTH_FLOW, MFA_STAGE).id;
    let child = ui.doc().policy_bindings_of(parent)[0].id;
    assert!(ui.screen(100, 30).contains("> 30"));

    ui.keys("l");
    assert!(ui.flow_page().expanded.contains(&parent));
    assert_eq!(ui.selected_row(), BindingRow::Stage(parent), "stays on it");
    assert_eq!(ui.flow_page().binding_rows.len(), 8, "one more row");
    let text = ui.screen(100, 30);
    assert!(text.contains("v 30"), "caret turns: {text}");
    assert!(text.contains("Group admins"), "{text}");

    // Expanding an expanded binding moves into its first binding.
    ui.keys("<Right>");
    assert_eq!(ui.selected_row(), BindingRow::Policy { parent, id: child });
    // Expanding a child does nothing.
    ui.keys("<Space>");
    assert_eq!(ui.selected_row(), BindingRow::Policy { parent, id: child });

    // Collapse from the child goes back to the parent, which stays expanded.
    ui.keys("h");
    assert_eq!(ui.selected_row(), BindingRow::Stage(parent));
    assert!(ui.flow_page().expanded.contains(&parent));
    // Collapse on the parent collapses it.
    ui.keys("<Left>");
    assert!(!ui.flow_page().expanded.contains(&parent));
    assert_eq!(ui.flow_page().binding_rows.len(), 7);
    assert!(ui.screen(100, 30).contains("> 30"));

    // A binding with nothing under it expands to a row that says so, and stays selected.
    ui.select_stage_row("default-authentication-identification");
    ui.keys("ll");
    let first = ui.flow_page().binding_rows[0];
    assert_eq!(ui.flow_page().binding_rows.len(), 8);
    assert_eq!(
        ui.flow_page().binding_rows[1],
        BindingRow::NoBindings {
            parent: bindery::tui::app::row_id(first)
        }
    );
    assert_eq!(ui.flow_page().stage_rows.selected, 0);
    assert!(
        ui.screen(100, 30).contains("no bindings — b binds one"),
        "{}",
        ui.screen(100, 30)
    );
    // On that row, `b` binds to its stage binding, and `h` goes back to it.
    ui.keys("j");
    assert_eq!(
        ui.selected_row(),
        BindingRow::NoBindings {
            parent: bindery::tui::app::row_id(first)
        }
    );
    ui.keys("b");
    assert!(
        ui.form().title.starts_with("Create binding"),
        "{}",
        ui.form().title
    );
    ui.keys("<Esc>h");
    assert_eq!(ui.selected_row(), first);
}

#[test]
fn bind_existing_stage_uses_the_next_free_order() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.keys("a");
    assert_eq!(ui.form().title, "Bind existing stage");
    assert_eq!(ui.field("order"), &FieldValue::Number("110".into()));
    assert_eq!(ui.focused().key, "stage", "focus on the drop-down");
    ui.keys("static");
    assert_eq!(ui.keys("<Enter>"), vec![Effect::Save]);
    let new = binding(ui.doc(), AUTH_FLOW, "default-authenticator-static-setup");
    assert_eq!(new.order, 110);
    assert!(!new.evaluate_on_plan && new.re_evaluate_policies);
    let id = new.id;
    assert_eq!(ui.selected_row(), BindingRow::Stage(id), "new row selected");
    assert_eq!(
        plan(ui.doc(), AUTH_FLOW).last().unwrap(),
        &(110, "default-authenticator-static-setup".to_string())
    );
}

#[test]
fn create_and_bind_picks_a_type_then_fills_stage_and_binding() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    let flow_id = flow(ui.doc(), AUTH_FLOW).id;
    ui.keys("n");
    match ui.app.modals.last() {
        Some(Modal::Types(t)) => assert_eq!(
            t.choice,
            TypeChoice::Stage {
                bind_to: Some(flow_id)
            }
        ),
        other => panic!("{other:?}"),
    }
    ui.keys("deny<Enter>");
    assert_eq!(ui.form().title, "Create Deny Stage");
    let binding_order = match ui.dialog() {
        Dialog::Stage(dialog) => &dialog.binding_field("order").expect("binding fields").value,
        other => panic!("{other:?}"),
    };
    assert_eq!(binding_order, &FieldValue::Number("110".into()));
    ui.keys("closed");
    // Go to the binding's "Evaluate when flow is planned" and switch it on.
    while ui.focused().key != "evaluate_on_plan" {
        ui.keys("<Tab>");
    }
    ui.keys("<Space>");
    assert_eq!(ui.keys("<Enter>"), vec![Effect::Save]);
    let stage = stage_id(ui.doc(), "closed");
    assert_eq!(ui.doc().stages.get(stage).unwrap().kind.short(), "deny");
    let b = binding(ui.doc(), AUTH_FLOW, "closed");
    assert_eq!(b.order, 110);
    assert!(b.evaluate_on_plan);
    // One step in the history: undo removes both.
    ui.keys("u");
    assert!(ui.doc().stages.iter().all(|s| s.name != "closed"));
    assert_eq!(plan(ui.doc(), AUTH_FLOW).len(), 7);
}

#[test]
fn create_and_bind_selects_the_new_binding() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.keys("ndeny<Enter>closed<Enter>");
    let b = binding(ui.doc(), AUTH_FLOW, "closed").id;
    assert_eq!(ui.selected_row(), BindingRow::Stage(b));
}

#[test]
fn bind_subject_tabs_change_the_drop_down_and_enter_creates_the_binding() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MFA_STAGE);
    let parent = binding(ui.doc(), AUTH_FLOW, MFA_STAGE).id;
    ui.keys("b");
    assert_eq!(ui.form().title, "Create binding");
    assert!(ui.binding_dialog().focus_is_kind(), "focus on the tab row");
    let labels = |ui: &Ui| -> Vec<String> {
        match &ui.binding_dialog().subject_field().value {
            FieldValue::Pick { items, .. } => items.iter().map(|(_, l)| l.clone()).collect(),
            other => panic!("{other:?}"),
        }
    };
    // authentik's drop-down starts empty: Enter now binds nothing, and says so.
    assert_eq!(
        labels(&ui)[..2],
        ["(choose a policy)", "+ create a new policy…"]
    );
    assert_eq!(labels(&ui).len(), 7, "the two choices and 5 policies");
    assert!(labels(&ui).contains(&"demo-maintenance-window".to_string()));
    assert_eq!(ui.field("order"), &FieldValue::Number("10".into()));
    let before = ui.doc().policy_bindings.len();
    assert_eq!(ui.keys("<Enter>"), vec![]);
    assert_eq!(ui.form().error.as_deref(), Some("choose what to bind"));
    assert_eq!(ui.doc().policy_bindings.len(), before);
    // The dialog says what it binds to.
    let text = ui.screen(120, 40);
    assert!(
        text.contains(&format!("On the binding of stage '{MFA_STAGE}'")),
        "{text}"
    );

    ui.keys("<Right>");
    assert_eq!(ui.binding_dialog().subject_field().label, "Group");
    assert_eq!(
        labels(&ui),
        vec![
            "(choose a group)",
            "staff",
            "admins",
            "engineering",
            "platform-team",
            "contractors"
        ]
    );
    ui.keys("<Right>");
    assert_eq!(ui.binding_dialog().subject_field().label, "User");
    assert_eq!(
        labels(&ui),
        vec!["(choose a user)", "alice", "bob", "carol", "dave", "erin"]
    );
    ui.keys("<Left>");
    assert_eq!(ui.binding_dialog().subject_field().label, "Group");

    // Typing filters the drop-down; the highlighted match is taken.
    ui.keys("<Tab>platf");
    let text = ui.screen(100, 30);
    assert!(text.contains("> platform-team"), "{text}");
    assert_eq!(ui.keys("<Enter>"), vec![Effect::Save]);
    let platform = group_id(ui.doc(), "platform-team");
    assert_eq!(
        bindings_on(ui.doc(), Target::StageBinding(parent)),
        vec![
            (0, Subject::Group(group_id(ui.doc(), "admins"))),
            (10, Subject::Group(platform))
        ]
    );
    // Shown under its expanded stage binding, selected.
    assert!(ui.flow_page().expanded.contains(&parent));
    let new = ui.doc().policy_bindings_of(parent)[1].id;
    assert_eq!(ui.selected_row(), BindingRow::Policy { parent, id: new });
}

#[test]
fn bind_subject_on_a_child_row_binds_to_its_stage_binding() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MFA_STAGE);
    let parent = binding(ui.doc(), AUTH_FLOW, MFA_STAGE).id;
    ui.keys("ll"); // into the admins binding
    ui.keys("b<Right><Right><Tab>bob<Enter>");
    assert!(
        bindings_on(ui.doc(), Target::StageBinding(parent))
            .contains(&(10, Subject::User(user_id(ui.doc(), "bob"))))
    );
}

#[test]
fn a_group_binding_evaluated_at_plan_time_in_an_authentication_flow_warns() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    let note = |ui: &Ui| -> String { ui.binding_dialog().warning().to_string() };
    // The maintenance notice is evaluated when the flow is planned.
    ui.select_stage_row(MAINTENANCE_STAGE);
    assert!(binding(ui.doc(), AUTH_FLOW, MAINTENANCE_STAGE).evaluate_on_plan);
    ui.keys("b");
    assert_eq!(note(&ui), "", "no warning for a policy");
    ui.keys("<Right>");
    assert!(note(&ui).contains("never matches"), "{}", note(&ui));
    assert!(note(&ui).starts_with("Warning"));
    ui.keys("<Right>");
    assert!(note(&ui).contains("never matches"), "users too");
    ui.keys("<Right>");
    assert_eq!(note(&ui), "", "back on Policy");
    ui.keys("<Esc>");

    // The MFA binding is evaluated when run: no warning.
    ui.select_stage_row(MFA_STAGE);
    ui.keys("b<Right>");
    assert_eq!(note(&ui), "");
    ui.keys("<Esc>");

    // The flow's own bindings of an authentication flow are evaluated at plan time.
    ui.keys("<Tab>b<Right>");
    assert!(note(&ui).contains("never matches"));
    ui.keys("<Esc>");

    // Not in a flow that requires authentication.
    ui.keys("<Esc>");
    ui.open_flow("default-password-change");
    ui.keys("<Tab>b<Right>");
    assert_eq!(note(&ui), "");
}

#[test]
fn edit_binding_opens_the_stage_binding_or_the_policy_binding_form() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(PASSWORD_STAGE);
    let parent = binding(ui.doc(), AUTH_FLOW, PASSWORD_STAGE).id;
    ui.keys("e");
    assert_eq!(ui.form().title, format!("Edit binding of {PASSWORD_STAGE}"));
    assert_eq!(ui.focused().key, "order");
    ui.keys("<BS><BS>25<Tab><Space>");
    assert_eq!(ui.keys("<Enter>"), vec![Effect::Save]);
    let b = ui.doc().stage_bindings.get(parent).unwrap();
    assert_eq!(b.order, 25);
    assert!(b.evaluate_on_plan);

    // On a policy binding under it: the binding's own form.
    ui.keys("ll");
    let child = ui.doc().policy_bindings_of(parent)[0].id;
    assert_eq!(ui.selected_row(), BindingRow::Policy { parent, id: child });
    ui.keys("e");
    assert_eq!(ui.form().title, "Edit binding");
    match &ui.binding_dialog().subject_field().value {
        FieldValue::Pick {
            items, highlighted, ..
        } => assert_eq!(
            items[*highlighted].1,
            "default-authentication-flow-password-stage"
        ),
        other => panic!("{other:?}"),
    }
    while ui.focused().key != "negate" {
        ui.keys("<Tab>");
    }
    ui.keys("<Space><Enter>");
    let pb = ui.doc().policy_bindings.get(child).unwrap();
    assert!(pb.negate);
    assert!(pb.failure_result, "untouched fields keep their values");
}

#[test]
fn edit_stage_opens_the_bound_stage_from_a_binding_or_a_child_row() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(PASSWORD_STAGE);
    let stage = stage_id(ui.doc(), PASSWORD_STAGE);
    ui.keys("E");
    assert_eq!(
        ui.form().title,
        format!("Edit Password Stage {PASSWORD_STAGE}")
    );
    while ui.focused().key != "failed_attempts_before_cancel" {
        ui.keys("<Tab>");
    }
    assert_eq!(ui.focused().value, FieldValue::Number("5".into()));
    ui.keys("<BS>7<Enter>");
    let settings = ui.doc().stages.get(stage).unwrap().kind.settings_value();
    assert_eq!(settings["failed_attempts_before_cancel"], 7);

    ui.keys("ll"); // onto the policy binding under it
    assert!(matches!(ui.selected_row(), BindingRow::Policy { .. }));
    ui.keys("E");
    assert_eq!(
        ui.form().title,
        format!("Edit Password Stage {PASSWORD_STAGE}")
    );
}

#[test]
fn move_up_and_down_swap_orders_and_keep_the_selection() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MAINTENANCE_STAGE);
    let id = binding(ui.doc(), AUTH_FLOW, MAINTENANCE_STAGE).id;
    assert_eq!(ui.keys("K"), vec![Effect::Save]);
    assert_eq!(
        plan(ui.doc(), AUTH_FLOW)[..2],
        [
            (10, MAINTENANCE_STAGE.to_string()),
            (15, "default-authentication-identification".to_string())
        ]
    );
    assert_eq!(
        ui.selected_row(),
        BindingRow::Stage(id),
        "the selection follows"
    );
    assert_eq!(ui.flow_page().stage_rows.selected, 0);

    // Already first: nothing changes and the status says why.
    let before = ui.doc().clone();
    assert!(ui.keys("K").is_empty());
    assert_eq!(*ui.doc(), before);
    assert_eq!(ui.app.status.as_ref().unwrap().kind, StatusKind::Error);
    assert!(status(&ui).contains("already first"), "{}", status(&ui));

    ui.keys("J");
    assert_eq!(
        plan(ui.doc(), AUTH_FLOW)[1],
        (15, MAINTENANCE_STAGE.to_string())
    );
    ui.keys("GJ");
    assert!(status(&ui).contains("already last"), "{}", status(&ui));
}

#[test]
fn moving_into_a_tie_renumbers_the_siblings() {
    let mut ui = Ui::demo();
    let slug = "default-source-enrollment";
    ui.open_flow(slug);
    // Make a tie: the login stage's order 2 becomes 1, the same as the write stage's.
    ui.select_stage_row("default-source-enrollment-login");
    ui.keys("e<BS>1<Enter>");
    assert_eq!(
        plan(ui.doc(), slug),
        vec![
            (0, "default-source-enrollment-prompt".to_string()),
            (1, "default-source-enrollment-write".to_string()),
            (1, "default-source-enrollment-login".to_string()),
        ]
    );
    assert_eq!(ui.flow_page().stage_rows.selected, 2);
    ui.keys("K");
    assert_eq!(
        plan(ui.doc(), slug),
        vec![
            (10, "default-source-enrollment-prompt".to_string()),
            (20, "default-source-enrollment-login".to_string()),
            (30, "default-source-enrollment-write".to_string()),
        ]
    );
    assert_eq!(ui.flow_page().stage_rows.selected, 1);
    // One undo restores every number.
    ui.keys("u");
    assert_eq!(
        plan(ui.doc(), slug)[2],
        (1, "default-source-enrollment-login".into())
    );
}

#[test]
fn move_works_on_policy_bindings_under_a_stage_binding() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row("demo-passkey-reminder");
    let parent = binding(ui.doc(), AUTH_FLOW, "demo-passkey-reminder").id;
    let engineering = Subject::Group(group_id(ui.doc(), "engineering"));
    let office = Subject::Policy(policy_id(ui.doc(), "demo-from-office-network"));
    assert_eq!(
        bindings_on(ui.doc(), Target::StageBinding(parent)),
        vec![(0, engineering), (10, office)]
    );
    ui.keys("ll");
    let moved = ui.doc().policy_bindings_of(parent)[0].id;
    ui.keys("J");
    assert_eq!(
        bindings_on(ui.doc(), Target::StageBinding(parent)),
        vec![(0, office), (10, engineering)]
    );
    assert_eq!(
        ui.selected_row(),
        BindingRow::Policy { parent, id: moved },
        "the selection follows"
    );
}

#[test]
fn unbind_removes_the_binding_and_what_hangs_on_it_but_not_the_stage() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MFA_STAGE);
    let mfa = binding(ui.doc(), AUTH_FLOW, MFA_STAGE).id;
    ui.keys("d");
    assert_eq!(
        confirm_lines(&ui),
        vec![format!(
            "removes the binding of group 'admins' on the binding of stage '{MFA_STAGE}' in flow '{AUTH_FLOW}' at order 0"
        )]
    );
    ui.keys("n");
    assert!(ui.doc().stage_bindings.get(mfa).is_some());
    assert_eq!(ui.keys("dy"), vec![Effect::Save]);
    assert!(ui.doc().stage_bindings.get(mfa).is_none());
    assert!(ui.doc().policy_bindings_of(mfa).is_empty());
    stage_id(ui.doc(), MFA_STAGE);
    assert_eq!(plan(ui.doc(), AUTH_FLOW).len(), 6);
    assert_eq!(ui.flow_page().binding_rows.len(), 6);

    // A child row: only that binding goes.
    ui.select_stage_row("demo-passkey-reminder");
    let parent = binding(ui.doc(), AUTH_FLOW, "demo-passkey-reminder").id;
    ui.keys("lld");
    assert_eq!(confirm_lines(&ui).len(), 1);
    ui.keys("y");
    assert_eq!(ui.doc().policy_bindings_of(parent).len(), 1);
    assert!(ui.doc().stage_bindings.get(parent).is_some());
}

#[test]
fn the_flow_bindings_tab_binds_moves_edits_and_unbinds() {
    let mut ui = Ui::demo();
    let slug = "default-source-authentication";
    ui.open_flow(slug);
    let target = Target::Flow(flow(ui.doc(), slug).id);
    ui.keys("<Tab>");
    assert_eq!(ui.flow_page().tab, FlowTab::FlowBindings);
    assert_eq!(ui.flow_page().flow_rows.rows.len(), 1);
    ui.keys("b");
    assert_eq!(ui.form().title, "Create binding");
    ui.keys("<Right><Tab>staff<Enter>");
    let staff = Subject::Group(group_id(ui.doc(), "staff"));
    let sso = Subject::Policy(policy_id(ui.doc(), "default-source-authentication-if-sso"));
    assert_eq!(bindings_on(ui.doc(), target), vec![(0, sso), (10, staff)]);
    let new = ui.doc().policy_bindings_of(target.id())[1].id;
    assert_eq!(ui.flow_page().flow_rows.selected_id(), Some(new));
    ui.keys("K");
    assert_eq!(bindings_on(ui.doc(), target), vec![(0, staff), (10, sso)]);
    assert_eq!(ui.flow_page().flow_rows.selected_id(), Some(new));
    ui.keys("e");
    assert_eq!(ui.form().title, "Edit binding");
    while ui.focused().key != "enabled" {
        ui.keys("<Tab>");
    }
    ui.keys("<Space><Enter>");
    assert!(!ui.doc().policy_bindings.get(new).unwrap().enabled);
    ui.keys("dy");
    assert_eq!(bindings_on(ui.doc(), target), vec![(10, sso)]);
}

#[test]
fn stage_binding_actions_without_rows_do_nothing_harmful() {
    let mut ui = Ui::demo();
    // A flow with no stage bindings.
    ui.keys("1nEmpty<Tab>Empty<Tab>empty<Enter><Enter>");
    assert_eq!(ui.flow_page().binding_rows.len(), 0);
    let before = ui.doc().clone();
    for key in ["l", "h", "K", "J", "d", "e", "E", "j", "G"] {
        ui.keys(key);
        assert!(ui.app.modals.is_empty(), "{key} opened something");
    }
    ui.keys("b");
    assert!(ui.app.modals.is_empty());
    assert!(status(&ui).contains("select a stage binding first"));
    assert_eq!(*ui.doc(), before);
}

// --- Forms -----------------------------------------------------------------------------------

#[test]
fn tab_and_shift_tab_move_focus_and_wrap() {
    let mut ui = Ui::demo();
    ui.keys("n");
    let keys: Vec<String> = ui.form().fields.iter().map(|f| f.key.clone()).collect();
    assert_eq!(ui.focused().key, "name");
    for expected in keys.iter().skip(1) {
        ui.keys("<Tab>");
        assert_eq!(&ui.focused().key, expected);
    }
    ui.keys("<Tab>");
    assert_eq!(ui.focused().key, "name", "wraps to the first");
    ui.keys("<S-Tab>");
    assert_eq!(&ui.focused().key, keys.last().unwrap(), "and back");
    // Up and Down move focus outside drop-downs.
    ui.keys("<Down>");
    assert_eq!(ui.focused().key, "name");
    ui.keys("<Up>");
    assert_eq!(&ui.focused().key, keys.last().unwrap());
    // Notes are skipped: create-and-bind has a "Binding" note between the parts.
    ui.keys("<Esc>");
    ui.open_flow(AUTH_FLOW);
    ui.keys("ndummy<Enter>");
    let form = ui.form().clone();
    let note = form
        .fields
        .iter()
        .position(|f| matches!(f.value, FieldValue::Note(_)))
        .unwrap();
    for _ in 0..form.fields.len() * 2 {
        ui.keys("<Tab>");
        assert_ne!(ui.form().focus, note);
    }
}

#[test]
fn left_and_right_switch_choices_and_wrap() {
    let mut ui = Ui::demo();
    ui.keys("n<Tab><Tab><Tab>");
    assert_eq!(ui.focused().key, "designation");
    let chosen = |ui: &Ui| match ui.field("designation") {
        FieldValue::Choice { options, index } => options[*index].clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(chosen(&ui), "authentication");
    ui.keys("<Right>");
    assert_eq!(chosen(&ui), "authorization");
    ui.keys("<Left><Left>");
    let FieldValue::Choice { options, .. } = ui.field("designation").clone() else {
        unreachable!()
    };
    assert_eq!(&chosen(&ui), options.last().unwrap(), "wraps around");
    // Space on a choice switches it too.
    ui.keys("<Space>");
    assert_eq!(chosen(&ui), "authentication");
    // Left/Right in a text field change nothing.
    ui.keys("<S-Tab><S-Tab><S-Tab>abc<Left><Right>");
    assert_eq!(ui.field("name"), &FieldValue::Text("abc".into()));
}

#[test]
fn space_toggles_a_switch_and_types_a_space_in_text() {
    let mut ui = Ui::demo();
    ui.keys("n");
    while ui.focused().key != "compatibility_mode" {
        ui.keys("<Tab>");
    }
    assert_eq!(ui.focused().value, FieldValue::Toggle(false));
    ui.keys("<Space>");
    assert_eq!(ui.focused().value, FieldValue::Toggle(true));
    ui.keys("<Space>");
    assert_eq!(ui.focused().value, FieldValue::Toggle(false));
    ui.keys("<Right>");
    assert_eq!(
        ui.focused().value,
        FieldValue::Toggle(true),
        "Right flips too"
    );
    ui.keys("<Tab>a<Space>b");
    assert_eq!(ui.field("background"), &FieldValue::Text("a b".into()));
}

#[test]
fn text_and_number_fields_take_what_fits() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(PASSWORD_STAGE);
    ui.keys("e");
    assert_eq!(ui.focused().key, "order");
    ui.keys("<BS><BS>");
    assert_eq!(ui.focused().value, FieldValue::Number(String::new()));
    ui.keys("-1a2b.3 x");
    assert_eq!(
        ui.focused().value,
        FieldValue::Number("-123".into()),
        "letters, dots and spaces are refused; '-' only first"
    );
    ui.keys("-");
    assert_eq!(ui.focused().value, FieldValue::Number("-123".into()));
    // Text takes anything, including keys bound elsewhere.
    ui.keys("<Esc>");
    ui.keys("4n");
    ui.keys("jk:q?/G1");
    assert_eq!(ui.field("username"), &FieldValue::Text("jk:q?/G1".into()));
    ui.keys("<BS><BS>");
    assert_eq!(ui.field("username"), &FieldValue::Text("jk:q?/".into()));
}

#[test]
fn a_refused_submit_keeps_the_dialog_open_with_the_error() {
    let mut ui = Ui::demo();
    let before = ui.doc().clone();
    ui.keys("2ndummy<Enter>demo-passkey-reminder");
    assert!(ui.keys("<Enter>").is_empty(), "nothing to save");
    assert_eq!(ui.form().title, "Create Dummy Stage", "still open");
    let error = ui.form().error.clone().expect("an error");
    assert!(error.contains("already exists"), "{error}");
    assert!(ui.screen(80, 24).contains("already exists"));
    assert_eq!(*ui.doc(), before);
    // Fixing the value and submitting again works.
    ui.keys("-2<Enter>");
    assert!(ui.app.modals.is_empty());
    stage_id(ui.doc(), "demo-passkey-reminder-2");

    // An empty name and a bad slug are refused too.
    ui.keys("2ndummy<Enter><Enter>");
    assert!(ui.form().error.as_deref().unwrap().contains("name"));
    ui.keys("<Esc>1nX<Tab>X<Tab>not a slug!<Enter>");
    assert!(
        ui.form().error.as_deref().unwrap().contains("slug"),
        "{:?}",
        ui.form().error
    );
    // An empty number is refused with the field's label.
    ui.keys("<Esc>");
    ui.open_flow(AUTH_FLOW);
    ui.keys("e<BS><BS><Enter>");
    assert!(
        ui.form().error.as_deref().unwrap().contains("Order"),
        "{:?}",
        ui.form().error
    );
}

#[test]
fn ctrl_s_submits_from_a_multi_line_field_where_enter_is_a_new_line() {
    let mut ui = Ui::demo();
    let id = policy_id(ui.doc(), "demo-from-office-network");
    ui.keys("3");
    ui.select_in(Page::Policies, id);
    ui.keys("e");
    while ui.focused().key != "expression" {
        ui.keys("<Tab>");
    }
    let FieldValue::MultiLine(before) = ui.focused().value.clone() else {
        panic!("expression is multi-line")
    };
    assert!(ui.keys("<Enter>").is_empty());
    ui.keys("# checked");
    assert!(!ui.app.modals.is_empty(), "Enter did not submit");
    assert_eq!(
        ui.focused().value,
        FieldValue::MultiLine(format!("{before}\n# checked"))
    );
    assert_eq!(ui.keys("<C-s>"), vec![Effect::Save]);
    assert!(ui.app.modals.is_empty());
    let expression = ui.doc().policies.get(id).unwrap().kind.settings_value()["expression"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(expression, format!("{before}\n# checked"));
}

#[test]
fn ctrl_s_submits_any_form_too() {
    let mut ui = Ui::demo();
    ui.keys("5nops<C-s>");
    assert!(ui.app.modals.is_empty());
    group_id(ui.doc(), "ops");
}

#[test]
fn multi_pick_space_adds_and_removes() {
    let mut ui = Ui::demo();
    let dave = user_id(ui.doc(), "dave");
    ui.keys("4");
    ui.select_in(Page::Users, dave);
    ui.keys("e");
    while ui.focused().key != "groups" {
        ui.keys("<Tab>");
    }
    ui.keys("contr<Space>");
    ui.keys("<BS><BS><BS><BS><BS>staff<Space><Enter>");
    let groups = &ui.doc().users.get(dave).unwrap().groups;
    assert_eq!(groups, &vec![group_id(ui.doc(), "contractors")]);
}

// --- Keymap ----------------------------------------------------------------------------------

#[test]
fn every_action_is_bound_in_the_default_keymap() {
    let km = Keymap::default_keymap();
    for action in Action::ALL {
        let bound = Mode::ALL.iter().any(|m| {
            km.bindings(*m)
                .iter()
                .any(|(a, k)| a == action && !k.is_empty())
        });
        assert!(bound, "{action:?} has no key");
    }
}

#[test]
fn keymap_bindings_keep_file_order() {
    let km = Keymap::default_keymap();
    let global: Vec<Action> = km.bindings(Mode::Global).iter().map(|(a, _)| *a).collect();
    assert_eq!(global[0], Action::Help);
    assert_eq!(global[1], Action::Palette);
    let list: Vec<Action> = km.bindings(Mode::List).iter().map(|(a, _)| *a).collect();
    assert_eq!(list[0], Action::Down);
    assert_eq!(list[1], Action::Up);
}

#[test]
fn an_edit_is_saved_and_the_header_says_so() {
    let mut ui = Ui::demo();
    let effects = bindery::tui::update::handle_key(&mut ui.app, bindery::tui::keys::Key::char('5'));
    assert!(effects.is_empty());
    for key in bindery::tui::keys::parse_keys("nops").unwrap() {
        bindery::tui::update::handle_key(&mut ui.app, key);
    }
    let effects = bindery::tui::update::handle_key(
        &mut ui.app,
        bindery::tui::keys::parse_key("<Enter>").unwrap(),
    );
    assert_eq!(effects, vec![Effect::Save]);
    assert_eq!(ui.app.save, SaveState::Unsaved);
    assert!(
        ui.screen(80, 24)
            .lines()
            .next()
            .unwrap()
            .ends_with("saving…")
    );
    // Not on disk until the loop saves.
    assert_eq!(Store::open(&ui.path()).unwrap().doc().groups.len(), 5);
    let result = ui.app.store.save();
    bindery::tui::update::saved(&mut ui.app, result);
    assert_eq!(ui.app.save, SaveState::Saved);
    assert!(ui.screen(80, 24).lines().next().unwrap().ends_with("saved"));
    assert_eq!(Store::open(&ui.path()).unwrap().doc().groups.len(), 6);
}

#[test]
fn screen_replay_matches_handle_key() {
    let mut a = Ui::demo();
    let mut b = Ui::demo();
    let keys = "1<Enter>jjKl5nops<Enter>";
    a.keys(keys);
    let parsed = bindery::tui::keys::parse_events(keys).unwrap();
    let quit = bindery::tui::screen::replay(&mut b.app, &parsed, 80, 24, false);
    assert!(!quit);
    a.app.status = None;
    b.app.status = None;
    assert_eq!(a.screen(80, 24), b.screen(80, 24));
    assert!(bindery::tui::screen::replay(
        &mut b.app,
        &bindery::tui::keys::parse_events("q").unwrap(),
        80,
        24,
        false
    ));
    // A dry run does not write.
    let mut c = Ui::demo();
    let on_disk = std::fs::read(c.path()).unwrap();
    bindery::tui::screen::replay(
        &mut c.app,
        &bindery::tui::keys::parse_events("5nops<Enter>").unwrap(),
        80,
        24,
        true,
    );
    assert!(c.doc().groups.iter().any(|g| g.name == "ops"));
    assert_eq!(std::fs::read(c.path()).unwrap(), on_disk);
}

#[test]
fn the_screen_enum_is_a_list_after_the_flow_is_deleted_elsewhere() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.keys("<S-Tab>dy"); // delete the flow from its own Overview
    assert!(matches!(ui.app.screen, Screen::List(Page::Flows)));
    assert!(ui.doc().flow_by_slug(AUTH_FLOW).is_none());
}

// --- Reports, duplication, Simulate and Export ------------------------------------------------

fn report(ui: &Ui) -> bindery::tui::report::Report {
    match ui.app.modals.last() {
        Some(Modal::Report(r)) => (**r).clone(),
        other => panic!("no report open: {other:?}"),
    }
}

#[test]
fn lint_lists_findings_and_enter_jumps_to_the_place() {
    let mut ui = Ui::demo();
    assert!(ui.keys("L").is_empty());
    let r = report(&ui);
    assert!(r.title.starts_with("Lint"), "{}", r.title);
    let selected = r.visible()[r.selected];
    let line = r.lines[selected].text.clone();
    assert!(
        r.lines[selected].jump.is_some(),
        "the first finding is selected"
    );
    // q and Esc close it without going anywhere.
    ui.keys("q");
    assert!(ui.app.modals.is_empty());
    assert_eq!(ui.page(), Some(Page::Flows));
    ui.keys("L<Esc>");
    assert!(ui.app.modals.is_empty());
    // Enter goes to the flow the finding names.
    ui.keys("L<Enter>");
    assert!(ui.app.modals.is_empty());
    let slug = ui
        .doc()
        .flows
        .get(ui.flow_page().flow)
        .unwrap()
        .slug
        .clone();
    assert!(line.contains(&slug), "{line} names {slug}");
    // The filter narrows the findings.
    ui.keys("L/implicit<Enter>");
    let r = report(&ui);
    assert_eq!(r.visible().len(), 1, "{:?}", r.lines);
}

#[test]
fn the_change_log_lists_saved_edits_newest_first() {
    let mut ui = Ui::demo();
    ui.keys("5nops<Enter>5ndevs<Enter>H");
    let r = report(&ui);
    let text: Vec<&str> = r.lines.iter().map(|l| l.text.as_str()).collect();
    let ops = text
        .iter()
        .position(|l| l.contains("ops"))
        .expect("ops logged");
    let devs = text
        .iter()
        .position(|l| l.contains("devs"))
        .expect("devs logged");
    assert!(devs < ops, "newest first: {text:#?}");
}

#[test]
fn where_used_lists_references_and_jumps_to_the_binding() {
    let mut ui = Ui::demo();
    let mfa = stage_id(ui.doc(), MFA_STAGE);
    let binding_id = binding(ui.doc(), AUTH_FLOW, MFA_STAGE).id;
    ui.keys("2");
    ui.select_in(Page::Stages, mfa);
    ui.keys("w");
    let r = report(&ui);
    assert!(r.title.contains(MFA_STAGE), "{}", r.title);
    assert!(r.lines.iter().any(|l| l.text.contains(AUTH_FLOW)));
    ui.keys("<Enter>");
    assert_eq!(ui.flow_page().flow, flow(ui.doc(), AUTH_FLOW).id);
    assert_eq!(ui.selected_row(), BindingRow::Stage(binding_id));
}

#[test]
fn what_a_user_sees_opens_on_users_and_jumps_to_a_simulation() {
    let mut ui = Ui::demo();
    ui.keys("s");
    assert!(ui.app.modals.is_empty());
    assert!(
        status(&ui).contains("select a user first"),
        "{}",
        status(&ui)
    );
    let alice = user_id(ui.doc(), "alice");
    ui.keys("4s");
    let r = report(&ui);
    assert!(r.title.contains("alice"), "{}", r.title);
    assert_eq!(r.lines.iter().filter(|l| l.jump.is_some()).count(), 12);
    ui.keys("<Enter>");
    assert_eq!(ui.flow_page().tab, FlowTab::Simulate);
    assert_eq!(ui.flow_page().sim.user, Some(alice));
    assert_eq!(ui.flow_page().flow, flow(ui.doc(), AUTH_FLOW).id);
}

#[test]
fn duplicate_copies_a_flow_shallow_by_default() {
    let mut ui = Ui::demo();
    ui.keys("2D");
    assert!(ui.app.modals.is_empty());
    assert!(status(&ui).contains("duplicate works on a flow"));
    let stages = ui.doc().stages.len();
    ui.keys("1D");
    assert_eq!(ui.form().title, format!("Duplicate flow {AUTH_FLOW}"));
    assert_eq!(ui.keys("<Enter>"), vec![Effect::Save]);
    let copy = format!("{AUTH_FLOW}-copy");
    assert_eq!(plan(ui.doc(), &copy), plan(ui.doc(), AUTH_FLOW));
    assert_eq!(ui.doc().stages.len(), stages, "shallow: the same stages");
    // Deep copies the stages too, with the suffix.
    ui.keys("gD<BS><BS><BS><BS>deep<Tab><Right><Enter>");
    let deep = format!("{AUTH_FLOW}-deep");
    assert_eq!(plan(ui.doc(), &deep).len(), 7);
    assert!(ui.doc().stages.len() > stages, "deep: new stages");
}

#[test]
fn a_refused_duplicate_keeps_its_dialog_open() {
    let mut ui = Ui::demo();
    ui.keys("D<Enter>gD<Enter>");
    assert_eq!(ui.doc().flows.len(), 13, "nothing created");
    assert!(ui.form().error.is_some(), "the dialog stays with the error");
}

#[test]
fn simulate_changes_who_asks_picks_a_user_and_cycles_assumptions() {
    use bindery::tui::simulate::{Asker, SimRow};
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.keys("<Tab><Tab>");
    assert_eq!(ui.flow_page().tab, FlowTab::Simulate);
    assert!(ui.flow_page().sim.plan.is_some(), "computed on arrival");
    assert_eq!(ui.flow_page().sim.asker, Asker::Nobody);
    ui.keys("m");
    assert_eq!(ui.flow_page().sim.asker, Asker::LoggedIn);
    ui.keys("m");
    assert_eq!(ui.flow_page().sim.asker, Asker::Pending);
    ui.keys("m");
    assert_eq!(ui.flow_page().sim.asker, Asker::Nobody);

    ui.keys("i");
    assert_eq!(ui.form().title, "Simulate as");
    let before = ui.doc().clone();
    assert!(ui.keys("alice<Enter>").is_empty(), "nothing to save");
    assert_eq!(*ui.doc(), before);
    assert_eq!(ui.flow_page().sim.user, Some(user_id(ui.doc(), "alice")));

    // Space on an assumption row cycles what is assumed of the policy.
    ui.keys("g");
    let row = ui.flow_page().sim.rows[0];
    let SimRow::Assumption(policy) = row else {
        panic!("first row is an assumption: {row:?}")
    };
    assert_eq!(ui.flow_page().sim.assumptions.get(&policy), None);
    ui.keys("<Space>");
    assert!(ui.flow_page().sim.assumptions.contains_key(&policy));
}

#[test]
fn export_offers_to_write_the_blueprint_to_a_file() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.keys("<Tab><Tab><Tab>");
    assert_eq!(ui.flow_page().tab, FlowTab::Export);
    assert!(
        ui.flow_page()
            .export
            .contains("slug: default-authentication-flow")
    );
    ui.keys("o");
    assert_eq!(ui.form().title, "Export blueprint");
    // The proposed path is beside the store, not in the current directory.
    let proposed = ui.dir.path().join(format!("{AUTH_FLOW}.yaml"));
    assert_eq!(
        ui.field("path"),
        &FieldValue::Text(proposed.display().to_string())
    );
    let effects = ui.keys("<Enter>");
    match effects.as_slice() {
        [Effect::Write { path, text }] => {
            assert_eq!(path, &proposed.display().to_string());
            assert_eq!(text, &ui.flow_page().export);
            bindery::tui::update::write(&mut ui.app, path, text);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(&proposed).unwrap(),
        ui.flow_page().export
    );
    assert_eq!(status(&ui), format!("written to {}", proposed.display()));
    assert!(ui.app.modals.is_empty());
    // An empty path is refused.
    ui.keys("o");
    for _ in 0..proposed.display().to_string().chars().count() {
        ui.keys("<BS>");
    }
    assert!(ui.keys("<Enter>").is_empty());
    assert!(ui.form().error.as_deref().unwrap().contains("Path"));
    // Scrolling the text.
    ui.keys("<Esc>jjj");
    assert_eq!(ui.flow_page().scroll, 3);
    ui.keys("g");
    assert_eq!(ui.flow_page().scroll, 0);
}

/// The Export tab's write refuses what `export -o` refuses: a planted link, the store itself.
#[test]
fn export_tab_never_writes_through_a_link_or_over_the_store() {
    use std::os::unix::fs::PermissionsExt;
    let mut ui = Ui::demo();
    let victim = ui.dir.path().join("victim.txt");
    std::fs::write(&victim, "victim\n").unwrap();
    let planted = ui.dir.path().join(format!("{AUTH_FLOW}.yaml"));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let store_before = std::fs::read(ui.path()).unwrap();
    ui.open_flow(AUTH_FLOW);
    ui.keys("<Tab><Tab><Tab>");
    let text = ui.flow_page().export.clone();
    for target in [planted.clone(), ui.path()] {
        bindery::tui::update::write(&mut ui.app, &target.display().to_string(), &text);
        assert_eq!(ui.app.status.as_ref().unwrap().kind, StatusKind::Error);
        assert!(
            status(&ui).starts_with("could not write: "),
            "{}",
            status(&ui)
        );
    }
    assert!(status(&ui).contains("is the store"), "{}", status(&ui));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "victim\n");
    assert_eq!(std::fs::read(ui.path()).unwrap(), store_before);
    // Elsewhere it writes, 0600 like the store.
    let good = ui.dir.path().join("good.yaml");
    bindery::tui::update::write(&mut ui.app, &good.display().to_string(), &text);
    assert_eq!(std::fs::read_to_string(&good).unwrap(), text);
    let mode = std::fs::metadata(&good).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o077, 0, "{mode:o}");
}

#[test]
fn a_stage_of_unknown_type_edits_as_raw_json_and_keeps_its_attributes() {
    use bindery::edit::Op;
    use bindery::model::stage::StageKind;
    use bindery::model::{Obj, Stage};
    let mut ui = Ui::demo();
    let mut attrs = serde_json::Map::new();
    attrs.insert("future_setting".into(), serde_json::json!(3));
    let stage = Stage::new(
        "future-stage",
        StageKind::Other {
            model: "authentik_stages_future.futurestage".into(),
            attrs,
        },
    );
    let id = stage.id;
    ui.app
        .store
        .apply(&Op::Create(Obj::Stage(stage)))
        .expect("create the unknown stage");
    ui.app.refresh();
    ui.keys("2");
    ui.select_in(Page::Stages, id);
    ui.keys("e");
    let labels: Vec<&str> = ui.form().fields.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["Name", "Attributes (JSON)"]);
    let raw = match ui.dialog() {
        Dialog::Stage(dialog) => &dialog.raw_field().expect("the raw field").value,
        other => panic!("{other:?}"),
    };
    // Pretty, one member a line, in a multi-line field: Enter is a new line, Ctrl-s saves.
    assert_eq!(
        raw,
        &FieldValue::Json("{\n  \"future_setting\": 3\n}".into())
    );
    ui.keys("<Tab><BS><BS><BS>4<Enter>}<C-s>");
    match &ui.doc().stages.get(id).unwrap().kind {
        StageKind::Other { model, attrs } => {
            assert_eq!(model, "authentik_stages_future.futurestage");
            assert_eq!(attrs["future_setting"], 4);
        }
        other => panic!("the stage changed type: {other:?}"),
    }
}
