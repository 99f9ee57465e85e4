//! The JSON every `--json` option prints. It is pretty-printed as serde_json does, and every
//! character that [`needs_escape`] (C0, DEL, C1, bidi, format and default-ignorable characters)
//! is written as a `\uXXXX` escape, a surrogate pair above the BMP: the same string to a JSON
//! parser, but nothing a terminal or a person reading a log could be fooled by. The store file
//! is not written through this (it is not read by people).

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};

use crate::text::needs_escape;

/// `value` as pretty JSON, ending with a newline.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut out, Escaping(PrettyFormatter::new()));
    value
        .serialize(&mut serializer)
        .expect("a JSON value serializes into memory");
    out.push(b'\n');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Items as one pretty JSON array, ending with a newline, written as they come: the same
/// text as [`to_string`] of the collected array, without ever holding it.
pub fn write_array<T: Serialize>(
    out: &mut dyn io::Write,
    items: impl IntoIterator<Item = T>,
) -> io::Result<()> {
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut *out, Escaping(PrettyFormatter::new()));
    serde::Serializer::collect_seq(&mut serializer, items).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// serde_json's pretty formatter, with string contents escaped as described above.
struct Escaping<'a>(PrettyFormatter<'a>);

fn write_escape<W: ?Sized + io::Write>(writer: &mut W, c: char) -> io::Result<()> {
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        write!(writer, "\\u{unit:04x}")?;
    }
    Ok(())
}

impl Formatter for Escaping<'_> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if needs_escape(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write_escape(writer, c)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        self.0.write_char_escape(writer, char_escape)
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::{to_string, write_array};
    use serde_json::{Value, json};

    #[test]
    fn a_streamed_array_is_the_collected_array() {
        let items = vec![json!({"a\u{1b}": [1, {"b": "c"}]}), json!(null), json!("x")];
        for items in [items.clone(), Vec::new()] {
            let mut out = Vec::new();
            write_array(&mut out, items.iter()).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), to_string(&items));
        }
    }

    #[test]
    fn escapes_what_a_terminal_or_a_reader_could_be_fooled_by() {
        let hostile = "a\u{1b}[2J\u{7f}\u{9b}\u{202e}\u{2066}\u{200b}\u{ad}\u{fe0f}\u{e0020}z";
        let value = json!({ hostile: [hostile, 1, null], "plain": "ünï名 \"q\"\n" });
        let text = to_string(&value);
        assert!(
            text.contains(
                "a\\u001b[2J\\u007f\\u009b\\u202e\\u2066\\u200b\\u00ad\\ufe0f\\udb40\\udc20z"
            ),
            "{text}"
        );
        assert!(text.contains("\"ünï名 \\\"q\\\"\\n\""), "{text}");
        assert!(
            text.chars()
                .all(|c| c == '\n' || !crate::text::needs_escape(c)),
            "{text}"
        );
        // The same value to a JSON parser, and the same layout as serde_json's pretty output.
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
        let plain = json!({"a": [1, {"b": "c"}], "d": {}});
        assert_eq!(
            to_string(&plain),
            serde_json::to_string_pretty(&plain).unwrap() + "\n"
        );
    }
}
