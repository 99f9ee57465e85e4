//! The dialogs. Each is a type in its own file that owns its fields, keeps dependent fields in
//! step when one changes, and submits to one [`Outcome`]; [`Dialog`] is the one type the rest
//! of the UI sees. Adding a dialog is one file and one arm in [`Dialog`] and `each!`: the
//! compiler then points at every place that must know it.

pub mod binding;
pub mod duplicate;
pub mod export_to;
pub mod fields;
pub mod flow;
pub mod group;
pub mod import_from;
pub mod policy;
pub mod simulate_as;
pub mod stage;
pub mod stage_binding;
pub mod user;

use uuid::Uuid;

use super::action::Action;
use super::form::Form;
use super::keys::Key;
use super::text_field::TextEdit;
use crate::edit::Op;
use crate::model::{Document, ObjKind};

/// What a submitted dialog leads to; `update::carry_out_outcome` carries it out.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Apply these operations as one step of the history.
    Apply {
        label: String,
        ops: Vec<Op>,
        /// Which created object to select afterwards.
        select: Select,
    },
    /// Write text to a file.
    Write { path: String, text: String },
    /// Import these blueprint files: each on its own, or all or nothing.
    Import {
        files: Vec<std::path::PathBuf>,
        each: bool,
    },
    /// Simulate the flow as this user (None: nobody chosen).
    SimulateAs(Option<Uuid>),
    /// Create a policy (its type first) over this dialog, which stays open below and is
    /// told of the policy made ([`Kind::created`]).
    CreatePolicy,
}

/// Which of the objects an applied outcome created is selected after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    /// The first (a duplicated flow, not its copied stages).
    First,
    /// The last (create and bind makes a stage, then its binding: select the binding).
    Last,
}

/// What every dialog does.
pub trait Kind {
    fn form(&self) -> &Form;
    fn form_mut(&mut self) -> &mut Form;
    /// Keeps dependent fields in step after the user changed one.
    fn changed(&mut self, doc: &Document);
    /// What the dialog's values lead to, or why they are not acceptable.
    fn submit(&self, doc: &Document) -> Result<Outcome, String>;
    /// The objects it acts on or derives its proposals from (a new binding's order comes
    /// from its siblings): a submit refuses when someone else changed them meanwhile.
    fn touched(&self, doc: &Document) -> Vec<(ObjKind, Uuid)>;
    /// The same dialog opened afresh on the current document; None when what it edits is gone.
    fn reopen(&self, doc: &Document) -> Option<Dialog>;
    /// A dialog opened over this one created an object (see [`Outcome::CreatePolicy`]).
    fn created(&mut self, _doc: &Document, _kind: ObjKind, _id: Uuid) {}
}

/// One open dialog.
#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    Flow(flow::FlowDialog),
    Stage(stage::StageDialog),
    StageBinding(stage_binding::StageBindingDialog),
    Binding(binding::BindingDialog),
    Policy(policy::PolicyDialog),
    User(user::UserDialog),
    Group(group::GroupDialog),
    Duplicate(duplicate::DuplicateDialog),
    SimulateAs(simulate_as::SimulateAsDialog),
    ExportTo(export_to::ExportToDialog),
    ImportFrom(import_from::ImportFromDialog),
}

/// Runs an expression on whichever dialog this is; every variant is named, so a new one
/// that is missing here does not compile.
macro_rules! each {
    ($dialog:expr, $d:ident => $e:expr) => {
        match $dialog {
            Dialog::Flow($d) => $e,
            Dialog::Stage($d) => $e,
            Dialog::StageBinding($d) => $e,
            Dialog::Binding($d) => $e,
            Dialog::Policy($d) => $e,
            Dialog::User($d) => $e,
            Dialog::Group($d) => $e,
            Dialog::Duplicate($d) => $e,
            Dialog::SimulateAs($d) => $e,
            Dialog::ExportTo($d) => $e,
            Dialog::ImportFrom($d) => $e,
        }
    };
}

impl Dialog {
    pub fn form(&self) -> &Form {
        each!(self, d => d.form())
    }

    pub fn form_mut(&mut self) -> &mut Form {
        each!(self, d => d.form_mut())
    }

