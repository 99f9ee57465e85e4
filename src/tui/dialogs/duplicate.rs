//! Duplicate flow: a copy under a new slug, shallow (same stages and policies) or deep
//! (copies of them, named with a suffix).

use serde_json::Value;
use uuid::Uuid;

use super::fields::{flow_and_bindings, index_of, options, text, text_of};
use super::{Dialog, Kind, Outcome, Select};
use crate::edit::Depth;
use crate::model::*;
use crate::tui::form::Form;

/// The fields, by position.
const SLUG: usize = 0;
const DEPTH: usize = 1;
const SUFFIX: usize = 2;

/// The Copy choice's options, in the order of [`DEPTHS`].
const DEPTH_NAMES: [&str; 2] = ["shallow (same stages, policies)", "deep (copies of them)"];
const DEPTHS: [Depth; 2] = [Depth::Shallow, Depth::Deep];

#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateDialog {
    form: Form,
    flow: Uuid,
}

impl DuplicateDialog {
    pub fn open(doc: &Document, flow: Uuid) -> Option<Dialog> {
        let f = doc.flows.get(flow)?;
        let fields = vec![
            text(
                "slug",
                "New slug",
                &Value::String(format!("{}-copy", f.slug)),
            ),
            options("depth", "Copy", &DEPTH_NAMES),
            text(
                "suffix",
                "Suffix for copied names",
                &Value::String("-copy".into()),
            ),
        ];
        let form = Form::new(format!("Duplicate flow {}", f.slug), fields);
        Some(Dialog::Duplicate(DuplicateDialog { form, flow }).ready(doc))
    }
}

impl Kind for DuplicateDialog {
    fn form(&self) -> &Form {
        &self.form
    }

    fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    fn changed(&mut self, _doc: &Document) {}

    fn submit(&self, doc: &Document) -> Result<Outcome, String> {
        let fields = &self.form.fields;
        let slug = text_of(&fields[SLUG])?.trim().to_string();
        let suffix = text_of(&fields[SUFFIX])?;
        let depth = DEPTHS[index_of(&fields[DEPTH]).min(1)];
        let ops = crate::edit::duplicate_flow(doc, self.flow, &slug, &suffix, depth)?;
        let label = format!(
            "duplicate flow '{}' as '{slug}'",
            doc.label_of(ObjKind::Flow, self.flow)
        );
        Ok(Outcome::Apply {
            label,
            ops,
            select: Select::First,
        })
    }

    fn touched(&self, doc: &Document) -> Vec<(ObjKind, Uuid)> {
        flow_and_bindings(doc, self.flow, true)
    }

    fn reopen(&self, doc: &Document) -> Option<Dialog> {
        DuplicateDialog::open(doc, self.flow)
    }
}
