//! What a remote holds, as a document: authentik's export of each flow (its stages, prompts,
//! policies and bindings, the format both sides implement), its users, groups and prompts from
//! their lists, and the stages and policies no flow binds from their own endpoints. Everything
//! goes through bindery's importer, in one blueprint ordered so that each entry comes after
//! what it refers to: the checks a blueprint gets are the checks a pull gets.

use foldhash::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::{Client, RemoteError, check_version};
use crate::blueprint::yaml::{Node, NodeValue};
use crate::blueprint::{self, ImportOptions, models};
use crate::edit::Batch;
use crate::model::{Document, Obj, ObjKind};
use crate::text::sanitize;

/// What a pull has done so far, for a progress bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub what: &'static str,
}

/// The remote as a document, and what reading it took.
#[derive(Debug)]
pub struct Fetched {
    pub doc: Document,
    pub version: String,
    pub flows: usize,
    /// What the importer said about attributes bindery does not model (distinct messages).
    pub warnings: Vec<String>,
}

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

/// The attributes of a flow (its API object has many more, all read-only).
pub const FLOW_ATTRS: &[&str] = crate::blueprint::build::FLOW_FIELDS;
pub const GROUP_ATTRS: &[&str] = &["name", "is_superuser", "parents", "attributes"];
pub const USER_ATTRS: &[&str] = &[
    "username",
    "name",
    "is_active",
    "email",
    "path",
    "type",
    "attributes",
    "groups",
];

/// Reads everything a store holds of the remote behind `client`.
pub fn fetch(
    client: &mut Client,
    progress: &mut dyn FnMut(Progress),
) -> Result<Fetched, RemoteError> {
    let version = check_version(client)?;
    let mut entries = Entries::default();
    let mut step = |done, total, what| progress(Progress { done, total, what });

    let groups = client.get_all("core/groups/?include_users=false", |d, t| {
        step(d, t, "groups")
    })?;
    for group in groups_in_order(groups) {
        entries.add_api(
            models::GROUP,
            group,
            &["name", "is_superuser", "parents", "attributes"],
            "group",
        )?;
    }
    let users = client.get_all("core/users/", |d, t| step(d, t, "users"))?;
    for user in users {
        entries.add_api(
            models::USER,
            user,
            &[
                "username",
                "name",
                "is_active",
                "email",
                "path",
                "type",
                "attributes",
                "groups",
            ],
            "user",
        )?;
    }
    let prompts = client.get_all("stages/prompt/prompts/", |d, t| step(d, t, "prompts"))?;
    for prompt in prompts {
        entries.add_api(models::PROMPT, prompt, &[], "prompt")?;
    }

    let flows = client.get_all("flows/instances/", |d, t| step(d, t, "flow list"))?;
    let total = flows.len();
    for (done, flow) in flows.iter().enumerate() {
        let slug =
            flow.get("slug")
                .and_then(Value::as_str)
                .ok_or_else(|| RemoteError::Malformed {
                    what: client.endpoint().api("flows/instances/"),
                    why: "a flow without a slug".into(),
                })?;
        let path = format!("flows/instances/{}/export/", url_segment(slug));
        let text = client.get_text(&path)?;
        entries
            .add_export(&text, slug)
            .map_err(|why| RemoteError::Malformed {
                what: client.endpoint().api(&path),
                why,
            })?;
        step(done + 1, total, "flows");
    }

    // Stages and policies no flow binds: each type's list, read once for all of them.
    for (list, what) in [("stages/all/", "stage"), ("policies/all/", "policy")] {
        let all = client.get_all(list, |d, t| step(d, t, "unbound"))?;
        let mut unbound: std::collections::BTreeMap<String, (String, HashSet<String>)> =
            Default::default();
        for item in all {
            let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default();
            let (pk, model) = (text("pk").to_string(), text("meta_model_name").to_string());
            if entries.has(&model, &pk) {
                continue;
            }
            match type_path(&model) {
                Some(path) => {
                    let (_, pks) = unbound
                        .entry(path)
                        .or_insert_with(|| (model, HashSet::default()));
                    pks.insert(pk);
                }
                None => {
                    entries.warnings.insert(format!(
                        "{what} {:?} ({}) is of a type bindery cannot read and was left out",
                        sanitize(text("name")),
                        sanitize(&model)
                    ));
                }
            }
        }
        for (path, (model, pks)) in unbound {
            for item in client.get_all(&path, |d, t| step(d, t, "unbound"))? {
                let pk = item.get("pk").and_then(Value::as_str).unwrap_or_default();
                if pks.contains(pk) {
                    entries.add_api(&model, item, &[], what)?;
                }
            }
        }
    }

    let flows_count = total;
    let (doc, warnings) = entries.import(Document::default())?;
    Ok(Fetched {
        doc,
        version,
        flows: flows_count,
        warnings,
    })
}

