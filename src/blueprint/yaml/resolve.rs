//! Scalar resolution as PyYAML's `SafeLoader` does it (YAML 1.1): the implicit resolvers of
//! `yaml/resolver.py` for plain scalars, and the constructors of `yaml/constructor.py` for
//! them and for the core tags (`!!int "12"`). The regular expressions are matched by hand;
//! each matcher quotes the expression it implements.

use super::NodeValue;

/// What a plain scalar resolves to.
#[derive(Debug, PartialEq)]
pub(crate) enum Plain {
    Value(NodeValue),
    /// `<<`: a merge key (`tag:yaml.org,2002:merge`).
    Merge,
    /// `=`: `tag:yaml.org,2002:value`, the string `"="` as a key and an error elsewhere.
    ValueKey,
}

/// The core tags that are applied and then dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Core {
    Str,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    Merge,
    Value,
}

impl Core {
    /// The core tag whose `tag:yaml.org,2002:` suffix is `suffix`.
    pub(crate) fn from_suffix(suffix: &str) -> Option<Core> {
        Some(match suffix {
            "str" => Core::Str,
            "int" => Core::Int,
            "float" => Core::Float,
            "bool" => Core::Bool,
            "null" => Core::Null,
            "seq" => Core::Seq,
            "map" => Core::Map,
            "merge" => Core::Merge,
            "value" => Core::Value,
            _ => return None,
        })
    }
}

/// A plain, untagged scalar's value under PyYAML's implicit resolvers.
pub(crate) fn resolve_plain(text: &str) -> Result<Plain, String> {
    if is_null(text) {
        return Ok(Plain::Value(NodeValue::Null));
    }
    if let Some(b) = bool_word(text) {
        return Ok(Plain::Value(NodeValue::Bool(b)));
    }
    if matches_float(text) {
        return construct_float(text).map(|f| Plain::Value(NodeValue::Float(f)));
    }
    if matches_int(text) {
        return construct_int(text).map(|i| Plain::Value(NodeValue::Int(i)));
    }
    Ok(match text {
        "<<" => Plain::Merge,
        "=" => Plain::ValueKey,
        _ => Plain::Value(NodeValue::Str(text.to_string())),
    })
}

/// The value of a scalar under an explicit core tag (`!!int 12`), as PyYAML's constructors
/// make it. `Seq`, `Map`, `Merge` and `Value` are not handled here.
pub(crate) fn construct_scalar(core: Core, text: &str) -> Result<NodeValue, String> {
    match core {
        Core::Str => Ok(NodeValue::Str(text.to_string())),
        Core::Null => Ok(NodeValue::Null),
        Core::Bool => match text.to_lowercase().as_str() {
            "yes" | "true" | "on" => Ok(NodeValue::Bool(true)),
            "no" | "false" | "off" => Ok(NodeValue::Bool(false)),
            _ => Err(format!("invalid boolean {text:?}")),
        },
        Core::Int => construct_int(text).map(NodeValue::Int),
        Core::Float => construct_float(text).map(NodeValue::Float),
        Core::Seq | Core::Map | Core::Merge | Core::Value => {
            unreachable!("collection and key tags are applied by the parser")
        }
    }
}

