//! The named operations that change the store. Each validates against the current document and
//! compiles into a [`Patch`]; nothing else in bindery writes to a document.

use uuid::Uuid;

use super::Indexes;
use super::cascade::{delete_changes, delete_changes_indexed};
use super::patch::{Change, Patch};
use super::reorder::{Sibling, move_one};
use crate::model::check::{Holders, Scan, check_object_with};
use crate::model::{Document, Entity, Obj, ObjKind, PolicyBinding, StageBinding, Table};

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Create any object; for bindings this is "bind".
    Create(Obj),
    /// Replace an object's fields; its id and kind stay.
    Update(Obj),
    /// Delete an object and what cascades from it; for bindings this is "unbind".
    Delete(ObjKind, Uuid),
    /// Move a stage binding one place up or down within its flow.
    MoveStageBinding {
        id: Uuid,
        up: bool,
    },
    /// Move a policy binding one place up or down within its target.
    MovePolicyBinding {
        id: Uuid,
        up: bool,
    },
    AddMember {
        user: Uuid,
        group: Uuid,
    },
    RemoveMember {
        user: Uuid,
        group: Uuid,
    },
    SetParents {
        group: Uuid,
        parents: Vec<Uuid>,
    },
    /// The inner operation as authentik's blueprint importer would apply it: rules that only
    /// authentik's API enforces, on top of its database (a stage binding with both evaluation
    /// switches off), do not refuse it. `bindery lint` reports what they would have caught.
    AsImported(Box<Op>),
}

/// Why an operation was refused; the store is unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("cannot {action}: {}", problems.join("; "))]
pub struct EditError {
    pub action: String,
    pub problems: Vec<String>,
}

fn refuse<T>(action: &str, problem: impl Into<String>) -> Result<T, EditError> {
    Err(EditError {
        action: action.to_string(),
        problems: vec![problem.into()],
    })
}

impl Op {
    /// What the operation does, in words, against the document it will apply to.
    pub fn label(&self, doc: &Document) -> String {
        match self {
            Op::AsImported(inner) => inner.label(doc),
            Op::Create(obj @ Obj::StageBinding(_)) => format!("bind {}", doc.describe(obj)),
            Op::Create(obj @ Obj::PolicyBinding(_)) => format!("bind {}", doc.describe(obj)),
            Op::Create(obj) => format!("create {}", doc.describe(obj)),
            Op::Update(obj) => format!("edit {}", doc.describe(obj)),
            Op::Delete(kind, id) => {
                let what = doc
                    .get(*kind, *id)
                    .map(|o| doc.describe(&o))
                    .unwrap_or_else(|| format!("{} {id}", kind.noun()));
                match kind {
                    ObjKind::StageBinding | ObjKind::PolicyBinding => format!("unbind {what}"),
                    _ => format!("delete {what}"),
                }
            }
            Op::MoveStageBinding { id, up } | Op::MovePolicyBinding { id, up } => {
                let kind = match self {
                    Op::MoveStageBinding { .. } => ObjKind::StageBinding,
                    _ => ObjKind::PolicyBinding,
                };
                let what = doc
                    .get(kind, *id)
                    .map(|o| doc.describe(&o))
                    .unwrap_or_else(|| format!("{} {id}", kind.noun()));
                format!("move {what} {}", if *up { "up" } else { "down" })
            }
            Op::AddMember { user, group } => format!(
                "add user '{}' to group '{}'",
                doc.label_of(ObjKind::User, *user),
                doc.label_of(ObjKind::Group, *group)
            ),
            Op::RemoveMember { user, group } => format!(
                "remove user '{}' from group '{}'",
                doc.label_of(ObjKind::User, *user),
                doc.label_of(ObjKind::Group, *group)
            ),
            Op::SetParents { group, .. } => format!(
                "set the parents of group '{}'",
                doc.label_of(ObjKind::Group, *group)
            ),
        }
    }

    /// Validates the operation against `doc` and returns the patch that performs it.
    pub fn plan(&self, doc: &Document) -> Result<Patch, EditError> {
        let mut patch = self.plan_unlabelled(doc, None)?;
        patch.label = self.label(doc);
        Ok(patch)
    }

