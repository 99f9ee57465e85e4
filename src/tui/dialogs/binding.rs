//! Create binding / Edit binding: a policy, group or user bound to a flow or a stage binding.
//! The Policy / Group / User tab row decides what the drop-down offers; a warning says when a
//! group or user binding there can never match.

use uuid::Uuid;

use super::fields::{index_of, next_order, note, objects};
use super::{Dialog, Kind, Outcome, Select, apply_label};
use crate::edit::Op;
use crate::model::*;
use crate::tui::form::{Field, FieldValue, Form};

/// The tab row's choices, in the order of [`subject`].
const SUBJECT_KINDS: [&str; 3] = ["Policy", "Group", "User"];

/// The fields, by position.
const KIND: usize = 1;
const SUBJECT: usize = 2;
const WARNING: usize = 8;

#[derive(Clone, Debug, PartialEq)]
pub struct BindingDialog {
    form: Form,
    target: Target,
    /// The policy binding edited; None creates one.
    editing: Option<Uuid>,
}

fn subject_kind(tab: usize) -> ObjKind {
    [ObjKind::Policy, ObjKind::Group, ObjKind::User][tab.min(2)]
}

fn subject(tab: usize, id: Uuid) -> Subject {
    [Subject::Policy, Subject::Group, Subject::User][tab.min(2)](id)
}

/// The drop-down's choice that creates a policy (authentik's "Create and bind Policy").
pub const CREATE_POLICY: Uuid = Uuid::max();

/// The drop-down starts on "(choose a policy)", as authentik's does: Enter on a fresh dialog
/// binds nothing. On the Policy tab, the next choice creates a new policy.
fn subject_items(doc: &Document, tab: usize) -> Vec<(Option<Uuid>, String)> {
    let noun = subject_kind(tab).noun();
    let mut items = vec![(None, format!("(choose a {noun})"))];
    if tab == 0 {
        items.push((Some(CREATE_POLICY), "+ create a new policy…".into()));
    }
    items.extend(
        objects(doc, subject_kind(tab))
            .into_iter()
            .map(|(id, l)| (Some(id), l)),
    );
    items
}

/// Whether a group or user binding on `target` is evaluated only before anyone is identified,
/// where it can never match.
pub fn never_matches_warning(doc: &Document, target: Target) -> Option<String> {
    let (flow, at_plan_only) = match target {
        Target::Flow(id) => (doc.flows.get(id)?, true),
        Target::StageBinding(id) => {
            let b = doc.stage_bindings.get(id)?;
            (doc.flows.get(b.target)?, b.evaluate_on_plan)
        }
    };
    let early = matches!(
        flow.designation,
        Designation::Authentication | Designation::Enrollment | Designation::Recovery
    ) && flow.authentication != AuthenticationRequirement::RequireAuthenticated;
    (early && at_plan_only).then(|| {
        format!(
            "Warning: this is evaluated when the {} flow is planned, before anyone is identified: a group or user binding here never matches (negated or not).",
            flow.designation
        )
    })
}

impl BindingDialog {
    pub fn create(doc: &Document, target: Target) -> Option<Dialog> {
        Some(Dialog::Binding(BindingDialog::build(doc, target, None)).ready(doc))
    }

    pub fn edit(doc: &Document, id: Uuid) -> Option<Dialog> {
        let b = doc.policy_bindings.get(id)?;
        Some(Dialog::Binding(BindingDialog::build(doc, b.target, Some(b))).ready(doc))
    }

    fn build(doc: &Document, target: Target, existing: Option<&PolicyBinding>) -> BindingDialog {
        let (tab, current) = match existing.map(|b| b.subject) {
            Some(Subject::Policy(id)) => (0, Some(id)),
            Some(Subject::Group(id)) => (1, Some(id)),
            Some(Subject::User(id)) => (2, Some(id)),
            None => (0, None),
        };
        let order = existing.map_or_else(
            || next_order(doc.policy_bindings_of(target.id()).iter().map(|b| b.order)),
            |b| b.order,
        );
        let defaults = PolicyBinding::new(target, Subject::Policy(Uuid::nil()), order);
        let b = existing.unwrap_or(&defaults);
        let items = subject_items(doc, tab);
        let highlighted = items.iter().position(|(id, _)| *id == current).unwrap_or(0);
        let fields = vec![
            // What it binds to, as the header of authentik's dialog says.
            note(format!("On {}", doc.describe_target(target))),
            Field::new(
                "",
                "Bind a",
                FieldValue::Tabs {
                    options: SUBJECT_KINDS.iter().map(|s| s.to_string()).collect(),
                    index: tab,
                },
            ),
            Field::new(
                "",
                SUBJECT_KINDS[tab],
                FieldValue::Pick {
                    items,
                    query: String::new(),
                    highlighted,
                },
            ),
            Field::new("enabled", "Enabled", FieldValue::Toggle(b.enabled)),
            Field::new("negate", "Negate result", FieldValue::Toggle(b.negate)),
            Field::new("order", "Order", FieldValue::Number(b.order.to_string())),
            Field::new(
                "timeout",
                "Timeout (seconds)",
                FieldValue::Number(b.timeout.to_string()),
            ),
            Field::new(
                "failure_result",
                "Failure result",
                FieldValue::Choice {
                    options: vec!["don't pass".into(), "pass".into()],
                    index: usize::from(b.failure_result),
                },
            ),
            note(""),
        ];
        let title = if existing.is_some() {
            "Edit binding"
        } else {
            "Create binding"
        };
        BindingDialog {
            form: Form::new(title, fields),
            target,
            editing: existing.map(|b| b.id),
        }
    }

