//! Writing a [`Node`] as one YAML document, in the style of authentik's own blueprints: block
//! mappings and sequences with two-space indentation, a sequence under a key at the key's
//! indentation, tagged collections in flow style on one line (`!Find [model, [slug, x]]`).
//!
//! A string is written plain only when PyYAML (YAML 1.1) and a YAML 1.2 parser both read it
//! back as that same string; else as a literal block (`|`) when it spans lines, else
//! double-quoted. The tests check that [`super::parse`] reads back what this writes.

use std::fmt::Write as _;

use super::resolve::{Plain, matches_timestamp, resolve_plain};
use super::{Node, NodeValue};
use crate::text::needs_escape;

/// PyYAML will not take a simple (implicit) key longer than this; longer keys are written
/// with the explicit `? ` indicator.
const MAX_SIMPLE_KEY: usize = 1024;

/// `node` as one YAML document, ending with a newline.
pub fn emit(node: &Node) -> String {
    let mut out = String::new();
    write_block(&mut out, node, 0, After::Document);
    out
}

/// What was just written before a node in block context.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    /// Nothing: the node is the document.
    Document,
    /// `key:`, with the key at the given indentation.
    Key,
    /// `-`, at the given indentation.
    Dash,
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Writes `node` from where `after` left off, through the newline that ends it.
fn write_block(out: &mut String, node: &Node, indent: usize, after: After) {
    match (&node.value, &node.tag) {
        (NodeValue::Map(pairs), None) if !pairs.is_empty() => match after {
            After::Document => write_map(out, pairs, 0, false),
            After::Key => {
                out.push('\n');
                write_map(out, pairs, indent + 2, false);
            }
            After::Dash => {
                out.push(' ');
                write_map(out, pairs, indent + 2, true);
            }
        },
        (NodeValue::Seq(items), None) if !items.is_empty() => match after {
            After::Document => write_seq(out, items, 0, false),
            After::Key => {
                out.push('\n');
                write_seq(out, items, indent, false);
            }
            After::Dash => {
                out.push(' ');
                write_seq(out, items, indent + 2, true);
            }
        },
        _ => {
            if after != After::Document {
                out.push(' ');
            }
            write_inline(out, node, indent + 2);
            out.push('\n');
        }
    }
}

/// Block mapping entries at `indent`; the first one's indentation already written when
/// `started`.
pub(super) fn write_map(out: &mut String, pairs: &[(Node, Node)], indent: usize, started: bool) {
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 || !started {
            push_indent(out, indent);
        }
        write_key(out, key, indent);
        write_block(out, value, indent, After::Key);
    }
}

/// A block mapping key and its `:`, the key's indentation already written.
pub(super) fn write_key(out: &mut String, key: &Node, indent: usize) {
    if write_simple_key(out, key, false) {
        out.push('\n');
        push_indent(out, indent);
    }
    out.push(':');
}

/// A key in flow style, with the explicit `? ` indicator before it when it is too long to be
/// a simple key (then true).
fn write_simple_key(out: &mut String, key: &Node, in_flow: bool) -> bool {
    let start = out.len();
    write_flow_node(out, key, in_flow);
    let long = out.len() - start > MAX_SIMPLE_KEY && out[start..].chars().count() > MAX_SIMPLE_KEY;
    if long {
        out.insert_str(start, "? ");
    }
    long
}

/// Block sequence entries at `indent`; the first one's indentation already written when
/// `started`.
pub(super) fn write_seq(out: &mut String, items: &[Node], indent: usize, started: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !started {
            push_indent(out, indent);
        }
        out.push('-');
        write_block(out, item, indent, After::Dash);
    }
}

/// A node on the rest of the current line (a literal block continues on the next lines, its
/// content at `content_indent`): scalars, tagged nodes, empty collections.
fn write_inline(out: &mut String, node: &Node, content_indent: usize) {
    write_tag(out, node);
    match &node.value {
        NodeValue::Str(s) => write_block_str(out, s, node.tag.is_some(), content_indent),
        _ => write_flow_value(out, node, false),
    }
}

fn write_tag(out: &mut String, node: &Node) {
    if let Some(tag) = &node.tag {
        out.push_str(tag);
        out.push(' ');
    }
}

