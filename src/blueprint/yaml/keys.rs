//! Mapping keys as Python's dict compares them, and an index that finds an equal key without
//! comparing against every earlier one, so that building a mapping (and merging `<<` keys
//! into it) takes time linear in its number of keys.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::{Node, NodeValue};

/// The integer a float equals exactly, as Python compares an int and a float.
fn exact_int(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f))
        .then_some(f as i64)
}

/// Keys that Python's dict would take as the same: equal strings, nulls, or numbers (`1`,
/// `1.0` and `true` are one key); tagged keys when they are the same tagged node.
pub(super) fn same_key(a: &Node, b: &Node) -> bool {
    #[cfg(test)]
    COMPARISONS.with(|c| c.set(c.get() + 1));
    if a.tag.is_some() || b.tag.is_some() {
        return a.eq_ignoring_marks(b);
    }
    let int = |v: &NodeValue| match *v {
        NodeValue::Bool(b) => Some(i64::from(b)),
        NodeValue::Int(i) => Some(i),
        _ => None,
    };
    match (&a.value, &b.value) {
        (NodeValue::Float(x), NodeValue::Float(y)) => x == y,
        (NodeValue::Float(f), other) | (other, NodeValue::Float(f)) => {
            int(other).is_some_and(|i| exact_int(*f) == Some(i))
        }
        (x, y) => match (int(x), int(y)) {
            (Some(i), Some(j)) => i == j,
            _ => a.eq_ignoring_marks(b),
        },
    }
}

#[cfg(test)]
thread_local! {
    /// How many times [`same_key`] ran on this thread: the tests' measure of linear work.
    pub(super) static COMPARISONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A hash that two keys [`same_key`] takes as equal always share.
fn key_hash(key: &Node) -> u64 {
    let mut h = DefaultHasher::new();
    if key.tag.is_some() {
        structure(key, &mut h);
        return h.finish();
    }
    match &key.value {
        NodeValue::Null => 0u8.hash(&mut h),
        NodeValue::Bool(b) => (1u8, i64::from(*b)).hash(&mut h),
        NodeValue::Int(i) => (1u8, *i).hash(&mut h),
        NodeValue::Float(f) => match exact_int(*f) {
            Some(i) => (1u8, i).hash(&mut h),
            None => (2u8, f.to_bits()).hash(&mut h),
        },
        NodeValue::Str(s) => (3u8, s).hash(&mut h),
        NodeValue::Seq(_) | NodeValue::Map(_) => structure(key, &mut h),
    }
    h.finish()
}

/// Hashes what [`Node::eq_ignoring_marks`] compares: tags and values, `0.0` as `-0.0`, every
/// NaN alike.
fn structure(node: &Node, h: &mut impl Hasher) {
    node.tag.hash(h);
    match &node.value {
        NodeValue::Null => 0u8.hash(h),
        NodeValue::Bool(b) => (1u8, *b).hash(h),
        NodeValue::Int(i) => (2u8, *i).hash(h),
        NodeValue::Float(f) => {
            let canonical = if f.is_nan() {
                f64::NAN.to_bits()
            } else if *f == 0.0 {
                0
            } else {
                f.to_bits()
            };
            (3u8, canonical).hash(h);
        }
        NodeValue::Str(s) => (4u8, s).hash(h),
        NodeValue::Seq(items) => {
            (5u8, items.len()).hash(h);
            items.iter().for_each(|item| structure(item, h));
        }
        NodeValue::Map(pairs) => {
            (6u8, pairs.len()).hash(h);
            for (k, v) in pairs {
                structure(k, h);
                structure(v, h);
            }
        }
    }
}

/// Positions of keys by hash.
#[derive(Default)]
pub(super) struct KeyIndex {
    buckets: HashMap<u64, Vec<usize>>,
}

impl KeyIndex {
    /// The position of an earlier key equal to `key` (`key_at` gives the key at a position);
    /// when there is none, `key` is recorded at `position` and the answer is None.
    pub(super) fn find_or_insert<'n>(
        &mut self,
        key: &Node,
        position: usize,
        key_at: impl Fn(usize) -> &'n Node,
    ) -> Option<usize> {
        // An untagged NaN equals no key, not even another NaN: nothing to find or record.
        if key.tag.is_none() && matches!(key.value, NodeValue::Float(f) if f.is_nan()) {
            return None;
        }
        let bucket = self.buckets.entry(key_hash(key)).or_default();
        let found = bucket.iter().copied().find(|&i| same_key(key_at(i), key));
        if found.is_none() {
            bucket.push(position);
        }
        found
    }
}
