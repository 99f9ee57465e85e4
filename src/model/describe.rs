//! One-line descriptions of objects for messages, confirmations and the change log.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Document, Obj, ObjKind, Subject, Target};

/// Names objects: from the document, or, for one an operation removed, from the objects it
/// removed with it (`gone`), so that a description never falls back to a raw id while the
/// name is known.
struct Namer<'a> {
    doc: &'a Document,
    gone: Option<&'a Gone<'a>>,
}

/// Objects not (or no longer, or not yet) in the document, by kind and id: what an operation
/// removed, or what a revert would bring back.
pub type Gone<'a> = HashMap<(ObjKind, Uuid), &'a Obj>;

/// These objects, by kind and id, for [`Document::describe_among`].
pub fn gone<'a>(objects: impl IntoIterator<Item = &'a Obj>) -> Gone<'a> {
    objects
        .into_iter()
        .map(|o| ((o.kind(), o.id()), o))
        .collect()
}

impl Namer<'_> {
    fn find_gone(&self, kind: ObjKind, id: Uuid) -> Option<&Obj> {
        self.gone?.get(&(kind, id)).copied()
    }

    fn label(&self, kind: ObjKind, id: Uuid) -> String {
        if self.doc.contains(kind, id) {
            return self.doc.label_of(kind, id);
        }
        match self.find_gone(kind, id) {
            Some(obj) => obj.label().to_string(),
            None => id.to_string(),
        }
    }

    fn stage_binding(&self, id: Uuid) -> Option<&super::StageBinding> {
        match self.doc.stage_bindings.get(id) {
            Some(b) => Some(b),
            None => match self.find_gone(ObjKind::StageBinding, id) {
                Some(Obj::StageBinding(b)) => Some(b),
                _ => None,
            },
        }
    }

    fn describe(&self, obj: &Obj) -> String {
        match obj {
            Obj::StageBinding(b) => format!(
                "stage '{}' in flow '{}' at order {}",
                self.label(ObjKind::Stage, b.stage),
                self.label(ObjKind::Flow, b.target),
                b.order
            ),
            Obj::PolicyBinding(b) => format!(
                "{} on {} at order {}",
                self.subject(b.subject),
                self.target(b.target),
                b.order
            ),
            Obj::Other(o) => format!("{} '{}'", o.model, o.label()),
            other => format!("{} '{}'", other.kind().noun(), other.label()),
        }
    }

    fn subject(&self, subject: Subject) -> String {
        format!(
            "{} '{}'",
            subject.kind().noun(),
            self.label(subject.kind(), subject.id())
        )
    }

    fn target(&self, target: Target) -> String {
        match target {
            Target::Flow(id) => format!("flow '{}'", self.label(ObjKind::Flow, id)),
            Target::StageBinding(id) => match self.stage_binding(id) {
                Some(b) => format!(
                    "the binding of stage '{}' in flow '{}'",
                    self.label(ObjKind::Stage, b.stage),
                    self.label(ObjKind::Flow, b.target)
                ),
                None => format!("stage binding {id}"),
            },
        }
    }
}

impl Document {
    /// "stage 'default-password' in flow 'login' at order 20", "group 'admins' on flow 'login'".
    pub fn describe(&self, obj: &Obj) -> String {
        Namer {
            doc: self,
            gone: None,
        }
        .describe(obj)
    }

    /// Like [`Document::describe`], naming what is no longer in the document from `gone`: the
    /// objects an operation removed along with `obj` (a binding whose stage went with it).
    pub fn describe_among(&self, obj: &Obj, gone: &Gone) -> String {
        Namer {
            doc: self,
            gone: Some(gone),
        }
        .describe(obj)
    }

    pub fn describe_subject(&self, subject: Subject) -> String {
        Namer {
            doc: self,
            gone: None,
        }
        .subject(subject)
    }

    pub fn describe_target(&self, target: Target) -> String {
        Namer {
            doc: self,
            gone: None,
        }
        .target(target)
    }
}