    /// The Policy / Group / User tab row.
    pub fn kind_field(&self) -> &Field {
        &self.form.fields[KIND]
    }

    /// The drop-down of what to bind.
    pub fn subject_field(&self) -> &Field {
        &self.form.fields[SUBJECT]
    }

    /// The warning under the fields (empty when there is none).
    pub fn warning(&self) -> &str {
        match &self.form.fields[WARNING].value {
            FieldValue::Note(text) => text,
            _ => "",
        }
    }

    pub fn focus_is_kind(&self) -> bool {
        self.form.focus == KIND
    }
}

impl Kind for BindingDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    /// The drop-down follows the tab, and the warning follows the choice.
    fn changed(&mut self, doc: &Document) {
        let tab = index_of(&self.form.fields[KIND]);
        let field = &mut self.form.fields[SUBJECT];
        field.label = SUBJECT_KINDS[tab.min(2)].to_string();
        if let FieldValue::Pick {
            items,
            query,
            highlighted,
        } = &mut field.value
        {
            let wanted = subject_items(doc, tab);
            if wanted
                .iter()
                .map(|(id, _)| *id)
                .ne(items.iter().map(|(id, _)| *id))
            {
                *items = wanted;
                query.clear();
                *highlighted = 0;
            }
        }
        let warning = if tab > 0 {
            never_matches_warning(doc, self.target).unwrap_or_default()
        } else {
            String::new()
        };
        self.form.fields[WARNING].value = FieldValue::Note(warning);
    }

    fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        if self.form.fields[SUBJECT].value.picked() == Some(Some(CREATE_POLICY)) {
            return Ok(Outcome::CreatePolicy);
        }
        // An edit sends only what the user changed.
        let values = match self.editing {
            Some(_) => self.form.changes()?,
            None => self.form.values()?,
        };
        let mut binding = match self.editing {
            None => PolicyBinding::new(self.target, Subject::Policy(Uuid::nil()), 0),
            Some(id) => doc
                .policy_bindings
                .get(id)
                .ok_or("the binding is gone")?
                .clone(),
        };
        // The kind tab and the drop-down name the subject together.
        let (kind, chosen) = (&self.form.fields[KIND], &self.form.fields[SUBJECT]);
        if self.editing.is_none() || kind.changed() || chosen.changed() {
            let subject_id = chosen
                .attribute()?
                .and_then(|v| v.as_str().and_then(|s| s.parse::<Uuid>().ok()))
                .ok_or("choose what to bind")?;
            binding.subject = subject(index_of(kind), subject_id);
        }
        if let Some(order) = values.get("order") {
            binding.order = order.as_i64().ok_or("Order: a whole number is needed")?;
        }
        if let Some(timeout) = values.get("timeout") {
            let timeout = timeout
                .as_u64()
                .ok_or("Timeout: a whole number of seconds is needed")?;
            binding.timeout = u32::try_from(timeout).map_err(|_| "Timeout: too large")?;
        }
        if let Some(enabled) = values.get("enabled").and_then(|v| v.as_bool()) {
            binding.enabled = enabled;
        }
        if let Some(negate) = values.get("negate").and_then(|v| v.as_bool()) {
            binding.negate = negate;
        }
        if let Some(result) = values.get("failure_result") {
            binding.failure_result = result.as_str() == Some("pass");
        }
        let op = match self.editing {
            None => Op::Create(Obj::PolicyBinding(binding)),
            Some(_) => Op::Update(Obj::PolicyBinding(binding)),
        };
        Ok(Outcome::Apply {
            label: apply_label(&self.form),
            ops: vec![op],
            select: Select::Last,
        })
    }

    fn touched(&self, doc: &Document) -> Vec<(ObjKind, Uuid)> {
        if let Some(id) = self.editing {
            return vec![(ObjKind::PolicyBinding, id)];
        }
        let mut out = vec![match self.target {
            Target::Flow(id) => (ObjKind::Flow, id),
            Target::StageBinding(id) => (ObjKind::StageBinding, id),
        }];
        out.extend(
            doc.policy_bindings_of(self.target.id())
                .into_iter()
                .map(|b| (ObjKind::PolicyBinding, b.id)),
        );
        out
    }

    /// A policy created from the drop-down's "create a new policy" is the one chosen.
    fn created(&mut self, doc: &Document, kind: ObjKind, id: Uuid) {
        if kind != ObjKind::Policy || index_of(&self.form.fields[KIND]) != 0 {
            return;
        }
        self.changed(doc);
        if let FieldValue::Pick {
            items,
            query,
            highlighted,
        } = &mut self.form.fields[SUBJECT].value
        {
            query.clear();
            *highlighted = items.iter().position(|(i, _)| *i == Some(id)).unwrap_or(0);
        }
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        match self.editing {
            Some(id) => BindingDialog::edit(doc, id),
            None => BindingDialog::create(doc, self.target),
        }
    }
}
