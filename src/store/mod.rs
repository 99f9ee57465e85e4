//! The store: an editing [`Session`] over a [`Backend`], the JSON file ([`JsonFile`]) being
//! the one there is.
//!
//! A save of the file writes a temp file beside the store, syncs it, keeps the previous version as a
//! backup, renames the temp over the store and syncs the directory, all under a short lock on a
//! sidecar file. Before writing it compares the bytes on disk with the ones it loaded: if
//! someone else saved in between, it re-applies this handle's pending patches onto their
//! version, and reports any that no longer fit instead of overwriting their work.

mod atomic;
mod backend;
mod error;
pub mod fs;
mod json_file;
mod load;
mod output;
pub mod paths;
mod restore;
mod save;
pub(crate) mod time;
pub mod trust;
mod unsaved;

use std::path::Path;

pub use backend::Backend;
pub use error::StoreError;
pub use fs::{Fs, RealFs};
pub(crate) use json_file::Base;
pub use json_file::JsonFile;
pub use load::{Hash, hash, parse};
pub use output::{write_output, write_output_with};
pub use restore::{Backup, Restored, backups, restore_command};
pub use save::SaveReport;
pub use unsaved::Unsaved;

use crate::edit::{self, Batch, Conflict, EditError, Op, Patch, Session};
use crate::model::Document;
use crate::model::check::Problem;

/// How many previous versions a save keeps (`store.json.bak.1` is the newest).
pub const BACKUPS: usize = 5;

/// How many change-log entries a store keeps by default (the newest).
pub const LOG_LIMIT: usize = 10_000;

/// How many objects' before and after images the change log keeps in all, for `bindery
/// revert`: the newest entries keep theirs, older ones lose them once over the budget.
pub const REVERT_IMAGES: usize = 2_000;

/// An entry that touched more objects than this keeps no images (cannot be reverted; a
/// backup can be restored instead).
pub const REVERT_ENTRY_IMAGES: usize = 500;

/// An editing session over a backend: by default the JSON file, which `Store::open(path)`
/// opens.
pub struct Store<B: Backend = JsonFile> {
    session: Session,
    backend: B,
}

impl Store<JsonFile> {
    /// Opens the store at `path`. A missing file gives an empty store that is created on the
    /// first save; any other failure is an error and leaves the file as it is.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, Box::new(RealFs))
    }

    /// Like [`Store::open`], with the file system to use. A store that is there but does not
    /// load gets the newest backup that does, and the command that restores it, in the error.
    pub fn open_with(path: &Path, fs: Box<dyn Fs>) -> Result<Store, StoreError> {
        let mut file = JsonFile::new(path, fs);
        match Store::over(file) {
            Ok(store) => Ok(store),
            Err((err, back)) => {
                file = back;
                Err(restore::with_restore_hint(&*file.fs, path, err))
            }
        }
    }

    /// Like [`Store::open`], without the restore hint in the error: for a caller that lists
    /// the backups itself (`bindery doctor`), so they are not read and parsed twice.
    pub(crate) fn open_unhinted(path: &Path) -> Result<Store, StoreError> {
        Store::over(JsonFile::at(path)).map_err(|(err, _)| err)
    }

    /// Creates a new store file holding `doc`; refuses if one exists.
    pub fn create(path: &Path, doc: Document) -> Result<Store, StoreError> {
        let mut store = Store::open_new(path)?;
        *store.session.doc_mut() = doc;
        store.save()?;
        Ok(store)
    }

    /// A handle on a store that does not exist yet; its first save refuses to write if
    /// someone created the file in the meantime.
    pub fn open_new(path: &Path) -> Result<Store, StoreError> {
        let mut store = Store::open(path)?;
        if store.backend.exists() {
            return Err(StoreError::Exists {
                path: path.to_path_buf(),
            });
        }
        store.backend.must_create = true;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        self.backend.path()
    }

    /// The file, for its settings (how many change-log entries it keeps).
    pub fn file_mut(&mut self) -> &mut JsonFile {
        &mut self.backend
    }
}

