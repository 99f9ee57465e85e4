//! Writing flows (or the whole store) as authentik blueprints that authentik accepts and that
//! move between instances: entries refer to each other with `id` + `!KeyOf`, objects left out
//! of the export (and groups and users named by bindings) with `!Find` by their name, and only
//! attributes that differ from authentik's defaults are written, besides the ones authentik
//! requires. Entries come in authentik's exporter order: flows, prompts, policies, stages,
//! stage bindings, policy bindings.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::io::{self, Write};

use serde_json::{Map, Value};
use uuid::Uuid;

use super::closure::{Closure, Reach};
use super::models::{GroupMembers, attrs_of, model_of, visit_attrs};
use super::query::Condition;
use super::yaml::{Node, NodeValue, SeqWriter};
use crate::model::relations::Relations;
use crate::model::{
    Document, Flow, Group, Obj, ObjKind, OtherObject, PolicyKind, Prompt, StageKind, Subject,
    Target, User, other,
};

/// Attributes authentik requires on create that have no default: always written.
fn required(model: &str) -> &'static [&'static str] {
    match model {
        "authentik_flows.flow" => &["name", "title", "designation"],
        "authentik_stages_prompt.prompt" => &["field_key", "label", "type"],
        "authentik_stages_password.passwordstage" => &["backends"],
        "authentik_stages_prompt.promptstage" => &["fields"],
        "authentik_stages_captcha.captchastage" => &["public_key", "private_key"],
        "authentik_stages_redirect.redirectstage" => &["mode"],
        "authentik_stages_authenticator_totp.authenticatortotpstage" => &["digits"],
        "authentik_stages_authenticator_duo.authenticatorduostage" => {
            &["api_hostname", "client_id", "client_secret"]
        }
        "authentik_stages_authenticator_sms.authenticatorsmsstage" => {
            &["provider", "from_number", "account_sid", "auth"]
        }
        "authentik_stages_source.sourcestage" => &["source"],
        "authentik_stages_mtls.mutualtlsstage" => &["mode", "cert_attribute", "user_attribute"],
        "authentik_stages_authenticator_endpoint_gdtc.authenticatorendpointgdtcstage" => {
            &["credentials"]
        }
        "authentik_endpoints.endpointstage" => &["connector"],
        "authentik_policies_expression.expressionpolicy" => &["expression"],
        "authentik_policies_expiry.passwordexpirypolicy" => &["days"],
        _ => &[],
    }
}

/// A value as authentik's serializer and schema spell it: the TOTP stage's `digits` is an
/// integer field with the string choices "6" and "8", so the schema only takes the strings
/// (and authentik reads both).
fn as_authentik_writes<'v>(model: &str, key: &str, value: &'v Value) -> Cow<'v, Value> {
    match (model, key, value) {
        (
            "authentik_stages_authenticator_totp.authenticatortotpstage",
            "digits",
            Value::Number(n),
        ) => Cow::Owned(Value::String(n.to_string())),
        _ => Cow::Borrowed(value),
    }
}

/// The attributes of an object with authentik's defaults, to compare against. They are the
/// same for every object of a model, but for the keys an entry writes as identifiers (a
/// flow's slug, a binding's target, ...) and those [`required`] always writes: the exporter
/// computes them once per model.
fn defaults_of(doc: &Document, obj: &Obj) -> Map<String, Value> {
    let default = match obj {
        Obj::Flow(f) => Some(Obj::Flow(Flow::new(&f.slug, &f.name, f.designation))),
        Obj::Prompt(p) => Some(Obj::Prompt(Prompt::new(&p.name, &p.field_key))),
        Obj::Stage(s) => StageKind::default_for(s.kind.model()).map(|kind| {
            let mut stage = s.clone();
            stage.kind = kind;
            Obj::Stage(stage)
        }),
        Obj::Policy(p) => PolicyKind::default_for(p.kind.model()).map(|kind| {
            let mut policy = p.clone();
            policy.kind = kind;
            policy.execution_logging = false;
            Obj::Policy(policy)
        }),
        Obj::User(u) => Some(Obj::User(User::new(&u.username))),
        Obj::Group(g) => Some(Obj::Group(Group::new(&g.name))),
        Obj::StageBinding(b) => {
            let mut d = crate::model::StageBinding::new(b.target, b.stage, b.order);
            d.id = b.id;
            Some(Obj::StageBinding(d))
        }
        Obj::PolicyBinding(b) => {
            let mut d = crate::model::PolicyBinding::new(b.target, b.subject, b.order);
            d.id = b.id;
            Some(Obj::PolicyBinding(d))
        }
        Obj::Other(_) => None,
    };
    default.map(|d| attrs_of(doc, &d)).unwrap_or_default()
}

