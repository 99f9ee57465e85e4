//! An index of the unique keys (labels, binding keys) for an edit batch of many changes, so
//! that checking each change does not walk its table ([`crate::model::check::Holders`]).

use foldhash::{HashMap, HashMapExt};

use uuid::Uuid;

use super::patch::Change;
use crate::model::check::{Holders, UniqueKey};
use crate::model::{Document, Entity, ObjKind, Subject};

/// A key as the index stores it: owned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Owned {
    Label(ObjKind, String),
    Binding(ObjKind, (Uuid, Uuid, i64)),
}

fn owned(key: &UniqueKey) -> Owned {
    match *key {
        UniqueKey::Label(kind, label) => Owned::Label(kind, label.to_string()),
        UniqueKey::Binding(kind, key) => Owned::Binding(kind, key),
    }
}

/// Which objects held each key when they were indexed. A key an object no longer holds stays
/// listed: every candidate is checked against the document before it counts.
#[derive(Debug, Default)]
pub struct UniqueIndex {
    holders: HashMap<Owned, Vec<Uuid>>,
}

impl UniqueIndex {
    pub fn build(doc: &Document) -> UniqueIndex {
        let mut holders: HashMap<Owned, Vec<Uuid>> = HashMap::new();
        let mut add = |kind: ObjKind, id: Uuid, label: &str| {
            let key = Owned::Label(kind, label.to_string());
            holders.entry(key).or_default().push(id);
        };
        doc.flows
            .iter()
            .for_each(|x| add(ObjKind::Flow, x.id, x.label()));
        doc.stages
            .iter()
            .for_each(|x| add(ObjKind::Stage, x.id, x.label()));
        doc.policies
            .iter()
            .for_each(|x| add(ObjKind::Policy, x.id, x.label()));
        doc.prompts
            .iter()
            .for_each(|x| add(ObjKind::Prompt, x.id, x.label()));
        doc.users
            .iter()
            .for_each(|x| add(ObjKind::User, x.id, x.label()));
        doc.groups
            .iter()
            .for_each(|x| add(ObjKind::Group, x.id, x.label()));
        for b in doc.stage_bindings.iter() {
            let key = Owned::Binding(ObjKind::StageBinding, (b.target, b.stage, b.order));
            holders.entry(key).or_default().push(b.id);
        }
        for b in doc.policy_bindings.iter() {
            if let Subject::Policy(policy) = b.subject {
                let key = Owned::Binding(ObjKind::PolicyBinding, (b.target.id(), policy, b.order));
                holders.entry(key).or_default().push(b.id);
            }
        }
        UniqueIndex { holders }
    }

    /// Adds the keys a change gives an object.
    pub fn note(&mut self, changes: &[Change]) {
        for change in changes {
            let Some(after) = &change.after else {
                continue;
            };
            let before: Vec<UniqueKey> = change
                .before
                .as_ref()
                .map(UniqueKey::all_of)
                .unwrap_or_default();
            for key in UniqueKey::all_of(after) {
                if !before.contains(&key) {
                    self.holders.entry(owned(&key)).or_default().push(change.id);
                }
            }
        }
    }
}

impl UniqueIndex {
    /// The objects that held `key` when indexed or noted: candidates, to check against the
    /// document the question is about.
    pub fn candidates(&self, key: &UniqueKey) -> &[Uuid] {
        self.holders.get(&owned(key)).map_or(&[], Vec::as_slice)
    }
}

impl Holders for UniqueIndex {
    fn taken(&self, doc: &Document, key: &UniqueKey, except: Uuid) -> bool {
        self.candidates(key)
            .iter()
            .any(|id| *id != except && key.held_by(doc, *id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{Batch, Op};
    use crate::model::{Designation, Flow, Obj, Stage, StageBinding, StageKind};

    /// The same operations through a batch with the index and one without: every answer
    /// (applied, or refused and why) is the same.
    #[test]
    fn an_indexed_batch_refuses_exactly_what_a_scanning_one_does() {
        let mut doc = Document::default();
        let a = Flow::new("a", "A", Designation::Authentication);
        let b = Flow::new("b", "B", Designation::Authentication);
        let stage = Stage::new(
            "s",
            StageKind::default_for("authentik_stages_dummy.dummystage").unwrap(),
        );
        let bound = StageBinding::new(a.id, stage.id, 10);
        let (a_id, b_id, bound_id) = (a.id, b.id, bound.id);
        doc.flows.put(a.clone());
        doc.flows.put(b);
        doc.stages.put(stage.clone());
        doc.stage_bindings.put(bound.clone());
        let mut renamed = a.clone();
        renamed.slug = "c".into();
        let mut moved = bound.clone();
        moved.order = 20;
        let ops = vec![
            Op::Create(Obj::Flow(Flow::new("b", "B2", Designation::Authentication))),
            Op::Update(Obj::Flow(renamed)),
            Op::Create(Obj::Flow(Flow::new("a", "A2", Designation::Authentication))),
            Op::Create(Obj::StageBinding(StageBinding::new(a_id, stage.id, 10))),
            Op::Update(Obj::StageBinding(moved)),
            Op::Create(Obj::StageBinding(StageBinding::new(a_id, stage.id, 10))),
            Op::Create(Obj::StageBinding(StageBinding::new(a_id, stage.id, 20))),
            Op::Delete(ObjKind::Flow, b_id),
            Op::Create(Obj::Flow(Flow::new("b", "B3", Designation::Authentication))),
            Op::Create(Obj::Flow(Flow::new("c", "C", Designation::Authentication))),
        ];
        let answers = |indexed: bool| {
            let mut doc = doc.clone();
            let mut batch = Batch::new(&mut doc, "test");
            if indexed {
                batch.index();
            }
            ops.iter()
                .map(|op| batch.apply(op).map(|_| ()))
                .collect::<Vec<_>>()
        };
        let indexed = answers(true);
        assert_eq!(indexed, answers(false));
        let refused: Vec<bool> = indexed.iter().map(Result::is_err).collect();
        assert_eq!(
            refused,
            [
                true, false, false, true, false, false, true, false, false, true
            ],
            "{indexed:?} (binding {bound_id})"
        );
    }
}
