//! Create flow / Edit flow.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::fields::{choice, text, toggle};
use super::{Dialog, Kind, Outcome, create_or_update};
use crate::blueprint::models::attrs_of;
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
        create_or_update(doc, &self.form, ObjKind::Flow, MODEL, self.editing)
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
