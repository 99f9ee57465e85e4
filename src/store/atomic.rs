//! Writing a file so that a reader, a crash or a power loss sees the old version or the new
//! one, never a mix: a temporary file beside it (`O_EXCL`, random name, never through a
//! link), written, given its mode, flushed, then renamed over the target. The store's save
//! and every output file (exports) go through here.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::fs::{Fs, FsFile, Perms};

/// A step that failed, in words for the error message, and why.
#[derive(Debug)]
pub(crate) struct StepError {
    pub step: &'static str,
    pub source: io::Error,
}

fn step(step: &'static str) -> impl FnOnce(io::Error) -> StepError {
    move |source| StepError { step, source }
}

/// Temp files are `.<target name>.<random>.tmp` in the target's directory.
pub(crate) fn temp_prefix(target: &Path) -> String {
    format!(
        ".{}.",
        target.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// Whether `name` (a file name) is one of `target`'s temp files.
pub(crate) fn is_temp_of(target: &Path, name: &str) -> bool {
    name.starts_with(&temp_prefix(target)) && name.ends_with(".tmp")
}

/// A new version written and flushed beside its target, not yet in place; dropped without
/// [`Staged::commit`] (an error, a panic) it is removed.
pub(crate) struct Staged<'a> {
    fs: &'a dyn Fs,
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// Writes a new temp file beside `target` with the content `write` makes as it goes (a store
/// or an export streamed into the file) and flushes it; an error from `write` fails the step
/// "writing the temporary file". With `perms` the file gets exactly that mode and group (not
/// narrowed by the umask); without, it keeps its creation mode, 0600 narrowed by the umask.
pub(crate) fn stage_with<'a>(
    fs: &'a dyn Fs,
    target: &Path,
    perms: Option<Perms>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Staged<'a>, StepError> {
    let dir = super::trust::parent_dir(target);
    let temp = dir.join(format!(
        "{}{}.tmp",
        temp_prefix(target),
        uuid::Uuid::new_v4().simple()
    ));
    let mut file = fs
        .create_new(&temp, 0o600)
        .map_err(step("creating the temporary file"))?;
    let staged = Staged {
        fs,
        temp,
        target: target.to_path_buf(),
        committed: false,
    };
    let mut out = BufWriter::with_capacity(1 << 16, FileWriter(file.as_mut()));
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(step("writing the temporary file"))?;
    drop(out);
    if let Some(perms) = perms {
        file.set_mode(perms.mode, perms.gid)
            .map_err(step("setting the file's permissions"))?;
    }
    file.sync_all()
        .map_err(step("flushing the temporary file to disk"))?;
    Ok(staged)
}

/// An [`FsFile`] as an [`io::Write`].
struct FileWriter<'f>(&'f mut dyn FsFile);

impl Write for FileWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Staged<'_> {
    /// Renames the new version over the target; `what` names the step in an error. The
    /// caller syncs the directory.
    pub(crate) fn commit(mut self, what: &'static str) -> Result<(), StepError> {
        self.fs
            .rename(&self.temp, &self.target)
            .map_err(step(what))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged<'_> {
    fn drop(&mut self) {
        if !self.committed {
            let _ = self.fs.remove_file(&self.temp);
        }
    }
}
