//! Importing authentik blueprints: the corpus of authentik's own blueprint files, entry states,
//! the lookup rule and pk remapping, bad input, out-of-domain models, the conformance cases
//! through the binary, and undo.

mod common;

use std::collections::HashMap;

use bindery::blueprint::{Outcome, yaml};
use bindery::model::{
    Designation, Document, Flow, Group, Layout, Policy, PolicyKind, Prompt, Stage, StageKind,
    Subject, Target, User,
};
use common::blueprints::*;
use common::run::{bindery, text};

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------

/// What one corpus file should create in a fresh document, counted from its parsed YAML
/// alone, by each entry's `model` key.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    flows: usize,
    stages: usize,
    stage_bindings: usize,
    policy_bindings: usize,
    /// What each entry should come to, in order.
    entries: Vec<EntryKind>,
}

#[derive(Debug, PartialEq)]
enum EntryKind {
    /// Created, updated, unchanged or kept.
    Present,
    /// Deleted, or already absent.
    Absent,
    /// A model bindery does not model: kept as an other authentik object.
    OutOfDomain(String),
    /// The same with `conditions`: kept, or not applied because a condition is false.
    OutOfDomainConditional(String),
    /// A policy binding whose target is an object outside bindery (a notification rule):
    /// kept as an other authentik object with its target.
    TargetOutOfDomain,
}

impl EntryKind {
    fn matches(&self, outcome: &Outcome) -> bool {
        match (self, outcome) {
            (
                EntryKind::Present,
                Outcome::Created(_)
                | Outcome::Updated(_)
                | Outcome::Unchanged(_)
                | Outcome::Kept(_),
            ) => true,
            (EntryKind::Absent, Outcome::Deleted(_) | Outcome::AlreadyAbsent) => true,
            (EntryKind::OutOfDomainConditional(_), Outcome::ConditionFalse { .. }) => true,
            (
                EntryKind::OutOfDomain(want) | EntryKind::OutOfDomainConditional(want),
                Outcome::Created(what)
                | Outcome::Updated(what)
                | Outcome::Unchanged(what)
                | Outcome::Kept(what),
            ) => what.starts_with(&format!("{want} ")),
            (
                EntryKind::TargetOutOfDomain,
                Outcome::Created(what) | Outcome::Updated(what) | Outcome::Unchanged(what),
            ) => what.starts_with(POLICY_BINDING),
            _ => false,
        }
    }
}

const FLOW: &str = "authentik_flows.flow";
const STAGE_BINDING: &str = "authentik_flows.flowstagebinding";
const POLICY_BINDING: &str = "authentik_policies.policybinding";

fn is_stage_model(model: &str) -> bool {
    if model == "authentik_endpoints.endpointstage" {
        return true;
    }
    model.split_once('.').is_some_and(|(app, class)| {
        app.starts_with("authentik_stages_") && class.ends_with("stage")
    })
}

/// Models bindery maps to one of its objects.
fn in_domain(model: &str) -> bool {
    let policy = model.split_once('.').is_some_and(|(app, class)| {
        app.starts_with("authentik_policies_") && class.ends_with("policy")
    });
    policy
        || is_stage_model(model)
        || [
            FLOW,
            STAGE_BINDING,
            POLICY_BINDING,
            "authentik_stages_prompt.prompt",
            "authentik_core.user",
            "authentik_core.group",
        ]
        .contains(&model)
}

/// Counts the objects a file leaves behind: each entry's `(model, identifiers)` is one object;
/// a later entry with the same identifiers updates it, and `state: absent` deletes it (when an
/// earlier entry of the file made it; in a fresh document nothing else exists).
fn expected_counts(text: &str) -> Expected {
    let root = parse_one(text);
    let entries = root
        .get("entries")
        .and_then(|e| e.as_seq())
        .expect("entries");
    // `id` → model, to tell where a `!KeyOf` target points.
    let mut id_models: HashMap<String, String> = HashMap::new();
    for e in entries {
        if let (Some(id), Some(model)) = (
            e.get("id").and_then(|i| i.scalar_str()),
            e.get("model").and_then(|m| m.scalar_str()),
        ) {
            id_models.insert(id.to_string(), model.to_string());
        }
    }
    let mut objects: Vec<(String, yaml::Node)> = Vec::new();
    let mut expected = Expected::default();
    for e in entries {
        let conditional = e.get("conditions").is_some();
        let model = e
            .get("model")
            .and_then(|m| m.scalar_str())
            .expect("corpus models are plain text")
            .to_string();
        let state = e
            .get("state")
            .and_then(|s| s.scalar_str())
            .unwrap_or("present");
        if !in_domain(&model) {
            expected.entries.push(if conditional {
                EntryKind::OutOfDomainConditional(model)
            } else {
                EntryKind::OutOfDomain(model)
            });
            continue;
        }
        assert!(
            !conditional,
            "the corpus has conditions only on out-of-domain entries"
        );
        let identifiers = e.get("identifiers").cloned().unwrap_or(yaml::Node::null());
        if model == POLICY_BINDING {
            let target = identifiers
                .get("target")
                .or_else(|| e.get("attrs").and_then(|a| a.get("target")))
                .expect("a policy binding has a target");
            if target.tag.as_deref() == Some("!KeyOf") {
                let points_to = &id_models[target.scalar_str().unwrap()];
                if points_to != FLOW && points_to != STAGE_BINDING {
                    expected.entries.push(EntryKind::TargetOutOfDomain);
                    continue;
                }
            }
        }
        expected.entries.push(if state == "absent" {
            EntryKind::Absent
        } else {
            EntryKind::Present
        });
        let at = objects
            .iter()
            .position(|(m, ids)| *m == model && ids.eq_ignoring_marks(&identifiers));
        match (state, at) {
            ("absent", Some(i)) => {
                objects.remove(i);
            }
            ("absent", None) => {}
            (_, Some(_)) => {}
            (_, None) => objects.push((model, identifiers)),
        }
    }
    for (model, _) in &objects {
        match model.as_str() {
            FLOW => expected.flows += 1,
            STAGE_BINDING => expected.stage_bindings += 1,
            POLICY_BINDING => expected.policy_bindings += 1,
            m if is_stage_model(m) => expected.stages += 1,
            _ => {}
        }
    }
    expected
}

