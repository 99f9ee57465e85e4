//! Text measured in terminal cells, not characters: a CJK character or an emoji takes two
//! cells, a combining mark none. Every place that wraps, pads or cuts text for display
//! measures it here, with `unicode-width` (the measure ratatui draws with), and wraps it with
//! `textwrap`. The text must be sanitised first ([`super::sanitize`]): an escape sequence is
//! not measured as what it would do, and sanitising after wrapping would widen the lines.

use std::ops::Range;

use textwrap::WordSeparator;
use textwrap::core::{Word, break_words};
use textwrap::wrap_algorithms::wrap_first_fit;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How many terminal cells `text` takes.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` wrapped into lines of at most `width` cells (at least 1): at spaces where it can, a
/// word wider than a line broken where it must. Lines are byte ranges of `text`, without the
/// spaces where they were broken; an empty text is one empty line. Words go on the current
/// line while they fit (first fit, as a reader expects of a terminal), never re-balanced.
pub fn wrap_ranges(text: &str, width: usize) -> Vec<Range<usize>> {
    let width = width.max(1);
    let words = WordSeparator::AsciiSpace.find_words(text).map(|mut word| {
        word.width = self::width(word.word);
        word
    });
    let words: Vec<Word> = break_words(words, width)
        .into_iter()
        .map(|mut word| {
            word.width = self::width(word.word);
            word
        })
        .collect();
    // Words are slices of `text`: where each starts is its distance from the text's start.
    let start = |word: &Word| word.word.as_ptr() as usize - text.as_ptr() as usize;
    wrap_first_fit(&words, &[width as f64])
        .into_iter()
        .map(|line| match (line.first(), line.last()) {
            (Some(first), Some(last)) => start(first)..start(last) + last.word.len(),
            _ => 0..0,
        })
        .collect()
}

/// `text` wrapped into lines of at most `width` cells (see [`wrap_ranges`]).
pub fn wrap(text: &str, width: usize) -> Vec<&str> {
    wrap_ranges(text, width)
        .into_iter()
        .map(|range| &text[range])
        .collect()
}

/// `text` followed by spaces up to `width` cells (as it is when it is wider).
pub fn pad(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(self::width(text));
    let mut out = String::with_capacity(text.len() + pad);
    out.push_str(text);
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// The longest start of `text` that fits in `width` cells: a wide character that would
/// straddle the edge is left out whole.
pub fn cut(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > width {
            return &text[..at];
        }
    }
    text
}

/// `text` cut to `width` cells and padded to exactly `width`.
pub fn fit(text: &str, width: usize) -> String {
    pad(cut(text, width), width)
}

/// The longest end of `text` that fits in `width` cells.
pub fn tail(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices().rev() {
        used += c.width().unwrap_or(0);
        if used > width {
            return &text[at + c.len_utf8()..];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &[&str] = &[
        "認証フロー 認証フロー 認証フロー 認証フロー",
        "🔐 login 🔐 login 🔐 login 🔐 login",
        "cafe\u{301} nai\u{308}ve re\u{301}sume\u{301} cafe\u{301} nai\u{308}ve",
        "認証フローの長い長い長い名前で空白なし",
        "a b c d e f g h i j k l m n o p",
    ];

    #[test]
    fn wide_and_combining_characters_are_measured_in_cells() {
        assert_eq!(width("認証フロー"), 10);
        assert_eq!(width("🔐 login"), 8);
        assert_eq!(width("cafe\u{301}"), 4);
        assert_eq!(width("plain"), 5);
    }

    #[test]
    fn wrapped_lines_never_exceed_the_width_in_cells_and_lose_no_text() {
        for text in SAMPLES {
            for w in 1..=24 {
                let lines = wrap(text, w);
                for line in &lines {
                    assert!(width(line) <= w.max(2), "{text:?} at {w}: {line:?}");
                    if w >= 2 {
                        assert!(width(line) <= w, "{text:?} at {w}: {line:?}");
                    }
                }
                let joined = lines.concat().replace(' ', "");
                assert_eq!(joined, text.replace(' ', ""), "{text:?} at {w}");
            }
        }
    }

    #[test]
    fn ascii_wraps_first_fit_at_spaces() {
        assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("  indented text", 40), ["  indented text"]);
        assert_eq!(wrap("abcdefghij xy", 4), ["abcd", "efgh", "ij", "xy"]);
        assert_eq!(
            wrap("a-hyphenated-word stays", 17),
            ["a-hyphenated-word", "stays"]
        );
    }

    #[test]
    fn a_wide_character_is_never_split_across_the_edge() {
        assert_eq!(wrap("認証フロー", 5), ["認証", "フロ", "ー"]);
        assert_eq!(cut("認証フロー", 5), "認証");
        assert_eq!(fit("認証フロー", 5), "認証 ");
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(tail("認証フロー", 5), "ロー");
        assert_eq!(tail("abc", 5), "abc");
        assert_eq!(pad("🔐 login", 10), "🔐 login  ");
    }
}
