//! Making untrusted text (names from a store or a blueprint) safe to show. Control characters
//! would let a hostile name move the cursor, retitle the window or hide text; bidirectional,
//! format and default-ignorable characters would let it disguise itself (`admins` followed by
//! a tag character looks exactly like `admins`). Each is shown as a visible `\u{..}` escape
//! instead. This one predicate, [`needs_escape`], decides for every surface: terminal text,
//! JSON output, YAML export and lint.

use std::borrow::Cow;

mod cells;
pub use cells::{cut, fit, pad, tail, width, wrap, wrap_ranges};

use unicode_general_category::{GeneralCategory, get_general_category};

/// Default_Ignorable_Code_Point, from Unicode 16.0.0's DerivedCoreProperties.txt (ranges
/// merged; the same Unicode version as the general categories of `unicode-general-category`
/// 1.1). No maintained crate of the usual size exposes this property.
const DEFAULT_IGNORABLE: &[(char, char)] = &[
    ('\u{AD}', '\u{AD}'),
    ('\u{34F}', '\u{34F}'),
    ('\u{61C}', '\u{61C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFF8}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0000}', '\u{E0FFF}'),
];

fn default_ignorable(c: char) -> bool {
    DEFAULT_IGNORABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Whether `c` must never be shown as itself: a control (Cc: C0, DEL, C1), a format character
/// (Cf: bidi controls, zero-width characters, tags, ...), a default-ignorable code point
/// (variation selectors, fillers, ...) or a line or paragraph separator.
pub fn needs_escape(c: char) -> bool {
    if (' '..='~').contains(&c) {
        return false;
    }
    default_ignorable(c)
        || matches!(
            get_general_category(c),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// The text with every character of [`needs_escape`] written as a visible `\u{..}` escape.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The text without the characters of [`needs_escape`]: what a person sees of it.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter(|&c| !needs_escape(c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn escapes_format_and_default_ignorable_characters() {
        assert_eq!(sanitize("admins\u{E0020}"), "admins\\u{e0020}");
        for (c, why) in [
            ('\u{7F}', "DEL"),
            ('\u{AD}', "soft hyphen"),
            ('\u{34F}', "combining grapheme joiner"),
            ('\u{600}', "Arabic number sign (Cf, not default-ignorable)"),
            ('\u{115F}', "Hangul choseong filler"),
            ('\u{180E}', "Mongolian vowel separator"),
            ('\u{2066}', "LRI"),
            ('\u{2069}', "PDI"),
            ('\u{3164}', "Hangul filler"),
            ('\u{FE0F}', "variation selector 16"),
            ('\u{FFA0}', "halfwidth Hangul filler"),
            ('\u{FFF9}', "interlinear annotation anchor"),
            ('\u{110BD}', "Kaithi number sign"),
            ('\u{1BCA0}', "shorthand format letter overlap"),
            ('\u{1D173}', "musical symbol begin beam"),
            ('\u{E0001}', "language tag"),
            ('\u{E007F}', "cancel tag"),
            ('\u{E0100}', "variation selector 17"),
            ('\u{E0FFF}', "last reserved default-ignorable"),
            ('\u{2028}', "line separator"),
        ] {
            assert!(needs_escape(c), "{why}");
            assert_eq!(sanitize(&c.to_string()), format!("\\u{{{:x}}}", c as u32));
        }
        for c in [
            'a',
            ' ',
            '~',
            'é',
            '名',
            '\u{A0}',
            '\u{301}',
            '\u{1F600}',
            '\u{E1000}',
        ] {
            assert!(!needs_escape(c), "{c:?}");
        }
    }

    #[test]
    fn the_default_ignorable_table_is_sorted_and_disjoint() {
        for pair in DEFAULT_IGNORABLE.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
        }
    }

    #[test]
    fn visible_drops_what_cannot_be_seen() {
        assert_eq!(visible("admins\u{E0020}"), "admins");
        assert_eq!(visible("ad\u{AD}mins\u{FE0F}"), "admins");
        assert_eq!(visible("admins"), "admins");
    }
}
