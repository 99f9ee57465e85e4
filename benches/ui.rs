//! The budgets of DESIGN.md §6 that concern the terminal UI, on the generated big store:
//! start-up to the first frame against serde_json alone parsing the same file, one key press
//! handled and drawn on each main screen at 200x50, and a key typed into the list filter over
//! 100,000 names.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use bindery::generate::{Sizes, generate};
use bindery::store::Store;
use bindery::tui::keys::parse_keys;
use bindery::tui::screen::render;
use bindery::tui::update::handle_key;
use bindery::tui::{App, Keymap, Theme};
use criterion::{Criterion, criterion_group, criterion_main};

/// The big store on disk, made once per run.
fn big_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.json");
    Store::create(&path, generate(Sizes::big())).expect("create the big store");
    (dir, path)
}

fn open(path: &std::path::Path) -> App {
    App::new(Store::open(path).expect("open"), Keymap::default_keymap())
}

fn startup(c: &mut Criterion) {
    let (_dir, path) = big_store();
    let bytes = std::fs::read(&path).expect("read");
    let mut group = c.benchmark_group("startup");
    group.sample_size(10);
    group.bench_function("reference: serde_json parses the file into a Value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(&bytes).expect("JSON")))
    });
    group.bench_function("bindery: open the store and draw the first frame", |b| {
        b.iter(|| {
            let mut app = open(&path);
            black_box(render(&mut app, &Theme::monochrome(), 200, 50))
        })
    });
    group.finish();
}

fn key_presses(c: &mut Criterion) {
    let (_dir, path) = big_store();
    let mut group = c.benchmark_group("key press handled and drawn at 200x50");
    let screens = [
        ("flows", "1"),
        ("stages", "2"),
        ("policies", "3"),
        ("users", "4"),
        ("groups", "5"),
        (
            "flow page: stage bindings of a 200-binding flow",
            "1<Enter>",
        ),
        ("flow page: simulate", "1<Enter>]]"),
    ];
    for (name, setup) in screens {
        let mut app = open(&path);
        for key in parse_keys(setup).expect("keys") {
            handle_key(&mut app, key);
        }
        render(&mut app, &Theme::monochrome(), 200, 50);
        let down = parse_keys("j").expect("j")[0];
        let up = parse_keys("k").expect("k")[0];
        let mut flip = false;
        group.bench_function(name, |b| {
            b.iter(|| {
                flip = !flip;
                handle_key(&mut app, if flip { down } else { up });
                black_box(render(&mut app, &Theme::monochrome(), 200, 50))
            })
        });
    }
    group.finish();
}

/// One key typed into the Users filter over 100,000 users, handled and drawn at 200x50: the
/// first character (every name is scored), then each next one of a growing query (the list
/// already holds the previous query's matches). Before each timed key, an untimed Backspace
/// puts the filter back to the previous query and its ranking is let settle. A key ranks one
/// step of at most `lists::STEP` names; "settled" is until every name is ranked.
fn filter_100k(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("users.json");
    let sizes = Sizes {
        flows: 1,
        stages: 1,
        stage_bindings: 0,
        policy_bindings: 0,
        users: 100_000,
        groups: 0,
        group_depth: 0,
        first_flow_bindings: 0,
        seed: 1,
    };
    Store::create(&path, generate(sizes)).expect("create the store");
    let mut group =
        c.benchmark_group("filter_100k: a key typed into the filter over 100,000 names");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    let backspace = parse_keys("<BS>").expect("Backspace")[0];
    for query in ["u", "user", "user4", "user42"] {
        let mut app = open(&path);
        let keys = format!("4/{query}");
        for key in parse_keys(&keys).expect("keys") {
            handle_key(&mut app, key);
        }
        let last = *parse_keys(&query[query.len() - 1..])
            .expect("key")
            .first()
            .expect("a key");
        // The keystroke as a person sees it: handled (the first step of the ranking) and
        // drawn; then until the ranking settled on every name (the work the steps share out).
        for (label, settle) in [("", false), (", settled", true)] {
            group.bench_function(format!("typing {query:?}{label}"), |b| {
                b.iter_custom(|iters| {
                    let mut timed = Duration::ZERO;
                    for _ in 0..iters {
                        handle_key(&mut app, backspace);
                        app.finish_ranking();
                        render(&mut app, &Theme::monochrome(), 200, 50);
                        let start = Instant::now();
                        handle_key(&mut app, last);
                        if settle {
                            app.finish_ranking();
                        }
                        black_box(render(&mut app, &Theme::monochrome(), 200, 50));
                        timed += start.elapsed();
                    }
                    timed
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, startup, key_presses, filter_100k);
criterion_main!(benches);
