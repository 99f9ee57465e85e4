//! The remote in the console: the header's "prod · pulled 5m ago · 2 to push", and the pull,
//! diff and push actions. Diff is computed here from the base kept beside the store; pull and
//! push are effects, carried out by the host (the terminal draws their progress and lets Esc
//! stop them), with the same rules and messages as `bindery pull` and `bindery push`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use super::action::Action;
use super::app::{App, Effect};
use super::keymap::Mode;
use super::modal::{Confirm, Confirmed, Modal};
use super::report::{Jump, Report, ReportLine, Tone};
use crate::edit::Patch;
use crate::model::Document;
use crate::remote::{self, Action as Change, Ctx, Progress, RemoteError, Remotes};

/// The remote the console syncs with: the only one, or the first by name.
#[derive(Clone, Debug)]
pub struct RemoteView {
    pub name: String,
    pub pulled_at: Option<i64>,
    /// What the remote held at the last pull or push; None before the first pull.
    pub base: Option<Arc<Document>>,
    /// The base still being read on another thread (at start-up: a big store's base takes as
    /// long to read as the store, and the first frame does not wait for it).
    loading: Option<Arc<OnceLock<Option<Document>>>>,
    /// How many objects a push would change; None while the base is read.
    pub changes: Option<usize>,
}

/// A pull or a push, for the host to carry out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemoteJob {
    Pull,
    /// A pull that takes the remote's side of every conflict (on a first pull: replaces what
    /// the store holds).
    PullTheirs,
    Push,
}

impl RemoteView {
    /// The store's remote, if it has one (an unreadable remotes file or base shows none, and
    /// the command line says why).
    pub fn load(app: &App) -> Option<RemoteView> {
        let mut view = RemoteView::start_loading(app)?;
        view.finish(app.store.doc(), true);
        Some(view)
    }

    /// The store's remote, its base read on another thread: [`RemoteView::finish`] takes it.
    fn start_loading(app: &App) -> Option<RemoteView> {
        let path = app.store.path().to_path_buf();
        let remotes = Remotes::load(&path).ok()?;
        let (name, remote) = remotes.iter().next()?;
        let cell = Arc::new(OnceLock::new());
        let filled = Arc::clone(&cell);
        let base_of = name.clone();
        std::thread::spawn(move || {
            let _ = filled.set(remote::load_base(&path, &base_of).ok().flatten());
        });
        Some(RemoteView {
            name: name.clone(),
            pulled_at: remote.pulled_at,
            base: None,
            loading: Some(cell),
            changes: None,
        })
    }

    /// Takes the base once it is read (waiting for it when `wait`) and counts the changes;
    /// whether it was taken now.
    fn finish(&mut self, doc: &Document, wait: bool) -> bool {
        let Some(cell) = &self.loading else {
            return false;
        };
        let read = if wait { Some(cell.wait()) } else { cell.get() };
        let Some(read) = read else {
            return false;
        };
        self.base = read.clone().map(Arc::new);
        self.loading = None;
        self.count(doc);
        true
    }

    /// Counts the changes a push would send.
    pub fn count(&mut self, doc: &Document) {
        if self.loading.is_none() {
            self.changes = Some(
                self.base
                    .as_ref()
                    .map_or(0, |base| remote::changes(base, doc).len()),
            );
        }
    }

    /// `prod · pulled 5m ago · 2 to push`, for the header.
    pub fn summary(&self, now: i64) -> String {
        let pulled = match self.pulled_at {
            None => "never pulled".to_string(),
            Some(at) => format!("pulled {}", age(now - at)),
        };
        match self.changes {
            Some(changes) => format!("{} · {pulled} · {changes} to push", self.name),
            None => format!("{} · {pulled} · counting changes", self.name),
        }
    }
}

fn age(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 60 => "just now".into(),
        s if s < 3_600 => format!("{}m ago", s / 60),
        s if s < 86_400 => format!("{}h ago", s / 3_600),
        s => format!("{}d ago", s / 86_400),
    }
}

/// Loads the remote again (after a pull, a push or a reload).
pub fn refresh_remote(app: &mut App) {
    app.remote = RemoteView::load(app);
}

/// At start-up: the remote, its base read on another thread while the first frame is drawn.
pub fn start_loading_remote(app: &mut App) {
    app.remote = RemoteView::start_loading(app);
}

/// Whether the base is still being read.
pub fn loading(app: &App) -> bool {
    app.remote.as_ref().is_some_and(|r| r.loading.is_some())
}

/// Takes the base if it has been read (or, with `wait`, once it is); whether it was taken.
pub fn finish_loading(app: &mut App, wait: bool) -> bool {
    let Some(mut view) = app.remote.take() else {
        return false;
    };
    let taken = view.finish(app.store.doc(), wait);
    app.remote = Some(view);
    taken
}

