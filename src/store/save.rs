//! The one code path that writes a store file.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::atomic::{self, StepError};
use super::error::StoreError;
use super::fs::{Meta, Perms};
use super::json_file::{JsonFile, OnDisk};
use sha2::{Digest, Sha256};

use super::trust::{self, parent_dir};
use super::{BACKUPS, Base};
use crate::edit::{Conflict, Session};
use crate::model::limits::{JsonNesting, LOADER_MAX_NESTING};

/// How long a save waits for another process's save to finish.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// What a successful save did.
#[derive(Debug, Default, PartialEq)]
pub struct SaveReport {
    /// The generation now on disk.
    pub generation: u64,
    /// Someone else had saved in between; their version was reloaded and this handle's edits
    /// re-applied on top of it.
    pub merged: bool,
    /// Edits that could not be re-applied onto someone else's version and were dropped from
    /// memory (the other version wins; nothing of theirs is overwritten).
    pub conflicts: Vec<Conflict>,
}

pub(crate) fn lock_path(store: &Path) -> PathBuf {
    sibling(store, ".lock")
}

/// The `n`th newest backup, `store.json.bak.<n>` (1 to [`BACKUPS`](super::BACKUPS)).
pub(super) fn backup_path(store: &Path, n: usize) -> PathBuf {
    sibling(store, &format!(".bak.{n}"))
}

/// The store as it was in the older format `version`, kept before the first save in a newer
/// one: `store.json.v<version>.bak`.
pub(super) fn old_format_path(store: &Path, version: u32) -> PathBuf {
    sibling(store, &format!(".v{version}.bak"))
}

/// `store` with `suffix` added to its file name, in the same directory.
pub(super) fn sibling(store: &Path, suffix: &str) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    store.with_file_name(name)
}

/// Who is saving, for another process that finds the lock taken.
pub(crate) fn holder() -> String {
    format!("{} (pid {})", os_user(), std::process::id())
}

/// The operating-system user: $USER or $LOGNAME, else the password database's name for the
/// uid, else the uid.
pub(crate) fn os_user() -> String {
    if let Some(name) = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
    {
        return name;
    }
    let uid = super::fs::euid();
    trust::passwd_name(uid).unwrap_or_else(|| format!("uid {uid}"))
}

impl JsonFile {
    /// Writes the session's document. If the file changed on disk since this handle read it,
    /// the other version is loaded and the session's pending edits are re-applied onto it
    /// first; edits that no longer fit are dropped and reported, never forced over the other
    /// version.
    pub(super) fn save(&mut self, session: &mut Session) -> Result<SaveReport, StoreError> {
        let dir = parent_dir(&self.path);
        let perms = self.perms(&dir)?;
        // Directories created here must be made durable in their parents too, or a power
        // loss could take the whole new store with them after the save was acknowledged.
        let mut new_dirs = Vec::new();
        let mut missing = dir.clone();
        while matches!(self.fs.metadata(&missing), Err(e) if e.kind() == io::ErrorKind::NotFound) {
            let up = parent_dir(&missing);
            new_dirs.push(std::mem::replace(&mut missing, up));
            if new_dirs.last() == Some(&missing) {
                break;
            }
        }
        self.fs
            .create_dir_all(&dir, 0o700)
            .map_err(|e| self.failed("creating the store directory", e))?;
        for new_dir in new_dirs.iter().rev() {
            self.fs
                .sync_dir(&parent_dir(new_dir))
                .map_err(|e| self.failed("flushing the new store directory to disk", e))?;
        }
        let _lock = self
            .fs
            .lock(&lock_path(&self.path), LOCK_WAIT, &holder(), perms)
            .map_err(|err| match err.kind() {
                io::ErrorKind::WouldBlock => StoreError::Busy {
                    path: self.path.clone(),
                    holder: self.fs.lock_holder(&lock_path(&self.path)),
                },
                _ => self.failed("taking the save lock", err),
            })?;

        let mut report = SaveReport::default();
        match self.disk_since_base()? {
            OnDisk::Unchanged => {}
            OnDisk::Missing if self.base.is_some() => {
                return Err(StoreError::Vanished {
                    path: self.path.clone(),
                });
            }
            OnDisk::Missing => {}
            OnDisk::Changed(_, _) if self.must_create => {
                return Err(StoreError::Exists {
                    path: self.path.clone(),
                });
            }
            OnDisk::Changed(theirs, their_base) => {
                report.conflicts = session.rebase(*theirs);
                self.base = Some(their_base);
                report.merged = true;
            }
        }
        // Every edit was validated as it was applied; only a merge with someone else's
        // version can bring new integrity problems, so only then is the whole store checked.
        if report.merged {
            let fresh = session.new_problems();
            if !fresh.is_empty() {
                return Err(StoreError::Invalid {
                    path: self.path.clone(),
                    problems: fresh,
                });
            }
        }

        // The new generation and log entries are written straight from the document (no copy
        // of a large store), and taken back if the save fails.
        let previous_generation = self.base.map_or(0, |b| b.generation);
        let old_generation = session.doc().generation;
        let old_log = session.doc().log.clone();
        // A generation cannot wrap: 0 would look older than every copy (only a hand edit gets
        // near the end of the range).
        session.doc_mut().generation = previous_generation
            .max(old_generation)
            .checked_add(1)
            .ok_or_else(|| StoreError::Invalid {
                path: self.path.clone(),
                problems: vec![format!(
                    "its generation counter is at the largest value it can hold ({}); nothing was written. Set \"generation\" in the file to a smaller number (above every other copy's), or restore a backup with `bindery doctor`",
                    u64::MAX
                )],
            })?;
        let (doc, pending) = session.doc_and_pending();
        append_log(doc, pending, self.log_limit);
        let written = self.write_new_version(session.doc(), perms);
        let written_hash = match written {
            Ok(hash) => hash,
            Err(err) => {
                session.doc_mut().generation = old_generation;
                session.doc_mut().log = old_log;
                return Err(err);
            }
        };

        // From here the new version is what the store holds, durable or not.
        self.base = Some(Base {
            generation: session.doc().generation,
            hash: written_hash,
            version: crate::model::SCHEMA_VERSION,
        });
        self.fingerprint = self.fs.fingerprint(&self.path).ok().flatten();
        session.committed();
        self.must_create = false;
        self.fs
            .sync_dir(&dir)
            .map_err(|source| StoreError::NotDurable {
                path: self.path.clone(),
                source,
            })?;
        report.generation = session.doc().generation;
        Ok(report)
    }

