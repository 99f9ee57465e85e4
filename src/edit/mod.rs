//! Every change to the store is a named operation ([`Op`]) that validates, compiles into a
//! [`Patch`] of before and after images, and can be undone by applying the patch's inverse.
//! The command line and the terminal UI change the store only through this layer.

mod cascade;
mod history;
mod op;
mod patch;
mod reorder;

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
    let mut combined = Patch::new(label);
    for op in ops {
        match apply(doc, op) {
            Ok(patch) => combined.extend(patch),
            Err(err) => {
                combined.inverse().apply_unchecked(doc);
                return Err(err);
            }
        }
    }
    Ok(combined)
}