/// Where the entries of an export go, one by one as they are made: a list, or a writer.
trait Entries {
    type Error;
    fn put(&mut self, entry: Node) -> Result<(), Self::Error>;
}

impl Entries for Vec<Node> {
    type Error = Infallible;
    fn put(&mut self, entry: Node) -> Result<(), Infallible> {
        self.push(entry);
        Ok(())
    }
}

impl<W: Write> Entries for SeqWriter<W> {
    type Error = io::Error;
    fn put(&mut self, entry: Node) -> io::Result<()> {
        self.item(&entry)
    }
}

struct Exporter<'a, E: Entries> {
    doc: &'a Document,
    relations: Relations,
    /// Built on the first group written.
    members: OnceCell<GroupMembers>,
    /// [`defaults_of`] each model, from its first object written.
    defaults: HashMap<String, Map<String, Value>>,
    /// Objects already written, by the entry id that names them.
    ids: HashMap<Uuid, String>,
    /// Every entry id in `ids`, gathered when an other object first needs an id of its own.
    taken: Option<HashSet<String>>,
    /// Other authentik objects already written (those without an entry id too).
    others_written: HashSet<Uuid>,
    out: &'a mut E,
}

fn plain(value: &Value) -> Node {
    Node::from_json(value)
}

impl<'a, E: Entries> Exporter<'a, E> {
    fn new(doc: &'a Document, out: &'a mut E) -> Exporter<'a, E> {
        Exporter {
            doc,
            relations: Relations::build(doc),
            members: OnceCell::new(),
            defaults: HashMap::new(),
            ids: HashMap::new(),
            taken: None,
            others_written: HashSet::new(),
            out,
        }
    }

    fn members(&self) -> &GroupMembers {
        self.members.get_or_init(|| GroupMembers::build(self.doc))
    }

    /// Names an object written with an entry id.
    fn remember(&mut self, obj: Uuid, entry_id: String) {
        if let Some(taken) = &mut self.taken {
            taken.insert(entry_id.clone());
        }
        self.ids.insert(obj, entry_id);
    }

    /// A flow's stage bindings in plan order.
    fn stage_bindings_of(
        &self,
        flow: Uuid,
    ) -> impl Iterator<Item = &'a crate::model::StageBinding> {
        let doc = self.doc;
        self.relations
            .stage_bindings_of(flow)
            .iter()
            .filter_map(move |id| doc.stage_bindings.get(*id))
    }

    /// The policy bindings of a flow or stage binding, in order.
    fn policy_bindings_of(
        &self,
        target: Uuid,
    ) -> impl Iterator<Item = &'a crate::model::PolicyBinding> {
        let doc = self.doc;
        self.relations
            .policy_bindings_of(target)
            .iter()
            .filter_map(move |id| doc.policy_bindings.get(*id))
    }

    /// `!KeyOf` for an object written earlier, else `!Find` by its natural key.
    fn reference(&self, kind: ObjKind, id: Uuid) -> Node {
        if let Some(entry) = self.ids.get(&id) {
            return Node::tagged("!KeyOf", Node::str(entry.clone()));
        }
        let Some(obj) = self.doc.get(kind, id) else {
            return Node::null();
        };
        if let Obj::Other(o) = &obj {
            return self.find_other(o);
        }
        let key = match kind {
            ObjKind::Flow => "slug",
            ObjKind::User => "username",
            _ => "name",
        };
        Node::tagged(
            "!Find",
            Node::seq(vec![
                Node::str(model_of(&obj)),
                Node::seq(vec![Node::str(key), Node::str(obj.label())]),
            ]),
        )
    }

    /// `!Find` for an other authentik object not written in this export: by its identifiers.
    fn find_other(&self, o: &OtherObject) -> Node {
        let mut query = vec![Node::str(o.model.clone())];
        let named: Vec<_> = o.identifiers.iter().filter(|(k, _)| *k != "pk").collect();
        let pairs = if named.is_empty() {
            o.identifiers.iter().collect()
        } else {
            named
        };
        for (key, value) in pairs {
            query.push(Node::seq(vec![Node::str(key.clone()), self.stored(value)]));
        }
        Node::tagged("!Find", Node::seq(query))
    }

    /// A stored value of an other authentik object, its references written as references.
    fn stored(&self, value: &Value) -> Node {
        if let Some((kind, id)) = other::as_ref(value) {
            return self.reference(kind, id);
        }
        if let Some(query) = other::as_find(value) {
            return self.kept_find(query);
        }
        match value {
            Value::Array(items) => Node::seq(items.iter().map(|v| self.stored(v)).collect()),
            Value::Object(map) => Node::map_of(
                other::literal(map)
                    .iter()
                    .map(|(k, v)| (k.clone(), self.stored(v))),
            ),
            scalar => plain(scalar),
        }
    }

    /// A `!Find` that found nothing on import: a reference when the store now has what it
    /// looks for (as authentik, applying the blueprints it depends on first, would find it),
    /// else the query as it was written.
    fn kept_find(&self, query: &[Value]) -> Node {
        let pairs: Option<Vec<Condition>> = query[1.min(query.len())..]
            .iter()
            .map(|pair| match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(k), v, ..]) => Condition::parse(k, v.clone()).ok(),
                _ => None,
            })
            .collect();
        let found = match (query.first().and_then(Value::as_str), pairs) {
            (Some(model), Some(pairs)) => super::models::find_by(self.doc, model, &pairs),
            _ => None,
        };
        match found {
            Some(obj) => self.reference(obj.kind(), obj.id()),
            None => Node::tagged("!Find", plain(&Value::Array(query.to_vec()))),
        }
    }

    /// An other authentik object as the entry it came from: model, state, conditions, id,
    /// identifiers and attrs as they were written. An id another entry of this export already
    /// has gets a suffix, so that every `!KeyOf` names one object.
    fn other(&mut self, o: &OtherObject) -> Result<(), E::Error> {
        if !self.others_written.insert(o.id) {
            return Ok(());
        }
        let mut pairs = vec![("model".to_string(), Node::str(o.model.clone()))];
        if o.state != "present" {
            pairs.push(("state".into(), Node::str(o.state.clone())));
        }
        if let Some(conditions) = &o.conditions {
            pairs.push((
                "conditions".into(),
                plain(&Value::Array(conditions.clone())),
            ));
        }
        let id = o.blueprint_id.as_ref().map(|id| {
            let ids = &self.ids;
            let taken = self
                .taken
                .get_or_insert_with(|| ids.values().cloned().collect());
            let mut unique = id.clone();
            let mut n = 2;
            while taken.contains(&unique) {
                unique = format!("{id}-{n}");
                n += 1;
            }
            unique
        });
        if let Some(id) = &id {
            pairs.push(("id".into(), Node::str(id.clone())));
        }
        let map = |m: &Map<String, Value>| {
            Node::map_of(m.iter().map(|(k, v)| (k.clone(), self.stored(v))))
        };
        pairs.push(("identifiers".into(), map(&o.identifiers)));
        if !o.attrs.is_empty() {
            pairs.push(("attrs".into(), map(&o.attrs)));
        }
        self.out.put(Node::map_of(pairs))?;
        if let Some(id) = id {
            self.remember(o.id, id);
        }
        Ok(())
    }

    /// Other authentik objects, each after the other ones it refers to; with `late`, only those
    /// in `late_ones` (see [`needing_stages`]), which are written after the stages and bindings.
    fn others(&mut self, late: bool, late_ones: &HashSet<Uuid>) -> Result<(), E::Error> {
        let doc = self.doc;
        for o in doc.others.iter() {
            if late_ones.contains(&o.id) == late {
                self.other_after_its_targets(o.id, &mut HashSet::new())?;
            }
        }
        Ok(())
    }

    fn other_after_its_targets(
        &mut self,
        id: Uuid,
        visiting: &mut HashSet<Uuid>,
    ) -> Result<(), E::Error> {
        let doc = self.doc;
        let Some(o) = doc.others.get(id) else {
            return Ok(());
        };
        if self.others_written.contains(&id) || !visiting.insert(id) {
            return Ok(());
        }
        let mut refs = Vec::new();
        o.refs(&mut refs);
        for r in refs.iter().filter(|r| r.kind == ObjKind::Other) {
            self.other_after_its_targets(r.id, visiting)?;
        }
        self.other(o)
    }

    /// A JSON value as a node, with every string that is the id of an object this object
    /// refers to written as a reference.
    fn with_refs(&self, value: &Value, refs: &HashMap<Uuid, ObjKind>) -> Node {
        match value {
            // A pk of an object outside bindery's domain that the store does not hold is
            // kept as written.
            Value::String(s) => match Uuid::parse_str(s)
                .ok()
                .and_then(|id| refs.get(&id).map(|k| (id, *k)))
                .filter(|(id, kind)| self.doc.contains(*kind, *id))
            {
                Some((id, kind)) => self.reference(kind, id),
                None => plain(value),
            },
            Value::Array(items) => {
                Node::seq(items.iter().map(|v| self.with_refs(v, refs)).collect())
            }
            Value::Object(map) => Node::map_of(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.with_refs(v, refs))),
            ),
            other => plain(other),
        }
    }

    /// The attributes worth writing: what differs from the defaults, and what is required.
    /// `skip` holds at least the keys an entry writes as its identifiers.
    fn attrs(&mut self, obj: &Obj, skip: &[&str]) -> Node {
        let model = model_of(obj);
        if !self.defaults.contains_key(model) {
            self.defaults
                .insert(model.to_string(), defaults_of(self.doc, obj));
        }
        let defaults = &self.defaults[model];
        let members = match obj {
            Obj::Group(_) => Some(self.members()),
            _ => None,
        };
        let unmodelled = matches!(obj, Obj::Stage(s) if !s.kind.is_known())
            || matches!(obj, Obj::Policy(p) if !p.kind.is_known());
        let always = required(model);
        let mut refs: Option<HashMap<Uuid, ObjKind>> = None;
        let mut pairs = Vec::new();
        visit_attrs(self.doc, obj, members, &mut |key, value| {
            if skip.contains(&key) || key == "users" {
                return;
            }
            let keep = unmodelled || always.contains(&key) || defaults.get(key) != Some(&value);
            if keep {
                let value = as_authentik_writes(model, key, &value);
                // Only strings can be references.
                let node = match &*value {
                    Value::String(_) | Value::Array(_) | Value::Object(_) => {
                        let refs = refs.get_or_insert_with(|| {
                            obj.refs().into_iter().map(|r| (r.id, r.kind)).collect()
                        });
                        self.with_refs(&value, refs)
                    }
                    scalar => plain(scalar),
                };
                pairs.push((key.to_string(), node));
            }
        });
        Node::map_of(pairs)
    }

    fn entry(
        &mut self,
        obj: &Obj,
        id: Option<String>,
        identifiers: Node,
        attrs: Node,
    ) -> Result<(), E::Error> {
        let mut pairs = vec![("model".to_string(), Node::str(model_of(obj)))];
        if let Some(id) = &id {
            pairs.push(("id".into(), Node::str(id.clone())));
        }
        pairs.push(("identifiers".into(), identifiers));
        if attrs.as_map().is_some_and(|m| !m.is_empty()) {
            pairs.push(("attrs".into(), attrs));
        }
        self.out.put(Node::map_of(pairs))?;
        if let Some(id) = id {
            self.remember(obj.id(), id);
        }
        Ok(())
    }

    /// An object identified by its unique name (or slug, or username).
    fn named(&mut self, obj: &Obj) -> Result<(), E::Error> {
        let (prefix, key) = match obj.kind() {
            ObjKind::Flow => ("flow", "slug"),
            ObjKind::Stage => ("stage", "name"),
            ObjKind::Prompt => ("prompt", "name"),
            ObjKind::Policy => ("policy", "name"),
            ObjKind::User => ("user", "username"),
            _ => ("group", "name"),
        };
        if self.ids.contains_key(&obj.id()) {
            return Ok(());
        }
        let id = format!("{prefix}-{}", obj.label());
        let identifiers = Node::map_of([(key, Node::str(obj.label()))]);
        let attrs = self.attrs(obj, &[key]);
        self.entry(obj, Some(id), identifiers, attrs)
    }

    fn stage_binding(&mut self, binding: &crate::model::StageBinding) -> Result<(), E::Error> {
        let obj = Obj::StageBinding(binding.clone());
        let id = format!(
            "binding-{}-{}-{}",
            self.doc.label_of(ObjKind::Flow, binding.target),
            binding.order,
            self.doc.label_of(ObjKind::Stage, binding.stage)
        );
        let identifiers = Node::map_of([
            ("target", self.reference(ObjKind::Flow, binding.target)),
            ("stage", self.reference(ObjKind::Stage, binding.stage)),
            ("order", Node::int(binding.order)),
        ]);
        let attrs = self.attrs(&obj, &["target", "stage", "order"]);
        self.entry(&obj, Some(id), identifiers, attrs)
    }

    fn policy_binding(&mut self, binding: &crate::model::PolicyBinding) -> Result<(), E::Error> {
        let obj = Obj::PolicyBinding(binding.clone());
        let target = match binding.target {
            Target::Flow(id) => self.reference(ObjKind::Flow, id),
            Target::StageBinding(id) => self.reference(ObjKind::StageBinding, id),
        };
        let subject = match binding.subject {
            Subject::Policy(id) => ("policy", self.reference(ObjKind::Policy, id)),
            Subject::Group(id) => ("group", self.reference(ObjKind::Group, id)),
            Subject::User(id) => ("user", self.reference(ObjKind::User, id)),
        };
        let identifiers = Node::map_of([
            ("target", target),
            subject,
            ("order", Node::int(binding.order)),
        ]);
        let attrs = self.attrs(&obj, &["target", "policy", "group", "user", "order"]);
        self.entry(&obj, None, identifiers, attrs)
    }

    /// Stages in an order where a stage another one refers to comes first.
    fn stages_in_dependency_order(&self, stages: Vec<Uuid>) -> Vec<Uuid> {
        let wanted: HashSet<Uuid> = stages.iter().copied().collect();
        let mut done = HashSet::new();
        let mut out = Vec::new();
        fn visit(
            doc: &Document,
            id: Uuid,
            wanted: &HashSet<Uuid>,
            done: &mut HashSet<Uuid>,
            out: &mut Vec<Uuid>,
        ) {
            if !done.insert(id) {
                return;
            }
            if let Some(stage) = doc.stages.get(id) {
                let mut refs = Vec::new();
                stage.refs(&mut refs);
                for r in refs
                    .iter()
                    .filter(|r| r.kind == ObjKind::Stage && wanted.contains(&r.id))
                {
                    visit(doc, r.id, wanted, done, out);
                }
            }
            out.push(id);
        }
        for id in stages {
            visit(self.doc, id, &wanted, &mut done, &mut out);
        }
        out
    }

    /// Groups with parents first; a parent that would come later (a cycle) is set by an
    /// extra entry once every group exists.
    fn groups(&mut self) -> Result<(), E::Error> {
        let doc = self.doc;
        let mut deferred = Vec::new();
        for group in doc.groups.iter() {
            self.named_group(group, &mut deferred)?;
        }
        for group in deferred {
            let obj = Obj::Group(group.clone());
            let parents = Node::seq(
                group
                    .parents
                    .iter()
                    .map(|p| self.reference(ObjKind::Group, *p))
                    .collect(),
            );
            let identifiers = Node::map_of([("name", Node::str(group.name.clone()))]);
            self.entry(
                &obj,
                None,
                identifiers,
                Node::map_of([("parents", parents)]),
            )?;
        }
        Ok(())
    }

    fn named_group(&mut self, group: &Group, deferred: &mut Vec<Group>) -> Result<(), E::Error> {
        if self.ids.contains_key(&group.id) {
            return Ok(());
        }
        // Reserve the id so that a cycle back to this group is seen as pending.
        self.ids.insert(group.id, String::new());
        for parent in &group.parents {
            if let Some(p) = self.doc.groups.get(*parent) {
                self.named_group(&p.clone(), deferred)?;
            }
        }
        self.ids.remove(&group.id);
        let pending = group
            .parents
            .iter()
            .any(|p| self.ids.get(p).is_some_and(String::is_empty));
        let mut written = group.clone();
        if pending {
            written.parents.clear();
            deferred.push(group.clone());
        }
        self.named(&Obj::Group(written))?;
        self.remember(group.id, format!("group-{}", group.name));
        Ok(())
    }
}

