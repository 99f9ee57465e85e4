//! Lost updates (docs/reliability.md §7, T5): P processes each apply K edits through the real
//! command line at the same time (`bindery import` of a small blueprint adding one distinct
//! group), then the groups are counted: every acknowledged edit must be in the store, each
//! exactly once, and the change log must hold one entry per save.
//!
//! The command line does not say when a save had to merge onto someone else's, so the same
//! load is also run through the library, P threads each opening its own handle per edit (two
//! handles in one process lock each other out exactly like two processes do), where every
//! save reports whether it found another save in between and merged onto it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bindery::edit::Op;
use bindery::generate::{Sizes, generate};
use bindery::model::{Document, Group, Obj};
use bindery::store::Store;

const P: usize = 4;
const K: usize = 15;

fn blueprint(dir: &Path, p: usize, k: usize) -> PathBuf {
    let path = dir.join(format!("p{p}-k{k}.yaml"));
    std::fs::write(
        &path,
        format!(
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      \
             name: p{p}-k{k}\n"
        ),
    )
    .unwrap();
    path
}

fn bindery(store: &Path, args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("BINDERY_STORE")
        .env("XDG_STATE_HOME", store.parent().unwrap().join("state"))
        .output()
        .expect("run bindery")
}

/// A store of about 1.4 MB, so that opening and saving take long enough to overlap.
fn seed_store() -> Document {
    let big = Sizes::big();
    let scale = |n: usize| (n / 100).max(1);
    generate(Sizes {
        flows: scale(big.flows),
        stages: scale(big.stages),
        stage_bindings: scale(big.stage_bindings),
        policy_bindings: scale(big.policy_bindings),
        users: scale(big.users),
        groups: scale(big.groups),
        first_flow_bindings: 50,
        ..big
    })
}

fn expected_names() -> BTreeSet<String> {
    (0..P)
        .flat_map(|p| (0..K).map(move |k| format!("p{p}-k{k}")))
        .collect()
}

#[test]
fn concurrent_imports_through_the_cli_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    Store::create(&store, seed_store()).unwrap();
    let base = seed_store().groups.len();

    let conflicts = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..P)
        .map(|p| {
            let files: Vec<PathBuf> = (0..K).map(|k| blueprint(dir.path(), p, k)).collect();
            let store = store.clone();
            let conflicts = Arc::clone(&conflicts);
            let failures = Arc::clone(&failures);
            std::thread::spawn(move || {
                for file in files {
                    let out = bindery(&store, &["import".as_ref(), file.as_os_str()]);
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    conflicts.fetch_add(
                        stderr
                            .lines()
                            .filter(|l| l.contains(": conflict: "))
                            .count(),
                        Ordering::SeqCst,
                    );
                    if !out.status.success() {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{}: {stderr}", file.display()));
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let took = started.elapsed();
    let failures = failures.lock().unwrap().clone();

    let list = bindery(
        &store,
        &["list".as_ref(), "groups".as_ref(), "--json".as_ref()],
    );
    assert!(list.status.success(), "{list:?}");
    let groups: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let names: Vec<String> = groups
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .filter(|n| n.starts_with('p') && n.contains("-k"))
        .collect();
    assert_eq!(
        groups.len(),
        base + names.len(),
        "the seed's groups are all there"
    );
    let unique: BTreeSet<String> = names.iter().cloned().collect();
    let lost = expected_names().difference(&unique).count();
    let log = bindery(&store, &["log".as_ref(), "--json".as_ref()]);
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&log.stdout).unwrap();
    let generation = Store::open(&store).unwrap().doc().generation;

    println!(
        "lost updates (CLI): {P} x {K} edits, final count {}, conflicts detected {} (reported \
         by the CLI), failed imports {}, lost {lost}; {} log entries over {} generations; {:.1} s",
        names.len(),
        conflicts.load(Ordering::SeqCst),
        failures.len(),
        entries.len(),
        generation - 1,
        took.as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(lost, 0, "lost edits");
    assert_eq!(names.len(), P * K, "each edit exactly once: {names:?}");
    assert_eq!(
        conflicts.load(Ordering::SeqCst),
        0,
        "distinct groups never conflict"
    );
    assert_eq!(entries.len(), P * K, "one change-log entry per import");
    assert_eq!(generation as usize, 1 + P * K, "one generation per save");
}

#[test]
fn concurrent_handles_detect_every_interleaving_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    Store::create(&path, seed_store()).unwrap();
    let base = seed_store().groups.len();
    let merged = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..P)
        .map(|p| {
            let path = path.clone();
            let merged = Arc::clone(&merged);
            std::thread::spawn(move || {
                for k in 0..K {
                    // Like an interactive session: open, think a little, edit, save.
                    let mut store = Store::open(&path).unwrap();
                    std::thread::sleep(Duration::from_millis(((p * 7 + k * 3) % 5) as u64));
                    store
                        .apply(&Op::Create(Obj::Group(Group::new(&format!("p{p}-k{k}")))))
                        .unwrap();
                    let report = store.save().unwrap();
                    assert!(report.conflicts.is_empty(), "{report:?}");
                    if report.merged {
                        merged.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let names: BTreeSet<String> = store.doc().groups.iter().map(|g| g.name.clone()).collect();
    let added = store.doc().groups.len() - base;
    let lost = expected_names().difference(&names).count();
    println!(
        "lost updates (library handles): {P} x {K} edits, final count {}, conflicts detected {} \
         (saves that found another save in between and merged onto it), lost {lost}",
        added,
        merged.load(Ordering::SeqCst)
    );
    assert_eq!(lost, 0);
    assert_eq!(added, P * K);
    assert_eq!(store.doc().generation as usize, 1 + P * K);
    assert!(
        merged.load(Ordering::SeqCst) > 0,
        "the handles never overlapped: the test tested nothing"
    );
}
