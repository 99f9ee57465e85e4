//! A fake authentik for the remote tests: an HTTP server on 127.0.0.1 (a random port) that
//! the tests start themselves, holding its state as a bindery document and answering the
//! endpoints bindery uses with authentik's shapes (`authentik-client` 2026.8.5's models):
//! paginated lists (`{pagination: {next, count, ...}, results}`), flow exports as authentik's
//! `FlowExporter` writes them (identifiers `pk` plus natural keys, raw pks, no tags), the
//! version endpoint, `{detail}` error bodies, and a blueprint import that applies the file
//! with bindery's importer and answers `{success, logs}`. Every request is recorded.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bindery::blueprint::models::{GroupMembers, attrs_of, attrs_with_members, model_of};
use bindery::blueprint::yaml::{Node, emit};
use bindery::blueprint::{self, ImportOptions, Source};
use bindery::edit::Batch;
use bindery::model::relations::Relations;
use bindery::model::{Document, Obj, ObjKind, Subject};
use bindery::remote::type_path;
use serde_json::{Map, Value, json};

pub const TOKEN: &str = "ak-test-SECRET-7f3e9c2b1a";

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// A fault to answer instead of the real response: `count` times for paths starting with
/// `prefix`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub prefix: String,
    pub status: u16,
    pub count: usize,
}

pub struct State {
    pub doc: Document,
    pub version: String,
    pub requests: Vec<Request>,
    pub faults: Vec<Fault>,
    /// A pause before answering each flow export (for interrupting a pull).
    pub export_delay: Option<Duration>,
    /// The largest page size the server gives (authentik's `page_size` is capped too).
    pub max_page: usize,
    /// When set, the blueprint import fails with this log message (as authentik does when
    /// validation fails), applying nothing.
    pub reject_import: Option<String>,
    /// Who points at whom in `doc`, built when first needed after a change.
    relations: Option<Relations>,
    /// Each flow's export, made when first asked for after a change (so that a benchmark
    /// measures the client, not the fake).
    exports: std::collections::HashMap<uuid::Uuid, String>,
    next_user_pk: i64,
}

pub struct Fake {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl Fake {
    /// Starts a fake holding `doc` (users without a pk get one, as authentik gives them).
    pub fn start(doc: Document) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut state = State {
            doc,
            version: "2026.8.5".into(),
            requests: Vec::new(),
            faults: Vec::new(),
            export_delay: None,
            max_page: 100,
            reject_import: None,
            relations: None,
            exports: Default::default(),
            next_user_pk: 1,
        };
        state.give_pks();
        let state = Arc::new(Mutex::new(state));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        Fake { url, state }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self.state.lock().unwrap();
        state.relations = None;
        state.exports.clear();
        f(&mut state)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.with(|s| s.requests.clone())
    }

    pub fn doc(&self) -> Document {
        self.with(|s| s.doc.clone())
    }
}

