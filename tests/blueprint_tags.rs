//! authentik's blueprint tags, one test each, with small inline blueprints: what each resolves
//! to, as authentik's `BlueprintLoader` resolves it, and where its errors point.

mod common;

use bindery::blueprint::Outcome;
use bindery::model::{Designation, Document, Flow, Group, Stage, StageKind, User};
use common::blueprints::*;
use common::run::text;
use serde_json::{Value, json};

/// The probe blueprint: `expr` is resolved as the attribute `v` of a group named "probe",
/// written at line 8, column 12; `context` (flow style, one line) is the blueprint's context.
fn probe_text(expr: &str, context: &str) -> String {
    format!(
        "version: 1\n\
         entries:\n  \
           - model: authentik_core.group\n    \
             identifiers:\n      \
               name: probe\n    \
             attrs:\n      \
               attributes:\n        \
                 v: {expr}\n\
         context: {context}\n"
    )
}

/// What the group "probe" holds under `v` in `doc`.
fn probe_value(doc: &Document) -> Value {
    let group = doc
        .groups
        .iter()
        .find(|g| g.name == "probe")
        .expect("the probe group was imported");
    group.attributes.get("v").cloned().expect("v was set")
}

/// Resolves `expr` in a fresh document with an empty context.
fn eval(expr: &str) -> Value {
    eval_in(&mut Document::default(), expr, "{}")
}

/// Resolves `expr` in `doc` with the given context.
fn eval_in(doc: &mut Document, expr: &str, context: &str) -> Value {
    import_ok(doc, &probe_text(expr, context));
    probe_value(doc)
}

/// Resolving `expr` fails at line 8 (the probe's line), column `col`, mentioning `what`.
fn eval_error(expr: &str, col: usize, what: &str) {
    let mut doc = Document::default();
    let err = import_err(&mut doc, &probe_text(expr, "{}"));
    assert_error_at(&err, "test.yaml", 8, col, what);
}

/// A document with a flow `login` (authentication) and a dummy stage `wait`.
fn doc_with_flow() -> (Document, Flow) {
    let mut doc = Document::default();
    let flow = Flow::new("login", "Login", Designation::Authentication);
    doc.flows.put(flow.clone());
    doc.stages.put(Stage::new(
        "wait",
        StageKind::default_for("authentik_stages_dummy.dummystage").unwrap(),
    ));
    (doc, flow)
}

// ---------------------------------------------------------------------------------------------

#[test]
fn key_of_gives_the_pk_of_an_earlier_entry_and_fails_on_an_unknown_id() {
    let (doc, _) = import_fresh(&dedent(
        r#"
        version: 1
        entries:
          - model: authentik_flows.flow
            id: the-flow
            identifiers:
              slug: keyed
            attrs:
              name: Keyed
              title: Keyed
              designation: authentication
          - model: authentik_stages_dummy.dummystage
            id: the-stage
            identifiers:
              name: keyed-stage
          - model: authentik_flows.flowstagebinding
            identifiers:
              target: !KeyOf the-flow
              stage: !KeyOf the-stage
              order: 10
          - model: authentik_core.group
            identifiers:
              name: probe
            attrs:
              attributes:
                v: [!KeyOf the-flow, !KeyOf the-stage]
        "#,
    ));
    let flow = doc.flow_by_slug("keyed").unwrap();
    let stage = doc.stages.iter().find(|s| s.name == "keyed-stage").unwrap();
    assert_eq!(
        probe_value(&doc),
        json!([flow.id.to_string(), stage.id.to_string()])
    );
    let binding = doc.stage_bindings.iter().next().unwrap();
    assert_eq!((binding.target, binding.stage), (flow.id, stage.id));

    // An unknown id is an error at the tag, naming the id.
    eval_error("!KeyOf nowhere", 12, "nowhere");
    // So is an id that only a later entry defines: ids are looked up as the file goes.
    let mut doc = Document::default();
    let err = import_err(
        &mut doc,
        &dedent(
            r#"
            version: 1
            entries:
              - model: authentik_core.group
                identifiers:
                  name: early
                attrs:
                  parents: [!KeyOf late]
              - model: authentik_core.group
                id: late
                identifiers:
                  name: late
            "#,
        ),
    );
    assert_error_at(&err, "test.yaml", 7, 17, "late");
}