/// `^(?: ~ |null|Null|NULL | )$`
pub(crate) fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// `^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`
fn bool_word(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// A cursor over ASCII text for the hand-written matchers.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(s: &'a str) -> Self {
        Cur {
            s: s.as_bytes(),
            i: 0,
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, pred: impl Fn(u8) -> bool) -> bool {
        match self.peek() {
            Some(c) if pred(c) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }
    fn eat_str(&mut self, lit: &str) -> bool {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }
    /// Eats as many as match; how many.
    fn eat_many(&mut self, pred: impl Fn(u8) -> bool) -> usize {
        let start = self.i;
        while self.eat(&pred) {}
        self.i - start
    }
    fn sign(&mut self) {
        self.eat(|c| c == b'-' || c == b'+');
    }
    fn done(&self) -> bool {
        self.i == self.s.len()
    }
    /// `(?::[0-5]?[0-9])+`
    fn sexagesimal_tail(&mut self) -> bool {
        let mut any = false;
        while self.peek() == Some(b':') {
            self.i += 1;
            let two = self.s.get(self.i..self.i + 2);
            if let Some([a, b]) = two
                && (b'0'..=b'5').contains(a)
                && b.is_ascii_digit()
            {
                self.i += 2;
            } else if !self.eat(|c| c.is_ascii_digit()) {
                return false;
            }
            any = true;
        }
        any
    }
}

fn digit_(c: u8) -> bool {
    c.is_ascii_digit() || c == b'_'
}

/// Runs each alternative from the start of `text`; true when one consumes all of it.
fn any_alternative(text: &str, alternatives: &[fn(&mut Cur) -> bool]) -> bool {
    alternatives.iter().any(|alt| {
        let mut cur = Cur::new(text);
        alt(&mut cur) && cur.done()
    })
}

/// ```text
/// ^(?:[-+]?0b[0-1_]+
///    |[-+]?0[0-7_]+
///    |[-+]?(?:0|[1-9][0-9_]*)
///    |[-+]?0x[0-9a-fA-F_]+
///    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$
/// ```
pub(crate) fn matches_int(text: &str) -> bool {
    any_alternative(
        text,
        &[
            |c| {
                c.sign();
                c.eat_str("0b") && c.eat_many(|b| b == b'0' || b == b'1' || b == b'_') > 0
            },
            |c| {
                c.sign();
                c.eat_str("0") && c.eat_many(|b| (b'0'..=b'7').contains(&b) || b == b'_') > 0
            },
            |c| {
                c.sign();
                c.eat_str("0")
                    || (c.eat(|b| (b'1'..=b'9').contains(&b)) && {
                        c.eat_many(digit_);
                        true
                    })
            },
            |c| {
                c.sign();
                c.eat_str("0x") && c.eat_many(|b| b.is_ascii_hexdigit() || b == b'_') > 0
            },
            |c| {
                c.sign();
                c.eat(|b| (b'1'..=b'9').contains(&b)) && {
                    c.eat_many(digit_);
                    c.sexagesimal_tail()
                }
            },
        ],
    )
}

/// `(?:[eE][-+][0-9]+)?`
fn exponent(c: &mut Cur) -> bool {
    if c.eat(|b| b == b'e' || b == b'E') {
        c.eat(|b| b == b'-' || b == b'+') && c.eat_many(|b| b.is_ascii_digit()) > 0
    } else {
        true
    }
}

/// ```text
/// ^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
///    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
///    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
///    |[-+]?\.(?:inf|Inf|INF)
///    |\.(?:nan|NaN|NAN))$
/// ```
pub(crate) fn matches_float(text: &str) -> bool {
    any_alternative(
        text,
        &[
            |c| {
                c.sign();
                c.eat(|b| b.is_ascii_digit())
                    && {
                        c.eat_many(digit_);
                        c.eat(|b| b == b'.')
                    }
                    && {
                        c.eat_many(digit_);
                        exponent(c)
                    }
            },
            |c| {
                c.eat(|b| b == b'.') && c.eat(|b| b.is_ascii_digit()) && {
                    c.eat_many(digit_);
                    exponent(c)
                }
            },
            |c| {
                c.sign();
                c.eat(|b| b.is_ascii_digit())
                    && {
                        c.eat_many(digit_);
                        c.sexagesimal_tail()
                    }
                    && c.eat(|b| b == b'.')
                    && {
                        c.eat_many(digit_);
                        true
                    }
            },
            |c| {
                c.sign();
                c.eat(|b| b == b'.') && (c.eat_str("inf") || c.eat_str("Inf") || c.eat_str("INF"))
            },
            |c| c.eat(|b| b == b'.') && (c.eat_str("nan") || c.eat_str("NaN") || c.eat_str("NAN")),
        ],
    )
}

/// ```text
/// ^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
///    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
///     (?:[Tt]|[ \t]+)[0-9][0-9]? :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
///     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$
/// ```
/// PyYAML makes a `datetime` of these; we keep the string (see the module notes), and the
/// emitter quotes them so that authentik reads a string too.
pub(crate) fn matches_timestamp(text: &str) -> bool {
    fn digits(c: &mut Cur, min: usize, max: usize) -> bool {
        let mut n = 0;
        while n < max && c.eat(|b| b.is_ascii_digit()) {
            n += 1;
        }
        n >= min
    }
    any_alternative(
        text,
        &[
            |c| {
                digits(c, 4, 4)
                    && c.eat_str("-")
                    && digits(c, 2, 2)
                    && c.eat_str("-")
                    && digits(c, 2, 2)
            },
            |c| {
                let date = digits(c, 4, 4)
                    && c.eat_str("-")
                    && digits(c, 1, 2)
                    && c.eat_str("-")
                    && digits(c, 1, 2);
                let sep = date
                    && (c.eat(|b| b == b'T' || b == b't')
                        || c.eat_many(|b| b == b' ' || b == b'\t') > 0);
                let time = sep
                    && digits(c, 1, 2)
                    && c.eat_str(":")
                    && digits(c, 2, 2)
                    && c.eat_str(":")
                    && digits(c, 2, 2);
                if !time {
                    return false;
                }
                if c.eat_str(".") {
                    c.eat_many(|b| b.is_ascii_digit());
                }
                // The optional zone: [ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?)
                let zone_start = c.i;
                c.eat_many(|b| b == b' ' || b == b'\t');
                if c.eat_str("Z") {
                    return true;
                }
                if c.eat(|b| b == b'-' || b == b'+') && digits(c, 1, 2) {
                    let before_minutes = c.i;
                    if !(c.eat_str(":") && digits(c, 2, 2)) {
                        c.i = before_minutes;
                    }
                    return true;
                }
                c.i = zone_start;
                true
            },
        ],
    )
}

/// A sign and the rest, as PyYAML's constructors split them.
fn split_sign(value: &str) -> (bool, &str) {
    match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    }
}