/// The other authentik objects that refer, directly or through other ones, to a stage or a
/// binding (what `export_all` writes after them): those referring directly, then whatever
/// refers to one of them, and so on.
fn needing_stages(doc: &Document) -> HashSet<Uuid> {
    let mut needing = HashSet::new();
    let mut referrers: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut todo = Vec::new();
    let mut refs = Vec::new();
    for o in doc.others.iter() {
        refs.clear();
        o.refs(&mut refs);
        for r in &refs {
            match r.kind {
                ObjKind::Stage | ObjKind::StageBinding | ObjKind::PolicyBinding => {
                    todo.push(o.id);
                }
                ObjKind::Other => referrers.entry(r.id).or_default().push(o.id),
                _ => {}
            }
        }
    }
    while let Some(id) = todo.pop() {
        if needing.insert(id) {
            todo.extend(referrers.get(&id).into_iter().flatten());
        }
    }
    needing
}

/// The top of an export, before its entries.
fn head(name: String) -> Vec<(Node, Node)> {
    let labels = Node::map_of([("blueprints.goauthentik.io/generated", Node::str("true"))]);
    vec![
        (Node::str("version"), Node::int(1)),
        (
            Node::str("metadata"),
            Node::map_of([("name", Node::str(name)), ("labels", labels)]),
        ),
    ]
}

