//! Reading the store for an administrator: `where-used`, flow diagrams (text and Mermaid),
//! duplicating a flow (shallow and deep, one undo step) and the change log, in-process and
//! through the real binary.

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bindery::edit::{self, Depth, History, duplicate_flow};
use bindery::engine::diagram;
use bindery::model::policy::ExpressionPolicy;
use bindery::model::stage::IdentificationStage;
use bindery::model::usage::where_used;
use bindery::model::*;
use bindery::store::Store;
use common::run::{bindery, text};
use serde_json::Value;
use uuid::Uuid;

// --- Building documents -----------------------------------------------------------------------

const DUMMY_STAGE: &str = "authentik_stages_dummy.dummystage";
const PASSWORD_STAGE: &str = "authentik_stages_password.passwordstage";
const USER_LOGIN_STAGE: &str = "authentik_stages_user_login.userloginstage";

#[derive(Default)]
struct World {
    doc: Document,
}

impl World {
    fn flow(&mut self, slug: &str, name: &str, designation: Designation) -> Uuid {
        let flow = Flow::new(slug, name, designation);
        self.doc.flows.put(flow)
    }

    fn stage(&mut self, name: &str, model: &str) -> Uuid {
        self.stage_of(name, StageKind::default_for(model).unwrap())
    }

    fn stage_of(&mut self, name: &str, kind: StageKind) -> Uuid {
        let stage = Stage::new(name, kind);
        self.doc.stages.put(stage)
    }

    fn bind(&mut self, flow: Uuid, stage: Uuid, order: i64) -> Uuid {
        let binding = StageBinding::new(flow, stage, order);
        self.doc.stage_bindings.put(binding)
    }

    fn group(&mut self, name: &str, parents: &[Uuid]) -> Uuid {
        let mut group = Group::new(name);
        group.parents = parents.to_vec();
        self.doc.groups.put(group)
    }

    fn user(&mut self, name: &str, groups: &[Uuid]) -> Uuid {
        let mut user = User::new(name);
        user.groups = groups.to_vec();
        self.doc.users.put(user)
    }

    fn expression(&mut self, name: &str) -> Uuid {
        let policy = Policy::new(
            name,
            PolicyKind::Expression(ExpressionPolicy {
                expression: "return True".into(),
            }),
        );
        self.doc.policies.put(policy)
    }

    fn pbind(&mut self, target: Target, subject: Subject, order: i64) -> Uuid {
        let binding = PolicyBinding::new(target, subject, order);
        self.doc.policy_bindings.put(binding)
    }

