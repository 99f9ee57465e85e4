//! The remotes a store syncs with, and what each was when last pulled (its base): kept beside
//! the store, `<store>.remotes.json` for names and URLs and `<store>.remote-<NAME>.base.json`
//! for each base, a document in the store's own format. Both are written like the store,
//! atomically; the base is written only after the store is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Endpoint, RemoteError};
use crate::model::Document;
use crate::store::{self, StoreError};
use crate::text::sanitize;

/// How long a remote's name may be.
const MAX_NAME: usize = 64;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Remote {
    pub url: String,
    /// When the last pull finished (seconds since 1970, UTC); None before the first.
    #[serde(default)]
    pub pulled_at: Option<i64>,
    /// The authentik version the last pull or push talked to.
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    remotes: BTreeMap<String, Remote>,
}

/// The remotes of the store at `store`.
#[derive(Debug)]
pub struct Remotes {
    store: PathBuf,
    file: File,
}

/// A remote's name: letters, digits, `-` and `_`.
pub fn check_name(name: &str) -> Result<(), RemoteError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(RemoteError::Name {
            name: sanitize(name).into_owned(),
        })
    }
}

pub fn remotes_path(store: &Path) -> PathBuf {
    sibling(store, ".remotes.json")
}

pub fn base_path(store: &Path, name: &str) -> PathBuf {
    sibling(store, &format!(".remote-{name}.base.json"))
}

fn sibling(store: &Path, suffix: &str) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    store.with_file_name(name)
}

impl Remotes {
    /// The remotes of `store` (none when the file is not there).
    pub fn load(store: &Path) -> Result<Remotes, RemoteError> {
        let path = remotes_path(store);
        let file = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| RemoteError::File {
                path: path.clone(),
                why: err.to_string(),
            })?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => File::default(),
            Err(err) => return Err(StoreError::io(&path, err).into()),
        };
        let remotes = Remotes {
            store: store.to_path_buf(),
            file,
        };
        for (name, remote) in &remotes.file.remotes {
            check_name(name)?;
            Endpoint::parse(&remote.url).map_err(|why| RemoteError::File {
                path: path.clone(),
                why: format!("remote {name}: {why}"),
            })?;
        }
        Ok(remotes)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Remote)> {
        self.file.remotes.iter()
    }

    pub fn get(&self, name: &str) -> Option<&Remote> {
        self.file.remotes.get(name)
    }

    /// The remote a command names, or the only one when it names none.
    pub fn pick(&self, name: Option<&str>) -> Result<(String, Endpoint), RemoteError> {
        let names = || self.file.remotes.keys().cloned().collect::<Vec<_>>();
        let (name, remote) = match name {
            Some(name) => {
                let remote =
                    self.file
                        .remotes
                        .get(name)
                        .ok_or_else(|| RemoteError::NoSuchRemote {
                            name: sanitize(name).into_owned(),
                            known: names(),
                        })?;
                (name.to_string(), remote)
            }
            None => match self.file.remotes.len() {
                0 => return Err(RemoteError::NoRemotes),
                1 => {
                    let (name, remote) = self.file.remotes.iter().next().expect("one remote");
                    (name.clone(), remote)
                }
                _ => return Err(RemoteError::WhichRemote { known: names() }),
            },
        };
        let endpoint = Endpoint::parse(&remote.url).map_err(|why| RemoteError::File {
            path: remotes_path(&self.store),
            why,
        })?;
        Ok((name, endpoint))
    }

    pub fn add(&mut self, name: &str, endpoint: &Endpoint) -> Result<(), RemoteError> {
        check_name(name)?;
        if self.file.remotes.contains_key(name) {
            return Err(RemoteError::Exists {
                name: name.to_string(),
            });
        }
        self.file.remotes.insert(
            name.to_string(),
            Remote {
                url: endpoint.as_str().to_string(),
                ..Remote::default()
            },
        );
        self.save()
    }

    /// Forgets a remote and its base.
    pub fn remove(&mut self, name: &str) -> Result<(), RemoteError> {
        if self.file.remotes.remove(name).is_none() {
            return Err(RemoteError::NoSuchRemote {
                name: sanitize(name).into_owned(),
                known: self.file.remotes.keys().cloned().collect(),
            });
        }
        self.save()?;
        let base = base_path(&self.store, name);
        match std::fs::remove_file(&base) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(StoreError::io(&base, err).into())
            }
            _ => Ok(()),
        }
    }

    /// Notes a finished pull or push.
    pub fn synced(&mut self, name: &str, at: i64, version: &str) -> Result<(), RemoteError> {
        if let Some(remote) = self.file.remotes.get_mut(name) {
            remote.pulled_at = Some(at);
            remote.version = Some(version.to_string());
        }
        self.save()
    }

    fn save(&self) -> Result<(), RemoteError> {
        let text = serde_json::to_string_pretty(&self.file).expect("remotes serialise");
        let path = remotes_path(&self.store);
        store_dir(&path)?;
        store::write_output(&path, text.as_bytes(), &self.store)?;
        Ok(())
    }
}

/// The store's directory, created (0700) as the store's first save creates it.
fn store_dir(path: &Path) -> Result<(), RemoteError> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = crate::store::trust::parent_dir(path);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|err| StoreError::io(&dir, err).into())
}

/// The base of `name`: what the remote was at the last pull or push; None before the first.
pub fn load_base(store: &Path, name: &str) -> Result<Option<Document>, RemoteError> {
    let path = base_path(store, name);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(store::parse(&path, &bytes)?)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(StoreError::io(&path, err).into()),
    }
}

/// Keeps `doc` as the base of `name`.
pub fn save_base(store: &Path, name: &str, doc: &Document) -> Result<(), RemoteError> {
    let path = base_path(store, name);
    store_dir(&path)?;
    store::write_output_with(&path, store, |out| {
        serde_json::to_writer(out, doc).map_err(std::io::Error::other)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_and_plain() {
        for good in ["prod", "staging-2", "a_b"] {
            assert!(check_name(good).is_ok());
        }
        for bad in ["", "a b", "../x", "a/b", "x\u{1b}", &"n".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn files_sit_beside_the_store() {
        let store = Path::new("/data/store.json");
        assert_eq!(
            remotes_path(store),
            Path::new("/data/store.json.remotes.json")
        );
        assert_eq!(
            base_path(store, "prod"),
            Path::new("/data/store.json.remote-prod.base.json")
        );
    }
}
