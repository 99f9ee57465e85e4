//! `export --all` and `export FLOW` written as they are made (issue 13): the streamed text is
//! byte for byte the emitted whole document, on the demo store, on authentik's corpus and on
//! stores full of hostile names; the indexes the exporter uses give what scanning gave; a
//! failure half-way leaves no output file behind.

mod common;

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};

use bindery::blueprint::models::{GroupMembers, attrs_of, attrs_with_members};
use bindery::blueprint::{
    Closure, Reach, export_all, export_all_to, export_flow, export_flow_to, yaml,
};
use bindery::model::relations::Relations;
use bindery::model::{Document, Entity, Obj, ObjKind, Subject, Table};
use common::blueprints::*;
use common::{Rng, random_document};
use uuid::Uuid;

/// Names that need care in YAML or on a terminal, each used as is by one object of a kind.
const HOSTILE: &[&str] = &[
    "\u{1b}[31mred\u{1b}[0m",
    "yes",
    "null",
    "~",
    "- item",
    "a: b",
    "#comment",
    "1e3",
    "0x1F",
    "012",
    ".inf",
    "2024-01-01",
    "12:30",
    "<<",
    "=",
    "line\nbreak\n",
    "ends\n\n",
    "\ttab",
    "nel\u{85}",
    "ls\u{2028}",
    "\u{feff}bom",
    "rlo\u{202e}",
    "zw\u{200b}sp",
    "",
    " lead",
    "trail ",
    "'single'",
    "\"double\"",
    "!tag",
    "&anchor",
    "*alias",
    "%",
    "@",
    "`",
    "{a}",
    "[b]",
    "a, b",
    "? x",
    "...",
    "---",
    "back\\slash",
    "x\u{0}y",
];

fn hostile(i: usize) -> String {
    match HOSTILE.get(i) {
        Some(name) => name.to_string(),
        None if i == HOSTILE.len() => "k".repeat(1100),
        None => format!("{}{i}", HOSTILE[i % HOSTILE.len()]),
    }
}

/// A random valid store whose every name, slug and username is hostile, with users listed
/// twice in a group and users with and without an integer pk.
fn hostile_document(seed: u64) -> Document {
    let mut doc = random_document(seed, 40);
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut n = 0;
    let mut next = || {
        n += 1;
        hostile(n - 1)
    };
    each(&mut doc.flows, |f| {
        f.slug = next();
        f.name = next();
        f.title = next();
    });
    each(&mut doc.stages, |s| s.name = next());
    each(&mut doc.policies, |p| p.name = next());
    each(&mut doc.prompts, |p| {
        p.name = next();
        p.label = next();
    });
    each(&mut doc.groups, |g| g.name = next());
    each(&mut doc.users, |u| {
        u.username = next();
        u.name = next();
        if let Some(g) = u.groups.first().copied()
            && rng.chance(30)
        {
            u.groups.push(g);
        }
    });
    doc
}

/// Changes every object of a table in place.
fn each<T: Entity>(table: &mut Table<T>, mut change: impl FnMut(&mut T)) {
    let ids: Vec<Uuid> = table.iter().map(Entity::id).collect();
    for id in ids {
        change(table.get_mut(id).unwrap());
    }
}

