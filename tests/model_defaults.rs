//! Model defaults equal authentik's for every stage and policy type.
//!
//! The expectations are written out by hand from authentik's `models.py` at commit
//! `addbf5a2f613c16a80dbdbc39523cfda1abd0add` (see the reference notes kept with the project,
//! extracted to /tmp/authentik-defaults.md). For every type bindery models, each settings field
//! is in exactly one of three groups:
//!
//! * `explicit`: the field declares `default=` in authentik; the value must match.
//! * `implicit`: the field is optional (`blank`/`null`) and declares no `default=`, so Django's
//!   implicit default applies (`""` for a non-null text field, `None` for a nullable one, no links
//!   for a many-to-many); the value must match that.
//! * `skipped`: the field is required and has no default in authentik (a create call must supply
//!   it), so bindery's placeholder is not compared; only its presence is checked.
//!
//! Every settings key bindery writes must fall in one of the groups, and every key named in a
//! group must be written: a field added to or dropped from the model without updating this file
//! fails the test.

use std::collections::BTreeSet;

use bindery::model::stage::{AuthenticatorTotpStage, IdentificationStage, PasswordStage};
use bindery::model::{
    AuthenticationRequirement, DeniedAction, Designation, EngineMode, Flow, Group,
    InvalidResponseAction, Layout, Policy, PolicyBinding, PolicyKind, Prompt, Stage, StageBinding,
    StageKind, Subject, Target, User, UserType,
};
use serde_json::{Value, json};
use uuid::Uuid;

/// What authentik says about one type's settings.
struct Expect {
    explicit: Value,
    implicit: Value,
    skipped: &'static [&'static str],
}

fn expect(explicit: Value, implicit: Value, skipped: &'static [&'static str]) -> Expect {
    Expect {
        explicit,
        implicit,
        skipped,
    }
}

/// The 34-character raw string literal of `PasswordPolicy.symbol_charset`, as written in
/// authentik: `r"!\"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ "` (the backslashes stay in the value).
const SYMBOL_CHARSET: &str = r##"!\"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ "##;