#[test]
fn find_gives_the_pk_of_a_match_or_null() {
    let (mut doc, flow) = doc_with_flow();
    let pk = json!(flow.id.to_string());
    // Found: one pair, and several pairs AND-ed.
    assert_eq!(
        eval_in(
            &mut doc,
            "!Find [authentik_flows.flow, [slug, login]]",
            "{}"
        ),
        pk
    );
    assert_eq!(
        eval_in(
            &mut doc,
            "!Find [authentik_flows.flow, [slug, login], [designation, authentication]]",
            "{}"
        ),
        pk
    );
    // Not found: null, also when only one of the pairs matches.
    assert_eq!(
        eval_in(&mut doc, "!Find [authentik_flows.flow, [slug, nope]]", "{}"),
        Value::Null
    );
    assert_eq!(
        eval_in(
            &mut doc,
            "!Find [authentik_flows.flow, [slug, login], [designation, enrollment]]",
            "{}"
        ),
        Value::Null
    );
    // A model outside bindery's domain: null, not an error.
    assert_eq!(
        eval_in(
            &mut doc,
            "!Find [authentik_core.application, [slug, login]]",
            "{}"
        ),
        Value::Null
    );
    // Stages are found by their own model only.
    let stage = doc.stages.iter().next().unwrap().id.to_string();
    assert_eq!(
        eval_in(
            &mut doc,
            "!Find [authentik_stages_dummy.dummystage, [name, wait]]",
            "{}"
        ),
        json!(stage)
    );
    assert_eq!(
        eval_in(
            &mut doc,
            "!Find [authentik_stages_deny.denystage, [name, wait]]",
            "{}"
        ),
        Value::Null
    );
    // Tags nest: in the model, in a field, in a value.
    assert_eq!(
        eval_in(
            &mut doc,
            "!Find [!Format ['%s.flow', authentik_flows], [!Context field, !Context slug]]",
            "{field: slug, slug: login}"
        ),
        pk
    );
    // A user is found by its integer pk when it has one.
    let mut user = User::new("alice");
    user.pk = Some(42);
    doc.users.put(user);
    assert_eq!(
        eval_in(
            &mut doc,
            "!Find [authentik_core.user, [username, alice]]",
            "{}"
        ),
        json!(42)
    );
}

#[test]
fn find_object_gives_the_serialized_object_or_null() {
    let (mut doc, flow) = doc_with_flow();
    let found = eval_in(
        &mut doc,
        "!FindObject [authentik_flows.flow, [slug, login]]",
        "{}",
    );
    assert_eq!(found["pk"], json!(flow.id.to_string()));
    assert_eq!(found["slug"], json!("login"));
    assert_eq!(found["name"], json!("Login"));
    assert_eq!(found["designation"], json!("authentication"));
    assert_eq!(
        eval_in(
            &mut doc,
            "!FindObject [authentik_flows.flow, [slug, nope]]",
            "{}"
        ),
        Value::Null
    );
    assert_eq!(
        eval_in(
            &mut doc,
            "!FindObject [authentik_providers_oauth2.oauth2provider, [name, x]]",
            "{}"
        ),
        Value::Null
    );
    // Fields of the found object feed other tags.
    assert_eq!(
        eval_in(
            &mut doc,
            "!AtIndex [!FindObject [authentik_flows.flow, [slug, login]], title]",
            "{}"
        ),
        json!(flow.title)
    );
}