/// `base` with each of `touched` as the remote holds it now (removed when the remote no longer
/// has it), one request per object: what a push checks before it sends anything, without
/// reading the whole remote. Objects created here that the remote already has under the same
/// name (a user, found by username) are returned as taken.
pub fn refresh(
    client: &mut Client,
    base: &Document,
    local: &Document,
    touched: &[(ObjKind, uuid::Uuid)],
) -> Result<(Document, Vec<String>, String), RemoteError> {
    let version = check_version(client)?;
    let mut entries = Entries::default();
    let mut gone = Vec::new();
    let mut taken = Vec::new();
    for &(kind, id) in touched {
        let Some(obj) = base.get(kind, id).or_else(|| local.get(kind, id)) else {
            continue;
        };
        let model = models::model_of(&obj).to_string();
        let (path, listed) = match &obj {
            Obj::Flow(_) => (format!("flows/instances/?flow_uuid={id}"), true),
            Obj::Stage(_) | Obj::Policy(_) => match detail_path(&model, &id.to_string()) {
                Some(path) => (path, false),
                None => continue,
            },
            Obj::Prompt(_) => (format!("stages/prompt/prompts/{id}/"), false),
            Obj::StageBinding(_) => (format!("flows/bindings/{id}/"), false),
            Obj::PolicyBinding(_) => (format!("policies/bindings/{id}/"), false),
            Obj::Group(_) => (format!("core/groups/{id}/?include_users=false"), false),
            Obj::User(u) => match u.pk {
                Some(pk) => (format!("core/users/{pk}/"), false),
                None => (
                    format!("core/users/?username={}", url_segment(&u.username)),
                    true,
                ),
            },
            Obj::Other(_) => continue,
        };
        let found = match client.get_json(&path) {
            Ok(body) if listed => body
                .get("results")
                .and_then(Value::as_array)
                .and_then(|r| r.first().cloned()),
            Ok(body) => Some(body),
            Err(RemoteError::NotFound { .. }) => None,
            Err(err) => return Err(err),
        };
        let Some(found) = found else {
            gone.push((kind, id));
            continue;
        };
        if let Obj::User(u) = &obj
            && u.pk.is_none()
        {
            taken.push(format!(
                "{}: the remote already has a user named {:?}",
                local.describe(&obj),
                sanitize(&u.username)
            ));
            continue;
        }
        let keep = match kind {
            ObjKind::Flow => FLOW_ATTRS,
            ObjKind::Group => GROUP_ATTRS,
            ObjKind::User => USER_ATTRS,
            _ => &[],
        };
        entries.add_api(&model, found, keep, kind.noun())?;
    }
    let (mut doc, _) = entries.import(base.clone())?;
    for (kind, id) in gone {
        doc.remove(kind, id);
    }
    Ok((doc, taken, version))
}

