//! A live authentik as a remote of the store. A pull reads authentik's own flow exports (one
//! blueprint per flow) and its lists of users, groups, prompts, stages and policies, imports
//! them with bindery's importer into a document of what the remote holds, and merges that into
//! the store three-way against the base (what the remote held at the last pull). A push sends
//! the difference between the base and the store as one blueprint, which authentik's own
//! importer applies in one transaction. Authentik objects bindery keeps as written (providers,
//! sources, applications...) are neither pulled nor pushed.
//!
//! Nothing here knows about the terminal: progress goes to a callback, Ctrl-c is a flag.

mod api;
mod changes;
mod credentials;
mod endpoint;
mod entries;
mod fetch;
mod identity;
mod integrity;
mod merge;
mod push;
mod remotes;
mod sync;
mod version;

use std::path::PathBuf;

pub use api::{Client, PAGE_SIZE, Stats};
pub use changes::{Action, FieldDiff, ObjectChange, PULLED, changes, changes_json, changes_text};
pub use credentials::{
    CREDENTIALS_FILE, TOKEN_ENV, Token, TokenSource, credentials_path, save_token, token_for,
    token_source,
};
pub use endpoint::Endpoint;
pub use fetch::{
    FLOW_ATTRS, Fetched, GROUP_ATTRS, Progress, USER_ATTRS, fetch, refresh, type_path,
};
pub use merge::{Merge, MergeConflict, merge, remote_changes_touching};
pub use push::{PushResult, blueprint_of, push_blueprint};
pub use remotes::{Remote, Remotes, base_path, check_name, load_base, remotes_path, save_base};
pub use sync::{Ctx, Plan, PullReport, PushReport, plan, preview_pull, pull, push};
pub use version::{SUPPORTED, check_version};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{name:?} is not a remote name (letters, digits, '-' and '_', at most 64)")]
    Name { name: String },
    #[error("invalid URL: {0}")]
    Url(String),
    #[error(
        "there is already a remote named {name} (to change its URL, remove it first; to replace its token, add it again with the same URL and --token-stdin)"
    )]
    Exists { name: String },
    #[error("no remote named {name}{}", known_list(.known))]
    NoSuchRemote { name: String, known: Vec<String> },
    #[error("this store has no remote; add one with `bindery remote add NAME URL`")]
    NoRemotes,
    #[error("this store has several remotes; name one{}", known_list(.known))]
    WhichRemote { known: Vec<String> },
    #[error(
        "no API token for remote {remote}: set {TOKEN_ENV}, or keep one in the credentials file with `bindery remote add {remote} URL --token-stdin` (the token is read from standard input)"
    )]
    NoToken { remote: String },
    #[error("API token: {why}")]
    Token { why: String },
    #[error("{}: {why}", .path.display())]
    File { path: PathBuf, why: String },
    #[error("{what}: {why}")]
    Transport {
        what: String,
        why: String,
        transient: bool,
    },
    #[error(
        "{what}: 401 unauthorised ({detail}): the token is wrong, expired or revoked; create an API token in authentik (Directory > Tokens and App passwords, intent API)"
    )]
    Unauthorized { what: String, detail: String },
    #[error("{what}: 403 forbidden ({detail}): the token's user needs {needs}")]
    Forbidden {
        what: String,
        detail: String,
        needs: String,
    },
    #[error(
        "{what}: 404 not found: check the remote's URL (the address authentik's web interface is served at) and that it is authentik {SUPPORTED} or later"
    )]
    NotFound { what: String },
    #[error("{what}: redirected to {to:?}; give the remote the URL it redirects to")]
    Redirected { what: String, to: String },
    #[error("{what}: HTTP {status}: {detail}")]
    Status {
        what: String,
        status: u16,
        detail: String,
    },
    #[error("{what}: the response is not what authentik sends: {why}")]
    Malformed { what: String, why: String },
    #[error(
        "the remote runs authentik {found}; bindery works with authentik {SUPPORTED} and later"
    )]
    Version { found: String },
    #[error("what the remote holds does not import: {0}")]
    Import(String),
    #[error(
        "the remote {name} was never pulled: run `bindery pull {name}` first (a push sends what changed since the last pull)"
    )]
    NeverPulled { name: String },
    #[error(
        "the remote {name} changed {} object(s) this push touches since the last pull:\n  {}\npull first (`bindery pull {name}`), or push with --force to overwrite them", .objects.len(), .objects.join("\n  ")
    )]
    RemoteChanged { name: String, objects: Vec<String> },
    #[error("authentik rejected the push; nothing was applied:\n  {}", .logs.join("\n  "))]
    Rejected { logs: Vec<String> },
    #[error("not pushed")]
    Declined,
    #[error("the merged store would have integrity problems: {}", .problems.join("; "))]
    Broken { problems: Vec<String> },
    #[error(
        "the store already holds objects that did not come from {name} ({held}): a first pull fills an empty store. Pull into a new store (`bindery --store NEW.json pull {name}`), or replace what this store holds with {name}'s (`bindery pull {name} --theirs`; `bindery revert` undoes it)"
    )]
    NotEmpty { name: String, held: String },
    #[error("interrupted; the store was not changed")]
    Interrupted,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RemoteError {
    /// A dropped connection or a timeout: worth another try for a read.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            RemoteError::Transport {
                transient: true,
                ..
            }
        )
    }
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!(" (remotes: {})", known.join(", "))
    }
}

/// The permission an API path needs, in authentik's names, for a 403's message.
pub(crate) fn permission_for(method: &str, path: &str) -> String {
    let (app, model) = match path.split('/').take(2).collect::<Vec<_>>()[..] {
        ["flows", "instances"] => ("authentik_flows", "flow"),
        ["flows", "bindings"] => ("authentik_flows", "flowstagebinding"),
        ["core", "users"] => ("authentik_core", "user"),
        ["core", "groups"] => ("authentik_core", "group"),
        ["stages", "prompt"] => ("authentik_stages_prompt", "prompt"),
        ["stages", _] => ("authentik_flows", "stage"),
        ["policies", "bindings"] => ("authentik_policies", "policybinding"),
        ["policies", _] => ("authentik_policies", "policy"),
        ["managed", "blueprints"] => {
            return "add, change and delete permissions on every model the push touches (flows, stages, policies, bindings, prompts, users, groups), or to be a superuser".into();
        }
        _ => return "more permissions (a superuser's token has them all)".into(),
    };
    if path.ends_with("/export/") {
        return format!("the permission {app}.export_flow (and {app}.view_flow)");
    }
    let verb = if method == "GET" { "view" } else { "change" };
    format!("the permission {app}.{verb}_{model}")
}
