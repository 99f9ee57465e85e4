//! Every edit operation: validation, delete cascades, moves, undo and redo, conflicts, and a
//! property test that undoing any sequence of operations restores the starting document.

use std::collections::BTreeSet;

use bindery::edit::{self, EditError, History, Op, Patch};
use bindery::model::check::check_document;
use bindery::model::policy::{ExpressionPolicy, PasswordPolicy, ReputationPolicy};
use bindery::model::stage::{
    AuthenticatorTotpStage, AuthenticatorValidateStage, IdentificationStage, PasswordStage,
    PromptStage, RedirectStage, UserLoginStage, UserWriteStage,
};
use bindery::model::{
    Designation, Document, Flow, Group, Obj, ObjKind, Policy, PolicyBinding, PolicyKind, Prompt,
    Stage, StageBinding, StageKind, Subject, Target, User,
};
use uuid::Uuid;

// --- Fixture ----------------------------------------------------------------------------------

/// Ids of everything in [`fixture`], by role.
#[allow(dead_code)]
struct Ids {
    login: Uuid,
    enroll: Uuid,
    recover: Uuid,
    totp_setup: Uuid,

    ident: Uuid,
    pw: Uuid,
    validate: Uuid,
    totp: Uuid,
    user_login: Uuid,
    prompt_stage: Uuid,
    write: Uuid,
    redirect: Uuid,

    p_user: Uuid,
    p_pass: Uuid,

    // Stage bindings: <flow>_<stage>.
    login_ident: Uuid,
    login_pw: Uuid,
    login_validate: Uuid,
    login_user_login: Uuid,
    enroll_prompt: Uuid,
    enroll_write: Uuid,
    enroll_user_login: Uuid,
    recover_ident: Uuid,
    totp_setup_totp: Uuid,

    pol_expr: Uuid,
    pol_pw: Uuid,
    pol_rep: Uuid,

    // Policy bindings: on_<target>_<subject>.
    on_login_rep: Uuid,
    on_login_pw_expr: Uuid,
    on_login_validate_expr: Uuid,
    on_login_validate_admins: Uuid,
    on_login_validate_alice: Uuid,
    on_enroll_expr: Uuid,
    on_enroll_users: Uuid,
    on_enroll_prompt_pw: Uuid,

    g_root: Uuid,
    g_users: Uuid,
    g_admins: Uuid,

    alice: Uuid,
    bob: Uuid,
}

fn kind_of(model: &str) -> StageKind {
    StageKind::default_for(model).unwrap()
}

/// A document with references of every kind, valid by `check_document`.
fn fixture() -> (Document, Ids) {
    let mut doc = Document::default();

    let login = Flow::new("login", "Login", Designation::Authentication);
    let enroll = Flow::new("enroll", "Enroll", Designation::Enrollment);
    let recover = Flow::new("recover", "Recover", Designation::Recovery);
    let totp_setup = Flow::new("totp-setup", "TOTP setup", Designation::StageConfiguration);

    let g_root = Group::new("root");
    let mut g_users = Group::new("users");
    g_users.parents = vec![g_root.id];
    let mut g_admins = Group::new("admins");
    g_admins.parents = vec![g_users.id];

    let mut alice = User::new("alice");
    alice.groups = vec![g_admins.id, g_users.id];
    let mut bob = User::new("bob");
    bob.groups = vec![g_users.id];

    let p_user = Prompt::new("username-field", "username");
    let p_pass = Prompt::new("password-field", "password");

    let pol_expr = Policy::new(
        "is-internal",
        PolicyKind::Expression(ExpressionPolicy {
            expression: "return True".into(),
        }),
    );
    let pol_pw = Policy::new("strong", PolicyKind::Password(PasswordPolicy::default()));
    let pol_rep = Policy::new(
        "reputation",
        PolicyKind::Reputation(ReputationPolicy::default()),
    );

    let pw = Stage::new(
        "password",
        StageKind::Password(PasswordStage {
            backends: vec!["authentik.core.auth.InbuiltBackend".into()],
            ..Default::default()
        }),
    );
    let totp = Stage::new(
        "totp",
        StageKind::AuthenticatorTotp(AuthenticatorTotpStage {
            configure_flow: Some(totp_setup.id),
            ..Default::default()
        }),
    );
    let validate = Stage::new(
        "mfa",
        StageKind::AuthenticatorValidate(AuthenticatorValidateStage {
            configuration_stages: vec![totp.id],
            ..Default::default()
        }),
    );
    let ident = Stage::new(
        "identification",
        StageKind::Identification(IdentificationStage {
            password_stage: Some(pw.id),
            webauthn_stage: Some(validate.id),
            enrollment_flow: Some(enroll.id),
            recovery_flow: Some(recover.id),
            ..Default::default()
        }),
    );
    let user_login = Stage::new("login", StageKind::UserLogin(UserLoginStage::default()));
    let prompt_stage = Stage::new(
        "enroll-prompt",
        StageKind::Prompt(PromptStage {
            fields: vec![p_user.id, p_pass.id],
            validation_policies: vec![pol_pw.id],
        }),
    );
    let write = Stage::new(
        "write",
        StageKind::UserWrite(UserWriteStage {
            create_users_group: Some(g_users.id),
            ..Default::default()
        }),
    );
    let redirect = Stage::new(
        "to-enroll",
        StageKind::Redirect(RedirectStage {
            target_flow: Some(enroll.id),
            ..Default::default()
        }),
    );

    let sb = |flow: &Flow, stage: &Stage, order| StageBinding::new(flow.id, stage.id, order);
    let login_ident = sb(&login, &ident, 10);
    let login_pw = sb(&login, &pw, 20);
    let login_validate = sb(&login, &validate, 30);
    let login_user_login = sb(&login, &user_login, 40);
    let enroll_prompt = sb(&enroll, &prompt_stage, 10);
    let enroll_write = sb(&enroll, &write, 20);
    let enroll_user_login = sb(&enroll, &user_login, 30);
    let recover_ident = sb(&recover, &ident, 10);
    let totp_setup_totp = sb(&totp_setup, &totp, 10);

    let pb = PolicyBinding::new;
    let on_login_rep = pb(Target::Flow(login.id), Subject::Policy(pol_rep.id), 0);
    let on_login_pw_expr = pb(
        Target::StageBinding(login_pw.id),
        Subject::Policy(pol_expr.id),
        0,
    );
    let on_login_validate_expr = pb(
        Target::StageBinding(login_validate.id),
        Subject::Policy(pol_expr.id),
        0,
    );
    let on_login_validate_admins = pb(
        Target::StageBinding(login_validate.id),
        Subject::Group(g_admins.id),
        10,
    );
    let on_login_validate_alice = pb(
        Target::StageBinding(login_validate.id),
        Subject::User(alice.id),
        20,
    );
    let on_enroll_expr = pb(Target::Flow(enroll.id), Subject::Policy(pol_expr.id), 0);
    let on_enroll_users = pb(Target::Flow(enroll.id), Subject::Group(g_users.id), 10);
    let on_enroll_prompt_pw = pb(
        Target::StageBinding(enroll_prompt.id),
        Subject::Policy(pol_pw.id),
        0,
    );

    let ids = Ids {
        login: login.id,
        enroll: enroll.id,
        recover: recover.id,
        totp_setup: totp_setup.id,
        ident: ident.id,
        pw: pw.id,
        validate: validate.id,
        totp: totp.id,
        user_login: user_login.id,
        prompt_stage: prompt_stage.id,
        write: write.id,
        redirect: redirect.id,
        p_user: p_user.id,
        p_pass: p_pass.id,
        login_ident: login_ident.id,
        login_pw: login_pw.id,
        login_validate: login_validate.id,
        login_user_login: login_user_login.id,
        enroll_prompt: enroll_prompt.id,
        enroll_write: enroll_write.id,
        enroll_user_login: enroll_user_login.id,
        recover_ident: recover_ident.id,
        totp_setup_totp: totp_setup_totp.id,
        pol_expr: pol_expr.id,
        pol_pw: pol_pw.id,
        pol_rep: pol_rep.id,
        on_login_rep: on_login_rep.id,
        on_login_pw_expr: on_login_pw_expr.id,
        on_login_validate_expr: on_login_validate_expr.id,
        on_login_validate_admins: on_login_validate_admins.id,
        on_login_validate_alice: on_login_validate_alice.id,
        on_enroll_expr: on_enroll_expr.id,
        on_enroll_users: on_enroll_users.id,
        on_enroll_prompt_pw: on_enroll_prompt_pw.id,
        g_root: g_root.id,
        g_users: g_users.id,
        g_admins: g_admins.id,
        alice: alice.id,
        bob: bob.id,
    };

    for f in [login, enroll, recover, totp_setup] {
        doc.flows.put(f);
    }
    for s in [
        ident,
        pw,
        validate,
        totp,
        user_login,
        prompt_stage,
        write,
        redirect,
    ] {
        doc.stages.put(s);
    }
    for p in [p_user, p_pass] {
        doc.prompts.put(p);
    }
    for b in [
        login_ident,
        login_pw,
        login_validate,
        login_user_login,
        enroll_prompt,
        enroll_write,
        enroll_user_login,
        recover_ident,
        totp_setup_totp,
    ] {
        doc.stage_bindings.put(b);
    }
    for p in [pol_expr, pol_pw, pol_rep] {
        doc.policies.put(p);
    }
    for b in [
        on_login_rep,
        on_login_pw_expr,
        on_login_validate_expr,
        on_login_validate_admins,
        on_login_validate_alice,
        on_enroll_expr,
        on_enroll_users,
        on_enroll_prompt_pw,
    ] {
        doc.policy_bindings.put(b);
    }
    for g in [g_root, g_users, g_admins] {
        doc.groups.put(g);
    }
    for u in [alice, bob] {
        doc.users.put(u);
    }
    assert_eq!(check_document(&doc), vec![], "the fixture must be valid");
    (doc, ids)
}

// --- Helpers ----------------------------------------------------------------------------------

/// Equal field by field and in table order: `Document`'s `==` (which compares tables in order)
/// and, as a second witness, the serialised form (tables are written as arrays).
#[track_caller]
fn assert_same(actual: &Document, expected: &Document) {
    assert_eq!(actual, expected);
    assert_eq!(
        serde_json::to_string_pretty(actual).unwrap(),
        serde_json::to_string_pretty(expected).unwrap(),
        "same objects, different order"
    );
}

