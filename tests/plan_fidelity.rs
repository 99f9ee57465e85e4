//! `bindery plan` where stages end the flow or change who is asking, and policies that raise,
//! through the real binary; one rule per test, each citing the authentik source it follows.
//! Also the same facts in the diagram, the Simulate tab and lint.

mod common;

use std::path::PathBuf;

use bindery::engine::diagram;
use bindery::lint::lint;
use bindery::model::policy::DummyPolicy;
use bindery::model::stage::{UserCreationMode, UserWriteStage};
use bindery::model::*;
use bindery::store::Store;
use common::run::{bindery, text};
use serde_json::Value;
use tempfile::TempDir;
use uuid::Uuid;

const IDENTIFICATION: &str = "authentik_stages_identification.identificationstage";
const DENY: &str = "authentik_stages_deny.denystage";
const DUMMY_STAGE: &str = "authentik_stages_dummy.dummystage";
const LOGIN: &str = "authentik_stages_user_login.userloginstage";
const LOGOUT: &str = "authentik_stages_user_logout.userlogoutstage";
const DELETE: &str = "authentik_stages_user_delete.userdeletestage";
const PROMPT: &str = "authentik_stages_prompt.promptstage";
const EXPRESSION: &str = "authentik_policies_expression.expressionpolicy";
const EVENT_MATCHER: &str = "authentik_policies_event_matcher.eventmatcherpolicy";
const EXPIRY: &str = "authentik_policies_expiry.passwordexpirypolicy";

/// A store under construction: users alice (in staff, active) and erin (inactive), and one
/// flow `f` whose stages the test adds.
struct Fixture {
    doc: Document,
    flow: Uuid,
    staff: Uuid,
}

impl Fixture {
    fn new() -> Fixture {
        let mut doc = Document::default();
        let staff = doc.groups.put(Group::new("staff"));
        let mut alice = User::new("alice");
        alice.groups.push(staff);
        doc.users.put(alice);
        let mut erin = User::new("erin");
        erin.is_active = false;
        doc.users.put(erin);
        let flow = doc
            .flows
            .put(Flow::new("f", "F", Designation::Authentication));
        Fixture { doc, flow, staff }
    }

    /// Binds a new stage to the flow (evaluated when run, authentik's default).
    fn stage_of(&mut self, name: &str, kind: StageKind, order: i64) -> Uuid {
        let stage = self.doc.stages.put(Stage::new(name, kind));
        self.doc
            .stage_bindings
            .put(StageBinding::new(self.flow, stage, order))
    }

    fn stage(&mut self, name: &str, model: &str, order: i64) -> Uuid {
        self.stage_of(name, StageKind::default_for(model).unwrap(), order)
    }

    fn policy(&mut self, name: &str, kind: PolicyKind) -> Uuid {
        self.doc.policies.put(Policy::new(name, kind))
    }

    fn policy_of(&mut self, name: &str, model: &str) -> Uuid {
        self.policy(name, PolicyKind::default_for(model).unwrap())
    }

    fn dummy(&mut self, name: &str, result: bool, wait_min: i64, wait_max: i64) -> Uuid {
        self.policy(
            name,
            PolicyKind::Dummy(DummyPolicy {
                result,
                wait_min,
                wait_max,
            }),
        )
    }

    fn gate(&mut self, binding: Uuid, subject: Subject, negate: bool) -> Uuid {
        let order = self.doc.policy_bindings.len() as i64;
        let mut pb = PolicyBinding::new(Target::StageBinding(binding), subject, order);
        pb.negate = negate;
        self.doc.policy_bindings.put(pb)
    }

    fn save(&self) -> (TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.json");
        Store::create(&path, self.doc.clone()).unwrap();
        (dir, path)
    }

    /// `plan f ARGS --json`: each stage's (name, outcome), the stages' reasons, and stderr.
    fn plan(&self, args: &[&str]) -> Planned {
        let (_dir, store) = self.save();
        let mut all = vec!["plan", "f", "--json"];
        all.extend_from_slice(args);
        let out = bindery(&store, &all);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        Planned {
            json,
            stderr: text(&out.stderr),
        }
    }
}

