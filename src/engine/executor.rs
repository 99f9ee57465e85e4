//! What each stage does to the request as authentik's `FlowExecutorView` runs it: who the
//! pending user and the session's user are afterwards, and which stages end the flow
//! (`stage_invalid`, authentik/flows/views/executor.py `FlowExecutorView.stage_invalid`, cancels
//! the plan and shows "access denied").

use uuid::Uuid;

use super::planner::Request;
use super::policy::{Engine, Person};
use crate::model::stage::UserCreationMode;
use crate::model::{Stage, StageKind};

/// One possible state of the request between two stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct World {
    /// The plan context's pending user.
    pub pending: Option<Person>,
    /// Someone identified without `--identify-as` naming them: a pending user exists, and
    /// bindings are evaluated as before.
    pub someone: bool,
    /// The session's logged-in user (`request.user`); None for the anonymous user.
    pub session: Option<Person>,
}

/// After a stage ran: the request goes on, or the stage ended the flow (and why).
pub enum After {
    Goes(World),
    Ends(String),
}

impl World {
    pub fn start(request: Request) -> World {
        World {
            pending: request.pending_user.map(Person::User),
            someone: false,
            session: request.user.map(Person::User),
        }
    }

    /// Who a binding re-evaluated now sees: authentik/flows/markers.py
    /// `ReevaluateMarker.process` uses `plan.context.get(PLAN_CONTEXT_PENDING_USER,
    /// request.user)`.
    pub fn person(&self) -> Person {
        self.pending.or(self.session).unwrap_or(Person::Anonymous)
    }

    fn has_pending(&self) -> bool {
        self.pending.is_some() || self.someone
    }
}

fn is_active(engine: &Engine, person: Person) -> bool {
    let doc = engine.index().doc;
    match person {
        Person::Anonymous => false,
        Person::User(id) => doc.users.get(id).is_some_and(|u| u.is_active),
        Person::Created(stage) => match doc.stages.get(stage).map(|s| &s.kind) {
            Some(StageKind::UserWrite(w)) => !w.create_users_as_inactive,
            _ => true,
        },
    }
}

/// What running `stage` does to `world`.
pub fn run(engine: &Engine, stage: &Stage, mut world: World, identify_as: Option<Uuid>) -> After {
    match &stage.kind {
        // authentik/stages/identification/stage.py `IdentificationStageView.challenge_valid`
        // puts the identified user into the plan context as pending user.
        StageKind::Identification(_) => {
            match identify_as {
                Some(user) => {
                    world.pending = Some(Person::User(user));
                    world.someone = false;
                }
                None => world.someone = true,
            }
            After::Goes(world)
        }
        // authentik/stages/user_write/stage.py `UserWriteStageView.ensure_user`: a logged-in
        // request user becomes the pending user if there is none; with no pending user (or
        // `always_create`) a new user is created, unless `never_create`, which ends the flow
        // ("No user found and can't create new user.", `UserWriteStageView.get`).
        StageKind::UserWrite(w) => {
            if !world.has_pending() {
                world.pending = world.session;
            }
            if !world.has_pending() || w.user_creation_mode == UserCreationMode::AlwaysCreate {
                if w.user_creation_mode == UserCreationMode::NeverCreate {
                    return After::Ends(
                        "there is no pending user and its user_creation_mode never_create \
                         cannot create one"
                            .into(),
                    );
                }
                world.pending = Some(Person::Created(stage.id));
                world.someone = false;
            }
            After::Goes(world)
        }
        // authentik/stages/user_login/stage.py `UserLoginStageView.do_login`: no pending user,
        // or an inactive one, ends the flow with `stage_invalid`; otherwise the pending user
        // becomes the session's user.
        StageKind::UserLogin(_) => {
            if !world.has_pending() {
                return After::Ends(
                    "there is no pending user to log in (an identification stage, a user write \
                     stage, a source login or a recovery link puts one in the plan: see \
                     --pending-user)"
                        .into(),
                );
            }
            if let Some(user) = world.pending {
                if !is_active(engine, user) {
                    return After::Ends(format!(
                        "the pending user {} is inactive",
                        engine.name(user)
                    ));
                }
                world.session = Some(user);
            }
            After::Goes(world)
        }
        // authentik/stages/user_logout/stage.py `UserLogoutStageView.get`: Django's `logout`;
        // the plan (and its pending user) is kept.
        StageKind::UserLogout(_) => {
            world.session = None;
            After::Goes(world)
        }
        // authentik/stages/user_delete/stage.py `UserDeleteStageView.get`: the user is
        // `get_pending_user()` (authentik/flows/stage.py: the pending user, else
        // request.user); the anonymous user ends the flow; otherwise it logs out, deletes the
        // user and removes the pending user from the plan.
        StageKind::UserDelete(_) => {
            if !world.has_pending() && world.session.is_none() {
                return After::Ends(
                    "there is no pending user and nobody is logged in: nobody to delete".into(),
                );
            }
            world.pending = None;
            world.someone = false;
            world.session = None;
            After::Goes(world)
        }
        // authentik/stages/deny/stage.py `DenyStageView.dispatch` returns
        // `self.executor.stage_invalid()`.
        StageKind::Deny(_) => After::Ends("a deny stage always ends the flow".into()),
        _ => After::Goes(world),
    }
}

/// What a stage does whenever it is presented, in words: the rules `run` applies, for what
/// shows a flow without a request (the diagram, lint).
pub struct StageEffect {
    /// It always ends the flow (a deny stage).
    pub always_ends: bool,
    /// It ends the flow when this holds.
    pub ends_if: Option<&'static str>,
    /// It logs the request out; who later bindings see.
    pub logs_out: Option<&'static str>,
}

pub fn effect(kind: &StageKind) -> StageEffect {
    let mut e = StageEffect {
        always_ends: false,
        ends_if: None,
        logs_out: None,
    };
    match kind {
        StageKind::Deny(_) => e.always_ends = true,
        StageKind::UserLogin(_) => e.ends_if = Some("there is no pending user, or it is inactive"),
        StageKind::UserWrite(w) if w.user_creation_mode == UserCreationMode::NeverCreate => {
            e.ends_if = Some("there is no pending user (never_create)");
        }
        StageKind::UserDelete(_) => {
            e.ends_if = Some("there is no pending user and nobody is logged in");
            e.logs_out = Some(
                "from here on, nobody is logged in and there is no pending user: later \
                 bindings see the anonymous user",
            );
        }
        StageKind::UserLogout(_) => {
            e.logs_out = Some(
                "from here on, nobody is logged in: later bindings see the pending user, \
                 else the anonymous user",
            );
        }
        _ => {}
    }
    e
}
