//! The list filter narrows its previous matches while the query only grows (the 16 ms budget
//! over 100,000 names): what it shows after each key must be what scoring every name shows,
//! best first with ties in store order, whatever was typed or deleted before, and after the
//! document changed.

mod tui_common;

use bindery::model::Entity;
use bindery::tui::app::Page;
use bindery::tui::fuzzy::rank_with_types;
use tui_common::*;

/// The Stages rows as the filter shows them, and as ranking every stage (name and type) from
/// scratch would.
fn shown_and_expected(ui: &Ui) -> (Vec<uuid::Uuid>, Vec<uuid::Uuid>) {
    let list = ui.app.list(Page::Stages);
    let stages = &ui.doc().stages;
    let expected = if list.filter.trim().is_empty() {
        stages.iter().map(|s| s.id()).collect()
    } else {
        rank_with_types(
            stages
                .iter()
                .enumerate()
                .map(|(i, s)| (i, s.label(), s.kind.short())),
            &list.filter,
        )
        .into_iter()
        .map(|i| stages.get_index(i).unwrap().id())
        .collect()
    };
    (list.rows.clone(), expected)
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
