//! Mouse clicks land where the screen shows things: sidebar pages, flow page tabs, rows.

use bindery::tui::app::{FlowTab, Page, Screen};
use bindery::tui::screen::{buffer_text, render};
use bindery::tui::update::click;
use bindery::tui::{Keymap, Theme};
use ratatui::layout::Rect;

fn demo() -> (tempfile::TempDir, bindery::tui::App) {
    let dir = tempfile::tempdir().unwrap();
    let app = bindery::tui::open_app(
        &dir.path().join("store.json"),
        Keymap::default_keymap(),
        true,
    )
    .unwrap();
    (dir, app)
}

/// The screen position of the first occurrence of `text`.
fn find(screen: &str, text: &str) -> (u16, u16) {
    for (y, line) in screen.lines().enumerate() {
        if let Some(byte) = line.find(text) {
            return (line[..byte].chars().count() as u16, y as u16);
        }
    }
    panic!("{text:?} is not on screen:\n{screen}");
}

#[test]
fn clicks_select_pages_tabs_and_rows() {
    let (_dir, mut app) = demo();
    let area = Rect::new(0, 0, 100, 30);
    let theme = Theme::monochrome();
    let screen = buffer_text(&render(&mut app, &theme, 100, 30));
    let (x, y) = find(&screen, "4 Users");
    click(&mut app, area, x, y);
    assert!(matches!(app.screen, Screen::List(Page::Users)));

    let (x, y) = find(&screen, "1 Flows");
    click(&mut app, area, x, y);
    let screen = buffer_text(&render(&mut app, &theme, 100, 30));
    let (x, y) = find(&screen, "default-password-change");
    click(&mut app, area, x, y);
    assert_eq!(app.list(Page::Flows).selected, 2);
    click(&mut app, area, x, y);
    let Screen::Flow(fp) = &app.screen else {
        panic!("a second click opens the flow")
    };
    assert_eq!(
        app.store.doc().flows.get(fp.flow).unwrap().slug,
        "default-password-change"
    );

    let screen = buffer_text(&render(&mut app, &theme, 100, 30));
    let (x, y) = find(&screen, "Overview");
    click(&mut app, area, x + 2, y);
    let Screen::Flow(fp) = &app.screen else {
        unreachable!()
    };
    assert_eq!(fp.tab, FlowTab::Overview);
    let (x, y) = find(&screen, "| Bindings");
    click(&mut app, area, x + 4, y);
    let Screen::Flow(fp) = &app.screen else {
        unreachable!()
    };
    assert_eq!(fp.tab, FlowTab::FlowBindings);

    // Nothing happens on empty space or while a dialog is open.
    click(&mut app, area, 99, 29);
    let Screen::Flow(fp) = &app.screen else {
        unreachable!()
    };
    assert_eq!(fp.tab, FlowTab::FlowBindings);
}