#[test]
fn every_corpus_file_imports_with_one_object_per_entry() {
    let files = corpus_files();
    assert_eq!(files.len(), 39, "authentik's 39 blueprint files");
    let (mut imported, mut applied, mut skipped, mut condition_false) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut out_of_domain_targets = HashMap::new();
    for path in &files {
        let src = corpus_source(path);
        let name = src.name.clone();
        let expected = expected_counts(&src.text);
        let mut doc = Document::default();
        let report = match import_into(&mut doc, &[src]) {
            Ok(mut reports) => reports.remove(0),
            Err(e) => {
                failures.push(format!("{name}: import failed: {e}"));
                continue;
            }
        };
        imported += 1;
        let not_applied = report.count(|o| matches!(o, Outcome::ConditionFalse { .. }));
        skipped += not_applied;
        condition_false += report.count(|o| matches!(o, Outcome::ConditionFalse { .. }));
        applied += report.outcomes.len() - not_applied;

        let got = (
            doc.flows.len(),
            doc.stages.len(),
            doc.stage_bindings.len(),
            doc.policy_bindings.len(),
        );
        let want = (
            expected.flows,
            expected.stages,
            expected.stage_bindings,
            expected.policy_bindings,
        );
        if got != want {
            failures.push(format!(
                "{name}: (flows, stages, stage bindings, policy bindings): expected {want:?}, got {got:?}"
            ));
        }
        if report.outcomes.len() != expected.entries.len() {
            failures.push(format!(
                "{name}: {} entries but {} outcomes",
                expected.entries.len(),
                report.outcomes.len()
            ));
        }
        for (n, (want, outcome)) in expected.entries.iter().zip(&report.outcomes).enumerate() {
            if !want.matches(outcome) {
                failures.push(format!(
                    "{name}: entry {}: expected {want:?}, got {outcome:?}",
                    n + 1
                ));
            }
        }
        let targets_outside = expected
            .entries
            .iter()
            .filter(|e| **e == EntryKind::TargetOutOfDomain)
            .count();
        if targets_outside > 0 {
            out_of_domain_targets.insert(name, targets_outside);
        }
    }
    println!(
        "corpus: {imported}/{} files imported, {applied} entries applied, {skipped} skipped",
        files.len()
    );
    println!("corpus: of the skipped, {condition_false} had a false condition");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The only bindings to objects outside bindery: events-default's 5 notification rules.
    assert_eq!(
        out_of_domain_targets,
        HashMap::from([("default/events-default.yaml".to_string(), 5)])
    );
}

/// The migration blueprint deletes the old prompts it names, and only those.
#[test]
fn the_prompt_migration_deletes_the_old_prompts() {
    let mut doc = Document::default();
    doc.prompts
        .put(Prompt::new("name_default-user-settings", "name"));
    doc.prompts.put(Prompt::new("a-newer-prompt", "name"));
    let path = corpus_dir().join("migrations/migrate-prompt-name.yaml");
    let reports = import_into(&mut doc, &[corpus_source(&path)]).unwrap();
    let outcomes = &reports[0].outcomes;
    assert_eq!(outcomes.len(), 8);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::AlreadyAbsent))
            .count(),
        7
    );
    assert_eq!(
        outcomes[3],
        Outcome::Deleted(vec!["prompt 'name_default-user-settings'".into()])
    );
    let names: Vec<_> = doc.prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a-newer-prompt"]);
}

/// `entries` may also be a mapping of sections to lists, applied in order.
#[test]
fn entries_may_be_sections_of_lists() {
    let (doc, report) = import_fresh(&dedent(
        r#"
        version: 1
        entries:
          groups:
            - model: authentik_core.group
              id: parent
              identifiers: {name: parent}
          more-groups:
            - model: authentik_core.group
              identifiers: {name: child}
              attrs: {parents: [!KeyOf parent]}
        "#,
    ));
    assert_eq!(report.count(is_created), 2);
    let parent = doc.groups.iter().find(|g| g.name == "parent").unwrap();
    let child = doc.groups.iter().find(|g| g.name == "child").unwrap();
    assert_eq!(child.parents, [parent.id]);
}

// ---------------------------------------------------------------------------------------------
// Entry states
// ---------------------------------------------------------------------------------------------

fn flow_entry(state: &str, identifiers: &str, attrs: &str) -> String {
    dedent(&format!(
        r#"
        version: 1
        entries:
          - model: authentik_flows.flow
            state: {state}
            identifiers: {identifiers}
            attrs: {attrs}
        "#
    ))
}

