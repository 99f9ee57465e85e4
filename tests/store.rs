//! The store: lossless round trips, corrupt and newer files left untouched, modes, symlinks,
//! several handles on one file, backups, and failures at every step of a save.

mod common;

use std::any::Any;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bindery::edit::Op;
use bindery::model::*;
use bindery::store::fs::{Fingerprint, FsFile, Meta, Perms};
use bindery::store::{Fs, RealFs, Store, StoreError};
use proptest::prelude::*;

fn temp_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    (dir, path)
}

fn saved(path: &Path, doc: Document) -> Store {
    Store::create(path, doc).unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Save then load gives the same document, and saving it again writes the same bytes.
    #[test]
    fn round_trip_is_lossless(seed in any::<u64>(), size in 1usize..25) {
        let (_dir, path) = temp_store();
        let doc = common::random_document(seed, size);
        prop_assert!(bindery::model::check::check_document(&doc).is_empty());
        let store = saved(&path, doc.clone());
        let first = fs::read(&path).unwrap();
        let reopened = Store::open(&path).unwrap();
        let mut expected = doc;
        expected.generation = store.doc().generation;
        prop_assert_eq!(reopened.doc(), &expected);
        prop_assert!(reopened.problems().is_empty());
        let text = serde_json::to_vec_pretty(reopened.doc()).unwrap();
        prop_assert_eq!(text, first);
    }
}

#[test]
fn a_missing_file_is_an_empty_store_that_the_first_save_creates() {
    let (dir, _) = temp_store();
    let path = dir.path().join("nested/deeper/store.json");
    let mut store = Store::open(&path).unwrap();
    assert!(!store.exists());
    assert!(!path.exists(), "opening must not create anything");
    store
        .apply(&Op::Create(Obj::Group(Group::new("admins"))))
        .unwrap();
    store.save().unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(&dir.path().join("nested")), 0o700);
}

#[test]
fn a_truncated_file_reports_line_and_column_and_is_left_untouched() {
    let (_dir, path) = temp_store();
    saved(&path, common::random_document(7, 10));
    let full = fs::read(&path).unwrap();
    // Cut after a comma two thirds in: the text ends inside the document, not inside a number
    // (where serde_json says "invalid number" rather than EOF, whatever the generator wrote).
    let at = full[..full.len() * 2 / 3]
        .iter()
        .rposition(|b| *b == b',')
        .unwrap();
    let cut = &full[..=at];
    fs::write(&path, cut).unwrap();
    match Store::open(&path) {
        Err(StoreError::Parse {
            line,
            column,
            message,
            ..
        }) => {
            assert!(line > 1, "line {line}");
            assert!(column > 0 || message.contains("EOF"), "{message}");
            assert!(message.contains("EOF"), "{message}");
        }
        Err(other) => panic!("expected a parse error, got {other}"),
        Ok(_) => panic!("a truncated store must not load"),
    }
    assert_eq!(fs::read(&path).unwrap(), cut);
}

#[test]
fn a_garbled_file_names_the_place_and_is_left_untouched() {
    let (_dir, path) = temp_store();
    saved(&path, common::random_document(11, 5));
    let text = fs::read_to_string(&path).unwrap();
    let garbled = text.replacen("\"designation\": \"", "\"designation\": \"nonsense-", 1);
    fs::write(&path, &garbled).unwrap();
    let err = Store::open(&path).err().expect("must not load");
    let shown = err.to_string();
    assert!(shown.contains("store.json:"), "{shown}");
    assert!(shown.contains("unknown variant"), "{shown}");
    assert!(shown.contains("flows[0].designation"), "{shown}");
    assert_eq!(fs::read_to_string(&path).unwrap(), garbled);

    fs::write(
        &path,
        b"{\"schema_version\": 1, \"generation\": 1, \x00\x01garbage",
    )
    .unwrap();
    let err = Store::open(&path).err().expect("must not load");
    assert!(matches!(err, StoreError::Parse { line: 1, .. }), "{err}");
}