/// Applies `op`, expects a refusal mentioning every one of `needles`, and checks that the
/// document did not change.
#[track_caller]
fn refused(doc: &mut Document, op: Op, needles: &[&str]) -> EditError {
    let before = doc.clone();
    let err = match edit::apply(doc, &op) {
        Ok(patch) => panic!("{op:?} was accepted: {patch:?}"),
        Err(err) => err,
    };
    let text = err.to_string();
    for needle in needles {
        assert!(
            text.contains(needle),
            "{text:?} does not mention {needle:?}"
        );
    }
    assert!(!err.problems.is_empty());
    assert_same(doc, &before);
    // Planning alone never changes anything either, and gives the same answer.
    assert_eq!(op.plan(doc).unwrap_err(), err);
    err
}

fn stage(doc: &Document, id: Uuid) -> Stage {
    doc.stages.get(id).unwrap().clone()
}

fn group(doc: &Document, id: Uuid) -> Group {
    doc.groups.get(id).unwrap().clone()
}

fn user(doc: &Document, id: Uuid) -> User {
    doc.users.get(id).unwrap().clone()
}

fn binding(doc: &Document, id: Uuid) -> StageBinding {
    doc.stage_bindings.get(id).unwrap().clone()
}

fn pbinding(doc: &Document, id: Uuid) -> PolicyBinding {
    doc.policy_bindings.get(id).unwrap().clone()
}

fn keys<'a>(objs: impl Iterator<Item = &'a Obj>) -> BTreeSet<(ObjKind, Uuid)> {
    objs.map(|o| (o.kind(), o.id())).collect()
}

fn set(items: &[(ObjKind, Uuid)]) -> BTreeSet<(ObjKind, Uuid)> {
    items.iter().copied().collect()
}

/// Applies the inverse of `patch` (checked) and asserts the document is `original` again.
#[track_caller]
fn undo_restores(doc: &mut Document, patch: &Patch, original: &Document) {
    patch
        .inverse()
        .apply(doc)
        .expect("the inverse applies cleanly");
    assert_same(doc, original);
}

fn order_of(doc: &Document, flow: Uuid) -> Vec<(Uuid, i64)> {
    doc.bindings_of_flow(flow)
        .iter()
        .map(|b| (b.stage, b.order))
        .collect()
}

// --- Validation -------------------------------------------------------------------------------

#[test]
fn create_refuses_duplicate_stage_name() {
    let (mut doc, _) = fixture();
    let op = Op::Create(Obj::Stage(Stage::new(
        "password",
        kind_of("authentik_stages_deny.denystage"),
    )));
    refused(&mut doc, op, &["stage", "\"password\"", "already exists"]);
}

#[test]
fn update_refuses_renaming_a_stage_to_a_taken_name() {
    let (mut doc, ids) = fixture();
    let mut s = stage(&doc, ids.pw);
    s.name = "identification".into();
    refused(
        &mut doc,
        Op::Update(Obj::Stage(s)),
        &["\"identification\"", "already exists"],
    );
}

#[test]
fn create_refuses_duplicate_policy_name() {
    let (mut doc, _) = fixture();
    let op = Op::Create(Obj::Policy(Policy::new(
        "strong",
        PolicyKind::Reputation(ReputationPolicy::default()),
    )));
    refused(&mut doc, op, &["policy", "\"strong\"", "already exists"]);
}

#[test]
fn create_refuses_duplicate_prompt_name() {
    let (mut doc, _) = fixture();
    let op = Op::Create(Obj::Prompt(Prompt::new("username-field", "other_key")));
    refused(
        &mut doc,
        op,
        &["prompt", "\"username-field\"", "already exists"],
    );
}

#[test]
fn create_refuses_duplicate_group_name() {
    let (mut doc, _) = fixture();
    let op = Op::Create(Obj::Group(Group::new("admins")));
    refused(&mut doc, op, &["group", "\"admins\"", "already exists"]);
}

#[test]
fn create_refuses_duplicate_username() {
    let (mut doc, _) = fixture();
    let op = Op::Create(Obj::User(User::new("alice")));
    refused(
        &mut doc,
        op,
        &["user", "username \"alice\"", "already exists"],
    );
}

#[test]
fn create_refuses_duplicate_flow_slug() {
    let (mut doc, _) = fixture();
    let op = Op::Create(Obj::Flow(Flow::new(
        "login",
        "Another login",
        Designation::Authentication,
    )));
    refused(&mut doc, op, &["flow", "slug \"login\"", "already exists"]);
}

#[test]
fn create_refuses_an_existing_id() {
    let (mut doc, ids) = fixture();
    let mut s = stage(&doc, ids.pw);
    s.name = "fresh-name".into();
    refused(&mut doc, Op::Create(Obj::Stage(s)), &["already in use"]);
}

#[test]
fn invalid_slugs_are_refused() {
    let (mut doc, ids) = fixture();
    for slug in ["has space", "", "slash/es", "dot.ted", "ümlaut"] {
        let op = Op::Create(Obj::Flow(Flow::new(slug, "Name", Designation::Recovery)));
        refused(&mut doc, op, &["slug", "is not valid"]);
        let mut f = doc.flows.get(ids.login).unwrap().clone();
        f.slug = slug.into();
        refused(
            &mut doc,
            Op::Update(Obj::Flow(f)),
            &["slug", "is not valid"],
        );
    }
    // The same document accepts a valid one.
    let ok = Flow::new("ok_slug-2", "Name", Designation::Recovery);
    edit::apply(&mut doc, &Op::Create(Obj::Flow(ok))).unwrap();
}

#[test]
fn empty_names_are_refused() {
    let (mut doc, ids) = fixture();
    let deny = kind_of("authentik_stages_deny.denystage");
    refused(
        &mut doc,
        Op::Create(Obj::Stage(Stage::new("", deny.clone()))),
        &["name must not be empty"],
    );
    refused(
        &mut doc,
        Op::Create(Obj::Stage(Stage::new("   ", deny))),
        &["name must not be empty"],
    );
    refused(
        &mut doc,
        Op::Create(Obj::Policy(Policy::new(
            "",
            PolicyKind::Reputation(ReputationPolicy::default()),
        ))),
        &["name must not be empty"],
    );
    refused(
        &mut doc,
        Op::Create(Obj::Group(Group::new(""))),
        &["name must not be empty"],
    );
    refused(
        &mut doc,
        Op::Create(Obj::User(User::new(""))),
        &["username must not be empty"],
    );
    refused(
        &mut doc,
        Op::Create(Obj::Prompt(Prompt::new("", "key"))),
        &["name must not be empty"],
    );
    refused(
        &mut doc,
        Op::Create(Obj::Prompt(Prompt::new("p", ""))),
        &["field_key must not be empty"],
    );
    refused(
        &mut doc,
        Op::Create(Obj::Flow(Flow::new("slug", "", Designation::Recovery))),
        &["name must not be empty"],
    );
    let mut f = doc.flows.get(ids.login).unwrap().clone();
    f.title = String::new();
    refused(
        &mut doc,
        Op::Update(Obj::Flow(f)),
        &["title must not be empty"],
    );
}

#[test]
fn stage_binding_to_missing_flow_or_stage_is_refused() {
    let (mut doc, ids) = fixture();
    let ghost = Uuid::new_v4();
    refused(
        &mut doc,
        Op::Create(Obj::StageBinding(StageBinding::new(ghost, ids.pw, 50))),
        &["target", "flow", &ghost.to_string(), "does not exist"],
    );
    refused(
        &mut doc,
        Op::Create(Obj::StageBinding(StageBinding::new(ids.login, ghost, 50))),
        &["stage", &ghost.to_string(), "does not exist"],
    );
    // Moving an existing binding to a missing flow is refused the same way.
    let mut b = binding(&doc, ids.login_pw);
    b.target = ghost;
    refused(
        &mut doc,
        Op::Update(Obj::StageBinding(b)),
        &["does not exist"],
    );
}

#[test]
fn policy_binding_to_missing_objects_is_refused() {
    let (mut doc, ids) = fixture();
    let ghost = Uuid::new_v4();
    let cases = [
        (Target::Flow(ghost), Subject::Policy(ids.pol_expr), "flow"),
        (
            Target::StageBinding(ghost),
            Subject::Policy(ids.pol_expr),
            "stage binding",
        ),
        (Target::Flow(ids.login), Subject::Policy(ghost), "policy"),
        (Target::Flow(ids.login), Subject::Group(ghost), "group"),
        (Target::Flow(ids.login), Subject::User(ghost), "user"),
        // A stage is not a stage binding.
        (
            Target::StageBinding(ids.pw),
            Subject::Policy(ids.pol_expr),
            "stage binding",
        ),
    ];
    for (target, subject, noun) in cases {
        let missing = if target.id() == ids.login {
            subject.id()
        } else {
            target.id()
        };
        refused(
            &mut doc,
            Op::Create(Obj::PolicyBinding(PolicyBinding::new(target, subject, 99))),
            &[&format!("{noun} {missing}"), "does not exist"],
        );
    }
}

#[test]
fn stage_binding_with_both_evaluations_off_is_refused() {
    let (mut doc, ids) = fixture();
    let mut b = StageBinding::new(ids.login, ids.redirect, 50);
    b.re_evaluate_policies = false;
    b.evaluate_on_plan = false;
    refused(
        &mut doc,
        Op::Create(Obj::StageBinding(b.clone())),
        &["cannot both be off"],
    );
    let mut existing = binding(&doc, ids.login_pw);
    existing.re_evaluate_policies = false;
    refused(
        &mut doc,
        Op::Update(Obj::StageBinding(existing)),
        &["cannot both be off"],
    );
    // Either one on is fine.
    b.evaluate_on_plan = true;
    edit::apply(&mut doc, &Op::Create(Obj::StageBinding(b))).unwrap();
}

