//! `bindery::lint` and `bindery lint`: every finding has a positive test that produces it and a
//! negative test showing that the nearby correct configuration does not; authentik's own
//! blueprints and the conformance scenarios lint without errors; the command's exit status,
//! JSON shape and `--flow` narrowing through the real binary.

mod common;

use std::path::{Path, PathBuf};

use bindery::lint::{Finding, Severity, lint};
use bindery::model::policy::{EventMatcherPolicy, ExpressionPolicy};
use bindery::model::stage::{IdentificationStage, PromptStage};
use bindery::model::*;
use bindery::store::Store;
use common::blueprints::{corpus_files, corpus_source, import_into, source};
use common::run::{bindery, text};
use serde_json::Value;
use uuid::Uuid;

// --- Building documents -----------------------------------------------------------------------

const DUMMY_STAGE: &str = "authentik_stages_dummy.dummystage";
const PASSWORD_STAGE: &str = "authentik_stages_password.passwordstage";
const USER_LOGIN_STAGE: &str = "authentik_stages_user_login.userloginstage";
const DENY_STAGE: &str = "authentik_stages_deny.denystage";
const IDENTIFICATION_STAGE: &str = "authentik_stages_identification.identificationstage";

/// A document under construction.
#[derive(Default)]
struct World {
    doc: Document,
}

impl World {
    fn flow(&mut self, slug: &str, designation: Designation) -> Uuid {
        let flow = Flow::new(slug, slug, designation);
        self.doc.flows.put(flow)
    }

    fn stage(&mut self, name: &str, model: &str) -> Uuid {
        self.stage_of(name, StageKind::default_for(model).unwrap())
    }

    fn stage_of(&mut self, name: &str, kind: StageKind) -> Uuid {
        let stage = Stage::new(name, kind);
        self.doc.stages.put(stage)
    }

    /// Binds a stage as authentik's defaults do: evaluated when run, not when planned.
    fn bind(&mut self, flow: Uuid, stage: Uuid, order: i64) -> Uuid {
        self.bind_with(flow, stage, order, false, true)
    }

    fn bind_with(&mut self, flow: Uuid, stage: Uuid, order: i64, plan: bool, run: bool) -> Uuid {
        let mut binding = StageBinding::new(flow, stage, order);
        binding.evaluate_on_plan = plan;
        binding.re_evaluate_policies = run;
        self.doc.stage_bindings.put(binding)
    }

    fn group(&mut self, name: &str, parents: &[Uuid]) -> Uuid {
        let mut group = Group::new(name);
        group.parents = parents.to_vec();
        self.doc.groups.put(group)
    }

    fn set_parents(&mut self, group: Uuid, parents: &[Uuid]) {
        self.doc.groups.get_mut(group).unwrap().parents = parents.to_vec();
    }

    fn user(&mut self, name: &str) -> Uuid {
        let user = User::new(name);
        self.doc.users.put(user)
    }

    fn policy(&mut self, name: &str, kind: PolicyKind) -> Uuid {
        let policy = Policy::new(name, kind);
        self.doc.policies.put(policy)
    }

    fn expression(&mut self, name: &str) -> Uuid {
        self.policy(
            name,
            PolicyKind::Expression(ExpressionPolicy {
                expression: "return True".into(),
            }),
        )
    }

    fn pbind(&mut self, target: Target, subject: Subject, negate: bool) -> Uuid {
        let order = self.doc.policy_bindings.len() as i64;
        let mut binding = PolicyBinding::new(target, subject, order);
        binding.negate = negate;
        self.doc.policy_bindings.put(binding)
    }

    /// A complete authentication flow: identification, password, user login.
    fn login_flow(&mut self, slug: &str, designation: Designation) -> LoginFlow {
        let flow = self.flow(slug, designation);
        let ident = self.stage(&format!("{slug}-identification"), IDENTIFICATION_STAGE);
        let password = self.stage(&format!("{slug}-password"), PASSWORD_STAGE);
        let login = self.stage(&format!("{slug}-login"), USER_LOGIN_STAGE);
        LoginFlow {
            flow,
            ident: self.bind(flow, ident, 10),
            password: self.bind(flow, password, 20),
            login: self.bind(flow, login, 30),
        }
    }

    fn lint(&self) -> Vec<Finding> {
        lint(&self.doc, None)
    }
}

/// The stage bindings of [`World::login_flow`].
#[allow(dead_code)]
struct LoginFlow {
    flow: Uuid,
    ident: Uuid,
    password: Uuid,
    login: Uuid,
}

fn with_code<'a>(findings: &'a [Finding], code: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.code == code).collect()
}

/// The one finding with this code; fails listing every finding otherwise.
fn only<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    let found = with_code(findings, code);
    assert_eq!(
        found.len(),
        1,
        "one {code} finding expected in {findings:#?}"
    );
    found[0]
}

fn none_of(findings: &[Finding], code: &str) {
    let found = with_code(findings, code);
    assert!(
        found.is_empty(),
        "no {code} finding expected, got {found:#?}"
    );
}

const ANONYMOUS_DESIGNATIONS: [Designation; 3] = [
    Designation::Authentication,
    Designation::Enrollment,
    Designation::Recovery,
];

