//! Output files (exported blueprints): written like the store, atomically and never through a
//! link, and never over the store, its lock, its backups or its temp files.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::atomic::{self, StepError};
use super::error::StoreError;
use super::fs::{Fs, RealFs};
use super::save::{backup_path, lock_path, old_format_path};
use super::trust::parent_dir;

/// Writes `bytes` to `target` for a user of the store at `store`. The new file is 0600 unless
/// the umask asks for less (an export holds what the store holds).
pub fn write_output(target: &Path, bytes: &[u8], store: &Path) -> Result<(), StoreError> {
    write_output_with(target, store, |out| out.write_all(bytes))
}

/// [`write_output`] of what `write` writes as it makes it: into the temporary file that then
/// takes the target's place, so a failure half-way leaves the target as it was.
pub fn write_output_with(
    target: &Path,
    store: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), StoreError> {
    let fs = RealFs;
    match fs.metadata(target) {
        Ok(meta) if meta.is_symlink => {
            return Err(StoreError::OutputSymlink {
                path: target.to_path_buf(),
            });
        }
        Ok(meta) if !meta.is_file => {
            return Err(StoreError::NotAFile {
                path: target.to_path_buf(),
            });
        }
        Ok(_) => {}
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(StoreError::io(target, err)),
    }
    if is_the_stores(target, store) {
        return Err(StoreError::OutputIsStore {
            path: target.to_path_buf(),
            store: store.to_path_buf(),
        });
    }
    let failed = |e: StepError| StoreError::Output {
        path: target.to_path_buf(),
        step: e.step,
        source: e.source,
    };
    atomic::stage_with(&fs, target, None, write)
        .map_err(failed)?
        .commit("putting the new file in place")
        .map_err(failed)?;
    fs.sync_dir(&parent_dir(target))
        .map_err(|source| StoreError::NotDurable {
            path: target.to_path_buf(),
            source,
        })
}

/// Whether `target` is one of the store's files: by name in the same (resolved) directory,
/// or, for an existing file, by device and inode (a hard link, another mount of the directory).
fn is_the_stores(target: &Path, store: &Path) -> bool {
    if store.file_name().is_none() {
        return false;
    }
    let store_dir = fs::canonicalize(parent_dir(store)).ok();
    let target_dir = fs::canonicalize(parent_dir(target)).ok();
    if store_dir.is_some()
        && store_dir == target_dir
        && target
            .file_name()
            .is_some_and(|name| belongs_to(store, name))
    {
        return true;
    }
    let Ok(written) = fs::symlink_metadata(target) else {
        return false;
    };
    store_files(store).iter().any(|file| {
        fs::symlink_metadata(file)
            .is_ok_and(|m| m.dev() == written.dev() && m.ino() == written.ino())
    })
}

/// The store's files that exist: itself, its lock, its backups and temp files.
fn store_files(store: &Path) -> Vec<PathBuf> {
    let dir = parent_dir(store);
    let Ok(entries) = fs::read_dir(&dir) else {
        return vec![store.to_path_buf()];
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|name| belongs_to(store, name))
        .map(|name| dir.join(name))
        .collect()
}

/// `store.json`, `store.json.lock`, `store.json.bak.N`, `store.json.vN.bak` and the temp
/// files `.store.json.*.tmp`, by the names the store gives them. Any number counts (a
/// backup left by a version that kept more, a format not yet known), so the number in the
/// name is the candidate.
fn belongs_to(store: &Path, name: &OsStr) -> bool {
    let is = |path: PathBuf| path.file_name() == Some(name);
    let text = name.to_string_lossy();
    let mut numbers = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|run| run.parse::<u32>().ok());
    is(store.to_path_buf())
        || is(lock_path(store))
        || atomic::is_temp_of(store, &text)
        || numbers.any(|n| is(backup_path(store, n as usize)) || is(old_format_path(store, n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stores_own_names() {
        let store = Path::new("store.json");
        for name in [
            "store.json",
            "store.json.lock",
            "store.json.bak.1",
            "store.json.bak.12",
            "store.json.v1.bak",
            ".store.json.0123abcd.tmp",
        ] {
            assert!(belongs_to(store, OsStr::new(name)), "{name}");
        }
        for name in [
            "store.json.yaml",
            "store.json.bak.",
            "store.json.bak.x",
            "store.jsonx",
            "other.json",
            ".store.json.yaml",
        ] {
            assert!(!belongs_to(store, OsStr::new(name)), "{name}");
        }
    }
}
