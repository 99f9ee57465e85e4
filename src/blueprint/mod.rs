//! authentik blueprints in and out: YAML with authentik's tags, an importer that behaves as
//! authentik's, and an exporter whose files authentik accepts.

mod authentik_models;
pub(crate) mod build;
mod closure;
mod each;
mod export;
mod host;
mod import;
pub mod limits;
mod lookup;
pub mod models;
mod others;
mod python;
pub mod query;
mod serializers;
mod tags;
pub mod yaml;

pub use closure::{Closure, Reach};
pub use each::{FileResult, counts, import_all, import_each, read_source};
pub use export::{export_all, export_all_to, export_flow, export_flow_to, with_placeholders};
pub use host::ImportOptions;
pub use import::{FileReport, ImportError, Outcome, Source, import, import_node};
