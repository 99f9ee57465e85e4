//! Objects outside bindery's domain (sources, providers, applications, brands, ...): kept
//! verbatim, referred to by `!KeyOf` and `!Find`, written back by `export --all`.

mod common;

use bindery::blueprint::query::Condition;

use std::collections::BTreeMap;

use bindery::blueprint::models;
use bindery::blueprint::{Outcome, export_all, with_placeholders, yaml};
use bindery::edit::{Batch, Op};
use bindery::model::other::{self, as_ref};
use bindery::model::{Document, ObjKind, StageKind};
use common::blueprints::*;
use serde_json::{Value, json};

const SOURCE_AND_STAGE: &str = r#"
version: 1
metadata:
  name: github login
entries:
  - model: authentik_flows.flow
    id: flow
    identifiers:
      slug: github-login
    attrs:
      name: GitHub login
      title: Welcome
      designation: authentication
  - model: authentik_sources_oauth.oauthsource
    id: src
    identifiers:
      slug: github
    attrs:
      name: GitHub
      provider_type: github
      consumer_key: key
      consumer_secret: secret
      authentication_flow: !KeyOf flow
      user_matching_mode: identifier
  - model: authentik_stages_identification.identificationstage
    id: ident
    identifiers:
      name: github-identification
    attrs:
      user_fields: [username]
      sources: [!KeyOf src]
  - model: authentik_flows.flowstagebinding
    identifiers:
      target: !KeyOf flow
      stage: !KeyOf ident
      order: 10
"#;

fn export_text(doc: &Document) -> String {
    yaml::emit(&export_all(doc))
}

/// The store's content as text with each id replaced by what it names, so that two stores
/// made by different imports compare equal when they hold the same things.
fn content(doc: &Document) -> BTreeMap<String, usize> {
    let text = export_text(doc);
    let mut out = BTreeMap::new();
    for line in text.lines() {
        *out.entry(line.to_string()).or_default() += 1;
    }
    out
}

fn identification(doc: &Document) -> &bindery::model::stage::IdentificationStage {
    match &doc.stages.iter().next().expect("a stage").kind {
        StageKind::Identification(s) => s,
        other => panic!("not an identification stage: {other:?}"),
    }
}

#[test]
fn a_source_reference_survives_import_export_and_reimport() {
    let (doc, report) = import_fresh(SOURCE_AND_STAGE);
    assert_eq!(report.count(is_skipped), 0);
    assert_eq!(report.count(is_created), 4, "{:?}", report.outcomes);
    let source = doc.others.iter().next().expect("the source is kept");
    assert_eq!(source.model, "authentik_sources_oauth.oauthsource");
    assert_eq!(source.blueprint_id.as_deref(), Some("src"));
    assert_eq!(
        as_ref(&source.attrs["authentication_flow"]),
        Some((ObjKind::Flow, doc.flows.iter().next().unwrap().id))
    );
    assert_eq!(
        identification(&doc).sources,
        vec![json!(source.id.to_string())],
        "the stage holds the source's pk, not null"
    );

    let text = export_text(&doc);
    assert!(text.contains("sources:\n    - !KeyOf src"), "{text}");
    assert!(
        text.contains("authentication_flow: !KeyOf flow-github-login"),
        "{text}"
    );
    assert!(schema_errors(&with_placeholders(&export_all(&doc))).is_empty());

    let (again, _) = import_fresh(&text);
    assert_eq!(content(&again), content(&doc));
    assert_eq!(export_text(&again), text, "byte-stable round trip");
    let source = again.others.iter().next().unwrap();
    assert_eq!(
        identification(&again).sources,
        vec![json!(source.id.to_string())]
    );
}

#[test]
fn renaming_the_flow_a_kept_object_refers_to_follows_in_the_export() {
    let (mut doc, _) = import_fresh(SOURCE_AND_STAGE);
    let mut flow = doc.flows.iter().next().unwrap().clone();
    flow.slug = "renamed".into();
    let mut batch = Batch::new(&mut doc, "rename");
    batch
        .apply(&Op::Update(bindery::model::Obj::Flow(flow)))
        .unwrap();
    batch.commit();
    let text = export_text(&doc);
    assert!(
        text.contains("authentication_flow: !KeyOf flow-renamed"),
        "{text}"
    );
}

