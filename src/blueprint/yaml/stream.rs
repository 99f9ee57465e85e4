//! Writing a document whose last value is a long sequence (a blueprint's `entries`) item by
//! item as the items are made, so that neither the sequence nor the text is ever whole in
//! memory. The bytes are those [`super::emit`] writes for the same document.

use std::io::{self, Write};

use super::Node;
use super::emit::{write_key, write_map, write_seq};

/// A block mapping at the top of the document: the `head` pairs, then `key` with the items
/// given one by one to [`SeqWriter::item`], then [`SeqWriter::finish`].
pub struct SeqWriter<W: Write> {
    out: W,
    /// One item's text, reused from item to item.
    buf: String,
    items: usize,
}

impl<W: Write> SeqWriter<W> {
    pub fn start(mut out: W, head: &[(Node, Node)], key: &Node) -> io::Result<SeqWriter<W>> {
        let mut buf = String::new();
        write_map(&mut buf, head, 0, false);
        write_key(&mut buf, key, 0);
        out.write_all(buf.as_bytes())?;
        buf.clear();
        Ok(SeqWriter { out, buf, items: 0 })
    }

    pub fn item(&mut self, node: &Node) -> io::Result<()> {
        if self.items == 0 {
            self.buf.push('\n');
        }
        write_seq(&mut self.buf, std::slice::from_ref(node), 0, false);
        self.items += 1;
        let written = self.out.write_all(self.buf.as_bytes());
        self.buf.clear();
        written
    }

    /// Ends the document and flushes the writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.items == 0 {
            // An empty sequence under a key, as `emit` writes it.
            self.out.write_all(b" []\n")?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Node, emit};
    use super::*;

    fn streamed(head: &[(Node, Node)], key: &str, items: &[Node]) -> String {
        let mut writer = SeqWriter::start(Vec::new(), head, &Node::str(key)).unwrap();
        for item in items {
            writer.item(item).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    fn whole(head: &[(Node, Node)], key: &str, items: &[Node]) -> String {
        let mut pairs = head.to_vec();
        pairs.push((Node::str(key), Node::seq(items.to_vec())));
        emit(&Node::map(pairs))
    }

    #[test]
    fn streaming_writes_what_emit_writes() {
        let head = [
            (Node::str("version"), Node::int(1)),
            (
                Node::str("metadata"),
                Node::map_of([("name", Node::str("a: \"name\"\n\u{1b}[31m"))]),
            ),
        ];
        let items = [
            Node::map_of([
                ("model", Node::str("yes")),
                ("attrs", Node::map_of([("x", Node::str("multi\nline\n"))])),
                ("list", Node::seq(vec![Node::seq(vec![Node::int(1)])])),
            ]),
            Node::str("- not an item"),
            Node::seq(vec![]),
            Node::tagged("!KeyOf", Node::str("flow")),
            Node::null(),
        ];
        for n in 0..=items.len() {
            for key in ["entries", "yes", "k: v", &"k".repeat(1100)] {
                for head in [&head[..], &[]] {
                    assert_eq!(
                        streamed(head, key, &items[..n]),
                        whole(head, key, &items[..n]),
                        "{n} items under {key:?}"
                    );
                }
            }
        }
    }
}
