//! authentik's blueprint tags, resolved as its `BlueprintLoader` resolves them
//! (`authentik/blueprints/v1/common.py`): `!KeyOf`, `!Find`, `!FindObject`, `!Context`, `!Env`,
//! `!File`, `!Format`, `!If`, `!Condition`, `!Enumerate`, `!Index`, `!Value`, `!AtIndex`,
//! `!ParseJSON`. Tags nest; each error names the position of the tag that failed.

use foldhash::HashMap;
use std::cell::Cell;

use serde_json::{Map, Number, Value};

use super::host::ImportOptions;
use super::limits::MAX_TAG_OUTPUT_BYTES;
use super::lookup::Lookup;
use super::models::{attrs_of, kind_of, pk_of};
use super::python::{format_percent, truthy};
use super::query::Condition;
use super::yaml::flow_text;
use super::yaml::{Mark, Node, NodeValue};
use crate::model::Document;

#[derive(Debug, Clone, PartialEq)]
pub struct TagError {
    pub mark: Mark,
    pub message: String,
}

/// What tags can see while one entry is resolved.
pub struct Scope<'a> {
    pub doc: &'a Document,
    /// `id` of each earlier entry → the pk of its object (null when it was skipped).
    pub ids: &'a HashMap<String, Value>,
    pub context: &'a Map<String, Value>,
    /// `(index or key, value)` of each enclosing `!Enumerate`, innermost last.
    pub loops: Vec<(Value, Value)>,
    /// What `!Env` and `!File` may read.
    pub options: &'a ImportOptions,
    /// What the tags of the whole import have produced so far.
    pub budget: &'a TagBudget,
    /// The lookups `!Find` uses, kept up to date with `doc`.
    pub lookup: &'a Lookup,
    /// Each `!Find` that found nothing, in the order resolved.
    pub misses: Vec<Miss>,
    /// Things the tags did that the importer should tell, with where.
    pub notes: Vec<(Mark, String)>,
}

/// A `!Find` that found nothing: where it is, and the query as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub mark: Mark,
    pub query: String,
}

/// What the tags of one import have produced, against a limit (by default
/// [`MAX_TAG_OUTPUT_BYTES`]).
pub struct TagBudget {
    limit: usize,
    spent: Cell<usize>,
}

impl TagBudget {
    pub fn new(limit: usize) -> TagBudget {
        TagBudget {
            limit,
            spent: Cell::new(0),
        }
    }

    fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.spent.get())
    }

    fn exceeded(&self) -> String {
        format!(
            "tags produce more than {} bytes in this import (the limit on what tags may \
             produce, MAX_TAG_OUTPUT_BYTES = {MAX_TAG_OUTPUT_BYTES} unless set lower)",
            self.limit
        )
    }

    /// Counts `value`, made by the tag at `node`.
    fn charge(&self, node: &Node, value: &Value) -> Result<(), TagError> {
        self.spend(node, weight(value, self.remaining()))
    }

    /// Counts `bytes` of work for the tag at `node`.
    fn spend(&self, node: &Node, bytes: usize) -> Result<(), TagError> {
        if bytes > self.remaining() {
            self.spent.set(self.limit.saturating_add(1));
            return fail(node, self.exceeded());
        }
        self.spent.set(self.spent.get() + bytes);
        Ok(())
    }
}

/// What a value costs: 8 bytes for each value in it plus the bytes of its text. Counting
/// stops once past `limit`.
fn weight(value: &Value, limit: usize) -> usize {
    let mut total = 0;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        total += 8;
        match value {
            Value::String(s) => total += s.len(),
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => {
                for (k, v) in map {
                    total += k.len();
                    pending.push(v);
                }
            }
            _ => {}
        }
        if total > limit {
            break;
        }
    }
    total
}

fn fail<T>(node: &Node, message: impl Into<String>) -> Result<T, TagError> {
    Err(TagError {
        mark: node.mark,
        message: message.into(),
    })
}