#[test]
fn an_application_its_provider_and_a_binding_to_it_are_kept_verbatim() {
    let text = r#"
version: 1
metadata:
  name: app
entries:
  - model: authentik_policies_expression.expressionpolicy
    id: policy
    identifiers:
      name: only-admins
    attrs:
      expression: return request.user.is_superuser
  - model: authentik_providers_oauth2.oauth2provider
    id: provider
    identifiers:
      name: grafana
    attrs:
      authorization_flow: !Find [authentik_flows.flow, [slug, default-provider-authorization-implicit-consent]]
      client_type: confidential
      redirect_uris:
        - matching_mode: strict
          url: https://grafana.example.com/login
      property_mappings: []
  - model: authentik_core.application
    id: app
    identifiers:
      slug: grafana
    attrs:
      name: Grafana
      provider: !KeyOf provider
      meta_launch_url: https://grafana.example.com
  - model: authentik_policies.policybinding
    identifiers:
      policy: !KeyOf policy
      target: !KeyOf app
      order: 0
    attrs:
      negate: true
"#;
    let (doc, report) = import_fresh(text);
    assert_eq!(report.count(is_skipped), 0);
    assert_eq!(doc.others.len(), 3);
    assert!(
        doc.policy_bindings.is_empty(),
        "a binding to an application is not bindery's"
    );
    let binding = doc.others.iter().last().unwrap();
    assert_eq!(binding.model, "authentik_policies.policybinding");
    let policy = doc.policies.iter().next().unwrap().id;
    assert_eq!(
        as_ref(&binding.identifiers["policy"]),
        Some((ObjKind::Policy, policy))
    );
    assert_eq!(binding.attrs["negate"], json!(true));
    let provider = doc.others.iter().next().unwrap();
    // The flow is not in this store: the query is kept, and written back.
    assert_eq!(
        other::as_find(&provider.attrs["authorization_flow"]),
        Some(
            &[
                json!("authentik_flows.flow"),
                json!(["slug", "default-provider-authorization-implicit-consent"])
            ][..]
        )
    );
    assert_eq!(
        provider.attrs["redirect_uris"],
        json!([{"matching_mode": "strict", "url": "https://grafana.example.com/login"}])
    );

    let out = export_text(&doc);
    assert!(out.contains("provider: !KeyOf provider"), "{out}");
    assert!(
        out.contains(
            "authorization_flow: !Find [authentik_flows.flow, [slug, default-provider-authorization-implicit-consent]]"
        ),
        "{out}"
    );
    assert!(out.contains("policy: !KeyOf policy-only-admins"), "{out}");
    assert!(out.contains("target: !KeyOf app"), "{out}");
    let (again, _) = import_fresh(&out);
    assert_eq!(export_text(&again), out);

    // Deleting the policy takes the binding with it, as authentik's CASCADE does.
    let mut doc = doc;
    let mut batch = Batch::new(&mut doc, "delete");
    batch.apply(&Op::Delete(ObjKind::Policy, policy)).unwrap();
    batch.commit();
    assert_eq!(doc.others.len(), 2);
    assert!(
        doc.others
            .iter()
            .all(|o| o.model != "authentik_policies.policybinding")
    );
    assert!(bindery::model::check::check_document(&doc).is_empty());
}

#[test]
fn find_and_absent_work_on_kept_objects() {
    let text = r#"
version: 1
metadata:
  name: find
entries:
  - model: authentik_sources_oauth.oauthsource
    identifiers:
      slug: github
    attrs:
      name: GitHub
      provider_type: github
  - model: authentik_sources_oauth.oauthsource
    identifiers:
      slug: gitlab
    attrs:
      name: GitLab
      provider_type: gitlab
  - model: authentik_stages_identification.identificationstage
    identifiers:
      name: ident
    attrs:
      sources:
        - !Find [authentik_sources_oauth.oauthsource, [slug, github]]
        - !Find [authentik_sources_oauth.oauthsource, [slug, gitlab]]
  - model: authentik_sources_oauth.oauthsource
    state: absent
    identifiers:
      slug: gitlab
"#;
    let (doc, report) = import_fresh(text);
    assert!(
        matches!(report.outcomes[3], Outcome::Deleted(_)),
        "{:?}",
        report.outcomes
    );
    assert_eq!(doc.others.len(), 1);
    let github = doc.others.iter().next().unwrap();
    assert_eq!(github.label(), "GitHub");
    // The deleted source left the stage's list, as a many-to-many link does.
    assert_eq!(
        identification(&doc).sources,
        vec![json!(github.id.to_string())]
    );

    // Applying the same file again changes nothing but re-creating and deleting gitlab.
    let mut doc = doc;
    let again = import_ok(&mut doc, text);
    assert!(
        matches!(again.outcomes[0], Outcome::Unchanged(_)),
        "{:?}",
        again.outcomes
    );
}

