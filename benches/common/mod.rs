//! What the benchmarks share.

/// How many times each measurement runs: `BINDERY_BENCH_RUNS`, else `default`.
pub fn runs(default: usize) -> usize {
    std::env::var("BINDERY_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}
