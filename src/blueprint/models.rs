//! How authentik's blueprint models map onto bindery's objects: which model is which kind,
//! each object's attributes as authentik's serializer names them, and the importer's lookup.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::authentik_models::AUTHENTIK_MODELS;
use super::query::Condition;
use crate::model::{Document, Entity, Obj, ObjKind, PolicyKind, StageKind, Subject, Target, User};

pub const FLOW: &str = "authentik_flows.flow";
pub const STAGE_BINDING: &str = "authentik_flows.flowstagebinding";
pub const POLICY_BINDING: &str = "authentik_policies.policybinding";
pub const PROMPT: &str = "authentik_stages_prompt.prompt";
pub const USER: &str = "authentik_core.user";
pub const GROUP: &str = "authentik_core.group";

/// Whether authentik has this model (per its blueprint schema).
pub fn is_authentik_model(model: &str) -> bool {
    AUTHENTIK_MODELS.binary_search(&model).is_ok()
}

/// The model authentik has whose name is closest to `model`, if it is close enough to be a
/// likely misspelling (at most a few edits, fewer for short names).
pub fn closest_model(model: &str) -> Option<&'static str> {
    let allowed = (model.chars().count() / 8).clamp(1, 4);
    AUTHENTIK_MODELS
        .iter()
        .map(|known| (edit_distance(model, known), *known))
        .filter(|(d, _)| *d <= allowed)
        .min()
        .map(|(_, known)| known)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// The kind of bindery object a blueprint model becomes, or None for models outside bindery's
/// domain (providers, sources, applications, brands, ...), which an import skips.
pub fn kind_of(model: &str) -> Option<ObjKind> {
    match model {
        FLOW => Some(ObjKind::Flow),
        STAGE_BINDING => Some(ObjKind::StageBinding),
        POLICY_BINDING => Some(ObjKind::PolicyBinding),
        PROMPT => Some(ObjKind::Prompt),
        USER => Some(ObjKind::User),
        GROUP => Some(ObjKind::Group),
        _ if StageKind::lookup(model).is_some_and(|i| i.model == model) => Some(ObjKind::Stage),
        _ if PolicyKind::lookup(model).is_some_and(|i| i.model == model) => Some(ObjKind::Policy),
        _ => {
            // A type bindery does not model yet: stage and policy classes are named so.
            let (app, class) = model.split_once('.')?;
            if app.starts_with("authentik_stages_") && class.ends_with("stage") {
                Some(ObjKind::Stage)
            } else if app.starts_with("authentik_policies_") && class.ends_with("policy") {
                Some(ObjKind::Policy)
            } else {
                None
            }
        }
    }
}

/// The model name of an object, as a blueprint writes it.
pub fn model_of(obj: &Obj) -> &str {
    match obj {
        Obj::Flow(_) => FLOW,
        Obj::Stage(s) => s.kind.model(),
        Obj::Prompt(_) => PROMPT,
        Obj::StageBinding(_) => STAGE_BINDING,
        Obj::Policy(p) => p.kind.model(),
        Obj::PolicyBinding(_) => POLICY_BINDING,
        Obj::User(_) => USER,
        Obj::Group(_) => GROUP,
        Obj::Other(o) => &o.model,
    }
}

/// What `!KeyOf` and `!Find` give for an object: authentik's primary key. Users imported from
/// authentik keep their integer pk; everything else is its UUID.
pub fn pk_of(obj: &Obj) -> Value {
    match obj {
        Obj::User(User { pk: Some(pk), .. }) => json!(pk),
        other => Value::String(other.id().to_string()),
    }
}

/// A user's pk as [`pk_of`] gives it, without copying the user.
fn user_pk(user: &User) -> Value {
    match user.pk {
        Some(pk) => json!(pk),
        None => Value::String(user.id.to_string()),
    }
}

/// A user's pk, or the id of a user the store does not hold.
fn user_ref(doc: &Document, id: Uuid) -> Value {
    doc.users
        .get(id)
        .map_or_else(|| Value::String(id.to_string()), user_pk)
}

/// The members of every group, each list as [`attrs_of`] gives a group's `users`: built once
/// by callers that take the attributes of many groups (see [`attrs_with_members`]).
#[derive(Default)]
pub struct GroupMembers(HashMap<Uuid, Vec<Value>>);

