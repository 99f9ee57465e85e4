//! Field-by-field differences between versions of one object, in authentik's attribute names,
//! for conflict messages: what someone else changed, and what this side changed.

use serde_json::Value;
use uuid::Uuid;

use crate::blueprint::models::attrs_of;
use crate::model::{Document, Obj, ObjKind};

/// How many characters of a value a message shows.
const SHOWN_CHARS: usize = 80;
/// How many fields a message lists before "and N more".
const SHOWN_FIELDS: usize = 12;

/// One field that differs between two versions: (name, before, after).
pub type FieldChange = (String, Value, Value);

/// The fields whose values differ between `before` and `after`, in attribute order.
pub fn field_changes(doc: &Document, before: &Obj, after: &Obj) -> Vec<FieldChange> {
    let before = attrs_of(doc, before);
    let after = attrs_of(doc, after);
    let mut out: Vec<FieldChange> = after
        .iter()
        .filter(|(key, value)| before.get(*key) != Some(*value))
        .map(|(key, value)| {
            let old = before.get(key).cloned().unwrap_or(Value::Null);
            (key.clone(), old, value.clone())
        })
        .collect();
    out.extend(
        before
            .iter()
            .filter(|(key, _)| !after.contains_key(*key))
            .map(|(key, value)| (key.clone(), value.clone(), Value::Null)),
    );
    out
}

/// A value as a message shows it: strings quoted, ids as the label of the object they name,
/// long values cut.
pub fn show(doc: &Document, value: &Value) -> String {
    let text = match value {
        Value::String(s) => match Uuid::parse_str(s).ok().and_then(|id| label_of_id(doc, id)) {
            Some(label) => label,
            None => format!("{s:?}"),
        },
        Value::Null => "(none)".to_string(),
        other => other.to_string(),
    };
    if text.chars().count() > SHOWN_CHARS {
        let cut: String = text.chars().take(SHOWN_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn label_of_id(doc: &Document, id: Uuid) -> Option<String> {
    ObjKind::ALL
        .iter()
        .find(|kind| doc.contains(**kind, id))
        .map(|kind| format!("{} '{}'", kind.noun(), doc.label_of(*kind, id)))
}

/// Both sides of a conflict on one object, field by field: `base` is the version this side
/// started from, `theirs` what is there now, `yours` what this side wanted (None: delete it).
/// For example `deny_message: was "a", theirs "b", yours unchanged`.
pub fn both_sides(doc: &Document, base: &Obj, theirs: &Obj, yours: Option<&Obj>) -> String {
    let their_changes = field_changes(doc, base, theirs);
    let your_changes = yours.map(|y| field_changes(doc, base, y));
    let mut keys: Vec<&String> = their_changes.iter().map(|(k, _, _)| k).collect();
    for (key, _, _) in your_changes.iter().flatten() {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let side = |changes: Option<&Vec<FieldChange>>, key: &str| match changes {
        None => "deleted".to_string(),
        Some(changes) => match changes.iter().find(|(k, _, _)| k == key) {
            Some((_, _, now)) => show(doc, now),
            None => "unchanged".to_string(),
        },
    };
    let base_attrs = attrs_of(doc, base);
    let mut parts: Vec<String> = keys
        .iter()
        .take(SHOWN_FIELDS)
        .map(|key| {
            let was = base_attrs.get(key.as_str()).unwrap_or(&Value::Null);
            format!(
                "{key}: was {}, theirs {}, yours {}",
                show(doc, was),
                side(Some(&their_changes), key),
                side(your_changes.as_ref(), key)
            )
        })
        .collect();
    if keys.len() > SHOWN_FIELDS {
        parts.push(format!("and {} more fields", keys.len() - SHOWN_FIELDS));
    }
    if yours.is_none() {
        parts.push("yours: delete it".to_string());
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::stage::DenyStage;
    use crate::model::{Stage, StageKind};

    #[test]
    fn both_sides_name_each_field_with_its_three_values() {
        let doc = Document::default();
        let base = Stage::new(
            "notice",
            StageKind::Deny(DenyStage {
                deny_message: "old".into(),
            }),
        );
        let mut theirs = base.clone();
        theirs.kind = StageKind::Deny(DenyStage {
            deny_message: "new".into(),
        });
        let mut yours = base.clone();
        yours.name = "renamed".into();
        let text = both_sides(
            &doc,
            &Obj::Stage(base),
            &Obj::Stage(theirs),
            Some(&Obj::Stage(yours)),
        );
        assert_eq!(
            text,
            "deny_message: was \"old\", theirs \"new\", yours unchanged; \
             name: was \"notice\", theirs unchanged, yours \"renamed\""
        );
    }

    #[test]
    fn long_values_are_cut() {
        let shown = show(&Document::default(), &Value::String("x".repeat(500)));
        assert!(shown.chars().count() <= SHOWN_CHARS + 1, "{shown}");
        assert!(shown.ends_with('…'));
    }
}