/// The plain value of a node, with every tag inside it resolved.
pub fn resolve(node: &Node, scope: &mut Scope) -> Result<Value, TagError> {
    if let Some(tag) = &node.tag {
        let value = resolve_tag(tag, node, scope)?;
        scope.budget.charge(node, &value)?;
        return Ok(value);
    }
    match &node.value {
        NodeValue::Null => Ok(Value::Null),
        NodeValue::Bool(b) => Ok(Value::Bool(*b)),
        NodeValue::Int(i) => Ok(Value::Number((*i).into())),
        NodeValue::Float(f) => Number::from_f64(*f)
            .map(Value::Number)
            .map_or_else(|| fail(node, format!("{f} cannot be stored")), Ok),
        NodeValue::Str(s) => Ok(Value::String(s.clone())),
        NodeValue::Seq(items) => items
            .iter()
            .map(|item| resolve(item, scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        NodeValue::Map(pairs) => {
            let mut map = Map::new();
            for (key, value) in pairs {
                let key_text = key_string(&resolve(key, scope)?);
                map.insert(key_text, resolve(value, scope)?);
            }
            Ok(Value::Object(map))
        }
    }
}

/// A mapping key as text, as Python would print a scalar key.
fn key_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => super::python::py_str(other),
    }
}

fn items<'n>(node: &'n Node, tag: &str, min: usize, max: usize) -> Result<&'n [Node], TagError> {
    match &node.value {
        NodeValue::Seq(items) if (min..=max).contains(&items.len()) => Ok(items),
        NodeValue::Seq(items) => fail(
            node,
            format!("{tag} takes {min} to {max} items, found {}", items.len()),
        ),
        _ => fail(node, format!("{tag} takes a list")),
    }
}

fn scalar<'n>(node: &'n Node, tag: &str) -> Result<&'n str, TagError> {
    node.scalar_str()
        .map_or_else(|| fail(node, format!("{tag} takes a single value")), Ok)
}

/// `key` or `[key, default]`, the form of `!Context`, `!Env` and `!File`.
fn key_and_default(
    node: &Node,
    tag: &str,
    scope: &mut Scope,
) -> Result<(String, Option<Value>), TagError> {
    match &node.value {
        NodeValue::Seq(_) => {
            let parts = items(node, tag, 1, 2)?;
            let key = match resolve(&parts[0], scope)? {
                Value::String(s) => s,
                other => key_string(&other),
            };
            let default = parts.get(1).map(|d| resolve(d, scope)).transpose()?;
            Ok((key, default))
        }
        _ => Ok((scalar(node, tag)?.to_string(), None)),
    }
}

/// One query of a `!Find`, read as authentik reads it: its first two items are the lookup and
/// the value, and anything after them is ignored (`Find.__init__` keeps every item, and
/// `_get_instance` uses `cond[0]` and `cond[1]`).
fn find_condition(tag: &str, part: &Node, scope: &mut Scope) -> Result<Condition, TagError> {
    let Value::Array(items) = resolve(part, scope)? else {
        return fail(part, format!("{tag}: each query is a [field, value] pair"));
    };
    let [key, value, rest @ ..] = items.as_slice() else {
        return fail(
            part,
            format!(
                "{tag}: a query needs a field and a value, found {} item(s)",
                items.len()
            ),
        );
    };
    let Value::String(key) = key else {
        return fail(
            part,
            format!("{tag}: a query's field must be text, not {key}"),
        );
    };
    if !rest.is_empty() {
        scope.notes.push((
            part.mark,
            format!(
                "{tag}: only the first pair of {} is used, as authentik does; the other {} item(s) are ignored",
                flow_text(part),
                rest.len()
            ),
        ));
    }
    Condition::parse(key, value.clone()).map_err(|e| TagError {
        mark: part.mark,
        message: format!("{tag}: {e}"),
    })
}

