//! cargo-fuzz target: see tests/fuzz_harness/mod.rs. Run from the project root with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run store_parse fuzz/corpus/store_parse tests/fixtures/fuzz/store_parse`.
#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::store_parse(data));
