//! Simulated power loss (docs/reliability.md §7, T2): a file system that keeps what the
//! kernel would keep in its page cache apart from what is on the platter. File data becomes
//! durable only on `sync_all` of that file; directory entries (create, rename, link, remove,
//! new directories) only on `sync_dir` of their directory. A save runs against it, the durable
//! state is captured after every file-system call, and each capture is "the machine lost
//! power here": the store is reopened from that state through the same file system and must be
//! exactly the old or the new version, never anything else; once the save has returned
//! success it must be the new one.
//!
//! Removing either fsync from `src/store/save.rs` makes this test fail: without the file's
//! `sync_all` the renamed store is empty after the crash, without the directory sync the
//! acknowledged save is gone.

mod common;

use std::any::Any;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bindery::edit::Op;
use bindery::model::{Document, Group, Obj};
use bindery::store::fs::{Fingerprint, FsFile, Meta, Perms};
use bindery::store::{Fs, Store};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Entry {
    File(usize),
    Dir,
}

#[derive(Clone, Debug, Default)]
struct Inode {
    /// What a read sees (the page cache).
    data: Vec<u8>,
    /// What survives a power loss.
    durable: Vec<u8>,
    mode: u32,
    /// When the inode last changed, on the file system's own clock (for fingerprints).
    changed: u64,
}

/// What survives a power loss: the durable directory entries and every inode's durable data.
#[derive(Clone, Debug)]
struct Durable {
    entries: BTreeMap<PathBuf, Entry>,
    inodes: Vec<Vec<u8>>,
    modes: Vec<u32>,
}

#[derive(Debug)]
struct State {
    entries: BTreeMap<PathBuf, Entry>,
    durable_entries: BTreeMap<PathBuf, Entry>,
    inodes: Vec<Inode>,
    /// A clock that ticks on every change, standing in for change times.
    clock: u64,
    /// The durable state after every call, when recording.
    crash_points: Vec<(String, Durable)>,
    recording: bool,
}

impl State {
    fn durable(&self) -> Durable {
        Durable {
            entries: self.durable_entries.clone(),
            inodes: self.inodes.iter().map(|i| i.durable.clone()).collect(),
            modes: self.inodes.iter().map(|i| i.mode).collect(),
        }
    }

    fn after(&mut self, what: String) {
        if self.recording {
            let snapshot = self.durable();
            self.crash_points.push((what, snapshot));
        }
    }

    fn file(&self, path: &Path) -> io::Result<usize> {
        match self.entries.get(path) {
            Some(Entry::File(ino)) => Ok(*ino),
            Some(Entry::Dir) => Err(io::Error::other("is a directory")),
            None => Err(io::ErrorKind::NotFound.into()),
        }
    }

    fn parent_exists(&self, path: &Path) -> io::Result<()> {
        match path.parent() {
            Some(p) if p == Path::new("/") => Ok(()),
            Some(p) if self.entries.get(p) == Some(&Entry::Dir) => Ok(()),
            _ => Err(io::ErrorKind::NotFound.into()),
        }
    }

    fn new_inode(&mut self, mode: u32) -> usize {
        self.clock += 1;
        self.inodes.push(Inode {
            mode,
            changed: self.clock,
            ..Inode::default()
        });
        self.inodes.len() - 1
    }

    fn touch(&mut self, ino: usize) {
        self.clock += 1;
        self.inodes[ino].changed = self.clock;
    }
}

/// The simulated file system; clones share one state.
#[derive(Clone)]
struct SimFs(Arc<Mutex<State>>);

impl SimFs {
    fn new() -> SimFs {
        SimFs(Arc::new(Mutex::new(State {
            entries: BTreeMap::new(),
            durable_entries: BTreeMap::new(),
            inodes: Vec::new(),
            clock: 0,
            crash_points: Vec::new(),
            recording: false,
        })))
    }

