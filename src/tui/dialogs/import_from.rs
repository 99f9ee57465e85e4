//! Import blueprints: apply blueprint files, all or nothing or each on its own; relative
//! paths are read from the working directory.

use std::path::PathBuf;

use serde_json::Value;
use uuid::Uuid;

use super::fields::{index_of, note, options, text, text_of};
use super::{Dialog, Kind, Outcome};
use crate::model::*;
use crate::tui::form::Form;

const FILES: usize = 0;
const MODE: usize = 1;

/// The Apply choice's options: the second applies each file on its own.
const MODES: [&str; 2] = ["all or nothing", "each file on its own"];

#[derive(Clone, Debug, PartialEq)]
pub struct ImportFromDialog {
    form: Form,
    dir: PathBuf,
}

impl ImportFromDialog {
    pub fn open(doc: &Document, dir: PathBuf) -> Option<Dialog> {
        let fields = vec![
            text("files", "Files", &Value::String(String::new())),
            options("mode", "Apply", &MODES),
            note(
                "All or nothing: one failing file applies none. Each on its own: as \
                 authentik does, a failing file leaves out only itself.",
            ),
            note(format!(
                "Separate files with spaces; relative paths are read from {}",
                dir.display()
            )),
        ];
        let form = Form::new("Import blueprints", fields);
        Some(Dialog::ImportFrom(ImportFromDialog { form, dir }).ready(doc))
    }
}

impl Kind for ImportFromDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, _doc: &Document) -> Result<Outcome, String> {
        let files: Vec<PathBuf> = text_of(&self.form.fields[FILES])?
            .split_whitespace()
            .map(|f| self.dir.join(f))
            .collect();
        if files.is_empty() {
            return Err("Files: which blueprint files should be imported?".into());
        }
        let each = index_of(&self.form.fields[MODE]) == 1;
        Ok(Outcome::Import { files, each })
    }

    fn touched(&self, _doc: &Document) -> Vec<(ObjKind, Uuid)> {
        Vec::new()
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        ImportFromDialog::open(doc, self.dir.clone())
    }
}
