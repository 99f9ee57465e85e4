//! The API token: from `AUTHENTIK_TOKEN`, else from the credentials file in the configuration
//! directory (`credentials.toml`, one table per remote, readable by its owner alone). Never
//! from a command-line argument (anyone can read those in `ps`), and never in a message, a log
//! line or a `Debug` print.

use std::fmt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::RemoteError;

/// The environment variable a token is read from first (as authentik's Terraform provider).
pub const TOKEN_ENV: &str = "AUTHENTIK_TOKEN";

/// The credentials file's name in the configuration directory.
pub const CREDENTIALS_FILE: &str = "credentials.toml";

/// How long a token may be.
const MAX_TOKEN: usize = 4096;

/// An API token. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Checks a token's text (no spaces or control characters: it goes into a header).
    pub fn new(text: &str) -> Result<Token, String> {
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return Err("the token is empty".into());
        }
        if text.len() > MAX_TOKEN {
            return Err(format!("the token is longer than {MAX_TOKEN} characters"));
        }
        if !text.chars().all(|c| c.is_ascii_graphic()) {
            return Err("the token has spaces, control or non-ASCII characters".into());
        }
        Ok(Token(text.to_string()))
    }

    /// The header value that carries it.
    pub(super) fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(hidden)")
    }
}

/// Where a token came from, for `remote list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    Environment,
    File,
    Missing,
}

pub fn credentials_path(config_dir: &Path) -> PathBuf {
    config_dir.join(CREDENTIALS_FILE)
}

/// The token for `remote`: `AUTHENTIK_TOKEN` if set, else the credentials file's.
pub fn token_for(config_dir: Option<&Path>, remote: &str) -> Result<Token, RemoteError> {
    if let Some(text) = std::env::var_os(TOKEN_ENV).filter(|v| !v.is_empty()) {
        let text = text.to_str().ok_or(RemoteError::Token {
            why: format!("{TOKEN_ENV} is not UTF-8"),
        })?;
        return Token::new(text).map_err(|why| RemoteError::Token {
            why: format!("{TOKEN_ENV}: {why}"),
        });
    }
    let found = match config_dir {
        Some(dir) => read_file(&credentials_path(dir))?.remove(remote),
        None => None,
    };
    found.ok_or_else(|| RemoteError::NoToken {
        remote: remote.to_string(),
    })
}

/// Where `remote`'s token would come from now.
pub fn token_source(config_dir: Option<&Path>, remote: &str) -> TokenSource {
    if std::env::var_os(TOKEN_ENV).is_some_and(|v| !v.is_empty()) {
        return TokenSource::Environment;
    }
    match config_dir.map(|dir| read_file(&credentials_path(dir))) {
        Some(Ok(tokens)) if tokens.contains_key(remote) => TokenSource::File,
        _ => TokenSource::Missing,
    }
}

/// Every token in the file (none when there is no file); refused when others may read it.
fn read_file(path: &Path) -> Result<std::collections::BTreeMap<String, Token>, RemoteError> {
    let shown = || crate::text::sanitize(&path.display().to_string()).into_owned();
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Default::default()),
        Err(err) => {
            return Err(RemoteError::Token {
                why: format!("{}: {err}", shown()),
            });
        }
    };
    if !meta.is_file() {
        return Err(RemoteError::Token {
            why: format!("{}: not a regular file", shown()),
        });
    }
    if meta.mode() & 0o077 != 0 || meta.uid() != crate::store::fs::euid() {
        return Err(RemoteError::Token {
            why: format!(
                "{} may be read by others (mode {:o}, owner {}); it holds API tokens: run chmod 600 on it (as its owner)",
                shown(),
                meta.mode() & 0o777,
                meta.uid()
            ),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|err| RemoteError::Token {
        why: format!("{}: {err}", shown()),
    })?;
    // A parse error quotes the line it is on: a token could be on it.
    let table: toml::Table = text.parse().map_err(|_| RemoteError::Token {
        why: format!(
            "{} is not valid TOML (expected a [NAME] table with token = \"...\" per remote)",
            shown()
        ),
    })?;
    let mut tokens = std::collections::BTreeMap::new();
    for (name, value) in table {
        if let Some(text) = value.get("token").and_then(|t| t.as_str()) {
            let token = Token::new(text).map_err(|why| RemoteError::Token {
                why: format!("{}: [{name}]: {why}", shown()),
            })?;
            tokens.insert(name, token);
        }
    }
    Ok(tokens)
}

/// Keeps `token` for `remote` in the credentials file (created 0600 in a 0700 directory),
/// or forgets the remote's token when `token` is None.
pub fn save_token(
    config_dir: &Path,
    remote: &str,
    token: Option<&Token>,
    store: &Path,
) -> Result<(), RemoteError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(config_dir)
        .map_err(|err| RemoteError::Token {
            why: format!("{}: {err}", config_dir.display()),
        })?;
    let path = credentials_path(config_dir);
    let mut tokens = read_file(&path)?;
    match token {
        Some(token) => {
            tokens.insert(remote.to_string(), token.clone());
        }
        None => {
            if tokens.remove(remote).is_none() {
                return Ok(());
            }
        }
    }
    let mut table = toml::Table::new();
    for (name, token) in tokens {
        let mut entry = toml::Table::new();
        entry.insert("token".into(), toml::Value::String(token.0));
        table.insert(name, toml::Value::Table(entry));
    }
    let text = format!(
        "# API tokens of bindery's remotes; keep this file readable by you alone (chmod 600).\n{}",
        toml::to_string(&table).expect("a table of strings serialises")
    );
    crate::store::write_output(&path, text.as_bytes(), store)?;
    // write_output honours the umask; a token file is never more than 0600.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(|err| {
        RemoteError::Token {
            why: format!("{}: {err}", path.display()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_shows_in_debug() {
        let token = Token::new("ak-secret-123\n").unwrap();
        assert_eq!(format!("{token:?}"), "Token(hidden)");
        assert_eq!(token.bearer(), "Bearer ak-secret-123");
    }

    #[test]
    fn tokens_with_spaces_or_controls_are_refused() {
        for bad in ["", "a b", "a\u{1b}b", "é", "a\nb"] {
            assert!(Token::new(bad).is_err(), "{bad:?}");
        }
    }
}
