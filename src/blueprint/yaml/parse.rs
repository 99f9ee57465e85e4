//! From saphyr-parser's events to [`Node`] trees: tags sorted into core (applied, dropped) and
//! custom (kept), plain scalars resolved as PyYAML does, aliases copied, merge keys merged and
//! duplicate keys refused.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

use super::keys::KeyIndex;
use super::resolve::{Core, Plain, construct_scalar, resolve_plain};
use super::{Mark, Node, NodeValue, YamlError};
use crate::blueprint::limits::{MAX_ALIAS_BYTES, MAX_ALIAS_NODES, MAX_YAML_DEPTH as MAX_DEPTH};

/// Internal markers on nodes that only a mapping key may be (never seen outside this module:
/// user tags in the `tag:yaml.org,2002:` namespace are kept as `!!name`).
const MERGE_TAG: &str = "tag:yaml.org,2002:merge";
const VALUE_TAG: &str = "tag:yaml.org,2002:value";

/// Parses every document of a YAML stream, one [`Node`] each.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(scan_error)?;
        if builder.event(event, span)? {
            break;
        }
    }
    Ok(builder.docs)
}

fn mark_of(marker: saphyr_parser::Marker) -> Mark {
    Mark {
        line: marker.line(),
        col: marker.col() + 1,
    }
}

fn scan_error(e: ScanError) -> YamlError {
    YamlError::new(mark_of(*e.marker()), e.info())
}

/// A node's tag, sorted.
enum TagKind {
    /// No tag.
    Untagged,
    /// `!`: PyYAML resolves the scalar as if it were plain, whatever its style.
    NonSpecific,
    Core(Core),
    /// Kept on the node as written: `!KeyOf`, `!!binary`, `!<tag:example.com,2000:x>`.
    Custom(String),
}

fn classify(tag: Option<&Tag>) -> TagKind {
    let Some(tag) = tag else {
        return TagKind::Untagged;
    };
    let full = format!("{}{}", tag.handle, tag.suffix);
    if full == "!" {
        TagKind::NonSpecific
    } else if let Some(name) = full.strip_prefix("tag:yaml.org,2002:") {
        match Core::from_suffix(name) {
            Some(core) => TagKind::Core(core),
            None => TagKind::Custom(format!("!!{name}")),
        }
    } else if full.starts_with('!') {
        TagKind::Custom(full)
    } else {
        TagKind::Custom(format!("!<{full}>"))
    }
}

fn core_name(core: Core) -> &'static str {
    match core {
        Core::Seq => "sequence",
        Core::Map => "mapping",
        _ => "scalar",
    }
}