#[test]
fn present_creates_then_updates_over_the_existing_object_and_keeps_equal_ones() {
    let mut doc = Document::default();
    // Create: identifiers and attrs together, attrs winning.
    let report = import_ok(
        &mut doc,
        &flow_entry(
            "present",
            "{slug: states, name: From identifiers}",
            "{name: From attrs, title: First, designation: enrollment, layout: sidebar_left}",
        ),
    );
    assert_eq!(report.outcomes, [Outcome::Created("flow 'states'".into())]);
    let flow = doc.flow_by_slug("states").unwrap().clone();
    assert_eq!(flow.name, "From attrs");
    assert_eq!(flow.title, "First");
    assert_eq!(flow.designation, Designation::Enrollment);
    assert_eq!(flow.layout, Layout::SidebarLeft);
    // Update: what the entry names changes, everything else stays as it was.
    let report = import_ok(
        &mut doc,
        &flow_entry("present", "{slug: states}", "{title: Second}"),
    );
    assert_eq!(report.outcomes, [Outcome::Updated("flow 'states'".into())]);
    let updated = doc.flow_by_slug("states").unwrap();
    assert_eq!(updated.id, flow.id);
    assert_eq!(updated.title, "Second");
    assert_eq!(updated.name, "From attrs");
    assert_eq!(updated.layout, Layout::SidebarLeft);
    assert_eq!(doc.flows.len(), 1);
    // On update too, attrs go over identifiers (here the entry is found by its pk).
    import_ok(
        &mut doc,
        &flow_entry(
            "present",
            &format!("{{pk: {}, title: From identifiers}}", flow.id),
            "{title: Second}",
        ),
    );
    assert_eq!(doc.flow_by_slug("states").unwrap().title, "Second");
    // The same entry again changes nothing.
    let before = doc.clone();
    let report = import_ok(
        &mut doc,
        &flow_entry("present", "{slug: states}", "{title: Second}"),
    );
    assert_eq!(
        report.outcomes,
        [Outcome::Unchanged("flow 'states'".into())]
    );
    assert_eq!(doc, before);
    // The default state is present.
    let report = import_ok(
        &mut doc,
        &dedent(
            r#"
            version: 1
            entries:
              - model: authentik_flows.flow
                identifiers: {slug: states}
                attrs: {title: Third}
            "#,
        ),
    );
    assert_eq!(report.outcomes, [Outcome::Updated("flow 'states'".into())]);
    // Two entries with the same identifiers in one file: the second updates the first.
    let mut doc = Document::default();
    let report = import_ok(
        &mut doc,
        &dedent(
            r#"
            version: 1
            entries:
              - model: authentik_core.group
                identifiers: {name: twice}
              - model: authentik_core.group
                identifiers: {name: twice}
                attrs: {is_superuser: true}
            "#,
        ),
    );
    assert_eq!(
        report.outcomes,
        [
            Outcome::Created("group 'twice'".into()),
            Outcome::Updated("group 'twice'".into())
        ]
    );
    assert_eq!(doc.groups.len(), 1);
    assert!(doc.groups.iter().next().unwrap().is_superuser);
}

#[test]
fn created_leaves_an_existing_object_alone() {
    let mut doc = Document::default();
    let flow = Flow::new("login", "Login", Designation::Authentication);
    doc.flows.put(flow.clone());
    let before = doc.clone();
    let text = dedent(
        r#"
        version: 1
        entries:
          - model: authentik_flows.flow
            state: created
            id: f
            identifiers: {slug: login}
            attrs: {name: Changed, title: Changed, designation: enrollment}
          - model: authentik_core.group
            state: created
            identifiers: {name: probe}
            attrs:
              attributes: {flow: !KeyOf f}
        "#,
    );
    let report = import_ok(&mut doc, &text);
    assert_eq!(report.outcomes[0], Outcome::Kept("flow 'login'".into()));
    assert_eq!(report.outcomes[1], Outcome::Created("group 'probe'".into()));
    assert_eq!(doc.flows, before.flows, "the flow was left alone");
    // `!KeyOf` of a kept object is its pk.
    let probe = doc.groups.iter().next().unwrap();
    assert_eq!(
        probe.attributes["flow"],
        serde_json::json!(flow.id.to_string())
    );
    // Nothing there: created creates.
    let mut fresh = Document::default();
    let report = import_ok(&mut fresh, &text);
    assert_eq!(report.outcomes[0], Outcome::Created("flow 'login'".into()));
    assert_eq!(fresh.flow_by_slug("login").unwrap().name, "Changed");
}

#[test]
fn must_created_fails_when_the_object_exists() {
    let text = flow_entry(
        "must_created",
        "{slug: login}",
        "{name: Login, title: Login, designation: authentication}",
    );
    let mut doc = Document::default();
    let report = import_ok(&mut doc, &text);
    assert_eq!(report.outcomes, [Outcome::Created("flow 'login'".into())]);
    let err = import_err(&mut doc, &text);
    assert_error_at(&err, "test.yaml", 3, 5, "already exists");
    let message = err.to_string();
    assert!(
        message.contains("entry 1 (authentik_flows.flow)"),
        "{message}"
    );
    assert!(message.contains("flow 'login'"), "{message}");
    assert!(message.contains("must_created"), "{message}");
}

/// A flow with a dummy stage bound, a policy on the flow and one on the binding.
const BOUND_FLOW: &str = r#"
    version: 1
    entries:
      - model: authentik_flows.flow
        id: flow
        identifiers: {slug: doomed}
        attrs: {name: Doomed, title: Doomed, designation: authentication}
      - model: authentik_stages_dummy.dummystage
        id: stage
        identifiers: {name: survivor}
      - model: authentik_policies_dummy.dummypolicy
        id: policy
        identifiers: {name: keeper}
        attrs: {result: true}
      - model: authentik_flows.flowstagebinding
        id: binding
        identifiers: {target: !KeyOf flow, stage: !KeyOf stage, order: 10}
      - model: authentik_policies.policybinding
        identifiers: {target: !KeyOf flow, policy: !KeyOf policy, order: 0}
      - model: authentik_policies.policybinding
        identifiers: {target: !KeyOf binding, policy: !KeyOf policy, order: 0}
    "#;

