//! One-line descriptions of objects for messages, confirmations and the change log.

use super::{Document, Obj, ObjKind, Subject, Target};

impl Document {
    /// "stage 'default-password' in flow 'login' at order 20", "group 'admins' on flow 'login'".
    pub fn describe(&self, obj: &Obj) -> String {
        match obj {
            Obj::StageBinding(b) => format!(
                "stage '{}' in flow '{}' at order {}",
                self.label_of(ObjKind::Stage, b.stage),
                self.label_of(ObjKind::Flow, b.target),
                b.order
            ),
            Obj::PolicyBinding(b) => format!(
                "{} on {} at order {}",
                self.describe_subject(b.subject),
                self.describe_target(b.target),
                b.order
            ),
            Obj::Other(o) => format!("{} '{}'", o.model, o.label()),
            other => format!("{} '{}'", other.kind().noun(), other.label()),
        }
    }

    pub fn describe_subject(&self, subject: Subject) -> String {
        format!(
            "{} '{}'",
            subject.kind().noun(),
            self.label_of(subject.kind(), subject.id())
        )
    }

    pub fn describe_target(&self, target: Target) -> String {
        match target {
            Target::Flow(id) => format!("flow '{}'", self.label_of(ObjKind::Flow, id)),
            Target::StageBinding(id) => match self.stage_bindings.get(id) {
                Some(b) => format!(
                    "the binding of stage '{}' in flow '{}'",
                    self.label_of(ObjKind::Stage, b.stage),
                    self.label_of(ObjKind::Flow, b.target)
                ),
                None => format!("stage binding {id}"),
            },
        }
    }
}
