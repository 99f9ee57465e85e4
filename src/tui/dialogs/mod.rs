//! The dialogs: which form each action opens, filled from the object it edits, and what its
//! submission does. Objects are built from the form's values through the same code as
//! blueprint imports, so a form accepts exactly what authentik's serializer would.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::form::{Field, FieldValue, Form};
use crate::blueprint::build::build;
use crate::blueprint::models::attrs_of;
use crate::edit::Op;
use crate::model::fields::{FieldKind, FieldSpec};
use crate::model::*;

/// What a form is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    CreateFlow,
    EditFlow(Uuid),
    /// A new stage of `model`, bound to `bind_to` when given (create and bind).
    CreateStage {
        model: String,
        bind_to: Option<Uuid>,
    },
    EditStage(Uuid),
    BindStage {
        flow: Uuid,
    },
    EditStageBinding(Uuid),
    CreateBinding {
        target: Target,
    },
    EditPolicyBinding(Uuid),
    CreatePolicy {
        model: String,
    },
    EditPolicy(Uuid),
    CreateUser,
    EditUser(Uuid),
    CreateGroup,
    EditGroup(Uuid),
    /// Copy a flow, shallow or deep.
    Duplicate {
        flow: Uuid,
    },
    /// Choose the user of the Simulate tab.
    SimulateAs {
        flow: Uuid,
    },
    /// Write the flow's blueprint to a file, by default `<slug>.yaml` in `dir`.
    ExportTo {
        flow: Uuid,
        dir: std::path::PathBuf,
    },
    /// Apply blueprint files; relative paths are read from `dir` (the working directory).
    ImportFrom {
        dir: std::path::PathBuf,
    },
}

impl Purpose {
    /// The form that edits an existing object of this kind (prompts are edited through their
    /// stages' forms).
    pub fn edit(kind: ObjKind, id: Uuid) -> Option<Purpose> {
        Some(match kind {
            ObjKind::Flow => Purpose::EditFlow(id),
            ObjKind::Stage => Purpose::EditStage(id),
            ObjKind::Policy => Purpose::EditPolicy(id),
            ObjKind::User => Purpose::EditUser(id),
            ObjKind::Group => Purpose::EditGroup(id),
            ObjKind::StageBinding => Purpose::EditStageBinding(id),
            ObjKind::PolicyBinding => Purpose::EditPolicyBinding(id),
            ObjKind::Prompt | ObjKind::Other => return None,
        })
    }

    /// The object an edit form edits: the inverse of [`Purpose::edit`].
    pub fn edited(&self) -> Option<(ObjKind, Uuid)> {
        Some(match self {
            Purpose::EditFlow(id) => (ObjKind::Flow, *id),
            Purpose::EditStage(id) => (ObjKind::Stage, *id),
            Purpose::EditPolicy(id) => (ObjKind::Policy, *id),
            Purpose::EditUser(id) => (ObjKind::User, *id),
            Purpose::EditGroup(id) => (ObjKind::Group, *id),
            Purpose::EditStageBinding(id) => (ObjKind::StageBinding, *id),
            Purpose::EditPolicyBinding(id) => (ObjKind::PolicyBinding, *id),
            _ => return None,
        })
    }
}

/// What a form that does more than one edit leads to.
#[derive(Clone, Debug, PartialEq)]
pub enum Special {
    SimulateAs(Option<Uuid>),
    Write {
        path: String,
        text: String,
    },
    Apply {
        label: String,
        ops: Vec<Op>,
    },
    /// Import these files: each on its own, or all or nothing.
    Import {
        files: Vec<std::path::PathBuf>,
        each: bool,
    },
}

