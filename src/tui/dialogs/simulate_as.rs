//! Simulate as: the user the Simulate tab plans the flow for.

use uuid::Uuid;

use super::fields::{objects, pick};
use super::{Dialog, Kind, Outcome};
use crate::model::*;
use crate::tui::form::Form;

const USER: usize = 0;

#[derive(Clone, Debug, PartialEq)]
pub struct SimulateAsDialog {
    form: Form,
}

impl SimulateAsDialog {
    pub fn open(doc: &Document) -> Option<Dialog> {
        let fields = vec![pick(
            "user",
            "User",
            objects(doc, ObjKind::User),
            None,
            true,
        )];
        let form = Form::new("Simulate as", fields);
        Some(Dialog::SimulateAs(SimulateAsDialog { form }).ready(doc))
    }
}

impl Kind for SimulateAsDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, _doc: &Document) -> Result<Outcome, String> {
        let user = self.form.fields[USER]
            .attribute()?
            .and_then(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()));
        Ok(Outcome::SimulateAs(user))
    }

    fn touched(&self, _doc: &Document) -> Vec<(ObjKind, Uuid)> {
        Vec::new()
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        SimulateAsDialog::open(doc)
    }
}