    /// The machine after a power loss: only what was durable.
    fn recovered(durable: &Durable) -> SimFs {
        let fs = SimFs::new();
        {
            // An entry whose directory's own entry did not survive is unreachable.
            let reachable: BTreeMap<PathBuf, Entry> = durable
                .entries
                .iter()
                .filter(|(path, _)| {
                    path.ancestors()
                        .skip(1)
                        .filter(|a| *a != Path::new("/"))
                        .all(|a| durable.entries.get(a) == Some(&Entry::Dir))
                })
                .map(|(p, e)| (p.clone(), e.clone()))
                .collect();
            let mut s = fs.0.lock().unwrap();
            s.entries = reachable.clone();
            s.durable_entries = reachable;
            s.inodes = durable
                .inodes
                .iter()
                .zip(&durable.modes)
                .map(|(d, m)| Inode {
                    data: d.clone(),
                    durable: d.clone(),
                    mode: *m,
                    changed: 0,
                })
                .collect();
        }
        fs
    }

    /// Makes everything written so far durable (a clean shutdown).
    fn settle(&self) {
        let mut s = self.0.lock().unwrap();
        s.durable_entries = s.entries.clone();
        for inode in &mut s.inodes {
            inode.durable = inode.data.clone();
        }
    }

    fn record(&self, on: bool) {
        let mut s = self.0.lock().unwrap();
        s.recording = on;
        if on {
            s.crash_points.clear();
            s.after("before the save".into());
        }
    }

    fn crash_points(&self) -> Vec<(String, Durable)> {
        self.0.lock().unwrap().crash_points.clone()
    }

    /// A file's bytes as a read sees them; None when absent.
    fn contents(&self, path: &Path) -> Option<Vec<u8>> {
        let s = self.0.lock().unwrap();
        s.file(path).ok().map(|ino| s.inodes[ino].data.clone())
    }

    fn names(&self, dir: &Path) -> Vec<String> {
        self.list_dir(dir).unwrap_or_default()
    }

    /// Puts a file in place, durably (the state before the save under test).
    fn put_durable(&self, path: &Path, bytes: &[u8]) {
        self.create_dir_all(path.parent().unwrap(), 0o700).unwrap();
        let mut file = self.create_new(path, 0o600).unwrap();
        file.write_all(bytes).unwrap();
        self.settle();
    }
}

struct SimFile {
    fs: SimFs,
    ino: usize,
    path: PathBuf,
}

impl FsFile for SimFile {
    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        let mut s = self.fs.0.lock().unwrap();
        s.inodes[self.ino].data.extend_from_slice(data);
        s.touch(self.ino);
        s.after(format!("write {}", self.path.display()));
        Ok(())
    }

    fn sync_all(&mut self) -> io::Result<()> {
        let mut s = self.fs.0.lock().unwrap();
        let inode = &mut s.inodes[self.ino];
        inode.durable = inode.data.clone();
        s.after(format!("fsync {}", self.path.display()));
        Ok(())
    }

    fn set_mode(&mut self, mode: u32, _gid: Option<u32>) -> io::Result<()> {
        let mut s = self.fs.0.lock().unwrap();
        s.inodes[self.ino].mode = mode;
        s.touch(self.ino);
        s.after(format!("chmod {}", self.path.display()));
        Ok(())
    }
}

impl Fs for SimFs {
    fn metadata(&self, path: &Path) -> io::Result<Meta> {
        let s = self.0.lock().unwrap();
        match s.entries.get(path) {
            Some(Entry::File(ino)) => Ok(Meta {
                is_symlink: false,
                is_file: true,
                mode: s.inodes[*ino].mode,
                uid: bindery::store::fs::euid(),
                gid: 0,
            }),
            Some(Entry::Dir) => Ok(Meta {
                is_symlink: false,
                is_file: false,
                mode: 0o700,
                uid: bindery::store::fs::euid(),
                gid: 0,
            }),
            None if path == Path::new("/") => Ok(Meta {
                is_symlink: false,
                is_file: false,
                mode: 0o755,
                uid: bindery::store::fs::euid(),
                gid: 0,
            }),
            None => Err(io::ErrorKind::NotFound.into()),
        }
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let s = self.0.lock().unwrap();
        let ino = s.file(path)?;
        Ok(s.inodes[ino].data.clone())
    }

    fn fingerprint(&self, path: &Path) -> io::Result<Option<Fingerprint>> {
        let s = self.0.lock().unwrap();
        let ino = s.file(path)?;
        let inode = &s.inodes[ino];
        Ok(Some(Fingerprint {
            dev: 1,
            ino: ino as u64,
            len: inode.data.len() as u64,
            mtime_ns: i128::from(inode.changed),
            ctime_ns: i128::from(inode.changed),
        }))
    }