impl GroupMembers {
    pub fn build(doc: &Document) -> GroupMembers {
        let mut members: HashMap<Uuid, Vec<Value>> = HashMap::new();
        for user in doc.users.iter() {
            for (i, group) in user.groups.iter().enumerate() {
                // A user listed twice in a group is one member.
                if !user.groups[..i].contains(group) {
                    members.entry(*group).or_default().push(user_pk(user));
                }
            }
        }
        GroupMembers(members)
    }

    /// The members of `group` alone, from `candidates`: users who may be members, in any
    /// order, maybe twice. Each that is a member counts once, in store order, as in
    /// [`GroupMembers::build`].
    pub fn of_group(doc: &Document, group: Uuid, candidates: &[Uuid]) -> GroupMembers {
        let mut found: Vec<(usize, &User)> = candidates
            .iter()
            .filter_map(|id| Some((doc.index_of(ObjKind::User, *id)?, doc.users.get(*id)?)))
            .filter(|(_, user)| user.groups.contains(&group))
            .collect();
        found.sort_by_key(|(at, _)| *at);
        found.dedup_by_key(|(at, _)| *at);
        let users = found.into_iter().map(|(_, user)| user_pk(user)).collect();
        GroupMembers(HashMap::from_iter([(group, users)]))
    }
}

/// An object's attributes as authentik's API serializer names them, references as pks.
pub fn attrs_of(doc: &Document, obj: &Obj) -> Map<String, Value> {
    attrs_with_members(doc, obj, None)
}

/// [`attrs_of`], a group's users taken from `members` when given rather than by scanning
/// every user.
pub fn attrs_with_members(
    doc: &Document,
    obj: &Obj,
    members: Option<&GroupMembers>,
) -> Map<String, Value> {
    let value = match obj {
        Obj::Flow(f) => json!({
            "name": f.name, "slug": f.slug, "title": f.title, "designation": f.designation,
            "background": f.background, "policy_engine_mode": f.policy_engine_mode,
            "compatibility_mode": f.compatibility_mode, "layout": f.layout,
            "denied_action": f.denied_action, "authentication": f.authentication,
        }),
        Obj::Stage(s) => {
            let mut map = Map::new();
            map.insert("name".into(), json!(s.name));
            if let Value::Object(settings) = s.kind.settings_value() {
                map.extend(settings);
            }
            Value::Object(map)
        }
        Obj::Policy(p) => {
            let mut map = Map::new();
            map.insert("name".into(), json!(p.name));
            map.insert("execution_logging".into(), json!(p.execution_logging));
            if let Value::Object(settings) = p.kind.settings_value() {
                map.extend(settings);
            }
            Value::Object(map)
        }
        Obj::Prompt(p) => {
            let mut value = serde_json::to_value(p).expect("prompt serialises");
            value.as_object_mut().expect("object").remove("id");
            value
        }
        Obj::StageBinding(_) | Obj::PolicyBinding(_) => {
            let mut map = Map::new();
            visit_attrs(doc, obj, members, &mut |key, value| {
                map.insert(key.to_string(), value);
            });
            Value::Object(map)
        }
        Obj::User(u) => json!({
            "username": u.username, "name": u.name, "is_active": u.is_active,
            "groups": u.groups, "email": u.email, "attributes": u.attributes,
            "path": u.path, "type": u.user_type,
        }),
        Obj::Other(o) => Value::Object(super::others::attrs(doc, o)),
        Obj::Group(g) => {
            let users: Vec<Value> = match members {
                Some(members) => members.0.get(&g.id).cloned().unwrap_or_default(),
                None => doc
                    .users
                    .iter()
                    .filter(|u| u.groups.contains(&g.id))
                    .map(user_pk)
                    .collect(),
            };
            json!({
                "name": g.name, "is_superuser": g.is_superuser, "parents": g.parents,
                "users": users, "attributes": g.attributes,
            })
        }
    };
    match value {
        Value::Object(map) => map,
        _ => unreachable!("attribute views are objects"),
    }
}

