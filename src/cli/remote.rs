//! `bindery remote add|list|remove`, `bindery pull`, `bindery diff` and `bindery push`.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::{CliError, Output};
use crate::remote::{
    self, Ctx, Endpoint, Plan, Progress, RemoteError, Remotes, Token, TokenSource,
};
use crate::store::paths;
use crate::text::sanitize;

impl From<RemoteError> for CliError {
    fn from(err: RemoteError) -> CliError {
        match err {
            RemoteError::Store(err) => CliError::Store(err),
            other => CliError::Message(sanitize(&other.to_string()).into_owned()),
        }
    }
}

pub fn add(store: &Path, name: &str, url: &str, token_stdin: bool) -> Result<Output, CliError> {
    remote::check_name(name)?;
    let endpoint = Endpoint::parse(url).map_err(RemoteError::Url)?;
    // The token is read before anything is written: a failed read adds nothing.
    let token = if token_stdin {
        let line = read_secret(&format!("API token for {name} (not shown): "))
            .map_err(|e| CliError::msg(format!("reading the token from standard input: {e}")))?;
        Some(Token::new(&line).map_err(|why| CliError::msg(format!("--token-stdin: {why}")))?)
    } else {
        None
    };
    let mut remotes = Remotes::load(store)?;
    let mut out = Output::default();
    // The same remote again with a token: the token is replaced (a new or rotated one).
    let same = remotes
        .get(name)
        .is_some_and(|r| r.url == endpoint.as_str());
    if same && token.is_some() {
        let _ = writeln!(out.stdout, "remote {name}: {endpoint} (already there)");
    } else {
        remotes.add(name, &endpoint)?;
        let _ = writeln!(out.stdout, "added remote {name}: {endpoint}");
    }
    if let Some(token) = token {
        let dir = paths::config_dir()
            .ok_or_else(|| CliError::msg("no configuration directory to keep the token in"))?;
        remote::save_token(&dir, name, Some(&token), store)?;
        let _ = writeln!(
            out.stdout,
            "its token is kept in {} (readable by you alone)",
            sanitize(&remote::credentials_path(&dir).display().to_string())
        );
    } else if remote::token_source(paths::config_dir().as_deref(), name) == TokenSource::Missing {
        let _ = writeln!(
            out.stderr,
            "note: no token for {name} yet: set {}, or keep one with `bindery remote add {name} {endpoint} --token-stdin`",
            remote::TOKEN_ENV
        );
    }
    Ok(out)
}

