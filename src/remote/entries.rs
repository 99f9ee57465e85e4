//! The blueprint a pull imports: authentik's flow exports and the API's objects, each entry
//! once, ordered so that each comes after what it refers to (groups after their parents,
//! stages after the stages they name), then imported with bindery's importer.

use foldhash::{HashMap, HashSet};
use serde_json::{Map, Value, json};

use super::RemoteError;
use crate::blueprint::yaml::{Node, NodeValue};
use crate::blueprint::{self, ImportOptions, models};
use crate::edit::Batch;
use crate::model::{Document, ObjKind};
use crate::text::sanitize;

/// Fields the API returns that are not attributes an import sets.
const READ_ONLY: &[&str] = &[
    "pk",
    "component",
    "verbose_name",
    "verbose_name_plural",
    "meta_model_name",
    "flow_set",
    "bound_to",
    "promptstage_set",
    "policybindingmodel_ptr_id",
];

/// `0..n` with each item after the items `deps` gives for it (depth first; a cycle is broken
/// where it is found).
pub(super) fn dependency_order(n: usize, deps: impl Fn(usize) -> Vec<usize>) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; n];
    let mut order = Vec::with_capacity(n);
    for root in 0..n {
        if marks[root] != Mark::New {
            continue;
        }
        let mut stack = vec![(root, deps(root), 0usize)];
        marks[root] = Mark::Open;
        while let Some((item, its_deps, next)) = stack.last_mut() {
            if let Some(&dep) = its_deps.get(*next) {
                *next += 1;
                if marks[dep] == Mark::New {
                    marks[dep] = Mark::Open;
                    let d = deps(dep);
                    stack.push((dep, d, 0));
                }
            } else {
                marks[*item] = Mark::Done;
                order.push(*item);
                stack.pop();
            }
        }
    }
    order
}

/// The entries of the blueprint a pull imports, each once, by kind.
#[derive(Default)]
pub(super) struct Entries {
    seen: HashSet<(String, String)>,
    by_kind: HashMap<ObjKindKey, Vec<(Node, String)>>,
    pub(super) warnings: std::collections::BTreeSet<String>,
}

type ObjKindKey = u8;

/// Where each kind's entries go in the blueprint: each after the kinds it refers to.
const ORDER: &[ObjKind] = super::changes::PULLED;

fn key_of(kind: ObjKind) -> ObjKindKey {
    ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(u8::MAX as usize) as u8
}

impl Entries {
    pub(super) fn has(&self, model: &str, pk: &str) -> bool {
        self.seen.contains(&(model.to_string(), pk.to_string()))
    }

    /// Adds an entry once (a stage bound in several flows is in each flow's export).
    fn push(&mut self, model: &str, pk: String, entry: Node, origin: String) {
        if !self.seen.insert((model.to_string(), pk)) {
            return;
        }
        let Some(kind) = models::kind_of(model).filter(|k| ORDER.contains(k)) else {
            self.warnings.insert(format!(
                "{origin}: an entry of model {} was left out (bindery does not pull it)",
                sanitize(model)
            ));
            return;
        };
        self.by_kind
            .entry(key_of(kind))
            .or_default()
            .push((entry, origin));
    }

    /// An object as the API returns it: `keep` its listed attributes (all but the read-only
    /// ones when empty).
    pub(super) fn add_api(
        &mut self,
        model: &str,
        object: Value,
        keep: &[&str],
        what: &str,
    ) -> Result<(), RemoteError> {
        let Value::Object(mut fields) = object else {
            return Err(RemoteError::Import(format!(
                "a {what} that is not a JSON object"
            )));
        };
        let pk = fields.remove("pk").unwrap_or(Value::Null);
        let attrs: Map<String, Value> = if keep.is_empty() {
            fields
                .into_iter()
                .filter(|(k, _)| !READ_ONLY.contains(&k.as_str()) && !k.ends_with("_obj"))
                .collect()
        } else {
            keep.iter()
                .filter_map(|k| Some((k.to_string(), fields.remove(*k)?)))
                .collect()
        };
        let label = ["name", "username", "field_key"]
            .iter()
            .find_map(|k| attrs.get(*k).and_then(Value::as_str))
            .unwrap_or("?");
        let origin = format!("{what} {:?} (pk {pk})", sanitize(label));
        let entry =
            Node::from_json(&json!({"model": model, "identifiers": {"pk": pk}, "attrs": attrs}));
        let pk = match pk {
            Value::String(s) => s,
            other => other.to_string(),
        };
        self.push(model, pk, entry, origin);
        Ok(())
    }

