//! Shared helpers for the terminal UI tests: a demo store in a temp dir, keys pressed through
//! the same `handle_key` the interactive loop uses (saves carried out), screens drawn as text,
//! and look-ups of demo objects by name.
#![allow(dead_code)]

use std::path::PathBuf;

use bindery::model::{Document, Flow, PolicyBinding, StageBinding, Subject, Target};
use bindery::tui::app::{BindingRow, FlowPage, Page, Screen};
use bindery::tui::dialogs::{Dialog, binding::BindingDialog};
use bindery::tui::form::{Field, FieldValue, Form};
use bindery::tui::keys::parse_events;
use bindery::tui::modal::Modal;
use bindery::tui::update::{handle_event, saved};
use bindery::tui::{self, App, Effect, Keymap, Theme, screen};
use uuid::Uuid;

pub const AUTH_FLOW: &str = "default-authentication-flow";
pub const MFA_STAGE: &str = "default-authentication-mfa-validation";
pub const MAINTENANCE_STAGE: &str = "demo-maintenance-notice";
pub const PASSWORD_STAGE: &str = "default-authentication-password";

/// A UI on a fresh demo store in its own temp dir.
pub struct Ui {
    pub dir: tempfile::TempDir,
    pub app: App,
}

impl Ui {
    pub fn demo() -> Ui {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.json");
        let mut app =
            tui::open_app(&path, Keymap::default_keymap(), false).expect("open the demo store");
        // The status names the temp path: not for snapshots.
        app.status = None;
        Ui { dir, app }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("store.json")
    }

    pub fn doc(&self) -> &Document {
        self.app.store.doc()
    }

    /// Presses keys (`screen --keys` notation) one by one through `handle_event`, as the
    /// loop does, carrying out saves; returns every effect asked for, in order.
    pub fn keys(&mut self, keys: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for event in parse_events(keys).expect("valid key notation") {
            for effect in handle_event(&mut self.app, event) {
                if effect == Effect::Save {
                    let result = self.app.store.save();
                    saved(&mut self.app, result);
                }
                effects.push(effect);
            }
        }
        effects
    }

    /// The screen as text at a size, monochrome.
    pub fn screen(&mut self, width: u16, height: u16) -> String {
        let buf = screen::render(&mut self.app, &Theme::monochrome(), width, height);
        screen::buffer_text(&buf)
    }

    /// Selects an object on a list page, moving down to it as a user would.
    pub fn select_in(&mut self, page: Page, id: Uuid) {
        let index = self
            .app
            .list(page)
            .rows
            .iter()
            .position(|r| *r == id)
            .expect("listed");
        self.keys("g");
        for _ in 0..index {
            self.keys("j");
        }
        assert_eq!(self.app.list(page).selected_id(), Some(id));
    }

    pub fn page(&self) -> Option<Page> {
        match &self.app.screen {
            Screen::List(page) => Some(*page),
            Screen::Flow(_) => None,
        }
    }

    pub fn flow_page(&self) -> &FlowPage {
        match &self.app.screen {
            Screen::Flow(fp) => fp,
            other => panic!("not on a flow page: {other:?}"),
        }
    }

    /// The Stage Bindings row under the selection.
    pub fn selected_row(&self) -> BindingRow {
        let fp = self.flow_page();
        fp.binding_rows[fp.stage_rows.selected]
    }

    pub fn dialog(&self) -> &Dialog {
        match self.app.modals.last() {
            Some(Modal::Dialog(dialog)) => dialog,
            other => panic!("no dialog open: {other:?}"),
        }
    }

    pub fn form(&self) -> &Form {
        self.dialog().form()
    }

    /// The open Create / Edit binding dialog.
    pub fn binding_dialog(&self) -> &BindingDialog {
        match self.dialog() {
            Dialog::Binding(dialog) => dialog,
            other => panic!("not a binding dialog: {other:?}"),
        }
    }

    pub fn focused(&self) -> &Field {
        self.form().focused().expect("a focused field")
    }

    pub fn field(&self, key: &str) -> &FieldValue {
        &self
            .form()
            .field(key)
            .unwrap_or_else(|| panic!("no field {key}"))
            .value
    }

    /// Opens the flow page of a flow by slug (from the Flows list, with the filter).
    pub fn open_flow(&mut self, slug: &str) {
        self.keys("1");
        let index = self
            .app
            .list(Page::Flows)
            .rows
            .iter()
            .position(|id| *id == flow(self.doc(), slug).id)
            .expect("flow listed");
        self.keys("g");
        for _ in 0..index {
            self.keys("j");
        }
        self.keys("<Enter>");
        assert_eq!(self.flow_page().flow, flow(self.doc(), slug).id);
    }

    /// Selects the Stage Bindings row of a stage on the open flow page.
    pub fn select_stage_row(&mut self, stage_name: &str) {
        let stage = stage_id(self.doc(), stage_name);
        let flow = self.flow_page().flow;
        let binding = self
            .doc()
            .bindings_of_flow(flow)
            .into_iter()
            .find(|b| b.stage == stage)
            .expect("stage bound to the flow")
            .id;
        self.keys("g");
        let index = self
            .flow_page()
            .binding_rows
            .iter()
            .position(|r| *r == BindingRow::Stage(binding))
            .expect("row shown");
        for _ in 0..index {
            self.keys("j");
        }
        assert_eq!(self.selected_row(), BindingRow::Stage(binding));
    }
}

pub fn flow<'a>(doc: &'a Document, slug: &str) -> &'a Flow {
    doc.flow_by_slug(slug)
        .unwrap_or_else(|| panic!("no flow {slug}"))
}

pub fn stage_id(doc: &Document, name: &str) -> Uuid {
    doc.stages
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no stage {name}"))
        .id
}

