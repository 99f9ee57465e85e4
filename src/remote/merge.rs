//! A three-way merge of what the remote holds now into the store, against the base (what it
//! held at the last pull), object by object: an object only the remote changed takes the
//! remote's version; one only the store changed keeps the store's; one both changed the same
//! way is left alone; one both changed differently is a conflict, named field by field.

use serde_json::Value;
use uuid::Uuid;

use super::changes::PULLED;
use crate::edit::both_sides;
use crate::edit::{Change, Patch};
use crate::model::{Document, Obj, ObjKind};

/// An object the remote and the store changed in different ways since the base.
#[derive(Clone, Debug, PartialEq)]
pub struct MergeConflict {
    pub kind: ObjKind,
    pub id: Uuid,
    /// What it is and how each side changed it (`deny_message: was "a", theirs "b", yours
    /// "c"`): "theirs" is the remote, "yours" the store.
    pub detail: String,
}

#[derive(Debug)]
pub struct Merge {
    /// What to apply to the store: the remote's changes that do not conflict (and, when
    /// conflicts are resolved for the remote, the remote's side of those too).
    pub patch: Patch,
    pub conflicts: Vec<MergeConflict>,
    /// Objects the store changed since the base that the merge keeps.
    pub kept_local: usize,
}

/// Merges `remote` into `local` against `base`. With `take_theirs`, a conflicting object
/// takes the remote's version (the conflicts are still listed).
pub fn merge(
    base: &Document,
    local: &Document,
    remote: &Document,
    label: &str,
    take_theirs: bool,
) -> Merge {
    let mut changes = Vec::new();
    let mut conflicts = Vec::new();
    let mut kept_local = 0;
    for &kind in PULLED {
        for id in union_of_ids(kind, [local, remote, base]) {
            let local_is_base = local.same_object(base, kind, id);
            if local_is_base {
                if !local.same_object(remote, kind, id) {
                    changes.push(change(kind, id, local, remote));
                }
                continue;
            }
            if remote.same_object(base, kind, id) || local.same_object(remote, kind, id) {
                kept_local += 1;
                continue;
            }
            if let Some(merged) = merge_fields(base, local, remote, kind, id) {
                kept_local += 1;
                let mut c = change(kind, id, local, remote);
                c.after = Some(merged);
                changes.push(c);
                continue;
            }
            conflicts.push(MergeConflict {
                kind,
                id,
                detail: conflict_detail(base, local, remote, kind, id),
            });
            if take_theirs {
                changes.push(change(kind, id, local, remote));
            }
        }
    }
    super::integrity::settle(
        base,
        local,
        remote,
        &mut changes,
        &mut conflicts,
        take_theirs,
    );
    Merge {
        patch: Patch {
            label: label.to_string(),
            changes: changes.into(),
        },
        conflicts,
        kept_local,
    }
}

/// One object both sides changed, field by field (the fields of its stored form, nested
/// settings included): each field only one side changed takes that side's value. None when
/// a field changed on both sides differently, or the object is gone on one side.
fn merge_fields(
    base: &Document,
    local: &Document,
    remote: &Document,
    kind: ObjKind,
    id: Uuid,
) -> Option<Obj> {
    let fields = |doc: &Document| doc.get(kind, id).map(|o| o.to_json());
    let merged = merge_values(&fields(base)?, &fields(local)?, &fields(remote)?)?;
    Obj::from_json(kind, merged).ok()
}

fn merge_values(b: &Value, l: &Value, r: &Value) -> Option<Value> {
    if l == b || l == r {
        return Some(r.clone());
    }
    if r == b {
        return Some(l.clone());
    }
    let (Value::Object(b), Value::Object(l), Value::Object(r)) = (b, l, r) else {
        return None;
    };
    let mut merged = serde_json::Map::new();
    let mut keys: Vec<&String> = r.keys().collect();
    keys.extend(l.keys().filter(|k| !r.contains_key(*k)));
    keys.extend(
        b.keys()
            .filter(|k| !r.contains_key(*k) && !l.contains_key(*k)),
    );
    for key in keys {
        let missing = Value::Null;
        let side = |m: &serde_json::Map<String, Value>| m.get(key).cloned();
        let value = match (side(b), side(l), side(r)) {
            (bv, lv, rv) if lv == bv || lv == rv => rv,
            (bv, lv, rv) if rv == bv => lv,
            (bv, Some(lv), Some(rv)) => {
                Some(merge_values(bv.as_ref().unwrap_or(&missing), &lv, &rv)?)
            }
            _ => return None,
        };
        if let Some(value) = value {
            merged.insert(key.clone(), value);
        }
    }
    Some(Value::Object(merged))
}

/// The ids of `kind` in any of `docs`, each once: the first's in its order, then the others'.
fn union_of_ids<const N: usize>(kind: ObjKind, docs: [&Document; N]) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        for id in doc.ids_of(kind) {
            if !docs[..i].iter().any(|earlier| earlier.contains(kind, id)) {
                ids.push(id);
            }
        }
    }
    ids
}

/// The change that makes `from`'s object `id` what it is in `to`.
pub(super) fn change(kind: ObjKind, id: Uuid, from: &Document, to: &Document) -> Change {
    Change {
        kind,
        id,
        index: from
            .index_of(kind, id)
            .or_else(|| to.index_of(kind, id))
            .unwrap_or(usize::MAX),
        before: from.get(kind, id),
        after: to.get(kind, id),
    }
}

