//! Every resource an import can make bindery spend is bounded (`src/blueprint/limits.rs`), and
//! the error names the bound, the file, the position and the entry: the bombs of issue 11,
//! each a little past its limit. No input panics, aborts or grows without bound.

mod common;

use bindery::blueprint::ImportOptions;
use bindery::blueprint::limits::{
    MAX_ALIAS_BYTES, MAX_FILE_BYTES, MAX_FORMAT_WIDTH, MAX_TAG_OUTPUT_BYTES,
};
use bindery::model::Document;
use common::blueprints::*;
use common::run::{bindery, text};

/// A blueprint with one group `g` whose attribute `x` is `expr`, written at line 7, column 12.
fn group_with(expr: &str) -> String {
    format!(
        "version: 1\n\
         entries:\n  \
           - model: authentik_core.group\n    \
             identifiers: {{name: g}}\n    \
             attrs:\n      \
               attributes:\n        \
                 x: {expr}\n"
    )
}

fn fails_with(text: &str, line: usize, col: usize, what: &str) {
    let err = import_err(&mut Document::default(), text);
    assert_error_at(&err, "test.yaml", line, col, what);
    assert_eq!(
        err.entry.as_ref().map(|(n, m)| (*n, m.as_str())),
        Some((1, "authentik_core.group")),
        "{err}"
    );
}

#[test]
fn format_width_and_precision_are_bounded() {
    // Rust's formatter panicked on a precision past 65535.
    fails_with(
        &group_with("!Format ['%.70000f', 1.5]"),
        7,
        12,
        &format!("precision 70000 is over the limit of {MAX_FORMAT_WIDTH} (MAX_FORMAT_WIDTH)"),
    );
    // A 3 GB width was a 6 GB allocation.
    fails_with(
        &group_with("!Format ['%3000000000s', a]"),
        7,
        12,
        "width 3000000000 is over the limit",
    );
    // Up to the limit, formatted as Python does.
    let (doc, _) = import_fresh(&group_with(&format!("!Format ['%{MAX_FORMAT_WIDTH}s', a]")));
    let x = &doc.groups.iter().next().unwrap().attributes["x"];
    assert_eq!(x.as_str().unwrap().len(), MAX_FORMAT_WIDTH);
}

#[test]
fn bytes_copied_through_aliases_are_bounded() {
    // A 100 kB string aliased 200 times: 200 nodes, far under the node limit, 20 MB of text.
    let big = "a".repeat(100_000);
    let text = format!(
        "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {{name: g}}\n    \
         attrs:\n      attributes:\n        big: &big '{big}'\n        many: [{}]\n",
        vec!["*big"; 200].join(", ")
    );
    let err = import_err(&mut Document::default(), &text);
    // The alias that crosses the limit: the 168th (167 copies are 16.7 MB).
    let crossing = MAX_ALIAS_BYTES / big.len() + 1;
    assert_error_at(
        &err,
        "test.yaml",
        8,
        16 + 6 * (crossing - 1),
        &format!("aliases expand to more than {MAX_ALIAS_BYTES} bytes of text"),
    );
    // A few copies are fine.
    let few = text.replace(&vec!["*big"; 200].join(", "), "*big, *big");
    let (doc, _) = import_fresh(&few);
    assert_eq!(doc.groups.iter().next().unwrap().attributes["many"][1], big);
}

#[test]
fn what_tags_produce_is_bounded() {
    // !Enumerate nested 8 deep over 20 items: 20^8 values. It aborted.
    let list = format!(
        "[{}]",
        (0..20).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
    );
    let mut expr = "!Value 0".to_string();
    for _ in 0..8 {
        expr = format!("!Enumerate [{list}, SEQ, {expr}]");
    }
    let err = import_err(&mut Document::default(), &group_with(&expr));
    assert_eq!(err.file, "test.yaml");
    assert_eq!(err.mark.line, 7, "{err}");
    assert!(
        err.message.contains(&format!(
            "tags produce more than {MAX_TAG_OUTPUT_BYTES} bytes"
        )),
        "{err}"
    );
    // One !Format may not go past what is left either: 8000 conversions of 9999 characters.
    let wide = "%9999s".repeat(8000);
    let args = vec!["a"; 8000].join(", ");
    fails_with(
        &group_with(&format!("!Format ['{wide}', {args}]")),
        7,
        12,
        "MAX_TAG_OUTPUT_BYTES",
    );
    // Small loops are untouched.
    let (doc, _) = import_fresh(&group_with(
        "!Enumerate [[a, b], SEQ, !Enumerate [[1, 2], SEQ, !Format ['%s%s', !Value 1, !Value 0]]]",
    ));
    assert_eq!(
        doc.groups.iter().next().unwrap().attributes["x"],
        serde_json::json!([["a1", "a2"], ["b1", "b2"]])
    );
}

