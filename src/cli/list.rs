//! `bindery list KIND [--flow SLUG] [--json]`: one JSON record per object; the human table
//! shows chosen fields of the same records, so both outputs always agree.
//!
//! Records are made one at a time and written as they are made: relations between objects
//! come from [`Relations`], built once, never from a scan of a table per row.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use serde_json::{Value, json};
use uuid::Uuid;

use super::args::ListKind;
use super::table::Columns;
use super::{CliError, json};
use crate::model::relations::Relations;
use crate::model::{Document, ObjKind, Subject, Target};

pub fn run(
    doc: &Document,
    kind: ListKind,
    flow: Option<&str>,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let flow_id = match flow {
        None => None,
        Some(slug) => {
            if matches!(
                kind,
                ListKind::Flows | ListKind::Groups | ListKind::Users | ListKind::Others
            ) {
                return Err(CliError::msg(
                    "--flow applies to bindings, policy-bindings, stages and policies",
                ));
            }
            Some(
                doc.flow_by_slug(slug)
                    .ok_or_else(|| CliError::msg(format!("no flow with slug {slug:?}")))?
                    .id,
            )
        }
    };
    let lister = Lister::new(doc, kind, flow_id);
    if as_json {
        json::write_array(out, lister.records())?;
        return Ok(());
    }
    let columns = lister.columns();
    let mut table = Columns::new(columns);
    for record in lister.records() {
        table.row(columns.iter().map(|c| cell(&record[*c])).collect());
    }
    table.write(out)?;
    Ok(())
}

fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k} {}", cell(v)))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// What one `list` needs, computed once: the relations and the chosen flow's members.
struct Lister<'a> {
    doc: &'a Document,
    kind: ListKind,
    flow: Option<Uuid>,
    rel: Relations,
    /// With `--flow`: the stages or policies bound in that flow.
    in_flow: Option<HashSet<Uuid>>,
}

impl<'a> Lister<'a> {
    fn new(doc: &'a Document, kind: ListKind, flow: Option<Uuid>) -> Lister<'a> {
        let needs_relations = !matches!(kind, ListKind::Users | ListKind::PolicyBindings);
        let rel = if needs_relations {
            Relations::build(doc)
        } else {
            Relations::default()
        };
        let in_flow = flow.and_then(|f| match kind {
            ListKind::Stages => Some(stages_in(&rel, doc, f)),
            ListKind::Policies => Some(policies_in(doc, f)),
            _ => None,
        });
        Lister {
            doc,
            kind,
            flow,
            rel,
            in_flow,
        }
    }

    fn columns(&self) -> &'static [&'static str] {
        match self.kind {
            ListKind::Flows => &[
                "slug",
                "name",
                "designation",
                "authentication",
                "stages",
                "policies",
            ],
            ListKind::Stages => &["name", "kind", "flows"],
            ListKind::Policies => &["name", "kind", "bindings"],
            ListKind::Bindings => &[
                "flow",
                "order",
                "stage",
                "kind",
                "evaluate_on_plan",
                "re_evaluate_policies",
                "policy_engine_mode",
            ],
            ListKind::PolicyBindings => &[
                "target",
                "order",
                "subject_kind",
                "subject",
                "enabled",
                "negate",
                "failure_result",
            ],
            ListKind::Groups => &["name", "is_superuser", "parents", "members"],
            ListKind::Others => &["name", "model", "refers_to", "used_by"],
            ListKind::Users => &["username", "name", "email", "is_active", "type", "groups"],
        }
    }

    fn listed(&self, id: Uuid) -> bool {
        self.in_flow.as_ref().is_none_or(|set| set.contains(&id))
    }