    fn create_dir_all(&self, dir: &Path, _mode: u32) -> io::Result<()> {
        let mut s = self.0.lock().unwrap();
        let mut missing: Vec<PathBuf> = dir
            .ancestors()
            .filter(|a| *a != Path::new("/") && !a.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .collect();
        missing.reverse();
        for d in missing {
            match s.entries.get(&d) {
                Some(Entry::Dir) => {}
                Some(Entry::File(_)) => return Err(io::Error::other("not a directory")),
                None => {
                    s.entries.insert(d.clone(), Entry::Dir);
                }
            }
        }
        s.after(format!("mkdir -p {}", dir.display()));
        Ok(())
    }

    fn create_new(&self, path: &Path, mode: u32) -> io::Result<Box<dyn FsFile>> {
        let mut s = self.0.lock().unwrap();
        s.parent_exists(path)?;
        if s.entries.contains_key(path) {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        let ino = s.new_inode(mode);
        s.entries.insert(path.to_path_buf(), Entry::File(ino));
        s.after(format!("create {}", path.display()));
        drop(s);
        Ok(Box::new(SimFile {
            fs: self.clone(),
            ino,
            path: path.to_path_buf(),
        }))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut s = self.0.lock().unwrap();
        s.parent_exists(to)?;
        let entry = s
            .entries
            .remove(from)
            .ok_or(io::Error::from(io::ErrorKind::NotFound))?;
        s.entries.insert(to.to_path_buf(), entry);
        s.after(format!("rename {} -> {}", from.display(), to.display()));
        Ok(())
    }

    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut s = self.0.lock().unwrap();
        let ino = s.file(from)?;
        if s.entries.contains_key(to) {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        s.entries.insert(to.to_path_buf(), Entry::File(ino));
        s.after(format!("link {} -> {}", from.display(), to.display()));
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        let mut s = self.0.lock().unwrap();
        s.file(path)?;
        s.entries.remove(path);
        s.after(format!("unlink {}", path.display()));
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let mut s = self.0.lock().unwrap();
        if dir != Path::new("/") && s.entries.get(dir) != Some(&Entry::Dir) {
            return Err(io::ErrorKind::NotFound.into());
        }
        let children = |m: &BTreeMap<PathBuf, Entry>| -> Vec<PathBuf> {
            m.keys()
                .filter(|p| p.parent() == Some(dir))
                .cloned()
                .collect()
        };
        for gone in children(&s.durable_entries) {
            if !s.entries.contains_key(&gone) {
                s.durable_entries.remove(&gone);
            }
        }
        for path in children(&s.entries) {
            let entry = s.entries[&path].clone();
            s.durable_entries.insert(path, entry);
        }
        s.after(format!("fsync dir {}", dir.display()));
        Ok(())
    }

    fn list_dir(&self, dir: &Path) -> io::Result<Vec<String>> {
        let s = self.0.lock().unwrap();
        Ok(s.entries
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect())
    }

    fn lock(
        &self,
        path: &Path,
        _wait: Duration,
        holder: &str,
        perms: Perms,
    ) -> io::Result<Box<dyn Any>> {
        {
            let s = self.0.lock().unwrap();
            s.parent_exists(path)?;
        }
        if self.metadata(path).is_err() {
            let mut file = self.create_new(path, perms.mode & 0o666)?;
            file.write_all(holder.as_bytes())?;
        }
        self.0
            .lock()
            .unwrap()
            .after(format!("lock {}", path.display()));
        Ok(Box::new(()))
    }
}

/// How a scenario ended: crash points tried and states found outside {old, new}.
#[derive(Default)]
struct Tally {
    points: usize,
    /// Recovered states that were neither the old nor the new version.
    other: usize,
    /// Acknowledged saves that a crash took back.
    lost: usize,
    bad: Vec<String>,
}

/// Runs `save` with every call's durable state captured, then recovers from each one.
/// `old` is the store's bytes before (None: no store), `new` is read after the save.
fn crash_everywhere(
    tally: &mut Tally,
    scenario: &str,
    fs: &SimFs,
    path: &Path,
    old: Option<Vec<u8>>,
    save: impl FnOnce() -> Result<(), String>,
) {
    fs.record(true);
    let result = save();
    fs.record(false);
    if let Err(e) = result {
        tally.bad.push(format!("{scenario}: the save failed: {e}"));
        return;
    }
    let new = fs.contents(path).expect("the store exists after the save");
    let mut points = fs.crash_points();
    // After the save returned: it was acknowledged, so only the new version will do.
    let (_, last) = points.last().cloned().expect("at least one point");
    points.push(("after the save returned success".into(), last));
    let acknowledged_from = points.len() - 1;
    for (n, (step, durable)) in points.iter().enumerate() {
        tally.points += 1;
        let rec = SimFs::recovered(durable);
        let found = rec.contents(path);
        let what = if found.as_ref() == Some(&new) {
            "new"
        } else if found == old {
            "old"
        } else {
            "other"
        };
        let label = format!("{scenario}: crash after #{n} ({step})");
        if what == "other" {
            tally.other += 1;
            tally.bad.push(format!(
                "{label}: the store is neither the old nor the new version: {}",
                found.map_or("missing".into(), |b| format!(
                    "{} bytes: {:?}",
                    b.len(),
                    String::from_utf8_lossy(&b[..b.len().min(80)])
                ))
            ));
            continue;
        }
        if n >= acknowledged_from && what != "new" {
            tally.lost += 1;
            tally.bad.push(format!(
                "{label}: the save was acknowledged but the recovered store is the {what} version"
            ));
            continue;
        }
        // Recovery: the next start opens the store through the same file system, removes
        // the temp files a save left, and can save again.
        let mut store = match Store::open_with(path, Box::new(rec.clone())) {
            Ok(store) => store,
            Err(e) => {
                tally
                    .bad
                    .push(format!("{label}: the recovered store does not open: {e}"));
                continue;
            }
        };
        let dir = path.parent().unwrap();
        if let Some(temp) = rec.names(dir).iter().find(|n| n.ends_with(".tmp")) {
            tally.bad.push(format!(
                "{label}: the temp file {temp} survived the next start"
            ));
        }
        store
            .apply(&Op::Create(Obj::Group(Group::new("after-recovery"))))
            .unwrap();
        if let Err(e) = store.save() {
            tally
                .bad
                .push(format!("{label}: saving after recovery failed: {e}"));
        }
    }
}

fn sim_store(fs: &SimFs, path: &Path) -> Store {
    Store::open_with(path, Box::new(fs.clone())).expect("open on the simulated fs")
}

fn add_group(store: &mut Store, name: &str) {
    store
        .apply(&Op::Create(Obj::Group(Group::new(name))))
        .unwrap();
}

#[test]
fn power_loss_after_any_step_of_a_save_leaves_the_old_or_the_new_store() {
    let mut tally = Tally::default();
    let mut scenarios = 0;

    // 1. An edit to a store that already has its five backups.
    {
        scenarios += 1;
        let fs = SimFs::new();
        let path = PathBuf::from("/data/bindery/store.json");
        let mut seed = common::random_document(1, 8);
        seed.generation = 1;
        fs.put_durable(&path, &serde_json::to_vec_pretty(&seed).unwrap());
        let mut store = sim_store(&fs, &path);
        for i in 0..6 {
            add_group(&mut store, &format!("warm-{i}"));
            store.save().unwrap();
        }
        fs.settle();
        let old = fs.contents(&path);
        add_group(&mut store, "the-edit");
        crash_everywhere(&mut tally, "edit with backups", &fs, &path, old, || {
            store.save().map(|_| ()).map_err(|e| e.to_string())
        });
    }

    // 2. The first save of a new store in an existing directory.
    {
        scenarios += 1;
        let fs = SimFs::new();
        let path = PathBuf::from("/data/store.json");
        fs.create_dir_all(Path::new("/data"), 0o700).unwrap();
        fs.settle();
        crash_everywhere(
            &mut tally,
            "create in an existing dir",
            &fs,
            &path,
            None,
            || create_on(&fs, &path, common::random_document(2, 6)),
        );
    }

    // 3. The first save into directories that do not exist yet.
    {
        scenarios += 1;
        let fs = SimFs::new();
        let path = PathBuf::from("/home/me/.local/share/bindery/store.json");
        fs.create_dir_all(Path::new("/home/me"), 0o700).unwrap();
        fs.settle();
        crash_everywhere(&mut tally, "create in new dirs", &fs, &path, None, || {
            create_on(&fs, &path, common::random_document(3, 6))
        });
    }

    // 4. The first save over a schema-1 file (the old format is kept beside it).
    {
        scenarios += 1;
        let fs = SimFs::new();
        let path = PathBuf::from("/data/store.json");
        let v1 = b"{\"schema_version\": 1, \"generation\": 4, \"groups\": []}\n".to_vec();
        fs.put_durable(&path, &v1);
        let mut store = sim_store(&fs, &path);
        add_group(&mut store, "migrated");
        crash_everywhere(&mut tally, "migrate v1", &fs, &path, Some(v1), || {
            store.save().map(|_| ()).map_err(|e| e.to_string())
        });
    }

    // 5. A save that merges onto another handle's save.
    {
        scenarios += 1;
        let fs = SimFs::new();
        let path = PathBuf::from("/data/store.json");
        let mut first = sim_store(&fs, &path);
        add_group(&mut first, "base");
        first.save().unwrap();
        let mut mine = sim_store(&fs, &path);
        let mut theirs = sim_store(&fs, &path);
        add_group(&mut theirs, "theirs");
        theirs.save().unwrap();
        fs.settle();
        let old = fs.contents(&path);
        add_group(&mut mine, "mine");
        crash_everywhere(&mut tally, "merge", &fs, &path, old, || {
            let report = mine.save().map_err(|e| e.to_string())?;
            assert!(report.merged && report.conflicts.is_empty(), "{report:?}");
            Ok(())
        });
    }

    println!(
        "power loss: {} crash points x {scenarios} scenarios, {} states other than old or new, \
         {} acknowledged saves lost, {} other failures",
        tally.points,
        tally.other,
        tally.lost,
        tally.bad.len() - tally.other - tally.lost
    );
    assert!(tally.points > 5 * scenarios, "too few crash points");
    assert!(tally.bad.is_empty(), "{}", tally.bad.join("\n"));
}

/// A new store holding `doc`'s groups, created on the simulated file system.
fn create_on(fs: &SimFs, path: &Path, doc: Document) -> Result<(), String> {
    let mut store = sim_store(fs, path);
    assert!(!store.exists());
    store
        .apply_batch("create", |b| {
            for g in doc.groups.iter() {
                b.apply(&Op::Create(Obj::Group(g.clone())))?;
            }
            Ok::<_, bindery::edit::EditError>(())
        })
        .unwrap();
    store.save().map(|_| ()).map_err(|e| e.to_string())
}

/// The simulation itself is strict: data not synced, or a rename whose directory was not
/// synced, is gone after a crash.
#[test]
fn the_simulated_disk_forgets_what_was_not_synced() {
    let fs = SimFs::new();
    fs.create_dir_all(Path::new("/d"), 0o700).unwrap();
    fs.settle();
    let a = Path::new("/d/a");
    let mut f = fs.create_new(a, 0o600).unwrap();
    f.write_all(b"hello").unwrap();
    fs.sync_dir(Path::new("/d")).unwrap();
    let crashed = SimFs::recovered(&fs.0.lock().unwrap().durable());
    assert_eq!(
        crashed.contents(a),
        Some(Vec::new()),
        "the entry, not the data"
    );
    f.sync_all().unwrap();
    fs.rename(a, Path::new("/d/b")).unwrap();
    let crashed = SimFs::recovered(&fs.0.lock().unwrap().durable());
    assert_eq!(crashed.contents(a), Some(b"hello".to_vec()));
    assert_eq!(crashed.contents(Path::new("/d/b")), None);
    fs.sync_dir(Path::new("/d")).unwrap();
    let crashed = SimFs::recovered(&fs.0.lock().unwrap().durable());
    assert_eq!(crashed.contents(a), None);
    assert_eq!(crashed.contents(Path::new("/d/b")), Some(b"hello".to_vec()));
}
