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
    pub gid: u32,
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
    fn lock(&self, path: &Path, wait: Duration, holder: &str) -> io::Result<Box<dyn Any>>;
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

    fn lock(&self, path: &Path, wait: Duration, holder: &str) -> io::Result<Box<dyn Any>> {
        let deadline = Instant::now() + wait;
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(path)?;
            match file.try_lock() {
                Ok(()) => {
                    // Someone may have replaced the lock file between our open and our lock;
                    // then we hold a lock nobody else sees, so start again.
                    let ours = file.metadata()?;
                    match fs::symlink_metadata(path) {
                        Ok(now) if now.dev() == ours.dev() && now.ino() == ours.ino() => {
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
