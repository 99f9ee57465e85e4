//! Export's output file (issue 11, item 4), through the real binary: it is written like the
//! store (temp file beside it, then rename), never through a planted symbolic link, never over
//! the store, its lock or its backups (by name or by inode), and it is 0600 unless the umask
//! asks for less.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::run::{bindery_umask, mode};

fn demo_store(dir: &Path) -> PathBuf {
    let store = dir.join("store.json");
    let out = bindery_umask("022", &store, &["init", "--demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    store
}

fn refused(out: &Output, what: &str, says: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{what}: not refused");
    assert!(stderr.contains(says), "{what}: {stderr}");
}

/// Every file in the store's directory, with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn export_never_writes_over_the_store_its_lock_or_its_backups() {
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("data");
    fs::create_dir(&dir).unwrap();
    let store = demo_store(&dir);
    let bp = top.path().join("g.yaml");
    fs::write(
        &bp,
        "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: g\n",
    )
    .unwrap();
    let out = bindery_umask("022", &store, &["import", bp.to_str().unwrap()]);
    assert!(out.status.success());
    let before = snapshot(&dir);
    assert!(before.iter().any(|(n, _)| n == "store.json.bak.1"));
    assert!(before.iter().any(|(n, _)| n == "store.json.lock"));

    // The same files by other spellings, and by another name for the same inode.
    let elsewhere = top.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let hard_link = elsewhere.join("innocent.yaml");
    fs::hard_link(&store, &hard_link).unwrap();
    let via_link_dir = top.path().join("link-to-data");
    std::os::unix::fs::symlink(&dir, &via_link_dir).unwrap();
    let targets: Vec<PathBuf> = vec![
        store.clone(),
        dir.join("store.json.lock"),
        dir.join("store.json.bak.1"),
        dir.join("store.json.bak.5"),
        dir.join("store.json.v1.bak"),
        dir.join("..").join("data").join("store.json"),
        via_link_dir.join("store.json"),
        hard_link.clone(),
    ];
    let mut refusals = 0;
    for target in &targets {
        for args in [
            vec!["export", "--all", "-o", target.to_str().unwrap()],
            vec![
                "export",
                "default-authentication-flow",
                "-o",
                target.to_str().unwrap(),
            ],
        ] {
            let out = bindery_umask("022", &store, &args);
            refused(&out, &target.display().to_string(), "is the store");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(store.to_str().unwrap()),
                "names the store: {stderr}"
            );
            refusals += 1;
        }
    }
    assert_eq!(
        snapshot(&dir),
        before,
        "the store and its files are byte-identical"
    );
    assert_eq!(
        fs::metadata(&hard_link).unwrap().ino(),
        fs::metadata(&store).unwrap().ino()
    );
    // The store still loads: it was not turned into YAML.
    let out = bindery_umask("022", &store, &["list", "groups"]);
    assert!(out.status.success());
    println!("export over the store: {refusals} attempts refused, store byte-identical");
}

#[test]
fn export_never_writes_through_a_planted_symlink() {
    let top = tempfile::tempdir().unwrap();
    let store = demo_store(top.path());
    let victim = top.path().join("victim.txt");
    fs::write(&victim, "the victim's file\n").unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o644)).unwrap();
    let planted = top.path().join("out.yaml");
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    // A dangling one too: following it would create the victim.
    let absent = top.path().join("absent.txt");
    let dangling = top.path().join("new.yaml");
    std::os::unix::fs::symlink(&absent, &dangling).unwrap();
    for link in [&planted, &dangling] {
        let out = bindery_umask(
            "022",
            &store,
            &["export", "--all", "-o", link.to_str().unwrap()],
        );
        refused(&out, &link.display().to_string(), "symbolic link");
        assert!(fs::symlink_metadata(link).unwrap().file_type().is_symlink());
    }
    assert_eq!(fs::read_to_string(&victim).unwrap(), "the victim's file\n");
    assert_eq!(mode(&victim), 0o644);
    assert!(!absent.exists());
}

