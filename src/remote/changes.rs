//! What a push would change on the remote: the difference between the base (what the remote
//! held at the last pull) and the store, object by object and field by field, in authentik's
//! attribute names, in the order a blueprint must apply it.

use foldhash::HashMap;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::blueprint::models::{GroupMembers, attrs_with_members};
use crate::model::{Document, Obj, ObjKind};

/// The kinds a pull reads and a push writes, each after the kinds it refers to.
pub const PULLED: &[ObjKind] = &[
    ObjKind::Group,
    ObjKind::User,
    ObjKind::Flow,
    ObjKind::Prompt,
    ObjKind::Policy,
    ObjKind::Stage,
    ObjKind::StageBinding,
    ObjKind::PolicyBinding,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }

    fn sign(self) -> char {
        match self {
            Action::Create => '+',
            Action::Update => '~',
            Action::Delete => '-',
        }
    }
}

/// One field a push changes: what the remote has (as of the base) and what the store has.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDiff {
    pub field: String,
    pub remote: Value,
    pub local: Value,
}

impl FieldDiff {
    /// `deny_message: "a" -> "b"` (a creation shows the new value alone), ids shown as the
    /// names of what they point at.
    pub fn line(&self, action: Action, base: &Document, local: &Document) -> String {
        let now = crate::edit::show(local, &self.local);
        match action {
            Action::Create => format!("{}: {now}", self.field),
            _ => format!(
                "{}: {} -> {now}",
                self.field,
                crate::edit::show(base, &self.remote)
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectChange {
    pub kind: ObjKind,
    pub id: Uuid,
    /// The object in words (`deny stage 'no-entry'`).
    pub object: String,
    pub action: Action,
    pub fields: Vec<FieldDiff>,
}

/// The changes from `base` to `local`: deletions first (bindings before what they bind),
/// then creations and updates (what is referred to before what refers to it).
pub fn changes(base: &Document, local: &Document) -> Vec<ObjectChange> {
    let none = GroupMembers::default();
    let attrs = |doc: &Document, obj: &Obj| {
        let mut map = attrs_with_members(doc, obj, Some(&none));
        // A group's members are pushed as each user's groups, never twice.
        if obj.kind() == ObjKind::Group {
            map.remove("users");
        }
        map
    };
    let mut deletions = Vec::new();
    for &kind in PULLED.iter().rev() {
        for id in base.ids_of(kind) {
            if !local.contains(kind, id) {
                let obj = base.get(kind, id).expect("listed");
                deletions.push(ObjectChange {
                    kind,
                    id,
                    object: base.describe(&obj),
                    action: Action::Delete,
                    fields: Vec::new(),
                });
            }
        }
    }
    let mut out = deletions;
    for &kind in PULLED {
        let mut of_kind = Vec::new();
        for id in local.ids_of(kind) {
            if local.same_object(base, kind, id) {
                continue;
            }
            let after = local.get(kind, id).expect("listed");
            let now = attrs(local, &after);
            let (action, fields) = match base.get(kind, id) {
                None => (
                    Action::Create,
                    now.into_iter()
                        .map(|(field, local)| FieldDiff {
                            field,
                            remote: Value::Null,
                            local,
                        })
                        .collect(),
                ),
                Some(before) => (Action::Update, field_diffs(&attrs(base, &before), now)),
            };
            if action == Action::Update && fields.is_empty() {
                continue;
            }
            of_kind.push((
                ObjectChange {
                    kind,
                    id,
                    object: local.describe(&after),
                    action,
                    fields,
                },
                after,
            ));
        }
        out.extend(after_their_references(of_kind));
    }
    out
}

fn field_diffs(before: &Map<String, Value>, mut after: Map<String, Value>) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    for (field, remote) in before {
        let local = after.remove(field).unwrap_or(Value::Null);
        if *remote != local {
            out.push(FieldDiff {
                field: field.clone(),
                remote: remote.clone(),
                local,
            });
        }
    }
    out.extend(after.into_iter().map(|(field, local)| FieldDiff {
        field,
        remote: Value::Null,
        local,
    }));
    out
}

/// Changes of one kind, each after the changes of objects of the same kind it refers to (a
/// group's parents, a stage's configuration stages).
fn after_their_references(items: Vec<(ObjectChange, Obj)>) -> Vec<ObjectChange> {
    let index: HashMap<Uuid, usize> = items
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.id, i))
        .collect();
    let mut placed = vec![false; items.len()];
    let mut order = Vec::with_capacity(items.len());
    fn place(
        i: usize,
        items: &[(ObjectChange, Obj)],
        index: &HashMap<Uuid, usize>,
        placed: &mut [bool],
        order: &mut Vec<usize>,
        depth: usize,
    ) {
        if placed[i] {
            return;
        }
        placed[i] = true;
        if depth < 10_000 {
            for r in items[i].1.refs() {
                if let Some(&j) = index.get(&r.id)
                    && r.kind == items[i].0.kind
                {
                    place(j, items, index, placed, order, depth + 1);
                }
            }
        }
        order.push(i);
    }
    for i in 0..items.len() {
        place(i, &items, &index, &mut placed, &mut order, 0);
    }
    let mut slots: Vec<Option<ObjectChange>> = items.into_iter().map(|(c, _)| Some(c)).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// `bindery diff --json`: `{"remote", "changes": [{"kind", "object", "action", "fields":
/// [{"field", "remote", "local"}]}]}`.
pub fn changes_json(remote: &str, changes: &[ObjectChange]) -> Value {
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| {
            json!({
                "kind": c.kind.noun(),
                "id": c.id,
                "object": c.object,
                "action": c.action.word(),
                "fields": c.fields.iter().map(|f| json!({
                    "field": f.field, "remote": f.remote, "local": f.local,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"remote": remote, "changes": changes})
}

/// `bindery diff` as text, like `terraform plan`: a line per object (`+` create, `~` update,
/// `-` delete) and one per field, ids shown as the names of what they point at.
pub fn changes_text(local: &Document, base: &Document, changes: &[ObjectChange]) -> String {
    let mut out = String::new();
    for c in changes {
        out.push_str(&format!(
            "{} {} {}\n",
            c.action.sign(),
            c.action.word(),
            crate::text::sanitize(&c.object)
        ));
        for f in &c.fields {
            out.push_str(&format!(
                "    {}\n",
                crate::text::sanitize(&f.line(c.action, base, local))
            ));
        }
    }
    let count = |a: Action| changes.iter().filter(|c| c.action == a).count();
    out.push_str(&format!(
        "{} to create, {} to update, {} to delete\n",
        count(Action::Create),
        count(Action::Update),
        count(Action::Delete)
    ));
    out
}
