//! Text measured in terminal cells on every surface that aligns or wraps it: `list` columns,
//! the `plan` output, the text diagram and the Simulate tab's reasons, with CJK, emoji,
//! combining marks and zero-width characters in names (a CJK character or an emoji takes two
//! cells, a combining mark none). Escape sequences stay neutralised.

mod common;

use bindery::engine::diagram;
use bindery::model::*;
use bindery::store::Store;
use bindery::text::{cut, sanitize, width};
use bindery::tui::simulate::Simulation;
use common::run::{bindery, text};

const CJK: &str = "認証フロー";
const EMOJI: &str = "🔐 login";
const COMBINING: &str = "cafe\u{301} nai\u{308}ve";
const ZERO_WIDTH: &str = "zero\u{200B}width";
const HOSTILE: &str = "evil\x1b[2J\x1b]0;owned\x07name";

/// A flow whose one stage binding is gated by a group and a policy with long wide names, so
/// that its reasons must wrap.
fn gated_flow() -> (Document, uuid::Uuid) {
    let mut doc = Document::default();
    let group = Group::new(&format!(
        "{} {CJK}{CJK}{CJK}{CJK}{CJK}{CJK}{CJK}{CJK}",
        EMOJI
    ));
    let group_id = group.id;
    doc.groups.put(group);
    let policy = Policy::new(
        &format!("{COMBINING} {ZERO_WIDTH} {HOSTILE} {CJK}{CJK}{CJK}{CJK}{CJK}{CJK}{CJK}"),
        PolicyKind::default_for("authentik_policies_expression.expressionpolicy").unwrap(),
    );
    let policy_id = policy.id;
    doc.policies.put(policy);
    let flow = Flow::new("wide", CJK, Designation::Authentication);
    let flow_id = flow.id;
    doc.flows.put(flow);
    let stage = Stage::new(
        &format!("{CJK} {EMOJI}"),
        StageKind::default_for("authentik_stages_dummy.dummystage").unwrap(),
    );
    let binding = StageBinding::new(flow_id, stage.id, 10);
    let binding_id = binding.id;
    doc.stages.put(stage);
    doc.stage_bindings.put(binding);
    for subject in [Subject::Group(group_id), Subject::Policy(policy_id)] {
        doc.policy_bindings.put(PolicyBinding::new(
            Target::StageBinding(binding_id),
            subject,
            0,
        ));
    }
    (doc, flow_id)
}

#[test]
fn list_columns_start_at_the_same_cell_on_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let mut doc = Document::default();
    let parent = Group::new(CJK);
    let parent_id = parent.id;
    doc.groups.put(parent);
    for name in [EMOJI, COMBINING, ZERO_WIDTH, HOSTILE, "plain"] {
        let mut group = Group::new(name);
        group.parents.push(parent_id);
        doc.groups.put(group);
    }
    Store::create(&path, doc).unwrap();
    let out = bindery(&path, &["list", "groups"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(!shown.contains(['\x1b', '\x07', '\u{200B}']), "{shown:?}");
    let lines: Vec<&str> = shown.lines().collect();
    // Where each column starts in the header, in cells.
    let header = lines[0];
    let starts: Vec<usize> = ["is_superuser", "parents", "members"]
        .iter()
        .map(|h| width(&header[..header.find(h).unwrap()]))
        .collect();
    for line in &lines[1..] {
        for &start in &starts {
            let before = cut(line, start);
            assert_eq!(
                width(before),
                start,
                "{line:?}: no column boundary at {start}"
            );
            assert!(before.ends_with("  "), "{line:?}: {before:?}");
            // A cell starts here, or the cell is empty and the next column's starts later.
            let rest = &line[before.len()..];
            let blank = rest.len() - rest.trim_start().len();
            assert!(
                blank == 0 || starts.contains(&(start + blank)) || rest.trim().is_empty(),
                "{line:?}: column at {start}: {rest:?}"
            );
        }
    }
    assert!(shown.contains(&*sanitize(ZERO_WIDTH)), "{shown}");
}

#[test]
fn plan_lines_never_exceed_80_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let (doc, _) = gated_flow();
    Store::create(&path, doc).unwrap();
    let out = bindery(&path, &["plan", "wide"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(!shown.contains(['\x1b', '\x07']), "{shown:?}");
    assert!(shown.contains(CJK), "{shown}");
    for line in shown.lines() {
        assert!(width(line) <= 80, "{} cells: {line}", width(line));
    }
}

#[test]
fn diagram_lines_never_exceed_the_width_in_cells() {
    let (doc, flow) = gated_flow();
    let flow = doc.flows.get(flow).unwrap();
    for w in [40, 57, 80, 101] {
        let shown = diagram::text_at(&doc, flow, w);
        assert!(!shown.contains(['\x1b', '\x07']), "{shown:?}");
        assert!(shown.contains(CJK), "{shown}");
        for line in shown.lines() {
            assert!(width(line) <= w, "{} cells > {w}: {line}", width(line));
        }
    }
}

#[test]
fn simulate_reasons_never_exceed_the_width_in_cells() {
    let (doc, flow) = gated_flow();
    let binding = doc.bindings_of_flow(flow)[0].id;
    for w in [20, 33, 60] {
        let mut sim = Simulation::new();
        sim.expanded.insert(binding);
        sim.recompute(&doc, flow, w);
        assert!(sim.reason_lines.len() > 1, "{:?}", sim.reason_lines);
        let all = sim.reason_lines.concat();
        assert!(all.contains(CJK), "{all}");
        assert!(!all.contains(['\x1b', '\x07']), "{all:?}");
        for line in &sim.reason_lines {
            assert!(width(line) <= w, "{} cells > {w}: {line}", width(line));
        }
    }
}