/// After a save: the count of changes to push, against the base already loaded.
pub fn recount(app: &mut App) {
    if let Some(mut view) = app.remote.take() {
        view.count(app.store.doc());
        app.remote = Some(view);
    }
}

fn no_remote(app: &mut App) {
    app.error("no remote: add one with `bindery remote add NAME URL` (see the README's \"Working with a live authentik\")");
}

/// Whether edits are not on disk yet (a failed save): a pull or a push works on the store
/// as saved, so it waits (said in the status line).
fn unsaved(app: &mut App, what: &str) -> bool {
    let unsaved = app.store.has_unsaved_changes();
    if unsaved {
        app.error(format!(
            "the store has edits not saved yet: save them (or undo them) before {what}"
        ));
    }
    unsaved
}

/// The pull action: an effect, once nothing is left unsaved.
pub fn start_pull(app: &mut App) -> Vec<Effect> {
    let Some(name) = app.remote.as_ref().map(|r| r.name.clone()) else {
        no_remote(app);
        return Vec::new();
    };
    if unsaved(app, "a pull") {
        return Vec::new();
    }
    app.info(format!("pulling from {name}… (Esc stops)"));
    vec![Effect::Remote(RemoteJob::Pull)]
}

/// The remote's name and base, or None (said in the status line) when there is no remote or
/// it was never pulled.
fn pulled_base(app: &mut App) -> Option<(String, Arc<Document>)> {
    finish_loading(app, true);
    let Some(view) = app.remote.clone() else {
        no_remote(app);
        return None;
    };
    match view.base {
        Some(base) => Some((view.name, base)),
        None => {
            let name = view.name;
            app.error(format!(
                "{name} was never pulled: pull first (the pull action)"
            ));
            None
        }
    }
}

/// The diff action: what a push would change, object by object, as a report; Enter on an
/// object goes to it.
pub fn diff_report(app: &mut App) {
    let Some((name, base)) = pulled_base(app) else {
        return;
    };
    let doc = app.store.doc();
    let changes = remote::changes(&base, doc);
    let mut lines = Vec::new();
    for c in &changes {
        let jump = (c.action != Change::Delete).then_some(Jump::Object(c.kind, c.id));
        let tone = match c.action {
            Change::Delete => Tone::Warning,
            _ => Tone::Heading,
        };
        lines.push(ReportLine::new(
            format!("{} {}", c.action.word(), c.object),
            tone,
            jump,
        ));
        for f in &c.fields {
            lines.push(ReportLine::new(
                format!("    {}", f.line(c.action, &base, doc)),
                Tone::Dim,
                jump,
            ));
        }
    }
    if lines.is_empty() {
        lines.push(ReportLine::new(
            format!(
                "No changes: the store matches {} as of the last pull.",
                name
            ),
            Tone::Dim,
            None,
        ));
    }
    app.modals.push(Modal::Report(Box::new(Report::new(
        format!("What a push to {} would change", name),
        lines,
    ))));
}

/// The push action: asks, listing what it sends.
pub fn ask_push(app: &mut App) {
    let Some((name, base)) = pulled_base(app) else {
        return;
    };
    if unsaved(app, "a push") {
        return;
    }
    let changes = remote::changes(&base, app.store.doc());
    if changes.is_empty() {
        app.info(format!(
            "nothing to push: the store matches {} as of the last pull",
            name
        ));
        return;
    }
    let lines = changes
        .iter()
        .map(|c| {
            let fields: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).take(6).collect();
            match c.action {
                Change::Update => format!("update {}: {}", c.object, fields.join(", ")),
                action => format!("{} {}", action.word(), c.object),
            }
        })
        .collect();
    app.modals.push(Modal::Confirm(Box::new(Confirm {
        title: format!("push {} change(s) to {}", changes.len(), name),
        lines,
        action: Confirmed::Push,
        patch: Patch::new("push"),
    })));
}

/// Carries out a pull or a push for a host: `progress` sees each step (the terminal draws it
/// and sets `cancel` when Esc is pressed).
pub fn run_job(
    app: &mut App,
    job: RemoteJob,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&mut App, Progress),
) {
    let Some(name) = app.remote.as_ref().map(|r| r.name.clone()) else {
        no_remote(app);
        return;
    };
    let store: PathBuf = app.store.path().to_path_buf();
    let ctx = Ctx::new(&store, cancel);
    let result = match job {
        RemoteJob::Pull | RemoteJob::PullTheirs => {
            let theirs = job == RemoteJob::PullTheirs;
            remote::pull(&ctx, Some(&name), theirs, &mut |p| progress(app, p))
                .map(|report| pulled(app, report))
        }
        RemoteJob::Push => remote::plan(&ctx, Some(&name)).and_then(|plan| {
            remote::push(&ctx, plan, false, &mut |_| true, &mut |p| progress(app, p))
                .map(|report| app.info(format!("pushed {} change(s) to {name}", report.pushed)))
        }),
    };
    if let Err(err) = result {
        failed(app, &name, err);
    }
    refresh_remote(app);
}