/// Each attribute of [`attrs_of`] in its order, given to `f` (for the bindings, the bulk of a
/// store, without building a map).
pub fn visit_attrs(
    doc: &Document,
    obj: &Obj,
    members: Option<&GroupMembers>,
    f: &mut dyn FnMut(&str, Value),
) {
    match obj {
        Obj::StageBinding(b) => {
            f("target", json!(b.target));
            f("stage", json!(b.stage));
            f("evaluate_on_plan", json!(b.evaluate_on_plan));
            f("re_evaluate_policies", json!(b.re_evaluate_policies));
            f("order", json!(b.order));
            f("policy_engine_mode", json!(b.policy_engine_mode));
            f("invalid_response_action", json!(b.invalid_response_action));
        }
        Obj::PolicyBinding(b) => {
            let (policy, group, user) = match b.subject {
                Subject::Policy(id) => (json!(id), Value::Null, Value::Null),
                Subject::Group(id) => (Value::Null, json!(id), Value::Null),
                Subject::User(id) => (Value::Null, Value::Null, user_ref(doc, id)),
            };
            f("policy", policy);
            f("group", group);
            f("user", user);
            f("target", json!(b.target.id()));
            f("negate", json!(b.negate));
            f("enabled", json!(b.enabled));
            f("order", json!(b.order));
            f("timeout", json!(b.timeout));
            f("failure_result", json!(b.failure_result));
        }
        _ => {
            for (key, value) in attrs_with_members(doc, obj, members) {
                f(&key, value);
            }
        }
    }
}

/// Whether an attribute equals a blueprint value, as authentik's ORM query would compare
/// them: pks by value, dictionaries by containment (`__contains`).
pub(super) fn values_match(have: &Value, wanted: &Value) -> bool {
    match (have, wanted) {
        (Value::Object(h), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| h.get(k).is_some_and(|hv| values_match(hv, wv))),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::String(b)) => {
            a == b
                || (Uuid::parse_str(a)
                    .ok()
                    .is_some_and(|x| Uuid::parse_str(b).ok() == Some(x)))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| values_match(x, y))
        }
        (a, b) => a == b,
    }
}

/// Whether `pk` (a UUID string, or a user's integer pk) names this object.
pub fn pk_matches(obj: &Obj, pk: &Value) -> bool {
    match (obj, pk) {
        (Obj::User(u), Value::Number(n)) => u.pk.is_some() && n.as_i64() == u.pk,
        (_, Value::String(s)) => Uuid::parse_str(s).is_ok_and(|id| id == obj.id()),
        _ => false,
    }
}

/// An identifier field's value on an object, as [`View::identifier`] reads it.
#[derive(Clone, Copy)]
enum Identifier<'a> {
    Text(&'a str),
    Id(Uuid),
    Order(i64),
    /// A policy binding's `policy`, `group` or `user` when its subject is of another kind.
    OtherSubject,
}

