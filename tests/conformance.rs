//! bindery's shared conformance suite (`tests/fixtures/conformance/cases/`, copied from
//! `shared/conformance/cases/`), run in-process the way `shared/conformance/run-conformance`
//! runs it against the binary: every scenario's blueprint is imported into a fresh store with
//! `import`, every case is planned with `plan FLOW ARGS... --json`, and `applicable` and the
//! `presented` and `depends` stage names (in output order) are compared with `expect`.
//!
//! The commands go through `bindery::cli::run`, exactly what `main` calls, so the JSON checked
//! here is the JSON the binary prints; an error counts as a non-zero exit.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use bindery::cli::{self, Cli};
use clap::Parser;
use serde_json::Value;

/// The scenarios: `$BINDERY_CONFORMANCE_CASES` if set (to try new scenarios), else the copy.
fn cases_dir() -> PathBuf {
    match std::env::var_os("BINDERY_CONFORMANCE_CASES") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance/cases"),
    }
}

/// Runs one command line in-process, as `main` would: Ok(stdout) or Err(why it failed).
fn bindery(args: &[String]) -> Result<String, String> {
    let argv = std::iter::once("bindery".to_string()).chain(args.iter().cloned());
    let cli = Cli::try_parse_from(argv).map_err(|e| format!("bad command line: {e}"))?;
    match catch_unwind(AssertUnwindSafe(|| cli::run(cli))) {
        Ok(Ok(output)) => Ok(output.stdout),
        Ok(Err(err)) => Err(format!("exit status 1: {err}")),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panicked: {what}"))
        }
    }
}

/// What the runner compares: applicable, presented stage names, depends stage names.
#[derive(Debug, PartialEq)]
struct Summary {
    applicable: Value,
    presented: Vec<Value>,
    depends: Vec<Value>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "applicable={}, presented={}, depends={}",
            self.applicable,
            Value::Array(self.presented.clone()),
            Value::Array(self.depends.clone())
        )
    }
}

/// The same summary `run-conformance` computes from `plan --json`.
fn summarize(plan: &Value) -> Result<Summary, String> {
    let stages = plan
        .get("stages")
        .and_then(Value::as_array)
        .ok_or("plan JSON has no 'stages' list")?;
    let (mut presented, mut depends) = (Vec::new(), Vec::new());
    for (i, stage) in stages.iter().enumerate() {
        let (Some(name), Some(outcome)) = (stage.get("stage"), stage.get("outcome")) else {
            return Err(format!("stages[{i}] lacks 'stage' or 'outcome'"));
        };
        match outcome.as_str() {
            Some("presented") => presented.push(name.clone()),
            Some("depends") => depends.push(name.clone()),
            _ => {}
        }
    }
    Ok(Summary {
        applicable: plan.get("applicable").cloned().unwrap_or(Value::Null),
        presented,
        depends,
    })
}

fn expected(case: &Value) -> Summary {
    let expect = &case["expect"];
    let list = |key: &str| expect.get(key).and_then(Value::as_array).cloned();
    Summary {
        applicable: expect["applicable"].clone(),
        presented: list("presented").unwrap_or_default(),
        depends: list("depends").unwrap_or_default(),
    }
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failures: Vec<String>,
}

impl Tally {
    fn fail(&mut self, name: &str, why: String) {
        self.failures.push(format!("FAIL {name}: {why}"));
    }
}

fn run_scenario(scenario: &Path, tally: &mut Tally) {
    let label = scenario.file_name().unwrap().to_string_lossy().into_owned();
    let cases_path = scenario.join("cases.json");
    let cases: Vec<Value> = match fs::read_to_string(&cases_path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(cases) => cases,
        Err(e) => return tally.fail(&format!("{label}/cases.json"), e),
    };
    for (i, case) in cases.iter().enumerate() {
        for key in ["name", "flow", "expect"] {
            assert!(
                case.get(key).is_some(),
                "{label}/cases.json: case {i} lacks '{key}'"
            );
        }
        assert!(
            case["expect"].get("applicable").is_some(),
            "{label}/cases.json: case {i}: 'expect' needs 'applicable'"
        );
    }
    let name_of = |case: &Value| format!("{label}/{}", case["name"].as_str().unwrap_or("?"));

    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("store.json").display().to_string();
    let blueprint = scenario.join("blueprint.yaml").display().to_string();
    if let Err(why) = bindery(&["--store".into(), store.clone(), "import".into(), blueprint]) {
        for case in &cases {
            tally.fail(
                &name_of(case),
                format!("import of {label}/blueprint.yaml failed: {why}"),
            );
        }
        return;
    }

    for case in &cases {
        let name = name_of(case);
        let mut args = vec![
            "--store".to_string(),
            store.clone(),
            "plan".into(),
            case["flow"].as_str().expect("flow is a string").into(),
        ];
        for arg in case
            .get("args")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            args.push(arg.as_str().map_or_else(|| arg.to_string(), str::to_string));
        }
        args.push("--json".into());
        let stdout = match bindery(&args) {
            Ok(stdout) => stdout,
            Err(why) => {
                tally.fail(&name, format!("plan failed: {why}"));
                continue;
            }
        };
        let plan: Value = match serde_json::from_str(&stdout) {
            Ok(plan) => plan,
            Err(e) => {
                tally.fail(
                    &name,
                    format!("stdout is not one JSON document ({e}): {stdout:?}"),
                );
                continue;
            }
        };
        let got = match summarize(&plan) {
            Ok(got) => got,
            Err(why) => {
                tally.fail(&name, format!("malformed plan JSON: {why}"));
                continue;
            }
        };
        let want = expected(case);
        if got == want {
            tally.passed += 1;
        } else {
            tally.fail(&name, format!("expected {want}, got {got}"));
        }
    }
}

#[test]
fn shared_conformance_suite() {
    let root = cases_dir();
    let mut scenarios: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("cases.json").is_file())
        .collect();
    scenarios.sort();
    assert!(
        !scenarios.is_empty(),
        "no scenarios under {}",
        root.display()
    );

    let mut tally = Tally::default();
    for scenario in &scenarios {
        run_scenario(scenario, &mut tally);
    }
    for failure in &tally.failures {
        println!("{failure}");
    }
    println!(
        "conformance: {} passed, {} failed",
        tally.passed,
        tally.failures.len()
    );
    assert!(
        tally.failures.is_empty(),
        "{} conformance case(s) failed:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}
