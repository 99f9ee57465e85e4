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
