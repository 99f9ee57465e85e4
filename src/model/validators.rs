//! authentik's field validators, reproduced: time lengths (`timedelta_string_validator`),
//! email addresses (Django's `EmailValidator`) and, in [`super::expression`], the syntax of
//! expression policies. Each returns why a value is refused.

/// Stage settings that authentik validates with `timedelta_string_validator`.
pub const TIME_LENGTH_FIELDS: &[&str] = &[
    "session_duration",
    "remember_me_offset",
    "remember_device",
    "token_expiry",
    "recovery_cache_timeout",
    "consent_expire_in",
    "last_auth_threshold",
    "resume_timeout",
];

/// Stage settings that are Django `EmailField`s (a value is required).
pub const EMAIL_FIELDS: &[&str] = &["from_address"];

/// Policy settings holding Python code that authentik compiles when it is saved
/// (`ExpressionPolicySerializer.validate_expression`, see [`super::expression`]).
pub const PYTHON_FIELDS: &[&str] = &["expression"];

/// The keyword arguments of Python's `timedelta` that authentik passes on, with their length
/// in seconds.
const TIME_KEYS: &[(&str, f64)] = &[
    ("microseconds", 1e-6),
    ("milliseconds", 1e-3),
    ("seconds", 1.0),
    ("minutes", 60.0),
    ("hours", 3_600.0),
    ("days", 86_400.0),
    ("weeks", 604_800.0),
];

/// Python's `timedelta` holds at most 999,999,999 days either way.
const MAX_TIMEDELTA_SECONDS: f64 = 999_999_999.0 * 86_400.0;

/// authentik's `timedelta_from_string`: `key=value` pairs joined by `;`, each with exactly one
/// `=`; keys are compared lower-cased and unknown ones are skipped, but at least one must be
/// known; values are Python floats. Values Python's `timedelta` cannot hold (not a number,
/// infinite, beyond 999,999,999 days) are refused too: authentik would fail on them later.
pub fn time_length_problem(text: &str) -> Option<String> {
    let refuse = |why: String| {
        Some(format!(
            "{text:?} is not a time length like hours=1;minutes=30: {why}"
        ))
    };
    let mut values: Vec<(usize, f64)> = Vec::new();
    for pair in text.split(';') {
        let mut parts = pair.split('=');
        let (Some(key), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
            return refuse(format!("{pair:?} is not one key=value"));
        };
        let Some(index) = TIME_KEYS.iter().position(|(k, _)| *k == key.to_lowercase()) else {
            continue;
        };
        let Some(number) = python_float(value) else {
            return refuse(format!("{value:?} is not a number"));
        };
        if !number.is_finite() {
            return refuse(format!("{value:?} is not a finite number"));
        }
        values.retain(|(i, _)| *i != index);
        values.push((index, number));
    }
    if values.is_empty() {
        let keys: Vec<&str> = TIME_KEYS.iter().map(|(k, _)| *k).collect();
        return refuse(format!("no known key (use {})", keys.join(", ")));
    }
    let seconds: f64 = values.iter().map(|(i, v)| v * TIME_KEYS[*i].1).sum();
    if !seconds.is_finite() || seconds.abs() > MAX_TIMEDELTA_SECONDS {
        return refuse("it is longer than 999999999 days".to_string());
    }
    None
}

/// Python's `float(str)` for ASCII input: surrounding white space, a sign, digits with single
/// underscores between them, a fraction, an exponent, or inf/infinity/nan in any case.
fn python_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'_' {
            let digit =
                |j: Option<usize>| j.and_then(|j| bytes.get(j)).is_some_and(u8::is_ascii_digit);
            if !digit(i.checked_sub(1)) || !digit(Some(i + 1)) {
                return None;
            }
        }
    }
    text.replace('_', "").parse::<f64>().ok()
}