// --- A clean baseline ----------------------------------------------------------------------------

#[test]
fn a_complete_authentication_flow_has_no_findings() {
    let mut w = World::default();
    w.login_flow("login", Designation::Authentication);
    assert_eq!(w.lint(), Vec::new());
}

#[test]
fn an_empty_document_has_no_findings() {
    assert_eq!(lint(&Document::default(), None), Vec::new());
}

// --- binding-before-identification -------------------------------------------------------------

#[test]
fn group_binding_on_the_flow_of_an_anonymous_flow_is_before_identification() {
    for designation in ANONYMOUS_DESIGNATIONS {
        let mut w = World::default();
        let f = w.login_flow("start", designation);
        let admins = w.group("admins", &[]);
        let pb = w.pbind(Target::Flow(f.flow), Subject::Group(admins), false);
        let findings = w.lint();
        let found = only(&findings, "binding-before-identification");
        assert_eq!(found.severity, Severity::Warning);
        assert_eq!(found.flow, Some(f.flow));
        assert_eq!(
            found.objects[0],
            (ObjKind::PolicyBinding, pb),
            "{designation}"
        );
        assert!(found.objects.contains(&(ObjKind::Flow, f.flow)));
        assert!(
            found.message.contains("group 'admins'"),
            "{}",
            found.message
        );
        assert!(
            found.message.contains("on the flow itself"),
            "{}",
            found.message
        );
        assert!(
            found.message.contains(designation.as_str()),
            "{}",
            found.message
        );
        none_of(&findings, "negated-binding-for-anonymous");
    }
}

#[test]
fn user_binding_on_a_stage_evaluated_only_when_planned_is_before_identification() {
    for designation in ANONYMOUS_DESIGNATIONS {
        let mut w = World::default();
        let f = w.login_flow("start", designation);
        let mfa = w.stage("mfa", DUMMY_STAGE);
        let sb = w.bind_with(f.flow, mfa, 25, true, false);
        let alice = w.user("alice");
        let pb = w.pbind(Target::StageBinding(sb), Subject::User(alice), false);
        let findings = w.lint();
        let found = only(&findings, "binding-before-identification");
        assert_eq!(found.objects[0], (ObjKind::PolicyBinding, pb));
        assert_eq!(found.flow, Some(f.flow));
        assert!(found.message.contains("user 'alice'"), "{}", found.message);
        assert!(found.message.contains("stage 'mfa'"), "{}", found.message);
        assert!(
            found
                .message
                .contains("checked only when the flow is planned"),
            "{}",
            found.message
        );
    }
}

#[test]
fn group_binding_evaluated_when_planned_and_again_when_run_is_still_before_identification() {
    // A failed plan-time check drops the stage from the plan: the run-time check never comes.
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let mfa = w.stage("mfa", DUMMY_STAGE);
    let sb = w.bind_with(f.flow, mfa, 25, true, true);
    let admins = w.group("admins", &[]);
    let pb = w.pbind(Target::StageBinding(sb), Subject::Group(admins), false);
    let findings = w.lint();
    let found = only(&findings, "binding-before-identification");
    assert_eq!(found.objects[0], (ObjKind::PolicyBinding, pb));
    assert!(
        found.message.contains("and again when run"),
        "{}",
        found.message
    );
}

#[test]
fn group_binding_evaluated_only_when_run_is_not_before_identification() {
    for designation in ANONYMOUS_DESIGNATIONS {
        let mut w = World::default();
        let f = w.login_flow("start", designation);
        let mfa = w.stage("mfa", DUMMY_STAGE);
        // After identification, evaluated when run: the identified user is seen.
        let sb = w.bind_with(f.flow, mfa, 25, false, true);
        let admins = w.group("admins", &[]);
        let alice = w.user("alice");
        w.pbind(Target::StageBinding(sb), Subject::Group(admins), false);
        w.pbind(Target::StageBinding(sb), Subject::User(alice), false);
        assert_eq!(w.lint(), Vec::new(), "{designation}");
    }
}

#[test]
fn group_binding_on_an_authorization_flow_is_not_before_identification() {
    let mut w = World::default();
    let flow = w.flow("authorize", Designation::Authorization);
    let consent = w.stage("consent", DUMMY_STAGE);
    let sb = w.bind_with(flow, consent, 10, true, false);
    let admins = w.group("admins", &[]);
    w.pbind(Target::Flow(flow), Subject::Group(admins), false);
    w.pbind(Target::StageBinding(sb), Subject::Group(admins), false);
    let findings = w.lint();
    none_of(&findings, "binding-before-identification");
    assert_eq!(findings, Vec::new());
}

#[test]
fn group_binding_on_a_flow_that_requires_a_logged_in_user_is_not_before_identification() {
    for requirement in [
        AuthenticationRequirement::RequireAuthenticated,
        AuthenticationRequirement::RequireSuperuser,
    ] {
        let mut w = World::default();
        let f = w.login_flow("login", Designation::Authentication);
        w.doc.flows.get_mut(f.flow).unwrap().authentication = requirement;
        let mfa = w.stage("mfa", DUMMY_STAGE);
        let sb = w.bind_with(f.flow, mfa, 25, true, false);
        let admins = w.group("admins", &[]);
        w.pbind(Target::Flow(f.flow), Subject::Group(admins), false);
        w.pbind(Target::StageBinding(sb), Subject::Group(admins), true);
        let findings = w.lint();
        none_of(&findings, "binding-before-identification");
        none_of(&findings, "negated-binding-for-anonymous");
        assert_eq!(findings, Vec::new(), "{requirement}");
    }
}