#[test]
fn same_stage_in_same_flow_at_same_order_is_refused() {
    let (mut doc, ids) = fixture();
    refused(
        &mut doc,
        Op::Create(Obj::StageBinding(StageBinding::new(ids.login, ids.pw, 20))),
        &["already bound to this flow at this order"],
    );
    // Updating another binding onto the same key is refused too.
    let mut b = binding(&doc, ids.login_validate);
    b.stage = ids.pw;
    b.order = 20;
    refused(
        &mut doc,
        Op::Update(Obj::StageBinding(b)),
        &["already bound to this flow at this order"],
    );
    // The same stage at another order, or another stage at the same order, is fine.
    edit::apply(
        &mut doc,
        &Op::Create(Obj::StageBinding(StageBinding::new(ids.login, ids.pw, 25))),
    )
    .unwrap();
    edit::apply(
        &mut doc,
        &Op::Create(Obj::StageBinding(StageBinding::new(
            ids.login,
            ids.redirect,
            20,
        ))),
    )
    .unwrap();
    assert_eq!(check_document(&doc), vec![]);
}

#[test]
fn same_policy_on_same_target_at_same_order_is_refused() {
    let (mut doc, ids) = fixture();
    refused(
        &mut doc,
        Op::Create(Obj::PolicyBinding(PolicyBinding::new(
            Target::Flow(ids.login),
            Subject::Policy(ids.pol_rep),
            0,
        ))),
        &["already bound to this target at this order"],
    );
    // Group and user bindings have no such rule (authentik's key has a NULL policy).
    edit::apply(
        &mut doc,
        &Op::Create(Obj::PolicyBinding(PolicyBinding::new(
            Target::Flow(ids.enroll),
            Subject::Group(ids.g_users),
            10,
        ))),
    )
    .unwrap();
    assert_eq!(check_document(&doc), vec![]);
}

#[test]
fn group_cannot_be_its_own_parent() {
    let (mut doc, ids) = fixture();
    refused(
        &mut doc,
        Op::SetParents {
            group: ids.g_admins,
            parents: vec![ids.g_root, ids.g_admins],
        },
        &["own parent"],
    );
    let mut g = group(&doc, ids.g_root);
    g.parents = vec![ids.g_root];
    refused(&mut doc, Op::Update(Obj::Group(g)), &["own parent"]);
    let mut fresh = Group::new("fresh");
    fresh.parents = vec![fresh.id];
    // On create the group does not exist yet, so the reference dangles as well.
    refused(&mut doc, Op::Create(Obj::Group(fresh)), &["own parent"]);
}

#[test]
fn set_parents_refuses_missing_groups() {
    let (mut doc, ids) = fixture();
    let ghost = Uuid::new_v4();
    refused(
        &mut doc,
        Op::SetParents {
            group: ids.g_admins,
            parents: vec![ghost],
        },
        &["parents", &ghost.to_string(), "does not exist"],
    );
    refused(
        &mut doc,
        Op::SetParents {
            group: ghost,
            parents: vec![],
        },
        &["no group with id"],
    );
}

#[test]
fn update_cannot_change_a_stage_or_policy_type() {
    let (mut doc, ids) = fixture();
    let mut s = stage(&doc, ids.pw);
    s.kind = kind_of("authentik_stages_deny.denystage");
    refused(
        &mut doc,
        Op::Update(Obj::Stage(s)),
        &["type of an existing object cannot be changed"],
    );
    let mut p = doc.policies.get(ids.pol_rep).unwrap().clone();
    p.kind = PolicyKind::Password(PasswordPolicy::default());
    refused(
        &mut doc,
        Op::Update(Obj::Policy(p)),
        &["type of an existing object cannot be changed"],
    );
    // An unknown type cannot stand in for a known one either.
    let mut s = stage(&doc, ids.pw);
    s.kind = StageKind::Other {
        model: "authentik_stages_future.futurestage".into(),
        attrs: Default::default(),
    };
    refused(&mut doc, Op::Update(Obj::Stage(s)), &["cannot be changed"]);
}

#[test]
fn update_and_delete_of_a_missing_id_are_refused() {
    let (mut doc, _) = fixture();
    let ghost = Stage::new("ghost", kind_of("authentik_stages_deny.denystage"));
    let id = ghost.id.to_string();
    refused(
        &mut doc,
        Op::Update(Obj::Stage(ghost.clone())),
        &["no stage with id", &id],
    );
    for &kind in ObjKind::ALL {
        refused(
            &mut doc,
            Op::Delete(kind, ghost.id),
            &[&format!("no {} with id {id}", kind.noun())],
        );
    }
    let u = User::new("ghost");
    refused(&mut doc, Op::Update(Obj::User(u)), &["no user with id"]);
}

#[test]
fn delete_with_the_wrong_kind_is_refused() {
    let (mut doc, ids) = fixture();
    refused(
        &mut doc,
        Op::Delete(ObjKind::Flow, ids.pw),
        &["no flow with id"],
    );
}

#[test]
fn membership_errors_are_refused() {
    let (mut doc, ids) = fixture();
    refused(
        &mut doc,
        Op::AddMember {
            user: ids.alice,
            group: ids.g_admins,
        },
        &["already a direct member"],
    );
    refused(
        &mut doc,
        Op::RemoveMember {
            user: ids.bob,
            group: ids.g_admins,
        },
        &["not a direct member"],
    );
    // Being in a child group does not make bob a direct member of the parent.
    refused(
        &mut doc,
        Op::RemoveMember {
            user: ids.bob,
            group: ids.g_root,
        },
        &["not a direct member"],
    );
    let ghost = Uuid::new_v4();
    refused(
        &mut doc,
        Op::AddMember {
            user: ghost,
            group: ids.g_admins,
        },
        &["no user with id"],
    );
    refused(
        &mut doc,
        Op::AddMember {
            user: ids.bob,
            group: ghost,
        },
        &["no group with id"],
    );
}

#[test]
fn add_member_twice_is_refused_the_second_time() {
    let (mut doc, ids) = fixture();
    let op = Op::AddMember {
        user: ids.bob,
        group: ids.g_admins,
    };
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &op).unwrap();
    assert_eq!(user(&doc, ids.bob).groups, vec![ids.g_users, ids.g_admins]);
    refused(&mut doc, op, &["already a direct member"]);
    undo_restores(&mut doc, &patch, &original);

    let op = Op::RemoveMember {
        user: ids.alice,
        group: ids.g_admins,
    };
    let patch = edit::apply(&mut doc, &op).unwrap();
    assert_eq!(user(&doc, ids.alice).groups, vec![ids.g_users]);
    refused(&mut doc, op, &["not a direct member"]);
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn moving_past_either_end_is_refused() {
    let (mut doc, ids) = fixture();
    refused(
        &mut doc,
        Op::MoveStageBinding {
            id: ids.login_ident,
            up: true,
        },
        &["already first"],
    );
    refused(
        &mut doc,
        Op::MoveStageBinding {
            id: ids.login_user_login,
            up: false,
        },
        &["already last"],
    );
    // A flow with a single binding: both ends at once.
    refused(
        &mut doc,
        Op::MoveStageBinding {
            id: ids.recover_ident,
            up: false,
        },
        &["already last"],
    );
    refused(
        &mut doc,
        Op::MovePolicyBinding {
            id: ids.on_login_validate_expr,
            up: true,
        },
        &["already first"],
    );
    refused(
        &mut doc,
        Op::MovePolicyBinding {
            id: ids.on_login_validate_alice,
            up: false,
        },
        &["already last"],
    );
    let ghost = Uuid::new_v4();
    refused(
        &mut doc,
        Op::MoveStageBinding {
            id: ghost,
            up: true,
        },
        &["no stage binding with id"],
    );
    refused(
        &mut doc,
        Op::MovePolicyBinding {
            id: ghost,
            up: true,
        },
        &["no policy binding with id"],
    );
}

#[test]
fn a_refusal_lists_every_problem() {
    let (mut doc, _) = fixture();
    let mut b = StageBinding::new(Uuid::new_v4(), Uuid::new_v4(), 0);
    b.re_evaluate_policies = false;
    let err = refused(
        &mut doc,
        Op::Create(Obj::StageBinding(b)),
        &["target", "stage", "cannot both be off"],
    );
    assert_eq!(err.problems.len(), 3, "{:?}", err.problems);
    assert!(err.to_string().starts_with("cannot bind"), "{err}");
}

// --- Creates and updates ----------------------------------------------------------------------

#[test]
fn create_appends_and_undo_removes() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let b = StageBinding::new(ids.login, ids.redirect, 50);
    let patch = edit::apply(&mut doc, &Op::Create(Obj::StageBinding(b.clone()))).unwrap();
    assert_eq!(keys(patch.created()), set(&[(ObjKind::StageBinding, b.id)]));
    assert_eq!(patch.removed().count(), 0);
    assert_eq!(doc.stage_bindings.iter().last(), Some(&b));
    assert_eq!(check_document(&doc), vec![]);
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn update_replaces_in_place_and_undo_restores() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let mut s = stage(&doc, ids.ident);
    s.name = "identify".into();
    let StageKind::Identification(settings) = &mut s.kind else {
        unreachable!()
    };
    settings.show_source_labels = true;
    settings.password_stage = None;
    let patch = edit::apply(&mut doc, &Op::Update(Obj::Stage(s.clone()))).unwrap();
    assert_eq!(keys(patch.modified()), set(&[(ObjKind::Stage, ids.ident)]));
    assert_eq!(doc.stages.get(ids.ident), Some(&s));
    assert_eq!(doc.stages.index_of(ids.ident), Some(0));
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn update_to_the_same_value_is_an_empty_patch() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let op = Op::Update(Obj::Stage(stage(&doc, ids.pw)));
    let patch = edit::apply(&mut doc, &op).unwrap();
    assert!(patch.is_empty());
    assert_same(&doc, &original);
}

#[test]
fn update_refuses_a_reference_to_a_missing_object() {
    let (mut doc, ids) = fixture();
    let mut s = stage(&doc, ids.ident);
    let ghost = Uuid::new_v4();
    let StageKind::Identification(settings) = &mut s.kind else {
        unreachable!()
    };
    settings.recovery_flow = Some(ghost);
    refused(
        &mut doc,
        Op::Update(Obj::Stage(s)),
        &["recovery_flow", &ghost.to_string(), "does not exist"],
    );
}

