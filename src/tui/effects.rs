//! The one effect runner: what `update` asked for (save, write a file, look at the disk, quit)
//! carried out the same way for the terminal and for `screen --keys`. What differs between
//! them (a replay keeps account of failed saves, a dry run writes nothing) is a [`Host`].

use std::sync::atomic::{AtomicBool, Ordering};

use super::app::{App, Effect};
use super::remote::{RemoteJob, run_job};
use super::update::{reloaded, saved, write};

/// How saves, file writes, pulls and pushes are carried out.
pub trait Host {
    fn save(&mut self, app: &mut App);
    fn write(&mut self, app: &mut App, path: &str, text: &str);
    fn remote(&mut self, app: &mut App, job: RemoteJob);
}

/// The interactive terminal's host: saves and writes for real, a failed save logged. A pull or
/// a push shows its progress through `frame`, which draws the screen and says whether the
/// user asked to stop.
pub struct Live<'f> {
    pub frame: &'f mut dyn FnMut(&mut App) -> bool,
}

impl Host for Live<'_> {
    fn remote(&mut self, app: &mut App, job: RemoteJob) {
        let cancel = AtomicBool::new(false);
        let frame = &mut *self.frame;
        if frame(app) {
            cancel.store(true, Ordering::Relaxed);
        }
        run_job(app, job, &cancel, &mut |app, p| {
            app.info(format!(
                "{} {}: {}/{} (Esc stops)",
                if job != RemoteJob::Push {
                    "pulling"
                } else {
                    "pushing"
                },
                p.what,
                p.done,
                p.total
            ));
            if frame(app) {
                cancel.store(true, Ordering::Relaxed);
            }
        });
    }

    fn save(&mut self, app: &mut App) {
        let result = app.store.save();
        if let Err(err) = &result {
            let err = crate::text::sanitize(&err.to_string()).into_owned();
            tracing::error!("save failed: {err}");
        }
        saved(app, result);
    }

    fn write(&mut self, app: &mut App, path: &str, text: &str) {
        write(app, path, text);
    }
}

/// What carrying out some effects did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ran {
    /// A quit was asked for (the effects after it are not carried out).
    pub quit: bool,
    /// Something may look different: the screen needs drawing.
    pub changed: bool,
}

/// Carries out effects in order.
pub fn carry_out(app: &mut App, effects: Vec<Effect>, host: &mut impl Host) -> Ran {
    let mut ran = Ran::default();
    for effect in effects {
        match effect {
            Effect::Quit => {
                ran.quit = true;
                return ran;
            }
            Effect::Save => {
                host.save(app);
                ran.changed = true;
            }
            Effect::Write { path, text } => {
                host.write(app, &path, &text);
                ran.changed = true;
            }
            Effect::CheckDisk => ran.changed |= check_disk(app),
            Effect::Remote(job) => {
                host.remote(app, job);
                ran.changed = true;
            }
        }
    }
    ran
}

/// Reloads the store when someone else changed it and nothing here is unsaved; returns
/// whether anything happened.
fn check_disk(app: &mut App) -> bool {
    if app.store.has_unsaved_changes() || !app.store.changed_on_disk().unwrap_or(false) {
        return false;
    }
    match app.store.reload() {
        Ok(()) => {
            reloaded(app);
            super::remote::refresh_remote(app);
        }
        Err(err) => app.error(format!(
            "the store changed on disk but cannot be read: {err}"
        )),
    }
    true
}