enum Body {
    Seq(Vec<Node>),
    Map {
        pairs: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// A collection being read.
struct Frame {
    body: Body,
    tag: TagKind,
    anchor: usize,
    mark: Mark,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    docs: Vec<Node>,
    /// Anchor id → the finished node and its size.
    anchors: HashMap<usize, (Node, Size)>,
    /// What the aliases of the stream have copied so far.
    alias_copied: Size,
}

impl Builder {
    /// Takes one event; true at the end of the stream.
    fn event(&mut self, event: Event, span: Span) -> Result<bool, YamlError> {
        let mark = mark_of(span.start);
        match event {
            Event::StreamEnd => return Ok(true),
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart(_) => {
                // As PyYAML's composer: anchors are per document.
                self.root = None;
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Node {
                    value: NodeValue::Null,
                    tag: None,
                    mark,
                });
                self.docs.push(root);
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id) else {
                    let message = if self.stack.iter().any(|f| f.anchor == id) {
                        "an alias inside the node it refers to (a recursive structure) is not supported"
                    } else {
                        "found undefined alias (an anchor does not reach into the next document)"
                    };
                    return Err(YamlError::new(mark, message));
                };
                self.alias_copied.nodes += size.nodes;
                self.alias_copied.bytes += size.bytes;
                if self.alias_copied.nodes > MAX_ALIAS_NODES {
                    return Err(YamlError::new(
                        mark,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes (the limit on what aliases copy)"
                        ),
                    ));
                }
                if self.alias_copied.bytes > MAX_ALIAS_BYTES {
                    return Err(YamlError::new(
                        mark,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_BYTES} bytes of text (the limit on what aliases copy)"
                        ),
                    ));
                }
                let node = node.clone().with_mark(mark);
                self.attach(node)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = scalar(&text, style, classify(tag.as_deref()), mark)?;
                self.finish(node, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => self.open(
                Body::Seq(Vec::new()),
                classify(tag.as_deref()),
                anchor,
                mark,
            )?,
            Event::MappingStart(anchor, tag) => self.open(
                Body::Map {
                    pairs: Vec::new(),
                    key: None,
                },
                classify(tag.as_deref()),
                anchor,
                mark,
            )?,
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self.stack.pop().expect("the parser balances its events");
                let (value, found) = match frame.body {
                    Body::Seq(items) => (NodeValue::Seq(items), Core::Seq),
                    Body::Map { pairs, .. } => (NodeValue::Map(finish_map(pairs)?), Core::Map),
                };
                let tag = match frame.tag {
                    TagKind::Untagged | TagKind::NonSpecific => None,
                    TagKind::Core(core) if core == found => None,
                    TagKind::Core(core) => {
                        return Err(YamlError::new(
                            frame.mark,
                            format!(
                                "expected a {} node, but found {}",
                                core_name(core),
                                core_name(found)
                            ),
                        ));
                    }
                    TagKind::Custom(tag) => Some(tag),
                };
                let node = Node {
                    value,
                    tag,
                    mark: frame.mark,
                };
                self.finish(node, frame.anchor)?;
            }
        }
        Ok(false)
    }

    fn open(
        &mut self,
        body: Body,
        tag: TagKind,
        anchor: usize,
        mark: Mark,
    ) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::new(
                mark,
                format!("collections nested more than {MAX_DEPTH} deep"),
            ));
        }
        self.stack.push(Frame {
            body,
            tag,
            anchor,
            mark,
        });
        Ok(())
    }

    /// A node is complete: remember it under its anchor, then place it.
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), Size::of(&node)));
        }
        self.attach(node)
    }

    fn attach(&mut self, node: Node) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                only_as_key(&node)?;
                self.root = Some(node);
            }
            Some(Frame {
                body: Body::Seq(items),
                ..
            }) => {
                only_as_key(&node)?;
                items.push(node);
            }
            Some(Frame {
                body: Body::Map { pairs, key },
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    only_as_key(&node)?;
                    pairs.push((k, node));
                }
            },
        }
        Ok(())
    }
}

/// The merge (`<<`) and value (`=`) markers are keys only: SafeLoader has no constructor for
/// them anywhere else.
fn only_as_key(node: &Node) -> Result<(), YamlError> {
    match node.tag.as_deref() {
        Some(tag @ (MERGE_TAG | VALUE_TAG)) => Err(YamlError::new(
            node.mark,
            format!(
                "could not determine a constructor for the tag '{tag}' (quote {:?} to mean the string)",
                node.scalar_str().unwrap_or_default()
            ),
        )),
        _ => Ok(()),
    }
}

/// How much a copy of a node costs: its nodes, and the bytes of its text.
#[derive(Clone, Copy, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
}

impl Size {
    fn of(node: &Node) -> Size {
        let mut size = Size::default();
        let mut pending = vec![node];
        while let Some(node) = pending.pop() {
            size.nodes += 1;
            size.bytes += node.tag.as_ref().map_or(0, String::len);
            match &node.value {
                NodeValue::Str(s) => size.bytes += s.len(),
                NodeValue::Seq(items) => pending.extend(items),
                NodeValue::Map(pairs) => pending.extend(pairs.iter().flat_map(|(k, v)| [k, v])),
                _ => {}
            }
        }
        size
    }
}

