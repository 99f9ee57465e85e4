//! Linear at any size (PERFORMANCE.md): every command and a UI key press on generated stores
//! of n, 2n and 4n objects (a twentieth, a tenth and a fifth of the big store), with the
//! growth factor from n to 4n (at most 4.6: linear, with noise); then every command on the big
//! store itself, side by side with Python's `json.load` of the same file, and `import` of the
//! 4n blueprint side by side with PyYAML's C loader (authentik's parser) reading it.
//!
//! Commands run as the real binary, one process each, as an administrator runs them: wall time
//! (the median of several runs), CPU time (the least) and the peak memory of the process. Run with
//! `cargo bench --bench scaling`; Python 3 with PyYAML is needed for the two references only.

#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bindery::generate::{Sizes, generate};
use bindery::model::ObjKind;
use bindery::store::Store;
use bindery::tui::keys::parse_keys;
use bindery::tui::screen::render;
use bindery::tui::update::handle_key;
use bindery::tui::{App, Keymap, Theme};

/// How many times each command runs: `BINDERY_BENCH_RUNS`, else 7.
fn runs() -> usize {
    common::runs(7)
}

/// authentik reads blueprints with PyYAML's C loader and its own tags (`!KeyOf`, `!Find`, ...);
/// any tag is read here as its node, which is at most what authentik does.
const PYYAML: &str = r#"
import sys, time, yaml
class Loader(yaml.CSafeLoader):
    pass
def tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return (suffix, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return (suffix, loader.construct_sequence(node))
    return (suffix, loader.construct_mapping(node))
Loader.add_multi_constructor("!", tag)
start = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as f:
    yaml.load(f, Loader=Loader)
print(time.perf_counter() - start)
"#;

const JSON_LOAD: &str = r#"
import json, sys, time
start = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as f:
    json.load(f)
print(time.perf_counter() - start)
"#;

struct Measured {
    time: Duration,
    /// User and system time, the least of the runs: the work done, which other processes on
    /// the machine inflate less than the wall time, and which no run can do in less time than
    /// the work takes (what the growth factors compare).
    cpu: Duration,
    peak_bytes: u64,
}

fn cpu_time(usage: &libc::rusage) -> Duration {
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs the binary once; its wall time and peak resident memory.
fn run_once(args: &[&str]) -> Measured {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start bindery");
    let mut status = 0;
    // SAFETY: wait4 reaps this child and fills the status and usage it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let time = start.elapsed();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    // lint exits 1 when it finds errors; anything else means the command failed.
    let code = libc::WEXITSTATUS(status);
    assert!(
        libc::WIFEXITED(status) && code <= 1,
        "bindery {args:?} failed ({status})"
    );
    // Reaped by wait4 above: this only lets the handle know (and fails quietly).
    let _ = child.try_wait();
    Measured {
        time,
        cpu: cpu_time(&usage),
        peak_bytes: usage.ru_maxrss as u64 * 1024,
    }
}

/// The median wall time, the least CPU time and the highest peak of several runs; `before`
/// runs ahead of each (not measured), for commands that need a fresh start.
fn measure(args: &[&str], before: &dyn Fn()) -> Measured {
    let [m] = measure_interleaved([args], [before]);
    m
}

/// The same command at several sizes, measured in rounds that run each size once in turn, so
/// that a burst of other work on the machine slows every size alike instead of one size's runs.
fn measure_interleaved<const N: usize>(
    args: [&[&str]; N],
    before: [&dyn Fn(); N],
) -> [Measured; N] {
    let mut times = [(); N].map(|_| Vec::new());
    let mut cpus = [(); N].map(|_| Vec::new());
    let mut peaks = [0; N];
    for _ in 0..runs() {
        for i in 0..N {
            before[i]();
            let m = run_once(args[i]);
            times[i].push(m.time);
            cpus[i].push(m.cpu);
            peaks[i] = peaks[i].max(m.peak_bytes);
        }
    }
    std::array::from_fn(|i| {
        times[i].sort();
        cpus[i].sort();
        Measured {
            time: times[i][times[i].len() / 2],
            cpu: cpus[i][0],
            peak_bytes: peaks[i],
        }
    })
}

/// A Python reference: the median of the times the script reports for itself in `runs` runs.
fn python(script: &str, file: &Path, runs: usize) -> Option<Duration> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(file)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let seconds: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
        times.push(Duration::from_secs_f64(seconds));
    }
    times.sort();
    Some(times[times.len() / 2])
}

