//! Create user / Edit user.

use serde_json::Value;
use uuid::Uuid;

use super::fields::{choice, create_or_edit_title, json, multi, objects, text, toggle};
use super::{Dialog, Kind, Outcome, create_or_update};
use crate::blueprint::models::attrs_of;
use crate::model::*;
use crate::tui::form::Form;

const MODEL: &str = "authentik_core.user";

#[derive(Clone, Debug, PartialEq)]
pub struct UserDialog {
    form: Form,
    /// The user edited; None creates one.
    editing: Option<Uuid>,
}

impl UserDialog {
    pub fn open(doc: &Document, editing: Option<Uuid>) -> Option<Dialog> {
        let user = match editing {
            Some(id) => doc.users.get(id)?.clone(),
            None => User::new(""),
        };
        let values = attrs_of(doc, &Obj::User(user.clone()));
        let v = |k: &str| values.get(k).cloned().unwrap_or(Value::Null);
        let groups: Vec<(String, String)> = objects(doc, ObjKind::Group)
            .into_iter()
            .map(|(id, l)| (id.to_string(), l))
            .collect();
        let fields = vec![
            text("username", "Username", &v("username")),
            text("name", "Name", &v("name")),
            text("email", "Email", &v("email")),
            toggle("is_active", "Active", &v("is_active")),
            choice("type", "Type", UserType::NAMES, &v("type"), false),
            text("path", "Path", &v("path")),
            multi("groups", "Groups", groups, &v("groups")),
            json("attributes", "Attributes (JSON)", &v("attributes")),
        ];
        let form = Form::new(create_or_edit_title("user", &user.username), fields);
        Some(Dialog::User(UserDialog { form, editing }).ready(doc))
    }
}

impl Kind for UserDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        create_or_update(doc, &self.form, ObjKind::User, MODEL, self.editing)
    }

    fn touched(&self, _doc: &Document) -> Vec<(ObjKind, Uuid)> {
        self.editing
            .map(|id| (ObjKind::User, id))
            .into_iter()
            .collect()
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        UserDialog::open(doc, self.editing)
    }
}
