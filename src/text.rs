//! Making untrusted text (names from a store or a blueprint) safe to print on a terminal.
//! Control characters would let a hostile name move the cursor, retitle the window or hide
//! text; bidirectional and invisible format characters would let it disguise itself. Each is
//! shown as a visible `\u{..}` escape instead.

use std::borrow::Cow;

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The text with every control, bidirectional or invisible format character escaped.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn escapes_terminal_controls_and_bidi() {
        assert_eq!(sanitize("plain name"), "plain name");
        assert_eq!(sanitize("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("x\u{9b}y"), "x\\u{9b}y");
        assert_eq!(sanitize("admin\u{202E}nimda"), "admin\\u{202e}nimda");
        assert_eq!(sanitize("tab\there\nline"), "tab\\u{9}here\\u{a}line");
        assert_eq!(sanitize("zero\u{200B}width"), "zero\\u{200b}width");
        assert_eq!(sanitize("ünïcødé ok 名前"), "ünïcødé ok 名前");
    }
}
