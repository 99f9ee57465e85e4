//! The importer's lookups without a table walk per entry: [`models::find`]'s, `!Find`'s,
//! [`others::find`]'s and a user's integer pk, answered through indexes built on first use and
//! told of every change the import makes ([`Lookup::note`]).
//!
//! An index only proposes candidates: the ids of the objects that had the wanted key when they
//! were indexed. Each candidate is checked again with the real matcher against the current
//! document (an object renamed or deleted since fails it), and the winner is the candidate
//! first in store order, as a scan would find it. A lookup the indexes cannot key (no
//! identifier of a keyed field and type) scans as before.

use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;

use serde_json::{Map, Value};
use uuid::Uuid;

use super::models::{self, Key, View, kind_of, split_identifiers};
use super::others;
use super::query::Condition;
use crate::edit::Patch;
use crate::model::{Document, Obj, ObjKind, OtherObject};

/// Which objects an index covers and by which fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Signature {
    kind: ObjKind,
    /// The model, for kinds that hold several (stages, policies, other objects); else empty.
    model: String,
    fields: Vec<String>,
}

#[derive(Default)]
struct Indexes {
    /// Objects by the keys of some of their fields, one index per set of fields asked for.
    fields: HashMap<Signature, HashMap<Vec<Key>, Vec<Uuid>>>,
    /// Users by their integer pk.
    user_pks: Option<HashMap<i64, Vec<Uuid>>>,
    /// Other objects by (model, the key of the pk their entry gave).
    other_pks: Option<HashMap<(String, Key), Vec<Uuid>>>,
    /// Other objects by model.
    others: Option<HashMap<String, Vec<Uuid>>>,
    /// Users by the groups they are direct members of.
    members: Option<HashMap<Uuid, Vec<Uuid>>>,
}

/// Indexes over one document, valid as long as every change to it is [`Lookup::note`]d.
#[derive(Default)]
pub struct Lookup {
    indexes: RefCell<Indexes>,
}

/// The model part of a signature: what tells apart objects of one kind in different tables.
fn space(kind: ObjKind, model: &str) -> &str {
    match kind {
        ObjKind::Stage | ObjKind::Policy | ObjKind::Other => model,
        _ => "",
    }
}

/// The keys of `fields` of an object, when it has them all.
fn keys_of(doc: &Document, obj: &Obj, fields: &[String]) -> Option<Vec<Key>> {
    match obj {
        Obj::Other(o) => fields.iter().map(|f| others::key_of(doc, o, f)).collect(),
        _ => {
            let view = View::borrow(obj)?;
            fields.iter().map(|f| view.key(f)).collect()
        }
    }
}

/// The first in store order of some objects of one kind.
fn first(doc: &Document, kind: ObjKind, ids: impl IntoIterator<Item = Uuid>) -> Option<Uuid> {
    ids.into_iter()
        .filter_map(|id| Some((doc.index_of(kind, id)?, id)))
        .min()
        .map(|(_, id)| id)
}

impl Lookup {
    pub fn new() -> Lookup {
        Lookup::default()
    }