    /// The mode and group the new version gets: exactly the store's (setgid bit and all), or
    /// for a new store those [`trust::new_file_mode`] picks. A store the user may not write
    /// is refused here, before anything (even the lock file) is created.
    fn perms(&self, dir: &Path) -> Result<Perms, StoreError> {
        match self.fs.metadata(&self.path) {
            Ok(meta) if meta.is_file => {
                trust::check_writable(&*self.fs, &self.path, &meta)?;
                Ok(Perms {
                    mode: meta.mode,
                    gid: Some(meta.gid),
                })
            }
            _ => Ok(Perms {
                mode: trust::new_file_mode(self.fs.metadata(dir).ok().as_ref()),
                gid: None,
            }),
        }
    }

    /// Serialises the document and writes it atomically; returns the bytes written.
    /// Writes the document as the store's new version: serialised straight into the temporary
    /// file, hashed and checked for the loader's nesting limit on the way (no copy of a large
    /// store in memory), then committed; the hash of what was written.
    fn write_new_version(
        &self,
        doc: &crate::model::Document,
        perms: Perms,
    ) -> Result<super::load::Hash, StoreError> {
        // The store may have been replaced while the lock was being taken: keep the mode of
        // the version being replaced.
        let perms = match self.fs.metadata(&self.path) {
            Ok(Meta {
                is_file: true,
                mode,
                gid,
                ..
            }) => Perms {
                mode,
                gid: Some(gid),
            },
            _ => perms,
        };
        let mut hasher = Sha256::new();
        let mut nesting = JsonNesting::default();
        let staged = atomic::stage_with(&*self.fs, &self.path, Some(perms), |out| {
            let mut tee = Tee {
                out,
                hasher: &mut hasher,
                nesting: &mut nesting,
                failed: None,
            };
            // The serialiser's many small writes reach the hash and the scan in large pieces.
            let mut buffered = io::BufWriter::with_capacity(1 << 16, &mut tee);
            let written = serde_json::to_writer_pretty(&mut buffered, doc)
                .map_err(io::Error::other)
                .and_then(|()| buffered.flush());
            drop(buffered);
            // The file's own error (a full disk), as the system gave it, not a wrapper's.
            written.map_err(|e| tee.failed.take().unwrap_or(e))
        })
        .map_err(|e| self.failed(e.step, e.source))?;
        // Refused before it replaces the store (the staged file is removed when dropped).
        let (depth, at) = nesting.deepest();
        if depth > LOADER_MAX_NESTING {
            return Err(StoreError::Invalid {
                path: self.path.clone(),
                problems: vec![format!(
                    "the new version would nest {depth} levels deep (at byte {at}) and the store loader reads at most {LOADER_MAX_NESTING}; nothing was written"
                )],
            });
        }
        self.commit_staged(staged)?;
        Ok(hasher.finalize().into())
    }