    /// Every record, in the order listed, made as it is asked for.
    fn records(&self) -> Box<dyn Iterator<Item = Value> + '_> {
        let doc = self.doc;
        match self.kind {
            ListKind::Flows => Box::new(doc.flows.iter().map(|f| self.flow_record(f))),
            ListKind::Stages => Box::new(
                doc.stages
                    .iter()
                    .filter(|s| self.listed(s.id))
                    .map(|s| self.stage_record(s)),
            ),
            ListKind::Policies => Box::new(
                doc.policies
                    .iter()
                    .filter(|p| self.listed(p.id))
                    .map(|p| self.policy_record(p)),
            ),
            ListKind::Bindings => Box::new(
                self.stage_bindings()
                    .into_iter()
                    .map(|b| self.binding_record(b)),
            ),
            ListKind::PolicyBindings => Box::new(
                self.policy_bindings()
                    .into_iter()
                    .map(|b| policy_binding_record(doc, b)),
            ),
            ListKind::Groups => Box::new(doc.groups.iter().map(|g| self.group_record(g))),
            ListKind::Others => Box::new(doc.others.iter().map(|o| self.other_record(o))),
            ListKind::Users => Box::new(doc.users.iter().map(|u| user_record(doc, u))),
        }
    }

    fn flow_record(&self, f: &crate::model::Flow) -> Value {
        json!({"id": f.id, "slug": f.slug, "name": f.name, "title": f.title,
               "designation": f.designation, "authentication": f.authentication,
               "policy_engine_mode": f.policy_engine_mode, "denied_action": f.denied_action,
               "layout": f.layout, "compatibility_mode": f.compatibility_mode,
               "stages": self.rel.stage_bindings_of(f.id).len(),
               "policies": self.rel.flow_policy_count(self.doc, f.id)})
    }

    fn stage_record(&self, s: &crate::model::Stage) -> Value {
        let doc = self.doc;
        let flows: Vec<String> = self
            .rel
            .bindings_by_stage
            .get(&s.id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|b| doc.stage_bindings.get(*b))
            .map(|b| doc.label_of(ObjKind::Flow, b.target))
            .collect();
        json!({"id": s.id, "name": s.name, "kind": s.kind.short(),
               "model": s.kind.model(), "flows": flows})
    }

    fn policy_record(&self, p: &crate::model::Policy) -> Value {
        let bindings = self.rel.bindings_by_policy.get(&p.id).copied().unwrap_or(0);
        json!({"id": p.id, "name": p.name, "kind": p.kind.short(),
               "model": p.kind.model(), "bindings": bindings,
               "execution_logging": p.execution_logging})
    }

    fn binding_record(&self, b: &crate::model::StageBinding) -> Value {
        let doc = self.doc;
        let stage = doc.stages.get(b.stage);
        json!({"id": b.id, "flow": doc.label_of(ObjKind::Flow, b.target),
               "order": b.order, "stage": doc.label_of(ObjKind::Stage, b.stage),
               "kind": stage.map(|s| s.kind.short()),
               "evaluate_on_plan": b.evaluate_on_plan,
               "re_evaluate_policies": b.re_evaluate_policies,
               "policy_engine_mode": b.policy_engine_mode,
               "invalid_response_action": b.invalid_response_action,
               "policy_bindings": self.rel.policy_bindings_of(b.id).len()})
    }

    fn group_record(&self, g: &crate::model::Group) -> Value {
        let doc = self.doc;
        let parents: Vec<String> = g
            .parents
            .iter()
            .map(|p| doc.label_of(ObjKind::Group, *p))
            .collect();
        let members = self.rel.members_by_group.get(&g.id).copied().unwrap_or(0);
        json!({"id": g.id, "name": g.name, "is_superuser": g.is_superuser,
               "parents": parents, "members": members, "attributes": g.attributes})
    }

    fn other_record(&self, o: &crate::model::OtherObject) -> Value {
        let doc = self.doc;
        let mut refs = Vec::new();
        o.refs(&mut refs);
        let refers_to: Vec<String> = refs.iter().map(|r| doc.label_of(r.kind, r.id)).collect();
        let used_by: Vec<String> = self
            .rel
            .referrers_of_other(o.id)
            .iter()
            .map(|(kind, id)| doc.label_of(*kind, *id))
            .collect();
        json!({"id": o.id, "model": o.model, "name": o.label(),
               "blueprint_id": o.blueprint_id, "state": o.state,
               "refers_to": refers_to, "used_by": used_by})
    }

    /// Policy bindings grouped by what they are bound to (in the order each target first
    /// appears in the store), each target's in the order authentik evaluates them.
    fn policy_bindings(&self) -> Vec<&'a crate::model::PolicyBinding> {
        let doc = self.doc;
        let mut first_seen: HashMap<Target, usize> = HashMap::new();
        let mut all: Vec<_> = doc
            .policy_bindings
            .iter()
            .filter(|b| {
                self.flow
                    .is_none_or(|f| target_flow(doc, b.target) == Some(f))
            })
            .map(|b| {
                let next = first_seen.len();
                (*first_seen.entry(b.target).or_insert(next), b)
            })
            .collect();
        all.sort_by_key(|(target, b)| (*target, b.order));
        all.into_iter().map(|(_, b)| b).collect()
    }

    /// Stage bindings grouped by flow in flow order, then in plan order within each flow.
    fn stage_bindings(&self) -> Vec<&'a crate::model::StageBinding> {
        let doc = self.doc;
        let flows: Vec<Uuid> = match self.flow {
            Some(f) => vec![f],
            None => doc.flows.iter().map(|f| f.id).collect(),
        };
        let mut all: Vec<_> = flows
            .iter()
            .flat_map(|f| self.rel.stage_bindings_of(*f))
            .filter_map(|id| doc.stage_bindings.get(*id))
            .collect();
        if self.flow.is_none() {
            // Bindings of a flow that does not exist (a hand-edited store) come last.
            let mut orphans: Vec<_> = doc
                .stage_bindings
                .iter()
                .filter(|b| !doc.flows.contains(b.target))
                .collect();
            orphans.sort_by_key(|b| b.order);
            all.extend(orphans);
        }
        all
    }
}

