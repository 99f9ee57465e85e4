//! Flows and the stage bindings that order stages within them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enums::{
    AuthenticationRequirement, DeniedAction, Designation, EngineMode, InvalidResponseAction, Layout,
};

/// `authentik_flows.flow`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub title: String,
    pub designation: Designation,
    #[serde(default)]
    pub layout: Layout,
    #[serde(default)]
    pub background: String,
    #[serde(default)]
    pub compatibility_mode: bool,
    #[serde(default)]
    pub denied_action: DeniedAction,
    #[serde(default)]
    pub authentication: AuthenticationRequirement,
    #[serde(default)]
    pub policy_engine_mode: EngineMode,
}

impl Flow {
    /// A flow with authentik's defaults for everything but what has none.
    pub fn new(slug: &str, name: &str, designation: Designation) -> Flow {
        Flow {
            id: Uuid::new_v4(),
            slug: slug.to_string(),
            name: name.to_string(),
            title: name.to_string(),
            designation,
            layout: Layout::default(),
            background: String::new(),
            compatibility_mode: false,
            denied_action: DeniedAction::default(),
            authentication: AuthenticationRequirement::default(),
            policy_engine_mode: EngineMode::default(),
        }
    }
}

/// `authentik_flows.flowstagebinding`: a stage placed in a flow at an order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageBinding {
    pub id: Uuid,
    /// The flow.
    pub target: Uuid,
    pub stage: Uuid,
    pub order: i64,
    #[serde(default)]
    pub evaluate_on_plan: bool,
    #[serde(default = "yes")]
    pub re_evaluate_policies: bool,
    #[serde(default)]
    pub policy_engine_mode: EngineMode,
    #[serde(default)]
    pub invalid_response_action: InvalidResponseAction,
}

fn yes() -> bool {
    true
}

impl StageBinding {
    pub fn new(flow: Uuid, stage: Uuid, order: i64) -> StageBinding {
        StageBinding {
            id: Uuid::new_v4(),
            target: flow,
            stage,
            order,
            evaluate_on_plan: false,
            re_evaluate_policies: true,
            policy_engine_mode: EngineMode::default(),
            invalid_response_action: InvalidResponseAction::default(),
        }
    }
}
