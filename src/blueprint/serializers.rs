//! What authentik's serializers check on a blueprint entry beyond each field's type and the
//! model's own rules (those live in `model::check` and hold at every entry point):
//! `Importer._validate_single` (`authentik/blueprints/v1/importer.py`) runs the model's
//! serializer over the entry's data (`serializer.is_valid()`), so these run on the data as the
//! entry gives it, not on the object that results.

use serde_json::{Map, Value};

use crate::model::typed::FieldProblem;

const STAGE_BINDING: &str = "authentik_flows.flowstagebinding";

/// The first serializer-level refusal of an entry's data (identifiers and attrs merged).
pub fn entry_problem(model: &str, data: &Map<String, Value>) -> Option<FieldProblem> {
    match model {
        STAGE_BINDING => evaluation_flags(data),
        _ => None,
    }
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
        assert!(
            entry_problem(
                "authentik_core.group",
                &data(json!({ "re_evaluate_policies": false }))
            )
            .is_none()
        );
    }
}
