//! Big and hostile input (docs/reliability.md §7, issue 7 item 12), through the real binary in
//! a child process so that a stack overflow or an abort shows as a signal instead of taking
//! the test down: a 100 MB store, a blueprint of 100,000 entries, nesting 10,000 levels deep
//! in a store's JSON and in a blueprint's YAML, a name of 1 MB. Each must end in success or a
//! clear error, never a crash, within bounded time and memory (peak resident set size of the
//! child, sampled from /proc).

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bindery::generate::{Sizes, generate};
use bindery::store::Store;

/// How a child process ended.
struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    took: Duration,
    peak_mb: f64,
}

impl Run {
    /// Killed by a signal (a stack overflow, an abort) or a Rust panic (exit status 101).
    fn crashed(&self) -> bool {
        self.signal.is_some() || self.code == Some(101)
    }

    fn summary(&self) -> String {
        match (self.code, self.signal) {
            (_, Some(sig)) => format!("CRASHED with signal {sig}"),
            (Some(101), _) => format!("CRASHED with a panic: {}", panic_line(&self.stderr)),
            (Some(0), _) => format!("success in {:.1} s{}", self.took.as_secs_f64(), self.peak()),
            (code, _) => format!(
                "clear error (exit {}) in {:.1} s{}: {}",
                code.unwrap_or(-1),
                self.took.as_secs_f64(),
                self.peak(),
                first_line(&self.stderr)
            ),
        }
    }
}

impl Run {
    fn peak(&self) -> String {
        if self.peak_mb >= 1.0 {
            format!(", peak {:.0} MB", self.peak_mb)
        } else {
            String::new() // over before the first sample
        }
    }
}

fn panic_line(stderr: &str) -> String {
    first_line(
        stderr
            .lines()
            .skip_while(|l| !l.contains("panicked"))
            .nth(1)
            .unwrap_or(stderr),
    )
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > 160 {
        format!("{}…", line.chars().take(160).collect::<String>())
    } else {
        line.to_string()
    }
}

/// Runs `bindery --store STORE ARGS...`, sampling its peak memory.
fn bindery(store: &Path, args: &[&str]) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("BINDERY_STORE")
        .env("XDG_STATE_HOME", store.parent().unwrap().join("state"))
        .env("XDG_CONFIG_HOME", store.parent().unwrap().join("config"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bindery");
    // The peak resident set size of the child's own image, sampled from /proc (wait4's
    // ru_maxrss would also count the test process's memory the child had before its exec).
    let pid = child.id() as libc::pid_t;
    let peak = std::thread::spawn(move || {
        let mut peak_kb = 0u64;
        while let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            let Some(hwm) = status.lines().find(|l| l.starts_with("VmHWM:")) else {
                break; // a zombie: it has exited
            };
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            if exe.file_name().is_some_and(|n| n == "bindery") {
                let kb: u64 = hwm
                    .split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                peak_kb = peak_kb.max(kb);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        peak_kb
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).unwrap();
        v
    });
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut err, &mut stderr).unwrap();
    let stdout = reader.join().unwrap();
    let status = child.wait().unwrap();
    let peak_kb = peak.join().unwrap();
    Run {
        code: status.code(),
        signal: status.signal(),
        stdout,
        stderr,
        took: start.elapsed(),
        peak_mb: peak_kb as f64 / 1024.0,
    }
}

fn write_store(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// A store of about 100 MB: 73 % of the benchmark's big store.
fn hundred_megabytes() -> bindery::model::Document {
    let big = Sizes::big();
    let scale = |n: usize| n * 73 / 100;
    generate(Sizes {
        flows: scale(big.flows),
        stages: scale(big.stages),
        stage_bindings: scale(big.stage_bindings),
        policy_bindings: scale(big.policy_bindings),
        users: scale(big.users),
        groups: scale(big.groups),
        ..big
    })
}

#[test]
fn a_100_mb_store_loads_edits_and_saves_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let start = Instant::now();
    let doc = hundred_megabytes();
    let flows = doc.flows.len();
    Store::create(&path, doc).unwrap();
    let size = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
    let created = start.elapsed();
    assert!(size >= 95.0, "{size:.0} MB");

    let list = bindery(&path, &["list", "flows", "--json"]);
    assert!(!list.crashed(), "{}", list.summary());
    assert_eq!(list.code, Some(0), "{}", list.summary());
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(listed.len(), flows);

    let bp = dir.path().join("one.yaml");
    std::fs::write(
        &bp,
        "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: \
         one-more\n",
    )
    .unwrap();
    let import = bindery(&path, &["import", bp.to_str().unwrap()]);
    assert_eq!(import.code, Some(0), "{}", import.summary());
    let lint = bindery(&path, &["lint", "--json"]);
    assert!(!lint.crashed(), "{}", lint.summary());

    // Bounded: a few times the file, not more.
    for run in [&list, &import, &lint] {
        assert!(run.peak_mb < size * 8.0, "{}", run.summary());
    }
    println!(
        "big input: {size:.0} MB store: created in {:.1} s; list: {}; import (load, edit, save): \
         {}; lint: {}",
        created.as_secs_f64(),
        list.summary(),
        import.summary(),
        lint.summary()
    );
}

/// A few seconds in the test build: the importer finds each entry's object through indexes.
/// (It took 140 s when each lookup scanned the objects of its kind, and ran only in `.ci/run`.)
#[test]
fn a_blueprint_of_100000_entries_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let bp = dir.path().join("many.yaml");
    let mut text = String::from("version: 1\nentries:\n");
    for n in 0..100_000 {
        let _ = write!(
            text,
            "  - model: authentik_core.group\n    identifiers:\n      name: group-{n}\n"
        );
    }
    std::fs::write(&bp, &text).unwrap();
    let run = bindery(&path, &["import", bp.to_str().unwrap()]);
    assert!(!run.crashed(), "{}", run.summary());
    assert_eq!(run.code, Some(0), "{}", run.summary());
    let store = Store::open(&path).unwrap();
    assert_eq!(store.doc().groups.len(), 100_000);
    println!(
        "big input: blueprint of 100,000 entries ({:.1} MB): {}",
        text.len() as f64 / 1e6,
        run.summary()
    );
}