    /// Keeps the indexes built so far up to date with a change applied to the document. Old
    /// keys stay (their candidates fail the check); a new key is added.
    pub fn note(&self, doc: &Document, patch: &Patch) {
        let mut ix = self.indexes.borrow_mut();
        for change in patch.changes.iter() {
            let Some(after) = &change.after else {
                continue;
            };
            let before = change.before.as_ref();
            let (kind, id) = (change.kind, change.id);
            let model = space(kind, models::model_of(after));
            for (signature, index) in ix.fields.iter_mut() {
                if signature.kind != kind || signature.model != model {
                    continue;
                }
                let Some(keys) = keys_of(doc, after, &signature.fields) else {
                    continue;
                };
                if before
                    .and_then(|b| keys_of(doc, b, &signature.fields))
                    .as_ref()
                    != Some(&keys)
                {
                    index.entry(keys).or_default().push(id);
                }
            }
            match (before, after) {
                (before, Obj::User(user)) => {
                    let pk_before = match before {
                        Some(Obj::User(u)) => u.pk,
                        _ => None,
                    };
                    if let Some(members) = ix.members.as_mut() {
                        for group in &user.groups {
                            let was =
                                matches!(before, Some(Obj::User(u)) if u.groups.contains(group));
                            if !was {
                                members.entry(*group).or_default().push(id);
                            }
                        }
                    }
                    if user.pk != pk_before {
                        if let (Some(pks), Some(pk)) = (ix.user_pks.as_mut(), user.pk) {
                            pks.entry(pk).or_default().push(id);
                        }
                        // Other objects' references to the user read as its pk.
                        ix.fields.retain(|s, _| s.kind != ObjKind::Other);
                    }
                }
                (before, Obj::Other(o)) => {
                    let own = |obj: Option<&Obj>| match obj {
                        Some(Obj::Other(o)) => o.identifiers.get("pk").and_then(Key::of_value),
                        _ => None,
                    };
                    if let (Some(pks), Some(key)) = (ix.other_pks.as_mut(), own(Some(after)))
                        && own(before) != Some(key.clone())
                    {
                        pks.entry((o.model.clone(), key)).or_default().push(id);
                    }
                    if let (Some(all), None) = (ix.others.as_mut(), before) {
                        all.entry(o.model.clone()).or_default().push(id);
                    }
                }
                _ => {}
            }
        }
    }

    /// The ids indexed under `keys` of `fields`, building the index on first use.
    fn keyed(
        &self,
        doc: &Document,
        kind: ObjKind,
        model: &str,
        fields: Vec<String>,
        keys: &[Key],
    ) -> Vec<Uuid> {
        let signature = Signature {
            kind,
            model: space(kind, model).to_string(),
            fields,
        };
        let mut ix = self.indexes.borrow_mut();
        let index = ix.fields.entry(signature).or_insert_with_key(|s| {
            let mut index: HashMap<Vec<Key>, Vec<Uuid>> = HashMap::new();
            if kind == ObjKind::Other {
                for o in doc.others.iter().filter(|o| o.model == model) {
                    if let Some(keys) = s.fields.iter().map(|f| others::key_of(doc, o, f)).collect()
                    {
                        index.entry(keys).or_default().push(o.id);
                    }
                }
            } else {
                for view in models::candidates(doc, kind, model) {
                    if let Some(keys) = s.fields.iter().map(|f| view.key(f)).collect() {
                        index.entry(keys).or_default().push(view.id());
                    }
                }
            }
            index
        });
        index.get(keys).cloned().unwrap_or_default()
    }

    /// The candidates for `pairs` (field, wanted value) from the index of the fields it can
    /// key; None when it can key none of them.
    fn by_fields(
        &self,
        doc: &Document,
        kind: ObjKind,
        model: &str,
        pairs: &[(&str, &Value)],
    ) -> Option<Vec<Uuid>> {
        let mut fields = Vec::new();
        let mut keys = Vec::new();
        for (field, wanted) in pairs {
            let key = match kind {
                _ if *field == "pk" => None,
                ObjKind::Other => Key::of_value(wanted),
                _ => Key::wanted(kind, field, wanted),
            };
            if let Some(key) = key {
                fields.push(field.to_string());
                keys.push(key);
            }
        }
        if fields.is_empty() {
            return None;
        }
        Some(self.keyed(doc, kind, model, fields, &keys))
    }

