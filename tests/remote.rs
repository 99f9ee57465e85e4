//! Pull, diff and push against a fake authentik on loopback (tests/fake_authentik), through
//! the real binary.

mod common;
mod fake_authentik;

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use bindery::blueprint::models::attrs_of;
use bindery::model::{Document, ObjKind};
use bindery::remote::PULLED;
use bindery::store::Store;
use fake_authentik::{Fake, Fault, TOKEN};

/// A store in a temporary directory, with its own configuration and log directories.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("store.json")
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config").join("bindery")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bindery"));
        cmd.arg("--store")
            .arg(self.store())
            .args(args)
            .env_remove("BINDERY_STORE")
            .env_remove("AUTHENTIK_TOKEN")
            .env("NO_COLOR", "1")
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .stdin(Stdio::null());
        cmd
    }

    /// Runs bindery with the token in the environment.
    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .env("AUTHENTIK_TOKEN", TOKEN)
            .output()
            .unwrap()
    }

    fn run_without_token(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Imports blueprint `entries` into the store, `FLOW` standing for its first flow's slug.
    fn import_in_first_flow(&self, entries: &str) {
        let flow = self.doc().flows.iter().next().unwrap().slug.clone();
        let blueprint = self.dir.path().join("edit.yaml");
        let text = format!("version: 1\nentries:\n{}", entries.replace("FLOW", &flow));
        fs::write(&blueprint, text).unwrap();
        ok(&self.run(&["import", blueprint.to_str().unwrap()]));
    }

    fn doc(&self) -> Document {
        Store::open(&self.store()).unwrap().doc().clone()
    }

    /// Every byte this run of the tests has written: the store, its side files, the
    /// configuration (but the credentials file, whose job it is) and the logs.
    fn files_text(&self) -> String {
        let mut text = String::new();
        let mut stack = vec![self.dir.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().unwrap() != "credentials.toml" {
                    text.push_str(&String::from_utf8_lossy(&fs::read(&path).unwrap()));
                }
            }
        }
        text
    }
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn failed(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "expected a failure\nstdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

/// Each pulled kind's objects by what authentik sees of them: attributes (references as pks,
/// users by their integer pk) and, but for users, the pk.
fn canonical(doc: &Document) -> Vec<(ObjKind, Vec<String>)> {
    PULLED
        .iter()
        .map(|&kind| {
            let mut items: Vec<String> = doc
                .ids_of(kind)
                .into_iter()
                .map(|id| {
                    let obj = doc.get(kind, id).unwrap();
                    let mut attrs = attrs_of(doc, &obj);
                    match &obj {
                        bindery::model::Obj::User(u) => {
                            attrs.insert("pk".into(), serde_json::json!(u.pk));
                        }
                        _ => {
                            attrs.insert("pk".into(), serde_json::json!(id));
                        }
                    }
                    serde_json::Value::Object(attrs).to_string()
                })
                .collect();
            items.sort();
            (kind, items)
        })
        .collect()
}

fn demo_doc() -> Document {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.json");
    let mut store = Store::open(&path).unwrap();
    bindery::demo::create(&mut store).unwrap();
    store.doc().clone()
}

fn with_remote(fake: &Fake) -> Env {
    let env = Env::new();
    ok(&env.run(&["remote", "add", "prod", &fake.url]));
    env
}

#[test]
fn a_first_pull_of_the_demo_equals_importing_the_demo() {
    // With a stage and a policy no flow binds: they come from their types' lists.
    let mut doc = demo_doc();
    let mut stage = doc.stages.iter().next().unwrap().clone();
    stage.id = uuid::Uuid::new_v4();
    stage.name = "unbound-stage".into();
    doc.stages.put(stage);
    let mut policy = doc.policies.iter().next().unwrap().clone();
    policy.id = uuid::Uuid::new_v4();
    policy.name = "unbound-policy".into();
    doc.policies.put(policy);
    let fake = Fake::start(doc);
    let env = with_remote(&fake);
    let out = ok(&env.run(&["pull"]));
    assert!(out.contains("pulled prod (authentik 2026.8.5)"), "{out}");
    assert_eq!(canonical(&env.doc()), canonical(&fake.doc()));
    assert!(env.doc().flows.len() > 5);
    // The base is what was pulled: nothing to push.
    let diff = ok(&env.run(&["diff"]));
    assert!(diff.starts_with("no changes"), "{diff}");
    // Every list was read page by page (the fake gives at most 100 a page).
    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path.contains("core/users/?page=1"))
    );
    assert!(requests.iter().all(|r| r.path.starts_with("/api/v3/")));
}