#[test]
fn a_store_from_a_newer_bindery_is_refused_and_never_written() {
    let (_dir, path) = temp_store();
    let text = "{\"schema_version\": 99, \"generation\": 3, \"future\": []}\n";
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let err = Store::open(&path).err().expect("must refuse");
    assert!(matches!(err, StoreError::Newer { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("newer"), "{err}");
    assert!(Store::create(&path, Document::default()).is_err());
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn files_that_are_not_stores_are_refused() {
    let (_dir, path) = temp_store();
    fs::write(&path, "{\"flows\": []}").unwrap();
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::NotAStore { .. })
    ));
    fs::write(&path, "{\"schema_version\": \"one\"}").unwrap();
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::NotAStore { .. })
    ));
    fs::write(&path, "[1, 2]").unwrap();
    assert!(matches!(Store::open(&path), Err(StoreError::Parse { .. })));
}

#[test]
fn a_symlinked_store_is_refused() {
    let (dir, path) = temp_store();
    saved(&path, Document::default());
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let err = Store::open(&link).err().expect("must refuse");
    assert!(matches!(err, StoreError::Symlink { .. }), "{err}");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_world_writable_store_is_refused() {
    let (_dir, path) = temp_store();
    saved(&path, Document::default());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::WorldWritable { .. })
    ));
}

#[test]
fn saves_keep_the_stores_mode_exactly() {
    let (_dir, path) = temp_store();
    let mut store = saved(&path, Document::default());
    assert_eq!(mode(&path), 0o600);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o660)).unwrap();
    let mut store2 = Store::open(&path).unwrap();
    store2
        .apply(&Op::Create(Obj::Group(Group::new("g"))))
        .unwrap();
    store2.save().unwrap();
    assert_eq!(mode(&path), 0o660);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    store
        .apply(&Op::Create(Obj::Group(Group::new("h"))))
        .unwrap();
    store.save().unwrap();
    assert_eq!(mode(&path), 0o644, "the admin's choice, kept as it is");
}

/// A store made read-only (for root too: no write bit for anyone) is never replaced.
#[test]
fn a_read_only_store_is_refused_and_never_replaced() {
    let (_dir, path) = temp_store();
    saved(&path, Document::default());
    for read_only in [0o400, 0o440, 0o444] {
        fs::set_permissions(&path, fs::Permissions::from_mode(read_only)).unwrap();
        let before = fs::read(&path).unwrap();
        let mut store = Store::open(&path).expect("a read-only store can be read");
        store
            .apply(&Op::Create(Obj::Group(Group::new("g"))))
            .unwrap();
        let err = store.save().expect_err("must refuse");
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("you may not write this store")
                && text.contains(&format!("mode {read_only:04o}")),
            "{text}"
        );
        assert_eq!(fs::read(&path).unwrap(), before, "byte-identical");
        assert_eq!(mode(&path), read_only);
        assert!(store.has_unsaved_changes(), "the edit is kept in memory");
    }
}

#[test]
fn two_handles_editing_different_objects_both_land() {
    let (_dir, path) = temp_store();
    saved(&path, Document::default());
    let mut alice = Store::open(&path).unwrap();
    let mut bob = Store::open(&path).unwrap();
    alice
        .apply(&Op::Create(Obj::Group(Group::new("from-alice"))))
        .unwrap();
    bob.apply(&Op::Create(Obj::Group(Group::new("from-bob"))))
        .unwrap();
    let a = alice.save().unwrap();
    assert!(!a.merged);
    let b = bob.save().unwrap();
    assert!(b.merged, "bob's save must notice alice's");
    assert!(b.conflicts.is_empty());
    assert!(b.generation > a.generation);
    let names: Vec<String> = Store::open(&path)
        .unwrap()
        .doc()
        .groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    assert_eq!(names, vec!["from-alice", "from-bob"]);
}

#[test]
fn two_handles_editing_the_same_object_report_a_conflict_not_a_lost_update() {
    let (_dir, path) = temp_store();
    let mut doc = Document::default();
    let flow = Flow::new("login", "Login", Designation::Authentication);
    doc.flows.put(flow.clone());
    saved(&path, doc);
    let mut alice = Store::open(&path).unwrap();
    let mut bob = Store::open(&path).unwrap();
    let mut a = flow.clone();
    a.name = "Alice's login".into();
    let mut b = flow.clone();
    b.name = "Bob's login".into();
    alice.apply(&Op::Update(Obj::Flow(a))).unwrap();
    bob.apply(&Op::Update(Obj::Flow(b))).unwrap();
    alice.save().unwrap();
    let report = bob.save().unwrap();
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    assert!(
        report.conflicts[0]
            .to_string()
            .contains("changed by someone else"),
        "{}",
        report.conflicts[0]
    );
    let on_disk = Store::open(&path).unwrap();
    assert_eq!(
        on_disk.doc().flows.get(flow.id).unwrap().name,
        "Alice's login"
    );
    assert_eq!(bob.doc().flows.get(flow.id).unwrap().name, "Alice's login");
}