#[test]
fn policy_and_disabled_bindings_on_the_flow_are_not_before_identification() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let expr = w.expression("is-internal");
    w.pbind(Target::Flow(f.flow), Subject::Policy(expr), false);
    let admins = w.group("admins", &[]);
    let pb = w.pbind(Target::Flow(f.flow), Subject::Group(admins), false);
    w.doc.policy_bindings.get_mut(pb).unwrap().enabled = false;
    assert_eq!(w.lint(), Vec::new());
}

// --- negated-binding-for-anonymous -------------------------------------------------------------

#[test]
fn negated_group_binding_on_the_flow_of_an_anonymous_flow_fails_the_anonymous_user() {
    for designation in ANONYMOUS_DESIGNATIONS {
        let mut w = World::default();
        let f = w.login_flow("start", designation);
        let banned = w.group("banned", &[]);
        let pb = w.pbind(Target::Flow(f.flow), Subject::Group(banned), true);
        let findings = w.lint();
        let found = only(&findings, "negated-binding-for-anonymous");
        assert_eq!(found.severity, Severity::Warning);
        assert_eq!(found.flow, Some(f.flow));
        assert_eq!(found.objects[0], (ObjKind::PolicyBinding, pb));
        assert!(
            found.message.contains("negated group 'banned'"),
            "{}",
            found.message
        );
        none_of(&findings, "binding-before-identification");
    }
}

#[test]
fn negated_user_binding_on_a_stage_evaluated_when_planned_fails_the_anonymous_user() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let notice = w.stage("notice", DUMMY_STAGE);
    let sb = w.bind_with(f.flow, notice, 25, true, false);
    let mallory = w.user("mallory");
    let pb = w.pbind(Target::StageBinding(sb), Subject::User(mallory), true);
    let findings = w.lint();
    let found = only(&findings, "negated-binding-for-anonymous");
    assert_eq!(found.objects[0], (ObjKind::PolicyBinding, pb));
    assert!(
        found.message.contains("stage 'notice'"),
        "{}",
        found.message
    );
}

#[test]
fn negated_group_binding_run_before_the_identification_stage_fails_the_anonymous_user() {
    for designation in ANONYMOUS_DESIGNATIONS {
        let mut w = World::default();
        let f = w.login_flow("start", designation);
        let captcha = w.stage("captcha", DUMMY_STAGE);
        // Evaluated when run, but before anyone is identified.
        let sb = w.bind_with(f.flow, captcha, 5, false, true);
        let trusted = w.group("trusted", &[]);
        let pb = w.pbind(Target::StageBinding(sb), Subject::Group(trusted), true);
        let findings = w.lint();
        let found = only(&findings, "negated-binding-for-anonymous");
        assert_eq!(found.severity, Severity::Warning);
        assert_eq!(found.flow, Some(f.flow));
        assert_eq!(
            found.objects,
            vec![(ObjKind::PolicyBinding, pb), (ObjKind::StageBinding, sb)]
        );
        assert!(
            found.message.contains("stage 'captcha'"),
            "{}",
            found.message
        );
        assert!(found.message.contains("start"), "{}", found.message);
        none_of(&findings, "binding-before-identification");
    }
}

#[test]
fn negated_group_binding_run_after_the_identification_stage_is_fine() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let captcha = w.stage("captcha", DUMMY_STAGE);
    let sb = w.bind_with(f.flow, captcha, 15, false, true);
    let trusted = w.group("trusted", &[]);
    w.pbind(Target::StageBinding(sb), Subject::Group(trusted), true);
    assert_eq!(w.lint(), Vec::new());
}

#[test]
fn negated_binding_in_an_authorization_or_logged_in_flow_is_fine() {
    let mut w = World::default();
    let authz = w.flow("authorize", Designation::Authorization);
    let consent = w.stage("consent", DUMMY_STAGE);
    let sb = w.bind(authz, consent, 10);
    let banned = w.group("banned", &[]);
    w.pbind(Target::Flow(authz), Subject::Group(banned), true);
    w.pbind(Target::StageBinding(sb), Subject::Group(banned), true);
    let f = w.login_flow("login", Designation::Authentication);
    w.doc.flows.get_mut(f.flow).unwrap().authentication =
        AuthenticationRequirement::RequireAuthenticated;
    let early = w.stage("early", DUMMY_STAGE);
    let early_sb = w.bind(f.flow, early, 5);
    w.pbind(Target::Flow(f.flow), Subject::Group(banned), true);
    w.pbind(Target::StageBinding(early_sb), Subject::Group(banned), true);
    assert_eq!(w.lint(), Vec::new());
}

// --- never-evaluated ---------------------------------------------------------------------------

