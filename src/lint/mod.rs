//! Findings an administrator should know about: bindings that silently never apply, settings
//! authentik's API would refuse, leftovers and dangling references. Each names the objects
//! concerned (the first is where to fix it) and says why in one line.

mod names;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use uuid::Uuid;

use crate::engine::{Offline, Person};
use crate::model::relations::Relations;
use crate::model::{
    AuthenticationRequirement, Designation, Document, ObjKind, PolicyKind, StageKind, Subject,
    Target,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// A stable name for the kind of finding.
    pub code: &'static str,
    pub severity: Severity,
    /// The objects concerned; the first is where to fix it.
    pub objects: Vec<(ObjKind, Uuid)>,
    /// The flow it belongs to, if any.
    pub flow: Option<Uuid>,
    pub message: String,
}

/// Designations whose flows start before anyone is identified.
fn starts_anonymous(doc: &Document, flow: Uuid) -> bool {
    doc.flows.get(flow).is_some_and(|f| {
        matches!(
            f.designation,
            Designation::Authentication | Designation::Enrollment | Designation::Recovery
        ) && f.authentication != AuthenticationRequirement::RequireAuthenticated
            && f.authentication != AuthenticationRequirement::RequireSuperuser
    })
}

struct Linter<'a> {
    doc: &'a Document,
    rel: Relations,
    out: Vec<Finding>,
}

impl<'a> Linter<'a> {
    /// A flow's stage bindings in plan order.
    fn bindings_of_flow(&self, flow: Uuid) -> Vec<&'a crate::model::StageBinding> {
        let doc = self.doc;
        self.rel
            .stage_bindings_of(flow)
            .iter()
            .filter_map(|id| doc.stage_bindings.get(*id))
            .collect()
    }

    /// A target's policy, group and user bindings in order.
    fn policy_bindings_of(&self, target: Uuid) -> Vec<&'a crate::model::PolicyBinding> {
        let doc = self.doc;
        self.rel
            .policy_bindings_of(target)
            .iter()
            .filter_map(|id| doc.policy_bindings.get(*id))
            .collect()
    }
}

impl<'a> Linter<'a> {
    fn push(
        &mut self,
        code: &'static str,
        severity: Severity,
        objects: Vec<(ObjKind, Uuid)>,
        flow: Option<Uuid>,
        message: String,
    ) {
        self.out.push(Finding {
            code,
            severity,
            objects,
            flow,
            message,
        });
    }

    fn flow_name(&self, id: Uuid) -> String {
        self.doc.label_of(ObjKind::Flow, id)
    }

    /// Group and user bindings evaluated only before anyone is identified.
    fn early_directory_bindings(&mut self) {
        let doc = self.doc;
        for pb in doc.policy_bindings.iter().filter(|b| b.enabled) {
            if matches!(pb.subject, Subject::Policy(_)) {
                continue;
            }
            let (flow, where_) = match pb.target {
                Target::Flow(f) => (
                    f,
                    "on the flow itself, which is checked when the flow is planned".to_string(),
                ),
                Target::StageBinding(sb) => {
                    let Some(b) = doc.stage_bindings.get(sb) else {
                        continue;
                    };
                    if !b.evaluate_on_plan {
                        continue;
                    }
                    let when = if b.re_evaluate_policies {
                        "checked when the flow is planned (and again when run)"
                    } else {
                        "checked only when the flow is planned"
                    };
                    (
                        b.target,
                        format!(
                            "on stage '{}', {when}",
                            doc.label_of(ObjKind::Stage, b.stage)
                        ),
                    )
                }
            };
            if !starts_anonymous(doc, flow) {
                continue;
            }
            let designation = doc
                .flows
                .get(flow)
                .map(|f| f.designation.to_string())
                .unwrap_or_default();
            let subject = doc.describe_subject(pb.subject);
            if pb.negate {
                self.push(
                    "negated-binding-for-anonymous",
                    Severity::Warning,
                    vec![(ObjKind::PolicyBinding, pb.id), (ObjKind::Flow, flow)],
                    Some(flow),
                    format!("negated {subject} {where_} in {designation} flow '{}': nobody is identified yet, and the anonymous user fails negated group and user bindings too", self.flow_name(flow)),
                );
            } else {
                self.push(
                    "binding-before-identification",
                    Severity::Warning,
                    vec![(ObjKind::PolicyBinding, pb.id), (ObjKind::Flow, flow)],
                    Some(flow),
                    format!("{subject} {where_} in {designation} flow '{}': nobody is identified then, so it never matches (re-evaluate it when the stage runs instead)", self.flow_name(flow)),
                );
            }
        }
    }

