//! Every resource a blueprint import can make bindery spend, bounded. The error that reports a
//! limit names it and its value. Each is far above what a real blueprint needs: authentik's
//! own blueprints use a few hundred nodes, no alias longer than a line, `!Format` widths under
//! 100 and `!Enumerate` loops over a handful of items.

/// Nodes that the aliases of one YAML stream may copy in all: a guard against "billion laughs"
/// documents made of many small nodes.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// Bytes of text (scalars and keys) that the aliases of one YAML stream may copy in all: the
/// same guard for a few large strings aliased many times, which few nodes can carry.
pub const MAX_ALIAS_BYTES: usize = 16 * 1024 * 1024;

/// How deep YAML collections may nest. PyYAML gives up far sooner (Python's recursion limit);
/// the limit keeps the recursive walks over a tree (drop, emit, compare) well inside the stack.
pub const MAX_YAML_DEPTH: usize = 512;

/// The largest width or precision of one `!Format` conversion (`%10000s`, `%.10000f`).
/// Python takes any; Rust's formatter panics past 65535 and a huge width is a huge allocation.
pub const MAX_FORMAT_WIDTH: usize = 10_000;

/// What the tags of one import may produce in all, in bytes: each value a tag gives (and each
/// item an `!Enumerate` makes) counts its text plus 8 bytes per value, and each object a
/// `!Find` looks through 8 bytes. Bounds `!Enumerate` nested over itself, `!Format` outputs,
/// copies made by `!Value`, `!Context`, `!AtIndex`, and loops of lookups.
pub const MAX_TAG_OUTPUT_BYTES: usize = 64 * 1024 * 1024;

/// The largest file `!File` reads, in bytes. Only regular files are read at all.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