    fn failed(&self, step: &'static str, source: io::Error) -> StoreError {
        StoreError::Save {
            path: self.path.clone(),
            step,
            source,
        }
    }

    /// Keeps a backup of the version being replaced, then puts the staged one in its place;
    /// the caller syncs the directory.
    fn commit_staged(&self, staged: atomic::Staged<'_>) -> Result<(), StoreError> {
        if let Some(base) = self.base {
            self.rotate_backups()
                .map_err(|e| self.failed("keeping a backup of the previous version", e))?;
            if base.version < crate::model::SCHEMA_VERSION {
                self.keep_old_format(base.version)
                    .map_err(|e| self.failed("keeping a backup of the older format", e))?;
            }
        }
        staged
            .commit("replacing the store with the new version")
            .map_err(|e: StepError| self.failed(e.step, e.source))
    }

    /// Before the first save in a newer format, the file in the older one is kept as
    /// `store.json.v<old>.bak` (once: an existing one is left alone).
    fn keep_old_format(&self, version: u32) -> io::Result<()> {
        match self
            .fs
            .hard_link(&self.path, &old_format_path(&self.path, version))
        {
            Err(err) if err.kind() != io::ErrorKind::AlreadyExists => Err(err),
            _ => Ok(()),
        }
    }

    /// `.bak.1` becomes `.bak.2` and so on; the current store is hard-linked as `.bak.1`.
    fn rotate_backups(&self) -> io::Result<()> {
        for n in (1..BACKUPS).rev() {
            let from = backup_path(&self.path, n);
            match self.fs.rename(&from, &backup_path(&self.path, n + 1)) {
                Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
                _ => {}
            }
        }
        let newest = backup_path(&self.path, 1);
        match self.fs.remove_file(&newest) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        self.fs.hard_link(&self.path, &newest)
    }
}

/// Passes what the serialiser writes on to the file, hashing it and measuring its nesting.
struct Tee<'w> {
    out: &'w mut dyn io::Write,
    hasher: &'w mut Sha256,
    nesting: &'w mut JsonNesting,
    /// The error writing the file gave, kept whole.
    failed: Option<io::Error>,
}

impl io::Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Err(err) = self.out.write_all(buf) {
            let kind = err.kind();
            self.failed = Some(err);
            return Err(kind.into());
        }
        self.hasher.update(buf);
        self.nesting.feed(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Appends one change-log entry per saved patch, keeping the newest `limit`.
fn append_log(doc: &mut crate::model::Document, patches: &[crate::edit::Patch], limit: usize) {
    const SHOWN: usize = 50;
    let at = super::time::now_rfc3339();
    let user = os_user();
    for patch in patches {
        // What the patch removed is named from the patch itself (an undone create and bind
        // took the stage and its binding away: the binding still names its stage).
        let gone = crate::model::describe::gone(patch.removed());
        let mut objects: Vec<String> = patch
            .changes
            .iter()
            .filter_map(|c| c.after.as_ref().or(c.before.as_ref()))
            .take(SHOWN)
            .map(|o| doc.describe_among(o, &gone))
            .collect();
        if patch.changes.len() > SHOWN {
            objects.push(format!("and {} more", patch.changes.len() - SHOWN));
        }
        let id = doc.log.last().map_or(1, |e| e.id + 1);
        let images = (patch.changes.len() <= super::REVERT_ENTRY_IMAGES).then(|| {
            patch
                .changes
                .iter()
                .map(|c| crate::model::Image {
                    kind: c.kind,
                    id: c.id,
                    index: c.index,
                    before: c.before.as_ref().map(crate::model::Obj::to_json),
                    after: c.after.as_ref().map(crate::model::Obj::to_json),
                })
                .collect()
        });
        doc.log.push(crate::model::LogEntry {
            id,
            at: at.clone(),
            user: user.clone(),
            operation: patch.label.clone(),
            objects,
            images,
        });
    }
    if doc.log.len() > limit {
        let excess = doc.log.len() - limit;
        doc.log.drain(..excess);
    }
    // The newest entries keep their images within the budget; older ones drop them.
    let mut kept = 0;
    for entry in doc.log.iter_mut().rev() {
        if let Some(images) = &entry.images {
            kept += images.len();
            if kept > super::REVERT_IMAGES {
                entry.images = None;
            }
        }
    }
}