impl<B: Backend> Store<B> {
    /// A session over what `backend` loads (an empty document when it holds none yet); on
    /// error, the backend is given back with it.
    pub fn over(mut backend: B) -> Result<Store<B>, (StoreError, B)> {
        match backend.load() {
            Ok(found) => Ok(Store {
                session: Session::new(found.unwrap_or_default()),
                backend,
            }),
            Err(err) => Err((err, backend)),
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    pub fn doc(&self) -> &Document {
        self.session.doc()
    }

    /// Whether the backend holds a document (as of the last load or commit).
    pub fn exists(&self) -> bool {
        self.backend.exists()
    }

    pub fn problems(&self) -> &[Problem] {
        self.session.problems()
    }

    pub fn has_unsaved_changes(&self) -> bool {
        self.session.has_unsaved_changes()
    }

    /// What the edits not yet saved are, in words (one per step, oldest first).
    pub fn unsaved_changes(&self) -> Vec<String> {
        self.session.unsaved_changes()
    }

    /// Applies an operation in memory; `save` writes it.
    pub fn apply(&mut self, op: &Op) -> Result<Patch, EditError> {
        self.session.apply(op)
    }

    /// Applies a patch made elsewhere (a pull's merge) in memory, as one step.
    pub fn apply_patch(&mut self, patch: Patch) -> Result<(), Conflict> {
        self.session.apply_patch(patch)
    }

    /// Integrity problems the edits so far would add (a commit refuses them).
    pub fn new_problems(&self) -> Vec<String> {
        self.session.new_problems()
    }

    /// Reverts the change-log entry `id` (as `bindery log` shows it) in memory, as a new
    /// change that `save` writes and logs as "revert: <operation>": refused, with nothing
    /// changed, if an object it touches changed since or the store would lose integrity.
    pub fn revert(&mut self, id: &str) -> Result<Patch, edit::RevertError> {
        self.session.revert(id)
    }

    /// Forgets the undo history: what was done so far is the starting point (a freshly
    /// created demo store is not something to undo).
    pub fn forget_history(&mut self) {
        self.session.forget_history()
    }

    /// Runs `build` on a batch over the document: everything it applies becomes one step, or,
    /// if it returns an error, nothing at all.
    pub fn apply_batch<T, E>(
        &mut self,
        label: &str,
        build: impl FnOnce(&mut Batch) -> Result<T, E>,
    ) -> Result<(T, Patch), E> {
        self.session.apply_batch(label, build)
    }

    /// Applies several operations as one step.
    pub fn apply_all(&mut self, label: &str, ops: &[Op]) -> Result<Patch, EditError> {
        self.session.apply_all(label, ops)
    }

    /// Undoes the last edit of this session in memory; None when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Patch>, Conflict> {
        self.session.undo()
    }

    /// Redoes the last undone edit in memory.
    pub fn redo(&mut self) -> Result<Option<Patch>, Conflict> {
        self.session.redo()
    }

    /// Whether the backend changed since this handle last loaded or saved.
    pub fn changed_on_disk(&self) -> Result<bool, StoreError> {
        self.backend.changed_since_base()
    }

    /// Loads what another process saved, keeping this session's history (a later undo checks
    /// that the objects it touches are as it left them). Only call this with nothing pending.
    pub fn reload(&mut self) -> Result<(), StoreError> {
        match self.backend.load()? {
            Some(doc) => {
                self.session.reload(doc);
                Ok(())
            }
            None => Err(self.backend.vanished()),
        }
    }

    /// Writes the pending edits through the backend. If someone else saved since this handle
    /// loaded, the edits are re-applied onto their version first; edits that no longer fit
    /// are dropped and reported, never forced over the other version.
    pub fn save(&mut self) -> Result<SaveReport, StoreError> {
        self.backend.commit(&mut self.session)
    }
}