// --- Delete cascades --------------------------------------------------------------------------

#[test]
fn deleting_a_flow_cascades_to_its_bindings_and_clears_flow_refs() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Flow, ids.enroll)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Flow, ids.enroll),
            (ObjKind::StageBinding, ids.enroll_prompt),
            (ObjKind::StageBinding, ids.enroll_write),
            (ObjKind::StageBinding, ids.enroll_user_login),
            (ObjKind::PolicyBinding, ids.on_enroll_expr),
            (ObjKind::PolicyBinding, ids.on_enroll_users),
            (ObjKind::PolicyBinding, ids.on_enroll_prompt_pw),
        ])
    );
    assert_eq!(patch.created().count(), 0);
    assert_eq!(
        keys(patch.modified()),
        set(&[(ObjKind::Stage, ids.ident), (ObjKind::Stage, ids.redirect),])
    );
    let StageKind::Identification(ident) = stage(&doc, ids.ident).kind else {
        unreachable!()
    };
    assert_eq!(ident.enrollment_flow, None);
    assert_eq!(ident.recovery_flow, Some(ids.recover), "other refs stay");
    assert_eq!(ident.password_stage, Some(ids.pw));
    let StageKind::Redirect(redirect) = stage(&doc, ids.redirect).kind else {
        unreachable!()
    };
    assert_eq!(redirect.target_flow, None);
    // The stages themselves stay; so do the other flows' bindings.
    assert!(doc.stages.contains(ids.prompt_stage));
    assert!(doc.stage_bindings.contains(ids.login_ident));
    assert_eq!(doc.stage_bindings.len(), original.stage_bindings.len() - 3);
    assert_eq!(
        doc.policy_bindings.len(),
        original.policy_bindings.len() - 3
    );
    assert_eq!(check_document(&doc), vec![]);
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_a_flow_removes_policy_bindings_on_its_stage_bindings() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Flow, ids.login)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Flow, ids.login),
            (ObjKind::StageBinding, ids.login_ident),
            (ObjKind::StageBinding, ids.login_pw),
            (ObjKind::StageBinding, ids.login_validate),
            (ObjKind::StageBinding, ids.login_user_login),
            (ObjKind::PolicyBinding, ids.on_login_rep),
            (ObjKind::PolicyBinding, ids.on_login_pw_expr),
            (ObjKind::PolicyBinding, ids.on_login_validate_expr),
            (ObjKind::PolicyBinding, ids.on_login_validate_admins),
            (ObjKind::PolicyBinding, ids.on_login_validate_alice),
        ])
    );
    assert_eq!(
        patch.modified().count(),
        0,
        "nothing refers to the login flow"
    );
    assert_eq!(check_document(&doc), vec![]);
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_the_recovery_flow_clears_recovery_flow() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Flow, ids.recover)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Flow, ids.recover),
            (ObjKind::StageBinding, ids.recover_ident),
        ])
    );
    let StageKind::Identification(ident) = stage(&doc, ids.ident).kind else {
        unreachable!()
    };
    assert_eq!(ident.recovery_flow, None);
    assert_eq!(ident.enrollment_flow, Some(ids.enroll));
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_a_stage_cascades_to_bindings_and_clears_stage_refs() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Stage, ids.pw)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Stage, ids.pw),
            (ObjKind::StageBinding, ids.login_pw),
            (ObjKind::PolicyBinding, ids.on_login_pw_expr),
        ])
    );
    assert_eq!(keys(patch.modified()), set(&[(ObjKind::Stage, ids.ident)]));
    let StageKind::Identification(ident) = stage(&doc, ids.ident).kind else {
        unreachable!()
    };
    assert_eq!(ident.password_stage, None);
    assert_eq!(ident.webauthn_stage, Some(ids.validate));
    assert_eq!(check_document(&doc), vec![]);
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_a_configuration_stage_clears_configuration_stages() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Stage, ids.totp)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Stage, ids.totp),
            (ObjKind::StageBinding, ids.totp_setup_totp),
        ])
    );
    assert_eq!(
        keys(patch.modified()),
        set(&[(ObjKind::Stage, ids.validate)])
    );
    let StageKind::AuthenticatorValidate(v) = stage(&doc, ids.validate).kind else {
        unreachable!()
    };
    assert!(v.configuration_stages.is_empty());
    assert!(doc.flows.contains(ids.totp_setup), "the flow stays");
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_a_stage_with_several_bindings_and_policy_bindings() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Stage, ids.validate)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Stage, ids.validate),
            (ObjKind::StageBinding, ids.login_validate),
            (ObjKind::PolicyBinding, ids.on_login_validate_expr),
            (ObjKind::PolicyBinding, ids.on_login_validate_admins),
            (ObjKind::PolicyBinding, ids.on_login_validate_alice),
        ])
    );
    assert_eq!(keys(patch.modified()), set(&[(ObjKind::Stage, ids.ident)]));
    undo_restores(&mut doc, &patch, &original);

    // A stage bound to two flows loses both bindings.
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Stage, ids.ident)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Stage, ids.ident),
            (ObjKind::StageBinding, ids.login_ident),
            (ObjKind::StageBinding, ids.recover_ident),
        ])
    );
    assert_eq!(patch.modified().count(), 0);
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_a_group_cascades_and_clears_memberships_parents_and_user_write() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Group, ids.g_users)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Group, ids.g_users),
            (ObjKind::PolicyBinding, ids.on_enroll_users),
        ])
    );
    assert_eq!(
        keys(patch.modified()),
        set(&[
            (ObjKind::User, ids.alice),
            (ObjKind::User, ids.bob),
            (ObjKind::Group, ids.g_admins),
            (ObjKind::Stage, ids.write),
        ])
    );
    assert_eq!(user(&doc, ids.alice).groups, vec![ids.g_admins]);
    assert_eq!(user(&doc, ids.bob).groups, Vec::<Uuid>::new());
    assert_eq!(group(&doc, ids.g_admins).parents, Vec::<Uuid>::new());
    let StageKind::UserWrite(w) = stage(&doc, ids.write).kind else {
        unreachable!()
    };
    assert_eq!(w.create_users_group, None);
    assert!(doc.groups.contains(ids.g_root), "the parent stays");
    assert_eq!(check_document(&doc), vec![]);
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_a_group_removes_its_bindings() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Group, ids.g_admins)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Group, ids.g_admins),
            (ObjKind::PolicyBinding, ids.on_login_validate_admins),
        ])
    );
    assert_eq!(keys(patch.modified()), set(&[(ObjKind::User, ids.alice)]));
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_a_user_removes_its_bindings() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::User, ids.alice)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::User, ids.alice),
            (ObjKind::PolicyBinding, ids.on_login_validate_alice),
        ])
    );
    assert_eq!(patch.modified().count(), 0);
    assert_eq!(check_document(&doc), vec![]);
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_a_policy_removes_bindings_and_validation_policies() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Policy, ids.pol_pw)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Policy, ids.pol_pw),
            (ObjKind::PolicyBinding, ids.on_enroll_prompt_pw),
        ])
    );
    assert_eq!(
        keys(patch.modified()),
        set(&[(ObjKind::Stage, ids.prompt_stage)])
    );
    let StageKind::Prompt(p) = stage(&doc, ids.prompt_stage).kind else {
        unreachable!()
    };
    assert!(p.validation_policies.is_empty());
    assert_eq!(p.fields, vec![ids.p_user, ids.p_pass]);
    undo_restores(&mut doc, &patch, &original);

    // A policy bound in several places loses every binding.
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Policy, ids.pol_expr)).unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::Policy, ids.pol_expr),
            (ObjKind::PolicyBinding, ids.on_login_pw_expr),
            (ObjKind::PolicyBinding, ids.on_login_validate_expr),
            (ObjKind::PolicyBinding, ids.on_enroll_expr),
        ])
    );
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn deleting_a_prompt_removes_it_from_prompt_stages() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Prompt, ids.p_user)).unwrap();
    assert_eq!(keys(patch.removed()), set(&[(ObjKind::Prompt, ids.p_user)]));
    assert_eq!(
        keys(patch.modified()),
        set(&[(ObjKind::Stage, ids.prompt_stage)])
    );
    let StageKind::Prompt(p) = stage(&doc, ids.prompt_stage).kind else {
        unreachable!()
    };
    assert_eq!(p.fields, vec![ids.p_pass]);
    assert_eq!(p.validation_policies, vec![ids.pol_pw]);
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn unbinding_removes_only_that_binding_and_its_policy_bindings() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(
        &mut doc,
        &Op::Delete(ObjKind::StageBinding, ids.login_validate),
    )
    .unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[
            (ObjKind::StageBinding, ids.login_validate),
            (ObjKind::PolicyBinding, ids.on_login_validate_expr),
            (ObjKind::PolicyBinding, ids.on_login_validate_admins),
            (ObjKind::PolicyBinding, ids.on_login_validate_alice),
        ])
    );
    assert!(doc.stages.contains(ids.validate));
    assert_eq!(patch.modified().count(), 0);
    undo_restores(&mut doc, &patch, &original);

    let patch = edit::apply(
        &mut doc,
        &Op::Delete(ObjKind::PolicyBinding, ids.on_enroll_users),
    )
    .unwrap();
    assert_eq!(
        keys(patch.removed()),
        set(&[(ObjKind::PolicyBinding, ids.on_enroll_users)])
    );
    assert!(doc.groups.contains(ids.g_users));
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn undo_of_a_delete_restores_table_order() {
    // Remove objects from the middle of several tables at once and check they come back where
    // they stood, not at the end.
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let index = |d: &Document| {
        (
            d.stage_bindings.index_of(ids.login_validate),
            d.policy_bindings.index_of(ids.on_login_validate_admins),
            d.stages.index_of(ids.validate),
        )
    };
    let before = index(&doc);
    let patch = edit::apply(&mut doc, &Op::Delete(ObjKind::Stage, ids.validate)).unwrap();
    patch.inverse().apply(&mut doc).unwrap();
    assert_eq!(index(&doc), before);
    assert_same(&doc, &original);
}