/// The whole export as one tree.
fn document(name: String, entries: Vec<Node>) -> Node {
    let mut pairs = head(name);
    pairs.push((Node::str("entries"), Node::seq(entries)));
    Node::map(pairs)
}

/// Writes an export to `out` entry by entry as `write` makes them, then flushes it.
fn stream<W: Write>(
    out: W,
    name: String,
    write: impl FnOnce(&mut SeqWriter<W>) -> io::Result<()>,
) -> io::Result<()> {
    let mut entries = SeqWriter::start(out, &head(name), &Node::str("entries"))?;
    write(&mut entries)?;
    entries.finish().map(drop)
}

fn into_ok<T>(result: Result<T, Infallible>) -> T {
    match result {
        Ok(value) => value,
        Err(never) => match never {},
    }
}

/// One flow with its stages, prompts, policies, stage bindings and policy bindings and, with
/// [`Reach::Standalone`], the configuration objects they point at (see [`Closure`]): flows
/// first, then prompts, policies, stages (each after the stages it refers to), then each
/// flow's stage bindings and policy bindings.
pub fn export_flow(doc: &Document, flow: Uuid, reach: Reach) -> Option<Node> {
    let f = doc.flows.get(flow)?;
    let mut entries = Vec::new();
    into_ok(flow_entries(doc, flow, reach, &mut entries));
    Some(document(flow_export_name(f), entries))
}