#[test]
fn context_reads_the_blueprints_context_over_the_default_context() {
    let ctx = "{name: from-context, n: 3, nested: {a: [1, 2]}, formatted: !Format ['%s-%s', a, b]}";
    let mut doc = Document::default();
    assert_eq!(
        eval_in(&mut doc, "!Context name", ctx),
        json!("from-context")
    );
    assert_eq!(eval_in(&mut doc, "!Context n", ctx), json!(3));
    assert_eq!(
        eval_in(&mut doc, "!Context nested", ctx),
        json!({"a": [1, 2]})
    );
    // Tags in the context are resolved.
    assert_eq!(eval_in(&mut doc, "!Context formatted", ctx), json!("a-b"));
    // [key, default]: the default only when the key is missing.
    assert_eq!(
        eval_in(&mut doc, "!Context [name, dflt]", ctx),
        json!("from-context")
    );
    assert_eq!(
        eval_in(&mut doc, "!Context [missing, dflt]", ctx),
        json!("dflt")
    );
    assert_eq!(
        eval_in(&mut doc, "!Context [missing, !Format ['%d', 7]]", ctx),
        json!("7")
    );
    // A missing key without a default is null.
    assert_eq!(eval_in(&mut doc, "!Context missing", ctx), Value::Null);
    // The importer's default context.
    assert_eq!(
        eval_in(
            &mut doc,
            "!Context goauthentik.io/enterprise/licensed",
            "{}"
        ),
        json!(false)
    );
    assert_eq!(
        eval_in(&mut doc, "!Context goauthentik.io/rbac/models", "{}"),
        json!({})
    );
    // The blueprint's context goes over the default one.
    assert_eq!(
        eval_in(
            &mut doc,
            "!Context goauthentik.io/enterprise/licensed",
            "{goauthentik.io/enterprise/licensed: true}"
        ),
        json!(true)
    );
    // No context at all: the default context still answers.
    let (doc, _) = import_fresh(&probe_text(
        "!Context goauthentik.io/enterprise/licensed",
        "null",
    ));
    assert_eq!(probe_value(&doc), json!(false));
}