struct Planned {
    json: Value,
    stderr: String,
}

impl Planned {
    fn outcomes(&self) -> Vec<(String, String)> {
        self.json["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["stage"].as_str().unwrap().to_string(),
                    s["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn outcome(&self, stage: &str) -> String {
        self.outcomes()
            .into_iter()
            .find(|(name, _)| name == stage)
            .unwrap_or_else(|| panic!("no {stage} in {:#}", self.json))
            .1
    }

    fn reasons(&self, stage: &str) -> String {
        let s = self.json["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == stage)
            .unwrap();
        s["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

// --- Stages that end the flow -------------------------------------------------------------------

/// authentik/stages/deny/stage.py `DenyStageView.dispatch` returns
/// `executor.stage_invalid()`, which cancels the plan (authentik/flows/views/executor.py
/// `FlowExecutorView.stage_invalid`): nothing after a presented deny stage runs.
#[test]
fn a_presented_deny_stage_ends_the_flow_and_later_stages_are_unreached() {
    let mut f = Fixture::new();
    f.stage("who", IDENTIFICATION, 10);
    f.stage("stop", DENY, 20);
    f.stage("after", DUMMY_STAGE, 30);
    let p = f.plan(&[]);
    assert_eq!(
        p.outcomes(),
        pairs(&[
            ("who", "presented"),
            ("stop", "presented"),
            ("after", "unreached")
        ])
    );
    assert!(
        p.reasons("stop").contains("ends the flow here"),
        "{}",
        p.reasons("stop")
    );
    assert!(
        p.reasons("after").contains("'stop'"),
        "{}",
        p.reasons("after")
    );
    assert_eq!(p.json["stages"][2]["decided_at"], Value::Null);
}

/// The same source: a deny stage that only may be presented (its gate is unknown offline)
/// may end the flow, so a later stage that would be presented depends on it, while a later
/// stage that is skipped anyway stays skipped.
#[test]
fn a_deny_stage_that_depends_makes_later_stages_depend_naming_it() {
    let mut f = Fixture::new();
    let stop = f.stage("stop", DENY, 10);
    let open = f.policy_of("maintenance", EXPRESSION);
    f.gate(stop, Subject::Policy(open), false);
    f.stage("after", DUMMY_STAGE, 20);
    let gated = f.stage("never", DUMMY_STAGE, 30);
    let off = f.dummy("off", false, 0, 1);
    f.gate(gated, Subject::Policy(off), false);
    let p = f.plan(&[]);
    assert_eq!(
        p.outcomes(),
        pairs(&[
            ("stop", "depends"),
            ("after", "depends"),
            ("never", "skipped")
        ])
    );
    assert!(
        p.reasons("after")
            .contains("reached only if the flow did not end at 'stop'"),
        "{}",
        p.reasons("after")
    );
    assert!(
        p.reasons("never").contains("skipped in any case"),
        "{}",
        p.reasons("never")
    );
    // Assumed away, the deny stage is certain again.
    let p = f.plan(&["--assume", "maintenance=pass"]);
    assert_eq!(p.outcome("after"), "unreached");
    let p = f.plan(&["--assume", "maintenance=fail"]);
    assert_eq!(p.outcome("after"), "presented");
}

/// authentik/stages/user_login/stage.py `UserLoginStageView.do_login`: "No Pending user to
/// login." → `stage_invalid()`.
#[test]
fn a_login_stage_without_a_pending_user_ends_the_flow() {
    let mut f = Fixture::new();
    f.stage("login", LOGIN, 10);
    f.stage("after", DUMMY_STAGE, 20);
    let p = f.plan(&[]);
    assert_eq!(p.outcome("login"), "presented");
    assert_eq!(p.outcome("after"), "unreached");
    assert!(
        p.reasons("login").contains("no pending user"),
        "{}",
        p.reasons("login")
    );
    // A source login or recovery link puts one in the plan.
    assert_eq!(
        f.plan(&["--pending-user", "alice"]).outcome("after"),
        "presented"
    );
}

/// authentik/stages/user_login/stage.py `UserLoginStageView.do_login`: an inactive pending
/// user → "User is not active, login will not work." → `stage_invalid()`.
#[test]
fn a_login_stage_with_an_inactive_pending_user_ends_the_flow() {
    let mut f = Fixture::new();
    f.stage("who", IDENTIFICATION, 10);
    f.stage("login", LOGIN, 20);
    f.stage("after", DUMMY_STAGE, 30);
    let p = f.plan(&["--identify-as", "erin"]);
    assert_eq!(p.outcome("after"), "unreached");
    assert!(
        p.reasons("login").contains("erin is inactive"),
        "{}",
        p.reasons("login")
    );
    assert_eq!(
        f.plan(&["--identify-as", "alice"]).outcome("after"),
        "presented"
    );
    // Identified, but who is not given: a pending user exists.
    assert_eq!(f.plan(&[]).outcome("after"), "presented");
}

/// authentik/stages/user_write/stage.py `UserWriteStageView.ensure_user`: with no pending
/// user, the user write stage creates one (active unless `create_users_as_inactive`), so an
/// enrollment flow prompt → user write → login logs the new user in; `never_create` cannot
/// create one and `UserWriteStageView.get` ends the flow with `stage_invalid`.
#[test]
fn a_user_write_stage_creates_the_pending_user_the_login_stage_logs_in() {
    let mut f = Fixture::new();
    f.stage("prompt", PROMPT, 10);
    let write = f.stage("write", "authentik_stages_user_write.userwritestage", 20);
    f.stage("login", LOGIN, 30);
    let after = f.stage("after", DUMMY_STAGE, 40);
    f.gate(after, Subject::Group(f.staff), false);
    let p = f.plan(&[]);
    assert_eq!(p.outcome("login"), "presented");
    // Reached, and evaluated for the new user (who is in no group).
    assert_eq!(p.outcome("after"), "skipped");
    assert!(
        p.reasons("after").contains("the user created by 'write'"),
        "{}",
        p.reasons("after")
    );

    let stage = f.doc.stage_bindings.get(write).unwrap().stage;
    let set = |f: &mut Fixture, w: UserWriteStage| {
        f.doc.stages.get_mut(stage).unwrap().kind = StageKind::UserWrite(w);
    };
    set(
        &mut f,
        UserWriteStage {
            create_users_group: Some(Uuid::nil()),
            ..UserWriteStage::default()
        },
    );
    let staff = f.staff;
    set(
        &mut f,
        UserWriteStage {
            create_users_group: Some(staff),
            ..UserWriteStage::default()
        },
    );
    assert_eq!(f.plan(&[]).outcome("after"), "presented");
    set(
        &mut f,
        UserWriteStage {
            create_users_as_inactive: true,
            ..UserWriteStage::default()
        },
    );
    let p = f.plan(&[]);
    assert_eq!(p.outcome("after"), "unreached");
    assert!(
        p.reasons("login").contains("inactive"),
        "{}",
        p.reasons("login")
    );
    set(
        &mut f,
        UserWriteStage {
            user_creation_mode: UserCreationMode::NeverCreate,
            ..UserWriteStage::default()
        },
    );
    let p = f.plan(&[]);
    assert_eq!(p.outcome("login"), "unreached");
    assert!(
        p.reasons("write").contains("never_create"),
        "{}",
        p.reasons("write")
    );
    // A logged-in user becomes the pending user instead.
    assert_eq!(f.plan(&["--user", "alice"]).outcome("after"), "presented");
}

/// authentik/flows/markers.py `ReevaluateMarker.process` and
/// authentik/stages/user_login/stage.py `do_login`: when it is unknown whether the
/// identification stage ran, it is unknown whether the login stage has a pending user.
#[test]
fn when_identification_depends_the_login_may_end_the_flow() {
    let mut f = Fixture::new();
    let who = f.stage("who", IDENTIFICATION, 10);
    let open = f.policy_of("sometimes", EXPRESSION);
    f.gate(who, Subject::Policy(open), false);
    f.stage("login", LOGIN, 20);
    f.stage("after", DUMMY_STAGE, 30);
    let p = f.plan(&["--identify-as", "alice"]);
    assert_eq!(
        p.outcomes(),
        pairs(&[
            ("who", "depends"),
            ("login", "presented"),
            ("after", "depends")
        ])
    );
    assert!(
        p.reasons("login").contains("may end the flow here"),
        "{}",
        p.reasons("login")
    );
    assert!(
        p.reasons("after").contains("'login'"),
        "{}",
        p.reasons("after")
    );
}

/// authentik/stages/user_delete/stage.py `UserDeleteStageView.get`: the user to delete is
/// `get_pending_user()` (authentik/flows/stage.py: the pending user, else request.user); the
/// anonymous user → "No Pending User." → `stage_invalid()`.
#[test]
fn a_user_delete_stage_with_nobody_to_delete_ends_the_flow() {
    let mut f = Fixture::new();
    f.stage("delete", DELETE, 10);
    f.stage("after", DUMMY_STAGE, 20);
    assert_eq!(f.plan(&[]).outcome("after"), "unreached");
    assert_eq!(f.plan(&["--user", "alice"]).outcome("after"), "presented");
    assert_eq!(
        f.plan(&["--pending-user", "alice"]).outcome("after"),
        "presented"
    );
}

// --- Who later bindings see ---------------------------------------------------------------------

/// authentik/stages/user_logout/stage.py `UserLogoutStageView.get` calls Django's `logout`;
/// bindings re-evaluated later see `plan.context.get(PLAN_CONTEXT_PENDING_USER, request.user)`
/// (authentik/flows/markers.py `ReevaluateMarker.process`): the pending user if the plan
/// holds one, else the anonymous user.
#[test]
fn after_a_logout_stage_later_bindings_see_the_pending_user_else_nobody() {
    let mut f = Fixture::new();
    let before = f.stage("before", DUMMY_STAGE, 10);
    f.stage("logout", LOGOUT, 20);
    let after = f.stage("after", DUMMY_STAGE, 30);
    for b in [before, after] {
        f.gate(b, Subject::Group(f.staff), false);
    }
    let p = f.plan(&["--user", "alice"]);
    assert_eq!(
        p.outcomes(),
        pairs(&[
            ("before", "presented"),
            ("logout", "presented"),
            ("after", "skipped")
        ])
    );
    assert!(
        p.reasons("logout")
            .contains("from here on, nobody is logged in"),
        "{}",
        p.reasons("logout")
    );
    assert!(
        p.reasons("after").contains("nobody (anonymous)"),
        "{}",
        p.reasons("after")
    );
    let p = f.plan(&["--user", "alice", "--pending-user", "alice"]);
    assert_eq!(p.outcome("after"), "presented");
}

/// authentik/stages/user_delete/stage.py `UserDeleteStageView.get`: logs out, deletes the
/// user and removes the pending user from the plan: later bindings see the anonymous user.
#[test]
fn after_a_user_delete_stage_later_bindings_see_nobody() {
    let mut f = Fixture::new();
    f.stage("delete", DELETE, 10);
    let after = f.stage("after", DUMMY_STAGE, 20);
    f.gate(after, Subject::Group(f.staff), true);
    // Negated group binding: the anonymous user fails it too (authentik's aggregate).
    let p = f.plan(&["--pending-user", "alice"]);
    assert_eq!(p.outcome("after"), "skipped");
    assert!(
        p.reasons("after").contains("anonymous"),
        "{}",
        p.reasons("after")
    );
    assert!(
        p.reasons("delete").contains("no pending user"),
        "{}",
        p.reasons("delete")
    );
}

// --- Policies that raise, and event matchers ------------------------------------------------------

/// authentik/policies/dummy/models.py `DummyPolicy.passes`: `randrange(wait_min, wait_max)`
/// raises ValueError on an empty range and `sleep` on a negative wait; authentik/policies/
/// process.py `PolicyProcess.run` catches it as `PolicyResult(False)`, so negate does not
/// apply. A range that may draw a negative wait raises or returns at random.
#[test]
fn dummy_policies_whose_wait_raises_fail_their_binding_whatever_negate_says() {
    let cases: &[(bool, i64, i64, bool, &str)] = &[
        (true, 5, 5, false, "skipped"),
        (false, 5, 5, true, "skipped"),
        (true, 9, 3, false, "skipped"),
        (true, -3, 0, false, "skipped"),
        (false, -3, 0, true, "skipped"),
        (true, -3, 5, false, "depends"),
        (false, -3, 5, false, "skipped"),
        (false, -3, 5, true, "depends"),
        (true, 0, 1, false, "presented"),
        (false, 0, 1, true, "presented"),
    ];
    for &(result, min, max, negate, expected) in cases {
        let mut f = Fixture::new();
        let sb = f.stage("gated", DUMMY_STAGE, 10);
        let d = f.dummy("d", result, min, max);
        f.gate(sb, Subject::Policy(d), negate);
        let p = f.plan(&[]);
        assert_eq!(
            p.outcome("gated"),
            expected,
            "result={result} wait={min}..{max} negate={negate}: {}",
            p.reasons("gated")
        );
    }
}

/// authentik/policies/event_matcher/models.py `EventMatcherPolicy.passes`: no "event" in the
/// request context → `PolicyResult(False)`; a flow's request has none, so `--assume` is
/// ignored, and `plan` says so on stderr. Negated, the binding passes.
#[test]
fn event_matchers_always_fail_in_a_flow_and_ignore_assumptions() {
    let mut f = Fixture::new();
    let sb = f.stage("gated", DUMMY_STAGE, 10);
    let m = f.policy_of("login-failed", EVENT_MATCHER);
    let pb = f.gate(sb, Subject::Policy(m), false);
    let p = f.plan(&["--assume", "login-failed=pass"]);
    assert_eq!(p.outcome("gated"), "skipped");
    assert!(
        p.stderr.contains("--assume login-failed: ignored")
            && p.stderr.contains("no event in a flow's request"),
        "{}",
        p.stderr
    );
    f.doc.policy_bindings.get_mut(pb).unwrap().negate = true;
    assert_eq!(f.plan(&[]).outcome("gated"), "presented");
}

/// authentik/policies/expiry/models.py `PasswordExpiryPolicy.passes` reads
/// `request.user.password_change_date`, which Django's AnonymousUser lacks: it raises, and
/// `PolicyProcess.run` fails the binding (negate and assumptions do not apply). For a real
/// user it needs live data and the assumption holds.
#[test]
fn password_expiry_for_the_anonymous_user_raises_and_fails_its_binding() {
    let mut f = Fixture::new();
    let sb = f.stage("gated", DUMMY_STAGE, 10);
    let e = f.policy_of("expired", EXPIRY);
    f.gate(sb, Subject::Policy(e), true);
    let p = f.plan(&["--assume", "expired=fail"]);
    assert_eq!(p.outcome("gated"), "skipped", "{}", p.reasons("gated"));
    assert!(
        p.reasons("gated").contains("raises"),
        "{}",
        p.reasons("gated")
    );
    assert!(
        p.stderr.contains("--assume expired: ignored") && p.stderr.contains("anonymous"),
        "{}",
        p.stderr
    );
    let p = f.plan(&["--pending-user", "alice", "--assume", "expired=fail"]);
    assert_eq!(p.outcome("gated"), "presented");
    assert_eq!(p.stderr, "");
}

/// A dummy policy's result is fixed: an assumption about it is ignored, and said so.
#[test]
fn an_assumption_about_a_dummy_policy_is_reported_as_ignored() {
    let mut f = Fixture::new();
    let sb = f.stage("gated", DUMMY_STAGE, 10);
    let d = f.dummy("fixed", true, 0, 1);
    f.gate(sb, Subject::Policy(d), false);
    let p = f.plan(&["--assume", "fixed=fail"]);
    assert_eq!(p.outcome("gated"), "presented");
    assert!(
        p.stderr.contains("--assume fixed: ignored: a dummy policy"),
        "{}",
        p.stderr
    );
}

// --- The same facts in the diagram, the Simulate tab and lint ------------------------------------

fn deny_and_logout() -> Fixture {
    let mut f = Fixture::new();
    f.stage("who", IDENTIFICATION, 10);
    f.stage("bye", LOGOUT, 20);
    f.stage("login", LOGIN, 30);
    f.stage("stop", DENY, 40);
    f.stage("after", DUMMY_STAGE, 50);
    f
}

#[test]
fn the_diagram_shows_where_the_flow_ends_and_where_nobody_is_logged_in() {
    let f = deny_and_logout();
    let flow = f.doc.flows.get(f.flow).unwrap();
    let text = diagram::text(&f.doc, flow);
    assert!(
        text.contains("ends the flow here: a deny stage always denies"),
        "{text}"
    );
    assert!(
        text.contains("ends the flow here if there is no pending user, or it is inactive"),
        "{text}"
    );
    assert!(text.contains("from here on, nobody is logged in"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");

    let mermaid = diagram::mermaid(&f.doc, flow);
    assert!(
        mermaid.contains("  s3 -->|ends the flow here| ended"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  s2 -.->|ends the flow here if"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("from here on, nobody is logged in"),
        "{mermaid}"
    );
    // Nothing leads from the deny stage to the stage after it.
    assert!(!mermaid.contains("--> s4"), "{mermaid}");
    assert!(
        mermaid.contains("50 after (dummy); never reached"),
        "{mermaid}"
    );
}

#[test]
fn the_simulate_tab_shows_the_stage_that_ends_the_flow_and_the_unreached_one() {
    let f = deny_and_logout();
    let (_dir, store) = f.save();
    let out = bindery(
        &store,
        &["screen", "--size", "100x18", "--keys", "1<Enter>]]"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let screen = text(&out.stdout);
    insta::assert_snapshot!("simulate_deny_unreached_100x18", screen);
}

#[test]
fn lint_warns_about_policies_that_never_pass_and_stages_after_a_deny_stage() {
    let mut f = deny_and_logout();
    let sb = f.stage("gated", DUMMY_STAGE, 60);
    let m = f.policy_of("login-failed", EVENT_MATCHER);
    f.gate(sb, Subject::Policy(m), false);
    let d = f.dummy("broken", true, 10, 10);
    f.gate(sb, Subject::Policy(d), false);
    let fine = f.dummy("fine", true, 0, 1);
    f.gate(sb, Subject::Policy(fine), false);
    let findings = lint(&f.doc, Some(f.flow));
    let with = |code: &str| -> Vec<&bindery::lint::Finding> {
        findings.iter().filter(|x| x.code == code).collect()
    };
    let matcher = with("event-matcher-in-flow");
    assert_eq!(matcher.len(), 1, "{findings:#?}");
    assert!(
        matcher[0]
            .message
            .contains("this policy can never pass in a flow")
    );
    let raising = with("policy-always-raises");
    assert_eq!(raising.len(), 1, "{findings:#?}");
    assert!(raising[0].message.contains("'broken'"));
    assert!(
        raising[0]
            .message
            .contains("this policy can never pass in a flow")
    );
    let unreachable = with("unreachable-after-deny");
    let names: Vec<&str> = unreachable
        .iter()
        .map(|x| {
            if x.message.contains("'after'") {
                "after"
            } else {
                "gated"
            }
        })
        .collect();
    assert_eq!(names, ["after", "gated"], "{findings:#?}");

    // A deny stage with a gate may be skipped: nothing after it is flagged.
    let stop = f
        .doc
        .stage_bindings
        .iter()
        .find(|b| f.doc.label_of(ObjKind::Stage, b.stage) == "stop")
        .unwrap()
        .id;
    let open = f.policy_of("maintenance", EXPRESSION);
    f.gate(stop, Subject::Policy(open), false);
    let findings = lint(&f.doc, Some(f.flow));
    assert!(
        !findings.iter().any(|x| x.code == "unreachable-after-deny"),
        "{findings:#?}"
    );
}
