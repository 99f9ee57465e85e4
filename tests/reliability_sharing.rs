//! Stores shared between users and stores planted by another user (issue 11, items 5 and 6),
//! through the real binary run under real uids. These tests need root (to run bindery as other
//! numeric uids, with no passwd entries and no change to the system); otherwise they say so
//! and pass without checking.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::run::mode;

/// The admins' group and two admins in it; an unrelated user.
const ADMINS: u32 = 31_101;
const ALICE: u32 = 31_001;
const BOB: u32 = 31_002;
const MALLORY: u32 = 31_666;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn skip(test: &str) -> bool {
    if is_root() {
        return false;
    }
    println!("{test}: skipped, needs root to run bindery as two other uids");
    true
}

/// A world-traversable temp dir (the other uids must reach what is inside).
fn top() -> tempfile::TempDir {
    let top = tempfile::tempdir().unwrap();
    fs::set_permissions(top.path(), fs::Permissions::from_mode(0o755)).unwrap();
    top
}

/// Someone running bindery: as `uid` (None: this process), with their own home.
struct As {
    uid: Option<(u32, u32)>,
    home: PathBuf,
    env: Vec<(&'static str, String)>,
}

impl As {
    fn user(top: &Path, uid: u32, gid: u32) -> As {
        let home = top.join(format!("home-{uid}"));
        fs::create_dir(&home).unwrap();
        std::os::unix::fs::chown(&home, Some(uid), Some(gid)).unwrap();
        As {
            uid: Some((uid, gid)),
            home,
            env: Vec::new(),
        }
    }

