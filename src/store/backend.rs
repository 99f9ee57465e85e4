//! Where a session's document comes from and goes to. The JSON file ([`JsonFile`](super::JsonFile))
//! is the first; a live authentik over HTTP is meant to be another, so nothing here names a
//! file: a backend keeps its own base version (what it last loaded or committed) and says
//! what it is in its own words.

use super::SaveReport;
use super::error::StoreError;
use crate::edit::Session;
use crate::model::Document;

pub trait Backend {
    /// Reads the current document, which becomes the base version; None when there is none
    /// yet (the first commit creates it).
    fn load(&mut self) -> Result<Option<Document>, StoreError>;

    /// Commits the session's pending patches against the base version, which becomes what
    /// was written. If someone else committed since the base, their document is given to
    /// [`Session::rebase`] first (under whatever exclusion the backend holds while it
    /// commits), and patches that no longer fit come back as conflicts, never forced over
    /// theirs.
    fn commit(&mut self, session: &mut Session) -> Result<SaveReport, StoreError>;

    /// Whether someone else committed since the base version.
    fn changed_since_base(&self) -> Result<bool, StoreError>;

    /// Whether there is a base version (something was loaded or committed).
    fn exists(&self) -> bool;

    /// The error for a document that was there and is gone.
    fn vanished(&self) -> StoreError;

    /// What this backend is, for messages (a file's path, an instance's URL).
    fn describe(&self) -> String;
}
