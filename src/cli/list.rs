//! `bindery list KIND [--flow SLUG] [--json]`: one JSON record per object; the human table
//! shows chosen fields of the same records, so both outputs always agree.

use std::collections::HashSet;

use serde_json::{Value, json};
use uuid::Uuid;

use super::args::ListKind;
use super::table::Columns;
use super::{CliError, json};
use crate::model::{Document, ObjKind, Subject, Target};

pub fn run(
    doc: &Document,
    kind: ListKind,
    flow: Option<&str>,
    as_json: bool,
) -> Result<String, CliError> {
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
    let (records, columns) = records(doc, kind, flow_id);
    if as_json {
        return Ok(json::to_string(&Value::Array(records)));
    }
    let mut table = Columns::new(columns);
    for record in &records {
        table.row(columns.iter().map(|c| cell(&record[*c])).collect());
    }
    Ok(table.render())
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

fn records(
    doc: &Document,
    kind: ListKind,
    flow: Option<Uuid>,
) -> (Vec<Value>, &'static [&'static str]) {
    match kind {
        ListKind::Flows => (
            doc.flows.iter().map(|f| flow_record(doc, f.id)).collect(),
            &["slug", "name", "designation", "authentication", "stages", "policies"],
        ),
        ListKind::Stages => {
            let in_flow = flow.map(|f| stages_in(doc, f));
            (
                doc.stages
                    .iter()
                    .filter(|s| in_flow.as_ref().is_none_or(|set| set.contains(&s.id)))
                    .map(|s| {
                        let flows: Vec<String> = doc
                            .stage_bindings
                            .iter()
                            .filter(|b| b.stage == s.id)
                            .map(|b| doc.label_of(ObjKind::Flow, b.target))
                            .collect();
                        json!({"id": s.id, "name": s.name, "kind": s.kind.short(),
                               "model": s.kind.model(), "flows": flows})
                    })
                    .collect(),
                &["name", "kind", "flows"],
            )
        }
        ListKind::Policies => {
            let in_flow = flow.map(|f| policies_in(doc, f));
            (
                doc.policies
                    .iter()
                    .filter(|p| in_flow.as_ref().is_none_or(|set| set.contains(&p.id)))
                    .map(|p| {
                        let bindings = doc
                            .policy_bindings
                            .iter()
                            .filter(|b| b.subject == Subject::Policy(p.id))
                            .count();
                        json!({"id": p.id, "name": p.name, "kind": p.kind.short(),
                               "model": p.kind.model(), "bindings": bindings,
                               "execution_logging": p.execution_logging})
                    })
                    .collect(),
                &["name", "kind", "bindings"],
            )
        }
        ListKind::Bindings => (
            stage_bindings(doc, flow)
                .into_iter()
                .map(|b| {
                    let stage = doc.stages.get(b.stage);
                    json!({"id": b.id, "flow": doc.label_of(ObjKind::Flow, b.target),
                           "order": b.order, "stage": doc.label_of(ObjKind::Stage, b.stage),
                           "kind": stage.map(|s| s.kind.short()),
                           "evaluate_on_plan": b.evaluate_on_plan,
                           "re_evaluate_policies": b.re_evaluate_policies,
                           "policy_engine_mode": b.policy_engine_mode,
                           "invalid_response_action": b.invalid_response_action,
                           "policy_bindings": doc.policy_bindings.iter().filter(|p| p.target == Target::StageBinding(b.id)).count()})
                })
                .collect(),
            &["flow", "order", "stage", "kind", "evaluate_on_plan", "re_evaluate_policies", "policy_engine_mode"],
        ),
        ListKind::PolicyBindings => (
            doc.policy_bindings
                .iter()
                .filter(|b| flow.is_none_or(|f| target_flow(doc, b.target) == Some(f)))
                .map(|b| {
                    let (subject_kind, subject) = match b.subject {
                        Subject::Policy(id) => ("policy", doc.label_of(ObjKind::Policy, id)),
                        Subject::Group(id) => ("group", doc.label_of(ObjKind::Group, id)),
                        Subject::User(id) => ("user", doc.label_of(ObjKind::User, id)),
                    };
                    json!({"id": b.id, "target": target_record(doc, b.target),
                           "subject_kind": subject_kind, "subject": subject, "order": b.order,
                           "enabled": b.enabled, "negate": b.negate, "timeout": b.timeout,
                           "failure_result": b.failure_result})
                })
                .collect(),
            &["target", "order", "subject_kind", "subject", "enabled", "negate", "failure_result"],
        ),
        ListKind::Groups => (
            doc.groups
                .iter()
                .map(|g| {
                    let parents: Vec<String> =
                        g.parents.iter().map(|p| doc.label_of(ObjKind::Group, *p)).collect();
                    let members = doc.users.iter().filter(|u| u.groups.contains(&g.id)).count();
                    json!({"id": g.id, "name": g.name, "is_superuser": g.is_superuser,
                           "parents": parents, "members": members, "attributes": g.attributes})
                })
                .collect(),
            &["name", "is_superuser", "parents", "members"],
        ),
        ListKind::Others => (
            doc.others
                .iter()
                .map(|o| {
                    let mut refs = Vec::new();
                    o.refs(&mut refs);
                    let refers_to: Vec<String> =
                        refs.iter().map(|r| doc.label_of(r.kind, r.id)).collect();
                    let used_by: Vec<String> =
                        crate::model::usage::where_used(doc, ObjKind::Other, o.id)
                            .iter()
                            .map(|u| doc.label_of(u.kind, u.id))
                            .collect();
                    json!({"id": o.id, "model": o.model, "name": o.label(),
                           "blueprint_id": o.blueprint_id, "state": o.state,
                           "refers_to": refers_to, "used_by": used_by})
                })
                .collect(),
            &["name", "model", "refers_to", "used_by"],
        ),
        ListKind::Users => (
            doc.users
                .iter()
                .map(|u| {
                    let groups: Vec<String> =
                        u.groups.iter().map(|g| doc.label_of(ObjKind::Group, *g)).collect();
                    json!({"id": u.id, "pk": u.pk, "username": u.username, "name": u.name,
                           "email": u.email, "is_active": u.is_active, "type": u.user_type,
                           "path": u.path, "groups": groups, "attributes": u.attributes})
                })
                .collect(),
            &["username", "name", "email", "is_active", "type", "groups"],
        ),
    }
}

