//! The file operations a save is made of, behind a trait so that tests can simulate crashes,
//! power loss and failing disks at every step.

use std::any::Any;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

/// What a save needs to know about an existing path (from `lstat`, never following links).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    pub is_symlink: bool,
    pub is_file: bool,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

/// The permission bits and group a file should have; `gid` None keeps the creator's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Perms {
    pub mode: u32,
    pub gid: Option<u32>,
}

/// The effective user id of this process (the owner a file it creates gets).
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// See [`Fs::fingerprint`]. Every save renames a new file into place, so another bindery's
/// save always changes the inode; an editor writing in place changes the change time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub dev: u64,
    pub ino: u64,
    pub len: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
}

pub trait FsFile {
    fn write_all(&mut self, data: &[u8]) -> io::Result<()>;
    fn sync_all(&mut self) -> io::Result<()>;
    /// Sets the permission bits exactly (not narrowed by the umask) and, if given, the group.
    fn set_mode(&mut self, mode: u32, gid: Option<u32>) -> io::Result<()>;
}

pub trait Fs {
    fn metadata(&self, path: &Path) -> io::Result<Meta>;
    /// Reads a file without following a symbolic link at the last component.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    fn create_dir_all(&self, dir: &Path, mode: u32) -> io::Result<()>;
    /// Creates a file that must not exist yet (`O_EXCL`), so nothing planted can be followed.
    fn create_new(&self, path: &Path, mode: u32) -> io::Result<Box<dyn FsFile>>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Makes renames and new names in a directory durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    fn list_dir(&self, dir: &Path) -> io::Result<Vec<String>>;
    /// Takes the exclusive save lock on a sidecar file, waiting at most `wait`; the lock is
    /// held until the returned guard is dropped. `holder` is written into the file for others.
    /// The lock file gets `perms` (those of the store) when this process creates or owns it,
    /// so that everyone who may write the store may also take its lock.
    fn lock(
        &self,
        path: &Path,
        wait: Duration,
        holder: &str,
        perms: Perms,
    ) -> io::Result<Box<dyn Any>>;
    /// Whether this process may write the file (`access(W_OK)` with the effective ids: ACLs
    /// and read-only mounts count). File systems that cannot say answer yes.
    fn may_write(&self, _path: &Path) -> io::Result<bool> {
        Ok(true)
    }
    /// What identifies this version of a file cheaply (device, inode, size, change times), so
    /// that a save can tell the store is untouched without reading it. None where the file
    /// system cannot say; then saves compare the bytes.
    fn fingerprint(&self, _path: &Path) -> io::Result<Option<Fingerprint>> {
        Ok(None)
    }

    /// Who holds the lock, as its holder wrote it.
    fn lock_holder(&self, path: &Path) -> String {
        self.read(path)
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .unwrap_or_default()
    }
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

struct RealFile(File);

impl FsFile for RealFile {
    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.0.write_all(data)?;
        self.0.flush()
    }

    fn sync_all(&mut self) -> io::Result<()> {
        self.0.sync_all()
    }

    fn set_mode(&mut self, mode: u32, gid: Option<u32>) -> io::Result<()> {
        if let Some(gid) = gid
            && self.0.metadata()?.gid() != gid
        {
            std::os::unix::fs::fchown(&self.0, None, Some(gid))?;
        }
        self.0.set_permissions(fs::Permissions::from_mode(mode))
    }
}

impl Fs for RealFs {
    fn metadata(&self, path: &Path) -> io::Result<Meta> {
        let meta = fs::symlink_metadata(path)?;
        Ok(Meta {
            is_symlink: meta.file_type().is_symlink(),
            is_file: meta.is_file(),
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
        })
    }

    fn fingerprint(&self, path: &Path) -> io::Result<Option<Fingerprint>> {
        let meta = fs::symlink_metadata(path)?;
        Ok(Some(Fingerprint {
            dev: meta.dev(),
            ino: meta.ino(),
            len: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        }))
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let mut file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    fn create_dir_all(&self, dir: &Path, mode: u32) -> io::Result<()> {
        DirBuilder::new().recursive(true).mode(mode).create(dir)
    }

    fn create_new(&self, path: &Path, mode: u32) -> io::Result<Box<dyn FsFile>> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        Ok(Box::new(RealFile(file)))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::hard_link(from, to)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    fn list_dir(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        Ok(names)
    }

    fn may_write(&self, path: &Path) -> io::Result<bool> {
        let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: c_path is a valid NUL-terminated string for the duration of the call.
        let answer = unsafe {
            libc::faccessat(
                libc::AT_FDCWD,
                c_path.as_ptr(),
                libc::W_OK,
                libc::AT_EACCESS,
            )
        };
        if answer == 0 {
            return Ok(true);
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EACCES | libc::EROFS | libc::EPERM | libc::ETXTBSY) => Ok(false),
            _ => Err(err),
        }
    }

    fn lock(
        &self,
        path: &Path,
        wait: Duration,
        holder: &str,
        perms: Perms,
    ) -> io::Result<Box<dyn Any>> {
        let deadline = Instant::now() + wait;
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(perms.mode & 0o666)
                .custom_flags(libc::O_NOFOLLOW)
                .open(path)
                .map_err(|err| explain_lock_error(path, err, perms))?;
            match file.try_lock() {
                Ok(()) => {
                    // Someone may have replaced the lock file between our open and our lock;
                    // then we hold a lock nobody else sees, so start again.
                    let ours = file.metadata()?;
                    match fs::symlink_metadata(path) {
                        Ok(now) if now.dev() == ours.dev() && now.ino() == ours.ino() => {
                            match_perms(&file, &ours, perms);
                            file.set_len(0)?;
                            (&file).write_all(holder.as_bytes())?;
                            return Ok(Box::new(file));
                        }
                        _ => continue,
                    }
                }
                Err(fs::TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        return Err(io::Error::new(
                            io::ErrorKind::WouldBlock,
                            "the store is being saved by another process",
                        ));
                    }
                    thread::sleep(Duration::from_millis(10));
                }
                Err(fs::TryLockError::Error(err)) => return Err(err),
            }
        }
    }
}

/// Gives a lock file this process owns the store's mode and group (the umask narrowed the
/// mode it was created with, or the store was made shared after the lock was created). Best
/// effort: a lock that keeps other modes still locks.
fn match_perms(file: &File, meta: &fs::Metadata, perms: Perms) {
    if meta.uid() != euid() {
        return;
    }
    let mode = perms.mode & 0o666;
    if let Some(gid) = perms.gid
        && meta.gid() != gid
    {
        let _ = std::os::unix::fs::fchown(file, None, Some(gid));
    }
    if meta.mode() & 0o7777 != mode {
        let _ = file.set_permissions(fs::Permissions::from_mode(mode));
    }
}

/// A lock file this user may not open: say whose it is and how to fix it.
fn explain_lock_error(path: &Path, err: io::Error, perms: Perms) -> io::Error {
    if err.kind() != io::ErrorKind::PermissionDenied {
        return err;
    }
    let Ok(meta) = fs::symlink_metadata(path) else {
        return err;
    };
    let owner = super::trust::user_name(meta.uid());
    let want = perms.mode & 0o666;
    io::Error::new(
        err.kind(),
        format!(
            "{err}: the lock file {} is mode {:04o} and owned by {owner}, but everyone who may \
             write the store needs to open it (the store is mode {want:04o}); {owner} can fix \
             it with: chmod {want:04o} {} (bindery also does it on their next save)",
            path.display(),
            meta.mode() & 0o7777,
            path.display()
        ),
    )
}