#[test]
fn concurrent_creates_of_one_name_conflict() {
    let (_dir, path) = temp_store();
    saved(&path, Document::default());
    let mut alice = Store::open(&path).unwrap();
    let mut bob = Store::open(&path).unwrap();
    alice
        .apply(&Op::Create(Obj::Group(Group::new("ops"))))
        .unwrap();
    bob.apply(&Op::Create(Obj::Group(Group::new("ops"))))
        .unwrap();
    alice.save().unwrap();
    let report = bob.save().unwrap();
    assert_eq!(report.conflicts.len(), 1);
    assert!(
        report.conflicts[0].to_string().contains("also used"),
        "{}",
        report.conflicts[0]
    );
    assert_eq!(Store::open(&path).unwrap().doc().groups.len(), 1);
}

#[test]
fn binding_to_a_flow_someone_else_deleted_conflicts() {
    let (_dir, path) = temp_store();
    let mut doc = Document::default();
    let flow = Flow::new("login", "Login", Designation::Authentication);
    let stage = Stage::new(
        "deny",
        StageKind::default_for("authentik_stages_deny.denystage").unwrap(),
    );
    doc.flows.put(flow.clone());
    doc.stages.put(stage.clone());
    saved(&path, doc);
    let mut alice = Store::open(&path).unwrap();
    let mut bob = Store::open(&path).unwrap();
    alice.apply(&Op::Delete(ObjKind::Flow, flow.id)).unwrap();
    bob.apply(&Op::Create(Obj::StageBinding(StageBinding::new(
        flow.id, stage.id, 10,
    ))))
    .unwrap();
    alice.save().unwrap();
    let report = bob.save().unwrap();
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    let after = Store::open(&path).unwrap();
    assert!(after.doc().flows.is_empty());
    assert!(after.doc().stage_bindings.is_empty());
    assert!(after.problems().is_empty());
}

#[test]
fn saves_keep_rotating_backups_of_previous_versions() {
    let (dir, path) = temp_store();
    let mut store = saved(&path, Document::default());
    for i in 0..7 {
        store
            .apply(&Op::Create(Obj::Group(Group::new(&format!("g{i}")))))
            .unwrap();
        store.save().unwrap();
    }
    let newest = Store::open(&dir.path().join("store.json.bak.1")).unwrap();
    assert_eq!(newest.doc().generation, store.doc().generation - 1);
    assert!(dir.path().join("store.json.bak.5").exists());
    assert!(!dir.path().join("store.json.bak.6").exists());
    assert_eq!(mode(&dir.path().join("store.json.bak.1")), 0o600);
}

#[test]
fn temp_files_left_by_a_killed_save_are_removed_on_next_open() {
    let (dir, path) = temp_store();
    saved(&path, Document::default());
    let stale = dir.path().join(".store.json.0123456789abcdef.tmp");
    fs::write(&stale, "half a store").unwrap();
    let other = dir.path().join("unrelated.tmp");
    fs::write(&other, "keep me").unwrap();
    Store::open(&path).unwrap();
    assert!(!stale.exists());
    assert!(other.exists());
}

#[test]
fn hand_edited_dangling_references_are_reported_with_paths_and_may_not_grow() {
    let (_dir, path) = temp_store();
    saved(&path, common::random_document(3, 6));
    let mut value: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let missing = "00000000-0000-0000-0000-00000000dead";
    value["users"].as_array_mut().unwrap().insert(
        0,
        serde_json::json!({
            "id": "00000000-0000-0000-0000-000000000001", "username": "ghost",
            "groups": [missing]
        }),
    );
    fs::write(&path, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.problems().len(), 1, "{:?}", store.problems());
    assert_eq!(store.problems()[0].path, "$.users[0].groups");
    assert!(store.problems()[0].message.contains(missing));
    // An unrelated edit still saves: it adds no problem.
    store
        .apply(&Op::Create(Obj::Group(Group::new("new-group"))))
        .unwrap();
    store.save().unwrap();
}