/// A store on disk of the big store's size divided by `divisor`, with its `export --all`
/// when asked for, and the names the commands are run on.
struct Sample {
    store: PathBuf,
    blueprint: PathBuf,
    /// A flow (the 200-binding one), a stage, a policy, a group and a user.
    names: [String; 5],
    objects: usize,
}

/// The stores are made by another process running this benchmark with `--generate`: the
/// peak memory of a process started from this one counts this one's peak (the kernel carries
/// it over when the child execs), so this one never holds a large document.
fn sample(dir: &Path, divisor: usize, with_blueprint: bool) -> Sample {
    let store = dir.join(format!("store-{divisor}.json"));
    let out = Command::new(std::env::current_exe().expect("this benchmark"))
        .arg("--generate")
        .arg(divisor.to_string())
        .arg(&store)
        .stderr(Stdio::inherit())
        .output()
        .expect("generate a store");
    assert!(out.status.success(), "generate a store");
    let (names, objects): ([String; 5], usize) =
        serde_json::from_slice(&out.stdout).expect("the generator's answer");
    let blueprint = dir.join(format!("blueprint-{divisor}.yaml"));
    if with_blueprint {
        let status = Command::new(env!("CARGO_BIN_EXE_bindery"))
            .arg("--store")
            .arg(&store)
            .args(["export", "--all", "-o"])
            .arg(&blueprint)
            .status()
            .expect("export");
        assert!(status.success(), "export --all");
    }
    Sample {
        store,
        blueprint,
        names,
        objects,
    }
}

/// `--generate DIVISOR PATH`: writes the store and prints its names and object count.
fn generate_store(divisor: usize, path: &Path) {
    let doc = generate(Sizes::big_over(divisor));
    let first = |name: Option<&str>| name.expect("the generated store has one").to_string();
    let names = [
        first(doc.flows.iter().next().map(|f| f.slug.as_str())),
        first(doc.stages.iter().next().map(|x| x.name.as_str())),
        first(doc.policies.iter().next().map(|x| x.name.as_str())),
        first(doc.groups.iter().next().map(|x| x.name.as_str())),
        first(doc.users.iter().next().map(|x| x.username.as_str())),
    ];
    let objects: usize = ObjKind::ALL.iter().map(|k| doc.count(*k)).sum();
    Store::create(path, doc).expect("create the store");
    println!("{}", serde_json::json!([names, objects]));
}

/// Every command an administrator runs, with arguments that fit the store.
fn commands(s: &Sample) -> Vec<(String, Vec<String>)> {
    let [flow, stage, policy, group, user] = &s.names;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |label: String, args: &[&str]| {
        out.push((label, args.iter().map(|a| a.to_string()).collect()));
    };
    for kind in [
        "flows",
        "stages",
        "policies",
        "bindings",
        "policy-bindings",
        "groups",
        "users",
        "others",
    ] {
        add(format!("list {kind}"), &["list", kind]);
        add(format!("list {kind} --json"), &["list", kind, "--json"]);
    }
    add("lint".into(), &["lint"]);
    add("lint --json".into(), &["lint", "--json"]);
    add("where-used stage".into(), &["where-used", "stage", stage]);
    add(
        "where-used policy".into(),
        &["where-used", "policy", policy],
    );
    add("where-used group".into(), &["where-used", "group", group]);
    add("where-used user".into(), &["where-used", "user", user]);
    add(
        "plan (200-binding flow) --json".into(),
        &["plan", flow, "--user", user, "--json"],
    );
    add("diagram".into(), &["diagram", flow]);
    add(
        "diagram --format mermaid".into(),
        &["diagram", flow, "--format", "mermaid"],
    );
    add("log".into(), &["log"]);
    add("export FLOW".into(), &["export", flow]);
    add("export --all".into(), &["export", "--all"]);
    add(
        "screen (first frame, 200x50)".into(),
        &["screen", "--size", "200x50"],
    );
    out
}

