//! A dialog stays open while the store changes under it: someone else saved and the UI
//! reloaded. A form remembers the objects it acts on as they were when it opened; a submit
//! compares them with the current document, and any difference is a conflict shown with both
//! values (never a silent overwrite of someone else's change). The user can re-open the form
//! on the current version, keeping the fields they changed.

use std::collections::HashSet;

use super::dialogs::Dialog;
use super::form::{Field, FieldValue};
use crate::edit::{field_changes, show};
use crate::model::{Document, Obj};

/// What changed since the form opened: (as it was, as it is now) for each object that differs,
/// including ones that appeared among those it derives from.
pub fn changed_since(doc: &Document, dialog: &Dialog) -> Vec<(Option<Obj>, Option<Obj>)> {
    let form = dialog.form();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (kind, id, was) in &form.seen {
        seen.insert((*kind, *id));
        let now = doc.get(*kind, *id);
        if now != *was {
            out.push((was.clone(), now));
        }
    }
    for (kind, id) in dialog.touched(doc) {
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
    dialog: &Dialog,
    changed: &[(Option<Obj>, Option<Obj>)],
    reopen: &str,
) -> String {
    let form = dialog.form();
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

/// The dialog opened afresh on the current document, with the fields the user had changed
/// carried over; None when the object it edits is gone.
pub fn reopen(doc: &Document, stale: &Dialog) -> Option<Dialog> {
    let mut dialog = stale.reopen(doc)?;
    let old_form = stale.form();
    // The same dialog on the same kind of object has the same fields in the same places.
    let same_layout = dialog.form().fields.len() == old_form.fields.len();
    for (at, old) in old_form
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.changed())
    {
        let form = dialog.form_mut();
        let field = if same_layout {
            form.fields.get_mut(at)
        } else if old.key.is_empty() {
            None
        } else {
            form.field_mut(&old.key)
        };
        if let Some(field) = field {
            carry(&mut field.value, &old.value);
        }
        // A carried tab changes what the next drop-down offers.
        dialog.changed(doc);
    }
    let form = dialog.form_mut();
    if form
        .fields
        .get(old_form.focus)
        .is_some_and(Field::focusable)
    {
        form.focus = old_form.focus;
    }
    Some(dialog)
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
