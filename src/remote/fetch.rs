//! What a remote holds, as a document: authentik's export of each flow (its stages, prompts,
//! policies and bindings, the format both sides implement), its users, groups and prompts from
//! their lists, and the stages and policies no flow binds from their own endpoints. Everything
//! goes through bindery's importer, in one blueprint ordered so that each entry comes after
//! what it refers to: the checks a blueprint gets are the checks a pull gets.

use foldhash::{HashMap, HashSet};

use serde_json::Value;

use super::entries::{Entries, dependency_order};
use super::{Client, RemoteError, check_version};
use crate::blueprint::models;
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
        entries.add_api(models::GROUP, group, GROUP_ATTRS, "group")?;
    }
    let users = client.get_all("core/users/", |d, t| step(d, t, "users"))?;
    for user in users {
        entries.add_api(models::USER, user, USER_ATTRS, "user")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_paths_follow_the_api() {
        let pk = "5d8a2f6e-32c7-4a7b-9c4b-2a0c6b1f4a11";
        let cases = [
            ("authentik_stages_deny.denystage", "stages/deny/"),
            (
                "authentik_stages_authenticator_totp.authenticatortotpstage",
                "stages/authenticator/totp/",
            ),
            (
                "authentik_stages_prompt.promptstage",
                "stages/prompt/stages/",
            ),
            (
                "authentik_stages_user_login.userloginstage",
                "stages/user_login/",
            ),
            (
                "authentik_policies_expiry.passwordexpirypolicy",
                "policies/password_expiry/",
            ),
        ];
        for (model, path) in cases {
            assert_eq!(
                detail_path(model, pk),
                Some(format!("{path}{pk}/")),
                "{model}"
            );
        }
        assert_eq!(detail_path("authentik_core.user", pk), None);
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
