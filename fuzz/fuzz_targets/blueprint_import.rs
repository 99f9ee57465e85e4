//! cargo-fuzz target: see tests/fuzz_harness/mod.rs. Run from the project root with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run blueprint_import fuzz/corpus/blueprint_import tests/fixtures/fuzz/blueprint_import`.
#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::blueprint_import(data));
