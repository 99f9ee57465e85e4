//! Form building shared by every dialog: fields from the model's field specs and values, the
//! drop-downs over objects, and objects built from a form's values through the same code as
//! blueprint imports, so that a form accepts exactly what authentik's serializer would.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::blueprint::build::build;
use crate::model::fields::{FieldKind, FieldSpec};
use crate::model::*;
use crate::tui::form::{Field, FieldValue};

pub fn text(key: &str, label: &str, value: &Value) -> Field {
    Field::new(
        key,
        label,
        FieldValue::Text(value.as_str().unwrap_or_default().to_string()),
    )
}

pub fn choice(key: &str, label: &str, options: &[&str], value: &Value, optional: bool) -> Field {
    let mut all: Vec<String> = Vec::new();
    if optional {
        all.push("(none)".into());
    }
    all.extend(options.iter().map(|s| s.to_string()));
    let current = value.as_str().unwrap_or("(none)");
    let index = all.iter().position(|o| o == current).unwrap_or(0);
    Field::new(
        key,
        label,
        FieldValue::Choice {
            options: all,
            index,
        },
    )
}

/// A choice among fixed options that are not attribute values (read by index).
pub fn options(key: &str, label: &str, options: &[&str]) -> Field {
    Field::new(
        key,
        label,
        FieldValue::Choice {
            options: options.iter().map(|s| s.to_string()).collect(),
            index: 0,
        },
    )
}

pub fn json(key: &str, label: &str, value: &Value) -> Field {
    // Pretty, one member a line: the field is edited over several lines.
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    Field::new(key, label, FieldValue::Json(text))
}

pub fn note(text: impl Into<String>) -> Field {
    Field::new("", "", FieldValue::Note(text.into()))
}

/// "Create user" for a new object (no name yet), "Edit user alice" for an existing one.
pub fn create_or_edit_title(noun: &str, name: &str) -> String {
    if name.is_empty() {
        format!("Create {noun}")
    } else {
        format!("Edit {noun} {name}")
    }
}

pub fn toggle(key: &str, label: &str, value: &Value) -> Field {
    Field::new(
        key,
        label,
        FieldValue::Toggle(value.as_bool().unwrap_or(false)),
    )
}

pub fn number(key: &str, label: &str, value: &Value) -> Field {
    let text = match value {
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    Field::new(key, label, FieldValue::Number(text))
}

/// The objects of a kind for a drop-down, by label.
pub fn objects(doc: &Document, kind: ObjKind) -> Vec<(Uuid, String)> {
    let mut out = Vec::new();
    doc.for_each(|k, _, object| {
        if k == kind {
            out.push((object.view_id(), object.view_label().to_string()));
        }
    });
    out
}

pub fn pick(
    key: &str,
    label: &str,
    items: Vec<(Uuid, String)>,
    current: Option<Uuid>,
    optional: bool,
) -> Field {
    let mut all: Vec<(Option<Uuid>, String)> = Vec::new();
    if optional {
        all.push((None, "(none)".into()));
    }
    all.extend(items.into_iter().map(|(id, l)| (Some(id), l)));
    let highlighted = all.iter().position(|(id, _)| *id == current).unwrap_or(0);
    Field::new(
        key,
        label,
        FieldValue::Pick {
            items: all,
            query: String::new(),
            highlighted,
        },
    )
}

pub fn multi(key: &str, label: &str, items: Vec<(String, String)>, chosen: &Value) -> Field {
    let chosen = chosen
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Field::new(
        key,
        label,
        FieldValue::MultiPick {
            items,
            chosen,
            query: String::new(),
            highlighted: 0,
        },
    )
}

fn label_of(name: &str) -> String {
    let mut out = name.replace('_', " ");
    if let Some(first) = out.get(0..1) {
        out.replace_range(0..1, &first.to_uppercase());
    }
    out
}

/// A settings value as the object map it is (an empty one for anything else).
pub fn object_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The raw JSON field that keeps a kind bindery does not model editable without loss.
pub fn raw_attributes(settings: Value) -> Field {
    json(
        "",
        "Attributes (JSON)",
        &Value::Object(object_map(settings)),
    )
}

/// The raw attributes of a kind bindery does not model, when the user changed them.
pub fn raw_attrs(field: &Field) -> Result<Option<Map<String, Value>>, String> {
    if !field.changed() {
        return Ok(None);
    }
    match field.attribute()? {
        Some(Value::Object(attrs)) => Ok(Some(attrs)),
        _ => Err("Attributes (JSON): a JSON object ({...}) is needed".into()),
    }
}

/// Fields for typed settings, from their specs and current values.
pub fn settings_fields(
    doc: &Document,
    specs: &[FieldSpec],
    values: &Map<String, Value>,
) -> Vec<Field> {
    specs
        .iter()
        .map(|spec| {
            let value = values.get(spec.name).cloned().unwrap_or(Value::Null);
            let label = label_of(spec.name);
            match spec.kind {
                FieldKind::Toggle => toggle(spec.name, &label, &value),
                FieldKind::Text => text(spec.name, &label, &value),
                FieldKind::MultiLine => Field::new(
                    spec.name,
                    &label,
                    FieldValue::MultiLine(value.as_str().unwrap_or_default().to_string()),
                ),
                FieldKind::Number => number(spec.name, &label, &value),
                FieldKind::Decimal => Field::new(
                    spec.name,
                    &label,
                    FieldValue::Decimal(value.as_f64().map(|f| f.to_string()).unwrap_or_default()),
                ),
                FieldKind::Choice(options) => choice(spec.name, &label, options, &value, false),
                FieldKind::OptionalChoice(options) => {
                    choice(spec.name, &label, options, &value, true)
                }
                FieldKind::MultiChoice(options) => multi(
                    spec.name,
                    &label,
                    options
                        .iter()
                        .map(|o| (o.to_string(), o.to_string()))
                        .collect(),
                    &value,
                ),
                FieldKind::Ref(kind) => {
                    let current = value.as_str().and_then(|s| Uuid::parse_str(s).ok());
                    pick(spec.name, &label, objects(doc, kind), current, true)
                }
                FieldKind::RefList(kind) => multi(
                    spec.name,
                    &label,
                    objects(doc, kind)
                        .into_iter()
                        .map(|(id, l)| (id.to_string(), l))
                        .collect(),
                    &value,
                ),
                FieldKind::TextList => Field::new(
                    spec.name,
                    &label,
                    FieldValue::List(
                        value
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .map(|v| {
                                        v.as_str()
                                            .map(str::to_string)
                                            .unwrap_or_else(|| v.to_string())
                                    })
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            })
                            .unwrap_or_default(),
                    ),
                ),
                FieldKind::Json => json(spec.name, &label, &value),
            }
        })
        .collect()
}

