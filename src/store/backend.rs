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

#[cfg(test)]
mod tests {
    //! A backend with no file behind it, as a remote one would be: the session over it edits,
    //! saves, and meets someone else's commit exactly as over the JSON file.

    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::edit::Op;
    use crate::model::{Group, Obj};
    use crate::store::Store;

    /// A document and its version, shared by every handle on it.
    type Shared = Rc<RefCell<Option<(u64, Document)>>>;

    struct Memory {
        shared: Shared,
        base: Option<u64>,
    }

    impl Backend for Memory {
        fn load(&mut self) -> Result<Option<Document>, StoreError> {
            let shared = self.shared.borrow();
            self.base = shared.as_ref().map(|(v, _)| *v);
            Ok(shared.as_ref().map(|(_, doc)| doc.clone()))
        }

        fn commit(&mut self, session: &mut Session) -> Result<SaveReport, StoreError> {
            let mut shared = self.shared.borrow_mut();
            let mut report = SaveReport::default();
            if let Some((version, theirs)) = shared.as_ref()
                && Some(*version) != self.base
            {
                report.conflicts = session.rebase(theirs.clone());
                report.merged = true;
            }
            let version = shared.as_ref().map_or(1, |(v, _)| v + 1);
            *shared = Some((version, session.doc().clone()));
            self.base = Some(version);
            session.committed();
            report.generation = version;
            Ok(report)
        }

        fn changed_since_base(&self) -> Result<bool, StoreError> {
            Ok(self.shared.borrow().as_ref().map(|(v, _)| *v) != self.base)
        }

        fn exists(&self) -> bool {
            self.base.is_some()
        }

        fn vanished(&self) -> StoreError {
            StoreError::io(
                std::path::Path::new("memory"),
                std::io::ErrorKind::NotFound.into(),
            )
        }

        fn describe(&self) -> String {
            "memory".into()
        }
    }

    fn handle(shared: &Shared) -> Store<Memory> {
        Store::over(Memory {
            shared: shared.clone(),
            base: None,
        })
        .map_err(|(e, _)| e)
        .unwrap()
    }

    #[test]
    fn a_session_over_another_backend_saves_merges_and_conflicts() {
        let shared = Shared::default();
        let mut alice = handle(&shared);
        assert!(!alice.exists());
        let group = Group::new("staff");
        alice.apply(&Op::Create(Obj::Group(group.clone()))).unwrap();
        assert_eq!(alice.save().unwrap().generation, 1);
        let mut bob = handle(&shared);
        assert_eq!(bob.doc().groups.len(), 1);

        // Both rename the same group: the first save wins, the second is a conflict.
        let renamed = |name: &str| {
            let mut g = group.clone();
            g.name = name.into();
            Op::Update(Obj::Group(g))
        };
        alice.apply(&renamed("admins")).unwrap();
        bob.apply(&renamed("owners")).unwrap();
        bob.apply(&Op::Create(Obj::Group(Group::new("extra"))))
            .unwrap();
        alice.save().unwrap();
        assert!(bob.changed_on_disk().unwrap());
        let report = bob.save().unwrap();
        assert!(report.merged);
        assert_eq!(report.conflicts.len(), 1, "{:?}", report.conflicts);
        let names: Vec<&str> = bob.doc().groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["admins", "extra"]);

        // Undo goes through the session alone, whatever the backend.
        bob.undo().unwrap();
        bob.save().unwrap();
        alice.reload().unwrap();
        assert_eq!(alice.doc().groups.len(), 1);
    }
}
