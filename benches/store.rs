//! Store and data budgets on the generated big store: a save against a bare serialise, write
//! and fsync of the same data; lint of the whole store; import and export of a 10,000-entry
//! blueprint; a fuzzy filter over 100,000 names, every name scored (the first key typed),
//! beside fuzzy-matcher scoring them alone (the `ui` bench's filter_100k times keys typed).

use std::hint::black_box;
use std::io::Write;

use bindery::blueprint::{Source, export_all, import, yaml};
use bindery::edit::{Batch, Op};
use bindery::generate::{Sizes, generate};
use bindery::model::{Document, Group, Obj};
use bindery::store::Store;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

fn save(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.json");
    let mut store = Store::create(&path, generate(Sizes::big())).expect("create");
    let mut group = c.benchmark_group("save of the big store");
    group.sample_size(10);
    let bare = dir.path().join("bare.json");
    group.bench_function("reference: serialise + write + fsync", |b| {
        b.iter(|| {
            let bytes = serde_json::to_vec_pretty(store.doc()).expect("JSON");
            let mut file = std::fs::File::create(&bare).expect("create");
            file.write_all(&bytes).expect("write");
            file.sync_all().expect("fsync");
        })
    });
    let mut n = 0;
    group.bench_function("bindery: one edit saved", |b| {
        b.iter(|| {
            n += 1;
            store
                .apply(&Op::Create(Obj::Group(Group::new(&format!("bench-{n}")))))
                .expect("edit");
            black_box(store.save().expect("save"))
        })
    });
    group.finish();
}

fn lint_and_blueprints(c: &mut Criterion) {
    let doc = generate(Sizes::big());
    let mut group = c.benchmark_group("whole-store work");
    group.sample_size(10);
    group.bench_function("lint of the big store", |b| {
        b.iter(|| black_box(bindery::lint::lint(&doc, None)))
    });
    // A blueprint of 10,000 entries: a medium store exported whole.
    let medium = generate(Sizes {
        flows: 100,
        stages: 1_000,
        stage_bindings: 3_000,
        policy_bindings: 4_000,
        users: 1_000,
        groups: 300,
        group_depth: 6,
        first_flow_bindings: 200,
        seed: 3,
    });
    let node = export_all(&medium);
    let text = yaml::emit(&node);
    let entries = yaml::parse(&text).expect("parse")[0]
        .get("entries")
        .and_then(|e| e.as_seq().map(<[_]>::len))
        .unwrap_or(0);
    println!(
        "blueprint: {entries} entries, {:.1} MB",
        text.len() as f64 / 1e6
    );
    group.bench_function(format!("export of a {entries}-entry blueprint"), |b| {
        b.iter(|| black_box(yaml::emit(&export_all(&medium))))
    });
    group.bench_function(format!("import of a {entries}-entry blueprint"), |b| {
        b.iter_batched(
            Document::default,
            |mut doc| {
                let mut batch = Batch::new(&mut doc, "import");
                let sources = [Source {
                    name: "big.yaml".into(),
                    text: text.clone(),
                }];
                import(&mut batch, &sources, &Default::default()).expect("import");
                batch.commit();
                doc
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn fuzzy(c: &mut Criterion) {
    let names: Vec<(uuid::Uuid, String)> = (0..100_000)
        .map(|i| {
            (
                uuid::Uuid::from_u128(i),
                format!("default-stage-{i}-user-login-{}", i % 97),
            )
        })
        .collect();
    let mut group = c.benchmark_group("fuzzy filter keystroke over 100,000 names");
    group.bench_function(
        "bindery's list filter (fuzzy-matcher scores, store order for ties)",
        |b| {
            b.iter(|| {
                let items = names.iter().map(|(id, n)| (*id, n.as_str())).collect();
                black_box(bindery::tui::lists::fuzzy_filter(items, "usrlog4"))
            })
        },
    );
    group.bench_function(
        "reference: fuzzy-matcher's SkimMatcherV2 scores every name, unsorted",
        |b| {
            use fuzzy_matcher::FuzzyMatcher;
            let matcher = fuzzy_matcher::skim::SkimMatcherV2::default().smart_case();
            b.iter(|| {
                black_box(
                    names
                        .iter()
                        .filter_map(|(_, n)| matcher.fuzzy_match(n, "usrlog4"))
                        .count(),
                )
            })
        },
    );
    group.finish();
}

criterion_group!(benches, save, lint_and_blueprints, fuzzy);
criterion_main!(benches);
