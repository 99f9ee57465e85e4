//! Prompts: the fields a prompt stage shows, kept as their own objects as in authentik.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enums::choice;

choice!(
    /// `FieldTypes` of `authentik_stages_prompt.prompt`.
    PromptType {
        Text = "text",
        TextArea = "text_area",
        TextReadOnly = "text_read_only",
        TextAreaReadOnly = "text_area_read_only",
        Username = "username",
        Email = "email",
        Password = "password",
        Number = "number",
        Checkbox = "checkbox",
        RadioButtonGroup = "radio-button-group",
        Dropdown = "dropdown",
        Date = "date",
        DateTime = "date-time",
        File = "file",
        Separator = "separator",
        Hidden = "hidden",
        Static = "static",
        AkLocale = "ak-locale",
    } default Text
);

/// `authentik_stages_prompt.prompt`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prompt {
    pub id: Uuid,
    pub name: String,
    pub field_key: String,
    #[serde(default)]
    pub label: String,
    #[serde(default, rename = "type")]
    pub prompt_type: PromptType,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub placeholder: String,
    #[serde(default)]
    pub initial_value: String,
    #[serde(default)]
    pub sub_text: String,
    #[serde(default)]
    pub order: i64,
    #[serde(default)]
    pub placeholder_expression: bool,
    #[serde(default)]
    pub initial_value_expression: bool,
}

fn yes() -> bool {
    true
}

impl Prompt {
    pub fn new(name: &str, field_key: &str) -> Prompt {
        Prompt {
            id: Uuid::new_v4(),
            name: name.to_string(),
            field_key: field_key.to_string(),
            label: String::new(),
            prompt_type: PromptType::default(),
            required: true,
            placeholder: String::new(),
            initial_value: String::new(),
            sub_text: String::new(),
            order: 0,
            placeholder_expression: false,
            initial_value_expression: false,
        }
    }
}
