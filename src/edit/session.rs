//! An editing session over one document: operations applied in memory, the patches not yet
//! committed, undo and redo, and, when someone else committed first, the pending patches
//! re-applied onto their document. Where the document comes from and goes to is a
//! [`Backend`](crate::store::Backend)'s business; nothing here knows about files.

use std::collections::BTreeSet;

use super::{Batch, Conflict, EditError, History, Op, Patch, RevertError};
use crate::model::Document;
use crate::model::check::{Problem, check_document};

#[derive(Debug, Default)]
pub struct Session {
    doc: Document,
    /// Patches applied since the last commit, re-applied onto someone else's version if
    /// needed.
    pending: Vec<Patch>,
    /// Integrity problems the document had when loaded (a hand-edited file); commits may not
    /// add to them.
    problems: Vec<Problem>,
    history: History,
}

impl Session {
    /// A session over a document as loaded: nothing pending, nothing to undo.
    pub fn new(doc: Document) -> Session {
        Session {
            problems: check_document(&doc),
            doc,
            ..Session::default()
        }
    }

    pub fn doc(&self) -> &Document {
        &self.doc
    }

    /// The document, for a backend writing what it alone keeps (the change log, the file's
    /// generation) as it commits.
    pub fn doc_mut(&mut self) -> &mut Document {
        &mut self.doc
    }

    /// The document with the patches about to be committed (to log them).
    pub fn doc_and_pending(&mut self) -> (&mut Document, &[Patch]) {
        (&mut self.doc, &self.pending)
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The patches not yet committed, oldest first.
    pub fn pending(&self) -> &[Patch] {
        &self.pending
    }

    /// Sets what is to be committed: for a backend that writes a whole document as one
    /// change (a restore).
    pub fn set_pending(&mut self, pending: Vec<Patch>) {
        self.pending = pending;
    }

    /// The pending patches are committed: nothing is pending any more.
    pub fn committed(&mut self) {
        self.pending.clear();
    }

    pub fn has_unsaved_changes(&self) -> bool {
        !self.pending.is_empty()
    }

    /// What the edits not yet committed are, in words (one per step, oldest first).
    pub fn unsaved_changes(&self) -> Vec<String> {
        self.pending.iter().map(|p| p.label.clone()).collect()
    }

    /// Keeps a step to commit and undo; a step that changed nothing is neither saved, logged
    /// nor undone.
    fn record(&mut self, patch: &Patch) {
        if patch.is_empty() {
            return;
        }
        self.pending.push(patch.clone());
        self.history.record(patch.clone());
    }

    /// Applies an operation.
    pub fn apply(&mut self, op: &Op) -> Result<Patch, EditError> {
        let patch = super::apply(&mut self.doc, op)?;
        self.record(&patch);
        Ok(patch)
    }

    /// Runs `build` on a batch over the document: everything it applies becomes one step, or,
    /// if it returns an error, nothing at all.
    pub fn apply_batch<T, E>(
        &mut self,
        label: &str,
        build: impl FnOnce(&mut Batch) -> Result<T, E>,
    ) -> Result<(T, Patch), E> {
        let mut batch = Batch::new(&mut self.doc, label);
        let value = build(&mut batch)?;
        let patch = batch.commit();
        self.record(&patch);
        Ok((value, patch))
    }

    /// Applies several operations as one step.
    pub fn apply_all(&mut self, label: &str, ops: &[Op]) -> Result<Patch, EditError> {
        let patch = super::apply_all(&mut self.doc, label, ops)?;
        self.record(&patch);
        Ok(patch)
    }

    /// Applies a patch made elsewhere (a pull's merge) as one step; on a conflict nothing is
    /// applied.
    pub fn apply_patch(&mut self, patch: Patch) -> Result<(), Conflict> {
        patch.apply(&mut self.doc)?;
        self.record(&patch);
        Ok(())
    }

    /// Reverts the change-log entry `id` as a new step (see [`super::revert_patch`]).
    pub fn revert(&mut self, id: &str) -> Result<Patch, RevertError> {
        let patch = super::revert_patch(&self.doc, id)?;
        patch.apply_unchecked(&mut self.doc);
        self.record(&patch);
        Ok(patch)
    }

    /// Forgets the undo history: what was done so far is the starting point.
    pub fn forget_history(&mut self) {
        self.history = History::default();
    }

    /// Undoes the last edit of this session; None when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Patch>, Conflict> {
        let applied = self.history.undo(&mut self.doc)?;
        if let Some(patch) = &applied {
            self.pending.push(patch.clone());
        }
        Ok(applied)
    }

    /// Redoes the last undone edit.
    pub fn redo(&mut self) -> Result<Option<Patch>, Conflict> {
        let applied = self.history.redo(&mut self.doc)?;
        if let Some(patch) = &applied {
            self.pending.push(patch.clone());
        }
        Ok(applied)
    }

    /// Takes someone else's document as the new starting point, keeping the history (a later
    /// undo checks that the objects it touches are as it left them). Only with nothing
    /// pending.
    pub fn reload(&mut self, doc: Document) {
        self.problems = check_document(&doc);
        self.doc = doc;
    }

    /// Replaces the document with someone else's version plus whatever of the pending
    /// patches still apply; returns the ones that did not (dropped: theirs wins).
    pub fn rebase(&mut self, theirs: Document) -> Vec<Conflict> {
        let mut doc = theirs;
        let known: BTreeSet<_> = check_document(&doc).into_iter().collect();
        let mut conflicts = Vec::new();
        for patch in std::mem::take(&mut self.pending) {
            let before = doc.clone();
            match patch.apply(&mut doc) {
                Err(conflict) => conflicts.push(conflict),
                Ok(()) => {
                    let fresh: Vec<String> = check_document(&doc)
                        .into_iter()
                        .filter(|p| !known.contains(p))
                        .map(|p| p.to_string())
                        .collect();
                    if fresh.is_empty() {
                        self.pending.push(patch);
                    } else {
                        conflicts.push(Conflict {
                            label: patch.label.clone(),
                            detail: format!(
                                "it no longer fits the version saved by someone else: {}",
                                fresh.join("; ")
                            ),
                        });
                        doc = before;
                    }
                }
            }
        }
        self.problems = known.into_iter().collect();
        self.doc = doc;
        conflicts
    }

    /// The integrity problems the document has that it did not have when loaded: a commit
    /// may not add any.
    pub fn new_problems(&self) -> Vec<String> {
        let known: BTreeSet<_> = self.problems.iter().collect();
        check_document(&self.doc)
            .iter()
            .filter(|p| !known.contains(p))
            .map(|p| p.to_string())
            .collect()
    }
}