#[test]
fn absent_deletes_with_cascade_and_is_quiet_when_nothing_is_there() {
    let mut doc = Document::default();
    import_ok(&mut doc, &dedent(BOUND_FLOW));
    assert_eq!(
        (
            doc.flows.len(),
            doc.stage_bindings.len(),
            doc.policy_bindings.len()
        ),
        (1, 1, 2)
    );
    let absent = dedent(
        r#"
        version: 1
        entries:
          - model: authentik_flows.flow
            state: absent
            identifiers: {slug: doomed}
            # authentik does not validate the attributes of an entry it deletes.
            attrs: {designation: not-a-designation}
        "#,
    );
    let report = import_ok(&mut doc, &absent);
    let Outcome::Deleted(gone) = &report.outcomes[0] else {
        panic!("{:?}", report.outcomes)
    };
    assert_eq!(gone[0], "flow 'doomed'");
    // Each deleted object is named as it was before the delete.
    assert!(
        gone.contains(&"stage 'survivor' in flow 'doomed' at order 10".to_string()),
        "{gone:?}"
    );
    assert!(
        gone.contains(&"policy 'keeper' on flow 'doomed' at order 0".to_string()),
        "{gone:?}"
    );
    assert!(
        gone.iter().any(|g| g
            == "policy 'keeper' on the binding of stage 'survivor' in flow 'doomed' at order 0"),
        "{gone:?}"
    );
    assert_eq!(
        gone.len(),
        4,
        "the flow, its stage binding, both policy bindings: {gone:?}"
    );
    assert!(doc.flows.is_empty());
    assert!(doc.stage_bindings.is_empty());
    assert!(doc.policy_bindings.is_empty());
    // What the flow used stays.
    assert_eq!(doc.stages.len(), 1);
    assert_eq!(doc.policies.len(), 1);
    // Deleting what is not there is not an error.
    let before = doc.clone();
    let report = import_ok(&mut doc, &absent);
    assert_eq!(report.outcomes, [Outcome::AlreadyAbsent]);
    assert_eq!(doc, before);
    // Deleting a stage unbinds it from its flows.
    let mut doc = Document::default();
    import_ok(&mut doc, &dedent(BOUND_FLOW));
    let report = import_ok(
        &mut doc,
        &dedent(
            r#"
            version: 1
            entries:
              - model: authentik_stages_dummy.dummystage
                state: absent
                identifiers: {name: survivor}
            "#,
        ),
    );
    assert!(
        matches!(&report.outcomes[0], Outcome::Deleted(g) if g.len() == 3),
        "{report:?}"
    );
    assert!(doc.stage_bindings.is_empty());
    assert_eq!(
        doc.policy_bindings.len(),
        1,
        "the flow's own policy binding stays"
    );
}

// ---------------------------------------------------------------------------------------------
// The lookup rule and pk remapping
// ---------------------------------------------------------------------------------------------

#[test]
fn lookup_is_the_pk_or_all_other_identifiers_together() {
    let mut doc = Document::default();
    let a = Flow::new("a", "A", Designation::Authentication);
    let b = Flow::new("b", "B", Designation::Enrollment);
    doc.flows.put(a.clone());
    doc.flows.put(b.clone());
    // The pk matches: that object, though the other identifiers do not match it.
    import_ok(
        &mut doc,
        &flow_entry(
            "present",
            &format!("{{pk: {}, name: Renamed A}}", a.id),
            "{title: via pk}",
        ),
    );
    let found = doc.flows.get(a.id).unwrap();
    assert_eq!(found.title, "via pk");
    assert_eq!(found.name, "Renamed A", "identifiers are saved too");
    // An unknown pk, but the other identifiers match: that object.
    import_ok(
        &mut doc,
        &flow_entry(
            "present",
            &format!("{{pk: {}, slug: b}}", uuid::Uuid::new_v4()),
            "{title: via slug}",
        ),
    );
    assert_eq!(doc.flows.get(b.id).unwrap().title, "via slug");
    assert_eq!(doc.flows.len(), 2);
    // The other identifiers are AND-ed: B is not an authentication flow, so this is new.
    let report = import_ok(
        &mut doc,
        &flow_entry(
            "present",
            "{name: B, designation: authentication}",
            "{slug: c, title: new}",
        ),
    );
    assert_eq!(report.outcomes, [Outcome::Created("flow 'c'".into())]);
    assert_eq!(doc.flows.len(), 3);
    let report = import_ok(
        &mut doc,
        &flow_entry(
            "present",
            "{name: B, designation: enrollment}",
            "{title: both match}",
        ),
    );
    assert_eq!(report.outcomes, [Outcome::Updated("flow 'b'".into())]);
    assert_eq!(doc.flows.get(b.id).unwrap().title, "both match");
    // A mapping identifier matches by containment, as authentik's `__contains` does.
    let mut group = Group::new("team");
    group
        .attributes
        .insert("team".into(), serde_json::json!({"name": "x", "level": 2}));
    doc.groups.put(group.clone());
    let report = import_ok(
        &mut doc,
        &dedent(
            r#"
            version: 1
            entries:
              - model: authentik_core.group
                identifiers:
                  attributes: {team: {name: x}}
                attrs: {is_superuser: true}
            "#,
        ),
    );
    assert_eq!(report.outcomes, [Outcome::Updated("group 'team'".into())]);
    assert_eq!(doc.groups.len(), 1);
    assert!(doc.groups.get(group.id).unwrap().is_superuser);
}

