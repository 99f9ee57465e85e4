//! The JSON file backend: one file, saved atomically under a lock with backups, compared
//! with what was last read or written by its bytes' hash (and, when the file system can say,
//! a cheap fingerprint first).

use std::io;
use std::path::{Path, PathBuf};

use super::backend::Backend;
use super::error::StoreError;
use super::fs::{self, Fs, RealFs};
use super::load::{self, Hash, hash};
use super::save::{self, SaveReport};
use super::{LOG_LIMIT, atomic, trust};
use crate::edit::Session;
use crate::model::Document;

/// The store file compared with what a handle last read or wrote.
pub(super) enum OnDisk {
    Missing,
    Unchanged,
    Changed(Box<Document>, Base),
}

/// What this handle last read from or wrote to disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Base {
    pub(super) generation: u64,
    pub(super) hash: Hash,
    /// The schema version of the file as read; an older one is backed up before the first
    /// save in the new format.
    pub(super) version: u32,
}

/// A store file and what this handle knows of it.
pub struct JsonFile {
    pub(super) path: PathBuf,
    pub(super) fs: Box<dyn Fs>,
    /// None while the file does not exist yet.
    pub(super) base: Option<Base>,
    /// Set by `open_new`: the first save must create the file, not merge into one.
    pub(super) must_create: bool,
    /// How many change-log entries to keep.
    pub log_limit: usize,
    /// The store file as this handle last read or wrote it, when the file system can say.
    pub(super) fingerprint: Option<fs::Fingerprint>,
}

impl JsonFile {
    /// The file at `path`, nothing read yet.
    pub fn new(path: &Path, fs: Box<dyn Fs>) -> JsonFile {
        JsonFile {
            path: path.to_path_buf(),
            fs,
            base: None,
            must_create: false,
            log_limit: LOG_LIMIT,
            fingerprint: None,
        }
    }

    /// The file on the real file system.
    pub fn at(path: &Path) -> JsonFile {
        JsonFile::new(path, Box::new(RealFs))
    }

    pub fn path(&self) -> &Path {
        &self.path
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
    pub(super) fn read_bytes(&self) -> Result<Option<Vec<u8>>, StoreError> {
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
    pub(super) fn disk_since_base(&mut self) -> Result<OnDisk, StoreError> {
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

impl Backend for JsonFile {
    fn load(&mut self) -> Result<Option<Document>, StoreError> {
        let found = self.read_disk()?;
        Ok(found.map(|(doc, base)| {
            let first = self.base.is_none();
            self.base = Some(base);
            if first {
                self.remove_stale_temps();
            }
            doc
        }))
    }

    fn commit(&mut self, session: &mut Session) -> Result<SaveReport, StoreError> {
        self.save(session)
    }

    fn changed_since_base(&self) -> Result<bool, StoreError> {
        match self.fs.read(&self.path) {
            Ok(bytes) => Ok(self.base.map(|b| b.hash) != Some(hash(&bytes))),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(self.base.is_some()),
            Err(err) => Err(StoreError::io(&self.path, err)),
        }
    }

    fn exists(&self) -> bool {
        self.base.is_some()
    }

    fn vanished(&self) -> StoreError {
        StoreError::Vanished {
            path: self.path.clone(),
        }
    }

    fn describe(&self) -> String {
        crate::text::sanitize(&self.path.display().to_string()).into_owned()
    }
}
