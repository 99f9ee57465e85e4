//! Undo and redo across a whole session.

use super::patch::{Conflict, Patch};
use crate::model::Document;

#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Patch>,
    redo: Vec<Patch>,
}

impl History {
    /// Records a patch that was just applied; a new edit forgets what could be redone.
    pub fn record(&mut self, patch: Patch) {
        if !patch.is_empty() {
            self.undo.push(patch);
            self.redo.clear();
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Undoes the last edit; returns the patch that was applied (to save it), None when there
    /// is nothing to undo. If someone else changed the same objects since, it is a conflict
    /// and nothing changes.
    pub fn undo(&mut self, doc: &mut Document) -> Result<Option<Patch>, Conflict> {
        let Some(patch) = self.undo.last() else {
            return Ok(None);
        };
        let inverse = patch.inverse();
        inverse.apply(doc)?;
        let patch = self.undo.pop().expect("checked above");
        self.redo.push(patch);
        Ok(Some(inverse))
    }

    /// Redoes the last undone edit.
    pub fn redo(&mut self, doc: &mut Document) -> Result<Option<Patch>, Conflict> {
        let Some(patch) = self.redo.last() else {
            return Ok(None);
        };
        patch.apply(doc)?;
        let patch = self.redo.pop().expect("checked above");
        let applied = patch.clone();
        self.undo.push(patch);
        Ok(Some(applied))
    }
}