    /// Negated group and user bindings checked when a stage runs before any identification
    /// stage of a flow that starts with nobody logged in.
    fn negated_before_identification(&mut self) {
        let doc = self.doc;
        for flow in doc.flows.iter() {
            if !starts_anonymous(doc, flow.id) {
                continue;
            }
            for binding in self.bindings_of_flow(flow.id) {
                if matches!(
                    doc.stages.get(binding.stage).map(|s| &s.kind),
                    Some(StageKind::Identification(_))
                ) {
                    break;
                }
                if !binding.re_evaluate_policies || binding.evaluate_on_plan {
                    continue;
                }
                for pb in self.policy_bindings_of(binding.id) {
                    if pb.enabled && pb.negate && !matches!(pb.subject, Subject::Policy(_)) {
                        self.push(
                            "negated-binding-for-anonymous",
                            Severity::Warning,
                            vec![(ObjKind::PolicyBinding, pb.id), (ObjKind::StageBinding, binding.id)],
                            Some(flow.id),
                            format!(
                                "negated {} on stage '{}' runs before anyone is identified in flow '{}': the anonymous user fails it, unlike what negation suggests",
                                doc.describe_subject(pb.subject),
                                doc.label_of(ObjKind::Stage, binding.stage),
                                flow.slug
                            ),
                        );
                    }
                }
            }
        }
    }

    fn stage_bindings(&mut self) {
        let doc = self.doc;
        let mut orders: HashMap<(Uuid, i64), Vec<Uuid>> = HashMap::new();
        for b in doc.stage_bindings.iter() {
            orders.entry((b.target, b.order)).or_default().push(b.id);
            if !b.evaluate_on_plan && !b.re_evaluate_policies {
                self.push(
                    "never-evaluated",
                    Severity::Error,
                    vec![(ObjKind::StageBinding, b.id)],
                    Some(b.target),
                    format!(
                        "stage '{}' in flow '{}' is evaluated neither when planned nor when run: its bindings never apply, and authentik's API refuses such a binding",
                        doc.label_of(ObjKind::Stage, b.stage),
                        self.flow_name(b.target)
                    ),
                );
            }
        }
        let mut clashes: Vec<_> = orders
            .into_iter()
            .filter(|(_, ids)| ids.len() > 1)
            .collect();
        clashes.sort_by_key(|((flow, order), _)| (doc.flows.index_of(*flow), *order));
        for ((flow, order), ids) in clashes {
            let names: Vec<String> = ids
                .iter()
                .filter_map(|id| doc.stage_bindings.get(*id))
                .map(|b| format!("'{}'", doc.label_of(ObjKind::Stage, b.stage)))
                .collect();
            self.push(
                "duplicate-order",
                Severity::Warning,
                ids.iter().map(|id| (ObjKind::StageBinding, *id)).collect(),
                Some(flow),
                format!(
                    "stages {} share order {order} in flow '{}': authentik does not define which runs first",
                    names.join(" and "),
                    self.flow_name(flow)
                ),
            );
        }
    }

    /// Policies bound in flows that can never pass there: event matchers (no event in a
    /// flow's request, authentik/policies/event_matcher/models.py `EventMatcherPolicy.passes`)
    /// and dummy policies whose random wait always raises (authentik/policies/dummy/models.py
    /// `DummyPolicy.passes`; authentik/policies/process.py `PolicyProcess.run` fails the
    /// binding whatever `negate` says).
    fn never_passing_policies(&mut self) {
        let doc = self.doc;
        for pb in doc.policy_bindings.iter() {
            let Subject::Policy(policy) = pb.subject else {
                continue;
            };
            let Some(p) = doc.policies.get(policy) else {
                continue;
            };
            let flow = match pb.target {
                Target::Flow(f) => Some(f),
                Target::StageBinding(sb) => doc.stage_bindings.get(sb).map(|b| b.target),
            };
            let flow_name = flow.map(|f| self.flow_name(f)).unwrap_or_default();
            let (code, message) = match (
                &p.kind,
                crate::engine::offline(&p.kind, Person::Anonymous),
            ) {
                (PolicyKind::EventMatcher(_), _) if pb.negate => (
                    "event-matcher-in-flow",
                    format!(
                        "event matcher policy '{}' is bound negated in flow '{}': flows have no event, so it always fails there and this binding always passes (authentik #17483)",
                        p.name, flow_name
                    ),
                ),
                (PolicyKind::EventMatcher(_), _) => (
                    "event-matcher-in-flow",
                    format!(
                        "this policy can never pass in a flow: event matcher policy '{}' is bound in flow '{}', and flows have no event (authentik #17483)",
                        p.name, flow_name
                    ),
                ),
                (PolicyKind::Dummy(_), Offline::Raises(why)) => (
                    "policy-always-raises",
                    format!(
                        "this policy can never pass in a flow: dummy policy '{}' (bound in flow '{}') {why}, and a policy that raises fails its binding whatever negate says",
                        p.name, flow_name
                    ),
                ),
                _ => continue,
            };
            self.push(
                code,
                Severity::Warning,
                vec![(ObjKind::PolicyBinding, pb.id), (ObjKind::Policy, policy)],
                flow,
                message,
            );
        }
    }