#[test]
fn a_save_waits_for_another_processs_save_to_finish() {
    let (dir, path) = temp_store();
    let mut store = saved(&path, Document::default());
    let lock = fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("store.json.lock"))
        .unwrap();
    lock.lock().unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        drop(lock);
    });
    store
        .apply(&Op::Create(Obj::Group(Group::new("g"))))
        .unwrap();
    store.save().unwrap();
    releaser.join().unwrap();
}

/// The real file system with one step made to fail, by returning an error or by panicking.
struct FailAt(&'static str, How);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum How {
    Error,
    Panic,
}

impl How {
    fn fail(self) -> io::Error {
        if self == How::Panic {
            quiet_injected_panics();
            panic!("{INJECTED_PANIC}");
        }
        injected()
    }
}

struct FailingFile {
    inner: Box<dyn FsFile>,
    fail: &'static str,
    how: How,
}

fn injected() -> io::Error {
    io::Error::other("injected failure")
}

const INJECTED_PANIC: &str = "injected panic inside the file system";

/// Injected panics are expected: the panic hook stays quiet about them (and only them).
fn quiet_injected_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let text = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied());
            if text != Some(INJECTED_PANIC) {
                previous(info);
            }
        }));
    });
}

impl FsFile for FailingFile {
    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        if self.fail == "write" {
            self.inner.write_all(&data[..data.len() / 2])?;
            return Err(self.how.fail());
        }
        self.inner.write_all(data)
    }
    fn sync_all(&mut self) -> io::Result<()> {
        if self.fail == "sync" {
            Err(self.how.fail())
        } else {
            self.inner.sync_all()
        }
    }
    fn set_mode(&mut self, mode: u32, gid: Option<u32>) -> io::Result<()> {
        if self.fail == "chmod" {
            Err(self.how.fail())
        } else {
            self.inner.set_mode(mode, gid)
        }
    }
}

impl Fs for FailAt {
    fn metadata(&self, path: &Path) -> io::Result<Meta> {
        RealFs.metadata(path)
    }
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        RealFs.read(path)
    }
    fn fingerprint(&self, path: &Path) -> io::Result<Option<Fingerprint>> {
        RealFs.fingerprint(path)
    }
    fn create_dir_all(&self, dir: &Path, mode: u32) -> io::Result<()> {
        if self.0 == "mkdir" {
            return Err(self.1.fail());
        }
        RealFs.create_dir_all(dir, mode)
    }
    fn create_new(&self, path: &Path, mode: u32) -> io::Result<Box<dyn FsFile>> {
        if self.0 == "create" {
            return Err(self.1.fail());
        }
        Ok(Box::new(FailingFile {
            inner: RealFs.create_new(path, mode)?,
            fail: self.0,
            how: self.1,
        }))
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let is_store = to.file_name().is_some_and(|n| n == "store.json");
        if (self.0 == "rename" && is_store) || (self.0 == "rotate" && !is_store) {
            return Err(self.1.fail());
        }
        RealFs.rename(from, to)
    }
    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
        if self.0 == "backup" {
            Err(self.1.fail())
        } else {
            RealFs.hard_link(from, to)
        }
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        RealFs.remove_file(path)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        if self.0 == "dirsync" {
            Err(self.1.fail())
        } else {
            RealFs.sync_dir(dir)
        }
    }
    fn list_dir(&self, dir: &Path) -> io::Result<Vec<String>> {
        RealFs.list_dir(dir)
    }
    fn lock(
        &self,
        path: &Path,
        wait: Duration,
        holder: &str,
        perms: Perms,
    ) -> io::Result<Box<dyn Any>> {
        if self.0 == "lock" {
            Err(self.1.fail())
        } else {
            RealFs.lock(path, wait, holder, perms)
        }
    }
    fn may_write(&self, path: &Path) -> io::Result<bool> {
        RealFs.may_write(path)
    }
}

