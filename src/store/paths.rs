//! Where the store, the configuration and the logs live.

use std::path::PathBuf;

use directories::ProjectDirs;

/// The environment variable that names the store when `--store` is not given.
pub const STORE_ENV: &str = "BINDERY_STORE";

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "bindery")
}

/// The store path: `--store`, else `$BINDERY_STORE`, else `<data dir>/bindery/store.json`.
pub fn store_path(flag: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(path) = flag {
        return Ok(path);
    }
    if let Some(path) = std::env::var_os(STORE_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    project_dirs()
        .map(|dirs| dirs.data_dir().join("store.json"))
        .ok_or_else(|| {
            format!("no home directory to keep the store in; pass --store PATH or set {STORE_ENV}")
        })
}

/// The configuration directory (a user keymap lives here).
pub fn config_dir() -> Option<PathBuf> {
    project_dirs().map(|dirs| dirs.config_dir().to_path_buf())
}

/// Where logs go.
pub fn log_dir() -> Option<PathBuf> {
    project_dirs().map(|dirs| {
        dirs.state_dir()
            .unwrap_or_else(|| dirs.cache_dir())
            .to_path_buf()
    })
}