    /// The objects of `kind` a pk could name (a UUID, a user's integer pk, the pk an other
    /// object's entry gave); None when the value is not one the indexes key.
    fn by_pk(&self, doc: &Document, kind: ObjKind, model: &str, pk: &Value) -> Option<Vec<Uuid>> {
        let mut ids: Vec<Uuid> = pk
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .into_iter()
            .collect();
        let mut ix = self.indexes.borrow_mut();
        match (kind, pk) {
            (ObjKind::User, Value::Number(n)) => {
                let pks = ix.user_pks.get_or_insert_with(|| {
                    let mut pks: HashMap<i64, Vec<Uuid>> = HashMap::new();
                    for u in doc.users.iter() {
                        if let Some(pk) = u.pk {
                            pks.entry(pk).or_default().push(u.id);
                        }
                    }
                    pks
                });
                if let Some(pk) = n.as_i64() {
                    ids.extend(pks.get(&pk).into_iter().flatten());
                }
            }
            (ObjKind::Other, _) => {
                let key = Key::of_value(pk)?;
                let pks = ix.other_pks.get_or_insert_with(|| {
                    let mut pks: HashMap<(String, Key), Vec<Uuid>> = HashMap::new();
                    for o in doc.others.iter() {
                        if let Some(key) = o.identifiers.get("pk").and_then(Key::of_value) {
                            pks.entry((o.model.clone(), key)).or_default().push(o.id);
                        }
                    }
                    pks
                });
                ids.extend(pks.get(&(model.to_string(), key)).into_iter().flatten());
            }
            _ => {}
        }
        Some(ids)
    }

    /// [`models::find`], through the indexes.
    pub fn find(
        &self,
        doc: &Document,
        model: &str,
        identifiers: &Map<String, Value>,
    ) -> Option<Obj> {
        let Some(kind) = kind_of(model) else {
            return self.find_other(doc, model, identifiers).map(Obj::Other);
        };
        let (pk, others) = split_identifiers(identifiers);
        let view = |id| View::of(doc, kind, model, id);
        let mut found = Vec::new();
        if let Some(pk) = pk {
            let ids = self.by_pk(doc, kind, model, pk).unwrap_or_default();
            found.extend(
                ids.into_iter()
                    .filter(|id| view(*id).is_some_and(|v| v.pk_matches(pk))),
            );
        }
        if !others.is_empty() {
            let matches = |v: &View| v.matches_all(doc, others.iter().copied());
            match self.by_fields(doc, kind, model, &others) {
                Some(ids) => found.extend(
                    ids.into_iter()
                        .filter(|id| view(*id).is_some_and(|v| matches(&v))),
                ),
                None => found.extend(
                    models::candidates(doc, kind, model)
                        .find(matches)
                        .map(View::id),
                ),
            }
        }
        first(doc, kind, found).and_then(view).map(View::to_obj)
    }

    /// [`others::find`], through the indexes.
    pub fn find_other(
        &self,
        doc: &Document,
        model: &str,
        identifiers: &Map<String, Value>,
    ) -> Option<OtherObject> {
        let (pk, pairs) = split_identifiers(identifiers);
        let object = |id| doc.others.get(id).filter(|o| o.model == model);
        let mut found = Vec::new();
        if let Some(pk) = pk {
            match self.by_pk(doc, ObjKind::Other, model, pk) {
                Some(ids) => found.extend(
                    ids.into_iter()
                        .filter(|id| object(*id).is_some_and(|o| others::pk_matches(o, pk))),
                ),
                None => found.extend(
                    self.of_model(doc, model)
                        .into_iter()
                        .find(|id| object(*id).is_some_and(|o| others::pk_matches(o, pk))),
                ),
            }
        }
        if !pairs.is_empty() {
            let matches = |id: &Uuid| {
                object(*id).is_some_and(|o| others::all_match(doc, o, pairs.iter().copied()))
            };
            match self.by_fields(doc, ObjKind::Other, model, &pairs) {
                Some(ids) => found.extend(ids.into_iter().filter(matches)),
                None => found.extend(self.of_model(doc, model).into_iter().find(matches)),
            }
        }
        first(doc, ObjKind::Other, found).and_then(object).cloned()
    }