/// The demo's maintenance notice, edited in the UI: its deny message.
const EDIT_NOTICE: &str = "2/deny<Enter>e<Tab><C-u>Closed today.<C-s>";

fn notice(doc: &Document) -> bindery::model::Stage {
    doc.stages
        .iter()
        .find(|s| s.name.contains("maintenance-notice"))
        .cloned()
        .expect("the demo's deny stage")
}

fn deny_message(stage: &bindery::model::Stage) -> String {
    match &stage.kind {
        bindery::model::StageKind::Deny(d) => d.deny_message.clone(),
        other => panic!("not a deny stage: {other:?}"),
    }
}

#[test]
fn an_edit_in_the_ui_is_pushed_and_the_next_pull_gives_the_edited_state() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    ok(&env.run(&["pull"]));
    ok(&env.run(&["screen", "--keys", EDIT_NOTICE]));
    assert_eq!(deny_message(&notice(&env.doc())), "Closed today.");

    let diff = ok(&env.run(&["diff"]));
    assert!(
        diff.contains("~ update stage 'demo-maintenance-notice'"),
        "{diff}"
    );
    assert!(
        diff.contains("deny_message: \"Logins are paused for maintenance.\" -> \"Closed today.\""),
        "{diff}"
    );
    assert!(
        diff.ends_with("0 to create, 1 to update, 0 to delete\n"),
        "{diff}"
    );
    let json: serde_json::Value = serde_json::from_str(&ok(&env.run(&["diff", "--json"]))).unwrap();
    assert_eq!(json["remote"], "prod");
    assert_eq!(json["changes"].as_array().unwrap().len(), 1);
    let change = &json["changes"][0];
    assert_eq!(change["action"], "update");
    assert_eq!(change["kind"], "stage");
    assert_eq!(
        change["fields"],
        serde_json::json!([{"field": "deny_message", "remote": "Logins are paused for maintenance.", "local": "Closed today."}])
    );
    let blueprint = ok(&env.run(&["diff", "--blueprint"]));
    assert!(blueprint.contains("state: present"), "{blueprint}");
    assert!(
        blueprint.contains(&notice(&env.doc()).id.to_string()),
        "{blueprint}"
    );
    assert!(
        !blueprint.contains("name:") || blueprint.contains("name: bindery push"),
        "only the changed field: {blueprint}"
    );

    let before = fake.requests().len();
    let out = ok(&env.run(&["push", "--yes"]));
    assert!(out.contains("pushed 1 change(s)"), "{out}");
    assert_eq!(deny_message(&notice(&fake.doc())), "Closed today.");
    let posts: Vec<_> = fake.requests()[before..]
        .iter()
        .filter(|r| r.method == "POST")
        .cloned()
        .collect();
    assert_eq!(posts.len(), 1);
    // The version, the stage as the remote has it now, the blueprint: nothing else is read.
    let sent: Vec<_> = fake.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(
        posts[0]
            .path
            .ends_with("/api/v3/managed/blueprints/import/")
    );

    let again = ok(&env.run(&["pull"]));
    assert!(
        again.contains("0 object(s) changed in the store"),
        "{again}"
    );
    assert_eq!(canonical(&env.doc()), canonical(&fake.doc()));
    assert!(ok(&env.run(&["diff"])).starts_with("no changes"));
}