fn stage_expectation(model: &str) -> Option<Expect> {
    Some(match model {
        "authentik_stages_identification.identificationstage" => expect(
            json!({
                "password_stage": null,
                "captcha_stage": null,
                "webauthn_stage": null,
                "case_insensitive_matching": true,
                "show_matched_user": true,
                "pretend_user_exists": true,
                "enable_remember_me": false,
                "enrollment_flow": null,
                "recovery_flow": null,
                "passwordless_flow": null,
                "sources": [],
                "show_source_labels": false,
            }),
            json!({}),
            // user_fields: ArrayField, blank but not null and no default.
            &["user_fields"],
        ),
        "authentik_stages_password.passwordstage" => expect(
            json!({
                "failed_attempts_before_cancel": 5,
                "allow_show_password": false,
            }),
            json!({ "configure_flow": null }),
            // backends: required ArrayField, no default.
            &["backends"],
        ),
        "authentik_stages_user_login.userloginstage" => expect(
            json!({
                "session_duration": "seconds=0",
                "network_binding": "no_binding",
                "geoip_binding": "no_binding",
                "terminate_other_sessions": false,
                "remember_me_offset": "seconds=0",
                "remember_device": "days=30",
            }),
            json!({}),
            &[],
        ),
        "authentik_stages_user_logout.userlogoutstage" => expect(json!({}), json!({}), &[]),
        "authentik_stages_user_delete.userdeletestage" => expect(json!({}), json!({}), &[]),
        "authentik_stages_user_write.userwritestage" => expect(
            json!({
                "user_creation_mode": "create_when_required",
                "create_users_as_inactive": false,
                "create_users_group": null,
                "user_type": "external",
                "user_path_template": "",
            }),
            json!({}),
            &[],
        ),
        "authentik_stages_prompt.promptstage" => expect(
            json!({}),
            json!({ "validation_policies": [] }),
            // fields: many-to-many, not blank, no default.
            &["fields"],
        ),
        "authentik_stages_email.emailstage" => expect(
            json!({
                "use_global_settings": false,
                "host": "localhost",
                "port": 25,
                "username": "",
                "password": "",
                "use_tls": false,
                "use_ssl": false,
                "timeout": 10,
                "from_address": "system@authentik.local",
                "recovery_max_attempts": 5,
                "recovery_cache_timeout": "minutes=5",
                "activate_user_on_success": false,
                "token_expiry": "minutes=30",
                "subject": "authentik",
                "template": "email/password_reset.html",
            }),
            json!({}),
            &[],
        ),
        "authentik_stages_consent.consentstage" => expect(
            json!({
                "mode": "expiring",
                "consent_expire_in": "weeks=4",
            }),
            json!({}),
            &[],
        ),
        "authentik_stages_captcha.captchastage" => expect(
            json!({
                "interactive": false,
                "score_min_threshold": 0.5,
                "score_max_threshold": 1.0,
                "error_on_invalid_score": true,
                "js_url": "https://www.recaptcha.net/recaptcha/api.js",
                "api_url": "https://www.recaptcha.net/recaptcha/api/siteverify",
            }),
            json!({}),
            // public_key, private_key: required text, no default.
            &["public_key", "private_key"],
        ),
        "authentik_stages_deny.denystage" => expect(json!({ "deny_message": "" }), json!({}), &[]),
        "authentik_stages_dummy.dummystage" => {
            expect(json!({ "throw_error": false }), json!({}), &[])
        }
        "authentik_stages_invitation.invitationstage" => expect(
            json!({ "continue_flow_without_invitation": false }),
            json!({}),
            &[],
        ),
        "authentik_stages_redirect.redirectstage" => expect(
            json!({
                "keep_context": true,
                "target_static": "",
            }),
            json!({ "target_flow": null }),
            // mode: required choice (static, flow), no default.
            &["mode"],
        ),
        "authentik_stages_authenticator_validate.authenticatorvalidatestage" => expect(
            json!({
                "not_configured_action": "skip",
                "device_classes": ["static", "totp", "webauthn", "duo", "sms", "email"],
                "last_auth_threshold": "seconds=0",
                "webauthn_user_verification": "preferred",
                "webauthn_hints": [],
            }),
            // configuration_stages declares default=None on a many-to-many: no links.
            json!({
                "configuration_stages": [],
                "webauthn_allowed_device_types": [],
            }),
            &[],
        ),
        "authentik_stages_authenticator_totp.authenticatortotpstage" => expect(
            json!({}),
            json!({ "configure_flow": null, "friendly_name": null }),
            // digits: required IntegerField with choices "6"/"8", no default.
            &["digits"],
        ),
        "authentik_stages_authenticator_static.authenticatorstaticstage" => expect(
            json!({ "token_count": 6, "token_length": 12 }),
            json!({ "configure_flow": null, "friendly_name": null }),
            &[],
        ),
        "authentik_stages_authenticator_webauthn.authenticatorwebauthnstage" => expect(
            json!({
                "user_verification": "preferred",
                "resident_key_requirement": "preferred",
                "authenticator_attachment": null,
                "prevent_duplicate_devices": true,
                "hints": [],
                "max_attempts": 0,
            }),
            json!({
                "configure_flow": null,
                "friendly_name": null,
                "device_type_restrictions": [],
            }),
            &[],
        ),
        "authentik_stages_authenticator_duo.authenticatorduostage" => expect(
            json!({ "admin_integration_key": "", "admin_secret_key": "" }),
            json!({ "configure_flow": null, "friendly_name": null }),
            // api_hostname, client_id, client_secret: required text, no default.
            &["api_hostname", "client_id", "client_secret"],
        ),
        "authentik_stages_authenticator_sms.authenticatorsmsstage" => expect(
            json!({
                "auth_password": "",
                "auth_type": "basic",
                "verify_only": false,
                "mapping": null,
            }),
            json!({ "configure_flow": null, "friendly_name": null }),
            // provider, from_number, account_sid, auth: required, no default.
            &["provider", "from_number", "account_sid", "auth"],
        ),
        "authentik_stages_authenticator_email.authenticatoremailstage" => expect(
            json!({
                "use_global_settings": false,
                "host": "localhost",
                "port": 25,
                "username": "",
                "password": "",
                "use_tls": false,
                "use_ssl": false,
                "timeout": 10,
                "from_address": "system@authentik.local",
                "token_expiry": "minutes=30",
                "subject": "authentik Sign-in code",
                "template": "email/email_otp.html",
            }),
            json!({ "configure_flow": null, "friendly_name": null }),
            &[],
        ),
        "authentik_stages_source.sourcestage" => expect(
            json!({ "resume_timeout": "minutes=10" }),
            json!({}),
            // source: required foreign key, no default.
            &["source"],
        ),
        "authentik_stages_mtls.mutualtlsstage" => expect(
            json!({}),
            // certificate_authorities declares default=None on a many-to-many: no links.
            json!({ "certificate_authorities": [] }),
            // mode, cert_attribute, user_attribute: required choices, no default.
            &["mode", "cert_attribute", "user_attribute"],
        ),
        "authentik_stages_authenticator_endpoint_gdtc.authenticatorendpointgdtcstage" => expect(
            json!({}),
            json!({ "configure_flow": null, "friendly_name": null }),
            // credentials: required JSONField, no default.
            &["credentials"],
        ),
        "authentik_endpoints.endpointstage" => expect(
            json!({ "mode": "optional" }),
            json!({}),
            // connector: required foreign key, no default.
            &["connector"],
        ),
        _ => return None,
    })
}

