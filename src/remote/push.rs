//! The blueprint a push sends: exactly the difference between the base and the store. Each
//! object is named by its primary key (a renamed stage is the same stage), deletions are
//! `state: absent`, creations carry every attribute and updates only the fields that changed,
//! so a field someone else set on the remote is left as they set it.

use serde_json::Value;

use super::changes::{Action, ObjectChange};
use super::{Client, RemoteError};
use crate::blueprint::models::{self, GroupMembers, attrs_with_members};
use crate::blueprint::yaml::{Node, emit};
use crate::model::{Document, Obj, Subject};

/// authentik's answer to a push.
#[derive(Debug)]
pub struct PushResult {
    pub success: bool,
    /// authentik's log lines (`level event key=value...`), sanitised.
    pub logs: Vec<String>,
}

/// The blueprint of `changes` (from [`super::changes`] of `base` and `local`), as YAML.
pub fn blueprint_of(base: &Document, local: &Document, changes: &[ObjectChange]) -> String {
    let none = GroupMembers::default();
    let entries: Vec<Node> = changes
        .iter()
        .map(|c| {
            let doc = if c.action == Action::Delete {
                base
            } else {
                local
            };
            let obj = doc
                .get(c.kind, c.id)
                .expect("a change names an object of its side");
            let mut pairs = vec![
                ("model", Node::str(models::model_of(&obj))),
                (
                    "state",
                    Node::str(if c.action == Action::Delete {
                        "absent"
                    } else {
                        "present"
                    }),
                ),
                ("identifiers", identifiers(&obj)),
            ];
            if c.action != Action::Delete {
                let all = attrs_with_members(doc, &obj, Some(&none));
                let attrs: Vec<(String, Node)> = c
                    .fields
                    .iter()
                    .filter(|f| all.contains_key(&f.field))
                    .map(|f| (f.field.clone(), value_node(doc, &obj, &f.field, &f.local)))
                    .collect();
                pairs.push(("attrs", Node::map_of(attrs)));
            }
            Node::map_of(pairs)
        })
        .collect();
    let doc = Node::map_of([
        ("version", Node::int(1)),
        (
            "metadata",
            Node::map_of([
                ("name", Node::str("bindery push")),
                (
                    "labels",
                    Node::map_of([("blueprints.goauthentik.io/instantiate", Node::str("false"))]),
                ),
            ]),
        ),
        ("entries", Node::seq(entries)),
    ]);
    emit(&doc)
}

/// How the remote finds the object: its pk; a user bindery created has none yet, so its
/// username.
fn identifiers(obj: &Obj) -> Node {
    match obj {
        Obj::User(u) => match u.pk {
            Some(pk) => Node::map_of([("pk", Node::int(pk))]),
            None => Node::map_of([("username", Node::str(u.username.clone()))]),
        },
        _ => Node::map_of([("pk", Node::str(obj.id().to_string()))]),
    }
}

/// A field's value for the blueprint. A policy binding's user that authentik has not given a
/// pk yet (created in this push) is found by username.
fn value_node(doc: &Document, obj: &Obj, field: &str, value: &Value) -> Node {
    if field == "user"
        && let Obj::PolicyBinding(b) = obj
        && let Subject::User(id) = b.subject
        && let Some(user) = doc.users.get(id)
        && user.pk.is_none()
    {
        return Node::tagged(
            "!Find",
            Node::seq(vec![
                Node::str(models::USER),
                Node::seq(vec![
                    Node::str("username"),
                    Node::str(user.username.clone()),
                ]),
            ]),
        );
    }
    Node::from_json(value)
}

/// Sends the blueprint; authentik validates it, then applies it in one transaction.
pub fn push_blueprint(client: &mut Client, text: &str) -> Result<PushResult, RemoteError> {
    let answer = client.post_blueprint("bindery-push.yaml", text)?;
    let success = answer.get("success").and_then(Value::as_bool) == Some(true);
    let logs = answer
        .get("logs")
        .and_then(Value::as_array)
        .map(|logs| logs.iter().map(log_line).collect())
        .unwrap_or_default();
    Ok(PushResult { success, logs })
}

/// One of authentik's log events (`{log_level, event, attributes}`) as a line.
fn log_line(log: &Value) -> String {
    let field = |k: &str| log.get(k).and_then(Value::as_str).unwrap_or_default();
    let mut line = format!("{} {}", field("log_level"), field("event"));
    if let Some(Value::Object(attributes)) = log.get("attributes") {
        for (key, value) in attributes {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            line.push_str(&format!(" {key}={value}"));
        }
    }
    crate::text::sanitize(line.trim()).into_owned()
}
