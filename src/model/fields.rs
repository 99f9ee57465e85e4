//! What each settings field is, so that a form can edit any stage or policy type: a switch, a
//! text, a number, a choice among authentik's values, a reference to another object.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::ObjKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Toggle,
    Text,
    /// Python expressions and other text that spans lines.
    MultiLine,
    Number,
    Decimal,
    Choice(&'static [&'static str]),
    /// A choice that may also be empty (null).
    OptionalChoice(&'static [&'static str]),
    /// Several values from a fixed set.
    MultiChoice(&'static [&'static str]),
    /// One object of a kind, or none.
    Ref(ObjKind),
    /// Several objects of a kind, in order.
    RefList(ObjKind),
    /// A list of free text values.
    TextList,
    /// Anything else, edited as JSON.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
}

/// The form field kind of a Rust field type.
pub trait FieldType {
    fn kind() -> FieldKind;
}

impl FieldType for bool {
    fn kind() -> FieldKind {
        FieldKind::Toggle
    }
}
impl FieldType for String {
    fn kind() -> FieldKind {
        FieldKind::Text
    }
}
impl FieldType for i64 {
    fn kind() -> FieldKind {
        FieldKind::Number
    }
}
impl FieldType for f64 {
    fn kind() -> FieldKind {
        FieldKind::Decimal
    }
}
impl FieldType for Option<Uuid> {
    fn kind() -> FieldKind {
        // The target kind is filled in from the type's references.
        FieldKind::Ref(ObjKind::Stage)
    }
}
impl FieldType for Vec<Uuid> {
    fn kind() -> FieldKind {
        FieldKind::RefList(ObjKind::Stage)
    }
}
impl FieldType for Vec<String> {
    fn kind() -> FieldKind {
        FieldKind::TextList
    }
}
impl FieldType for Vec<i64> {
    fn kind() -> FieldKind {
        FieldKind::TextList
    }
}
impl FieldType for Option<String> {
    fn kind() -> FieldKind {
        FieldKind::Text
    }
}
impl FieldType for Value {
    fn kind() -> FieldKind {
        FieldKind::Json
    }
}
impl FieldType for Option<Value> {
    fn kind() -> FieldKind {
        FieldKind::Json
    }
}
impl FieldType for Vec<Value> {
    fn kind() -> FieldKind {
        FieldKind::Json
    }
}
impl FieldType for Map<String, Value> {
    fn kind() -> FieldKind {
        FieldKind::Json
    }
}

/// Text lists whose values authentik restricts to a known set.
pub fn known_values(field: &str) -> Option<&'static [&'static str]> {
    match field {
        "backends" => Some(super::stage::PASSWORD_BACKENDS),
        _ => None,
    }
}

/// Fields whose text is code or prose over several lines.
pub fn is_multiline(field: &str) -> bool {
    matches!(
        field,
        "expression" | "initial_value" | "placeholder" | "deny_message" | "sub_text"
    )
}
