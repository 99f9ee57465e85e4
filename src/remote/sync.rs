//! Pull, diff and push as a command or the UI runs them: the remotes file, the token, the
//! client, the store and the base, each step in the order that keeps the store safe (nothing
//! is written until everything is read and merged; the base only after the store).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::changes::{ObjectChange, changes, changes_text};
use super::{
    Client, Endpoint, MergeConflict, Progress, RemoteError, Remotes, Stats, blueprint_of, fetch,
    load_base, merge, push_blueprint, refresh, remote_changes_touching, save_base, token_for,
};
use crate::model::Document;
use crate::store::Store;

/// Where a sync reads and writes, and its Ctrl-c.
pub struct Ctx<'a> {
    pub store: &'a Path,
    /// Where the credentials file is (None: the token comes from the environment only).
    pub config_dir: Option<PathBuf>,
    pub cancel: &'a AtomicBool,
}

impl<'a> Ctx<'a> {
    /// The store at `store`, with the user's configuration directory.
    pub fn new(store: &'a Path, cancel: &'a AtomicBool) -> Ctx<'a> {
        Ctx {
            store,
            config_dir: crate::store::paths::config_dir(),
            cancel,
        }
    }

    fn interrupted(&self) -> Result<(), RemoteError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(RemoteError::Interrupted)
        } else {
            Ok(())
        }
    }

    fn client(&self, name: &str, endpoint: &Endpoint) -> Result<Client<'_>, RemoteError> {
        let token = token_for(self.config_dir.as_deref(), name)?;
        Ok(Client::new(endpoint, token, self.cancel))
    }
}