/// A node in flow style on one line: inside `[...]`/`{...}` when `in_flow`, else as a block
/// mapping key. Also used to show a key in error messages.
pub(crate) fn flow_text(node: &Node) -> String {
    let mut out = String::new();
    write_flow_node(&mut out, node, false);
    out
}

fn write_flow_node(out: &mut String, node: &Node, in_flow: bool) {
    write_tag(out, node);
    write_flow_value(out, node, in_flow);
}

fn write_flow_value(out: &mut String, node: &Node, in_flow: bool) {
    match &node.value {
        NodeValue::Null => out.push_str("null"),
        NodeValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        NodeValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        NodeValue::Float(f) => out.push_str(&float_text(*f)),
        NodeValue::Str(s) => write_flow_str(out, s, node.tag.is_some(), in_flow),
        NodeValue::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow_node(out, item, true);
            }
            out.push(']');
        }
        NodeValue::Map(pairs) => {
            out.push('{');
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_simple_key(out, k, true);
                out.push_str(": ");
                write_flow_node(out, v, true);
            }
            out.push('}');
        }
    }
}

/// A float that both PyYAML's YAML 1.1 resolver and Rust read back as the same value: always
/// a dot, and a signed exponent (`1.0e+20`; `1e20` would be a string to PyYAML).
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    let shortest = format!("{f:?}");
    match shortest.split_once('e') {
        Some((mantissa, exponent)) => {
            let dot = if mantissa.contains('.') { "" } else { ".0" };
            let sign = if exponent.starts_with('-') { "" } else { "+" };
            format!("{mantissa}{dot}e{sign}{exponent}")
        }
        None => shortest,
    }
}

/// PyYAML's reader accepts only these characters (in any style).
fn printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Characters that may stand unescaped on a line: printable, and none of those a person
/// should not be shown as such ([`needs_escape`]: controls such as the tab and the line breaks
/// of YAML 1.1, `\u{85}`, `\u{2028}`, `\u{2029}`, which YAML 1.2 reads as text; the
/// byte-order mark; bidi, zero-width, tag and other invisible characters).
fn plain_char(c: char) -> bool {
    printable(c) && !needs_escape(c)
}

/// Whether `s` can be written without quotes and read back as this string. A `tagged` scalar
/// keeps its raw text (`!Index 0` is the string "0"), so it needs no care for what the text
/// would resolve to.
fn plain_ok(s: &str, tagged: bool, in_flow: bool) -> bool {
    const INDICATORS: &[char] = &[
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
        '`',
    ];
    if s.is_empty()
        || s.starts_with(INDICATORS)
        || s.starts_with("...")
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.ends_with(':')
    {
        return false;
    }
    let mut prev = '\0';
    for c in s.chars() {
        let ends_the_scalar = (prev == ':' && c == ' ')
            || (prev == ' ' && c == '#')
            // PyYAML ends a plain scalar at any of `,?[]{}` inside a flow collection.
            || (in_flow && matches!(c, ',' | '?' | '[' | ']' | '{' | '}' | ':' | '#'));
        if ends_the_scalar || !plain_char(c) {
            return false;
        }
        prev = c;
    }
    tagged || reads_as_str(s)
}

/// Whether `s`, plain, resolves to the string `s` (not a null, bool, number, timestamp, `<<`
/// or `=`). Those start with one of `-+.0-9<=~`, or are null and bool words of at most 5
/// letters starting with one of `nNyYtTfFoO`: most text is a string at a glance.
fn reads_as_str(s: &str) -> bool {
    let at_a_glance = match s.as_bytes().first() {
        Some(b) if b"-+.<=~".contains(b) || b.is_ascii_digit() => false,
        Some(b) if b"nNyYtTfFoO".contains(b) => s.len() > 5,
        Some(_) => true,
        None => false,
    };
    at_a_glance
        || matches!(resolve_plain(s), Ok(Plain::Value(NodeValue::Str(_)))) && !matches_timestamp(s)
}