#[test]
fn a_remote_edit_makes_push_refuse_and_pull_merge() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    ok(&env.run(&["pull"]));
    ok(&env.run(&["screen", "--keys", EDIT_NOTICE]));
    // Someone renames the same stage and retitles a flow on the remote.
    let id = notice(&fake.doc()).id;
    fake.with(|s| {
        s.doc.stages.get_mut(id).unwrap().name = "maintenance-notice-2".into();
        let flow = s.doc.flows.iter().next().unwrap().id;
        s.doc.flows.get_mut(flow).unwrap().title = "Welcome back".into();
    });
    let refused = failed(&env.run(&["push", "--yes"]));
    assert!(
        refused.contains("changed 1 object(s) this push touches"),
        "{refused}"
    );
    assert!(refused.contains("maintenance-notice-2"), "{refused}");
    assert!(refused.contains("--force"), "{refused}");
    assert_eq!(
        deny_message(&notice(&fake.doc())),
        "Logins are paused for maintenance."
    );

    // A dry run says what the pull would take, field by field, and writes nothing.
    let bytes = fs::read(env.store()).unwrap();
    let base = fs::read(bindery::remote::base_path(&env.store(), "prod")).unwrap();
    let preview = ok(&env.run(&["pull", "--dry-run"]));
    assert!(
        preview.starts_with("a pull of prod would change the store so (nothing was written):"),
        "{preview}"
    );
    assert!(
        preview.contains("name: \"demo-maintenance-notice\" -> \"maintenance-notice-2\""),
        "{preview}"
    );
    assert!(preview.contains("title:"), "{preview}");
    assert!(
        preview.contains("0 to create, 2 to update, 0 to delete"),
        "{preview}"
    );
    assert_eq!(fs::read(env.store()).unwrap(), bytes);
    assert_eq!(
        fs::read(bindery::remote::base_path(&env.store(), "prod")).unwrap(),
        base
    );

    let merged = ok(&env.run(&["pull"]));
    assert!(merged.contains("1 local change(s) kept"), "{merged}");
    assert!(ok(&env.run(&["pull", "--dry-run"])).contains("would change nothing"));
    let doc = env.doc();
    let stage = notice(&doc);
    assert_eq!(stage.name, "maintenance-notice-2");
    assert_eq!(deny_message(&stage), "Closed today.");
    assert!(doc.flows.iter().any(|f| f.title == "Welcome back"));

    ok(&env.run(&["push", "--yes"]));
    let remote = notice(&fake.doc());
    assert_eq!(
        (remote.name.as_str(), deny_message(&remote).as_str()),
        ("maintenance-notice-2", "Closed today.")
    );
}

#[test]
fn a_conflicting_pull_changes_nothing_until_the_remote_side_is_taken() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    ok(&env.run(&["pull"]));
    ok(&env.run(&["screen", "--keys", EDIT_NOTICE]));
    let id = notice(&fake.doc()).id;
    fake.with(|s| {
        s.doc.stages.get_mut(id).unwrap().kind =
            bindery::model::StageKind::Deny(bindery::model::stage::DenyStage {
                deny_message: "Theirs.".into(),
            });
    });
    let bytes = fs::read(env.store()).unwrap();
    let base = fs::read(bindery::remote::base_path(&env.store(), "prod")).unwrap();
    let previewed = env.run(&["pull", "--dry-run"]);
    assert!(failed(&previewed).contains("conflict: stage 'demo-maintenance-notice'"));
    assert!(
        String::from_utf8_lossy(&previewed.stdout).contains("would stop on 1 conflict(s)"),
        "{previewed:?}"
    );
    let stopped = failed(&env.run(&["pull"]));
    assert!(
        stopped.contains("conflict: stage 'demo-maintenance-notice' was changed on the remote"),
        "{stopped}"
    );
    assert!(
        stopped.contains("theirs \"Theirs.\", yours \"Closed today.\""),
        "{stopped}"
    );
    assert!(stopped.contains("--theirs"), "{stopped}");
    assert_eq!(
        fs::read(env.store()).unwrap(),
        bytes,
        "the store is untouched"
    );
    assert_eq!(
        fs::read(bindery::remote::base_path(&env.store(), "prod")).unwrap(),
        base
    );

    // The console stops the same way; the pull key on its conflicts asks, `y` takes theirs.
    let console = ["screen", "--size", "120x30", "--keys"];
    let stopped = ok(&env.run(&[&console[..], &["F"]].concat()));
    assert!(
        stopped.contains("1 conflict(s) with prod · F takes its side"),
        "{stopped}"
    );
    assert_eq!(fs::read(env.store()).unwrap(), bytes);
    let asked = ok(&env.run(&[&console[..], &["FF"]].concat()));
    assert!(
        asked.contains("pull prod again, taking its side of 1 conflict(s)?"),
        "{asked}"
    );
    let taken = ok(&env.run(&[&console[..], &["FFy"]].concat()));
    assert!(taken.contains("pulled prod"), "{taken}");
    assert_eq!(deny_message(&notice(&env.doc())), "Theirs.");
    assert!(ok(&env.run(&["diff"])).starts_with("no changes"));
}

