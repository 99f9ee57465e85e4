//! `import --each`: authentik applies each blueprint on its own. `Importer.apply`
//! (`authentik/blueprints/v1/importer.py`) runs one blueprint inside one database transaction
//! (`atomic()`), and the `apply_blueprint` task (`authentik/blueprints/v1/tasks.py`) applies
//! each blueprint instance separately, so a failing file leaves nothing of itself applied and
//! does not stop the others. (authentik's `ak apply_blueprint` command instead stops at the
//! first failing file, keeping the ones before it.) Here each file goes through its own edit
//! batch on the store, in the order given.

use std::path::Path;

use super::host::ImportOptions;
use super::import::{FileReport, ImportError, Outcome, Source, import};
use crate::store::Store;
use crate::text::sanitize;

/// A blueprint file as a source, named by its path; the error names the file.
pub fn read_source(file: &Path) -> Result<Source, String> {
    let name = file.display().to_string();
    match std::fs::read_to_string(file) {
        Ok(text) => Ok(Source { name, text }),
        Err(e) => Err(format!("{}: cannot read: {e}", sanitize(&name))),
    }
}

/// Applies every source in one batch on the store, named after the files: all of them, or
/// none (in memory: the caller saves).
pub fn import_all(
    store: &mut Store,
    sources: &[Source],
    options: &ImportOptions,
) -> Result<Vec<FileReport>, ImportError> {
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    store
        .apply_batch(&format!("import {}", names.join(", ")), |batch| {
            import(batch, sources, options)
        })
        .map(|(reports, _)| reports)
}

/// What became of one file of an `--each` import.
#[derive(Debug)]
pub struct FileResult {
    pub name: String,
    /// The file's report when it applied, else why it did not (nothing of it is applied).
    pub result: Result<FileReport, ImportError>,
}

/// Applies each source in its own batch (in memory: the caller saves); every file is tried.
pub fn import_each(
    store: &mut Store,
    sources: &[Source],
    options: &ImportOptions,
) -> Vec<FileResult> {
    sources
        .iter()
        .map(|source| {
            let result = store
                .apply_batch(&format!("import {}", source.name), |batch| {
                    import(batch, std::slice::from_ref(source), options)
                })
                .map(|(mut reports, _)| reports.remove(0));
            FileResult {
                name: source.name.clone(),
                result,
            }
        })
        .collect()
}

/// One file's entry counts, as the CLI and the UI both print them.
pub fn counts(report: &FileReport) -> String {
    let count = |f: fn(&Outcome) -> bool| report.count(f);
    format!(
        "{} entries: {} created, {} updated, {} unchanged, {} deleted, {} skipped",
        report.outcomes.len(),
        count(|o| matches!(o, Outcome::Created(_))),
        count(|o| matches!(o, Outcome::Updated(_))),
        count(|o| matches!(
            o,
            Outcome::Unchanged(_) | Outcome::Kept(_) | Outcome::AlreadyAbsent
        )),
        count(|o| matches!(o, Outcome::Deleted(_))),
        count(|o| matches!(o, Outcome::ConditionFalse { .. })),
    )
}