fn policy_expectation(model: &str) -> Option<Expect> {
    Some(match model {
        // expression: required text, no default.
        "authentik_policies_expression.expressionpolicy" => {
            expect(json!({}), json!({}), &["expression"])
        }
        "authentik_policies_password.passwordpolicy" => expect(
            json!({
                "password_field": "password",
                "check_static_rules": true,
                "check_have_i_been_pwned": false,
                "check_zxcvbn": false,
                "amount_digits": 0,
                "amount_uppercase": 0,
                "amount_lowercase": 0,
                "amount_symbols": 0,
                "length_min": 0,
                "symbol_charset": SYMBOL_CHARSET,
                "hibp_allowed_count": 0,
                "zxcvbn_score_threshold": 2,
            }),
            json!({ "error_message": "" }),
            &[],
        ),
        "authentik_policies_reputation.reputationpolicy" => expect(
            json!({ "check_ip": true, "check_username": true, "threshold": -5 }),
            json!({}),
            &[],
        ),
        "authentik_policies_event_matcher.eventmatcherpolicy" => expect(
            json!({
                "query": null,
                "action": null,
                "app": null,
                "model": null,
                "client_ip": null,
            }),
            json!({}),
            &[],
        ),
        "authentik_policies_dummy.dummypolicy" => expect(
            json!({ "result": false, "wait_min": 5, "wait_max": 30 }),
            json!({}),
            &[],
        ),
        "authentik_policies_expiry.passwordexpirypolicy" => expect(
            json!({ "deny_only": false }),
            json!({}),
            // days: required IntegerField, no default.
            &["days"],
        ),
        "authentik_policies_geoip.geoippolicy" => expect(
            json!({
                "asns": [],
                "distance_tolerance_km": 50,
                "check_history_distance": false,
                "history_max_distance_km": 100,
                "history_login_count": 5,
                "check_impossible_travel": false,
                "impossible_tolerance_km": 100,
            }),
            // countries: CountryField(multiple=True), blank, no default: no countries.
            json!({ "countries": [] }),
            &[],
        ),
        "authentik_policies_unique_password.uniquepasswordpolicy" => expect(
            json!({ "password_field": "password", "num_historical_passwords": 1 }),
            json!({}),
            &[],
        ),
        _ => return None,
    })
}

/// Compares one type's default settings with its expectation; returns the mismatches.
fn compare(model: &str, actual: &Value, expect: &Expect) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(actual) = actual.as_object() else {
        return vec![format!("{model}: settings are not an object: {actual}")];
    };
    let explicit = expect.explicit.as_object().expect("explicit is an object");
    let implicit = expect.implicit.as_object().expect("implicit is an object");

    let mut covered = BTreeSet::new();
    for (group, fields) in [("explicit", explicit), ("implicit", implicit)] {
        for (field, want) in fields {
            if !covered.insert(field.as_str()) {
                problems.push(format!(
                    "{model}: {field} is listed twice in the expectation"
                ));
            }
            match actual.get(field) {
                None => problems.push(format!(
                    "{model}: {field} ({group} default {want}) is missing from the model"
                )),
                Some(got) if got != want => problems.push(format!(
                    "{model}: {field} defaults to {got}, authentik ({group}) says {want}"
                )),
                Some(_) => {}
            }
        }
    }
    for field in expect.skipped {
        if !covered.insert(field) {
            problems.push(format!(
                "{model}: {field} is listed twice in the expectation"
            ));
        }
        if !actual.contains_key(*field) {
            problems.push(format!(
                "{model}: skipped field {field} is missing from the model"
            ));
        }
    }
    for field in actual.keys() {
        if !covered.contains(field.as_str()) {
            problems.push(format!(
                "{model}: field {field} = {} has no expectation",
                actual[field]
            ));
        }
    }
    problems
}

