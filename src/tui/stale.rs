//! A dialog stays open while the store changes under it: someone else saved and the UI
//! reloaded. A form remembers the objects it acts on as they were when it opened; a submit
//! compares them with the current document, and any difference is a conflict shown with both
//! values (never a silent overwrite of someone else's change). The user can re-open the form
//! on the current version, keeping the fields they changed.

use std::collections::HashSet;

use uuid::Uuid;

use super::dialogs::{self, Purpose};
use super::form::{Field, FieldValue, Form};
use crate::edit::{field_changes, show};
use crate::model::{Document, Obj, ObjKind, Target};

/// The objects a form of this purpose acts on or derives its proposals from (a new binding's
/// order comes from its siblings).
pub fn touched(doc: &Document, purpose: &Purpose) -> Vec<(ObjKind, Uuid)> {
    if let Some(edited) = purpose.edited() {
        return vec![edited];
    }
    match purpose {
        Purpose::BindStage { flow }
        | Purpose::CreateStage {
            bind_to: Some(flow),
            ..
        } => flow_and_bindings(doc, *flow, false),
        Purpose::CreateBinding { target } => {
            let mut out = vec![match target {
                Target::Flow(id) => (ObjKind::Flow, *id),
                Target::StageBinding(id) => (ObjKind::StageBinding, *id),
            }];
            out.extend(
                doc.policy_bindings_of(target.id())
                    .into_iter()
                    .map(|b| (ObjKind::PolicyBinding, b.id)),
            );
            out
        }
        Purpose::Duplicate { flow } => flow_and_bindings(doc, *flow, true),
        _ => Vec::new(),
    }
}

/// A flow and its stage bindings; with `deep`, also the policy bindings on both.
fn flow_and_bindings(doc: &Document, flow: Uuid, deep: bool) -> Vec<(ObjKind, Uuid)> {
    let bindings = doc.bindings_of_flow(flow);
    let policy_bindings = if deep {
        doc.policy_bindings_of_each(std::iter::once(flow).chain(bindings.iter().map(|b| b.id)))
    } else {
        Default::default()
    };
    let on = |target: Uuid| {
        policy_bindings
            .get(&target)
            .into_iter()
            .flatten()
            .map(|b| (ObjKind::PolicyBinding, b.id))
    };
    let mut out = vec![(ObjKind::Flow, flow)];
    out.extend(on(flow));
    for binding in bindings {
        out.push((ObjKind::StageBinding, binding.id));
        out.extend(on(binding.id));
    }
    out
}

/// The touched objects as they are now, for a form that is opening.
pub fn snapshot(doc: &Document, purpose: &Purpose) -> Vec<(ObjKind, Uuid, Option<Obj>)> {
    touched(doc, purpose)
        .into_iter()
        .map(|(kind, id)| (kind, id, doc.get(kind, id)))
        .collect()
}

/// What changed since the form opened: (as it was, as it is now) for each object that differs,
/// including ones that appeared among those it derives from.
pub fn changed_since(doc: &Document, form: &Form) -> Vec<(Option<Obj>, Option<Obj>)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (kind, id, was) in &form.seen {
        seen.insert((*kind, *id));
        let now = doc.get(*kind, *id);
        if now != *was {
            out.push((was.clone(), now));
        }
    }
    for (kind, id) in touched(doc, &form.purpose) {
        if !seen.contains(&(kind, id)) {
            out.push((None, doc.get(kind, id)));
        }
    }
    out
}

/// The conflict as the form shows it: what someone else changed (when opened, now), what the
/// user changed, and the key that re-opens the form.
pub fn conflict_text(
    doc: &Document,
    form: &Form,
    changed: &[(Option<Obj>, Option<Obj>)],
    reopen: &str,
) -> String {
    let mut lines =
        vec!["Someone else changed this since the dialog opened; nothing was saved.".to_string()];
    for pair in changed {
        lines.push(match pair {
            (Some(was), Some(now)) => {
                let fields: Vec<String> = field_changes(doc, was, now)
                    .iter()
                    .map(|(key, before, after)| {
                        format!(
                            "{key}: theirs now {}, when opened {}",
                            show(doc, after),
                            show(doc, before)
                        )
                    })
                    .collect();
                format!("{} was changed: {}", doc.describe(now), fields.join("; "))
            }
            (Some(was), None) => format!("{} was deleted", doc.describe(was)),
            (None, Some(now)) => format!("{} was added", doc.describe(now)),
            (None, None) => continue,
        });
    }
    let yours: Vec<String> = form
        .fields
        .iter()
        .filter(|f| f.changed())
        .map(|f| format!("{} {}", f.label, shown_field(doc, f)))
        .collect();
    lines.push(if yours.is_empty() {
        "Yours: no changes.".to_string()
    } else {
        format!("Yours: {}.", yours.join("; "))
    });
    lines.push(format!(
        "{reopen} re-opens the dialog on the current version with your changes; Esc cancels."
    ));
    lines.join("\n")
}

fn shown_field(doc: &Document, field: &Field) -> String {
    match field.attribute() {
        Ok(Some(value)) => show(doc, &value),
        _ => format!("{:?}", field.value),
    }
}

/// The form opened afresh on the current document, with the fields the user had changed
/// carried over; None when the object it edits is gone.
pub fn reopen(doc: &Document, stale: &Form) -> Option<Form> {
    let mut form = dialogs::open(doc, stale.purpose.clone())?;
    for old in stale.fields.iter().filter(|f| f.changed()) {
        if let Some(field) = form.field_mut(&old.key) {
            carry(&mut field.value, &old.value);
        }
        // A carried tab changes what the next drop-down offers.
        dialogs::after_edit(&mut form, doc);
    }
    if form.fields.get(stale.focus).is_some_and(Field::focusable) {
        form.focus = stale.focus;
    }
    Some(form)
}

/// Takes the user's value into a fresh field: a drop-down keeps the object chosen (if it is
/// still offered), a multi-pick the values chosen, anything else the value itself.
fn carry(fresh: &mut FieldValue, old: &FieldValue) {
    match (fresh, old) {
        (
            FieldValue::Pick {
                items,
                query,
                highlighted,
            },
            old @ FieldValue::Pick { .. },
        ) => {
            let chosen = old.picked();
            if let Some(at) = items.iter().position(|(id, _)| Some(*id) == chosen) {
                query.clear();
                *highlighted = at;
            }
        }
        (FieldValue::MultiPick { chosen, .. }, FieldValue::MultiPick { chosen: old, .. }) => {
            chosen.clone_from(old);
        }
        (fresh, old) if std::mem::discriminant(fresh) == std::mem::discriminant(old) => {
            *fresh = old.clone();
        }
        _ => {}
    }
}
