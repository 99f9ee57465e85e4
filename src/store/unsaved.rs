//! A change that did not reach the disk, for whoever reports it (a command's stderr, the UI's
//! `screen` replay).

use super::StoreError;
use crate::edit::Conflict;

/// A change that did not reach the disk: what it was, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsaved {
    pub change: String,
    pub why: String,
    /// The new version is in place but was not flushed to disk: it may be lost.
    pub in_place: bool,
}

impl Unsaved {
    /// A change someone else's save made impossible; `why` gives both sides.
    pub fn conflict(conflict: &Conflict) -> Unsaved {
        Unsaved {
            change: conflict.label.clone(),
            why: format!("conflict: {}; their version is kept", conflict.detail),
            in_place: false,
        }
    }

    /// Each change of a save that failed.
    pub fn failed(changes: Vec<String>, err: &StoreError) -> Vec<Unsaved> {
        changes
            .into_iter()
            .map(|change| Unsaved {
                change,
                why: err.to_string(),
                in_place: matches!(err, StoreError::NotDurable { .. }),
            })
            .collect()
    }
}