    fn save(&self, dir: &Path) -> PathBuf {
        let path = dir.join("store.json");
        Store::create(&path, self.doc.clone()).unwrap();
        path
    }
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

// --- where-used ----------------------------------------------------------------------------------

/// A password stage bound in two flows and named by an identification stage; a group bound on
/// a flow and on a stage binding, with a member and a child group.
struct Usages {
    w: World,
    login: Uuid,
    backup: Uuid,
    password: Uuid,
    ident: Uuid,
    login_password: Uuid,
    backup_password: Uuid,
    admins: Uuid,
    on_flow: Uuid,
    on_stage: Uuid,
    alice: Uuid,
    operators: Uuid,
}

fn usages() -> Usages {
    let mut w = World::default();
    let login = w.flow("login", "Login", Designation::Authentication);
    let backup = w.flow("backup-login", "Backup login", Designation::Authentication);
    let password = w.stage("password", PASSWORD_STAGE);
    let ident = w.stage_of(
        "identification",
        StageKind::Identification(IdentificationStage {
            password_stage: Some(password),
            ..Default::default()
        }),
    );
    let user_login = w.stage("user-login", USER_LOGIN_STAGE);
    w.bind(login, ident, 10);
    let login_password = w.bind(login, password, 20);
    w.bind(login, user_login, 30);
    let backup_password = w.bind(backup, password, 10);
    w.bind(backup, user_login, 20);
    let admins = w.group("admins", &[]);
    let operators = w.group("operators", &[admins]);
    w.group("unrelated", &[]);
    let alice = w.user("alice", &[admins]);
    w.user("bob", &[]);
    let on_flow = w.pbind(Target::Flow(backup), Subject::Group(admins), 0);
    let on_stage = w.pbind(
        Target::StageBinding(login_password),
        Subject::Group(admins),
        0,
    );
    Usages {
        w,
        login,
        backup,
        password,
        ident,
        login_password,
        backup_password,
        admins,
        on_flow,
        on_stage,
        alice,
        operators,
    }
}

fn usage_keys(
    found: &[bindery::model::usage::Usage],
) -> BTreeSet<(ObjKind, Uuid, &'static str, Option<Uuid>)> {
    found
        .iter()
        .map(|u| (u.kind, u.id, u.field, u.flow))
        .collect()
}

#[test]
fn a_stage_is_used_by_its_bindings_in_both_flows_and_by_an_identification_stage() {
    let u = usages();
    let found = where_used(&u.w.doc, ObjKind::Stage, u.password);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(
        usage_keys(&found),
        BTreeSet::from([
            (
                ObjKind::StageBinding,
                u.login_password,
                "stage",
                Some(u.login)
            ),
            (
                ObjKind::StageBinding,
                u.backup_password,
                "stage",
                Some(u.backup)
            ),
            (ObjKind::Stage, u.ident, "password_stage", None),
        ])
    );
    let descriptions: Vec<&str> = found.iter().map(|u| u.description.as_str()).collect();
    assert!(
        descriptions.contains(&"stage 'password' in flow 'login' at order 20"),
        "{descriptions:?}"
    );
    assert!(
        descriptions.contains(&"stage 'password' in flow 'backup-login' at order 10"),
        "{descriptions:?}"
    );
    assert!(
        descriptions.contains(&"stage 'identification'"),
        "{descriptions:?}"
    );
}

#[test]
fn a_group_is_used_by_its_policy_bindings_members_and_child_groups() {
    let u = usages();
    let found = where_used(&u.w.doc, ObjKind::Group, u.admins);
    assert_eq!(
        usage_keys(&found),
        BTreeSet::from([
            (ObjKind::PolicyBinding, u.on_flow, "group", Some(u.backup)),
            (ObjKind::PolicyBinding, u.on_stage, "group", Some(u.login)),
            (ObjKind::User, u.alice, "groups", None),
            (ObjKind::Group, u.operators, "parents", None),
        ])
    );
    let on_stage = found.iter().find(|x| x.id == u.on_stage).unwrap();
    assert_eq!(
        on_stage.description,
        "group 'admins' on the binding of stage 'password' in flow 'login' at order 0"
    );
}

#[test]
fn an_unused_object_is_used_nowhere() {
    let u = usages();
    let unrelated =
        u.w.doc
            .groups
            .iter()
            .find(|g| g.name == "unrelated")
            .unwrap()
            .id;
    assert_eq!(where_used(&u.w.doc, ObjKind::Group, unrelated), Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let path = u.w.save(dir.path());
    let out = bindery(&path, &["where-used", "group", "unrelated"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "group \"unrelated\" is used nowhere\n");
    let out = bindery(&path, &["where-used", "user", "bob", "--json"]);
    assert_eq!(json(&out), serde_json::json!([]));
}

#[test]
fn where_used_json_lists_kind_id_field_flow_and_description() {
    let u = usages();
    let dir = tempfile::tempdir().unwrap();
    let path = u.w.save(dir.path());
    let value = json(&bindery(
        &path,
        &["where-used", "stage", "password", "--json"],
    ));
    let list = value.as_array().expect("a list");
    assert_eq!(list.len(), 3, "{value:#}");
    for item in list {
        assert_eq!(
            sorted_keys(item),
            ["description", "field", "flow", "id", "kind"],
            "{item:#}"
        );
    }
    let by_id = |id: Uuid| {
        list.iter()
            .find(|x| x["id"] == id.to_string())
            .unwrap_or_else(|| panic!("{id} in {value:#}"))
    };
    let login = by_id(u.login_password);
    assert_eq!(login["kind"], "stage_binding");
    assert_eq!(login["field"], "stage");
    assert_eq!(login["flow"], "login");
    assert_eq!(
        login["description"],
        "stage 'password' in flow 'login' at order 20"
    );
    assert_eq!(by_id(u.backup_password)["flow"], "backup-login");
    let ident = by_id(u.ident);
    assert_eq!(ident["kind"], "stage");
    assert_eq!(ident["field"], "password_stage");
    assert_eq!(ident["flow"], Value::Null);

    let value = json(&bindery(
        &path,
        &["where-used", "group", "admins", "--json"],
    ));
    let mut kinds: Vec<(String, String)> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["kind"].as_str().unwrap().to_string(),
                x["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("group", "parents"),
            ("policy_binding", "group"),
            ("policy_binding", "group"),
            ("user", "groups"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn where_used_text_lists_one_line_per_use() {
    let u = usages();
    let dir = tempfile::tempdir().unwrap();
    let path = u.w.save(dir.path());
    let out = bindery(&path, &["where-used", "group", "admins"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: BTreeSet<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        BTreeSet::from([
            "group 'admins' on flow 'backup-login' at order 0 (group)",
            "group 'admins' on the binding of stage 'password' in flow 'login' at order 0 (group)",
            "user 'alice' (groups)",
            "group 'operators' (parents)",
        ]),
        "{stdout}"
    );
    // A user by username, a flow by slug.
    let out = bindery(&path, &["where-used", "user", "alice"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "user \"alice\" is used nowhere\n");
    let out = bindery(&path, &["where-used", "flow", "backup-login", "--json"]);
    let value = json(&out);
    assert!(
        value
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "policy_binding"
                && x["field"] == "target"
                && x["flow"] == "backup-login"),
        "{value:#}"
    );
}

#[test]
fn where_used_of_an_unknown_name_or_kind_exits_1() {
    let u = usages();
    let dir = tempfile::tempdir().unwrap();
    let path = u.w.save(dir.path());
    for (args, message) in [
        (
            &["where-used", "group", "nobody"][..],
            "no group named \"nobody\"",
        ),
        (
            &["where-used", "stage", "admins", "--json"][..],
            "no stage named \"admins\"",
        ),
        (
            &["where-used", "user", "Alice"][..],
            "no user named \"Alice\"",
        ),
        (
            &["where-used", "widget", "password"][..],
            "unknown kind \"widget\"",
        ),
        (
            &["where-used", "stage-binding", "password"][..],
            "unknown kind",
        ),
    ] {
        let out = bindery(&path, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).contains(message),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    }
}

// --- Text diagrams -------------------------------------------------------------------------------

/// Fifteen stages with long names, several bindings on most of them (groups, users, policies,
/// negated), and two bindings on the flow itself. With `spaces`, the names are long sentences;
/// without, long hyphenated identifiers as authentik's own names are.
fn long_flow(spaces: bool) -> (World, Uuid) {
    let mut w = World::default();
    let sep = if spaces { " " } else { "-" };
    let name = |words: &str| words.replace(' ', sep);
    let flow = w.flow(
        "a-rather-long-flow-slug-for-the-main-authentication-of-the-whole-organisation",
        &name("the main authentication flow of the whole organisation with a long name"),
        Designation::Authentication,
    );
    w.doc.flows.get_mut(flow).unwrap().authentication =
        AuthenticationRequirement::RequireUnauthenticated;
    let admins = w.group(
        &name("administrators of the identity platform in europe"),
        &[],
    );
    let operators = w.group(&name("operators on call this week"), &[]);
    let alice = w.user(&name("alice example com with a long username"), &[]);
    let internal = w.expression(&name("request comes from the internal network"));
    w.pbind(Target::Flow(flow), Subject::Group(admins), 0);
    w.pbind(Target::Flow(flow), Subject::Policy(internal), 1);
    for i in 0..15 {
        let stage = w.stage(
            &name(&format!(
                "s{i:02} default authentication multi factor validation for administrators and operators"
            )),
            DUMMY_STAGE,
        );
        let binding = w.bind(flow, stage, (i as i64 + 1) * 10);
        if i % 5 == 4 {
            continue; // no bindings on this one
        }
        w.pbind(Target::StageBinding(binding), Subject::Group(admins), 0);
        w.pbind(Target::StageBinding(binding), Subject::Group(operators), 1);
        let negated = w.pbind(Target::StageBinding(binding), Subject::User(alice), 2);
        w.doc.policy_bindings.get_mut(negated).unwrap().negate = i % 2 == 0;
        w.pbind(Target::StageBinding(binding), Subject::Policy(internal), 3);
        let sb = w.doc.stage_bindings.get_mut(binding).unwrap();
        // Planned and run, planned only, run only, in turn.
        sb.evaluate_on_plan = i % 3 != 2;
        sb.re_evaluate_policies = i % 3 != 1;
        if i % 4 == 0 {
            sb.policy_engine_mode = EngineMode::All;
        }
    }
    (w, flow)
}

fn too_wide(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.chars().count() > 80)
        .map(|l| format!("{} columns: {l}", l.chars().count()))
        .collect()
}

#[test]
fn the_text_diagram_shows_requirement_flow_bindings_and_each_stage_in_order() {
    let (w, flow) = long_flow(true);
    let text = diagram::text(&w.doc, w.doc.flows.get(flow).unwrap());
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("flow"), "{text}");
    let head: String = lines[..4]
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        head.contains(&format!(
            "{} (authentication): the main",
            w.doc.flows.get(flow).unwrap().slug
        )),
        "{text}"
    );
    assert!(
        text.contains("who may start it: nobody logged in"),
        "{text}"
    );
    assert!(
        text.contains("flow bindings, for the plan-time user: any of: group"),
        "{text}"
    );
    assert!(
        text.contains("if it does not apply: show the denial"),
        "{text}"
    );
    // Each stage in plan order, with its kind.
    let headers: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("├─ "))
        .collect();
    assert_eq!(headers.len(), 15, "{text}");
    for (i, header) in headers.iter().enumerate() {
        let expected = format!("├─ {} s{i:02} default", (i + 1) * 10);
        assert!(header.starts_with(&expected), "{header:?} vs {expected:?}");
    }
    // Each stage's block: its kind, then its gate with when it is checked and where a failure
    // goes, or that it is always presented.
    let blocks: Vec<&str> = text
        .split("\n│\n")
        .filter(|b| b.starts_with("├─ "))
        .collect();
    assert_eq!(blocks.len(), 15, "{text}");
    for (i, block) in blocks.iter().enumerate() {
        assert!(block.contains("[dummy]"), "{block}");
        if i % 5 == 4 {
            assert!(block.contains("always presented (no bindings)"), "{block}");
            assert!(!block.contains("gate"), "{block}");
            continue;
        }
        let when = ["when planned and when run", "when planned", "when run"][i % 3];
        assert!(block.contains(&format!("\n│    gate, {when}: ")), "{block}");
        assert!(
            block.ends_with("\n│    fails: skipped, on to the next stage"),
            "{block}"
        );
    }
    assert!(text.contains(": all of: group administrators"), "{text}");
    assert!(text.contains(": any of: group administrators"), "{text}");
    assert!(text.contains("not user alice"), "{text}");
    assert!(
        text.trim_end()
            .ends_with("done: the flow ends (authentik follows ?next or the default page)"),
        "{text}"
    );
}

#[test]
fn the_text_diagram_of_long_sentence_names_fits_80_columns() {
    let (w, flow) = long_flow(true);
    let text = diagram::text(&w.doc, w.doc.flows.get(flow).unwrap());
    let wide = too_wide(&text);
    assert!(wide.is_empty(), "{}\n---\n{text}", wide.join("\n"));
}

#[test]
fn the_text_diagram_of_long_hyphenated_names_fits_80_columns() {
    let (w, flow) = long_flow(false);
    let text = diagram::text(&w.doc, w.doc.flows.get(flow).unwrap());
    let wide = too_wide(&text);
    assert!(wide.is_empty(), "{}\n---\n{text}", wide.join("\n"));
}

#[test]
fn the_text_diagram_of_a_small_flow_is_exact() {
    let mut w = World::default();
    let flow = w.flow("login", "Login", Designation::Authentication);
    let ident = w.stage(
        "ident",
        "authentik_stages_identification.identificationstage",
    );
    let mfa = w.stage("mfa", DUMMY_STAGE);
    w.bind(flow, ident, 10);
    let sb = w.bind(flow, mfa, 20);
    let admins = w.group("admins", &[]);
    w.pbind(Target::StageBinding(sb), Subject::Group(admins), 0);
    let text = diagram::text(&w.doc, w.doc.flows.get(flow).unwrap());
    assert_eq!(
        text,
        "flow login (authentication): Login\n\
         │ who may start it: anyone\n\
         │ flow bindings: none, it applies to everyone\n\
         │ if it does not apply: show the denial, or continue to ?next when given\n\
         │   (message_continue)\n\
         │\n\
         ├─ 10 ident [identification]\n\
         │    always presented (no bindings)\n\
         │\n\
         ├─ 20 mfa [dummy]\n\
         │    gate, when run: group admins\n\
         │    fails: skipped, on to the next stage\n\
         │\n\
         └─ done: the flow ends (authentik follows ?next or the default page)\n"
    );
}

#[test]
fn a_never_evaluated_gate_is_drawn_as_always_presented() {
    let mut w = World::default();
    let flow = w.flow("login", "Login", Designation::Authorization);
    let mfa = w.stage("mfa", DUMMY_STAGE);
    let sb = w.bind(flow, mfa, 10);
    let binding = w.doc.stage_bindings.get_mut(sb).unwrap();
    binding.evaluate_on_plan = false;
    binding.re_evaluate_policies = false;
    let admins = w.group("admins", &[]);
    w.pbind(Target::StageBinding(sb), Subject::Group(admins), 0);
    let f = w.doc.flows.get(flow).unwrap();
    let text = diagram::text(&w.doc, f);
    assert!(!text.contains("fails: skipped"), "{text}");
    assert!(text.contains("always presented"), "{text}");
    let mermaid = diagram::mermaid(&w.doc, f);
    let graph = valid_mermaid(&mermaid);
    assert!(
        !graph
            .edges
            .iter()
            .any(|(_, _, label, _)| label.as_deref() == Some("fails")),
        "{mermaid}"
    );
}

#[test]
fn the_text_diagram_escapes_control_characters_in_names() {
    let mut w = World::default();
    let flow = w.flow("login", "Evil\x1b[2J\nname", Designation::Authentication);
    let stage = w.stage("stage\u{202e}eman", DUMMY_STAGE);
    w.bind(flow, stage, 10);
    let text = diagram::text(&w.doc, w.doc.flows.get(flow).unwrap());
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(!text.contains('\u{202e}'), "{text:?}");
    assert!(text.contains("Evil\\u{1b}[2J\\u{a}name"), "{text}");
    assert_eq!(text.lines().count(), 10, "{text}");
}

// --- Mermaid diagrams ----------------------------------------------------------------------------

/// A parsed Mermaid `graph TD` of the shapes bindery writes: node definitions with quoted
/// labels and edges between node ids.
#[derive(Debug, Default)]
struct Graph {
    /// Node id to its label (the text between the quotes).
    nodes: HashMap<String, String>,
    /// (from, arrow, optional label, to), in order.
    edges: Vec<Edge>,
}

type Edge = (String, String, Option<String>, String);

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses one edge after its source id: `--> b`, `-->|text| b` or `-.->|text| b`.
#[track_caller]
fn parse_edge(from: &str, rest: &str, line: &str) -> Edge {
    let arrow = ["-->", "-.->"]
        .into_iter()
        .find(|a| rest.starts_with(a))
        .unwrap_or_else(|| panic!("not an arrow: {line:?}"));
    let after = &rest[arrow.len()..];
    let (label, to) = match after.strip_prefix('|') {
        Some(labelled) => {
            let (label, to) = labelled
                .split_once("| ")
                .unwrap_or_else(|| panic!("unclosed edge label: {line:?}"));
            assert!(!label.is_empty() && !label.contains(['"', '|']), "{line:?}");
            (Some(label.to_string()), to)
        }
        None => (
            None,
            after
                .strip_prefix(' ')
                .unwrap_or_else(|| panic!("no space after the arrow: {line:?}")),
        ),
    };
    assert!(is_id(to), "edge target {to:?} in {line:?}");
    (from.to_string(), arrow.to_string(), label, to.to_string())
}

/// Parses one node definition after its id: `["label"]`, `(["label"])`, `[/"label"/]` or
/// `{"label"}`; returns the label.
#[track_caller]
fn parse_node(rest: &str, line: &str) -> String {
    let shapes = [("([", "])"), ("[/", "/]"), ("[", "]"), ("{", "}")];
    let (open, close) = shapes
        .iter()
        .find(|(open, _)| rest.starts_with(open))
        .unwrap_or_else(|| panic!("unknown node shape: {line:?}"));
    let inner = rest[open.len()..]
        .strip_suffix(close)
        .unwrap_or_else(|| panic!("shape {open} not closed by {close}: {line:?}"));
    let label = inner
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or_else(|| panic!("unquoted label: {line:?}"));
    assert!(
        !label.contains('"'),
        "a raw quote inside a quoted label: {line:?}"
    );
    assert!(!label.is_empty(), "{line:?}");
    label.to_string()
}

/// Parses the diagram strictly, as no Mermaid parser is at hand: the `graph TD` header, then
/// every line a node definition or an edge; every node defined once, every edge between
/// defined nodes, every node on an edge and reachable from `start`.
#[track_caller]
fn valid_mermaid(text: &str) -> Graph {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("graph TD"), "{text}");
    assert!(text.ends_with('\n'));
    let mut graph = Graph::default();
    for line in lines {
        let body = line
            .strip_prefix("  ")
            .unwrap_or_else(|| panic!("not indented: {line:?}"));
        let id_end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or_else(|| panic!("nothing after the id: {line:?}"));
        let (id, rest) = body.split_at(id_end);
        assert!(is_id(id), "{line:?}");
        match rest.strip_prefix(' ') {
            Some(edge) => graph.edges.push(parse_edge(id, edge, line)),
            None => {
                let old = graph.nodes.insert(id.to_string(), parse_node(rest, line));
                assert!(old.is_none(), "node {id} defined twice:\n{text}");
            }
        }
    }
    for (from, _, _, to) in &graph.edges {
        for id in [from, to] {
            assert!(
                graph.nodes.contains_key(id),
                "edge uses undefined node {id}:\n{text}"
            );
        }
    }
    for id in graph.nodes.keys() {
        assert!(
            graph.edges.iter().any(|(a, _, _, b)| a == id || b == id),
            "node {id} is on no edge:\n{text}"
        );
    }
    let mut seen = HashSet::from(["start".to_string()]);
    let mut todo = vec!["start".to_string()];
    while let Some(id) = todo.pop() {
        for (a, _, _, b) in &graph.edges {
            if *a == id && seen.insert(b.clone()) {
                todo.push(b.clone());
            }
        }
    }
    assert_eq!(seen.len(), graph.nodes.len(), "unreachable nodes:\n{text}");
    assert!(graph.nodes.contains_key("done"), "{text}");
    graph
}

#[test]
fn the_mermaid_diagram_is_a_well_formed_graph() {
    let (w, flow) = long_flow(true);
    let text = diagram::mermaid(&w.doc, w.doc.flows.get(flow).unwrap());
    let graph = valid_mermaid(&text);
    // Start, denied, done, the flow gate, 15 stages and 12 gates.
    assert_eq!(graph.nodes.len(), 4 + 15 + 12, "{text}");
    for i in 0..15 {
        let label = &graph.nodes[&format!("s{i}")];
        assert!(
            label.starts_with(&format!("{} s{i:02} default", (i + 1) * 10)),
            "{label}"
        );
    }
    // The stages form a chain in plan order.
    let stage_edges: Vec<(usize, usize)> = graph
        .edges
        .iter()
        .filter_map(|(a, _, label, b)| {
            let a = a.strip_prefix('s')?.parse().ok()?;
            let b = b.strip_prefix(['s', 'g'])?.parse().ok()?;
            label.is_none().then_some((a, b))
        })
        .collect();
    assert_eq!(stage_edges, (0..14).map(|i| (i, i + 1)).collect::<Vec<_>>());
    // A gate that fails goes on to the next stage (or its gate), the last one to done.
    let fails: Vec<(&str, &str)> = graph
        .edges
        .iter()
        .filter(|(a, _, label, _)| label.as_deref() == Some("fails") && a.starts_with('g'))
        .map(|(a, _, _, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(fails.len(), 12, "{text}");
    assert!(fails.contains(&("g0", "g1")), "{fails:?}");
    assert!(fails.contains(&("g3", "s4")), "{fails:?}");
    assert!(fails.contains(&("g13", "s14")), "{fails:?}");
}

#[test]
fn a_flow_with_flow_bindings_has_an_edge_to_the_denied_node() {
    let (w, flow) = long_flow(true);
    let text = diagram::mermaid(&w.doc, w.doc.flows.get(flow).unwrap());
    let graph = valid_mermaid(&text);
    assert!(graph.nodes.contains_key("denied"), "{text}");
    assert!(
        graph.nodes["flowgate"].contains("flow bindings: any of"),
        "{text}"
    );
    let into_denied: Vec<_> = graph.edges.iter().filter(|e| e.3 == "denied").collect();
    assert!(
        into_denied
            .iter()
            .any(|(a, arrow, label, _)| a == "flowgate"
                && arrow == "-->"
                && label.as_deref() == Some("fails")),
        "{text}"
    );
    // The requirement (nobody logged in) can deny too.
    assert!(
        into_denied
            .iter()
            .any(|(a, arrow, _, _)| a == "start" && arrow == "-.->"),
        "{text}"
    );
    assert!(
        graph.edges.iter().any(|(a, _, label, b)| a == "flowgate"
            && label.as_deref() == Some("applies")
            && b == "g0"),
        "{text}"
    );
}

#[test]
fn a_flow_without_bindings_or_requirement_has_no_denied_node() {
    let mut w = World::default();
    let flow = w.flow("plain", "Plain", Designation::Authorization);
    let consent = w.stage("consent", DUMMY_STAGE);
    w.bind(flow, consent, 10);
    let text = diagram::mermaid(&w.doc, w.doc.flows.get(flow).unwrap());
    let graph = valid_mermaid(&text);
    assert!(!graph.nodes.contains_key("denied"), "{text}");
    assert_eq!(
        graph.edges,
        vec![
            (
                "start".to_string(),
                "-->".to_string(),
                None,
                "s0".to_string()
            ),
            (
                "s0".to_string(),
                "-->".to_string(),
                None,
                "done".to_string()
            ),
        ]
    );
    // And an empty flow goes straight to done.
    let empty = w.flow("empty", "Empty", Designation::Authorization);
    let text = diagram::mermaid(&w.doc, w.doc.flows.get(empty).unwrap());
    let graph = valid_mermaid(&text);
    assert_eq!(graph.nodes.len(), 2, "{text}");
}

#[test]
fn hostile_names_never_break_a_mermaid_label() {
    let hostile = [
        "quote\" ]) --> done\n  x[\"pwned",
        "<script>alert(1)</script>",
        "back\\slash \"both\" |bar| {brace} [bracket] (paren) ;semi %%comment",
        "\u{202e}bidi and \x1b[31mescape",
    ];
    let mut w = World::default();
    let flow = w.flow("hostile", hostile[0], Designation::Authentication);
    let group = w.group(hostile[1], &[]);
    w.pbind(Target::Flow(flow), Subject::Group(group), 0);
    for (i, name) in hostile.iter().enumerate() {
        let stage = w.stage(&format!("{name} {i}"), DUMMY_STAGE);
        let sb = w.bind(flow, stage, i as i64 * 10);
        let gate = w.group(&format!("{name} group {i}"), &[]);
        w.pbind(Target::StageBinding(sb), Subject::Group(gate), 0);
    }
    let text = diagram::mermaid(&w.doc, w.doc.flows.get(flow).unwrap());
    let graph = valid_mermaid(&text);
    assert!(
        !text.contains('\x1b') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    for (id, label) in &graph.nodes {
        assert!(
            !label.contains(['"', '<', '>', '\\', '\n']),
            "{id}: {label:?}"
        );
    }
    // The names are still there, as entities.
    let s0 = &graph.nodes["s0"];
    assert!(s0.contains("quote#quot; ]) --#gt; done"), "{s0}");
    let flowgate = &graph.nodes["flowgate"];
    assert!(
        flowgate.contains("#lt;script#gt;alert(1)#lt;/script#gt;"),
        "{flowgate}"
    );
    assert!(
        graph.nodes["s2"].contains("back#92;slash #quot;both#quot;"),
        "{}",
        graph.nodes["s2"]
    );
    // The sanitiser's escape, its backslash as an entity.
    assert!(
        graph.nodes["s3"].contains("#92;u{202e}bidi"),
        "{}",
        graph.nodes["s3"]
    );
}

#[test]
fn the_diagram_command_prints_text_or_mermaid_and_refuses_unknowns() {
    let (w, _) = long_flow(true);
    let dir = tempfile::tempdir().unwrap();
    let path = w.save(dir.path());
    let slug = w.doc.flows.iter().next().unwrap().slug.clone();
    let out = bindery(&path, &["diagram", &slug]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let flow = w.doc.flows.iter().next().unwrap();
    assert_eq!(text(&out.stdout), diagram::text(&w.doc, flow));
    let out = bindery(&path, &["diagram", &slug, "--format", "text"]);
    assert_eq!(text(&out.stdout), diagram::text(&w.doc, flow));
    let out = bindery(&path, &["diagram", &slug, "--format", "mermaid"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), diagram::mermaid(&w.doc, flow));
    valid_mermaid(&text(&out.stdout));

    for (args, message) in [
        (&["diagram", "nope"][..], "no flow with slug \"nope\""),
        (
            &["diagram", "nope", "--format", "mermaid"][..],
            "no flow with slug",
        ),
        (
            &["diagram", &slug, "--format", "svg"][..],
            "unknown format \"svg\"",
        ),
    ] {
        let out = bindery(&path, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).contains(message),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
}

// --- Duplicating a flow --------------------------------------------------------------------------

/// A login flow: identification (naming the password stage), password, MFA, user login; a
/// policy and a group on the flow, a user and a policy on the MFA stage, a negated group on the
/// password stage. And an unrelated flow.
struct Login {
    w: World,
    flow: Uuid,
    ident: Uuid,
    password: Uuid,
    mfa: Uuid,
    user_login: Uuid,
    on_flow: Uuid,
    on_mfa: Uuid,
    admins: Uuid,
    alice: Uuid,
}

fn login() -> Login {
    let mut w = World::default();
    let flow = w.flow("login", "Login", Designation::Authentication);
    let password = w.stage("password", PASSWORD_STAGE);
    let ident = w.stage_of(
        "identification",
        StageKind::Identification(IdentificationStage {
            password_stage: Some(password),
            ..Default::default()
        }),
    );
    let mfa = w.stage("mfa", DUMMY_STAGE);
    let user_login = w.stage("user-login", USER_LOGIN_STAGE);
    w.bind(flow, ident, 10);
    let b_password = w.bind(flow, password, 20);
    let b_mfa = w.bind(flow, mfa, 30);
    w.bind(flow, user_login, 40);
    let admins = w.group("admins", &[]);
    let alice = w.user("alice", &[admins]);
    let on_flow = w.expression("on-flow");
    let on_mfa = w.expression("on-mfa");
    w.pbind(Target::Flow(flow), Subject::Policy(on_flow), 0);
    w.pbind(Target::Flow(flow), Subject::Group(admins), 1);
    let negated = w.pbind(Target::StageBinding(b_password), Subject::Group(admins), 0);
    w.doc.policy_bindings.get_mut(negated).unwrap().negate = true;
    let timed = w.pbind(Target::StageBinding(b_mfa), Subject::User(alice), 0);
    w.doc.policy_bindings.get_mut(timed).unwrap().timeout = 7;
    w.pbind(Target::StageBinding(b_mfa), Subject::Policy(on_mfa), 1);
    let sb = w.doc.stage_bindings.get_mut(b_mfa).unwrap();
    sb.evaluate_on_plan = true;
    sb.policy_engine_mode = EngineMode::All;
    let other = w.flow("other", "Other", Designation::Enrollment);
    let other_stage = w.stage("other-stage", DUMMY_STAGE);
    w.bind(other, other_stage, 10);
    Login {
        w,
        flow,
        ident,
        password,
        mfa,
        user_login,
        on_flow,
        on_mfa,
        admins,
        alice,
    }
}

/// The policy bindings of a flow and of each of its stage bindings, in plan order, as
/// (index of the stage binding or None for the flow, subject, order, negate, enabled, timeout,
/// failure_result).
type Gate = (Option<usize>, Subject, i64, bool, bool, u32, bool);

fn gates(doc: &Document, flow: Uuid) -> Vec<Gate> {
    let mut out = Vec::new();
    let mut push = |at: Option<usize>, target: Uuid| {
        for pb in doc.policy_bindings_of(target) {
            out.push((
                at,
                pb.subject,
                pb.order,
                pb.negate,
                pb.enabled,
                pb.timeout,
                pb.failure_result,
            ));
        }
    };
    push(None, flow);
    for (i, b) in doc.bindings_of_flow(flow).into_iter().enumerate() {
        push(Some(i), b.id);
    }
    out
}

/// A stage binding without its id and flow.
fn shape(b: &StageBinding) -> (Uuid, i64, bool, bool, EngineMode, InvalidResponseAction) {
    (
        b.stage,
        b.order,
        b.evaluate_on_plan,
        b.re_evaluate_policies,
        b.policy_engine_mode,
        b.invalid_response_action,
    )
}

#[track_caller]
fn assert_same(actual: &Document, expected: &Document) {
    assert_eq!(actual, expected);
    assert_eq!(
        serde_json::to_string_pretty(actual).unwrap(),
        serde_json::to_string_pretty(expected).unwrap()
    );
}

/// The original's objects are all there, unchanged.
#[track_caller]
fn original_untouched(after: &Document, before: &Document) {
    before.for_each(|kind, _, object| {
        let id = object.view_id();
        assert_eq!(after.get(kind, id), before.get(kind, id), "{kind:?} {id}");
    });
}

#[test]
fn a_shallow_copy_binds_the_same_stages_and_policies_to_a_new_flow() {
    let l = login();
    let mut doc = l.w.doc.clone();
    let ops = duplicate_flow(&doc, l.flow, "login-copy", "", Depth::Shallow).unwrap();
    edit::apply_all(&mut doc, "duplicate flow login", &ops).unwrap();
    original_untouched(&doc, &l.w.doc);
    let copy = doc
        .flow_by_slug("login-copy")
        .expect("the new flow")
        .clone();
    assert_ne!(copy.id, l.flow);
    assert_eq!(copy.name, "Login (copy)");
    let original = l.w.doc.flows.get(l.flow).unwrap();
    assert_eq!(copy.designation, original.designation);
    assert_eq!(copy.title, original.title);
    // Nothing but the flow and its bindings is new.
    assert_eq!(doc.stages.len(), l.w.doc.stages.len());
    assert_eq!(doc.policies.len(), l.w.doc.policies.len());
    assert_eq!(doc.groups, l.w.doc.groups);
    assert_eq!(doc.users, l.w.doc.users);
    // New stage bindings to the same stages, with the same settings.
    let old_bindings = l.w.doc.bindings_of_flow(l.flow);
    let new_bindings = doc.bindings_of_flow(copy.id);
    assert_eq!(new_bindings.len(), 4);
    assert_eq!(
        new_bindings.iter().map(|b| shape(b)).collect::<Vec<_>>(),
        old_bindings.iter().map(|b| shape(b)).collect::<Vec<_>>()
    );
    assert_eq!(
        new_bindings.iter().map(|b| b.stage).collect::<Vec<_>>(),
        vec![l.ident, l.password, l.mfa, l.user_login]
    );
    for (new, old) in new_bindings.iter().zip(&old_bindings) {
        assert_ne!(new.id, old.id);
    }
    // The same policy, group and user bindings, on the new flow and bindings.
    let copied = gates(&doc, copy.id);
    assert_eq!(copied, gates(&l.w.doc, l.flow));
    assert_eq!(copied.len(), 5);
    assert!(copied.contains(&(None, Subject::Policy(l.on_flow), 0, false, true, 30, false)));
    assert!(copied.contains(&(None, Subject::Group(l.admins), 1, false, true, 30, false)));
    assert!(copied.contains(&(Some(1), Subject::Group(l.admins), 0, true, true, 30, false)));
    assert!(copied.contains(&(Some(2), Subject::User(l.alice), 0, false, true, 7, false)));
    assert!(copied.contains(&(
        Some(2),
        Subject::Policy(l.on_mfa),
        1,
        false,
        true,
        30,
        false
    )));
    let old_ids: HashSet<Uuid> = l.w.doc.policy_bindings.iter().map(|b| b.id).collect();
    assert_eq!(doc.policy_bindings.len(), 2 * old_ids.len());
    assert_valid(&doc);
}

/// No integrity problem: every reference resolves, every name is unique.
#[track_caller]
fn assert_valid(doc: &Document) {
    let problems = bindery::model::check::check_document(doc);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_deep_copy_copies_stages_and_policies_with_the_suffix() {
    let l = login();
    let mut doc = l.w.doc.clone();
    let ops = duplicate_flow(&doc, l.flow, "login-v2", "-v2", Depth::Deep).unwrap();
    edit::apply_all(&mut doc, "duplicate flow login", &ops).unwrap();
    original_untouched(&doc, &l.w.doc);
    assert_valid(&doc);
    let copy = doc.flow_by_slug("login-v2").expect("the new flow").clone();
    let new_bindings = doc.bindings_of_flow(copy.id);
    let names: Vec<String> = new_bindings
        .iter()
        .map(|b| doc.label_of(ObjKind::Stage, b.stage))
        .collect();
    assert_eq!(
        names,
        [
            "identification-v2",
            "password-v2",
            "mfa-v2",
            "user-login-v2"
        ]
    );
    // New stages of the same types and settings, but their own.
    let old_bindings = l.w.doc.bindings_of_flow(l.flow);
    for (new, old) in new_bindings.iter().zip(&old_bindings) {
        assert_ne!(new.stage, old.stage);
        let new_stage = doc.stages.get(new.stage).unwrap();
        let old_stage = doc.stages.get(old.stage).unwrap();
        assert_eq!(new_stage.kind.model(), old_stage.kind.model());
        assert_eq!(new_stage.name, format!("{}-v2", old_stage.name));
        assert_eq!(
            (new.order, new.evaluate_on_plan, new.re_evaluate_policies),
            (old.order, old.evaluate_on_plan, old.re_evaluate_policies)
        );
    }
    assert_eq!(doc.stages.len(), l.w.doc.stages.len() + 4);
    // The copied identification stage names the copied password stage.
    let ident = doc.stages.get(new_bindings[0].stage).unwrap();
    let StageKind::Identification(settings) = &ident.kind else {
        panic!("{ident:?}");
    };
    assert_eq!(settings.password_stage, Some(new_bindings[1].stage));
    assert_ne!(settings.password_stage, Some(l.password));
    // Policies copied with the suffix; groups and users are shared.
    assert_eq!(doc.policies.len(), l.w.doc.policies.len() + 2);
    let policy = |name: &str| doc.policies.iter().find(|p| p.name == name).unwrap().id;
    let (on_flow, on_mfa) = (policy("on-flow-v2"), policy("on-mfa-v2"));
    assert_ne!(on_flow, l.on_flow);
    let copied = gates(&doc, copy.id);
    let expected: Vec<Gate> = gates(&l.w.doc, l.flow)
        .into_iter()
        .map(|mut g| {
            g.1 = match g.1 {
                Subject::Policy(p) if p == l.on_flow => Subject::Policy(on_flow),
                Subject::Policy(p) if p == l.on_mfa => Subject::Policy(on_mfa),
                other => other,
            };
            g
        })
        .collect();
    assert_eq!(copied, expected);
    assert!(copied.contains(&(Some(2), Subject::User(l.alice), 0, false, true, 7, false)));
    assert_eq!(doc.groups, l.w.doc.groups);
    assert_eq!(doc.users, l.w.doc.users);
}

#[test]
fn a_duplicate_is_one_undo_step_that_restores_the_document_exactly() {
    for depth in [Depth::Shallow, Depth::Deep] {
        let l = login();
        let mut doc = l.w.doc.clone();
        let ops = duplicate_flow(&doc, l.flow, "login-copy", "-copy", depth).unwrap();
        assert!(ops.len() > 1, "{depth:?}");
        let patch = edit::apply_all(&mut doc, "duplicate flow login", &ops).unwrap();
        assert_eq!(patch.label, "duplicate flow login");
        let after = doc.clone();
        let mut history = History::default();
        history.record(patch);
        history.undo(&mut doc).unwrap().expect("something to undo");
        assert_same(&doc, &l.w.doc);
        assert!(!history.can_undo(), "one step: {depth:?}");
        // And redo brings the copy back.
        history.redo(&mut doc).unwrap().expect("something to redo");
        assert_same(&doc, &after);
    }
}

#[test]
fn a_duplicate_through_the_store_is_one_undo_step() {
    let l = login();
    let dir = tempfile::tempdir().unwrap();
    let path = l.w.save(dir.path());
    let mut store = Store::open(&path).unwrap();
    let before = store.doc().clone();
    let ops = duplicate_flow(store.doc(), l.flow, "login-copy", "-copy", Depth::Deep).unwrap();
    store.apply_all("duplicate flow login", &ops).unwrap();
    assert!(store.doc().flow_by_slug("login-copy").is_some());
    store.undo().unwrap().expect("one step to undo");
    assert_same(store.doc(), &before);
    assert_eq!(store.undo().unwrap(), None, "nothing more to undo");
}

#[test]
fn a_deep_copy_without_a_suffix_is_refused() {
    let l = login();
    let err = duplicate_flow(&l.w.doc, l.flow, "login-copy", "", Depth::Deep).unwrap_err();
    assert!(err.contains("suffix"), "{err}");
    // A shallow copy needs none.
    assert!(duplicate_flow(&l.w.doc, l.flow, "login-copy", "", Depth::Shallow).is_ok());
}

#[test]
fn a_copy_whose_names_are_taken_is_refused_and_changes_nothing() {
    let l = login();
    let mut doc = l.w.doc.clone();
    // The slug is taken.
    let ops = duplicate_flow(&doc, l.flow, "other", "", Depth::Shallow).unwrap();
    let err = edit::apply_all(&mut doc, "duplicate", &ops).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_same(&doc, &l.w.doc);
    // A copied stage's name is taken.
    let mut w = World { doc: doc.clone() };
    w.stage("mfa-v2", DUMMY_STAGE);
    let mut doc = w.doc;
    let before = doc.clone();
    let ops = duplicate_flow(&doc, l.flow, "login-x", "-v2", Depth::Deep).unwrap();
    let err = edit::apply_all(&mut doc, "duplicate", &ops).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_same(&doc, &before);
    // An unknown flow.
    assert!(duplicate_flow(&doc, Uuid::new_v4(), "x", "", Depth::Shallow).is_err());
}

#[test]
fn a_flow_with_a_never_evaluated_binding_can_be_duplicated() {
    let l = login();
    let mut doc = l.w.doc.clone();
    let b = doc.bindings_of_flow(l.flow)[2].id;
    let binding = doc.stage_bindings.get_mut(b).unwrap();
    binding.evaluate_on_plan = false;
    binding.re_evaluate_policies = false;
    for depth in [Depth::Shallow, Depth::Deep] {
        let mut copy = doc.clone();
        let ops = duplicate_flow(&copy, l.flow, "login-copy", "-copy", depth).unwrap();
        edit::apply_all(&mut copy, "duplicate", &ops).unwrap_or_else(|e| panic!("{depth:?}: {e}"));
    }
}

#[test]
fn a_deep_copy_copies_the_password_stage_named_by_identification() {
    let mut w = World::default();
    let flow = w.flow("login", "Login", Designation::Authentication);
    let password = w.stage("password", PASSWORD_STAGE);
    let ident = w.stage_of(
        "identification",
        StageKind::Identification(IdentificationStage {
            password_stage: Some(password),
            ..Default::default()
        }),
    );
    let user_login = w.stage("user-login", USER_LOGIN_STAGE);
    w.bind(flow, ident, 10);
    w.bind(flow, user_login, 20);
    let mut doc = w.doc.clone();
    let ops = duplicate_flow(&doc, flow, "login-v2", "-v2", Depth::Deep).unwrap();
    edit::apply_all(&mut doc, "duplicate", &ops).unwrap();
    let copy = doc.flow_by_slug("login-v2").unwrap().id;
    let ident = doc.stages.get(doc.bindings_of_flow(copy)[0].stage).unwrap();
    let StageKind::Identification(settings) = &ident.kind else {
        panic!("{ident:?}");
    };
    let copied = settings.password_stage.expect("a password stage");
    assert_ne!(
        copied, password,
        "the copy shares the original's password stage"
    );
    assert_eq!(doc.label_of(ObjKind::Stage, copied), "password-v2");
}

// --- The change log ------------------------------------------------------------------------------

/// Runs the real binary as OS user `user`.
fn bindery_as(user: &str, store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("BINDERY_STORE")
        .env("USER", user)
        .output()
        .expect("run bindery")
}

fn blueprint(dir: &Path, file: &str, slug: &str, stage: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(
        &path,
        format!(
            "version: 1\n\
             metadata:\n  name: {slug}\n\
             entries:\n\
             \x20 - model: authentik_flows.flow\n\
             \x20   id: flow\n\
             \x20   identifiers:\n\
             \x20     slug: {slug}\n\
             \x20   attrs:\n\
             \x20     name: {slug}\n\
             \x20     title: {slug}\n\
             \x20     designation: authorization\n\
             \x20 - model: authentik_stages_dummy.dummystage\n\
             \x20   id: stage\n\
             \x20   identifiers:\n\
             \x20     name: {stage}\n\
             \x20 - model: authentik_flows.flowstagebinding\n\
             \x20   identifiers:\n\
             \x20     target: !KeyOf flow\n\
             \x20     stage: !KeyOf stage\n\
             \x20     order: 10\n"
        ),
    )
    .unwrap();
    path
}

fn is_rfc3339_utc(at: &str) -> bool {
    let b = at.as_bytes();
    at.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn the_log_lists_imports_newest_first_with_when_who_what_and_objects() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let first = blueprint(dir.path(), "first.yaml", "first", "first-stage");
    let second = blueprint(dir.path(), "second.yaml", "second", "second-stage");
    for (user, file) in [("ada", &first), ("grace", &second)] {
        let out = bindery_as(user, &store, &["import", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let value = json(&bindery_as("someone-else", &store, &["log", "--json"]));
    let entries = value.as_array().expect("a list");
    assert_eq!(entries.len(), 2, "{value:#}");
    for entry in entries {
        assert_eq!(
            sorted_keys(entry),
            ["at", "id", "objects", "operation", "revertible", "user"],
            "{entry:#}"
        );
        assert!(is_rfc3339_utc(entry["at"].as_str().unwrap()), "{entry:#}");
    }
    let (newest, oldest) = (&entries[0], &entries[1]);
    assert_eq!(newest["user"], "grace");
    assert_eq!(oldest["user"], "ada");
    assert!(newest["at"].as_str() >= oldest["at"].as_str());
    let operation = newest["operation"].as_str().unwrap();
    assert!(operation.starts_with("import "), "{operation}");
    assert!(operation.ends_with("second.yaml"), "{operation}");
    assert!(
        oldest["operation"]
            .as_str()
            .unwrap()
            .ends_with("first.yaml")
    );
    assert_eq!(
        newest["objects"],
        serde_json::json!([
            "flow 'second'",
            "stage 'second-stage'",
            "stage 'second-stage' in flow 'second' at order 10"
        ])
    );
    assert_eq!(oldest["objects"].as_array().unwrap().len(), 3);

    let out = bindery_as("someone-else", &store, &["log"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].contains("  grace  import "), "{stdout}");
    assert!(lines[0].ends_with("second.yaml"), "{stdout}");
    assert!(lines[1].contains("  ada  import "), "{stdout}");
    assert!(
        lines[0].starts_with(&format!(
            "{}  {}",
            newest["id"],
            newest["at"].as_str().unwrap()
        )),
        "{stdout}"
    );
}

#[test]
fn a_large_change_lists_fifty_objects_and_how_many_more() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let path = dir.path().join("groups.yaml");
    let mut yaml = String::from("version: 1\nmetadata:\n  name: groups\nentries:\n");
    for i in 0..60 {
        yaml.push_str(&format!(
            "  - model: authentik_core.group\n    identifiers:\n      name: group-{i:02}\n"
        ));
    }
    std::fs::write(&path, yaml).unwrap();
    let out = bindery_as("ada", &store, &["import", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value = json(&bindery_as("ada", &store, &["log", "--json"]));
    let objects = value[0]["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 51, "{value:#}");
    assert_eq!(objects[0], "group 'group-00'");
    assert_eq!(objects[49], "group 'group-49'");
    assert_eq!(objects[50], "and 10 more");
}

#[test]
fn the_log_of_a_fresh_store_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    // No file at all.
    let missing = dir.path().join("missing.json");
    let out = bindery(&missing, &["log"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "the change log is empty\n");
    assert_eq!(
        json(&bindery(&missing, &["log", "--json"])),
        serde_json::json!([])
    );
    assert!(!missing.exists(), "reading the log creates nothing");
    // A store just created, with objects but no saved operation.
    let path = login().w.save(dir.path());
    let out = bindery(&path, &["log"]);
    assert_eq!(text(&out.stdout), "the change log is empty\n");
    assert_eq!(
        json(&bindery(&path, &["log", "--json"])),
        serde_json::json!([])
    );
    // `init` writes an empty store.
    let init = dir.path().join("init.json");
    assert!(bindery(&init, &["init"]).status.success());
    assert_eq!(
        text(&bindery(&init, &["log"]).stdout),
        "the change log is empty\n"
    );
}

#[test]
fn a_saved_duplicate_is_one_log_entry() {
    let l = login();
    let dir = tempfile::tempdir().unwrap();
    let path = l.w.save(dir.path());
    let mut store = Store::open(&path).unwrap();
    let ops = duplicate_flow(store.doc(), l.flow, "login-copy", "", Depth::Shallow).unwrap();
    let count = ops.len();
    store
        .apply_all("duplicate flow 'login' as 'login-copy'", &ops)
        .unwrap();
    store.save().unwrap();
    let value = json(&bindery(&path, &["log", "--json"]));
    assert_eq!(value.as_array().unwrap().len(), 1, "{value:#}");
    assert_eq!(
        value[0]["operation"],
        "duplicate flow 'login' as 'login-copy'"
    );
    let objects = value[0]["objects"].as_array().unwrap();
    assert_eq!(objects.len(), count);
    assert_eq!(objects[0], "flow 'login-copy'");
}
