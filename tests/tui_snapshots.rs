//! The rendered text of every screen and dialog of the demo store, at 80x24 and 60x16 (the
//! smallest size bindery draws pages at), and the console's main screens and issue 14's at
//! 120x40 and 200x50 too, as insta snapshots under tests/snapshots/.
//! Review a change with `cargo insta review` (or INSTA_UPDATE=always and read the diff).

mod tui_common;

use tui_common::{SCREENS, Ui};

const SIZES: [(u16, u16); 2] = [(80, 24), (60, 16)];

/// The screens also drawn on a large terminal: the main pages and every screen the console's
/// rough edges touched.
const WIDE: [&str; 17] = [
    "flows",
    "stages",
    "flow_stage_bindings",
    "stage_bindings_mfa_expanded",
    "create_binding_policy_tab",
    "edit_expression_policy_focused",
    "help",
    "palette",
    "change_log_report",
    "text_field_cursor",
    "create_binding_create_policy_choice",
    "create_binding_new_policy_chosen",
    "choice_explained",
    "help_end",
    "palette_flow_tabs",
    "palette_no_matches",
    "stages_filtered_by_type",
];
const WIDE_SIZES: [(u16, u16); 2] = [(120, 40), (200, 50)];

/// Draws a screen at a size; ids never belong on screen.
fn draw(name: &str, width: u16, height: u16) -> String {
    let keys = SCREENS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no screen {name}"))
        .1;
    let mut ui = Ui::at(keys);
    let text = ui.screen(width, height);
    // The Export tab proposes a path in the store's (temp) directory: shown as a placeholder,
    // and the random part of a name cut to its tail as well.
    let dir = ui.dir.path().to_str().unwrap();
    let random = &dir[dir.len() - 6..];
    let placeholder = format!("{:<1$}", "<store dir>", dir.chars().count());
    let text = text.replace(dir, &placeholder).replace(random, "XXXXXX");
    for id in ui.ids() {
        assert!(!text.contains(&id), "{name}: an id is on screen:\n{text}");
    }
    assert!(
        !text.contains(ui.dir.path().to_str().unwrap()),
        "{name}: a temp path is on screen"
    );
    normalise(&text)
}

/// The change log's times and user ids differ from run to run and machine to machine.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_string();
        // 2026-11-29T05:52:43Z
        let chars: Vec<char> = line.chars().collect();
        let shape = "dddd-dd-ddTdd:dd:ddZ";
        let mut i = 0;
        let mut fixed = String::new();
        while i < chars.len() {
            let fits = i + shape.len() <= chars.len()
                && shape.chars().zip(&chars[i..]).all(|(s, c)| match s {
                    'd' => c.is_ascii_digit(),
                    s => s == *c,
                });
            if fits {
                fixed.push_str("<time>");
                i += shape.len();
            } else {
                fixed.push(chars[i]);
                i += 1;
            }
        }
        line = fixed;
        if let Some(at) = line.find("  uid ") {
            let rest = &line[at + 6..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            line = format!("{}  uid <uid>{}", &line[..at], &rest[digits..]);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn check(name: &str) {
    let wide = if WIDE.contains(&name) {
        &WIDE_SIZES[..]
    } else {
        &[]
    };
    for &(w, h) in SIZES.iter().chain(wide) {
        let text = draw(name, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

macro_rules! snapshots {
    ($($name:ident),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )+

        #[test]
        fn every_screen_has_a_snapshot_test() {
            let tested = [$(stringify!($name)),+];
            for (name, _) in SCREENS {
                assert!(tested.contains(name), "{name} has no snapshot test");
            }
        }
    };
}

snapshots!(
    flows,
    stages,
    policies,
    users,
    groups,
    flow_overview,
    flow_stage_bindings,
    flow_bindings_empty,
    flow_bindings,
    stage_bindings_mfa_expanded,
    stage_bindings_mfa_child_selected,
    create_binding_policy_tab,
    create_binding_group_tab_warning,
    create_binding_group_dropdown,
    bind_existing_stage,
    create_and_bind_deny_stage,
    edit_stage_binding,
    edit_policy_binding,
    edit_password_stage,
    edit_expression_policy_focused,
    edit_user,
    create_user,
    edit_group,
    create_flow,
    create_flow_refused,
    delete_flow_confirm,
    delete_stage_confirm,
    stage_type_picker,
    policy_type_picker_filtered,
    help,
    help_search,
    palette,
    palette_filtered,
    filter_typing,
    filter_no_match,
    filter_no_match_kept,
    empty_flow_page,
    flow_simulate,
    flow_simulate_reasons,
    flow_simulate_logged_in_alice,
    simulate_as,
    flow_export,
    export_to_file,
    lint_report,
    where_used_report,
    what_user_sees_report,
    duplicate_flow,
    change_log_report,
    text_field_cursor,
    create_binding_create_policy_choice,
    create_binding_new_policy_chosen,
    choice_explained,
    help_end,
    palette_flow_tabs,
    palette_no_matches,
    stages_filtered_by_type,
);

#[test]
fn too_small() {
    for (w, h) in [(59, 15), (59, 24), (80, 15), (30, 8)] {
        let mut ui = Ui::at("");
        let text = ui.screen(w, h);
        assert!(text.contains("Terminal too small"), "{w}x{h}:\n{text}");
        insta::assert_snapshot!(format!("too_small_{w}x{h}"), text);
    }
}

#[test]
fn the_notice_covers_dialogs_too() {
    let mut ui = Ui::at("<Enter>jb<Right>");
    let text = ui.screen(59, 15);
    assert!(text.starts_with("Terminal too small: 59x15."), "{text}");
    assert!(!text.contains("Create binding"));
}

/// The screen's text with the dialog borders taken out and the lines joined, so that text
/// which wraps inside a box can be searched for as a whole.
fn joined(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_warning_reads_in_full() {
    // A dialog grows for text that wraps: the warning and the key hint are both visible.
    for (w, h) in SIZES {
        let text = draw("create_binding_group_tab_warning", w, h);
        let all = joined(&text);
        assert!(all.contains("never matches"), "{w}x{h}:\n{text}");
        assert!(all.contains("Esc cancel"), "{w}x{h}:\n{text}");
    }
}

#[test]
fn form_errors_read_in_full() {
    for (w, h) in SIZES {
        let text = draw("create_flow_refused", w, h);
        let all = joined(&text);
        assert!(
            all.contains("use letters, numbers, underscores or hyphens"),
            "{w}x{h}:\n{text}"
        );
        assert!(all.contains("Esc cancel"), "{w}x{h}:\n{text}");
    }
}

#[test]
fn confirmations_show_their_keys() {
    for (w, h) in SIZES {
        for name in ["delete_stage_confirm", "delete_flow_confirm"] {
            let text = draw(name, w, h);
            assert!(
                text.contains("yes, do it"),
                "{name} at {w}x{h}: the y/n line is not visible:\n{text}"
            );
        }
    }
}