fn policy_binding_record(doc: &Document, b: &crate::model::PolicyBinding) -> Value {
    let (subject_kind, subject) = match b.subject {
        Subject::Policy(id) => ("policy", doc.label_of(ObjKind::Policy, id)),
        Subject::Group(id) => ("group", doc.label_of(ObjKind::Group, id)),
        Subject::User(id) => ("user", doc.label_of(ObjKind::User, id)),
    };
    json!({"id": b.id, "target": target_record(doc, b.target),
           "subject_kind": subject_kind, "subject": subject, "order": b.order,
           "enabled": b.enabled, "negate": b.negate, "timeout": b.timeout,
           "failure_result": b.failure_result})
}

fn user_record(doc: &Document, u: &crate::model::User) -> Value {
    let groups: Vec<String> = u
        .groups
        .iter()
        .map(|g| doc.label_of(ObjKind::Group, *g))
        .collect();
    json!({"id": u.id, "pk": u.pk, "username": u.username, "name": u.name,
           "email": u.email, "is_active": u.is_active, "type": u.user_type,
           "path": u.path, "groups": groups, "attributes": u.attributes})
}

fn target_flow(doc: &Document, target: Target) -> Option<Uuid> {
    match target {
        Target::Flow(id) => Some(id),
        Target::StageBinding(id) => doc.stage_bindings.get(id).map(|b| b.target),
    }
}

fn target_record(doc: &Document, target: Target) -> Value {
    match target {
        Target::Flow(id) => json!({"flow": doc.label_of(ObjKind::Flow, id)}),
        Target::StageBinding(id) => match doc.stage_bindings.get(id) {
            Some(b) => json!({"flow": doc.label_of(ObjKind::Flow, b.target),
                              "stage": doc.label_of(ObjKind::Stage, b.stage), "order": b.order}),
            None => json!({"stage_binding": id}),
        },
    }
}

fn stages_in(rel: &Relations, doc: &Document, flow: Uuid) -> HashSet<Uuid> {
    rel.stage_bindings_of(flow)
        .iter()
        .filter_map(|id| doc.stage_bindings.get(*id))
        .map(|b| b.stage)
        .collect()
}

fn policies_in(doc: &Document, flow: Uuid) -> HashSet<Uuid> {
    doc.policy_bindings
        .iter()
        .filter(|b| target_flow(doc, b.target) == Some(flow))
        .filter_map(|b| match b.subject {
            Subject::Policy(id) => Some(id),
            _ => None,
        })
        .collect()
}