/// A slug as one path segment (slugs are `[-a-zA-Z0-9_]`; anything else is escaped).
fn url_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The API path of the stages or policies of `model` (`authentik_stages_deny.denystage`:
/// `stages/deny/`).
pub fn type_path(model: &str) -> Option<String> {
    let app = model.split('.').next()?;
    let path = if let Some(stage) = app.strip_prefix("authentik_stages_") {
        match stage {
            "prompt" | "invitation" => format!("stages/{stage}/stages/"),
            _ => match stage.strip_prefix("authenticator_") {
                Some(kind) => format!("stages/authenticator/{kind}/"),
                None => format!("stages/{stage}/"),
            },
        }
    } else if let Some(policy) = app.strip_prefix("authentik_policies_") {
        match policy {
            "expiry" => "policies/password_expiry/".to_string(),
            _ => format!("policies/{policy}/"),
        }
    } else {
        return None;
    };
    let plain = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/')
    };
    plain(&path).then_some(path)
}

/// The API path of one stage or policy of `model`.
fn detail_path(model: &str, pk: &str) -> Option<String> {
    uuid::Uuid::parse_str(pk).ok()?;
    Some(format!("{}{pk}/", type_path(model)?))
}

/// Groups with each after its parents (a parent must exist when a child names it).
fn groups_in_order(groups: Vec<Value>) -> Vec<Value> {
    let index: HashMap<String, usize> = groups
        .iter()
        .enumerate()
        .filter_map(|(i, g)| Some((g.get("pk")?.as_str()?.to_string(), i)))
        .collect();
    let parents = |g: &Value| -> Vec<usize> {
        g.get("parents")
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| index.get(p.as_str()?).copied())
                    .collect()
            })
            .unwrap_or_default()
    };
    let order = dependency_order(groups.len(), |i| parents(&groups[i]));
    let mut slots: Vec<Option<Value>> = groups.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// `0..n` with each item after the items `deps` gives for it (depth first; a cycle is broken
/// where it is found).
fn dependency_order(n: usize, deps: impl Fn(usize) -> Vec<usize>) -> Vec<usize> {
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
struct Entries {
    seen: HashSet<(String, String)>,
    by_kind: HashMap<ObjKindKey, Vec<(Node, String)>>,
    warnings: std::collections::BTreeSet<String>,
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
    fn has(&self, model: &str, pk: &str) -> bool {
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
    fn add_api(
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
    fn add_export(&mut self, text: &str, slug: &str) -> Result<(), String> {
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
    fn import(mut self, mut doc: Document) -> Result<(Document, Vec<String>), RemoteError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_paths_follow_the_api() {
        let pk = "5d8a2f6e-32c7-4a7b-9c4b-2a0c6b1f4a11";
        let path = |model| {
            detail_path(model, pk).map(|p| p.trim_end_matches(&format!("{pk}/")).to_string())
        };
        assert_eq!(
            path("authentik_stages_deny.denystage").as_deref(),
            Some("stages/deny/")
        );
        assert_eq!(
            path("authentik_stages_authenticator_totp.authenticatortotpstage").as_deref(),
            Some("stages/authenticator/totp/")
        );
        assert_eq!(
            path("authentik_stages_prompt.promptstage").as_deref(),
            Some("stages/prompt/stages/")
        );
        assert_eq!(
            path("authentik_stages_user_login.userloginstage").as_deref(),
            Some("stages/user_login/")
        );
        assert_eq!(
            path("authentik_policies_expiry.passwordexpirypolicy").as_deref(),
            Some("policies/password_expiry/")
        );
        assert_eq!(path("authentik_core.user"), None);
        assert_eq!(detail_path("authentik_stages_deny.denystage", "../x"), None);
    }

    #[test]
    fn dependencies_come_first_and_cycles_end() {
        let deps = |i: usize| match i {
            0 => vec![2],
            2 => vec![1],
            3 => vec![3, 0],
            _ => vec![],
        };
        assert_eq!(dependency_order(4, deps), vec![1, 2, 0, 3]);
        let cyclic = |i: usize| vec![(i + 1) % 3];
        let mut order = dependency_order(3, cyclic);
        order.sort();
        assert_eq!(order, vec![0, 1, 2]);
    }

    #[test]
    fn slugs_are_one_path_segment() {
        assert_eq!(url_segment("default-auth_1"), "default-auth_1");
        assert_eq!(url_segment("a/../b"), "a%2F%2E%2E%2Fb");
    }
}