    /// Stages after a deny stage that nothing can skip: the deny stage always ends the flow
    /// (authentik/stages/deny/stage.py `DenyStageView.dispatch` calls `stage_invalid`), so
    /// they are never reached.
    fn unreachable_after_deny(&mut self) {
        let doc = self.doc;
        for flow in doc.flows.iter() {
            let bindings = self.bindings_of_flow(flow.id);
            let deny = bindings.iter().position(|b| {
                doc.stages
                    .get(b.stage)
                    .is_some_and(|s| crate::engine::executor::effect(&s.kind).always_ends)
                    && !self.policy_bindings_of(b.id).iter().any(|pb| pb.enabled)
            });
            let Some(at) = deny else {
                continue;
            };
            let deny_name = doc.label_of(ObjKind::Stage, bindings[at].stage);
            for b in &bindings[at + 1..] {
                self.push(
                    "unreachable-after-deny",
                    Severity::Warning,
                    vec![
                        (ObjKind::StageBinding, b.id),
                        (ObjKind::StageBinding, bindings[at].id),
                    ],
                    Some(flow.id),
                    format!(
                        "stage '{}' in flow '{}' is never reached: deny stage '{deny_name}' before it has no bindings, so it always runs and ends the flow",
                        doc.label_of(ObjKind::Stage, b.stage),
                        flow.slug
                    ),
                );
            }
        }
    }

    fn authentication_flows(&mut self) {
        let doc = self.doc;
        for flow in doc
            .flows
            .iter()
            .filter(|f| f.designation == Designation::Authentication)
        {
            let bindings = self.bindings_of_flow(flow.id);
            if bindings.is_empty() {
                continue;
            }
            let kind = |b: &crate::model::StageBinding| doc.stages.get(b.stage).map(|s| &s.kind);
            let has_identification = bindings
                .iter()
                .any(|b| matches!(kind(b), Some(StageKind::Identification(_))));
            let login = bindings
                .iter()
                .position(|b| matches!(kind(b), Some(StageKind::UserLogin(_))));
            match login {
                None => self.push(
                    "no-login-stage",
                    Severity::Warning,
                    vec![(ObjKind::Flow, flow.id)],
                    Some(flow.id),
                    format!("authentication flow '{}' has no user login stage: nobody is ever logged in by it", flow.slug),
                ),
                Some(at) => {
                    for b in &bindings[at + 1..] {
                        if matches!(kind(b), Some(StageKind::UserLogin(_))) {
                            continue;
                        }
                        self.push(
                            "stage-after-login",
                            Severity::Warning,
                            vec![(ObjKind::StageBinding, b.id), (ObjKind::Flow, flow.id)],
                            Some(flow.id),
                            format!(
                                "stage '{}' comes after the login stage in flow '{}': the user is already logged in when it runs, so it cannot stop the login",
                                doc.label_of(ObjKind::Stage, b.stage),
                                flow.slug
                            ),
                        );
                    }
                }
            }
            if !has_identification {
                self.push(
                    "no-identification-stage",
                    Severity::Info,
                    vec![(ObjKind::Flow, flow.id)],
                    Some(flow.id),
                    format!("authentication flow '{}' has no identification stage: it only works when the user is already known (a source login or a pending user)", flow.slug),
                );
            }
        }
    }

    fn leftovers(&mut self) {
        let doc = self.doc;
        let bound_policies: HashSet<Uuid> = doc
            .policy_bindings
            .iter()
            .filter_map(|b| match b.subject {
                Subject::Policy(p) => Some(p),
                _ => None,
            })
            .chain(doc.stages.iter().flat_map(|s| match &s.kind {
                StageKind::Prompt(p) => p.validation_policies.clone(),
                _ => Vec::new(),
            }))
            .collect();
        for p in doc
            .policies
            .iter()
            .filter(|p| !bound_policies.contains(&p.id))
        {
            self.push(
                "unused-policy",
                Severity::Info,
                vec![(ObjKind::Policy, p.id)],
                None,
                format!("policy '{}' is bound nowhere", p.name),
            );
        }
        let bound_stages: HashSet<Uuid> = doc.stage_bindings.iter().map(|b| b.stage).collect();
        let referenced: HashSet<Uuid> = doc
            .stages
            .iter()
            .flat_map(|s| {
                let mut refs = Vec::new();
                s.refs(&mut refs);
                refs.into_iter()
                    .filter(|r| r.kind == ObjKind::Stage)
                    .map(|r| r.id)
            })
            .collect();
        for s in doc
            .stages
            .iter()
            .filter(|s| !bound_stages.contains(&s.id) && !referenced.contains(&s.id))
        {
            self.push(
                "unbound-stage",
                Severity::Info,
                vec![(ObjKind::Stage, s.id)],
                None,
                format!("stage '{}' is bound to no flow", s.name),
            );
        }
        for f in doc.flows.iter() {
            if !doc.stage_bindings.iter().any(|b| b.target == f.id) {
                self.push(
                    "empty-flow",
                    Severity::Info,
                    vec![(ObjKind::Flow, f.id)],
                    Some(f.id),
                    format!("flow '{}' has no stage bindings", f.slug),
                );
            }
        }
    }