#[test]
fn a_failed_directory_sync_says_the_new_version_may_not_be_durable() {
    let (_dir, path) = temp_store();
    saved(&path, Document::default());
    let mut store = Store::open_with(&path, Box::new(FailAt("dirsync", How::Error))).unwrap();
    store
        .apply(&Op::Create(Obj::Group(Group::new("g"))))
        .unwrap();
    let err = store.save().expect_err("must report");
    assert!(matches!(err, StoreError::NotDurable { .. }), "{err}");
    assert!(!store.has_unsaved_changes());
    // The file holds the new version, and this handle knows it: no conflict with itself.
    assert_eq!(Store::open(&path).unwrap().doc().groups.len(), 1);
    let mut again = Store::open(&path).unwrap();
    again
        .apply(&Op::Create(Obj::Group(Group::new("h"))))
        .unwrap();
    again.save().unwrap();
    // The first handle's next edit merges with the other's save instead of fighting its own.
    store
        .apply(&Op::Create(Obj::Group(Group::new("i"))))
        .unwrap();
    assert!(matches!(store.save(), Err(StoreError::NotDurable { .. })));
    let names: Vec<String> = Store::open(&path)
        .unwrap()
        .doc()
        .groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    assert_eq!(names, vec!["g", "h", "i"]);
}

/// Every step of a save, made to fail with an error and then with a panic inside the file
/// system (docs/reliability.md §7, T4): the file on disk is the old or the new version, the
/// edits are still in memory, no temp file is left, the lock is released, and an error names
/// the step that failed.
#[test]
fn a_failure_at_any_step_of_a_save_keeps_the_old_store_and_the_edits() {
    // (failpoint, what the error says, whether the new version is already in place)
    let steps: [(&str, &str, bool); 10] = [
        ("mkdir", "creating the store directory", false),
        ("lock", "taking the save lock", false),
        ("create", "creating the temporary file", false),
        ("write", "writing the temporary file", false),
        ("chmod", "setting the file's permissions", false),
        ("sync", "flushing the temporary file to disk", false),
        ("rotate", "keeping a backup of the previous version", false),
        ("backup", "keeping a backup of the previous version", false),
        ("rename", "replacing the store with the new version", false),
        ("dirsync", "flushing the directory to disk failed", true),
    ];
    let mut runs = 0;
    let mut old_or_new = 0;
    let mut edits_kept = 0;
    let mut temps_left = 0;
    let mut errors_naming_the_step = 0;
    for (step, says, lands) in steps {
        for how in [How::Error, How::Panic] {
            runs += 1;
            let what = format!("{step} ({how:?})");
            let (dir, path) = temp_store();
            saved(&path, common::random_document(5, 5));
            // A second save, so that there is a backup to rotate.
            let mut warm = Store::open(&path).unwrap();
            warm.apply(&Op::Create(Obj::Group(Group::new("warm"))))
                .unwrap();
            warm.save().unwrap();
            let before = fs::read(&path).unwrap();

            let mut store = Store::open_with(&path, Box::new(FailAt(step, how))).unwrap();
            store
                .apply(&Op::Create(Obj::Group(Group::new("unsaved"))))
                .unwrap();
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| store.save()));
            match (how, outcome) {
                (How::Error, Ok(Err(err))) => {
                    let shown = err.to_string();
                    assert!(shown.contains("injected failure"), "{what}: {shown}");
                    assert!(
                        shown.contains(says),
                        "{what}: the error does not name the step: {shown}"
                    );
                    errors_naming_the_step += 1;
                }
                (How::Panic, Err(payload)) => {
                    let text = payload
                        .downcast_ref::<String>()
                        .cloned()
                        .unwrap_or_default();
                    assert_eq!(text, INJECTED_PANIC, "{what}");
                }
                (_, Ok(Ok(report))) => panic!("{what}: the save succeeded: {report:?}"),
                (_, other) => panic!(
                    "{what}: unexpected outcome: {:?}",
                    other.map(|r| r.map(|_| ()))
                ),
            }
            // Before anything opens the store again (the next start removes stale temps).
            let temps: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tmp"))
                .collect();
            temps_left += temps.len();
            assert!(temps.is_empty(), "{what}: temp file left: {temps:?}");
            let after = fs::read(&path).unwrap();
            let landed = after != before;
            let expected_new = Store::open(&path)
                .unwrap()
                .doc()
                .groups
                .iter()
                .any(|g| g.name == "unsaved");
            assert!(
                !landed || expected_new,
                "{what}: the store is neither the old nor the new version"
            );
            if how == How::Error {
                assert_eq!(landed, lands, "{what}: the new version in place?");
            }
            old_or_new += 1;
            assert!(
                store.doc().groups.iter().any(|g| g.name == "unsaved"),
                "{what}: the edit is gone from memory"
            );
            assert!(
                landed || store.has_unsaved_changes(),
                "{what}: the store is old but the edit is no longer pending"
            );
            edits_kept += 1;
            // Once the disk behaves, saves work again: the lock was released.
            let mut retry = Store::open(&path).unwrap();
            assert_eq!(
                retry.doc().groups.iter().any(|g| g.name == "unsaved"),
                landed
            );
            retry
                .apply(&Op::Create(Obj::Group(Group::new("later"))))
                .unwrap();
            retry.save().unwrap();
        }
    }
    println!(
        "fault injection: {} failpoints x {{error, panic}}: {runs} runs, on-disk state old or new \
         {old_or_new}/{runs}, edits kept {edits_kept}/{runs}, temp files left {temps_left}, \
         errors naming the step {errors_naming_the_step}/{}",
        steps.len(),
        steps.len()
    );
}