#[test]
fn every_stage_type_has_an_expectation() {
    let missing: Vec<&str> = StageKind::TYPES
        .iter()
        .map(|info| info.model)
        .filter(|model| stage_expectation(model).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "stage types without a defaults expectation: {missing:?}"
    );
}

#[test]
fn every_policy_type_has_an_expectation() {
    let missing: Vec<&str> = PolicyKind::TYPES
        .iter()
        .map(|info| info.model)
        .filter(|model| policy_expectation(model).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "policy types without a defaults expectation: {missing:?}"
    );
}

#[test]
fn stage_defaults_equal_authentiks() {
    let mut problems = Vec::new();
    for info in StageKind::TYPES {
        let kind = StageKind::default_for(info.model)
            .unwrap_or_else(|| panic!("no default for listed stage type {}", info.model));
        assert_eq!(kind.model(), info.model);
        assert!(kind.is_known());
        let Some(expect) = stage_expectation(info.model) else {
            problems.push(format!("{}: no expectation", info.model));
            continue;
        };
        problems.extend(compare(info.model, &kind.settings_value(), &expect));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn policy_defaults_equal_authentiks() {
    let mut problems = Vec::new();
    for info in PolicyKind::TYPES {
        let kind = PolicyKind::default_for(info.model)
            .unwrap_or_else(|| panic!("no default for listed policy type {}", info.model));
        assert_eq!(kind.model(), info.model);
        assert!(kind.is_known());
        let Some(expect) = policy_expectation(info.model) else {
            problems.push(format!("{}: no expectation", info.model));
            continue;
        };
        problems.extend(compare(info.model, &kind.settings_value(), &expect));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn symbol_charset_is_authentiks_raw_string() {
    assert_eq!(SYMBOL_CHARSET.chars().count(), 34);
    assert_eq!(SYMBOL_CHARSET.matches('\\').count(), 2);
    assert!(SYMBOL_CHARSET.ends_with("~ "));
    assert_eq!(
        bindery::model::policy::DEFAULT_SYMBOL_CHARSET,
        SYMBOL_CHARSET
    );
}

#[test]
fn compare_reports_wrong_missing_and_unexpected_fields() {
    // The comparison itself must be able to fail.
    let expect = Expect {
        explicit: json!({ "a": 1, "b": true }),
        implicit: json!({ "c": null }),
        skipped: &["d"],
    };
    assert!(
        compare(
            "m",
            &json!({ "a": 1, "b": true, "c": null, "d": 0 }),
            &expect
        )
        .is_empty()
    );
    let problems = compare("m", &json!({ "a": 2, "c": null, "e": "x" }), &expect);
    let text = problems.join("\n");
    assert!(text.contains("a defaults to 2"), "{text}");
    assert!(
        text.contains("b (explicit default true) is missing"),
        "{text}"
    );
    assert!(text.contains("skipped field d is missing"), "{text}");
    assert!(
        text.contains("field e = \"x\" has no expectation"),
        "{text}"
    );
    assert_eq!(problems.len(), 4, "{text}");
}

#[test]
fn unknown_model_has_no_default() {
    assert!(StageKind::default_for("authentik_stages_future.futurestage").is_none());
    assert!(PolicyKind::default_for("authentik_policies_future.futurepolicy").is_none());
}

// --- Flows, bindings, directory, prompts -------------------------------------------------------

#[test]
fn flow_new_has_authentiks_defaults() {
    let flow = Flow::new("login", "Login", Designation::Authentication);
    assert_eq!(flow.slug, "login");
    assert_eq!(flow.name, "Login");
    assert_eq!(flow.title, "Login");
    assert_eq!(flow.designation, Designation::Authentication);
    assert_eq!(flow.layout, Layout::Stacked);
    assert_eq!(flow.background, "");
    assert!(!flow.compatibility_mode);
    assert_eq!(flow.denied_action, DeniedAction::MessageContinue);
    assert_eq!(flow.authentication, AuthenticationRequirement::None);
    assert_eq!(flow.policy_engine_mode, EngineMode::Any);

    let value = serde_json::to_value(&flow).unwrap();
    assert_eq!(value["layout"], "stacked");
    assert_eq!(value["denied_action"], "message_continue");
    assert_eq!(value["authentication"], "none");
    assert_eq!(value["policy_engine_mode"], "any");
    assert_eq!(value["designation"], "authentication");
}

#[test]
fn flow_read_without_optional_fields_takes_the_same_defaults() {
    let flow = Flow::new("login", "Login", Designation::Authentication);
    let read: Flow = serde_json::from_value(json!({
        "id": flow.id,
        "slug": "login",
        "name": "Login",
        "title": "Login",
        "designation": "authentication",
    }))
    .unwrap();
    assert_eq!(read, flow);
}

#[test]
fn flow_without_designation_is_refused() {
    // FlowDesignation has no default in authentik.
    let err = serde_json::from_value::<Flow>(json!({
        "id": Uuid::new_v4(), "slug": "x", "name": "x", "title": "x",
    }))
    .unwrap_err();
    assert!(err.to_string().contains("designation"), "{err}");
}

#[test]
fn stage_binding_new_has_authentiks_defaults() {
    let (flow, stage) = (Uuid::new_v4(), Uuid::new_v4());
    let b = StageBinding::new(flow, stage, 20);
    assert_eq!((b.target, b.stage, b.order), (flow, stage, 20));
    assert!(!b.evaluate_on_plan);
    assert!(b.re_evaluate_policies);
    assert_eq!(b.policy_engine_mode, EngineMode::Any);
    assert_eq!(b.invalid_response_action, InvalidResponseAction::Retry);

    let read: StageBinding = serde_json::from_value(json!({
        "id": b.id, "target": flow, "stage": stage, "order": 20,
    }))
    .unwrap();
    assert_eq!(read, b);
    let value = serde_json::to_value(&b).unwrap();
    assert_eq!(value["invalid_response_action"], "retry");
    assert_eq!(value["policy_engine_mode"], "any");
}

#[test]
fn policy_binding_new_has_authentiks_defaults() {
    let (flow, policy) = (Uuid::new_v4(), Uuid::new_v4());
    let b = PolicyBinding::new(Target::Flow(flow), Subject::Policy(policy), 0);
    assert_eq!(b.target, Target::Flow(flow));
    assert_eq!(b.subject, Subject::Policy(policy));
    assert_eq!(b.order, 0);
    assert!(b.enabled);
    assert!(!b.negate);
    assert_eq!(b.timeout, 30);
    assert!(!b.failure_result);

    let read: PolicyBinding = serde_json::from_value(json!({
        "id": b.id, "target": {"flow": flow}, "subject": {"policy": policy}, "order": 0,
    }))
    .unwrap();
    assert_eq!(read, b);
}

#[test]
fn user_new_has_authentiks_defaults() {
    let u = User::new("alice");
    assert_eq!(u.username, "alice");
    assert!(u.is_active);
    assert_eq!(u.user_type, UserType::Internal);
    assert_eq!(u.path, "users");
    assert_eq!(u.name, "");
    assert_eq!(u.email, "");
    assert!(u.attributes.is_empty());
    assert!(u.groups.is_empty());
    assert_eq!(u.pk, None);

    let value = serde_json::to_value(&u).unwrap();
    assert_eq!(value["type"], "internal");
    assert!(value.get("pk").is_none(), "pk is only written when known");
    let read: User = serde_json::from_value(json!({ "id": u.id, "username": "alice" })).unwrap();
    assert_eq!(read, u);
}

#[test]
fn group_new_has_authentiks_defaults() {
    let g = Group::new("admins");
    assert_eq!(g.name, "admins");
    assert!(!g.is_superuser);
    assert!(g.attributes.is_empty());
    assert!(g.parents.is_empty());
    let read: Group = serde_json::from_value(json!({ "id": g.id, "name": "admins" })).unwrap();
    assert_eq!(read, g);
}

#[test]
fn prompt_new_has_authentiks_defaults() {
    let p = Prompt::new("username-prompt", "username");
    assert_eq!(p.name, "username-prompt");
    assert_eq!(p.field_key, "username");
    assert!(p.required);
    assert_eq!(p.order, 0);
    assert_eq!(p.sub_text, "");
    assert_eq!(p.placeholder, "");
    assert_eq!(p.initial_value, "");
    assert_eq!(p.label, "");
    assert!(!p.placeholder_expression);
    assert!(!p.initial_value_expression);
    let read: Prompt = serde_json::from_value(json!({
        "id": p.id, "name": "username-prompt", "field_key": "username",
    }))
    .unwrap();
    assert_eq!(read, p);
}

#[test]
fn policy_new_has_execution_logging_off() {
    let p = Policy::new(
        "p",
        PolicyKind::default_for("authentik_policies_dummy.dummypolicy").unwrap(),
    );
    assert!(!p.execution_logging);
    let value = serde_json::to_value(&p).unwrap();
    assert_eq!(value["execution_logging"], false);
}

// --- Reading and writing stages and policies ---------------------------------------------------

#[test]
fn stage_with_empty_settings_reads_as_defaults() {
    let id = Uuid::new_v4();
    let stage: Stage = serde_json::from_value(json!({
        "id": id,
        "name": "x",
        "model": "authentik_stages_password.passwordstage",
        "settings": {},
    }))
    .unwrap();
    assert_eq!(stage.id, id);
    assert_eq!(stage.name, "x");
    assert_eq!(stage.kind, StageKind::Password(PasswordStage::default()));
    assert_eq!(
        stage.kind,
        StageKind::default_for("authentik_stages_password.passwordstage").unwrap()
    );
    let StageKind::Password(settings) = &stage.kind else {
        unreachable!()
    };
    assert_eq!(settings.failed_attempts_before_cancel, 5);
    assert!(!settings.allow_show_password);
}

#[test]
fn stage_with_settings_first_or_absent_reads_as_defaults() {
    // A hand-edited file may put settings before model, or leave settings out.
    let id = Uuid::new_v4();
    let text = format!(
        r#"{{"settings": {{}}, "id": "{id}", "name": "x", "model": "authentik_stages_password.passwordstage"}}"#
    );
    let stage: Stage = serde_json::from_str(&text).unwrap();
    assert_eq!(stage.kind, StageKind::Password(PasswordStage::default()));
    let stage: Stage = serde_json::from_value(json!({
        "id": id, "name": "x", "model": "authentik_stages_identification.identificationstage",
    }))
    .unwrap();
    assert_eq!(
        stage.kind,
        StageKind::Identification(IdentificationStage::default())
    );
}

#[test]
fn every_known_type_round_trips_its_defaults() {
    for info in StageKind::TYPES {
        let stage = Stage::new("s", StageKind::default_for(info.model).unwrap());
        let text = serde_json::to_string(&stage).unwrap();
        let back: Stage = serde_json::from_str(&text).unwrap();
        assert_eq!(back, stage, "{}", info.model);
    }
    for info in PolicyKind::TYPES {
        let policy = Policy::new("p", PolicyKind::default_for(info.model).unwrap());
        let text = serde_json::to_string(&policy).unwrap();
        let back: Policy = serde_json::from_str(&text).unwrap();
        assert_eq!(back, policy, "{}", info.model);
    }
}

#[test]
fn unknown_stage_model_round_trips_unchanged() {
    let value = json!({
        "id": Uuid::new_v4(),
        "name": "future",
        "model": "authentik_stages_future.futurestage",
        "settings": {
            "shiny": true,
            "depth": 3,
            "nested": {"list": [1, "two", null], "z": "last", "a": "first"},
            "flow": "not-a-uuid",
        },
    });
    let stage: Stage = serde_json::from_value(value.clone()).unwrap();
    match &stage.kind {
        StageKind::Other { model, attrs } => {
            assert_eq!(model, "authentik_stages_future.futurestage");
            assert_eq!(attrs.len(), 4);
        }
        other => panic!("expected StageKind::Other, got {other:?}"),
    }
    assert!(!stage.kind.is_known());
    assert_eq!(stage.kind.settings_value(), value["settings"]);
    let back = serde_json::to_value(&stage).unwrap();
    assert_eq!(back, value);
    // Byte for byte, key order included.
    assert_eq!(
        serde_json::to_string(&stage).unwrap(),
        serde_json::to_string(&value).unwrap()
    );
}

#[test]
fn unknown_policy_model_round_trips_unchanged() {
    let value = json!({
        "id": Uuid::new_v4(),
        "name": "future",
        "execution_logging": true,
        "model": "authentik_policies_future.futurepolicy",
        "settings": {"threshold": 0.25, "labels": ["a", "b"], "mode": "strict"},
    });
    let policy: Policy = serde_json::from_value(value.clone()).unwrap();
    match &policy.kind {
        PolicyKind::Other { model, attrs } => {
            assert_eq!(model, "authentik_policies_future.futurepolicy");
            assert_eq!(attrs.len(), 3);
        }
        other => panic!("expected PolicyKind::Other, got {other:?}"),
    }
    assert!(policy.execution_logging);
    assert_eq!(serde_json::to_value(&policy).unwrap(), value);
    assert_eq!(
        serde_json::to_string(&policy).unwrap(),
        serde_json::to_string(&value).unwrap()
    );
}

#[test]
fn known_stage_model_with_unknown_field_is_an_error() {
    for settings_first in [false, true] {
        let text = if settings_first {
            format!(
                r#"{{"settings": {{"failed_attempts_before_cancle": 3}}, "id": "{}", "name": "x", "model": "authentik_stages_password.passwordstage"}}"#,
                Uuid::new_v4()
            )
        } else {
            format!(
                r#"{{"id": "{}", "name": "x", "model": "authentik_stages_password.passwordstage", "settings": {{"failed_attempts_before_cancle": 3}}}}"#,
                Uuid::new_v4()
            )
        };
        let err = serde_json::from_str::<Stage>(&text).unwrap_err();
        assert!(
            err.to_string().contains("failed_attempts_before_cancle"),
            "settings first: {settings_first}: {err}"
        );
    }
}

#[test]
fn known_policy_model_with_unknown_field_is_an_error() {
    let err = serde_json::from_value::<Policy>(json!({
        "id": Uuid::new_v4(),
        "name": "x",
        "model": "authentik_policies_reputation.reputationpolicy",
        "settings": {"check_ip": true, "treshold": 3},
    }))
    .unwrap_err();
    assert!(err.to_string().contains("treshold"), "{err}");
}

#[test]
fn unknown_top_level_key_is_an_error() {
    let err = serde_json::from_value::<Stage>(json!({
        "id": Uuid::new_v4(), "name": "x", "execution_logging": false,
        "model": "authentik_stages_deny.denystage", "settings": {},
    }))
    .unwrap_err();
    assert!(err.to_string().contains("execution_logging"), "{err}");
}

fn totp_with(digits: Value) -> Result<Stage, serde_json::Error> {
    serde_json::from_value(json!({
        "id": Uuid::new_v4(),
        "name": "totp",
        "model": "authentik_stages_authenticator_totp.authenticatortotpstage",
        "settings": {"digits": digits},
    }))
}

fn digits_of(stage: &Stage) -> i64 {
    match &stage.kind {
        StageKind::AuthenticatorTotp(AuthenticatorTotpStage { digits, .. }) => *digits,
        other => panic!("not a TOTP stage: {other:?}"),
    }
}

#[test]
fn totp_digits_accept_number_and_string() {
    assert_eq!(digits_of(&totp_with(json!(6)).unwrap()), 6);
    assert_eq!(digits_of(&totp_with(json!("6")).unwrap()), 6);
    assert_eq!(digits_of(&totp_with(json!(8)).unwrap()), 8);
    assert_eq!(digits_of(&totp_with(json!("8")).unwrap()), 8);
    // Written back as a number.
    let stage = totp_with(json!("8")).unwrap();
    assert_eq!(stage.kind.settings_value()["digits"], json!(8));
}

#[test]
fn totp_digits_refuse_non_numbers() {
    for bad in [json!("six"), json!(6.5), json!(true), json!(null)] {
        assert!(totp_with(bad.clone()).is_err(), "{bad} was accepted");
    }
}