#[test]
fn stage_binding_with_both_evaluations_off_is_never_evaluated() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let mfa = w.stage("mfa", DUMMY_STAGE);
    let sb = w.bind_with(f.flow, mfa, 25, false, false);
    let findings = w.lint();
    let found = only(&findings, "never-evaluated");
    assert_eq!(found.severity, Severity::Error);
    assert_eq!(found.objects, vec![(ObjKind::StageBinding, sb)]);
    assert_eq!(found.flow, Some(f.flow));
    assert!(found.message.contains("stage 'mfa'"), "{}", found.message);
    // Errors come first.
    assert_eq!(findings[0].severity, Severity::Error);
}

#[test]
fn stage_binding_with_either_evaluation_on_is_evaluated() {
    for (plan, run) in [(true, false), (false, true), (true, true)] {
        let mut w = World::default();
        let f = w.login_flow("login", Designation::Authentication);
        let mfa = w.stage("mfa", DUMMY_STAGE);
        w.bind_with(f.flow, mfa, 25, plan, run);
        let findings = w.lint();
        none_of(&findings, "never-evaluated");
        assert!(
            findings.iter().all(|f| f.severity != Severity::Error),
            "{findings:#?}"
        );
    }
}

// --- event-matcher-in-flow ---------------------------------------------------------------------

#[test]
fn event_matcher_bound_on_a_flow_or_stage_never_passes() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let matcher = w.policy(
        "login-failed",
        PolicyKind::EventMatcher(EventMatcherPolicy::default()),
    );
    let on_flow = w.pbind(Target::Flow(f.flow), Subject::Policy(matcher), false);
    let on_stage = w.pbind(
        Target::StageBinding(f.password),
        Subject::Policy(matcher),
        false,
    );
    let findings = w.lint();
    let found = with_code(&findings, "event-matcher-in-flow");
    assert_eq!(found.len(), 2, "{findings:#?}");
    for (finding, pb) in found.iter().zip([on_flow, on_stage]) {
        assert_eq!(finding.severity, Severity::Warning);
        assert_eq!(
            finding.objects,
            vec![(ObjKind::PolicyBinding, pb), (ObjKind::Policy, matcher)]
        );
        assert_eq!(finding.flow, Some(f.flow));
        assert!(
            finding.message.contains("login-failed"),
            "{}",
            finding.message
        );
    }
}

#[test]
fn expression_policy_bound_in_a_flow_and_unbound_event_matcher_are_not_event_matchers_in_flows() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let expr = w.expression("is-internal");
    w.pbind(
        Target::StageBinding(f.password),
        Subject::Policy(expr),
        false,
    );
    w.policy(
        "for-notifications",
        PolicyKind::EventMatcher(EventMatcherPolicy::default()),
    );
    let findings = w.lint();
    none_of(&findings, "event-matcher-in-flow");
    // The unbound event matcher is only an unused policy.
    let codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec!["unused-policy"]);
}

// --- duplicate-order ---------------------------------------------------------------------------

#[test]
fn two_stage_bindings_of_one_flow_at_one_order_are_reported() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let captcha = w.stage("captcha", DUMMY_STAGE);
    let sb = w.bind(f.flow, captcha, 20);
    let findings = w.lint();
    let found = only(&findings, "duplicate-order");
    assert_eq!(found.severity, Severity::Warning);
    assert_eq!(found.flow, Some(f.flow));
    assert_eq!(
        found.objects,
        vec![
            (ObjKind::StageBinding, f.password),
            (ObjKind::StageBinding, sb)
        ]
    );
    assert!(found.message.contains("order 20"), "{}", found.message);
    assert!(found.message.contains("'captcha'"), "{}", found.message);
}

#[test]
fn the_same_order_in_two_different_flows_is_fine() {
    let mut w = World::default();
    let a = w.login_flow("login-a", Designation::Authentication);
    let b = w.login_flow("login-b", Designation::Authentication);
    let shared = w.stage("shared", DUMMY_STAGE);
    w.bind(a.flow, shared, 15);
    w.bind(b.flow, shared, 15);
    let findings = w.lint();
    none_of(&findings, "duplicate-order");
    assert_eq!(findings, Vec::new());
}

// --- Authentication flows ------------------------------------------------------------------------

#[test]
fn a_stage_after_the_login_stage_is_reported() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let deny = w.stage("too-late", DENY_STAGE);
    let sb = w.bind(f.flow, deny, 40);
    let findings = w.lint();
    let found = only(&findings, "stage-after-login");
    assert_eq!(found.severity, Severity::Warning);
    assert_eq!(found.flow, Some(f.flow));
    assert_eq!(
        found.objects,
        vec![(ObjKind::StageBinding, sb), (ObjKind::Flow, f.flow)]
    );
    assert!(found.message.contains("'too-late'"), "{}", found.message);
}

#[test]
fn stages_before_the_login_stage_and_after_login_in_other_designations_are_fine() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let mfa = w.stage("mfa", DUMMY_STAGE);
    w.bind(f.flow, mfa, 25);
    // An enrollment flow logs the new user in and may go on afterwards.
    let e = w.login_flow("enroll", Designation::Enrollment);
    let welcome = w.stage("welcome", DUMMY_STAGE);
    w.bind(e.flow, welcome, 40);
    let findings = w.lint();
    none_of(&findings, "stage-after-login");
    assert_eq!(findings, Vec::new());
}

