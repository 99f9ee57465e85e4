//! `bindery plan FLOW [--user] [--pending-user] [--identify-as] [--assume P=pass|fail]... [--json]`

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{CliError, Output, json};
use crate::engine::{self, DecidedAt, Engine, Index, Outcome, Plan, Request, Tri};
use crate::model::{Document, ObjKind};
use crate::text::{sanitize, width, wrap};

pub struct PlanArgs<'a> {
    pub flow: &'a str,
    pub user: Option<&'a str>,
    pub pending_user: Option<&'a str>,
    pub identify_as: Option<&'a str>,
    pub assume: &'a [String],
    pub json: bool,
}

fn user(index: &Index, option: &str, name: Option<&str>) -> Result<Option<Uuid>, CliError> {
    name.map(|name| {
        index
            .user_named(name)
            .ok_or_else(|| CliError::msg(format!("{option}: no user named {:?}", sanitize(name))))
    })
    .transpose()
}

/// `NAME=pass` or `NAME=fail`, for a policy that exists.
fn assumptions(doc: &Document, assume: &[String]) -> Result<HashMap<Uuid, bool>, CliError> {
    let mut out = HashMap::new();
    for item in assume {
        let Some((name, value)) = item.rsplit_once('=') else {
            return Err(CliError::msg(format!(
                "--assume {:?}: expected POLICY=pass or POLICY=fail",
                sanitize(item)
            )));
        };
        let result = match value {
            "pass" => true,
            "fail" => false,
            other => {
                return Err(CliError::msg(format!(
                    "--assume {:?}: the result must be pass or fail, not {:?}",
                    sanitize(item),
                    sanitize(other)
                )));
            }
        };
        let policy = doc
            .policies
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| {
                CliError::msg(format!("--assume: no policy named {:?}", sanitize(name)))
            })?;
        out.insert(policy.id, result);
    }
    Ok(out)
}

pub fn run(doc: &Document, args: PlanArgs) -> Result<Output, CliError> {
    let flow = doc
        .flow_by_slug(args.flow)
        .ok_or_else(|| CliError::msg(format!("no flow with slug {:?}", sanitize(args.flow))))?;
    let index = Index::build(doc);
    let request = Request {
        user: user(&index, "--user", args.user)?,
        pending_user: user(&index, "--pending-user", args.pending_user)?,
        identify_as: user(&index, "--identify-as", args.identify_as)?,
    };
    let assumed = assumptions(doc, args.assume)?;
    let engine = Engine::new(&index, &assumed);
    let plan = engine::plan(&engine, flow, request);
    let stdout = if args.json {
        json::to_string(&to_json(doc, &plan))
    } else {
        human(doc, &plan)
    };
    Ok(Output {
        stdout,
        stderr: ignored_notes(doc, &assumed, &engine.ignored_assumptions()),
    })
}

/// One line on stderr for each `--assume` the plan could not use, and why.
fn ignored_notes(doc: &Document, assumed: &HashMap<Uuid, bool>, raised: &HashSet<Uuid>) -> String {
    let mut policies: Vec<_> = assumed
        .keys()
        .filter_map(|id| doc.policies.get(*id))
        .collect();
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = String::new();
    for p in policies {
        let why = match engine::assumption_ignored(&p.kind) {
            Some(why) => why,
            None if raised.contains(&p.id) => {
                "where it is evaluated for the anonymous user, a password expiry policy raises \
                 (no password change date) and its binding fails"
            }
            None => continue,
        };
        let _ = writeln!(
            out,
            "bindery: --assume {}: ignored: {why}",
            sanitize(&p.name)
        );
    }
    out
}

fn applicable_word(t: Tri) -> &'static str {
    match t {
        Tri::Pass => "yes",
        Tri::Fail => "no",
        Tri::Unknown => "depends",
    }
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Presented => "presented",
        Outcome::Skipped => "skipped",
        Outcome::Depends => "depends",
        Outcome::Unreached => "unreached",
    }
}

fn decided_word(d: Option<DecidedAt>) -> Value {
    match d {
        Some(DecidedAt::Plan) => json!("plan"),
        Some(DecidedAt::Run) => json!("run"),
        None => Value::Null,
    }
}

/// The contract's `plan --json` shape.
pub fn to_json(doc: &Document, plan: &Plan) -> Value {
    let flow = doc.flows.get(plan.flow).expect("planned flow exists");
    let stages: Vec<Value> = if plan.applicable == Tri::Fail {
        Vec::new()
    } else {
        plan.stages
            .iter()
            .map(|s| {
                let binding = doc.stage_bindings.get(s.binding).expect("binding exists");
                let stage = doc.stages.get(binding.stage);
                json!({
                    "order": binding.order,
                    "stage": doc.label_of(ObjKind::Stage, binding.stage),
                    "kind": stage.map(|s| s.kind.short()),
                    "outcome": outcome_word(s.outcome),
                    "decided_at": decided_word(s.decided_at),
                    "reasons": s.reasons,
                })
            })
            .collect()
    };
    json!({
        "flow": flow.slug,
        "applicable": applicable_word(plan.applicable),
        "denied": plan.denied.as_ref().map(|(reason, action)| json!({"reason": reason, "action": action})),
        "stages": stages,
    })
}

/// One line per stage binding, then its reasons indented; fits 80 columns for usual names.
fn human(doc: &Document, plan: &Plan) -> String {
    let flow = doc.flows.get(plan.flow).expect("planned flow exists");
    let mut out = String::new();
    let header = format!(
        "{} ({}): applicable: {}",
        sanitize(&flow.slug),
        flow.designation,
        applicable_word(plan.applicable)
    );
    write_wrapped(&mut out, "", "  ", &header);
    for line in &plan.requirement {
        write_wrapped(&mut out, "  ", "    ", &sanitize(line));
    }
    if let Some(check) = &plan.flow_check {
        for reason in check.reasons() {
            let line = format!("flow bindings: {}", sanitize(&reason));
            write_wrapped(&mut out, "  ", "    ", &line);
        }
    }
    if let Some((reason, action)) = &plan.denied {
        let line = format!("denied: {} (denied action: {action})", sanitize(reason));
        write_wrapped(&mut out, "  ", "    ", &line);
        return out;
    }
    if plan.stages.is_empty() {
        out.push_str("  no stage bindings: the flow plans nothing\n");
    }
    for s in &plan.stages {
        let binding = doc.stage_bindings.get(s.binding).expect("binding exists");
        let decided = match s.decided_at {
            Some(DecidedAt::Plan) => "when planned",
            Some(DecidedAt::Run) => "when run",
            None => "ungated",
        };
        let _ = writeln!(
            out,
            "{:>5}  {:<9}  {:<12}  {}",
            binding.order,
            outcome_word(s.outcome),
            decided,
            sanitize(&doc.label_of(ObjKind::Stage, binding.stage))
        );
        for reason in &s.reasons {
            for line in wrap(&sanitize(reason), 80 - 8) {
                let _ = writeln!(out, "{:>8}{line}", "");
            }
        }
    }
    out
}

/// Writes `text` (sanitised) wrapped to 80 cells: the first line after `first`, the others
/// after `rest` (which must be at least as wide as `first`).
fn write_wrapped(out: &mut String, first: &str, rest: &str, text: &str) {
    for (i, line) in wrap(text, 80 - width(rest)).iter().enumerate() {
        let _ = writeln!(out, "{}{line}", if i == 0 { first } else { rest });
    }
}
