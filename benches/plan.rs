//! A plan of a 200-binding flow, five policy, group or user bindings on each, in a store of
//! 50,000 users and 5,000 groups nested six deep (budget: under 1 ms).

use std::collections::HashMap;
use std::hint::black_box;

use bindery::engine::{self, Engine, Index, Request};
use bindery::generate::{Sizes, generate};
use criterion::{Criterion, criterion_group, criterion_main};

fn plan_200_bindings(c: &mut Criterion) {
    let doc = generate(Sizes::big());
    let index = Index::build(&doc);
    let flow = doc.flows.iter().next().expect("a flow");
    assert_eq!(index.stage_bindings_of(flow.id).len(), 200);
    let user = doc.users.iter().nth(4_321).expect("a user").id;
    let assumptions = HashMap::new();

    c.bench_function("plan: 200-binding flow, logged-in user", |b| {
        b.iter(|| {
            let engine = Engine::new(&index, &assumptions);
            black_box(engine::plan(
                &engine,
                flow,
                Request {
                    user: Some(user),
                    ..Request::default()
                },
            ))
        })
    });
    c.bench_function(
        "plan: 200-binding flow, anonymous identifying as a user",
        |b| {
            b.iter(|| {
                let engine = Engine::new(&index, &assumptions);
                black_box(engine::plan(
                    &engine,
                    flow,
                    Request {
                        identify_as: Some(user),
                        ..Request::default()
                    },
                ))
            })
        },
    );
    c.bench_function("index: build over the whole store (once per load)", |b| {
        b.iter(|| black_box(Index::build(&doc)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = plan_200_bindings
}
criterion_main!(benches);
