//! YAML for authentik blueprints: a tree that keeps custom tags (`!KeyOf`, `!Find`, ...) and
//! the source position of every node, read the way authentik reads it, and written back in the
//! style of authentik's own blueprints.
//!
//! authentik loads blueprints with a subclass of PyYAML's `SafeLoader`, so plain scalars are
//! resolved by YAML 1.1 rules (`yes` and `on` are booleans, `012` is octal, `1e3` is a string,
//! `190:20:30` is sexagesimal), not by YAML 1.2's. [`parse`] follows PyYAML there, tokenising
//! with `saphyr-parser`; [`emit`] writes text that both read back as the same tree.
//!
//! Deviations from PyYAML's `SafeLoader`, each on the safe side:
//! - a mapping with two equal keys is refused (PyYAML keeps the last one); `1`, `1.0` and `true`
//!   count as equal keys, as they do in a Python dict;
//! - an integer outside `i64` is an error ("integer out of range"); PyYAML has big integers;
//! - a timestamp (`2024-01-01`) stays a string; PyYAML makes a `datetime`. The emitter quotes
//!   such strings, so authentik reads them as strings too;
//! - other `tag:yaml.org,2002:` tags (`!!binary`, `!!set`, `!!omap`, `!!timestamp`, ...) are kept
//!   as written (`Some("!!binary")`) over the raw text, not constructed;
//! - an alias is a copy of its anchored node, not a shared object; an alias inside the node
//!   that it names (a recursive structure) is an error, and so is expanding aliases past
//!   [`MAX_ALIAS_NODES`] nodes or `MAX_ALIAS_BYTES` bytes of text in one stream (a "billion
//!   laughs" guard);
//! - the scanner is saphyr's (YAML 1.2): it is a little more lenient than PyYAML's (it takes a
//!   tab inside a plain scalar, for one) and does not treat U+0085, U+2028 and U+2029 as line
//!   breaks. The emitter escapes those characters, so what it writes reads the same in both.
//!
//! Like PyYAML: a plain `<<` key merges mappings (`<<: *base`), a plain `=` key is the string
//! `"="`, and a plain `<<` or `=` anywhere else is an error (SafeLoader has no constructor for
//! them); the non-specific tag `!` resolves its scalar as if it were plain, even when quoted.

mod emit;
mod keys;
mod parse;
mod resolve;
mod stream;

use std::fmt;

pub use crate::blueprint::limits::MAX_ALIAS_NODES;
pub use emit::emit;
pub(crate) use emit::flow_text;
pub use parse::parse;
pub use stream::SeqWriter;

/// A position in the source text: 1-based line and column (the column counts characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Mark {
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// The value of a node. Maps keep their keys in source order.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// One YAML node: its value, its custom tag (`Some("!KeyOf")`; `None` when untagged or when
/// the tag was a core one such as `!!str`, which has been applied), and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    pub tag: Option<String>,
    pub mark: Mark,
}

/// A scanner, parser or construction error, at the position it concerns.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}:{}: {}", .mark.line, .mark.col, .message)]
pub struct YamlError {
    pub mark: Mark,
    pub message: String,
}

impl YamlError {
    pub(crate) fn new(mark: Mark, message: impl Into<String>) -> Self {
        YamlError {
            mark,
            message: message.into(),
        }
    }
}

impl Node {
    /// An untagged node at the default mark.
    pub fn new(value: NodeValue) -> Node {
        Node {
            value,
            tag: None,
            mark: Mark::default(),
        }
    }

    pub fn null() -> Node {
        Node::new(NodeValue::Null)
    }

    pub fn bool(b: bool) -> Node {
        Node::new(NodeValue::Bool(b))
    }

    pub fn int(i: i64) -> Node {
        Node::new(NodeValue::Int(i))
    }

    pub fn float(f: f64) -> Node {
        Node::new(NodeValue::Float(f))
    }

    pub fn str(s: impl Into<String>) -> Node {
        Node::new(NodeValue::Str(s.into()))
    }

    pub fn seq(items: Vec<Node>) -> Node {
        Node::new(NodeValue::Seq(items))
    }

    pub fn map(pairs: Vec<(Node, Node)>) -> Node {
        Node::new(NodeValue::Map(pairs))
    }

    /// A map with string keys, in the order given.
    pub fn map_of<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Node)>) -> Node {
        Node::map(pairs.into_iter().map(|(k, v)| (Node::str(k), v)).collect())
    }

    /// `node` with its tag set to `tag` (written with its leading `!`, e.g. `"!KeyOf"`).
    pub fn tagged(tag: impl Into<String>, node: Node) -> Node {
        Node {
            tag: Some(tag.into()),
            ..node
        }
    }

    /// The node at another position.
    /// A JSON value as untagged nodes.
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value;
        match value {
            Value::Null => Node::null(),
            Value::Bool(b) => Node::bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Node::int(i),
                None => Node::float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Node::str(s.clone()),
            Value::Array(items) => Node::seq(items.iter().map(Node::from_json).collect()),
            Value::Object(map) => {
                Node::map_of(map.iter().map(|(k, v)| (k.clone(), Node::from_json(v))))
            }
        }
    }

    pub fn with_mark(self, mark: Mark) -> Node {
        Node { mark, ..self }
    }

    /// The text of a string scalar, tagged or not.
    pub fn scalar_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            NodeValue::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            NodeValue::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, NodeValue::Null)
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            NodeValue::Map(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// The value under the untagged string key `key`, when this is a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.tag.is_none() && k.scalar_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// Like [`Node::get`], mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            NodeValue::Map(pairs) => pairs
                .iter_mut()
                .find(|(k, _)| k.tag.is_none() && k.scalar_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// What kind of value this is, for messages: "null", "bool", "int", "float", "string",
    /// "sequence" or "mapping".
    pub fn kind(&self) -> &'static str {
        match self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "bool",
            NodeValue::Int(_) => "int",
            NodeValue::Float(_) => "float",
            NodeValue::Str(_) => "string",
            NodeValue::Seq(_) => "sequence",
            NodeValue::Map(_) => "mapping",
        }
    }

    /// Equal values and tags, whatever the marks; a NaN equals a NaN here.
    pub fn eq_ignoring_marks(&self, other: &Node) -> bool {
        if self.tag != other.tag {
            return false;
        }
        match (&self.value, &other.value) {
            (NodeValue::Float(a), NodeValue::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (NodeValue::Seq(a), NodeValue::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignoring_marks(y))
            }
            (NodeValue::Map(a), NodeValue::Map(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b).all(|((ka, va), (kb, vb))| {
                        ka.eq_ignoring_marks(kb) && va.eq_ignoring_marks(vb)
                    })
            }
            (a, b) => a == b,
        }
    }
}