fn scalar(text: &str, style: ScalarStyle, tag: TagKind, mark: Mark) -> Result<Node, YamlError> {
    let fail = |message: String| YamlError::new(mark, message);
    let marker = |tag: &str| Node {
        value: NodeValue::Str(text.to_string()),
        tag: Some(tag.to_string()),
        mark,
    };
    let value = match tag {
        TagKind::Untagged if style != ScalarStyle::Plain => NodeValue::Str(text.to_string()),
        TagKind::Untagged | TagKind::NonSpecific => match resolve_plain(text).map_err(fail)? {
            Plain::Value(value) => value,
            Plain::Merge => return Ok(marker(MERGE_TAG)),
            Plain::ValueKey => return Ok(marker(VALUE_TAG)),
        },
        TagKind::Core(Core::Merge) => return Ok(marker(MERGE_TAG)),
        TagKind::Core(Core::Value) => return Ok(marker(VALUE_TAG)),
        TagKind::Core(core @ (Core::Seq | Core::Map)) => {
            return Err(fail(format!(
                "expected a {} node, but found scalar",
                core_name(core)
            )));
        }
        TagKind::Core(core) => construct_scalar(core, text).map_err(fail)?,
        TagKind::Custom(tag) => {
            return Ok(Node {
                value: NodeValue::Str(text.to_string()),
                tag: Some(tag),
                mark,
            });
        }
    };
    Ok(Node {
        value,
        tag: None,
        mark,
    })
}

