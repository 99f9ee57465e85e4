//! The headless commands of `spec/cli-contract.md`. Each returns what it prints, so tests can
//! run them without a process; `main` writes the output and maps errors to exit status 1.

pub mod args;
mod blueprints;
mod doctor;
mod inspect;
mod json;
mod list;
mod plan;
mod remote;
mod revert;
mod saving;
mod screen;
mod table;

use std::path::PathBuf;

use clap::CommandFactory;

pub use args::{Cli, Command, ListKind, RemoteCommand};
pub use saving::Unsaved;

use crate::store::{Store, StoreError, paths};
use crate::text::sanitize;

/// A failed command: what to print on stderr.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Message(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The command ran and printed its output, but reports failure (lint found errors).
    #[error("errors were found")]
    Findings(Output),
    /// Changes the command was asked for are not (durably) on disk; stderr names each.
    #[error("changes were not saved")]
    NotSaved(Output),
    /// Writing the output failed part way (a full disk); a closed pipe is not reported.
    #[error("writing the output: {0}")]
    Write(#[from] std::io::Error),
}

impl CliError {
    pub fn msg(text: impl Into<String>) -> CliError {
        CliError::Message(text.into())
    }
}

/// What a command produced: text for stdout and warnings for stderr.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
}

/// Runs a command, with everything it prints on stdout in [`Output::stdout`].
pub fn run(cli: Cli) -> Result<Output, CliError> {
    let mut streamed = Vec::new();
    let prepend = |mut out: Output, streamed: Vec<u8>| {
        let mut text = String::from_utf8(streamed).expect("commands write UTF-8");
        text.push_str(&out.stdout);
        out.stdout = text;
        out
    };
    match run_to(cli, &mut streamed) {
        Ok(out) => Ok(prepend(out, streamed)),
        Err(CliError::Findings(out)) => Err(CliError::Findings(prepend(out, streamed))),
        Err(CliError::NotSaved(out)) => Err(CliError::NotSaved(prepend(out, streamed))),
        Err(err) => Err(err),
    }
}

