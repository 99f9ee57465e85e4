//! The values of one object checked against [`limits`](super::limits) and authentik's
//! [`validators`](super::validators): every text's length, every free JSON value's nesting and
//! size, every integer's range, every time length and email address. Each problem is
//! `(path, message)` with the path as a person wrote it (`attributes.x`, `session_duration`);
//! for stages and policies the path is inside `settings`.

use serde_json::{Map, Value};

use super::expression::expression_problem;
use super::fields::FieldKind;
use super::limits::{
    self, MAX_USERNAME_CHARS, ORDER, POSITIVE_INTEGER, USER_PK, int_problem, map_problem,
    setting_range, text_problem, value_problem,
};
use super::validators::{
    EMAIL_FIELDS, PYTHON_FIELDS, TIME_LENGTH_FIELDS, email_problem, time_length_problem,
};
use super::{
    Flow, Group, Obj, OtherObject, Policy, PolicyBinding, Prompt, Stage, StageBinding, User,
};

pub type Found = Vec<(String, String)>;

/// Every value problem of one object.
pub fn value_problems(obj: &Obj) -> Found {
    match obj {
        Obj::Flow(f) => flow(f),
        Obj::Stage(s) => stage(s),
        Obj::Prompt(p) => prompt(p),
        Obj::StageBinding(b) => stage_binding(b),
        Obj::Policy(p) => policy(p),
        Obj::PolicyBinding(b) => policy_binding(b),
        Obj::User(u) => user(u),
        Obj::Group(g) => group(g),
        Obj::Other(o) => other(o),
    }
}

fn texts(out: &mut Found, fields: &[(&str, &str)]) {
    for (field, text) in fields {
        if let Some(message) = text_problem(text) {
            out.push((field.to_string(), message));
        }
    }
}

fn int(out: &mut Found, field: &str, value: i64, range: limits::IntRange) {
    if let Some(message) = int_problem(value, range) {
        out.push((field.to_string(), message));
    }
}

/// A user's or group's attributes, checked where they lie (not copied into a `Value`).
fn attributes(out: &mut Found, map: &Map<String, Value>) {
    if let Some(found) = map_problem("attributes", map) {
        out.push(found);
    }
}

pub fn flow(f: &Flow) -> Found {
    let mut out = Found::new();
    texts(
        &mut out,
        &[
            ("slug", &f.slug),
            ("name", &f.name),
            ("title", &f.title),
            ("background", &f.background),
        ],
    );
    out
}

pub fn prompt(p: &Prompt) -> Found {
    let mut out = Found::new();
    texts(
        &mut out,
        &[
            ("name", &p.name),
            ("field_key", &p.field_key),
            ("label", &p.label),
            ("placeholder", &p.placeholder),
            ("initial_value", &p.initial_value),
            ("sub_text", &p.sub_text),
        ],
    );
    int(&mut out, "order", p.order, ORDER);
    out
}

pub fn stage_binding(b: &StageBinding) -> Found {
    let mut out = Found::new();
    int(&mut out, "order", b.order, ORDER);
    out
}

pub fn policy_binding(b: &PolicyBinding) -> Found {
    let mut out = Found::new();
    int(&mut out, "order", b.order, ORDER);
    int(&mut out, "timeout", i64::from(b.timeout), POSITIVE_INTEGER);
    out
}

pub fn user(u: &User) -> Found {
    let mut out = Found::new();
    texts(
        &mut out,
        &[("name", &u.name), ("email", &u.email), ("path", &u.path)],
    );
    if u.username.chars().count() > MAX_USERNAME_CHARS {
        out.push((
            "username".into(),
            format!("is longer than {MAX_USERNAME_CHARS} characters (authentik's limit)"),
        ));
    }
    if let Some(pk) = u.pk {
        int(&mut out, "pk", pk, USER_PK);
    }
    // `blank=True`: an empty address is allowed.
    if !u.email.is_empty()
        && let Some(message) = email_problem(&u.email)
    {
        out.push(("email".into(), message));
    }
    attributes(&mut out, &u.attributes);
    out
}

pub fn group(g: &Group) -> Found {
    let mut out = Found::new();
    texts(&mut out, &[("name", &g.name)]);
    attributes(&mut out, &g.attributes);
    out
}

pub fn stage(s: &Stage) -> Found {
    let mut out = Found::new();
    texts(&mut out, &[("name", &s.name)]);
    let specs = s.kind.is_known().then(|| s.kind.field_specs());
    settings(&mut out, &s.kind.settings_value(), specs.as_deref());
    out
}

pub fn policy(p: &Policy) -> Found {
    let mut out = Found::new();
    texts(&mut out, &[("name", &p.name)]);
    let specs = p.kind.is_known().then(|| p.kind.field_specs());
    settings(&mut out, &p.kind.settings_value(), specs.as_deref());
    out
}

/// A type's settings: limits on every value; for a type bindery models, also the ranges and
/// validators of its fields (`specs`).
fn settings(out: &mut Found, value: &Value, specs: Option<&[super::fields::FieldSpec]>) {
    let Value::Object(fields) = value else {
        return;
    };
    for (name, value) in fields {
        match value {
            Value::String(text) => {
                if let Some(message) = text_problem(text) {
                    out.push((name.clone(), message));
                    continue;
                }
            }
            other => {
                if let Some(found) = value_problem(name, other) {
                    out.push(found);
                    continue;
                }
            }
        }
        if let Some(specs) = specs {
            let kind = specs.iter().find(|s| s.name == name).map(|s| s.kind);
            known_setting(out, name, value, kind);
        }
    }
}