#[test]
fn nesting_10000_deep_is_a_clear_error_never_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let depth = 10_000;
    let mut lines = Vec::new();
    let mut crashes = Vec::new();

    // JSON: in a store's attributes, and as the whole document.
    let deep_object = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let deep_array = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let stores = [
        (
            "store attributes (objects)",
            format!(
                "{{\"schema_version\": 2, \"generation\": 1, \"groups\": [{{\"id\": \
                 \"00000000-0000-4000-8000-000000000001\", \"name\": \"deep\", \"attributes\": \
                 {deep_object}}}]}}"
            ),
        ),
        (
            "store attributes (arrays)",
            format!(
                "{{\"schema_version\": 2, \"generation\": 1, \"groups\": [{{\"id\": \
                 \"00000000-0000-4000-8000-000000000001\", \"name\": \"deep\", \"attributes\": \
                 {{\"a\": {deep_array}}}}}]}}"
            ),
        ),
        ("whole store file (arrays)", deep_array.clone()),
        (
            "schema_version (objects)",
            format!("{{\"schema_version\": {deep_object}}}"),
        ),
    ];
    for (what, text) in &stores {
        write_store(&path, text);
        for args in [&["list", "groups"][..], &["screen", "--keys", "q"][..]] {
            let run = bindery(&path, args);
            if run.crashed() {
                crashes.push(format!("JSON {what} ({}): {}", args[0], run.summary()));
            }
            lines.push(format!("JSON {what} ({}): {}", args[0], run.summary()));
        }
    }

    // YAML, flow and block style, in an entry's attributes and as the whole file.
    std::fs::remove_file(&path).unwrap();
    let flow_seq = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let flow_map = format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth));
    let mut block = String::new();
    for level in 0..depth {
        let _ = writeln!(block, "{}- ", " ".repeat(level * 2));
    }
    let mut tags = String::new();
    for _ in 0..depth {
        tags.push_str("!Format [");
    }
    tags.push('x');
    tags.push_str(&"]".repeat(depth));
    let blueprints = [
        (
            "attrs (flow sequences)",
            format!(
                "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      \
                 name: deep\n    attrs:\n      attributes:\n        a: {flow_seq}\n"
            ),
        ),
        (
            "attrs (flow mappings)",
            format!(
                "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      \
                 name: deep\n    attrs:\n      attributes: {flow_map}\n"
            ),
        ),
        ("whole file (block sequences)", block),
        (
            "nested !Format tags",
            format!(
                "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      \
                 name: {tags}\n"
            ),
        ),
    ];
    for (n, (what, text)) in blueprints.iter().enumerate() {
        let bp = dir.path().join(format!("deep-{n}.yaml"));
        std::fs::write(&bp, text).unwrap();
        let run = bindery(&path, &["import", bp.to_str().unwrap()]);
        if run.crashed() || run.code == Some(0) {
            crashes.push(format!("YAML {what}: {}", run.summary()));
        }
        lines.push(format!("YAML {what}: {}", run.summary()));
    }
    println!(
        "big input: nesting {depth} deep: {} cases, {} crashes\n  {}",
        lines.len(),
        crashes.len(),
        lines.join("\n  ")
    );
    assert!(crashes.is_empty(), "{}", crashes.join("\n"));
}

#[test]
fn a_name_of_one_megabyte_is_handled_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let long = "n".repeat(1 << 20);
    let bp = dir.path().join("long.yaml");
    std::fs::write(
        &bp,
        format!(
            "version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      \
             name: {long}\n  - model: authentik_flows.flow\n    identifiers:\n      slug: \
             long-flow\n    attrs:\n      name: {long}\n      title: {long}\n      designation: \
             authentication\n"
        ),
    )
    .unwrap();
    let mut lines = Vec::new();
    let mut crashes = Vec::new();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("init", vec!["init", "--demo"]),
        ("import", vec!["import", bp.to_str().unwrap()]),
        ("list groups", vec!["list", "groups"]),
        ("list flows", vec!["list", "flows", "--json"]),
        ("export", vec!["export", "--all"]),
        ("lint", vec!["lint"]),
        // (A 1 MB command-line argument is beyond what exec allows: 128 KiB.)
        ("where-used", vec!["where-used", "flow", "long-flow"]),
        ("plan", vec!["plan", "long-flow"]),
        ("diagram", vec!["diagram", "long-flow"]),
        ("screen", vec!["screen", "--keys", "1/long<Enter><Enter>"]),
        ("screen groups", vec!["screen", "--keys", "5"]),
        ("log", vec!["log"]),
    ];
    for (what, args) in &runs {
        let run = bindery(&path, args);
        if run.crashed() {
            crashes.push(format!("{what}: {}", run.summary()));
        }
        if matches!(*what, "init" | "import") && run.code != Some(0) {
            crashes.push(format!("{what} failed: {}", run.summary()));
        }
        lines.push(format!("{what}: {}", run.summary()));
    }
    let store = Store::open(&path).unwrap();
    assert!(store.doc().groups.iter().any(|g| g.name == long));
    println!(
        "big input: a 1 MB name through {} commands, {} crashes\n  {}",
        runs.len(),
        crashes.len(),
        lines.join("\n  ")
    );
    assert!(crashes.is_empty(), "{}", crashes.join("\n"));
}