fn pulled(app: &mut App, report: remote::PullReport) {
    if !report.written {
        let lines = report
            .conflicts
            .iter()
            .map(|c| {
                ReportLine::new(
                    c.detail.clone(),
                    Tone::Warning,
                    Some(Jump::Object(c.kind, c.id)),
                )
            })
            .collect();
        let pull_key = app
            .keymap
            .keys_of(Mode::Global, Action::RemotePull)
            .join("/");
        let mut shown = Report::new(
            format!(
                "Pull stopped, nothing changed: {} conflict(s) with {} · {pull_key} takes its side",
                report.conflicts.len(),
                report.remote,
            ),
            lines,
        );
        shown.stopped_pull = Some(report.remote.clone());
        app.modals.push(Modal::Report(Box::new(shown)));
        app.error(format!(
            "pull stopped: {} conflict(s); Enter goes to one, {pull_key} takes {}'s side",
            report.conflicts.len(),
            report.remote
        ));
        return;
    }
    match app.store.reload() {
        Ok(()) => {
            app.refresh();
            app.info(format!(
                "pulled {}: {} object(s) changed, {} local change(s) kept",
                report.remote, report.applied, report.kept_local
            ));
        }
        Err(err) => app.error(format!("pulled, but reloading the store failed: {err}")),
    }
}

/// Asks before a pull that takes the remote's side of `conflicts` conflicts.
pub fn confirm_theirs(app: &mut App, name: &str, conflicts: usize) {
    app.modals.push(Modal::Confirm(Box::new(Confirm {
        title: format!("pull {name} again, taking its side of {conflicts} conflict(s)"),
        lines: vec![
            format!("Each object in conflict becomes what {name} holds;"),
            "what was made here that cannot stand beside it goes, with its bindings.".into(),
            "The pull is one change: undo (or `bindery revert`) brings your versions back.".into(),
        ],
        action: Confirmed::PullTheirs,
        patch: Patch::new("pull"),
    })));
}

fn failed(app: &mut App, name: &str, err: RemoteError) {
    let text = crate::text::sanitize(&err.to_string()).into_owned();
    if let RemoteError::NotEmpty { held, .. } = &err {
        app.modals.push(Modal::Confirm(Box::new(Confirm {
            title: format!("replace what this store holds with {name}'s"),
            lines: vec![
                format!("This store holds {held} that did not come from {name}."),
                "A first pull fills an empty store: these would be replaced by the remote's."
                    .into(),
                "The pull is one change: undo (or `bindery revert`) brings them back.".into(),
            ],
            action: Confirmed::PullTheirs,
            patch: Patch::new("pull"),
        })));
        app.info(format!("{name} was never pulled into this store"));
        return;
    }
    if let RemoteError::RemoteChanged { objects, .. } = &err {
        let lines = objects
            .iter()
            .map(|o| ReportLine::new(o.clone(), Tone::Warning, None))
            .collect();
        app.modals.push(Modal::Report(Box::new(Report::new(
            format!("Not pushed: {name} changed these since the last pull; pull first"),
            lines,
        ))));
    }
    app.error(text.lines().next().unwrap_or_default().to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_counts_changes_once_the_base_read_on_another_thread_is_taken() {
        let cell = Arc::new(OnceLock::new());
        let mut view = RemoteView {
            name: "prod".into(),
            pulled_at: Some(0),
            base: None,
            loading: Some(Arc::clone(&cell)),
            changes: None,
        };
        let mut doc = Document::default();
        assert_eq!(
            view.summary(30),
            "prod · pulled just now · counting changes"
        );
        assert!(!view.finish(&doc, false), "nothing read yet");
        view.count(&doc);
        assert_eq!(view.changes, None, "no count without the base");

        let base = Document::default();
        doc.groups.put(crate::model::Group::new("new here"));
        cell.set(Some(base)).unwrap();
        assert!(view.finish(&doc, false));
        assert_eq!(view.summary(30), "prod · pulled just now · 1 to push");
        assert!(!view.finish(&doc, true), "taken once");
    }

    #[test]
    fn pull_and_push_wait_for_edits_not_on_disk_yet() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("s.json")).unwrap();
        let mut app = App::new(store, crate::tui::Keymap::default_keymap());
        app.remote = Some(RemoteView {
            name: "prod".into(),
            pulled_at: Some(0),
            base: Some(Arc::new(Document::default())),
            loading: None,
            changes: Some(0),
        });
        let group = crate::model::Obj::Group(crate::model::Group::new("unsaved"));
        app.store.apply(&crate::edit::Op::Create(group)).unwrap();

        assert!(start_pull(&mut app).is_empty());
        assert!(app.status.as_ref().unwrap().text.contains("before a pull"));
        ask_push(&mut app);
        assert!(app.modals.is_empty(), "no confirmation");
        assert!(app.status.as_ref().unwrap().text.contains("before a push"));
    }
}