/// A mapping's pairs after merge keys are merged (PyYAML's `flatten_mapping`), value keys made
/// strings, and duplicate or unhashable keys refused.
fn finish_map(pairs: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, YamlError> {
    let mut merged: Vec<(Node, Node)> = Vec::new();
    let mut own: Vec<(Node, Node)> = Vec::with_capacity(pairs.len());
    for (mut key, value) in pairs {
        match key.tag.as_deref() {
            Some(MERGE_TAG) => match value.value {
                NodeValue::Map(sub) => merged.extend(sub),
                NodeValue::Seq(maps) => {
                    // Earlier mappings win: PyYAML adds them last.
                    let mut subs = Vec::with_capacity(maps.len());
                    for map in maps {
                        match map.value {
                            NodeValue::Map(sub) => subs.push(sub),
                            _ => {
                                return Err(YamlError::new(
                                    map.mark,
                                    format!(
                                        "expected a mapping for merging, but found {}",
                                        map.kind()
                                    ),
                                ));
                            }
                        }
                    }
                    for sub in subs.into_iter().rev() {
                        merged.extend(sub);
                    }
                }
                _ => {
                    return Err(YamlError::new(
                        value.mark,
                        format!(
                            "expected a mapping or list of mappings for merging, but found {}",
                            value.kind()
                        ),
                    ));
                }
            },
            Some(VALUE_TAG) => {
                key.tag = None;
                own.push((key, value));
            }
            _ => {
                if key.tag.is_none() && matches!(key.value, NodeValue::Seq(_) | NodeValue::Map(_)) {
                    return Err(YamlError::new(
                        key.mark,
                        format!(
                            "found unhashable key (a {} cannot be a mapping key)",
                            key.kind()
                        ),
                    ));
                }
                own.push((key, value));
            }
        }
    }
    refuse_duplicates(&own)?;
    if merged.is_empty() {
        return Ok(own);
    }
    // As a Python dict built from merged pairs, then the mapping's own: a key keeps its first
    // place and takes its last value.
    let mut out: Vec<(Node, Node)> = Vec::with_capacity(merged.len() + own.len());
    let mut index = KeyIndex::default();
    for (key, value) in merged.into_iter().chain(own) {
        match index.find_or_insert(&key, out.len(), |i| &out[i].0) {
            Some(slot) => out[slot].1 = value,
            None => out.push((key, value)),
        }
    }
    Ok(out)
}

fn refuse_duplicates(pairs: &[(Node, Node)]) -> Result<(), YamlError> {
    let mut index = KeyIndex::default();
    for (position, (key, _)) in pairs.iter().enumerate() {
        if let Some(first) = index.find_or_insert(key, position, |i| &pairs[i].0) {
            let shown = match (&key.value, &key.tag) {
                (NodeValue::Str(s), None) => format!("{s:?}"),
                _ => super::emit::flow_text(key),
            };
            return Err(YamlError::new(
                key.mark,
                format!(
                    "duplicate mapping key {shown} (first defined at {})",
                    pairs[first].0.mark
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Mark, Node, NodeValue, emit, parse};
    use std::path::Path;

    fn one(text: &str) -> Node {
        let mut docs = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(docs.len(), 1, "{text:?}");
        docs.remove(0)
    }

    fn err(text: &str) -> super::YamlError {
        match parse(text) {
            Ok(docs) => panic!("{text:?} parsed: {docs:?}"),
            Err(e) => e,
        }
    }

    fn value(text: &str) -> NodeValue {
        one(text).value
    }

    fn s(text: &str) -> NodeValue {
        NodeValue::Str(text.to_string())
    }

    #[test]
    fn implicit_types_in_a_document() {
        let doc = one(
            "a: ~\nb: null\nc:\nd: yes\ne: Off\nf: 0x1F\ng: 012\nh: 1_000\ni: 190:20:30\nj: 1.5\nk: 1e3\nl: 1.0e+3\nm: -.inf\nn: .NaN\no: 0b101\np: text\n",
        );
        let get = |k: &str| doc.get(k).unwrap_or_else(|| panic!("{k}")).value.clone();
        assert_eq!(get("a"), NodeValue::Null);
        assert_eq!(get("b"), NodeValue::Null);
        assert_eq!(get("c"), NodeValue::Null);
        assert_eq!(get("d"), NodeValue::Bool(true));
        assert_eq!(get("e"), NodeValue::Bool(false));
        assert_eq!(get("f"), NodeValue::Int(31));
        assert_eq!(get("g"), NodeValue::Int(10));
        assert_eq!(get("h"), NodeValue::Int(1000));
        assert_eq!(get("i"), NodeValue::Int(685_230));
        assert_eq!(get("j"), NodeValue::Float(1.5));
        assert_eq!(get("k"), s("1e3"));
        assert_eq!(get("l"), NodeValue::Float(1000.0));
        assert_eq!(get("m"), NodeValue::Float(f64::NEG_INFINITY));
        assert!(matches!(get("n"), NodeValue::Float(f) if f.is_nan()));
        assert_eq!(get("o"), NodeValue::Int(5));
        assert_eq!(get("p"), s("text"));
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        assert_eq!(value("yes"), NodeValue::Bool(true));
        assert_eq!(value("\"yes\""), s("yes"));
        assert_eq!(value("'yes'"), s("yes"));
        assert_eq!(value("'12'"), s("12"));
        assert_eq!(value("\"\""), s(""));
        assert_eq!(value("'null'"), s("null"));
        assert_eq!(value("|\n  12\n"), s("12\n"));
        assert_eq!(value(">-\n  true\n"), s("true"));
        assert_eq!(value("\"a\\tb\\u00e9\""), s("a\tbé"));
    }

    #[test]
    fn custom_tags_keep_raw_text() {
        let doc = one("a: !KeyOf flow\nb: !Index 0\nc: !Env\nd: !Context 'x y'\n");
        let a = doc.get("a").unwrap();
        assert_eq!(
            (a.tag.as_deref(), a.scalar_str()),
            (Some("!KeyOf"), Some("flow"))
        );
        let b = doc.get("b").unwrap();
        assert_eq!((b.tag.as_deref(), &b.value), (Some("!Index"), &s("0")));
        let c = doc.get("c").unwrap();
        assert_eq!((c.tag.as_deref(), &c.value), (Some("!Env"), &s("")));
        assert_eq!(doc.get("d").unwrap().scalar_str(), Some("x y"));

        let find = one("!Find [authentik_flows.flow, [slug, default-password-change]]");
        assert_eq!(find.tag.as_deref(), Some("!Find"));
        let items = find.as_seq().unwrap();
        assert_eq!(
            items[0],
            Node::str("authentik_flows.flow").with_mark(Mark { line: 1, col: 8 })
        );
        assert_eq!(items[1].tag, None);
        assert_eq!(
            items[1].as_seq().unwrap()[1].scalar_str(),
            Some("default-password-change")
        );

        let map = one("!Thing {a: 1}");
        assert_eq!(map.tag.as_deref(), Some("!Thing"));
        assert_eq!(map.get("a").unwrap().value, NodeValue::Int(1));

        // Other forms of tag: yaml.org ones that are not applied, verbatim, %TAG-resolved.
        assert_eq!(one("!!binary aGk=").tag.as_deref(), Some("!!binary"));
        assert_eq!(one("!<!KeyOf> x").tag.as_deref(), Some("!KeyOf"));
        assert_eq!(
            one("%TAG !e! tag:example.com,2000:\n--- !e!foo x")
                .tag
                .as_deref(),
            Some("!<tag:example.com,2000:foo>")
        );
    }

    #[test]
    fn core_tags_are_applied_and_dropped() {
        assert_eq!(
            one("!!str 10"),
            Node::str("10").with_mark(Mark { line: 1, col: 1 })
        );
        assert_eq!(value("!!str yes"), s("yes"));
        assert_eq!(value("!!str"), s(""));
        assert_eq!(value("!!int '0x1F'"), NodeValue::Int(31));
        assert_eq!(value("!!float 1"), NodeValue::Float(1.0));
        assert_eq!(value("!!float 1e3"), NodeValue::Float(1000.0));
        assert_eq!(value("!!bool \"on\""), NodeValue::Bool(true));
        assert_eq!(value("!!null whatever"), NodeValue::Null);
        assert_eq!(value("!<tag:yaml.org,2002:str> 1"), s("1"));
        let seq = one("!!seq [1]");
        assert_eq!(
            (seq.tag, seq.value),
            (
                None,
                NodeValue::Seq(vec![Node::int(1).with_mark(Mark { line: 1, col: 8 })])
            )
        );
        assert_eq!(one("!!map {}").tag, None);
        // The non-specific tag resolves as plain, as PyYAML does, even quoted.
        assert_eq!(value("! 12"), NodeValue::Int(12));
        assert_eq!(value("! \"12\""), NodeValue::Int(12));

        assert!(err("!!int abc").message.contains("invalid integer"));
        assert!(err("!!bool maybe").message.contains("invalid boolean"));
        assert_eq!(
            err("a: !!seq x").message,
            "expected a sequence node, but found scalar"
        );
        assert_eq!(err("a: !!seq x").mark, Mark { line: 1, col: 4 });
        assert_eq!(
            err("!!str {a: 1}").message,
            "expected a scalar node, but found mapping"
        );
        assert_eq!(
            err("!!map [a]").message,
            "expected a mapping node, but found sequence"
        );
    }

    #[test]
    fn anchors_and_aliases() {
        let doc = one("base: &b\n  x: 1\n  y: [a, b]\ncopy: *b\nitems:\n- &s hello\n- *s\n");
        assert!(
            doc.get("base")
                .unwrap()
                .eq_ignoring_marks(doc.get("copy").unwrap())
        );
        assert_eq!(doc.get("copy").unwrap().mark, Mark { line: 4, col: 7 });
        assert_eq!(
            doc.get("copy")
                .unwrap()
                .get("y")
                .unwrap()
                .as_seq()
                .unwrap()
                .len(),
            2
        );
        let items = doc.get("items").unwrap().as_seq().unwrap();
        assert_eq!(items[1].value, s("hello"));
        // A tagged anchored node keeps its tag in the copy.
        let doc = one("a: &k !KeyOf flow\nb: *k\n");
        assert_eq!(doc.get("b").unwrap().tag.as_deref(), Some("!KeyOf"));
        // Anchors are per document.
        let e = err("a: &x 1\n---\nb: *x\n");
        assert_eq!(e.mark, Mark { line: 3, col: 4 });
        assert!(e.message.contains("undefined alias"), "{e}");
        // An alias inside its own anchor.
        let e = err("&a [1, *a]");
        assert!(e.message.contains("recursive"), "{e}");
    }

    #[test]
    fn alias_expansion_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let e = err(&text);
        assert!(e.message.contains("aliases expand"), "{e}");
    }

    #[test]
    fn nesting_is_bounded() {
        // Block sequences nest without end in YAML; saphyr stops flow ones at 255 levels.
        let deep = |n: usize| format!("{}x\n", "- ".repeat(n));
        assert_eq!(parse(&deep(super::MAX_DEPTH)).unwrap().len(), 1);
        let e = err(&deep(super::MAX_DEPTH + 1));
        assert_eq!(
            e.mark,
            Mark {
                line: 1,
                col: 2 * super::MAX_DEPTH + 1
            }
        );
        assert!(e.message.contains("nested more than"), "{e}");
        assert!(parse(&deep(100_000)).is_err());
        assert!(parse(&"[".repeat(100_000)).is_err());
    }

    /// Key comparisons made while parsing `text`.
    fn comparisons(text: &str) -> usize {
        super::super::keys::COMPARISONS.with(|c| c.set(0));
        parse(text).unwrap();
        super::super::keys::COMPARISONS.with(|c| c.get())
    }

    #[test]
    fn mappings_and_merges_take_linear_work() {
        // Scanning every earlier key made 200,000 keys take 105 s: n²/2 comparisons.
        let n = 20_000;
        let ints: String = (0..n).map(|i| format!("{i}: x\n")).collect();
        assert_eq!(one(&ints).as_map().unwrap().len(), n);
        assert_eq!(comparisons(&ints), 0);
        let floats: String = (0..n).map(|i| format!("{i}.5: x\n")).collect();
        assert_eq!(comparisons(&floats), 0);
        let tagged: String = (0..n).map(|i| format!("!K [{i}]: x\n")).collect();
        assert_eq!(comparisons(&tagged), 0);
        let nans = ".nan: x\n".repeat(n);
        assert_eq!(one(&nans).as_map().unwrap().len(), n);
        // A merge of n keys under n keys of its own, half of them the same.
        let base: String = (0..n).map(|i| format!("  k{i}: {i}\n")).collect();
        let own: String = (n / 2..n + n / 2)
            .map(|i| format!("  k{i}: own\n"))
            .collect();
        let merged = format!("base: &b\n{base}m:\n  <<: *b\n{own}");
        let count = comparisons(&merged);
        assert!(count <= n, "{count} comparisons for {n} keys");
        let m = one(&merged);
        let m = m.get("m").unwrap();
        assert_eq!(m.as_map().unwrap().len(), n + n / 2);
        assert_eq!(m.get("k0").unwrap().value, NodeValue::Int(0));
        assert_eq!(m.get(&format!("k{}", n / 2)).unwrap().value, s("own"));
        // Equal keys of different forms are still found.
        assert!(
            err(&format!("{ints}{}.0: y\n", n - 1))
                .message
                .contains("duplicate")
        );
        assert!(
            err(&format!("{tagged}!K [7]: y\n"))
                .message
                .contains("duplicate")
        );
    }

    #[test]
    fn merge_keys_as_pyyaml() {
        let doc = one("{a: 1, <<: {b: 2, a: 3}}");
        let keys: Vec<_> = doc
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.scalar_str().unwrap())
            .collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(doc.get("a").unwrap().value, NodeValue::Int(1));
        let doc =
            one("base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\nm:\n  <<: [*b, *o]\n  w: 0\n");
        let m = doc.get("m").unwrap();
        assert_eq!(m.get("y").unwrap().value, NodeValue::Int(2));
        assert_eq!(m.get("z").unwrap().value, NodeValue::Int(4));
        assert_eq!(m.as_map().unwrap().len(), 4);
        assert_eq!(
            value("{'<<': 1}"),
            NodeValue::Map(vec![(
                Node::str("<<").with_mark(Mark { line: 1, col: 2 }),
                Node::int(1).with_mark(Mark { line: 1, col: 8 })
            )])
        );
        assert_eq!(one("=: 1").get("=").unwrap().value, NodeValue::Int(1));
        assert!(
            err("{<<: 1}")
                .message
                .contains("expected a mapping or list of mappings")
        );
        assert!(
            err("{<<: [{a: 1}, x]}")
                .message
                .contains("expected a mapping for merging")
        );
        assert!(err("a: <<").message.contains("tag:yaml.org,2002:merge"));
        assert_eq!(err("a: =").mark, Mark { line: 1, col: 4 });
        assert!(err("- =").message.contains("tag:yaml.org,2002:value"));
    }

    #[test]
    fn duplicate_and_unhashable_keys_are_refused() {
        let e = err("entries:\n- model: x\n  slug: a\n  slug: b\n");
        assert_eq!(e.mark, Mark { line: 4, col: 3 });
        assert_eq!(
            e.message,
            "duplicate mapping key \"slug\" (first defined at 3:3)"
        );
        assert_eq!(
            e.to_string(),
            "4:3: duplicate mapping key \"slug\" (first defined at 3:3)"
        );
        assert!(err("{1: a, 1.0: b}").message.contains("duplicate"));
        assert!(err("{1: a, true: b}").message.contains("duplicate"));
        assert!(err("{0: a, false: b}").message.contains("duplicate"));
        assert!(err("{.inf: a, +.inf: b}").message.contains("duplicate"));
        assert_eq!(
            one("{9007199254740993: a, 9007199254740992.0: b}")
                .as_map()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(one("{1: a, 1.5: b, '1.5': c}").as_map().unwrap().len(), 3);
        assert!(err("{\"a\": 1, a: 2}").message.contains("duplicate"));
        assert!(err("{!K a: 1, !K a: 2}").message.contains("duplicate"));
        // Different in PyYAML: the string "1" and the int 1, null and "null".
        assert_eq!(
            one("{'1': a, 1: b, null: c, 'null': d}")
                .as_map()
                .unwrap()
                .len(),
            4
        );
        assert!(err("[a]: 1").message.contains("unhashable"));
    }

    #[test]
    fn syntax_errors_carry_their_position() {
        let e = err("a: 1\nb: c: d\n");
        assert_eq!(e.mark, Mark { line: 2, col: 5 });
        assert!(e.message.contains("mapping values are not allowed"), "{e}");
        assert!(e.to_string().starts_with("2:5: "), "{e}");
        let e = err("a:\n  - x\n  y: [1, 2\n");
        assert!(e.mark.line >= 3, "{e}");
        let e = err("key: \"unterminated\n");
        assert_eq!(e.mark, Mark { line: 1, col: 6 }, "{e}");
        assert!(e.message.contains("quoted scalar"), "{e}");
        assert!(err("*nope").message.contains("unknown anchor"));
    }

    #[test]
    fn documents_and_marks() {
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(parse("# only a comment\n").unwrap(), vec![]);
        let docs = parse("---\na: 1\n---\n- x\n...\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].mark, Mark { line: 2, col: 1 });
        assert_eq!(docs[1].as_seq().unwrap()[0].mark, Mark { line: 4, col: 3 });
        assert_eq!(parse("---\n").unwrap()[0].value, NodeValue::Null);
        let doc = one("a:\n  b: [1, two]\n");
        let b = doc.get("a").unwrap().get("b").unwrap();
        assert_eq!(b.mark, Mark { line: 2, col: 6 });
        assert_eq!(b.as_seq().unwrap()[1].mark, Mark { line: 2, col: 10 });
    }

    /// authentik's blueprints: the shared corpus beside the repository, else the copy in the
    /// test fixtures.
    fn corpus() -> Option<&'static Path> {
        const DIRS: [&str; 2] = [
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/corpus/authentik-blueprints"
            ),
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/authentik/blueprints"
            ),
        ];
        let found = DIRS.into_iter().map(Path::new).find(|dir| dir.is_dir());
        if found.is_none() {
            println!("skipped: no blueprint corpus at {}", DIRS.join(" or "));
        }
        found
    }

    #[test]
    fn default_authentication_flow_blueprint() {
        let Some(dir) = corpus() else { return };
        let text =
            std::fs::read_to_string(dir.join("default/flow-default-authentication-flow.yaml"))
                .unwrap();
        let doc = one(&text);
        assert_eq!(doc.get("version").unwrap().value, NodeValue::Int(1));
        let entries = doc.get("entries").unwrap().as_seq().unwrap();
        let slug = entries[1].get("identifiers").unwrap().get("slug").unwrap();
        assert_eq!(slug.scalar_str(), Some("default-authentication-flow"));
        assert_eq!(slug.mark, Mark { line: 16, col: 11 });
        assert_eq!(
            entries[0]
                .get("attrs")
                .unwrap()
                .get("required")
                .unwrap()
                .value,
            NodeValue::Bool(false)
        );
        let binding = entries
            .iter()
            .find(|e| {
                e.get("identifiers")
                    .and_then(|i| i.get("order"))
                    .and_then(Node::as_i64)
                    == Some(10)
            })
            .unwrap();
        let stage = binding.get("identifiers").unwrap().get("stage").unwrap();
        assert_eq!(stage.tag.as_deref(), Some("!KeyOf"));
        assert_eq!(stage.value, s("default-authentication-identification"));
        let find = entries[2]
            .get("attrs")
            .unwrap()
            .get("configure_flow")
            .unwrap();
        assert_eq!(find.tag.as_deref(), Some("!Find"));
        let expression = entries
            .iter()
            .find(|e| {
                e.get("id").and_then(Node::scalar_str)
                    == Some("default-authentication-flow-password-optional")
            })
            .unwrap()
            .get("attrs")
            .unwrap()
            .get("expression")
            .unwrap();
        assert_eq!(
            expression.scalar_str().unwrap(),
            "flow_plan = request.context.get(\"flow_plan\")\nif not flow_plan:\n    return True\n\
             # If the user does not have a backend attached to it, they haven't\n\
             # been authenticated yet and we need the password stage\n\
             return not hasattr(flow_plan.context.get(\"pending_user\"), \"backend\")\n"
        );
    }

    #[test]
    fn whole_corpus_parses_and_round_trips() {
        let Some(dir) = corpus() else { return };
        let mut pending = vec![dir.to_path_buf()];
        let mut files = 0;
        while let Some(path) = pending.pop() {
            for entry in std::fs::read_dir(&path).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let docs = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    for doc in &docs {
                        let again = parse(&emit(doc))
                            .unwrap_or_else(|e| panic!("{}: emitted: {e}", path.display()));
                        assert_eq!(again.len(), 1);
                        assert!(
                            doc.eq_ignoring_marks(&again[0]),
                            "{}: round trip",
                            path.display()
                        );
                    }
                    files += 1;
                }
            }
        }
        assert!(files > 0, "no .yaml files under {}", dir.display());
        println!("{files} blueprints parsed");
    }
}