fn streamed_all(doc: &Document) -> String {
    let mut out = Vec::new();
    export_all_to(doc, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn streamed_flow(doc: &Document, flow: Uuid, reach: Reach) -> String {
    let mut out = Vec::new();
    export_flow_to(doc, flow, reach, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every streamed export of `doc` equals the whole document emitted.
fn assert_streams_as_whole(what: &str, doc: &Document) {
    assert_eq!(
        streamed_all(doc),
        yaml::emit(&export_all(doc)),
        "{what}: export --all"
    );
    for flow in doc.flows.iter() {
        for reach in [Reach::Standalone, Reach::Shallow] {
            let whole = yaml::emit(&export_flow(doc, flow.id, reach).unwrap());
            assert_eq!(
                streamed_flow(doc, flow.id, reach),
                whole,
                "{what}: export {:?} ({reach:?})",
                flow.slug
            );
        }
    }
}

#[test]
fn streamed_exports_are_the_whole_document_on_the_demo_store() {
    let (doc, _) = import_fresh(include_str!("../assets/demo.yaml"));
    assert!(doc.flows.len() > 5 && doc.stage_bindings.len() > 5);
    assert_streams_as_whole("demo", &doc);
}

#[test]
fn streamed_exports_are_the_whole_document_for_the_corpus() {
    for file in corpus_files() {
        let mut doc = Document::default();
        if import_into(&mut doc, &[corpus_source(&file)]).is_ok() {
            assert_streams_as_whole(&corpus_name(&file), &doc);
        }
    }
}

#[test]
fn streamed_exports_are_the_whole_document_with_hostile_names() {
    for seed in 0..12 {
        let doc = hostile_document(seed);
        assert_streams_as_whole(&format!("seed {seed}"), &doc);
        // The emitted text reads back as the tree it was made from.
        let node = export_all(&doc);
        let back = yaml::parse(&streamed_all(&doc)).unwrap();
        assert!(back[0].eq_ignoring_marks(&node), "seed {seed}");
    }
}

#[test]
fn an_empty_store_streams_an_empty_entry_list() {
    let doc = Document::default();
    let text = streamed_all(&doc);
    assert!(text.ends_with("entries: []\n"), "{text}");
    assert_eq!(text, yaml::emit(&export_all(&doc)));
}

/// A writer that takes `room` bytes, then fails.
struct Full {
    room: usize,
    taken: usize,
}

impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.taken + buf.len() > self.room {
            return Err(io::Error::other("no space left"));
        }
        self.taken += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn an_export_is_written_as_it_is_made_and_stops_at_the_first_error() {
    let doc = hostile_document(3);
    let total = streamed_all(&doc).len();
    assert!(total > 4096);
    let mut full = Full {
        room: 1024,
        taken: 0,
    };
    let err = export_all_to(&doc, &mut full).unwrap_err();
    assert_eq!(err.to_string(), "no space left");
    // Entries reached the writer before the export was over.
    assert!(full.taken > 0 && full.taken <= 1024, "{}", full.taken);
    let flow = doc.flows.iter().next().unwrap().id;
    let mut full = Full { room: 0, taken: 0 };
    assert!(export_flow_to(&doc, flow, Reach::Standalone, &mut full).is_err());
    assert_eq!(
        export_flow_to(&doc, Uuid::nil(), Reach::Standalone, Vec::new())
            .unwrap_err()
            .kind(),
        io::ErrorKind::NotFound
    );
}

#[test]
fn an_output_file_that_fails_half_way_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.json");
    let target = dir.path().join("out.yaml");
    fs::write(&target, "the previous export\n").unwrap();
    let err = bindery::store::write_output_with(&target, &store, |out| {
        out.write_all(&[b'x'; 100_000])?;
        Err(io::Error::other("the export failed"))
    })
    .unwrap_err();
    assert!(err.to_string().contains("the export failed"), "{err}");
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        "the previous export\n"
    );
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out.yaml"], "no temporary file is left");
    // The same call that succeeds puts the whole content in place.
    bindery::store::write_output_with(&target, &store, |out| out.write_all(b"new\n")).unwrap();
    assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
}

/// The closure as bindery computed it before the relations index: by scanning the bindings
/// for every flow and target, and the lists for every object added.
fn scanned_closure(doc: &Document, flow: Uuid, reach: Reach) -> Closure {
    fn add(list: &mut Vec<Uuid>, id: Uuid) {
        if !list.contains(&id) {
            list.push(id);
        }
    }
    let mut c = Closure {
        flows: vec![flow],
        ..Closure::default()
    };
    let (mut f, mut s, mut p) = (0, 0, 0);
    loop {
        let (kind, id) = if let Some(&id) = c.flows.get(f) {
            f += 1;
            let bindings = doc.bindings_of_flow(id);
            for b in &bindings {
                add(&mut c.stages, b.stage);
            }
            for target in std::iter::once(id).chain(bindings.iter().map(|b| b.id)) {
                for pb in doc.policy_bindings_of(target) {
                    if let Subject::Policy(policy) = pb.subject {
                        add(&mut c.policies, policy);
                    }
                }
            }
            continue;
        } else if let Some(&id) = c.stages.get(s) {
            s += 1;
            (ObjKind::Stage, id)
        } else if let Some(&id) = c.policies.get(p) {
            p += 1;
            (ObjKind::Policy, id)
        } else {
            return c;
        };
        let Some(obj) = doc.get(kind, id) else {
            continue;
        };
        for r in obj.refs() {
            match r.kind {
                ObjKind::Prompt => add(&mut c.prompts, r.id),
                ObjKind::Policy => add(&mut c.policies, r.id),
                _ if reach == Reach::Shallow => {}
                ObjKind::Flow => add(&mut c.flows, r.id),
                ObjKind::Stage => add(&mut c.stages, r.id),
                _ => {}
            }
        }
    }
}

#[test]
fn the_indexed_closure_is_the_scanned_one() {
    for seed in 0..40 {
        let mut doc = random_document(seed, 30);
        // Ties in order, so that store order decides.
        let mut rng = Rng::new(seed);
        each(&mut doc.stage_bindings, |b| b.order = rng.below(3) as i64);
        each(&mut doc.policy_bindings, |b| b.order = rng.below(3) as i64);
        let relations = Relations::build(&doc);
        for flow in doc.flows.iter() {
            for reach in [Reach::Standalone, Reach::Shallow] {
                assert_eq!(
                    Closure::of(&doc, &relations, flow.id, reach),
                    scanned_closure(&doc, flow.id, reach),
                    "seed {seed}, flow {}, {reach:?}",
                    flow.slug
                );
            }
        }
    }
}

#[test]
fn group_members_built_once_are_what_scanning_the_users_gives() {
    let mut with_twice = HashSet::new();
    for seed in 0..20 {
        let doc = hostile_document(seed);
        let members = GroupMembers::build(&doc);
        for group in doc.groups.iter() {
            let obj = Obj::Group(group.clone());
            let scanned = attrs_of(&doc, &obj);
            assert_eq!(
                attrs_with_members(&doc, &obj, Some(&members)),
                scanned,
                "seed {seed}"
            );
            if doc
                .users
                .iter()
                .any(|u| u.groups.iter().filter(|g| **g == group.id).count() > 1)
            {
                with_twice.insert(group.id);
            }
        }
        // A group nobody is in, and one the store does not hold.
        let stranger = Obj::Group(bindery::model::Group::new("stranger"));
        assert_eq!(
            attrs_with_members(&doc, &stranger, Some(&members)),
            attrs_of(&doc, &stranger)
        );
    }
    assert!(
        !with_twice.is_empty(),
        "some stores list a user twice in a group"
    );
}

/// A store on disk holding `doc`.
fn store_of(doc: Document) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    bindery::store::Store::create(&path, doc).unwrap();
    (dir, path)
}

#[test]
fn an_export_to_a_full_disk_fails_and_says_so() {
    let (_dir, store) = store_of(random_document(5, 40));
    for args in [&["export", "--all"][..], &["export", "flow-0"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_bindery"))
            .arg("--store")
            .arg(&store)
            .args(args)
            .env_remove("BINDERY_STORE")
            .stdout(fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = common::run::text(&out.stderr);
        assert!(!out.status.success(), "{args:?}: exit 0 on a full disk");
        assert!(stderr.contains("writing the output"), "{args:?}: {stderr}");
    }
}

#[test]
fn an_export_into_a_closed_pipe_stops_quietly() {
    let (_dir, store) = store_of(random_document(9, 400));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("--store")
        .arg(&store)
        .args(["export", "--all"])
        .env_remove("BINDERY_STORE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 8];
    io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    assert_eq!(&first, b"version:");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(common::run::text(&out.stderr), "");
}

#[test]
fn the_command_line_writes_what_the_library_exports() {
    let doc = hostile_document(7);
    let all = yaml::emit(&export_all(&doc));
    let flow = doc.flows.iter().next().unwrap().clone();
    let one = yaml::emit(&export_flow(&doc, flow.id, Reach::Standalone).unwrap());
    let (dir, store) = store_of(doc);
    let out = common::run::bindery(&store, &["export", "--all"]);
    assert!(out.status.success(), "{}", common::run::text(&out.stderr));
    assert_eq!(common::run::text(&out.stdout), all);
    let file = dir.path().join("out.yaml");
    let out = common::run::bindery(
        &store,
        &["export", &flow.slug, "-o", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", common::run::text(&out.stderr));
    assert_eq!(fs::read_to_string(&file).unwrap(), one);
}
