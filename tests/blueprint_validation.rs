//! Blueprint entries are validated as authentik's importer validates them
//! (`Importer._validate_single` in `authentik/blueprints/v1/importer.py` runs the model's
//! serializer, `serializer.is_valid()`), and every refusal names the attribute and points
//! `FILE:LINE:COL` at its value in the file, not at the entry.

mod common;

use bindery::blueprint::{export_all, yaml};
use bindery::edit::{Op, apply};
use bindery::model::{
    Designation, Document, Flow, Obj, Policy, PolicyKind, Stage, StageBinding, StageKind,
};
use common::blueprints::*;
use serde_json::{Value, json};

const TOTP: &str = "authentik_stages_authenticator_totp.authenticatortotpstage";

/// A flow `login` with a dummy stage `s` bound at order 10.
fn login_with_a_stage() -> Document {
    let mut doc = Document::default();
    let flow = Flow::new("login", "Login", Designation::Authentication);
    let stage = Stage::new(
        "s",
        StageKind::default_for("authentik_stages_dummy.dummystage").unwrap(),
    );
    doc.stage_bindings
        .put(StageBinding::new(flow.id, stage.id, 10));
    doc.flows.put(flow);
    doc.stages.put(stage);
    doc
}

fn totp_friendly_name(doc: &Document) -> Option<String> {
    match &doc.stages.iter().find(|s| s.name == "totp").unwrap().kind {
        StageKind::AuthenticatorTotp(totp) => totp.friendly_name.clone(),
        other => panic!("not a TOTP stage: {other:?}"),
    }
}

/// `FriendlyNamedStage.friendly_name` is `TextField(null=True)` (`authentik/flows/models.py`),
/// so the TOTP stage's serializer takes null: it is stored as null, replaces a name on update,
/// and comes back as null after an export and a fresh import.
#[test]
fn a_null_friendly_name_is_accepted_and_kept_as_null() {
    let mut doc = Document::default();
    let entry = |name: &str| {
        format!(
            "version: 1\nentries:\n  - model: {TOTP}\n    identifiers: {{name: totp}}\n    attrs: {{friendly_name: {name}, digits: 6}}\n"
        )
    };
    import_ok(&mut doc, &entry("Phone"));
    assert_eq!(totp_friendly_name(&doc), Some("Phone".to_string()));
    import_ok(&mut doc, &entry("null"));
    assert_eq!(totp_friendly_name(&doc), None);

    let exported = yaml::emit(&export_all(&doc));
    let (again, _) = import_fresh(&exported);
    assert_eq!(totp_friendly_name(&again), None, "{exported}");
}

/// `digits` is `IntegerField(choices=TOTPDigits.choices)` without `null=True`
/// (`authentik/stages/authenticator_totp/models.py`) and a flow's `title` a plain
/// `TextField()` (`authentik/flows/models.py`): DRF refuses null for both ("This field may not
/// be null."). The error points at the null.
#[test]
fn null_is_refused_where_the_model_does_not_allow_it_at_the_value() {
    let mut doc = Document::default();
    let text = format!(
        "version: 1\nentries:\n  - model: {TOTP}\n    identifiers: {{name: totp}}\n    attrs:\n      digits: null\n"
    );
    let err = import_err(&mut doc, &text);
    assert_error_at(
        &err,
        "test.yaml",
        6,
        15,
        "attrs.digits: null is not allowed",
    );

    let text = "version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers: {slug: x}\n    attrs: {name: X, title: null, designation: authentication}\n";
    let err = import_err(&mut doc, text);
    assert_error_at(&err, "test.yaml", 5, 29, "attrs.title: null is not allowed");
}