impl State {
    fn give_pks(&mut self) {
        let mut next = self
            .doc
            .users
            .iter()
            .filter_map(|u| u.pk)
            .max()
            .unwrap_or(0)
            + 1;
        let missing: Vec<_> = self
            .doc
            .users
            .iter()
            .filter(|u| u.pk.is_none())
            .map(|u| u.id)
            .collect();
        for id in missing {
            self.doc.users.get_mut(id).unwrap().pk = Some(next);
            next += 1;
        }
        self.next_user_pk = next;
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let request = Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let delay = {
        let mut s = state.lock().unwrap();
        s.requests.push(request.clone());
        s.export_delay
            .filter(|_| request.path.ends_with("/export/"))
    };
    if let Some(delay) = delay {
        std::thread::sleep(delay);
    }
    let (status, content_type, body) = respond(&request, state);
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Error",
    };
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

const JSON: &str = "application/json";

fn detail(status: u16, text: &str) -> (u16, &'static str, String) {
    (status, JSON, json!({ "detail": text }).to_string())
}

fn respond(request: &Request, state: &Mutex<State>) -> (u16, &'static str, String) {
    let mut s = state.lock().unwrap();
    let Some(rest) = request.path.strip_prefix("/api/v3/") else {
        return detail(404, "Not found.");
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let auth = request.headers.iter().find(|(k, _)| k == "authorization");
    match auth {
        None => return detail(401, "Authentication credentials were not provided."),
        Some((_, value)) if *value != format!("Bearer {TOKEN}") => {
            return detail(401, "Token invalid/expired");
        }
        _ => {}
    }
    if let Some(fault) = s
        .faults
        .iter_mut()
        .find(|f| f.count > 0 && path.starts_with(&f.prefix))
    {
        fault.count -= 1;
        let status = fault.status;
        return detail(status, "injected fault");
    }
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let page = param("page").unwrap_or(1).max(1);
    let page_size = param("page_size").unwrap_or(20).clamp(1, s.max_page);
    let text_param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .map(str::to_string)
    };
    if s.relations.is_none() {
        s.relations = Some(Relations::build(&s.doc));
    }
    if request.method == "GET"
        && let Some(slug) = path
            .strip_prefix("flows/instances/")
            .and_then(|p| p.strip_suffix("/export/"))
    {
        let Some(id) = s.doc.flow_by_slug(slug).map(|f| f.id) else {
            return detail(404, "No Flow matches the given query.");
        };
        if !s.exports.contains_key(&id) {
            let text = export(&s.doc, s.relations.as_ref().expect("built"), id);
            s.exports.insert(id, text);
        }
        return (200, "application/yaml", s.exports[&id].clone());
    }
    let doc = &s.doc;
    let id_in = |p: &str, prefix: &str| {
        p.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix('/'))
            .map(str::to_string)
    };
    match (request.method.as_str(), path) {
        ("GET", "admin/version/") => (
            200,
            JSON,
            json!({
                "version_current": s.version, "version_latest": s.version,
                "version_latest_valid": true, "build_hash": "", "outdated": false,
                "outpost_outdated": false,
            })
            .to_string(),
        ),
        ("GET", "flows/instances/") => paginated(
            page,
            page_size,
            doc.flows
                .iter()
                .filter(|f| text_param("flow_uuid").is_none_or(|id| id == f.id.to_string()))
                .collect::<Vec<_>>(),
            |f| {
                let mut v = attrs_of(doc, &Obj::Flow(f.clone()));
                v.insert("pk".into(), json!(f.id));
                v.insert("policybindingmodel_ptr_id".into(), json!(f.id));
                v.insert(
                    "background_url".into(),
                    json!("/static/dist/assets/images/flow_background.jpg"),
                );
                v.insert("cache_count".into(), json!(0));
                v.insert(
                    "export_url".into(),
                    json!(format!("/api/v3/flows/instances/{}/export/", f.slug)),
                );
                v.insert("stages".into(), json!([]));
                v.insert("policies".into(), json!([]));
                Value::Object(v)
            },
        ),
        ("GET", "core/users/") => paginated(
            page,
            page_size,
            doc.users
                .iter()
                .filter(|u| text_param("username").is_none_or(|n| n == u.username))
                .collect::<Vec<_>>(),
            |u| user_json(doc, u),
        ),
        ("GET", p) if id_in(p, "core/users/").is_some() => {
            let pk = id_in(p, "core/users/").unwrap();
            match doc
                .users
                .iter()
                .find(|u| u.pk.map(|n| n.to_string()) == Some(pk.clone()))
            {
                Some(u) => (200, JSON, user_json(doc, u).to_string()),
                None => detail(404, "No User matches the given query."),
            }
        }
        ("GET", p)
            if [
                "core/groups/",
                "flows/bindings/",
                "policies/bindings/",
                "stages/prompt/prompts/",
            ]
            .iter()
            .any(|prefix| id_in(p, prefix).is_some()) =>
        {
            let id = p
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            let Ok(id) = uuid::Uuid::parse_str(id) else {
                return detail(404, "Not found.");
            };
            let kind = match p.split('/').nth(1) {
                Some("groups") => ObjKind::Group,
                Some("bindings") if p.starts_with("flows/") => ObjKind::StageBinding,
                Some("bindings") => ObjKind::PolicyBinding,
                _ => ObjKind::Prompt,
            };
            match doc.get(kind, id) {
                Some(obj) => {
                    let mut v = attrs_of(doc, &obj);
                    if kind == ObjKind::Group {
                        v.remove("users");
                    }
                    v.insert("pk".into(), json!(id));
                    match kind {
                        ObjKind::StageBinding => {
                            v.insert("policybindingmodel_ptr_id".into(), json!(id));
                            v.insert("stage_obj".into(), json!({}));
                        }
                        ObjKind::PolicyBinding => {
                            v.insert("expiring".into(), json!(false));
                            v.insert("expires".into(), Value::Null);
                        }
                        _ => {}
                    }
                    (200, JSON, Value::Object(v).to_string())
                }
                None => detail(404, "Not found."),
            }
        }
        ("GET", "core/groups/") => paginated(
            page,
            page_size,
            doc.groups.iter().collect::<Vec<_>>(),
            |g| {
                // Members are not listed (`include_users=false`): no scan of every user per group.
                let mut v =
                    attrs_with_members(doc, &Obj::Group(g.clone()), Some(&GroupMembers::default()));
                v.remove("users");
                v.insert("pk".into(), json!(g.id));
                v.insert("num_pk".into(), json!(1000));
                v.insert("roles_obj".into(), json!([]));
                v.insert("children".into(), json!([]));
                Value::Object(v)
            },
        ),
        ("GET", "stages/prompt/prompts/") => paginated(
            page,
            page_size,
            doc.prompts.iter().collect::<Vec<_>>(),
            |p| {
                with_read_only(
                    doc,
                    &Obj::Prompt(p.clone()),
                    &[("prompt_stages_obj", json!([]))],
                )
            },
        ),
        ("GET", "stages/all/") => paginated(
            page,
            page_size,
            doc.stages.iter().collect::<Vec<_>>(),
            |st| {
                json!({"pk": st.id, "name": st.name, "component": "ak-stage-form",
                        "verbose_name": "Stage", "verbose_name_plural": "Stages",
                        "meta_model_name": st.kind.model(), "flow_set": []})
            },
        ),
        ("GET", "policies/all/") => paginated(
            page,
            page_size,
            doc.policies.iter().collect::<Vec<_>>(),
            |p| {
                json!({"pk": p.id, "name": p.name, "component": "ak-policy-form",
                        "verbose_name": "Policy", "verbose_name_plural": "Policies",
                        "meta_model_name": p.kind.model(), "bound_to": 0,
                        "execution_logging": p.execution_logging})
            },
        ),
        ("GET", p) if p.starts_with("stages/") || p.starts_with("policies/") => {
            let id = p
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            let Ok(id) = uuid::Uuid::parse_str(id) else {
                // A type's list: `stages/deny/`, `policies/expression/`.
                let objects: Vec<Obj> = doc
                    .stages
                    .iter()
                    .map(|x| Obj::Stage(x.clone()))
                    .chain(doc.policies.iter().map(|x| Obj::Policy(x.clone())))
                    .filter(|o| type_path(model_of(o)).as_deref() == Some(p))
                    .collect();
                if objects.is_empty() {
                    return detail(404, "Not found.");
                }
                return paginated(page, page_size, objects, |o| {
                    with_read_only(doc, &o, &[("component", json!("ak-form"))])
                });
            };
            let found = doc
                .get(ObjKind::Stage, id)
                .or_else(|| doc.get(ObjKind::Policy, id));
            match found {
                Some(obj) => (
                    200,
                    JSON,
                    with_read_only(
                        doc,
                        &obj,
                        &[
                            ("component", json!("ak-form")),
                            ("meta_model_name", json!(model_of(&obj))),
                        ],
                    )
                    .to_string(),
                ),
                None => detail(404, "Not found."),
            }
        }
        ("POST", "managed/blueprints/import/") => {
            let Some(text) = multipart_file(request) else {
                return (
                    400,
                    JSON,
                    json!({"file": ["No file was submitted."]}).to_string(),
                );
            };
            drop(s);
            import(state, &text)
        }
        _ => detail(404, "Not found."),
    }
}

