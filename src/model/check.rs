//! Integrity checks: references that must exist, names that must be unique, fields that must be
//! well formed (the values' limits and authentik's validators are in [`super::values`]). The
//! store runs them over a whole document on load and before saving; the edit
//! layer runs them over each object it changes.

use std::collections::HashMap;

use uuid::Uuid;

use super::document::EntityView;
use super::{Document, Flow, Obj, ObjKind, Prompt, Subject};

/// One integrity problem, located by a JSON path into the store (`$.stage_bindings[3].stage`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// authentik's `validate_slug`: letters, digits, hyphens and underscores, at least one.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Problems with an object's own fields, as `(field, message)`.
pub fn field_problems(obj: &Obj) -> Vec<(&'static str, String)> {
    match obj {
        Obj::Flow(f) => flow_fields(f),
        Obj::Stage(s) => required(&[("name", &s.name)]),
        Obj::Policy(p) => required(&[("name", &p.name)]),
        Obj::Prompt(p) => prompt_fields(p),
        Obj::User(u) => required(&[("username", &u.username)]),
        Obj::Group(g) => required(&[("name", &g.name)]),
        Obj::StageBinding(_) | Obj::PolicyBinding(_) | Obj::Other(_) => Vec::new(),
    }
}

fn required(fields: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .filter(|(_, value)| value.trim().is_empty())
        .map(|(field, _)| (*field, format!("{field} must not be empty")))
        .collect()
}

fn flow_fields(f: &Flow) -> Vec<(&'static str, String)> {
    let mut out = required(&[("name", &f.name), ("title", &f.title)]);
    if !is_valid_slug(&f.slug) {
        out.push((
            "slug",
            format!(
                "slug {:?} is not valid: use letters, numbers, underscores or hyphens",
                f.slug
            ),
        ));
    }
    out
}

fn prompt_fields(p: &Prompt) -> Vec<(&'static str, String)> {
    required(&[("name", &p.name), ("field_key", &p.field_key)])
}

/// The key that must be unique among objects of one kind, if the kind has one.
fn unique_key(obj: &dyn EntityView, kind: ObjKind) -> Option<String> {
    match kind {
        ObjKind::Flow
        | ObjKind::Stage
        | ObjKind::Policy
        | ObjKind::Prompt
        | ObjKind::User
        | ObjKind::Group => Some(obj.view_label().to_string()),
        ObjKind::StageBinding | ObjKind::PolicyBinding | ObjKind::Other => None,
    }
}

pub fn unique_field(kind: ObjKind) -> &'static str {
    match kind {
        ObjKind::Flow => "slug",
        ObjKind::User => "username",
        _ => "name",
    }
}

/// A key authentik keeps unique among the objects of a kind: a label (slug, name, username),
/// or a binding's [`binding_key`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UniqueKey<'a> {
    Label(ObjKind, &'a str),
    Binding(ObjKind, (Uuid, Uuid, i64)),
}

impl UniqueKey<'_> {
    /// The unique keys an object holds.
    pub fn all_of(obj: &Obj) -> Vec<UniqueKey<'_>> {
        let kind = obj.kind();
        let label = match kind {
            ObjKind::StageBinding | ObjKind::PolicyBinding | ObjKind::Other => None,
            _ => Some(UniqueKey::Label(kind, obj.label())),
        };
        label
            .into_iter()
            .chain(binding_key(obj).map(|key| UniqueKey::Binding(kind, key)))
            .collect()
    }

    /// Whether the object `id` of the document holds this key.
    pub fn held_by(&self, doc: &Document, id: Uuid) -> bool {
        match *self {
            UniqueKey::Label(kind, label) => doc.has_label(kind, id, label),
            UniqueKey::Binding(ObjKind::StageBinding, key) => doc
                .stage_bindings
                .get(id)
                .is_some_and(|b| (b.target, b.stage, b.order) == key),
            UniqueKey::Binding(_, key) => doc.policy_bindings.get(id).is_some_and(
                |b| matches!(b.subject, Subject::Policy(p) if (b.target.id(), p, b.order) == key),
            ),
        }
    }
}

/// Who answers whether an object other than `except` holds a unique key: [`Scan`] walks the
/// table (right for one change); an edit batch of many changes keeps an index.
pub trait Holders {
    fn taken(&self, doc: &Document, key: &UniqueKey, except: Uuid) -> bool;
}

