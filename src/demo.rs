//! The demo store: authentik's default flows and a small directory of users and groups,
//! created in one place for `bindery init --demo` and for the UI's first start.

use crate::blueprint::{self, ImportError, ImportOptions, Source};
use crate::store::Store;

/// The demo blueprint, embedded in the binary.
pub const BLUEPRINT: &str = include_str!("../assets/demo.yaml");

/// What creating the demo is called in the change log.
pub const LABEL: &str = "create the demo";

/// Applies the demo to `store` in memory as one step (saving is the caller's). The step is
/// not in the undo history: a freshly created demo is a starting point, not an edit to undo.
pub fn create(store: &mut Store) -> Result<(), ImportError> {
    let demo = [Source {
        name: "demo.yaml".into(),
        text: BLUEPRINT.to_string(),
    }];
    store.apply_batch(LABEL, |batch| {
        blueprint::import(batch, &demo, &ImportOptions::default())
    })?;
    store.forget_history();
    Ok(())
}