fn with_read_only(doc: &Document, obj: &Obj, extra: &[(&str, Value)]) -> Value {
    let mut v = attrs_of(doc, obj);
    v.insert("pk".into(), json!(obj.id()));
    v.insert("verbose_name".into(), json!("Object"));
    v.insert("verbose_name_plural".into(), json!("Objects"));
    for (k, value) in extra {
        v.insert(k.to_string(), value.clone());
    }
    Value::Object(v)
}

fn user_json(doc: &Document, u: &bindery::model::User) -> Value {
    let mut v = attrs_of(doc, &Obj::User(u.clone()));
    v.insert("pk".into(), json!(u.pk));
    v.insert("uuid".into(), json!(u.id));
    v.insert("is_superuser".into(), json!(false));
    v.insert("avatar".into(), json!("data:image/svg+xml;base64,"));
    v.insert("uid".into(), json!("0123abcd"));
    v.insert("date_joined".into(), json!("2026-01-01T00:00:00Z"));
    v.insert("groups_obj".into(), json!([]));
    v.insert("last_updated".into(), json!("2026-01-01T00:00:00Z"));
    v.insert("password_change_date".into(), json!("2026-01-01T00:00:00Z"));
    Value::Object(v)
}

/// One page of `items`, each shown by `show` (only those of the page are).
fn paginated<T>(
    page: usize,
    size: usize,
    items: Vec<T>,
    show: impl Fn(T) -> Value,
) -> (u16, &'static str, String) {
    let count = items.len();
    let pages = count.div_ceil(size).max(1);
    if page > pages {
        return detail(404, "Invalid page.");
    }
    let start = (page - 1) * size;
    let results: Vec<Value> = items.into_iter().skip(start).take(size).map(show).collect();
    let next = if page < pages { page + 1 } else { 0 };
    let body = json!({
        "pagination": {
            "next": next, "previous": page - 1, "count": count, "current": page,
            "total_pages": pages, "start_index": start + 1, "end_index": start + results.len(),
        },
        "results": results,
        "autocomplete": {},
    });
    (200, JSON, body.to_string())
}

