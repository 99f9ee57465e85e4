//! The flow planner and executor, as authentik's `FlowPlanner` and `FlowExecutorView`
//! (`authentik/flows/planner.py`, `markers.py`, `views/executor.py`): the authentication
//! requirement against the logged-in user only; the flow's own bindings for the plan-time user;
//! then each stage binding in order, gated at plan time (`evaluate_on_plan`, plan-time user)
//! and again just before it runs (`re_evaluate_policies`, the pending user at that moment).
//! Stages change the request as they run (executor.rs): identification and user write set the
//! pending user, login/logout/delete change who is logged in, and deny, a login without an
//! active pending user or a delete without anybody end the flow: later stages are unreached.
//! When an earlier stage only *may* run, both possibilities are followed.

use serde::Serialize;
use uuid::Uuid;

use super::executor::{self, After, World};
use super::policy::{Engine, EngineResult, Person};
use super::tri::Tri;
use crate::model::{
    AuthenticationRequirement, DeniedAction, EngineMode, Flow, ObjKind, StageBinding,
};

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
    /// An earlier presented stage certainly ended the flow.
    Unreached,
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
    /// Whether the stage, when it runs, ends the flow: certainly, or only in some cases.
    pub ends_flow: Option<Ending>,
    /// The stage (when it runs) logs the request out (user logout, user delete).
    pub logs_out: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Certainly,
    Maybe,
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

/// Evaluates a binding at run time for everyone the earlier stages may have left pending:
/// the result for each, in the order given, and the reasons in words.
fn run_check(
    engine: &Engine,
    binding: &StageBinding,
    people: &[Person],
) -> (Vec<EngineResult>, Vec<String>, (String, EngineResult)) {
    let results: Vec<EngineResult> = people
        .iter()
        .map(|p| engine.evaluate(binding.id, binding.policy_engine_mode, *p))
        .collect();
    let mut reasons = Vec::new();
    for (person, result) in people.iter().zip(&results) {
        let who = engine.name(*person);
        reasons.extend(
            result
                .reasons()
                .into_iter()
                .map(|r| format!("when run, for {who}: {r}")),
        );
    }
    let mut merged = results[0].clone();
    merged.result = results
        .iter()
        .skip(1)
        .fold(merged.result, |acc, r| Tri::either(acc, r.result));
    if people.len() > 1 {
        let each: Vec<String> = people
            .iter()
            .zip(&results)
            .map(|(p, r)| format!("{} for {}", r.result.word(), engine.name(*p)))
            .collect();
        merged.summary = format!("depends on the earlier stages: {}", each.join(", "));
        reasons.push(merged.summary.clone());
    }
    let names: Vec<String> = people.iter().map(|p| engine.name(*p)).collect();
    (results, reasons, (names.join(" or "), merged))
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

    // The states the request may be in as the executor goes; several when an earlier stage
    // only may have run. `ended` names the stages that may have ended the flow so far.
    let mut worlds = vec![World::start(request)];
    let mut ended: Vec<String> = Vec::new();
    for binding in engine.index().stage_bindings_of(flow.id) {
        let mut stage = StagePlan {
            binding: binding.id,
            outcome: Outcome::Presented,
            decided_at: None,
            plan_check: None,
            run_check: None,
            reasons: Vec::new(),
            ends_flow: None,
            logs_out: false,
        };
        let mut planned = Tri::Pass;
        if binding.evaluate_on_plan {
            let checked = engine.evaluate(binding.id, binding.policy_engine_mode, plan_user);
            let who = engine.name(plan_user);
            planned = checked.result;
            stage.decided_at = Some(DecidedAt::Plan);
            stage.reasons.extend(
                checked
                    .reasons()
                    .into_iter()
                    .map(|r| format!("when planned, for {who}: {r}")),
            );
            stage.plan_check = Some((who, checked));
        }
        let ends_before = ended.join("', '");
        if worlds.is_empty() {
            // Plan-time evaluation happened before any stage ran; the run never gets here.
            if planned == Tri::Fail {
                stage.outcome = Outcome::Skipped;
                stage.reasons.push(format!(
                    "skipped when planned; the flow ends before it anyway, at '{ends_before}'"
                ));
            } else {
                stage.outcome = Outcome::Unreached;
                stage.decided_at = None;
                stage.reasons.insert(
                    0,
                    format!("unreached: the flow has already ended at '{ends_before}'"),
                );
            }
            plan.stages.push(stage);
            continue;
        }
        // Each world's result, in the order of `worlds`.
        let mut results: Vec<Tri> = vec![planned; worlds.len()];
        if binding.re_evaluate_policies && planned != Tri::Fail {
            let mut people: Vec<Person> = Vec::new();
            for w in &worlds {
                if !people.contains(&w.person()) {
                    people.push(w.person());
                }
            }
            let (checked, reasons, merged) = run_check(engine, binding, &people);
            for (w, result) in worlds.iter().zip(results.iter_mut()) {
                let at = people
                    .iter()
                    .position(|p| *p == w.person())
                    .expect("listed");
                *result = Tri::combine(EngineMode::All, [planned, checked[at].result]);
            }
            stage.decided_at = Some(DecidedAt::Run);
            stage.reasons.extend(reasons);
            stage.run_check = Some(merged);
        }
        if !binding.evaluate_on_plan && !binding.re_evaluate_policies {
            stage
                .reasons
                .push("neither evaluated when planned nor when run: always presented".into());
        }
        let result = results
            .iter()
            .skip(1)
            .fold(results[0], |acc, r| Tri::either(acc, *r));
        stage.outcome = match result {
            Tri::Fail => Outcome::Skipped,
            _ if !ended.is_empty() => Outcome::Depends,
            Tri::Pass => Outcome::Presented,
            Tri::Unknown => Outcome::Depends,
        };
        if !ended.is_empty() {
            stage.reasons.push(match stage.outcome {
                Outcome::Skipped => format!(
                    "skipped in any case; the flow may also have ended before, at '{ends_before}'"
                ),
                _ => format!("reached only if the flow did not end at '{ends_before}'"),
            });
        }
        worlds = advance(
            engine, binding, &worlds, &results, request, &mut stage, &mut ended,
        );
        plan.stages.push(stage);
    }
    plan
}

