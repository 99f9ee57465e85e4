//! Create group / Edit group.

use serde_json::Value;
use uuid::Uuid;

use super::fields::{create_or_edit_title, json, multi, objects, text, toggle};
use super::{Dialog, Kind, Outcome, create_or_update};
use crate::blueprint::models::attrs_of;
use crate::model::*;
use crate::tui::form::Form;

const MODEL: &str = "authentik_core.group";

#[derive(Clone, Debug, PartialEq)]
pub struct GroupDialog {
    form: Form,
    /// The group edited; None creates one.
    editing: Option<Uuid>,
}

impl GroupDialog {
    pub fn open(doc: &Document, editing: Option<Uuid>) -> Option<Dialog> {
        let group = match editing {
            Some(id) => doc.groups.get(id)?.clone(),
            None => Group::new(""),
        };
        let values = attrs_of(doc, &Obj::Group(group.clone()));
        let v = |k: &str| values.get(k).cloned().unwrap_or(Value::Null);
        // A group cannot be its own parent.
        let parents: Vec<(String, String)> = objects(doc, ObjKind::Group)
            .into_iter()
            .filter(|(id, _)| *id != group.id)
            .map(|(id, l)| (id.to_string(), l))
            .collect();
        let fields = vec![
            text("name", "Name", &v("name")),
            toggle(
                "is_superuser",
                "Superuser (members are superusers)",
                &v("is_superuser"),
            ),
            multi("parents", "Parents", parents, &v("parents")),
            json("attributes", "Attributes (JSON)", &v("attributes")),
        ];
        let form = Form::new(create_or_edit_title("group", &group.name), fields);
        Some(Dialog::Group(GroupDialog { form, editing }).ready(doc))
    }
}

impl Kind for GroupDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        create_or_update(doc, &self.form, ObjKind::Group, MODEL, self.editing)
    }

    fn touched(&self, _doc: &Document) -> Vec<(ObjKind, Uuid)> {
        self.editing
            .map(|id| (ObjKind::Group, id))
            .into_iter()
            .collect()
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        GroupDialog::open(doc, self.editing)
    }
}