const F: &str = "0c6a5d1e-93b5-4a40-9a23-3b4f1d7c9a01";
const S: &str = "0c6a5d1e-93b5-4a40-9a23-3b4f1d7c9a02";
const P: &str = "0c6a5d1e-93b5-4a40-9a23-3b4f1d7c9a03";
const B: &str = "0c6a5d1e-93b5-4a40-9a23-3b4f1d7c9a04";
const PB: &str = "0c6a5d1e-93b5-4a40-9a23-3b4f1d7c9a05";
const UB: &str = "0c6a5d1e-93b5-4a40-9a23-3b4f1d7c9a06";

/// A blueprint as authentik's exporter writes one: hard-coded pks in the identifiers,
/// references as raw pks, `state`, `conditions` and `permissions` on every entry, and a user
/// binding by the user's integer pk.
fn authentik_export() -> String {
    dedent(&format!(
        r#"
        version: 1
        metadata:
          name: authentik Export - 2025-06-01 12:00:00.000000+00:00
          labels:
            blueprints.goauthentik.io/generated: 'true'
        context: {{}}
        entries:
        - attrs:
            name: Exported
            title: Exported
            designation: authentication
            authentication: none
            layout: stacked
            policy_engine_mode: any
            compatibility_mode: false
            denied_action: message_continue
          conditions: []
          identifiers:
            pk: {F}
            slug: exported
          model: authentik_flows.flow
          permissions: []
          state: present
        - attrs:
            result: true
            wait_min: 1
            wait_max: 2
            execution_logging: false
          conditions: []
          identifiers:
            pk: {P}
            name: exported-policy
          model: authentik_policies_dummy.dummypolicy
          permissions: []
          state: present
        - attrs:
            throw_error: false
          conditions: []
          identifiers:
            pk: {S}
            name: exported-stage
          model: authentik_stages_dummy.dummystage
          permissions: []
          state: present
        - attrs:
            evaluate_on_plan: false
            re_evaluate_policies: true
            policy_engine_mode: any
            invalid_response_action: retry
          conditions: []
          identifiers:
            pk: {B}
            order: 10
            stage: {S}
            target: {F}
          model: authentik_flows.flowstagebinding
          permissions: []
          state: present
        - attrs:
            enabled: true
            negate: false
            timeout: 30
            failure_result: false
            group: null
            user: null
          conditions: []
          identifiers:
            pk: {PB}
            order: 0
            policy: {P}
            target: {B}
          model: authentik_policies.policybinding
          permissions: []
          state: present
        - attrs:
            enabled: true
            timeout: 30
            user: 7
          conditions: []
          identifiers:
            pk: {UB}
            order: 1
            policy: null
            target: {F}
          model: authentik_policies.policybinding
          permissions: []
          state: present
        "#
    ))
}

fn uuid(s: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(s).unwrap()
}

fn with_user_seven() -> (Document, User) {
    let mut doc = Document::default();
    let mut user = User::new("seven");
    user.pk = Some(7);
    doc.users.put(user.clone());
    (doc, user)
}

#[test]
fn an_authentik_export_with_hard_coded_pks_imports_and_relinks() {
    let (mut doc, user) = with_user_seven();
    let report = import_ok(&mut doc, &authentik_export());
    assert_eq!(report.count(is_created), 6, "{report:?}");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    // Free pks are kept, so the raw references link up.
    let binding = doc
        .stage_bindings
        .get(uuid(B))
        .expect("binding kept its pk");
    assert_eq!((binding.target, binding.stage), (uuid(F), uuid(S)));
    assert!(!binding.evaluate_on_plan && binding.re_evaluate_policies);
    let pb = doc.policy_bindings.get(uuid(PB)).unwrap();
    assert_eq!(pb.target, Target::StageBinding(uuid(B)));
    assert_eq!(pb.subject, Subject::Policy(uuid(P)));
    let ub = doc.policy_bindings.get(uuid(UB)).unwrap();
    assert_eq!(ub.target, Target::Flow(uuid(F)));
    assert_eq!(ub.subject, Subject::User(user.id));
    // Importing it again: found by pk, nothing changes.
    let before = doc.clone();
    let report = import_ok(&mut doc, &authentik_export());
    assert!(
        report
            .outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Unchanged(_))),
        "{report:?}"
    );
    assert_eq!(doc, before);
}

#[test]
fn pks_of_objects_that_already_exist_under_another_pk_are_remapped() {
    let (mut doc, user) = with_user_seven();
    // Same slug and same stage name as in the export, other pks.
    let flow = Flow::new("exported", "Old name", Designation::Authentication);
    let stage = Stage::new(
        "exported-stage",
        StageKind::default_for("authentik_stages_dummy.dummystage").unwrap(),
    );
    doc.flows.put(flow.clone());
    doc.stages.put(stage.clone());
    let report = import_ok(&mut doc, &authentik_export());
    assert_eq!(
        report.outcomes[0],
        Outcome::Updated("flow 'exported'".into())
    );
    assert_eq!(doc.flows.len(), 1, "no second flow");
    assert_eq!(doc.stages.len(), 1, "no second stage");
    assert!(doc.flows.get(uuid(F)).is_none());
    assert_eq!(doc.flows.get(flow.id).unwrap().name, "Exported");
    // The later raw references to the file's pks point at the objects that exist here.
    let binding = doc.stage_bindings.get(uuid(B)).unwrap();
    assert_eq!((binding.target, binding.stage), (flow.id, stage.id));
    let ub = doc.policy_bindings.get(uuid(UB)).unwrap();
    assert_eq!(ub.target, Target::Flow(flow.id));
    assert_eq!(ub.subject, Subject::User(user.id));
    let pb = doc.policy_bindings.get(uuid(PB)).unwrap();
    assert_eq!(pb.target, Target::StageBinding(uuid(B)));
}

