//! The domain model: plain data with authentik's field names, enums and defaults.

pub mod binding;
pub mod check;
pub mod describe;
pub mod directory;
mod document;
pub mod enums;
pub mod expression;
pub mod fields;
pub mod flow;
pub mod kinded;
pub mod limits;
mod object_refs;
pub mod other;
pub mod policy;
pub mod prompt;
pub mod refs;
pub mod relations;
mod settings;
pub mod stage;
mod table;
pub mod typed;
pub mod usage;
pub mod validators;
pub mod values;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use binding::{PolicyBinding, Subject, Target};
pub use directory::{Group, User};
pub use document::{Document, Image, LogEntry, Obj};
pub use enums::*;
pub use flow::{Flow, StageBinding};
pub use other::OtherObject;
pub use policy::{Policy, PolicyKind};
pub use prompt::Prompt;
pub use refs::{OnDelete, Ref, Refs};
pub use stage::{Stage, StageKind};
pub use table::Table;

/// The store format this build writes. Version 1 had no change log, version 2 no entry ids
/// nor images to revert entries; both are read and migrated.
pub const SCHEMA_VERSION: u32 = 3;

/// Every kind of object in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjKind {
    Flow,
    Stage,
    Prompt,
    StageBinding,
    Policy,
    PolicyBinding,
    User,
    Group,
    /// An object of an authentik model bindery does not manage, kept verbatim.
    Other,
}

impl ObjKind {
    pub const ALL: &'static [ObjKind] = &[
        ObjKind::Flow,
        ObjKind::Stage,
        ObjKind::Prompt,
        ObjKind::StageBinding,
        ObjKind::Policy,
        ObjKind::PolicyBinding,
        ObjKind::User,
        ObjKind::Group,
        ObjKind::Other,
    ];

    /// The word used in messages ("stage binding").
    pub fn noun(self) -> &'static str {
        match self {
            ObjKind::Flow => "flow",
            ObjKind::Stage => "stage",
            ObjKind::Prompt => "prompt",
            ObjKind::StageBinding => "stage binding",
            ObjKind::Policy => "policy",
            ObjKind::PolicyBinding => "policy binding",
            ObjKind::User => "user",
            ObjKind::Group => "group",
            ObjKind::Other => "other authentik object",
        }
    }

    /// The top-level key of the store that holds this kind.
    pub fn table(self) -> &'static str {
        match self {
            ObjKind::Flow => "flows",
            ObjKind::Stage => "stages",
            ObjKind::Prompt => "prompts",
            ObjKind::StageBinding => "stage_bindings",
            ObjKind::Policy => "policies",
            ObjKind::PolicyBinding => "policy_bindings",
            ObjKind::User => "users",
            ObjKind::Group => "groups",
            ObjKind::Other => "others",
        }
    }
}

/// A stored object of a known kind.
pub trait Entity {
    const KIND: ObjKind;
    fn id(&self) -> Uuid;
    /// How a person names it: slug, name or username.
    fn label(&self) -> &str;
    fn refs(&self, out: &mut Vec<Ref>);
    fn clear_ref(&mut self, id: Uuid) -> bool;
}

macro_rules! entity {
    ($ty:ty, $kind:ident, |$s:ident| $label:expr) => {
        impl Entity for $ty {
            const KIND: ObjKind = ObjKind::$kind;
            fn id(&self) -> Uuid {
                self.id
            }
            fn label(&self) -> &str {
                let $s = self;
                $label
            }
            fn refs(&self, out: &mut Vec<Ref>) {
                object_refs::refs(self, out)
            }
            fn clear_ref(&mut self, id: Uuid) -> bool {
                object_refs::clear(self, id)
            }
        }
    };
}

entity!(Flow, Flow, |s| &s.slug);
entity!(Stage, Stage, |s| &s.name);
entity!(Prompt, Prompt, |s| &s.name);
entity!(StageBinding, StageBinding, |_s| "stage binding");
entity!(Policy, Policy, |s| &s.name);
entity!(PolicyBinding, PolicyBinding, |_s| "policy binding");
entity!(User, User, |s| &s.username);
entity!(Group, Group, |s| &s.name);

impl Entity for OtherObject {
    const KIND: ObjKind = ObjKind::Other;
    fn id(&self) -> Uuid {
        self.id
    }
    fn label(&self) -> &str {
        OtherObject::label(self)
    }
    fn refs(&self, out: &mut Vec<Ref>) {
        OtherObject::refs(self, out)
    }
    fn clear_ref(&mut self, id: Uuid) -> bool {
        OtherObject::clear_ref(self, id)
    }
}
