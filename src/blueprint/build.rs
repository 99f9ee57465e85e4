//! Turning a blueprint entry's attributes into a bindery object, as authentik's serializer
//! would: on create from identifiers and attrs, on update over the existing object's values.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::lookup::Lookup;
use super::models::{GroupMembers, attrs_of, attrs_with_members, resolve, target_of};
use crate::model::typed::{FieldProblem, from_json};
use crate::model::{
    Document, Flow, Group, Obj, ObjKind, Policy, PolicyBinding, PolicyKind, Prompt, Stage,
    StageBinding, StageKind, Subject, User,
};

/// What building made of the entry besides the object.
#[derive(Debug, Default)]
pub struct Built {
    /// Attributes bindery does not model, dropped with a warning.
    pub ignored: Vec<String>,
    /// For a group: the users (`users` attribute) that must be exactly its direct members.
    pub members: Option<Vec<Uuid>>,
}

/// Builds the object an entry describes. `existing` is the object found by the identifiers
/// (an update), None for a create; `data` is identifiers and attrs merged, attrs winning.
/// A refusal names the attribute it concerns, as authentik's serializer does.
pub fn build(
    doc: &Document,
    kind: ObjKind,
    model: &str,
    existing: Option<&Obj>,
    data: &Map<String, Value>,
) -> Result<(Obj, Built), FieldProblem> {
    build_in(doc, &Lookup::new(), kind, model, existing, data)
}

/// [`build`] with the importer's lookups: `lookup` must have been told of every change to
/// `doc` since its first use.
pub(super) fn build_in(
    doc: &Document,
    lookup: &Lookup,
    kind: ObjKind,
    model: &str,
    existing: Option<&Obj>,
    data: &Map<String, Value>,
) -> Result<(Obj, Built), FieldProblem> {
    let mut merged = match existing {
        // A group's users from the lookup's index: scanning every user per group is
        // quadratic in an import of many groups.
        Some(obj @ Obj::Group(g)) => {
            let members = GroupMembers::of_group(doc, g.id, &lookup.members(doc, g.id));
            attrs_with_members(doc, obj, Some(&members))
        }
        Some(obj) => attrs_of(doc, obj),
        None => Map::new(),
    };
    for (key, value) in data {
        merged.insert(key.clone(), value.clone());
    }
    let id = match existing {
        Some(obj) => obj.id(),
        None => new_id(doc, kind, data.get("pk")),
    };
    let mut built = Built::default();
    let obj = match kind {
        ObjKind::Flow => Obj::Flow(typed::<Flow>(id, &mut merged, FLOW_FIELDS, &mut built)?),
        ObjKind::Prompt => {
            Obj::Prompt(typed::<Prompt>(id, &mut merged, PROMPT_FIELDS, &mut built)?)
        }
        ObjKind::Stage => Obj::Stage(stage(id, model, &mut merged, &mut built)?),
        ObjKind::Policy => Obj::Policy(policy(id, model, &mut merged, &mut built)?),
        ObjKind::StageBinding => {
            Obj::StageBinding(stage_binding(doc, id, &mut merged, &mut built)?)
        }
        ObjKind::PolicyBinding => {
            Obj::PolicyBinding(policy_binding(doc, lookup, id, &mut merged, &mut built)?)
        }
        ObjKind::User => Obj::User(user(doc, lookup, id, existing, &mut merged, &mut built)?),
        ObjKind::Group => Obj::Group(group(doc, lookup, id, &mut merged, &mut built)?),
        // Kept verbatim by the importer (`super::others`), never built from attributes.
        ObjKind::Other => return Err(format!("{model} is not managed by bindery").into()),
    };
    Ok((obj, built))
}

/// A new object keeps the pk its blueprint gives it when that is a free UUID (authentik
/// creates with the given pk; exported blueprints rely on it), else gets a fresh one.
fn new_id(doc: &Document, kind: ObjKind, pk: Option<&Value>) -> Uuid {
    // A user's pk is an integer: its id derives from it, so that every pull of a remote gives
    // the same user the same id.
    if kind == ObjKind::User
        && let Some(id) = pk
            .and_then(Value::as_i64)
            .map(crate::model::User::id_for_pk)
        && !doc.contains(kind, id)
    {
        return id;
    }
    pk.and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .filter(|id| !doc.contains(kind, *id))
        .unwrap_or_else(Uuid::new_v4)
}

/// A flow's attributes, as authentik's serializer names them.
pub const FLOW_FIELDS: &[&str] = &[
    "name",
    "slug",
    "title",
    "designation",
    "background",
    "policy_engine_mode",
    "compatibility_mode",
    "layout",
    "denied_action",
    "authentication",
];
const PROMPT_FIELDS: &[&str] = &[
    "name",
    "field_key",
    "label",
    "type",
    "required",
    "placeholder",
    "initial_value",
    "sub_text",
    "order",
    "placeholder_expression",
    "initial_value_expression",
];

