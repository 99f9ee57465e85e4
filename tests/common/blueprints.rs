//! Helpers for the blueprint tests: the authentik corpus, importing into a document, the
//! JSON schema, and running the real binary.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use bindery::blueprint::{FileReport, ImportError, ImportOptions, Outcome, Source, import, yaml};
use bindery::edit::Batch;
use bindery::model::Document;
use serde_json::Value;

/// `tests/fixtures/authentik`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/authentik")
}

/// `tests/fixtures/authentik/blueprints`.
pub fn corpus_dir() -> PathBuf {
    fixtures().join("blueprints")
}

/// Every `.yaml` file of the corpus, sorted by path.
pub fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read corpus dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&corpus_dir(), &mut files);
    files.sort();
    files
}

/// A corpus file's path relative to the corpus folder (`default/flow-oobe.yaml`).
pub fn corpus_name(path: &Path) -> String {
    path.strip_prefix(corpus_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A corpus file as an import source named by its relative path.
pub fn corpus_source(path: &Path) -> Source {
    source(
        &corpus_name(path),
        &std::fs::read_to_string(path).expect("read corpus file"),
    )
}

pub fn source(name: &str, text: &str) -> Source {
    Source {
        name: name.to_string(),
        text: text.to_string(),
    }
}

/// Removes the indentation common to all non-blank lines and a leading newline, so inline
/// blueprints can be written indented; line 1 is the first line after the opening quote.
pub fn dedent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line.get(indent..).unwrap_or(""));
        out.push('\n');
    }
    out
}

/// The import options of these helpers: the environment variables that authentik's own
/// blueprints read (`system/bootstrap.yaml`) may be read, nothing else.
pub fn corpus_options() -> ImportOptions {
    ImportOptions {
        allow_env: ["EMAIL", "PASSWORD", "TOKEN"]
            .map(|v| format!("AUTHENTIK_BOOTSTRAP_{v}"))
            .to_vec(),
        ..ImportOptions::default()
    }
}

/// Imports the sources into `doc` as one committed batch with [`corpus_options`]; on an
/// error nothing stays applied.
pub fn import_into(doc: &mut Document, sources: &[Source]) -> Result<Vec<FileReport>, ImportError> {
    import_with(doc, sources, &corpus_options())
}

/// [`import_into`] with the given options.
pub fn import_with(
    doc: &mut Document,
    sources: &[Source],
    options: &ImportOptions,
) -> Result<Vec<FileReport>, ImportError> {
    let mut batch = Batch::new(doc, "import");
    let reports = import(&mut batch, sources, options)?;
    batch.commit();
    Ok(reports)
}

/// Imports one inline blueprint (named `test.yaml`) into `doc`, which must succeed.
pub fn import_ok(doc: &mut Document, text: &str) -> FileReport {
    match import_into(doc, &[source("test.yaml", text)]) {
        Ok(mut reports) => reports.remove(0),
        Err(e) => panic!("import failed: {e}\n--- blueprint ---\n{text}"),
    }
}

/// Imports one inline blueprint into a fresh document.
pub fn import_fresh(text: &str) -> (Document, FileReport) {
    let mut doc = Document::default();
    let report = import_ok(&mut doc, text);
    (doc, report)
}

/// Imports one inline blueprint into `doc`, which must fail and leave `doc` exactly as it was.
pub fn import_err(doc: &mut Document, text: &str) -> ImportError {
    let before = doc.clone();
    let err = match import_into(doc, &[source("test.yaml", text)]) {
        Ok(reports) => panic!("import should have failed: {reports:?}\n{text}"),
        Err(e) => e,
    };
    assert_eq!(*doc, before, "a failed import changed the document");
    err
}

/// The error's `FILE:LINE:COL` prefix is exactly this one, and the message contains `what`.
pub fn assert_error_at(err: &ImportError, file: &str, line: usize, col: usize, what: &str) {
    let text = err.to_string();
    let prefix = format!("{file}:{line}:{col}: ");
    assert!(
        text.starts_with(&prefix),
        "expected an error at {prefix:?}, got {text:?}"
    );
    assert!(
        text.to_lowercase().contains(&what.to_lowercase()),
        "expected {what:?} in {text:?}"
    );
}

/// A JSON value out of a YAML scalar for a quick check.
pub fn parse_one(text: &str) -> yaml::Node {
    let mut docs = yaml::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(docs.len(), 1, "one YAML document");
    docs.remove(0)
}

/// authentik's blueprint JSON schema, compiled once, with format validation on. The schema is
/// draft 7, which has no `uuid` format of its own: authentik's hyphenated UUIDs are checked by
/// a format registered here.
pub fn schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let text = std::fs::read_to_string(fixtures().join("schema.json")).expect("schema.json");
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .with_format("uuid", |s: &str| {
                s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
            })
            .build(&schema)
            .expect("schema compiles")
    })
}

/// Schema errors of a value (empty when valid), one line each.
pub fn schema_errors(value: &Value) -> Vec<String> {
    schema()
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

pub fn is_created(o: &Outcome) -> bool {
    matches!(o, Outcome::Created(_))
}

pub fn is_skipped(o: &Outcome) -> bool {
    matches!(o, Outcome::ConditionFalse { .. })
}
