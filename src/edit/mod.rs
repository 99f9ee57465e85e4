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

pub use diff::{FieldChange, both_sides, field_changes, show};
pub use duplicate::{Depth, duplicate_flow};
pub use history::History;
pub use op::{EditError, Op};
pub use patch::{Change, Conflict, Patch};

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

/// Several operations that become one step. Each sees the ones before it; unless committed,
/// the batch undoes them all when dropped, so an error anywhere leaves the document as it was.
pub struct Batch<'a> {
    doc: &'a mut Document,
    patch: Patch,
    /// Where each object's change stands in the patch, so that merging stays linear.
    positions: std::collections::HashMap<(crate::model::ObjKind, uuid::Uuid), usize>,
    committed: bool,
}

impl<'a> Batch<'a> {
    pub fn new(doc: &'a mut Document, label: &str) -> Batch<'a> {
        Batch {
            doc,
            patch: Patch::new(label),
            positions: Default::default(),
            committed: false,
        }
    }

    /// The document with the batch's operations so far applied.
    pub fn doc(&self) -> &Document {
        self.doc
    }

    pub fn apply(&mut self, op: &Op) -> Result<Patch, EditError> {
        let patch = apply(self.doc, op)?;
        self.patch.merge(&mut self.positions, patch.clone());
        Ok(patch)
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