/// Each side whole on its own, the two not once merged: a binding made here to a stage someone
/// deleted on the remote. The pull stops naming it; `--theirs` drops the binding, as
/// authentik's own delete of the stage would have.
#[test]
fn a_binding_made_here_to_a_stage_deleted_on_the_remote_stops_the_pull_until_theirs() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    ok(&env.run(&["pull"]));
    env.import_in_first_flow(
        "- model: authentik_flows.flowstagebinding\n  identifiers:\n    target: !Find [authentik_flows.flow, [slug, FLOW]]\n    stage: !Find [authentik_stages_deny.denystage, [name, demo-maintenance-notice]]\n    order: 99\n",
    );
    let id = notice(&fake.doc()).id;
    fake.with(|s| {
        s.doc.stages.remove(id);
        let bound: Vec<_> = s
            .doc
            .stage_bindings
            .iter()
            .filter(|b| b.stage == id)
            .map(|b| b.id)
            .collect();
        for b in bound {
            s.doc.stage_bindings.remove(b);
        }
    });

    let bytes = fs::read(env.store()).unwrap();
    let stopped = failed(&env.run(&["pull"]));
    assert!(
        stopped.contains(
            "made or changed here, refers to stage 'demo-maintenance-notice', which was deleted on the remote"
        ),
        "{stopped}"
    );
    assert!(stopped.contains("--theirs"), "{stopped}");
    assert_eq!(
        fs::read(env.store()).unwrap(),
        bytes,
        "the store is untouched"
    );

    ok(&env.run(&["pull", "--theirs"]));
    let doc = env.doc();
    assert!(doc.stages.iter().all(|s| s.id != id));
    assert!(
        doc.stage_bindings
            .iter()
            .all(|b| b.stage != id && b.order != 99)
    );
    assert!(ok(&env.run(&["diff"])).starts_with("no changes"));
}

/// A user made here has no authentik pk until a push creates it; the next pull gives it the
/// pk and keeps it the same user (same id, its bindings untouched), with nothing left to push.
#[test]
fn a_user_made_here_keeps_its_identity_through_push_and_pull() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    ok(&env.run(&["pull"]));
    env.import_in_first_flow(
        "- model: authentik_core.user\n  identifiers: {username: newbie}\n  attrs: {name: New Bie}\n- model: authentik_policies.policybinding\n  identifiers:\n    target: !Find [authentik_flows.flow, [slug, FLOW]]\n    user: !Find [authentik_core.user, [username, newbie]]\n    order: 50\n",
    );
    let newbie = |doc: &Document| {
        doc.users
            .iter()
            .find(|u| u.username == "newbie")
            .cloned()
            .expect("the new user")
    };
    let made = newbie(&env.doc());
    assert_eq!(made.pk, None);
    ok(&env.run(&["push", "--yes"]));
    let pk = newbie(&fake.doc()).pk.expect("authentik gave it a pk");

    ok(&env.run(&["pull"]));
    let doc = env.doc();
    let pulled = newbie(&doc);
    assert_eq!((pulled.id, pulled.pk), (made.id, Some(pk)));
    assert!(
        doc.policy_bindings
            .iter()
            .any(|b| b.subject == bindery::model::Subject::User(made.id) && b.order == 50)
    );
    assert!(ok(&env.run(&["diff"])).starts_with("no changes"));
    let again = ok(&env.run(&["pull"]));
    assert!(again.contains(" 0 object(s) changed"), "{again}");
}