    /// [`Self::plan`] without wording the operation (the patch's label is empty) unless it is
    /// refused, looking up through a batch's `indexes` when it has them: for batches of many
    /// operations whose own labels nobody reads.
    pub(crate) fn plan_unlabelled(
        &self,
        doc: &Document,
        indexes: Option<&Indexes>,
    ) -> Result<Patch, EditError> {
        self.plan_as(doc, Rules::Api, indexes).map_err(|mut e| {
            e.action = self.label(doc);
            e
        })
    }

    fn plan_as(
        &self,
        doc: &Document,
        rules: Rules,
        indexes: Option<&Indexes>,
    ) -> Result<Patch, EditError> {
        let holders: &dyn Holders = match indexes {
            Some(indexes) => &indexes.unique,
            None => &Scan,
        };
        // Worded by the caller, only when needed: describing costs lookups.
        let label = String::new();
        let changes = match self {
            Op::AsImported(inner) => return inner.plan_as(doc, Rules::Database, indexes),
            Op::Create(obj) => plan_create(doc, obj, rules, holders, &label)?,
            Op::Update(obj) => plan_update(doc, obj, rules, holders, &label)?,
            Op::Delete(kind, id) => {
                if !doc.contains(*kind, *id) {
                    return refuse(&label, format!("no {} with id {id}", kind.noun()));
                }
                match indexes {
                    Some(indexes) => delete_changes_indexed(doc, *kind, *id, &indexes.referrers),
                    None => delete_changes(doc, *kind, *id),
                }
            }
            Op::MoveStageBinding { id, up } => {
                plan_move(doc, &doc.stage_bindings, *id, *up, &label)?
            }
            Op::MovePolicyBinding { id, up } => {
                plan_move(doc, &doc.policy_bindings, *id, *up, &label)?
            }
            Op::AddMember { user, group } => plan_membership(doc, *user, *group, true, &label)?,
            Op::RemoveMember { user, group } => plan_membership(doc, *user, *group, false, &label)?,
            Op::SetParents { group, parents } => {
                plan_parents(doc, *group, parents, holders, &label)?
            }
        };
        Ok(Patch {
            label,
            changes: changes.into(),
        })
    }
}

/// Which of authentik's rules apply: its API's, or only its database's (blueprint imports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rules {
    Api,
    Database,
}

fn validate(
    doc: &Document,
    obj: &Obj,
    rules: Rules,
    holders: &dyn Holders,
    label: &str,
) -> Result<(), EditError> {
    let mut problems = check_object_with(doc, obj, holders);
    if let Obj::StageBinding(b) = obj
        && rules == Rules::Api
        && !b.evaluate_on_plan
        && !b.re_evaluate_policies
    {
        problems.push(
            "evaluate when planned and evaluate when run cannot both be off (authentik refuses it)"
                .to_string(),
        );
    }
    if let Obj::Group(g) = obj
        && g.parents.contains(&g.id)
    {
        problems.push("a group cannot be its own parent".to_string());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(EditError {
            action: label.to_string(),
            problems,
        })
    }
}

fn plan_create(
    doc: &Document,
    obj: &Obj,
    rules: Rules,
    holders: &dyn Holders,
    label: &str,
) -> Result<Vec<Change>, EditError> {
    if doc.contains(obj.kind(), obj.id()) {
        return refuse(label, format!("id {} is already in use", obj.id()));
    }
    validate(doc, obj, rules, holders, label)?;
    Ok(vec![Change {
        kind: obj.kind(),
        id: obj.id(),
        // A new object goes at the end, also when re-applied onto someone else's version.
        index: usize::MAX,
        before: None,
        after: Some(obj.clone()),
    }])
}

fn plan_update(
    doc: &Document,
    obj: &Obj,
    rules: Rules,
    holders: &dyn Holders,
    label: &str,
) -> Result<Vec<Change>, EditError> {
    let Some(before) = doc.get(obj.kind(), obj.id()) else {
        return refuse(
            label,
            format!("no {} with id {}", obj.kind().noun(), obj.id()),
        );
    };
    let type_changed = match (&before, obj) {
        (Obj::Stage(a), Obj::Stage(b)) => a.kind.model() != b.kind.model(),
        (Obj::Policy(a), Obj::Policy(b)) => a.kind.model() != b.kind.model(),
        _ => false,
    };
    if type_changed {
        return refuse(
            label,
            "the type of an existing object cannot be changed; create a new one instead",
        );
    }
    validate(doc, obj, rules, holders, label)?;
    Ok(update_change(doc, before, obj.clone())
        .into_iter()
        .collect())
}