/// Answers by walking the table.
pub struct Scan;

impl Holders for Scan {
    fn taken(&self, doc: &Document, key: &UniqueKey, except: Uuid) -> bool {
        match *key {
            UniqueKey::Label(kind, label) => doc.label_taken(kind, label, except),
            UniqueKey::Binding(ObjKind::StageBinding, key) => doc
                .stage_bindings
                .iter()
                .any(|b| b.id != except && (b.target, b.stage, b.order) == key),
            UniqueKey::Binding(_, key) => doc.policy_bindings.iter().any(|b| {
                b.id != except
                    && matches!(b.subject, Subject::Policy(p) if (b.target.id(), p, b.order) == key)
            }),
        }
    }
}

/// (target, stage, order) for stage bindings and (policy, target, order) for policy bindings
/// are unique in authentik; group and user bindings have no such rule (NULL policy).
fn binding_key(obj: &Obj) -> Option<(Uuid, Uuid, i64)> {
    match obj {
        Obj::StageBinding(b) => Some((b.target, b.stage, b.order)),
        Obj::PolicyBinding(b) => match b.subject {
            Subject::Policy(policy) => Some((b.target.id(), policy, b.order)),
            _ => None,
        },
        _ => None,
    }
}

fn path(kind: ObjKind, index: usize, field: &str) -> String {
    if field.is_empty() {
        format!("$.{}[{index}]", kind.table())
    } else {
        format!("$.{}[{index}].{field}", kind.table())
    }
}

/// References to objects that do not exist. A bindery object's pk of an object outside
/// bindery's domain names an other authentik object only when the store has it; otherwise it
/// is a pk of the target instance, kept as written. An other object's references were made
/// from objects of the store, so they must stay there.
fn dangling(doc: &Document, from: ObjKind, refs: &[super::Ref]) -> Vec<(&'static str, String)> {
    refs.iter()
        .filter(|r| !(r.kind == ObjKind::Other && from != ObjKind::Other))
        .filter(|r| !doc.contains(r.kind, r.id))
        .map(|r| {
            (
                r.field,
                format!("refers to {} {}, which does not exist", r.kind.noun(), r.id),
            )
        })
        .collect()
}

/// Every problem in a document, all at once.
pub fn check_document(doc: &Document) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<(ObjKind, String), usize> = HashMap::new();
    let mut refs = Vec::new();
    doc.for_each(|kind, index, object| {
        refs.clear();
        object.view_refs(&mut refs);
        for (field, message) in dangling(doc, kind, &refs) {
            problems.push(Problem {
                path: path(kind, index, field),
                message,
            });
        }
        if let Some(key) = unique_key(object, kind)
            && let Some(first) = seen.insert((kind, key.clone()), index)
        {
            problems.push(Problem {
                path: path(kind, index, unique_field(kind)),
                message: format!(
                    "{} {key:?} is also used by $.{}[{first}]",
                    unique_field(kind),
                    kind.table()
                ),
            });
        }
    });
    let mut field_checks = |kind: ObjKind, index: usize, found: Vec<(&'static str, String)>| {
        for (field, message) in found {
            problems.push(Problem {
                path: path(kind, index, field),
                message,
            });
        }
    };
    for (i, f) in doc.flows.iter().enumerate() {
        field_checks(ObjKind::Flow, i, flow_fields(f));
    }
    for (i, p) in doc.prompts.iter().enumerate() {
        field_checks(ObjKind::Prompt, i, prompt_fields(p));
    }
    for (i, s) in doc.stages.iter().enumerate() {
        field_checks(ObjKind::Stage, i, required(&[("name", &s.name)]));
    }
    for (i, p) in doc.policies.iter().enumerate() {
        field_checks(ObjKind::Policy, i, required(&[("name", &p.name)]));
    }
    for (i, u) in doc.users.iter().enumerate() {
        field_checks(ObjKind::User, i, required(&[("username", &u.username)]));
    }
    for (i, g) in doc.groups.iter().enumerate() {
        field_checks(ObjKind::Group, i, required(&[("name", &g.name)]));
    }
    for (kind, index, _, field, message) in super::values::document_problems(doc) {
        problems.push(Problem {
            path: path(kind, index, &field),
            message,
        });
    }
    let mut keys: HashMap<(ObjKind, (Uuid, Uuid, i64)), usize> = HashMap::new();
    for (index, b) in doc.stage_bindings.iter().enumerate() {
        let key = (ObjKind::StageBinding, (b.target, b.stage, b.order));
        if let Some(first) = keys.insert(key, index) {
            problems.push(Problem {
                path: path(ObjKind::StageBinding, index, "order"),
                message: format!(
                    "binds the same stage to the same flow at the same order as $.stage_bindings[{first}]"
                ),
            });
        }
    }
    for (index, b) in doc.policy_bindings.iter().enumerate() {
        if let Subject::Policy(policy) = b.subject {
            let key = (ObjKind::PolicyBinding, (b.target.id(), policy, b.order));
            if let Some(first) = keys.insert(key, index) {
                problems.push(Problem {
                    path: path(ObjKind::PolicyBinding, index, "order"),
                    message: format!(
                        "binds the same policy to the same target at the same order as $.policy_bindings[{first}]"
                    ),
                });
            }
        }
    }
    problems
}

