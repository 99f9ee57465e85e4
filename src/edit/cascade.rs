//! What deleting an object takes with it, as authentik's foreign keys decide: bindings that
//! point at a deleted object go too (CASCADE); other references are cleared (SET_NULL and
//! many-to-many links).

use std::collections::HashSet;

use foldhash::{HashMap, HashMapExt};

use uuid::Uuid;

use super::patch::{Change, Patch};
use crate::model::{Document, ObjKind, OnDelete, Ref};

/// Who refers to each object, for a batch of many deletes: candidates only, each checked
/// against the document (a reference since cleared or an object since deleted fails).
#[derive(Debug, Default)]
pub struct Referrers {
    of: HashMap<Uuid, Vec<(ObjKind, Uuid)>>,
}

impl Referrers {
    pub fn build(doc: &Document) -> Referrers {
        let mut of: HashMap<Uuid, Vec<(ObjKind, Uuid)>> = HashMap::new();
        let mut refs: Vec<Ref> = Vec::new();
        doc.for_each(|kind, _, object| {
            refs.clear();
            object.view_refs(&mut refs);
            for r in &refs {
                of.entry(r.id).or_default().push((kind, object.view_id()));
            }
        });
        Referrers { of }
    }

    /// Adds the references a change gives an object.
    pub fn note(&mut self, patch: &Patch) {
        for change in patch.changes.iter() {
            let Some(after) = &change.after else {
                continue;
            };
            let before: HashSet<Uuid> = change
                .before
                .iter()
                .flat_map(|b| b.refs())
                .map(|r| r.id)
                .collect();
            for r in after.refs() {
                if !before.contains(&r.id) {
                    self.of
                        .entry(r.id)
                        .or_default()
                        .push((change.kind, change.id));
                }
            }
        }
    }

    fn of(&self, id: Uuid) -> &[(ObjKind, Uuid)] {
        self.of.get(&id).map_or(&[], Vec::as_slice)
    }
}

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
    changes(doc, &found, &doomed, clears)
}

/// [`delete_changes`], finding what refers to the deleted objects through `referrers`
/// instead of walking the document: the same changes in the same order.
pub fn delete_changes_indexed(
    doc: &Document,
    kind: ObjKind,
    root: Uuid,
    referrers: &Referrers,
) -> Vec<Change> {
    let refers = |k: ObjKind, id: Uuid, to: &dyn Fn(&Ref) -> bool| {
        doc.get(k, id).is_some_and(|o| o.refs().iter().any(to))
    };
    let mut doomed: HashSet<Uuid> = HashSet::from([root]);
    let mut found = vec![(kind, root)];
    let mut next = 0;
    while let Some(&(_, gone)) = found.get(next) {
        next += 1;
        for &(k, id) in referrers.of(gone) {
            if !doomed.contains(&id)
                && refers(k, id, &|r| r.on_delete == OnDelete::Cascade && r.id == gone)
            {
                doomed.insert(id);
                found.push((k, id));
            }
        }
    }
    let mut clears: Vec<(ObjKind, usize, Uuid)> = Vec::new();
    let mut seen: HashSet<Uuid> = HashSet::new();
    for &(_, gone) in &found {
        for &(k, id) in referrers.of(gone) {
            if doomed.contains(&id) || seen.contains(&id) {
                continue;
            }
            if refers(k, id, &|r| doomed.contains(&r.id))
                && let Some(index) = doc.index_of(k, id)
            {
                seen.insert(id);
                clears.push((k, index, id));
            }
        }
    }
    // In the order a walk of the document meets them: kind by kind, then store order.
    let rank = |k: ObjKind| ObjKind::ALL.iter().position(|x| *x == k);
    clears.sort_by_key(|(k, index, _)| (rank(*k), *index));
    changes(doc, &found, &doomed, clears)
}

