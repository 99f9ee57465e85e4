//! The flow planner and executor, as authentik's `FlowPlanner` and `FlowExecutorView`
//! (`authentik/flows/planner.py`, `markers.py`, `views/executor.py`): the authentication
//! requirement against the logged-in user only; the flow's own bindings for the plan-time user;
//! then each stage binding in order, gated at plan time (`evaluate_on_plan`, plan-time user)
//! and again just before it runs (`re_evaluate_policies`, the pending user at that moment).
//! A presented identification stage makes the identified person the pending user.

use serde::Serialize;
use uuid::Uuid;

use super::policy::{Engine, EngineResult, Person};
use super::tri::Tri;
use crate::model::{AuthenticationRequirement, DeniedAction, Flow, StageBinding, StageKind};

/// Who is asking: the request's logged-in user, a pending user already in the plan context,
/// and who the person identifies as when an identification stage runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Request {
    pub user: Option<Uuid>,
    pub pending_user: Option<Uuid>,
    pub identify_as: Option<Uuid>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Presented,
    Skipped,
    Depends,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedAt {
    Plan,
    Run,
}

/// One stage binding's fate, with the engine results that decided it.
#[derive(Clone, Debug, PartialEq)]
pub struct StagePlan {
    pub binding: Uuid,
    pub outcome: Outcome,
    pub decided_at: Option<DecidedAt>,
    /// Who the plan-time and run-time checks were made for.
    pub plan_check: Option<(String, EngineResult)>,
    pub run_check: Option<(String, EngineResult)>,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub flow: Uuid,
    pub applicable: Tri,
    /// Why the flow does not apply, and what authentik then does.
    pub denied: Option<(String, DeniedAction)>,
    /// The flow's own bindings, evaluated for the plan-time user.
    pub flow_check: Option<EngineResult>,
    pub requirement: Vec<String>,
    pub stages: Vec<StagePlan>,
}

/// The authentication requirement, checked against the request user only.
fn requirement(engine: &Engine, flow: &Flow, user: Option<Uuid>) -> (Tri, String) {
    use AuthenticationRequirement as R;
    let who = engine.name(user.map_or(Person::Anonymous, Person::User));
    match (flow.authentication, user) {
        (R::None, _) => (Tri::Pass, String::new()),
        (R::RequireAuthenticated, None) => (
            Tri::Fail,
            "the flow requires a logged-in user; nobody is logged in".into(),
        ),
        (R::RequireAuthenticated, Some(_)) => (Tri::Pass, format!("requires a logged-in user: {who} is")),
        (R::RequireUnauthenticated, Some(_)) => (
            Tri::Fail,
            format!("the flow requires that nobody is logged in; {who} is"),
        ),
        (R::RequireUnauthenticated, None) => (Tri::Pass, "requires that nobody is logged in: nobody is".into()),
        (R::RequireSuperuser, Some(u)) if engine.is_superuser(u) => (
            Tri::Pass,
            format!("requires a superuser: {who} is one through a superuser group"),
        ),
        (R::RequireSuperuser, _) => (
            Tri::Fail,
            format!("the flow requires a superuser; {who} is not one"),
        ),
        (R::RequireRedirect, _) => (
            Tri::Unknown,
            "the flow requires being redirected from another flow; that depends on how it is reached".into(),
        ),
        (R::RequireOutpost, _) => (
            Tri::Unknown,
            "the flow requires a request from an outpost; that depends on how it is reached".into(),
        ),
    }
}

fn is_identification(engine: &Engine, binding: &StageBinding) -> bool {
    matches!(
        engine
            .index()
            .doc
            .stages
            .get(binding.stage)
            .map(|s| &s.kind),
        Some(StageKind::Identification(_))
    )
}