// ---------------------------------------------------------------------------------------------
// Bad input: an error at FILE:LINE:COL, and nothing applied
// ---------------------------------------------------------------------------------------------

/// A document with a flow `login`, a dummy policy `pol` and a group `staff`.
fn populated() -> Document {
    let mut doc = Document::default();
    doc.flows
        .put(Flow::new("login", "Login", Designation::Authentication));
    doc.policies.put(Policy::new(
        "pol",
        PolicyKind::default_for("authentik_policies_dummy.dummypolicy").unwrap(),
    ));
    doc.groups.put(Group::new("staff"));
    doc
}

/// Each bad blueprint: where its error is, and what the message says.
#[test]
fn bad_input_is_an_error_at_its_position_and_changes_nothing() {
    // Where a good entry comes before the bad one, the failure must undo it.
    let cases: &[(&str, &str, usize, usize, &str)] = &[
        (
            "YAML syntax error",
            "version: 1\nentries:\n  - model: [unclosed\n    identifiers: {}\n",
            4,
            16,
            // The YAML parser's own words.
            "':'",
        ),
        (
            "version missing",
            "entries: []\n",
            1,
            1,
            "version is missing",
        ),
        (
            "version 2",
            "version: 2\nentries: []\n",
            1,
            10,
            "version must be 1",
        ),
        (
            "version as text",
            "version: '1'\nentries: []\n",
            1,
            10,
            "version must be 1",
        ),
        (
            "entries missing",
            "version: 1\nmetadata: {name: x}\n",
            1,
            1,
            "entries is missing",
        ),
        (
            "entries not a list",
            "version: 1\nentries: 5\n",
            2,
            10,
            "entries must be a list",
        ),
        (
            "entry not a mapping",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - just text\n",
            5,
            5,
            "an entry must be a mapping",
        ),
        (
            "model missing",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - identifiers: {slug: x}\n",
            5,
            5,
            "model is missing",
        ),
        (
            "unknown state",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - model: authentik_core.group\n    state: gone\n    identifiers: {name: x}\n",
            6,
            12,
            "state must be one of present, created, must_created, absent",
        ),
        (
            "unknown tag",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - model: authentik_core.group\n    identifiers: {name: !Nope x}\n",
            6,
            25,
            "unknown tag !Nope",
        ),
        (
            "!KeyOf to an unknown id",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - model: authentik_core.group\n    identifiers: {name: second}\n    attrs: {parents: [!KeyOf ghost]}\n",
            7,
            23,
            "ghost",
        ),
        (
            "policy binding with both policy and group",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - model: authentik_policies.policybinding\n    identifiers:\n      target: !Find [authentik_flows.flow, [slug, login]]\n      policy: !Find [authentik_policies_dummy.dummypolicy, [name, pol]]\n      group: !Find [authentik_core.group, [name, staff]]\n      order: 0\n",
            5,
            5,
            "only one of policy, group or user",
        ),
        (
            "stage binding to a missing stage (by !Find)",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - model: authentik_flows.flowstagebinding\n    identifiers:\n      target: !Find [authentik_flows.flow, [slug, login]]\n      stage: !Find [authentik_stages_dummy.dummystage, [name, ghost]]\n      order: 0\n",
            8,
            14,
            "identifiers.stage: !Find [authentik_stages_dummy.dummystage, [name, ghost]] found nothing, and the field is required",
        ),
        (
            "stage binding to a missing stage (by pk)",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - model: authentik_flows.flowstagebinding\n    identifiers:\n      target: !Find [authentik_flows.flow, [slug, login]]\n      stage: 0c6a5d1e-93b5-4a40-9a23-3b4f1d7c9aff\n      order: 0\n",
            8,
            14,
            "is not a stage in the store",
        ),
        (
            "duplicate stage name within one file",
            "version: 1\nentries:\n  - model: authentik_stages_dummy.dummystage\n    identifiers: {name: twin}\n  - model: authentik_stages_deny.denystage\n    identifiers: {name: twin}\n",
            6,
            25,
            "identifiers.name: a stage with name \"twin\" already exists",
        ),
        (
            "metadata without a name",
            "version: 1\nmetadata:\n  labels: {}\nentries: []\n",
            3,
            3,
            "metadata needs a name",
        ),
        (
            "identifiers missing",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - model: authentik_core.group\n    attrs: {is_superuser: true}\n",
            5,
            5,
            "identifiers are missing",
        ),
        (
            "a bad attribute value",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - model: authentik_flows.flow\n    identifiers: {slug: new}\n    attrs: {name: New, title: New, designation: sideways}\n",
            7,
            49,
            "attrs.designation: unknown variant `sideways`",
        ),
        (
            "must_created on an existing object",
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: first}\n  - model: authentik_flows.flow\n    state: must_created\n    identifiers: {slug: login}\n",
            5,
            5,
            "already exists",
        ),
    ];
    for (what, text, line, col, message) in cases {
        let mut doc = populated();
        let err = import_err(&mut doc, text);
        println!("{what}: {err}");
        assert_error_at(&err, "test.yaml", *line, *col, message);
    }
}

