//! Which authentik versions bindery talks to: those with the blueprint import endpoint it
//! pushes through (`managed/blueprints/import/`, which replaced the flow import action in
//! 2026.5).

use super::{Client, RemoteError};

/// The oldest supported authentik release.
pub const SUPPORTED: &str = "2026.5";
const OLDEST: (u32, u32) = (2026, 5);

/// Reads the remote's version (`admin/version/`) and refuses one older than [`SUPPORTED`].
pub fn check_version(client: &mut Client) -> Result<String, RemoteError> {
    let path = "admin/version/";
    let body = match client.get_json(path) {
        Ok(body) => body,
        // Reading the version may need a permission a token for flows lacks: the import
        // endpoint's 404 still names an authentik that is too old.
        Err(RemoteError::Forbidden { .. }) => return Ok("unknown".into()),
        Err(err) => return Err(err),
    };
    let found = body
        .get("version_current")
        .and_then(|v| v.as_str())
        .ok_or_else(|| RemoteError::Malformed {
            what: client.endpoint().api(path),
            why: "no version_current".into(),
        })?;
    let found = crate::text::sanitize(found).into_owned();
    match release_of(&found) {
        Some(release) if release >= OLDEST => Ok(found),
        _ => Err(RemoteError::Version { found }),
    }
}

/// `(year, month)` of a version such as `2026.8.5` or `2026.8.0-rc1`.
fn release_of(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split(['.', '-']);
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    Some((year, month))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_compare_by_year_then_month() {
        assert_eq!(release_of("2026.8.5"), Some((2026, 8)));
        assert_eq!(release_of("2026.10.0-rc1"), Some((2026, 10)));
        assert!(release_of("2026.10.0").unwrap() > OLDEST);
        assert!(release_of("2026.2.7").unwrap() < OLDEST);
        assert_eq!(release_of("garbage"), None);
    }
}