/// An object in the store, borrowed: what lookups walk over without copying anything.
#[derive(Clone, Copy)]
pub(super) enum View<'a> {
    Flow(&'a crate::model::Flow),
    Stage(&'a crate::model::Stage),
    Policy(&'a crate::model::Policy),
    Prompt(&'a crate::model::Prompt),
    StageBinding(&'a crate::model::StageBinding),
    PolicyBinding(&'a crate::model::PolicyBinding),
    User(&'a User),
    Group(&'a crate::model::Group),
}

impl<'a> View<'a> {
    /// The object of `kind` (and, for stages and policies, of `model`) with this id.
    pub(super) fn of(doc: &'a Document, kind: ObjKind, model: &str, id: Uuid) -> Option<Self> {
        Some(match kind {
            ObjKind::Flow => View::Flow(doc.flows.get(id)?),
            ObjKind::Stage => View::Stage(doc.stages.get(id).filter(|s| s.kind.model() == model)?),
            ObjKind::Policy => {
                View::Policy(doc.policies.get(id).filter(|p| p.kind.model() == model)?)
            }
            ObjKind::Prompt => View::Prompt(doc.prompts.get(id)?),
            ObjKind::StageBinding => View::StageBinding(doc.stage_bindings.get(id)?),
            ObjKind::PolicyBinding => View::PolicyBinding(doc.policy_bindings.get(id)?),
            ObjKind::User => View::User(doc.users.get(id)?),
            ObjKind::Group => View::Group(doc.groups.get(id)?),
            ObjKind::Other => return None,
        })
    }

    /// The borrowed view of an object, for keying it.
    pub(super) fn borrow(obj: &'a Obj) -> Option<Self> {
        Some(match obj {
            Obj::Flow(x) => View::Flow(x),
            Obj::Stage(x) => View::Stage(x),
            Obj::Policy(x) => View::Policy(x),
            Obj::Prompt(x) => View::Prompt(x),
            Obj::StageBinding(x) => View::StageBinding(x),
            Obj::PolicyBinding(x) => View::PolicyBinding(x),
            Obj::User(x) => View::User(x),
            Obj::Group(x) => View::Group(x),
            Obj::Other(_) => return None,
        })
    }

    pub(super) fn id(self) -> Uuid {
        match self {
            View::Flow(x) => x.id,
            View::Stage(x) => x.id,
            View::Policy(x) => x.id,
            View::Prompt(x) => x.id,
            View::StageBinding(x) => x.id,
            View::PolicyBinding(x) => x.id,
            View::User(x) => x.id,
            View::Group(x) => x.id,
        }
    }

    /// The usual identifier fields of this object, as stored: what [`Self::key`] indexes and
    /// [`Self::quick_match`] compares; None for the others.
    fn identifier(self, field: &str) -> Option<Identifier<'a>> {
        use Identifier::{Id, Order, Text};
        Some(match (self, field) {
            (View::Flow(f), "slug") => Text(&f.slug),
            (View::Flow(f), "name") => Text(&f.name),
            (View::Stage(s), "name") => Text(&s.name),
            (View::Policy(p), "name") => Text(&p.name),
            (View::Prompt(p), "name") => Text(&p.name),
            (View::Prompt(p), "field_key") => Text(&p.field_key),
            (View::Group(g), "name") => Text(&g.name),
            (View::User(u), "username") => Text(&u.username),
            (View::User(u), "email") => Text(&u.email),
            (View::StageBinding(b), "target") => Id(b.target),
            (View::StageBinding(b), "stage") => Id(b.stage),
            (View::StageBinding(b), "order") => Order(b.order),
            (View::PolicyBinding(b), "target") => Id(b.target.id()),
            (View::PolicyBinding(b), "order") => Order(b.order),
            (View::PolicyBinding(b), "policy" | "group" | "user") => {
                let (kind, have) = match b.subject {
                    Subject::Policy(x) => ("policy", x),
                    Subject::Group(x) => ("group", x),
                    Subject::User(x) => ("user", x),
                };
                // The binding's subject when it is of this kind; a null wanted value matches
                // the bindings whose subject is of another kind.
                if kind == field {
                    Id(have)
                } else {
                    Identifier::OtherSubject
                }
            }
            _ => return None,
        })
    }

    /// The key [`Self::quick_match`] compares `field` by, for an index of that field; None
    /// for the fields it does not know.
    pub(super) fn key(self, field: &str) -> Option<Key> {
        Some(match self.identifier(field)? {
            Identifier::Text(have) => Key::Text(have.to_string()),
            Identifier::Id(have) => Key::Id(have),
            Identifier::Order(have) => Key::number(have as f64),
            Identifier::OtherSubject => Key::Null,
        })
    }

    pub(super) fn to_obj(self) -> Obj {
        match self {
            View::Flow(x) => Obj::Flow(x.clone()),
            View::Stage(x) => Obj::Stage(x.clone()),
            View::Policy(x) => Obj::Policy(x.clone()),
            View::Prompt(x) => Obj::Prompt(x.clone()),
            View::StageBinding(x) => Obj::StageBinding(x.clone()),
            View::PolicyBinding(x) => Obj::PolicyBinding(x.clone()),
            View::User(x) => Obj::User(x.clone()),
            View::Group(x) => Obj::Group(x.clone()),
        }
    }

    pub(super) fn pk_matches(self, pk: &Value) -> bool {
        let id = match self {
            View::User(u) => {
                if let Value::Number(n) = pk {
                    return u.pk.is_some() && n.as_i64() == u.pk;
                }
                u.id
            }
            View::Flow(x) => x.id,
            View::Stage(x) => x.id,
            View::Policy(x) => x.id,
            View::Prompt(x) => x.id,
            View::StageBinding(x) => x.id,
            View::PolicyBinding(x) => x.id,
            View::Group(x) => x.id,
        };
        pk.as_str().and_then(|s| Uuid::parse_str(s).ok()) == Some(id)
    }

    /// The usual identifier fields, compared without building the attribute view; None for
    /// the others.
    fn quick_match(self, doc: &Document, field: &str, wanted: &Value) -> Option<bool> {
        Some(match self.identifier(field)? {
            Identifier::Text(have) => wanted.as_str() == Some(have),
            Identifier::Order(have) => wanted.as_f64() == Some(have as f64),
            Identifier::OtherSubject => wanted.is_null(),
            Identifier::Id(have) => match wanted {
                Value::String(s) => Uuid::parse_str(s).ok() == Some(have),
                Value::Number(n) => doc
                    .users
                    .get(have)
                    .is_some_and(|u| u.pk.is_some() && u.pk == n.as_i64()),
                _ => false,
            },
        })
    }

    /// Whether every pair matches, using the attribute view only for unusual fields.
    pub(super) fn matches_all<'p>(
        self,
        doc: &Document,
        pairs: impl Iterator<Item = (&'p str, &'p Value)>,
    ) -> bool {
        let mut attrs: Option<Map<String, Value>> = None;
        for (field, wanted) in pairs {
            if field == "pk" {
                if !self.pk_matches(wanted) {
                    return false;
                }
                continue;
            }
            let ok = match self.quick_match(doc, field, wanted) {
                Some(ok) => ok,
                None => {
                    let attrs = attrs.get_or_insert_with(|| attrs_of(doc, &self.to_obj()));
                    attrs
                        .get(field)
                        .is_some_and(|have| values_match(have, wanted))
                }
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

/// What an index keys a compared value by: equal keys exactly when the comparison
/// ([`View::quick_match`] for bindery's objects, [`values_match`] for scalars) says equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Text(String),
    Id(Uuid),
    /// The bits of the number as f64 (how both sides compare), zero's sign dropped.
    Number(u64),
    Bool(bool),
    Null,
}

impl Key {
    pub(super) fn number(x: f64) -> Key {
        Key::Number(if x == 0.0 { 0.0f64 } else { x }.to_bits())
    }

    /// The key of a scalar as [`values_match`] compares it (a UUID in any spelling is its
    /// UUID); None for lists and mappings.
    pub(super) fn of_value(value: &Value) -> Option<Key> {
        Some(match value {
            Value::String(s) => match Uuid::parse_str(s) {
                Ok(id) => Key::Id(id),
                Err(_) => Key::Text(s.clone()),
            },
            Value::Number(n) => Key::number(n.as_f64()?),
            Value::Bool(b) => Key::Bool(*b),
            Value::Null => Key::Null,
            Value::Array(_) | Value::Object(_) => return None,
        })
    }

    /// The key a wanted value of `field` has for [`View::quick_match`] on objects of `kind`,
    /// when the index can key it: None for other fields and for values of other types (a
    /// user's integer pk for a reference), which the lookup then checks object by object.
    pub(super) fn wanted(kind: ObjKind, field: &str, wanted: &Value) -> Option<Key> {
        let text = || wanted.as_str().map(|s| Key::Text(s.to_string()));
        let id = || {
            wanted
                .as_str()
                .and_then(|s| Uuid::parse_str(s).ok())
                .map(Key::Id)
        };
        let number = || wanted.as_f64().map(Key::number);
        match (kind, field) {
            (ObjKind::Flow, "slug" | "name")
            | (ObjKind::Stage | ObjKind::Policy | ObjKind::Group, "name")
            | (ObjKind::Prompt, "name" | "field_key")
            | (ObjKind::User, "username" | "email") => text(),
            (ObjKind::StageBinding, "target" | "stage") | (ObjKind::PolicyBinding, "target") => {
                id()
            }
            (ObjKind::StageBinding | ObjKind::PolicyBinding, "order") => number(),
            (ObjKind::PolicyBinding, "policy" | "group" | "user") => match wanted {
                Value::Null => Some(Key::Null),
                _ => id(),
            },
            _ => None,
        }
    }
}

/// Objects of one kind (and, for stages and policies, one model) in store order.
pub(super) fn candidates<'a>(
    doc: &'a Document,
    kind: ObjKind,
    model: &'a str,
) -> Box<dyn Iterator<Item = View<'a>> + 'a> {
    match kind {
        ObjKind::Flow => Box::new(doc.flows.iter().map(View::Flow)),
        ObjKind::Stage => Box::new(
            doc.stages
                .iter()
                .filter(move |s| s.kind.model() == model)
                .map(View::Stage),
        ),
        ObjKind::Policy => Box::new(
            doc.policies
                .iter()
                .filter(move |p| p.kind.model() == model)
                .map(View::Policy),
        ),
        ObjKind::Prompt => Box::new(doc.prompts.iter().map(View::Prompt)),
        ObjKind::StageBinding => Box::new(doc.stage_bindings.iter().map(View::StageBinding)),
        ObjKind::PolicyBinding => Box::new(doc.policy_bindings.iter().map(View::PolicyBinding)),
        ObjKind::User => Box::new(doc.users.iter().map(View::User)),
        ObjKind::Group => Box::new(doc.groups.iter().map(View::Group)),
        // Looked up by `super::others`, never through here.
        ObjKind::Other => Box::new(std::iter::empty()),
    }
}

/// An entry's identifiers as the importer uses them: the `pk` (unless null), and the others.
pub(super) fn split_identifiers(
    identifiers: &Map<String, Value>,
) -> (Option<&Value>, Vec<(&str, &Value)>) {
    let pk = identifiers.get("pk").filter(|v| !v.is_null());
    let others = identifiers
        .iter()
        .filter(|(k, _)| *k != "pk")
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    (pk, others)
}

/// authentik's importer lookup: `pk` matches, OR all other identifiers match together.
pub fn find(doc: &Document, model: &str, identifiers: &Map<String, Value>) -> Option<Obj> {
    let Some(kind) = kind_of(model) else {
        return super::others::find(doc, model, identifiers).map(Obj::Other);
    };
    let (pk, others) = split_identifiers(identifiers);
    candidates(doc, kind, model)
        .find(|view| {
            pk.is_some_and(|pk| view.pk_matches(pk))
                || (!others.is_empty() && view.matches_all(doc, others.iter().copied()))
        })
        .map(View::to_obj)
}

/// `!Find`: the first object of `model` that satisfies every condition.
pub fn find_by(doc: &Document, model: &str, conditions: &[Condition]) -> Option<Obj> {
    let Some(kind) = kind_of(model) else {
        return super::others::find_by(doc, model, conditions).map(Obj::Other);
    };
    let (plain, joined) = Condition::split(conditions);
    candidates(doc, kind, model)
        .filter(|view| view.matches_all(doc, plain.iter().copied()))
        .map(View::to_obj)
        .find(|obj| joined.iter().all(|c| c.holds(doc, obj)))
}

/// The object a reference value names, among the given kinds: a UUID, or a user's integer pk.
pub fn resolve(doc: &Document, value: &Value, kinds: &[ObjKind]) -> Option<(ObjKind, Uuid)> {
    match value {
        Value::String(s) => {
            let id = Uuid::parse_str(s).ok()?;
            kinds
                .iter()
                .find(|k| doc.contains(**k, id))
                .map(|k| (*k, id))
        }
        Value::Number(n) if kinds.contains(&ObjKind::User) => {
            let pk = n.as_i64()?;
            doc.users
                .iter()
                .find(|u| u.pk == Some(pk))
                .map(|u| (ObjKind::User, u.id()))
        }
        _ => None,
    }
}

/// A policy binding's target as a bindery target, if it is a flow or a stage binding.
pub fn target_of(doc: &Document, value: &Value) -> Option<Target> {
    match resolve(doc, value, &[ObjKind::Flow, ObjKind::StageBinding])? {
        (ObjKind::Flow, id) => Some(Target::Flow(id)),
        (_, id) => Some(Target::StageBinding(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_list_is_authentiks_schema() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/authentik/schema.json"
        ))
        .unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        let mut models: Vec<&str> = schema["$defs"]["blueprint_entry"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["properties"]["model"]["const"].as_str().unwrap())
            .collect();
        models.sort_unstable();
        assert_eq!(AUTHENTIK_MODELS, models.as_slice());
        // Every model bindery manages is one of them.
        for model in [FLOW, STAGE_BINDING, POLICY_BINDING, PROMPT, USER, GROUP] {
            assert!(is_authentik_model(model), "{model}");
        }
        for info in StageKind::TYPES {
            assert!(is_authentik_model(info.model), "{}", info.model);
        }
        for info in PolicyKind::TYPES {
            assert!(is_authentik_model(info.model), "{}", info.model);
        }
    }

    #[test]
    fn misspelt_models_get_a_suggestion() {
        assert_eq!(closest_model("authentik_flows.flwo"), Some(FLOW));
        assert_eq!(closest_model("authentik_core.usr"), Some(USER));
        assert_eq!(
            closest_model("authentik_stages_pasword.passwordstage"),
            Some("authentik_stages_password.passwordstage")
        );
        assert_eq!(closest_model("something.else"), None);
        assert_eq!(closest_model(""), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