/// A change from `before` to `after`, or none when they are equal.
fn update_change(doc: &Document, before: Obj, after: Obj) -> Option<Change> {
    (before != after).then(|| Change {
        kind: after.kind(),
        id: after.id(),
        index: doc.index_of(after.kind(), after.id()).unwrap_or(0),
        before: Some(before),
        after: Some(after),
    })
}

/// A binding ordered among the siblings that share its parent (flow or target).
trait Ordered: Entity + Clone {
    fn parent(&self) -> Uuid;
    fn order_mut(&mut self) -> &mut i64;
    fn order(&self) -> i64;
    fn wrap(self) -> Obj;
}

impl Ordered for StageBinding {
    fn parent(&self) -> Uuid {
        self.target
    }
    fn order_mut(&mut self) -> &mut i64 {
        &mut self.order
    }
    fn order(&self) -> i64 {
        self.order
    }
    fn wrap(self) -> Obj {
        Obj::StageBinding(self)
    }
}

impl Ordered for PolicyBinding {
    fn parent(&self) -> Uuid {
        self.target.id()
    }
    fn order_mut(&mut self) -> &mut i64 {
        &mut self.order
    }
    fn order(&self) -> i64 {
        self.order
    }
    fn wrap(self) -> Obj {
        Obj::PolicyBinding(self)
    }
}

fn plan_move<T: Ordered>(
    doc: &Document,
    table: &Table<T>,
    id: Uuid,
    up: bool,
    label: &str,
) -> Result<Vec<Change>, EditError> {
    let Some(binding) = table.get(id) else {
        return refuse(label, format!("no {} with id {id}", T::KIND.noun()));
    };
    let siblings: Vec<Sibling> = table
        .iter()
        .enumerate()
        .filter(|(_, b)| b.parent() == binding.parent())
        .map(|(created, b)| Sibling {
            id: b.id(),
            order: b.order(),
            created,
        })
        .collect();
    let moves = move_one(&siblings, id, up).or_else(|why| refuse(label, why))?;
    Ok(moves
        .into_iter()
        .filter_map(|(id, order)| {
            let before = table.get(id)?.clone();
            let mut after = before.clone();
            *after.order_mut() = order;
            update_change(doc, before.wrap(), after.wrap())
        })
        .collect())
}

fn plan_membership(
    doc: &Document,
    user: Uuid,
    group: Uuid,
    add: bool,
    label: &str,
) -> Result<Vec<Change>, EditError> {
    let Some(before) = doc.users.get(user) else {
        return refuse(label, format!("no user with id {user}"));
    };
    if !doc.groups.contains(group) {
        return refuse(label, format!("no group with id {group}"));
    }
    let member = before.groups.contains(&group);
    let mut after = before.clone();
    match (add, member) {
        (true, true) => return refuse(label, "the user is already a direct member"),
        (false, false) => return refuse(label, "the user is not a direct member"),
        (true, false) => after.groups.push(group),
        (false, true) => after.groups.retain(|g| *g != group),
    }
    Ok(
        update_change(doc, Obj::User(before.clone()), Obj::User(after))
            .into_iter()
            .collect(),
    )
}

fn plan_parents(
    doc: &Document,
    group: Uuid,
    parents: &[Uuid],
    holders: &dyn Holders,
    label: &str,
) -> Result<Vec<Change>, EditError> {
    let Some(before) = doc.groups.get(group) else {
        return refuse(label, format!("no group with id {group}"));
    };
    let mut after = before.clone();
    after.parents = Vec::new();
    for parent in parents {
        if !after.parents.contains(parent) {
            after.parents.push(*parent);
        }
    }
    let after = Obj::Group(after);
    validate(doc, &after, Rules::Api, holders, label)?;
    Ok(update_change(doc, Obj::Group(before.clone()), after)
        .into_iter()
        .collect())
}
