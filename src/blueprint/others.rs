//! Blueprint entries of models bindery does not manage, kept as [`OtherObject`]s: how the
//! importer finds them (`authentik/blueprints/v1/importer.py`, `Importer._validate_single`:
//! the object whose pk matches, or whose other identifiers all match), what `!Find` and
//! `!KeyOf` make of them, and how their values are stored with references kept as references.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::models::{Key, pk_of, split_identifiers, values_match};
use super::query::Condition;
use crate::model::other::decode;
use crate::model::{Document, Obj, ObjKind, OtherObject};

/// The pk `!KeyOf` and `!Find` give for an object of the store: a user's integer pk when it
/// has one, else its UUID.
pub fn pk_value(doc: &Document, kind: ObjKind, id: Uuid) -> Value {
    match (kind, doc.users.get(id)) {
        (ObjKind::User, Some(user)) => pk_of(&Obj::User(user.clone())),
        _ => Value::String(id.to_string()),
    }
}

/// An object's fields as authentik would hold them (identifiers, then attrs over them), with
/// references as the pks of their targets.
pub fn attrs(doc: &Document, o: &OtherObject) -> Map<String, Value> {
    let pk = |kind: ObjKind, id: Uuid| pk_value(doc, kind, id);
    o.merged()
        .iter()
        .map(|(k, v)| (k.clone(), decode(v, &pk)))
        .collect()
}

/// Whether a pk value names this object: its UUID, or the pk its entry gave it.
pub(super) fn pk_matches(o: &OtherObject, pk: &Value) -> bool {
    pk.as_str().and_then(|s| Uuid::parse_str(s).ok()) == Some(o.id)
        || o.identifiers
            .get("pk")
            .is_some_and(|own| values_match(own, pk))
}

/// The key a field of the object is compared by, for an index of it: None when the object
/// does not have the field or its value is a list or a mapping.
pub(super) fn key_of(doc: &Document, o: &OtherObject, field: &str) -> Option<Key> {
    let pk = |kind: ObjKind, id: Uuid| pk_value(doc, kind, id);
    let have = o.attrs.get(field).or_else(|| o.identifiers.get(field))?;
    Key::of_value(&decode(have, &pk))
}

pub(super) fn all_match<'p>(
    doc: &Document,
    o: &OtherObject,
    mut pairs: impl Iterator<Item = (&'p str, &'p Value)>,
) -> bool {
    let pk = |kind: ObjKind, id: Uuid| pk_value(doc, kind, id);
    pairs.all(|(field, wanted)| {
        if field == "pk" {
            return pk_matches(o, wanted);
        }
        // Only the compared field is decoded: lookups walk every object of the model.
        let have = o.attrs.get(field).or_else(|| o.identifiers.get(field));
        have.is_some_and(|v| values_match(&decode(v, &pk), wanted))
    })
}

/// The importer's lookup among objects of `model`: `pk` matches, OR all other identifiers do.
pub fn find(doc: &Document, model: &str, identifiers: &Map<String, Value>) -> Option<OtherObject> {
    let (pk, others) = split_identifiers(identifiers);
    doc.others
        .iter()
        .filter(|o| o.model == model)
        .find(|o| {
            pk.is_some_and(|pk| pk_matches(o, pk))
                || (!others.is_empty() && all_match(doc, o, others.iter().copied()))
        })
        .cloned()
}

/// Whether a model is one of authentik's meta models (`authentik/blueprints/v1/meta/`), which
/// stand for an action (applying another blueprint) rather than a row: the importer does not
/// look them up by identifiers (`Importer._validate_single`), so they need none.
pub fn is_meta(model: &str) -> bool {
    model.starts_with("authentik_blueprints.meta")
}

/// A meta entry already kept: the same model with the same values, so that applying a file
/// twice keeps one. The first of `candidates` (objects of the store, in store order) with the
/// values counts.
pub(super) fn find_meta_among<'d>(
    doc: &Document,
    candidates: impl Iterator<Item = &'d OtherObject>,
    model: &str,
    attrs: &Map<String, Value>,
) -> Option<OtherObject> {
    let wanted = Value::Object(attrs.clone());
    candidates
        .filter(|o| o.model == model && o.identifiers.is_empty())
        .find(|o| values_match(&Value::Object(self::attrs(doc, o)), &wanted))
        .filter(|o| o.attrs.len() == attrs.len())
        .cloned()
}

