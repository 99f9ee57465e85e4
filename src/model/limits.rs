//! The limits every value in the store keeps, in one place. The edit layer checks them on every
//! change (so blueprint import, the terminal UI's forms, `screen --keys` and the command line
//! all refuse the same values with the same message), the store checks a whole document with
//! them on load (older stores get findings, never a refusal), and a save re-checks the bytes it
//! is about to write against the limit the loader enforces.
//!
//! Why these numbers:
//! - [`MAX_NESTING`] = 32 levels for any free JSON value (attributes, unmodelled settings, kept
//!   pks). The loader is serde_json, which refuses input nested 128 levels deep (it accepts
//!   [`LOADER_MAX_NESTING`] = 127), counting every object and array of the whole file. The
//!   store's own structure takes 4 levels above a value (file, table, object, settings), a
//!   blueprint export 5 (document, entries, entry, attrs, field); 32 leaves more than 90 levels
//!   of headroom, so no accepted value can ever make the store or an export unreadable, while
//!   real authentik attributes are a handful of levels deep.
//! - [`MAX_VALUE_BYTES`] = 1 MiB for one field (a string, or a JSON value as compact JSON).
//!   authentik's text fields have no length limit, but a megabyte in one field of an identity
//!   provider's configuration is a mistake or an attack; the bound keeps every object, its undo
//!   images and its change-log description small.
//! - Integers take the range of authentik's Django field (`IntegerField` is a signed 32-bit
//!   column, `PositiveIntegerField` 0..=2^31-1, `PositiveBigIntegerField` 0..=2^63-1, and
//!   `MaxValueValidator`s where authentik has one), as authentik's blueprint schema states.

use serde_json::{Map, Value};

/// How deep a free JSON value may nest (an empty object or list is 1 level).
pub const MAX_NESTING: usize = 32;

/// The most bytes one field may hold: a string's UTF-8 length, or a JSON value's compact form.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// The longest username authentik stores, in characters (`username` is a
/// `CharField(max_length=150)`).
pub const MAX_USERNAME_CHARS: usize = 150;

/// The deepest nesting the store loader accepts in the whole file: serde_json's recursion
/// limit of 128 refuses the 128th level.
pub const LOADER_MAX_NESTING: usize = 127;

/// An inclusive integer range and the authentik field type that has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntRange {
    pub min: i64,
    pub max: i64,
    pub what: &'static str,
}

/// Django's `IntegerField`: a signed 32-bit column.
pub const INTEGER: IntRange = IntRange {
    min: i32::MIN as i64,
    max: i32::MAX as i64,
    what: "a 32-bit integer",
};

/// Django's `PositiveIntegerField` (and `PositiveSmallIntegerField` widened as authentik's
/// schema states it).
pub const POSITIVE_INTEGER: IntRange = IntRange {
    min: 0,
    max: i32::MAX as i64,
    what: "a positive 32-bit integer",
};

/// Django's `PositiveBigIntegerField`.
pub const POSITIVE_BIG_INTEGER: IntRange = IntRange {
    min: 0,
    max: i64::MAX,
    what: "a positive 64-bit integer",
};

/// Binding and prompt orders (`IntegerField`).
pub const ORDER: IntRange = INTEGER;

/// A user's integer primary key (Django's `AutoField`).
pub const USER_PK: IntRange = IntRange {
    min: 1,
    max: i32::MAX as i64,
    what: "a user id (a positive 32-bit integer)",
};

/// The range of an integer setting of a stage or policy type, by authentik's field name.
pub fn setting_range(field: &str) -> Option<IntRange> {
    Some(match field {
        "failed_attempts_before_cancel"
        | "port"
        | "timeout"
        | "wait_min"
        | "wait_max"
        | "days"
        | "threshold"
        | "asns" => INTEGER,
        "token_count"
        | "recovery_max_attempts"
        | "max_attempts"
        | "amount_digits"
        | "amount_uppercase"
        | "amount_lowercase"
        | "amount_symbols"
        | "length_min"
        | "hibp_allowed_count"
        | "zxcvbn_score_threshold"
        | "distance_tolerance_km"
        | "history_login_count"
        | "impossible_tolerance_km"
        | "num_historical_passwords" => POSITIVE_INTEGER,
        "history_max_distance_km" => POSITIVE_BIG_INTEGER,
        // `MaxValueValidator(100)` on a PositiveIntegerField.
        "token_length" => IntRange {
            min: 0,
            max: 100,
            what: "a token length (0 to 100)",
        },
        _ => return None,
    })
}