/// Several files apply all or nothing through the binary: the second file fails, so nothing of
/// the first is applied, and the store file is not touched.
#[test]
fn a_failing_file_in_a_multi_file_import_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let seed = dir.path().join("seed.yaml");
    std::fs::write(
        &seed,
        "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: seeded}\n",
    )
    .unwrap();
    let out = bindery(&store, &["import", seed.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = std::fs::read(&store).unwrap();

    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(
        &a,
        "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: from-a}\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: from-b}\n  - model: authentik_core.group\n    identifiers: {name: !KeyOf ghost}\n",
    )
    .unwrap();
    let out = bindery(
        &store,
        &["import", a.to_str().unwrap(), b.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:6:25:", b.display())),
        "stderr names b.yaml:LINE:COL: {stderr}"
    );
    assert!(stderr.contains("ghost"), "{stderr}");
    assert_eq!(
        std::fs::read(&store).unwrap(),
        before,
        "the store is unchanged"
    );
    let doc = bindery::store::Store::open(&store).unwrap();
    let names: Vec<_> = doc.doc().groups.iter().map(|g| g.name.clone()).collect();
    assert_eq!(names, ["seeded"]);

    // A failed first import does not create the store either.
    let fresh = dir.path().join("fresh.json");
    let out = bindery(
        &fresh,
        &["import", a.to_str().unwrap(), b.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!fresh.exists());
}

// ---------------------------------------------------------------------------------------------
// Models outside bindery's domain
// ---------------------------------------------------------------------------------------------

/// A model authentik does not have is refused as authentik refuses it, at the model's
/// position, with the closest real model when one is near; skipping it hid typos.
#[test]
fn unknown_models_are_errors_with_a_suggestion() {
    let blueprint = |model: &str| {
        dedent(&format!(
            r#"
            version: 1
            entries:
              - model: authentik_core.group
                identifiers: {{name: first}}
              - model: {model}
                identifiers: {{slug: login}}
            "#
        ))
    };
    let mut doc = Document::default();
    let err = import_err(&mut doc, &blueprint("authentik_flows.flwo"));
    assert_error_at(
        &err,
        "test.yaml",
        5,
        12,
        "entry 2 (authentik_flows.flwo): authentik has no model \"authentik_flows.flwo\" \
         (did you mean authentik_flows.flow?)",
    );
    let err = import_err(&mut doc, &blueprint("example.widget"));
    assert_error_at(
        &err,
        "test.yaml",
        5,
        12,
        "authentik has no model \"example.widget\"",
    );
    assert!(!err.message.contains("did you mean"), "{err}");
    // A type name of authentik's pattern that authentik does not have is no exception.
    let err = import_err(
        &mut doc,
        &blueprint("authentik_stages_pasword.passwordstage"),
    );
    assert!(
        err.message
            .contains("did you mean authentik_stages_password.passwordstage?"),
        "{err}"
    );
    // !Find on a model authentik does not have fails as in authentik (LookupError).
    let err = import_err(
        &mut doc,
        "version: 1\nentries:\n- model: authentik_core.group\n  identifiers: {name: g}\n  \
         attrs: {attributes: {x: !Find [authentik_flows.flwo, [slug, a]]}}\n",
    );
    assert_error_at(&err, "test.yaml", 5, 34, "!Find: authentik has no model");

    // Through the binary: exit 1, nothing saved.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let file = dir.path().join("typo.yaml");
    std::fs::write(&file, blueprint("authentik_flows.flwo")).unwrap();
    let out = bindery(&store, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(&format!(
            "{}:5:12: entry 2 (authentik_flows.flwo): authentik has no model",
            file.display()
        )),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !store.exists()
            || bindery::store::Store::open(&store)
                .unwrap()
                .doc()
                .groups
                .is_empty()
    );
}

#[test]
fn out_of_domain_models_are_kept_and_reported() {
    let app_pk = "0c6a5d1e-93b5-4a40-9a23-3b4f1d7c9b01";
    let blueprint = dedent(&format!(
        r#"
        version: 1
        entries:
          - model: authentik_providers_oauth2.oauth2provider
            id: provider
            identifiers:
              name: my-provider
            attrs:
              authorization_flow: !Find [authentik_flows.flow, [slug, nope]]
          - model: authentik_core.application
            id: app
            identifiers:
              pk: {app_pk}
              slug: my-app
            attrs:
              provider: !KeyOf provider
          - model: authentik_policies_dummy.dummypolicy
            id: policy
            identifiers: {{name: gate}}
          - model: authentik_policies.policybinding
            identifiers:
              target: !KeyOf app
              policy: !KeyOf policy
              order: 0
          - model: authentik_policies.policybinding
            identifiers:
              target: {app_pk}
              policy: !KeyOf policy
              order: 1
          - model: authentik_core.group
            identifiers: {{name: probe}}
            attrs:
              attributes: {{app: !KeyOf app, provider: !KeyOf provider}}
            permissions:
              - permission: view_group
                user: 1
        "#
    ));
    let (doc, report) = import_fresh(&blueprint);
    assert_eq!(report.count(is_skipped), 0, "{report:?}");
    // The provider, the application and both bindings to it (by !KeyOf and by raw pk) are
    // kept as other authentik objects.
    let models: Vec<&str> = doc.others.iter().map(|o| o.model.as_str()).collect();
    assert_eq!(
        models,
        [
            "authentik_providers_oauth2.oauth2provider",
            "authentik_core.application",
            POLICY_BINDING,
            POLICY_BINDING
        ]
    );
    let app = doc.others.iter().nth(1).unwrap();
    assert_eq!(app.id.to_string(), app_pk, "the application keeps its pk");
    for binding in doc.others.iter().skip(2) {
        assert_eq!(
            bindery::model::other::as_ref(&binding.identifiers["target"]),
            Some((bindery::model::ObjKind::Other, app.id))
        );
    }
    assert!(doc.policy_bindings.is_empty());
    assert_eq!(doc.policies.len(), 1);
    // !KeyOf to a kept entry is its pk.
    let provider = doc.others.iter().next().unwrap();
    let probe = doc.groups.iter().next().unwrap();
    assert_eq!(
        serde_json::Value::Object(probe.attributes.clone()),
        serde_json::json!({"app": app_pk, "provider": provider.id.to_string()})
    );
    // Permissions are accepted, with a warning.
    assert!(
        report.warnings.iter().any(|w| w.contains("permissions")),
        "{:?}",
        report.warnings
    );

    // The binary reports the skipped entries.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apps.yaml");
    std::fs::write(&file, &blueprint).unwrap();
    let out = bindery(
        &dir.path().join("store.json"),
        &["import", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("0 skipped"), "{stdout}");
    assert!(
        text(&out.stderr).contains("permissions"),
        "{}",
        text(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// The conformance blueprints, through the binary
// ---------------------------------------------------------------------------------------------

#[test]
fn every_conformance_blueprint_imports_through_the_binary() {
    let cases = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/cases"
    ));
    if !cases.is_dir() {
        println!("skipped: no conformance cases at {}", cases.display());
        return;
    }
    let mut blueprints: Vec<_> = std::fs::read_dir(cases)
        .unwrap()
        .map(|e| e.unwrap().path().join("blueprint.yaml"))
        .filter(|p| p.is_file())
        .collect();
    blueprints.sort();
    assert!(!blueprints.is_empty());
    let dir = tempfile::tempdir().unwrap();
    for (n, blueprint) in blueprints.iter().enumerate() {
        let store = dir.path().join(format!("store-{n}.json"));
        let out = bindery(&store, &["import", blueprint.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            blueprint.display(),
            text(&out.stderr)
        );
        let doc = bindery::store::Store::open(&store).unwrap();
        assert!(!doc.doc().flows.is_empty(), "{}", blueprint.display());
    }
    println!("conformance: {} blueprints imported", blueprints.len());
}

// ---------------------------------------------------------------------------------------------
// Undo
// ---------------------------------------------------------------------------------------------

#[test]
fn an_import_is_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let mut store = bindery::store::Store::create(&path, common::random_document(3, 6)).unwrap();
    let corpus = corpus_dir().join("default/flow-default-authentication-flow.yaml");
    store
        .apply_batch("import corpus", |batch| {
            bindery::blueprint::import(batch, &[corpus_source(&corpus)], &corpus_options())
        })
        .unwrap();
    let before = store.doc().clone();
    // One import of several files: creates, updates, deletes with cascade, memberships.
    let user = before.users.iter().next().map(|u| u.username.clone());
    let members = match &user {
        Some(name) => format!("users: [!Find [authentik_core.user, [username, {name:?}]]]"),
        None => String::new(),
    };
    let second = dedent(&format!(
        r#"
        version: 1
        entries:
          - model: authentik_flows.flow
            identifiers: {{slug: default-authentication-flow}}
            attrs: {{title: Changed}}
          - model: authentik_stages_password.passwordstage
            state: absent
            identifiers: {{name: default-authentication-password}}
          - model: authentik_core.group
            identifiers: {{name: undo-group}}
            attrs: {{{members}}}
        "#
    ));
    let (reports, patch) = store
        .apply_batch("import two files", |batch| {
            bindery::blueprint::import(
                batch,
                &[
                    source("one.yaml", &dedent(BOUND_FLOW)),
                    source("two.yaml", &second),
                ],
                &corpus_options(),
            )
        })
        .unwrap();
    assert_eq!(reports.len(), 2);
    assert!(!patch.changes.is_empty());
    let after = store.doc().clone();
    assert_ne!(after, before);
    assert!(after.flow_by_slug("doomed").is_some());
    assert!(
        !after
            .stages
            .iter()
            .any(|s| s.name == "default-authentication-password")
    );
    store.undo().unwrap().expect("one step to undo");
    assert_eq!(
        *store.doc(),
        before,
        "one undo restores the document exactly"
    );
    store.redo().unwrap().expect("and it can be redone");
    assert_eq!(*store.doc(), after);
    store.undo().unwrap();
    // The step before it is the first import, separately undoable.
    store.undo().unwrap().expect("the first import");
    assert!(
        store
            .doc()
            .flow_by_slug("default-authentication-flow")
            .is_none()
    );

    // A failed import through apply_batch leaves the document as it was, and no step.
    let mut store =
        bindery::store::Store::create(&dir.path().join("b.json"), Document::default()).unwrap();
    let before = store.doc().clone();
    let result = store.apply_batch("bad", |batch| {
        bindery::blueprint::import(
            batch,
            &[
                source("ok.yaml", &dedent(BOUND_FLOW)),
                source(
                    "bad.yaml",
                    "version: 1\nentries:\n  - model: x\n    identifiers: {a: !KeyOf no}\n",
                ),
            ],
            &corpus_options(),
        )
    });
    assert!(result.is_err());
    assert_eq!(*store.doc(), before);
    assert!(store.undo().unwrap().is_none());
}
