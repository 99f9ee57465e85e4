//! Which objects `export FLOW` writes besides the flow: its stages, prompts and policies and,
//! unless the export is shallow, everything those point at that a blueprint needs to stand on
//! its own in an empty instance (an authenticator validation stage's `configuration_stages`, a
//! stage's `configure_flow`, an identification stage's enrollment and recovery flows, a
//! redirect stage's target flow, ...), followed recursively: a flow reached this way comes
//! with its own stages, bindings and policies. Users and groups are never included: they
//! belong to the instance the blueprint is applied to, and the export finds them by name.

use std::collections::HashSet;

use uuid::Uuid;

use crate::model::relations::Relations;
use crate::model::{Document, ObjKind, Subject};

/// How far an export reaches from its flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The flow, the stages it binds, their prompts and the policies bound in it; anything
    /// else is referred to with `!Find` and must already exist where the blueprint goes.
    Shallow,
    /// Also every flow, stage, prompt and policy those refer to, recursively.
    Standalone,
}

/// The objects of one flow export, each once, each list in the order it was reached (so two
/// stores holding the same objects give the same lists).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Closure {
    /// The exported flow first, then the flows reached from it.
    pub flows: Vec<Uuid>,
    pub stages: Vec<Uuid>,
    pub prompts: Vec<Uuid>,
    pub policies: Vec<Uuid>,
}

impl Closure {
    /// `relations` is [`Relations::build`] of `doc`.
    pub fn of(doc: &Document, relations: &Relations, flow: Uuid, reach: Reach) -> Closure {
        let mut building = Building {
            doc,
            relations,
            closure: Closure::default(),
            seen: HashSet::new(),
        };
        building.add(ObjKind::Flow, flow);
        building.run(reach);
        building.closure
    }
}

/// The closure being built, with what its lists already hold.
struct Building<'a> {
    doc: &'a Document,
    relations: &'a Relations,
    closure: Closure,
    seen: HashSet<(ObjKind, Uuid)>,
}

impl Building<'_> {
    /// Adds a flow, stage, prompt or policy to its list unless it is there.
    fn add(&mut self, kind: ObjKind, id: Uuid) {
        let list = match kind {
            ObjKind::Flow => &mut self.closure.flows,
            ObjKind::Stage => &mut self.closure.stages,
            ObjKind::Prompt => &mut self.closure.prompts,
            ObjKind::Policy => &mut self.closure.policies,
            _ => return,
        };
        if self.seen.insert((kind, id)) {
            list.push(id);
        }
    }

    fn run(&mut self, reach: Reach) {
        let (mut flows_done, mut stages_done, mut policies_done) = (0, 0, 0);
        loop {
            // Flows first, so that a flow's own stages come before the ones its stages
            // point at: the order then reads as the flow does.
            if let Some(&flow) = self.closure.flows.get(flows_done) {
                flows_done += 1;
                self.flow_parts(flow);
            } else if let Some(&stage) = self.closure.stages.get(stages_done) {
                stages_done += 1;
                self.follow(ObjKind::Stage, stage, reach);
            } else if let Some(&policy) = self.closure.policies.get(policies_done) {
                policies_done += 1;
                self.follow(ObjKind::Policy, policy, reach);
            } else {
                return;
            }
        }
    }

    /// The stages a flow binds and the policies bound to it and to its stage bindings.
    fn flow_parts(&mut self, flow: Uuid) {
        let (doc, relations) = (self.doc, self.relations);
        let bindings = relations.stage_bindings_of(flow);
        for b in bindings.iter().filter_map(|id| doc.stage_bindings.get(*id)) {
            self.add(ObjKind::Stage, b.stage);
        }
        for target in std::iter::once(&flow).chain(bindings) {
            let pbs = relations.policy_bindings_of(*target);
            for pb in pbs.iter().filter_map(|id| doc.policy_bindings.get(*id)) {
                if let Subject::Policy(p) = pb.subject {
                    self.add(ObjKind::Policy, p);
                }
            }
        }
    }

    /// What one stage or policy refers to. A shallow export takes only a prompt stage's
    /// fields and validation policies, as bindery always did.
    fn follow(&mut self, kind: ObjKind, id: Uuid, reach: Reach) {
        let Some(obj) = self.doc.get(kind, id) else {
            return;
        };
        for r in obj.refs() {
            match r.kind {
                ObjKind::Prompt | ObjKind::Policy => self.add(r.kind, r.id),
                _ if reach == Reach::Shallow => {}
                ObjKind::Flow | ObjKind::Stage => self.add(r.kind, r.id),
                // The target instance's directory, and the objects outside bindery's domain
                // (sources, certificates, ...): found there with `!Find`, like users and
                // groups, since they belong to the instance the flow is applied to.
                ObjKind::User | ObjKind::Group | ObjKind::Other => {}
                // Never held by a stage or a policy.
                ObjKind::StageBinding | ObjKind::PolicyBinding => {}
            }
        }
    }
}