/// Why `value` is outside `range`, if it is.
pub fn int_problem(value: i64, range: IntRange) -> Option<String> {
    (value < range.min || value > range.max).then(|| {
        format!(
            "{value} is out of range: authentik stores {} ({} to {})",
            range.what, range.min, range.max
        )
    })
}

/// Why a free JSON value may not be stored, with the path (starting at `path`) where the
/// problem is: too deep, too large, or a number JSON cannot carry back.
pub fn value_problem(path: &str, value: &Value) -> Option<(String, String)> {
    if let Some(fault) = walk(value, 1) {
        return Some(fault.located(path));
    }
    size_problem(path, json_size(value))
}

/// [`value_problem`] for a JSON object held as its map (a user's or group's attributes),
/// checked where it lies: the map is level 1, so each member starts at level 2.
pub fn map_problem(path: &str, map: &Map<String, Value>) -> Option<(String, String)> {
    for (key, value) in map {
        if let Some(mut fault) = walk(value, 2) {
            fault.trail.push(Step::Key(key));
            return Some(fault.located(path));
        }
    }
    size_problem(path, json_size(map))
}

fn size_problem(path: &str, size: usize) -> Option<(String, String)> {
    (size > MAX_VALUE_BYTES).then(|| {
        (
            path.to_string(),
            format!("is {size} bytes as JSON; at most {MAX_VALUE_BYTES} are allowed"),
        )
    })
}

/// Why a text field may not be stored, if it is too long.
pub fn text_problem(text: &str) -> Option<String> {
    (text.len() > MAX_VALUE_BYTES).then(|| {
        format!(
            "is {} bytes long; at most {MAX_VALUE_BYTES} are allowed",
            text.len()
        )
    })
}

/// One step from a value to a member: an object key or a list index.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// What is wrong somewhere inside a free JSON value.
enum Fault {
    /// A container nested deeper than [`MAX_NESTING`].
    Deep,
    /// An integer above `i64::MAX`: blueprint integers (YAML's, in authentik's importer and
    /// in bindery's) are signed 64-bit, so such a value could be stored but not exported.
    Big(u64),
}

/// A fault and the steps to it, innermost first: collected only as a walk unwinds from a
/// fault, so a value without one is walked without building any path.
struct Found<'a> {
    fault: Fault,
    trail: Vec<Step<'a>>,
}

impl Found<'_> {
    /// The fault as `(path, message)`. Too deep names the member directly under the field
    /// (`attributes.x`) so a person can find it; too big names the number itself.
    fn located(self, path: &str) -> (String, String) {
        use std::fmt::Write;
        let (keep, message) = match self.fault {
            Fault::Deep => (1, format!("nested deeper than {MAX_NESTING} levels")),
            Fault::Big(n) => (
                self.trail.len(),
                format!(
                    "{n} is larger than a blueprint integer (at most {})",
                    i64::MAX
                ),
            ),
        };
        let mut at = path.to_string();
        for step in self.trail.iter().rev().take(keep) {
            // Writing into a String cannot fail.
            let _ = match step {
                Step::Key(key) => write!(at, ".{key}"),
                Step::Index(i) => write!(at, "[{i}]"),
            };
        }
        (at, message)
    }
}