fn conflict_detail(
    base: &Document,
    local: &Document,
    remote: &Document,
    kind: ObjKind,
    id: Uuid,
) -> String {
    let (b, l, r) = (
        base.get(kind, id),
        local.get(kind, id),
        remote.get(kind, id),
    );
    let name = |doc: &Document, obj: &Obj| doc.describe(obj);
    match (&b, &l, &r) {
        (Some(b), l, Some(r)) => format!(
            "{} was changed on the remote: {}",
            name(remote, r),
            both_sides(remote, b, r, l.as_ref())
        ),
        (Some(b), Some(_), None) => format!(
            "{} was deleted on the remote and changed here",
            name(base, b)
        ),
        (None, Some(l), Some(_)) => format!(
            "{} was created on the remote and here, differently",
            name(local, l)
        ),
        _ => format!("{} {id} differs on both sides", kind.noun()),
    }
}

/// The objects among `touched` that the remote changed since the base: a push of them would
/// overwrite someone's work.
pub fn remote_changes_touching(
    base: &Document,
    remote: &Document,
    touched: &[(ObjKind, Uuid)],
) -> Vec<String> {
    touched
        .iter()
        .filter(|(kind, id)| !remote.same_object(base, *kind, *id))
        .map(|(kind, id)| {
            let (b, r) = (base.get(*kind, *id), remote.get(*kind, *id));
            match (b, r) {
                (Some(b), Some(r)) => format!(
                    "{}: {}",
                    remote.describe(&r),
                    crate::edit::field_changes(remote, &b, &r)
                        .iter()
                        .map(|(k, _, v)| format!("{k} {}", crate::edit::show(remote, v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                (Some(b), None) => format!("{}: deleted on the remote", base.describe(&b)),
                (None, Some(r)) => format!("{}: created on the remote", remote.describe(&r)),
                (None, None) => format!("{} {id}", kind.noun()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::stage::DenyStage;
    use crate::model::{Stage, StageKind};

    fn deny(name: &str, message: &str) -> Stage {
        Stage::new(
            name,
            StageKind::Deny(DenyStage {
                deny_message: message.into(),
            }),
        )
    }

    #[test]
    fn each_side_keeps_its_own_changes_and_both_changing_one_object_conflicts() {
        let mut base = Document::default();
        let a = base.stages.put(deny("a", "a0"));
        let b = base.stages.put(deny("b", "b0"));
        let c = base.stages.put(deny("c", "c0"));
        let mut local = base.clone();
        let mut remote = base.clone();
        local.stages.get_mut(a).unwrap().name = "a-local".into();
        remote.stages.get_mut(b).unwrap().name = "b-remote".into();
        local.stages.get_mut(c).unwrap().name = "c-local".into();
        remote.stages.get_mut(c).unwrap().name = "c-remote".into();
        let fresh = remote.stages.put(deny("new", "n"));

        let merged = merge(&base, &local, &remote, "pull", false);
        assert_eq!(merged.kept_local, 1);
        assert_eq!(merged.conflicts.len(), 1, "{:?}", merged.conflicts);
        assert!(
            merged.conflicts[0]
                .detail
                .contains("theirs \"c-remote\", yours \"c-local\"")
        );
        let mut doc = local.clone();
        merged.patch.apply(&mut doc).unwrap();
        assert_eq!(doc.stages.get(a).unwrap().name, "a-local");
        assert_eq!(doc.stages.get(b).unwrap().name, "b-remote");
        assert_eq!(doc.stages.get(c).unwrap().name, "c-local");
        assert!(doc.stages.contains(fresh));

        let theirs = merge(&base, &local, &remote, "pull", true);
        let mut doc = local.clone();
        theirs.patch.apply(&mut doc).unwrap();
        assert_eq!(doc.stages.get(c).unwrap().name, "c-remote");
    }

    #[test]
    fn different_fields_of_one_object_merge() {
        let mut base = Document::default();
        let a = base.stages.put(deny("a", "old"));
        let mut local = base.clone();
        local.stages.get_mut(a).unwrap().kind = deny("a", "mine").kind;
        let mut remote = base.clone();
        remote.stages.get_mut(a).unwrap().name = "renamed".into();
        let merged = merge(&base, &local, &remote, "pull", false);
        assert!(merged.conflicts.is_empty(), "{:?}", merged.conflicts);
        let mut doc = local.clone();
        merged.patch.apply(&mut doc).unwrap();
        assert_eq!(doc.stages.get(a).unwrap(), &{
            let mut s = deny("renamed", "mine");
            s.id = a;
            s
        });
    }

    #[test]
    fn a_remote_deletion_of_an_object_changed_here_conflicts() {
        let mut base = Document::default();
        let a = base.stages.put(deny("a", "a0"));
        let mut local = base.clone();
        local.stages.get_mut(a).unwrap().name = "mine".into();
        let mut remote = base.clone();
        remote.stages.remove(a);
        let merged = merge(&base, &local, &remote, "pull", false);
        assert_eq!(merged.conflicts.len(), 1);
        assert!(merged.conflicts[0].detail.contains("deleted on the remote"));
        assert!(merged.patch.is_empty());
    }
}
