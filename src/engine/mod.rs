//! The policy engine and the flow planner: pure functions over the model that predict what
//! authentik would show a person, with every decision's reasons.

pub mod diagram;
mod index;
mod planner;
mod policy;
mod tri;

pub use index::Index;
pub use planner::{DecidedAt, Outcome, Plan, Request, StagePlan, plan};
pub use policy::{Engine, EngineResult, Person, Verdict, offline_result};
pub use tri::Tri;
