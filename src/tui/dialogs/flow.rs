//! Create flow / Edit flow.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::fields::{built, choice, text, toggle};
use super::{Dialog, Kind, Outcome, Select, apply_label};
use crate::blueprint::models::attrs_of;
use crate::edit::Op;
use crate::model::*;
use crate::tui::form::{Field, Form};

const MODEL: &str = "authentik_flows.flow";

#[derive(Clone, Debug, PartialEq)]
pub struct FlowDialog {
    form: Form,
    /// The flow edited; None creates one.
    editing: Option<Uuid>,
}

impl FlowDialog {
    pub fn open(doc: &Document, editing: Option<Uuid>) -> Option<Dialog> {
        let (title, values) = match editing {
            Some(id) => {
                let flow = doc.flows.get(id)?;
                (
                    format!("Edit flow {}", flow.slug),
                    attrs_of(doc, &Obj::Flow(flow.clone())),
                )
            }
            None => {
                let template = Flow::new("", "", Designation::Authentication);
                let mut values = attrs_of(doc, &Obj::Flow(template));
                values.insert("title".into(), Value::String(String::new()));
                ("Create flow".to_string(), values)
            }
        };
        let form = Form::new(title, fields(&values));
        Some(Dialog::Flow(FlowDialog { form, editing }).ready(doc))
    }
}

fn fields(values: &Map<String, Value>) -> Vec<Field> {
    let v = |k: &str| values.get(k).cloned().unwrap_or(Value::Null);
    vec![
        text("name", "Name", &v("name")),
        text("title", "Title", &v("title")),
        text("slug", "Slug", &v("slug")),
        choice(
            "designation",
            "Designation",
            Designation::NAMES,
            &v("designation"),
            false,
        ),
        choice(
            "authentication",
            "Authentication",
            AuthenticationRequirement::NAMES,
            &v("authentication"),
            false,
        ),
        choice(
            "policy_engine_mode",
            "Policy engine mode",
            EngineMode::NAMES,
            &v("policy_engine_mode"),
            false,
        ),
        choice(
            "denied_action",
            "Denied action",
            DeniedAction::NAMES,
            &v("denied_action"),
            false,
        ),
        choice("layout", "Layout", Layout::NAMES, &v("layout"), false),
        toggle(
            "compatibility_mode",
            "Compatibility mode",
            &v("compatibility_mode"),
        ),
        text("background", "Background", &v("background")),
    ]
}

impl Kind for FlowDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        let op = match self.editing {
            // An edit sends only what the user changed, as a patch over the attributes.
            Some(id) => {
                let existing = Obj::Flow(doc.flows.get(id).ok_or("the flow is gone")?.clone());
                let values = self.form.changes()?;
                Op::Update(built(doc, ObjKind::Flow, MODEL, Some(&existing), &values)?)
            }
            None => Op::Create(built(
                doc,
                ObjKind::Flow,
                MODEL,
                None,
                &self.form.values()?,
            )?),
        };
        Ok(Outcome::Apply {
            label: apply_label(&self.form),
            ops: vec![op],
            select: Select::Last,
        })
    }

    fn touched(&self, _doc: &Document) -> Vec<(ObjKind, Uuid)> {
        self.editing
            .map(|id| (ObjKind::Flow, id))
            .into_iter()
            .collect()
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        FlowDialog::open(doc, self.editing)
    }
}
