//! Dialog forms: typed fields with focus, editing and conversion to authentik attributes.
//! A form knows nothing of what it creates; each dialog in `dialogs` builds its form and acts
//! on its values.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::text_field::{TextCursor, TextEdit};
use crate::model::{Obj, ObjKind};

#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Text(String),
    /// Enter adds a line; the dialog submits with Ctrl-s.
    MultiLine(String),
    Number(String),
    Decimal(String),
    Toggle(bool),
    /// One of fixed values; `optional` adds "(none)" as the first, meaning null.
    Choice {
        options: Vec<String>,
        index: usize,
    },
    /// The Policy / Group / User tab row.
    Tabs {
        options: Vec<String>,
        index: usize,
    },
    /// A fuzzy drop-down over objects: the highlighted match is the one taken.
    Pick {
        items: Vec<(Option<Uuid>, String)>,
        query: String,
        highlighted: usize,
    },
    /// Several values, each toggled with Space; shown in the order chosen.
    MultiPick {
        items: Vec<(String, String)>,
        chosen: Vec<String>,
        query: String,
        highlighted: usize,
    },
    /// Comma-separated values.
    List(String),
    /// Raw JSON for values bindery does not model, edited over several lines like `MultiLine`.
    Json(String),
    /// Read-only text (explanations, warnings).
    Note(String),
}

/// The string of a text field's value, by reference or mutably as the value is given.
macro_rules! text_of {
    ($value:expr) => {
        match $value {
            FieldValue::Text(s)
            | FieldValue::MultiLine(s)
            | FieldValue::Number(s)
            | FieldValue::Decimal(s)
            | FieldValue::List(s)
            | FieldValue::Json(s) => Some(s),
            _ => None,
        }
    };
}

impl FieldValue {
    /// The text a text field edits (None for the others and for drop-downs, whose filter is
    /// typed at its end).
    pub fn text(&self) -> Option<&str> {
        text_of!(self).map(String::as_str)
    }

    fn text_mut(&mut self) -> Option<&mut String> {
        text_of!(self)
    }

    /// Whether Enter starts a new line here.
    pub fn multi_line(&self) -> bool {
        matches!(self, FieldValue::MultiLine(_) | FieldValue::Json(_))
    }

    /// What of `text` a field of this kind takes: digits (and a sign) in numbers, one line
    /// outside multi-line fields.
    fn admit(&self, text: &str, at_start: bool) -> String {
        let one_line = |c: char| if c == '\n' { ' ' } else { c };
        match self {
            FieldValue::Number(s) | FieldValue::Decimal(s) => {
                let decimal = matches!(self, FieldValue::Decimal(_));
                let mut sign_ok = at_start && !s.starts_with('-');
                let mut out = String::new();
                for c in text.chars() {
                    if c.is_ascii_digit() || (decimal && c == '.') || (c == '-' && sign_ok) {
                        out.push(c);
                    }
                    sign_ok = false;
                }
                out
            }
            v if v.multi_line() => text.replace("\r\n", "\n"),
            _ => text.chars().map(one_line).filter(|c| *c != '\r').collect(),
        }
    }
    /// The item a drop-down's highlight stands on: `Some(None)` for its "(none)" item, None
    /// when nothing matches the query (or this is not a drop-down).
    pub fn picked(&self) -> Option<Option<Uuid>> {
        let FieldValue::Pick {
            items,
            query,
            highlighted,
        } = self
        else {
            return None;
        };
        let found = pick_matches(items.iter().map(|(_, l)| l.as_str()), query);
        found.get(*highlighted).map(|i| items[*i].0)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The attribute name the value goes to; empty for notes.
    pub key: String,
    pub label: String,
    pub value: FieldValue,
    /// The value when the form opened: a submit sends only the fields that differ from it.
    pub initial: FieldValue,
}

impl Field {
    pub fn new(key: &str, label: &str, value: FieldValue) -> Field {
        Field {
            key: key.to_string(),
            label: label.to_string(),
            initial: value.clone(),
            value,
        }
    }

    /// The value as an authentik attribute; None for notes.
    pub fn attribute(&self) -> Result<Option<Value>, String> {
        value_of(&self.label, &self.value)
    }