/// Runs a command. Commands whose output grows with the store (`list`, `lint`, `export`)
/// write it to `stdout` as they go, so that it is never all in memory; the others return it in
/// [`Output::stdout`], to be written after what was streamed.
pub fn run_to(cli: Cli, stdout: &mut dyn std::io::Write) -> Result<Output, CliError> {
    let store_path = paths::store_path(cli.store.clone()).map_err(CliError::Message)?;
    if cli.version {
        return Ok(Output {
            stdout: version_text(&cli, &store_path),
            ..Output::default()
        });
    }
    match cli.command {
        None => Err(CliError::msg(
            "no command given (the terminal UI is started by the binary)",
        )),
        Some(Command::List { kind, flow, json }) => {
            let (store, warnings) = open(&store_path)?;
            list::run(store.doc(), kind, flow.as_deref(), json, stdout)?;
            Ok(Output {
                stderr: warnings,
                ..Output::default()
            })
        }
        Some(Command::Import {
            files,
            each,
            allow_file,
            allow_env,
        }) => {
            let options = crate::blueprint::ImportOptions {
                allow_files: allow_file,
                allow_env,
                ..Default::default()
            };
            if each {
                blueprints::import_each(&store_path, &files, &options)
            } else {
                blueprints::import(&store_path, &files, &options)
            }
        }
        Some(Command::Export {
            flow,
            all,
            shallow,
            output,
        }) => {
            let reach = if shallow {
                crate::blueprint::Reach::Shallow
            } else {
                crate::blueprint::Reach::Standalone
            };
            blueprints::export(
                &store_path,
                flow.as_deref(),
                all,
                reach,
                output.as_deref(),
                stdout,
            )
        }
        Some(Command::Plan {
            flow,
            user,
            pending_user,
            identify_as,
            assume,
            json,
        }) => {
            let (store, warnings) = open(&store_path)?;
            let mut out = plan::run(
                store.doc(),
                plan::PlanArgs {
                    flow: &flow,
                    user: user.as_deref(),
                    pending_user: pending_user.as_deref(),
                    identify_as: identify_as.as_deref(),
                    assume: &assume,
                    json,
                },
            )?;
            out.stderr = warnings + &out.stderr;
            Ok(out)
        }
        Some(Command::Init { demo }) => blueprints::init(&store_path, demo),
        Some(Command::Lint { flow, json }) => {
            let (store, warnings) = open(&store_path)?;
            let errors = inspect::run_lint(store.doc(), flow.as_deref(), json, stdout)?;
            let out = Output {
                stderr: warnings,
                ..Output::default()
            };
            if errors {
                return Err(CliError::Findings(out));
            }
            Ok(out)
        }
        Some(Command::WhereUsed { kind, name, json }) => {
            let (store, warnings) = open(&store_path)?;
            let mut out = inspect::where_used(store.doc(), &kind, &name, json)?;
            out.stderr = warnings;
            Ok(out)
        }
        Some(Command::Diagram { flow, format }) => {
            let (store, warnings) = open(&store_path)?;
            let mut out = inspect::diagram(store.doc(), &flow, &format)?;
            out.stderr = warnings;
            Ok(out)
        }
        Some(Command::Log { json }) => {
            let (store, warnings) = open(&store_path)?;
            let mut out = inspect::log(store.doc(), json);
            out.stderr = warnings;
            Ok(out)
        }
        Some(Command::Revert { entry, dry_run }) => revert::run(&store_path, &entry, dry_run),
        Some(Command::Screen {
            size,
            keys,
            dry_run,
        }) => screen::run(&store_path, &size, &keys, dry_run),
        Some(Command::Doctor { restore: None }) => doctor::check(&store_path),
        Some(Command::Doctor {
            restore: Some(from),
        }) => doctor::restore(&store_path, &from),
        Some(Command::Remote { command }) => match command {
            RemoteCommand::Add {
                name,
                url,
                token_stdin,
            } => remote::add(&store_path, &name, &url, token_stdin),
            RemoteCommand::List { json } => remote::list(&store_path, json),
            RemoteCommand::Remove { name } => remote::remove(&store_path, &name),
        },
        Some(Command::Pull {
            name,
            theirs,
            dry_run,
        }) => remote::pull(&store_path, name.as_deref(), theirs, dry_run),
        Some(Command::Diff {
            name,
            json,
            blueprint,
        }) => remote::diff(&store_path, name.as_deref(), json, blueprint),
        Some(Command::Push { name, yes, force }) => {
            remote::push(&store_path, name.as_deref(), yes, force, stdout)
        }
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "bindery", &mut out);
            Ok(Output {
                stdout: String::from_utf8_lossy(&out).into_owned(),
                ..Output::default()
            })
        }
    }
}

/// Opens the store, turning integrity problems of a hand-edited file into warnings.
fn open(path: &std::path::Path) -> Result<(Store, String), CliError> {
    let store = Store::open(path)?;
    let mut warnings = String::new();
    if !store.problems().is_empty() {
        warnings.push_str(&format!(
            "warning: {} has {} integrity problem(s); edits may not add more:\n",
            sanitize(&path.display().to_string()),
            store.problems().len()
        ));
        for problem in store.problems() {
            warnings.push_str(&format!("  {}\n", sanitize(&problem.to_string())));
        }
    }
    Ok((store, warnings))
}

fn version_text(cli: &Cli, store: &std::path::Path) -> String {
    let source = if cli.store.is_some() {
        "from --store"
    } else if std::env::var_os(paths::STORE_ENV).is_some_and(|v| !v.is_empty()) {
        "from $BINDERY_STORE"
    } else {
        "default"
    };
    let show = |p: Option<PathBuf>| {
        p.map(|p| sanitize(&p.display().to_string()).into_owned())
            .unwrap_or_else(|| "(no home directory)".into())
    };
    format!(
        "bindery {}\nstore:  {} ({source})\nconfig: {}\nlogs:   {}\n",
        env!("CARGO_PKG_VERSION"),
        sanitize(&store.display().to_string()),
        show(paths::config_dir()),
        show(paths::log_dir()),
    )
}
