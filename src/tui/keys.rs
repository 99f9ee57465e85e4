//! Keys as text: the notation of `bindery screen --keys` and of keymap files (`j`, `<Enter>`,
//! `<C-r>`, `<S-Tab>`, `<lt>` for a literal `<`; `<paste:TEXT>` in `screen --keys` only), and
//! how help shows them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::event::Event;

/// A key with its modifiers, normalised so that equal presses compare equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        // Shift is part of the character itself ('J'), except for keys that have no case.
        let mods = match code {
            KeyCode::Char(_) => mods - KeyModifiers::SHIFT,
            KeyCode::BackTab => mods - KeyModifiers::SHIFT,
            _ => mods,
        };
        Key { code, mods }
    }

    pub fn char(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    pub fn from_event(event: KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    pub fn event(self) -> KeyEvent {
        KeyEvent::new(self.code, self.mods)
    }
}

const NAMED: &[(&str, KeyCode)] = &[
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("S-Tab", KeyCode::BackTab),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PgUp", KeyCode::PageUp),
    ("PgDn", KeyCode::PageDown),
    ("BS", KeyCode::Backspace),
    ("Del", KeyCode::Delete),
    ("Space", KeyCode::Char(' ')),
    ("lt", KeyCode::Char('<')),
];

/// Parses one `<...>` name (without the brackets).
fn parse_named(name: &str) -> Option<Key> {
    if let Some((_, code)) = NAMED.iter().find(|(n, _)| *n == name) {
        return Some(Key::new(*code, KeyModifiers::NONE));
    }
    let (mods, rest) = match name.split_once('-') {
        Some(("C", rest)) => (KeyModifiers::CONTROL, rest),
        Some(("A", rest)) | Some(("M", rest)) => (KeyModifiers::ALT, rest),
        Some(("S", rest)) => (KeyModifiers::SHIFT, rest),
        _ => return None,
    };
    let base = match parse_named(rest) {
        Some(key) => key.code,
        None => {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(c),
                _ => return None,
            }
        }
    };
    Some(Key::new(base, mods))
}

/// Parses a key sequence: `1/default-auth<Enter><C-r>`.
pub fn parse_keys(text: &str) -> Result<Vec<Key>, String> {
    parse_events(text)?
        .into_iter()
        .map(|event| match event {
            Event::Key(key) => Ok(key),
            _ => Err(format!("{text:?}: only keys are allowed here, not a paste")),
        })
        .collect()
}

/// Parses what `screen --keys` replays: keys, and `<paste:TEXT>` for TEXT pasted at once
/// (as a terminal's bracketed paste delivers it; TEXT runs to the next `>`).
pub fn parse_events(text: &str) -> Result<Vec<Event>, String> {
    let mut events = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let Some(end) = rest.find('>') else {
                return Err(format!(
                    "unclosed '<' in {:?}: write <lt> for a literal '<'",
                    rest
                ));
            };
            let name = &rest[1..end];
            if let Some(pasted) = name.strip_prefix("paste:") {
                events.push(Event::Paste(pasted.to_string()));
            } else {
                let key = parse_named(name).ok_or_else(|| format!("unknown key <{name}>"))?;
                events.push(Event::Key(key));
            }
            rest = &rest[end + 1..];
        } else {
            events.push(Event::Key(Key::char(c)));
            rest = &rest[c.len_utf8()..];
        }
    }
    Ok(events)
}

/// One key from a keymap file: a single character or a `<...>` name.
pub fn parse_key(text: &str) -> Result<Key, String> {
    match parse_keys(text)?.as_slice() {
        [key] => Ok(*key),
        _ => Err(format!("{text:?} is not a single key")),
    }
}

/// How help and the status bar show a key: `j`, `Enter`, `Ctrl-r`, `Shift-Tab`.
pub fn display(key: Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        KeyCode::Backspace => "Backspace".to_string(),
        KeyCode::Delete => "Del".to_string(),
        other => format!("{other:?}"),
    };
    let mut out = String::new();
    if key.mods.contains(KeyModifiers::CONTROL) {
        out.push_str("Ctrl-");
    }
    if key.mods.contains(KeyModifiers::ALT) {
        out.push_str("Alt-");
    }
    if key.mods.contains(KeyModifiers::SHIFT) {
        out.push_str("Shift-");
    }
    out.push_str(&base);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_contract_notation() {
        let keys = parse_keys("1/ab<Enter><C-r><S-Tab><lt><Space><PgDn>").unwrap();
        assert_eq!(keys[0], Key::char('1'));
        assert_eq!(keys[1], Key::char('/'));
        assert_eq!(keys[4], Key::new(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(keys[5], Key::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(keys[6], Key::new(KeyCode::BackTab, KeyModifiers::NONE));
        assert_eq!(keys[7], Key::char('<'));
        assert_eq!(keys[8], Key::char(' '));
        assert_eq!(keys[9], Key::new(KeyCode::PageDown, KeyModifiers::NONE));
        assert!(parse_keys("<Nope>").is_err());
        assert!(parse_keys("abc<Enter").is_err());
        assert_eq!(parse_keys("").unwrap(), vec![]);
        assert_eq!(parse_keys("ü").unwrap(), vec![Key::char('ü')]);
    }

    #[test]
    fn a_paste_is_one_event_and_no_key() {
        let events = parse_events("a<paste:x <y z><Enter>").unwrap();
        assert_eq!(
            events,
            vec![
                Event::Key(Key::char('a')),
                Event::Paste("x <y z".into()),
                Event::Key(Key::new(KeyCode::Enter, KeyModifiers::NONE)),
            ]
        );
        assert_eq!(
            parse_events("<paste:>").unwrap(),
            vec![Event::Paste(String::new())]
        );
        assert!(parse_keys("<paste:x>").is_err(), "a keymap binds keys only");
    }

    #[test]
    fn shift_is_part_of_a_character() {
        let typed = Key::from_event(KeyEvent::new(KeyCode::Char('J'), KeyModifiers::SHIFT));
        assert_eq!(typed, Key::char('J'));
        assert_eq!(display(parse_key("<C-r>").unwrap()), "Ctrl-r");
        assert_eq!(display(parse_key("<S-Tab>").unwrap()), "Shift-Tab");
        assert_eq!(display(parse_key("<Enter>").unwrap()), "Enter");
    }
}