#[test]
fn an_authentication_flow_without_identification_or_login_is_reported() {
    let mut w = World::default();
    let flow = w.flow("half", Designation::Authentication);
    let password = w.stage("password", PASSWORD_STAGE);
    w.bind(flow, password, 10);
    let findings = w.lint();
    let no_login = only(&findings, "no-login-stage");
    assert_eq!(no_login.severity, Severity::Warning);
    assert_eq!(no_login.objects, vec![(ObjKind::Flow, flow)]);
    assert_eq!(no_login.flow, Some(flow));
    let no_ident = only(&findings, "no-identification-stage");
    assert_eq!(no_ident.severity, Severity::Info);
    assert_eq!(no_ident.objects, vec![(ObjKind::Flow, flow)]);
    assert!(no_ident.message.contains("'half'"), "{}", no_ident.message);
}

#[test]
fn only_the_missing_stage_is_reported() {
    let mut w = World::default();
    let source_login = w.flow("source-login", Designation::Authentication);
    let login = w.stage("login", USER_LOGIN_STAGE);
    w.bind(source_login, login, 10);
    let ident_only = w.flow("ident-only", Designation::Authentication);
    let ident = w.stage("ident", IDENTIFICATION_STAGE);
    w.bind(ident_only, ident, 10);
    let findings = w.lint();
    let codes: Vec<(&str, Option<Uuid>)> = findings.iter().map(|f| (f.code, f.flow)).collect();
    assert_eq!(
        codes,
        vec![
            ("no-login-stage", Some(ident_only)),
            ("no-identification-stage", Some(source_login)),
        ]
    );
}

#[test]
fn other_designations_need_neither_identification_nor_login() {
    let mut w = World::default();
    for designation in [
        Designation::Authorization,
        Designation::Enrollment,
        Designation::Recovery,
        Designation::Invalidation,
        Designation::Unenrollment,
        Designation::StageConfiguration,
    ] {
        let flow = w.flow(&format!("flow-{designation}"), designation);
        let stage = w.stage(&format!("stage-{designation}"), DUMMY_STAGE);
        w.bind(flow, stage, 10);
    }
    assert_eq!(w.lint(), Vec::new());
}

// --- Leftovers -----------------------------------------------------------------------------------

#[test]
fn a_policy_bound_nowhere_is_unused() {
    let mut w = World::default();
    w.login_flow("login", Designation::Authentication);
    let orphan = w.expression("orphan");
    let findings = w.lint();
    let found = only(&findings, "unused-policy");
    assert_eq!(found.severity, Severity::Info);
    assert_eq!(found.objects, vec![(ObjKind::Policy, orphan)]);
    assert_eq!(found.flow, None);
    assert!(found.message.contains("'orphan'"), "{}", found.message);
}

#[test]
fn a_bound_policy_or_a_prompt_stage_validation_policy_is_not_unused() {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let bound = w.expression("bound");
    w.pbind(
        Target::StageBinding(f.password),
        Subject::Policy(bound),
        false,
    );
    let validation = w.expression("validation-only");
    let prompt = w.stage_of(
        "prompt",
        StageKind::Prompt(PromptStage {
            fields: Vec::new(),
            validation_policies: vec![validation],
        }),
    );
    let enroll = w.flow("enroll", Designation::Enrollment);
    w.bind(enroll, prompt, 10);
    let findings = w.lint();
    none_of(&findings, "unused-policy");
    assert_eq!(findings, Vec::new());
}

#[test]
fn a_stage_bound_to_no_flow_is_unbound() {
    let mut w = World::default();
    w.login_flow("login", Designation::Authentication);
    let spare = w.stage("spare", DUMMY_STAGE);
    let findings = w.lint();
    let found = only(&findings, "unbound-stage");
    assert_eq!(found.severity, Severity::Info);
    assert_eq!(found.objects, vec![(ObjKind::Stage, spare)]);
    assert_eq!(found.flow, None);
    assert!(found.message.contains("'spare'"), "{}", found.message);
}

#[test]
fn a_bound_stage_or_an_identification_stages_password_stage_is_not_unbound() {
    let mut w = World::default();
    let flow = w.flow("login", Designation::Authentication);
    // The password stage is shown inside the identification stage, never bound itself.
    let password = w.stage("password", PASSWORD_STAGE);
    let ident = w.stage_of(
        "identification",
        StageKind::Identification(IdentificationStage {
            password_stage: Some(password),
            ..Default::default()
        }),
    );
    let login = w.stage("login", USER_LOGIN_STAGE);
    w.bind(flow, ident, 10);
    w.bind(flow, login, 20);
    let findings = w.lint();
    none_of(&findings, "unbound-stage");
    assert_eq!(findings, Vec::new());
}

#[test]
fn a_flow_with_no_stage_bindings_is_empty() {
    let mut w = World::default();
    w.login_flow("login", Designation::Authentication);
    let empty = w.flow("empty", Designation::Authentication);
    let findings = w.lint();
    let found = only(&findings, "empty-flow");
    assert_eq!(found.severity, Severity::Info);
    assert_eq!(found.objects, vec![(ObjKind::Flow, empty)]);
    assert_eq!(found.flow, Some(empty));
    // An empty authentication flow is only empty, not also missing its stages.
    none_of(&findings, "no-login-stage");
    none_of(&findings, "no-identification-stage");
}

