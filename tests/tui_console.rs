//! The console as an administrator expects it: text fields edit like a shell's line editor,
//! the Create binding drop-down starts empty and can create the policy it binds, help and the
//! palette reach everything, and `q` goes back to where a jump started.

mod tui_common;

use bindery::tui::app::{FlowTab, Page, Screen};
use bindery::tui::form::FieldValue;
use bindery::tui::modal::Modal;
use bindery::tui::{Effect, dialogs::Dialog};
use tui_common::*;

fn text_of(ui: &Ui, key: &str) -> String {
    match ui.field(key) {
        FieldValue::Text(s) | FieldValue::MultiLine(s) | FieldValue::Number(s) => s.clone(),
        other => panic!("{key}: {other:?}"),
    }
}

#[test]
fn a_text_field_moves_its_cursor_and_deletes_by_word_and_line() {
    let mut ui = Ui::demo();
    ui.keys("5n");
    assert_eq!(ui.focused().key, "name");
    ui.keys("deny access");
    ui.keys("<C-Left>");
    let screen = ui.screen(100, 30);
    assert!(
        screen.contains("deny ▏access"),
        "the cursor before the word: {screen}"
    );
    ui.keys("team-");
    assert_eq!(text_of(&ui, "name"), "deny team-access");
    ui.keys("<Home>x<End>y");
    assert_eq!(text_of(&ui, "name"), "xdeny team-accessy");
    ui.keys("<C-w>");
    assert_eq!(text_of(&ui, "name"), "xdeny team-");
    ui.keys("<C-a><Del><C-e><BS>");
    assert_eq!(text_of(&ui, "name"), "deny team");
    ui.keys("<A-b><C-k>");
    assert_eq!(text_of(&ui, "name"), "deny ");
    ui.keys("<Left><C-u>");
    assert_eq!(text_of(&ui, "name"), " ");
    ui.keys("<C-u><Right><BS>");
    assert_eq!(text_of(&ui, "name"), "");
    // A paste lands at the cursor at once, on one line in a one-line field.
    ui.keys("ops<Home><paste:new\nteam >");
    assert_eq!(text_of(&ui, "name"), "new team ops");
    ui.keys("<Enter>");
    assert!(ui.app.modals.is_empty(), "{:?}", ui.app.modals);
    assert!(ui.doc().groups.iter().any(|g| g.name == "new team ops"));
}

#[test]
fn a_number_field_takes_only_digits_and_one_leading_sign() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MFA_STAGE);
    ui.keys("e");
    while ui.focused().key != "order" {
        ui.keys("<Tab>");
    }
    ui.keys("<C-u><paste:1a2-3>");
    assert_eq!(text_of(&ui, "order"), "123");
    ui.keys("<Home>-<End>-");
    assert_eq!(text_of(&ui, "order"), "-123", "a sign only in front");
}

#[test]
fn a_multi_line_field_takes_enter_as_a_new_line_and_says_ctrl_s_saves() {
    let mut ui = Ui::demo();
    ui.keys("3");
    let id = policy_id(ui.doc(), "default-authentication-flow-password-stage");
    ui.select_in(Page::Policies, id);
    ui.keys("e");
    while ui.focused().key != "expression" {
        ui.keys("<Tab>");
    }
    let screen = ui.screen(100, 30);
    assert!(screen.contains("Ctrl-s save"), "{screen}");
    assert!(!screen.contains("Enter save"), "{screen}");
    let before = text_of(&ui, "expression");
    // Up leaves the last line for the one above; Enter splits a line there.
    ui.keys("<Up><End><Enter>    # checked<C-s>");
    assert!(
        ui.app.modals.is_empty(),
        "Ctrl-s submits: {:?}",
        ui.app.modals
    );
    let lines: Vec<&str> = before.split('\n').collect();
    let mut expected: Vec<&str> = lines[..lines.len() - 1].to_vec();
    expected.push("    # checked");
    expected.push(lines[lines.len() - 1]);
    let bindery::model::PolicyKind::Expression(policy) = &ui.doc().policies.get(id).unwrap().kind
    else {
        panic!("an expression policy")
    };
    assert_eq!(policy.expression, expected.join("\n"));
}