#[test]
fn a_store_written_before_other_objects_loads_and_saves_the_same() {
    let old = r#"{
  "schema_version": 2,
  "generation": 3,
  "flows": [],
  "stages": [],
  "prompts": [],
  "stage_bindings": [],
  "policies": [],
  "policy_bindings": [],
  "groups": [],
  "users": [],
  "log": []
}"#;
    let doc: Document = serde_json::from_str(old).expect("an older store loads");
    assert!(doc.others.is_empty());
    assert_eq!(serde_json::to_string_pretty(&doc).unwrap(), old);
}

/// A stored value as content that does not depend on pks: each reference named by the kind
/// and label of what it points at; a `!Find` kept because it found nothing named by what it
/// finds in the store now, else kept as its query.
fn named(doc: &Document, value: &Value) -> Value {
    let name =
        |kind: ObjKind, id: uuid::Uuid| json!(format!("{kind:?} {}", doc.label_of(kind, id)));
    if let Some((kind, id)) = as_ref(value) {
        return name(kind, id);
    }
    if let Some(query) = other::as_find(value) {
        let pairs: Vec<Condition> = query[1..]
            .iter()
            .map(|p| Condition::parse(p[0].as_str().unwrap(), p[1].clone()).unwrap())
            .collect();
        return match models::find_by(doc, query[0].as_str().unwrap(), &pairs) {
            Some(obj) => name(obj.kind(), obj.id()),
            None => json!({"find": query}),
        };
    }
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| named(doc, v)).collect()),
        Value::Object(map) => Value::Object(
            other::literal(map)
                .iter()
                .map(|(k, v)| (k.clone(), named(doc, v)))
                .collect(),
        ),
        scalar => scalar.clone(),
    }
}

/// The other authentik objects of a store as content that does not depend on pks: model,
/// state, conditions, identifiers and attrs (see [`named`]); with `ids`, the entry id too.
fn others_content(doc: &Document, ids: bool) -> Vec<String> {
    let mut out: Vec<String> = doc
        .others
        .iter()
        .map(|o| {
            let section =
                |m: &serde_json::Map<String, Value>| named(doc, &Value::Object(m.clone()));
            json!({
                "model": o.model,
                "state": o.state,
                "conditions": o.conditions,
                "id": if ids { json!(o.blueprint_id) } else { Value::Null },
                "identifiers": section(&o.identifiers),
                "attrs": section(&o.attrs),
            })
            .to_string()
        })
        .collect();
    out.sort();
    out
}

/// Schema errors of an export, entry by entry (the schema's `anyOf` over all entries
/// otherwise reports the whole list).
fn entry_schema_errors(export: &Value) -> Vec<String> {
    let mut out = schema_errors(export)
        .into_iter()
        .take(usize::from(!export["entries"].is_array()))
        .collect::<Vec<_>>();
    for entry in export["entries"].as_array().into_iter().flatten() {
        let alone = json!({"version": 1, "metadata": {"name": "x"}, "entries": [entry]});
        for e in schema_errors(&alone) {
            out.push(format!("{entry}: {e}"));
        }
    }
    out
}

/// Entries applied, and entries not applied because a condition was false: the only way an
/// entry of a blueprint is left out now that other authentik objects are kept.
fn corpus_counts(reports: &[bindery::blueprint::FileReport]) -> (usize, usize) {
    let conditions: usize = reports
        .iter()
        .map(|r| r.count(|o| matches!(o, Outcome::ConditionFalse { .. })))
        .sum();
    let all: usize = reports.iter().map(|r| r.outcomes.len()).sum();
    (all - conditions, conditions)
}

