//! Export blueprint: write the flow's blueprint to a file, by default `<slug>.yaml` beside
//! the store.

use std::path::PathBuf;

use serde_json::Value;
use uuid::Uuid;

use super::fields::{note, text, text_of};
use super::{Dialog, Kind, Outcome};
use crate::model::*;
use crate::tui::form::Form;

const PATH: usize = 0;

#[derive(Clone, Debug, PartialEq)]
pub struct ExportToDialog {
    form: Form,
    flow: Uuid,
    dir: PathBuf,
}

impl ExportToDialog {
    pub fn open(doc: &Document, flow: Uuid, dir: PathBuf) -> Option<Dialog> {
        let f = doc.flows.get(flow)?;
        let path = dir.join(format!("{}.yaml", f.slug));
        // The field may be too narrow for the whole path: the note shows the directory.
        let fields = vec![
            text(
                "path",
                "Write to file",
                &Value::String(path.display().to_string()),
            ),
            note(format!("Proposed: beside the store, in {}", dir.display())),
        ];
        let form = Form::new("Export blueprint", fields);
        Some(Dialog::ExportTo(ExportToDialog { form, flow, dir }).ready(doc))
    }
}

impl Kind for ExportToDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        let path = text_of(&self.form.fields[PATH])?.trim().to_string();
        if path.is_empty() {
            return Err("Path: where should the blueprint go?".into());
        }
        let node =
            crate::blueprint::export_flow(doc, self.flow, crate::blueprint::Reach::Standalone)
                .ok_or("the flow is gone")?;
        Ok(Outcome::Write {
            path,
            text: crate::blueprint::yaml::emit(&node),
        })
    }

    fn touched(&self, _doc: &Document) -> Vec<(ObjKind, Uuid)> {
        Vec::new()
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        ExportToDialog::open(doc, self.flow, self.dir.clone())
    }
}