fn flow_record(doc: &Document, id: Uuid) -> Value {
    let f = doc.flows.get(id).expect("listed flow exists");
    let stages = doc.stage_bindings.iter().filter(|b| b.target == id).count();
    let policies = doc
        .policy_bindings
        .iter()
        .filter(|b| b.target == Target::Flow(id))
        .count();
    json!({"id": f.id, "slug": f.slug, "name": f.name, "title": f.title,
           "designation": f.designation, "authentication": f.authentication,
           "policy_engine_mode": f.policy_engine_mode, "denied_action": f.denied_action,
           "layout": f.layout, "compatibility_mode": f.compatibility_mode,
           "stages": stages, "policies": policies})
}

fn stage_bindings(doc: &Document, flow: Option<Uuid>) -> Vec<&crate::model::StageBinding> {
    match flow {
        Some(f) => doc.bindings_of_flow(f),
        None => {
            let mut all: Vec<_> = doc.stage_bindings.iter().collect();
            // Group by flow in flow order, then plan order within each flow.
            let flow_index = |id: Uuid| doc.flows.index_of(id).unwrap_or(usize::MAX);
            all.sort_by_key(|b| (flow_index(b.target), b.order));
            all
        }
    }
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

fn stages_in(doc: &Document, flow: Uuid) -> HashSet<Uuid> {
    doc.bindings_of_flow(flow).iter().map(|b| b.stage).collect()
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
