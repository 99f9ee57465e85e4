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

/// A filter over more names than one step scores shows the matches found so far at once, and
/// the rest as the event loop runs its steps; typing on meanwhile narrows what it found and
/// what it has yet to score. Once settled, the rows are what scoring every name shows.
#[test]
fn a_long_list_is_ranked_a_step_at_a_time_and_settles_on_the_full_ranking() {
    use bindery::generate::{Sizes, generate};
    use bindery::tui::lists::STEP;
    use bindery::tui::update::handle_key;
    use bindery::tui::{App, Keymap};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.json");
    let users = STEP * 2 + STEP / 2;
    let sizes = Sizes {
        flows: 1,
        stages: 1,
        stage_bindings: 0,
        policy_bindings: 0,
        users,
        groups: 0,
        group_depth: 0,
        first_flow_bindings: 0,
        seed: 7,
    };
    bindery::store::Store::create(&path, generate(sizes)).unwrap();
    let mut app = App::new(
        bindery::store::Store::open(&path).unwrap(),
        Keymap::default_keymap(),
    );
    let full = |app: &App| -> Vec<uuid::Uuid> {
        let users = &app.store.doc().users;
        let filter = &app.list(Page::Users).filter;
        rank_with_types(
            users.iter().enumerate().map(|(i, u)| (i, u.label(), "")),
            filter,
        )
        .into_iter()
        .map(|i| users.get_index(i).unwrap().id())
        .collect()
    };
    for key in bindery::tui::keys::parse_keys("4/u").unwrap() {
        handle_key(&mut app, key);
    }
    let (done, all) = app
        .list(Page::Users)
        .pending
        .as_ref()
        .expect("under way")
        .progress();
    assert_eq!((done, all), (STEP, users), "one step per key");
    assert!(
        !app.list(Page::Users).rows.is_empty(),
        "the matches so far are shown"
    );
    // The next key narrows what the first found and what it had yet to score.
    for key in bindery::tui::keys::parse_keys("ser1").unwrap() {
        handle_key(&mut app, key);
    }
    assert!(app.ranking());
    app.finish_ranking();
    assert!(!app.ranking());
    assert_eq!(app.list(Page::Users).rows, full(&app));
    assert!(app.list(Page::Users).rows.len() > 1000);
    // Backspace widens: every name is scored again.
    handle_key(&mut app, bindery::tui::keys::parse_keys("<BS>").unwrap()[0]);
    app.finish_ranking();
    assert_eq!(app.list(Page::Users).rows, full(&app));
}