/// Whether `s` can be a literal block scalar: several lines, nothing to escape, no trailing
/// spaces (as PyYAML's emitter), and a first line that sets the indentation.
fn literal_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s.contains(" \n")
        && !s.ends_with(' ')
        && s.chars().all(|c| c == '\n' || plain_char(c))
}

fn write_block_str(out: &mut String, s: &str, tagged: bool, content_indent: usize) {
    if plain_ok(s, tagged, false) {
        out.push_str(s);
    } else if literal_ok(s) {
        write_literal(out, s, content_indent);
    } else {
        write_double_quoted(out, s);
    }
}

fn write_flow_str(out: &mut String, s: &str, tagged: bool, in_flow: bool) {
    if plain_ok(s, tagged, in_flow) {
        out.push_str(s);
    } else {
        write_double_quoted(out, s);
    }
}

/// `|`, `|-` or `|+` and the lines of `s`, without the final newline.
fn write_literal(out: &mut String, s: &str, indent: usize) {
    let (chomp, body) = match s.strip_suffix('\n') {
        None => ("-", s),
        Some(rest) if rest.ends_with('\n') => ("+", rest),
        Some(rest) => ("", rest),
    };
    out.push('|');
    out.push_str(chomp);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            push_indent(out, indent);
            out.push_str(line);
        }
    }
}