    /// Groups that are their own ancestors.
    fn group_cycles(&mut self) {
        let doc = self.doc;
        let mut reported: HashSet<Uuid> = HashSet::new();
        for g in doc.groups.iter() {
            if reported.contains(&g.id) {
                continue;
            }
            // Walk up from g; a cycle through g shows when g comes back.
            let mut seen = HashSet::new();
            let mut stack: Vec<(Uuid, Vec<Uuid>)> =
                g.parents.iter().map(|p| (*p, vec![g.id, *p])).collect();
            while let Some((id, path)) = stack.pop() {
                if id == g.id {
                    let names: Vec<String> = path
                        .iter()
                        .map(|i| doc.label_of(ObjKind::Group, *i))
                        .collect();
                    reported.extend(path.iter().copied());
                    self.push(
                        "group-cycle",
                        Severity::Warning,
                        path.iter()
                            .take(path.len() - 1)
                            .map(|i| (ObjKind::Group, *i))
                            .collect(),
                        None,
                        format!(
                            "groups form a parent cycle: {}; each is an ancestor of the others",
                            names.join(" → ")
                        ),
                    );
                    break;
                }
                if !seen.insert(id) {
                    continue;
                }
                if let Some(parent) = doc.groups.get(id) {
                    for p in &parent.parents {
                        let mut next = path.clone();
                        next.push(*p);
                        stack.push((*p, next));
                    }
                }
            }
        }
    }

    /// Values an edit would refuse (authentik's ranges and validators, bindery's limits),
    /// kept in a store written before the rule or edited by hand.
    fn invalid_values(&mut self) {
        let doc = self.doc;
        for (kind, index, id, path, message) in crate::model::values::document_problems(doc) {
            let Some(obj) = doc.get(kind, id) else {
                continue;
            };
            let flow = crate::model::usage::flow_of(doc, &obj);
            self.push(
                "invalid-value",
                Severity::Error,
                vec![(kind, id)],
                flow,
                format!(
                    "{}: {path}: {message} (at $.{}[{index}].{path}); authentik would refuse it and bindery refuses new edits with it",
                    doc.describe(&obj),
                    kind.table()
                ),
            );
        }
    }

    /// References to objects that no longer exist (a hand-edited store).
    fn dangling(&mut self) {
        let doc = self.doc;
        let mut found = Vec::new();
        let mut refs = Vec::new();
        doc.for_each(|kind, index, object| {
            refs.clear();
            object.view_refs(&mut refs);
            for r in refs.iter().filter(|r| !doc.contains(r.kind, r.id)) {
                found.push((kind, index, object.view_id(), r.field, r.kind, r.id));
            }
        });
        for (kind, index, id, field, missing_kind, missing) in found {
            let Some(obj) = doc.get(kind, id) else {
                continue;
            };
            let flow = crate::model::usage::flow_of(doc, &obj);
            self.push(
                "dangling-reference",
                Severity::Error,
                vec![(kind, id)],
                flow,
                format!(
                    "{} refers in {field} to {} {missing}, which does not exist (at $.{}[{index}].{field})",
                    doc.describe(&obj),
                    missing_kind.noun(),
                    kind.table()
                ),
            );
        }
    }
}

/// Every finding in the store (or in one flow), errors first.
pub fn lint(doc: &Document, flow: Option<Uuid>) -> Vec<Finding> {
    let mut linter = Linter {
        doc,
        rel: Relations::build(doc),
        out: Vec::new(),
    };
    linter.dangling();
    linter.invalid_values();
    linter.stage_bindings();
    linter.early_directory_bindings();
    linter.negated_before_identification();
    linter.never_passing_policies();
    linter.unreachable_after_deny();
    linter.authentication_flows();
    linter.group_cycles();
    linter.leftovers();
    linter.unreadable_names();
    let mut out = linter.out;
    if let Some(flow) = flow {
        out.retain(|f| f.flow == Some(flow));
    }
    out.sort_by_key(|f| f.severity);
    out
}