pub fn policy_id(doc: &Document, name: &str) -> Uuid {
    doc.policies
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
        .id
}

pub fn group_id(doc: &Document, name: &str) -> Uuid {
    doc.groups
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no group {name}"))
        .id
}

pub fn user_id(doc: &Document, name: &str) -> Uuid {
    doc.users
        .iter()
        .find(|u| u.username == name)
        .unwrap_or_else(|| panic!("no user {name}"))
        .id
}

/// The binding of a stage (by name) in a flow (by slug).
pub fn binding<'a>(doc: &'a Document, slug: &str, stage: &str) -> &'a StageBinding {
    let flow = flow(doc, slug).id;
    let stage = stage_id(doc, stage);
    doc.stage_bindings
        .iter()
        .find(|b| b.target == flow && b.stage == stage)
        .unwrap_or_else(|| panic!("{stage} not bound in {slug}"))
}

/// The stage names of a flow in plan order, with their orders.
pub fn plan(doc: &Document, slug: &str) -> Vec<(i64, String)> {
    doc.bindings_of_flow(flow(doc, slug).id)
        .into_iter()
        .map(|b| (b.order, doc.stages.get(b.stage).unwrap().name.clone()))
        .collect()
}

/// The policy bindings on a target, as (order, subject).
pub fn bindings_on(doc: &Document, target: Target) -> Vec<(i64, Subject)> {
    doc.policy_bindings_of(target.id())
        .into_iter()
        .map(|b: &PolicyBinding| (b.order, b.subject))
        .collect()
}

/// Every screen and dialog worth drawing, as keys pressed on a fresh demo store:
/// (name, keys). Snapshots and the size sweep both use this list.
pub const SCREENS: &[(&str, &str)] = &[
    ("flows", ""),
    ("stages", "2"),
    ("policies", "3"),
    ("users", "4"),
    ("groups", "5"),
    ("flow_overview", "<Enter><S-Tab>"),
    ("flow_stage_bindings", "<Enter>"),
    ("flow_bindings_empty", "<Enter><Tab>"),
    // default-source-authentication: one flow-level policy binding.
    ("flow_bindings", "jjjj<Enter><Tab>"),
    ("stage_bindings_mfa_expanded", "<Enter>jjjl"),
    ("stage_bindings_mfa_child_selected", "<Enter>jjjll"),
    ("create_binding_policy_tab", "<Enter>jjjb"),
    // The maintenance notice is evaluated when the flow is planned.
    ("create_binding_group_tab_warning", "<Enter>jb<Right>"),
    ("create_binding_group_dropdown", "<Enter>jjjb<Right><Tab>e"),
    ("bind_existing_stage", "<Enter>a"),
    ("create_and_bind_deny_stage", "<Enter>ndeny<Enter>"),
    ("edit_stage_binding", "<Enter>jje"),
    ("edit_policy_binding", "<Enter>jjjlle"),
    ("edit_password_stage", "2jjjj<Enter>"),
    ("edit_expression_policy_focused", "3<Enter><Tab><Tab>"),
    ("edit_user", "4<Enter>"),
    ("create_user", "4n"),
    ("edit_group", "5j<Enter>"),
    ("create_flow", "n"),
    ("create_flow_refused", "n<Enter>"),
    ("delete_flow_confirm", "d"),
    ("delete_stage_confirm", "2jjjjjd"),
    ("stage_type_picker", "2n"),
    ("policy_type_picker_filtered", "3nexp"),
    ("help", "?"),
    ("help_search", "?/undo"),
    ("palette", ":"),
    ("palette_filtered", ":undo"),
    ("filter_typing", "/auth"),
    ("filter_no_match", "/zzzz"),
    ("filter_no_match_kept", "/zzzz<Enter>"),
    (
        "empty_flow_page",
        "nEmpty<Tab>Empty<Tab>empty<Enter><Enter>",
    ),
    ("flow_simulate", "<Enter><Tab><Tab>"),
    ("flow_simulate_reasons", "<Enter><Tab><Tab>jjjjl"),
    (
        "flow_simulate_logged_in_alice",
        "<Enter><Tab><Tab>mialice<Enter>",
    ),
    ("simulate_as", "<Enter><Tab><Tab>i"),
    ("flow_export", "<Enter><Tab><Tab><Tab>"),
    ("export_to_file", "<Enter><Tab><Tab><Tab>o"),
    ("lint_report", "L"),
    ("where_used_report", "2jjjjjw"),
    ("what_user_sees_report", "4s"),
    ("duplicate_flow", "D"),
    ("change_log_report", "5nops<Enter>H"),
    // The console as an administrator expects it (issue 14).
    ("text_field_cursor", "5nops team<C-Left>"),
    (
        "create_binding_create_policy_choice",
        "<Enter>jjjb<Tab>create",
    ),
    (
        "create_binding_new_policy_chosen",
        "<Enter>jjjb<Tab>create<Enter>expression<Enter>office-hours<Enter>",
    ),
    ("choice_explained", "<Enter>jje<Tab><Tab><Tab>"),
    ("help_end", "?G"),
    ("palette_flow_tabs", "<Enter>:tab"),
    ("palette_no_matches", ":zzzzqq"),
    ("stages_filtered_by_type", "2/deny"),
];

impl Ui {
    /// A fresh demo with keys pressed, the status line cleared.
    pub fn at(keys: &str) -> Ui {
        let mut ui = Ui::demo();
        ui.keys(keys);
        ui.app.status = None;
        ui
    }

    /// Every id in the store, as text: none of them belongs on screen.
    pub fn ids(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.doc()
            .for_each(|_, _, object| out.push(object.view_id().to_string()));
        out
    }
}
