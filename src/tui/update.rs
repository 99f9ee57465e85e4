//! Keys become actions and actions change the state: `handle_key` decides which layer gets a
//! key (the top modal, a filter line, then the page's keymap modes), `update` does the rest.
//! Neither does I/O; saving is an effect the loop carries out.

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyModifiers};
use uuid::Uuid;

use super::action::Action;
use super::app::{App, BindingRow, Effect, FlowPage, FlowTab, Page, SaveState, Screen};
use super::dialogs::{
    Dialog, Outcome, Select, binding::BindingDialog, duplicate::DuplicateDialog,
    export_to::ExportToDialog, flow::FlowDialog, group::GroupDialog, import_from::ImportFromDialog,
    policy::PolicyDialog, simulate_as::SimulateAsDialog, stage::StageDialog,
    stage_binding::StageBindingDialog, user::UserDialog,
};
use super::event::Event;
use super::form::pick_matches;
use super::keymap::Mode;
use super::keys::Key;
use super::modal::{Confirm, Confirmed, Help, Modal, Palette, TypeChoice, TypePicker};
use super::navigate::{jump, lint_report, log_report, user_report, where_used_report};
use super::simulate::SimRow;
use super::stale;
use crate::edit::Op;
use crate::model::{ObjKind, PolicyKind, StageKind, Target};
use crate::store::{SaveReport, StoreError};

/// The keymap modes that apply on the current page, most specific first.
pub fn page_modes(app: &App) -> Vec<Mode> {
    match &app.screen {
        Screen::List(_) => vec![Mode::List, Mode::Global],
        Screen::Flow(fp) => match fp.tab {
            FlowTab::Overview => vec![Mode::Flow, Mode::List, Mode::Global],
            FlowTab::StageBindings => {
                vec![Mode::StageBindings, Mode::Flow, Mode::List, Mode::Global]
            }
            FlowTab::FlowBindings => vec![Mode::FlowBindings, Mode::Flow, Mode::List, Mode::Global],
            FlowTab::Simulate => vec![Mode::Simulate, Mode::Flow, Mode::List, Mode::Global],
            FlowTab::Export => vec![Mode::Export, Mode::Flow, Mode::List, Mode::Global],
        },
    }
}

/// The action a key triggers on the current page.
pub fn page_action(app: &App, key: Key) -> Option<Action> {
    page_modes(app)
        .into_iter()
        .find_map(|mode| app.keymap.action(mode, key))
}

/// Any event, from the terminal or replayed by `screen --keys`: the one entry point of input.
/// A key or a paste first clears the last status line (it told of what came before).
pub fn handle_event(app: &mut App, event: Event) -> Vec<Effect> {
    match event {
        Event::Key(key) => {
            app.status = None;
            handle_key(app, key)
        }
        Event::Paste(text) => {
            app.status = None;
            let doc = app.store.doc();
            if let Some(Modal::Dialog(dialog)) = app.modals.last_mut() {
                dialog.paste(doc, &text);
                return Vec::new();
            }
            let mut effects = Vec::new();
            for c in text.chars().filter(|c| !c.is_control() || *c == '\n') {
                effects.extend(handle_key(app, Key::char(c)));
                if effects.contains(&Effect::Quit) {
                    break;
                }
            }
            effects
        }
        Event::Click { x, y } => {
            let area = ratatui::layout::Rect::new(0, 0, app.width, app.height);
            click(app, area, x, y)
        }
        Event::ScrollDown => update(app, Action::Down),
        Event::ScrollUp => update(app, Action::Up),
        Event::Resize(width, height) => {
            app.height = height;
            if app.width != width {
                app.width = width;
                app.refresh();
            }
            Vec::new()
        }
        Event::Tick => vec![Effect::CheckDisk],
    }
}

/// A key, routed to the layer that has the keys: the top modal, a filter line, then the
/// page's keymap modes.
pub fn handle_key(app: &mut App, key: Key) -> Vec<Effect> {
    if key == Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL) {
        return vec![Effect::Quit];
    }
    if !app.modals.is_empty() {
        return modal_key(app, key);
    }
    if current_list(app).is_some_and(|l| l.filtering) {
        return filter_key(app, key);
    }
    match page_action(app, key) {
        Some(action) => update(app, action),
        None => Vec::new(),
    }
}

fn current_list(app: &App) -> Option<&super::lists::ListView> {
    match &app.screen {
        Screen::List(page) => Some(app.list(*page)),
        Screen::Flow(fp) => match fp.tab {
            FlowTab::Overview | FlowTab::Export => None,
            FlowTab::StageBindings => Some(&fp.stage_rows),
            FlowTab::FlowBindings => Some(&fp.flow_rows),
            FlowTab::Simulate => Some(&fp.sim.list),
        },
    }
}

fn current_list_mut(app: &mut App) -> Option<&mut super::lists::ListView> {
    match &mut app.screen {
        Screen::List(page) => Some(&mut app.lists[page.index()]),
        Screen::Flow(fp) => match fp.tab {
            FlowTab::Overview | FlowTab::Export => None,
            FlowTab::StageBindings => Some(&mut fp.stage_rows),
            FlowTab::FlowBindings => Some(&mut fp.flow_rows),
            FlowTab::Simulate => Some(&mut fp.sim.list),
        },
    }
}

/// Typing into a top-level list's filter line.
fn filter_key(app: &mut App, key: Key) -> Vec<Effect> {
    let Screen::List(page) = app.screen else {
        return Vec::new();
    };
    let list = app.list_mut(page);
    match key.code {
        KeyCode::Enter => list.filtering = false,
        KeyCode::Esc => {
            list.filtering = false;
            list.filter.clear();
        }
        KeyCode::Backspace => {
            list.filter.pop();
        }
        KeyCode::Down => list.move_by(1),
        KeyCode::Up => list.move_by(-1),
        KeyCode::Char(c) if key.mods.is_empty() => {
            list.filter.push(c);
            list.selected = 0;
        }
        _ => return Vec::new(),
    }
    app.refresh_page(page);
    Vec::new()
}

