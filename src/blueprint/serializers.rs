//! What authentik's serializers check on a blueprint entry beyond each field's type and the
//! model's own rules (those live in `model::check` and hold at every entry point):
//! `Importer._validate_single` (`authentik/blueprints/v1/importer.py`) runs the model's
//! serializer over the entry's data (`serializer.is_valid()`), so these run on the data as the
//! entry gives it, not on the object that results.

use serde_json::{Map, Value};

use crate::model::typed::FieldProblem;

const STAGE_BINDING: &str = "authentik_flows.flowstagebinding";
const IDENTIFICATION: &str = "authentik_stages_identification.identificationstage";
const AUTHENTICATOR_VALIDATE: &str =
    "authentik_stages_authenticator_validate.authenticatorvalidatestage";
const REDIRECT: &str = "authentik_stages_redirect.redirectstage";

/// The first serializer-level refusal of an entry's data (identifiers and attrs merged).
pub fn entry_problem(model: &str, data: &Map<String, Value>) -> Option<FieldProblem> {
    match model {
        STAGE_BINDING => evaluation_flags(data),
        IDENTIFICATION => identification_fields(data),
        AUTHENTICATOR_VALIDATE => configuration_stages(data),
        REDIRECT => redirect_target(data),
        _ => None,
    }
}

/// How many items a list attribute of the entry holds (0 when it is not given).
fn given_items(data: &Map<String, Value>, key: &str) -> usize {
    data.get(key).and_then(Value::as_array).map_or(0, Vec::len)
}

/// The attribute to point at: `key` when the entry gives it, else the entry as a whole.
fn at(data: &Map<String, Value>, key: &str, message: &str) -> Option<FieldProblem> {
    let path = if data.contains_key(key) { key } else { "" };
    Some(FieldProblem::new(path, message))
}

/// `IdentificationStageSerializer.validate` (`authentik/stages/identification/api.py`): no
/// user fields and no sources is refused. Like authentik it reads the entry's data only, so
/// an update must restate `user_fields` (or `sources`) even when the stage has them.
fn identification_fields(data: &Map<String, Value>) -> Option<FieldProblem> {
    if given_items(data, "user_fields") > 0 || given_items(data, "sources") > 0 {
        return None;
    }
    at(
        data,
        "user_fields",
        "when no user fields are selected, at least one source must be selected \
         (authentik reads only the entry's own user_fields and sources)",
    )
}

/// `AuthenticatorValidateStageSerializer.validate_not_configured_action`
/// (`authentik/stages/authenticator_validate/api.py`): `configure` needs configuration stages
/// in the same data.
fn configuration_stages(data: &Map<String, Value>) -> Option<FieldProblem> {
    if data.get("not_configured_action") != Some(&Value::from("configure"))
        || given_items(data, "configuration_stages") > 0
    {
        return None;
    }
    at(
        data,
        "not_configured_action",
        "when it is configure, configuration_stages must name at least one stage",
    )
}

/// `RedirectStageSerializer.validate` (`authentik/stages/redirect/api.py`): a given mode needs
/// its target in the same data (a static URL or a flow).
fn redirect_target(data: &Map<String, Value>) -> Option<FieldProblem> {
    let (target, what) = match data.get("mode").and_then(Value::as_str) {
        Some("static") => ("target_static", "a target URL (target_static)"),
        Some("flow") => ("target_flow", "a target flow (target_flow)"),
        _ => return None,
    };
    if data.get(target).is_some_and(super::python::truthy) {
        return None;
    }
    let message = format!("this mode needs {what} in the same entry");
    at(data, "mode", &message)
}

/// `FlowStageBindingSerializer.validate` (`authentik/flows/api/bindings.py`): policies must be
/// evaluated when planned or when run. It reads the validated data only, each flag missing
/// there counting as its default (false, true): an update that names neither flag passes
/// whatever the binding holds.
fn evaluation_flags(data: &Map<String, Value>) -> Option<FieldProblem> {
    let flag = |key: &str, default: bool| match data.get(key) {
        Some(Value::Bool(b)) => *b,
        _ => default,
    };
    if flag("evaluate_on_plan", false) || flag("re_evaluate_policies", true) {
        return None;
    }
    let field = if data.contains_key("re_evaluate_policies") {
        "re_evaluate_policies"
    } else {
        "evaluate_on_plan"
    };
    Some(FieldProblem::new(
        field,
        "either evaluation on plan (evaluate_on_plan) or evaluation on run \
         (re_evaluate_policies) must be enabled",
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn data(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn evaluation_flags_read_only_what_the_entry_gives() {
        let off = entry_problem(
            STAGE_BINDING,
            &data(json!({ "evaluate_on_plan": false, "re_evaluate_policies": false })),
        )
        .unwrap();
        assert_eq!(off.path, "re_evaluate_policies");
        assert!(
            entry_problem(
                STAGE_BINDING,
                &data(json!({ "re_evaluate_policies": false }))
            )
            .is_some()
        );
        assert!(
            entry_problem(
                STAGE_BINDING,
                &data(json!({ "evaluate_on_plan": true, "re_evaluate_policies": false }))
            )
            .is_none()
        );
        assert!(entry_problem(STAGE_BINDING, &data(json!({ "order": 1 }))).is_none());
        assert!(entry_problem(IDENTIFICATION, &data(json!({ "name": "id" }))).is_some());
        assert!(
            entry_problem(
                AUTHENTICATOR_VALIDATE,
                &data(json!({ "not_configured_action": "configure" }))
            )
            .is_some()
        );
        assert!(entry_problem(REDIRECT, &data(json!({ "mode": "flow" }))).is_some());
        assert!(
            entry_problem(
                REDIRECT,
                &data(json!({ "mode": "static", "target_static": "https://x" }))
            )
            .is_none()
        );
        assert!(
            entry_problem(
                "authentik_core.group",
                &data(json!({ "re_evaluate_policies": false }))
            )
            .is_none()
        );
    }
}