fn write_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if plain_char(c) => out.push(c),
            c if u32::from(c) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::{Node, NodeValue, emit, parse};
    use super::*;
    use proptest::prelude::*;

    fn flow_str(s: &str, tagged: bool, in_flow: bool) -> String {
        let mut out = String::new();
        write_flow_str(&mut out, s, tagged, in_flow);
        out
    }

    fn round_trip(node: &Node) -> Node {
        let text = emit(node);
        let mut docs = parse(&text).unwrap_or_else(|e| panic!("{e}\n--- emitted:\n{text}"));
        assert_eq!(docs.len(), 1, "{text}");
        docs.remove(0)
    }

    fn assert_round_trips(node: &Node) {
        let back = round_trip(node);
        assert!(
            node.eq_ignoring_marks(&back),
            "emitted:\n{}\nwant {node:?}\ngot  {back:?}",
            emit(node)
        );
    }

    #[test]
    fn blueprint_layout() {
        let doc = Node::map_of([
            ("version", Node::int(1)),
            (
                "metadata",
                Node::map_of([("name", Node::str("Example flow"))]),
            ),
            (
                "entries",
                Node::seq(vec![Node::map_of([
                    ("model", Node::str("authentik_flows.flowstagebinding")),
                    (
                        "identifiers",
                        Node::map_of([
                            ("order", Node::int(10)),
                            (
                                "stage",
                                Node::tagged(
                                    "!KeyOf",
                                    Node::str("default-authentication-identification"),
                                ),
                            ),
                            ("target", Node::tagged("!KeyOf", Node::str("flow"))),
                        ]),
                    ),
                    (
                        "attrs",
                        Node::map_of([
                            (
                                "configure_flow",
                                Node::tagged(
                                    "!Find",
                                    Node::seq(vec![
                                        Node::str("authentik_flows.flow"),
                                        Node::seq(vec![
                                            Node::str("slug"),
                                            Node::str("default-password-change"),
                                        ]),
                                    ]),
                                ),
                            ),
                            (
                                "backends",
                                Node::seq(vec![Node::str("a.b.C"), Node::str("d.e.F")]),
                            ),
                            (
                                "expression",
                                Node::str("if x:\n    return True\nreturn False\n"),
                            ),
                            ("empty_map", Node::map(vec![])),
                            ("empty_seq", Node::seq(vec![])),
                            ("enabled", Node::bool(true)),
                            ("nothing", Node::null()),
                            ("ratio", Node::float(0.5)),
                            ("word", Node::str("yes")),
                        ]),
                    ),
                ])]),
            ),
        ]);
        let want = "\
version: 1
metadata:
  name: Example flow
entries:
- model: authentik_flows.flowstagebinding
  identifiers:
    order: 10
    stage: !KeyOf default-authentication-identification
    target: !KeyOf flow
  attrs:
    configure_flow: !Find [authentik_flows.flow, [slug, default-password-change]]
    backends:
    - a.b.C
    - d.e.F
    expression: |
      if x:
          return True
      return False
    empty_map: {}
    empty_seq: []
    enabled: true
    nothing: null
    ratio: 0.5
    word: \"yes\"
";
        assert_eq!(emit(&doc), want);
        assert_round_trips(&doc);
    }

    #[test]
    fn nested_sequences_and_documents() {
        let doc = Node::seq(vec![
            Node::seq(vec![Node::str("a"), Node::str("b")]),
            Node::map_of([("k", Node::seq(vec![Node::int(1)])), ("l", Node::str("x"))]),
            Node::str("multi\nline"),
        ]);
        assert_eq!(
            emit(&doc),
            "- - a\n  - b\n- k:\n  - 1\n  l: x\n- |-\n  multi\n  line\n"
        );
        assert_round_trips(&doc);
        assert_eq!(emit(&Node::str("x")), "x\n");
        assert_eq!(emit(&Node::null()), "null\n");
        assert_eq!(emit(&Node::map(vec![])), "{}\n");
        assert_eq!(
            emit(&Node::tagged("!KeyOf", Node::str("flow"))),
            "!KeyOf flow\n"
        );
        assert_eq!(emit(&Node::tagged("!Env", Node::str(""))), "!Env \"\"\n");
        assert_eq!(
            emit(&Node::tagged(
                "!Format",
                Node::seq(vec![
                    Node::str("%s.view_%s"),
                    Node::tagged("!Index", Node::str("0"))
                ])
            )),
            "!Format [\"%s.view_%s\", !Index 0]\n"
        );
        assert_eq!(
            emit(&Node::tagged(
                "!T",
                Node::map_of([("a", Node::str("b, c"))])
            )),
            "!T {a: \"b, c\"}\n"
        );
    }

    #[test]
    fn scalar_forms() {
        let cases: &[(&str, &str)] = &[
            ("plain text", "plain text"),
            ("", "\"\""),
            ("yes", "\"yes\""),
            ("null", "\"null\""),
            ("~", "\"~\""),
            ("0x1F", "\"0x1F\""),
            ("1.5", "\"1.5\""),
            ("12", "\"12\""),
            ("1e3", "1e3"),
            ("2024-01-01", "\"2024-01-01\""),
            ("<<", "\"<<\""),
            ("=", "\"=\""),
            ("-", "\"-\""),
            ("- x", "\"- x\""),
            ("a: b", "\"a: b\""),
            ("a:b", "a:b"),
            ("end:", "\"end:\""),
            ("#x", "\"#x\""),
            ("a #x", "\"a #x\""),
            ("a#x", "a#x"),
            ("...", "\"...\""),
            (" lead", "\" lead\""),
            ("trail ", "\"trail \""),
            ("tab\t", "\"tab\\t\""),
            ("quote\"", "quote\""),
            ("'q'", "\"'q'\""),
            ("back\\slash", "back\\slash"),
            ("ünï名", "ünï名"),
            ("\u{1b}esc", "\"\\u001Besc\""),
            ("nel\u{85}", "\"nel\\u0085\""),
            ("ls\u{2028}", "\"ls\\u2028\""),
            ("bom\u{feff}", "\"bom\\uFEFF\""),
            ("admins\u{e0020}", "\"admins\\U000E0020\""),
            ("rlo\u{202e}", "\"rlo\\u202E\""),
            ("zw\u{200b}sp", "\"zw\\u200Bsp\""),
            ("soft\u{ad}", "\"soft\\u00AD\""),
            ("vs\u{fe0f}", "\"vs\\uFE0F\""),
            ("del\u{7f}", "\"del\\u007F\""),
            ("line\nand\u{2066}isolate", "\"line\\nand\\u2066isolate\""),
            ("cr\r\nlf", "\"cr\\r\\nlf\""),
            ("ends\n\n", "|+\n  ends\n"),
            ("one\n", "|\n  one"),
            ("\nlead", "\"\\nlead\""),
            (" a\nb", "\" a\\nb\""),
            ("a \nb", "\"a \\nb\""),
        ];
        for &(s, want) in cases {
            assert_eq!(emit(&Node::str(s)), format!("{want}\n"), "{s:?}");
            assert_round_trips(&Node::str(s));
        }
        assert_eq!(flow_str("a,b", false, true), "\"a,b\"");
        assert_eq!(flow_str("a,b", false, false), "a,b");
        assert_eq!(flow_str("a:b", false, true), "\"a:b\"");
        assert_eq!(flow_str("a?b", false, true), "\"a?b\"");
        assert_eq!(flow_str("a?b", false, false), "a?b");
        // A tagged scalar keeps its raw text, so it is plain whenever the syntax allows.
        assert_eq!(emit(&Node::tagged("!Index", Node::str("0"))), "!Index 0\n");
        assert_eq!(
            emit(&Node::tagged("!Value", Node::str("yes"))),
            "!Value yes\n"
        );
        assert_eq!(
            emit(&Node::tagged("!Env", Node::str("a: b"))),
            "!Env \"a: b\"\n"
        );
    }

    #[test]
    fn the_quick_string_test_agrees_with_the_resolver() {
        let slow = |s: &str| {
            matches!(resolve_plain(s), Ok(Plain::Value(NodeValue::Str(_)))) && !matches_timestamp(s)
        };
        let mut cases: Vec<String> = AWKWARD.iter().map(|s| s.to_string()).collect();
        let words = "false FALSE False falsey null NULL nullx on Off yes YES yess true TRUE truest \
            .inf -.inf .NaN +12 0x1F_00 1_000 12:30:00 190:20:30.15 2024-01-01 << = ~ \
            a2024-01-01 flow-0 model identifiers order target tOOlong Yes NO n y O oN f nul \
            Nulls id x é 名";
        cases.extend(words.split_whitespace().map(str::to_string));
        cases.push("2024-1-1 10:00:00".to_string());
        for case in &cases {
            assert_eq!(reads_as_str(case), slow(case), "{case:?}");
        }
    }

    #[test]
    fn number_forms() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (1e20, "1.0e+20"),
            (1.5e-7, "1.5e-7"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5.0e-324"),
            (f64::INFINITY, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
            (f64::NAN, ".nan"),
        ];
        for &(f, want) in cases {
            assert_eq!(float_text(f), want);
            let back = round_trip(&Node::float(f));
            match back.value {
                NodeValue::Float(g) => assert!(
                    g.to_bits() == f.to_bits() || (f.is_nan() && g.is_nan()),
                    "{f:?} -> {g:?}"
                ),
                other => panic!("{f:?} -> {other:?}"),
            }
        }
        assert_eq!(emit(&Node::int(i64::MIN)), "-9223372036854775808\n");
        assert_round_trips(&Node::int(i64::MIN));
        assert_eq!(emit(&Node::bool(false)), "false\n");
    }

    #[test]
    fn awkward_keys() {
        let long = "k".repeat(MAX_SIMPLE_KEY + 1);
        let doc = Node::map(vec![
            (Node::str(""), Node::str("empty key")),
            (Node::str("yes"), Node::str("bool-like key")),
            (Node::str("a: b"), Node::seq(vec![Node::str("x")])),
            (
                Node::str("multi\nline key"),
                Node::map_of([("n", Node::int(1))]),
            ),
            (
                Node::str(long.clone()),
                Node::seq(vec![Node::str("under a long key")]),
            ),
            (Node::int(3), Node::str("int key")),
            (Node::null(), Node::str("null key")),
        ]);
        let text = emit(&doc);
        assert!(
            text.contains(&format!("? {long}\n:\n- under a long key\n")),
            "{text}"
        );
        assert_round_trips(&doc);
        let flow = Node::tagged(
            "!T",
            Node::map(vec![
                (Node::str(long.clone()), Node::int(1)),
                (Node::str("b"), Node::int(2)),
            ]),
        );
        assert_eq!(emit(&flow), format!("!T {{? {long}: 1, b: 2}}\n"));
        assert_round_trips(&flow);
    }

    const AWKWARD: &[&str] = &[
        "",
        "yes",
        "No",
        "null",
        "~",
        "0x1F",
        "0o17",
        "012",
        "1.5",
        "1e3",
        "1.0e+3",
        ".inf",
        "-",
        "--",
        "---",
        "...",
        "a: b",
        "#x",
        " lead",
        "trail ",
        "multi\nline",
        "ends\n\n",
        "\n",
        "\n\n",
        "a\n \nb",
        "tab\t",
        "quote\"",
        "back\\slash",
        "ünï名",
        "\u{1b}esc",
        "<<",
        "=",
        "2024-01-01",
        "12:30",
        "[x]",
        "{y}",
        "a, b",
        "!tag",
        "&a",
        "*a",
        "|",
        ">",
        "%",
        "@",
        "`",
        "?",
        ":",
        "? x",
        "x:",
        "'",
        "\"",
        "\r",
        "\u{85}",
        "\u{2028}",
        "\u{feff}x",
        "\u{7f}",
        "\u{a0}",
        "x\u{0}y",
    ];

    fn string() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => proptest::sample::select(AWKWARD).prop_map(str::to_string),
            2 => "[a-z0-9 :#\\-\\n\\t\"\\\\'|>!&*{}\\[\\],.?%@`~_+=<ü名\u{1b}\u{85}\u{2028}\u{feff}\u{7f}\u{9b}\u{202e}\u{200b}\u{ad}\u{fe0f}\u{e0020}\\r]{0,12}",
            1 => any::<String>(),
        ]
    }

    fn tag() -> impl Strategy<Value = String> {
        proptest::sample::select(
            &[
                "!KeyOf",
                "!Find",
                "!Context",
                "!Format",
                "!If",
                "!Enumerate",
                "!Index",
                "!Env",
            ][..],
        )
        .prop_map(str::to_string)
    }

    fn leaf() -> impl Strategy<Value = Node> {
        prop_oneof![
            Just(Node::null()),
            any::<bool>().prop_map(Node::bool),
            any::<i64>().prop_map(Node::int),
            prop_oneof![
                any::<f64>(),
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(-0.0),
                -1e6f64..1e6
            ]
            .prop_map(Node::float),
            string().prop_map(Node::str),
            (tag(), string()).prop_map(|(t, s)| Node::tagged(t, Node::str(s))),
        ]
    }

    /// A map with the first of each repeated key.
    fn unique_map(pairs: Vec<(String, Node)>) -> Node {
        let mut seen = std::collections::HashSet::new();
        Node::map(
            pairs
                .into_iter()
                .filter(|(k, _)| seen.insert(k.clone()))
                .map(|(k, v)| (Node::str(k), v))
                .collect(),
        )
    }

    fn tree() -> impl Strategy<Value = Node> {
        let nested = leaf().prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Node::seq),
                prop::collection::vec((string(), inner.clone()), 0..6).prop_map(unique_map),
                (tag(), prop::collection::vec(inner.clone(), 0..4))
                    .prop_map(|(t, items)| Node::tagged(t, Node::seq(items))),
                (tag(), prop::collection::vec((string(), inner), 0..4))
                    .prop_map(|(t, pairs)| Node::tagged(t, unique_map(pairs))),
            ]
        });
        // Mostly a document shaped like a blueprint: a mapping at the top.
        prop_oneof![
            1 => nested.clone(),
            1 => prop::collection::vec(nested.clone(), 1..6).prop_map(Node::seq),
            3 => prop::collection::vec((string(), nested), 1..8).prop_map(unique_map),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_quick_string_test_agrees_with_the_resolver_on_any_text(s in string()) {
            let slow = matches!(resolve_plain(&s), Ok(Plain::Value(NodeValue::Str(_))))
                && !matches_timestamp(&s);
            prop_assert_eq!(reads_as_str(&s), slow, "{:?}", s);
        }

        #[test]
        fn emit_then_parse_gives_the_tree_back(node in tree()) {
            let text = emit(&node);
            let docs = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n--- emitted:\n{text}")))?;
            prop_assert_eq!(docs.len(), 1, "{}", text);
            prop_assert!(node.eq_ignoring_marks(&docs[0]), "emitted:\n{}\nwant {:?}\ngot  {:?}", text, node, docs[0]);
            prop_assert!(text.ends_with('\n'));
        }
    }
}
