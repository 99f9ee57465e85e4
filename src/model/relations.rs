//! Who points at whom, computed once per change of the document so that a screen never scans
//! a whole table per row it draws.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Document, ObjKind, Subject, Target};

#[derive(Clone, Debug, Default)]
pub struct Relations {
    /// A flow's stage bindings in plan order (by order, ties in creation order).
    pub stage_bindings_by_flow: HashMap<Uuid, Vec<Uuid>>,
    /// The policy, group and user bindings of a flow or stage binding, in order.
    pub policy_bindings_by_target: HashMap<Uuid, Vec<Uuid>>,
    /// The stage bindings of each stage.
    pub bindings_by_stage: HashMap<Uuid, Vec<Uuid>>,
    /// How many policy bindings name each policy.
    pub bindings_by_policy: HashMap<Uuid, usize>,
    /// How many users are direct members of each group.
    pub members_by_group: HashMap<Uuid, usize>,
    /// The objects that refer to each kept authentik object, one entry per reference, in store
    /// order (left empty, not worth a walk over every object, when the store keeps none).
    pub referrers_of_other: HashMap<Uuid, Vec<(ObjKind, Uuid)>>,
}

impl Relations {
    pub fn build(doc: &Document) -> Relations {
        let mut rel = Relations::default();
        let mut by_flow: HashMap<Uuid, Vec<(i64, Uuid)>> = HashMap::new();
        for b in doc.stage_bindings.iter() {
            by_flow.entry(b.target).or_default().push((b.order, b.id));
            rel.bindings_by_stage.entry(b.stage).or_default().push(b.id);
        }
        for (flow, mut list) in by_flow {
            // A stable sort by order keeps creation order for ties.
            list.sort_by_key(|(order, _)| *order);
            rel.stage_bindings_by_flow
                .insert(flow, list.into_iter().map(|(_, id)| id).collect());
        }
        let mut by_target: HashMap<Uuid, Vec<(i64, Uuid)>> = HashMap::new();
        for b in doc.policy_bindings.iter() {
            by_target
                .entry(b.target.id())
                .or_default()
                .push((b.order, b.id));
            if let Subject::Policy(p) = b.subject {
                *rel.bindings_by_policy.entry(p).or_default() += 1;
            }
        }
        for (target, mut list) in by_target {
            list.sort_by_key(|(order, _)| *order);
            rel.policy_bindings_by_target
                .insert(target, list.into_iter().map(|(_, id)| id).collect());
        }
        for u in doc.users.iter() {
            for g in &u.groups {
                *rel.members_by_group.entry(*g).or_default() += 1;
            }
        }
        if !doc.others.is_empty() {
            let mut refs = Vec::new();
            doc.for_each(|kind, _, object| {
                refs.clear();
                object.view_refs(&mut refs);
                for r in refs.iter().filter(|r| r.kind == ObjKind::Other) {
                    // One entry per reference, as `usage::where_used` lists them.
                    rel.referrers_of_other
                        .entry(r.id)
                        .or_default()
                        .push((kind, object.view_id()));
                }
            });
        }
        rel
    }

    pub fn referrers_of_other(&self, id: Uuid) -> &[(ObjKind, Uuid)] {
        self.referrers_of_other.get(&id).map_or(&[], Vec::as_slice)
    }

    pub fn stage_bindings_of(&self, flow: Uuid) -> &[Uuid] {
        self.stage_bindings_by_flow
            .get(&flow)
            .map_or(&[], Vec::as_slice)
    }

    pub fn policy_bindings_of(&self, target: Uuid) -> &[Uuid] {
        self.policy_bindings_by_target
            .get(&target)
            .map_or(&[], Vec::as_slice)
    }

    /// Policy bindings directly on a flow (not on its stage bindings).
    pub fn flow_policy_count(&self, doc: &Document, flow: Uuid) -> usize {
        self.policy_bindings_of(flow)
            .iter()
            .filter(|id| {
                doc.policy_bindings
                    .get(**id)
                    .is_some_and(|b| b.target == Target::Flow(flow))
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    #[test]
    fn relations_agree_with_scanning_the_document() {
        let mut doc = Document::default();
        let flow = Flow::new("f", "F", Designation::Authentication);
        let stage = Stage::new(
            "s",
            StageKind::default_for("authentik_stages_dummy.dummystage").unwrap(),
        );
        let group = Group::new("g");
        let mut user = User::new("u");
        user.groups.push(group.id);
        let b2 = StageBinding::new(flow.id, stage.id, 20);
        let b1 = StageBinding::new(flow.id, stage.id, 10);
        let b3 = StageBinding::new(flow.id, stage.id, 10);
        let pb = PolicyBinding::new(Target::StageBinding(b1.id), Subject::Group(group.id), 0);
        for b in [&b2, &b1, &b3] {
            doc.stage_bindings.put((*b).clone());
        }
        doc.policy_bindings.put(pb.clone());
        doc.flows.put(flow.clone());
        doc.stages.put(stage.clone());
        doc.groups.put(group.clone());
        doc.users.put(user);
        let rel = Relations::build(&doc);
        let scanned: Vec<Uuid> = doc.bindings_of_flow(flow.id).iter().map(|b| b.id).collect();
        assert_eq!(rel.stage_bindings_of(flow.id), scanned.as_slice());
        assert_eq!(rel.stage_bindings_of(flow.id), &[b1.id, b3.id, b2.id]);
        assert_eq!(rel.policy_bindings_of(b1.id), &[pb.id]);
        assert_eq!(rel.members_by_group.get(&group.id), Some(&1));
        assert_eq!(rel.bindings_by_stage[&stage.id].len(), 3);
        assert_eq!(rel.flow_policy_count(&doc, flow.id), 0);
    }

    #[test]
    fn policy_bindings_of_each_target_agree_with_one_scan_per_target() {
        let mut doc = Document::default();
        let flow = Flow::new("f", "F", Designation::Authentication);
        let group = Group::new("g");
        let binding = StageBinding::new(flow.id, Uuid::new_v4(), 10);
        let on = |target: Target, order: i64| {
            PolicyBinding::new(target, Subject::Group(group.id), order)
        };
        for pb in [
            on(Target::Flow(flow.id), 20),
            on(Target::StageBinding(binding.id), 5),
            on(Target::Flow(flow.id), 10),
            on(Target::Flow(flow.id), 20),
            on(Target::Flow(Uuid::new_v4()), 0),
        ] {
            doc.policy_bindings.put(pb);
        }
        let missing = Uuid::new_v4();
        let each = doc.policy_bindings_of_each([flow.id, binding.id, missing]);
        for target in [flow.id, binding.id, missing] {
            assert_eq!(each[&target], doc.policy_bindings_of(target), "{target}");
        }
        assert_eq!(each[&flow.id].len(), 3);
        assert_eq!(each.len(), 3);
    }
}