/// The worlds after a stage: unchanged where it is skipped, changed where it runs, both where
/// it depends; worlds where it ends the flow are dropped and the stage named in `ended`.
fn advance(
    engine: &Engine,
    binding: &StageBinding,
    worlds: &[World],
    results: &[Tri],
    request: Request,
    stage: &mut StagePlan,
    ended: &mut Vec<String>,
) -> Vec<World> {
    let Some(s) = engine.index().doc.stages.get(binding.stage) else {
        return worlds.to_vec();
    };
    let mut next: Vec<World> = Vec::new();
    let mut push = |w: World| {
        if !next.contains(&w) {
            next.push(w);
        }
    };
    let (mut runs, mut ends) = (0, Vec::new());
    for (world, result) in worlds.iter().zip(results) {
        if *result != Tri::Pass {
            push(*world);
        }
        if *result == Tri::Fail {
            continue;
        }
        runs += 1;
        match executor::run(engine, s, *world, request.identify_as) {
            After::Goes(w) => push(w),
            After::Ends(why) => {
                if !ends.contains(&why) {
                    ends.push(why);
                }
            }
        }
    }
    if !ends.is_empty() {
        // Every world that gets here ends: the flow ends here whenever the stage is reached.
        let every_run_ends = next.is_empty();
        let lead = match (every_run_ends, stage.outcome) {
            (true, Outcome::Presented) => "ends the flow here",
            (true, _) => "ends the flow here whenever it is reached",
            (false, _) => "may end the flow here",
        };
        stage.reasons.push(format!("{lead}: {}", ends.join("; ")));
        stage.ends_flow = Some(if every_run_ends {
            Ending::Certainly
        } else {
            Ending::Maybe
        });
        ended.push(engine.index().doc.label_of(ObjKind::Stage, binding.stage));
    }
    if runs > 0
        && let Some(note) = executor::effect(&s.kind).logs_out
    {
        stage.reasons.push(note.to_string());
        stage.logs_out = true;
    }
    next
}
