//! The command line, as `spec/cli-contract.md` defines it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

#[derive(Debug, Parser)]
#[command(
    name = "bindery",
    about = "A keyboard-first console for authentik flows, stages and bindings",
    long_about = "A keyboard-first console for authentik flows, stages and bindings.\n\n\
                  With no command, opens the terminal UI on the store.",
    disable_version_flag = true
)]
pub struct Cli {
    /// The store file (default: $BINDERY_STORE, else the user's data directory)
    #[arg(long, global = true, value_name = "PATH")]
    pub store: Option<PathBuf>,

    /// Print the version and where the store, configuration and logs are
    #[arg(short = 'V', long)]
    pub version: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the objects of one kind
    List {
        kind: ListKind,
        /// Only what belongs to this flow (bindings, policy bindings, stages, policies)
        #[arg(long, value_name = "SLUG")]
        flow: Option<String>,
        /// One JSON document on stdout
        #[arg(long)]
        json: bool,
    },
    /// Apply authentik blueprint files to the store: all of them, or none (with --each, each
    /// file on its own)
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Apply each file on its own, as authentik does: a failing file leaves nothing of
        /// itself applied, the others still apply, and a summary names each file's result
        /// (exit 1 if any failed)
        #[arg(long)]
        each: bool,
        /// Let `!File` read regular files under DIR, symlinks resolved (repeatable; default:
        /// `!File` is refused)
        #[arg(long = "allow-file", value_name = "DIR")]
        allow_file: Vec<PathBuf>,
        /// Let `!Env` read the variable NAME (repeatable; default: `!Env` is refused)
        #[arg(long = "allow-env", value_name = "NAME")]
        allow_env: Vec<String>,
    },
    /// Write a flow with the configuration objects it needs (or, with --all, the whole store)
    /// as an authentik blueprint
    Export {
        /// The flow's slug
        #[arg(value_name = "FLOW_SLUG")]
        flow: Option<String>,
        /// Export everything: groups, users, policies, stages, prompts, flows, bindings and the other
        /// authentik objects kept as written
        #[arg(long, conflicts_with = "flow")]
        all: bool,
        /// Only the flow, its stages, prompts, policies and bindings: stages and flows those
        /// point at (configuration stages, configure, enrollment and recovery flows) are
        /// referred to with `!Find` and must already exist where the blueprint is applied.
        /// Without it they are included, so the blueprint stands on its own; users and groups
        /// are always found by name
        #[arg(long, conflicts_with = "all")]
        shallow: bool,
        /// Write to FILE instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Predict what authentik shows a person in a flow, stage by stage, and why
    Plan {
        #[arg(value_name = "FLOW_SLUG")]
        flow: String,
        /// The request is made by this logged-in user (default: nobody is logged in)
        #[arg(long, value_name = "USERNAME")]
        user: Option<String>,
        /// The plan context already holds this pending user (recovery links, source logins)
        #[arg(long, value_name = "USERNAME")]
        pending_user: Option<String>,
        /// The person identifies as this user when an identification stage runs
        #[arg(long, value_name = "USERNAME")]
        identify_as: Option<String>,
        /// The result of a policy that cannot be computed offline (repeatable)
        #[arg(long, value_name = "POLICY=pass|fail")]
        assume: Vec<String>,
        /// One JSON document on stdout
        #[arg(long)]
        json: bool,
    },
    /// Create a store (fails if one exists): empty, or with the demo
    Init {
        /// authentik's default flows and a small demo directory of users and groups
        #[arg(long)]
        demo: bool,
    },
    /// Findings an administrator should know about (exit 1 when any is an error)
    Lint {
        /// Only findings in this flow
        #[arg(long, value_name = "SLUG")]
        flow: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every binding and object that refers to a stage, policy, group or user
    WhereUsed {
        /// stage, policy, group, user, flow, prompt or other (an authentik object kept as written)
        kind: String,
        /// Its name (a user's username, a flow's slug)
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// The flow as the planner sees it, as text or as a Mermaid graph
    Diagram {
        #[arg(value_name = "FLOW_SLUG")]
        flow: String,
        #[arg(long, default_value = "text", value_name = "text|mermaid")]
        format: String,
    },
    /// The store's change log, newest first
    Log {
        #[arg(long)]
        json: bool,
    },
    /// Undo one change-log entry as a new change (refused if what it touched changed since)
    Revert {
        /// The entry's number, as `bindery log` shows it
        #[arg(value_name = "ENTRY")]
        entry: String,
        /// Say what reverting would change, and whether it can, without saving
        #[arg(long)]
        dry_run: bool,
    },
    /// Run the terminal UI without a terminal: replay keys, print the final screen as text
    Screen {
        /// The screen size, WIDTHxHEIGHT
        #[arg(long, default_value = "100x30", value_name = "WxH")]
        size: String,
        /// Keys to replay, e.g. "1/default-auth<Enter><Enter>"; <paste:TEXT> pastes TEXT at once
        /// (as a terminal does; TEXT runs to the next ">")
        #[arg(long, default_value = "", value_name = "KEYS")]
        keys: String,
        /// Do not save edits
        #[arg(long)]
        dry_run: bool,
    },
    /// Check that the store and its backups load; with --restore, put a backup back
    Doctor {
        /// Restore this backup over the store (the current file is kept aside first)
        #[arg(long, value_name = "FILE")]
        restore: Option<PathBuf>,
    },
    /// The authentik instances this store syncs with (the token comes from AUTHENTIK_TOKEN or
    /// the credentials file, never from an argument)
    Remote {
        #[command(subcommand)]
        command: RemoteCommand,
    },
    /// Fetch a remote's flows, stages, policies, bindings, users and groups and merge them into
    /// the store against the last pulled base (stops, changing nothing, on conflicts)
    Pull {
        /// The remote (default: the only one)
        name: Option<String>,
        /// Resolve conflicts by taking the remote's version of each conflicting object; on a
        /// first pull into a store that holds objects, replace them with the remote's
        #[arg(long)]
        theirs: bool,
        /// Show what the pull would change in the store, object by object and field by field,
        /// and its conflicts; write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// What a push would change on the remote, object by object and field by field
    Diff {
        /// The remote (default: the only one)
        name: Option<String>,
        /// One JSON document on stdout
        #[arg(long, conflicts_with = "blueprint")]
        json: bool,
        /// Print the blueprint push would send
        #[arg(long)]
        blueprint: bool,
    },
    /// Send what changed since the last pull to the remote, as one blueprint authentik's
    /// importer applies (asks first)
    Push {
        /// The remote (default: the only one)
        name: Option<String>,
        /// Do not ask (for scripts)
        #[arg(long)]
        yes: bool,
        /// Push even if the remote changed objects this push touches since the last pull
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script
    Completions { shell: Shell },
}

#[derive(Debug, Subcommand)]
pub enum RemoteCommand {
    /// Add a remote: an authentik base URL (https, or http on a loopback address)
    Add {
        name: String,
        url: String,
        /// Read the API token from standard input and keep it in the credentials file (0600)
        #[arg(long)]
        token_stdin: bool,
    },
    /// The remotes, their URLs, where their tokens come from and when they were last synced
    List {
        #[arg(long)]
        json: bool,
    },
    /// Forget a remote, its base and its token
    Remove { name: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListKind {
    Flows,
    Stages,
    Policies,
    Bindings,
    PolicyBindings,
    Groups,
    Users,
    /// authentik objects bindery keeps as written (providers, sources, applications, ...)
    Others,
}