/// `!Find` among objects of `model`: the first whose fields equal all the given values.
pub fn find_by(doc: &Document, model: &str, conditions: &[Condition]) -> Option<OtherObject> {
    let (plain, joined) = Condition::split(conditions);
    doc.others
        .iter()
        .filter(|o| o.model == model)
        .filter(|o| all_match(doc, o, plain.iter().copied()))
        .find(|o| {
            joined.is_empty() || {
                let obj = Obj::Other((*o).clone());
                joined.iter().all(|c| c.holds(doc, &obj))
            }
        })
        .cloned()
}

/// The object of the store a resolved text names, if it is the UUID of one: what a `!KeyOf`
/// or `!Find` (or a pk written out) in the entry resolved to.
pub fn named_object(doc: &Document, text: &str) -> Option<(ObjKind, Uuid)> {
    let id = Uuid::parse_str(text).ok()?;
    ObjKind::ALL
        .iter()
        .find(|kind| doc.contains(**kind, id))
        .map(|kind| (*kind, id))
}

/// What an entry says about the object, as the importer hands it over.
pub struct Entry {
    pub model: String,
    pub blueprint_id: Option<String>,
    pub state: String,
    pub conditions: Option<Vec<Value>>,
    /// Stored values (see [`crate::model::other`]), but for `pk`, which is kept as written.
    pub identifiers: Map<String, Value>,
    pub attrs: Map<String, Value>,
}

/// The object an entry makes: `existing` with the entry's values, or a new object whose id is
/// the entry's pk when that is a UUID no object has (as authentik creates with a given pk).
pub fn build(doc: &Document, existing: Option<&OtherObject>, entry: Entry) -> OtherObject {
    let id = existing.map(|o| o.id).unwrap_or_else(|| {
        entry
            .identifiers
            .get("pk")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .filter(|id| named_object(doc, &id.to_string()).is_none())
            .unwrap_or_else(Uuid::new_v4)
    });
    OtherObject {
        id,
        model: entry.model,
        blueprint_id: entry.blueprint_id,
        state: entry.state,
        conditions: entry.conditions,
        identifiers: entry.identifiers,
        attrs: entry.attrs,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::Flow;
    use crate::model::other::as_ref;

    fn entry(doc: &Document, identifiers: Value, attrs: Value) -> Entry {
        let is_ref = |text: &str| named_object(doc, text);
        let attrs = crate::model::other::encode(attrs, &is_ref);
        Entry {
            model: "authentik_core.application".into(),
            blueprint_id: None,
            state: "present".into(),
            conditions: None,
            identifiers: identifiers.as_object().unwrap().clone(),
            attrs: attrs.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn a_uuid_of_a_store_object_is_kept_as_a_reference_and_found_by_its_pk() {
        let mut doc = Document::default();
        let flow = Flow::new("auth", "Auth", crate::model::Designation::Authentication);
        let flow_id = flow.id;
        doc.flows.put(flow);
        let app = build(
            &doc,
            None,
            entry(
                &doc,
                json!({"slug": "app"}),
                json!({"authentication_flow": flow_id.to_string(), "note": "x"}),
            ),
        );
        assert_eq!(
            as_ref(&app.attrs["authentication_flow"]),
            Some((ObjKind::Flow, flow_id))
        );
        doc.others.put(app.clone());
        let wanted = json!({"slug": "app", "authentication_flow": flow_id.to_string()});
        let found = find(
            &doc,
            "authentik_core.application",
            wanted.as_object().unwrap(),
        );
        assert_eq!(found.map(|o| o.id), Some(app.id));
        let by_pk = json!({"pk": app.id.to_string(), "slug": "other"});
        assert!(
            find(
                &doc,
                "authentik_core.application",
                by_pk.as_object().unwrap()
            )
            .is_some()
        );
        assert!(find(&doc, "authentik_core.brand", wanted.as_object().unwrap()).is_none());
    }
}