#[derive(Debug)]
pub struct PullReport {
    pub remote: String,
    pub version: String,
    pub flows: usize,
    /// Objects of the store the pull changed.
    pub applied: usize,
    /// Objects changed in the store since the base that the pull kept.
    pub kept_local: usize,
    /// Objects both sides changed; with none applied unless the remote's side was taken.
    pub conflicts: Vec<MergeConflict>,
    /// Whether anything was written (false when conflicts stopped the pull).
    pub written: bool,
    pub warnings: Vec<String>,
    pub stats: Stats,
    /// For a dry run: what the pull would change in the store, as `bindery diff` words it
    /// (empty when nothing).
    pub preview: Option<String>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Reads the remote and merges it into the store against the base. With conflicts, nothing
/// is written unless `take_theirs`, which gives each conflicting object the remote's version.
pub fn pull(
    ctx: &Ctx,
    name: Option<&str>,
    take_theirs: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<PullReport, RemoteError> {
    pull_or_preview(ctx, name, take_theirs, false, progress)
}

/// A pull that writes nothing: what it would change in the store, and its conflicts.
pub fn preview_pull(
    ctx: &Ctx,
    name: Option<&str>,
    take_theirs: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<PullReport, RemoteError> {
    pull_or_preview(ctx, name, take_theirs, true, progress)
}

fn pull_or_preview(
    ctx: &Ctx,
    name: Option<&str>,
    take_theirs: bool,
    dry_run: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<PullReport, RemoteError> {
    let mut remotes = Remotes::load(ctx.store)?;
    let (name, endpoint) = remotes.pick(name)?;
    let mut client = ctx.client(&name, &endpoint)?;
    let mut fetched = fetch(&mut client, progress)?;
    ctx.interrupted()?;
    let mut store = Store::open(ctx.store)?;
    let base = match load_base(ctx.store, &name)? {
        Some(base) => base,
        // A first pull with the remote's side taken: what the store holds is replaced.
        None if take_theirs => store.doc().clone(),
        None => {
            let held = held_objects(store.doc());
            if !held.is_empty() {
                return Err(RemoteError::NotEmpty { name, held });
            }
            Document::default()
        }
    };
    super::identity::keep_user_ids(&mut fetched.doc, &base);
    let label = format!("pull {name}");
    let merged = merge(&base, store.doc(), &fetched.doc, &label, take_theirs);
    let mut report = PullReport {
        remote: name.clone(),
        version: fetched.version.clone(),
        flows: fetched.flows,
        applied: merged.patch.changes.len(),
        kept_local: merged.kept_local,
        conflicts: merged.conflicts,
        written: false,
        warnings: fetched.warnings,
        stats: client.stats,
        preview: None,
    };
    if dry_run {
        let mut after = store.doc().clone();
        merged
            .patch
            .apply(&mut after)
            .map_err(|c| RemoteError::Import(c.to_string()))?;
        let would = changes(store.doc(), &after);
        report.preview = Some(if would.is_empty() {
            String::new()
        } else {
            changes_text(&after, store.doc(), &would)
        });
        return Ok(report);
    }
    if !report.conflicts.is_empty() && !take_theirs {
        return Ok(report);
    }
    if !merged.patch.is_empty() {
        store
            .apply_patch(merged.patch)
            .map_err(|c| RemoteError::Import(c.to_string()))?;
        let problems = store.new_problems();
        if !problems.is_empty() {
            return Err(RemoteError::Broken { problems });
        }
        ctx.interrupted()?;
        let saved = store.save()?;
        if let Some(conflict) = saved.conflicts.first() {
            return Err(RemoteError::Import(format!(
                "someone saved the store during the pull: {conflict}; pull again"
            )));
        }
    }
    save_base(ctx.store, &name, &fetched.doc)?;
    remotes.synced(&name, now(), &fetched.version)?;
    report.written = true;
    Ok(report)
}

/// What the store holds of the kinds a pull brings, in words (`12 flows, 25 stages`).
fn held_objects(doc: &Document) -> String {
    super::PULLED
        .iter()
        .filter(|k| doc.count(**k) > 0)
        .map(|k| {
            let noun = k.noun();
            let plural = match noun.strip_suffix('y') {
                Some(stem) => format!("{stem}ies"),
                None => format!("{noun}s"),
            };
            format!("{} {plural}", doc.count(*k))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a push would send: the remote's name, the base, and the changes from it to the
/// store.
pub struct Plan {
    pub remote: String,
    pub endpoint: Endpoint,
    pub base: Document,
    pub store: Store,
    pub changes: Vec<ObjectChange>,
}

impl Plan {
    pub fn blueprint(&self) -> String {
        blueprint_of(&self.base, self.store.doc(), &self.changes)
    }

    pub fn text(&self) -> String {
        super::changes::changes_text(self.store.doc(), &self.base, &self.changes)
    }
}

/// The changes a push of the store to `name` would make (no request is sent).
pub fn plan(ctx: &Ctx, name: Option<&str>) -> Result<Plan, RemoteError> {
    let remotes = Remotes::load(ctx.store)?;
    let (remote, endpoint) = remotes.pick(name)?;
    let base = load_base(ctx.store, &remote)?.ok_or_else(|| RemoteError::NeverPulled {
        name: remote.clone(),
    })?;
    let store = Store::open(ctx.store)?;
    let changes = changes(&base, store.doc());
    Ok(Plan {
        remote,
        endpoint,
        base,
        store,
        changes,
    })
}

#[derive(Debug)]
pub struct PushReport {
    pub pushed: usize,
    /// Objects the remote changed since the base that `--force` overwrote.
    pub overwritten: Vec<String>,
    pub logs: Vec<String>,
    pub stats: Stats,
}

/// Sends `plan` after checking that the remote has not changed any object it touches since
/// the base (unless `force`) and asking `confirm`. The base becomes what the remote now holds.
pub fn push(
    ctx: &Ctx,
    plan: Plan,
    force: bool,
    confirm: &mut dyn FnMut(&Plan) -> bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<PushReport, RemoteError> {
    let mut client = ctx.client(&plan.remote, &plan.endpoint)?;
    let touched: Vec<_> = plan.changes.iter().map(|c| (c.kind, c.id)).collect();
    let total = touched.len();
    progress(Progress {
        done: 0,
        total,
        what: "checking",
    });
    let (refreshed, mut changed, version) =
        refresh(&mut client, &plan.base, plan.store.doc(), &touched)?;
    changed.extend(remote_changes_touching(&plan.base, &refreshed, &touched));
    if !changed.is_empty() && !force {
        return Err(RemoteError::RemoteChanged {
            name: plan.remote.clone(),
            objects: changed,
        });
    }
    ctx.interrupted()?;
    if !confirm(&plan) {
        return Err(RemoteError::Declined);
    }
    let result = push_blueprint(&mut client, &plan.blueprint())?;
    if !result.success {
        return Err(RemoteError::Rejected { logs: result.logs });
    }
    // What the remote holds now: the base with what was checked and what was pushed.
    let mut base = refreshed;
    for c in &plan.changes {
        match plan.store.doc().get(c.kind, c.id) {
            Some(obj) => {
                let index = base.index_of(c.kind, c.id).unwrap_or(usize::MAX);
                base.put_at(index, obj);
            }
            None => {
                base.remove(c.kind, c.id);
            }
        }
    }
    save_base(ctx.store, &plan.remote, &base)?;
    let mut remotes = Remotes::load(ctx.store)?;
    remotes.synced(&plan.remote, now(), &version)?;
    Ok(PushReport {
        pushed: plan.changes.len(),
        overwritten: changed,
        logs: result.logs,
        stats: client.stats,
    })
}
