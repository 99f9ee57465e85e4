//! `!Find` conditions as Django reads them: `Q(**{key: value})` for each pair
//! (`authentik/blueprints/v1/common.py`, `Find._get_instance`), where a key is a lookup path:
//! relation fields joined by `__` (`stage__name`, `target__slug`, `groups__name`), optionally
//! ending in a lookup (`name__iexact`, `slug__in`, `parent__isnull`). Over a to-many relation a
//! condition holds when some related object satisfies it, as Django's joins do.

use super::models::{attrs_of, pk_of, resolve, values_match};
use super::python::truthy;
use crate::model::{Document, Obj, ObjKind};
use serde_json::Value;

/// Django's field lookups that bindery evaluates (`django/db/models/lookups.py`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lookup {
    Exact,
    IExact,
    Contains,
    IContains,
    StartsWith,
    IStartsWith,
    EndsWith,
    IEndsWith,
    In,
    IsNull,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Lookup {
    fn named(name: &str) -> Option<Lookup> {
        Some(match name {
            "exact" => Lookup::Exact,
            "iexact" => Lookup::IExact,
            "contains" => Lookup::Contains,
            "icontains" => Lookup::IContains,
            "startswith" => Lookup::StartsWith,
            "istartswith" => Lookup::IStartsWith,
            "endswith" => Lookup::EndsWith,
            "iendswith" => Lookup::IEndsWith,
            "in" => Lookup::In,
            "isnull" => Lookup::IsNull,
            "gt" => Lookup::Gt,
            "gte" => Lookup::Gte,
            "lt" => Lookup::Lt,
            "lte" => Lookup::Lte,
            _ => return None,
        })
    }
}

/// One condition of a `!Find`: the fields to follow, the field compared, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    relations: Vec<String>,
    field: String,
    lookup: Lookup,
    value: Value,
}

impl Condition {
    /// Reads `key` as Django does: the last part is a lookup when it names one and is not the
    /// only part; an empty part (`a____b`, a trailing `__`) is an error.
    pub fn parse(key: &str, value: Value) -> Result<Condition, String> {
        let mut parts: Vec<&str> = key.split("__").collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(format!("{key:?} is not a field or a lookup path"));
        }
        let lookup = match parts.as_slice() {
            [_, .., last] => Lookup::named(last),
            _ => None,
        };
        if lookup.is_some() {
            parts.pop();
        }
        let field = parts.pop().unwrap_or_default().to_string();
        Ok(Condition {
            relations: parts.into_iter().map(str::to_string).collect(),
            field,
            lookup: lookup.unwrap_or(Lookup::Exact),
            value,
        })
    }

    /// The plain `field: value` conditions, which the lookups' fast paths answer, and the
    /// others, which follow relations or compare otherwise.
    pub fn split(conditions: &[Condition]) -> (Vec<(&str, &Value)>, Vec<&Condition>) {
        let (plain, joined): (Vec<&Condition>, Vec<&Condition>) =
            conditions.iter().partition(|c| c.as_plain().is_some());
        (plain.iter().filter_map(|c| c.as_plain()).collect(), joined)
    }

    /// A plain `field: value` condition, which the lookup's fast paths can answer.
    pub fn as_plain(&self) -> Option<(&str, &Value)> {
        (self.relations.is_empty() && self.lookup == Lookup::Exact)
            .then_some((self.field.as_str(), &self.value))
    }

    /// Whether `obj` satisfies the condition, following its relations through `doc`.
    pub fn holds(&self, doc: &Document, obj: &Obj) -> bool {
        let mut objects = vec![obj.clone()];
        for relation in &self.relations {
            objects = objects
                .iter()
                .flat_map(|o| related(doc, o, relation))
                .collect();
            if objects.is_empty() {
                // Django's inner join: no related object, no match (isnull aside).
                return self.lookup == Lookup::IsNull && truthy(&self.value);
            }
        }
        objects.iter().any(|o| {
            let have = if self.field == "pk" {
                pk_of(o)
            } else {
                attrs_of(doc, o).remove(&self.field).unwrap_or(Value::Null)
            };
            compare(self.lookup, &have, &self.value)
        })
    }
}