/// Every failure a remote can give names what is wrong and what to do, and never shows the
/// token; the store is not touched by any of them.
#[test]
fn each_remote_failure_says_what_is_wrong() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    let mut seen = String::new();
    let mut expect_failure = |out: Output, wanted: &[&str]| {
        let stderr = failed(&out);
        for w in wanted {
            assert!(stderr.contains(w), "{w:?} not in {stderr}");
        }
        seen.push_str(&stderr);
        seen.push_str(&String::from_utf8_lossy(&out.stdout));
    };

    expect_failure(env.run(&["diff"]), &["never pulled", "bindery pull prod"]);
    expect_failure(
        env.run_without_token(&["pull"]),
        &[
            "no API token for remote prod",
            "AUTHENTIK_TOKEN",
            "--token-stdin",
        ],
    );
    let wrong = env
        .command(&["pull"])
        .env("AUTHENTIK_TOKEN", "not-the-token")
        .output()
        .unwrap();
    expect_failure(
        wrong,
        &["401 unauthorised", "the token is wrong, expired or revoked"],
    );

    fake.with(|s| {
        s.faults.push(Fault {
            prefix: "core/users/".into(),
            status: 403,
            count: 1,
        })
    });
    expect_failure(
        env.run(&["pull"]),
        &["403 forbidden", "authentik_core.view_user"],
    );

    fake.with(|s| s.version = "2026.2.3".into());
    expect_failure(
        env.run(&["pull"]),
        &["runs authentik 2026.2.3", "2026.5 and later"],
    );
    fake.with(|s| s.version = "2026.8.5".into());

    fake.with(|s| {
        s.faults.push(Fault {
            prefix: "flows/instances/".into(),
            status: 500,
            count: 100,
        })
    });
    expect_failure(env.run(&["pull"]), &["HTTP 500", "injected fault"]);
    fake.with(|s| s.faults.clear());

    ok(&env.run(&[
        "remote",
        "add",
        "wrong-path",
        &format!("{}/not-authentik", fake.url),
    ]));
    expect_failure(
        env.run(&["pull", "wrong-path"]),
        &["404 not found", "check the remote's URL"],
    );
    ok(&env.run(&["remote", "add", "closed", "http://127.0.0.1:9"]));
    expect_failure(
        env.run(&["pull", "closed"]),
        &[
            "http://127.0.0.1:9/api/v3/admin/version/",
            "the connection was refused: nothing listens at that address",
        ],
    );
    expect_failure(
        env.run(&["pull"]),
        &["several remotes; name one", "closed, prod, wrong-path"],
    );
    expect_failure(env.run(&["pull", "nope"]), &["no remote named nope"]);
    expect_failure(
        env.run(&["remote", "add", "x", "http://auth.example.com"]),
        &["invalid URL", "use https"],
    );
    expect_failure(
        env.run(&["remote", "add", "bad name", "https://a.example"]),
        &["not a remote name"],
    );
    expect_failure(
        env.run(&["remote", "add", "prod", "https://a.example"]),
        &["already a remote named prod"],
    );
    assert!(!env.store().exists(), "no failure created the store");

    // A push that authentik rejects shows its log and keeps the base.
    ok(&env.run(&["pull", "prod"]));
    ok(&env.run(&["screen", "--keys", EDIT_NOTICE]));
    fake.with(|s| s.reject_import = Some("Serializer errors: deny_message too long".into()));
    expect_failure(
        env.run(&["push", "prod", "--yes"]),
        &[
            "authentik rejected the push; nothing was applied",
            "deny_message too long",
        ],
    );
    assert!(ok(&env.run(&["diff", "prod"])).contains("1 to update"));
    // Without --yes and without a terminal, push does not guess.
    expect_failure(
        env.run(&["push", "prod"]),
        &["run it on a terminal, or pass --yes"],
    );

    // The token is in the Authorization header and nowhere else.
    assert!(!seen.contains(TOKEN));
    assert!(
        !env.files_text().contains(TOKEN),
        "a file beside the store or a log holds the token"
    );
    for r in fake.requests() {
        assert!(!r.path.contains(TOKEN) && !r.body.contains(TOKEN), "{r:?}");
    }
}

