//! The list filter narrows its previous matches while the query only grows (the 16 ms budget
//! over 100,000 names): what it shows after each key must be what scoring every name shows,
//! best first with ties in store order, whatever was typed or deleted before, and after the
//! document changed.

mod tui_common;

use bindery::model::Entity;
use bindery::tui::app::Page;
use bindery::tui::lists::fuzzy_filter;
use tui_common::*;

/// The Stages rows as the filter shows them, and as ranking every stage from scratch would.
fn shown_and_expected(ui: &Ui) -> (Vec<uuid::Uuid>, Vec<uuid::Uuid>) {
    let list = ui.app.list(Page::Stages);
    let all = ui
        .doc()
        .stages
        .iter()
        .map(|s| (s.id(), s.label()))
        .collect();
    (list.rows.clone(), fuzzy_filter(all, &list.filter))
}

#[test]
fn each_key_typed_or_deleted_shows_what_scoring_every_name_shows() {
    let mut ui = Ui::demo();
    ui.keys("2/");
    let mut counts = Vec::new();
    for key in [
        "d", "e", "f", " ", "a", "u", "t", "h", "<BS>", "<BS>", "<BS>", "<BS>", "p", "A", "<BS>",
        "a", "s", "s", "<BS>", "<BS>", "<BS>", "<BS>", "<BS>", "<BS>", "l", "o", "g", "i", "n",
    ] {
        ui.keys(key);
        let (shown, expected) = shown_and_expected(&ui);
        assert_eq!(
            shown,
            expected,
            "after {key:?}: {:?}",
            ui.app.list(Page::Stages).filter
        );
        counts.push(shown.len());
    }
    // The query went through matches and none: the comparison was not vacuous.
    assert!(counts.iter().any(|&n| n > 1), "{counts:?}");
    assert!(
        counts.contains(&0),
        "smart case: 'pA' matches no stage: {counts:?}"
    );
}

#[test]
fn a_filter_kept_across_a_change_to_the_document_ranks_the_changed_document() {
    let mut ui = Ui::demo();
    ui.keys("2/default<Enter>");
    let stages = ui.doc().stages.len();
    let deleted = ui.app.list(Page::Stages).selected_id().unwrap();
    // Delete the selected stage (confirmed), then type more into the kept filter.
    ui.keys("dy");
    assert_eq!(ui.doc().stages.len(), stages - 1);
    ui.keys("/-");
    let (shown, expected) = shown_and_expected(&ui);
    assert_eq!(shown, expected);
    assert!(!shown.contains(&deleted));
}
