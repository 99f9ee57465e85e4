//! The references each kind of object holds, for [`super::Entity`].

use uuid::Uuid;

use super::refs::{OnDelete, Ref, Refs};
use super::{Flow, Group, ObjKind, Policy, PolicyBinding, Prompt, Stage, StageBinding, User};

/// Per-kind reference listing; the `Entity` impls delegate here.
pub trait ObjectRefs {
    fn object_refs(&self, out: &mut Vec<Ref>);
    fn object_clear(&mut self, _id: Uuid) -> bool {
        false
    }
}

pub fn refs<T: ObjectRefs>(object: &T, out: &mut Vec<Ref>) {
    object.object_refs(out)
}

pub fn clear<T: ObjectRefs>(object: &mut T, id: Uuid) -> bool {
    object.object_clear(id)
}

fn cascade(field: &'static str, kind: ObjKind, id: Uuid) -> Ref {
    Ref {
        field,
        kind,
        id,
        on_delete: OnDelete::Cascade,
    }
}

fn clearable(field: &'static str, kind: ObjKind, id: Uuid) -> Ref {
    Ref {
        field,
        kind,
        id,
        on_delete: OnDelete::Clear,
    }
}

impl ObjectRefs for Flow {
    fn object_refs(&self, _out: &mut Vec<Ref>) {}
}

impl ObjectRefs for Prompt {
    fn object_refs(&self, _out: &mut Vec<Ref>) {}
}

impl ObjectRefs for Policy {
    fn object_refs(&self, out: &mut Vec<Ref>) {
        self.kind.refs(out)
    }
}

impl ObjectRefs for Stage {
    fn object_refs(&self, out: &mut Vec<Ref>) {
        self.kind.refs(out)
    }
    fn object_clear(&mut self, id: Uuid) -> bool {
        self.kind.clear_ref(id)
    }
}

impl ObjectRefs for StageBinding {
    fn object_refs(&self, out: &mut Vec<Ref>) {
        out.push(cascade("target", ObjKind::Flow, self.target));
        out.push(cascade("stage", ObjKind::Stage, self.stage));
    }
}

impl ObjectRefs for PolicyBinding {
    fn object_refs(&self, out: &mut Vec<Ref>) {
        out.push(cascade("target", self.target.kind(), self.target.id()));
        let field = match self.subject {
            super::Subject::Policy(_) => "policy",
            super::Subject::Group(_) => "group",
            super::Subject::User(_) => "user",
        };
        out.push(cascade(field, self.subject.kind(), self.subject.id()));
    }
}

impl ObjectRefs for User {
    fn object_refs(&self, out: &mut Vec<Ref>) {
        out.extend(
            self.groups
                .iter()
                .map(|id| clearable("groups", ObjKind::Group, *id)),
        );
    }
    fn object_clear(&mut self, id: Uuid) -> bool {
        let before = self.groups.len();
        self.groups.retain(|g| *g != id);
        before != self.groups.len()
    }
}

impl ObjectRefs for Group {
    fn object_refs(&self, out: &mut Vec<Ref>) {
        out.extend(
            self.parents
                .iter()
                .map(|id| clearable("parents", ObjKind::Group, *id)),
        );
    }
    fn object_clear(&mut self, id: Uuid) -> bool {
        let before = self.parents.len();
        self.parents.retain(|g| *g != id);
        before != self.parents.len()
    }
}