fn modal_key(app: &mut App, key: Key) -> Vec<Effect> {
    match app.modals.last() {
        Some(Modal::Dialog(_)) => dialog_key(app, key),
        Some(Modal::Confirm(_)) => match app.keymap.action(Mode::Confirm, key) {
            Some(Action::Confirm) => {
                let Some(Modal::Confirm(confirm)) = app.modals.pop() else {
                    return Vec::new();
                };
                // What was shown must still be what happens: if someone else changed what
                // it removes, ask again with the current list.
                match confirm.action {
                    Confirmed::Op(op) => match op.plan(app.store.doc()) {
                        Ok(now) if now.changes == confirm.patch.changes => {
                            apply(app, &confirm.title, vec![*op])
                        }
                        _ => {
                            ask_again(app, &op);
                            Vec::new()
                        }
                    },
                    Confirmed::Revert(entry) => revert_entry(app, entry, &confirm.patch),
                    Confirmed::PullTheirs => {
                        app.info("pulling… (Esc stops)");
                        vec![Effect::Remote(super::remote::RemoteJob::PullTheirs)]
                    }
                    Confirmed::Push => {
                        app.info("pushing… (Esc stops before it is sent)");
                        vec![Effect::Remote(super::remote::RemoteJob::Push)]
                    }
                }
            }
            Some(Action::Cancel) => {
                app.modals.pop();
                app.info("cancelled: nothing changed");
                Vec::new()
            }
            _ => Vec::new(),
        },
        Some(Modal::Types(_)) => types_key(app, key),
        Some(Modal::Help(_)) => help_key(app, key),
        Some(Modal::Palette(_)) => palette_key(app, key),
        Some(Modal::Report(_)) => report_key(app, key),
        None => Vec::new(),
    }
}

/// The keymap modes of the top dialog's focused field, most specific first: a text field
/// has cursor and deletion keys, a multi-line one also its own (Enter is a new line there).
fn dialog_modes(app: &App) -> Vec<Mode> {
    let focused = match app.modals.last() {
        Some(Modal::Dialog(d)) => d.form().focused().map(|f| &f.value),
        _ => None,
    };
    match focused {
        Some(value) if value.multi_line() => vec![Mode::Editor, Mode::Text, Mode::Dialog],
        Some(value) if value.text().is_some() => vec![Mode::Text, Mode::Dialog],
        _ => vec![Mode::Dialog],
    }
}

/// A key for the top dialog: submit, re-open and cancel are routed here; every other key
/// edits the dialog.
fn dialog_key(app: &mut App, key: Key) -> Vec<Effect> {
    let action = dialog_modes(app)
        .into_iter()
        .find_map(|mode| app.keymap.action(mode, key));
    match action {
        Some(Action::Submit) => submit_dialog(app),
        Some(Action::Reopen) => {
            reopen_dialog(app);
            Vec::new()
        }
        Some(Action::Cancel) => {
            app.modals.pop();
            app.info("cancelled: nothing changed");
            Vec::new()
        }
        _ => {
            let doc = app.store.doc();
            if let Some(Modal::Dialog(dialog)) = app.modals.last_mut() {
                dialog.edit_with(doc, action, key);
            }
            Vec::new()
        }
    }
}

/// Refuses to submit a dialog whose objects someone else changed since it opened: the form
/// shows both versions and how to re-open it. Returns whether it was refused.
fn refuse_if_stale(app: &mut App) -> bool {
    let Some(Modal::Dialog(dialog)) = app.modals.last() else {
        return false;
    };
    let doc = app.store.doc();
    let changed = stale::changed_since(doc, dialog);
    if changed.is_empty() {
        return false;
    }
    let key = reopen_key(app);
    let text = stale::conflict_text(doc, dialog, &changed, &key);
    if let Some(form) = app.top_form() {
        form.error = Some(text);
    }
    app.error(format!(
        "conflict: someone else changed what this dialog edits; nothing was saved ({key} re-opens it on their version)"
    ));
    true
}

fn reopen_key(app: &App) -> String {
    app.keymap
        .keys_of(Mode::Dialog, Action::Reopen)
        .into_iter()
        .next()
        .unwrap_or_else(|| "the reopen action".into())
}

/// Re-opens the top dialog on the current document, keeping the fields the user changed.
fn reopen_dialog(app: &mut App) {
    let Some(Modal::Dialog(dialog)) = app.modals.last() else {
        return;
    };
    match stale::reopen(app.store.doc(), dialog) {
        Some(fresh) => {
            app.modals.pop();
            app.modals.push(Modal::Dialog(Box::new(fresh)));
            app.info("re-opened on the current version, with your changes");
        }
        None => {
            app.modals.pop();
            app.error("someone else deleted what this dialog edits; nothing was saved");
        }
    }
}

fn submit_dialog(app: &mut App) -> Vec<Effect> {
    if refuse_if_stale(app) {
        return Vec::new();
    }
    let Some(Modal::Dialog(dialog)) = app.modals.last() else {
        return Vec::new();
    };
    match dialog.submit(app.store.doc()) {
        Ok(outcome) => carry_out_outcome(app, outcome),
        Err(problem) => {
            if let Some(form) = app.top_form() {
                form.error = Some(problem);
            }
            Vec::new()
        }
    }
}

/// "done: create group Ops-Team": a create's label ("create group") with the name of what it
/// created, as the person typed it.
fn done_message(app: &App, patch: &crate::edit::Patch) -> String {
    let named = patch
        .created()
        .find(|o| {
            matches!(
                o.kind(),
                ObjKind::Flow | ObjKind::Stage | ObjKind::Policy | ObjKind::User | ObjKind::Group
            )
        })
        .map(|o| app.store.doc().label_of(o.kind(), o.id()));
    // A binding made on its own is named by what it binds ("done: create binding: policy
    // 'weekdays'"); one made with its stage or policy is named by that.
    let bound = || {
        let doc = app.store.doc();
        patch.created().find_map(|o| match o {
            crate::model::Obj::PolicyBinding(b) => Some(doc.describe_subject(b.subject)),
            crate::model::Obj::StageBinding(b) => {
                Some(format!("stage '{}'", doc.label_of(ObjKind::Stage, b.stage)))
            }
            _ => None,
        })
    };
    match named {
        Some(name) if !patch.label.contains(&name) => format!("done: {} {name}", patch.label),
        Some(_) => format!("done: {}", patch.label),
        None => match bound() {
            Some(what) => format!("done: {}: {what}", patch.label),
            None => format!("done: {}", patch.label),
        },
    }
}

