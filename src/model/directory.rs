//! Users and groups.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::enums::UserType;

/// `authentik_core.user`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: Uuid,
    /// authentik's integer primary key, kept when the user came from an authentik export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pk: Option<i64>,
    pub username: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default = "yes")]
    pub is_active: bool,
    #[serde(default, rename = "type")]
    pub user_type: UserType,
    #[serde(default = "default_path")]
    pub path: String,
    #[serde(default)]
    pub attributes: Map<String, Value>,
    #[serde(default)]
    pub groups: Vec<Uuid>,
}

fn yes() -> bool {
    true
}

fn default_path() -> String {
    "users".to_string()
}

impl User {
    /// The id of the user authentik knows by this integer pk: the same for every import of it
    /// (a UUID of version 8, `bindyusr` then the pk).
    pub fn id_for_pk(pk: i64) -> Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(b"bindyusr");
        bytes[8..].copy_from_slice(&pk.to_be_bytes());
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    }

    pub fn new(username: &str) -> User {
        User {
            id: Uuid::new_v4(),
            pk: None,
            username: username.to_string(),
            name: String::new(),
            email: String::new(),
            is_active: true,
            user_type: UserType::default(),
            path: default_path(),
            attributes: Map::new(),
            groups: Vec::new(),
        }
    }
}

/// `authentik_core.group`: several parents are allowed (a DAG since authentik 2025.12).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub is_superuser: bool,
    #[serde(default)]
    pub attributes: Map<String, Value>,
    #[serde(default)]
    pub parents: Vec<Uuid>,
}

impl Group {
    pub fn new(name: &str) -> Group {
        Group {
            id: Uuid::new_v4(),
            name: name.to_string(),
            is_superuser: false,
            attributes: Map::new(),
            parents: Vec::new(),
        }
    }
}