/// Python's `int(digits, radix)` for the ASCII digits of `radix`, into an `i128` that fails
/// rather than overflows.
fn int_radix(digits: &str, radix: u32, whole: &str) -> Result<i128, String> {
    if digits.is_empty() {
        return Err(format!("invalid integer {whole:?}"));
    }
    let mut acc: i128 = 0;
    for ch in digits.chars() {
        let d = ch
            .to_digit(radix)
            .ok_or_else(|| format!("invalid integer {whole:?}"))?;
        acc = acc
            .checked_mul(i128::from(radix))
            .and_then(|a| a.checked_add(i128::from(d)))
            .ok_or_else(|| format!("integer out of range: {whole}"))?;
    }
    Ok(acc)
}

/// PyYAML's `construct_yaml_int`: underscores dropped, a sign, then `0`, `0b…`, `0x…`,
/// `0…` (octal), `a:b:c` (base 60) or decimal. Values outside `i64` are an error.
pub(crate) fn construct_int(text: &str) -> Result<i64, String> {
    let cleaned: String = text.trim().chars().filter(|&c| c != '_').collect();
    let (negative, value) = split_sign(&cleaned);
    let magnitude: i128 = if value == "0" {
        0
    } else if let Some(bin) = value.strip_prefix("0b") {
        int_radix(bin, 2, text)?
    } else if let Some(hex) = value.strip_prefix("0x") {
        int_radix(hex, 16, text)?
    } else if value.starts_with('0') {
        // Python's int(value, 8) also takes an `0o` prefix.
        let oct = value
            .strip_prefix("0o")
            .or_else(|| value.strip_prefix("0O"))
            .unwrap_or(value);
        int_radix(oct, 8, text)?
    } else if value.contains(':') {
        let mut acc: i128 = 0;
        for part in value.split(':') {
            let digit = int_radix(part, 10, text)?;
            acc = acc
                .checked_mul(60)
                .and_then(|a| a.checked_add(digit))
                .ok_or_else(|| format!("integer out of range: {text}"))?;
        }
        acc
    } else {
        int_radix(value, 10, text)?
    };
    let signed = if negative { -magnitude } else { magnitude };
    i64::try_from(signed).map_err(|_| format!("integer out of range: {text}"))
}

