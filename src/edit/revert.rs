//! Reverting a change-log entry after the session that made it is gone: the inverse of what
//! the entry saved, applied as a new change under undo's rule (every object it touches must
//! still be as the entry left it), and refused if it would break the store's integrity (a
//! revived binding whose stage was deleted since, say).

use std::collections::BTreeSet;

use super::patch::{Change, Patch};
use crate::model::check::check_document;
use crate::model::{Document, Obj};

/// Why an entry cannot be reverted; the document is unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RevertError {
    #[error("there is no change-log entry {0} (`bindery log` lists them)")]
    Unknown(String),
    #[error(
        "entry {id} ({operation}) cannot be reverted: the change log keeps what reverting needs only for its newest entries of at most {per_entry} objects; restore a backup with `bindery doctor` instead"
    )]
    NoImages {
        id: u64,
        operation: String,
        per_entry: usize,
    },
    #[error("entry {id} ({operation}) cannot be reverted: {detail}; nothing was changed")]
    Conflict {
        id: u64,
        operation: String,
        detail: String,
    },
}

/// The patch that reverts the log entry `id` of `doc`, checked against `doc` as it is now but
/// not applied: every object must be as the entry left it, and the result must not add
/// integrity problems. `id` is the entry's number as `bindery log` shows it (`#12` or `12`).
pub fn revert_patch(doc: &Document, id: &str) -> Result<Patch, RevertError> {
    let unknown = || RevertError::Unknown(id.to_string());
    let number: u64 = id
        .strip_prefix('#')
        .unwrap_or(id)
        .parse()
        .map_err(|_| unknown())?;
    let entry = doc
        .log
        .iter()
        .find(|e| e.id == number)
        .ok_or_else(unknown)?;
    let refuse = |detail: String| RevertError::Conflict {
        id: entry.id,
        operation: entry.operation.clone(),
        detail,
    };
    let images = entry.images.as_ref().ok_or_else(|| RevertError::NoImages {
        id: entry.id,
        operation: entry.operation.clone(),
        per_entry: crate::store::REVERT_ENTRY_IMAGES,
    })?;
    let read = |image: &Option<serde_json::Value>, kind| {
        image
            .clone()
            .map(|v| Obj::from_json(kind, v))
            .transpose()
            .map_err(|e| refuse(format!("its saved images do not read back ({e})")))
    };
    // The inverse of what the entry did: its after images become the before, last first.
    let mut changes = Vec::with_capacity(images.len());
    for image in images.iter().rev() {
        changes.push(Change {
            kind: image.kind,
            id: image.id,
            index: image.index,
            before: read(&image.after, image.kind)?,
            after: read(&image.before, image.kind)?,
        });
    }
    let patch = Patch {
        label: format!("revert: {}", entry.operation),
        changes: changes.into(),
    };
    let mut after = doc.clone();
    patch.apply(&mut after).map_err(|c| refuse(c.detail))?;
    let known: BTreeSet<_> = check_document(doc).into_iter().collect();
    let fresh: Vec<String> = check_document(&after)
        .into_iter()
        .filter(|p| !known.contains(p))
        .map(|p| p.to_string())
        .collect();
    if !fresh.is_empty() {
        return Err(refuse(format!(
            "the store has changed since in a way it does not fit: {}",
            fresh.join("; ")
        )));
    }
    Ok(patch)
}