    fn me(top: &Path) -> As {
        let home = top.join("home-me");
        fs::create_dir(&home).unwrap();
        As {
            uid: None,
            home,
            env: Vec::new(),
        }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> As {
        self.env.push((name, value.into()));
        self
    }

    /// `umask 022; bindery --store STORE ARGS...`
    fn run(&self, store: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg("umask 022; exec \"$0\" --store \"$@\"")
            .arg(env!("CARGO_BIN_EXE_bindery"))
            .arg(store)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_STATE_HOME", self.home.join(".state"))
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())));
        if let Some((uid, gid)) = self.uid {
            cmd.uid(uid).gid(gid);
        }
        cmd.output().expect("run bindery")
    }

    fn ok(&self, store: &Path, args: &[&str]) {
        let out = self.run(store, args);
        assert!(
            out.status.success(),
            "{args:?} as {:?}: {}",
            self.uid,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn refused(&self, store: &Path, args: &[&str]) -> String {
        let out = self.run(store, args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success(),
            "{args:?} as {:?} went through",
            self.uid
        );
        stderr
    }
}

fn blueprint(top: &Path, group: &str) -> String {
    let path = top.join(format!("{group}.yaml"));
    fs::write(
        &path,
        format!(
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      \
             name: {group}\n"
        ),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    path.display().to_string()
}

fn groups(who: &As, store: &Path) -> Vec<String> {
    let out = who.run(store, &["list", "groups", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    list.iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect()
}

/// Mode, owner and group of a file.
fn perms(path: &Path) -> (u32, u32, u32) {
    let meta = fs::symlink_metadata(path).unwrap();
    (mode(path), meta.uid(), meta.gid())
}

/// The README's recipe, end to end: a setgid directory of the admins' group, mode 2770; alice
/// creates the store, bob edits it, alice edits again. Each opts in once to the other's store.
#[test]
fn two_admins_share_a_store_in_a_setgid_group_directory() {
    if skip("two_admins_share_a_store_in_a_setgid_group_directory") {
        return;
    }
    let top = top();
    let srv = top.path().join("srv");
    fs::create_dir(&srv).unwrap();
    std::os::unix::fs::chown(&srv, Some(0), Some(ADMINS)).unwrap();
    fs::set_permissions(&srv, fs::Permissions::from_mode(0o2770)).unwrap();
    let store = srv.join("store.json");
    let lock = srv.join("store.json.lock");
    let alice = As::user(top.path(), ALICE, ADMINS);
    let bob = As::user(top.path(), BOB, ADMINS);

    alice.ok(&store, &["init", "--demo"]);
    // The recipe's `chmod 0660` (already the mode a store gets in such a directory).
    assert_eq!(perms(&store), (0o660, ALICE, ADMINS), "a new shared store");
    assert_eq!(perms(&lock), (0o660, ALICE, ADMINS), "its lock");
    fs::set_permissions(&store, fs::Permissions::from_mode(0o660)).unwrap();
    alice.ok(&store, &["import", &blueprint(top.path(), "from-alice")]);

    // Bob may not use alice's store until he opts in; the error says how.
    let before = fs::read(&store).unwrap();
    let stderr = bob.refused(&store, &["import", &blueprint(top.path(), "from-bob")]);
    for says in [
        &format!("is owned by uid {ALICE}"),
        "opt in once",
        &format!("BINDERY_SAFE_STORES={}", store.display()),
        "safe_stores = [",
        "config.toml",
    ] {
        assert!(stderr.contains(says), "{says:?} in {stderr}");
    }
    assert_eq!(fs::read(&store).unwrap(), before);

    // Opted in (bob through his config file), bob edits: nothing is denied, modes and group
    // stay as they were.
    let config = bob.home.join(".config/bindery");
    fs::create_dir_all(&config).unwrap();
    fs::write(
        config.join("config.toml"),
        format!("safe_stores = [\"{}\"]\n", srv.display()),
    )
    .unwrap();
    std::os::unix::fs::chown(&config, Some(BOB), Some(ADMINS)).unwrap();
    bob.ok(&store, &["import", &blueprint(top.path(), "from-bob")]);
    assert_eq!(
        perms(&store),
        (0o660, BOB, ADMINS),
        "bob's save keeps mode and group"
    );
    assert_eq!(perms(&lock), (0o660, ALICE, ADMINS));
    assert_eq!(perms(&srv.join("store.json.bak.1")), (0o660, ALICE, ADMINS));

    // Now bob owns the file: alice opts in too (through the environment) and edits again.
    let alice = alice.with("BINDERY_SAFE_STORES", store.display().to_string());
    alice.ok(&store, &["import", &blueprint(top.path(), "again-alice")]);
    assert_eq!(perms(&store), (0o660, ALICE, ADMINS));
    for backup in ["store.json.bak.1", "store.json.bak.2"] {
        let (mode, _, gid) = perms(&srv.join(backup));
        assert_eq!((mode, gid), (0o660, ADMINS), "{backup}");
    }
    let names = groups(&alice, &store);
    for group in ["from-alice", "from-bob", "again-alice"] {
        assert!(names.iter().any(|n| n == group), "{group} in {names:?}");
    }

    // Made read-only for the group, the store is refused to bob, never replaced (he could
    // rename over it: the directory is his group's).
    fs::set_permissions(&store, fs::Permissions::from_mode(0o640)).unwrap();
    let bob = bob.with("BINDERY_SAFE_STORES", store.display().to_string());
    let before = fs::read(&store).unwrap();
    let stderr = bob.refused(&store, &["import", &blueprint(top.path(), "late-bob")]);
    assert!(
        stderr.contains("you may not write this store (mode 0640"),
        "{stderr}"
    );
    assert_eq!(fs::read(&store).unwrap(), before);
    assert_eq!(perms(&store), (0o640, ALICE, ADMINS));

    let leftovers: Vec<_> = fs::read_dir(&srv)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    println!("sharing recipe: alice init + 2 edits, bob 1 edit, all saved; store 0660 :{ADMINS}");
}

/// A lock file left 0600 (created before the store was made shared): the other admin is told
/// whose it is and how to fix it, and its owner's next save fixes it.
#[test]
fn a_private_lock_file_is_explained_and_then_follows_the_store() {
    if skip("a_private_lock_file_is_explained_and_then_follows_the_store") {
        return;
    }
    let top = top();
    let srv = top.path().join("srv");
    fs::create_dir(&srv).unwrap();
    std::os::unix::fs::chown(&srv, Some(0), Some(ADMINS)).unwrap();
    fs::set_permissions(&srv, fs::Permissions::from_mode(0o2770)).unwrap();
    let store = srv.join("store.json");
    let lock = srv.join("store.json.lock");
    let optin = store.display().to_string();
    let alice = As::user(top.path(), ALICE, ADMINS).with("BINDERY_SAFE_STORES", optin.clone());
    let bob = As::user(top.path(), BOB, ADMINS).with("BINDERY_SAFE_STORES", optin);
    alice.ok(&store, &["init"]);
    fs::set_permissions(&lock, fs::Permissions::from_mode(0o600)).unwrap();
    let before = fs::read(&store).unwrap();
    let stderr = bob.refused(&store, &["import", &blueprint(top.path(), "b")]);
    assert!(
        stderr.contains("taking the save lock")
            && stderr.contains("mode 0600")
            && stderr.contains(&format!("owned by uid {ALICE}"))
            && stderr.contains(&format!("chmod 0660 {}", lock.display())),
        "{stderr}"
    );
    assert_eq!(fs::read(&store).unwrap(), before);
    alice.ok(&store, &["import", &blueprint(top.path(), "a")]);
    assert_eq!(
        mode(&lock),
        0o660,
        "the owner's save gave the lock the store's mode"
    );
    bob.ok(&store, &["import", &blueprint(top.path(), "b")]);
}

/// The planted store: mallory leaves a 0640 store in a sticky world-writable directory, root
/// imports into it. Refused, nothing written; with an opt-in it works.
#[test]
fn a_store_planted_by_another_user_is_refused_unless_opted_in() {
    if skip("a_store_planted_by_another_user_is_refused_unless_opted_in") {
        return;
    }
    let top = top();
    let tmp = top.path().join("tmp");
    fs::create_dir(&tmp).unwrap();
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o1777)).unwrap();
    let store = tmp.join("store.json");
    let mallory = As::user(top.path(), MALLORY, MALLORY);
    mallory.ok(&store, &["init"]);
    fs::set_permissions(&store, fs::Permissions::from_mode(0o640)).unwrap();
    let root = As::me(top.path());
    let listing = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut all: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, fs::read(&p).unwrap_or_default())
            })
            .collect();
        all.sort();
        all
    };
    let before = listing(&tmp);
    let bp = blueprint(top.path(), "secret-admins");
    let mut refused = 0;
    for args in [
        vec!["import", bp.as_str()],
        vec!["list", "groups"],
        vec!["export", "--all"],
        vec!["screen", "--keys", "q"],
    ] {
        let stderr = root.refused(&store, &args);
        assert!(
            stderr.contains(&format!("is owned by uid {MALLORY}"))
                && stderr.contains("BINDERY_SAFE_STORES=")
                && stderr.contains("safe_stores"),
            "{args:?}: {stderr}"
        );
        refused += 1;
    }
    assert_eq!(listing(&tmp), before, "nothing written");

    // A new store in a directory someone else owns is refused as well.
    let theirs = top.path().join("mallorys-dir");
    fs::create_dir(&theirs).unwrap();
    std::os::unix::fs::chown(&theirs, Some(MALLORY), Some(MALLORY)).unwrap();
    let stderr = root.refused(&theirs.join("store.json"), &["init"]);
    assert!(
        stderr.contains(&format!("in the directory {}", theirs.display()))
            && stderr.contains(&format!("owned by uid {MALLORY}")),
        "{stderr}"
    );
    assert_eq!(fs::read_dir(&theirs).unwrap().count(), 0);

    // Opted in: the environment (a list, or `*`), or the config file.
    let root = root.with(
        "BINDERY_SAFE_STORES",
        format!("/nowhere:{}", store.display()),
    );
    root.ok(&store, &["import", &bp]);
    assert!(groups(&root, &store).contains(&"secret-admins".to_string()));
    let everything = As {
        uid: None,
        home: root.home.clone(),
        env: vec![("BINDERY_SAFE_STORES", "*".to_string())],
    };
    everything.ok(&store, &["list", "groups"]);
    println!("planted store: {refused} commands refused, 0 bytes written; opt-in works");
}
