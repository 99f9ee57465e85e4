//! `!Find` as authentik's (`authentik/blueprints/v1/common.py`, `Find._get_instance`): each
//! query is `Q(**{cond[0]: cond[1]})`, so keys are Django lookup paths over relations and a
//! query list longer than two uses its first pair; a lookup that finds nothing gives `None`,
//! which bindery reports on the field that held it. Entries skipped by `conditions` are listed.

mod common;

use bindery::blueprint::Outcome;
use bindery::model::Document;
use common::blueprints::*;
use common::run::{bindery, text};

/// A flow with two stages bound, as the entries that a later blueprint will look up.
const BASE: &str = "version: 1
entries:
  - model: authentik_flows.flow
    id: flow
    identifiers: {slug: login}
    attrs: {name: Login, title: Login, designation: authentication}
  - model: authentik_stages_identification.identificationstage
    id: ident
    identifiers: {name: login-ident}
    attrs: {user_fields: [username]}
  - model: authentik_stages_email.emailstage
    id: verify
    identifiers: {name: login-email-verify}
  - model: authentik_flows.flowstagebinding
    identifiers: {target: !KeyOf flow, stage: !KeyOf ident, order: 10}
  - model: authentik_flows.flowstagebinding
    identifiers: {target: !KeyOf flow, stage: !KeyOf verify, order: 20}
";

fn base() -> Document {
    let (doc, _) = import_fresh(BASE);
    doc
}

fn bindings_of(doc: &Document) -> Vec<String> {
    doc.stage_bindings
        .iter()
        .map(|b| doc.stages.get(b.stage).unwrap().name.clone())
        .collect()
}

/// The users' blueprint that switches email verification off: a `state: absent` entry whose
/// identifiers find the binding through the stage's name. It used to find nothing and keep
/// the binding.
#[test]
fn absent_through_related_field_lookup_removes_the_binding() {
    let mut doc = base();
    let report = import_ok(
        &mut doc,
        "version: 1
entries:
  - model: authentik_flows.flowstagebinding
    state: absent
    identifiers:
      pk: !Find [authentik_flows.flowstagebinding, [stage__name, login-email-verify], [target__slug, login]]
",
    );
    assert!(
        matches!(report.outcomes[0], Outcome::Deleted(_)),
        "{report:?}"
    );
    assert_eq!(bindings_of(&doc), ["login-ident"]);
}

/// `target__slug__iexact` ends in a lookup; `stage__name__in` takes a list.
#[test]
fn lookups_at_the_end_of_a_path_compare_as_django() {
    let mut doc = base();
    import_ok(
        &mut doc,
        "version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: probe}
    attrs:
      attributes:
        a: !Find [authentik_flows.flowstagebinding, [target__slug__iexact, LOGIN], [order__gt, 10]]
        b: !Find [authentik_flows.flowstagebinding, [stage__name__in, [nope, login-ident]]]
        c: !Find [authentik_flows.flow, [slug__startswith, log]]
",
    );
    let group = doc.groups.iter().find(|g| g.name == "probe").unwrap();
    let stage_of = |v: &serde_json::Value| {
        let id: uuid::Uuid = v.as_str().unwrap().parse().unwrap();
        let binding = doc.stage_bindings.get(id).unwrap();
        doc.stages.get(binding.stage).unwrap().name.clone()
    };
    assert_eq!(stage_of(&group.attributes["a"]), "login-email-verify");
    assert_eq!(stage_of(&group.attributes["b"]), "login-ident");
    let flow = doc.flows.iter().next().unwrap();
    assert_eq!(group.attributes["c"], flow.id.to_string());
}