#[test]
fn assert_same_notices_a_different_order() {
    // Guards the helper every undo test relies on.
    let (doc, ids) = fixture();
    let mut reordered = doc.clone();
    let (_, b) = reordered.stage_bindings.remove(ids.login_ident).unwrap();
    reordered.stage_bindings.put(b);
    let result = std::panic::catch_unwind(|| assert_same(&reordered, &doc));
    assert!(result.is_err(), "a reordered table must not compare equal");
}

// --- Moves ------------------------------------------------------------------------------------

#[test]
fn move_swaps_distinct_orders() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(
        &mut doc,
        &Op::MoveStageBinding {
            id: ids.login_validate,
            up: true,
        },
    )
    .unwrap();
    assert_eq!(
        order_of(&doc, ids.login),
        vec![
            (ids.ident, 10),
            (ids.validate, 20),
            (ids.pw, 30),
            (ids.user_login, 40)
        ]
    );
    assert_eq!(
        keys(patch.modified()),
        set(&[
            (ObjKind::StageBinding, ids.login_validate),
            (ObjKind::StageBinding, ids.login_pw),
        ])
    );
    // Other flows untouched.
    for flow in [ids.enroll, ids.recover, ids.totp_setup] {
        assert_eq!(order_of(&doc, flow), order_of(&original, flow));
    }
    // Down again is the same pair swapped back.
    let back = edit::apply(
        &mut doc,
        &Op::MoveStageBinding {
            id: ids.login_validate,
            up: false,
        },
    )
    .unwrap();
    assert_same(&doc, &original);
    back.inverse().apply(&mut doc).unwrap();
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn move_swaps_uneven_orders_without_renumbering() {
    let (mut doc, ids) = fixture();
    let mut b = binding(&doc, ids.login_user_login);
    b.order = 1000;
    edit::apply(&mut doc, &Op::Update(Obj::StageBinding(b))).unwrap();
    edit::apply(
        &mut doc,
        &Op::MoveStageBinding {
            id: ids.login_user_login,
            up: true,
        },
    )
    .unwrap();
    assert_eq!(
        order_of(&doc, ids.login),
        vec![
            (ids.ident, 10),
            (ids.pw, 20),
            (ids.user_login, 30),
            (ids.validate, 1000)
        ]
    );
}

#[test]
fn move_renumbers_when_orders_tie() {
    let (mut doc, ids) = fixture();
    for id in [
        ids.login_ident,
        ids.login_pw,
        ids.login_validate,
        ids.login_user_login,
    ] {
        let mut b = binding(&doc, id);
        b.order = 0;
        edit::apply(&mut doc, &Op::Update(Obj::StageBinding(b))).unwrap();
    }
    let tied = doc.clone();
    // Ties are broken by creation order.
    assert_eq!(
        order_of(&doc, ids.login),
        vec![
            (ids.ident, 0),
            (ids.pw, 0),
            (ids.validate, 0),
            (ids.user_login, 0)
        ]
    );
    let patch = edit::apply(
        &mut doc,
        &Op::MoveStageBinding {
            id: ids.login_validate,
            up: true,
        },
    )
    .unwrap();
    assert_eq!(
        order_of(&doc, ids.login),
        vec![
            (ids.ident, 10),
            (ids.validate, 20),
            (ids.pw, 30),
            (ids.user_login, 40)
        ]
    );
    assert_eq!(patch.modified().count(), 4);
    for flow in [ids.enroll, ids.recover, ids.totp_setup] {
        assert_eq!(order_of(&doc, flow), order_of(&tied, flow));
    }
    assert_eq!(check_document(&doc), vec![]);
    undo_restores(&mut doc, &patch, &tied);
}

#[test]
fn move_renumbers_only_what_changes() {
    // Orders 10, 20, 20, 40: moving the second 20 up gives 10, 20, 30, 40 with the two tied
    // bindings exchanged; 10 and 40 keep their numbers.
    let (mut doc, ids) = fixture();
    let mut b = binding(&doc, ids.login_validate);
    b.order = 20;
    edit::apply(&mut doc, &Op::Update(Obj::StageBinding(b))).unwrap();
    let tied = doc.clone();
    let patch = edit::apply(
        &mut doc,
        &Op::MoveStageBinding {
            id: ids.login_validate,
            up: true,
        },
    )
    .unwrap();
    assert_eq!(
        order_of(&doc, ids.login),
        vec![
            (ids.ident, 10),
            (ids.validate, 20),
            (ids.pw, 30),
            (ids.user_login, 40)
        ]
    );
    assert_eq!(
        keys(patch.modified()),
        set(&[(ObjKind::StageBinding, ids.login_pw)])
    );
    undo_restores(&mut doc, &patch, &tied);
}

#[test]
fn move_never_binds_the_same_stage_twice_at_one_order() {
    // The same stage bound twice to one flow. Orders: password@10 (first), mfa@20, password@20.
    // Moving the first password binding down must not give it order 20 next to the other
    // password binding at 20: authentik's (target, stage, order) is unique.
    let (mut doc, ids) = fixture();
    let mut first = binding(&doc, ids.login_ident);
    first.stage = ids.pw;
    first.order = 10;
    let mut second = binding(&doc, ids.login_pw);
    second.stage = ids.validate;
    second.order = 20;
    let mut third = binding(&doc, ids.login_validate);
    third.stage = ids.pw;
    third.order = 20;
    for b in [second, first, third] {
        edit::apply(&mut doc, &Op::Update(Obj::StageBinding(b))).unwrap();
    }
    assert_eq!(check_document(&doc), vec![]);
    let before = doc.clone();
    let patch = edit::apply(
        &mut doc,
        &Op::MoveStageBinding {
            id: ids.login_ident,
            up: false,
        },
    )
    .unwrap();
    assert_eq!(check_document(&doc), vec![]);
    let stages: Vec<Uuid> = doc
        .bindings_of_flow(ids.login)
        .iter()
        .map(|b| b.stage)
        .collect();
    assert_eq!(stages, vec![ids.validate, ids.pw, ids.pw, ids.user_login]);
    assert_eq!(
        doc.bindings_of_flow(ids.login)[1].id,
        ids.login_ident,
        "the moved binding is now second"
    );
    undo_restores(&mut doc, &patch, &before);
}

#[test]
fn move_never_binds_the_same_policy_twice_at_one_order() {
    // The policy-binding twin of the test above: (policy, target, order) is unique.
    let (mut doc, ids) = fixture();
    let target = Target::StageBinding(ids.login_validate);
    // on_login_validate_expr: expr@0, admins@10, alice@20. Add expr@10 after them.
    let extra = PolicyBinding::new(target, Subject::Policy(ids.pol_expr), 10);
    edit::apply(&mut doc, &Op::Create(Obj::PolicyBinding(extra.clone()))).unwrap();
    let mut first = pbinding(&doc, ids.on_login_validate_expr);
    first.order = 5;
    edit::apply(&mut doc, &Op::Update(Obj::PolicyBinding(first))).unwrap();
    // Now: expr@5, admins@10, expr@10 (created later), alice@20.
    let before = doc.clone();
    let patch = edit::apply(
        &mut doc,
        &Op::MovePolicyBinding {
            id: ids.on_login_validate_expr,
            up: false,
        },
    )
    .unwrap();
    assert_eq!(check_document(&doc), vec![]);
    let order: Vec<Uuid> = doc
        .policy_bindings_of(ids.login_validate)
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(
        order,
        vec![
            ids.on_login_validate_admins,
            ids.on_login_validate_expr,
            extra.id,
            ids.on_login_validate_alice
        ]
    );
    undo_restores(&mut doc, &patch, &before);
}

#[test]
fn move_policy_binding_swaps_within_its_target_only() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(
        &mut doc,
        &Op::MovePolicyBinding {
            id: ids.on_login_validate_alice,
            up: true,
        },
    )
    .unwrap();
    assert_eq!(pbinding(&doc, ids.on_login_validate_alice).order, 10);
    assert_eq!(pbinding(&doc, ids.on_login_validate_admins).order, 20);
    assert_eq!(patch.changes.len(), 2);
    for id in [ids.on_login_rep, ids.on_enroll_expr, ids.on_enroll_users] {
        assert_eq!(pbinding(&doc, id), pbinding(&original, id));
    }
    undo_restores(&mut doc, &patch, &original);
}

// --- Groups -----------------------------------------------------------------------------------

#[test]
fn set_parents_dedups_and_undoes() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let patch = edit::apply(
        &mut doc,
        &Op::SetParents {
            group: ids.g_admins,
            parents: vec![ids.g_root, ids.g_users, ids.g_root],
        },
    )
    .unwrap();
    assert_eq!(
        group(&doc, ids.g_admins).parents,
        vec![ids.g_root, ids.g_users]
    );
    assert_eq!(
        keys(patch.modified()),
        set(&[(ObjKind::Group, ids.g_admins)])
    );
    undo_restores(&mut doc, &patch, &original);
    let same = edit::apply(
        &mut doc,
        &Op::SetParents {
            group: ids.g_admins,
            parents: vec![ids.g_users],
        },
    )
    .unwrap();
    assert!(same.is_empty());
}

// --- History and conflicts --------------------------------------------------------------------