/// [`export_flow`] written to `out` as YAML (the text [`super::yaml::emit`] gives for it),
/// each entry as soon as it is made; an error if the store has no such flow.
pub fn export_flow_to<W: Write>(
    doc: &Document,
    flow: Uuid,
    reach: Reach,
    out: W,
) -> io::Result<()> {
    let f = doc
        .flows
        .get(flow)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such flow"))?;
    stream(out, flow_export_name(f), |entries| {
        flow_entries(doc, flow, reach, entries)
    })
}

fn flow_export_name(flow: &Flow) -> String {
    format!("bindery export of flow {}", flow.slug)
}

fn flow_entries<E: Entries>(
    doc: &Document,
    flow: Uuid,
    reach: Reach,
    out: &mut E,
) -> Result<(), E::Error> {
    let mut ex = Exporter::new(doc, out);
    let closure = Closure::of(doc, &ex.relations, flow, reach);
    for id in &closure.flows {
        if let Some(f) = doc.flows.get(*id) {
            ex.named(&Obj::Flow(f.clone()))?;
        }
    }
    for id in closure.prompts {
        if let Some(p) = doc.prompts.get(id) {
            ex.named(&Obj::Prompt(p.clone()))?;
        }
    }
    for id in closure.policies {
        if let Some(p) = doc.policies.get(id) {
            ex.named(&Obj::Policy(p.clone()))?;
        }
    }
    for id in ex.stages_in_dependency_order(closure.stages) {
        if let Some(s) = doc.stages.get(id) {
            ex.named(&Obj::Stage(s.clone()))?;
        }
    }
    for flow in &closure.flows {
        let bindings: Vec<_> = ex.stage_bindings_of(*flow).collect();
        for b in &bindings {
            ex.stage_binding(b)?;
        }
        let targets = std::iter::once(*flow).chain(bindings.iter().map(|b| b.id));
        for target in targets {
            let pbs: Vec<_> = ex.policy_bindings_of(target).collect();
            for pb in pbs {
                ex.policy_binding(pb)?;
            }
        }
    }
    Ok(())
}

