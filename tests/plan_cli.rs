//! `bindery plan` through the real binary: errors exit 1 with a message naming the bad value and
//! nothing on stdout; `--json` is one document of the contract's shape; the human output of the
//! demo fits 80 columns.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bindery::model::*;
use bindery::store::Store;
use serde_json::Value;
use tempfile::TempDir;
use uuid::Uuid;

fn bindery(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("BINDERY_STORE")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run bindery")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// A fresh demo store (`bindery init --demo`).
fn demo() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let out = bindery(&store, &["init", "--demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (dir, store)
}

/// A small store with one of each outcome and a flow that denies the anonymous user.
fn small() -> (TempDir, PathBuf) {
    let mut doc = Document::default();
    let staff = Group::new("staff");
    let staff_id = staff.id;
    doc.groups.put(staff);
    let mut alice = User::new("alice");
    alice.groups.push(staff_id);
    doc.users.put(alice);

    let mut always = PolicyKind::default_for("authentik_policies_dummy.dummypolicy").unwrap();
    if let PolicyKind::Dummy(d) = &mut always {
        d.result = true;
    }
    let on = Policy::new("always-on", always);
    let on_id = on.id;
    doc.policies.put(on);
    let open = Policy::new(
        "is-internal",
        PolicyKind::default_for("authentik_policies_expression.expressionpolicy").unwrap(),
    );
    let open_id = open.id;
    doc.policies.put(open);

    let flow = Flow::new("lab", "Lab", Designation::Authentication);
    let flow_id = flow.id;
    doc.flows.put(flow);
    let mut members = Flow::new("members", "Members", Designation::Authorization);
    members.authentication = AuthenticationRequirement::RequireAuthenticated;
    members.denied_action = DeniedAction::Continue;
    let members_id = members.id;
    doc.flows.put(members);
    let mut staff_only = Flow::new("staff-only", "Staff only", Designation::Authorization);
    staff_only.denied_action = DeniedAction::Message;
    let staff_only_id = staff_only.id;
    doc.flows.put(staff_only);
    doc.policy_bindings.put(PolicyBinding::new(
        Target::Flow(staff_only_id),
        Subject::Group(staff_id),
        0,
    ));

    let mut bind = |flow: Uuid, name: &str, model: &str, order: i64| {
        let stage = Stage::new(name, StageKind::default_for(model).unwrap());
        let binding = StageBinding::new(flow, stage.id, order);
        let id = binding.id;
        doc.stages.put(stage);
        doc.stage_bindings.put(binding);
        id
    };
    bind(
        flow_id,
        "lab-identification",
        "authentik_stages_identification.identificationstage",
        10,
    );
    let staff_gate = bind(
        flow_id,
        "lab-staff",
        "authentik_stages_dummy.dummystage",
        20,
    );
    let maybe = bind(
        flow_id,
        "lab-maybe",
        "authentik_stages_dummy.dummystage",
        30,
    );
    let planned = bind(
        flow_id,
        "lab-planned",
        "authentik_stages_dummy.dummystage",
        40,
    );
    let ungated = bind(
        flow_id,
        "lab-ungated",
        "authentik_stages_dummy.dummystage",
        50,
    );
    bind(
        members_id,
        "members-login",
        "authentik_stages_user_login.userloginstage",
        10,
    );
    bind(
        staff_only_id,
        "staff-welcome",
        "authentik_stages_dummy.dummystage",
        10,
    );
    for (binding, subject) in [
        (staff_gate, Subject::Group(staff_id)),
        (maybe, Subject::Policy(open_id)),
        (planned, Subject::Policy(on_id)),
    ] {
        doc.policy_bindings.put(PolicyBinding::new(
            Target::StageBinding(binding),
            subject,
            0,
        ));
    }
    let b = doc.stage_bindings.get_mut(planned).unwrap();
    b.evaluate_on_plan = true;
    b.re_evaluate_policies = false;
    let b = doc.stage_bindings.get_mut(ungated).unwrap();
    b.evaluate_on_plan = false;
    b.re_evaluate_policies = false;

    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    Store::create(&store, doc).unwrap();
    (dir, store)
}

/// Exit status 1, a one-line message on stderr naming `bad`, nothing on stdout, no panic.
fn assert_refused(out: &Output, bad: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    assert!(stderr.contains(bad), "{stderr:?} should name {bad:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.starts_with("bindery: "), "{stderr}");
}

#[test]
fn an_unknown_flow_is_refused() {
    let (_dir, store) = demo();
    for json in [false, true] {
        let mut args = vec!["plan", "no-such-flow"];
        if json {
            args.push("--json");
        }
        assert_refused(&bindery(&store, &args), "no-such-flow");
    }
}

#[test]
fn unknown_users_are_refused() {
    let (_dir, store) = demo();
    for option in ["--user", "--pending-user", "--identify-as"] {
        for json in [false, true] {
            let mut args = vec!["plan", "default-authentication-flow", option, "ghost-user"];
            if json {
                args.push("--json");
            }
            let out = bindery(&store, &args);
            assert_refused(&out, "ghost-user");
            assert!(text(&out.stderr).contains(option), "{}", text(&out.stderr));
        }
    }
}

#[test]
fn an_unknown_policy_in_assume_is_refused() {
    let (_dir, store) = demo();
    let out = bindery(
        &store,
        &[
            "plan",
            "default-authentication-flow",
            "--assume",
            "ghost-policy=pass",
            "--json",
        ],
    );
    assert_refused(&out, "ghost-policy");
}

#[test]
fn a_malformed_assume_is_refused() {
    let (_dir, store) = demo();
    let policy = "default-authentication-flow-password-stage";
    let maybe = format!("{policy}=maybe");
    let upper = format!("{policy}=PASS");
    let empty = format!("{policy}=");
    for (assume, bad) in [
        ("no-equals-sign", "no-equals-sign"),
        (policy, policy),
        (maybe.as_str(), "maybe"),
        (upper.as_str(), "PASS"),
        (empty.as_str(), empty.as_str()),
        ("=pass", "no policy named \"\""),
    ] {
        for json in [false, true] {
            let mut args = vec!["plan", "default-authentication-flow", "--assume", assume];
            if json {
                args.push("--json");
            }
            assert_refused(&bindery(&store, &args), bad);
        }
    }
    // A good assumption next to a bad one is still refused.
    let good = format!("{policy}=pass");
    let out = bindery(
        &store,
        &[
            "plan",
            "default-authentication-flow",
            "--assume",
            &good,
            "--assume",
            "nope",
        ],
    );
    assert_refused(&out, "nope");
}

/// The one JSON document on stdout of a successful `plan --json`.
fn plan_json(store: &Path, args: &[&str]) -> Value {
    let mut all = vec!["plan"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = bindery(store, &all);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // from_str refuses anything but whitespace after the document.
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not one JSON document: {e}\n{stdout}"))
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

/// Checks the contract's shape and returns (stage, outcome, decided_at) per stage.
fn check_shape(plan: &Value, flow: &str) -> Vec<(String, String, Value)> {
    assert_eq!(keys(plan), ["applicable", "denied", "flow", "stages"]);
    assert_eq!(plan["flow"], flow);
    let applicable = plan["applicable"].as_str().expect("applicable is a string");
    assert!(
        ["yes", "no", "depends"].contains(&applicable),
        "{applicable}"
    );
    let stages = plan["stages"].as_array().expect("stages is a list");
    if applicable == "no" {
        let denied = &plan["denied"];
        assert_eq!(keys(denied), ["action", "reason"]);
        assert!(!denied["reason"].as_str().expect("reason").is_empty());
        let action = denied["action"].as_str().expect("action");
        assert!(["message_continue", "message", "continue"].contains(&action));
        assert!(stages.is_empty(), "{stages:?}");
    } else {
        assert_eq!(plan["denied"], Value::Null);
    }
    stages
        .iter()
        .map(|s| {
            assert_eq!(
                keys(s),
                ["decided_at", "kind", "order", "outcome", "reasons", "stage"]
            );
            assert!(s["order"].is_i64(), "{s}");
            assert!(s["kind"].is_string(), "{s}");
            let outcome = s["outcome"].as_str().expect("outcome");
            assert!(["presented", "skipped", "depends"].contains(&outcome));
            assert!(
                [Value::from("plan"), Value::from("run"), Value::Null].contains(&s["decided_at"]),
                "{s}"
            );
            let reasons = s["reasons"].as_array().expect("reasons");
            assert!(!reasons.is_empty(), "{s}");
            assert!(
                reasons
                    .iter()
                    .all(|r| r.as_str().is_some_and(|r| !r.is_empty()))
            );
            (
                s["stage"].as_str().expect("stage").to_string(),
                outcome.to_string(),
                s["decided_at"].clone(),
            )
        })
        .collect()
}

#[test]
fn plan_json_has_the_contract_shape() {
    let (_dir, store) = small();
    let plan = plan_json(&store, &["lab", "--identify-as", "alice"]);
    let stages = check_shape(&plan, "lab");
    assert_eq!(plan["applicable"], "yes");
    let row =
        |name: &str, outcome: &str, decided: Value| (name.to_string(), outcome.into(), decided);
    assert_eq!(
        stages,
        vec![
            row("lab-identification", "presented", "run".into()),
            row("lab-staff", "presented", "run".into()),
            row("lab-maybe", "depends", "run".into()),
            row("lab-planned", "presented", "plan".into()),
            row("lab-ungated", "presented", Value::Null),
        ]
    );
    let list = plan["stages"].as_array().unwrap();
    assert_eq!(list[0]["kind"], "identification");
    assert_eq!(list[1]["kind"], "dummy");
    assert_eq!(
        list.iter()
            .map(|s| s["order"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [10, 20, 30, 40, 50]
    );

    let plan = plan_json(&store, &["lab", "--assume", "is-internal=fail"]);
    let stages = check_shape(&plan, "lab");
    assert_eq!(stages[1].1, "skipped");
    assert_eq!(stages[2].1, "skipped");
}

#[test]
fn plan_json_denies_with_reason_and_action_and_no_stages() {
    let (_dir, store) = small();
    let plan = plan_json(&store, &["members"]);
    check_shape(&plan, "members");
    assert_eq!(plan["applicable"], "no");
    assert_eq!(plan["denied"]["action"], "continue");
    assert_eq!(plan["stages"], Value::Array(Vec::new()));

    let plan = plan_json(&store, &["staff-only"]);
    check_shape(&plan, "staff-only");
    assert_eq!(plan["applicable"], "no");
    assert_eq!(plan["denied"]["action"], "message");
    assert!(plan["denied"]["reason"].as_str().unwrap().contains("staff"));

    let plan = plan_json(&store, &["staff-only", "--user", "alice"]);
    check_shape(&plan, "staff-only");
    assert_eq!(plan["applicable"], "yes");
    assert_eq!(plan["stages"].as_array().unwrap().len(), 1);
}

/// Every line of `plan`'s human output, with its width in characters.
fn human_lines(store: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["plan"];
    all.extend_from_slice(args);
    let out = bindery(store, &all);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).lines().map(str::to_string).collect()
}

fn assert_fits(lines: &[String], what: &str) {
    assert!(!lines.is_empty(), "{what}: no output");
    for line in lines {
        assert!(
            line.chars().count() <= 80,
            "{what}: {} columns: {line:?}",
            line.chars().count()
        );
    }
}

#[test]
fn the_demo_plan_fits_80_columns() {
    let (_dir, store) = demo();
    let args = ["default-authentication-flow", "--identify-as", "alice"];
    let lines = human_lines(&store, &args);
    assert_fits(
        &lines,
        "plan default-authentication-flow --identify-as alice",
    );
    assert!(
        lines[0].starts_with("default-authentication-flow"),
        "{lines:?}"
    );
}

#[test]
fn every_demo_plan_fits_80_columns() {
    let (_dir, store) = demo();
    let doc = Store::open(&store).unwrap();
    let flows: Vec<String> = doc.doc().flows.iter().map(|f| f.slug.clone()).collect();
    let users: Vec<String> = doc.doc().users.iter().map(|u| u.username.clone()).collect();
    assert!(!flows.is_empty() && !users.is_empty());
    for flow in &flows {
        let mut requests: Vec<Vec<&str>> = vec![vec![]];
        for user in &users {
            requests.push(vec!["--user", user]);
            requests.push(vec!["--pending-user", user]);
            requests.push(vec!["--identify-as", user]);
        }
        for request in requests {
            let mut args = vec![flow.as_str()];
            args.extend(request);
            let lines = human_lines(&store, &args);
            assert_fits(&lines, &format!("plan {}", args.join(" ")));
        }
    }
}