/// Keeps the known fields of `map`, recording the others as ignored.
fn take_known(
    map: &mut Map<String, Value>,
    known: &[&str],
    built: &mut Built,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in std::mem::take(map) {
        if key == "pk" {
            continue;
        }
        if known.contains(&key.as_str()) {
            out.insert(key, value);
        } else {
            built.ignored.push(key);
        }
    }
    out
}

fn typed<T: serde::de::DeserializeOwned>(
    id: Uuid,
    map: &mut Map<String, Value>,
    known: &[&str],
    built: &mut Built,
) -> Result<T, FieldProblem> {
    let mut fields = take_known(map, known, built);
    fields.insert("id".into(), Value::String(id.to_string()));
    from_json(&Value::Object(fields))
}

fn name_of(map: &Map<String, Value>) -> Result<String, FieldProblem> {
    match map.get("name") {
        Some(Value::String(name)) => Ok(name.clone()),
        Some(Value::Null) => Err(FieldProblem::new("name", "null is not allowed")),
        Some(other) => Err(FieldProblem::new(
            "name",
            format!("must be a string, not {other}"),
        )),
        None => Err(FieldProblem::whole("name is required")),
    }
}

fn stage(
    id: Uuid,
    model: &str,
    map: &mut Map<String, Value>,
    built: &mut Built,
) -> Result<Stage, FieldProblem> {
    let name = name_of(map)?;
    map.remove("name");
    let kind = match StageKind::default_for(model) {
        Some(default) => {
            let known: Vec<String> = match default.settings_value() {
                Value::Object(m) => m.keys().cloned().collect(),
                _ => Vec::new(),
            };
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            let settings = take_known(map, &known, built);
            StageKind::from_settings_json(model, &Value::Object(settings))?
        }
        None => {
            map.remove("pk");
            StageKind::Other {
                model: model.to_string(),
                attrs: std::mem::take(map),
            }
        }
    };
    Ok(Stage { id, name, kind })
}

fn policy(
    id: Uuid,
    model: &str,
    map: &mut Map<String, Value>,
    built: &mut Built,
) -> Result<Policy, FieldProblem> {
    let name = name_of(map)?;
    map.remove("name");
    // A BooleanField without null=True (`authentik/policies/models.py`): null is refused.
    let execution_logging = match map.remove("execution_logging") {
        None => false,
        Some(Value::Bool(b)) => b,
        Some(Value::Null) => {
            return Err(FieldProblem::new(
                "execution_logging",
                "null is not allowed",
            ));
        }
        Some(other) => {
            return Err(FieldProblem::new(
                "execution_logging",
                format!("must be true or false, not {other}"),
            ));
        }
    };
    let kind = match PolicyKind::default_for(model) {
        Some(default) => {
            let known: Vec<String> = match default.settings_value() {
                Value::Object(m) => m.keys().cloned().collect(),
                _ => Vec::new(),
            };
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            let settings = take_known(map, &known, built);
            PolicyKind::from_settings_json(model, &Value::Object(settings))?
        }
        None => {
            map.remove("pk");
            PolicyKind::Other {
                model: model.to_string(),
                attrs: std::mem::take(map),
            }
        }
    };
    Ok(Policy {
        id,
        name,
        execution_logging,
        kind,
    })
}

fn required_ref(
    doc: &Document,
    map: &Map<String, Value>,
    field: &str,
    kind: ObjKind,
) -> Result<Uuid, FieldProblem> {
    let value = map.get(field).unwrap_or(&Value::Null);
    if value.is_null() {
        return Err(FieldProblem::new(field, format!("{field} is required")));
    }
    resolve(doc, value, &[kind])
        .map(|(_, id)| id)
        .ok_or_else(|| {
            FieldProblem::new(
                field,
                format!("{field} {value} is not a {} in the store", kind.noun()),
            )
        })
}

fn stage_binding(
    doc: &Document,
    id: Uuid,
    map: &mut Map<String, Value>,
    built: &mut Built,
) -> Result<StageBinding, FieldProblem> {
    let target = required_ref(doc, map, "target", ObjKind::Flow)?;
    let stage = required_ref(doc, map, "stage", ObjKind::Stage)?;
    let mut fields = take_known(
        map,
        &[
            "order",
            "evaluate_on_plan",
            "re_evaluate_policies",
            "policy_engine_mode",
            "invalid_response_action",
            "target",
            "stage",
        ],
        built,
    );
    fields.insert("id".into(), Value::String(id.to_string()));
    fields.insert("target".into(), Value::String(target.to_string()));
    fields.insert("stage".into(), Value::String(stage.to_string()));
    from_json(&Value::Object(fields))
}

