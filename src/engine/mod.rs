//! The policy engine and the flow planner: pure functions over the model that predict what
//! authentik would show a person, with every decision's reasons.

pub mod diagram;
pub mod executor;
mod index;
mod offline;
mod planner;
mod policy;
mod tri;

pub use index::Index;
pub use offline::{Offline, assumption_ignored, offline};
pub use planner::{DecidedAt, Ending, Outcome, Plan, Request, StagePlan, plan};
pub use policy::{Engine, EngineResult, Person, Verdict, needs_live_data};
pub use tri::Tri;
