//! cargo-fuzz target: see tests/fuzz_harness/mod.rs. Run from the project root with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run key_replay fuzz/corpus/key_replay tests/fixtures/fuzz/key_replay`.
#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::key_replay(data));