#[test]
fn history_undo_redo_sequence() {
    let (mut doc, ids) = fixture();
    let mut history = History::default();
    assert!(!history.can_undo());
    assert!(!history.can_redo());
    assert_eq!(history.undo(&mut doc).unwrap(), None);
    assert_eq!(history.redo(&mut doc).unwrap(), None);

    let s0 = doc.clone();
    let p1 = edit::apply(&mut doc, &Op::Delete(ObjKind::Flow, ids.enroll)).unwrap();
    history.record(p1.clone());
    let s1 = doc.clone();
    let p2 = edit::apply(
        &mut doc,
        &Op::AddMember {
            user: ids.bob,
            group: ids.g_admins,
        },
    )
    .unwrap();
    history.record(p2.clone());
    let s2 = doc.clone();
    // An empty patch is not recorded.
    let op = Op::Update(Obj::User(user(&doc, ids.bob)));
    let empty = edit::apply(&mut doc, &op).unwrap();
    assert!(empty.is_empty());
    history.record(empty);
    let p3 = edit::apply(
        &mut doc,
        &Op::MoveStageBinding {
            id: ids.login_pw,
            up: true,
        },
    )
    .unwrap();
    history.record(p3.clone());
    let s3 = doc.clone();
    assert!(history.can_undo() && !history.can_redo());

    let undone = history.undo(&mut doc).unwrap().unwrap();
    assert_eq!(undone, p3.inverse());
    assert_same(&doc, &s2);
    history.undo(&mut doc).unwrap().unwrap();
    assert_same(&doc, &s1);
    assert!(history.can_redo());
    let redone = history.redo(&mut doc).unwrap().unwrap();
    assert_eq!(redone, p2);
    assert_same(&doc, &s2);
    history.redo(&mut doc).unwrap().unwrap();
    assert_same(&doc, &s3);
    assert!(!history.can_redo());
    assert_eq!(history.redo(&mut doc).unwrap(), None);

    for _ in 0..3 {
        history.undo(&mut doc).unwrap().unwrap();
    }
    assert_same(&doc, &s0);
    assert!(!history.can_undo());
    assert_eq!(history.undo(&mut doc).unwrap(), None);

    // Redo one, then a new edit forgets the rest.
    history.redo(&mut doc).unwrap().unwrap();
    assert_same(&doc, &s1);
    let p4 = edit::apply(&mut doc, &Op::Delete(ObjKind::User, ids.alice)).unwrap();
    history.record(p4);
    assert!(!history.can_redo());
    history.undo(&mut doc).unwrap().unwrap();
    assert_same(&doc, &s1);
    history.undo(&mut doc).unwrap().unwrap();
    assert_same(&doc, &s0);
}

#[test]
fn undo_after_someone_else_changed_the_object_is_a_conflict() {
    let (mut doc, ids) = fixture();
    let mut history = History::default();
    let mut s = stage(&doc, ids.pw);
    s.name = "pass".into();
    history.record(edit::apply(&mut doc, &Op::Update(Obj::Stage(s))).unwrap());
    // Someone else edits the same stage.
    let mut s = stage(&doc, ids.pw);
    s.name = "passphrase".into();
    edit::apply(&mut doc, &Op::Update(Obj::Stage(s))).unwrap();
    let before = doc.clone();
    let conflict = history.undo(&mut doc).unwrap_err();
    assert!(
        conflict.detail.contains("changed by someone else"),
        "{conflict}"
    );
    assert_same(&doc, &before);
    assert!(history.can_undo(), "the edit stays undoable");
    assert!(!history.can_redo());
}

#[test]
fn patch_on_a_changed_document_is_a_conflict_and_changes_nothing() {
    let (base, ids) = fixture();
    // A delete with a cascade, planned against `base`.
    let patch = Op::Delete(ObjKind::Group, ids.g_users).plan(&base).unwrap();
    assert!(patch.changes.len() > 2);

    // One of the objects it touches (a user it would modify) changed meanwhile.
    let mut doc = base.clone();
    edit::apply(
        &mut doc,
        &Op::AddMember {
            user: ids.bob,
            group: ids.g_root,
        },
    )
    .unwrap();
    let before = doc.clone();
    let conflict = patch.apply(&mut doc).unwrap_err();
    assert!(
        conflict.detail.contains("changed by someone else"),
        "{conflict}"
    );
    assert!(conflict.detail.contains("bob"), "{conflict}");
    assert_same(&doc, &before);

    // One of the objects it deletes is already gone.
    let mut doc = base.clone();
    edit::apply(
        &mut doc,
        &Op::Delete(ObjKind::PolicyBinding, ids.on_enroll_users),
    )
    .unwrap();
    let before = doc.clone();
    let conflict = patch.apply(&mut doc).unwrap_err();
    assert!(
        conflict.detail.contains("deleted by someone else"),
        "{conflict}"
    );
    assert_same(&doc, &before);

    // A create whose object already exists.
    let mut doc = base.clone();
    let g = Group::new("new");
    let create = Op::Create(Obj::Group(g.clone())).plan(&doc).unwrap();
    create.apply(&mut doc).unwrap();
    let before = doc.clone();
    let conflict = create.apply(&mut doc).unwrap_err();
    assert!(conflict.detail.contains("already exists"), "{conflict}");
    assert_same(&doc, &before);

    // Unchanged, it applies cleanly.
    let mut doc = base.clone();
    patch.apply(&mut doc).unwrap();
    let mut expected = base.clone();
    edit::apply(&mut expected, &Op::Delete(ObjKind::Group, ids.g_users)).unwrap();
    assert_same(&doc, &expected);
}

#[test]
fn redo_after_a_conflicting_change_changes_nothing() {
    let (mut doc, ids) = fixture();
    let mut history = History::default();
    history.record(edit::apply(&mut doc, &Op::Delete(ObjKind::Stage, ids.pw)).unwrap());
    history.undo(&mut doc).unwrap().unwrap();
    // Meanwhile the identification stage (which the delete clears) is edited.
    let mut s = stage(&doc, ids.ident);
    s.name = "ident-2".into();
    edit::apply(&mut doc, &Op::Update(Obj::Stage(s))).unwrap();
    let before = doc.clone();
    assert!(history.redo(&mut doc).is_err());
    assert_same(&doc, &before);
    assert!(history.can_redo());
}

// --- apply_all --------------------------------------------------------------------------------

#[test]
fn apply_all_is_one_step() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let stage = Stage::new("deny", kind_of("authentik_stages_deny.denystage"));
    let b = StageBinding::new(ids.login, stage.id, 5);
    let ops = [
        Op::Create(Obj::Stage(stage.clone())),
        Op::Create(Obj::StageBinding(b.clone())),
        Op::Delete(ObjKind::Stage, ids.pw),
        Op::MoveStageBinding {
            id: b.id,
            up: false,
        },
    ];
    let patch = edit::apply_all(&mut doc, "add a deny stage", &ops).unwrap();
    assert_eq!(patch.label, "add a deny stage");
    assert_eq!(
        keys(patch.created()),
        set(&[(ObjKind::Stage, stage.id), (ObjKind::StageBinding, b.id)])
    );
    assert_eq!(check_document(&doc), vec![]);
    assert_eq!(
        order_of(&doc, ids.login),
        vec![
            (ids.ident, 5),
            (stage.id, 10),
            (ids.validate, 30),
            (ids.user_login, 40)
        ]
    );
    undo_restores(&mut doc, &patch, &original);
}

#[test]
fn apply_all_with_a_failing_op_in_the_middle_changes_nothing() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let stage = Stage::new("deny", kind_of("authentik_stages_deny.denystage"));
    let ops = [
        Op::Create(Obj::Stage(stage.clone())),
        Op::Delete(ObjKind::Flow, ids.enroll),
        Op::MoveStageBinding {
            id: ids.login_pw,
            up: true,
        },
        Op::AddMember {
            user: ids.alice,
            group: ids.g_admins,
        },
        Op::Delete(ObjKind::Stage, ids.ident),
    ];
    let err = edit::apply_all(&mut doc, "batch", &ops).unwrap_err();
    assert!(err.to_string().contains("already a direct member"), "{err}");
    assert_same(&doc, &original);

    // An op that only fails because of an earlier one in the batch.
    let ops = [
        Op::Delete(ObjKind::Stage, ids.pw),
        Op::MoveStageBinding {
            id: ids.login_pw,
            up: true,
        },
    ];
    let err = edit::apply_all(&mut doc, "batch", &ops).unwrap_err();
    assert!(
        err.to_string().contains("no stage binding with id"),
        "{err}"
    );
    assert_same(&doc, &original);
}

#[test]
fn apply_all_merges_changes_to_one_object() {
    let (mut doc, ids) = fixture();
    let original = doc.clone();
    let ops = [
        Op::AddMember {
            user: ids.bob,
            group: ids.g_admins,
        },
        Op::AddMember {
            user: ids.bob,
            group: ids.g_root,
        },
        Op::RemoveMember {
            user: ids.bob,
            group: ids.g_users,
        },
    ];
    let patch = edit::apply_all(&mut doc, "regroup bob", &ops).unwrap();
    assert_eq!(patch.changes.len(), 1);
    assert_eq!(user(&doc, ids.bob).groups, vec![ids.g_admins, ids.g_root]);
    undo_restores(&mut doc, &patch, &original);
    // Changes that cancel out leave an empty patch.
    let ops = [
        Op::AddMember {
            user: ids.bob,
            group: ids.g_admins,
        },
        Op::RemoveMember {
            user: ids.bob,
            group: ids.g_admins,
        },
    ];
    let patch = edit::apply_all(&mut doc, "noop", &ops).unwrap();
    assert!(patch.is_empty());
    assert_same(&doc, &original);
}

// --- Property: undo restores the starting document --------------------------------------------

mod undo_property {
    use super::*;
    use bindery::model::{DeniedAction, EngineMode, InvalidResponseAction};
    use proptest::prelude::*;

    /// Deterministic ids, so a failing case replays exactly.
    fn id(tag: u8, n: u64) -> Uuid {
        Uuid::from_u128(((tag as u128) << 64) | n as u128)
    }

    const STAGE_MODELS: &[&str] = &[
        "authentik_stages_identification.identificationstage",
        "authentik_stages_password.passwordstage",
        "authentik_stages_authenticator_validate.authenticatorvalidatestage",
        "authentik_stages_prompt.promptstage",
        "authentik_stages_user_write.userwritestage",
        "authentik_stages_redirect.redirectstage",
        "authentik_stages_deny.denystage",
        "authentik_stages_user_login.userloginstage",
    ];

    /// The numbers a starting document is built from.
    #[derive(Clone, Debug)]
    struct DocSeed {
        flows: usize,
        stages: Vec<(usize, [u64; 4])>,
        prompts: usize,
        bindings: Vec<(u64, u64, i64)>,
        policies: usize,
        policy_bindings: Vec<(u64, u8, u64, i64)>,
        groups: Vec<Vec<u64>>,
        users: Vec<Vec<u64>>,
    }

