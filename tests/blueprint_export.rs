//! Exporting: every flow of authentik's corpus exports as YAML that re-parses, validates
//! against authentik's JSON schema, and round-trips through an import byte for byte; likewise
//! the whole store.

mod common;

use bindery::blueprint::{Reach, export_all, export_flow, with_placeholders, yaml};
use bindery::model::Document;
use common::blueprints::*;

/// A fresh document with the same groups and users as `doc` (exports refer to them by name).
fn directory_of(doc: &Document) -> Document {
    Document {
        groups: doc.groups.clone(),
        users: doc.users.clone(),
        ..Document::default()
    }
}

/// Counts of one export check.
#[derive(Default)]
struct Tally {
    exported: usize,
    schema_valid: usize,
    round_trips: usize,
    failures: Vec<String>,
}

impl Tally {
    /// Checks one exported node: it emits, re-parses to the same tree, validates against the
    /// schema with placeholders for its tags, and `again` (an export of the emitted text
    /// imported into `fresh`) emits to the same bytes.
    fn check(
        &mut self,
        what: &str,
        node: &yaml::Node,
        mut fresh: Document,
        again: impl FnOnce(&Document) -> Option<yaml::Node>,
    ) {
        self.exported += 1;
        let text = yaml::emit(node);
        match yaml::parse(&text) {
            Ok(docs) if docs.len() == 1 && docs[0].eq_ignoring_marks(node) => {}
            Ok(_) => {
                self.failures.push(format!(
                    "{what}: the emitted text reads back differently\n{text}"
                ));
                return;
            }
            Err(e) => {
                self.failures.push(format!(
                    "{what}: the emitted text does not parse: {e}\n{text}"
                ));
                return;
            }
        }
        let errors = schema_errors(&with_placeholders(node));
        if errors.is_empty() {
            self.schema_valid += 1;
        } else {
            self.failures.push(format!(
                "{what}: not valid against authentik's schema:\n  {}\n{text}",
                errors.join("\n  ")
            ));
        }
        if let Err(e) = import_into(&mut fresh, &[source(what, &text)]) {
            self.failures
                .push(format!("{what}: the export does not import: {e}\n{text}"));
            return;
        }
        let Some(second) = again(&fresh) else {
            self.failures
                .push(format!("{what}: nothing to export after the round trip"));
            return;
        };
        let second_text = yaml::emit(&second);
        if second_text == text {
            self.round_trips += 1;
        } else {
            self.failures.push(format!(
                "{what}: the round trip changed the export\n--- first ---\n{text}\n--- second ---\n{second_text}"
            ));
        }
    }
}

/// Every flow of every corpus file, each file imported alone into a fresh store.
#[test]
fn every_corpus_flow_exports_validates_and_round_trips() {
    let mut tally = Tally::default();
    for path in corpus_files() {
        let src = corpus_source(&path);
        let name = src.name.clone();
        let mut doc = Document::default();
        import_into(&mut doc, &[src]).unwrap_or_else(|e| panic!("{e}"));
        for flow in doc.flows.iter() {
            let what = format!("{name} flow {}", flow.slug);
            let node = export_flow(&doc, flow.id, Reach::Standalone).expect("the flow exists");
            let slug = flow.slug.clone();
            tally.check(&what, &node, directory_of(&doc), |fresh| {
                export_flow(fresh, fresh.flow_by_slug(&slug)?.id, Reach::Standalone)
            });
        }
    }
    println!(
        "export: {} flows exported, {} schema-valid, {} round-trips identical",
        tally.exported, tally.schema_valid, tally.round_trips
    );
    assert!(tally.exported >= 25, "the corpus has many flows");
    assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n\n"));
}

/// The whole store after each corpus file, exported with `export_all`.
#[test]
fn every_imported_corpus_file_exports_whole_and_round_trips() {
    let mut tally = Tally::default();
    for path in corpus_files() {
        let src = corpus_source(&path);
        let name = src.name.clone();
        let mut doc = Document::default();
        import_into(&mut doc, &[src]).unwrap_or_else(|e| panic!("{e}"));
        let node = export_all(&doc);
        tally.check(
            &format!("{name} (export --all)"),
            &node,
            Document::default(),
            |fresh| Some(export_all(fresh)),
        );
    }
    println!(
        "export --all: {} stores exported, {} schema-valid, {} round-trips identical",
        tally.exported, tally.schema_valid, tally.round_trips
    );
    assert_eq!(tally.exported, 39);
    assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n\n"));
}