/// PyYAML's `construct_yaml_float`: underscores dropped, lower-cased, a sign, then `.inf`,
/// `.nan`, `a:b:c.d` (base 60) or whatever Python's `float()` reads.
pub(crate) fn construct_float(text: &str) -> Result<f64, String> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_lowercase();
    let (negative, value) = split_sign(&cleaned);
    let invalid = || format!("invalid float {text:?}");
    let parse = |s: &str| -> Result<f64, String> {
        // Rust's parser takes a sign where Python's float() would take one too.
        s.parse::<f64>().map_err(|_| invalid())
    };
    let magnitude = match value {
        ".inf" => f64::INFINITY,
        ".nan" => f64::NAN,
        _ if value.contains(':') => {
            let mut acc = 0.0;
            for part in value.split(':') {
                acc = acc * 60.0 + parse(part)?;
            }
            acc
        }
        _ => parse(value)?,
    };
    Ok(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> NodeValue {
        match resolve_plain(text) {
            Ok(Plain::Value(v)) => v,
            other => panic!("{text:?} resolved to {other:?}"),
        }
    }

    fn s(text: &str) -> NodeValue {
        NodeValue::Str(text.to_string())
    }

    #[test]
    fn nulls() {
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain(t), NodeValue::Null, "{t:?}");
        }
        for t in ["nULL", "none", "None", "~~"] {
            assert_eq!(plain(t), s(t), "{t:?}");
        }
    }

    #[test]
    fn bools() {
        for t in [
            "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            assert_eq!(plain(t), NodeValue::Bool(true), "{t:?}");
        }
        for t in [
            "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(plain(t), NodeValue::Bool(false), "{t:?}");
        }
        for t in ["y", "n", "yEs", "tRUE", "oN"] {
            assert_eq!(plain(t), s(t), "{t:?}");
        }
    }

    #[test]
    fn ints() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("-0", 0),
            ("+1", 1),
            ("12", 12),
            ("-12", -12),
            ("1_000", 1000),
            ("1__", 1),
            ("0_", 0),
            ("00", 0),
            ("012", 10),
            ("-017", -15),
            ("0b101", 5),
            ("+0b11", 3),
            ("0b1_0", 2),
            ("0x1F", 31),
            ("-0x1f", -31),
            ("0xdead_BEEF", 0xdead_beef),
            ("190:20:30", 685_230),
            ("-1:30", -90),
            ("1:5", 65),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
            ("-0x8000000000000000", i64::MIN),
        ];
        for &(t, want) in cases {
            assert_eq!(plain(t), NodeValue::Int(want), "{t:?}");
        }
        for t in [
            "09", "08", "0x", "0b", "0o17", "1:60", "1:0_5", "_1", "1e3", "0xG", "1 2", "--1",
        ] {
            assert_eq!(plain(t), s(t), "{t:?}");
        }
    }

    #[test]
    fn int_errors() {
        assert!(
            resolve_plain("9223372036854775808")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(
            resolve_plain("-9223372036854775809")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(
            resolve_plain("0x1_0000_0000_0000_0000")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(
            resolve_plain(&"9".repeat(60))
                .unwrap_err()
                .contains("out of range")
        );
        // PyYAML: int('', 2) fails the same way.
        assert!(
            resolve_plain("0b_")
                .unwrap_err()
                .contains("invalid integer")
        );
        assert!(
            resolve_plain("0x_")
                .unwrap_err()
                .contains("invalid integer")
        );
    }

    #[test]
    fn floats() {
        let cases: &[(&str, f64)] = &[
            ("1.5", 1.5),
            ("-1.5", -1.5),
            ("+1.5", 1.5),
            ("1.", 1.0),
            ("0.", 0.0),
            (".5", 0.5),
            ("1_000.5", 1000.5),
            ("1._", 1.0),
            ("1.0e+3", 1000.0),
            ("1.0E-3", 0.001),
            ("6.8523015e+5", 685_230.15),
            (".5e+1", 5.0),
            ("190:20:30.15", 685_230.15),
            ("-1:30.5", -90.5),
            (".inf", f64::INFINITY),
            ("+.Inf", f64::INFINITY),
            ("-.INF", f64::NEG_INFINITY),
        ];
        for &(t, want) in cases {
            assert_eq!(plain(t), NodeValue::Float(want), "{t:?}");
        }
        for t in [".nan", ".NaN", ".NAN"] {
            assert!(
                matches!(plain(t), NodeValue::Float(f) if f.is_nan()),
                "{t:?}"
            );
        }
        // YAML 1.1 as PyYAML has it: no dot or an unsigned exponent makes a string.
        for t in [
            "1e3", "1.0e3", "1E+3", "-.5", ".", "._", "+.nan", "-.nan", ".Nan", "inf", "nan",
            "1.5.", "1.0e+",
        ] {
            assert_eq!(plain(t), s(t), "{t:?}");
        }
    }

    #[test]
    fn merge_value_and_strings() {
        assert_eq!(resolve_plain("<<"), Ok(Plain::Merge));
        assert_eq!(resolve_plain("="), Ok(Plain::ValueKey));
        for t in ["<<<", "==", "a", "2024-01-01", "a: b", "-", "0x1F!", " 1"] {
            assert_eq!(plain(t), s(t), "{t:?}");
        }
    }

    #[test]
    fn timestamps() {
        for t in [
            "2024-01-01",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "2001-12-15T02:59:43.1Z",
            "2001-12-15 2:59:43.10",
            "2002-1-2 1:02:03",
        ] {
            assert!(matches_timestamp(t), "{t:?}");
        }
        for t in [
            "2024-1-1",
            "24-01-01",
            "2024-01-01x",
            "2024-01-01T1:2:3",
            "2024/01/01",
        ] {
            assert!(!matches_timestamp(t), "{t:?}");
        }
    }

    #[test]
    fn core_constructors() {
        use NodeValue::*;
        assert_eq!(construct_scalar(Core::Str, "10"), Ok(s("10")));
        assert_eq!(construct_scalar(Core::Int, "0x1F"), Ok(Int(31)));
        assert_eq!(construct_scalar(Core::Int, " 12 "), Ok(Int(12)));
        assert_eq!(construct_scalar(Core::Int, "0o17"), Ok(Int(15)));
        assert_eq!(construct_scalar(Core::Int, "1:99"), Ok(Int(159)));
        assert!(construct_scalar(Core::Int, "1e3").is_err());
        assert!(construct_scalar(Core::Int, "").is_err());
        assert!(construct_scalar(Core::Int, "0b2").is_err());
        assert_eq!(construct_scalar(Core::Float, "1e3"), Ok(Float(1000.0)));
        assert_eq!(construct_scalar(Core::Float, "1"), Ok(Float(1.0)));
        assert_eq!(construct_scalar(Core::Float, "1_0"), Ok(Float(10.0)));
        assert_eq!(
            construct_scalar(Core::Float, "-inf"),
            Ok(Float(f64::NEG_INFINITY))
        );
        assert!(construct_scalar(Core::Float, "").is_err());
        assert!(construct_scalar(Core::Float, "x").is_err());
        assert_eq!(construct_scalar(Core::Bool, "YeS"), Ok(Bool(true)));
        assert_eq!(construct_scalar(Core::Bool, "off"), Ok(Bool(false)));
        assert!(construct_scalar(Core::Bool, "maybe").is_err());
        assert_eq!(construct_scalar(Core::Null, "anything"), Ok(Null));
    }
}