#[test]
fn reads_are_retried_on_429_and_5xx_then_succeed() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    fake.with(|s| {
        s.faults.push(Fault {
            prefix: "core/groups/".into(),
            status: 429,
            count: 1,
        });
        s.faults.push(Fault {
            prefix: "flows/instances/".into(),
            status: 503,
            count: 2,
        });
    });
    ok(&env.run(&["pull"]));
    let tries = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/v3/flows/instances/?"))
        .count();
    assert_eq!(tries, 3, "two 503s, then the list");
    assert_eq!(canonical(&env.doc()), canonical(&fake.doc()));
}

/// `bindery remote add prod URL --token-stdin`, the token on standard input.
fn add_with_token(env: &Env, url: &str, token: &str) -> Output {
    use std::io::Write;
    let mut child = env
        .command(&["remote", "add", "prod", url, "--token-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_token_can_live_in_a_credentials_file_readable_by_its_owner_alone() {
    use std::os::unix::fs::PermissionsExt;
    let fake = Fake::start(demo_doc());
    let env = Env::new();
    let out = add_with_token(&env, &fake.url, TOKEN);
    assert!(ok(&out).contains("its token is kept in"));
    let file = env.config().join("credentials.toml");
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&env.run_without_token(&["remote", "list", "--json"]))).unwrap();
    assert_eq!(listed[0]["token"], "file");
    assert_eq!(listed[0]["pulled_at"], serde_json::Value::Null);

    // A rotated token replaces the old one: the same remote added again with its URL.
    assert!(ok(&add_with_token(&env, &fake.url, "rotated-token")).contains("(already there)"));
    assert!(failed(&env.run_without_token(&["pull"])).contains("401 unauthorised"));
    ok(&add_with_token(&env, &fake.url, TOKEN));

    ok(&env.run_without_token(&["pull"]));
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&env.run_without_token(&["remote", "list", "--json"]))).unwrap();
    assert_eq!(listed[0]["version"], "2026.8.5");
    assert!(listed[0]["pulled_at"].as_str().unwrap().ends_with('Z'));

    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    let refused = failed(&env.run_without_token(&["pull"]));
    assert!(
        refused.contains("may be read by others (mode 644"),
        "{refused}"
    );
    assert!(refused.contains("chmod 600"), "{refused}");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();

    assert!(
        ok(&env.run_without_token(&["remote", "remove", "prod"])).contains("removed remote prod")
    );
    assert!(!fs::read_to_string(&file).unwrap().contains(TOKEN));
    assert!(!bindery::remote::base_path(&env.store(), "prod").exists());
    assert!(ok(&env.run_without_token(&["remote", "list"])).starts_with("no remotes"));
}