/// All 39 files imported together into one store (in path order, which puts every file after
/// the ones it depends on), then every flow and the whole store exported.
#[test]
fn the_whole_corpus_in_one_store_exports_validates_and_round_trips() {
    let sources: Vec<_> = corpus_files().iter().map(|p| corpus_source(p)).collect();
    let mut doc = Document::default();
    import_into(&mut doc, &sources).unwrap_or_else(|e| panic!("{e}"));
    let mut tally = Tally::default();
    for flow in doc.flows.iter() {
        let node = export_flow(&doc, flow.id, Reach::Standalone).expect("the flow exists");
        let slug = flow.slug.clone();
        tally.check(
            &format!("corpus store flow {slug}"),
            &node,
            directory_of(&doc),
            |fresh| export_flow(fresh, fresh.flow_by_slug(&slug)?.id, Reach::Standalone),
        );
    }
    // The flows that several files define (the example flows reuse the default slugs) are
    // one flow each here.
    let slugs: std::collections::HashSet<_> = doc.flows.iter().map(|f| &f.slug).collect();
    assert_eq!(slugs.len(), doc.flows.len());
    assert_eq!(tally.exported, doc.flows.len());
    tally.check(
        "corpus store (export --all)",
        &export_all(&doc),
        Document::default(),
        |fresh| Some(export_all(fresh)),
    );
    println!(
        "export (one store): {} exports, {} schema-valid, {} round-trips identical",
        tally.exported, tally.schema_valid, tally.round_trips
    );
    assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n\n"));
}

/// Re-importing an export over the store it came from changes nothing.
#[test]
fn an_export_imported_over_its_own_store_changes_nothing() {
    for path in corpus_files() {
        let src = corpus_source(&path);
        let name = src.name.clone();
        let mut doc = Document::default();
        import_into(&mut doc, &[src]).unwrap_or_else(|e| panic!("{e}"));
        let text = yaml::emit(&export_all(&doc));
        let before = doc.clone();
        let reports = import_into(&mut doc, &[source(&name, &text)])
            .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        for outcome in &reports[0].outcomes {
            assert!(
                // `state: created` (kept on other authentik objects) leaves what exists alone.
                matches!(
                    outcome,
                    bindery::blueprint::Outcome::Unchanged(_)
                        | bindery::blueprint::Outcome::Kept(_)
                ),
                "{name}: {outcome:?}\n{text}"
            );
        }
        assert_eq!(doc, before, "{name}");
    }
}

/// The schema check is real: a wrong format, a wrong type or a missing key fails it.
#[test]
fn the_schema_check_catches_invalid_exports() {
    let valid = parse_one(&dedent(
        r#"
        version: 1
        entries:
          - model: authentik_stages_authenticator_totp.authenticatortotpstage
            identifiers:
              name: totp
            attrs:
              configure_flow: !KeyOf flow
              digits: "6"
        "#,
    ));
    assert_eq!(
        schema_errors(&with_placeholders(&valid)),
        Vec::<String>::new()
    );
    for bad in [
        // Not a UUID where the schema says format: uuid (format validation is on).
        "configure_flow: not-a-uuid",
        // authentik's schema spells TOTP digits as the strings "6" and "8".
        "digits: 6",
        "digits: \"7\"",
    ] {
        let text = dedent(&format!(
            r#"
            version: 1
            entries:
              - model: authentik_stages_authenticator_totp.authenticatortotpstage
                identifiers:
                  name: totp
                attrs:
                  {bad}
            "#
        ));
        let node = parse_one(&text);
        assert!(
            !schema_errors(&with_placeholders(&node)).is_empty(),
            "{bad} should be invalid"
        );
    }
    let no_version = parse_one("entries: []\n");
    assert!(!schema_errors(&with_placeholders(&no_version)).is_empty());
}

/// A TOTP stage's digits are written as authentik's schema spells them, and read back.
#[test]
fn totp_digits_are_written_as_strings_and_read_back() {
    let (doc, _) = import_fresh(&dedent(
        r#"
        version: 1
        entries:
          - model: authentik_stages_authenticator_totp.authenticatortotpstage
            identifiers:
              name: totp
            attrs:
              digits: 8
        "#,
    ));
    let text = yaml::emit(&export_all(&doc));
    assert!(text.contains("digits: \"8\""), "{text}");
    let (again, _) = import_fresh(&text);
    assert_eq!(yaml::emit(&export_all(&again)), text);
}