/// authentik's `FlowExporter`: the flow, its prompts, policies, stages, stage bindings and
/// policy bindings, each identified by pk plus its natural keys, references as raw pks.
pub fn export(doc: &Document, rel: &Relations, flow: uuid::Uuid) -> String {
    let mut entries = Vec::new();
    let entry = |obj: &Obj, keys: &[&str]| {
        let mut attrs = attrs_of(doc, obj);
        let mut identifiers = Map::new();
        identifiers.insert(
            "pk".into(),
            match obj {
                Obj::User(u) => json!(u.pk),
                _ => json!(obj.id()),
            },
        );
        for key in keys {
            identifiers.insert(key.to_string(), attrs.remove(*key).unwrap_or(Value::Null));
        }
        json!({
            "model": model_of(obj), "state": "present", "conditions": [], "permissions": [],
            "identifiers": identifiers, "attrs": attrs,
        })
    };
    let f = doc.flows.get(flow).unwrap();
    entries.push(entry(&Obj::Flow(f.clone()), &["slug"]));
    let mut bindings: Vec<_> = rel
        .stage_bindings_of(flow)
        .iter()
        .filter_map(|id| doc.stage_bindings.get(*id))
        .collect();
    bindings.sort_by_key(|b| b.order);
    let stages: Vec<_> = bindings.iter().map(|b| b.stage).collect();
    let mut targets = vec![flow];
    targets.extend(bindings.iter().map(|b| b.id));
    let mut prompts = BTreeSet::new();
    let mut policies = Vec::new();
    for s in &stages {
        if let Some(stage) = doc.get(ObjKind::Stage, *s) {
            for r in stage.refs() {
                match r.kind {
                    ObjKind::Prompt => {
                        prompts.insert(r.id);
                    }
                    ObjKind::Policy => policies.push(r.id),
                    _ => {}
                }
            }
        }
    }
    let pbs: Vec<_> = targets
        .iter()
        .flat_map(|t| rel.policy_bindings_of(*t))
        .filter_map(|id| doc.policy_bindings.get(*id))
        .collect();
    for pb in &pbs {
        if let Subject::Policy(p) = pb.subject {
            policies.push(p);
        }
    }
    for p in prompts {
        entries.push(entry(&doc.get(ObjKind::Prompt, p).unwrap(), &[]));
    }
    let mut seen = BTreeSet::new();
    for p in policies {
        if seen.insert(p) {
            entries.push(entry(&doc.get(ObjKind::Policy, p).unwrap(), &[]));
        }
    }
    let mut seen = BTreeSet::new();
    for s in stages {
        if seen.insert(s) {
            entries.push(entry(&doc.get(ObjKind::Stage, s).unwrap(), &["name"]));
        }
    }
    for b in &bindings {
        entries.push(entry(
            &Obj::StageBinding((*b).clone()),
            &["target", "stage", "order"],
        ));
    }
    for pb in pbs {
        entries.push(entry(
            &Obj::PolicyBinding(pb.clone()),
            &["policy", "target", "order"],
        ));
    }
    let blueprint = json!({
        "version": 1,
        "metadata": {"name": "authentik Export - 2026-12-01 10:00:00.000000+00:00",
            "labels": {"blueprints.goauthentik.io/generated": "true"}},
        "context": {},
        "entries": entries,
    });
    emit(&Node::from_json(&blueprint))
}

