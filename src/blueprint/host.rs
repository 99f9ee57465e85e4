//! What blueprint tags may read from the machine bindery runs on: `!Env` variables and `!File`
//! files. authentik runs these inside its own container; bindery runs them as the
//! administrator, on blueprints that often come from elsewhere, so both are refused unless
//! the import was given leave (`--allow-env NAME`, `--allow-file DIR`).

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

use super::limits::{MAX_FILE_BYTES, MAX_TAG_OUTPUT_BYTES};

/// What an import may read besides its blueprints, and spend. The default reads nothing:
/// every entry point (the CLI, the UI, the library) starts from it.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Folders under which `!File` may read regular files (`--allow-file DIR`), symlinks and
    /// `..` resolved before the check.
    pub allow_files: Vec<PathBuf>,
    /// Environment variables `!Env` may read (`--allow-env NAME`).
    pub allow_env: Vec<String>,
    /// What the tags of the import may produce, in bytes: [`MAX_TAG_OUTPUT_BYTES`], or less
    /// (the fuzz harness lowers it to keep each run short).
    pub max_tag_output: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            allow_files: Vec::new(),
            allow_env: Vec::new(),
            max_tag_output: MAX_TAG_OUTPUT_BYTES,
        }
    }
}

impl ImportOptions {
    /// `!Env name`: the variable's value (None when unset or empty, as authentik takes its
    /// default then), or an error when it may not be read.
    pub fn env(&self, name: &str) -> Result<Option<String>, String> {
        if !self.allow_env.iter().any(|allowed| allowed == name) {
            return Err(format!(
                "!Env {name}: reading environment variables is refused unless allowed; \
                 allow this one with --allow-env {name}"
            ));
        }
        Ok(std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// `!File path`: the file's text (None when it cannot be opened, or is a folder, as
    /// authentik takes its default on an `OSError`), or an error when it may not be read: not
    /// under an allowed folder, not a regular file, larger than [`MAX_FILE_BYTES`], not UTF-8.
    pub fn file(&self, path: &str) -> Result<Option<String>, String> {
        if self.allow_files.is_empty() {
            return Err(format!(
                "!File {path:?}: reading files is refused unless allowed; allow the folder \
                 that holds it with --allow-file DIR"
            ));
        }
        let allowed_dirs: Vec<PathBuf> = self
            .allow_files
            .iter()
            .filter_map(|dir| dir.canonicalize().ok())
            .collect();
        let is_allowed = |real: &Path| allowed_dirs.iter().any(|dir| real.starts_with(dir));
        let real = real_path(Path::new(path));
        let allowed = real.as_deref().is_some_and(is_allowed);
        let Some(real) = real.filter(|_| allowed) else {
            let dirs: Vec<String> = self
                .allow_files
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            return Err(format!(
                "!File {path:?}: outside the folders allowed with --allow-file ({}), once \
                 symlinks and .. are resolved",
                dirs.join(", ")
            ));
        };
        // Non-blocking: opening a FIFO must not wait for a writer. No symlink is followed
        // past the check (the path is already resolved).
        let file = match std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(&real)
        {
            Ok(file) => file,
            Err(_) => return Ok(None),
        };
        // A folder on the path may have been swapped for a link between the check and the
        // open: what was opened is checked again, by the kernel's name for it.
        if opened_path(&file).is_some_and(|opened| !is_allowed(&opened)) {
            return Err(format!(
                "!File {path:?}: the path changed while it was opened and now leads outside \
                 the folders allowed with --allow-file"
            ));
        }
        let meta = file
            .metadata()
            .map_err(|e| format!("!File {path:?}: {e}"))?;
        if meta.is_dir() {
            return Ok(None);
        }
        if !meta.is_file() {
            return Err(format!(
                "!File {path:?}: not a regular file (a device, FIFO or socket); only regular \
                 files are read"
            ));
        }
        let too_large = || {
            format!(
                "!File {path:?}: larger than the limit of {MAX_FILE_BYTES} bytes (MAX_FILE_BYTES)"
            )
        };
        if meta.len() > MAX_FILE_BYTES {
            return Err(too_large());
        }
        // The size a file reports may be wrong (/proc) or change: the read is bounded too.
        let mut bytes = Vec::new();
        read_bounded(file, &mut bytes).map_err(|e| format!("!File {path:?}: {e}"))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large());
        }
        let text =
            String::from_utf8(bytes).map_err(|_| format!("!File {path:?}: not UTF-8 text"))?;
        Ok(Some(text.trim().to_string()))
    }
}

/// Where an open file really is, as the kernel names it (Linux's `/proc/self/fd`); None
/// where that cannot be asked.
fn opened_path(file: &File) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()
}

fn read_bounded(file: File, into: &mut Vec<u8>) -> std::io::Result<usize> {
    file.take(MAX_FILE_BYTES + 1).read_to_end(into)
}

/// `path` made absolute with every symlink and `..` resolved; for a path that does not exist,
/// its longest existing ancestor resolved and the rest appended (None when that rest has a
/// `..`, which could climb anywhere).
fn real_path(path: &Path) -> Option<PathBuf> {
    let absolute = std::env::current_dir().ok()?.join(path);
    if let Ok(real) = absolute.canonicalize() {
        return Some(real);
    }
    let mut rest = Vec::new();
    let mut ancestor = absolute.as_path();
    loop {
        rest.push(ancestor.file_name()?.to_owned());
        ancestor = ancestor.parent()?;
        if let Ok(real) = ancestor.canonicalize() {
            let tail: PathBuf = rest.iter().rev().collect();
            if tail
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
            {
                return None;
            }
            return Some(real.join(tail));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::opened_path;

    /// The re-check after opening relies on the kernel naming the file that was opened, not
    /// the path that was asked for: through a link, the name is the link's target.
    #[test]
    fn an_open_file_is_named_by_where_it_really_is() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "x").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let file = std::fs::File::open(&link).unwrap();
        assert_eq!(opened_path(&file), Some(real.canonicalize().unwrap()));
    }
}
