//! The flow as the planner sees it: its requirement and own bindings, then each stage binding
//! in order with its gates and where a failed gate goes. As text (80 columns, read top to
//! bottom) or as a Mermaid `graph TD`.

use super::executor::{self, StageEffect};
use crate::model::{
    AuthenticationRequirement, DeniedAction, Document, EngineMode, Flow, ObjKind, PolicyBinding,
    StageBinding, Subject,
};
use crate::text::sanitize;

fn subject(doc: &Document, b: &PolicyBinding) -> String {
    let what = match b.subject {
        Subject::Policy(id) => format!("policy {}", doc.label_of(ObjKind::Policy, id)),
        Subject::Group(id) => format!("group {}", doc.label_of(ObjKind::Group, id)),
        Subject::User(id) => format!("user {}", doc.label_of(ObjKind::User, id)),
    };
    if b.negate {
        format!("not {what}")
    } else {
        what
    }
}

/// The policy bindings of a flow and of its stage bindings, by target.
type Gates<'a> = std::collections::HashMap<uuid::Uuid, Vec<&'a PolicyBinding>>;

fn gates<'a>(doc: &'a Document, flow: uuid::Uuid, bindings: &[&StageBinding]) -> Gates<'a> {
    doc.policy_bindings_of_each(std::iter::once(flow).chain(bindings.iter().map(|b| b.id)))
}

