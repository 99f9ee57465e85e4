//! Reading typed objects from JSON with the failing field named: a blueprint entry's or a
//! form's values become a model struct, and a refusal says which field (`user_fields[1]`) and
//! why, as authentik's serializer reports errors per field.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A problem with one field: `path` into the value (`friendly_name`, `user_fields[1]`,
/// `attributes.x`; empty for the value as a whole) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub path: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> FieldProblem {
        FieldProblem {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A problem of the value as a whole.
    pub fn whole(message: impl Into<String>) -> FieldProblem {
        FieldProblem::new("", message)
    }
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl From<String> for FieldProblem {
    fn from(message: String) -> FieldProblem {
        FieldProblem::whole(message)
    }
}

/// Reads `value` as a `T`. A null where `T` has no `Option` is refused as DRF refuses a null
/// for a field whose model column is not `null=True` ("This field may not be null."): the
/// model's types carry authentik's nullability.
pub fn from_json<T: DeserializeOwned>(value: &Value) -> Result<T, FieldProblem> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = path_text(error.path());
        let message = if at_path(value, error.path()).is_some_and(Value::is_null) {
            "null is not allowed".to_string()
        } else {
            error.into_inner().to_string()
        };
        FieldProblem { path, message }
    })
}

fn path_text(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

fn at_path<'v>(value: &'v Value, path: &serde_path_to_error::Path) -> Option<&'v Value> {
    use serde_path_to_error::Segment;
    let mut here = value;
    for segment in path.iter() {
        here = match segment {
            Segment::Map { key } => here.get(key.as_str())?,
            Segment::Seq { index } => here.get(*index)?,
            Segment::Enum { .. } | Segment::Unknown => here,
        };
    }
    Some(here)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::stage::{AuthenticatorTotpStage, IdentificationStage};

    #[test]
    fn null_is_read_where_the_type_is_optional_and_refused_elsewhere() {
        let totp: AuthenticatorTotpStage = from_json(&json!({ "friendly_name": null })).unwrap();
        assert_eq!(totp.friendly_name, None);
        let err = from_json::<AuthenticatorTotpStage>(&json!({ "digits": null })).unwrap_err();
        assert_eq!(err, FieldProblem::new("digits", "null is not allowed"));
    }

    #[test]
    fn a_bad_list_item_is_named_by_its_index() {
        let err = from_json::<IdentificationStage>(&json!({ "user_fields": ["email", "phone"] }))
            .unwrap_err();
        assert_eq!(err.path, "user_fields[1]");
        assert!(err.message.contains("phone"), "{err}");
    }
}