/// A flat query list is read as authentik reads it: the first pair; the rest is ignored, and
/// the import says so.
#[test]
fn a_flat_query_list_uses_its_first_pair() {
    let mut doc = base();
    let report = import_ok(
        &mut doc,
        "version: 1
entries:
  - model: authentik_flows.flowstagebinding
    state: absent
    identifiers:
      pk: !Find [authentik_flows.flowstagebinding, [stage__name, login-email-verify, target__slug, nowhere]]
",
    );
    assert!(matches!(report.outcomes[0], Outcome::Deleted(_)));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("6:52:") && w.contains("only the first pair")),
        "{:?}",
        report.warnings
    );
}

/// A query needs a field and a value; a key that is not text is refused where it stands.
#[test]
fn short_or_odd_queries_are_errors_at_the_query() {
    let mut doc = base();
    let err = import_err(
        &mut doc,
        "version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: probe}
    attrs: {attributes: {a: !Find [authentik_flows.flow, [slug]]}}
",
    );
    assert_error_at(&err, "test.yaml", 5, 58, "needs a field and a value");
    let err = import_err(
        &mut doc,
        "version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: probe}
    attrs: {attributes: {a: !Find [authentik_flows.flow, [slug____x, login]]}}
",
    );
    assert_error_at(&err, "test.yaml", 5, 58, "not a field or a lookup path");
}

/// An optional field whose `!Find` finds nothing is set to null, as authentik's `None`, with a
/// warning naming the field and the query.
#[test]
fn a_miss_on_an_optional_field_is_a_warning_naming_field_and_query() {
    let mut doc = base();
    let report = import_ok(
        &mut doc,
        "version: 1
entries:
  - model: authentik_stages_identification.identificationstage
    identifiers: {name: login-ident}
    attrs:
      user_fields: [username]
      enrollment_flow: !Find [authentik_flows.flow, [slug, enrol]]
",
    );
    // (user_fields: IdentificationStageSerializer.validate refuses an entry without them.)
    assert!(
        report.warnings.iter().any(|w| w.contains(
            "attrs.enrollment_flow: !Find [authentik_flows.flow, [slug, enrol]] found nothing"
        )),
        "{:?}",
        report.warnings
    );
}

/// For a required field the error says the query found nothing, at the query, instead of
/// "target is required".
#[test]
fn a_miss_on_a_required_field_says_the_query_found_nothing() {
    let mut doc = base();
    let err = import_err(
        &mut doc,
        "version: 1
entries:
  - model: authentik_flows.flowstagebinding
    identifiers:
      target: !Find [authentik_flows.flow, [slug, logn]]
      stage: !Find [authentik_stages_identification.identificationstage, [name, login-ident]]
      order: 30
",
    );
    assert_error_at(
        &err,
        "test.yaml",
        5,
        15,
        "identifiers.target: !Find [authentik_flows.flow, [slug, logn]] found nothing, and the field is required",
    );
}

/// Entries skipped by their conditions are listed with the conditions and what they gave.
#[test]
fn entries_skipped_by_conditions_are_listed_with_the_condition() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let file = dir.path().join("bp.yaml");
    std::fs::write(
        &file,
        "version: 1
entries:
  - model: authentik_core.group
    conditions: [!Context licensed]
    identifiers: {name: enterprise}
context: {licensed: false}
",
    )
    .unwrap();
    let out = bindery(&store, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "entry 1: skipped authentik_core.group {name: enterprise}: its conditions [!Context licensed] gave [false], not all true"
        ),
        "{stdout}"
    );
}

/// Any refusal of a field that a `!Find` left empty is put down to the query, at the query.
#[test]
fn a_miss_on_a_field_that_refuses_null_names_the_query() {
    let mut doc = base();
    let err = import_err(
        &mut doc,
        "version: 1
entries:
  - model: authentik_flows.flow
    identifiers: {slug: login}
    attrs:
      title: !Find [authentik_flows.flow, [slug, nowhere]]
",
    );
    assert_error_at(
        &err,
        "test.yaml",
        6,
        14,
        "attrs.title: !Find [authentik_flows.flow, [slug, nowhere]] found nothing: ",
    );
}
