//! The Other objects page: the authentik objects bindery keeps as written, read-only, with
//! what each refers to and what refers to it.

mod tui_common;

use bindery::blueprint::{ImportOptions, Source, import};
use tui_common::Ui;

const BLUEPRINT: &str = r#"
version: 1
metadata:
  name: github login
entries:
  - model: authentik_sources_oauth.oauthsource
    id: src
    identifiers:
      slug: github
    attrs:
      name: GitHub
      provider_type: github
      authentication_flow: !Find [authentik_flows.flow, [slug, default-authentication-flow]]
  - model: authentik_stages_identification.identificationstage
    identifiers:
      name: default-authentication-identification
    attrs:
      user_fields: [username, email]
      sources: [!KeyOf src]
"#;

fn with_source() -> Ui {
    let mut ui = Ui::demo();
    let sources = [Source {
        name: "github.yaml".into(),
        text: BLUEPRINT.into(),
    }];
    ui.app
        .store
        .apply_batch("import", |batch| {
            import(batch, &sources, &ImportOptions::default())
        })
        .expect("the blueprint imports");
    ui.app.refresh();
    ui
}

#[test]
fn the_other_objects_page_lists_kept_objects_with_where_used() {
    let mut ui = with_source();
    ui.keys("6");
    ui.app.status = None;
    let text = ui.screen(130, 16);
    assert!(text.contains("6 Others"), "{text}");
    assert!(text.contains("GitHub"), "{text}");
    assert!(
        text.contains("authentik_sources_oauth.oauthsource"),
        "{text}"
    );
    assert!(
        text.contains("Refers to") && text.contains("Used by"),
        "{text}"
    );
    assert!(
        text.contains("default-authentication-f"),
        "refers to\n{text}"
    );
    assert!(text.contains("default-authentication-i"), "used by\n{text}");
    insta::assert_snapshot!("other_objects_130x16", text);

    // Enter shows where it is used, in full.
    ui.keys("<Enter>");
    let report = ui.screen(130, 16);
    assert!(
        report.contains("default-authentication-identification"),
        "{report}"
    );
    ui.keys("<Esc>");

    // Read-only: delete and new explain instead of acting.
    let before = ui.doc().clone();
    ui.keys("dne");
    assert_eq!(*ui.doc(), before);
    let status = format!("{:?}", ui.app.status);
    assert!(status.contains("read-only"), "{status}");
}

#[test]
fn the_page_stays_out_of_the_sidebar_of_a_store_without_other_objects() {
    let mut ui = Ui::demo();
    let text = ui.screen(80, 24);
    assert!(!text.contains("Others"), "{text}");
}

/// Deleting a flow a kept source refers to clears the source's reference (authentik's
/// SET_NULL for a source's flows), says so in the confirmation, and undo brings it back.
#[test]
fn deleting_a_flow_a_kept_object_refers_to_clears_it_and_undo_restores_it() {
    use bindery::model::ObjKind;
    use bindery::model::other::as_ref;
    let mut ui = with_source();
    let flow = tui_common::flow(ui.doc(), tui_common::AUTH_FLOW).id;
    // The confirmation names the change to the kept object.
    ui.keys("1");
    ui.app.list_mut(bindery::tui::app::Page::Flows).select(flow);
    ui.keys("d");
    let text = ui.screen(130, 60);
    assert!(
        text.contains("changes authentik_sources_oauth.oauthsource 'GitHub'"),
        "{text}"
    );
    ui.keys("y");
    let kept = ui.doc().others.iter().next().unwrap().clone();
    assert_eq!(kept.attrs["authentication_flow"], serde_json::Value::Null);
    assert!(bindery::model::check::check_document(ui.doc()).is_empty());
    ui.keys("u");
    let kept = ui.doc().others.iter().next().unwrap();
    assert_eq!(
        as_ref(&kept.attrs["authentication_flow"]),
        Some((ObjKind::Flow, flow))
    );
}