    /// The other objects of `model`, in store order.
    fn of_model(&self, doc: &Document, model: &str) -> Vec<Uuid> {
        let mut ix = self.indexes.borrow_mut();
        let all = ix.others.get_or_insert_with(|| {
            let mut all: HashMap<String, Vec<Uuid>> = HashMap::new();
            for o in doc.others.iter() {
                all.entry(o.model.clone()).or_default().push(o.id);
            }
            all
        });
        let mut ids: Vec<Uuid> = all
            .get(model)
            .into_iter()
            .flatten()
            .copied()
            .filter(|id| doc.others.get(*id).is_some_and(|o| o.model == model))
            .collect();
        ids.sort_by_key(|id| doc.others.index_of(*id));
        ids.dedup();
        ids
    }

    /// A meta entry already kept ([`others::find_meta_among`]), among the objects of `model`.
    pub fn find_meta(
        &self,
        doc: &Document,
        model: &str,
        attrs: &Map<String, Value>,
    ) -> Option<OtherObject> {
        let ids = self.of_model(doc, model);
        others::find_meta_among(
            doc,
            ids.iter().filter_map(|id| doc.others.get(*id)),
            model,
            attrs,
        )
    }

    /// [`models::find_by`] (`!Find`), through the indexes.
    pub fn find_by(&self, doc: &Document, model: &str, conditions: &[Condition]) -> Option<Obj> {
        let Some(kind) = kind_of(model) else {
            return self.find_by_other(doc, model, conditions).map(Obj::Other);
        };
        let (plain, joined) = Condition::split(conditions);
        let pk = plain
            .iter()
            .find(|(field, _)| *field == "pk")
            .map(|(_, v)| *v);
        let ids = match pk.and_then(|pk| self.by_pk(doc, kind, model, pk)) {
            Some(ids) => ids,
            None => match self.by_fields(doc, kind, model, &plain) {
                Some(ids) => ids,
                None => return models::find_by(doc, model, conditions),
            },
        };
        let found = ids.into_iter().filter(|id| {
            View::of(doc, kind, model, *id).is_some_and(|view| {
                view.matches_all(doc, plain.iter().copied()) && {
                    let obj = view.to_obj();
                    joined.iter().all(|c| c.holds(doc, &obj))
                }
            })
        });
        let id = first(doc, kind, found.collect::<Vec<_>>())?;
        View::of(doc, kind, model, id).map(View::to_obj)
    }

    fn find_by_other(
        &self,
        doc: &Document,
        model: &str,
        conditions: &[Condition],
    ) -> Option<OtherObject> {
        let (plain, joined) = Condition::split(conditions);
        let ids = self
            .by_fields(doc, ObjKind::Other, model, &plain)
            .unwrap_or_else(|| self.of_model(doc, model));
        let found: Vec<Uuid> = ids
            .into_iter()
            .filter(|id| {
                doc.others.get(*id).is_some_and(|o| {
                    o.model == model
                        && others::all_match(doc, o, plain.iter().copied())
                        && (joined.is_empty() || {
                            let obj = Obj::Other(o.clone());
                            joined.iter().all(|c| c.holds(doc, &obj))
                        })
                })
            })
            .collect();
        first(doc, ObjKind::Other, found).and_then(|id| doc.others.get(id).cloned())
    }

    /// The users that may be direct members of `group` (each to be checked): all that are.
    pub fn members(&self, doc: &Document, group: Uuid) -> Vec<Uuid> {
        let mut ix = self.indexes.borrow_mut();
        let members = ix.members.get_or_insert_with(|| {
            let mut members: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
            for u in doc.users.iter() {
                for g in &u.groups {
                    members.entry(*g).or_default().push(u.id);
                }
            }
            members
        });
        members.get(&group).cloned().unwrap_or_default()
    }

