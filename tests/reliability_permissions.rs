//! Permissions and symlinks (docs/reliability.md §7, T15), through the real binary: the modes
//! of everything bindery creates are exact under umask 000, 022 and 077 (set in a shell before
//! `exec bindery`); a store's mode (setgid bit included) and group are kept exactly, and its lock
//! and backups follow them; a store the user may not write is refused; a symbolic link
//! planted at the store path is refused; symbolic links planted at every other predictable
//! path (lock, backups, the old-format backup, a temp-looking name) are never written through;
//! a file planted at a predictable temp name does not disturb saves.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Output;

use common::run::{bindery_umask, mode};

fn group_blueprint(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.yaml"));
    fs::write(
        &path,
        format!(
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      \
             name: {name}\n"
        ),
    )
    .unwrap();
    path
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn modes_are_exact_under_every_umask() {
    let mut checked = 0;
    for umask in ["000", "022", "077"] {
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("new-dir");
        let store = dir.join("store.json");
        ok(&bindery_umask(umask, &store, &["init", "--demo"]), "init");
        let bp = group_blueprint(top.path(), "ops");
        ok(
            &bindery_umask(umask, &store, &["import", bp.to_str().unwrap()]),
            "import",
        );
        for (path, want) in [
            (dir.clone(), 0o700),
            (store.clone(), 0o600),
            (dir.join("store.json.bak.1"), 0o600),
            (dir.join("store.json.lock"), 0o600),
        ] {
            assert_eq!(
                mode(&path),
                want,
                "umask {umask}: {} is {:04o}",
                path.display(),
                mode(&path)
            );
            checked += 1;
        }

        // A shared store (group read-write, another group) keeps its mode and group.
        fs::set_permissions(&store, fs::Permissions::from_mode(0o660)).unwrap();
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        if root {
            std::os::unix::fs::chown(&store, None, Some(4242)).unwrap();
        }
        let bp = group_blueprint(top.path(), "shared");
        ok(
            &bindery_umask(umask, &store, &["import", bp.to_str().unwrap()]),
            "import into a shared store",
        );
        assert_eq!(mode(&store), 0o660, "umask {umask}: a shared store's mode");
        if root {
            assert_eq!(fs::metadata(&store).unwrap().gid(), 4242, "its group");
        }
        checked += 1;

        // Whatever mode the admin gave the store, a save keeps it exactly (setgid included),
        // and the lock file and the backups follow it.
        for kept in [0o644, 0o664, 0o2660, 0o640, 0o600] {
            fs::set_permissions(&store, fs::Permissions::from_mode(kept)).unwrap();
            let bp = group_blueprint(top.path(), &format!("kept{kept:o}"));
            ok(
                &bindery_umask(umask, &store, &["import", bp.to_str().unwrap()]),
                "import into a store of another mode",
            );
            assert_eq!(
                mode(&store),
                kept,
                "umask {umask}: the store's mode is kept"
            );
            assert_eq!(
                mode(&dir.join("store.json.lock")),
                kept & 0o666,
                "umask {umask}: the lock follows the store's mode"
            );
            assert_eq!(
                mode(&dir.join("store.json.bak.1")),
                kept,
                "umask {umask}: the backup has the store's mode"
            );
            checked += 3;
            if root {
                for file in ["store.json", "store.json.lock", "store.json.bak.1"] {
                    assert_eq!(fs::metadata(dir.join(file)).unwrap().gid(), 4242, "{file}");
                }
            }
        }
    }
    println!("permissions: {checked} modes checked under umask 000, 022 and 077, all exact");
}

#[test]
fn symlinks_planted_at_predictable_paths_are_never_written_through() {
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("data");
    fs::create_dir(&dir).unwrap();
    let store = dir.join("store.json");
    let victim = top.path().join("victim.txt");
    let victim_text = "the victim's file\n";
    fs::write(&victim, victim_text).unwrap();
    let mut refused = 0;
    let mut not_written = 0;

    // At the store path itself: every command refuses it.
    std::os::unix::fs::symlink(&victim, &store).unwrap();
    let bp = group_blueprint(top.path(), "evil");
    for args in [
        vec!["init"],
        vec!["list", "groups"],
        vec!["import", bp.to_str().unwrap()],
        vec!["export", "--all"],
    ] {
        let out = bindery_umask("022", &store, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} followed the link");
        assert!(
            stderr.contains("symbolic link") || stderr.contains("already exists"),
            "{args:?}: {stderr}"
        );
        refused += 1;
    }
    // `screen` would create the demo store: it must refuse too.
    let out = bindery_umask("022", &store, &["screen", "--keys", "q"]);
    assert!(!out.status.success(), "screen followed the link");
    refused += 1;
    assert_eq!(fs::read_to_string(&victim).unwrap(), victim_text);
    assert!(
        fs::symlink_metadata(&store)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    fs::remove_file(&store).unwrap();

    // A real store, then links at every other predictable name.
    ok(&bindery_umask("022", &store, &["init", "--demo"]), "init");
    let planted: Vec<PathBuf> = (1..=5)
        .map(|n| dir.join(format!("store.json.bak.{n}")))
        .chain([
            dir.join("store.json.v1.bak"),
            dir.join(".store.json.tmp"),
            dir.join("store.json.tmp"),
            dir.join("store.json.new"),
        ])
        .collect();
    for path in &planted {
        let _ = fs::remove_file(path);
        std::os::unix::fs::symlink(&victim, path).unwrap();
    }
    for n in 0..7 {
        let bp = group_blueprint(top.path(), &format!("g{n}"));
        ok(
            &bindery_umask("022", &store, &["import", bp.to_str().unwrap()]),
            "a save with planted links around",
        );
    }
    assert_eq!(fs::read_to_string(&victim).unwrap(), victim_text);
    not_written += planted.len();

    // At the lock file: the save is refused with a clear error, nothing is written.
    let lock = dir.join("store.json.lock");
    fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    let before = fs::read(&store).unwrap();
    let bp = group_blueprint(top.path(), "locked-out");
    let out = bindery_umask("022", &store, &["import", bp.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the save went through a planted lock link"
    );
    assert!(stderr.contains("taking the save lock"), "{stderr}");
    assert_eq!(fs::read(&store).unwrap(), before);
    assert_eq!(fs::read_to_string(&victim).unwrap(), victim_text);
    refused += 1;
    not_written += 1;
    println!(
        "symlinks: {refused} commands refused a planted link, {not_written} planted links never \
         written through (victim unchanged), 0 writes through symlinks"
    );
}

#[test]
fn a_file_planted_at_a_predictable_temp_name_is_irrelevant() {
    let top = tempfile::tempdir().unwrap();
    let store = top.path().join("store.json");
    ok(&bindery_umask("022", &store, &["init"]), "init");
    let planted = top.path().join(".store.json.tmp");
    let other = top.path().join("store.json.tmp");
    fs::write(&planted, "planted").unwrap();
    fs::write(&other, "planted").unwrap();
    for n in 0..3 {
        let bp = group_blueprint(top.path(), &format!("g{n}"));
        ok(
            &bindery_umask("022", &store, &["import", bp.to_str().unwrap()]),
            "a save with a planted temp file",
        );
    }
    let out = bindery_umask("022", &store, &["list", "groups", "--json"]);
    ok(&out, "list");
    let groups: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(groups.len(), 3);
    // Never written: the one that looks like bindery's own temp files is removed as stale on
    // the next start, the other is left alone.
    assert!(
        !planted.exists() || fs::read_to_string(&planted).unwrap() == "planted",
        "written through"
    );
    assert_eq!(fs::read_to_string(&other).unwrap(), "planted");
    println!("planted temp files: saves work, 0 writes to them");
}