    /// The entries of authentik's export of flow `slug`.
    pub(super) fn add_export(&mut self, text: &str, slug: &str) -> Result<(), String> {
        let docs = blueprint::yaml::parse(text).map_err(|e| format!("not YAML: {e}"))?;
        let mut doc = docs.into_iter().next().ok_or("an empty export")?;
        let entries = doc.get_mut("entries").ok_or("an export without entries")?;
        let NodeValue::Seq(list) = &mut entries.value else {
            return Err("entries is not a list".into());
        };
        for (n, node) in std::mem::take(list).into_iter().enumerate() {
            // authentik's exports are plain data; a tag would be the server's invention.
            if let Some(tag) = tag_in(&node) {
                return Err(format!(
                    "entry {}: an unexpected tag {}",
                    n + 1,
                    sanitize(tag)
                ));
            }
            let model = node
                .get("model")
                .and_then(Node::scalar_str)
                .unwrap_or_default()
                .to_string();
            let pk = match node.get("identifiers").and_then(|i| i.get("pk")) {
                Some(Node {
                    value: NodeValue::Int(i),
                    ..
                }) => i.to_string(),
                Some(other) => other.scalar_str().unwrap_or_default().to_string(),
                None => String::new(),
            };
            let origin = format!("flow {}'s export, entry {}", sanitize(slug), n + 1);
            self.push(&model, pk, node, origin);
        }
        Ok(())
    }

    /// Imports every entry, in order, into `doc`.
    pub(super) fn import(
        mut self,
        mut doc: Document,
    ) -> Result<(Document, Vec<String>), RemoteError> {
        if let Some(stages) = self.by_kind.get_mut(&key_of(ObjKind::Stage)) {
            stage_order(stages);
        }
        let mut ordered: Vec<(Node, String)> = Vec::new();
        for kind in ORDER {
            ordered.extend(self.by_kind.remove(&key_of(*kind)).unwrap_or_default());
        }
        let (entries, origins): (Vec<Node>, Vec<String>) = ordered.into_iter().unzip();
        let mut root = Node::map_of([("version", Node::int(1)), ("entries", Node::seq(entries))]);
        let mut batch = Batch::new(&mut doc, "pull");
        let report =
            blueprint::import_node(&mut batch, "remote", &mut root, &ImportOptions::default())
                .map_err(|err| {
                    let origin = err
                        .entry
                        .as_ref()
                        .and_then(|(n, _)| origins.get(n.wrapping_sub(1)))
                        .cloned()
                        .unwrap_or_else(|| "the pulled blueprint".into());
                    RemoteError::Import(format!("{origin}: {}", sanitize(&err.message)))
                })?;
        batch.commit();
        let mut warnings = self.warnings;
        for warning in report.warnings {
            // "remote: entry 12 (model): attribute ...": the same for every entry of a model.
            let text = match warning.split_once("): ") {
                Some((_, rest)) => rest.to_string(),
                None => warning,
            };
            warnings.insert(text);
        }
        Ok((doc, warnings.into_iter().collect()))
    }
}

/// Stages after the stages their attributes name (an authenticator validation stage's
/// configuration stages, a source stage's resume flow stages...).
fn stage_order(stages: &mut Vec<(Node, String)>) {
    let index: HashMap<String, usize> = stages
        .iter()
        .enumerate()
        .filter_map(|(i, (e, _))| {
            Some((
                e.get("identifiers")?.get("pk")?.scalar_str()?.to_string(),
                i,
            ))
        })
        .collect();
    let deps = |i: usize| {
        let mut found = Vec::new();
        if let Some(attrs) = stages[i].0.get("attrs") {
            strings_in(attrs, &mut |s| {
                if let Some(&j) = index.get(s)
                    && j != i
                {
                    found.push(j);
                }
            });
        }
        found
    };
    let order = dependency_order(stages.len(), deps);
    let mut slots: Vec<Option<(Node, String)>> =
        std::mem::take(stages).into_iter().map(Some).collect();
    stages.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

fn strings_in(node: &Node, f: &mut impl FnMut(&str)) {
    match &node.value {
        NodeValue::Str(s) => f(s),
        NodeValue::Seq(items) => items.iter().for_each(|v| strings_in(v, f)),
        NodeValue::Map(pairs) => pairs.iter().for_each(|(_, v)| strings_in(v, f)),
        _ => {}
    }
}

/// The first tag anywhere in `node`.
fn tag_in(node: &Node) -> Option<&str> {
    if let Some(tag) = &node.tag {
        return Some(tag);
    }
    match &node.value {
        NodeValue::Seq(items) => items.iter().find_map(tag_in),
        NodeValue::Map(pairs) => pairs
            .iter()
            .find_map(|(k, v)| tag_in(k).or_else(|| tag_in(v))),
        _ => None,
    }
}