    fn doc_seed() -> impl Strategy<Value = DocSeed> {
        (
            1usize..4,
            prop::collection::vec((0..STAGE_MODELS.len(), any::<[u64; 4]>()), 1..7),
            0usize..4,
            prop::collection::vec((any::<u64>(), any::<u64>(), 0i64..4), 0..12),
            0usize..4,
            prop::collection::vec((any::<u64>(), 0u8..3, any::<u64>(), 0i64..3), 0..10),
            prop::collection::vec(prop::collection::vec(any::<u64>(), 0..3), 0..4),
            prop::collection::vec(prop::collection::vec(any::<u64>(), 0..3), 0..4),
        )
            .prop_map(
                |(flows, stages, prompts, bindings, policies, policy_bindings, groups, users)| {
                    DocSeed {
                        flows,
                        stages,
                        prompts,
                        bindings,
                        policies,
                        policy_bindings,
                        groups,
                        users,
                    }
                },
            )
    }

    fn pick<T: Copy>(items: &[T], n: u64) -> Option<T> {
        (!items.is_empty()).then(|| items[(n % items.len() as u64) as usize])
    }

    fn maybe<T: Copy>(items: &[T], n: u64) -> Option<T> {
        // One time in three: nothing.
        if n.is_multiple_of(3) {
            None
        } else {
            pick(items, n / 3)
        }
    }

    fn some_of<T: Copy + PartialEq>(items: &[T], n: u64) -> Vec<T> {
        let mut out = Vec::new();
        for (i, x) in items.iter().enumerate() {
            if n >> (i % 64) & 1 == 1 && !out.contains(x) {
                out.push(*x);
            }
        }
        out
    }

    /// A stage of `model` whose references point at objects already in `doc`.
    fn stage_of(doc: &Document, model: &str, name: String, sid: Uuid, r: [u64; 4]) -> Stage {
        let flows: Vec<Uuid> = doc.flows.iter().map(|f| f.id).collect();
        let stages: Vec<Uuid> = doc.stages.iter().map(|s| s.id).collect();
        let prompts: Vec<Uuid> = doc.prompts.iter().map(|p| p.id).collect();
        let policies: Vec<Uuid> = doc.policies.iter().map(|p| p.id).collect();
        let groups: Vec<Uuid> = doc.groups.iter().map(|g| g.id).collect();
        let mut kind = kind_of(model);
        match &mut kind {
            StageKind::Identification(s) => {
                s.password_stage = maybe(&stages, r[0]);
                s.webauthn_stage = maybe(&stages, r[0] >> 8);
                s.enrollment_flow = maybe(&flows, r[1]);
                s.recovery_flow = maybe(&flows, r[2]);
                s.passwordless_flow = maybe(&flows, r[3]);
            }
            StageKind::Password(s) => s.configure_flow = maybe(&flows, r[0]),
            StageKind::AuthenticatorValidate(s) => s.configuration_stages = some_of(&stages, r[0]),
            StageKind::Prompt(s) => {
                s.fields = some_of(&prompts, r[0]);
                s.validation_policies = some_of(&policies, r[1]);
            }
            StageKind::UserWrite(s) => s.create_users_group = maybe(&groups, r[0]),
            StageKind::Redirect(s) => s.target_flow = maybe(&flows, r[0]),
            _ => {}
        }
        Stage {
            id: sid,
            name,
            kind,
        }
    }

    /// A valid document built from the seed; objects that would clash are left out.
    fn build(seed: &DocSeed) -> Document {
        let mut doc = Document::default();
        for i in 0..seed.flows {
            let mut f = Flow::new(
                &format!("flow-{i}"),
                &format!("Flow {i}"),
                Designation::Authentication,
            );
            f.id = id(1, i as u64);
            doc.flows.put(f);
        }
        for i in 0..seed.prompts {
            let mut p = Prompt::new(&format!("prompt-{i}"), &format!("field_{i}"));
            p.id = id(3, i as u64);
            doc.prompts.put(p);
        }
        for i in 0..seed.policies {
            let mut p = Policy::new(
                &format!("policy-{i}"),
                PolicyKind::Reputation(ReputationPolicy::default()),
            );
            p.id = id(5, i as u64);
            doc.policies.put(p);
        }
        for (i, parents) in seed.groups.iter().enumerate() {
            let earlier: Vec<Uuid> = doc.groups.iter().map(|g| g.id).collect();
            let mut g = Group::new(&format!("group-{i}"));
            g.id = id(8, i as u64);
            for n in parents {
                if let Some(p) = pick(&earlier, *n)
                    && !g.parents.contains(&p)
                {
                    g.parents.push(p);
                }
            }
            doc.groups.put(g);
        }
        for (i, groups) in seed.users.iter().enumerate() {
            let all: Vec<Uuid> = doc.groups.iter().map(|g| g.id).collect();
            let mut u = User::new(&format!("user-{i}"));
            u.id = id(7, i as u64);
            for n in groups {
                if let Some(g) = pick(&all, *n)
                    && !u.groups.contains(&g)
                {
                    u.groups.push(g);
                }
            }
            doc.users.put(u);
        }
        for (i, (model, r)) in seed.stages.iter().enumerate() {
            let s = stage_of(
                &doc,
                STAGE_MODELS[*model],
                format!("stage-{i}"),
                id(2, i as u64),
                *r,
            );
            doc.stages.put(s);
        }
        let flows: Vec<Uuid> = doc.flows.iter().map(|f| f.id).collect();
        let stages: Vec<Uuid> = doc.stages.iter().map(|s| s.id).collect();
        for (i, (f, s, order)) in seed.bindings.iter().enumerate() {
            let (Some(f), Some(s)) = (pick(&flows, *f), pick(&stages, *s)) else {
                continue;
            };
            // Small orders so that ties, and the same stage twice in a flow, are common.
            let order = order * 10;
            if doc
                .stage_bindings
                .iter()
                .any(|b| (b.target, b.stage, b.order) == (f, s, order))
            {
                continue;
            }
            let mut b = StageBinding::new(f, s, order);
            b.id = id(4, i as u64);
            doc.stage_bindings.put(b);
        }
        let bindings: Vec<Uuid> = doc.stage_bindings.iter().map(|b| b.id).collect();
        let policies: Vec<Uuid> = doc.policies.iter().map(|p| p.id).collect();
        let groups: Vec<Uuid> = doc.groups.iter().map(|g| g.id).collect();
        let users: Vec<Uuid> = doc.users.iter().map(|u| u.id).collect();
        for (i, (t, which, s, order)) in seed.policy_bindings.iter().enumerate() {
            let mut targets: Vec<Target> = flows.iter().map(|f| Target::Flow(*f)).collect();
            targets.extend(bindings.iter().map(|b| Target::StageBinding(*b)));
            let Some(target) = pick(&targets, *t) else {
                continue;
            };
            let subject = match which {
                0 => pick(&policies, *s).map(Subject::Policy),
                1 => pick(&groups, *s).map(Subject::Group),
                _ => pick(&users, *s).map(Subject::User),
            };
            let Some(subject) = subject else { continue };
            let order = order * 10;
            let clash = doc.policy_bindings.iter().any(|b| {
                matches!(subject, Subject::Policy(_))
                    && (b.target, b.subject, b.order) == (target, subject, order)
            });
            if clash {
                continue;
            }
            let mut b = PolicyBinding::new(target, subject, order);
            b.id = id(6, i as u64);
            doc.policy_bindings.put(b);
        }
        doc
    }

    /// An operation in the abstract: which variant, and numbers to pick its ids and values
    /// from the document it will apply to.
    #[derive(Clone, Debug)]
    struct OpSeed {
        variant: u8,
        n: [u64; 6],
        flag: bool,
    }

    fn op_seed() -> impl Strategy<Value = OpSeed> {
        (0u8..22, any::<[u64; 6]>(), any::<bool>()).prop_map(|(variant, n, flag)| OpSeed {
            variant,
            n,
            flag,
        })
    }

    fn ids_of(doc: &Document, kind: ObjKind) -> Vec<Uuid> {
        let mut out = Vec::new();
        doc.for_each(|k, _, x| {
            if k == kind {
                out.push(x.view_id());
            }
        });
        out
    }

    /// An id of `kind` from `doc`, or, one time in eight, an id that does not exist.
    fn any_id(doc: &Document, kind: ObjKind, n: u64) -> Uuid {
        let ids = ids_of(doc, kind);
        if n.is_multiple_of(8) || ids.is_empty() {
            id(0xEE, n)
        } else {
            ids[((n / 8) % ids.len() as u64) as usize]
        }
    }

    /// A name: usually fresh, sometimes one already taken, sometimes empty.
    fn name(doc: &Document, kind: ObjKind, n: u64, step: usize) -> String {
        match n % 10 {
            0 => String::new(),
            1 | 2 => {
                let ids = ids_of(doc, kind);
                match pick(&ids, n / 10) {
                    Some(id) => doc.label_of(kind, id),
                    None => format!("fresh-{step}"),
                }
            }
            3 => "has space".into(),
            _ => format!("new-{step}-{}", n % 1000),
        }
    }