/// `!Env` through the binary, whose environment the test sets without touching its own.
#[test]
fn env_reads_the_environment_with_a_default_for_missing_and_empty() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let file = dir.path().join("env.yaml");
    std::fs::write(
        &file,
        probe_text(
            "[!Env BINDERY_T_SET, !Env [BINDERY_T_SET, dflt], !Env [BINDERY_T_MISSING, dflt], \
             !Env [BINDERY_T_EMPTY, dflt], !Env BINDERY_T_MISSING, !Env [BINDERY_T_MISSING, 5]]",
            "{}",
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("--store")
        .arg(&store)
        .arg("import")
        .arg(&file)
        .args([
            "--allow-env",
            "BINDERY_T_SET",
            "--allow-env",
            "BINDERY_T_MISSING",
        ])
        .args(["--allow-env", "BINDERY_T_EMPTY"])
        .env_remove("BINDERY_STORE")
        .env("BINDERY_T_SET", "from the environment")
        .env("BINDERY_T_EMPTY", "")
        .env_remove("BINDERY_T_MISSING")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc = bindery::store::Store::open(&store).unwrap();
    assert_eq!(
        probe_value(doc.doc()),
        json!([
            "from the environment",
            "from the environment",
            "dflt",
            "dflt",
            null,
            5
        ])
    );
}

#[test]
fn file_reads_stripped_contents_or_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.txt");
    std::fs::write(&path, "\n  s3cret value \n\n").unwrap();
    let quoted = |p: &std::path::Path| serde_json::to_string(&p.display().to_string()).unwrap();
    // Allowed to read the folder (refusals: tests/blueprint_host.rs).
    let options = bindery::blueprint::ImportOptions {
        allow_files: vec![dir.path().to_path_buf()],
        ..Default::default()
    };
    let eval = |expr: &str| {
        let mut doc = Document::default();
        import_with(
            &mut doc,
            &[source("test.yaml", &probe_text(expr, "{}"))],
            &options,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        probe_value(&doc)
    };
    let missing = dir.path().join("missing.txt");
    assert_eq!(
        eval(&format!("!File {}", quoted(&path))),
        json!("s3cret value")
    );
    assert_eq!(
        eval(&format!("!File [{}, dflt]", quoted(&path))),
        json!("s3cret value")
    );
    assert_eq!(
        eval(&format!("!File [{}, dflt]", quoted(&missing))),
        json!("dflt")
    );
    assert_eq!(eval(&format!("!File {}", quoted(&missing))), Value::Null);
    // A folder is an OS error too.
    assert_eq!(
        eval(&format!("!File [{}, dflt]", quoted(dir.path()))),
        json!("dflt")
    );
}

#[test]
fn format_follows_python_percent_formatting() {
    assert_eq!(
        eval("!Format ['%s.view_%s', authentik_core, user]"),
        json!("authentik_core.view_user")
    );
    assert_eq!(
        eval("!Format ['%s|%r|%d|%05.1f|%x|%%|%-4s|%4s', x, x, 42, 3.14159, 255, ab, cd]"),
        json!("x|'x'|42|003.1|ff|%|ab  |  cd")
    );
    // Python's str() of other values.
    assert_eq!(
        eval("!Format ['%s %s %s %s %s', true, null, 1.0, [1, a], {k: v}]"),
        json!("True None 1.0 [1, 'a'] {'k': 'v'}")
    );
    // Arguments may be tags.
    assert_eq!(
        eval("!Format ['%s-%s', !Context [a, A], !If [true, B, C]]"),
        json!("A-B")
    );
    assert_eq!(eval("!Format [no placeholders]"), json!("no placeholders"));
    // Python's errors: too few or too many arguments, a number wanted.
    eval_error("!Format ['%s %s', one]", 12, "not enough arguments");
    eval_error(
        "!Format ['%s', one, two]",
        12,
        "not all arguments converted",
    );
    eval_error("!Format ['%d', text]", 12, "number");
}

#[test]
fn if_short_form_is_a_bool_and_long_form_resolves_only_the_chosen_branch() {
    // Short form: bool() of the condition.
    assert_eq!(eval("!If [1]"), json!(true));
    assert_eq!(eval("!If [text]"), json!(true));
    assert_eq!(eval("!If ['']"), json!(false));
    assert_eq!(eval("!If [0]"), json!(false));
    assert_eq!(eval("!If [[]]"), json!(false));
    assert_eq!(eval("!If [!Context missing]"), json!(false));
    // Long form: picks a branch.
    assert_eq!(
        eval("!If [true, yes-branch, no-branch]"),
        json!("yes-branch")
    );
    assert_eq!(
        eval("!If [false, yes-branch, no-branch]"),
        json!("no-branch")
    );
    assert_eq!(
        eval("!If [!Context [flag, true], !Format ['%s!', done], {a: 1}]"),
        json!("done!")
    );
    // YAML 1.1, as authentik's loader reads it: a plain `on` is a boolean.
    assert_eq!(eval("!If [true, !Format ['%s!', on], off]"), json!("True!"));
    assert_eq!(eval("!If [{}, 1, {a: [2]}]"), json!({"a": [2]}));
    // Only the chosen branch is resolved: the other may hold a tag that would fail.
    assert_eq!(eval("!If [true, ok, !KeyOf nowhere]"), json!("ok"));
    assert_eq!(eval("!If [false, !KeyOf nowhere, ok]"), json!("ok"));
    assert_eq!(eval("!If [false, !AtIndex [[], 3], ok]"), json!("ok"));
    // ... and the chosen one does fail.
    eval_error("!If [true, !KeyOf nowhere, ok]", 23, "nowhere");
    // Two items is neither form.
    eval_error("!If [true, yes]", 12, "!If");
}

#[test]
fn condition_combines_the_truth_of_its_arguments() {
    type Mode = fn(&[bool]) -> bool;
    let modes: [(&str, Mode); 6] = [
        ("AND", |v| v.iter().all(|b| *b)),
        ("NAND", |v| !v.iter().all(|b| *b)),
        ("OR", |v| v.iter().any(|b| *b)),
        ("NOR", |v| !v.iter().any(|b| *b)),
        ("XOR", |v| v.iter().filter(|b| **b).count() % 2 == 1),
        ("XNOR", |v| v.iter().filter(|b| **b).count() % 2 == 0),
    ];
    // Truthy and falsy spellings of each argument, as Python's bool() sees them.
    let spell = |b: bool, i: usize| {
        if b {
            ["true", "1", "text", "[0]"][i % 4]
        } else {
            ["false", "0", "''", "null"][i % 4]
        }
    };
    let cases: &[&[bool]] = &[
        &[true, true],
        &[true, false],
        &[false, true],
        &[false, false],
        &[true, true, true],
        &[true, false, true],
        &[false, false, true],
        &[false, false, false],
    ];
    for (mode, expected) in modes {
        for (n, args) in cases.iter().enumerate() {
            let spelled: Vec<&str> = args
                .iter()
                .enumerate()
                .map(|(i, b)| spell(*b, i + n))
                .collect();
            let expr = format!("!Condition [{mode}, {}]", spelled.join(", "));
            assert_eq!(eval(&expr), json!(expected(args)), "{expr}");
        }
    }
    // Arguments may be tags.
    assert_eq!(
        eval("!Condition [AND, !Context [a, 1], !If [true], !Format ['%s', x]]"),
        json!(true)
    );
    assert_eq!(
        eval("!Condition [OR, !Context missing, !Find [authentik_flows.flow, [slug, nope]]]"),
        json!(false)
    );
    // An unknown mode is an error at the mode.
    eval_error("!Condition [MAYBE, true]", 24, "MAYBE");
}

#[test]
fn enumerate_loops_over_lists_and_mappings_into_a_list_or_a_mapping() {
    // SEQ over a list: index and value.
    assert_eq!(
        eval("!Enumerate [[a, b], SEQ, !Format ['%s=%s', !Index 0, !Value 0]]"),
        json!(["0=a", "1=b"])
    );
    // SEQ over a mapping: key and value, in the mapping's order.
    assert_eq!(
        eval("!Enumerate [{x: 1, y: 2}, SEQ, [!Index 0, !Value 0]]"),
        json!([["x", 1], ["y", 2]])
    );
    // MAP with [key, value] items.
    assert_eq!(
        eval("!Enumerate [[a, b], MAP, [!Value 0, !Index 0]]"),
        json!({"a": 0, "b": 1})
    );
    // MAP with mapping items: deep-merged (mappings merge, lists append).
    assert_eq!(
        eval("!Enumerate [[a, b], MAP, {all: {'': [!Value 0]}, last: !Value 0}]"),
        json!({"all": {"": ["a", "b"]}, "last": "b"})
    );
    // An empty iterable gives an empty result.
    assert_eq!(eval("!Enumerate [[], SEQ, !Value 0]"), json!([]));
    assert_eq!(eval("!Enumerate [{}, MAP, [!Index 0, 1]]"), json!({}));
    // authentik's read-only role: over the rbac models of the context.
    assert_eq!(
        eval_in(
            &mut Document::default(),
            "!Enumerate [!Context goauthentik.io/rbac/models, SEQ, !Format ['%s.view_%s', !Value 0, !Index 0]]",
            "{goauthentik.io/rbac/models: {flow: authentik_flows, stage: authentik_flows}}"
        ),
        json!(["authentik_flows.view_flow", "authentik_flows.view_stage"])
    );
    // A bad mode and a scalar iterable are errors.
    eval_error("!Enumerate [[a], LIST, x]", 29, "SEQ or MAP");
    eval_error("!Enumerate [5, SEQ, x]", 24, "cannot loop");
}

#[test]
fn index_and_value_reach_enclosing_loops_by_depth() {
    assert_eq!(
        eval(
            "!Enumerate [[a, b], SEQ, !Enumerate [{x: X, y: Y}, SEQ, \
             !Format ['%s%s-%s%s', !Index 1, !Value 1, !Index 0, !Value 0]]]"
        ),
        json!([["0a-xX", "0a-yY"], ["1b-xX", "1b-yY"]])
    );
    // Depth 0 is the innermost loop, also in a MAP loop inside a SEQ loop.
    assert_eq!(
        eval(
            "!Enumerate [[p, q], SEQ, !Enumerate [[1, 2], MAP, [!Format ['%s%s', !Value 1, !Value 0], !Index 0]]]"
        ),
        json!([{"p1": 0, "p2": 1}, {"q1": 0, "q2": 1}])
    );
    // Outside any loop, or deeper than the loops go: an error at the tag.
    eval_error("!Index 0", 12, "enclosing");
    eval_error("!Enumerate [[a], SEQ, !Value 1]", 34, "enclosing");
    eval_error("!Value x", 12, "depth");
}

#[test]
fn at_index_looks_up_a_list_index_or_a_mapping_key() {
    assert_eq!(eval("!AtIndex [[a, b, c], 1]"), json!("b"));
    assert_eq!(eval("!AtIndex [[a, b, c], -1]"), json!("c"));
    assert_eq!(eval("!AtIndex [{k: v, n: 2}, n]"), json!(2));
    // The default when missing, and only then.
    assert_eq!(eval("!AtIndex [[a], 5, dflt]"), json!("dflt"));
    assert_eq!(eval("!AtIndex [{k: v}, z, dflt]"), json!("dflt"));
    assert_eq!(eval("!AtIndex [{k: v}, k, dflt]"), json!("v"));
    // Nested tags in the container and the key.
    assert_eq!(
        eval_in(
            &mut Document::default(),
            "!AtIndex [!Context list, !Context i]",
            "{list: [x, y], i: 1}"
        ),
        json!("y")
    );
    // Missing without a default: an error at the tag.
    eval_error("!AtIndex [[a], 5]", 12, "nothing at 5");
    eval_error("!AtIndex [{k: v}, z]", 12, "nothing at");
}

#[test]
fn parse_json_reads_a_json_scalar() {
    assert_eq!(
        eval(r#"!ParseJSON '{"a": [1, true, null], "b": "c"}'"#),
        json!({"a": [1, true, null], "b": "c"})
    );
    assert_eq!(eval("!ParseJSON '[1, 2.5]'"), json!([1, 2.5]));
    eval_error("!ParseJSON '{broken'", 12, "!ParseJSON");
}

#[test]
fn tags_work_in_model_and_state() {
    let mut doc = Document::default();
    let report = import_ok(
        &mut doc,
        &dedent(
            r#"
            version: 1
            context:
              kind: flow
              keep: present
            entries:
              - model: !Format ['authentik_flows.%s', !Context kind]
                state: !Context keep
                identifiers:
                  slug: tagged
                attrs:
                  name: Tagged
                  title: Tagged
                  designation: authentication
              - model: !If [true, authentik_core.group, authentik_core.user]
                state: !If [!Context [missing, false], absent, present]
                identifiers:
                  name: tagged-group
            "#,
        ),
    );
    assert!(matches!(report.outcomes[0], Outcome::Created(_)));
    assert!(doc.flow_by_slug("tagged").is_some());
    assert!(doc.groups.iter().any(|g| g.name == "tagged-group"));
    // A state chosen by a tag can delete.
    let report = import_ok(
        &mut doc,
        &dedent(
            r#"
            version: 1
            entries:
              - model: !Context [model, authentik_flows.flow]
                state: !Format ['%s', absent]
                identifiers:
                  slug: tagged
            "#,
        ),
    );
    assert!(matches!(report.outcomes[0], Outcome::Deleted(_)));
    assert!(doc.flow_by_slug("tagged").is_none());
    // A model that resolves to something other than text, and a tag error in the state, are
    // errors at their position.
    let err = import_err(
        &mut doc,
        &dedent(
            r#"
            version: 1
            entries:
              - model: !If [true]
                identifiers:
                  slug: x
            "#,
        ),
    );
    assert_error_at(&err, "test.yaml", 3, 12, "model must be text");
    let err = import_err(
        &mut doc,
        &dedent(
            r#"
            version: 1
            entries:
              - model: authentik_flows.flow
                state: !KeyOf nowhere
                identifiers:
                  slug: x
            "#,
        ),
    );
    assert_error_at(&err, "test.yaml", 4, 12, "nowhere");
}

/// `!KeyOf` and `!Find` give what the kinds of objects give as their pk in authentik: a UUID
/// for flows, stages, groups ...; a user's integer pk when the user has one.
#[test]
fn references_to_users_and_groups_use_their_pks() {
    let mut doc = Document::default();
    let group = Group::new("staff");
    let mut user = User::new("bob");
    user.pk = Some(7);
    doc.groups.put(group.clone());
    doc.users.put(user);
    assert_eq!(
        eval_in(
            &mut doc,
            "[!Find [authentik_core.group, [name, staff]], !Find [authentik_core.user, [username, bob]]]",
            "{}"
        ),
        json!([group.id.to_string(), 7])
    );
}

#[test]
fn key_of_an_entry_whose_condition_was_false_is_an_error_as_in_authentik() {
    let mut doc = Document::default();
    let err = import_err(
        &mut doc,
        &dedent(
            r#"
            version: 1
            entries:
              - model: authentik_core.group
                id: maybe
                conditions: [false]
                identifiers:
                  name: maybe
              - model: authentik_core.user
                identifiers:
                  username: u
                attrs:
                  groups: [!KeyOf maybe]
            "#,
        ),
    );
    assert!(err.to_string().contains("!KeyOf maybe"), "{err}");
    assert!(doc.groups.is_empty() && doc.users.is_empty());
}
