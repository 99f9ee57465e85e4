//! The terminal UI: one `App` state, keys routed to actions, `update` changing the state and
//! returning effects, views that only draw. `screen` runs it without a terminal; `terminal`
//! runs it on one.

pub mod action;
pub mod app;
pub mod dialogs;
pub mod effects;
pub mod event;
pub mod explain;
pub mod form;
pub mod fuzzy;
mod import;
pub mod keymap;
pub mod keys;
pub mod lists;
pub mod modal;
pub mod navigate;
pub mod remote;
pub mod report;
pub mod screen;
pub mod simulate;
mod stale;
pub mod terminal;
pub mod text_field;
pub mod theme;
pub mod update;
pub mod view;

use std::path::Path;

pub use app::{App, Effect};
pub use keymap::Keymap;
pub use theme::Theme;

/// The user's keymap and theme files from the configuration directory, over the defaults.
pub fn load_settings(config_dir: Option<&Path>, no_color: bool) -> Result<(Keymap, Theme), String> {
    let read = |name: &str| -> Result<Option<(String, String)>, String> {
        let Some(dir) = config_dir else {
            return Ok(None);
        };
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some((text, path.display().to_string()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    };
    let keymap = match read("keymap.toml")? {
        Some((text, origin)) => Keymap::with_overrides(&text, &origin)?,
        None => Keymap::default_keymap(),
    };
    let theme = match read("theme.toml")? {
        Some((text, origin)) => Theme::from_toml(&text, no_color, &origin)?,
        None if no_color => Theme::monochrome(),
        None => Theme::default(),
    };
    Ok((keymap, theme))
}

/// Opens the store for the UI. A store that does not exist yet starts as the demo, which is
/// saved unless `dry_run`; the status line says so.
pub fn open_app(path: &Path, keymap: Keymap, dry_run: bool) -> Result<App, String> {
    let mut store = crate::store::Store::open(path).map_err(|e| e.to_string())?;
    let mut note = None;
    if !store.exists() {
        let mut fresh = crate::store::Store::open_new(path).map_err(|e| e.to_string())?;
        crate::demo::create(&mut fresh).map_err(|e| e.to_string())?;
        if !dry_run {
            fresh.save().map_err(|e| e.to_string())?;
        }
        note = Some(format!(
            "No store yet: created the demo store at {}",
            crate::text::sanitize(&path.display().to_string())
        ));
        store = fresh;
    }
    let mut app = App::new(store, keymap);
    remote::start_loading_remote(&mut app);
    if let Some(note) = note {
        app.info(note);
    }
    Ok(app)
}

/// Whether the NO_COLOR convention asks for no colours (set and not empty).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