/// One problem of an object: the field it concerns, as a blueprint names it (stage and policy
/// settings at the top level; empty for the object as a whole), what is wrong, and how
/// [`check_object`] words the two together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectProblem {
    pub field: String,
    pub message: String,
    /// What joins field and message in the sentence; None: the message says it all.
    joiner: Option<&'static str>,
}

impl ObjectProblem {
    fn new(field: impl Into<String>, message: String, joiner: Option<&'static str>) -> Self {
        ObjectProblem {
            field: field.into(),
            message,
            joiner,
        }
    }

    pub fn sentence(&self) -> String {
        match self.joiner {
            Some(joiner) => format!("{}{joiner}{}", self.field, self.message),
            None => self.message.clone(),
        }
    }
}

/// Problems one object would have in `doc` (which may already hold it under the same id):
/// its own fields, its references, and clashes with other objects' unique keys.
pub fn check_object(doc: &Document, obj: &Obj) -> Vec<String> {
    object_problems(doc, obj)
        .iter()
        .map(ObjectProblem::sentence)
        .collect()
}

/// [`check_object`]'s problems with the field each concerns, for pointing at it.
pub fn object_problems(doc: &Document, obj: &Obj) -> Vec<ObjectProblem> {
    object_problems_with(doc, obj, &Scan)
}

/// [`check_object`] asking `holders` who holds a unique key.
pub fn check_object_with(doc: &Document, obj: &Obj, holders: &dyn Holders) -> Vec<String> {
    object_problems_with(doc, obj, holders)
        .iter()
        .map(ObjectProblem::sentence)
        .collect()
}

/// [`object_problems`] asking `holders` who holds a unique key.
pub fn object_problems_with(
    doc: &Document,
    obj: &Obj,
    holders: &dyn Holders,
) -> Vec<ObjectProblem> {
    let kind = obj.kind();
    let id = obj.id();
    let mut out: Vec<ObjectProblem> = field_problems(obj)
        .into_iter()
        .map(|(field, m)| ObjectProblem::new(field, m, None))
        .collect();
    out.extend(
        super::values::value_problems(obj)
            .into_iter()
            .map(|(field, m)| ObjectProblem::new(field, m, Some(": "))),
    );
    out.extend(
        dangling(doc, kind, &obj.refs())
            .into_iter()
            .map(|(field, m)| ObjectProblem::new(field, m, Some(" "))),
    );
    if matches!(
        kind,
        ObjKind::Flow
            | ObjKind::Stage
            | ObjKind::Policy
            | ObjKind::Prompt
            | ObjKind::User
            | ObjKind::Group
    ) {
        let label = obj.label();
        let clash = holders.taken(doc, &UniqueKey::Label(kind, label), id);
        if clash {
            // authentik's unique columns: Flow.slug, Stage.name, Policy.name, Prompt.name,
            // User.username, Group.name (the models' `unique=True`).
            out.push(ObjectProblem::new(
                unique_field(kind),
                format!(
                    "a {} with {} {label:?} already exists",
                    kind.noun(),
                    unique_field(kind)
                ),
                None,
            ));
        }
    }
    if let Some(key) = binding_key(obj)
        && holders.taken(doc, &UniqueKey::Binding(kind, key), id)
    {
        let message = match obj {
            Obj::StageBinding(_) => "this stage is already bound to this flow at this order",
            _ => "this policy is already bound to this target at this order",
        };
        out.push(ObjectProblem::new("order", message.to_string(), None));
    }
    out
}