    pub fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        each!(self, d => d.submit(doc))
    }

    pub fn touched(&self, doc: &Document) -> Vec<(ObjKind, Uuid)> {
        each!(self, d => d.touched(doc))
    }

    pub fn reopen(&self, doc: &Document) -> Option<Dialog> {
        each!(self, d => d.reopen(doc))
    }

    pub fn changed(&mut self, doc: &Document) {
        each!(self, d => d.changed(doc))
    }

    pub fn created(&mut self, doc: &Document, kind: ObjKind, id: Uuid) {
        each!(self, d => d.created(doc, kind, id))
    }

    /// The dialog that edits an existing object of this kind; None for kinds edited
    /// elsewhere (prompts through their stages), Some(None) when the object is gone.
    pub fn edit(doc: &Document, kind: ObjKind, id: Uuid) -> Option<Option<Dialog>> {
        Some(match kind {
            ObjKind::Flow => flow::FlowDialog::open(doc, Some(id)),
            ObjKind::Stage => stage::StageDialog::edit(doc, id),
            ObjKind::Policy => policy::PolicyDialog::edit(doc, id),
            ObjKind::User => user::UserDialog::open(doc, Some(id)),
            ObjKind::Group => group::GroupDialog::open(doc, Some(id)),
            ObjKind::StageBinding => stage_binding::StageBindingDialog::edit(doc, id),
            ObjKind::PolicyBinding => binding::BindingDialog::edit(doc, id),
            ObjKind::Prompt | ObjKind::Other => return None,
        })
    }

    /// Makes a freshly built dialog ready: dependent fields in step, the objects it acts on
    /// remembered, and its values the ones it opened with.
    fn ready(mut self, doc: &Document) -> Dialog {
        self.changed(doc);
        let seen = self
            .touched(doc)
            .into_iter()
            .map(|(kind, id)| (kind, id, doc.get(kind, id)))
            .collect();
        let form = self.form_mut();
        form.seen = seen;
        form.mark_opened();
        self
    }

    /// An edit from the keymap's dialog actions, or a typed character (`action` None).
    pub fn edit_with(&mut self, doc: &Document, action: Option<Action>, key: Key) {
        let form = self.form_mut();
        let edit = action.and_then(TextEdit::of);
        match (action, edit) {
            (_, Some(edit)) => {
                form.edit_text(edit);
            }
            (Some(Action::NextField), _) => form.move_focus(1),
            (Some(Action::PrevField), _) => form.move_focus(-1),
            (Some(Action::Left), _) => {
                form.switch(-1);
            }
            (Some(Action::Right), _) => {
                form.switch(1);
            }
            (Some(Action::Toggle), _) => form.toggle(),
            // Past the first or last line of a multi-line field, Up and Down leave it.
            (Some(Action::LineUp), _) if !form.edit_text(TextEdit::LineUp) => form.move_focus(-1),
            (Some(Action::LineDown), _) if !form.edit_text(TextEdit::LineDown) => {
                form.move_focus(1)
            }
            (Some(Action::LineUp | Action::LineDown), _) => {}
            (Some(Action::Up), _) => form.vertical(-1),
            (Some(Action::Down), _) => form.vertical(1),
            (Some(_), _) => return,
            (None, _) => match key.code {
                crossterm::event::KeyCode::Char(c)
                    if form.focused().is_some_and(|f| f.takes_text())
                        && !key.mods.intersects(
                            crossterm::event::KeyModifiers::CONTROL
                                | crossterm::event::KeyModifiers::ALT,
                        ) =>
                {
                    form.type_char(c)
                }
                _ => return,
            },
        }
        self.changed(doc);
    }

    /// Pasted text goes into the focused field at once, as typed (a single-line field takes
    /// it on one line, a number only its digits).
    pub fn paste(&mut self, doc: &Document, text: &str) {
        let form = self.form_mut();
        if !form.focused().is_some_and(|f| f.takes_text()) {
            return;
        }
        form.insert(text);
        self.changed(doc);
    }
}

/// The submission of a plain create-or-edit dialog: the object built from the form (an edit
/// sends only what the user changed, as a patch over its attributes), applied as one step.
pub(super) fn create_or_update(
    doc: &Document,
    form: &Form,
    kind: ObjKind,
    model: &str,
    editing: Option<Uuid>,
) -> Result<Outcome, String> {
    let op = match editing {
        Some(id) => {
            let existing = doc
                .get(kind, id)
                .ok_or_else(|| format!("the {} is gone", kind.noun()))?;
            Op::Update(fields::built(
                doc,
                kind,
                model,
                Some(&existing),
                &form.changes()?,
            )?)
        }
        None => Op::Create(fields::built(doc, kind, model, None, &form.values()?)?),
    };
    Ok(Outcome::Apply {
        label: apply_label(form),
        ops: vec![op],
        select: Select::Last,
    })
}

/// The label of applied operations: the dialog's title, as the log shows it, its first
/// letter lowered ("edit deny stage NB-Deny"); names keep their case.
fn apply_label(form: &Form) -> String {
    let mut chars = form.title.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