/// The first fault in `value`, in document order. `level` is the nesting `value` itself would
/// have if it is a container; the walk goes no deeper than [`MAX_NESTING`] + 1 levels.
fn walk<'a>(value: &'a Value, level: usize) -> Option<Found<'a>> {
    let fault = |fault| {
        Some(Found {
            fault,
            trail: Vec::new(),
        })
    };
    let step = |(mut found, step): (Found<'a>, Step<'a>)| {
        found.trail.push(step);
        found
    };
    match value {
        Value::Number(n) => match n.as_u64() {
            Some(big) if n.as_i64().is_none() => fault(Fault::Big(big)),
            _ => None,
        },
        Value::Array(_) | Value::Object(_) if level > MAX_NESTING => fault(Fault::Deep),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| Some((walk(v, level + 1)?, Step::Index(i))))
            .map(step),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| Some((walk(v, level + 1)?, Step::Key(k))))
            .map(step),
        _ => None,
    }
}

/// The length of `value` as compact JSON, counted without building the text.
fn json_size(value: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing into a counter cannot fail; a value's nesting was bounded before this is called.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// The deepest nesting of objects and arrays in JSON text, and the byte offset where it is
/// first reached: one linear pass that skips strings, without parsing.
pub fn json_nesting(bytes: &[u8]) -> (usize, usize) {
    let mut scan = JsonNesting::default();
    scan.feed(bytes);
    scan.deepest()
}

/// [`json_nesting`] over text that comes in pieces (a store streamed to its file).
#[derive(Clone, Debug, Default)]
pub struct JsonNesting {
    depth: usize,
    deepest: usize,
    at: usize,
    offset: usize,
    in_string: bool,
    escaped: bool,
}

impl JsonNesting {
    pub fn feed(&mut self, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            if self.in_string {
                match b {
                    _ if self.escaped => self.escaped = false,
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth > self.deepest {
                        self.deepest = self.depth;
                        self.at = self.offset + i;
                    }
                }
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        self.offset += bytes.len();
    }

    /// The deepest nesting so far, and the byte offset where it was first reached.
    pub fn deepest(&self) -> (usize, usize) {
        (self.deepest, self.at)
    }
}

/// The order to propose for a new binding after `orders`: the next multiple of ten above the
/// highest, else the next number above it, else the highest free number below it; always
/// inside authentik's range. None when every order is taken.
pub fn next_free_order(orders: impl Iterator<Item = i64>) -> Option<i64> {
    let used: std::collections::BTreeSet<i64> = orders.collect();
    let Some(&highest) = used.last() else {
        return Some(10);
    };
    let fits = |n: &i64| (ORDER.min..=ORDER.max).contains(n);
    let tens = highest
        .checked_div(10)
        .and_then(|t| t.checked_add(1))
        .and_then(|t| t.checked_mul(10));
    tens.filter(fits)
        .or_else(|| highest.checked_add(1).filter(fits))
        .or_else(|| (ORDER.min..=ORDER.max).rev().find(|n| !used.contains(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(levels: usize) -> Value {
        let mut v = json!(1);
        for _ in 0..levels {
            v = Value::Array(vec![v]);
        }
        v
    }

    #[test]
    fn nesting_is_counted_per_container_and_named_under_the_field() {
        let ok = json!({ "x": nested(MAX_NESTING - 1) });
        assert_eq!(value_problem("attributes", &ok), None);
        let deep = json!({ "a": 1, "x": nested(MAX_NESTING) });
        assert_eq!(
            value_problem("attributes", &deep),
            Some((
                "attributes.x".to_string(),
                format!("nested deeper than {MAX_NESTING} levels")
            ))
        );
        assert_eq!(
            value_problem("sources", &nested(MAX_NESTING + 1))
                .unwrap()
                .0,
            "sources[0]"
        );
    }

    #[test]
    fn an_integer_no_blueprint_can_hold_is_named_by_its_full_path() {
        let message = format!(
            "{} is larger than a blueprint integer (at most {})",
            u64::MAX,
            i64::MAX
        );
        let big = json!({ "a": 1, "x": { "y": [1, u64::MAX] } });
        assert_eq!(
            value_problem("attributes", &big),
            Some(("attributes.x.y[1]".to_string(), message.clone()))
        );
        assert_eq!(
            value_problem("port", &json!(u64::MAX)),
            Some(("port".to_string(), message.clone()))
        );
        let fits = json!({ "y": [i64::MIN, i64::MAX, 1.5, -1, "18446744073709551615"] });
        assert_eq!(value_problem("attributes", &fits), None);
        // Inside a value nested too deep, the depth is what is reported.
        let mut deep = json!(u64::MAX);
        for _ in 0..MAX_NESTING + 1 {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(
            value_problem("x", &deep).unwrap().1,
            format!("nested deeper than {MAX_NESTING} levels")
        );
    }

    #[test]
    fn a_map_is_checked_as_the_object_it_is() {
        let cases = [
            json!({}),
            json!({ "x": nested(MAX_NESTING - 1) }),
            json!({ "a": 1, "x": nested(MAX_NESTING) }),
            json!({ "x": { "y": [1, u64::MAX] } }),
            json!({ "x": "a".repeat(MAX_VALUE_BYTES) }),
        ];
        for value in cases {
            let Value::Object(map) = &value else {
                unreachable!()
            };
            assert_eq!(
                map_problem("attributes", map),
                value_problem("attributes", &value),
                "{:.80}",
                value.to_string()
            );
            assert_eq!(json_size(map), json_size(&value));
        }
    }

    #[test]
    fn size_is_the_compact_json_length() {
        let big = json!({ "x": "a".repeat(MAX_VALUE_BYTES) });
        let (path, message) = value_problem("attributes", &big).unwrap();
        assert_eq!(path, "attributes");
        assert!(message.contains("at most 1048576"), "{message}");
        assert_eq!(json_size(&json!({"a": [1, "b"]})), r#"{"a":[1,"b"]}"#.len());
    }

    #[test]
    fn the_byte_scan_skips_strings_and_escapes() {
        assert_eq!(json_nesting(br#"{"a": "[[[\"[{", "b": [[1]]}"#).0, 3);
        assert_eq!(json_nesting(b"[]").0, 1);
        assert_eq!(json_nesting(b"1").0, 0);
        let text = serde_json::to_vec(&nested(200)).unwrap();
        assert_eq!(json_nesting(&text), (200, 199));
        // Fed in pieces, split anywhere (inside a string, after an escape), it finds the same.
        let text = br#"{"a": "[[[\"[{", "b": [[1, {"c": "\\"}]]}"#;
        for split in 0..text.len() {
            let mut scan = JsonNesting::default();
            scan.feed(&text[..split]);
            scan.feed(&text[split..]);
            assert_eq!(scan.deepest(), json_nesting(text), "split at {split}");
        }
    }

    #[test]
    fn the_loader_limit_is_serde_jsons() {
        let text = |levels| serde_json::to_vec(&nested(levels)).unwrap();
        assert!(serde_json::from_slice::<Value>(&text(LOADER_MAX_NESTING)).is_ok());
        assert!(serde_json::from_slice::<Value>(&text(LOADER_MAX_NESTING + 1)).is_err());
    }

    #[test]
    fn next_order_never_leaves_the_range() {
        assert_eq!(next_free_order([].into_iter()), Some(10));
        assert_eq!(next_free_order([5, 20].into_iter()), Some(30));
        assert_eq!(next_free_order([i64::MAX].into_iter()), Some(ORDER.max));
        assert_eq!(
            next_free_order([ORDER.max - 3].into_iter()),
            Some(ORDER.max - 2)
        );
        assert_eq!(
            next_free_order([ORDER.max, ORDER.max - 1].into_iter()),
            Some(ORDER.max - 2)
        );
        assert_eq!(next_free_order([i64::MIN].into_iter()), Some(ORDER.max));
    }

    #[test]
    fn integer_ranges_follow_authentik() {
        assert!(int_problem(i32::MAX as i64 + 1, ORDER).is_some());
        assert!(int_problem(i32::MIN as i64, ORDER).is_none());
        assert!(int_problem(-1, POSITIVE_INTEGER).is_some());
        assert!(int_problem(101, setting_range("token_length").unwrap()).is_some());
    }
}