    /// Builds a concrete operation from a seed against the current document. Many are invalid
    /// on purpose: missing ids, taken names, bad slugs, duplicate bindings.
    fn make_op(doc: &Document, seed: &OpSeed, step: usize) -> Op {
        let n = seed.n;
        let fresh = id(0xC0, step as u64);
        match seed.variant {
            0 => {
                let slug = name(doc, ObjKind::Flow, n[0], step);
                let mut f = Flow::new(&slug, "A flow", Designation::Enrollment);
                f.id = fresh;
                Op::Create(Obj::Flow(f))
            }
            1 => {
                let model = STAGE_MODELS[(n[1] % STAGE_MODELS.len() as u64) as usize];
                let mut s = stage_of(
                    doc,
                    model,
                    name(doc, ObjKind::Stage, n[0], step),
                    fresh,
                    [n[2], n[3], n[4], n[5]],
                );
                if seed.flag && n[5].is_multiple_of(4) {
                    // A dangling reference.
                    if let StageKind::Identification(i) = &mut s.kind {
                        i.password_stage = Some(id(0xEE, n[5]));
                    }
                }
                Op::Create(Obj::Stage(s))
            }
            2 => {
                let mut p = Prompt::new(&name(doc, ObjKind::Prompt, n[0], step), "key");
                p.id = fresh;
                Op::Create(Obj::Prompt(p))
            }
            3 => {
                let mut b = StageBinding::new(
                    any_id(doc, ObjKind::Flow, n[0]),
                    any_id(doc, ObjKind::Stage, n[1]),
                    (n[2] % 5) as i64 * 10,
                );
                b.id = fresh;
                b.evaluate_on_plan = seed.flag;
                b.re_evaluate_policies = !n[3].is_multiple_of(5);
                Op::Create(Obj::StageBinding(b))
            }
            4 => {
                let p = Policy {
                    id: fresh,
                    name: name(doc, ObjKind::Policy, n[0], step),
                    execution_logging: seed.flag,
                    kind: PolicyKind::Expression(ExpressionPolicy {
                        expression: "return False".into(),
                    }),
                };
                Op::Create(Obj::Policy(p))
            }
            5 => {
                let target = if seed.flag {
                    Target::Flow(any_id(doc, ObjKind::Flow, n[0]))
                } else {
                    Target::StageBinding(any_id(doc, ObjKind::StageBinding, n[0]))
                };
                let subject = match n[1] % 3 {
                    0 => Subject::Policy(any_id(doc, ObjKind::Policy, n[2])),
                    1 => Subject::Group(any_id(doc, ObjKind::Group, n[2])),
                    _ => Subject::User(any_id(doc, ObjKind::User, n[2])),
                };
                let mut b = PolicyBinding::new(target, subject, (n[3] % 4) as i64 * 10);
                b.id = fresh;
                b.negate = n[4].is_multiple_of(2);
                Op::Create(Obj::PolicyBinding(b))
            }
            6 => {
                let mut u = User::new(&name(doc, ObjKind::User, n[0], step));
                u.id = fresh;
                u.groups = some_of(&ids_of(doc, ObjKind::Group), n[1]);
                Op::Create(Obj::User(u))
            }
            7 => {
                let mut g = Group::new(&name(doc, ObjKind::Group, n[0], step));
                g.id = fresh;
                g.parents = some_of(&ids_of(doc, ObjKind::Group), n[1]);
                Op::Create(Obj::Group(g))
            }
            8 => {
                // Update a flow: rename, re-slug, change settings.
                let fid = any_id(doc, ObjKind::Flow, n[0]);
                let mut f = doc
                    .flows
                    .get(fid)
                    .cloned()
                    .unwrap_or_else(|| Flow::new("ghost", "Ghost", Designation::Recovery));
                f.id = fid;
                match n[1] % 4 {
                    0 => f.slug = name(doc, ObjKind::Flow, n[2], step),
                    1 => f.title = format!("Title {}", n[2] % 7),
                    2 => f.denied_action = DeniedAction::Continue,
                    _ => f.policy_engine_mode = EngineMode::All,
                }
                Op::Update(Obj::Flow(f))
            }
            9 => {
                // Update a stage: rename or rewire its references, sometimes change its type.
                let sid = any_id(doc, ObjKind::Stage, n[0]);
                let current = doc.stages.get(sid).cloned();
                let model = match (&current, n[1] % 6) {
                    (Some(s), 1..) => s.kind.model().to_string(),
                    _ => STAGE_MODELS[(n[2] % STAGE_MODELS.len() as u64) as usize].to_string(),
                };
                let name = if n[3].is_multiple_of(2) {
                    current.as_ref().map(|s| s.name.clone()).unwrap_or_default()
                } else {
                    name(doc, ObjKind::Stage, n[3], step)
                };
                Op::Update(Obj::Stage(stage_of(
                    doc,
                    &model,
                    name,
                    sid,
                    [n[4], n[5], n[2], n[1]],
                )))
            }
            10 => {
                // Update a stage binding: order, flags, or move it to another flow/stage.
                let bid = any_id(doc, ObjKind::StageBinding, n[0]);
                let mut b = doc
                    .stage_bindings
                    .get(bid)
                    .cloned()
                    .unwrap_or_else(|| StageBinding::new(id(0xEE, 1), id(0xEE, 2), 0));
                b.id = bid;
                match n[1] % 5 {
                    0 => b.order = (n[2] % 6) as i64 * 10,
                    1 => b.target = any_id(doc, ObjKind::Flow, n[2]),
                    2 => b.stage = any_id(doc, ObjKind::Stage, n[2]),
                    3 => {
                        b.evaluate_on_plan = seed.flag;
                        b.re_evaluate_policies = n[2].is_multiple_of(2);
                    }
                    _ => b.invalid_response_action = InvalidResponseAction::RestartWithContext,
                }
                Op::Update(Obj::StageBinding(b))
            }
            11 => {
                let bid = any_id(doc, ObjKind::PolicyBinding, n[0]);
                let mut b = doc.policy_bindings.get(bid).cloned().unwrap_or_else(|| {
                    PolicyBinding::new(Target::Flow(id(0xEE, 1)), Subject::User(id(0xEE, 2)), 0)
                });
                b.id = bid;
                match n[1] % 4 {
                    0 => b.order = (n[2] % 5) as i64 * 10,
                    1 => b.enabled = !b.enabled,
                    2 => b.subject = Subject::Policy(any_id(doc, ObjKind::Policy, n[2])),
                    _ => b.target = Target::Flow(any_id(doc, ObjKind::Flow, n[2])),
                }
                Op::Update(Obj::PolicyBinding(b))
            }
            12 => {
                let uid = any_id(doc, ObjKind::User, n[0]);
                let mut u = doc
                    .users
                    .get(uid)
                    .cloned()
                    .unwrap_or_else(|| User::new("ghost"));
                u.id = uid;
                if n[1].is_multiple_of(2) {
                    u.username = name(doc, ObjKind::User, n[2], step);
                } else {
                    u.is_active = !u.is_active;
                }
                Op::Update(Obj::User(u))
            }
            13 => {
                let gid = any_id(doc, ObjKind::Group, n[0]);
                let mut g = doc
                    .groups
                    .get(gid)
                    .cloned()
                    .unwrap_or_else(|| Group::new("ghost"));
                g.id = gid;
                match n[1] % 3 {
                    0 => g.name = name(doc, ObjKind::Group, n[2], step),
                    1 => g.is_superuser = !g.is_superuser,
                    _ => g.parents = some_of(&ids_of(doc, ObjKind::Group), n[2]),
                }
                Op::Update(Obj::Group(g))
            }
            14 => {
                let pid = any_id(doc, ObjKind::Policy, n[0]);
                let mut p = doc.policies.get(pid).cloned().unwrap_or_else(|| {
                    Policy::new("ghost", PolicyKind::Reputation(ReputationPolicy::default()))
                });
                p.id = pid;
                match n[1] % 3 {
                    0 => p.name = name(doc, ObjKind::Policy, n[2], step),
                    1 => p.execution_logging = !p.execution_logging,
                    _ => p.kind = PolicyKind::Password(PasswordPolicy::default()),
                }
                Op::Update(Obj::Policy(p))
            }
            15 => {
                let pid = any_id(doc, ObjKind::Prompt, n[0]);
                let mut p = doc
                    .prompts
                    .get(pid)
                    .cloned()
                    .unwrap_or_else(|| Prompt::new("ghost", "k"));
                p.id = pid;
                if n[1].is_multiple_of(2) {
                    p.name = name(doc, ObjKind::Prompt, n[2], step);
                } else {
                    p.order = (n[2] % 5) as i64;
                }
                Op::Update(Obj::Prompt(p))
            }
            16 | 17 => {
                let kind = ObjKind::ALL[(n[0] % ObjKind::ALL.len() as u64) as usize];
                Op::Delete(kind, any_id(doc, kind, n[1]))
            }
            18 => Op::MoveStageBinding {
                id: any_id(doc, ObjKind::StageBinding, n[0]),
                up: seed.flag,
            },
            19 => Op::MovePolicyBinding {
                id: any_id(doc, ObjKind::PolicyBinding, n[0]),
                up: seed.flag,
            },
            20 => {
                let user = any_id(doc, ObjKind::User, n[0]);
                let group = any_id(doc, ObjKind::Group, n[1]);
                if seed.flag {
                    Op::AddMember { user, group }
                } else {
                    Op::RemoveMember { user, group }
                }
            }
            _ => {
                let parents: Vec<Uuid> = (0..(n[1] % 4))
                    .map(|i| any_id(doc, ObjKind::Group, n[2].rotate_left(i as u32 * 16)))
                    .collect();
                Op::SetParents {
                    group: any_id(doc, ObjKind::Group, n[0]),
                    parents,
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn undo_of_any_op_sequence_restores_the_document(
            seed in doc_seed(),
            ops in prop::collection::vec(op_seed(), 1..30),
        ) {
            let start = build(&seed);
            prop_assert_eq!(check_document(&start), vec![], "the starting document must be valid");
            let mut doc = start.clone();
            let mut patches: Vec<Patch> = Vec::new();
            for (step, op_seed) in ops.iter().enumerate() {
                let op = make_op(&doc, op_seed, step);
                let before = doc.clone();
                match edit::apply(&mut doc, &op) {
                    Ok(patch) => {
                        let problems = check_document(&doc);
                        prop_assert!(
                            problems.is_empty(),
                            "step {} {:?} left problems: {:?}", step, op, problems
                        );
                        // Every change is visible in the patch: undoing this one step
                        // restores the document before it.
                        let mut undone = doc.clone();
                        patch.inverse().apply(&mut undone).map_err(|c| {
                            TestCaseError::fail(format!("step {step}: inverse conflicts: {c}"))
                        })?;
                        prop_assert_eq!(&undone, &before);
                        prop_assert_eq!(
                            serde_json::to_string(&undone).unwrap(),
                            serde_json::to_string(&before).unwrap()
                        );
                        patches.push(patch);
                    }
                    Err(_) => {
                        prop_assert_eq!(&doc, &before, "a refused op changed the document");
                        prop_assert_eq!(
                            serde_json::to_string(&doc).unwrap(),
                            serde_json::to_string(&before).unwrap()
                        );
                    }
                }
            }
            for patch in patches.iter().rev() {
                patch.inverse().apply(&mut doc).map_err(|c| {
                    TestCaseError::fail(format!("undo of {:?} conflicts: {c}", patch.label))
                })?;
            }
            prop_assert_eq!(&doc, &start);
            prop_assert_eq!(
                serde_json::to_string(&doc).unwrap(),
                serde_json::to_string(&start).unwrap()
            );
        }
    }
}