/// Carries out what the top dialog's submission leads to, closing it unless what it asked
/// for is refused (the dialog then says why).
fn carry_out_outcome(app: &mut App, outcome: Outcome) -> Vec<Effect> {
    match outcome {
        Outcome::Apply { label, ops, select } => match app.store.apply_all(&label, &ops) {
            Err(err) => {
                if let Some(form) = app.top_form() {
                    form.error = Some(err.problems.join("; "));
                }
                Vec::new()
            }
            Ok(patch) if patch.is_empty() => {
                app.modals.pop();
                app.info("nothing changed");
                Vec::new()
            }
            Ok(patch) => {
                app.modals.pop();
                let created = match select {
                    Select::First => patch.created().next(),
                    Select::Last => patch.created().last(),
                }
                .map(|o| (o.kind(), o.id()));
                let message = done_message(app, &patch);
                app.info(message);
                // A dialog below this one (a binding that asked for a new policy) takes it.
                let doc = app.store.doc();
                if let (Some((kind, id)), Some(Modal::Dialog(below))) =
                    (created, app.modals.last_mut())
                {
                    below.created(doc, kind, id);
                }
                after_change(app, created)
            }
        },
        Outcome::CreatePolicy => {
            app.modals.push(Modal::Types(TypePicker {
                choice: TypeChoice::Policy,
                query: String::new(),
                highlighted: 0,
            }));
            Vec::new()
        }
        Outcome::SimulateAs(user) => {
            app.modals.pop();
            if let Screen::Flow(fp) = &mut app.screen {
                fp.sim.user = user;
            }
            app.refresh();
            Vec::new()
        }
        Outcome::Write { path, text } => {
            app.modals.pop();
            vec![Effect::Write { path, text }]
        }
        Outcome::Import { files, each } => {
            app.modals.pop();
            if super::import::import(app, &files, each) {
                after_change(app, None)
            } else {
                Vec::new()
            }
        }
    }
}

fn types_key(app: &mut App, key: Key) -> Vec<Effect> {
    let Some(Modal::Types(picker)) = app.modals.last_mut() else {
        return Vec::new();
    };
    let labels: Vec<&'static str> = match picker.choice {
        TypeChoice::Stage { .. } => StageKind::TYPES.iter().map(|t| t.title).collect(),
        TypeChoice::Policy => PolicyKind::TYPES.iter().map(|t| t.title).collect(),
    };
    let found = pick_matches(labels.iter().copied(), &picker.query);
    match key.code {
        KeyCode::Esc => {
            app.modals.pop();
        }
        KeyCode::Down => {
            picker.highlighted = (picker.highlighted + 1).min(found.len().saturating_sub(1))
        }
        KeyCode::Up => picker.highlighted = picker.highlighted.saturating_sub(1),
        KeyCode::Backspace => {
            picker.query.pop();
            picker.highlighted = 0;
        }
        KeyCode::Char(c) if !key.mods.contains(KeyModifiers::CONTROL) => {
            picker.query.push(c);
            picker.highlighted = 0;
        }
        KeyCode::Enter => {
            let Some(&index) = found.get(picker.highlighted) else {
                return Vec::new();
            };
            let choice = picker.choice;
            app.modals.pop();
            let doc = app.store.doc();
            let dialog = match choice {
                TypeChoice::Stage { bind_to } => {
                    StageDialog::create(doc, StageKind::TYPES[index].model, bind_to)
                }
                TypeChoice::Policy => PolicyDialog::create(doc, PolicyKind::TYPES[index].model),
            };
            open_dialog(app, dialog);
        }
        _ => {}
    }
    Vec::new()
}

/// Typing into a modal's filter line: Enter keeps the filter, Esc drops it.
fn edit_modal_filter(filtering: &mut bool, filter: &mut String, code: KeyCode) {
    match code {
        KeyCode::Enter => *filtering = false,
        KeyCode::Esc => {
            *filtering = false;
            filter.clear();
        }
        KeyCode::Backspace => {
            filter.pop();
        }
        KeyCode::Char(c) => filter.push(c),
        _ => {}
    }
}

