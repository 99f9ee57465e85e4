//! Which objects `export FLOW` writes besides the flow: its stages, prompts and policies and,
//! unless the export is shallow, everything those point at that a blueprint needs to stand on
//! its own in an empty instance (an authenticator validation stage's `configuration_stages`, a
//! stage's `configure_flow`, an identification stage's enrollment and recovery flows, a
//! redirect stage's target flow, ...), followed recursively: a flow reached this way comes
//! with its own stages, bindings and policies. Users and groups are never included: they
//! belong to the instance the blueprint is applied to, and the export finds them by name.

use uuid::Uuid;

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

fn add(list: &mut Vec<Uuid>, id: Uuid) {
    if !list.contains(&id) {
        list.push(id);
    }
}

impl Closure {
    pub fn of(doc: &Document, flow: Uuid, reach: Reach) -> Closure {
        let mut closure = Closure {
            flows: vec![flow],
            ..Closure::default()
        };
        let (mut flows_done, mut stages_done, mut policies_done) = (0, 0, 0);
        loop {
            // Flows first, so that a flow's own stages come before the ones its stages
            // point at: the order then reads as the flow does.
            if let Some(&flow) = closure.flows.get(flows_done) {
                flows_done += 1;
                closure.flow_parts(doc, flow);
            } else if let Some(&stage) = closure.stages.get(stages_done) {
                stages_done += 1;
                closure.follow(doc, ObjKind::Stage, stage, reach);
            } else if let Some(&policy) = closure.policies.get(policies_done) {
                policies_done += 1;
                closure.follow(doc, ObjKind::Policy, policy, reach);
            } else {
                return closure;
            }
        }
    }

    /// The stages a flow binds and the policies bound to it and to its stage bindings.
    fn flow_parts(&mut self, doc: &Document, flow: Uuid) {
        let bindings = doc.bindings_of_flow(flow);
        for b in &bindings {
            add(&mut self.stages, b.stage);
        }
        let targets = std::iter::once(flow).chain(bindings.iter().map(|b| b.id));
        for target in targets {
            for pb in doc.policy_bindings_of(target) {
                if let Subject::Policy(p) = pb.subject {
                    add(&mut self.policies, p);
                }
            }
        }
    }

    /// What one stage or policy refers to. A shallow export takes only a prompt stage's
    /// fields and validation policies, as bindery always did.
    fn follow(&mut self, doc: &Document, kind: ObjKind, id: Uuid, reach: Reach) {
        let Some(obj) = doc.get(kind, id) else {
            return;
        };
        for r in obj.refs() {
            match r.kind {
                ObjKind::Prompt => add(&mut self.prompts, r.id),
                ObjKind::Policy => add(&mut self.policies, r.id),
                _ if reach == Reach::Shallow => {}
                ObjKind::Flow => add(&mut self.flows, r.id),
                ObjKind::Stage => add(&mut self.stages, r.id),
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
