//! Whose store this is. As git's `safe.directory`: bindery uses a store only if the store and
//! its directory belong to the user (a directory may also be root's), unless the user opted in
//! to that store; and it never replaces a store the user may not write.

use std::io;
use std::path::{Path, PathBuf};

use super::error::StoreError;
use super::fs::{Fs, Meta, euid};

/// Paths of stores (or their directories) owned by someone else that may be opened anyway,
/// separated like `PATH`; `*` trusts every store.
pub const SAFE_STORES_ENV: &str = "BINDERY_SAFE_STORES";

/// The settings file in the configuration directory; its `safe_stores` list is the same as
/// the environment variable.
pub const CONFIG_FILE: &str = "config.toml";

/// `alice (uid 1001)`, or `uid 1001` when the password database does not know it.
pub fn user_name(uid: u32) -> String {
    match passwd_name(uid) {
        Some(name) => format!("{name} (uid {uid})"),
        None => format!("uid {uid}"),
    }
}

/// The password database's name for a uid.
pub(crate) fn passwd_name(uid: u32) -> Option<String> {
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buffer = vec![0 as libc::c_char; 4096];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call, and the buffer outlives the name's use.
    let found = unsafe {
        libc::getpwuid_r(
            uid,
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut result,
        )
    };
    if found == 0 && !result.is_null() && !entry.pw_name.is_null() {
        // SAFETY: getpwuid_r filled pw_name with a NUL-terminated string inside `buffer`.
        let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
    None
}

/// The directory a path is in (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// Refuses a store owned by someone else, or one in a directory owned by someone other than
/// the user or root (its owner could swap the file), unless the user opted in. Root is not
/// exempt: a store planted for root is exactly what this guards against.
pub(crate) fn check_owner(fs: &dyn Fs, path: &Path, file: Option<&Meta>) -> Result<(), StoreError> {
    let me = euid();
    let dir = parent_dir(path);
    let foreign = match file {
        Some(meta) if meta.uid != me => Some((meta.uid, None)),
        _ => match fs.metadata(&dir) {
            Ok(meta) if meta.uid != me && meta.uid != 0 => Some((meta.uid, Some(dir))),
            _ => None,
        },
    };
    let Some((owner, dir)) = foreign else {
        return Ok(());
    };
    let (entries, config) = safe_stores()?;
    if opted_in(path, &entries) {
        return Ok(());
    }
    let whose = match dir {
        None => format!("is owned by {}", user_name(owner)),
        Some(dir) => format!(
            "is in the directory {}, owned by {}",
            dir.display(),
            user_name(owner)
        ),
    };
    Err(StoreError::NotYours {
        path: path.to_path_buf(),
        whose,
        me: user_name(me),
        suggest: normalize(path),
        config,
    })
}

/// The opt-in list: the environment variable's entries, then the config file's.
fn safe_stores() -> Result<(Vec<String>, Option<PathBuf>), StoreError> {
    let mut entries: Vec<String> = std::env::var_os(SAFE_STORES_ENV)
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .map(|p| p.to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let config = super::paths::config_dir().map(|d| d.join(CONFIG_FILE));
    if let Some(file) = &config {
        entries.extend(config_entries(file)?);
    }
    Ok((entries, config))
}

#[derive(serde::Deserialize)]
struct Config {
    #[serde(default)]
    safe_stores: Vec<String>,
}

fn config_entries(file: &Path) -> Result<Vec<String>, StoreError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(StoreError::io(file, err)),
    };
    // Other settings may live in the file too; only `safe_stores` is read here.
    let config: Config = toml::from_str(&text).map_err(|err| StoreError::Config {
        path: file.to_path_buf(),
        message: err.message().to_string(),
    })?;
    Ok(config.safe_stores)
}

/// Whether an entry names the store, its directory, or everything (`*`).
fn opted_in(store: &Path, entries: &[String]) -> bool {
    let store = normalize(store);
    let dir = parent_dir(&store);
    entries.iter().any(|entry| {
        if entry.trim() == "*" {
            return true;
        }
        let entry = normalize(Path::new(entry.trim()));
        entry == store || entry == dir
    })
}

/// An absolute path with links resolved where it exists (the file itself may not).
fn normalize(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let parent = std::fs::canonicalize(parent_dir(path));
    match (parent, path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// Refuses to replace a store the user may not write: its mode gives the user no write
/// permission (for root: nobody has it, the file was made read-only on purpose), or the
/// kernel says no (ACLs, a read-only mount).
pub(crate) fn check_writable(fs: &dyn Fs, path: &Path, meta: &Meta) -> Result<(), StoreError> {
    let me = euid();
    let bits = if me == 0 {
        0o222
    } else if meta.uid == me {
        0o200
    } else if in_group(meta.gid) {
        0o020
    } else {
        0o002
    };
    let may = meta.mode & bits != 0
        && fs
            .may_write(path)
            .map_err(|err| StoreError::io(path, err))?;
    if may {
        return Ok(());
    }
    Err(StoreError::ReadOnly {
        path: path.to_path_buf(),
        mode: meta.mode,
        owner: user_name(meta.uid),
    })
}

fn in_group(gid: u32) -> bool {
    // SAFETY: getegid has no preconditions; getgroups writes at most `len` entries.
    unsafe {
        if libc::getegid() == gid {
            return true;
        }
        let len = libc::getgroups(0, std::ptr::null_mut());
        if len <= 0 {
            return false;
        }
        let mut groups = vec![0 as libc::gid_t; len as usize];
        let len = libc::getgroups(len, groups.as_mut_ptr());
        len > 0 && groups[..len as usize].contains(&gid)
    }
}

/// The mode of a new store (and its lock): private, unless the directory is the setgid,
/// group-writable directory of an admin group. There every member may already replace any
/// file, so the store is made group read-write (0660) for them to share.
pub(crate) fn new_file_mode(dir: Option<&Meta>) -> u32 {
    match dir {
        Some(dir) if dir.mode & 0o2020 == 0o2020 => 0o660,
        _ => 0o600,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_names_the_store_its_directory_or_everything() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store.json");
        let by = |entry: &str| opted_in(&store, &[entry.to_string()]);
        assert!(
            by(&store.display().to_string()),
            "the store, before it exists"
        );
        std::fs::write(&store, "{}").unwrap();
        assert!(by(&store.display().to_string()));
        assert!(by(&dir.path().display().to_string()), "its directory");
        assert!(by(&format!("{}/./store.json", dir.path().display())));
        assert!(by("*"));
        assert!(!by("/"));
        assert!(!by(&dir.path().join("other.json").display().to_string()));
        assert!(!opted_in(&store, &[]));
    }

    #[test]
    fn a_new_store_is_shared_only_in_a_setgid_group_writable_directory() {
        let dir = |mode| Meta {
            is_symlink: false,
            is_file: false,
            mode,
            uid: 0,
            gid: 0,
        };
        assert_eq!(new_file_mode(Some(&dir(0o2770))), 0o660);
        assert_eq!(new_file_mode(Some(&dir(0o2775))), 0o660);
        assert_eq!(new_file_mode(Some(&dir(0o770))), 0o600);
        assert_eq!(new_file_mode(Some(&dir(0o2750))), 0o600);
        assert_eq!(new_file_mode(Some(&dir(0o1777))), 0o600);
        assert_eq!(new_file_mode(None), 0o600);
    }
}