/// Handles the forms that are not plain creates and edits; None for the others.
pub fn submit_special(doc: &Document, form: &Form) -> Result<Option<Special>, String> {
    let special = match &form.purpose {
        Purpose::SimulateAs { .. } => {
            let values = form.values()?;
            Special::SimulateAs(uuid_value(&values, "user"))
        }
        Purpose::ExportTo { flow, .. } => {
            let values = form.values()?;
            let path = values
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_string();
            if path.is_empty() {
                return Err("Path: where should the blueprint go?".into());
            }
            let node =
                crate::blueprint::export_flow(doc, *flow, crate::blueprint::Reach::Standalone)
                    .ok_or("the flow is gone")?;
            Special::Write {
                path,
                text: crate::blueprint::yaml::emit(&node),
            }
        }
        Purpose::ImportFrom { dir } => {
            let values = form.values()?;
            let files: Vec<std::path::PathBuf> = values
                .get("files")
                .and_then(Value::as_str)
                .unwrap_or("")
                .split_whitespace()
                .map(|f| dir.join(f))
                .collect();
            if files.is_empty() {
                return Err("Files: which blueprint files should be imported?".into());
            }
            let each = values
                .get("mode")
                .and_then(Value::as_str)
                .is_some_and(|m| m.starts_with("each"));
            Special::Import { files, each }
        }
        Purpose::Duplicate { flow } => {
            let values = form.values()?;
            let slug = values
                .get("slug")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_string();
            let suffix = values
                .get("suffix")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let deep = values
                .get("depth")
                .and_then(Value::as_str)
                .is_some_and(|d| d.starts_with("deep"));
            let depth = if deep {
                crate::edit::Depth::Deep
            } else {
                crate::edit::Depth::Shallow
            };
            let ops = crate::edit::duplicate_flow(doc, *flow, &slug, &suffix, depth)?;
            let label = format!(
                "duplicate flow '{}' as '{slug}'",
                doc.label_of(ObjKind::Flow, *flow)
            );
            Special::Apply { label, ops }
        }
        _ => return Ok(None),
    };
    Ok(Some(special))
}

fn text(key: &str, label: &str, value: &Value) -> Field {
    Field::new(
        key,
        label,
        FieldValue::Text(value.as_str().unwrap_or_default().to_string()),
    )
}