fn allow(dir: &std::path::Path) -> ImportOptions {
    ImportOptions {
        allow_files: vec![dir.to_path_buf()],
        ..ImportOptions::default()
    }
}

fn file_error(options: &ImportOptions, path: &std::path::Path, what: &str) {
    let text = group_with(&format!("!File ['{}', fallback]", path.display()));
    let mut doc = Document::default();
    let err = import_with(&mut doc, &[source("test.yaml", &text)], options)
        .expect_err("the read is refused");
    assert_error_at(&err, "test.yaml", 7, 12, what);
    assert_eq!(doc, Document::default());
}

#[test]
fn file_reads_only_regular_files_up_to_a_size() {
    let dir = tempfile::tempdir().unwrap();
    // A FIFO with no writer: opening it blocked forever.
    let fifo = dir.path().join("fifo");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    file_error(&allow(dir.path()), &fifo, "not a regular file");
    // /dev/zero: reading it grew without end.
    file_error(
        &allow(std::path::Path::new("/dev")),
        std::path::Path::new("/dev/zero"),
        "not a regular file",
    );
    // A regular file past the size limit.
    let big = dir.path().join("big.txt");
    std::fs::write(&big, vec![b'x'; MAX_FILE_BYTES as usize + 1]).unwrap();
    file_error(
        &allow(dir.path()),
        &big,
        &format!("larger than the limit of {MAX_FILE_BYTES} bytes"),
    );
    // At the limit it is read; the group's attributes then hold more than one field may
    // (the model's own limit, `model::limits::MAX_VALUE_BYTES`), which the edit layer names.
    std::fs::write(&big, vec![b'x'; MAX_FILE_BYTES as usize]).unwrap();
    let text = group_with(&format!("!File '{}'", big.display()));
    let mut doc = Document::default();
    let err = import_with(&mut doc, &[source("test.yaml", &text)], &allow(dir.path()))
        .expect_err("a 1 MiB attribute value is more than one field may hold");
    assert!(
        err.message.contains("attributes: is") && err.message.contains("bytes as JSON"),
        "{err:?}"
    );
    // Under both limits it is read and kept.
    let size = MAX_FILE_BYTES as usize / 2;
    std::fs::write(&big, vec![b'x'; size]).unwrap();
    let text = group_with(&format!("!File '{}'", big.display()));
    let mut doc = Document::default();
    import_with(&mut doc, &[source("test.yaml", &text)], &allow(dir.path())).unwrap();
    let x = &doc.groups.iter().next().unwrap().attributes["x"];
    assert_eq!(x.as_str().unwrap().len(), size);
}

/// Through the real binary: a bomb is exit 1 with the position, the entry and the limit, and
/// the store is not touched.
#[test]
fn a_bomb_is_a_clean_error_from_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    assert!(bindery(&store, &["init"]).status.success());
    let before = std::fs::read(&store).unwrap();
    let file = dir.path().join("bomb.yaml");
    std::fs::write(&file, group_with("!Format ['%.70000f', 1.5]")).unwrap();
    let out = bindery(&store, &["import", file.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:7:12: entry 1 (authentik_core.group): !Format: precision 70000 is over the limit",
            file.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(std::fs::read(&store).unwrap(), before);
}

#[test]
fn loops_of_lookups_are_bounded() {
    // Each !Find walks the objects of its kind: 10,000 lookups over 1,000 groups.
    let mut doc = Document::default();
    for i in 0..1000 {
        doc.groups
            .put(bindery::model::Group::new(&format!("group-{i}")));
    }
    let hundred = format!(
        "[{}]",
        (0..100)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let expr = format!(
        "!Enumerate [{hundred}, SEQ, !Enumerate [{hundred}, SEQ, \
         !Find [authentik_core.group, [name, nope]]]]"
    );
    let err = import_err(&mut doc, &group_with(&expr));
    assert!(err.message.contains("MAX_TAG_OUTPUT_BYTES"), "{err}");
    assert_eq!(err.mark.line, 7, "{err}");
    // A few lookups are fine.
    let report = import_ok(
        &mut doc,
        &group_with("!Find [authentik_core.group, [name, group-7]]"),
    );
    assert_eq!(report.outcomes.len(), 1);
}

#[test]
fn an_index_past_any_loop_is_an_error_not_a_panic() {
    // `depth + 1` overflowed: a panic in a debug build, an index out of bounds in a release one.
    fails_with(
        &group_with("!Enumerate [[1], SEQ, !Index 18446744073709551615]"),
        7,
        34,
        "only 1 enclosing !Enumerate",
    );
}
