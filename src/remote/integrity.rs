//! The merged store's integrity: each side may be whole on its own and the two still disagree
//! once merged: a binding made here to a stage deleted on the remote; a stage deleted here that
//! a binding made on the remote uses; a stage named "mfa" made here and another made on the
//! remote. Each such pair is a conflict, like two edits of one field; taking the remote's side
//! settles it the way authentik's own constraints would.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::merge::MergeConflict;
use crate::edit::{Change, UniqueIndex};
use crate::model::check::{UniqueKey, unique_field};
use crate::model::{Document, Obj, ObjKind, OnDelete, Ref};

/// Two objects the merged store cannot hold as they are.
enum Break {
    /// `id` refers to `to`, which the merged store does not hold.
    Dangling { kind: ObjKind, id: Uuid, to: Ref },
    /// `id` and `other` (both of `kind`) hold the same unique key, worded as `key`.
    Clash {
        kind: ObjKind,
        id: Uuid,
        other: Uuid,
        key: String,
    },
}

/// The store as the merge would leave it: `local` with `changes` applied.
struct Merged<'a> {
    base: &'a Document,
    local: &'a Document,
    changes: &'a [Change],
    /// Where each changed object's change is.
    at: HashMap<Uuid, usize>,
}

impl<'a> Merged<'a> {
    fn new(base: &'a Document, local: &'a Document, changes: &'a [Change]) -> Merged<'a> {
        let at = changes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        Merged {
            base,
            local,
            changes,
            at,
        }
    }

    fn get(&self, kind: ObjKind, id: Uuid) -> Option<Obj> {
        match self.at.get(&id) {
            Some(&i) => self.changes[i].after.clone(),
            None => self.local.get(kind, id),
        }
    }

    fn holds(&self, kind: ObjKind, id: Uuid) -> bool {
        match self.at.get(&id) {
            Some(&i) => self.changes[i].after.is_some(),
            None => self.local.contains(kind, id),
        }
    }

    /// Whether `id`, not in the merged store, is gone by someone's deletion: the last pull saw
    /// it or the merge deletes it (a reference the store already had to nothing is the
    /// store's own problem, not the merge's).
    fn deleted(&self, kind: ObjKind, id: Uuid) -> bool {
        self.at.contains_key(&id) || self.base.contains(kind, id)
    }

    fn holds_key(&self, id: Uuid, key: &UniqueKey) -> bool {
        match self.at.get(&id) {
            Some(&i) => self.changes[i]
                .after
                .as_ref()
                .is_some_and(|o| UniqueKey::all_of(o).contains(key)),
            None => key.held_by(self.local, id),
        }
    }

    fn breaks(&self) -> Vec<Break> {
        let mut found = self.dangling();
        found.extend(self.clashes());
        found
    }

    /// Every reference the merged store would leave pointing at nothing: from the objects the
    /// merge brings, and from the store's own objects to the ones the merge deletes (one pass
    /// over the store, only when the merge deletes something).
    fn dangling(&self) -> Vec<Break> {
        let mut found = Vec::new();
        for change in self.changes {
            for to in change.after.iter().flat_map(Obj::refs) {
                if !self.holds(to.kind, to.id) && self.deleted(to.kind, to.id) {
                    found.push(Break::Dangling {
                        kind: change.kind,
                        id: change.id,
                        to,
                    });
                }
            }
        }
        if self.changes.iter().all(|c| c.after.is_some()) {
            return found;
        }
        let mut refs = Vec::new();
        self.local.for_each(|kind, _, object| {
            let id = object.view_id();
            if self.at.contains_key(&id) {
                return;
            }
            refs.clear();
            object.view_refs(&mut refs);
            for to in &refs {
                if self.at.contains_key(&to.id) && !self.holds(to.kind, to.id) {
                    found.push(Break::Dangling {
                        kind,
                        id,
                        to: to.clone(),
                    });
                }
            }
        });
        found
    }

    /// Every unique key (a name, a slug, a binding's place) that an object the merge brings
    /// shares with another object of the merged store.
    fn clashes(&self) -> Vec<Break> {
        let mut found = Vec::new();
        if self.changes.iter().all(|c| c.after.is_none()) {
            return found;
        }
        let mut index = UniqueIndex::build(self.local);
        index.note(self.changes);
        let mut seen = HashSet::new();
        for change in self.changes {
            let Some(after) = &change.after else {
                continue;
            };
            for key in UniqueKey::all_of(after) {
                for &other in index.candidates(&key) {
                    let pair = (change.id.min(other), change.id.max(other));
                    if other != change.id && self.holds_key(other, &key) && seen.insert(pair) {
                        found.push(Break::Clash {
                            kind: change.kind,
                            id: change.id,
                            other,
                            key: key_words(&key),
                        });
                    }
                }
            }
        }
        found
    }
}

fn key_words(key: &UniqueKey) -> String {
    match key {
        UniqueKey::Label(kind, label) => format!("{} {label:?}", unique_field(*kind)),
        UniqueKey::Binding(ObjKind::StageBinding, _) => "flow, stage and order".into(),
        UniqueKey::Binding(..) => "target, policy and order".into(),
    }
}

/// Finds what the merge would break and names each as a conflict; with `take_theirs`,
/// settles it for the remote: an object deleted here that the remote's objects use comes
/// back as the remote has it; an object here that uses one the remote deleted, or shares a
/// name with one the remote made, takes the remote's version, or, where the remote never had
/// it, goes (as authentik's CASCADE would) or only loses the reference (a setting, as
/// SET_NULL would). Settling one may break another (a policy binding on a binding that
/// went), so it repeats until none is left. Each round only deletes objects, takes the
/// remote's version of them or clears references, and the remote is whole, so it ends.
pub(super) fn settle(
    base: &Document,
    local: &Document,
    remote: &Document,
    changes: &mut Vec<Change>,
    conflicts: &mut Vec<MergeConflict>,
    take_theirs: bool,
) {
    let mut named: HashSet<Uuid> = conflicts.iter().map(|c| c.id).collect();
    // Only the first round's are conflicts; later rounds follow from settling them.
    for round in 0.. {
        let merged = Merged::new(base, local, changes);
        let found = merged.breaks();
        if found.is_empty() {
            return;
        }
        let mut settled: Vec<Change> = Vec::new();
        let mut settled_at: HashMap<Uuid, usize> = HashMap::new();
        for b in &found {
            let (kind, id, clear) = side_to_settle(&merged, remote, b);
            if round == 0 && named.insert(id) {
                conflicts.push(MergeConflict {
                    kind,
                    id,
                    detail: detail(base, local, remote, b),
                });
            }
            if !take_theirs {
                continue;
            }
            // An object with several breaks (a user in two deleted groups) settles once.
            match settled_at.get(&id) {
                Some(&i) => {
                    if let (Some(to), Some(after), None) =
                        (clear, settled[i].after.as_mut(), remote.get(kind, id))
                    {
                        after.clear_ref(to);
                    }
                }
                None => {
                    settled_at.insert(id, settled.len());
                    settled.push(theirs(local, remote, merged.get(kind, id), kind, id, clear));
                }
            }
        }
        if !take_theirs {
            return;
        }
        let at = merged.at;
        for change in settled {
            match at.get(&change.id) {
                Some(&i) => changes[i].after = change.after,
                None => changes.push(change),
            }
        }
    }
}

/// Which object of a break takes the remote's side, and, for a reference the remote never
/// had that it would clear rather than cascade, the object it stops referring to.
fn side_to_settle(merged: &Merged, remote: &Document, b: &Break) -> (ObjKind, Uuid, Option<Uuid>) {
    match b {
        // Deleted here while the remote still uses it: the deletion gives way.
        Break::Dangling { to, .. } if remote.contains(to.kind, to.id) => (to.kind, to.id, None),
        Break::Dangling { kind, id, to } => {
            let clear = (to.on_delete == OnDelete::Clear).then_some(to.id);
            (*kind, *id, clear)
        }
        // The one that is not as the remote has it gives way.
        Break::Clash {
            kind, id, other, ..
        } => {
            if merged.get(*kind, *id) == remote.get(*kind, *id) {
                (*kind, *other, None)
            } else {
                (*kind, *id, None)
            }
        }
    }
}

/// The remote's side of `id`: its version, or, when the remote never had it, the object as
/// the merge leaves it (`merged`) without the reference to `clear`, or nothing.
fn theirs(
    local: &Document,
    remote: &Document,
    merged: Option<Obj>,
    kind: ObjKind,
    id: Uuid,
    clear: Option<Uuid>,
) -> Change {
    let after = match (remote.get(kind, id), clear) {
        (Some(theirs), _) => Some(theirs),
        (None, Some(to)) => merged.map(|mut object| {
            object.clear_ref(to);
            object
        }),
        (None, None) => None,
    };
    Change {
        after,
        ..super::merge::change(kind, id, local, remote)
    }
}

/// Each object named in the document that holds it and what it refers to.
fn detail(base: &Document, local: &Document, remote: &Document, b: &Break) -> String {
    let name = |kind: ObjKind, id: Uuid| {
        [local, remote, base]
            .into_iter()
            .find_map(|doc| Some(doc.describe(&doc.get(kind, id)?)))
            .unwrap_or_else(|| format!("{} {id}", kind.noun()))
    };
    match b {
        Break::Dangling { kind, id, to } => {
            let (user, used) = (name(*kind, *id), name(to.kind, to.id));
            if remote.contains(to.kind, to.id) {
                format!("{used} was deleted here, but {user} on the remote uses it")
            } else {
                format!(
                    "{user}, made or changed here, refers to {used}, which was deleted on the remote"
                )
            }
        }
        Break::Clash {
            kind,
            id,
            other,
            key,
        } => format!(
            "{} and {} have the same {key}: one was made or renamed here, the other on the remote",
            name(*kind, *id),
            name(*kind, *other)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check::check_document;
    use crate::model::stage::DenyStage;
    use crate::model::{
        Designation, Flow, Group, PolicyBinding, Stage, StageBinding, StageKind, Subject, Target,
        User,
    };
    use crate::remote::merge;

    /// A flow, a stage bound to it and a group: what both sides pulled last.
    fn base() -> (Document, Uuid, Uuid, Uuid) {
        let mut doc = Document::default();
        let flow = doc
            .flows
            .put(Flow::new("login", "Login", Designation::Authentication));
        let stage = doc.stages.put(Stage::new(
            "deny",
            StageKind::Deny(DenyStage {
                deny_message: "no".into(),
            }),
        ));
        let group = doc.groups.put(Group::new("staff"));
        (doc, flow, stage, group)
    }

    fn merged(base: &Document, local: &Document, remote: &Document, theirs: bool) -> Document {
        let m = merge(base, local, remote, "pull", theirs);
        let mut doc = local.clone();
        m.patch.apply(&mut doc).unwrap();
        doc
    }

    #[test]
    fn a_binding_made_here_to_a_stage_deleted_on_the_remote_conflicts_and_theirs_drops_it() {
        let (base, flow, stage, group) = base();
        let mut local = base.clone();
        let binding = local.stage_bindings.put(StageBinding::new(flow, stage, 10));
        let on_it = local.policy_bindings.put(PolicyBinding::new(
            Target::StageBinding(binding),
            Subject::Group(group),
            0,
        ));
        let mut remote = base.clone();
        remote.stages.remove(stage);

        let m = merge(&base, &local, &remote, "pull", false);
        assert_eq!(m.conflicts.len(), 1, "{:?}", m.conflicts);
        assert_eq!(m.conflicts[0].id, binding);
        assert!(
            m.conflicts[0]
                .detail
                .contains("which was deleted on the remote"),
            "{}",
            m.conflicts[0].detail
        );

        assert_eq!(
            merge(&base, &local, &remote, "pull", true).conflicts.len(),
            1
        );
        let doc = merged(&base, &local, &remote, true);
        assert!(
            check_document(&doc).is_empty(),
            "{:?}",
            check_document(&doc)
        );
        assert!(!doc.stages.contains(stage));
        assert!(!doc.stage_bindings.contains(binding));
        assert!(!doc.policy_bindings.contains(on_it));
    }

    #[test]
    fn a_stage_deleted_here_that_a_remote_binding_uses_conflicts_and_theirs_restores_it() {
        let (base, flow, stage, _) = base();
        let mut local = base.clone();
        local.stages.remove(stage);
        let mut remote = base.clone();
        let binding = remote
            .stage_bindings
            .put(StageBinding::new(flow, stage, 10));

        let m = merge(&base, &local, &remote, "pull", false);
        assert_eq!(m.conflicts.len(), 1, "{:?}", m.conflicts);
        assert_eq!(m.conflicts[0].id, stage);
        assert!(m.conflicts[0].detail.contains("was deleted here, but"));

        let doc = merged(&base, &local, &remote, true);
        assert!(
            check_document(&doc).is_empty(),
            "{:?}",
            check_document(&doc)
        );
        assert!(doc.stages.contains(stage));
        assert!(doc.stage_bindings.contains(binding));
    }

    #[test]
    fn a_user_made_here_in_a_group_deleted_on_the_remote_keeps_the_user_without_the_group() {
        let (base, _, _, group) = base();
        let mut local = base.clone();
        let mut user = User::new("ann");
        user.groups = vec![group];
        let ann = local.users.put(user);
        let mut remote = base.clone();
        remote.groups.remove(group);

        let m = merge(&base, &local, &remote, "pull", false);
        assert_eq!(m.conflicts.len(), 1, "{:?}", m.conflicts);
        let doc = merged(&base, &local, &remote, true);
        assert!(
            check_document(&doc).is_empty(),
            "{:?}",
            check_document(&doc)
        );
        assert!(doc.users.get(ann).unwrap().groups.is_empty());
        assert!(!doc.groups.contains(group));
    }

    #[test]
    fn a_user_in_two_groups_deleted_on_the_remote_settles_in_one_change() {
        let (mut base, _, _, staff) = base();
        let ops = base.groups.put(Group::new("ops"));
        let keep = base.groups.put(Group::new("keep"));
        let mut local = base.clone();
        let mut user = User::new("ann");
        user.groups = vec![staff, ops, keep];
        let ann = local.users.put(user);
        let mut remote = base.clone();
        remote.groups.remove(staff);
        remote.groups.remove(ops);

        let m = merge(&base, &local, &remote, "pull", true);
        assert_eq!(m.patch.changes.iter().filter(|c| c.id == ann).count(), 1);
        let doc = merged(&base, &local, &remote, true);
        assert!(
            check_document(&doc).is_empty(),
            "{:?}",
            check_document(&doc)
        );
        assert_eq!(doc.users.get(ann).unwrap().groups, [keep]);
    }

    fn deny(name: &str) -> Stage {
        Stage::new(
            name,
            StageKind::Deny(DenyStage {
                deny_message: String::new(),
            }),
        )
    }

    #[test]
    fn a_name_made_here_and_on_the_remote_conflicts_and_theirs_keeps_the_remotes() {
        let (base, flow, _, _) = base();
        let mut local = base.clone();
        let mine = local.stages.put(deny("mfa"));
        let binding = local.stage_bindings.put(StageBinding::new(flow, mine, 20));
        let mut remote = base.clone();
        let theirs = remote.stages.put(deny("mfa"));

        let m = merge(&base, &local, &remote, "pull", false);
        assert_eq!(m.conflicts.len(), 1, "{:?}", m.conflicts);
        assert_eq!(m.conflicts[0].id, mine);
        assert!(
            m.conflicts[0].detail.contains("have the same name \"mfa\""),
            "{}",
            m.conflicts[0].detail
        );

        let doc = merged(&base, &local, &remote, true);
        assert!(
            check_document(&doc).is_empty(),
            "{:?}",
            check_document(&doc)
        );
        assert!(doc.stages.contains(theirs));
        assert!(!doc.stages.contains(mine));
        assert!(!doc.stage_bindings.contains(binding));
    }

    #[test]
    fn a_rename_here_to_a_name_the_remote_took_gives_way_to_the_remote() {
        let (base, _, stage, _) = base();
        let mut local = base.clone();
        local.stages.get_mut(stage).unwrap().name = "mfa".into();
        let mut remote = base.clone();
        let theirs = remote.stages.put(deny("mfa"));

        let m = merge(&base, &local, &remote, "pull", false);
        assert_eq!(m.conflicts.len(), 1, "{:?}", m.conflicts);
        assert_eq!(m.conflicts[0].id, stage);

        let doc = merged(&base, &local, &remote, true);
        assert!(
            check_document(&doc).is_empty(),
            "{:?}",
            check_document(&doc)
        );
        assert_eq!(doc.stages.get(stage).unwrap().name, "deny");
        assert_eq!(doc.stages.get(theirs).unwrap().name, "mfa");
    }
}
