//! The JSON store: one file, saved atomically, shared safely between processes.
//!
//! A save writes a temp file beside the store, syncs it, keeps the previous version as a
//! backup, renames the temp over the store and syncs the directory, all under a short lock on a
//! sidecar file. Before writing it compares the bytes on disk with the ones it loaded: if
//! someone else saved in between, it re-applies this handle's pending patches onto their
//! version, and reports any that no longer fit instead of overwriting their work.

mod atomic;
mod error;
pub mod fs;
mod load;
mod output;
pub mod paths;
mod restore;
mod save;
mod time;
pub mod trust;
mod unsaved;

use std::io;
use std::path::{Path, PathBuf};

pub use error::StoreError;
pub use fs::{Fs, RealFs};
pub use load::{Hash, hash, parse};
pub use output::{write_output, write_output_with};
pub use restore::{Backup, Restored, backups, restore_command};
pub use save::SaveReport;
pub use unsaved::Unsaved;

use crate::edit::{self, Batch, Conflict, EditError, History, Op, Patch};
use crate::model::Document;
use crate::model::check::{Problem, check_document};

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

/// The store file compared with what a handle last read or wrote.
pub(crate) enum OnDisk {
    Missing,
    Unchanged,
    Changed(Box<Document>, Base),
}

/// What this handle last read from or wrote to disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Base {
    generation: u64,
    hash: Hash,
    /// The schema version of the file as read; an older one is backed up before the first
    /// save in the new format.
    version: u32,
}

pub struct Store {
    path: PathBuf,
    fs: Box<dyn Fs>,
    doc: Document,
    /// None while the file does not exist yet.
    base: Option<Base>,
    /// Patches applied since the last save, re-applied onto someone else's save if needed.
    pending: Vec<Patch>,
    /// Integrity problems found when loading (a hand-edited file); saves may not add to them.
    problems: Vec<Problem>,
    history: History,
    /// Set by `open_new`: the first save must create the file, not merge into one.
    must_create: bool,
    /// How many change-log entries to keep.
    pub log_limit: usize,
    /// The store file as this handle last read or wrote it, when the file system can say.
    fingerprint: Option<fs::Fingerprint>,
}