/// The enabled bindings of a target in words: "group admins" or "any of: a, b".
fn gate(doc: &Document, on: &Gates, target: uuid::Uuid, mode: EngineMode) -> Option<String> {
    let bindings: Vec<&PolicyBinding> = on
        .get(&target)
        .into_iter()
        .flatten()
        .copied()
        .filter(|b| b.enabled)
        .collect();
    match bindings.as_slice() {
        [] => None,
        [one] => Some(subject(doc, one)),
        many => Some(format!(
            "{} of: {}",
            mode,
            many.iter()
                .map(|b| subject(doc, b))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn when(b: &StageBinding) -> &'static str {
    match (b.evaluate_on_plan, b.re_evaluate_policies) {
        (true, true) => "when planned and when run",
        (true, false) => "when planned",
        (false, true) => "when run",
        (false, false) => "never (both switches off)",
    }
}

fn requirement(flow: &Flow) -> &'static str {
    match flow.authentication {
        AuthenticationRequirement::None => "anyone",
        AuthenticationRequirement::RequireAuthenticated => "a logged-in user",
        AuthenticationRequirement::RequireUnauthenticated => "nobody logged in",
        AuthenticationRequirement::RequireSuperuser => "a superuser",
        AuthenticationRequirement::RequireRedirect => "a redirect from another flow",
        AuthenticationRequirement::RequireOutpost => "a request from an outpost",
    }
}

fn denial(action: DeniedAction) -> &'static str {
    match action {
        DeniedAction::MessageContinue => "show the denial, or continue to ?next when given",
        DeniedAction::Message => "show the denial message",
        DeniedAction::Continue => "continue to ?next, else the default page",
    }
}

fn effect(doc: &Document, b: &StageBinding) -> StageEffect {
    doc.stages.get(b.stage).map_or(
        StageEffect {
            always_ends: false,
            ends_if: None,
            logs_out: None,
        },
        |s| executor::effect(&s.kind),
    )
}

/// The text diagram, each line at most 80 columns (names are sanitised).
pub fn text(doc: &Document, flow: &Flow) -> String {
    text_at(doc, flow, 80)
}

/// The text diagram with lines of at most `width` columns (at least 40).
pub fn text_at(doc: &Document, flow: &Flow, width: usize) -> String {
    let width = width.max(40);
    let bindings = doc.bindings_of_flow(flow.id);
    let on = gates(doc, flow.id, &bindings);
    let mut out = Vec::new();
    let mut put = |prefix: &str, text: &str| {
        let text = sanitize(text);
        // Continuation lines hang two columns in, under a plain rail.
        let rail = format!("{}  ", prefix.replace(['├', '└'], "│").replace('─', " "));
        let width = width - crate::text::width(&rail);
        for (i, line) in crate::text::wrap(&text, width).into_iter().enumerate() {
            let lead = if i == 0 { prefix } else { rail.as_str() };
            out.push(format!("{lead}{line}").trim_end().to_string());
        }
    };
    put(
        "",
        &format!("flow {} ({}): {}", flow.slug, flow.designation, flow.name),
    );
    put("│ ", &format!("who may start it: {}", requirement(flow)));
    match gate(doc, &on, flow.id, flow.policy_engine_mode) {
        None => put("│ ", "flow bindings: none, it applies to everyone"),
        Some(g) => put("│ ", &format!("flow bindings, for the plan-time user: {g}")),
    }
    put(
        "│ ",
        &format!(
            "if it does not apply: {} ({})",
            denial(flow.denied_action),
            flow.denied_action
        ),
    );
    if bindings.is_empty() {
        put("│ ", "no stage bindings: the flow plans nothing");
    }
    for b in &bindings {
        put("│", "");
        let kind = doc
            .stages
            .get(b.stage)
            .map(|s| s.kind.short().to_string())
            .unwrap_or_default();
        put(
            "├─ ",
            &format!(
                "{} {} [{kind}]",
                b.order,
                doc.label_of(ObjKind::Stage, b.stage)
            ),
        );
        match gate(doc, &on, b.id, b.policy_engine_mode) {
            _ if !b.evaluate_on_plan && !b.re_evaluate_policies => put(
                "│    ",
                "always presented: its bindings are never evaluated (both switches off)",
            ),
            None => put("│    ", "always presented (no bindings)"),
            Some(g) => {
                put("│    ", &format!("gate, {}: {g}", when(b)));
                put("│    ", "fails: skipped, on to the next stage");
            }
        }
        let e = effect(doc, b);
        if e.always_ends {
            put(
                "│    ",
                "ends the flow here: a deny stage always denies; later stages are reached only when it is skipped",
            );
        }
        if let Some(cond) = e.ends_if {
            put("│    ", &format!("ends the flow here if {cond}"));
        }
        if let Some(note) = e.logs_out {
            put("│    ", note);
        }
    }
    put("│", "");
    put(
        "└─ ",
        "done: the flow ends (authentik follows ?next or the default page)",
    );
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// A Mermaid label: quoted, with quotes and angle brackets as entities.
fn label(text: &str) -> String {
    let clean: String = sanitize(text)
        .chars()
        .map(|c| match c {
            '"' => "#quot;".to_string(),
            '<' => "#lt;".to_string(),
            '>' => "#gt;".to_string(),
            '\\' => "#92;".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("\"{clean}\"")
}

/// The Mermaid `graph TD` of the flow.
pub fn mermaid(doc: &Document, flow: &Flow) -> String {
    let bindings = doc.bindings_of_flow(flow.id);
    let on = gates(doc, flow.id, &bindings);
    let mut out = vec!["graph TD".to_string()];
    out.push(format!(
        "  start([{}])",
        label(&format!(
            "{} ({}), for {}",
            flow.slug,
            flow.designation,
            requirement(flow)
        ))
    ));
    let gated = gate(doc, &on, flow.id, flow.policy_engine_mode);
    if gated.is_some() || flow.authentication != AuthenticationRequirement::None {
        out.push(format!(
            "  denied[/{}/]",
            label(&format!("denied: {}", flow.denied_action))
        ));
    }
    out.push(format!("  done([{}])", label("done")));
    let effects: Vec<StageEffect> = bindings.iter().map(|b| effect(doc, b)).collect();
    if effects.iter().any(|e| e.always_ends || e.ends_if.is_some()) {
        out.push(format!(
            "  ended[/{}/]",
            label("the flow ends here: access denied")
        ));
    }
    // The node the run comes from; None after a stage that always ends the flow.
    let mut previous = Some("start".to_string());
    if let Some(g) = gated {
        out.push(format!(
            "  flowgate{{{}}}",
            label(&format!("flow bindings: {g}"))
        ));
        out.push("  start --> flowgate".to_string());
        out.push("  flowgate -->|fails| denied".to_string());
        previous = Some("flowgate".to_string());
    }
    if flow.authentication != AuthenticationRequirement::None {
        out.push("  start -.->|requirement not met| denied".to_string());
    }
    let mut pending_fail: Option<String> = None;
    for (i, (b, e)) in bindings.iter().zip(&effects).enumerate() {
        let kind = doc
            .stages
            .get(b.stage)
            .map(|s| s.kind.short().to_string())
            .unwrap_or_default();
        let stage = format!("s{i}");
        let mut text = format!(
            "{} {} ({kind})",
            b.order,
            doc.label_of(ObjKind::Stage, b.stage)
        );
        if let Some(note) = e.logs_out {
            text.push_str(&format!("; {note}"));
        }
        if previous.is_none() && pending_fail.is_none() {
            text.push_str("; never reached: the flow has ended before it");
        }
        out.push(format!("  {stage}[{}]", label(&text)));
        let evaluated = b.evaluate_on_plan || b.re_evaluate_policies;
        let entry = match gate(doc, &on, b.id, b.policy_engine_mode).filter(|_| evaluated) {
            Some(g) => {
                let gate_node = format!("g{i}");
                out.push(format!(
                    "  {gate_node}{{{}}}",
                    label(&format!("{}: {g}", when(b)))
                ));
                out.push(format!("  {gate_node} -->|passes| {stage}"));
                gate_node
            }
            None => stage.clone(),
        };
        if let Some(from) = &previous {
            out.push(format!("  {from} {} {entry}", arrow(from)));
        }
        if let Some(fail) = pending_fail.take() {
            out.push(format!("  {fail} -->|fails| {entry}"));
        }
        if entry != stage {
            pending_fail = Some(entry);
        }
        if e.always_ends {
            out.push(format!("  {stage} -->|ends the flow here| ended"));
            previous = None;
        } else {
            if let Some(cond) = e.ends_if {
                out.push(format!(
                    "  {stage} -.->|{}| ended",
                    edge(&format!("ends the flow here if {cond}"))
                ));
            }
            previous = Some(stage);
        }
    }
    if let Some(from) = &previous {
        out.push(format!("  {from} {} done", arrow(from)));
    }
    if let Some(fail) = pending_fail {
        out.push(format!("  {fail} -->|fails| done"));
    }
    out.join("\n") + "\n"
}

fn arrow(from: &str) -> &'static str {
    if from == "flowgate" {
        "-->|applies|"
    } else {
        "-->"
    }
}

/// An edge label: Mermaid ends it at `|`, so none may appear inside.
fn edge(text: &str) -> String {
    label(text).trim_matches('"').replace('|', "#124;")
}