    /// Whether the user changed the value since the form opened (compared as the value it
    /// stands for: typing a drop-down's filter without picking another item is no change).
    pub fn changed(&self) -> bool {
        match (
            value_of(&self.label, &self.initial),
            value_of(&self.label, &self.value),
        ) {
            (Ok(a), Ok(b)) => a != b,
            _ => self.initial != self.value,
        }
    }

    pub fn focusable(&self) -> bool {
        !matches!(self.value, FieldValue::Note(_))
    }

    /// Whether typed characters go into this field.
    pub fn takes_text(&self) -> bool {
        matches!(
            self.value,
            FieldValue::Text(_)
                | FieldValue::MultiLine(_)
                | FieldValue::Number(_)
                | FieldValue::Decimal(_)
                | FieldValue::Pick { .. }
                | FieldValue::MultiPick { .. }
                | FieldValue::List(_)
                | FieldValue::Json(_)
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Why the last submit was refused.
    pub error: Option<String>,
    /// The objects the form acts on, as they were when it opened (None: absent), so that a
    /// submit can tell whether someone else changed them meanwhile.
    pub seen: Vec<(ObjKind, Uuid, Option<Obj>)>,
    /// The cursor in a text field, with the field's position: kept while that field is edited,
    /// made anew (at the end) when focus or the text moved under it.
    cursor: Option<(usize, TextCursor)>,
}

/// The matches of a multi-pick's query, best first: indices into its items.
pub fn matches(items: &[(String, String)], query: &str) -> Vec<usize> {
    pick_matches(items.iter().map(|(_, label)| label.as_str()), query)
}

pub fn pick_matches<'a>(labels: impl Iterator<Item = &'a str>, query: &str) -> Vec<usize> {
    let labels: Vec<&str> = labels.collect();
    if query.is_empty() {
        return (0..labels.len()).collect();
    }
    super::fuzzy::fuzzy_order(labels.into_iter(), query)
}

impl Form {
    pub fn new(title: impl Into<String>, fields: Vec<Field>) -> Form {
        let mut form = Form {
            title: title.into(),
            fields,
            focus: 0,
            error: None,
            seen: Vec::new(),
            cursor: None,
        };
        if !form.fields.first().is_some_and(Field::focusable) {
            form.move_focus(1);
        }
        form
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    fn focused_mut(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    /// Moves focus by `step` fields, skipping notes, wrapping around.
    pub fn move_focus(&mut self, step: isize) {
        let n = self.fields.len() as isize;
        if n == 0 {
            return;
        }
        let mut i = self.focus as isize;
        for _ in 0..n {
            i = (i + step).rem_euclid(n);
            if self.fields[i as usize].focusable() {
                self.focus = i as usize;
                return;
            }
        }
    }

    pub fn type_char(&mut self, c: char) {
        self.insert(c.encode_utf8(&mut [0; 4]));
    }

    /// Types or pastes text at the cursor: what the focused field takes of it.
    pub fn insert(&mut self, text: &str) {
        let Some(field) = self.focused_mut() else {
            return;
        };
        if let FieldValue::Pick {
            query, highlighted, ..
        }
        | FieldValue::MultiPick {
            query, highlighted, ..
        } = &mut field.value
        {
            query.extend(text.chars().filter(|c| !c.is_control()));
            *highlighted = 0;
            return;
        }
        let Some((value, cursor)) = self.text_cursor() else {
            return;
        };
        let (line, at) = cursor.position();
        let admitted = value.admit(text, line == 0 && at == 0);
        cursor.insert(&admitted);
        let text = cursor.text();
        if let Some(s) = value.text_mut() {
            *s = text;
        }
    }

    /// One editing step on the focused text field; false when it is not a text field or
    /// nothing moved (the first line's Up, so that the caller can move focus instead).
    pub fn edit_text(&mut self, edit: TextEdit) -> bool {
        // A drop-down's filter is typed at its end: Backspace is all it edits.
        if edit == TextEdit::DeleteBack
            && let Some(
                FieldValue::Pick {
                    query, highlighted, ..
                }
                | FieldValue::MultiPick {
                    query, highlighted, ..
                },
            ) = self.focused_mut().map(|f| &mut f.value)
        {
            query.pop();
            *highlighted = 0;
            return true;
        }
        let Some((value, cursor)) = self.text_cursor() else {
            return false;
        };
        if matches!(
            edit,
            TextEdit::NewLine | TextEdit::LineUp | TextEdit::LineDown
        ) && !value.multi_line()
        {
            return false;
        }
        let done = cursor.apply(edit);
        let text = cursor.text();
        if let Some(s) = value.text_mut() {
            *s = text;
        }
        done
    }

    pub fn backspace(&mut self) {
        self.edit_text(TextEdit::DeleteBack);
    }

    pub fn newline(&mut self) {
        self.edit_text(TextEdit::NewLine);
    }

    /// The focused text field's cursor: its line and its position on it, in characters.
    pub fn cursor_position(&self) -> Option<(usize, usize)> {
        let text = self.focused()?.value.text()?;
        match &self.cursor {
            Some((at, cursor)) if *at == self.focus && cursor.edits(text) => {
                Some(cursor.position())
            }
            // No cursor kept: it stands at the end, where typing goes.
            _ => {
                let last = text.rsplit('\n').next().unwrap_or("");
                Some((text.matches('\n').count(), last.chars().count()))
            }
        }
    }

    /// The focused field's value with its cursor, the cursor made anew when it was for
    /// another field or a dialog changed the text since.
    fn text_cursor(&mut self) -> Option<(&mut FieldValue, &mut TextCursor)> {
        let focus = self.focus;
        let value = &mut self.fields.get_mut(focus)?.value;
        let text = value.text()?;
        let fresh = !matches!(&self.cursor, Some((at, c)) if *at == focus && c.edits(text));
        if fresh {
            self.cursor = Some((focus, TextCursor::at_end(text)));
        }
        let (_, cursor) = self.cursor.as_mut()?;
        Some((value, cursor))
    }

    /// Left/Right on a tab row or a choice.
    pub fn switch(&mut self, step: isize) -> bool {
        let Some(field) = self.focused_mut() else {
            return false;
        };
        match &mut field.value {
            FieldValue::Choice { options, index } | FieldValue::Tabs { options, index } => {
                let n = options.len() as isize;
                *index = (*index as isize + step).rem_euclid(n.max(1)) as usize;
                true
            }
            FieldValue::Toggle(b) => {
                *b = !*b;
                true
            }
            _ => false,
        }
    }

    /// Space: toggles a switch or the highlighted value of a multi-pick; else types a space.
    pub fn toggle(&mut self) {
        let Some(field) = self.focused_mut() else {
            return;
        };
        match &mut field.value {
            FieldValue::Toggle(b) => *b = !*b,
            FieldValue::MultiPick {
                items,
                chosen,
                query,
                highlighted,
            } => {
                let found = matches(items, query);
                if let Some(&i) = found.get(*highlighted) {
                    let value = items[i].0.clone();
                    match chosen.iter().position(|c| *c == value) {
                        Some(at) => {
                            chosen.remove(at);
                        }
                        None => chosen.push(value),
                    }
                }
            }
            FieldValue::Choice { .. } | FieldValue::Tabs { .. } => {
                self.switch(1);
            }
            _ => self.type_char(' '),
        }
    }

    /// Up/Down: moves within a drop-down; anywhere else, moves focus.
    pub fn vertical(&mut self, step: isize) {
        let Some(field) = self.focused_mut() else {
            return;
        };
        match &mut field.value {
            FieldValue::Pick {
                items,
                query,
                highlighted,
            } => {
                let n = pick_matches(items.iter().map(|(_, l)| l.as_str()), query).len();
                *highlighted =
                    (*highlighted as isize + step).clamp(0, n.saturating_sub(1) as isize) as usize;
            }
            FieldValue::MultiPick {
                items,
                query,
                highlighted,
                ..
            } => {
                let n = matches(items, query).len();
                *highlighted =
                    (*highlighted as isize + step).clamp(0, n.saturating_sub(1) as isize) as usize;
            }
            _ => self.move_focus(step),
        }
    }

    /// The form's values as authentik attributes.
    pub fn values(&self) -> Result<Map<String, Value>, String> {
        self.collect(|_| true)
    }

    /// Only the values the user changed since the form opened: what an edit submits, as a
    /// patch over the object's current attributes.
    pub fn changes(&self) -> Result<Map<String, Value>, String> {
        self.collect(Field::changed)
    }

    /// Makes the current values the ones the form opened with.
    pub fn mark_opened(&mut self) {
        for field in &mut self.fields {
            field.initial = field.value.clone();
        }
    }

    /// The values of the fields in a range of positions (a form that builds two objects).
    pub fn values_in(&self, range: std::ops::Range<usize>) -> Result<Map<String, Value>, String> {
        let mut out = Map::new();
        for field in self.fields[range].iter().filter(|f| !f.key.is_empty()) {
            if let Some(value) = value_of(&field.label, &field.value)? {
                out.insert(field.key.clone(), value);
            }
        }
        Ok(out)
    }

    fn collect(&self, keep: impl Fn(&Field) -> bool) -> Result<Map<String, Value>, String> {
        let mut out = Map::new();
        for field in self.fields.iter().filter(|f| !f.key.is_empty() && keep(f)) {
            if let Some(value) = value_of(&field.label, &field.value)? {
                out.insert(field.key.clone(), value);
            }
        }
        Ok(out)
    }
}

/// A field's value as an authentik attribute; None for notes.
fn value_of(label: &str, value: &FieldValue) -> Result<Option<Value>, String> {
    let value = match value {
        FieldValue::Text(s) | FieldValue::MultiLine(s) => Value::String(s.clone()),
        FieldValue::Number(s) => {
            let n: i64 = s
                .trim()
                .parse()
                .map_err(|_| format!("{label}: {s:?} is not a whole number"))?;
            Value::from(n)
        }
        FieldValue::Decimal(s) => {
            let n: f64 = s
                .trim()
                .parse()
                .map_err(|_| format!("{label}: {s:?} is not a number"))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| format!("{label}: {s:?} is not a number"))?
        }
        FieldValue::Toggle(b) => Value::Bool(*b),
        FieldValue::Choice { options, index } => match options.get(*index).map(String::as_str) {
            None | Some("(none)") => Value::Null,
            Some(v) => Value::String(v.to_string()),
        },
        FieldValue::Tabs { index, .. } => Value::from(*index),
        FieldValue::Pick { query, .. } => match value.picked() {
            Some(Some(id)) => Value::String(id.to_string()),
            Some(None) => Value::Null,
            None => return Err(format!("{label}: nothing matches {query:?}")),
        },
        FieldValue::MultiPick { chosen, .. } => {
            Value::Array(chosen.iter().cloned().map(Value::String).collect())
        }
        FieldValue::List(s) => Value::Array(
            s.split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    v.parse::<i64>()
                        .map(Value::from)
                        .unwrap_or_else(|_| Value::String(v.into()))
                })
                .collect(),
        ),
        FieldValue::Json(s) => {
            serde_json::from_str(s).map_err(|e| format!("{label}: not valid JSON: {e}"))?
        }
        FieldValue::Note(_) => return Ok(None),
    };
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        let id = Uuid::from_u128(1);
        Form::new(
            "Edit",
            vec![
                Field::new("name", "Name", FieldValue::Text("a".into())),
                Field::new("order", "Order", FieldValue::Number(String::new())),
                Field::new(
                    "stage",
                    "Stage",
                    FieldValue::Pick {
                        items: vec![(Some(id), "one".into()), (None, "two".into())],
                        query: String::new(),
                        highlighted: 0,
                    },
                ),
            ],
        )
    }

    #[test]
    fn changes_hold_only_what_the_user_changed() {
        let mut form = form();
        assert_eq!(
            form.changes(),
            Ok(Map::new()),
            "an untouched bad number is no error"
        );
        form.type_char('b');
        // Filtering the drop-down down to the item it already stood on is no change.
        form.focus = 2;
        form.type_char('o');
        let changes = form.changes().unwrap();
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes["name"], Value::String("ab".into()));
        assert!(form.field("name").unwrap().changed() && !form.field("stage").unwrap().changed());
        form.mark_opened();
        assert_eq!(form.changes(), Ok(Map::new()));
    }
}
