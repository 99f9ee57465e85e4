//! Objects of authentik models bindery does not manage (providers, sources, applications,
//! brands, ...): kept whole as a blueprint entry wrote them, shown read-only, and written back
//! unchanged on export.
//!
//! Their values are stored resolved, except references to other objects of the store, which
//! are stored as `{"$ref": "<uuid>", "$kind": "<kind>"}` so that a rename or an export still
//! knows them for references and not text. A map of the blueprint's own that happens to hold a
//! `$ref`, `$find` or `$map` key is stored wrapped as `{"$map": {...}}`, so the encoding is
//! unambiguous. A `!Find` that found nothing when the entry was applied (a certificate
//! authentik makes itself, a flow another blueprint makes later) is kept as its query,
//! `{"$find": [model, [field, value], ...]}`, and written back as that `!Find`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::ObjKind;
use super::refs::{OnDelete, Ref};

const REF: &str = "$ref";
const KIND: &str = "$kind";
const LITERAL: &str = "$map";
const FIND: &str = "$find";

/// One object of a model outside bindery's domain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherObject {
    /// Its pk in this store: what `!KeyOf` and `!Find` to it resolve to.
    pub id: Uuid,
    pub model: String,
    /// The entry's `id`, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blueprint_id: Option<String>,
    /// `present`, `created` or `must_created` (`absent` deletes the object).
    #[serde(default = "present", skip_serializing_if = "is_present")]
    pub state: String,
    /// The entry's conditions as they resolved (all true, or the entry had no object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Value>>,
    /// Encoded as described in the module documentation.
    pub identifiers: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attrs: Map<String, Value>,
}

fn present() -> String {
    "present".to_string()
}

fn is_present(state: &String) -> bool {
    state == "present"
}

impl OtherObject {
    /// How a person names it: its name, slug or another identifying text, else its model.
    pub fn label(&self) -> &str {
        const KEYS: &[&str] = &["name", "slug", "username", "domain", "identifier", "title"];
        for key in KEYS {
            for map in [&self.identifiers, &self.attrs] {
                if let Some(Value::String(text)) = map.get(*key) {
                    return text;
                }
            }
        }
        self.identifiers
            .values()
            .chain(self.attrs.values())
            .find_map(Value::as_str)
            .unwrap_or(&self.model)
    }

    /// The fields authentik would store: identifiers, then attrs over them.
    pub fn merged(&self) -> Map<String, Value> {
        let mut out = self.identifiers.clone();
        out.extend(self.attrs.clone());
        out
    }

    pub fn refs(&self, out: &mut Vec<Ref>) {
        let sections = [("identifiers", &self.identifiers), ("attrs", &self.attrs)];
        for (section, map) in sections {
            for (field, value) in map {
                let on_delete = on_delete(&self.model, field);
                walk_refs(value, &mut |kind, id| {
                    out.push(Ref {
                        field: section,
                        kind,
                        id,
                        on_delete,
                    })
                });
            }
        }
    }

    /// Clears every reference to `id`: a single one becomes null, one in a list is removed.
    pub fn clear_ref(&mut self, id: Uuid) -> bool {
        let mut changed = false;
        for value in self.identifiers.values_mut().chain(self.attrs.values_mut()) {
            changed |= clear_in(value, id);
        }
        changed
    }
}

/// What happens to an object of `model` when the object its `field` points at is deleted, for
/// the foreign keys bindery knows: a policy binding CASCADEs on every side
/// (`authentik/policies/models.py`, `PolicyBinding`), and so does a provider's
/// `authorization_flow` (`authentik/core/models.py`, `Provider`). Every other reference is
/// cleared, as authentik's SET_NULL / SET_DEFAULT foreign keys (a source's flows, an
/// application's provider) and many-to-many links are.
fn on_delete(model: &str, field: &str) -> OnDelete {
    let cascade = match field {
        "target" | "policy" | "group" | "user" => model == "authentik_policies.policybinding",
        "authorization_flow" => model.starts_with("authentik_providers_"),
        _ => false,
    };
    if cascade {
        OnDelete::Cascade
    } else {
        OnDelete::Clear
    }
}

/// The reference a stored value is, if it is one.
pub fn as_ref(value: &Value) -> Option<(ObjKind, Uuid)> {
    let map = value.as_object()?;
    if map.len() != 2 {
        return None;
    }
    let id = Uuid::parse_str(map.get(REF)?.as_str()?).ok()?;
    let kind: ObjKind = serde_json::from_value(map.get(KIND)?.clone()).ok()?;
    Some((kind, id))
}

/// The stored form of a `!Find` that found nothing: its resolved arguments.
pub fn encode_find(query: Vec<Value>) -> Value {
    let mut map = Map::new();
    map.insert(FIND.into(), Value::Array(query));
    Value::Object(map)
}

/// The query of a kept `!Find`, if the stored value is one.
pub fn as_find(value: &Value) -> Option<&[Value]> {
    match value.as_object()?.get(FIND)? {
        Value::Array(query) if value.as_object()?.len() == 1 => Some(query),
        _ => None,
    }
}

