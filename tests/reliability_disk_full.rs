//! A full disk (docs/reliability.md §7, T3): on a 256 KiB tmpfs, a store that fits once is
//! saved bigger. The save must fail with an error that names the step and the cause, leave the
//! old store loadable and byte-for-byte unchanged, leave no temp file, and keep the edits in
//! memory. Needs root on Linux to mount the tmpfs; elsewhere it prints why it was skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use bindery::edit::Op;
use bindery::model::{Document, Group, Obj};
use bindery::store::{Store, StoreError};
use serde_json::json;

/// A mounted tmpfs, unmounted when dropped (also when the test fails).
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

fn mount_tmpfs(dir: &Path, size: &str) -> Result<Mount, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("not running as root".into());
    }
    if !cfg!(target_os = "linux") {
        return Err("tmpfs mounts are tested on Linux only".into());
    }
    let out = Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size},mode=0700"),
            "tmpfs",
        ])
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run mount: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "mount -t tmpfs failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(Mount(dir.to_path_buf()))
}

fn group(n: usize) -> Group {
    let mut g = Group::new(&format!("group-{n:04}"));
    g.attributes
        .insert("padding".into(), json!("x".repeat(1000)));
    g
}

fn temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_save_that_does_not_fit_fails_cleanly_and_keeps_the_old_store() {
    let outer = tempfile::tempdir().unwrap();
    let mnt = outer.path().join("small-disk");
    std::fs::create_dir(&mnt).unwrap();
    let _mount = match mount_tmpfs(&mnt, "256k") {
        Ok(m) => m,
        Err(why) => {
            println!("disk full: skipped: {why}");
            return;
        }
    };
    let path = mnt.join("store.json");

    // About 100 KB: fits once, not twice (the old version stays until the rename).
    let mut doc = Document::default();
    for n in 0..95 {
        doc.groups.put(group(n));
    }
    Store::create(&path, doc).expect("the first store fits");
    let before = std::fs::read(&path).unwrap();
    assert!(before.len() > 90_000, "{} bytes", before.len());

    let mut store = Store::open(&path).unwrap();
    store
        .apply_batch("grow", |b| {
            for n in 95..250 {
                b.apply(&Op::Create(Obj::Group(group(n))))?;
            }
            Ok::<_, bindery::edit::EditError>(())
        })
        .unwrap();
    let err = store
        .save()
        .expect_err("a save bigger than the disk must fail");
    let shown = err.to_string();
    let StoreError::Save { step, source, .. } = &err else {
        panic!("expected a save error naming the step, got: {shown}");
    };
    assert_eq!(source.raw_os_error(), Some(libc::ENOSPC), "{shown}");
    assert!(shown.contains("No space left on device"), "{shown}");
    assert!(shown.contains("store on disk is unchanged"), "{shown}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the old store changed"
    );
    let reopened = Store::open(&path).expect("the old store still loads");
    assert_eq!(reopened.doc().groups.len(), 95);
    let left = temps(&mnt);
    assert!(left.is_empty(), "temp files left: {left:?}");
    assert!(store.has_unsaved_changes(), "the edits are kept");
    assert_eq!(store.doc().groups.len(), 250);

    // A save that fits still works afterwards (the lock was released, nothing half-written
    // is in the way).
    let mut small = Store::open(&path).unwrap();
    small
        .apply(&Op::Create(Obj::Group(Group::new("fits"))))
        .unwrap();
    small.save().expect("a save that fits");
    assert!(temps(&mnt).is_empty());

    println!(
        "disk full: ENOSPC returned while {step} ({}), original parses ({} bytes unchanged), \
         edits kept, 0 temps left; the error reads: {shown}",
        source,
        before.len()
    );
}
