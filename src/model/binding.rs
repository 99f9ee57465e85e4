//! Policy bindings: a policy, a group or a user attached to a flow or a stage binding.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ObjKind;

/// What a policy binding is attached to. authentik allows any PolicyBindingModel; within flows
/// that is a flow or a stage binding, never a bare stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Flow(Uuid),
    StageBinding(Uuid),
}

impl Target {
    pub fn id(self) -> Uuid {
        match self {
            Target::Flow(id) | Target::StageBinding(id) => id,
        }
    }

    pub fn kind(self) -> ObjKind {
        match self {
            Target::Flow(_) => ObjKind::Flow,
            Target::StageBinding(_) => ObjKind::StageBinding,
        }
    }
}

/// Exactly one of policy, group or user: the type makes "several" and "none" unrepresentable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Policy(Uuid),
    Group(Uuid),
    User(Uuid),
}

impl Subject {
    pub fn id(self) -> Uuid {
        match self {
            Subject::Policy(id) | Subject::Group(id) | Subject::User(id) => id,
        }
    }

    pub fn kind(self) -> ObjKind {
        match self {
            Subject::Policy(_) => ObjKind::Policy,
            Subject::Group(_) => ObjKind::Group,
            Subject::User(_) => ObjKind::User,
        }
    }

    /// Builds the subject from authentik's three optional fields, refusing none or several.
    pub fn from_parts(
        policy: Option<Uuid>,
        group: Option<Uuid>,
        user: Option<Uuid>,
    ) -> Result<Subject, String> {
        match (policy, group, user) {
            (Some(id), None, None) => Ok(Subject::Policy(id)),
            (None, Some(id), None) => Ok(Subject::Group(id)),
            (None, None, Some(id)) => Ok(Subject::User(id)),
            (None, None, None) => Err("one of policy, group or user must be set".into()),
            _ => Err("only one of policy, group or user can be set".into()),
        }
    }
}

/// `authentik_policies.policybinding`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBinding {
    pub id: Uuid,
    pub target: Target,
    pub subject: Subject,
    pub order: i64,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub negate: bool,
    #[serde(default = "default_timeout")]
    pub timeout: u32,
    #[serde(default)]
    pub failure_result: bool,
}

fn yes() -> bool {
    true
}

fn default_timeout() -> u32 {
    30
}

impl PolicyBinding {
    pub fn new(target: Target, subject: Subject, order: i64) -> PolicyBinding {
        PolicyBinding {
            id: Uuid::new_v4(),
            target,
            subject,
            order,
            enabled: true,
            negate: false,
            timeout: default_timeout(),
            failure_result: false,
        }
    }
}