pub fn list(store: &Path, json: bool) -> Result<Output, CliError> {
    let remotes = Remotes::load(store)?;
    let config = paths::config_dir();
    let rows: Vec<(String, String, &'static str, String, String)> = remotes
        .iter()
        .map(|(name, r)| {
            let token = match remote::token_source(config.as_deref(), name) {
                TokenSource::Environment => "environment",
                TokenSource::File => "file",
                TokenSource::Missing => "missing",
            };
            let pulled = r
                .pulled_at
                .map(crate::store::time::rfc3339)
                .unwrap_or_default();
            (
                name.clone(),
                r.url.clone(),
                token,
                pulled,
                r.version.clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut out = Output::default();
    if json {
        let items: Vec<_> = rows
            .iter()
            .map(|(name, url, token, pulled, version)| {
                serde_json::json!({
                    "name": name, "url": url, "token": token,
                    "pulled_at": (!pulled.is_empty()).then_some(pulled),
                    "version": (!version.is_empty()).then_some(version),
                })
            })
            .collect();
        out.stdout = serde_json::to_string_pretty(&items).expect("JSON") + "\n";
        return Ok(out);
    }
    if rows.is_empty() {
        out.stdout = "no remotes; add one with `bindery remote add NAME URL`\n".into();
        return Ok(out);
    }
    let mut table = super::table::Columns::new(&["NAME", "URL", "TOKEN", "LAST SYNC", "VERSION"]);
    for (name, url, token, pulled, version) in rows {
        let pulled = if pulled.is_empty() {
            "never".into()
        } else {
            pulled
        };
        table.row(vec![name, url, token.to_string(), pulled, version]);
    }
    let mut bytes = Vec::new();
    table.write(&mut bytes)?;
    out.stdout = String::from_utf8(bytes).expect("sanitised text");
    Ok(out)
}

pub fn remove(store: &Path, name: &str) -> Result<Output, CliError> {
    let mut remotes = Remotes::load(store)?;
    remotes.remove(name)?;
    if let Some(dir) = paths::config_dir() {
        remote::save_token(&dir, name, None, store)?;
    }
    Ok(Output {
        stdout: format!("removed remote {name}, its base and its token\n"),
        ..Output::default()
    })
}

/// Ctrl-c: the first stops the work at the next request and leaves the store as it was; a
/// second ends the process at once (nothing is written before the end, and then atomically).
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let sig = signal_hook::consts::SIGINT;
    let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&flag));
    let _ = signal_hook::flag::register(sig, Arc::clone(&flag));
    flag
}

/// A progress bar on standard error when it is a terminal; nothing otherwise.
fn progress_bar() -> impl FnMut(Progress) {
    let on_terminal = std::io::stderr().is_terminal();
    let mut last = (String::new(), usize::MAX);
    move |p: Progress| {
        if !on_terminal {
            return;
        }
        let width = 30;
        let filled = (p.done * width)
            .checked_div(p.total)
            .unwrap_or(0)
            .min(width);
        let percent = (p.done * 100).checked_div(p.total).unwrap_or(100);
        if (p.what.to_string(), percent) == last {
            return;
        }
        last = (p.what.to_string(), percent);
        eprint!(
            "\r\x1b[2K{:<10} [{}{}] {}/{}",
            p.what,
            "#".repeat(filled),
            " ".repeat(width - filled),
            p.done,
            p.total
        );
        let _ = std::io::stderr().flush();
    }
}

fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
}

fn kb(bytes: u64) -> String {
    format!("{:.1} kB", bytes as f64 / 1000.0)
}

pub fn pull(
    store: &Path,
    name: Option<&str>,
    theirs: bool,
    dry_run: bool,
) -> Result<Output, CliError> {
    let cancel = interrupt_flag();
    let ctx = Ctx::new(store, &cancel);
    let result = if dry_run {
        remote::preview_pull(&ctx, name, theirs, &mut progress_bar())
    } else {
        remote::pull(&ctx, name, theirs, &mut progress_bar())
    };
    end_progress();
    let report = result?;
    let mut out = Output::default();
    for warning in report.warnings.iter().take(20) {
        let _ = writeln!(out.stderr, "warning: {}", sanitize(warning));
    }
    if report.warnings.len() > 20 {
        let _ = writeln!(
            out.stderr,
            "warning: and {} more",
            report.warnings.len() - 20
        );
    }
    let conflicts = report.conflicts.len();
    for conflict in &report.conflicts {
        let _ = writeln!(out.stderr, "conflict: {}", sanitize(&conflict.detail));
    }
    if let Some(preview) = &report.preview {
        let stopped = conflicts > 0 && !theirs;
        let _ = match (stopped, preview.is_empty()) {
            (false, true) => writeln!(
                out.stdout,
                "a pull of {} would change nothing in the store (nothing was written)",
                report.remote
            ),
            (false, false) => write!(
                out.stdout,
                "a pull of {} would change the store so (nothing was written):\n{preview}",
                report.remote
            ),
            (true, _) => write!(
                out.stdout,
                "a pull of {} would stop on {conflicts} conflict(s) and change nothing; `--theirs` would take the remote's side of them. Besides them it would take:\n{}",
                report.remote,
                if preview.is_empty() {
                    "nothing\n"
                } else {
                    preview
                }
            ),
        };
        return if stopped {
            Err(CliError::NotSaved(out))
        } else {
            Ok(out)
        };
    }
    if !report.written {
        let _ = writeln!(
            out.stderr,
            "bindery: pull stopped: {conflicts} conflict(s) between changes here and on {} since the last pull; the store was not changed. Take the remote's version of them with `bindery pull {} --theirs` (your edits stay in `bindery log`, to redo them)",
            report.remote, report.remote
        );
        return Err(CliError::NotSaved(out));
    }
    let _ = writeln!(
        out.stdout,
        "pulled {} (authentik {}): {} flows; {} object(s) changed in the store, {} local change(s) kept{}; {} requests, {} received",
        report.remote,
        sanitize(&report.version),
        report.flows,
        report.applied,
        report.kept_local,
        if conflicts > 0 {
            format!(", {conflicts} conflict(s) resolved for the remote")
        } else {
            String::new()
        },
        report.stats.requests,
        kb(report.stats.bytes_received)
    );
    Ok(out)
}