fn policy_binding(
    doc: &Document,
    lookup: &Lookup,
    id: Uuid,
    map: &mut Map<String, Value>,
    built: &mut Built,
) -> Result<PolicyBinding, FieldProblem> {
    let target_value = map.get("target").cloned().unwrap_or(Value::Null);
    let target = target_of(doc, &target_value).ok_or_else(|| {
        FieldProblem::new(
            "target",
            format!("target {target_value} is not a flow or a stage binding in the store"),
        )
    })?;
    // policy, group and user are nullable foreign keys (`authentik/policies/models.py`).
    let pick = |field: &str, kind: ObjKind| -> Result<Option<Uuid>, FieldProblem> {
        match map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => lookup
                .resolve(doc, value, &[kind])
                .map(|(_, id)| Some(id))
                .ok_or_else(|| {
                    FieldProblem::new(
                        field,
                        format!("{field} {value} is not a {} in the store", kind.noun()),
                    )
                }),
        }
    };
    let subject = Subject::from_parts(
        pick("policy", ObjKind::Policy)?,
        pick("group", ObjKind::Group)?,
        pick("user", ObjKind::User)?,
    )?;
    let mut fields = take_known(
        map,
        &[
            "order",
            "enabled",
            "negate",
            "timeout",
            "failure_result",
            "target",
            "policy",
            "group",
            "user",
        ],
        built,
    );
    for key in ["target", "policy", "group", "user"] {
        fields.remove(key);
    }
    fields.insert("id".into(), Value::String(id.to_string()));
    fields.insert(
        "target".into(),
        serde_json::to_value(target).expect("target"),
    );
    fields.insert(
        "subject".into(),
        serde_json::to_value(subject).expect("subject"),
    );
    from_json(&Value::Object(fields))
}

fn ref_list(
    doc: &Document,
    lookup: &Lookup,
    map: &Map<String, Value>,
    field: &str,
    kind: ObjKind,
) -> Result<Vec<Uuid>, FieldProblem> {
    match map.get(field) {
        None => Ok(Vec::new()),
        // A many-to-many serializer field refuses null ("This field may not be null.").
        Some(Value::Null) => Err(FieldProblem::new(field, "null is not allowed")),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                lookup
                    .resolve(doc, v, &[kind])
                    .map(|(_, id)| id)
                    .ok_or_else(|| {
                        FieldProblem::new(
                            format!("{field}[{i}]"),
                            format!("{v} is not a {} in the store", kind.noun()),
                        )
                    })
            })
            .collect(),
        Some(other) => Err(FieldProblem::new(
            field,
            format!("must be a list, not {other}"),
        )),
    }
}

fn user(
    doc: &Document,
    lookup: &Lookup,
    id: Uuid,
    existing: Option<&Obj>,
    map: &mut Map<String, Value>,
    built: &mut Built,
) -> Result<User, FieldProblem> {
    let groups = ref_list(doc, lookup, map, "groups", ObjKind::Group)?;
    let pk = match (existing, map.get("pk")) {
        (Some(Obj::User(u)), _) if u.pk.is_some() => u.pk,
        (_, Some(Value::Number(n))) => n.as_i64(),
        _ => None,
    };
    let mut fields = take_known(
        map,
        &[
            "username",
            "name",
            "email",
            "is_active",
            "type",
            "path",
            "attributes",
            "groups",
        ],
        built,
    );
    fields.insert("id".into(), Value::String(id.to_string()));
    fields.insert("groups".into(), serde_json::to_value(groups).expect("ids"));
    let mut user: User = from_json(&Value::Object(fields))?;
    user.pk = pk;
    Ok(user)
}

fn group(
    doc: &Document,
    lookup: &Lookup,
    id: Uuid,
    map: &mut Map<String, Value>,
    built: &mut Built,
) -> Result<Group, FieldProblem> {
    let parents = ref_list(doc, lookup, map, "parents", ObjKind::Group)?;
    if map.contains_key("users") {
        built.members = Some(ref_list(doc, lookup, map, "users", ObjKind::User)?);
    }
    let mut fields = take_known(
        map,
        &["name", "is_superuser", "attributes", "parents", "users"],
        built,
    );
    fields.remove("users");
    fields.insert("id".into(), Value::String(id.to_string()));
    fields.insert(
        "parents".into(),
        serde_json::to_value(parents).expect("ids"),
    );
    from_json(&Value::Object(fields))
}