fn known_setting(out: &mut Found, name: &str, value: &Value, kind: Option<FieldKind>) {
    let range = setting_range(name);
    let problem = match value {
        Value::Number(n) => range.zip(n.as_i64()).and_then(|(r, i)| int_problem(i, r)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(message) = range
                    .zip(item.as_i64())
                    .and_then(|(r, n)| int_problem(n, r))
                {
                    out.push((format!("{name}[{i}]"), message));
                }
            }
            None
        }
        Value::String(text) if TIME_LENGTH_FIELDS.contains(&name) => time_length_problem(text),
        Value::String(text) if EMAIL_FIELDS.contains(&name) => email_problem(text),
        Value::String(text) if PYTHON_FIELDS.contains(&name) => expression_problem(text),
        // A float that is not finite serialises as null, which the store cannot read back.
        Value::Null if kind == Some(FieldKind::Decimal) => Some("must be a finite number".into()),
        _ => None,
    };
    let problem = problem.or_else(|| {
        (name == "digits" && !matches!(value.as_i64(), Some(6 | 8)))
            .then(|| format!("{value} is not 6 or 8"))
    });
    if let Some(message) = problem {
        out.push((name.to_string(), message));
    }
}

/// An object bindery keeps verbatim: its values are free JSON, held to the same nesting and
/// size limits as every other free JSON value.
pub fn other(o: &OtherObject) -> Found {
    let mut out = Found::new();
    for (path, map) in [("identifiers", &o.identifiers), ("attrs", &o.attrs)] {
        if let Some(found) = map_problem(path, map) {
            out.push(found);
        }
    }
    texts(&mut out, &[("model", &o.model)]);
    out
}

/// One value problem in a document: the object's kind, index and id, the path as stored
/// (stage and policy settings under `settings.`), and the message.
pub type Located = (super::ObjKind, usize, uuid::Uuid, String, String);

/// Every value problem in a document, table by table.
pub fn document_problems(doc: &super::Document) -> Vec<Located> {
    use super::Entity;
    fn add<T: Entity>(out: &mut Vec<Located>, table: &super::Table<T>, check: fn(&T) -> Found) {
        let settings = matches!(T::KIND, super::ObjKind::Stage | super::ObjKind::Policy);
        for (index, object) in table.iter().enumerate() {
            for (path, message) in check(object) {
                let path = if settings && path != "name" {
                    format!("settings.{path}")
                } else {
                    path
                };
                out.push((T::KIND, index, object.id(), path, message));
            }
        }
    }
    let mut out = Vec::new();
    add(&mut out, &doc.flows, flow);
    add(&mut out, &doc.stages, stage);
    add(&mut out, &doc.prompts, prompt);
    add(&mut out, &doc.stage_bindings, stage_binding);
    add(&mut out, &doc.policies, policy);
    add(&mut out, &doc.policy_bindings, policy_binding);
    add(&mut out, &doc.users, user);
    add(&mut out, &doc.groups, group);
    add(&mut out, &doc.others, other);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::check::check_document;
    use super::super::{Document, Group, Stage, StageKind, User};

    /// An integer no blueprint can carry is a finding on load and in lint (which both check
    /// the whole document), wherever free JSON holds it: attributes and unmodelled settings.
    #[test]
    fn a_big_integer_anywhere_in_free_json_is_a_document_problem() {
        let mut doc = Document::default();
        let mut group = Group::new("admins");
        group.attributes.insert("x".into(), json!([u64::MAX]));
        doc.groups.put(group);
        let mut user = User::new("ann");
        user.attributes.insert("n".into(), json!(u64::MAX));
        doc.users.put(user);
        let mut attrs = serde_json::Map::new();
        attrs.insert("limit".into(), json!({ "at": u64::MAX }));
        doc.stages.put(Stage::new(
            "future",
            StageKind::Other {
                model: "authentik_stages_future.futurestage".into(),
                attrs,
            },
        ));
        let found: Vec<String> = check_document(&doc)
            .iter()
            .map(ToString::to_string)
            .collect();
        for path in [
            "$.groups[0].attributes.x[0]",
            "$.users[0].attributes.n",
            "$.stages[0].settings.limit.at",
        ] {
            let line = format!("{path}: {} is larger than a blueprint integer", u64::MAX);
            assert!(
                found.iter().any(|f| f.starts_with(&line)),
                "{path}: {found:?}"
            );
        }
    }

    #[test]
    fn a_username_is_held_to_authentiks_length_in_characters() {
        let long = "é".repeat(super::MAX_USERNAME_CHARS + 1);
        let found = super::user(&User::new(&long));
        assert_eq!(
            found,
            vec![(
                "username".to_string(),
                "is longer than 150 characters (authentik's limit)".to_string()
            )]
        );
        assert!(super::user(&User::new(&"é".repeat(super::MAX_USERNAME_CHARS))).is_empty());
    }
}