/// The whole store, in dependency order.
pub fn export_all(doc: &Document) -> Node {
    let mut entries = Vec::new();
    into_ok(all_entries(doc, &mut entries));
    document(ALL_EXPORT_NAME.to_string(), entries)
}

/// [`export_all`] written to `out` as YAML (the text [`super::yaml::emit`] gives for it), each
/// entry as soon as it is made.
pub fn export_all_to<W: Write>(doc: &Document, out: W) -> io::Result<()> {
    stream(out, ALL_EXPORT_NAME.to_string(), |entries| {
        all_entries(doc, entries)
    })
}

const ALL_EXPORT_NAME: &str = "bindery export";

fn all_entries<E: Entries>(doc: &Document, out: &mut E) -> Result<(), E::Error> {
    let mut ex = Exporter::new(doc, out);
    ex.groups()?;
    for u in doc.users.iter() {
        ex.named(&Obj::User(u.clone()))?;
    }
    for f in doc.flows.iter() {
        ex.named(&Obj::Flow(f.clone()))?;
    }
    for p in doc.prompts.iter() {
        ex.named(&Obj::Prompt(p.clone()))?;
    }
    for p in doc.policies.iter() {
        ex.named(&Obj::Policy(p.clone()))?;
    }
    let late = needing_stages(doc);
    ex.others(false, &late)?;
    let stages = ex.stages_in_dependency_order(doc.stages.iter().map(|s| s.id).collect());
    for id in stages {
        if let Some(s) = doc.stages.get(id) {
            ex.named(&Obj::Stage(s.clone()))?;
        }
    }
    for f in doc.flows.iter() {
        let bindings: Vec<_> = ex.stage_bindings_of(f.id).collect();
        for b in bindings {
            ex.stage_binding(b)?;
        }
    }
    let mut targets: Vec<Uuid> = doc.flows.iter().map(|f| f.id).collect();
    for f in doc.flows.iter() {
        targets.extend(ex.relations.stage_bindings_of(f.id));
    }
    for target in targets {
        let pbs: Vec<_> = ex.policy_bindings_of(target).collect();
        for pb in pbs {
            ex.policy_binding(pb)?;
        }
    }
    ex.others(true, &late)
}