fn resolve_tag(tag: &str, node: &Node, scope: &mut Scope) -> Result<Value, TagError> {
    match tag {
        "!KeyOf" => {
            let id = scalar(node, tag)?;
            match scope.ids.get(id) {
                Some(pk) => Ok(pk.clone()),
                None => fail(node, format!("!KeyOf {id}: no earlier entry has id {id:?}")),
            }
        }
        "!Find" | "!FindObject" => {
            let parts = items(node, tag, 1, usize::MAX)?;
            let model = match resolve(&parts[0], scope)? {
                Value::String(m) => m,
                other => {
                    return fail(
                        &parts[0],
                        format!("{tag}: the model must be text, not {other}"),
                    );
                }
            };
            let mut conditions = Vec::new();
            for part in &parts[1..] {
                conditions.push(find_condition(tag, part, scope)?);
            }
            if !super::models::is_authentik_model(&model) {
                return fail(
                    &parts[0],
                    format!("{tag}: authentik has no model {model:?}"),
                );
            }
            // A lookup walks the objects of its kind: 8 bytes each, against the budget, so
            // that a loop of lookups over a large store is bounded too.
            if let Some(kind) = kind_of(&model) {
                scope.budget.spend(node, 8 * scope.doc.count(kind))?;
            }
            Ok(match scope.lookup.find_by(scope.doc, &model, &conditions) {
                None => {
                    scope.misses.push(Miss {
                        mark: node.mark,
                        query: flow_text(node),
                    });
                    Value::Null
                }
                Some(obj) if tag == "!Find" => pk_of(&obj),
                Some(obj) => {
                    let mut attrs = attrs_of(scope.doc, &obj);
                    attrs.insert("pk".into(), pk_of(&obj));
                    Value::Object(attrs)
                }
            })
        }
        "!Context" => {
            let (key, default) = key_and_default(node, tag, scope)?;
            Ok(scope
                .context
                .get(&key)
                .cloned()
                .or(default)
                .unwrap_or(Value::Null))
        }
        "!Env" => {
            let (key, default) = key_and_default(node, tag, scope)?;
            match scope.options.env(&key) {
                Ok(Some(value)) => Ok(Value::String(value)),
                Ok(None) => Ok(default.unwrap_or(Value::Null)),
                Err(refused) => fail(node, refused),
            }
        }
        "!File" => {
            let (path, default) = key_and_default(node, tag, scope)?;
            match scope.options.file(&path) {
                Ok(Some(text)) => Ok(Value::String(text)),
                Ok(None) => Ok(default.unwrap_or(Value::Null)),
                Err(refused) => fail(node, refused),
            }
        }
        "!Format" => {
            let parts = items(node, tag, 1, usize::MAX)?;
            let format = match resolve(&parts[0], scope)? {
                Value::String(f) => f,
                other => {
                    return fail(
                        &parts[0],
                        format!("!Format: the format must be text, not {other}"),
                    );
                }
            };
            let args = parts[1..]
                .iter()
                .map(|a| resolve(a, scope))
                .collect::<Result<Vec<_>, _>>()?;
            format_percent(&format, &args, scope.budget.remaining(), &|| {
                scope.budget.exceeded()
            })
            .map(Value::String)
            .map_or_else(|e| fail(node, format!("!Format: {e}")), Ok)
        }
        "!If" => {
            let parts = items(node, tag, 1, 3)?;
            if parts.len() == 2 {
                return fail(
                    node,
                    "!If takes [condition] or [condition, when true, when false]",
                );
            }
            let condition = truthy(&resolve(&parts[0], scope)?);
            match parts.len() {
                3 => resolve(&parts[if condition { 1 } else { 2 }], scope),
                _ => Ok(Value::Bool(condition)),
            }
        }
        "!Condition" => {
            let parts = items(node, tag, 1, usize::MAX)?;
            let mode = match resolve(&parts[0], scope)? {
                Value::String(m) => m,
                other => return fail(&parts[0], format!("!Condition: unknown mode {other}")),
            };
            let values = parts[1..]
                .iter()
                .map(|a| resolve(a, scope).map(|v| truthy(&v)))
                .collect::<Result<Vec<bool>, _>>()?;
            let ones = values.iter().filter(|b| **b).count();
            let result = match mode.as_str() {
                "AND" => ones == values.len(),
                "NAND" => ones != values.len(),
                "OR" => ones > 0,
                "NOR" => ones == 0,
                "XOR" => ones % 2 == 1,
                "XNOR" => ones % 2 == 0,
                other => {
                    return fail(
                        &parts[0],
                        format!(
                            "!Condition: unknown mode {other:?} (AND, NAND, OR, NOR, XOR, XNOR)"
                        ),
                    );
                }
            };
            Ok(Value::Bool(result))
        }
        "!Enumerate" => enumerate(node, scope),
        "!Index" | "!Value" => {
            let depth: usize = scalar(node, tag)?.trim().parse().map_or_else(
                |_| {
                    fail(
                        node,
                        format!("{tag} takes a depth, 0 for the innermost loop"),
                    )
                },
                Ok,
            )?;
            let Some(level) = depth
                .checked_add(1)
                .and_then(|levels| scope.loops.len().checked_sub(levels))
            else {
                return fail(
                    node,
                    format!(
                        "{tag} {depth}: only {} enclosing !Enumerate",
                        scope.loops.len()
                    ),
                );
            };
            let (index, value) = &scope.loops[level];
            Ok(if tag == "!Index" {
                index.clone()
            } else {
                value.clone()
            })
        }
        "!AtIndex" => {
            let parts = items(node, tag, 2, 3)?;
            let container = resolve(&parts[0], scope)?;
            let key = resolve(&parts[1], scope)?;
            let found = match (&container, &key) {
                (Value::Array(list), Value::Number(n)) => n.as_i64().and_then(|i| {
                    let i = if i < 0 { list.len() as i64 + i } else { i };
                    usize::try_from(i).ok().and_then(|i| list.get(i).cloned())
                }),
                (Value::Object(map), key) => map.get(&key_string(key)).cloned(),
                (Value::String(s), Value::Number(n)) => n
                    .as_u64()
                    .and_then(|i| s.chars().nth(i as usize))
                    .map(|c| Value::String(c.to_string())),
                _ => None,
            };
            match (found, parts.get(2)) {
                (Some(value), _) => Ok(value),
                (None, Some(default)) => resolve(default, scope),
                (None, None) => fail(node, format!("!AtIndex: {container} has nothing at {key}")),
            }
        }
        "!ParseJSON" => {
            let text = scalar(node, tag)?;
            serde_json::from_str(text).map_or_else(|e| fail(node, format!("!ParseJSON: {e}")), Ok)
        }
        other => fail(node, format!("unknown tag {other}")),
    }
}