impl Store {
    /// Opens the store at `path`. A missing file gives an empty store that is created on the
    /// first save; any other failure is an error and leaves the file as it is.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, Box::new(RealFs))
    }

    /// Like [`Store::open`], with the file system to use. A store that is there but does not
    /// load gets the newest backup that does, and the command that restores it, in the error.
    pub fn open_with(path: &Path, fs: Box<dyn Fs>) -> Result<Store, StoreError> {
        let mut store = Store::handle(path, fs);
        let found = store
            .read_disk()
            .map_err(|e| restore::with_restore_hint(&*store.fs, path, e))?;
        Ok(store.with_found(found))
    }

    /// Like [`Store::open`], without the restore hint in the error: for a caller that lists
    /// the backups itself (`bindery doctor`), so they are not read and parsed twice.
    pub(crate) fn open_unhinted(path: &Path) -> Result<Store, StoreError> {
        let mut store = Store::handle(path, Box::new(RealFs));
        let found = store.read_disk()?;
        Ok(store.with_found(found))
    }

    /// A handle on `path` holding an empty document, with nothing read, pending or undone.
    fn handle(path: &Path, fs: Box<dyn Fs>) -> Store {
        Store {
            path: path.to_path_buf(),
            fs,
            doc: Document::default(),
            base: None,
            pending: Vec::new(),
            problems: Vec::new(),
            history: History::default(),
            must_create: false,
            log_limit: LOG_LIMIT,
            fingerprint: None,
        }
    }

    /// The handle after its first read: holding what was found, if anything.
    fn with_found(mut self, found: Option<(Document, Base)>) -> Store {
        if let Some((doc, base)) = found {
            self.problems = check_document(&doc);
            self.doc = doc;
            self.base = Some(base);
            self.remove_stale_temps();
        }
        self
    }

    /// Creates a new store file holding `doc`; refuses if one exists.
    pub fn create(path: &Path, doc: Document) -> Result<Store, StoreError> {
        let mut store = Store::open_new(path)?;
        store.doc = doc;
        store.save()?;
        Ok(store)
    }

    /// A handle on a store that does not exist yet; its first save refuses to write if
    /// someone created the file in the meantime.
    pub fn open_new(path: &Path) -> Result<Store, StoreError> {
        let mut store = Store::open(path)?;
        if store.base.is_some() {
            return Err(StoreError::Exists {
                path: path.to_path_buf(),
            });
        }
        store.must_create = true;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn doc(&self) -> &Document {
        &self.doc
    }

    /// Whether the file exists on disk (as of the last read or write).
    pub fn exists(&self) -> bool {
        self.base.is_some()
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub fn has_unsaved_changes(&self) -> bool {
        !self.pending.is_empty()
    }

    /// What the edits not yet saved are, in words (one per step, oldest first).
    pub fn unsaved_changes(&self) -> Vec<String> {
        self.pending.iter().map(|p| p.label.clone()).collect()
    }

    /// Applies an operation in memory; `save` writes it.
    pub fn apply(&mut self, op: &Op) -> Result<Patch, EditError> {
        let patch = edit::apply(&mut self.doc, op)?;
        self.pending.push(patch.clone());
        self.history.record(patch.clone());
        Ok(patch)
    }

    /// Reverts the change-log entry `id` (as `bindery log` shows it) in memory, as a new
    /// change that `save` writes and logs as "revert: <operation>": refused, with nothing
    /// changed, if an object it touches changed since or the store would lose integrity.
    pub fn revert(&mut self, id: &str) -> Result<Patch, edit::RevertError> {
        let patch = edit::revert_patch(&self.doc, id)?;
        patch.apply_unchecked(&mut self.doc);
        self.pending.push(patch.clone());
        self.history.record(patch.clone());
        Ok(patch)
    }

    /// Forgets the undo history: what was done so far is the starting point (a freshly
    /// created demo store is not something to undo).
    pub fn forget_history(&mut self) {
        self.history = History::default();
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
        self.pending.push(patch.clone());
        self.history.record(patch.clone());
        Ok((value, patch))
    }

    /// Applies several operations as one step.
    pub fn apply_all(&mut self, label: &str, ops: &[Op]) -> Result<Patch, EditError> {
        let patch = edit::apply_all(&mut self.doc, label, ops)?;
        self.pending.push(patch.clone());
        self.history.record(patch.clone());
        Ok(patch)
    }

    /// Undoes the last edit of this session in memory; None when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Patch>, Conflict> {
        let applied = self.history.undo(&mut self.doc)?;
        if let Some(patch) = &applied {
            self.pending.push(patch.clone());
        }
        Ok(applied)
    }

    /// Redoes the last undone edit in memory.
    pub fn redo(&mut self) -> Result<Option<Patch>, Conflict> {
        let applied = self.history.redo(&mut self.doc)?;
        if let Some(patch) = &applied {
            self.pending.push(patch.clone());
        }
        Ok(applied)
    }

    /// Whether the file on disk differs from what this handle last read or wrote.
    pub fn changed_on_disk(&self) -> Result<bool, StoreError> {
        match self.fs.read(&self.path) {
            Ok(bytes) => Ok(self.base.map(|b| b.hash) != Some(hash(&bytes))),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(self.base.is_some()),
            Err(err) => Err(StoreError::io(&self.path, err)),
        }
    }

    /// Loads what another process saved, keeping this session's history (a later undo checks
    /// that the objects it touches are as it left them). Only call this with nothing pending.
    pub fn reload(&mut self) -> Result<(), StoreError> {
        match self.read_disk()? {
            Some((doc, base)) => {
                self.problems = check_document(&doc);
                self.doc = doc;
                self.base = Some(base);
                Ok(())
            }
            None => Err(StoreError::Vanished {
                path: self.path.clone(),
            }),
        }
    }

    /// Reads the file: None when it does not exist.
    fn read_disk(&mut self) -> Result<Option<(Document, Base)>, StoreError> {
        let fingerprint = self.fs.fingerprint(&self.path).ok().flatten();
        let Some(bytes) = self.read_bytes()? else {
            return Ok(None);
        };
        // Hashing a large store costs a third of parsing it: the other core does it meanwhile.
        let (parsed, digest) = std::thread::scope(|scope| {
            let digest = scope.spawn(|| hash(&bytes));
            let parsed = load::parse_versioned(&self.path, &bytes);
            (parsed, digest.join().expect("hashing does not panic"))
        });
        let (doc, version) = parsed?;
        let base = Base {
            generation: doc.generation,
            hash: digest,
            version,
        };
        self.fingerprint = fingerprint;
        Ok(Some((doc, base)))
    }

    /// The file's bytes, refusing links, non-files, world-writable files and files (or
    /// directories) of another user not opted in to; None when it does not exist.
    fn read_bytes(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let meta = self.fs.metadata(&self.path);
        if matches!(&meta, Ok(m) if !m.is_symlink)
            || matches!(&meta, Err(e) if e.kind() == io::ErrorKind::NotFound)
        {
            trust::check_owner(&*self.fs, &self.path, meta.as_ref().ok())?;
        }
        match meta {
            Ok(meta) if meta.is_symlink => {
                return Err(StoreError::Symlink {
                    path: self.path.clone(),
                });
            }
            Ok(meta) if !meta.is_file => {
                return Err(StoreError::NotAFile {
                    path: self.path.clone(),
                });
            }
            Ok(meta) if meta.mode & 0o002 != 0 => {
                return Err(StoreError::WorldWritable {
                    path: self.path.clone(),
                    mode: meta.mode,
                });
            }
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(StoreError::io(&self.path, err)),
        }
        match self.fs.read(&self.path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) if err.raw_os_error() == Some(libc::ELOOP) => Err(StoreError::Symlink {
                path: self.path.clone(),
            }),
            Err(err) => Err(StoreError::io(&self.path, err)),
        }
    }

    /// What is on disk compared with what this handle last read or wrote: the fingerprint
    /// answers when it can; otherwise the bytes are read and hashed, and parsed only if they
    /// differ.
    fn disk_since_base(&mut self) -> Result<OnDisk, StoreError> {
        let fingerprint = self.fs.fingerprint(&self.path).ok().flatten();
        if self.base.is_some() && fingerprint.is_some() && fingerprint == self.fingerprint {
            return Ok(OnDisk::Unchanged);
        }
        let Some(bytes) = self.read_bytes()? else {
            return Ok(OnDisk::Missing);
        };
        let digest = hash(&bytes);
        if self.base.is_some_and(|b| b.hash == digest) {
            self.fingerprint = fingerprint;
            return Ok(OnDisk::Unchanged);
        }
        let (doc, version) = load::parse_versioned(&self.path, &bytes)?;
        let base = Base {
            generation: doc.generation,
            hash: digest,
            version,
        };
        self.fingerprint = fingerprint;
        Ok(OnDisk::Changed(Box::new(doc), base))
    }

    /// Removes temp files that a killed save left behind, under the lock so that no live save
    /// can own one. Best effort: a read-only store directory simply keeps them.
    fn remove_stale_temps(&self) {
        let Some(dir) = self.path.parent() else {
            return;
        };
        let Ok(names) = self.fs.list_dir(dir) else {
            return;
        };
        let stale: Vec<&String> = names
            .iter()
            .filter(|n| atomic::is_temp_of(&self.path, n))
            .collect();
        if stale.is_empty() {
            return;
        }
        let Ok(meta) = self.fs.metadata(&self.path) else {
            return;
        };
        let perms = fs::Perms {
            mode: meta.mode,
            gid: Some(meta.gid),
        };
        let Ok(_guard) = self.fs.lock(
            &save::lock_path(&self.path),
            std::time::Duration::from_millis(200),
            &save::holder(),
            perms,
        ) else {
            return;
        };
        for name in stale {
            let _ = self.fs.remove_file(&dir.join(name));
        }
    }
}