/// Placeholders for tags, so an export can be checked against authentik's JSON schema: a
/// reference becomes a UUID, or an integer where authentik keeps a user's integer pk.
pub fn with_placeholders(node: &Node) -> Value {
    fn walk(node: &Node, key: Option<&str>) -> Value {
        if node.tag.is_some() {
            // Users and providers have integer pks in authentik; everything else a UUID.
            const INTEGER_PKS: &[&str] = &[
                "user",
                "users",
                "created_by",
                "provider",
                "providers",
                "backchannel_providers",
                "jwt_federation_providers",
                "oidc_auth_providers",
            ];
            return if key.is_some_and(|k| INTEGER_PKS.contains(&k)) {
                Value::from(1)
            } else {
                Value::String("00000000-0000-4000-8000-000000000000".into())
            };
        }
        match &node.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Int(i) => Value::from(*i),
            NodeValue::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            NodeValue::Str(s) => Value::String(s.clone()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(|i| walk(i, key)).collect()),
            NodeValue::Map(pairs) => Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| {
                        let k = k.scalar_str().unwrap_or_default().to_string();
                        let child = walk(v, Some(&k));
                        (k, child)
                    })
                    .collect(),
            ),
        }
    }
    walk(node, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Designation, Policy, PolicyBinding, Stage, StageBinding};

    /// The exporter takes each model's defaults from its first object: two objects of a model
    /// must have the same defaults wherever `attrs` compares them.
    #[test]
    fn defaults_differ_within_a_model_only_where_the_export_does_not_compare() {
        let doc = Document::default();
        let id = Uuid::new_v4;
        let mut pairs: Vec<(Obj, Obj, &[&str])> = vec![
            (
                Obj::Flow(Flow::new("a", "A", Designation::Authentication)),
                Obj::Flow(Flow::new("b", "B", Designation::Enrollment)),
                &["slug"],
            ),
            (
                Obj::Prompt(Prompt::new("a", "field_a")),
                Obj::Prompt(Prompt::new("b", "field_b")),
                &["name"],
            ),
            (
                Obj::User(User::new("a")),
                Obj::User(User {
                    pk: Some(7),
                    groups: vec![id()],
                    ..User::new("b")
                }),
                &["username"],
            ),
            (
                Obj::Group(Group::new("a")),
                Obj::Group(Group {
                    parents: vec![id()],
                    is_superuser: true,
                    ..Group::new("b")
                }),
                &["name"],
            ),
            (
                Obj::StageBinding(StageBinding::new(id(), id(), 10)),
                Obj::StageBinding(StageBinding::new(id(), id(), 20)),
                &["target", "stage", "order"],
            ),
        ];
        let subjects = [
            Subject::Policy(id()),
            Subject::Group(id()),
            Subject::User(id()),
        ];
        let targets = [Target::Flow(id()), Target::StageBinding(id())];
        for (i, subject) in subjects.iter().enumerate() {
            pairs.push((
                Obj::PolicyBinding(PolicyBinding::new(targets[0], subjects[0], 0)),
                Obj::PolicyBinding(PolicyBinding::new(targets[i % 2], *subject, 5)),
                &["target", "policy", "group", "user", "order"],
            ));
        }
        for info in StageKind::TYPES {
            let kind = StageKind::default_for(info.model).unwrap();
            pairs.push((
                Obj::Stage(Stage::new("a", kind.clone())),
                Obj::Stage(Stage::new("b", kind)),
                &["name"],
            ));
        }
        for info in PolicyKind::TYPES {
            let kind = PolicyKind::default_for(info.model).unwrap();
            let mut logged = Policy::new("b", kind.clone());
            logged.execution_logging = true;
            pairs.push((
                Obj::Policy(Policy::new("a", kind)),
                Obj::Policy(logged),
                &["name"],
            ));
        }
        for (a, b, skip) in &pairs {
            let model = model_of(a);
            let (da, db) = (defaults_of(&doc, a), defaults_of(&doc, b));
            assert!(!da.is_empty(), "{model}");
            let compared = da
                .keys()
                .chain(db.keys())
                .filter(|k| !skip.contains(&k.as_str()) && *k != "users")
                .filter(|k| !required(model).contains(&k.as_str()));
            for key in compared {
                assert_eq!(da.get(key), db.get(key), "{model}: {key}");
            }
        }
    }
}
