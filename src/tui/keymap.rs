//! Keys are data: the embedded default keymap, overridden action by action by the user's file.
//! Help, the palette and the status-bar hints all read this one table, so they never lie.

use std::collections::BTreeMap;

use super::action::Action;
use super::keys::{Key, display, parse_key};

/// Where a binding applies: the layer that has the keys at that moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Global,
    List,
    Flow,
    StageBindings,
    FlowBindings,
    Simulate,
    Export,
    Editor,
    Text,
    Dialog,
    Confirm,
}

impl Mode {
    pub const ALL: &'static [Mode] = &[
        Mode::Global,
        Mode::List,
        Mode::Flow,
        Mode::StageBindings,
        Mode::FlowBindings,
        Mode::Simulate,
        Mode::Export,
        Mode::Editor,
        Mode::Text,
        Mode::Dialog,
        Mode::Confirm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::List => "list",
            Mode::Flow => "flow",
            Mode::StageBindings => "stage_bindings",
            Mode::FlowBindings => "flow_bindings",
            Mode::Simulate => "simulate",
            Mode::Export => "export",
            Mode::Editor => "editor",
            Mode::Text => "text",
            Mode::Dialog => "dialog",
            Mode::Confirm => "confirm",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Mode::Global => "Everywhere",
            Mode::List => "Lists and tables",
            Mode::Flow => "Flow page",
            Mode::StageBindings => "Stage Bindings tab",
            Mode::FlowBindings => "Policy / Group / User Bindings tab",
            Mode::Simulate => "Simulate tab",
            Mode::Export => "Export tab",
            Mode::Editor => "Multi-line fields (messages, JSON)",
            Mode::Text => "Text fields (names, numbers, messages, JSON)",
            Mode::Dialog => "Dialogs and forms",
            Mode::Confirm => "Confirmations",
        }
    }

    fn from_name(name: &str) -> Option<Mode> {
        Mode::ALL.iter().copied().find(|m| m.name() == name)
    }
}

pub const DEFAULT: &str = include_str!("../../assets/keymap.toml");

#[derive(Clone, Debug, PartialEq)]
pub struct Keymap {
    table: Table,
}

/// Each mode's actions with their keys, in file order.
type Table = BTreeMap<Mode, Vec<(Action, Vec<Key>)>>;

fn parse(text: &str, origin: &str) -> Result<Table, String> {
    let value: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("{origin}: {e}"))?;
    let mut table = BTreeMap::new();
    for (mode_name, section) in value {
        let mode = Mode::from_name(&mode_name)
            .ok_or_else(|| format!("{origin}: unknown section [{mode_name}]"))?;
        let section = section
            .as_table()
            .ok_or_else(|| format!("{origin}: [{mode_name}] must be a table"))?;
        let mut entries = Vec::new();
        for (action_name, keys) in section {
            let action = Action::from_name(action_name)
                .ok_or_else(|| format!("{origin}: [{mode_name}] unknown action {action_name:?}"))?;
            let keys = keys
                .as_array()
                .ok_or_else(|| {
                    format!("{origin}: {mode_name}.{action_name} must be a list of keys")
                })?
                .iter()
                .map(|k| {
                    k.as_str()
                        .ok_or_else(|| {
                            format!("{origin}: {mode_name}.{action_name}: keys are strings")
                        })
                        .and_then(|s| {
                            parse_key(s)
                                .map_err(|e| format!("{origin}: {mode_name}.{action_name}: {e}"))
                        })
                })
                .collect::<Result<Vec<Key>, String>>()?;
            entries.push((action, keys));
        }
        table.insert(mode, entries);
    }
    Ok(table)
}

impl Keymap {
    pub fn default_keymap() -> Keymap {
        Keymap {
            table: parse(DEFAULT, "default keymap").expect("the embedded keymap parses"),
        }
    }

    /// The defaults with a user file's bindings replacing those of the same actions.
    pub fn with_overrides(text: &str, origin: &str) -> Result<Keymap, String> {
        let mut keymap = Keymap::default_keymap();
        for (mode, entries) in parse(text, origin)? {
            let list = keymap.table.entry(mode).or_default();
            for (action, keys) in entries {
                match list.iter_mut().find(|(a, _)| *a == action) {
                    Some(slot) => slot.1 = keys,
                    None => list.push((action, keys)),
                }
            }
        }
        Ok(keymap)
    }

    /// The action a key triggers in a mode.
    pub fn action(&self, mode: Mode, key: Key) -> Option<Action> {
        self.table
            .get(&mode)?
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(action, _)| *action)
    }

    /// The keys of an action in a mode, as help shows them ("j, Down").
    pub fn keys_of(&self, mode: Mode, action: Action) -> Vec<String> {
        self.table
            .get(&mode)
            .and_then(|list| list.iter().find(|(a, _)| *a == action))
            .map(|(_, keys)| keys.iter().map(|k| display(*k)).collect())
            .unwrap_or_default()
    }

    /// Every binding of a mode, in file order.
    pub fn bindings(&self, mode: Mode) -> &[(Action, Vec<Key>)] {
        self.table.get(&mode).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_keymap_follows_the_spec() {
        let km = Keymap::default_keymap();
        let k = |s: &str| parse_key(s).unwrap();
        assert_eq!(km.action(Mode::Global, k("?")), Some(Action::Help));
        assert_eq!(km.action(Mode::Global, k("<C-r>")), Some(Action::Redo));
        assert_eq!(km.action(Mode::List, k("j")), Some(Action::Down));
        assert_eq!(km.action(Mode::List, k("G")), Some(Action::Last));
        assert_eq!(km.action(Mode::StageBindings, k("K")), Some(Action::MoveUp));
        assert_eq!(km.action(Mode::Confirm, k("y")), Some(Action::Confirm));
        assert_eq!(
            km.action(Mode::Confirm, k("d")),
            None,
            "confirm differs from the trigger"
        );
        assert_eq!(km.keys_of(Mode::List, Action::Down), vec!["j", "Down"]);
    }

    #[test]
    fn a_user_file_overrides_per_action() {
        let km = Keymap::with_overrides("[global]\nundo = [\"<C-z>\"]\n", "user").unwrap();
        assert_eq!(km.keys_of(Mode::Global, Action::Undo), vec!["Ctrl-z"]);
        assert_eq!(km.keys_of(Mode::Global, Action::Redo), vec!["Ctrl-r"]);
        let err = Keymap::with_overrides("[global]\nfly = [\"f\"]\n", "user.toml").unwrap_err();
        assert!(err.contains("unknown action \"fly\""), "{err}");
        assert!(Keymap::with_overrides("[nowhere]\n", "u").is_err());
        assert!(Keymap::with_overrides("[global]\nundo = [\"<Bogus>\"]\n", "u").is_err());
    }
}