#[test]
fn an_exported_file_is_0600_unless_the_umask_asks_for_less_and_replaced_atomically() {
    let top = tempfile::tempdir().unwrap();
    let store = demo_store(top.path());
    assert_eq!(mode(&store), 0o600);
    for (umask, want) in [
        ("022", 0o600),
        ("000", 0o600),
        ("077", 0o600),
        ("277", 0o400),
    ] {
        let out_file = top.path().join(format!("all-{umask}.yaml"));
        let out = bindery_umask(
            umask,
            &store,
            &["export", "--all", "-o", out_file.to_str().unwrap()],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(mode(&out_file), want, "umask {umask}");
        let text = fs::read_to_string(&out_file).unwrap();
        assert!(text.starts_with("version: 1"), "{text}");
    }
    // An existing (world-readable) file is replaced by a new one: a reader holding the old one
    // sees the old text, and the new file is not more readable than the store.
    let out_file = top.path().join("flow.yaml");
    fs::write(&out_file, "old\n").unwrap();
    fs::set_permissions(&out_file, fs::Permissions::from_mode(0o644)).unwrap();
    let old_inode = fs::metadata(&out_file).unwrap().ino();
    let out = bindery_umask(
        "022",
        &store,
        &[
            "export",
            "default-authentication-flow",
            "-o",
            out_file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert_ne!(
        fs::metadata(&out_file).unwrap().ino(),
        old_inode,
        "renamed into place"
    );
    assert_eq!(mode(&out_file), 0o600);
    let stdout = bindery_umask("022", &store, &["export", "default-authentication-flow"]).stdout;
    assert_eq!(fs::read(&out_file).unwrap(), stdout);
    let leftovers: Vec<_> = fs::read_dir(top.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `bindery screen --keys`: the Export tab proposes `<slug>.yaml` beside the store (not in the
/// current directory), writes there, and refuses a link planted at that name.
#[test]
fn the_export_tab_proposes_and_writes_beside_the_store_never_through_a_link() {
    const FLOW: &str = "default-authentication-flow";
    let top = tempfile::tempdir().unwrap();
    let data = top.path().join("data");
    let cwd = top.path().join("cwd");
    fs::create_dir(&data).unwrap();
    fs::create_dir(&cwd).unwrap();
    let store = demo_store(&data);
    let screen = |keys: &str| -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_bindery"))
            .args(["--store", store.to_str().unwrap()])
            .args(["screen", "--size", "100x30", "--keys", keys])
            .current_dir(&cwd)
            .env_remove("BINDERY_STORE")
            .env("XDG_STATE_HOME", top.path().join("state"))
            .output()
            .expect("run bindery");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let open_export = "1<Enter><Tab><Tab><Tab>o";
    let prompt = screen(open_export);
    assert!(
        prompt.contains(&format!("beside the store, in {}", data.display())),
        "{prompt}"
    );
    assert!(prompt.contains(&format!("/{FLOW}.yaml")), "{prompt}");

    // A link planted at the proposed name: refused, the victim untouched.
    let proposed = data.join(format!("{FLOW}.yaml"));
    let victim = top.path().join("victim.txt");
    fs::write(&victim, "victim\n").unwrap();
    std::os::unix::fs::symlink(&victim, &proposed).unwrap();
    let after = screen(&format!("{open_export}<Enter>"));
    assert!(after.contains("could not write"), "{after}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "victim\n");
    assert!(
        fs::symlink_metadata(&proposed)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // Without it, Enter writes there, 0600, and nothing lands in the current directory.
    fs::remove_file(&proposed).unwrap();
    let after = screen(&format!("{open_export}<Enter>"));
    assert!(after.contains("written to"), "{after}");
    let text = fs::read_to_string(&proposed).expect("written beside the store");
    assert!(text.contains(&format!("slug: {FLOW}")), "{text}");
    assert_eq!(mode(&proposed), 0o600);
    assert_eq!(
        fs::read_dir(&cwd).unwrap().count(),
        0,
        "nothing in the current directory"
    );
}
