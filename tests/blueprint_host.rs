//! `!File` and `!Env` read from the administrator's machine, so both are refused unless the
//! import allows them (`--allow-file DIR`, `--allow-env NAME`): through the real binary, a
//! refusal is exit 1 naming the flag, the secret appears nowhere, and the store is untouched.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::run::text;
use serde_json::{Value, json};

const SECRET: &str = "root:$6$s3cretHASHnobodyshouldsee:19000:0:99999:7:::";
const TOKEN: &str = "tok-5ecret-env-value";

/// A temporary place: `allowed/` (with `inside.txt`), `outside/shadow` holding the secret, a
/// store, and the blueprint file.
struct Place {
    dir: tempfile::TempDir,
}

impl Place {
    fn new() -> Place {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("allowed")).unwrap();
        std::fs::create_dir(dir.path().join("outside")).unwrap();
        std::fs::write(dir.path().join("outside/shadow"), SECRET).unwrap();
        std::fs::write(dir.path().join("allowed/inside.txt"), "harmless").unwrap();
        let place = Place { dir };
        assert!(place.run(&["init"], place.path("")).status.success());
        place
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs bindery in `cwd` with SECRET_TOKEN set.
    fn run(&self, args: &[&str], cwd: PathBuf) -> Output {
        Command::new(env!("CARGO_BIN_EXE_bindery"))
            .arg("--store")
            .arg(self.path("store.json"))
            .args(args)
            .current_dir(cwd)
            .env_remove("BINDERY_STORE")
            .env("SECRET_TOKEN", TOKEN)
            .output()
            .unwrap()
    }

    /// Imports a group `g` whose attribute `x` is `expr` (at line 7, column 12).
    fn import(&self, expr: &str, flags: &[&str], cwd: PathBuf) -> Output {
        let file = self.path("bp.yaml");
        std::fs::write(
            &file,
            format!(
                "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: \
                 {{name: g}}\n    attrs:\n      attributes:\n        x: {expr}\n"
            ),
        )
        .unwrap();
        let mut args = vec!["import", file.to_str().unwrap()];
        args.extend(flags);
        self.run(&args, cwd)
    }

    /// The import is refused: exit 1, the position and the flag named, no secret anywhere,
    /// the store's bytes unchanged.
    fn refused(&self, expr: &str, flags: &[&str], cwd: PathBuf, flag: &str) {
        let before = std::fs::read(self.path("store.json")).unwrap();
        let out = self.import(expr, flags, cwd);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{expr}: {stdout}{stderr}");
        assert!(stderr.contains("bp.yaml:7:12: entry 1"), "{expr}: {stderr}");
        assert!(stderr.contains(flag), "{expr}: no {flag:?} in {stderr}");
        for secret in [SECRET, "s3cretHASH", TOKEN] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{expr}: the secret leaked: {stdout}{stderr}"
            );
        }
        assert_eq!(std::fs::read(self.path("store.json")).unwrap(), before);
    }

    /// The value the group `g` got.
    fn imported(&self, expr: &str, flags: &[&str], cwd: PathBuf) -> Value {
        let out = self.import(expr, flags, cwd);
        assert!(out.status.success(), "{expr}: {}", text(&out.stderr));
        let store = bindery::store::Store::open(&self.path("store.json")).unwrap();
        let group = store.doc().groups.iter().find(|g| g.name == "g").unwrap();
        group.attributes["x"].clone()
    }
}

fn quoted(path: &Path) -> String {
    serde_json::to_string(&path.display().to_string()).unwrap()
}

