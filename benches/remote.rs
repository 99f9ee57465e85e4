//! A live authentik (PERFORMANCE.md, "Remotes"): a pull of generated stores of n, 2n and 4n
//! objects and of the big store through the fake authentik of the tests (on loopback, the
//! server's work counted with the client's on the same two cores), with requests, bytes and
//! flows a second; then a push of one change: its requests and bytes. Run with
//! `cargo bench --bench remote` (`-- quick` skips the big store).

#[path = "../tests/fake_authentik/mod.rs"]
mod fake_authentik;

#[path = "common/mod.rs"]
mod common;

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use bindery::generate::{Sizes, generate};
use bindery::model::{Document, StageKind};
use bindery::remote::{self, Ctx, Remotes};
use fake_authentik::{Fake, TOKEN};

fn sized(divisor: usize) -> Document {
    generate(Sizes::big_over(divisor))
}

struct Pulled {
    seconds: f64,
    requests: u64,
    received: u64,
    flows: usize,
}

/// How many pulls of each store are timed (the median is shown): `BINDERY_BENCH_RUNS`, else 3.
fn runs() -> usize {
    common::runs(3)
}

/// First pulls of `doc` into empty stores (the median of [`runs`]); then a push of one changed
/// deny message from the last.
fn pull_and_push(doc: Document) -> (Pulled, Option<remote::PushReport>) {
    let fake = Fake::start(doc);
    fake.with(|s| s.max_page = remote::PAGE_SIZE);
    let endpoint = remote::Endpoint::parse(&fake.url).unwrap();
    let cancel = AtomicBool::new(false);
    // The fake makes each flow's export once; a first read warms it, so that the pulls
    // measured are the client's work (and the fake's answering), not the fake's exporting.
    let token = remote::Token::new(TOKEN).unwrap();
    let mut warm = remote::Client::new(&endpoint, token, &cancel);
    remote::fetch(&mut warm, &mut |_| {}).expect("warm the fake");
    let mut timed = Vec::new();
    let mut last = None;
    for _ in 0..runs() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store.json");
        Remotes::load(&store)
            .unwrap()
            .add("bench", &endpoint)
            .unwrap();
        let ctx = Ctx {
            store: &store,
            config_dir: None,
            cancel: &cancel,
        };
        let start = Instant::now();
        let report = remote::pull(&ctx, None, false, &mut |_| {}).expect("pull");
        timed.push(Pulled {
            seconds: start.elapsed().as_secs_f64(),
            requests: report.stats.requests,
            received: report.stats.bytes_received,
            flows: report.flows,
        });
        last = Some(dir);
    }
    timed.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let pulled = timed.swap_remove(timed.len() / 2);
    let dir = last.expect("a run");
    let store = dir.path().join("store.json");
    let ctx = Ctx {
        store: &store,
        config_dir: None,
        cancel: &cancel,
    };
    let mut s = bindery::store::Store::open(&store).unwrap();
    let stage = s
        .doc()
        .stages
        .iter()
        .find(|st| matches!(st.kind, StageKind::Deny(_)))
        .cloned();
    let Some(mut stage) = stage else {
        return (pulled, None);
    };
    if let StageKind::Deny(d) = &mut stage.kind {
        d.deny_message = "Closed for the benchmark.".into();
    }
    s.apply(&bindery::edit::Op::Update(bindery::model::Obj::Stage(
        stage,
    )))
    .expect("edit");
    s.save().unwrap();
    let plan = remote::plan(&ctx, None).unwrap();
    let pushed = remote::push(&ctx, plan, false, &mut |_| true, &mut |_| {}).expect("push");
    (pulled, Some(pushed))
}

fn main() {
    // The bench's own process reads the token from the environment, as bindery does.
    // SAFETY: set before any thread of this process starts.
    unsafe { std::env::set_var(remote::TOKEN_ENV, TOKEN) };
    let quick = std::env::args().any(|a| a == "quick");
    println!(
        "| store | flows | pull (median of {}) | flows/s | requests | received | push of one change |",
        runs()
    );
    println!("|---|---|---|---|---|---|---|");
    let mut times = Vec::new();
    // `BINDERY_BENCH_SIZES=40,20,10` pulls those sizes only (big/40, big/20, big/10): for
    // counting instructions under callgrind, where the usual sizes take too long.
    let divisors: Vec<usize> = match std::env::var("BINDERY_BENCH_SIZES") {
        Ok(list) => list
            .split(',')
            .filter_map(|d| d.trim().parse().ok())
            .collect(),
        Err(_) if quick => vec![20, 10, 5],
        Err(_) => vec![20, 10, 5, 1],
    };
    for divisor in divisors {
        let (pulled, pushed) = pull_and_push(sized(divisor));
        let push = pushed.map_or("-".to_string(), |p| {
            format!(
                "{} requests, {} B sent, {} B received",
                p.stats.requests, p.stats.bytes_sent, p.stats.bytes_received
            )
        });
        println!(
            "| big/{divisor} | {} | {:.2} s | {:.0} | {} | {:.1} MB | {push} |",
            pulled.flows,
            pulled.seconds,
            pulled.flows as f64 / pulled.seconds,
            pulled.requests,
            pulled.received as f64 / 1e6
        );
        times.push(pulled.seconds);
    }
    if let (Some(first), Some(third)) = (times.first(), times.get(2)) {
        println!("\ngrowth from n to 4n: {:.2}", third / first);
    }
}
