//! The fuzz corpus as regression tests (docs/reliability.md §7, T8): every seed input and
//! every crash reproducer kept in `tests/fixtures/fuzz/<target>/` goes through the same
//! function its cargo-fuzz target runs (`tests/fuzz_harness/mod.rs`) on every `cargo test`.
//! The fuzzing itself runs in `.ci/run` (cargo-fuzz, bounded time per target).

mod fuzz_harness;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

#[test]
fn every_kept_fuzz_input_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut ran = 0;
    let mut failures = Vec::new();
    for (target, run) in fuzz_harness::TARGETS {
        let dir = root.join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{target}: no seed inputs");
        for file in files {
            let data = std::fs::read(&file).unwrap();
            ran += 1;
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| run(&data))) {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{target}/{}: {why}", file.display()));
            }
        }
    }
    println!(
        "fuzz regressions: {ran} kept inputs over {} targets, {} crashes",
        fuzz_harness::TARGETS.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