fn report_key(app: &mut App, key: Key) -> Vec<Effect> {
    let page = super::view::table_rows(app) as isize;
    let Some(Modal::Report(report)) = app.modals.last_mut() else {
        return Vec::new();
    };
    if report.filtering {
        edit_modal_filter(&mut report.filtering, &mut report.filter, key.code);
        report.selected = 0;
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {
            app.modals.pop();
        }
        KeyCode::Char('/') => report.filtering = true,
        KeyCode::Char('j') | KeyCode::Down => report.move_by(1),
        KeyCode::Char('k') | KeyCode::Up => report.move_by(-1),
        KeyCode::PageDown => report.move_by(page),
        KeyCode::PageUp => report.move_by(-page),
        KeyCode::Char('g') | KeyCode::Home => report.selected = 0,
        KeyCode::Char('G') | KeyCode::End => report.move_by(isize::MAX / 2),
        KeyCode::Enter => {
            if let Some(to) = report.selected_jump() {
                app.modals.clear();
                jump(app, to);
            }
        }
        // Undo's key on the change log reverts the selected entry (asks first).
        _ if app.keymap.action(Mode::Global, key) == Some(Action::Undo) => {
            if let Some(entry) = report.selected_entry() {
                confirm_revert(app, entry);
            }
        }
        // The pull key on a stopped pull's conflicts asks to pull taking the remote's side.
        _ if app.keymap.action(Mode::Global, key) == Some(Action::RemotePull) => {
            if let Some(remote) = report.stopped_pull.clone() {
                let conflicts = report.lines.len();
                app.modals.pop();
                super::remote::confirm_theirs(app, &remote, conflicts);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Asks before reverting a change-log entry: what reverting it changes, object by object;
/// an entry that cannot be reverted says why at once.
fn confirm_revert(app: &mut App, entry: u64) {
    let doc = app.store.doc();
    match crate::edit::revert_patch(doc, &entry.to_string()) {
        Err(err) => app.error(format!("cannot: {err}")),
        Ok(patch) => {
            // What it removes, and what it brings back (a binding restored with its stage).
            let gone = crate::model::describe::gone(patch.removed().chain(patch.created()));
            let lines = patch
                .changes
                .iter()
                .map(|c| match (&c.before, &c.after) {
                    (Some(o), None) => format!("removes {}", doc.describe_among(o, &gone)),
                    (None, Some(o)) => format!("restores {}", doc.describe_among(o, &gone)),
                    (_, Some(o)) => format!("changes {} back", doc.describe_among(o, &gone)),
                    (None, None) => String::new(),
                })
                .filter(|l| !l.is_empty())
                .collect();
            app.modals.push(Modal::Confirm(Box::new(Confirm {
                title: format!("entry {entry}: {}", patch.label),
                lines,
                action: Confirmed::Revert(entry),
                patch,
            })));
        }
    }
}

/// Reverts a confirmed entry if reverting it still does what was shown; else asks again.
fn revert_entry(app: &mut App, entry: u64, shown: &crate::edit::Patch) -> Vec<Effect> {
    match crate::edit::revert_patch(app.store.doc(), &entry.to_string()) {
        Ok(now) if now.changes == shown.changes => match app.store.revert(&entry.to_string()) {
            Ok(patch) => {
                // The change log below is out of date: it closes (H shows it again).
                app.modals.clear();
                app.info(format!("done: {}", patch.label));
                after_change(app, None)
            }
            Err(err) => {
                app.error(format!("cannot: {err}"));
                Vec::new()
            }
        },
        Ok(_) => {
            confirm_revert(app, entry);
            app.error("someone else changed the store since you were asked: confirm again");
            Vec::new()
        }
        Err(err) => {
            app.error(format!("cannot: {err}"));
            Vec::new()
        }
    }
}

fn help_key(app: &mut App, key: Key) -> Vec<Effect> {
    let Some(Modal::Help(help)) = app.modals.last_mut() else {
        return Vec::new();
    };
    if help.filtering {
        edit_modal_filter(&mut help.filtering, &mut help.filter, key.code);
        help.scroll = 0;
        return Vec::new();
    }
    if matches!(
        key.code,
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?')
    ) {
        app.modals.pop();
        return Vec::new();
    }
    // Help scrolls with the keys every list has, as far as its last full page.
    let area = ratatui::layout::Rect::new(0, 0, app.width, app.height);
    let page = usize::from(app.height.saturating_sub(6)).max(1);
    let last = match app.modals.last() {
        Some(Modal::Help(help)) => {
            let lines = super::view::modals::help_lines(
                app,
                help,
                &super::theme::Theme::monochrome(),
                area,
            );
            super::view::modals::help_last_scroll(lines.len(), area)
        }
        _ => return Vec::new(),
    };
    let Some(Modal::Help(help)) = app.modals.last_mut() else {
        return Vec::new();
    };
    match app.keymap.action(Mode::List, key) {
        Some(Action::Filter) => help.filtering = true,
        Some(Action::Down) => help.scroll = help.scroll.saturating_add(1),
        Some(Action::Up) => help.scroll = help.scroll.saturating_sub(1),
        Some(Action::PageDown) => help.scroll = help.scroll.saturating_add(page),
        Some(Action::PageUp) => help.scroll = help.scroll.saturating_sub(page),
        Some(Action::First) => help.scroll = 0,
        Some(Action::Last) => help.scroll = last,
        _ => {}
    }
    help.scroll = help.scroll.min(last);
    Vec::new()
}

/// The actions the palette offers here: those bound in the page's modes, and on a flow page
/// each of its tabs by name.
pub fn palette_actions(app: &App) -> Vec<Action> {
    let mut out = Vec::new();
    if let Screen::Flow(_) = app.screen {
        out.extend([
            Action::TabOverview,
            Action::TabStageBindings,
            Action::TabFlowBindings,
            Action::TabSimulate,
            Action::TabExport,
        ]);
    }
    for mode in page_modes(app) {
        for (action, _) in app.keymap.bindings(mode) {
            if !out.contains(action) && !matches!(action, Action::Palette) {
                out.push(*action);
            }
        }
    }
    out
}

fn palette_key(app: &mut App, key: Key) -> Vec<Effect> {
    let actions = palette_actions(app);
    let Some(Modal::Palette(palette)) = app.modals.last_mut() else {
        return Vec::new();
    };
    let found = pick_matches(actions.iter().map(|a| a.description()), &palette.query);
    match key.code {
        KeyCode::Esc => {
            app.modals.pop();
        }
        KeyCode::Down => {
            palette.highlighted = (palette.highlighted + 1).min(found.len().saturating_sub(1))
        }
        KeyCode::Up => palette.highlighted = palette.highlighted.saturating_sub(1),
        KeyCode::Backspace => {
            palette.query.pop();
            palette.highlighted = 0;
        }
        KeyCode::Char(c) if !key.mods.contains(KeyModifiers::CONTROL) => {
            palette.query.push(c);
            palette.highlighted = 0;
        }
        KeyCode::Enter => {
            let chosen = found.get(palette.highlighted).map(|i| actions[*i]);
            app.modals.pop();
            if let Some(action) = chosen {
                return update(app, action);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Where the Export tab offers to write: the store's directory, absolute so that the prompt
/// says exactly where the file will go.
fn export_dir(store: &Path) -> PathBuf {
    let dir = crate::store::trust::parent_dir(store);
    std::path::absolute(&dir).unwrap_or(dir)
}

/// Opens a dialog (None: what it would act on no longer exists).
fn open_dialog(app: &mut App, dialog: Option<Dialog>) {
    match dialog {
        Some(dialog) => app.modals.push(Modal::Dialog(Box::new(dialog))),
        None => app.error("that object no longer exists"),
    }
}

/// Opens the dialog that edits an object, if its kind has one.
fn open_edit(app: &mut App, kind: ObjKind, id: Uuid) {
    if let Some(dialog) = Dialog::edit(app.store.doc(), kind, id) {
        open_dialog(app, dialog);
    }
}

/// Applies operations as one step and saves.
fn apply(app: &mut App, label: &str, ops: Vec<Op>) -> Vec<Effect> {
    match app.store.apply_all(label, &ops) {
        Ok(patch) if patch.is_empty() => {
            app.info("nothing changed");
            Vec::new()
        }
        Ok(patch) => {
            app.info(format!("done: {}", patch.label));
            after_change(app, None)
        }
        Err(err) => {
            app.error(err.to_string());
            Vec::new()
        }
    }
}

/// After any change to the document: recompute rows, select what was created, save.
fn after_change(app: &mut App, created: Option<(ObjKind, Uuid)>) -> Vec<Effect> {
    app.save = SaveState::Unsaved;
    app.refresh();
    if let Some((kind, id)) = created {
        select_created(app, kind, id);
    }
    keep_in_view(app);
    vec![Effect::Save]
}

fn select_created(app: &mut App, kind: ObjKind, id: Uuid) {
    match &mut app.screen {
        Screen::Flow(fp) => {
            if kind == ObjKind::StageBinding {
                fp.stage_rows.select(id);
            } else if kind == ObjKind::PolicyBinding {
                if let Some(b) = app.store.doc().policy_bindings.get(id)
                    && let Target::StageBinding(parent) = b.target
                {
                    fp.expanded.insert(parent);
                }
                let rows = super::lists::stage_binding_rows(&app.rel, fp.flow, &fp.expanded);
                fp.stage_rows
                    .set_rows(rows.iter().map(|r| super::app::row_id(*r)).collect());
                fp.binding_rows = rows;
                fp.stage_rows.select(id);
                fp.flow_rows.select(id);
            }
        }
        Screen::List(page) => {
            let page = *page;
            if page.kind() == kind {
                app.list_mut(page).select(id);
            }
        }
    }
}

fn keep_in_view(app: &mut App) {
    let height = super::view::table_rows(app);
    if let Some(list) = current_list_mut(app) {
        list.offset = list.scroll_for(height);
    }
}

/// A mouse click: a sidebar page, a flow page tab, or a row (a second click on the selected
/// row opens it).
pub fn click(app: &mut App, area: ratatui::layout::Rect, x: u16, y: u16) -> Vec<Effect> {
    match super::view::hit_test(app, area, x, y) {
        Some(super::view::Hit::Page(page)) => goto(app, page),
        Some(super::view::Hit::Tab(tab)) => {
            if let Screen::Flow(fp) = &mut app.screen {
                fp.tab = tab;
            }
            Vec::new()
        }
        Some(super::view::Hit::Row(row)) => {
            let Some(list) = current_list_mut(app) else {
                return Vec::new();
            };
            if list.selected == row {
                return update(app, Action::Open);
            }
            list.selected = row;
            keep_in_view(app);
            Vec::new()
        }
        None => Vec::new(),
    }
}

/// The result of a save the loop carried out.
pub fn saved(app: &mut App, result: Result<SaveReport, StoreError>) {
    match result {
        Ok(report) => {
            app.save = SaveState::Saved;
            super::remote::recount(app);
            if !report.conflicts.is_empty() {
                let what: Vec<String> = report.conflicts.iter().map(|c| c.to_string()).collect();
                app.error(format!(
                    "conflict: someone else changed the same objects; their version is kept: {}",
                    what.join("; ")
                ));
            } else if report.merged {
                app.info("someone else saved changes meanwhile: they are loaded, and yours are saved on top");
            }
        }
        Err(err) => {
            app.save = SaveState::Failed(err.to_string());
            // True only here: the UI keeps the edits and saves them with the next change.
            let kept = if app.store.has_unsaved_changes() {
                "; your edits are kept in memory and saved with your next change"
            } else {
                ""
            };
            app.error(format!("not saved: {err}{kept}"));
        }
    }
    app.refresh();
}

/// Carries out the Export tab's write (see [`crate::store::write_output`]) and reports it.
pub fn write(app: &mut App, path: &str, text: &str) {
    let result = crate::store::write_output(Path::new(path), text.as_bytes(), app.store.path());
    match result {
        Ok(()) => app.info(format!("written to {path}")),
        Err(err) => app.error(format!("could not write: {err}")),
    }
}

/// The store changed on disk and was reloaded.
pub fn reloaded(app: &mut App) {
    app.refresh();
    let stale_form = matches!(
        app.modals.last(),
        Some(Modal::Dialog(dialog)) if !stale::changed_since(app.store.doc(), dialog).is_empty()
    );
    if stale_form {
        let key = reopen_key(app);
        app.info(format!(
            "the store was changed by someone else and has been reloaded; this dialog still shows the older version ({key} re-opens it on the current one)"
        ));
    } else {
        app.info("the store was changed by someone else and has been reloaded");
    }
}

/// Why the Other objects page offers no edits.
const READ_ONLY: &str = "other authentik objects are read-only here: change them in a blueprint and import it (state: absent removes one)";

fn goto(app: &mut App, page: Page) -> Vec<Effect> {
    app.back.clear();
    app.screen = Screen::List(page);
    app.refresh();
    Vec::new()
}

/// The object selected on the current page, if any.
fn selected(app: &App) -> Option<(ObjKind, Uuid)> {
    match &app.screen {
        Screen::List(page) => app.list(*page).selected_id().map(|id| (page.kind(), id)),
        Screen::Flow(fp) => match fp.tab {
            FlowTab::Overview => Some((ObjKind::Flow, fp.flow)),
            FlowTab::StageBindings => {
                fp.binding_rows
                    .get(fp.stage_rows.selected)
                    .map(|row| match row {
                        BindingRow::Stage(id) | BindingRow::NoBindings { parent: id } => {
                            (ObjKind::StageBinding, *id)
                        }
                        BindingRow::Policy { id, .. } => (ObjKind::PolicyBinding, *id),
                    })
            }
            FlowTab::FlowBindings => fp
                .flow_rows
                .selected_id()
                .map(|id| (ObjKind::PolicyBinding, id)),
            FlowTab::Simulate => match fp.sim.rows.get(fp.sim.list.selected) {
                Some(SimRow::Stage(id)) | Some(SimRow::Reason(id, _)) => {
                    Some((ObjKind::StageBinding, *id))
                }
                _ => None,
            },
            FlowTab::Export => None,
        },
    }
}

/// A confirmation that went stale: shown again on the current version, or dropped when
/// the object is gone.
fn ask_again(app: &mut App, op: &Op) {
    let Op::Delete(kind, id) = *op else {
        return;
    };
    if !app.store.doc().contains(kind, id) {
        app.error("someone else already deleted it; nothing was changed");
        return;
    }
    confirm_delete(app, kind, id);
    if let Some(Modal::Confirm(confirm)) = app.modals.last_mut() {
        confirm.lines.insert(
            0,
            "! Someone else changed the store since you were asked; this is what it removes now:"
                .into(),
        );
    }
    app.error(
        "conflict: someone else changed what this removes; nothing was deleted: confirm again",
    );
}

/// Asks before deleting: the confirmation names everything the cascade removes.
fn confirm_delete(app: &mut App, kind: ObjKind, id: Uuid) {
    let doc = app.store.doc();
    let op = Op::Delete(kind, id);
    match op.plan(doc) {
        Err(err) => app.error(err.to_string()),
        Ok(patch) => {
            // The cascade removes from the end of each table; list things in store order.
            let mut removed: Vec<&crate::model::Obj> =
                patch.removed().filter(|o| o.id() != id).collect();
            removed.sort_by_key(|o| (o.kind(), doc.index_of(o.kind(), o.id())));
            let mut lines: Vec<String> = removed
                .into_iter()
                .map(|o| match o {
                    crate::model::Obj::StageBinding(b) => format!(
                        "unbinds stage '{}' from flow '{}' (order {})",
                        doc.label_of(ObjKind::Stage, b.stage),
                        doc.label_of(ObjKind::Flow, b.target),
                        b.order
                    ),
                    crate::model::Obj::PolicyBinding(_) => {
                        format!("removes the binding of {}", doc.describe(o))
                    }
                    other => format!("removes {}", doc.describe(other)),
                })
                .collect();
            lines.extend(patch.modified().map(|o| {
                format!(
                    "changes {}: its reference to it is cleared",
                    doc.describe(o)
                )
            }));
            if lines.is_empty() {
                lines.push("nothing else goes with it".into());
            }
            let title = patch.label.clone();
            app.modals.push(Modal::Confirm(Box::new(Confirm {
                title,
                lines,
                action: Confirmed::Op(Box::new(op)),
                patch,
            })));
        }
    }
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Help => app.modals.push(Modal::Help(Help::default())),
        Action::Palette => app.modals.push(Modal::Palette(Palette::default())),
        Action::GotoFlows => return goto(app, Page::Flows),
        Action::GotoStages => return goto(app, Page::Stages),
        Action::GotoPolicies => return goto(app, Page::Policies),
        Action::GotoUsers => return goto(app, Page::Users),
        Action::GotoGroups => return goto(app, Page::Groups),
        Action::GotoOthers => return goto(app, Page::Others),
        Action::ForceQuit => return vec![Effect::Quit],
        Action::Back | Action::Quit => return back(app, action == Action::Quit),
        Action::Undo | Action::Redo => {
            let result = if action == Action::Undo {
                app.store.undo()
            } else {
                app.store.redo()
            };
            match result {
                Ok(Some(patch)) => {
                    // An undo's patch is labelled "undo …" already; a redo's is the edit's own.
                    app.info(if action == Action::Undo {
                        patch.label.clone()
                    } else {
                        format!("redo: {}", patch.label)
                    });
                    return after_change(app, None);
                }
                Ok(None) => app.info(if action == Action::Undo {
                    "nothing to undo"
                } else {
                    "nothing to redo"
                }),
                Err(conflict) => app.error(format!("cannot: {conflict}")),
            }
        }
        Action::Down
        | Action::Up
        | Action::First
        | Action::Last
        | Action::PageDown
        | Action::PageUp => {
            let page = super::view::table_rows(app) as isize;
            if let Screen::Flow(fp) = &mut app.screen
                && matches!(fp.tab, FlowTab::Overview | FlowTab::Export)
            {
                fp.scroll = match action {
                    Action::Down => fp.scroll + 1,
                    Action::Up => fp.scroll.saturating_sub(1),
                    Action::First => 0,
                    Action::Last => usize::MAX / 2,
                    Action::PageDown => fp.scroll + page as usize,
                    _ => fp.scroll.saturating_sub(page as usize),
                };
                return Vec::new();
            }
            if let Some(list) = current_list_mut(app) {
                match action {
                    Action::Down => list.move_by(1),
                    Action::Up => list.move_by(-1),
                    Action::First => list.first(),
                    Action::Last => list.last(),
                    Action::PageDown => list.move_by(page),
                    _ => list.move_by(-page),
                }
            }
            keep_in_view(app);
        }
        Action::Filter => {
            if let Screen::List(page) = app.screen {
                app.list_mut(page).filtering = true;
            }
        }
        Action::Open => match selected(app) {
            Some((ObjKind::Other, id)) => app.modals.push(Modal::Report(Box::new(
                where_used_report(app, ObjKind::Other, id),
            ))),
            Some((ObjKind::Flow, id)) if matches!(app.screen, Screen::List(_)) => {
                app.screen = Screen::Flow(Box::new(FlowPage::new(id)));
                app.refresh();
            }
            Some((kind, id)) => open_edit(app, kind, id),
            None => {}
        },
        Action::New => match &app.screen {
            Screen::List(Page::Flows) => open_dialog(app, FlowDialog::open(app.store.doc(), None)),
            Screen::List(Page::Stages) => app.modals.push(Modal::Types(TypePicker {
                choice: TypeChoice::Stage { bind_to: None },
                query: String::new(),
                highlighted: 0,
            })),
            Screen::List(Page::Policies) => app.modals.push(Modal::Types(TypePicker {
                choice: TypeChoice::Policy,
                query: String::new(),
                highlighted: 0,
            })),
            Screen::List(Page::Users) => open_dialog(app, UserDialog::open(app.store.doc(), None)),
            Screen::List(Page::Groups) => {
                open_dialog(app, GroupDialog::open(app.store.doc(), None))
            }
            Screen::List(Page::Others) => app.info(READ_ONLY),
            Screen::Flow(_) => {}
        },
        Action::Edit => {
            if let Some((ObjKind::Other, _)) = selected(app) {
                app.info(READ_ONLY);
            } else if let Some((kind, id)) = selected(app) {
                open_edit(app, kind, id);
            }
        }
        Action::Delete | Action::Unbind => {
            if let Some((ObjKind::Other, _)) = selected(app) {
                app.info(READ_ONLY);
            } else if let Some((kind, id)) = selected(app) {
                confirm_delete(app, kind, id);
            }
        }
        Action::NextTab | Action::PrevTab => {
            if let Screen::Flow(fp) = &mut app.screen {
                let n = FlowTab::ALL.len();
                let i = FlowTab::ALL.iter().position(|t| *t == fp.tab).unwrap_or(0);
                let next = if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                fp.tab = FlowTab::ALL[next];
                fp.scroll = 0;
            }
            app.refresh();
        }
        Action::TabOverview
        | Action::TabStageBindings
        | Action::TabFlowBindings
        | Action::TabSimulate
        | Action::TabExport => {
            if let Screen::Flow(fp) = &mut app.screen {
                fp.tab = match action {
                    Action::TabOverview => FlowTab::Overview,
                    Action::TabStageBindings => FlowTab::StageBindings,
                    Action::TabFlowBindings => FlowTab::FlowBindings,
                    Action::TabSimulate => FlowTab::Simulate,
                    _ => FlowTab::Export,
                };
                fp.scroll = 0;
            }
            app.refresh();
        }
        Action::Expand | Action::Collapse => expand_or_collapse(app, action == Action::Expand),
        Action::BindStage => {
            if let Screen::Flow(fp) = &app.screen {
                let flow = fp.flow;
                open_dialog(app, StageBindingDialog::bind(app.store.doc(), flow));
            }
        }
        Action::CreateAndBind => {
            if let Screen::Flow(fp) = &app.screen {
                let flow = fp.flow;
                app.modals.push(Modal::Types(TypePicker {
                    choice: TypeChoice::Stage {
                        bind_to: Some(flow),
                    },
                    query: String::new(),
                    highlighted: 0,
                }));
            }
        }
        Action::BindSubject => {
            let target = match &app.screen {
                Screen::Flow(fp) if fp.tab == FlowTab::FlowBindings => Some(Target::Flow(fp.flow)),
                Screen::Flow(fp) => {
                    fp.binding_rows
                        .get(fp.stage_rows.selected)
                        .map(|row| match row {
                            BindingRow::Stage(id)
                            | BindingRow::Policy { parent: id, .. }
                            | BindingRow::NoBindings { parent: id } => Target::StageBinding(*id),
                        })
                }
                Screen::List(_) => None,
            };
            match target {
                Some(target) => open_dialog(app, BindingDialog::create(app.store.doc(), target)),
                None => app.info("select a stage binding first (bind one with a or n)"),
            }
        }
        Action::EditStage => {
            let stage = match selected(app) {
                Some((ObjKind::StageBinding, id)) => {
                    app.store.doc().stage_bindings.get(id).map(|b| b.stage)
                }
                Some((ObjKind::PolicyBinding, id)) => {
                    match app.store.doc().policy_bindings.get(id).map(|b| b.target) {
                        Some(Target::StageBinding(parent)) => {
                            app.store.doc().stage_bindings.get(parent).map(|b| b.stage)
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(stage) = stage {
                open_dialog(app, StageDialog::edit(app.store.doc(), stage));
            }
        }
        Action::MoveUp | Action::MoveDown => {
            let up = action == Action::MoveUp;
            let op = match selected(app) {
                Some((ObjKind::StageBinding, id)) => Some(Op::MoveStageBinding { id, up }),
                Some((ObjKind::PolicyBinding, id)) => Some(Op::MovePolicyBinding { id, up }),
                _ => None,
            };
            if let Some(op) = op {
                let label = op.label(app.store.doc());
                let id = selected(app).map(|(_, id)| id);
                let effects = apply(app, &label, vec![op]);
                if let (Some(id), Some(list)) = (id, current_list_mut(app)) {
                    list.select(id);
                }
                keep_in_view(app);
                return effects;
            }
        }
        Action::Lint => app.modals.push(Modal::Report(Box::new(lint_report(app)))),
        Action::RemotePull => return super::remote::start_pull(app),
        Action::RemoteDiff => super::remote::diff_report(app),
        Action::RemotePush => super::remote::ask_push(app),
        Action::ChangeLog => app.modals.push(Modal::Report(Box::new(log_report(app)))),
        Action::WhereUsed => {
            if let Some((kind, id)) = selected(app) {
                app.modals
                    .push(Modal::Report(Box::new(where_used_report(app, kind, id))));
            }
        }
        Action::WhatUserSees => match selected(app) {
            Some((ObjKind::User, id)) => app
                .modals
                .push(Modal::Report(Box::new(user_report(app, id)))),
            _ => app.info("select a user first (4 goes to Users)"),
        },
        Action::Duplicate => match selected(app) {
            Some((ObjKind::Flow, flow)) => {
                open_dialog(app, DuplicateDialog::open(app.store.doc(), flow))
            }
            _ => app.info("duplicate works on a flow (1 goes to Flows)"),
        },
        Action::Who => {
            if let Screen::Flow(fp) = &mut app.screen {
                fp.sim.asker = fp.sim.asker.next();
            }
            app.refresh();
        }
        Action::PickUser => {
            if let Screen::Flow(_) = &app.screen {
                open_dialog(app, SimulateAsDialog::open(app.store.doc()));
            }
        }
        Action::WriteFile => {
            if let Screen::Flow(fp) = &app.screen {
                let flow = fp.flow;
                let dir = export_dir(app.store.path());
                open_dialog(app, ExportToDialog::open(app.store.doc(), flow, dir));
            }
        }
        Action::ImportFiles => {
            let dir = std::env::current_dir().unwrap_or_else(|_| export_dir(app.store.path()));
            open_dialog(app, ImportFromDialog::open(app.store.doc(), dir));
        }
        Action::NextField
        | Action::PrevField
        | Action::Left
        | Action::Right
        | Action::Toggle
        | Action::NewLine
        | Action::LineUp
        | Action::LineDown
        | Action::DeleteBack
        | Action::CursorLeft
        | Action::CursorRight
        | Action::LineStart
        | Action::LineEnd
        | Action::WordLeft
        | Action::WordRight
        | Action::DeleteForward
        | Action::DeleteWordBack
        | Action::DeleteToStart
        | Action::DeleteToEnd
        | Action::Submit
        | Action::Cancel
        | Action::Reopen
        | Action::Confirm => {}
    }
    Vec::new()
}

/// Esc and q: close a filter, go back to where a jump started, leave a flow page, or (q on a
/// top-level page with nowhere to go back to) quit.
fn back(app: &mut App, quit: bool) -> Vec<Effect> {
    if let Screen::List(page) = &app.screen {
        let page = *page;
        let list = app.list_mut(page);
        if !list.filter.is_empty() && !quit {
            list.filter.clear();
            app.refresh();
            return Vec::new();
        }
    }
    if app.go_back() {
        return Vec::new();
    }
    match &app.screen {
        Screen::Flow(_) => {
            app.screen = Screen::List(Page::Flows);
            app.refresh();
            Vec::new()
        }
        Screen::List(_) if quit => vec![Effect::Quit],
        Screen::List(_) => Vec::new(),
    }
}

/// Space, l and h on the Simulate tab: cycle an assumption, or open and close a stage's
/// reasons.
fn simulate_expand(app: &mut App, expand: bool) {
    let Screen::Flow(fp) = &mut app.screen else {
        return;
    };
    match fp.sim.rows.get(fp.sim.list.selected).copied() {
        Some(SimRow::Assumption(policy)) if expand => fp.sim.cycle_assumption(policy),
        Some(SimRow::Stage(binding)) => {
            if !expand {
                fp.sim.expanded.remove(&binding);
            } else if fp.sim.expanded.insert(binding) {
                app.refresh();
                reveal_reasons(app, binding);
                return;
            }
        }
        Some(SimRow::Reason(binding, _)) if !expand => {
            fp.sim.expanded.remove(&binding);
            if let Some(at) = fp
                .sim
                .rows
                .iter()
                .position(|r| *r == SimRow::Stage(binding))
            {
                fp.sim.list.selected = at;
            }
        }
        _ => return,
    }
    app.refresh();
}

/// Scrolls so that a just expanded stage's reasons are in view, keeping the stage itself.
fn reveal_reasons(app: &mut App, binding: Uuid) {
    let height = super::view::table_rows(app);
    let Screen::Flow(fp) = &mut app.screen else {
        return;
    };
    let rows = &fp.sim.rows;
    let Some(stage) = rows.iter().position(|r| *r == SimRow::Stage(binding)) else {
        return;
    };
    let last = rows
        .iter()
        .rposition(|r| matches!(r, SimRow::Reason(b, _) if *b == binding))
        .unwrap_or(stage);
    let list = &mut fp.sim.list;
    let offset = list.scroll_for(height);
    if last >= offset + height {
        list.offset = (last + 1 - height).min(stage);
    }
}

fn expand_or_collapse(app: &mut App, expand: bool) {
    if matches!(&app.screen, Screen::Flow(fp) if fp.tab == FlowTab::Simulate) {
        simulate_expand(app, expand);
        return;
    }
    let doc = app.store.doc();
    let Screen::Flow(fp) = &mut app.screen else {
        return;
    };
    if fp.tab != FlowTab::StageBindings {
        return;
    }
    let Some(row) = fp.binding_rows.get(fp.stage_rows.selected).copied() else {
        return;
    };
    match (row, expand) {
        (BindingRow::Stage(id), true) => {
            if fp.expanded.insert(id) {
                // Now shown; the selection stays on the binding.
            } else if !doc.policy_bindings_of(id).is_empty() {
                fp.stage_rows.move_by(1);
                return;
            }
        }
        (BindingRow::Stage(id), false) => {
            fp.expanded.remove(&id);
        }
        (BindingRow::Policy { parent, .. } | BindingRow::NoBindings { parent }, false) => {
            fp.stage_rows.select(parent);
            return;
        }
        (BindingRow::Policy { .. } | BindingRow::NoBindings { .. }, true) => return,
    }
    let rows = super::lists::stage_binding_rows(&app.rel, fp.flow, &fp.expanded);
    fp.stage_rows
        .set_rows(rows.iter().map(|r| super::app::row_id(*r)).collect());
    fp.binding_rows = rows;
}