#[test]
fn create_binding_can_create_the_policy_it_binds_and_comes_back_with_it_chosen() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MFA_STAGE);
    let parent = binding(ui.doc(), AUTH_FLOW, MFA_STAGE).id;
    let target = bindery::model::Target::StageBinding(parent);
    let before = bindings_on(ui.doc(), target).len();
    ui.keys("b<Tab>create");
    assert_eq!(
        ui.binding_dialog().subject_field().value.picked(),
        Some(Some(bindery::tui::dialogs::binding::CREATE_POLICY))
    );
    ui.keys("<Enter>");
    assert!(
        matches!(ui.app.modals.last(), Some(Modal::Types(_))),
        "the policy's type comes first: {:?}",
        ui.app.modals.last()
    );
    ui.keys("expression<Enter>");
    assert!(matches!(ui.dialog(), Dialog::Policy(_)));
    ui.keys("office-hours<Enter>");
    // Back in Create binding, with the new policy chosen; nothing is bound yet.
    assert!(
        matches!(ui.dialog(), Dialog::Binding(_)),
        "{:?}",
        ui.dialog()
    );
    let created = policy_id(ui.doc(), "office-hours");
    assert_eq!(
        ui.binding_dialog().subject_field().value.picked(),
        Some(Some(created))
    );
    assert_eq!(bindings_on(ui.doc(), target).len(), before);
    assert_eq!(ui.keys("<Enter>"), vec![Effect::Save]);
    let bound = bindings_on(ui.doc(), target);
    assert_eq!(bound.len(), before + 1);
    assert!(
        bound
            .iter()
            .any(|(_, s)| *s == bindery::model::Subject::Policy(created))
    );
    let status = ui.app.status.as_ref().map(|s| s.text.clone());
    assert_eq!(
        status.as_deref(),
        Some("done: create binding: policy 'office-hours'"),
        "the message names what was bound"
    );
}

#[test]
fn help_folds_its_lines_and_g_reaches_its_end() {
    let mut ui = Ui::demo();
    ui.keys("?");
    let screen = ui.screen(80, 24);
    assert!(
        screen.contains("delete the selected object (asks first, lists what"),
        "{screen}"
    );
    assert!(
        screen.contains("goes with it)"),
        "folded, not cut: {screen}"
    );
    ui.keys("G");
    let end = ui.screen(80, 24);
    assert!(end.contains("Confirmations"), "{end}");
    assert!(end.contains("yes, do it"), "{end}");
    let Some(Modal::Help(help)) = ui.app.modals.last() else {
        panic!("help is open")
    };
    let last = help.scroll;
    assert!(last > 0);
    ui.keys("jjk");
    let Some(Modal::Help(help)) = ui.app.modals.last() else {
        panic!("help is open")
    };
    assert_eq!(help.scroll, last - 1, "k moves up at once after G");
    ui.keys("g");
    assert!(ui.screen(80, 24).contains("/ to search"));
}

#[test]
fn the_palette_finds_a_flow_tab_by_name_and_says_when_nothing_matches() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.keys(":simulate tab");
    let screen = ui.screen(100, 30);
    assert!(screen.contains("> flow: the Simulate tab"), "{screen}");
    ui.keys("<Enter>");
    assert_eq!(ui.flow_page().tab, FlowTab::Simulate);
    ui.keys(":zzzzqqq");
    let screen = ui.screen(100, 30);
    assert!(screen.contains("no matches"), "{screen}");
    ui.keys("<Esc><A-5>");
    assert_eq!(ui.flow_page().tab, FlowTab::Export, "Alt-5: the Export tab");
}

#[test]
fn q_after_a_jump_goes_back_to_where_it_started() {
    let mut ui = Ui::demo();
    ui.keys("3");
    let id = policy_id(ui.doc(), "default-source-authentication-if-sso");
    ui.select_in(Page::Policies, id);
    // Where used, then a jump to a flow page.
    ui.keys("w");
    assert!(matches!(ui.app.modals.last(), Some(Modal::Report(_))));
    ui.keys("<Enter>");
    assert!(matches!(ui.app.screen, Screen::Flow(_)), "jumped");
    assert_eq!(ui.keys("q"), vec![]);
    assert_eq!(
        ui.page(),
        Some(Page::Policies),
        "back where the jump started"
    );
    assert_eq!(ui.app.list(Page::Policies).selected_id(), Some(id));
    assert_eq!(
        ui.keys("q"),
        vec![Effect::Quit],
        "nowhere further back: quit"
    );
}

#[test]
fn going_to_a_page_by_number_forgets_the_way_back() {
    let mut ui = Ui::demo();
    ui.keys("3wj<Enter>");
    ui.keys("4");
    assert!(ui.app.back.is_empty());
    assert_eq!(ui.keys("q"), vec![Effect::Quit]);
}

#[test]
fn a_list_filter_matches_the_type_column_too() {
    let mut ui = Ui::demo();
    ui.keys("2/deny");
    let rows = ui.app.list(Page::Stages).rows.clone();
    let names: Vec<String> = rows
        .iter()
        .map(|id| ui.doc().stages.get(*id).unwrap().name.clone())
        .collect();
    assert_eq!(names, [MAINTENANCE_STAGE], "the deny stage, by its type");
    // Narrowing keeps matching by type; a name still ranks by its own letters.
    ui.keys("<Esc>/ident");
    let first = ui.app.list(Page::Stages).rows[0];
    assert_eq!(
        ui.doc().stages.get(first).unwrap().name,
        "default-authentication-identification"
    );
}

