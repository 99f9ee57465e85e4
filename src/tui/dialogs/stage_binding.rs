//! Bind existing stage (a stage picked from a drop-down, order defaulting to the next free)
//! and Edit binding of a stage binding.

use serde_json::Value;
use uuid::Uuid;

use super::fields::{built, flow_and_bindings, next_order, objects, pick, stage_binding_fields};
use super::{Dialog, Kind, Outcome, Select, apply_label};
use crate::blueprint::models::attrs_of;
use crate::edit::Op;
use crate::model::*;
use crate::tui::form::Form;

const MODEL: &str = "authentik_flows.flowstagebinding";

/// What the dialog was opened for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    /// Bind a stage to this flow.
    Bind {
        flow: Uuid,
    },
    Edit(Uuid),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StageBindingDialog {
    form: Form,
    purpose: Purpose,
}

impl StageBindingDialog {
    pub fn bind(doc: &Document, flow: Uuid) -> Option<Dialog> {
        let order = next_order(doc.bindings_of_flow(flow).iter().map(|b| b.order));
        let values = attrs_of(
            doc,
            &Obj::StageBinding(StageBinding::new(flow, Uuid::nil(), order)),
        );
        let mut fields = vec![pick(
            "stage",
            "Stage",
            objects(doc, ObjKind::Stage),
            None,
            false,
        )];
        fields.extend(stage_binding_fields(&values));
        let form = Form::new("Bind existing stage", fields);
        let purpose = Purpose::Bind { flow };
        Some(Dialog::StageBinding(StageBindingDialog { form, purpose }).ready(doc))
    }

    pub fn edit(doc: &Document, id: Uuid) -> Option<Dialog> {
        let b = doc.stage_bindings.get(id)?;
        let values = attrs_of(doc, &Obj::StageBinding(b.clone()));
        let title = format!("Edit binding of {}", doc.label_of(ObjKind::Stage, b.stage));
        let form = Form::new(title, stage_binding_fields(&values));
        let purpose = Purpose::Edit(id);
        Some(Dialog::StageBinding(StageBindingDialog { form, purpose }).ready(doc))
    }
}

impl Kind for StageBindingDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        let op = match &self.purpose {
            Purpose::Bind { flow } => {
                let mut values = self.form.values()?;
                values.insert("target".into(), Value::String(flow.to_string()));
                Op::Create(built(doc, ObjKind::StageBinding, MODEL, None, &values)?)
            }
            Purpose::Edit(id) => {
                let existing = Obj::StageBinding(
                    doc.stage_bindings
                        .get(*id)
                        .ok_or("the binding is gone")?
                        .clone(),
                );
                let values = self.form.changes()?;
                Op::Update(built(
                    doc,
                    ObjKind::StageBinding,
                    MODEL,
                    Some(&existing),
                    &values,
                )?)
            }
        };
        Ok(Outcome::Apply {
            label: apply_label(&self.form),
            ops: vec![op],
            select: Select::Last,
        })
    }

    fn touched(&self, doc: &Document) -> Vec<(ObjKind, Uuid)> {
        match &self.purpose {
            Purpose::Bind { flow } => flow_and_bindings(doc, *flow, false),
            Purpose::Edit(id) => vec![(ObjKind::StageBinding, *id)],
        }
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        match &self.purpose {
            Purpose::Bind { flow } => StageBindingDialog::bind(doc, *flow),
            Purpose::Edit(id) => StageBindingDialog::edit(doc, *id),
        }
    }
}
