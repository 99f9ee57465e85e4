//! `bindery doctor`: whether the store loads, which backups load, and restoring one.

use std::fmt::Write as _;
use std::path::Path;

use super::{CliError, Output};
use crate::store::{Store, backups, restore_command};
use crate::text::sanitize;

/// Checks the store and its backups; exit 1 (with the report) when the store does not load.
pub fn check(store_path: &Path) -> Result<Output, CliError> {
    let mut out = String::new();
    let shown = |p: &Path| sanitize(&p.display().to_string()).into_owned();
    let _ = writeln!(out, "store: {}", shown(store_path));
    // Unhinted: the backups are listed below; the hint would read and parse them again.
    let healthy = match Store::open_unhinted(store_path) {
        Ok(store) if !store.exists() => {
            let _ = writeln!(out, "  does not exist yet");
            true
        }
        Ok(store) => {
            let _ = writeln!(
                out,
                "  loads: generation {}, {} integrity problem(s){}",
                store.doc().generation,
                store.problems().len(),
                if store.problems().is_empty() {
                    ""
                } else {
                    " (bindery lint shows them)"
                }
            );
            true
        }
        Err(err) => {
            let _ = writeln!(out, "  DOES NOT LOAD: {}", sanitize(&err.to_string()));
            false
        }
    };
    let found = backups(store_path);
    if found.is_empty() {
        let _ = writeln!(out, "backups: none");
    } else {
        let _ = writeln!(out, "backups (newest first):");
    }
    for backup in &found {
        match &backup.loads {
            Ok(generation) => {
                let _ = writeln!(
                    out,
                    "  {}  generation {generation}  loads",
                    shown(&backup.path)
                );
            }
            Err(why) => {
                let _ = writeln!(
                    out,
                    "  {}  does not load: {}",
                    shown(&backup.path),
                    sanitize(why)
                );
            }
        }
    }
    if !healthy && let Some(newest) = found.iter().find(|b| b.loads.is_ok()) {
        let _ = writeln!(
            out,
            "restore the newest backup that loads with:\n  {}",
            sanitize(&restore_command(store_path, &newest.path))
        );
    }
    let output = Output {
        stdout: out,
        ..Output::default()
    };
    if healthy {
        Ok(output)
    } else {
        Err(CliError::Findings(output))
    }
}

/// Restores `from` over the store, keeping the current file aside.
pub fn restore(store_path: &Path, from: &Path) -> Result<Output, CliError> {
    let restored = Store::restore(store_path, from)?;
    let shown = |p: &Path| sanitize(&p.display().to_string()).into_owned();
    let mut out = String::new();
    if let Some(aside) = &restored.kept_aside {
        let _ = writeln!(out, "kept the previous store file as {}", shown(aside));
    }
    let _ = writeln!(
        out,
        "restored {} as {} (generation {})",
        shown(from),
        shown(store_path),
        restored.generation
    );
    Ok(Output {
        stdout: out,
        ..Output::default()
    })
}