#[test]
fn a_choice_field_explains_the_value_it_stands_on() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.select_stage_row(MFA_STAGE);
    ui.keys("e");
    while ui.focused().key != "invalid_response_action" {
        ui.keys("<Tab>");
    }
    let screen = ui.screen(100, 30);
    assert!(
        screen.contains("retry: show the error and the same challenge again"),
        "{screen}"
    );
    ui.keys("<Right>");
    let screen = ui.screen(100, 30);
    assert!(
        screen.contains("restart: start the flow again from its first stage"),
        "{screen}"
    );
    while ui.focused().key != "policy_engine_mode" {
        ui.keys("<Tab>");
    }
    let screen = ui.screen(100, 30);
    assert!(
        screen.contains("one passing binding is enough")
            || screen.contains("every binding must pass"),
        "{screen}"
    );
}

#[test]
fn the_change_log_shows_entry_numbers_and_undos_key_reverts_one_after_asking() {
    let mut ui = Ui::demo();
    ui.keys("5nops-team<Enter>");
    assert!(ui.doc().groups.iter().any(|g| g.name == "ops-team"));
    let entry = ui.doc().log.last().unwrap().id;
    ui.keys("H");
    let screen = ui.screen(120, 40);
    assert!(
        screen.contains(&format!("» {entry}  ")),
        "numbered as `bindery log` numbers it: {screen}"
    );
    assert!(screen.contains("u reverts the selected entry"), "{screen}");
    // The newest entry is first; undo's key asks what reverting it does.
    ui.keys("gu");
    let Some(Modal::Confirm(confirm)) = ui.app.modals.last() else {
        panic!("a confirmation: {:?}", ui.app.modals.last())
    };
    assert_eq!(confirm.lines, ["removes group 'ops-team'"]);
    assert_eq!(ui.keys("y"), vec![Effect::Save]);
    assert!(!ui.doc().groups.iter().any(|g| g.name == "ops-team"));
    assert_eq!(
        ui.doc().log.last().unwrap().operation,
        "revert: create group",
        "logged as a change of its own"
    );
    // Reverting it again finds the group gone: refused, nothing changed.
    let groups = ui.doc().groups.len();
    ui.keys("H");
    for _ in 0..20 {
        if ui.app.modals.last().is_some_and(|m| match m {
            Modal::Report(r) => r.selected_entry() == Some(entry),
            _ => false,
        }) {
            break;
        }
        ui.keys("j");
    }
    ui.keys("u");
    assert!(
        !matches!(ui.app.modals.last(), Some(Modal::Confirm(_))),
        "nothing to confirm"
    );
    let status = ui
        .app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("cannot"), "{status}");
    assert_eq!(ui.doc().groups.len(), groups);
}

#[test]
fn the_log_names_what_an_undo_removed_never_its_id() {
    let mut ui = Ui::demo();
    ui.open_flow(AUTH_FLOW);
    ui.keys("ndeny<Enter>late-deny<Enter>");
    assert!(ui.doc().stages.iter().any(|s| s.name == "late-deny"));
    ui.keys("u");
    assert!(!ui.doc().stages.iter().any(|s| s.name == "late-deny"));
    let entry = ui.doc().log.last().unwrap();
    assert!(entry.operation.starts_with("undo"), "{entry:?}");
    assert_eq!(
        entry.objects.len(),
        2,
        "the stage and its binding: {entry:?}"
    );
    for object in &entry.objects {
        assert!(object.contains("late-deny"), "{object}");
        let raw_id = object
            .split(|c: char| c == '\'' || c.is_whitespace())
            .any(|word| uuid::Uuid::parse_str(word).is_ok());
        assert!(!raw_id, "a raw id in the log: {object}");
    }
    // Reverting the undo brings both back: the confirmation names the binding's stage too.
    ui.keys("Hgu");
    let Some(Modal::Confirm(confirm)) = ui.app.modals.last() else {
        panic!("a confirmation: {:?}", ui.app.modals.last())
    };
    assert_eq!(confirm.lines.len(), 2, "{:?}", confirm.lines);
    for line in &confirm.lines {
        assert!(
            line.starts_with("restores") && line.contains("late-deny"),
            "{line}"
        );
        let raw_id = line
            .split(|c: char| c == '\'' || c.is_whitespace())
            .any(|word| uuid::Uuid::parse_str(word).is_ok());
        assert!(!raw_id, "a raw id in the confirmation: {line}");
    }
}
