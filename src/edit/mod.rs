//! Every change to the store is a named operation ([`Op`]) that validates, compiles into a
//! [`Patch`] of before and after images, and can be undone by applying the patch's inverse.
//! The command line and the terminal UI change the store only through this layer.

mod cascade;
mod diff;
mod duplicate;
mod history;
mod op;
mod patch;
mod reorder;
mod revert;
mod session;
mod unique;

pub use diff::{FieldChange, both_sides, field_changes, show};
pub use duplicate::{Depth, duplicate_flow};
pub use history::History;
pub use op::{EditError, Op};
pub use patch::{Change, Conflict, Patch};
pub use revert::{RevertError, revert_patch};
pub use session::Session;
pub use unique::UniqueIndex;

use crate::model::Document;

/// Plans and applies one operation; on error the document is unchanged.
pub fn apply(doc: &mut Document, op: &Op) -> Result<Patch, EditError> {
    let patch = op.plan(doc)?;
    patch.apply_unchecked(doc);
    Ok(patch)
}

/// Applies operations in sequence as one step (one undo, one change-log entry); if any is
/// refused, the document is left exactly as it was.
pub fn apply_all(doc: &mut Document, label: &str, ops: &[Op]) -> Result<Patch, EditError> {
    let mut batch = Batch::new(doc, label);
    for op in ops {
        batch.apply(op)?;
    }
    Ok(batch.commit())
}

/// What a batch of many operations looks up instead of walking tables, kept up to date with
/// each operation it applies.
pub(crate) struct Indexes {
    pub(crate) unique: unique::UniqueIndex,
    pub(crate) referrers: cascade::Referrers,
}

/// Several operations that become one step. Each sees the ones before it; unless committed,
/// the batch undoes them all when dropped, so an error anywhere leaves the document as it was.
pub struct Batch<'a> {
    doc: &'a mut Document,
    patch: Patch,
    /// Where each object's change stands in the patch, so that merging stays linear.
    positions: foldhash::HashMap<(crate::model::ObjKind, uuid::Uuid), usize>,
    /// For a batch of many changes: what checking and planning one would walk a table for.
    indexes: Option<Indexes>,
    committed: bool,
}

impl<'a> Batch<'a> {
    pub fn new(doc: &'a mut Document, label: &str) -> Batch<'a> {
        Batch {
            doc,
            patch: Patch::new(label),
            positions: Default::default(),
            indexes: None,
            committed: false,
        }
    }

    /// The document with the batch's operations so far applied.
    pub fn doc(&self) -> &Document {
        self.doc
    }

    /// Indexes the store for the operations to come (who holds each unique key, who refers
    /// to each object): worth it for many of them.
    pub fn index(&mut self) {
        if self.indexes.is_none() {
            self.indexes = Some(Indexes {
                unique: unique::UniqueIndex::build(self.doc),
                referrers: cascade::Referrers::build(self.doc),
            });
        }
    }

    pub fn apply(&mut self, op: &Op) -> Result<Patch, EditError> {
        // Worded against the document before the change, as planning does.
        let label = op.label(self.doc);
        let mut patch = self.apply_unlabelled(op)?;
        patch.label = label;
        Ok(patch)
    }

    /// What applying `op` would change, without applying it (its label left empty).
    pub fn plan_unlabelled(&self, op: &Op) -> Result<Patch, EditError> {
        op.plan_unlabelled(self.doc, self.indexes.as_ref())
    }

    /// [`Self::apply`], leaving the returned patch's label empty: for callers applying many
    /// operations who do not show each one (wording one costs lookups). A refusal is worded.
    pub fn apply_unlabelled(&mut self, op: &Op) -> Result<Patch, EditError> {
        let mut applied = None;
        self.apply_noting(op, |_, patch| applied = Some(patch.clone()))?;
        Ok(applied.expect("noted"))
    }

    /// [`Self::apply_unlabelled`] for a caller that only needs to look at the patch, with the
    /// document after it: the batch keeps the patch's objects without copying them again.
    pub fn apply_noting(
        &mut self,
        op: &Op,
        note: impl FnOnce(&Document, &Patch),
    ) -> Result<(), EditError> {
        let patch = op.plan_unlabelled(self.doc, self.indexes.as_ref())?;
        patch.apply_unchecked(self.doc);
        if let Some(indexes) = &mut self.indexes {
            indexes.unique.note(&patch.changes);
            indexes.referrers.note(&patch);
        }
        note(self.doc, &patch);
        self.patch.merge(&mut self.positions, patch);
        Ok(())
    }

    /// Keeps the changes; the combined patch undoes them as one.
    pub fn commit(mut self) -> Patch {
        self.committed = true;
        self.patch.drop_no_ops();
        std::mem::replace(&mut self.patch, Patch::new(""))
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if !self.committed {
            self.patch.inverse().apply_unchecked(self.doc);
        }
    }
}
