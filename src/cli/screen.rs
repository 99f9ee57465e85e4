//! `bindery screen [--size WxH] [--keys KEYS] [--dry-run]`

use std::path::Path;

use super::saving::not_saved;
use super::{CliError, Output};
use crate::tui::{self, keys::parse_events, screen};

fn parse_size(text: &str) -> Result<(u16, u16), CliError> {
    let bad = || {
        CliError::msg(format!(
            "--size {text:?}: expected WIDTHxHEIGHT, for example 100x30"
        ))
    };
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u16 = w.trim().parse().map_err(|_| bad())?;
    let h: u16 = h.trim().parse().map_err(|_| bad())?;
    if w > 1000 || h > 1000 {
        return Err(CliError::msg(format!("--size {text:?}: at most 1000x1000")));
    }
    Ok((w, h))
}

pub fn run(store_path: &Path, size: &str, keys: &str, dry_run: bool) -> Result<Output, CliError> {
    let (width, height) = parse_size(size)?;
    let events = parse_events(keys).map_err(|e| CliError::msg(format!("--keys: {e}")))?;
    let config = crate::store::paths::config_dir();
    let (keymap, _) = tui::load_settings(config.as_deref(), true).map_err(CliError::Message)?;
    let mut app = tui::open_app(store_path, keymap, dry_run).map_err(CliError::Message)?;
    let replayed = screen::replay_checked(&mut app, &events, width, height, dry_run);
    let buffer = screen::render(&mut app, &tui::Theme::monochrome(), width, height);
    let out = Output {
        stdout: screen::buffer_text(&buffer),
        ..Output::default()
    };
    if replayed.unsaved.is_empty() {
        Ok(out)
    } else {
        Err(not_saved(out, replayed.unsaved))
    }
}