#[test]
fn ctrl_c_during_a_pull_leaves_the_store_byte_identical() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    ok(&env.run(&["pull"]));
    ok(&env.run(&["screen", "--keys", EDIT_NOTICE]));
    fake.with(|s| {
        let flow = s.doc.flows.iter().next().unwrap().id;
        s.doc.flows.get_mut(flow).unwrap().title = "Changed remotely".into();
        s.export_delay = Some(std::time::Duration::from_millis(300));
    });
    let store = fs::read(env.store()).unwrap();
    let base_path = bindery::remote::base_path(&env.store(), "prod");
    let base = fs::read(&base_path).unwrap();
    let remotes = fs::read(bindery::remote::remotes_path(&env.store())).unwrap();
    let before = fake.requests().len();
    let child = env
        .command(&["pull"])
        .env("AUTHENTIK_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the pull is reading flow exports, then interrupt it.
    let started = std::time::Instant::now();
    while !fake.requests()[before..]
        .iter()
        .any(|r| r.path.ends_with("/export/"))
    {
        assert!(
            started.elapsed().as_secs() < 20,
            "the pull never reached the exports"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let stderr = failed(&out);
    assert!(
        stderr.contains("interrupted; the store was not changed"),
        "{:?} {stderr}",
        out.status
    );
    assert_eq!(fs::read(env.store()).unwrap(), store);
    assert_eq!(fs::read(&base_path).unwrap(), base);
    assert_eq!(
        fs::read(bindery::remote::remotes_path(&env.store())).unwrap(),
        remotes
    );
    let leftovers: Vec<_> = fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_pull_shows_no_progress_bar_when_piped() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    let out = env.run(&["pull"]);
    ok(&out);
    assert!(
        !out.stderr.contains(&b'\r') && !out.stderr.contains(&0x1b),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The console shows the remote in its header and pulls, diffs and pushes with its keys.
#[test]
fn the_console_shows_the_remote_and_pulls_diffs_and_pushes() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    ok(&env.run(&["pull"]));
    let screen = ok(&env.run(&["screen", "--size", "120x30", "--keys", ""]));
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains("prod · pulled just now · 0 to push · saved"),
        "{header}"
    );

    // An edit counts as one change to push; `=` lists it, field by field.
    let screen = ok(&env.run(&[
        "screen",
        "--size",
        "120x30",
        "--keys",
        &format!("{EDIT_NOTICE}="),
    ]));
    assert!(
        screen.lines().next().unwrap().contains("· 1 to push ·"),
        "{screen}"
    );
    assert!(
        screen.contains("What a push to prod would change"),
        "{screen}"
    );
    assert!(
        screen.contains("update stage 'demo-maintenance-notice'"),
        "{screen}"
    );
    assert!(
        screen
            .contains("deny_message: \"Logins are paused for maintenance.\" -> \"Closed today.\""),
        "{screen}"
    );

    // `P` asks, naming what it sends; `y` sends it.
    let asked = ok(&env.run(&["screen", "--size", "120x30", "--dry-run", "--keys", "P"]));
    assert!(asked.contains("push 1 change(s) to prod"), "{asked}");
    assert!(
        asked.contains("undo here does not undo it there") && !asked.contains("u undoes it"),
        "{asked}"
    );
    assert!(
        asked.contains("update stage 'demo-maintenance-notice': deny_message"),
        "{asked}"
    );
    let pushed = ok(&env.run(&["screen", "--size", "120x30", "--keys", "Py"]));
    assert!(pushed.contains("pushed 1 change(s) to prod"), "{pushed}");
    assert!(
        pushed.lines().next().unwrap().contains("· 0 to push ·"),
        "{pushed}"
    );
    assert_eq!(deny_message(&notice(&fake.doc())), "Closed today.");

    // `F` pulls what someone changed on the remote.
    fake.with(|s| {
        let flow = s.doc.flows.iter().next().unwrap().id;
        s.doc.flows.get_mut(flow).unwrap().title = "Changed remotely".into();
    });
    let pulled = ok(&env.run(&["screen", "--size", "120x30", "--keys", "F"]));
    assert!(
        pulled.contains("pulled prod: 1 object(s) changed, 0 local change(s) kept"),
        "{pulled}"
    );
    assert!(
        env.doc()
            .flows
            .iter()
            .any(|f| f.title == "Changed remotely")
    );
}

#[test]
fn without_a_remote_the_console_says_how_to_add_one() {
    let env = Env::new();
    ok(&env.run(&["init", "--demo"]));
    let screen = ok(&env.run(&["screen", "--size", "120x30", "--keys", "F"]));
    assert!(
        screen.contains("no remote: add one with `bindery remote add NAME URL`"),
        "{screen}"
    );
    assert!(!screen.lines().next().unwrap().contains("to push"));
}

/// The shapes bindery reads and the fake answers with are authentik's: the fields of
/// `authentik-client`'s generated models (tests/fixtures/authentik_client, extracted from the
/// crate's source by extract.py there).
#[test]
fn requests_and_answers_have_the_shapes_of_authentiks_api() {
    let models: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/authentik_client/models.json")).unwrap();
    let has = |model: &str, field: &str| models[model].get(field).is_some();
    // Every field bindery reads exists in authentik's model.
    let reads: &[(&str, &[&str])] = &[
        ("Pagination", &["next", "count"]),
        ("PaginatedUserList", &["pagination", "results"]),
        ("Version", &["version_current"]),
        ("BlueprintImportResult", &["success", "logs"]),
        ("LogEvent", &["log_level", "event", "attributes"]),
        ("User", &["pk"]),
        ("User", bindery::remote::USER_ATTRS),
        ("Group", &["pk"]),
        ("Group", bindery::remote::GROUP_ATTRS),
        ("Flow", &["pk"]),
        ("Flow", bindery::remote::FLOW_ATTRS),
        ("Stage", &["pk", "name", "meta_model_name"]),
        ("Policy", &["pk", "name", "meta_model_name"]),
        (
            "Prompt",
            &["pk", "name", "field_key", "label", "type", "order"],
        ),
    ];
    for (model, fields) in reads {
        for field in *fields {
            assert!(
                has(model, field),
                "{model}.{field} is not in authentik's API"
            );
        }
    }
    // Every required field of each model is in the fake's answers.
    let fake = Fake::start(demo_doc());
    let get = |path: &str| -> serde_json::Value {
        use std::io::{Read, Write};
        let host = fake.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET /api/v3/{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (_, body) = response.split_once("\r\n\r\n").unwrap();
        serde_json::from_str(body).unwrap()
    };
    let doc = fake.doc();
    let stage_binding = doc.stage_bindings.iter().next().unwrap().id;
    let policy_binding = doc.policy_bindings.iter().next().unwrap().id;
    let answers = [
        ("Version", get("admin/version/")),
        ("Pagination", get("core/users/")["pagination"].clone()),
        ("User", get("core/users/")["results"][0].clone()),
        ("Group", get("core/groups/")["results"][0].clone()),
        ("Flow", get("flows/instances/")["results"][0].clone()),
        ("Stage", get("stages/all/")["results"][0].clone()),
        ("Policy", get("policies/all/")["results"][0].clone()),
        (
            "Prompt",
            get("stages/prompt/prompts/")["results"][0].clone(),
        ),
        (
            "FlowStageBinding",
            get(&format!("flows/bindings/{stage_binding}/")),
        ),
        (
            "PolicyBinding",
            get(&format!("policies/bindings/{policy_binding}/")),
        ),
    ];
    let mut missing = Vec::new();
    for (model, answer) in &answers {
        for (field, need) in models[model].as_object().unwrap() {
            if need == "required" && answer.get(field).is_none() {
                missing.push(format!("{model}.{field}"));
            }
        }
    }
    assert!(missing.is_empty(), "the fake leaves out {missing:?}");
}

#[test]
fn a_remote_can_be_added_before_the_store_and_its_directory_exist() {
    let fake = Fake::start(demo_doc());
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("not").join("yet").join("store.json");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_bindery"))
            .arg("--store")
            .arg(&store)
            .args(args)
            .env("AUTHENTIK_TOKEN", TOKEN)
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    ok(&run(&["remote", "add", "prod", &fake.url]));
    ok(&run(&["pull"]));
    assert!(store.exists());
}

#[test]
fn a_first_pull_into_a_store_that_holds_objects_asks_before_replacing_them() {
    let fake = Fake::start(demo_doc());
    let env = with_remote(&fake);
    ok(&env.run(&["init", "--demo"]));
    let bytes = fs::read(env.store()).unwrap();
    let refused = failed(&env.run(&["pull"]));
    assert!(
        refused.contains(
            "already holds objects that did not come from prod (5 groups, 5 users, 12 flows"
        ),
        "{refused}"
    );
    assert!(refused.contains("bindery pull prod --theirs"), "{refused}");
    assert_eq!(fs::read(env.store()).unwrap(), bytes);

    // The console asks, and `y` replaces.
    let asked = ok(&env.run(&["screen", "--size", "120x30", "--keys", "F"]));
    assert!(
        asked.contains("replace what this store holds with prod's"),
        "{asked}"
    );
    assert_eq!(
        fs::read(env.store()).unwrap(),
        bytes,
        "asking writes nothing"
    );
    ok(&env.run(&["screen", "--size", "120x30", "--keys", "Fy"]));
    assert_eq!(canonical(&env.doc()), canonical(&fake.doc()));
    // One change, logged: it can be reverted.
    let log = ok(&env.run(&["log"]));
    assert!(log.lines().next().unwrap().contains("pull prod"), "{log}");
}