#[test]
fn a_version_1_store_is_migrated_and_the_old_file_kept() {
    let (dir, path) = temp_store();
    let v1 = "{\n  \"schema_version\": 1,\n  \"generation\": 7,\n  \"groups\": [{\"id\": \"00000000-0000-4000-8000-000000000001\", \"name\": \"old\"}]\n}\n";
    fs::write(&path, v1).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.doc().schema_version, bindery::model::SCHEMA_VERSION);
    assert_eq!(store.doc().groups.len(), 1);
    assert!(store.doc().log.is_empty());
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        v1,
        "reading never writes"
    );
    store
        .apply(&Op::Create(Obj::Group(Group::new("new"))))
        .unwrap();
    store.save().unwrap();
    let backup = dir.path().join("store.json.v1.bak");
    assert_eq!(fs::read_to_string(&backup).unwrap(), v1);
    let saved: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["schema_version"], bindery::model::SCHEMA_VERSION);
    assert_eq!(saved["generation"], 8);
    // Later saves leave the first backup of the old format alone.
    store
        .apply(&Op::Create(Obj::Group(Group::new("newer"))))
        .unwrap();
    store.save().unwrap();
    assert_eq!(fs::read_to_string(&backup).unwrap(), v1);
}

#[test]
fn every_saved_operation_goes_into_a_bounded_change_log() {
    let (_dir, path) = temp_store();
    let mut store = saved(&path, Document::default());
    store.file_mut().log_limit = 3;
    for i in 0..5 {
        store
            .apply(&Op::Create(Obj::Group(Group::new(&format!("g{i}")))))
            .unwrap();
        store.save().unwrap();
    }
    let mut flow = Flow::new("login", "Login", Designation::Authentication);
    flow.title = "Login".into();
    store.apply(&Op::Create(Obj::Flow(flow.clone()))).unwrap();
    store.apply(&Op::Delete(ObjKind::Flow, flow.id)).unwrap();
    store.save().unwrap();
    let log = &Store::open(&path).unwrap().doc().log.clone();
    assert_eq!(log.len(), 3, "bounded to the newest entries");
    assert_eq!(log[0].operation, "create group 'g4'");
    assert_eq!(log[1].operation, "create flow 'login'");
    assert_eq!(log[2].operation, "delete flow 'login'");
    assert_eq!(log[2].objects, vec!["flow 'login'"]);
    assert!(
        log[2].at.ends_with('Z') && log[2].at.len() == 20,
        "{}",
        log[2].at
    );
    assert!(!log[2].user.is_empty());
}

/// A save checks the loader's nesting limit on what it streams to the file: a document the
/// store could not read back (nested past the loader's limit, which only a document built in
/// code can be: every edit checks its values) is refused, and nothing replaces the store.
#[test]
fn a_save_the_loader_could_not_read_back_is_refused_and_writes_nothing() {
    let (dir, path) = temp_store();
    let mut doc = Document::default();
    let mut deep = serde_json::Value::Null;
    for _ in 0..200 {
        deep = serde_json::json!([deep]);
    }
    let mut group = Group::new("deep");
    group.attributes.insert("x".into(), deep);
    doc.groups.put(group);
    let err = Store::create(&path, doc).err().expect("refused");
    let text = err.to_string();
    assert!(text.contains("levels deep"), "{text}");
    assert!(!path.exists(), "no store was written");
    let left: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    assert!(left.is_empty(), "no temporary file is left: {left:?}");
}