/// Django's `EmailValidator`: a dot-atom or quoted local part, `@`, and a domain of labels
/// with a top-level label of two or more characters (or `localhost`, or an address literal).
pub fn email_problem(text: &str) -> Option<String> {
    let refuse = |why: &str| Some(format!("{text:?} is not a valid email address: {why}"));
    if text.len() > 320 {
        return refuse("it is longer than 320 characters");
    }
    let Some((user, domain)) = text.rsplit_once('@') else {
        return refuse("it has no @");
    };
    if !valid_local_part(user) {
        return refuse("the part before @ is not valid");
    }
    if !(domain == "localhost" || valid_domain(domain) || valid_literal(domain)) {
        return refuse("the domain is not valid");
    }
    None
}

fn valid_local_part(user: &str) -> bool {
    const ATOM_EXTRA: &str = "-!#$%&'*+/=?^_`{}|~";
    let atom_char = |c: char| c.is_ascii_alphanumeric() || ATOM_EXTRA.contains(c);
    if let Some(quoted) = user.strip_prefix('"').and_then(|u| u.strip_suffix('"')) {
        let mut chars = quoted.chars();
        while let Some(c) = chars.next() {
            let ok = match c {
                '\\' => chars
                    .next()
                    .is_some_and(|n| matches!(n as u32, 1..=9 | 11 | 12 | 14..=127)),
                '"' => false,
                c => matches!(c as u32, 1..=8 | 11 | 12 | 14..=31 | 33..=127),
            };
            if !ok {
                return false;
            }
        }
        return true;
    }
    !user.is_empty()
        && user
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atom_char))
}

/// Labels of letters, digits and inner hyphens (non-ASCII letters stand for their punycode),
/// at least two, the last one two to 63 characters not ending with a hyphen.
fn valid_domain(domain: &str) -> bool {
    let label_char = |c: char| c.is_alphanumeric() || c == '-';
    let labels: Vec<&str> = domain.split('.').collect();
    let Some((tld, rest)) = labels.split_last() else {
        return false;
    };
    !rest.is_empty()
        && rest.iter().all(|l| {
            (1..=63).contains(&l.chars().count())
                && l.chars().all(label_char)
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && (2..=63).contains(&tld.chars().count())
        && tld.chars().all(label_char)
        && !tld.ends_with('-')
}

fn valid_literal(domain: &str) -> bool {
    domain
        .strip_prefix('[')
        .and_then(|d| d.strip_suffix(']'))
        .is_some_and(|ip| {
            let ip = ip.strip_prefix("IPv6:").unwrap_or(ip);
            ip.parse::<std::net::IpAddr>().is_ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_lengths_follow_authentik() {
        for ok in [
            "seconds=0",
            "hours=1;minutes=30",
            "HOURS=1",
            "days=-1.5",
            "minutes= 5 ",
            "weeks=1_000",
            "foo=3;seconds=1",
            "seconds=1e3",
        ] {
            assert_eq!(time_length_problem(ok), None, "{ok}");
        }
        for bad in [
            "abc",
            "",
            "hours=1;",
            "hours=1=2",
            "foo=1",
            "hours=x",
            "hours=nan",
            "hours=inf",
            "weeks=1__0",
            "days=1000000000",
            "hours =1",
        ] {
            assert!(time_length_problem(bad).is_some(), "{bad}");
        }
        let message = time_length_problem("abc").unwrap();
        assert!(message.contains("hours=1;minutes=30"), "{message}");
    }

    #[test]
    fn emails_follow_django() {
        for ok in [
            "system@authentik.local",
            "a.b+c@example.com",
            "root@localhost",
            "\"a\\ b\"@example.org",
            "x@[127.0.0.1]",
            "a@bücher.de",
        ] {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "plain",
            "a@b",
            "a..b@example.com",
            "a@-x.com",
            "a@example.c",
            "a b@example.com",
            "\"a b\"@example.org",
            "a@example.com-",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }
}