fn enumerate(node: &Node, scope: &mut Scope) -> Result<Value, TagError> {
    let parts = items(node, "!Enumerate", 3, 3)?;
    let iterable = resolve(&parts[0], scope)?;
    let mode = match resolve(&parts[1], scope)? {
        Value::String(m) if m == "SEQ" || m == "MAP" => m,
        other => {
            return fail(
                &parts[1],
                format!("!Enumerate: the mode is SEQ or MAP, not {other}"),
            );
        }
    };
    let pairs: Vec<(Value, Value)> = match iterable {
        Value::Array(list) => list
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(i.into()), v))
            .collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect(),
        Value::Null => Vec::new(),
        other => return fail(&parts[0], format!("!Enumerate cannot loop over {other}")),
    };
    let mut seq = Vec::new();
    let mut merged = Map::new();
    for pair in pairs {
        scope.loops.push(pair);
        let result = resolve(&parts[2], scope);
        scope.loops.pop();
        let item = result?;
        scope.budget.charge(&parts[2], &item)?;
        if mode == "SEQ" {
            seq.push(item);
            continue;
        }
        match item {
            Value::Array(kv) if kv.len() == 2 => {
                let key = key_string(&kv[0]);
                deep_merge(&mut merged, key, kv[1].clone());
            }
            Value::Object(map) => {
                for (k, v) in map {
                    deep_merge(&mut merged, k, v);
                }
            }
            other => {
                return fail(
                    &parts[2],
                    format!(
                        "!Enumerate MAP: each item must be [key, value] or a mapping, not {other}"
                    ),
                );
            }
        }
    }
    Ok(if mode == "SEQ" {
        Value::Array(seq)
    } else {
        Value::Object(merged)
    })
}

/// Merges as authentik's `deepmerge` does: mappings merge key by key, lists append, anything
/// else is replaced.
fn deep_merge(into: &mut Map<String, Value>, key: String, value: Value) {
    match (into.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(more)) => {
            for (k, v) in more {
                deep_merge(existing, k, v);
            }
        }
        (Some(Value::Array(existing)), Value::Array(more)) => existing.extend(more),
        (_, value) => {
            into.insert(key, value);
        }
    }
}
