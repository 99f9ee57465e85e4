//! Everything that can go wrong opening or saving a store, each naming the file and the cause.

use std::io;
use std::path::PathBuf;

use crate::edit::Conflict;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: is a symbolic link; bindery never follows a link at the store path (point --store at the real file)", path.display())]
    Symlink { path: PathBuf },
    #[error("{}: is not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("{}: is writable by every user (mode {mode:04o}); refusing to use it. Fix with: chmod o-w {}", path.display(), path.display())]
    WorldWritable { path: PathBuf, mode: u32 },
    #[error("{}: was written by a newer bindery (store schema version {found}; this build knows up to {supported}); it is left untouched", path.display())]
    Newer {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{}: is not a bindery store: {why}", path.display())]
    NotAStore { path: PathBuf, why: String },
    #[error("{}: a store already exists here", path.display())]
    Exists { path: PathBuf },
    #[error("{}: saving failed while {step}: {source}; the store on disk is unchanged", path.display())]
    Save {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{}: the new version is in place, but flushing the directory to disk failed ({source}); it may be lost if the machine loses power", path.display())]
    NotDurable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{}: {whose}, and you are {me}; bindery does not use a store that someone else \
         controls (they decide what it holds and can read what you save). If you share this \
         store on purpose, opt in once: set {env}={} or add safe_stores = [\"{}\"] to {}",
        path.display(),
        suggest.display(),
        suggest.display(),
        config.as_ref().map_or("the bindery config.toml".to_string(), |c| c.display().to_string()),
        env = super::trust::SAFE_STORES_ENV
    )]
    NotYours {
        path: PathBuf,
        /// "is owned by alice (uid 1001)" or "is in the directory D, owned by ...".
        whose: String,
        me: String,
        /// The path to put on the opt-in list.
        suggest: PathBuf,
        config: Option<PathBuf>,
    },
    #[error("{}: {message}", path.display())]
    Config { path: PathBuf, message: String },
    #[error("{}: you may not write this store (mode {mode:04o}, owner {owner}); bindery never replaces a store you may not write. To edit it, make it writable for you first (e.g. chmod u+w as its owner)", path.display())]
    ReadOnly {
        path: PathBuf,
        mode: u32,
        owner: String,
    },
    #[error("{}: is a symbolic link; bindery never writes through a link (give the real path)", path.display())]
    OutputSymlink { path: PathBuf },
    #[error("{}: is the store {} (or its lock or a backup); an output file never replaces them, choose another path", path.display(), store.display())]
    OutputIsStore { path: PathBuf, store: PathBuf },
    #[error("{}: writing failed while {step}: {source}; the file is unchanged", path.display())]
    Output {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{}: the store is being saved by someone else ({holder}); try again", path.display())]
    Busy { path: PathBuf, holder: String },
    #[error("{}: the store on disk was removed or replaced since it was opened; nothing was written", path.display())]
    Vanished { path: PathBuf },
    #[error("{}: the save would leave integrity problems: {}", path.display(), problems.join("; "))]
    Invalid {
        path: PathBuf,
        problems: Vec<String>,
    },
    #[error("{}: {}", path.display(), conflicts.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("; "))]
    Conflicts {
        path: PathBuf,
        conflicts: Vec<Conflict>,
    },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> StoreError {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}