#[test]
fn file_is_refused_by_default_and_outside_the_allowed_folder() {
    let place = Place::new();
    let shadow = place.path("outside/shadow");
    let root = place.path("");
    let allowed = place.path("allowed");
    let allow = ["--allow-file", allowed.to_str().unwrap()];
    // By default: an absolute path, a relative one, a file that is in fact harmless.
    place.refused(
        &format!("!File {}", quoted(&shadow)),
        &[],
        root.clone(),
        "--allow-file",
    );
    place.refused("!File outside/shadow", &[], root.clone(), "--allow-file");
    place.refused(
        &format!(
            "!File [{}, dflt]",
            quoted(&place.path("allowed/inside.txt"))
        ),
        &[],
        root.clone(),
        "--allow-file",
    );
    place.refused(
        "!File /proc/self/environ",
        &[],
        root.clone(),
        "--allow-file",
    );
    // Allowed a folder: `..` out of it, a symlink out of it, /proc.
    place.refused(
        "!File ../outside/shadow",
        &allow,
        allowed.clone(),
        "--allow-file",
    );
    place.refused(
        &format!("!File {}", quoted(&allowed.join("../outside/shadow"))),
        &allow,
        root.clone(),
        "--allow-file",
    );
    place.refused(
        "!File ../../../../../../../../etc/passwd",
        &allow,
        allowed.clone(),
        "--allow-file",
    );
    std::os::unix::fs::symlink(&shadow, allowed.join("link")).unwrap();
    place.refused("!File allowed/link", &allow, root.clone(), "--allow-file");
    std::os::unix::fs::symlink(place.path("outside"), allowed.join("dirlink")).unwrap();
    place.refused(
        "!File allowed/dirlink/shadow",
        &allow,
        root.clone(),
        "--allow-file",
    );
    place.refused(
        "!File /proc/self/environ",
        &allow,
        root.clone(),
        "--allow-file",
    );
    // A missing file below a missing folder, climbing out with `..`.
    place.refused(
        "!File [allowed/nope/../../outside/shadow, dflt]",
        &allow,
        root.clone(),
        "--allow-file",
    );
}

#[test]
fn file_is_read_under_an_allowed_folder() {
    let place = Place::new();
    let root = place.path("");
    let allowed = place.path("allowed");
    let allow = ["--allow-file", allowed.to_str().unwrap()];
    assert_eq!(
        place.imported("!File allowed/inside.txt", &allow, root.clone()),
        json!("harmless")
    );
    // Symlinks and `..` that stay inside are fine; the folder itself may be a symlink.
    std::os::unix::fs::symlink(allowed.join("inside.txt"), allowed.join("ok")).unwrap();
    assert_eq!(
        place.imported("!File allowed/../allowed/ok", &allow, root.clone()),
        json!("harmless")
    );
    std::os::unix::fs::symlink(&allowed, place.path("alias")).unwrap();
    let via_alias = place.path("alias");
    assert_eq!(
        place.imported(
            "!File allowed/inside.txt",
            &["--allow-file", via_alias.to_str().unwrap()],
            root.clone()
        ),
        json!("harmless")
    );
    // A missing file under the folder takes the default, as authentik's OSError does.
    assert_eq!(
        place.imported("!File [allowed/missing.txt, dflt]", &allow, root.clone()),
        json!("dflt")
    );
    // Allowing the folder that holds the secret reads it: the flag is the admin's decision.
    let outside = place.path("outside");
    assert_eq!(
        place.imported(
            "!File outside/shadow",
            &["--allow-file", outside.to_str().unwrap()],
            root.clone()
        ),
        json!(SECRET)
    );
    // The flag's folder must exist.
    let out = place.import("x", &["--allow-file", "no-such-dir"], root);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--allow-file no-such-dir: not a folder"));
}

#[test]
fn env_is_refused_unless_the_variable_is_allowed() {
    let place = Place::new();
    let root = place.path("");
    place.refused(
        "!Env SECRET_TOKEN",
        &[],
        root.clone(),
        "--allow-env SECRET_TOKEN",
    );
    place.refused(
        "!Env [SECRET_TOKEN, dflt]",
        &[],
        root.clone(),
        "--allow-env SECRET_TOKEN",
    );
    // Allowing another variable does not allow this one.
    place.refused(
        "!Env SECRET_TOKEN",
        &["--allow-env", "HOME"],
        root.clone(),
        "--allow-env SECRET_TOKEN",
    );
    assert_eq!(
        place.imported(
            "!Env SECRET_TOKEN",
            &["--allow-env", "HOME", "--allow-env", "SECRET_TOKEN"],
            root
        ),
        json!(TOKEN)
    );
}
