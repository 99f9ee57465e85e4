//! Where a remote authentik is: its base URL, checked once for every way one comes in (the
//! command line, the remotes file). `https` is required, except on a loopback address, where
//! nothing crosses a network.

use std::fmt;
use std::net::IpAddr;

/// A remote's base URL, without a trailing slash (`https://auth.example.com`, or with a path
/// prefix when authentik is served under one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    url: String,
    host: String,
}

/// How long a URL may be.
const MAX_URL: usize = 2048;

impl Endpoint {
    /// Parses and checks a base URL; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        let text = text.trim();
        if text.len() > MAX_URL {
            return Err(format!("longer than {MAX_URL} characters"));
        }
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("contains spaces or control characters".into());
        }
        let (scheme, rest) = text
            .split_once("://")
            .ok_or("not a URL: it needs a scheme, as in https://auth.example.com")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(format!(
                "{scheme}: only https (or http on loopback) is supported"
            ));
        }
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if path.contains(['?', '#']) {
            return Err("a base URL has no query or fragment".into());
        }
        if authority.contains('@') {
            return Err("credentials in the URL are not accepted (the token comes from AUTHENTIK_TOKEN or the credentials file)".into());
        }
        let host = host_of(authority).ok_or("no host name")?;
        if scheme == "http" && !is_loopback(&host) {
            return Err(format!(
                "http://{host}: the token would cross the network in clear; use https (http is accepted only on a loopback address)"
            ));
        }
        let path = path.trim_end_matches('/');
        let path = path.strip_suffix("/api/v3").unwrap_or(path);
        Ok(Endpoint {
            url: format!("{scheme}://{authority}{path}"),
            host,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The URL of an API path (`flows/instances/`).
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v3/{path}", self.url)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// The host of `host[:port]` or `[v6]:port`, lowercased; None when empty or malformed.
fn host_of(authority: &str) -> Option<String> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => {
            let (inside, after) = rest.split_once(']')?;
            let port = match after {
                "" => None,
                after => Some(after.strip_prefix(':')?),
            };
            (inside, port)
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return None;
    }
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_'));
    valid.then(|| host.to_ascii_lowercase())
}

/// Whether a host is this machine: `localhost` or a loopback address.
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_on_loopback() {
        let ok = [
            ("https://auth.example.com", "https://auth.example.com"),
            ("https://auth.example.com/", "https://auth.example.com"),
            (
                "https://auth.example.com/api/v3/",
                "https://auth.example.com",
            ),
            (
                "https://example.com:8443/authentik",
                "https://example.com:8443/authentik",
            ),
            ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
            ("http://localhost:9000/", "http://localhost:9000"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("HTTPS://Auth.Example.com", "https://Auth.Example.com"),
        ];
        for (text, want) in ok {
            assert_eq!(Endpoint::parse(text).unwrap().as_str(), want, "{text}");
        }
        let bad = [
            "auth.example.com",
            "ftp://auth.example.com",
            "http://auth.example.com",
            "http://10.0.0.1:9000",
            "http://127.0.0.1.example.com",
            "https://user:pw@auth.example.com",
            "https://",
            "https://auth.example.com/?x=1",
            "https://auth.example.com:99999",
            "https://auth example.com",
            "https://auth.example.com/\u{1b}[2J",
        ];
        for text in bad {
            assert!(Endpoint::parse(text).is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn api_paths_hang_off_the_base() {
        let e = Endpoint::parse("https://a.example/sub/").unwrap();
        assert_eq!(
            e.api("core/users/"),
            "https://a.example/sub/api/v3/core/users/"
        );
    }
}
