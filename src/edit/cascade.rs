//! What deleting an object takes with it, as authentik's foreign keys decide: bindings that
//! point at a deleted object go too (CASCADE); other references are cleared (SET_NULL and
//! many-to-many links).

use std::collections::HashSet;

use uuid::Uuid;

use super::patch::Change;
use crate::model::{Document, ObjKind, OnDelete, Ref};

/// The changes that delete `root` and everything that cascades from it, ordered so that
/// applying them in sequence and undoing them in reverse restores every object at its index.
pub fn delete_changes(doc: &Document, kind: ObjKind, root: Uuid) -> Vec<Change> {
    let mut doomed: HashSet<Uuid> = HashSet::from([root]);
    let mut found = vec![(kind, root)];
    let mut refs: Vec<Ref> = Vec::new();
    loop {
        let mut grew = Vec::new();
        doc.for_each(|k, _, object| {
            if doomed.contains(&object.view_id()) {
                return;
            }
            refs.clear();
            object.view_refs(&mut refs);
            if refs
                .iter()
                .any(|r| r.on_delete == OnDelete::Cascade && doomed.contains(&r.id))
            {
                grew.push((k, object.view_id()));
            }
        });
        if grew.is_empty() {
            break;
        }
        for (k, id) in grew {
            doomed.insert(id);
            found.push((k, id));
        }
    }

    let mut deletes: Vec<Change> = found
        .into_iter()
        .filter_map(|(k, id)| {
            let before = doc.get(k, id)?;
            Some(Change {
                kind: k,
                id,
                index: doc.index_of(k, id)?,
                before: Some(before),
                after: None,
            })
        })
        .collect();
    // Within a table, remove from the highest index down so that recorded indices stay valid.
    deletes.sort_by(|a, b| a.kind.cmp(&b.kind).then(b.index.cmp(&a.index)));

    let mut clears = Vec::new();
    doc.for_each(|k, index, object| {
        if doomed.contains(&object.view_id()) {
            return;
        }
        refs.clear();
        object.view_refs(&mut refs);
        if refs.iter().any(|r| doomed.contains(&r.id)) {
            clears.push((k, index, object.view_id()));
        }
    });
    let mut changes = Vec::new();
    for (k, index, id) in clears {
        let Some(before) = doc.get(k, id) else {
            continue;
        };
        let mut after = before.clone();
        for gone in &doomed {
            after.clear_ref(*gone);
        }
        changes.push(Change {
            kind: k,
            id,
            index,
            before: Some(before),
            after: Some(after),
        });
    }
    changes.extend(deletes);
    changes
}