/// The next free order after the highest one in use, inside authentik's range (every one of
/// the 2^32 orders in use cannot happen; the check then refuses the tie).
pub fn next_order(orders: impl Iterator<Item = i64>) -> i64 {
    crate::model::limits::next_free_order(orders).unwrap_or(crate::model::limits::ORDER.max)
}

/// A stage binding's own fields (order, when its policies are evaluated, ...).
pub fn stage_binding_fields(values: &Map<String, Value>) -> Vec<Field> {
    let v = |k: &str| values.get(k).cloned().unwrap_or(Value::Null);
    vec![
        number("order", "Order", &v("order")),
        toggle(
            "evaluate_on_plan",
            "Evaluate when flow is planned",
            &v("evaluate_on_plan"),
        ),
        toggle(
            "re_evaluate_policies",
            "Evaluate when stage is run",
            &v("re_evaluate_policies"),
        ),
        choice(
            "invalid_response_action",
            "Invalid response behaviour",
            InvalidResponseAction::NAMES,
            &v("invalid_response_action"),
            false,
        ),
        choice(
            "policy_engine_mode",
            "Policy engine mode",
            EngineMode::NAMES,
            &v("policy_engine_mode"),
            false,
        ),
    ]
}

/// An object built from a form's values as a blueprint entry would be.
pub fn built(
    doc: &Document,
    kind: ObjKind,
    model: &str,
    existing: Option<&Obj>,
    data: &Map<String, Value>,
) -> Result<Obj, String> {
    build(doc, kind, model, existing, data)
        .map(|(obj, _)| obj)
        .map_err(|problem| problem.to_string())
}

/// A text field's value, trimmed or not.
pub fn text_of(field: &Field) -> Result<String, String> {
    Ok(field
        .attribute()?
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default())
}

/// The index a choice or tab row stands on.
pub fn index_of(field: &Field) -> usize {
    match field.value {
        FieldValue::Choice { index, .. } | FieldValue::Tabs { index, .. } => index,
        _ => 0,
    }
}

/// A flow and its stage bindings; with `deep`, also the policy bindings on both: what a
/// dialog that proposes from a flow's bindings (or copies them) depends on.
pub fn flow_and_bindings(doc: &Document, flow: Uuid, deep: bool) -> Vec<(ObjKind, Uuid)> {
    let bindings = doc.bindings_of_flow(flow);
    let policy_bindings = if deep {
        doc.policy_bindings_of_each(std::iter::once(flow).chain(bindings.iter().map(|b| b.id)))
    } else {
        Default::default()
    };
    let on = |target: Uuid| {
        policy_bindings
            .get(&target)
            .into_iter()
            .flatten()
            .map(|b| (ObjKind::PolicyBinding, b.id))
    };
    let mut out = vec![(ObjKind::Flow, flow)];
    out.extend(on(flow));
    for binding in bindings {
        out.push((ObjKind::StageBinding, binding.id));
        out.extend(on(binding.id));
    }
    out
}
