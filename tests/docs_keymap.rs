//! docs/keymap.md lists every default key: its table is generated from assets/keymap.toml, and
//! this test fails when the two disagree (`BINDERY_BLESS=1 cargo test --test docs_keymap`
//! rewrites the table).

use bindery::tui::Keymap;
use bindery::tui::action::Action;
use bindery::tui::keymap::Mode;

const BEGIN: &str = "<!-- generated: keys -->\n";
const END: &str = "<!-- end: keys -->";

fn table(keymap: &Keymap) -> String {
    let mut out = String::new();
    for mode in Mode::ALL {
        let bindings = keymap.bindings(*mode);
        if bindings.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {}\n\n| keys | action |\n|---|---|\n",
            mode.title()
        ));
        for (action, _) in bindings {
            let keys: Vec<String> = keymap
                .keys_of(*mode, *action)
                .iter()
                .map(|k| format!("`{}`", k.replace('|', "\\|")))
                .collect();
            out.push_str(&format!(
                "| {} | {} |\n",
                keys.join(" "),
                action.description()
            ));
        }
    }
    out.push('\n');
    out
}

#[test]
fn docs_keymap_lists_every_default_key() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/keymap.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let start = doc
        .find(BEGIN)
        .expect("docs/keymap.md has the generated marker")
        + BEGIN.len();
    let end = doc.find(END).expect("docs/keymap.md has the end marker");
    let expected = table(&Keymap::default_keymap());
    if std::env::var_os("BINDERY_BLESS").is_some() {
        let updated = format!("{}{}{}", &doc[..start], expected, &doc[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        doc[start..end],
        expected,
        "docs/keymap.md is out of date: run BINDERY_BLESS=1 cargo test --test docs_keymap"
    );
    // Every action that has a default key is in the table.
    for action in Action::ALL {
        let bound = Mode::ALL
            .iter()
            .any(|m| !Keymap::default_keymap().keys_of(*m, *action).is_empty());
        if bound {
            assert!(doc.contains(action.description()), "{action:?}");
        }
    }
}