/// One key press on a main screen, handled and drawn at 200x50 (the median of 21).
fn key_press(store: &Path, setup: &str, key: &str) -> Duration {
    let mut app = App::new(Store::open(store).expect("open"), Keymap::default_keymap());
    let theme = Theme::monochrome();
    for k in parse_keys(setup).expect("keys") {
        handle_key(&mut app, k);
    }
    render(&mut app, &theme, 200, 50);
    let key = parse_keys(key).expect("key")[0];
    let mut times: Vec<Duration> = (0..21)
        .map(|_| {
            let start = Instant::now();
            handle_key(&mut app, key);
            render(&mut app, &theme, 200, 50);
            start.elapsed()
        })
        .collect();
    times.sort();
    times[10]
}

const KEY_PRESSES: [(&str, &str, &str); 4] = [
    ("key press: Flows, selection down", "1", "j"),
    (
        "key press: Stage Bindings of the first flow",
        "1<Enter>",
        "j",
    ),
    ("key press: Users, selection down", "4", "j"),
    ("key press: Policies, filter keystroke", "3/", "a"),
];

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn growth(rows: &[(String, [Duration; 3])]) {
    println!(
        "\ncommands: CPU time (user + system) of the process, the least of {} runs; key presses: \
         handled and drawn at 200x50 in this process, the median of 21",
        runs()
    );
    println!("\n| work | n | 2n | 4n | growth n→2n | growth n→4n |");
    println!("|---|---|---|---|---|---|");
    let mut worst = 0.0f64;
    for (label, [a, b, c]) in rows {
        let (g2, g4) = (
            b.as_secs_f64() / a.as_secs_f64(),
            c.as_secs_f64() / a.as_secs_f64(),
        );
        worst = worst.max(g4);
        println!(
            "| {label} | {} | {} | {} | {g2:.2} | {g4:.2} |",
            ms(*a),
            ms(*b),
            ms(*c)
        );
    }
    println!(
        "\nhighest growth from n to 4n: {worst:.2} (at most 4.6: {})",
        if worst <= 4.6 { "met" } else { "NOT met" }
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--generate") {
        let divisor = args[at + 1].parse().expect("a divisor");
        return generate_store(divisor, Path::new(&args[at + 2]));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let arg = |p: &Path| p.to_str().expect("UTF-8 temp path").to_string();
    let samples: Vec<Sample> = [20, 10, 5]
        .iter()
        .map(|d| sample(dir.path(), *d, true))
        .collect();
    println!(
        "stores: n = {} objects ({} KB), 2n, 4n = {} objects ({} KB)",
        samples[0].objects,
        file_kb(&samples[0].store),
        samples[2].objects,
        file_kb(&samples[2].store)
    );

    let mut rows: Vec<(String, [Duration; 3])> = Vec::new();
    let stores: Vec<String> = samples.iter().map(|s| arg(&s.store)).collect();
    let blueprints: Vec<String> = samples.iter().map(|s| arg(&s.blueprint)).collect();
    let new_stores: Vec<PathBuf> = (0..3)
        .map(|i| dir.path().join(format!("imported-{i}.json")))
        .collect();
    let copies: Vec<PathBuf> = (0..3)
        .map(|i| dir.path().join(format!("copy-{i}.json")))
        .collect();
    let fresh = |i: usize| {
        let _ = std::fs::remove_file(&new_stores[i]);
    };
    let restore = |i: usize| {
        std::fs::copy(&samples[i].store, &copies[i]).expect("copy the store");
    };
    let import_args: Vec<[&str; 4]> = (0..3)
        .map(|i| ["--store", arg_str(&new_stores[i]), "import", &blueprints[i]])
        .collect();
    let reimport_args: Vec<[&str; 4]> = (0..3)
        .map(|i| ["--store", arg_str(&copies[i]), "import", &blueprints[i]])
        .collect();
    let import = measure_interleaved(
        [
            &import_args[0][..],
            &import_args[1][..],
            &import_args[2][..],
        ],
        [&|| fresh(0), &|| fresh(1), &|| fresh(2)],
    );
    let reimport = measure_interleaved(
        [
            &reimport_args[0][..],
            &reimport_args[1][..],
            &reimport_args[2][..],
        ],
        [&|| restore(0), &|| restore(1), &|| restore(2)],
    );
    rows.push((
        "import of its `export --all` into a new store".into(),
        import.map(|m| m.cpu),
    ));
    rows.push((
        "import of its `export --all` onto itself".into(),
        reimport.map(|m| m.cpu),
    ));
    let per_sample: Vec<Vec<(String, Vec<String>)>> = samples.iter().map(commands).collect();
    for (c, (label, _)) in per_sample[0].iter().enumerate() {
        let args: Vec<Vec<&str>> = (0..3)
            .map(|i| {
                let mut args = vec!["--store", stores[i].as_str()];
                args.extend(per_sample[i][c].1.iter().map(String::as_str));
                args
            })
            .collect();
        let nothing = || {};
        let measured =
            measure_interleaved([&args[0][..], &args[1][..], &args[2][..]], [&nothing; 3]);
        rows.push((label.clone(), measured.map(|m| m.cpu)));
    }
    // Measured before the key presses, which load stores into this process.
    let big = big_store(dir.path(), &samples[2]);
    for (label, setup, key) in KEY_PRESSES {
        let mut times = [Duration::ZERO; 3];
        for (i, s) in samples.iter().enumerate() {
            times[i] = key_press(&s.store, setup, key);
        }
        rows.push((label.to_string(), times));
    }
    growth(&rows);
    print!("{big}");
}

fn arg_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

fn file_kb(path: &Path) -> u64 {
    std::fs::metadata(path).expect("size").len() / 1024
}

/// The figures of "done when": the big store's commands against `json.load`, and import
/// against PyYAML.
fn big_store(dir: &Path, four_n: &Sample) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    let arg = |p: &Path| p.to_str().expect("UTF-8 temp path").to_string();
    let big = sample(dir, 1, false);
    let size = std::fs::metadata(&big.store).expect("size").len();
    // json.load runs once before each command, so that its median is taken over the same
    // stretch of time as the commands': the machine's speed drifts over minutes.
    let store = arg(&big.store);
    let mut measured = Vec::new();
    let mut json_loads = Vec::new();
    for (label, rest) in commands(&big) {
        json_loads.extend(python(JSON_LOAD, &big.store, 1));
        let mut args = vec!["--store", store.as_str()];
        args.extend(rest.iter().map(String::as_str));
        measured.push((label, measure(&args, &|| {})));
    }
    json_loads.sort();
    let json_load = json_loads.get(json_loads.len() / 2).copied();
    let _ = writeln!(
        text,
        "\nthe big store: {} MB; Python's json.load of it: {} (the median of {} runs, one \
         before each command)",
        size / 1_000_000,
        json_load.map_or("not measured (python3 missing)".into(), ms),
        json_loads.len()
    );
    let _ = writeln!(
        text,
        "\n| command | time | × json.load | peak memory | × store size |"
    );
    let _ = writeln!(text, "|---|---|---|---|---|");
    for (label, m) in measured {
        let ratio = json_load.map_or("-".into(), |j| {
            format!("{:.2}", m.time.as_secs_f64() / j.as_secs_f64())
        });
        let _ = writeln!(
            text,
            "| {label} | {} | {ratio} | {} MB | {:.2} |",
            ms(m.time),
            m.peak_bytes / 1_000_000,
            m.peak_bytes as f64 / size as f64
        );
    }
    let new_store = dir.join("imported-4n.json");
    let fresh = || {
        let _ = std::fs::remove_file(&new_store);
    };
    let m = measure(
        &[
            "--store",
            &arg(&new_store),
            "import",
            &arg(&four_n.blueprint),
        ],
        &fresh,
    );
    let entries = std::fs::read_to_string(&four_n.blueprint)
        .expect("blueprint")
        .lines()
        .filter(|l| l.trim_start().starts_with("- model:"))
        .count();
    let pyyaml = python(PYYAML, &four_n.blueprint, 3);
    let _ = writeln!(
        text,
        "\nimport of the 4n blueprint ({entries} entries): {} ({} MB peak); PyYAML's C loader reading it: {}{}",
        ms(m.time),
        m.peak_bytes / 1_000_000,
        pyyaml.map_or("not measured (python3 with PyYAML missing)".into(), ms),
        pyyaml.map_or(String::new(), |p| format!(
            " ({:.2}×, at most 0.25)",
            m.time.as_secs_f64() / p.as_secs_f64()
        ))
    );
    text
}
