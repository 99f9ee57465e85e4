//! Create policy (of a chosen type) / Edit policy. A kind bindery does not model is edited as
//! raw JSON so nothing is lost.

use serde_json::Value;
use uuid::Uuid;

use super::fields::{built, object_map, raw_attributes, raw_attrs, settings_fields, text, toggle};
use super::{Dialog, Kind, Outcome, Select, apply_label};
use crate::edit::Op;
use crate::model::*;
use crate::tui::form::Form;

/// What the dialog was opened for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    Create { model: String },
    Edit(Uuid),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDialog {
    form: Form,
    purpose: Purpose,
    /// The raw attributes field of a kind bindery does not model.
    raw: Option<usize>,
}

impl PolicyDialog {
    pub fn create(doc: &Document, model: &str) -> Option<Dialog> {
        let kind = PolicyKind::default_for(model)?;
        let mut fields = vec![
            text("name", "Name", &Value::String(String::new())),
            toggle(
                "execution_logging",
                "Execution logging",
                &Value::Bool(false),
            ),
        ];
        fields.extend(settings_fields(
            doc,
            &kind.field_specs(),
            &object_map(kind.settings_value()),
        ));
        let form = Form::new(format!("Create {}", kind.title()), fields);
        let purpose = Purpose::Create {
            model: model.to_string(),
        };
        Some(
            Dialog::Policy(PolicyDialog {
                form,
                purpose,
                raw: None,
            })
            .ready(doc),
        )
    }

    pub fn edit(doc: &Document, id: Uuid) -> Option<Dialog> {
        let p = doc.policies.get(id)?;
        let mut fields = vec![
            text("name", "Name", &Value::String(p.name.clone())),
            toggle(
                "execution_logging",
                "Execution logging",
                &Value::Bool(p.execution_logging),
            ),
        ];
        let mut raw = None;
        if p.kind.is_known() {
            fields.extend(settings_fields(
                doc,
                &p.kind.field_specs(),
                &object_map(p.kind.settings_value()),
            ));
        } else {
            raw = Some(fields.len());
            fields.push(raw_attributes(p.kind.settings_value()));
        }
        let form = Form::new(format!("Edit {} {}", p.kind.title(), p.name), fields);
        let purpose = Purpose::Edit(id);
        Some(Dialog::Policy(PolicyDialog { form, purpose, raw }).ready(doc))
    }

    fn edit_op(&self, doc: &Document, id: Uuid) -> Result<Op, String> {
        let policy = doc.policies.get(id).ok_or("the policy is gone")?.clone();
        let values = self.form.changes()?;
        let Some(raw) = self.raw else {
            let model = policy.kind.model().to_string();
            let existing = Obj::Policy(policy);
            return Ok(Op::Update(built(
                doc,
                ObjKind::Policy,
                &model,
                Some(&existing),
                &values,
            )?));
        };
        let mut updated = policy.clone();
        if let Some(name) = values.get("name").and_then(Value::as_str) {
            updated.name = name.to_string();
        }
        if let Some(logging) = values.get("execution_logging").and_then(Value::as_bool) {
            updated.execution_logging = logging;
        }
        if let Some(attrs) = raw_attrs(&self.form.fields[raw])? {
            updated.kind = PolicyKind::Other {
                model: policy.kind.model().to_string(),
                attrs,
            };
        }
        Ok(Op::Update(Obj::Policy(updated)))
    }
}

impl Kind for PolicyDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        let op = match &self.purpose {
            Purpose::Create { model } => Op::Create(built(
                doc,
                ObjKind::Policy,
                model,
                None,
                &self.form.values()?,
            )?),
            Purpose::Edit(id) => self.edit_op(doc, *id)?,
        };
        Ok(Outcome::Apply {
            label: apply_label(&self.form),
            ops: vec![op],
            select: Select::Last,
        })
    }

    fn touched(&self, _doc: &Document) -> Vec<(ObjKind, Uuid)> {
        match &self.purpose {
            Purpose::Create { .. } => Vec::new(),
            Purpose::Edit(id) => vec![(ObjKind::Policy, *id)],
        }
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        match &self.purpose {
            Purpose::Create { model } => PolicyDialog::create(doc, model),
            Purpose::Edit(id) => PolicyDialog::edit(doc, *id),
        }
    }
}