pub fn diff(
    store: &Path,
    name: Option<&str>,
    json: bool,
    blueprint: bool,
) -> Result<Output, CliError> {
    let cancel = AtomicBool::new(false);
    let ctx = Ctx::new(store, &cancel);
    let plan = remote::plan(&ctx, name)?;
    let stdout = if blueprint {
        plan.blueprint()
    } else if json {
        serde_json::to_string_pretty(&remote::changes_json(&plan.remote, &plan.changes))
            .expect("JSON")
            + "\n"
    } else if plan.changes.is_empty() {
        format!(
            "no changes: the store matches {} as of the last pull\n",
            plan.remote
        )
    } else {
        plan.text()
    };
    Ok(Output {
        stdout,
        ..Output::default()
    })
}

pub fn push(
    store: &Path,
    name: Option<&str>,
    yes: bool,
    force: bool,
    stdout: &mut dyn Write,
) -> Result<Output, CliError> {
    let cancel = interrupt_flag();
    let ctx = Ctx::new(store, &cancel);
    let plan = remote::plan(&ctx, name)?;
    if plan.changes.is_empty() {
        return Ok(Output {
            stdout: format!(
                "nothing to push: the store matches {} as of the last pull\n",
                plan.remote
            ),
            ..Output::default()
        });
    }
    if !yes && !std::io::stdin().is_terminal() {
        return Err(CliError::msg(
            "push asks before it changes the remote: run it on a terminal, or pass --yes",
        ));
    }
    let mut confirm = |plan: &Plan| -> bool {
        let _ = stdout.write_all(plan.text().as_bytes());
        let _ = stdout.flush();
        if yes {
            return true;
        }
        eprint!(
            "push {} change(s) to {} ({})? [y/N] ",
            plan.changes.len(),
            plan.remote,
            plan.endpoint
        );
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        matches!(answer.trim(), "y" | "Y" | "yes")
    };
    let result = remote::push(&ctx, plan, force, &mut confirm, &mut progress_bar());
    end_progress();
    let report = match result {
        Err(RemoteError::Declined) => {
            return Ok(Output {
                stdout: "not pushed\n".into(),
                ..Output::default()
            });
        }
        other => other?,
    };
    let mut out = Output::default();
    for object in &report.overwritten {
        let _ = writeln!(out.stderr, "overwritten (--force): {}", sanitize(object));
    }
    let _ = writeln!(
        out.stdout,
        "pushed {} change(s); {} requests, {} sent, {} received",
        report.pushed,
        report.stats.requests,
        kb(report.stats.bytes_sent),
        kb(report.stats.bytes_received)
    );
    Ok(out)
}

/// A line from standard input; on a terminal, asked for with `prompt` and not echoed.
fn read_secret(prompt: &str) -> std::io::Result<String> {
    let stdin = std::io::stdin();
    let mut line = String::new();
    if !stdin.is_terminal() {
        stdin.lock().read_line(&mut line)?;
        return Ok(line);
    }
    eprint!("{prompt}");
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is plain data filled by tcgetattr on a descriptor that is a terminal.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    let echo_off = unsafe { libc::tcgetattr(fd, &mut saved) } == 0 && {
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) == 0 }
    };
    let read = stdin.lock().read_line(&mut line);
    if echo_off {
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    }
    eprintln!();
    read.map(|_| line)
}