/// A map of the blueprint's own, its values already stored: wrapped when its keys could be
/// read as a reference, a kept `!Find` or a wrapper.
pub fn literal_map(map: Map<String, Value>) -> Value {
    if map.contains_key(REF) || map.contains_key(LITERAL) || map.contains_key(FIND) {
        let mut wrapper = Map::new();
        wrapper.insert(LITERAL.into(), Value::Object(map));
        Value::Object(wrapper)
    } else {
        Value::Object(map)
    }
}

/// A stored map as the blueprint wrote it: a literal map unwrapped.
pub fn literal(map: &Map<String, Value>) -> &Map<String, Value> {
    match map.get(LITERAL) {
        Some(Value::Object(inner)) if map.len() == 1 => inner,
        _ => map,
    }
}

/// The stored form of a reference.
pub fn encode_ref(kind: ObjKind, id: Uuid) -> Value {
    let mut map = Map::new();
    map.insert(REF.into(), Value::String(id.to_string()));
    map.insert(
        KIND.into(),
        serde_json::to_value(kind).expect("kinds serialise"),
    );
    Value::Object(map)
}

/// The stored form of a resolved value: every string `is_ref` names becomes a reference.
pub fn encode(value: Value, is_ref: &dyn Fn(&str) -> Option<(ObjKind, Uuid)>) -> Value {
    match value {
        Value::String(s) => match is_ref(&s) {
            Some((kind, id)) => encode_ref(kind, id),
            None => Value::String(s),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(|v| encode(v, is_ref)).collect()),
        Value::Object(map) => literal_map(
            map.into_iter()
                .map(|(k, v)| (k, encode(v, is_ref)))
                .collect(),
        ),
        scalar => scalar,
    }
}

/// A stored value with each reference replaced by what `pk` makes of it (the pk for lookups,
/// a placeholder for export), each kept `!Find` by null (what it found), and literal maps
/// unwrapped.
pub fn decode(value: &Value, pk: &dyn Fn(ObjKind, Uuid) -> Value) -> Value {
    if let Some((kind, id)) = as_ref(value) {
        return pk(kind, id);
    }
    if as_find(value).is_some() {
        return Value::Null;
    }
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| decode(v, pk)).collect()),
        Value::Object(map) => Value::Object(
            literal(map)
                .iter()
                .map(|(k, v)| (k.clone(), decode(v, pk)))
                .collect(),
        ),
        scalar => scalar.clone(),
    }
}

fn walk_refs(value: &Value, found: &mut dyn FnMut(ObjKind, Uuid)) {
    if let Some((kind, id)) = as_ref(value) {
        found(kind, id);
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk_refs(v, found)),
        Value::Object(map) => map.values().for_each(|v| walk_refs(v, found)),
        _ => {}
    }
}

fn clear_in(value: &mut Value, id: Uuid) -> bool {
    if as_ref(value).is_some_and(|(_, x)| x == id) {
        *value = Value::Null;
        return true;
    }
    match value {
        Value::Array(items) => {
            let before = items.len();
            items.retain(|v| as_ref(v).is_none_or(|(_, x)| x != id));
            let mut changed = items.len() != before;
            for item in items {
                changed |= clear_in(item, id);
            }
            changed
        }
        Value::Object(map) => {
            let mut changed = false;
            for v in map.values_mut() {
                changed |= clear_in(v, id);
            }
            changed
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_and_literal_maps_round_trip_unambiguously() {
        let flow = Uuid::new_v4();
        let text = flow.to_string();
        let is_ref = |s: &str| (s == text).then_some((ObjKind::Flow, flow));
        let written = json!({
            "flow": text.clone(),
            "list": [text.clone(), "plain"],
            "tricky": {"$ref": "x", "$kind": "flow"},
            "nested": {"$map": {"a": 1}},
        });
        let stored = encode(written.clone(), &is_ref);
        assert_eq!(as_ref(&stored["flow"]), Some((ObjKind::Flow, flow)));
        assert_eq!(as_ref(&stored["tricky"]), None);
        let back = decode(&stored, &|_, id| Value::String(id.to_string()));
        assert_eq!(back, written);
    }

    #[test]
    fn clearing_removes_from_lists_and_nulls_single_references() {
        let gone = Uuid::new_v4();
        let mut obj = OtherObject {
            id: Uuid::new_v4(),
            model: "authentik_core.application".into(),
            blueprint_id: None,
            state: present(),
            conditions: None,
            identifiers: Map::new(),
            attrs: json!({"one": encode_ref(ObjKind::Flow, gone), "many": [encode_ref(ObjKind::Flow, gone), 1]})
                .as_object()
                .unwrap()
                .clone(),
        };
        let mut refs = Vec::new();
        obj.refs(&mut refs);
        assert_eq!(refs.len(), 2);
        assert!(obj.clear_ref(gone));
        assert_eq!(obj.attrs["one"], Value::Null);
        assert_eq!(obj.attrs["many"], json!([1]));
    }
}