#[test]
fn a_flow_with_a_stage_binding_is_not_empty() {
    let mut w = World::default();
    let flow = w.flow("authorize", Designation::Authorization);
    let consent = w.stage("consent", DUMMY_STAGE);
    w.bind(flow, consent, 10);
    let findings = w.lint();
    none_of(&findings, "empty-flow");
    assert_eq!(findings, Vec::new());
}

// --- group-cycle ---------------------------------------------------------------------------------

#[test]
fn groups_that_are_each_others_parents_form_a_cycle() {
    let mut w = World::default();
    let a = w.group("ring-a", &[]);
    let b = w.group("ring-b", &[a]);
    w.set_parents(a, &[b]);
    // Below the cycle, not part of it.
    w.group("ring-c", &[b]);
    let findings = w.lint();
    let found = only(&findings, "group-cycle");
    assert_eq!(found.severity, Severity::Warning);
    assert_eq!(found.flow, None);
    let mut groups = found.objects.clone();
    groups.sort();
    let mut expected = vec![(ObjKind::Group, a), (ObjKind::Group, b)];
    expected.sort();
    assert_eq!(groups, expected);
    assert!(found.message.contains("ring-a"), "{}", found.message);
    assert!(found.message.contains("ring-b"), "{}", found.message);
    assert!(!found.message.contains("ring-c"), "{}", found.message);
}

#[test]
fn a_three_group_cycle_is_reported_once_with_all_three() {
    let mut w = World::default();
    let a = w.group("a", &[]);
    let b = w.group("b", &[a]);
    let c = w.group("c", &[b]);
    w.set_parents(a, &[c]);
    let findings = w.lint();
    let found = only(&findings, "group-cycle");
    assert_eq!(found.objects.len(), 3, "{found:#?}");
    for g in [a, b, c] {
        assert!(found.objects.contains(&(ObjKind::Group, g)), "{found:#?}");
    }
}

#[test]
fn a_group_that_is_its_own_parent_is_a_cycle() {
    let mut w = World::default();
    let a = w.group("selfish", &[]);
    w.set_parents(a, &[a]);
    let findings = w.lint();
    let found = only(&findings, "group-cycle");
    assert_eq!(found.objects, vec![(ObjKind::Group, a)]);
}

#[test]
fn a_diamond_of_groups_is_not_a_cycle() {
    let mut w = World::default();
    let d = w.group("d", &[]);
    let b = w.group("b", &[d]);
    let c = w.group("c", &[d]);
    w.group("a", &[b, c]);
    let findings = w.lint();
    none_of(&findings, "group-cycle");
    assert_eq!(findings, Vec::new());
}

// --- dangling-reference --------------------------------------------------------------------------

/// A valid store saved with `Store::create`, then edited by hand as JSON: `edit` changes the
/// parsed file, which is written back. Returns the file's path.
fn hand_edited_store(dir: &Path, doc: Document, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let path = dir.join("store.json");
    Store::create(&path, doc).unwrap();
    let mut value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut value);
    std::fs::write(&path, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
    path
}

/// A login flow with a group binding on its password stage (evaluated when run: no finding).
fn world_with_a_group_binding() -> (World, LoginFlow, Uuid) {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let admins = w.group("admins", &[]);
    let pb = w.pbind(
        Target::StageBinding(f.password),
        Subject::Group(admins),
        false,
    );
    assert_eq!(w.lint(), Vec::new());
    (w, f, pb)
}

#[test]
fn a_policy_binding_whose_subject_is_gone_is_a_dangling_reference() {
    let (w, _, pb) = world_with_a_group_binding();
    let missing = Uuid::new_v4();
    let dir = tempfile::tempdir().unwrap();
    let path = hand_edited_store(dir.path(), w.doc, |value| {
        let binding = &mut value["policy_bindings"][0];
        assert_eq!(binding["id"], pb.to_string());
        assert!(binding["subject"]["group"].is_string(), "{binding}");
        binding["subject"]["group"] = Value::String(missing.to_string());
    });
    let store = Store::open(&path).unwrap();
    assert!(
        !store.problems().is_empty(),
        "the store knows it is damaged"
    );
    let findings = lint(store.doc(), None);
    let found = only(&findings, "dangling-reference");
    assert_eq!(found.severity, Severity::Error);
    assert!(
        found.message.contains(&missing.to_string()),
        "{}",
        found.message
    );
    assert!(
        found.message.contains("$.policy_bindings[0].group"),
        "{}",
        found.message
    );
    assert!(
        found.message.contains("does not exist"),
        "{}",
        found.message
    );
    assert_eq!(findings[0].code, "dangling-reference", "errors first");
}