#[test]
fn the_corpus_keeps_every_entry_and_exports_it_back() {
    let files: Vec<_> = corpus_files();
    let mut totals = (0, 0);
    let mut others = 0;
    for path in &files {
        let mut doc = Document::default();
        let reports =
            import_into(&mut doc, &[corpus_source(path)]).unwrap_or_else(|e| panic!("{e}"));
        let (kept, conditions) = corpus_counts(&reports);
        totals = (totals.0 + kept, totals.1 + conditions);
        others += doc.others.len();
        let text = export_text(&doc);
        let (again, _) = import_fresh(&text);
        assert_eq!(export_text(&again), text, "{}", corpus_name(path));
        assert_eq!(
            others_content(&again, true),
            others_content(&doc, true),
            "{}",
            corpus_name(path)
        );
    }
    println!(
        "corpus, file by file: {} entries kept ({others} as other authentik objects), {} with a false condition",
        totals.0, totals.1
    );
    // The one entry left out: the bootstrap token, whose condition needs
    // AUTHENTIK_BOOTSTRAP_TOKEN, unset here (system/bootstrap.yaml).
    assert_eq!(totals.1, 1);

    let sources: Vec<_> = files.iter().map(|p| corpus_source(p)).collect();
    let mut doc = Document::default();
    let reports = import_into(&mut doc, &sources).unwrap_or_else(|e| panic!("{e}"));
    let (kept, conditions) = corpus_counts(&reports);
    println!(
        "corpus, one store: {kept} entries kept, {conditions} with a false condition, {} other authentik objects",
        doc.others.len()
    );
    assert_eq!(conditions, 1);
    let node = export_all(&doc);
    let errors = entry_schema_errors(&with_placeholders(&node));
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let text = yaml::emit(&node);
    let (again, _) = import_fresh(&text);
    let second = export_text(&again);
    assert_eq!(second, text, "byte-stable round trip");
    assert_eq!(others_content(&again, false), others_content(&doc, false));
}

/// `bindery import` keeps them (0 skipped) and `bindery list others` shows them with where
/// they are used.
#[test]
fn the_binary_imports_and_lists_other_objects() {
    use common::run::{bindery, text};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("github.yaml");
    std::fs::write(&file, SOURCE_AND_STAGE).unwrap();
    let store = dir.path().join("store.json");
    let out = bindery(&store, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("4 created"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("0 skipped"),
        "{}",
        text(&out.stdout)
    );
    let out = bindery(&store, &["list", "others", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        listed[0]["model"],
        json!("authentik_sources_oauth.oauthsource")
    );
    assert_eq!(listed[0]["name"], json!("GitHub"));
    assert_eq!(listed[0]["refers_to"], json!(["github-login"]));
    assert_eq!(listed[0]["used_by"], json!(["github-identification"]));
    let out = bindery(&store, &["where-used", "other", "GitHub"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("github-identification"),
        "{}",
        text(&out.stdout)
    );
    let out = bindery(&store, &["where-used", "flow", "github-login"]);
    assert!(
        text(&out.stdout).contains("GitHub"),
        "{}",
        text(&out.stdout)
    );
    let out = bindery(&store, &["export", "--all"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("- !KeyOf src"),
        "{}",
        text(&out.stdout)
    );
}

/// The limits on free JSON hold for kept objects too: a value nested deeper than
/// MAX_NESTING refuses the file, naming where, and nothing is applied.
#[test]
fn kept_objects_are_held_to_the_nesting_limit() {
    let depth = bindery::model::limits::MAX_NESTING + 2;
    let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let text = format!(
        "version: 1\nmetadata:\n  name: deep\nentries:\n  - model: authentik_core.application\n    identifiers:\n      slug: deep\n    attrs:\n      meta_description: {deep}\n"
    );
    let mut doc = Document::default();
    let err = import_err(&mut doc, &text);
    let message = err.to_string();
    assert!(message.contains("attrs.meta_description"), "{message}");
    assert!(message.contains("test.yaml:5:5"), "{message}");
}