fn multipart_file(request: &Request) -> Option<String> {
    let content_type = &request.headers.iter().find(|(k, _)| k == "content-type")?.1;
    let boundary = content_type.split("boundary=").nth(1)?;
    let delimiter = format!("--{boundary}");
    for part in request.body.split(&delimiter) {
        if part.contains("name=\"file\"") {
            let (_, content) = part.split_once("\r\n\r\n")?;
            return Some(content.strip_suffix("\r\n").unwrap_or(content).to_string());
        }
    }
    None
}

/// authentik's blueprint import: validate and apply in one transaction, answer `{success,
/// logs}`; users created get integer pks.
fn import(state: &Mutex<State>, text: &str) -> (u16, &'static str, String) {
    let mut s = state.lock().unwrap();
    if let Some(message) = s.reject_import.clone() {
        return failed_import(&message);
    }
    let mut doc = s.doc.clone();
    let mut batch = Batch::new(&mut doc, "import");
    let sources = [Source {
        name: "import".into(),
        text: text.to_string(),
    }];
    match blueprint::import(&mut batch, &sources, &ImportOptions::default()) {
        Ok(_) => {
            batch.commit();
            s.doc = doc;
            s.relations = None;
            s.exports.clear();
            s.give_pks();
            (200, JSON, json!({"success": true, "logs": []}).to_string())
        }
        Err(err) => failed_import(&err.message),
    }
}

fn failed_import(message: &str) -> (u16, &'static str, String) {
    let log = json!({
        "timestamp": "2026-12-01T10:00:00Z", "log_level": "error",
        "logger": "authentik.blueprints.v1.importer", "event": "Blueprint validation failed",
        "attributes": {"error": message},
    });
    (
        400,
        JSON,
        json!({"success": false, "logs": [log]}).to_string(),
    )
}