#[test]
fn a_policy_binding_whose_target_is_gone_is_a_dangling_reference() {
    let (w, _, pb) = world_with_a_group_binding();
    let missing = Uuid::new_v4();
    let dir = tempfile::tempdir().unwrap();
    let path = hand_edited_store(dir.path(), w.doc, |value| {
        let binding = &mut value["policy_bindings"][0];
        assert_eq!(binding["id"], pb.to_string());
        binding["target"]["stage_binding"] = Value::String(missing.to_string());
    });
    let store = Store::open(&path).unwrap();
    let findings = lint(store.doc(), None);
    let found = only(&findings, "dangling-reference");
    assert_eq!(found.severity, Severity::Error);
    assert!(
        found.message.contains(&missing.to_string()),
        "{}",
        found.message
    );
    assert!(
        found.message.contains("$.policy_bindings[0].target"),
        "{}",
        found.message
    );
}

#[test]
fn an_intact_hand_written_store_has_no_dangling_reference() {
    let (w, _, _) = world_with_a_group_binding();
    let dir = tempfile::tempdir().unwrap();
    // Re-written by hand without any change of meaning.
    let path = hand_edited_store(dir.path(), w.doc, |value| {
        value["policy_bindings"][0]["timeout"] = Value::from(30);
    });
    let store = Store::open(&path).unwrap();
    assert!(store.problems().is_empty(), "{:?}", store.problems());
    assert_eq!(lint(store.doc(), None), Vec::new());
}

#[test]
fn a_dangling_reference_names_the_binding_to_fix_and_its_flow() {
    let (w, f, pb) = world_with_a_group_binding();
    let dir = tempfile::tempdir().unwrap();
    let path = hand_edited_store(dir.path(), w.doc, |value| {
        value["policy_bindings"][0]["subject"]["group"] = Value::String(Uuid::new_v4().to_string());
    });
    let store = Store::open(&path).unwrap();
    let findings = lint(store.doc(), None);
    let found = only(&findings, "dangling-reference");
    assert_eq!(found.objects.first(), Some(&(ObjKind::PolicyBinding, pb)));
    assert_eq!(found.flow, Some(f.flow));
    let in_flow = lint(store.doc(), Some(f.flow));
    only(&in_flow, "dangling-reference");
}

// --- Real-world blueprints -----------------------------------------------------------------------

fn errors(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code, f.message))
        .collect()
}