fn choice(key: &str, label: &str, options: &[&str], value: &Value, optional: bool) -> Field {
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

fn json(key: &str, label: &str, value: &Value) -> Field {
    Field::new(key, label, FieldValue::Json(value.to_string()))
}

/// "Create user" for a new object (no name yet), "Edit user alice" for an existing one.
fn create_or_edit_title(noun: &str, name: &str) -> String {
    if name.is_empty() {
        format!("Create {noun}")
    } else {
        format!("Edit {noun} {name}")
    }
}

fn toggle(key: &str, label: &str, value: &Value) -> Field {
    Field::new(
        key,
        label,
        FieldValue::Toggle(value.as_bool().unwrap_or(false)),
    )
}

fn number(key: &str, label: &str, value: &Value) -> Field {
    let text = match value {
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    Field::new(key, label, FieldValue::Number(text))
}

/// The objects of a kind for a drop-down, by label.
fn objects(doc: &Document, kind: ObjKind) -> Vec<(Uuid, String)> {
    let mut out = Vec::new();
    doc.for_each(|k, _, object| {
        if k == kind {
            out.push((object.view_id(), object.view_label().to_string()));
        }
    });
    out
}

fn pick(
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

fn multi(key: &str, label: &str, items: Vec<(String, String)>, chosen: &Value) -> Field {
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

/// Fields for a stage's or policy's settings: typed fields when the kind is known (`specs`),
/// otherwise one raw JSON field so unknown kinds stay editable without loss.
fn kind_fields(doc: &Document, specs: Option<Vec<FieldSpec>>, settings: Value) -> Vec<Field> {
    let values = match settings {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    match specs {
        Some(specs) => settings_fields(doc, &specs, &values),
        None => vec![json("_attrs", "Attributes (JSON)", &Value::Object(values))],
    }
}

/// Fields for typed settings, from their specs and current values.
fn settings_fields(doc: &Document, specs: &[FieldSpec], values: &Map<String, Value>) -> Vec<Field> {
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

fn flow_fields(values: &Map<String, Value>) -> Vec<Field> {
    let v = |k: &str| values.get(k).cloned().unwrap_or(Value::Null);
    vec![
        text("name", "Name", &v("name")),
        text("title", "Title", &v("title")),
        text("slug", "Slug", &v("slug")),
        choice(
            "designation",
            "Designation",
            Designation::NAMES,
            &v("designation"),
            false,
        ),
        choice(
            "authentication",
            "Authentication",
            AuthenticationRequirement::NAMES,
            &v("authentication"),
            false,
        ),
        choice(
            "policy_engine_mode",
            "Policy engine mode",
            EngineMode::NAMES,
            &v("policy_engine_mode"),
            false,
        ),
        choice(
            "denied_action",
            "Denied action",
            DeniedAction::NAMES,
            &v("denied_action"),
            false,
        ),
        choice("layout", "Layout", Layout::NAMES, &v("layout"), false),
        toggle(
            "compatibility_mode",
            "Compatibility mode",
            &v("compatibility_mode"),
        ),
        text("background", "Background", &v("background")),
    ]
}

/// The next free order after the highest one in use, inside authentik's range (every one of
/// the 2^32 orders in use cannot happen; the check then refuses the tie).
fn next_order(orders: impl Iterator<Item = i64>) -> i64 {
    crate::model::limits::next_free_order(orders).unwrap_or(crate::model::limits::ORDER.max)
}

fn stage_binding_fields(values: &Map<String, Value>) -> Vec<Field> {
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

const SUBJECT_KINDS: [&str; 3] = ["Policy", "Group", "User"];

fn subject_items(doc: &Document, tab: usize) -> Vec<(Option<Uuid>, String)> {
    let kind = [ObjKind::Policy, ObjKind::Group, ObjKind::User][tab.min(2)];
    objects(doc, kind)
        .into_iter()
        .map(|(id, l)| (Some(id), l))
        .collect()
}

/// Whether a group or user binding on `target` is evaluated only before anyone is identified,
/// where it can never match.
pub fn never_matches_warning(doc: &Document, target: Target) -> Option<String> {
    let (flow, at_plan_only) = match target {
        Target::Flow(id) => (doc.flows.get(id)?, true),
        Target::StageBinding(id) => {
            let b = doc.stage_bindings.get(id)?;
            (doc.flows.get(b.target)?, b.evaluate_on_plan)
        }
    };
    let early = matches!(
        flow.designation,
        Designation::Authentication | Designation::Enrollment | Designation::Recovery
    ) && flow.authentication != AuthenticationRequirement::RequireAuthenticated;
    (early && at_plan_only).then(|| {
        format!(
            "Warning: this is evaluated when the {} flow is planned, before anyone is identified: a group or user binding here never matches (negated or not).",
            flow.designation
        )
    })
}

fn binding_fields(doc: &Document, target: Target, existing: Option<&PolicyBinding>) -> Vec<Field> {
    let (tab, current) = match existing.map(|b| b.subject) {
        Some(Subject::Policy(id)) => (0, Some(id)),
        Some(Subject::Group(id)) => (1, Some(id)),
        Some(Subject::User(id)) => (2, Some(id)),
        None => (0, None),
    };
    let order = existing.map_or_else(
        || next_order(doc.policy_bindings_of(target.id()).iter().map(|b| b.order)),
        |b| b.order,
    );
    let defaults = PolicyBinding::new(target, Subject::Policy(Uuid::nil()), order);
    let b = existing.unwrap_or(&defaults);
    let mut items = subject_items(doc, tab);
    let highlighted = items.iter().position(|(id, _)| *id == current).unwrap_or(0);
    if items.is_empty() {
        items = Vec::new();
    }
    let mut fields = vec![
        Field::new(
            "_kind",
            "Bind a",
            FieldValue::Tabs {
                options: SUBJECT_KINDS.iter().map(|s| s.to_string()).collect(),
                index: tab,
            },
        ),
        Field::new(
            "_subject",
            SUBJECT_KINDS[tab],
            FieldValue::Pick {
                items,
                query: String::new(),
                highlighted,
            },
        ),
        Field::new("enabled", "Enabled", FieldValue::Toggle(b.enabled)),
        Field::new("negate", "Negate result", FieldValue::Toggle(b.negate)),
        Field::new("order", "Order", FieldValue::Number(b.order.to_string())),
        Field::new(
            "timeout",
            "Timeout (seconds)",
            FieldValue::Number(b.timeout.to_string()),
        ),
        Field::new(
            "failure_result",
            "Failure result",
            FieldValue::Choice {
                options: vec!["don't pass".into(), "pass".into()],
                index: usize::from(b.failure_result),
            },
        ),
    ];
    fields.push(Field::new("", "", FieldValue::Note(String::new())));
    fields
}

/// Keeps dependent fields in step after an edit: the Create binding dialog's drop-down
/// follows its Policy / Group / User tab, and its warning follows the choice.
pub fn after_edit(form: &mut Form, doc: &Document) {
    let target = match &form.purpose {
        Purpose::CreateBinding { target } => *target,
        Purpose::EditPolicyBinding(id) => match doc.policy_bindings.get(*id) {
            Some(b) => b.target,
            None => return,
        },
        _ => return,
    };
    let Some(FieldValue::Tabs { index, .. }) = form.field("_kind").map(|f| f.value.clone()) else {
        return;
    };
    if let Some(field) = form.field_mut("_subject") {
        field.label = SUBJECT_KINDS[index.min(2)].to_string();
        if let FieldValue::Pick {
            items,
            query,
            highlighted,
        } = &mut field.value
        {
            let wanted = subject_items(doc, index);
            if wanted
                .iter()
                .map(|(id, _)| *id)
                .ne(items.iter().map(|(id, _)| *id))
            {
                *items = wanted;
                query.clear();
                *highlighted = 0;
            }
        }
    }
    let note = if index > 0 {
        never_matches_warning(doc, target).unwrap_or_default()
    } else {
        String::new()
    };
    if let Some(field) = form
        .fields
        .iter_mut()
        .find(|f| matches!(f.value, FieldValue::Note(_)) && f.key.is_empty())
    {
        field.value = FieldValue::Note(note);
    }
}

/// The form that creates or edits something.
pub fn open(doc: &Document, purpose: Purpose) -> Option<Form> {
    let form = match &purpose {
        Purpose::Duplicate { flow } => {
            let f = doc.flows.get(*flow)?;
            let fields = vec![
                text(
                    "slug",
                    "New slug",
                    &Value::String(format!("{}-copy", f.slug)),
                ),
                Field::new(
                    "depth",
                    "Copy",
                    FieldValue::Choice {
                        options: vec![
                            "shallow (same stages, policies)".into(),
                            "deep (copies of them)".into(),
                        ],
                        index: 0,
                    },
                ),
                text(
                    "suffix",
                    "Suffix for copied names",
                    &Value::String("-copy".into()),
                ),
            ];
            Form::new(
                format!("Duplicate flow {}", f.slug),
                purpose.clone(),
                fields,
            )
        }
        Purpose::ImportFrom { dir } => {
            let fields = vec![
                text("files", "Files", &Value::String(String::new())),
                Field::new(
                    "mode",
                    "Apply",
                    FieldValue::Choice {
                        options: vec!["all or nothing".into(), "each file on its own".into()],
                        index: 0,
                    },
                ),
                Field::new(
                    "",
                    "",
                    FieldValue::Note(
                        "All or nothing: one failing file applies none. Each on its own: as \
                         authentik does, a failing file leaves out only itself."
                            .into(),
                    ),
                ),
                Field::new(
                    "",
                    "",
                    FieldValue::Note(format!(
                        "Separate files with spaces; relative paths are read from {}",
                        dir.display()
                    )),
                ),
            ];
            Form::new("Import blueprints", purpose.clone(), fields)
        }
        Purpose::SimulateAs { .. } => {
            let fields = vec![pick(
                "user",
                "User",
                objects(doc, ObjKind::User),
                None,
                true,
            )];
            Form::new("Simulate as", purpose.clone(), fields)
        }
        Purpose::ExportTo { flow, dir } => {
            let f = doc.flows.get(*flow)?;
            let path = dir.join(format!("{}.yaml", f.slug));
            // The field may be too narrow for the whole path: the note shows the directory.
            let fields = vec![
                text(
                    "path",
                    "Write to file",
                    &Value::String(path.display().to_string()),
                ),
                Field::new(
                    "",
                    "",
                    FieldValue::Note(format!("Proposed: beside the store, in {}", dir.display())),
                ),
            ];
            Form::new("Export blueprint", purpose.clone(), fields)
        }
        Purpose::CreateFlow => {
            let template = Flow::new("", "", Designation::Authentication);
            let mut values = attrs_of(doc, &Obj::Flow(template));
            values.insert("title".into(), Value::String(String::new()));
            Form::new("Create flow", purpose.clone(), flow_fields(&values))
        }
        Purpose::EditFlow(id) => {
            let flow = doc.flows.get(*id)?;
            let values = attrs_of(doc, &Obj::Flow(flow.clone()));
            Form::new(
                format!("Edit flow {}", flow.slug),
                purpose.clone(),
                flow_fields(&values),
            )
        }
        Purpose::CreateStage { model, bind_to } => {
            let kind = StageKind::default_for(model)?;
            let mut fields = vec![text("name", "Name", &Value::String(String::new()))];
            let values = match kind.settings_value() {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            fields.extend(settings_fields(doc, &kind.field_specs(), &values));
            if let Some(flow) = bind_to {
                let order = next_order(doc.bindings_of_flow(*flow).iter().map(|b| b.order));
                let template = StageBinding::new(*flow, Uuid::nil(), order);
                let values = attrs_of(doc, &Obj::StageBinding(template));
                fields.push(Field::new("", "", FieldValue::Note("Binding".into())));
                fields.extend(stage_binding_fields(&values).into_iter().map(|mut f| {
                    f.key = format!("binding.{}", f.key);
                    f
                }));
            }
            Form::new(format!("Create {}", kind.title()), purpose.clone(), fields)
        }
        Purpose::EditStage(id) => {
            let stage = doc.stages.get(*id)?;
            let mut fields = vec![text("name", "Name", &Value::String(stage.name.clone()))];
            fields.extend(kind_fields(
                doc,
                stage.kind.is_known().then(|| stage.kind.field_specs()),
                stage.kind.settings_value(),
            ));
            Form::new(
                format!("Edit {} {}", stage.kind.title(), stage.name),
                purpose.clone(),
                fields,
            )
        }
        Purpose::BindStage { flow } => {
            let order = next_order(doc.bindings_of_flow(*flow).iter().map(|b| b.order));
            let values = attrs_of(
                doc,
                &Obj::StageBinding(StageBinding::new(*flow, Uuid::nil(), order)),
            );
            let mut fields = vec![pick(
                "stage",
                "Stage",
                objects(doc, ObjKind::Stage),
                None,
                false,
            )];
            fields.extend(stage_binding_fields(&values));
            Form::new("Bind existing stage", purpose.clone(), fields)
        }
        Purpose::EditStageBinding(id) => {
            let b = doc.stage_bindings.get(*id)?;
            let values = attrs_of(doc, &Obj::StageBinding(b.clone()));
            let title = format!("Edit binding of {}", doc.label_of(ObjKind::Stage, b.stage));
            Form::new(title, purpose.clone(), stage_binding_fields(&values))
        }
        Purpose::CreateBinding { target } => {
            let mut form = Form::new(
                "Create binding",
                purpose.clone(),
                binding_fields(doc, *target, None),
            );
            after_edit(&mut form, doc);
            form
        }
        Purpose::EditPolicyBinding(id) => {
            let b = doc.policy_bindings.get(*id)?;
            let mut form = Form::new(
                "Edit binding",
                purpose.clone(),
                binding_fields(doc, b.target, Some(b)),
            );
            after_edit(&mut form, doc);
            form
        }
        Purpose::CreatePolicy { model } => {
            let kind = PolicyKind::default_for(model)?;
            let mut fields = vec![
                text("name", "Name", &Value::String(String::new())),
                toggle(
                    "execution_logging",
                    "Execution logging",
                    &Value::Bool(false),
                ),
            ];
            let values = match kind.settings_value() {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            fields.extend(settings_fields(doc, &kind.field_specs(), &values));
            Form::new(format!("Create {}", kind.title()), purpose.clone(), fields)
        }
        Purpose::EditPolicy(id) => {
            let p = doc.policies.get(*id)?;
            let mut fields = vec![
                text("name", "Name", &Value::String(p.name.clone())),
                toggle(
                    "execution_logging",
                    "Execution logging",
                    &Value::Bool(p.execution_logging),
                ),
            ];
            fields.extend(kind_fields(
                doc,
                p.kind.is_known().then(|| p.kind.field_specs()),
                p.kind.settings_value(),
            ));
            Form::new(
                format!("Edit {} {}", p.kind.title(), p.name),
                purpose.clone(),
                fields,
            )
        }
        Purpose::CreateUser | Purpose::EditUser(_) => {
            let user = match &purpose {
                Purpose::EditUser(id) => doc.users.get(*id)?.clone(),
                _ => User::new(""),
            };
            let values = attrs_of(doc, &Obj::User(user.clone()));
            let v = |k: &str| values.get(k).cloned().unwrap_or(Value::Null);
            let groups: Vec<(String, String)> = objects(doc, ObjKind::Group)
                .into_iter()
                .map(|(id, l)| (id.to_string(), l))
                .collect();
            let fields = vec![
                text("username", "Username", &v("username")),
                text("name", "Name", &v("name")),
                text("email", "Email", &v("email")),
                toggle("is_active", "Active", &v("is_active")),
                choice("type", "Type", UserType::NAMES, &v("type"), false),
                text("path", "Path", &v("path")),
                multi("groups", "Groups", groups, &v("groups")),
                json("attributes", "Attributes (JSON)", &v("attributes")),
            ];
            Form::new(
                create_or_edit_title("user", &user.username),
                purpose.clone(),
                fields,
            )
        }
        Purpose::CreateGroup | Purpose::EditGroup(_) => {
            let group = match &purpose {
                Purpose::EditGroup(id) => doc.groups.get(*id)?.clone(),
                _ => Group::new(""),
            };
            let values = attrs_of(doc, &Obj::Group(group.clone()));
            let v = |k: &str| values.get(k).cloned().unwrap_or(Value::Null);
            let parents: Vec<(String, String)> = objects(doc, ObjKind::Group)
                .into_iter()
                .filter(|(id, _)| *id != group.id)
                .map(|(id, l)| (id.to_string(), l))
                .collect();
            let fields = vec![
                text("name", "Name", &v("name")),
                toggle(
                    "is_superuser",
                    "Superuser (members are superusers)",
                    &v("is_superuser"),
                ),
                multi("parents", "Parents", parents, &v("parents")),
                json("attributes", "Attributes (JSON)", &v("attributes")),
            ];
            Form::new(
                create_or_edit_title("group", &group.name),
                purpose.clone(),
                fields,
            )
        }
    };
    let mut form = form;
    form.seen = super::stale::snapshot(doc, &form.purpose);
    form.mark_opened();
    Some(form)
}

/// Whether a form edits an existing object (and so submits only what changed).
fn is_edit(purpose: &Purpose) -> bool {
    purpose.edited().is_some()
}

/// The raw attributes of a kind bindery does not model, when the user changed them.
fn raw_attrs(values: &mut Map<String, Value>) -> Result<Option<Map<String, Value>>, String> {
    match values.remove("_attrs") {
        None => Ok(None),
        Some(Value::Object(attrs)) => Ok(Some(attrs)),
        Some(_) => Err("Attributes (JSON): a JSON object ({...}) is needed".into()),
    }
}

fn uuid_value(values: &Map<String, Value>, key: &str) -> Option<Uuid> {
    values
        .get(key)?
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
}

fn built(
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

/// The operations a submitted form performs (several for create and bind, one step in the
/// history), or why its values are not acceptable.
pub fn submit(doc: &Document, form: &Form) -> Result<(String, Vec<Op>), String> {
    // An edit sends only what the user changed, as a patch over the object's attributes.
    let mut values = if is_edit(&form.purpose) {
        form.changes()?
    } else {
        form.values()?
    };
    let ops = match &form.purpose {
        Purpose::Duplicate { .. }
        | Purpose::SimulateAs { .. }
        | Purpose::ExportTo { .. }
        | Purpose::ImportFrom { .. } => {
            return Err("this form is handled elsewhere".into());
        }
        Purpose::CreateFlow => vec![Op::Create(built(
            doc,
            ObjKind::Flow,
            "authentik_flows.flow",
            None,
            &values,
        )?)],
        Purpose::EditFlow(id) => {
            let existing = Obj::Flow(doc.flows.get(*id).ok_or("the flow is gone")?.clone());
            vec![Op::Update(built(
                doc,
                ObjKind::Flow,
                "authentik_flows.flow",
                Some(&existing),
                &values,
            )?)]
        }
        Purpose::CreateStage { model, bind_to } => {
            let binding: Map<String, Value> = values
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("binding.")
                        .map(|k| (k.to_string(), v.clone()))
                })
                .collect();
            values.retain(|k, _| !k.starts_with("binding."));
            let stage = built(doc, ObjKind::Stage, model, None, &values)?;
            let mut ops = vec![Op::Create(stage.clone())];
            if let Some(flow) = bind_to {
                let mut b = binding;
                b.insert("id".into(), Value::String(Uuid::new_v4().to_string()));
                b.insert("target".into(), Value::String(flow.to_string()));
                b.insert("stage".into(), Value::String(stage.id().to_string()));
                let binding: StageBinding =
                    serde_json::from_value(Value::Object(b)).map_err(|e| e.to_string())?;
                ops.push(Op::Create(Obj::StageBinding(binding)));
            }
            ops
        }
        Purpose::EditStage(id) => {
            let stage = doc.stages.get(*id).ok_or("the stage is gone")?.clone();
            if form.field("_attrs").is_some() {
                let mut updated = stage.clone();
                if let Some(name) = values.get("name").and_then(Value::as_str) {
                    updated.name = name.to_string();
                }
                if let Some(attrs) = raw_attrs(&mut values)? {
                    updated.kind = StageKind::Other {
                        model: stage.kind.model().to_string(),
                        attrs,
                    };
                }
                vec![Op::Update(Obj::Stage(updated))]
            } else {
                let model = stage.kind.model().to_string();
                vec![Op::Update(built(
                    doc,
                    ObjKind::Stage,
                    &model,
                    Some(&Obj::Stage(stage)),
                    &values,
                )?)]
            }
        }
        Purpose::BindStage { flow } => {
            values.insert("target".into(), Value::String(flow.to_string()));
            vec![Op::Create(built(
                doc,
                ObjKind::StageBinding,
                "authentik_flows.flowstagebinding",
                None,
                &values,
            )?)]
        }
        Purpose::EditStageBinding(id) => {
            let existing = Obj::StageBinding(
                doc.stage_bindings
                    .get(*id)
                    .ok_or("the binding is gone")?
                    .clone(),
            );
            vec![Op::Update(built(
                doc,
                ObjKind::StageBinding,
                "authentik_flows.flowstagebinding",
                Some(&existing),
                &values,
            )?)]
        }
        Purpose::CreateBinding { .. } | Purpose::EditPolicyBinding(_) => {
            let mut binding = match &form.purpose {
                Purpose::CreateBinding { target } => {
                    PolicyBinding::new(*target, Subject::Policy(Uuid::nil()), 0)
                }
                Purpose::EditPolicyBinding(id) => doc
                    .policy_bindings
                    .get(*id)
                    .ok_or("the binding is gone")?
                    .clone(),
                _ => unreachable!(),
            };
            // The kind tab and the drop-down name the subject together.
            if values.contains_key("_kind") || values.contains_key("_subject") {
                let field = |key: &str| match form.field(key) {
                    Some(field) => field.attribute(),
                    None => Ok(None),
                };
                let tab = field("_kind")?.and_then(|v| v.as_u64()).unwrap_or(0) as usize;
                let subject_id = field("_subject")?
                    .and_then(|v| v.as_str().and_then(|s| s.parse::<Uuid>().ok()))
                    .ok_or("choose what to bind")?;
                binding.subject =
                    [Subject::Policy, Subject::Group, Subject::User][tab.min(2)](subject_id);
            }
            if let Some(order) = values.get("order") {
                binding.order = order.as_i64().ok_or("Order: a whole number is needed")?;
            }
            if let Some(timeout) = values.get("timeout") {
                let timeout = timeout
                    .as_u64()
                    .ok_or("Timeout: a whole number of seconds is needed")?;
                binding.timeout = u32::try_from(timeout).map_err(|_| "Timeout: too large")?;
            }
            if let Some(enabled) = values.get("enabled").and_then(Value::as_bool) {
                binding.enabled = enabled;
            }
            if let Some(negate) = values.get("negate").and_then(Value::as_bool) {
                binding.negate = negate;
            }
            if let Some(result) = values.get("failure_result") {
                binding.failure_result = result.as_str() == Some("pass");
            }
            match &form.purpose {
                Purpose::CreateBinding { .. } => vec![Op::Create(Obj::PolicyBinding(binding))],
                _ => vec![Op::Update(Obj::PolicyBinding(binding))],
            }
        }
        Purpose::CreatePolicy { model } => vec![Op::Create(built(
            doc,
            ObjKind::Policy,
            model,
            None,
            &values,
        )?)],
        Purpose::EditPolicy(id) => {
            let policy = doc.policies.get(*id).ok_or("the policy is gone")?.clone();
            if form.field("_attrs").is_some() {
                let mut updated = policy.clone();
                if let Some(name) = values.get("name").and_then(Value::as_str) {
                    updated.name = name.to_string();
                }
                if let Some(logging) = values.get("execution_logging").and_then(Value::as_bool) {
                    updated.execution_logging = logging;
                }
                if let Some(attrs) = raw_attrs(&mut values)? {
                    updated.kind = PolicyKind::Other {
                        model: policy.kind.model().to_string(),
                        attrs,
                    };
                }
                vec![Op::Update(Obj::Policy(updated))]
            } else {
                let model = policy.kind.model().to_string();
                vec![Op::Update(built(
                    doc,
                    ObjKind::Policy,
                    &model,
                    Some(&Obj::Policy(policy)),
                    &values,
                )?)]
            }
        }
        Purpose::CreateUser => vec![Op::Create(built(
            doc,
            ObjKind::User,
            "authentik_core.user",
            None,
            &values,
        )?)],
        Purpose::EditUser(id) => {
            let existing = Obj::User(doc.users.get(*id).ok_or("the user is gone")?.clone());
            vec![Op::Update(built(
                doc,
                ObjKind::User,
                "authentik_core.user",
                Some(&existing),
                &values,
            )?)]
        }
        Purpose::CreateGroup => vec![Op::Create(built(
            doc,
            ObjKind::Group,
            "authentik_core.group",
            None,
            &values,
        )?)],
        Purpose::EditGroup(id) => {
            let existing = Obj::Group(doc.groups.get(*id).ok_or("the group is gone")?.clone());
            vec![Op::Update(built(
                doc,
                ObjKind::Group,
                "authentik_core.group",
                Some(&existing),
                &values,
            )?)]
        }
    };
    let label = form.title.clone();
    Ok((label, ops))
}
