//! Duplicating a flow (authentik #23797): a shallow copy shares the stages and policies; a deep
//! copy gets its own copies of them, named with a suffix. Either way it is one step.

use std::collections::HashMap;

use uuid::Uuid;

use super::Op;
use crate::model::{Document, Obj, Refs, Subject, Target};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// New bindings to the same stages and policies.
    Shallow,
    /// New copies of the flow's stages and policies too.
    Deep,
}

/// The operations that copy `flow` under `new_slug`; `suffix` names deep copies
/// (`stage-name` becomes `stage-name<suffix>`).
pub fn duplicate_flow(
    doc: &Document,
    flow: Uuid,
    new_slug: &str,
    suffix: &str,
    depth: Depth,
) -> Result<Vec<Op>, String> {
    let original = doc.flows.get(flow).ok_or("no such flow")?;
    if depth == Depth::Deep && suffix.is_empty() {
        return Err(
            "a deep copy needs a suffix for the names of the copied stages and policies".into(),
        );
    }
    let mut ops = Vec::new();
    let mut copy = original.clone();
    copy.id = Uuid::new_v4();
    copy.slug = new_slug.to_string();
    copy.name = format!("{} (copy)", original.name);
    ops.push(Op::Create(Obj::Flow(copy.clone())));

    let bindings = doc.bindings_of_flow(flow);
    let mut stage_map: HashMap<Uuid, Uuid> = HashMap::new();
    let mut policy_map: HashMap<Uuid, Uuid> = HashMap::new();
    if depth == Depth::Deep {
        for b in &bindings {
            stage_map.entry(b.stage).or_insert_with(Uuid::new_v4);
        }
        // Stages the copied stages name (an identification stage's password stage) are
        // copied too, so that editing the copy never changes the original.
        let mut queue: Vec<Uuid> = stage_map.keys().copied().collect();
        while let Some(id) = queue.pop() {
            let Some(stage) = doc.stages.get(id) else {
                continue;
            };
            let mut refs = Vec::new();
            stage.kind.refs(&mut refs);
            for r in refs {
                match r.kind {
                    crate::model::ObjKind::Stage if !stage_map.contains_key(&r.id) => {
                        stage_map.insert(r.id, Uuid::new_v4());
                        queue.push(r.id);
                    }
                    crate::model::ObjKind::Policy => {
                        policy_map.entry(r.id).or_insert_with(Uuid::new_v4);
                    }
                    _ => {}
                }
            }
        }
        let mut targets = vec![flow];
        targets.extend(bindings.iter().map(|b| b.id));
        let on = doc.policy_bindings_of_each(targets.iter().copied());
        for target in targets {
            for pb in on.get(&target).into_iter().flatten() {
                if let Subject::Policy(p) = pb.subject {
                    policy_map.entry(p).or_insert_with(Uuid::new_v4);
                }
            }
        }
        for (old, new) in &policy_map {
            let mut p = doc
                .policies
                .get(*old)
                .ok_or("a bound policy is missing")?
                .clone();
            p.id = *new;
            p.name = format!("{}{suffix}", p.name);
            ops.push(Op::Create(Obj::Policy(p)));
        }
        // Copied stages that refer to each other (a password stage of an identification
        // stage, say) refer to the copies.
        let mut stages: Vec<(Uuid, Uuid)> = stage_map.iter().map(|(a, b)| (*a, *b)).collect();
        stages.sort_by_key(|(old, _)| doc.stages.index_of(*old));
        for (old, new) in stages {
            let mut s = doc
                .stages
                .get(old)
                .ok_or("a bound stage is missing")?
                .clone();
            s.id = new;
            s.name = format!("{}{suffix}", s.name);
            let mut refs = Vec::new();
            s.kind.refs(&mut refs);
            let mut value = serde_json::to_value(&s).map_err(|e| e.to_string())?;
            for r in refs {
                let replacement = stage_map.get(&r.id).or(policy_map.get(&r.id));
                if let Some(replacement) = replacement {
                    replace_id(&mut value, r.id, *replacement);
                }
            }
            let s = serde_json::from_value(value).map_err(|e| e.to_string())?;
            ops.push(Op::Create(Obj::Stage(s)));
        }
    }
    let mut binding_map = HashMap::new();
    for b in &bindings {
        let mut nb = (*b).clone();
        nb.id = Uuid::new_v4();
        nb.target = copy.id;
        nb.stage = *stage_map.get(&b.stage).unwrap_or(&b.stage);
        binding_map.insert(b.id, nb.id);
        // A copy keeps what the original has, even what authentik's API would refuse.
        ops.push(Op::AsImported(Box::new(Op::Create(Obj::StageBinding(nb)))));
    }
    let mut targets = vec![(flow, Target::Flow(copy.id))];
    targets.extend(
        binding_map
            .iter()
            .map(|(old, new)| (*old, Target::StageBinding(*new))),
    );
    targets.sort_by_key(|(old, _)| doc.stage_bindings.index_of(*old));
    let on = doc.policy_bindings_of_each(targets.iter().map(|(old, _)| *old));
    for (old, new) in targets {
        for pb in on.get(&old).into_iter().flatten() {
            let mut npb = (*pb).clone();
            npb.id = Uuid::new_v4();
            npb.target = new;
            if let Subject::Policy(p) = pb.subject {
                npb.subject = Subject::Policy(*policy_map.get(&p).unwrap_or(&p));
            }
            ops.push(Op::AsImported(Box::new(Op::Create(Obj::PolicyBinding(
                npb,
            )))));
        }
    }
    Ok(ops)
}

fn replace_id(value: &mut serde_json::Value, old: Uuid, new: Uuid) {
    match value {
        serde_json::Value::String(s) if Uuid::parse_str(s).ok() == Some(old) => {
            *s = new.to_string()
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| replace_id(v, old, new)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| replace_id(v, old, new)),
        _ => {}
    }
}