#[test]
fn authentiks_own_blueprints_lint_without_errors() {
    let files = corpus_files();
    assert_eq!(files.len(), 39, "authentik's 39 blueprint files");
    let mut failures = Vec::new();
    let mut linted_flows = 0;
    for path in &files {
        let src = corpus_source(path);
        let name = src.name.clone();
        let mut doc = Document::default();
        if let Err(e) = import_into(&mut doc, &[src]) {
            failures.push(format!("{name}: import failed: {e}"));
            continue;
        }
        linted_flows += doc.flows.len();
        for error in errors(&lint(&doc, None)) {
            failures.push(format!("{name}: {error}"));
        }
    }
    assert!(linted_flows > 20, "the corpus has flows to lint");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_conformance_scenarios_lint_without_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().join("blueprint.yaml"))
        .filter(|p| p.is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "{cases:?}");
    let mut failures = Vec::new();
    for path in &cases {
        let name = path.display().to_string();
        let mut doc = Document::default();
        let src = source(&name, &std::fs::read_to_string(path).unwrap());
        if let Err(e) = import_into(&mut doc, &[src]) {
            failures.push(format!("{name}: import failed: {e}"));
            continue;
        }
        for error in errors(&lint(&doc, None)) {
            failures.push(format!("{name}: {error}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_group_cycle_scenario_is_reported_as_a_cycle() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/conformance/cases/05-group-cycle/blueprint.yaml");
    let mut doc = Document::default();
    import_into(
        &mut doc,
        &[source(
            "cycle.yaml",
            &std::fs::read_to_string(path).unwrap(),
        )],
    )
    .unwrap();
    let findings = lint(&doc, None);
    let found = only(&findings, "group-cycle");
    assert_eq!(found.objects.len(), 2, "{found:#?}");
}

// --- `bindery lint` through the binary -----------------------------------------------------------

/// Two flows: "login" (complete, with an unbound spare stage elsewhere) and "other", an
/// enrollment flow whose stage binding is never evaluated when `broken`.
fn lint_store(dir: &Path, broken: bool) -> (PathBuf, World) {
    let mut w = World::default();
    let f = w.login_flow("login", Designation::Authentication);
    let deny = w.stage("too-late", DENY_STAGE);
    w.bind(f.flow, deny, 40);
    let other = w.flow("other", Designation::Enrollment);
    let write = w.stage("write", DUMMY_STAGE);
    w.bind_with(other, write, 10, false, !broken);
    w.expression("orphan");
    let path = dir.join("store.json");
    Store::create(&path, w.doc.clone()).unwrap();
    (path, w)
}

#[test]
fn lint_exits_0_without_errors_and_lists_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = lint_store(dir.path(), false);
    let out = bindery(&path, &["lint"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("warning[stage-after-login]"), "{stdout}");
    assert!(stdout.contains("info[unused-policy]"), "{stdout}");
    assert!(!stdout.contains("error["), "{stdout}");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("0 errors, 1 warnings, 1 notes"),
        "{stdout}"
    );
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}

#[test]
fn lint_exits_1_with_an_error_and_still_lists_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = lint_store(dir.path(), true);
    let out = bindery(&path, &["lint"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("error[never-evaluated]: "), "{stdout}");
    assert!(lines[0].contains("'write'"), "{stdout}");
    assert!(stdout.contains("warning[stage-after-login]"), "{stdout}");
    assert!(stdout.contains("info[unused-policy]"), "{stdout}");
    assert_eq!(*lines.last().unwrap(), "1 errors, 1 warnings, 1 notes");

    let json = bindery(&path, &["lint", "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let value: Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    assert_eq!(value.as_array().unwrap().len(), 3);
    assert_eq!(value[0]["severity"], "error");
}

#[test]
fn lint_json_is_one_document_of_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (path, w) = lint_store(dir.path(), true);
    let out = bindery(&path, &["lint", "--json"]);
    let value: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let list = value.as_array().expect("a list");
    assert_eq!(list.len(), 3, "{value:#}");
    for finding in list {
        let keys: Vec<&str> = finding
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            vec!["code", "flow", "message", "objects", "severity"],
            "{finding:#}"
        );
        assert!(finding["code"].is_string());
        assert!(finding["message"].is_string());
        assert!(
            ["error", "warning", "info"].contains(&finding["severity"].as_str().unwrap()),
            "{finding:#}"
        );
        assert!(finding["flow"].is_string() || finding["flow"].is_null());
        for object in finding["objects"].as_array().unwrap() {
            let mut keys: Vec<&str> = object
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort();
            assert_eq!(keys, vec!["id", "kind", "name"], "{object:#}");
            Uuid::parse_str(object["id"].as_str().unwrap()).unwrap();
        }
    }
    let by_code = |code: &str| {
        list.iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {value:#}"))
    };
    let never = by_code("never-evaluated");
    assert_eq!(never["severity"], "error");
    assert_eq!(never["flow"], "other");
    assert_eq!(never["objects"][0]["kind"], "stage_binding");
    let binding = w
        .doc
        .stage_bindings
        .iter()
        .find(|b| !b.re_evaluate_policies)
        .unwrap();
    assert_eq!(never["objects"][0]["id"], binding.id.to_string());
    let after = by_code("stage-after-login");
    assert_eq!(after["severity"], "warning");
    assert_eq!(after["flow"], "login");
    assert_eq!(after["objects"][1]["kind"], "flow");
    assert_eq!(after["objects"][1]["name"], "login");
    let unused = by_code("unused-policy");
    assert_eq!(unused["severity"], "info");
    assert_eq!(unused["flow"], Value::Null);
    assert_eq!(
        unused["objects"],
        serde_json::json!([{"kind": "policy", "id": w.doc.policies.iter().next().unwrap().id, "name": "orphan"}])
    );
    assert!(
        text(&out.stderr).is_empty(),
        "nothing else: {}",
        text(&out.stderr)
    );
}

#[test]
fn lint_flow_narrows_to_one_flow() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = lint_store(dir.path(), true);
    let login = bindery(&path, &["lint", "--flow", "login", "--json"]);
    assert_eq!(
        login.status.code(),
        Some(0),
        "the error is in the other flow"
    );
    let value: Value = serde_json::from_slice(&login.stdout).unwrap();
    let codes: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["stage-after-login"]);
    assert!(
        value
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["flow"] == "login")
    );

    let other = bindery(&path, &["lint", "--flow", "other"]);
    assert_eq!(other.status.code(), Some(1));
    let stdout = text(&other.stdout);
    assert!(stdout.contains("error[never-evaluated]"), "{stdout}");
    assert!(!stdout.contains("stage-after-login"), "{stdout}");
    assert!(!stdout.contains("unused-policy"), "{stdout}");
}

#[test]
fn lint_of_an_unknown_flow_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = lint_store(dir.path(), false);
    for args in [
        &["lint", "--flow", "nope"][..],
        &["lint", "--flow", "nope", "--json"][..],
    ] {
        let out = bindery(&path, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).contains("no flow with slug \"nope\""),
            "{}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    }
}

#[test]
fn lint_of_a_hand_edited_store_with_a_dangling_reference_exits_1() {
    let (w, _, _) = world_with_a_group_binding();
    let dir = tempfile::tempdir().unwrap();
    let missing = Uuid::new_v4();
    let path = hand_edited_store(dir.path(), w.doc, |value| {
        value["policy_bindings"][0]["subject"]["group"] = Value::String(missing.to_string());
    });
    let out = bindery(&path, &["lint"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("error[dangling-reference]: "),
        "{stdout}"
    );
    assert!(stdout.contains(&missing.to_string()), "{stdout}");
    // The integrity problem is also a warning on stderr when the store is opened.
    assert!(
        text(&out.stderr).contains("integrity problem"),
        "{}",
        text(&out.stderr)
    );
    let json = bindery(&path, &["lint", "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let value: Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    assert_eq!(value[0]["code"], "dangling-reference");
    assert_eq!(value[0]["severity"], "error");
}

#[test]
fn lint_of_a_missing_store_is_empty_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.json");
    let out = bindery(&path, &["lint", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value, serde_json::json!([]));
    assert!(!path.exists(), "linting does not create the store");
}