    /// [`models::resolve`], a user's integer pk through the index.
    pub fn resolve(
        &self,
        doc: &Document,
        value: &Value,
        kinds: &[ObjKind],
    ) -> Option<(ObjKind, Uuid)> {
        match value {
            Value::Number(_) if kinds.contains(&ObjKind::User) => {
                let pk = value.as_i64()?;
                let ids = self.by_pk(doc, ObjKind::User, models::USER, value)?;
                let users = ids
                    .into_iter()
                    .filter(|id| doc.users.get(*id).is_some_and(|u| u.pk == Some(pk)));
                first(doc, ObjKind::User, users.collect::<Vec<_>>()).map(|id| (ObjKind::User, id))
            }
            _ => models::resolve(doc, value, kinds),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::edit::{Batch, Op};
    use crate::model::{
        Designation, Flow, Group, Policy, PolicyBinding, PolicyKind, Stage, StageBinding,
        StageKind, Subject, Target, User,
    };

    const DUMMY_STAGE: &str = "authentik_stages_dummy.dummystage";
    const DUMMY_POLICY: &str = "authentik_policies_dummy.dummypolicy";

    struct Ids {
        first: Uuid,
        second: Uuid,
        stage: Uuid,
        binding: Uuid,
    }

    /// Objects with equal identifiers (only store order tells them apart), users with integer
    /// pks, bindings, a policy binding.
    fn tricky() -> (Document, Ids) {
        let mut doc = Document::default();
        let mut first = Flow::new("a", "Same", Designation::Authentication);
        first.title = "one".into();
        let second = Flow::new("b", "Same", Designation::Authentication);
        let stage = Stage::new("s", StageKind::default_for(DUMMY_STAGE).unwrap());
        let policy = Policy::new("p", PolicyKind::default_for(DUMMY_POLICY).unwrap());
        let group = Group::new("g");
        let mut users = Vec::new();
        for (pk, name) in [(1, "u1"), (2, "u2"), (2, "u2-again")] {
            let mut user = User::new(name);
            user.pk = Some(pk);
            user.groups = vec![group.id];
            users.push(user);
        }
        let bindings = [
            StageBinding::new(first.id, stage.id, 10),
            StageBinding::new(first.id, stage.id, 10),
            StageBinding::new(second.id, stage.id, 10),
        ];
        let policy_bindings = [
            PolicyBinding::new(Target::Flow(first.id), Subject::Policy(policy.id), 5),
            PolicyBinding::new(Target::Flow(first.id), Subject::Group(group.id), 5),
            PolicyBinding::new(Target::Flow(first.id), Subject::User(users[1].id), 5),
        ];
        let ids = Ids {
            first: first.id,
            second: second.id,
            stage: stage.id,
            binding: bindings[0].id,
        };
        doc.flows.put(first);
        doc.flows.put(second);
        doc.stages.put(stage);
        doc.policies.put(policy);
        doc.groups.put(group);
        users.into_iter().for_each(|u| {
            doc.users.put(u);
        });
        bindings.into_iter().for_each(|b| {
            doc.stage_bindings.put(b);
        });
        policy_bindings.into_iter().for_each(|b| {
            doc.policy_bindings.put(b);
        });
        (doc, ids)
    }

    /// Lookups, each as (model, identifiers), over the tricky document.
    fn queries(ids: &Ids) -> Vec<(&'static str, Value)> {
        let upper = |id: Uuid| id.to_string().to_uppercase();
        vec![
            (models::FLOW, json!({"name": "Same"})),
            (models::FLOW, json!({"name": "Same", "title": "one"})),
            (models::FLOW, json!({"name": "Same", "slug": "b"})),
            (
                models::FLOW,
                json!({"pk": ids.second.to_string(), "name": "Same"}),
            ),
            (
                models::FLOW,
                json!({"pk": ids.second.to_string(), "slug": "zzz"}),
            ),
            (models::FLOW, json!({"pk": upper(ids.first)})),
            (models::FLOW, json!({"pk": null, "slug": "b"})),
            (models::FLOW, json!({"slug": 7})),
            (models::FLOW, json!({"designation": "authentication"})),
            (
                models::STAGE_BINDING,
                json!({"target": upper(ids.first), "stage": ids.stage.to_string(), "order": 10}),
            ),
            (
                models::STAGE_BINDING,
                json!({"target": ids.second.to_string(), "stage": upper(ids.stage), "order": 10.0}),
            ),
            (
                models::STAGE_BINDING,
                json!({"target": ids.first.to_string(), "stage": ids.stage.to_string(), "order": 11}),
            ),
            (
                models::STAGE_BINDING,
                json!({"pk": ids.binding.to_string()}),
            ),
            (models::USER, json!({"pk": 2})),
            (models::USER, json!({"pk": 2.0})),
            (models::USER, json!({"pk": 1, "username": "u2-again"})),
            (models::USER, json!({"username": "u2-again"})),
            (
                models::POLICY_BINDING,
                json!({"target": ids.first.to_string(), "order": 5}),
            ),
            (
                models::POLICY_BINDING,
                json!({"target": ids.first.to_string(), "policy": null, "order": 5}),
            ),
            (
                models::POLICY_BINDING,
                json!({"target": ids.first.to_string(), "policy": null, "group": null}),
            ),
            (
                models::POLICY_BINDING,
                json!({"target": ids.first.to_string(), "user": 2}),
            ),
            (DUMMY_STAGE, json!({"name": "s"})),
            ("authentik_stages_deny.denystage", json!({"name": "s"})),
            (DUMMY_POLICY, json!({"name": "p"})),
        ]
    }

    fn conditions(pairs: &[(&str, Value)]) -> Vec<Condition> {
        pairs
            .iter()
            .map(|(k, v)| Condition::parse(k, v.clone()).unwrap())
            .collect()
    }

    /// Every query answered by the index and by the scan, over `doc` as it is now.
    fn agree(lookup: &Lookup, doc: &Document, ids: &Ids) -> Vec<Option<Uuid>> {
        let mut answers = Vec::new();
        for (model, identifiers) in queries(ids) {
            let identifiers = identifiers.as_object().unwrap();
            let scanned = models::find(doc, model, identifiers).map(|o| o.id());
            let indexed = lookup.find(doc, model, identifiers).map(|o| o.id());
            assert_eq!(indexed, scanned, "{model} {identifiers:?}");
            answers.push(indexed);
            let as_find: Vec<(&str, Value)> = identifiers
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            let as_find = conditions(&as_find);
            assert_eq!(
                lookup.find_by(doc, model, &as_find).map(|o| o.id()),
                models::find_by(doc, model, &as_find).map(|o| o.id()),
                "!Find {model} {identifiers:?}"
            );
        }
        let joined = conditions(&[("stage__name", json!("s")), ("order", json!(10))]);
        assert_eq!(
            lookup
                .find_by(doc, models::STAGE_BINDING, &joined)
                .map(|o| o.id()),
            models::find_by(doc, models::STAGE_BINDING, &joined).map(|o| o.id()),
        );
        for pk in [json!(1), json!(2), json!(3), json!(ids.first.to_string())] {
            let kinds = [ObjKind::User, ObjKind::Flow];
            assert_eq!(
                lookup.resolve(doc, &pk, &kinds),
                models::resolve(doc, &pk, &kinds),
                "{pk}"
            );
        }
        answers
    }

    fn apply(batch: &mut Batch, lookup: &Lookup, op: Op) {
        let patch = batch.apply(&op).unwrap();
        lookup.note(batch.doc(), &patch);
    }

    #[test]
    fn the_index_answers_as_the_scan_while_the_batch_changes_the_store() {
        let (mut doc, ids) = tricky();
        let lookup = Lookup::new();
        let answers = agree(&lookup, &doc, &ids);
        // First in store order wins among equal identifiers.
        assert_eq!(answers[0], Some(ids.first));
        assert_eq!(answers[2], Some(ids.second));
        // The pk names one object, the identifiers an earlier one: the earlier wins.
        assert_eq!(answers[3], Some(ids.first));
        assert_eq!(answers[4], Some(ids.second));
        assert_eq!(answers[9], Some(ids.binding));

        let mut batch = Batch::new(&mut doc, "test");
        // Renamed by an earlier entry: the old name now finds the other flow.
        let mut renamed = batch.doc().flows.get(ids.first).unwrap().clone();
        renamed.name = "Renamed".into();
        apply(&mut batch, &lookup, Op::Update(Obj::Flow(renamed)));
        let answers = agree(&lookup, batch.doc(), &ids);
        assert_eq!(answers[0], Some(ids.second));
        // A stage binding moved to another order, a user given another pk.
        let mut moved = batch.doc().stage_bindings.get(ids.binding).unwrap().clone();
        moved.order = 11;
        apply(&mut batch, &lookup, Op::Update(Obj::StageBinding(moved)));
        let mut user = batch.doc().users.iter().nth(1).unwrap().clone();
        user.pk = Some(3);
        apply(&mut batch, &lookup, Op::Update(Obj::User(user)));
        agree(&lookup, batch.doc(), &ids);
        // Deleted (`state: absent`), then created again under the same name at the end.
        apply(&mut batch, &lookup, Op::Delete(ObjKind::Flow, ids.second));
        assert_eq!(agree(&lookup, batch.doc(), &ids)[0], None);
        let again = Flow::new("c", "Same", Designation::Authentication);
        let again_id = again.id;
        apply(&mut batch, &lookup, Op::Create(Obj::Flow(again)));
        let mut renamed_back = batch.doc().flows.get(ids.first).unwrap().clone();
        renamed_back.name = "Same".into();
        apply(&mut batch, &lookup, Op::Update(Obj::Flow(renamed_back)));
        let answers = agree(&lookup, batch.doc(), &ids);
        assert_eq!(answers[0], Some(ids.first));
        assert_ne!(answers[0], Some(again_id));
    }

    #[test]
    fn other_objects_are_found_as_the_scan_finds_them() {
        let (mut doc, ids) = tricky();
        let model = "authentik_core.application";
        let mut objects = Vec::new();
        for (slug, pk) in [("app", json!(7)), ("app", json!("x")), ("other", json!(7))] {
            let o = OtherObject {
                id: Uuid::new_v4(),
                model: model.into(),
                blueprint_id: None,
                state: "present".into(),
                conditions: None,
                identifiers: json!({"slug": slug, "pk": pk}).as_object().unwrap().clone(),
                attrs: json!({"flow": crate::model::other::encode(
                    json!(ids.first.to_string()),
                    &|t: &str| others::named_object(&doc, t),
                )})
                .as_object()
                .unwrap()
                .clone(),
            };
            objects.push(o);
        }
        for o in objects {
            doc.others.put(o);
        }
        let lookup = Lookup::new();
        let queries = [
            json!({"slug": "app"}),
            json!({"pk": 7}),
            json!({"pk": 7.0, "slug": "other"}),
            json!({"pk": "x"}),
            json!({"flow": ids.first.to_string().to_uppercase()}),
            json!({"slug": "app", "flow": ids.second.to_string()}),
            json!({"slug": ["app"]}),
        ];
        for q in &queries {
            let q = q.as_object().unwrap();
            assert_eq!(
                lookup.find(&doc, model, q).map(|o| o.id()),
                models::find(&doc, model, q).map(|o| o.id()),
                "{q:?}"
            );
            let as_find: Vec<(&str, Value)> =
                q.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let as_find = conditions(&as_find);
            assert_eq!(
                lookup.find_by(&doc, model, &as_find).map(|o| o.id()),
                models::find_by(&doc, model, &as_find).map(|o| o.id()),
                "!Find {q:?}"
            );
        }
    }
}