/// authentik's blueprint schema is generated from the serializers: every field it types as
/// nullable (`"type": [..., "null"]`) must take null in bindery too.
#[test]
fn every_field_the_schema_makes_nullable_takes_null() {
    let text = std::fs::read_to_string(fixtures().join("schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let models: Vec<&str> = StageKind::TYPES
        .iter()
        .chain(PolicyKind::TYPES)
        .map(|t| t.model)
        .collect();
    let mut checked = 0;
    for model in models {
        let Some(props) = schema["$defs"][format!("model_{model}")]["properties"].as_object()
        else {
            continue;
        };
        for (field, spec) in props {
            let nullable = spec["type"]
                .as_array()
                .is_some_and(|types| types.contains(&json!("null")));
            if !nullable {
                continue;
            }
            let settings = json!({ field: null });
            let read = if model.starts_with("authentik_policies_") {
                PolicyKind::from_settings_json(model, &settings).map(|_| ())
            } else {
                StageKind::from_settings_json(model, &settings).map(|_| ())
            };
            assert_eq!(read, Ok(()), "{model}.{field}");
            checked += 1;
        }
    }
    // authenticator_attachment, and the event matcher's action, client_ip, app, model, query.
    assert!(checked >= 6, "only {checked} nullable fields found");
}

/// `FlowStageBindingSerializer.validate` (`authentik/flows/api/bindings.py`) refuses a binding
/// whose entry turns both evaluation flags off; the error points at the flag.
#[test]
fn a_stage_binding_evaluated_neither_when_planned_nor_when_run_is_refused() {
    let binding = |plan: &str| {
        format!(
            "version: 1\nentries:\n  - model: authentik_flows.flowstagebinding\n    identifiers:\n      target: !Find [authentik_flows.flow, [slug, login]]\n      stage: !Find [authentik_stages_dummy.dummystage, [name, s]]\n      order: 20\n    attrs:\n      evaluate_on_plan: {plan}\n      re_evaluate_policies: false\n"
        )
    };
    let mut doc = login_with_a_stage();
    let err = import_err(&mut doc, &binding("false"));
    assert_error_at(
        &err,
        "test.yaml",
        10,
        29,
        "attrs.re_evaluate_policies: either evaluation on plan",
    );
    import_ok(&mut doc, &binding("true"));
}

/// `ExpressionPolicySerializer.validate_expression` (`authentik/policies/expression/api.py`)
/// compiles the code wrapped in a function (`BaseEvaluator.wrap_expression`,
/// `authentik/lib/expression/evaluator.py`). The error points at the expression and names the
/// line and column inside it (the value of a block scalar starts on the line after `|`); the
/// edit layer refuses the same code (one rule for the UI too).
#[test]
fn an_expression_with_a_syntax_error_is_refused_with_its_line() {
    let text = "version: 1\nentries:\n  - model: authentik_policies_expression.expressionpolicy\n    identifiers: {name: check}\n    attrs:\n      expression: |\n        user = request.user\n        return user.username ==\n";
    let mut doc = Document::default();
    let err = import_err(&mut doc, text);
    assert_error_at(
        &err,
        "test.yaml",
        7,
        9,
        "attrs.expression: line 2, column 24: Python syntax error",
    );

    let fine = text.replace("username ==", "username == 'ann'");
    import_ok(&mut doc, &fine);

    let mut policy = Policy::new(
        "typed in the UI",
        PolicyKind::default_for("authentik_policies_expression.expressionpolicy").unwrap(),
    );
    if let PolicyKind::Expression(e) = &mut policy.kind {
        e.expression = "return (True".into();
    }
    let refused = apply(&mut doc, &Op::Create(Obj::Policy(policy))).unwrap_err();
    assert!(
        refused
            .problems
            .iter()
            .any(|p| p.starts_with("expression: line 1, column ")),
        "{refused:?}"
    );
}

/// Unique columns: `Flow.slug` is `SlugField(unique=True)` and a stage binding's
/// `unique_together = (("target", "stage", "order"),)` (`authentik/flows/models.py`). An entry
/// whose identifiers find nothing but whose values clash is refused at the clashing value.
#[test]
fn a_unique_value_taken_by_another_object_is_refused_at_the_value() {
    let mut doc = login_with_a_stage();
    let text = "version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers: {pk: 0b9d2f36-4bb0-4a4e-9f0c-2c1a9e0d6b11}\n    attrs:\n      name: Second\n      title: Second\n      designation: authentication\n      slug: login\n";
    let err = import_err(&mut doc, text);
    assert_error_at(
        &err,
        "test.yaml",
        9,
        13,
        "attrs.slug: a flow with slug \"login\" already exists",
    );

    let text = "version: 1\nentries:\n  - model: authentik_flows.flowstagebinding\n    identifiers: {pk: 6f0e8f0a-1d2c-4b7a-8e55-0c3b9f2a7d10}\n    attrs:\n      target: !Find [authentik_flows.flow, [slug, login]]\n      stage: !Find [authentik_stages_dummy.dummystage, [name, s]]\n      order: 10\n";
    let err = import_err(&mut doc, text);
    assert_error_at(
        &err,
        "test.yaml",
        8,
        14,
        "attrs.order: this stage is already bound to this flow at this order",
    );
}

/// Choice fields (`FlowDesignation`, `authentik/flows/models.py`; `UserFields`,
/// `authentik/stages/identification/models.py`) refuse values outside their choices; in a list
/// the error points at the item.
#[test]
fn a_value_outside_its_choices_is_refused_at_the_value() {
    let mut doc = Document::default();
    let text = "version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers: {slug: x}\n    attrs:\n      name: X\n      title: X\n      designation: sideways\n";
    let err = import_err(&mut doc, text);
    assert_error_at(
        &err,
        "test.yaml",
        8,
        20,
        "attrs.designation: unknown variant `sideways`, expected one of `authentication`",
    );

    let text = "version: 1\nentries:\n  - model: authentik_stages_identification.identificationstage\n    identifiers: {name: id}\n    attrs:\n      user_fields:\n        - email\n        - phone\n";
    let err = import_err(&mut doc, text);
    assert_error_at(
        &err,
        "test.yaml",
        8,
        11,
        "attrs.user_fields[1]: unknown variant `phone`",
    );
}

/// `UserLoginStage.session_duration` has `validators=[timedelta_string_validator]`
/// (`authentik/stages/user_login/models.py`, `authentik/lib/utils/time.py`): a text that is
/// not `key=value;...` with a known key is refused at the value.
#[test]
fn a_time_length_authentik_cannot_read_is_refused_at_the_value() {
    let mut doc = Document::default();
    let text = "version: 1\nentries:\n  - model: authentik_stages_user_login.userloginstage\n    identifiers: {name: login}\n    attrs: {session_duration: hours=one}\n";
    let err = import_err(&mut doc, text);
    assert_error_at(
        &err,
        "test.yaml",
        5,
        31,
        "attrs.session_duration: \"hours=one\" is not a time length",
    );
}

/// `IdentificationStageSerializer.validate` (`authentik/stages/identification/api.py`) refuses
/// no user fields and no sources, reading only the entry's data: an update that sets just the
/// enrollment flow is refused even though the stage has user fields (as authentik does).
#[test]
fn an_identification_stage_entry_without_user_fields_or_sources_is_refused() {
    let mut doc = Document::default();
    let create = "version: 1\nentries:\n  - model: authentik_stages_identification.identificationstage\n    identifiers: {name: id}\n    attrs:\n      user_fields: []\n";
    let err = import_err(&mut doc, create);
    assert_error_at(
        &err,
        "test.yaml",
        6,
        20,
        "attrs.user_fields: when no user fields are selected, at least one source",
    );
    import_ok(&mut doc, &create.replace("[]", "[email]"));
    let update = "version: 1\nentries:\n  - model: authentik_stages_identification.identificationstage\n    identifiers: {name: id}\n    attrs: {show_matched_user: false}\n";
    let err = import_err(&mut doc, update);
    assert_error_at(&err, "test.yaml", 3, 5, "when no user fields are selected");
}

/// `AuthenticatorValidateStageSerializer.validate_not_configured_action`
/// (`authentik/stages/authenticator_validate/api.py`): `configure` needs configuration stages;
/// `RedirectStageSerializer.validate` (`authentik/stages/redirect/api.py`): a mode needs its
/// target. Both point at the value that asks for more.
#[test]
fn a_mode_without_what_it_needs_is_refused_at_the_mode() {
    let mut doc = Document::default();
    let text = "version: 1\nentries:\n  - model: authentik_stages_authenticator_validate.authenticatorvalidatestage\n    identifiers: {name: mfa}\n    attrs:\n      not_configured_action: configure\n";
    let err = import_err(&mut doc, text);
    assert_error_at(
        &err,
        "test.yaml",
        6,
        30,
        "attrs.not_configured_action: when it is configure, configuration_stages",
    );
    let text = "version: 1\nentries:\n  - model: authentik_stages_redirect.redirectstage\n    identifiers: {name: go}\n    attrs: {mode: flow}\n";
    let err = import_err(&mut doc, text);
    assert_error_at(
        &err,
        "test.yaml",
        5,
        19,
        "attrs.mode: this mode needs a target flow",
    );
}