/// The deletes of `found` and the clearing of references to `doomed` from `clears`.
fn changes(
    doc: &Document,
    found: &[(ObjKind, Uuid)],
    doomed: &HashSet<Uuid>,
    clears: Vec<(ObjKind, usize, Uuid)>,
) -> Vec<Change> {
    let mut deletes: Vec<Change> = found
        .iter()
        .filter_map(|&(k, id)| {
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

    let mut changes = Vec::new();
    for (k, index, id) in clears {
        let Some(before) = doc.get(k, id) else {
            continue;
        };
        let mut after = before.clone();
        for gone in doomed {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{Batch, Op};
    use crate::model::{
        Designation, Flow, Group, Obj, Policy, PolicyBinding, PolicyKind, Stage, StageBinding,
        StageKind, Subject, Target, User,
    };

    /// Deletes through a batch that indexes who refers to what and one that walks the store:
    /// the same patches, the same store after each.
    #[test]
    fn indexed_deletes_cascade_and_clear_exactly_as_the_walk_does() {
        let mut doc = Document::default();
        let flows: Vec<Flow> = (0..3)
            .map(|i| Flow::new(&format!("f{i}"), "F", Designation::Authentication))
            .collect();
        let stage_kind = StageKind::default_for("authentik_stages_dummy.dummystage").unwrap();
        let stages: Vec<Stage> = (0..3)
            .map(|i| Stage::new(&format!("s{i}"), stage_kind.clone()))
            .collect();
        let policy = Policy::new(
            "p",
            PolicyKind::default_for("authentik_policies_dummy.dummypolicy").unwrap(),
        );
        let parent = Group::new("parent");
        let mut child = Group::new("child");
        child.parents = vec![parent.id];
        let mut user = User::new("u");
        user.groups = vec![parent.id, child.id];
        let mut bindings = Vec::new();
        for f in &flows {
            for (order, s) in stages.iter().enumerate() {
                bindings.push(StageBinding::new(f.id, s.id, order as i64));
            }
        }
        let policy_bindings = [
            PolicyBinding::new(
                Target::StageBinding(bindings[0].id),
                Subject::Policy(policy.id),
                0,
            ),
            PolicyBinding::new(Target::Flow(flows[1].id), Subject::Group(child.id), 0),
            PolicyBinding::new(Target::Flow(flows[2].id), Subject::User(user.id), 0),
        ];
        flows.iter().for_each(|x| {
            doc.flows.put(x.clone());
        });
        stages.iter().for_each(|x| {
            doc.stages.put(x.clone());
        });
        doc.policies.put(policy.clone());
        doc.groups.put(parent.clone());
        doc.groups.put(child.clone());
        doc.users.put(user.clone());
        bindings.iter().for_each(|x| {
            doc.stage_bindings.put(x.clone());
        });
        policy_bindings.iter().for_each(|x| {
            doc.policy_bindings.put(x.clone());
        });
        let mut again = stages[1].clone();
        again.name = "s1 again".into();
        let ops = vec![
            Op::Delete(ObjKind::Stage, stages[0].id),
            Op::Delete(ObjKind::Group, parent.id),
            // A binding made after the index was built, then its stage deleted.
            Op::Create(Obj::StageBinding(StageBinding::new(
                flows[0].id,
                stages[1].id,
                9,
            ))),
            Op::Delete(ObjKind::Stage, stages[1].id),
            // Created again under the same id: nothing refers to it now.
            Op::Create(Obj::Stage(again)),
            Op::Delete(ObjKind::Stage, stages[1].id),
            Op::Delete(ObjKind::Flow, flows[1].id),
            Op::Delete(ObjKind::User, user.id),
            Op::Delete(ObjKind::Group, child.id),
            Op::Delete(ObjKind::Flow, flows[2].id),
        ];
        let run = |indexed: bool| {
            let mut doc = doc.clone();
            let mut batch = Batch::new(&mut doc, "test");
            if indexed {
                batch.index();
            }
            let mut steps = Vec::new();
            for op in &ops {
                let patch = batch.apply(op).map(|p| p.changes);
                steps.push((patch, batch.doc().clone()));
            }
            steps
        };
        let indexed = run(true);
        let walked = run(false);
        for (i, (a, b)) in indexed.iter().zip(&walked).enumerate() {
            assert_eq!(a.0, b.0, "patch of step {i}");
            assert!(a.1 == b.1, "store after step {i}");
        }
        // The cascades happened: bindings of deleted stages and flows went with them.
        let last = &indexed.last().unwrap().1;
        assert_eq!(last.stage_bindings.len(), 1);
        assert!(last.policy_bindings.is_empty());
    }
}
