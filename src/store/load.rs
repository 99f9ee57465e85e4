//! Reading a store file: version first, then the whole document with errors that name the
//! line, the column and the JSON path.

use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::error::StoreError;
use crate::model::{Document, SCHEMA_VERSION};

/// The SHA-256 of a store's bytes: with the generation it tells whether anyone wrote since.
pub type Hash = [u8; 32];

pub fn hash(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// The first read of a file: just its version, skipping everything else cheaply.
#[derive(Deserialize)]
struct Header {
    schema_version: Option<serde_json::Value>,
}

fn parse_error(path: &Path, err: &serde_json::Error, json_path: Option<String>) -> StoreError {
    let message = match json_path {
        Some(at) if at != "." && !at.is_empty() => {
            format!("{err_text} (at {at})", err_text = strip_position(err))
        }
        _ => strip_position(err),
    };
    StoreError::Parse {
        path: path.to_path_buf(),
        line: err.line(),
        column: err.column(),
        message,
    }
}

/// serde_json appends " at line L column C"; the error names the position itself.
fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Parses a store file's bytes, refusing files from a newer bindery and migrating older ones.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Document, StoreError> {
    parse_versioned(path, bytes).map(|(doc, _)| doc)
}

/// Like [`parse`], also giving the schema version the file was written in.
pub fn parse_versioned(path: &Path, bytes: &[u8]) -> Result<(Document, u32), StoreError> {
    // The usual case, a valid store of a version this bindery reads, costs one plain parse.
    // Anything else is read again the careful way, which names what is wrong and where: a
    // parse that tracks the JSON path costs almost twice as much, and a start-up pays for it.
    if let Some(found) = parse_current(bytes) {
        return Ok(found);
    }
    let header: Header =
        serde_json::from_slice(bytes).map_err(|err| parse_error(path, &err, None))?;
    let found = match header.schema_version {
        None => {
            return Err(not_a_store(path, "it has no schema_version"));
        }
        Some(value) => value
            .as_u64()
            .ok_or_else(|| not_a_store(path, "schema_version is not a whole number"))?,
    };
    if found > u64::from(SCHEMA_VERSION) {
        return Err(StoreError::Newer {
            path: path.to_path_buf(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
            supported: SCHEMA_VERSION,
        });
    }
    if found < 1 {
        return Err(not_a_store(
            path,
            "schema_version 0 has never existed (the first is 1)",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut doc: Document = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let at = err.path().to_string();
        parse_error(path, err.inner(), Some(at))
    })?;
    de.end().map_err(|err| parse_error(path, &err, None))?;
    migrate(&mut doc);
    Ok((doc, found as u32))
}

/// A document of a supported version, parsed without tracking where errors are; None when
/// anything is amiss (the careful parse then says what).
fn parse_current(bytes: &[u8]) -> Option<(Document, u32)> {
    // serde reads a struct from an array too (`[1, 2]` would be version 1, generation 2): a
    // store is an object, and anything else is for the careful parse to refuse.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut doc = Document::deserialize(&mut de).ok()?;
    de.end().ok()?;
    let found = doc.schema_version;
    if !(1..=SCHEMA_VERSION).contains(&found) {
        return None;
    }
    migrate(&mut doc);
    Some((doc, found))
}

/// Brings an older format up to date. Version 1 is version 2 without the change log, which
/// reading already filled in as empty; version 2 is version 3 without entry ids (numbered
/// here, oldest first, from 1) and without images (its entries cannot be reverted).
fn migrate(doc: &mut Document) {
    if doc.schema_version < SCHEMA_VERSION {
        doc.schema_version = SCHEMA_VERSION;
    }
    let mut last = 0;
    for entry in &mut doc.log {
        if entry.id <= last {
            entry.id = last + 1;
        }
        last = entry.id;
    }
}

fn not_a_store(path: &Path, why: &str) -> StoreError {
    StoreError::NotAStore {
        path: path.to_path_buf(),
        why: why.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(text: &str) -> Result<(Document, u32), StoreError> {
        parse_versioned(Path::new("s.json"), text.as_bytes())
    }

    /// The quick parse takes only what the careful one would accept, with the same result.
    #[test]
    fn the_quick_parse_accepts_nothing_the_careful_one_refuses() {
        let (doc, found) = open("{\"schema_version\": 1, \"generation\": 4}").unwrap();
        assert_eq!(
            (doc.schema_version, doc.generation, found),
            (SCHEMA_VERSION, 4, 1)
        );
        // Well-formed documents the quick parse reads, of versions that do not exist here.
        let newer = format!(
            "{{\"schema_version\": {}, \"generation\": 0}}",
            SCHEMA_VERSION + 1
        );
        assert!(matches!(open(&newer), Err(StoreError::Newer { .. })));
        assert!(matches!(
            open("{\"schema_version\": 0, \"generation\": 0}"),
            Err(StoreError::NotAStore { .. })
        ));
        // A struct can be read from an array; a store cannot.
        assert!(matches!(open(" [2, 0]"), Err(StoreError::Parse { .. })));
        // The careful parse names where a document is wrong.
        let err = open("{\"schema_version\": 2, \"generation\": 0, \"flows\": [{\"id\": 5}]}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("flows[0]"), "{err}");
    }

    /// Entries of a version 2 store have no ids: they are numbered, oldest first, after any
    /// they already have.
    #[test]
    fn older_log_entries_are_numbered() {
        let entry = |id: &str| {
            format!("{{{id}\"at\": \"t\", \"user\": \"u\", \"operation\": \"o\", \"objects\": []}}")
        };
        let text = format!(
            "{{\"schema_version\": 2, \"generation\": 1, \"log\": [{}, {}, {}]}}",
            entry(""),
            entry("\"id\": 7, "),
            entry("")
        );
        let (doc, found) = open(&text).unwrap();
        assert_eq!(found, 2);
        let ids: Vec<u64> = doc.log.iter().map(|e| e.id).collect();
        assert_eq!(ids, [1, 7, 8]);
    }
}