/// Evaluates a binding for one person, or for two when it is not known whether an earlier
/// identification happened: the result holds only when both agree.
fn check(engine: &Engine, binding: &StageBinding, people: &[Person]) -> (String, EngineResult) {
    let first = engine.evaluate(binding.id, binding.policy_engine_mode, people[0]);
    let names: Vec<String> = people.iter().map(|p| engine.name(*p)).collect();
    if people.len() == 1 {
        return (names[0].clone(), first);
    }
    let second = engine.evaluate(binding.id, binding.policy_engine_mode, people[1]);
    let mut merged = first.clone();
    merged.result = Tri::either(first.result, second.result);
    if first.result != second.result {
        merged.summary = format!(
            "{} if the identification stage ran ({}), {} if not ({})",
            second.result.word(),
            names[1],
            first.result.word(),
            names[0]
        );
    }
    (names.join(" or "), merged)
}

pub fn plan(engine: &Engine, flow: &Flow, request: Request) -> Plan {
    let request_person = request.user.map_or(Person::Anonymous, Person::User);
    let plan_user = request.pending_user.map_or(request_person, Person::User);
    let mut plan = Plan {
        flow: flow.id,
        applicable: Tri::Pass,
        denied: None,
        flow_check: None,
        requirement: Vec::new(),
        stages: Vec::new(),
    };

    let (required, why) = requirement(engine, flow, request.user);
    if !why.is_empty() {
        plan.requirement.push(why.clone());
    }
    if required == Tri::Fail {
        plan.applicable = Tri::Fail;
        plan.denied = Some((why, flow.denied_action));
        return plan;
    }
    let flow_check = engine.evaluate(flow.id, flow.policy_engine_mode, plan_user);
    let applicable = Tri::combine(crate::model::EngineMode::All, [required, flow_check.result]);
    plan.applicable = applicable;
    if flow_check.result == Tri::Fail {
        let reason = flow_check
            .verdicts
            .iter()
            .filter(|v| v.result == Some(Tri::Fail))
            .map(|v| v.reason.clone())
            .collect::<Vec<_>>()
            .join("; ");
        plan.denied = Some((
            format!(
                "the flow's bindings fail for {}: {reason}",
                engine.name(plan_user)
            ),
            flow.denied_action,
        ));
        plan.flow_check = Some(flow_check);
        return plan;
    }
    plan.flow_check = Some(flow_check);

    // The pending user as the executor goes: before, and (if it may have happened) after an
    // identification stage. Two entries mean "it depends whether identification happened".
    let mut pending: Vec<Person> = vec![request.pending_user.map_or(request_person, Person::User)];
    for binding in engine.index().stage_bindings_of(flow.id) {
        let mut stage = StagePlan {
            binding: binding.id,
            outcome: Outcome::Presented,
            decided_at: None,
            plan_check: None,
            run_check: None,
            reasons: Vec::new(),
        };
        let mut result = Tri::Pass;
        if binding.evaluate_on_plan {
            let (who, checked) = check(engine, binding, &[plan_user]);
            result = checked.result;
            stage.decided_at = Some(DecidedAt::Plan);
            stage.reasons.extend(
                checked
                    .reasons()
                    .into_iter()
                    .map(|r| format!("when planned, for {who}: {r}")),
            );
            stage.plan_check = Some((who, checked));
        }
        if binding.re_evaluate_policies && result != Tri::Fail {
            let (who, checked) = check(engine, binding, &pending);
            result = Tri::combine(crate::model::EngineMode::All, [result, checked.result]);
            stage.decided_at = Some(DecidedAt::Run);
            stage.reasons.extend(
                checked
                    .reasons()
                    .into_iter()
                    .map(|r| format!("when run, for {who}: {r}")),
            );
            stage.run_check = Some((who, checked));
        }
        if !binding.evaluate_on_plan && !binding.re_evaluate_policies {
            stage
                .reasons
                .push("neither evaluated when planned nor when run: always presented".into());
        }
        stage.outcome = match result {
            Tri::Pass => Outcome::Presented,
            Tri::Fail => Outcome::Skipped,
            Tri::Unknown => Outcome::Depends,
        };
        if let Some(identified) = request.identify_as
            && is_identification(engine, binding)
        {
            let after = Person::User(identified);
            match stage.outcome {
                Outcome::Presented => pending = vec![after],
                Outcome::Depends => {
                    let before = pending[0];
                    if before != after {
                        pending = vec![before, after];
                    }
                }
                Outcome::Skipped => {}
            }
        }
        plan.stages.push(stage);
    }
    plan
}
