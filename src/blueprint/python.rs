//! The bits of Python that blueprint tags rely on: truthiness, `str()`/`repr()` of plain
//! values, and `%` formatting (`!Format`).

use serde_json::Value;

use super::limits::MAX_FORMAT_WIDTH;

/// Python's `bool(value)`.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn py_float(f: f64) -> String {
    if f.is_finite() && f == f.trunc() && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

fn py_number(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => i.to_string(),
        (_, Some(u)) => u.to_string(),
        _ => py_float(n.as_f64().unwrap_or(0.0)),
    }
}

/// Python's `str(value)`.
pub fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr(value)`.
pub fn py_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => py_number(n),
        Value::String(s) => {
            let quote = if s.contains('\'') && !s.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::from(quote);
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", py_repr(&Value::String(k.clone())), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A width or precision: the digits at `chars`, at most [`MAX_FORMAT_WIDTH`].
fn bounded_number(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    what: &str,
) -> Result<usize, String> {
    let mut n: usize = 0;
    while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
        chars.next();
        n = n.saturating_mul(10).saturating_add(d as usize);
    }
    if n > MAX_FORMAT_WIDTH {
        let shown = if n == usize::MAX {
            "too large".to_string()
        } else {
            n.to_string()
        };
        return Err(format!(
            "{what} {shown} is over the limit of {MAX_FORMAT_WIDTH} (MAX_FORMAT_WIDTH)"
        ));
    }
    Ok(n)
}

/// Python's `format % tuple(args)` for the conversions blueprints use: `%s %r %d %i %f %x %X
/// %o %e %%`, with flags `-+ 0`, a width and a precision. The result may not be longer than
/// `max_len` bytes: `over` says what that limit is when it is reached.
pub fn format_percent(
    format: &str,
    args: &[Value],
    max_len: usize,
    over: &dyn Fn() -> String,
) -> Result<String, String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            if out.len() > max_len {
                return Err(over());
            }
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek() {
            if "-+ 0#".contains(f) {
                flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        let width = bounded_number(&mut chars, "width")?;
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            precision = Some(bounded_number(&mut chars, "precision")?);
        }
        let conversion = chars
            .next()
            .ok_or("incomplete format: a lone % at the end")?;
        if conversion == '%' {
            out.push('%');
            continue;
        }
        let arg = args
            .next()
            .ok_or("not enough arguments for format string")?;
        let text = convert(conversion, arg, &flags, precision)?;
        let pad = width.saturating_sub(text.chars().count());
        if out.len() + text.len() + pad > max_len {
            return Err(over());
        }
        if flags.contains('-') {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if flags.contains('0') && conversion != 's' && conversion != 'r' {
            let (sign, digits) = match text.strip_prefix('-') {
                Some(rest) => ("-", rest.to_string()),
                None => ("", text.clone()),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(&digits);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    if args.next().is_some() {
        return Err("not all arguments converted during string formatting".into());
    }
    Ok(out)
}

fn number(arg: &Value, conversion: char) -> Result<f64, String> {
    match arg {
        Value::Number(n) => Ok(n.as_f64().unwrap_or(0.0)),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        other => Err(format!(
            "%{conversion} format: a real number is required, not {}",
            py_repr(other)
        )),
    }
}

fn convert(
    conversion: char,
    arg: &Value,
    flags: &str,
    precision: Option<usize>,
) -> Result<String, String> {
    let sign = |negative: bool| {
        if negative {
            ""
        } else if flags.contains('+') {
            "+"
        } else if flags.contains(' ') {
            " "
        } else {
            ""
        }
    };
    Ok(match conversion {
        's' => {
            let s = py_str(arg);
            match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            }
        }
        'r' => py_repr(arg),
        'd' | 'i' | 'u' => {
            let n = number(arg, conversion)?.trunc() as i64;
            format!("{}{n}", sign(n < 0))
        }
        'x' | 'X' | 'o' => {
            let n = number(arg, conversion)?.trunc() as i64;
            let body = match conversion {
                'x' => format!("{:x}", n.unsigned_abs()),
                'X' => format!("{:X}", n.unsigned_abs()),
                _ => format!("{:o}", n.unsigned_abs()),
            };
            format!("{}{}{body}", if n < 0 { "-" } else { sign(false) }, "")
        }
        'f' | 'F' => {
            let f = number(arg, conversion)?;
            format!("{}{:.*}", sign(f < 0.0), precision.unwrap_or(6), f)
        }
        'e' | 'E' => {
            let f = number(arg, conversion)?;
            let text = format!("{:.*e}", precision.unwrap_or(6), f);
            // Rust writes 1.5e2; Python writes 1.500000e+02.
            let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
            let exp: i32 = exponent.parse().unwrap_or(0);
            let e = if conversion == 'e' { 'e' } else { 'E' };
            format!(
                "{}{mantissa}{e}{}{:02}",
                sign(f < 0.0),
                if exp < 0 { '-' } else { '+' },
                exp.abs()
            )
        }
        other => return Err(format!("unsupported format character '{other}'")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_like_python() {
        let f = |fmt: &str, args: Value| {
            format_percent(fmt, args.as_array().unwrap(), usize::MAX, &String::new).unwrap()
        };
        assert_eq!(
            f("%s.view_%s", json!(["authentik_core", "user"])),
            "authentik_core.view_user"
        );
        assert_eq!(f("%d%%", json!([42])), "42%");
        assert_eq!(f("%5s|%-5s|", json!(["ab", "cd"])), "   ab|cd   |");
        assert_eq!(
            f("%03d %+d %x %X %o", json!([7, 5, 255, 255, 8])),
            "007 +5 ff FF 10"
        );
        assert_eq!(f("%.2f %f", json!([1.23456, 1])), "1.23 1.000000");
        assert_eq!(f("%e", json!([150.0])), "1.500000e+02");
        assert_eq!(
            f("%s %s %s %s", json!([true, null, 1.0, [1, "a"]])),
            "True None 1.0 [1, 'a']"
        );
        assert_eq!(f("%r", json!(["it's"])), "\"it's\"");
        assert_eq!(f("%.3s", json!(["abcdef"])), "abc");
        let fails = |fmt: &str, args: &[Value]| {
            format_percent(fmt, args, usize::MAX, &String::new).unwrap_err()
        };
        fails("%s %s", &[json!(1)]);
        fails("%s", &[json!(1), json!(2)]);
        fails("%d", &[json!("x")]);
        fails("100%", &[]);
    }

    #[test]
    fn width_precision_and_length_are_bounded() {
        let run = |fmt: &str, arg: Value, max: usize| {
            format_percent(fmt, &[arg], max, &|| "too long".to_string())
        };
        // At the limit: formatted. Past it (where Rust's formatter panicked or a huge
        // allocation began): an error naming the limit.
        let at = format!("%.{MAX_FORMAT_WIDTH}f");
        assert_eq!(
            run(&at, json!(1.5), usize::MAX).unwrap().len(),
            2 + MAX_FORMAT_WIDTH
        );
        let at = format!("%{MAX_FORMAT_WIDTH}s");
        assert_eq!(
            run(&at, json!("a"), usize::MAX).unwrap().len(),
            MAX_FORMAT_WIDTH
        );
        for (fmt, what) in [
            ("%.70000f", "precision 70000"),
            ("%3000000000s", "width 3000000000"),
            ("%.99999999999999999999999e", "precision too large"),
        ] {
            let e = run(fmt, json!(1.5), usize::MAX).unwrap_err();
            assert!(e.contains(what) && e.contains("MAX_FORMAT_WIDTH"), "{e}");
        }
        assert_eq!(run("%100s", json!("a"), 99).unwrap_err(), "too long");
        assert_eq!(
            run("%s", json!("a".repeat(100)), 99).unwrap_err(),
            "too long"
        );
        assert_eq!(
            run(&"x".repeat(100), json!(null), 99).unwrap_err(),
            "too long"
        );
        assert_eq!(run("%100s", json!("a"), 100).unwrap().len(), 100);
    }

    #[test]
    fn truthiness_is_pythons() {
        for falsy in [
            json!(null),
            json!(false),
            json!(0),
            json!(0.0),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert!(!truthy(&falsy), "{falsy}");
        }
        for t in [
            json!(true),
            json!(1),
            json!(-0.5),
            json!("0"),
            json!([0]),
            json!({"a": null}),
        ] {
            assert!(truthy(&t), "{t}");
        }
    }
}
