//! What each fuzz target does with one input, shared by the cargo-fuzz targets under `fuzz/`
//! (included with `#[path]`) and by `tests/fuzz_regressions.rs`, which replays the kept corpus
//! and every crash reproducer in `tests/fixtures/fuzz/<target>/` on every `cargo test`.
//!
//! Each function may return early on input it rejects; it panics only when bindery breaks a
//! promise: a panic inside bindery, or a stated invariant that does not hold.
#![allow(dead_code)]

use std::path::Path;

use bindery::blueprint::{ImportOptions, Source, export_all, import, yaml};
use bindery::edit::Batch;
use bindery::model::Document;
use bindery::model::check::check_document;
use bindery::tui::keys::parse_keys;
use bindery::tui::update::handle_key;
use bindery::tui::{self, Effect, Keymap, Theme, screen};

/// What a fuzz target does with one input.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name (as `fuzz/fuzz_targets/<name>.rs` and the fixture folders).
pub const TARGETS: &[(&str, Target)] = &[
    ("store_parse", store_parse),
    ("blueprint_import", blueprint_import),
    ("key_replay", key_replay),
];

/// Loading a store file: any bytes give a document or an error. A document that loads checks
/// without panicking, and saving it gives bytes that load to the same document.
pub fn store_parse(data: &[u8]) {
    let path = Path::new("fuzz/store.json");
    let Ok(doc) = bindery::store::parse(path, data) else {
        return;
    };
    let _ = check_document(&doc);
    let bytes = serde_json::to_vec_pretty(&doc).expect("a loaded store serialises");
    let again = bindery::store::parse(path, &bytes).expect("a saved store loads");
    assert!(again == doc, "a store changed across save and load");
}

/// Importing a blueprint into a fresh store through a batch: any text gives reports or an
/// error; a successful import leaves no integrity problem, and the whole store then exports
/// as YAML that parses.
pub fn blueprint_import(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut doc = Document::default();
    let sources = [Source {
        name: "fuzz.yaml".into(),
        text: text.to_string(),
    }];
    let mut batch = Batch::new(&mut doc, "fuzz");
    // `!File` may read under /dev, where files are devices and FIFOs (the checks run);
    // everywhere else, and for `!Env` but one variable, the default refusal. Tags may produce
    // 1 MiB, not 64: a bomb then ends within a run's time and the fuzzer moves on.
    let options = ImportOptions {
        allow_files: vec!["/dev".into()],
        allow_env: vec!["BINDERY_FUZZ_ENV".into()],
        max_tag_output: 1 << 20,
    };
    if import(&mut batch, &sources, &options).is_err() {
        return; // dropped uncommitted: rolled back
    }
    batch.commit();
    let problems = check_document(&doc);
    assert!(
        problems.is_empty(),
        "an import left integrity problems: {problems:?}"
    );
    let emitted = yaml::emit(&export_all(&doc));
    if let Err(e) = yaml::parse(&emitted) {
        panic!("the export of an imported store does not parse: {e}\n{emitted}");
    }
}

/// Replaying keys (`screen --keys` notation) on the demo store, saves not carried out (as
/// `--dry-run`), then drawing the result at a size taken from the input.
pub fn key_replay(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(keys) = parse_keys(text) else {
        return;
    };
    // A path that does not exist: the demo is built in memory and, dry, never written.
    let mut app = tui::open_app(
        Path::new("/nonexistent/bindery-fuzz/store.json"),
        Keymap::default_keymap(),
        true,
    )
    .expect("the demo opens");
    for key in keys.iter().take(400) {
        if handle_key(&mut app, *key).contains(&Effect::Quit) {
            break;
        }
    }
    let width = 20 + (data.len() % 100) as u16;
    let height = 5 + (data.len() % 30) as u16;
    let _ = screen::render(&mut app, &Theme::monochrome(), width, height);
}
