//! A patch: the before and after image of every object an operation touches. Applying checks
//! that each object is still as the patch found it, so a patch made against an older copy of the
//! store either lands cleanly or reports a conflict; never a silent overwrite. The inverse of a
//! patch swaps before and after, which is all undo needs.

use foldhash::HashMap;
use std::sync::Arc;

use uuid::Uuid;

use crate::model::{Document, Obj, ObjKind};

#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub kind: ObjKind,
    pub id: Uuid,
    /// Where the object stands (before) or is to stand (after) in its table; `usize::MAX`
    /// for "at the end".
    pub index: usize,
    pub before: Option<Obj>,
    pub after: Option<Obj>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Patch {
    /// What the operation was, for the change log, undo and conflict messages.
    pub label: String,
    /// Shared, not copied, between the pending list, the undo history and the caller: an
    /// import's patch holds every object it created.
    pub changes: Arc<Vec<Change>>,
}

/// A patch that no longer fits the store it is applied to.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{label}: {detail}")]
pub struct Conflict {
    pub label: String,
    pub detail: String,
}

impl Patch {
    pub fn new(label: impl Into<String>) -> Patch {
        Patch {
            label: label.into(),
            changes: Arc::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The patch that undoes this one.
    pub fn inverse(&self) -> Patch {
        Patch {
            label: format!("undo {}", self.label),
            changes: self
                .changes
                .iter()
                .rev()
                .map(|c| Change {
                    kind: c.kind,
                    id: c.id,
                    index: c.index,
                    before: c.after.clone(),
                    after: c.before.clone(),
                })
                .collect::<Vec<_>>()
                .into(),
        }
    }

    /// Objects this patch deletes.
    pub fn removed(&self) -> impl Iterator<Item = &Obj> {
        self.changes
            .iter()
            .filter(|c| c.after.is_none())
            .filter_map(|c| c.before.as_ref())
    }

    /// Objects this patch changes without deleting or creating them.
    pub fn modified(&self) -> impl Iterator<Item = &Obj> {
        self.changes
            .iter()
            .filter(|c| c.before.is_some())
            .filter_map(|c| c.after.as_ref())
    }

    /// Objects this patch creates.
    pub fn created(&self) -> impl Iterator<Item = &Obj> {
        self.changes
            .iter()
            .filter(|c| c.before.is_none())
            .filter_map(|c| c.after.as_ref())
    }

    /// Checks that every object is as the patch expects, then applies all changes; on a
    /// conflict nothing is applied.
    pub fn apply(&self, doc: &mut Document) -> Result<(), Conflict> {
        for change in self.changes.iter() {
            let current = doc.get(change.kind, change.id);
            if current != change.before {
                return Err(Conflict {
                    label: self.label.clone(),
                    detail: conflict_detail(doc, change, current.as_ref()),
                });
            }
        }
        self.apply_unchecked(doc);
        Ok(())
    }

    pub(crate) fn apply_unchecked(&self, doc: &mut Document) {
        for change in self.changes.iter() {
            match &change.after {
                Some(obj) => doc.put_at(change.index, obj.clone()),
                None => {
                    doc.remove(change.kind, change.id);
                }
            }
        }
    }

    /// Appends the changes of `next`, a patch made after this one was applied, merging changes
    /// to the same object so that each object appears once.
    pub fn extend(&mut self, next: Patch) {
        let mut position = self.positions();
        self.merge(&mut position, next);
        self.drop_no_ops();
    }

    /// Where each object's change stands in `changes`.
    pub(crate) fn positions(&self) -> HashMap<(ObjKind, Uuid), usize> {
        self.changes
            .iter()
            .enumerate()
            .map(|(i, c)| ((c.kind, c.id), i))
            .collect()
    }

    /// Merges `next` using (and keeping up to date) the positions of the changes so far.
    pub(crate) fn merge(&mut self, position: &mut HashMap<(ObjKind, Uuid), usize>, next: Patch) {
        let changes = Arc::make_mut(&mut self.changes);
        let next = Arc::try_unwrap(next.changes).unwrap_or_else(|shared| (*shared).clone());
        for change in next {
            match position.get(&(change.kind, change.id)) {
                Some(&i) => changes[i].after = change.after,
                None => {
                    position.insert((change.kind, change.id), changes.len());
                    changes.push(change);
                }
            }
        }
    }

    /// Forgets changes that end where they began (created and deleted in one step).
    pub(crate) fn drop_no_ops(&mut self) {
        Arc::make_mut(&mut self.changes).retain(|c| c.before != c.after);
    }
}

fn conflict_detail(doc: &Document, change: &Change, current: Option<&Obj>) -> String {
    let noun = change.kind.noun();
    match (&change.before, current) {
        (Some(before), None) => {
            let yours = match &change.after {
                Some(after) => super::diff::field_changes(doc, before, after)
                    .iter()
                    .map(|(key, _, value)| format!("{key} {}", super::diff::show(doc, value)))
                    .collect::<Vec<_>>()
                    .join(", "),
                None => "delete it".to_string(),
            };
            format!(
                "{} was deleted by someone else; yours: {yours}",
                doc.describe(before)
            )
        }
        (None, Some(now)) => format!("{} already exists", doc.describe(now)),
        (Some(before), Some(now)) => format!(
            "{} was changed by someone else: {}",
            doc.describe(now),
            super::diff::both_sides(doc, before, now, change.after.as_ref())
        ),
        (None, None) => format!("{noun} {} is in an unexpected state", change.id),
    }
}
