//! Recovering a store that does not load: which of its backups do, the exact command that
//! restores the newest of them, and the restore itself (through the normal save, after keeping
//! the current file aside).

use std::path::{Path, PathBuf};

use super::error::StoreError;
use super::fs::{Fs, RealFs};
use super::load::{hash, parse};
use super::save::{backup_path, old_format_path, sibling};
use super::{BACKUPS, Base, JsonFile, Store};
use crate::edit::{Patch, Session};
use crate::model::SCHEMA_VERSION;

/// One backup file beside a store and whether it loads.
#[derive(Debug)]
pub struct Backup {
    pub path: PathBuf,
    /// Its generation when it loads, else why not.
    pub loads: Result<u64, String>,
}

/// What a restore did.
#[derive(Debug, PartialEq)]
pub struct Restored {
    /// Where the file that was at the store path now is (None when there was none).
    pub kept_aside: Option<PathBuf>,
    /// The generation of the restored store.
    pub generation: u64,
}

/// The backups that exist beside the store, newest first: `.bak.1` to `.bak.N`, then the
/// copies kept before format upgrades (`.v1.bak`, ...).
pub fn backups(store: &Path) -> Vec<Backup> {
    backups_in(&RealFs, store)
}

pub(crate) fn backups_in(fs: &dyn Fs, store: &Path) -> Vec<Backup> {
    let rotated = (1..=BACKUPS).map(|n| backup_path(store, n));
    let upgraded = (1..SCHEMA_VERSION).rev().map(|v| old_format_path(store, v));
    rotated
        .chain(upgraded)
        .filter_map(|path| {
            let bytes = fs.read(&path).ok()?;
            let loads = parse(&path, &bytes)
                .map(|doc| doc.generation)
                .map_err(|e| e.to_string());
            Some(Backup { path, loads })
        })
        .collect()
}

/// A path as one shell word.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The command that restores `backup` over `store`.
pub fn restore_command(store: &Path, backup: &Path) -> String {
    format!(
        "bindery --store {} doctor --restore {}",
        shell_word(store),
        shell_word(backup)
    )
}

/// A load error with what to do next: the newest backup that loads and the command that
/// restores it. Only for files that are there but unreadable as a store; a newer format or a
/// file system problem is not fixed by going back.
pub(crate) fn with_restore_hint(fs: &dyn Fs, store: &Path, err: StoreError) -> StoreError {
    let hint = |found: &[Backup]| match found.iter().find(|b| b.loads.is_ok()) {
        Some(b) => format!(
            "; the newest backup that loads is {} (generation {}); restore it with: {}",
            b.path.display(),
            b.loads.as_ref().copied().unwrap_or_default(),
            restore_command(store, &b.path)
        ),
        None if found.is_empty() => "; there is no backup beside it".to_string(),
        None => "; no backup beside it loads either (`bindery doctor` lists them)".to_string(),
    };
    match err {
        StoreError::Parse {
            path,
            line,
            column,
            mut message,
        } => {
            message.push_str(&hint(&backups_in(fs, store)));
            StoreError::Parse {
                path,
                line,
                column,
                message,
            }
        }
        StoreError::NotAStore { path, mut why } => {
            why.push_str(&hint(&backups_in(fs, store)));
            StoreError::NotAStore { path, why }
        }
        other => other,
    }
}

impl Store {
    /// Replaces the store at `path` with the store in `from` (a backup), through the normal
    /// atomic save. The file at `path`, loadable or not, is first kept beside it as
    /// `<store>.broken-<time>` (or `.replaced-<time>` when it loaded); nothing is overwritten.
    pub fn restore(path: &Path, from: &Path) -> Result<Restored, StoreError> {
        Store::restore_with(path, from, Box::new(RealFs))
    }

    pub fn restore_with(path: &Path, from: &Path, fs: Box<dyn Fs>) -> Result<Restored, StoreError> {
        let refuse = |why: String| StoreError::Invalid {
            path: path.to_path_buf(),
            problems: vec![why],
        };
        if from == path {
            return Err(refuse(
                "cannot restore the store from itself; name a backup".into(),
            ));
        }
        let bytes = fs.read(from).map_err(|e| StoreError::io(from, e))?;
        let doc = parse(from, &bytes)?;
        let mut file = JsonFile::new(path, fs);
        let mut session = Session::new(doc);
        session.set_pending(vec![Patch::new(format!(
            "restore the store from {}",
            from.display()
        ))]);
        let kept_aside = match file.read_bytes()? {
            Some(current) => {
                let loads = parse(path, &current).is_ok();
                let stamp: String = super::time::now_rfc3339()
                    .chars()
                    .filter(|c| !matches!(c, '-' | ':'))
                    .collect();
                let aside = sibling(
                    path,
                    &format!(".{}-{stamp}", if loads { "replaced" } else { "broken" }),
                );
                file.fs
                    .hard_link(path, &aside)
                    .map_err(|source| StoreError::Save {
                        path: path.to_path_buf(),
                        step: "keeping the current file aside",
                        source,
                    })?;
                // The save replaces exactly these bytes; if anyone writes in between, it
                // merges instead, and the restore is reported as not done.
                file.base = Some(Base {
                    generation: 0,
                    hash: hash(&current),
                    version: SCHEMA_VERSION,
                });
                Some(aside)
            }
            None => {
                file.must_create = true;
                None
            }
        };
        let report = file.save(&mut session)?;
        if report.merged {
            return Err(refuse(format!(
                "someone saved the store while it was being restored; their version was kept (nothing restored){}",
                kept_aside
                    .as_ref()
                    .map(|a| format!("; the file as it was is kept as {}", a.display()))
                    .unwrap_or_default()
            )));
        }
        Ok(Restored {
            kept_aside,
            generation: report.generation,
        })
    }
}