/// The objects a relation field of `obj` points at: one for a foreign key, any number for a
/// many-to-many field; none when the field is not a reference.
fn related(doc: &Document, obj: &Obj, field: &str) -> Vec<Obj> {
    let refs = match attrs_of(doc, obj).remove(field) {
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    refs.iter()
        .filter_map(|r| resolve(doc, r, ObjKind::ALL))
        .filter_map(|(kind, id)| doc.get(kind, id))
        .collect()
}

fn text_pair<'v>(have: &'v Value, wanted: &'v Value) -> Option<(&'v str, &'v str)> {
    Some((have.as_str()?, wanted.as_str()?))
}

fn compare(lookup: Lookup, have: &Value, wanted: &Value) -> bool {
    let folded = |f: fn(&str, &str) -> bool| {
        text_pair(have, wanted).is_some_and(|(h, w)| f(&h.to_lowercase(), &w.to_lowercase()))
    };
    let exact = |f: fn(&str, &str) -> bool| text_pair(have, wanted).is_some_and(|(h, w)| f(h, w));
    let order = || match (have, wanted) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match lookup {
        Lookup::Exact => values_match(have, wanted),
        Lookup::IExact => folded(|h, w| h == w),
        Lookup::Contains => match (have, wanted) {
            // On a JSON field, `contains` is containment; on text, a substring.
            (Value::Object(_), Value::Object(_)) => values_match(have, wanted),
            (Value::Array(items), w) => items.iter().any(|i| values_match(i, w)),
            _ => exact(|h, w| h.contains(w)),
        },
        Lookup::IContains => folded(|h, w| h.contains(w)),
        Lookup::StartsWith => exact(|h, w| h.starts_with(w)),
        Lookup::IStartsWith => folded(|h, w| h.starts_with(w)),
        Lookup::EndsWith => exact(|h, w| h.ends_with(w)),
        Lookup::IEndsWith => folded(|h, w| h.ends_with(w)),
        Lookup::In => wanted
            .as_array()
            .is_some_and(|options| options.iter().any(|o| values_match(have, o))),
        Lookup::IsNull => have.is_null() == truthy(wanted),
        Lookup::Gt => order().is_some_and(|o| o.is_gt()),
        Lookup::Gte => order().is_some_and(|o| o.is_ge()),
        Lookup::Lt => order().is_some_and(|o| o.is_lt()),
        Lookup::Lte => order().is_some_and(|o| o.is_le()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_split_into_relations_field_and_lookup() {
        let c = Condition::parse("stage__name", json!("x")).unwrap();
        assert_eq!(c.relations, vec!["stage"]);
        assert_eq!((c.field.as_str(), c.lookup), ("name", Lookup::Exact));
        let c = Condition::parse("target__slug__iexact", json!("x")).unwrap();
        assert_eq!(c.relations, vec!["target"]);
        assert_eq!((c.field.as_str(), c.lookup), ("slug", Lookup::IExact));
        // A field that happens to be named like a lookup, alone, is the field.
        let c = Condition::parse("in", json!(1)).unwrap();
        assert_eq!((c.field.as_str(), c.lookup), ("in", Lookup::Exact));
        assert!(c.relations.is_empty());
        assert!(Condition::parse("stage____name", json!(1)).is_err());
        assert!(Condition::parse("name__", json!(1)).is_err());
    }

    #[test]
    fn lookups_compare_as_django() {
        assert!(compare(Lookup::IExact, &json!("Admins"), &json!("admins")));
        assert!(compare(
            Lookup::IContains,
            &json!("Default MFA"),
            &json!("mfa")
        ));
        assert!(!compare(
            Lookup::Contains,
            &json!("Default MFA"),
            &json!("mfa")
        ));
        assert!(compare(Lookup::In, &json!("b"), &json!(["a", "b"])));
        assert!(compare(Lookup::IsNull, &Value::Null, &json!(true)));
        assert!(compare(Lookup::IsNull, &json!("x"), &json!(false)));
        assert!(compare(Lookup::Gte, &json!(10), &json!(10)));
        assert!(!compare(Lookup::Lt, &json!(10), &json!(10)));
        assert!(compare(
            Lookup::Contains,
            &json!({"a": 1, "b": 2}),
            &json!({"a": 1})
        ));
    }
}
