//! Where an object is used: every flow, stage binding, policy binding and object that refers
//! to it (authentik #21440: "where is this group bound?").

use serde::Serialize;
use uuid::Uuid;

use super::{Document, Obj, ObjKind, Target};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Usage {
    /// The object that refers to it.
    pub kind: ObjKind,
    pub id: Uuid,
    /// The field that holds the reference.
    pub field: &'static str,
    /// The flow the referring object belongs to, if any.
    pub flow: Option<Uuid>,
    pub description: String,
}

/// The flow an object belongs to: a flow itself, or the flow of a binding.
pub fn flow_of(doc: &Document, obj: &Obj) -> Option<Uuid> {
    match obj {
        Obj::Flow(f) => Some(f.id),
        Obj::StageBinding(b) => Some(b.target),
        Obj::PolicyBinding(b) => match b.target {
            Target::Flow(f) => Some(f),
            Target::StageBinding(sb) => doc.stage_bindings.get(sb).map(|b| b.target),
        },
        _ => None,
    }
}

pub fn where_used(doc: &Document, kind: ObjKind, id: Uuid) -> Vec<Usage> {
    let mut found: Vec<(ObjKind, Uuid, &'static str)> = Vec::new();
    let mut refs = Vec::new();
    doc.for_each(|k, _, object| {
        refs.clear();
        object.view_refs(&mut refs);
        for r in refs.iter().filter(|r| r.id == id && r.kind == kind) {
            found.push((k, object.view_id(), r.field));
        }
    });
    found
        .into_iter()
        .filter_map(|(k, obj_id, field)| {
            let obj = doc.get(k, obj_id)?;
            Some(Usage {
                kind: k,
                id: obj_id,
                field,
                flow: flow_of(doc, &obj),
                description: doc.describe(&obj),
            })
        })
        .collect()
}
