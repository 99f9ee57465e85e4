//! Create stage (of a chosen type, optionally bound to a flow: "create and bind") and Edit
//! stage. A kind bindery does not model is edited as raw JSON so nothing is lost.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::fields::{
    built, next_order, note, object_map, raw_attributes, raw_attrs, settings_fields,
    stage_binding_fields, text,
};
use super::{Dialog, Kind, Outcome, Select, apply_label};
use crate::blueprint::models::attrs_of;
use crate::edit::Op;
use crate::model::*;
use crate::tui::form::{Field, Form};

/// What the dialog was opened for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    /// A new stage of `model`, bound to `bind_to` when given (create and bind).
    Create {
        model: String,
        bind_to: Option<Uuid>,
    },
    Edit(Uuid),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StageDialog {
    form: Form,
    purpose: Purpose,
    /// The raw attributes field of a kind bindery does not model.
    raw: Option<usize>,
    /// Where the binding's fields start (create and bind).
    binding: Option<usize>,
}

impl StageDialog {
    pub fn create(doc: &Document, model: &str, bind_to: Option<Uuid>) -> Option<Dialog> {
        let kind = StageKind::default_for(model)?;
        let mut fields = vec![text("name", "Name", &Value::String(String::new()))];
        fields.extend(settings_fields(
            doc,
            &kind.field_specs(),
            &object_map(kind.settings_value()),
        ));
        let mut binding = None;
        if let Some(flow) = bind_to {
            let order = next_order(doc.bindings_of_flow(flow).iter().map(|b| b.order));
            let template = StageBinding::new(flow, Uuid::nil(), order);
            let values = attrs_of(doc, &Obj::StageBinding(template));
            fields.push(note("Binding"));
            binding = Some(fields.len());
            fields.extend(stage_binding_fields(&values));
        }
        let form = Form::new(format!("Create {}", kind.title()), fields);
        let purpose = Purpose::Create {
            model: model.to_string(),
            bind_to,
        };
        let dialog = StageDialog {
            form,
            purpose,
            raw: None,
            binding,
        };
        Some(Dialog::Stage(dialog).ready(doc))
    }

    pub fn edit(doc: &Document, id: Uuid) -> Option<Dialog> {
        let stage = doc.stages.get(id)?;
        let mut fields = vec![text("name", "Name", &Value::String(stage.name.clone()))];
        let mut raw = None;
        if stage.kind.is_known() {
            fields.extend(settings_fields(
                doc,
                &stage.kind.field_specs(),
                &object_map(stage.kind.settings_value()),
            ));
        } else {
            raw = Some(fields.len());
            fields.push(raw_attributes(stage.kind.settings_value()));
        }
        let form = Form::new(
            format!("Edit {} {}", stage.kind.title(), stage.name),
            fields,
        );
        let dialog = StageDialog {
            form,
            purpose: Purpose::Edit(id),
            raw,
            binding: None,
        };
        Some(Dialog::Stage(dialog).ready(doc))
    }

    /// The raw attributes of a kind bindery does not model.
    pub fn raw_field(&self) -> Option<&Field> {
        self.form.fields.get(self.raw?)
    }

    /// A field of the binding made with the stage (create and bind), by attribute name.
    pub fn binding_field(&self, key: &str) -> Option<&Field> {
        self.form.fields[self.binding?..]
            .iter()
            .find(|f| f.key == key)
    }

    fn create_ops(
        &self,
        doc: &Document,
        model: &str,
        bind_to: Option<Uuid>,
    ) -> Result<Vec<Op>, String> {
        let split = self.binding.unwrap_or(self.form.fields.len());
        let values = self.form.values_in(0..split)?;
        let stage = built(doc, ObjKind::Stage, model, None, &values)?;
        let mut ops = vec![Op::Create(stage.clone())];
        if let Some(flow) = bind_to {
            let mut b: Map<String, Value> = self.form.values_in(split..self.form.fields.len())?;
            b.insert("id".into(), Value::String(Uuid::new_v4().to_string()));
            b.insert("target".into(), Value::String(flow.to_string()));
            b.insert("stage".into(), Value::String(stage.id().to_string()));
            let binding: StageBinding =
                serde_json::from_value(Value::Object(b)).map_err(|e| e.to_string())?;
            ops.push(Op::Create(Obj::StageBinding(binding)));
        }
        Ok(ops)
    }

    fn edit_op(&self, doc: &Document, id: Uuid) -> Result<Op, String> {
        let stage = doc.stages.get(id).ok_or("the stage is gone")?.clone();
        let values = self.form.changes()?;
        let Some(raw) = self.raw else {
            let model = stage.kind.model().to_string();
            let existing = Obj::Stage(stage);
            return Ok(Op::Update(built(
                doc,
                ObjKind::Stage,
                &model,
                Some(&existing),
                &values,
            )?));
        };
        let mut updated = stage.clone();
        if let Some(name) = values.get("name").and_then(Value::as_str) {
            updated.name = name.to_string();
        }
        if let Some(attrs) = raw_attrs(&self.form.fields[raw])? {
            updated.kind = StageKind::Other {
                model: stage.kind.model().to_string(),
                attrs,
            };
        }
        Ok(Op::Update(Obj::Stage(updated)))
    }
}

impl Kind for StageDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        let ops = match &self.purpose {
            Purpose::Create { model, bind_to } => self.create_ops(doc, model, *bind_to)?,
            Purpose::Edit(id) => vec![self.edit_op(doc, *id)?],
        };
        Ok(Outcome::Apply {
            label: apply_label(&self.form),
            ops,
            select: Select::Last,
        })
    }

    fn touched(&self, doc: &Document) -> Vec<(ObjKind, Uuid)> {
        match &self.purpose {
            Purpose::Create {
                bind_to: Some(flow),
                ..
            } => super::fields::flow_and_bindings(doc, *flow, false),
            Purpose::Create { bind_to: None, .. } => Vec::new(),
            Purpose::Edit(id) => vec![(ObjKind::Stage, *id)],
        }
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        match &self.purpose {
            Purpose::Create { model, bind_to } => StageDialog::create(doc, model, *bind_to),
            Purpose::Edit(id) => StageDialog::edit(doc, *id),
        }
    }
}
