//! Writes a large realistic store for benchmarks and for trying bindery at scale:
//!
//! cargo run --release --example gen -- --flows 2000 --stages 20000 --bindings 100000 \
//!     --policy-bindings 200000 --users 50000 --groups 5000 -o big.json

use std::path::PathBuf;

use bindery::generate::{Sizes, generate};
use bindery::store::Store;
use clap::Parser;

#[derive(Parser)]
#[command(about = "Write a large generated bindery store")]
struct Args {
    #[arg(long, default_value_t = 2_000)]
    flows: usize,
    #[arg(long, default_value_t = 20_000)]
    stages: usize,
    #[arg(long, default_value_t = 100_000)]
    bindings: usize,
    #[arg(long, default_value_t = 200_000)]
    policy_bindings: usize,
    #[arg(long, default_value_t = 50_000)]
    users: usize,
    #[arg(long, default_value_t = 5_000)]
    groups: usize,
    /// How deep the group hierarchy goes
    #[arg(long, default_value_t = 6)]
    depth: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The store file to create (it must not exist)
    #[arg(short, long)]
    output: PathBuf,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let doc = generate(Sizes {
        flows: args.flows,
        stages: args.stages,
        stage_bindings: args.bindings,
        policy_bindings: args.policy_bindings,
        users: args.users,
        groups: args.groups,
        group_depth: args.depth,
        first_flow_bindings: 200.min(args.bindings),
        seed: args.seed,
    });
    Store::create(&args.output, doc)?;
    let size = std::fs::metadata(&args.output)?.len();
    println!(
        "wrote {} ({:.1} MB)",
        args.output.display(),
        size as f64 / 1e6
    );
    Ok(())
}
