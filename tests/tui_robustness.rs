//! Robustness of the terminal UI (docs/reliability.md §7):
//! T12, every screen and dialog drawn at every tiny size without a panic;
//! T9, hostile names (terminal escapes, C1 controls, bidi overrides, zero-width characters,
//! NUL) never reach the terminal as such, through the UI's bytes and the CLI's output.

mod pty_common;
mod tui_common;

use std::cell::RefCell;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::Command;
use std::rc::Rc;

use bindery::model::*;
use bindery::store::Store;
use bindery::text::sanitize;
use bindery::tui::keys::{Key, parse_keys};
use bindery::tui::update::handle_key;
use bindery::tui::{self, Keymap, Theme};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde_json::json;
use tui_common::{SCREENS, Ui};

// --- T12: tiny sizes -------------------------------------------------------------------------

fn sizes() -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for w in 0..=30 {
        for h in 0..=12 {
            out.push((w, h));
        }
    }
    out.extend([(60, 16), (80, 24), (200, 50)]);
    out
}

#[test]
fn every_screen_draws_at_every_size_without_panicking() {
    let sizes = sizes();
    let mut panics = Vec::new();
    let mut renders = 0;
    for (name, keys) in SCREENS {
        let mut ui = Ui::at(keys);
        for &(w, h) in &sizes {
            renders += 1;
            let drawn = catch_unwind(AssertUnwindSafe(|| ui.screen(w, h)));
            match drawn {
                Err(_) => panics.push(format!("{name} at {w}x{h}")),
                Ok(text) => {
                    assert_eq!(text.lines().count(), usize::from(h), "{name} at {w}x{h}");
                    for line in text.lines() {
                        assert!(
                            unicode_width(line) <= usize::from(w),
                            "{name} at {w}x{h}: {line:?}"
                        );
                    }
                }
            }
        }
    }
    println!(
        "{} sizes x {} screens, {} panics ({renders} renders)",
        sizes.len(),
        SCREENS.len(),
        panics.len()
    );
    assert!(panics.is_empty(), "panicked: {panics:#?}");
}

/// Columns a line takes (every character bindery draws is one or two columns wide; the demo
/// has only one-column text).
fn unicode_width(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn keys_pressed_at_a_tiny_size_do_not_panic() {
    // Paging uses the last drawn height: at 0 rows it must still move sensibly.
    let mut ui = Ui::demo();
    for (w, h) in [(0, 0), (1, 1), (10, 3), (59, 15)] {
        ui.screen(w, h);
        ui.keys("<PgDn><PgDn><PgUp>G<Enter>l<PgDn>jjll<PgUp>bq<Esc><Esc>1");
        ui.screen(w, h);
    }
}

// --- T9: hostile names -----------------------------------------------------------------------

/// The payloads, each with a readable name.
const PAYLOADS: &[(&str, &str)] = &[
    ("clear screen", "\x1b[2J"),
    ("window title", "\x1b]0;pwned\x07"),
    ("C1 CSI", "\u{9b}31m"),
    ("C1 NEL", "\u{85}"),
    ("RLO", "\u{202e}"),
    ("LRI", "\u{2066}"),
    ("zero width space", "\u{200b}"),
    ("NUL", "\0"),
    ("DEL", "\u{7f}"),
    ("PDI", "\u{2069}"),
    ("tag space", "\u{e0020}"),
    ("language tag", "\u{e0001}"),
    ("soft hyphen", "\u{ad}"),
    ("Mongolian vowel separator", "\u{180e}"),
    ("Hangul filler", "\u{3164}"),
    ("combining grapheme joiner", "\u{34f}"),
    ("variation selector 16", "\u{fe0f}"),
];

/// Code points that must never reach a terminal from data (bindery's own output writes ESC
/// only as the start of crossterm's CSI sequences).
const FORBIDDEN: &[(char, &str)] = &[
    ('\u{9b}', "C1 CSI"),
    ('\u{85}', "C1 NEL"),
    ('\u{202e}', "RLO"),
    ('\u{2066}', "LRI"),
    ('\u{200b}', "ZWSP"),
    ('\0', "NUL"),
    ('\x07', "BEL"),
    ('\u{7f}', "DEL"),
    ('\u{2069}', "PDI"),
    ('\u{e0020}', "tag space"),
    ('\u{e0001}', "language tag"),
    ('\u{ad}', "soft hyphen"),
    ('\u{180e}', "Mongolian vowel separator"),
    ('\u{3164}', "Hangul filler"),
    ('\u{34f}', "combining grapheme joiner"),
    ('\u{fe0f}', "variation selector 16"),
];

fn hostile(base: &str, payload: &str) -> String {
    format!("{base}{payload}x")
}

/// A store in which every name carries the payload: a flow (slug, name, title) with two
/// stage bindings, a policy, group and user binding under one of them and a group binding on
/// the flow; written as a hand-edited file would be (the slug is not a valid slug, so bindery
/// itself would refuse to save it; it must still display it safely).
fn hostile_store(path: &Path, payload: &str) {
    let p = |base: &str| hostile(base, payload);
    let mut doc = Document::default();
    let mut flow = Flow::new(&p("flow-"), &p("Flow "), Designation::Authentication);
    flow.title = p("Title ");
    flow.background = p("/media/");
    let mut parent = Group::new(&p("group-a"));
    parent.attributes.insert(p("key"), json!(p("value")));
    let mut child = Group::new(&p("group-b"));
    child.parents.push(parent.id);
    let mut user = User::new(&p("user-a"));
    user.name = p("Name ");
    user.email = p("mail@");
    user.path = p("users/");
    user.groups.push(child.id);
    let policy: Policy = serde_json::from_value(json!({
        "id": uuid::Uuid::new_v4(),
        "name": p("policy-a"),
        "execution_logging": false,
        "model": "authentik_policies_expression.expressionpolicy",
        "settings": {"expression": format!("# {}\nreturn True  # {}", p("a"), p("b"))}
    }))
    .expect("a policy");
    let deny: Stage = serde_json::from_value(json!({
        "id": uuid::Uuid::new_v4(),
        "name": p("stage-deny"),
        "model": "authentik_stages_deny.denystage",
        "settings": {"deny_message": p("Denied ")}
    }))
    .expect("a stage");
    let dummy: Stage = serde_json::from_value(json!({
        "id": uuid::Uuid::new_v4(),
        "name": p("stage-dummy"),
        "model": "authentik_stages_dummy.dummystage",
        "settings": {}
    }))
    .expect("a stage");
    let first = StageBinding::new(flow.id, deny.id, 10);
    let mut second = StageBinding::new(flow.id, dummy.id, 20);
    second.evaluate_on_plan = true;
    let bindings = [
        PolicyBinding::new(
            Target::StageBinding(first.id),
            Subject::Policy(policy.id),
            0,
        ),
        PolicyBinding::new(Target::StageBinding(first.id), Subject::Group(child.id), 10),
        PolicyBinding::new(Target::StageBinding(first.id), Subject::User(user.id), 20),
        PolicyBinding::new(Target::Flow(flow.id), Subject::Group(parent.id), 0),
    ];
    doc.flows.put(flow);
    doc.stages.put(deny);
    doc.stages.put(dummy);
    doc.stage_bindings.put(first);
    doc.stage_bindings.put(second);
    doc.policies.put(policy);
    for b in bindings {
        doc.policy_bindings.put(b);
    }
    doc.groups.put(parent);
    doc.groups.put(child);
    doc.users.put(user);
    doc.log.push(LogEntry {
        at: "2024-01-01T00:00:00Z".into(),
        user: p("admin"),
        operation: p("rename group "),
        objects: vec![p("group-a")],
        ..LogEntry::default()
    });
    std::fs::write(path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    // bindery opens it (with integrity problems: the slug).
    let store = Store::open(path).expect("the hostile store opens");
    assert_eq!(store.doc().flows.len(), 1);
}

/// What is pressed to reach each screen of the hostile store. `~` stands for the payload
/// name of an existing stage, typed character by character (as a paste would be).
const HOSTILE_SCREENS: &[(&str, &str)] = &[
    ("flows", ""),
    ("flows filtered", "/flow<Enter>"),
    ("flow stage bindings", "<Enter>"),
    ("flow expanded", "<Enter>l"),
    ("flow child selected", "<Enter>ll"),
    ("flow bindings", "<Enter><Tab>"),
    ("flow overview", "<Enter><S-Tab>"),
    ("create binding policy", "<Enter>b"),
    ("create binding policy drop-down", "<Enter>b<Tab>"),
    ("create binding group", "<Enter>b<Right>"),
    ("create binding group drop-down", "<Enter>b<Right><Tab>"),
    (
        "create binding user drop-down",
        "<Enter>b<Right><Right><Tab>",
    ),
    ("create binding warning", "<Enter>jb<Right>"),
    ("bind existing stage", "<Enter>a"),
    ("create and bind", "<Enter>ndummy<Enter>"),
    ("create and bind refused", "<Enter>ndummy<Enter>~<Enter>"),
    ("edit stage binding", "<Enter>e"),
    ("edit stage", "<Enter>E"),
    ("edit deny message", "<Enter>E<Tab>"),
    ("edit policy binding", "<Enter>lle"),
    ("unbind confirm", "<Enter>d"),
    ("after unbind", "<Enter>dy"),
    ("edit flow", "e"),
    ("delete flow confirm", "d"),
    ("after delete flow", "dy"),
    ("stages", "2"),
    ("edit stage form", "2<Enter>"),
    ("delete stage confirm", "2d"),
    ("after delete stage", "2dy"),
    ("policies", "3"),
    ("edit policy", "3<Enter>"),
    ("edit policy expression", "3<Enter><Tab><Tab>"),
    ("delete policy confirm", "3d"),
    ("users", "4"),
    ("edit user", "4<Enter>"),
    ("edit user groups", "4<Enter><Tab><Tab><Tab><Tab><Tab><Tab>"),
    ("edit user attributes", "4<Enter><S-Tab>"),
    ("delete user confirm", "4d"),
    ("groups", "5"),
    ("edit group", "5<Enter>"),
    ("edit group parents", "5j<Enter><Tab><Tab>"),
    ("edit group attributes", "5<Enter><S-Tab>"),
    ("delete group confirm", "5d"),
    ("after undo", "5dyu"),
    ("help", "?"),
    ("palette", ":"),
    ("simulate", "<Enter><Tab><Tab>"),
    ("simulate reasons", "<Enter><Tab><Tab>jl"),
    ("simulate as user", "<Enter><Tab><Tab>i"),
    ("simulate logged in", "<Enter><Tab><Tab>mi<Down><Enter>"),
    ("export", "<Enter><Tab><Tab><Tab>"),
    ("export to file", "<Enter><Tab><Tab><Tab>o"),
    ("overview diagram", "<Enter><S-Tab>jjjjjjjjjj"),
    ("lint", "L"),
    ("where used stage", "2w"),
    ("where used group", "5w"),
    ("what user sees", "4s"),
    ("duplicate", "D"),
    ("change log", "5dyH"),
];

/// Presses keys; `~` types the first stage's hostile name.
fn press(app: &mut tui::App, keys: &str, stage_name: &str) {
    for part in keys.split_inclusive('~') {
        let (keys, typed) = match part.strip_suffix('~') {
            Some(k) => (k, true),
            None => (part, false),
        };
        for key in parse_keys(keys).unwrap() {
            handle_key(app, key);
        }
        if typed {
            for c in stage_name.chars() {
                handle_key(app, Key::char(c));
            }
        }
    }
}

/// A `Vec<u8>` the test keeps a handle on while crossterm writes into it (the backend's own
/// `writer()` is behind ratatui's unstable-backend-writer feature).
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn bytes(&self) -> Vec<u8> {
        self.0.borrow().clone()
    }
}

/// The bytes a terminal would receive for one frame of the app.
fn frame_bytes(app: &tui::App, width: u16, height: u16) -> Vec<u8> {
    let capture = Capture::default();
    let backend = CrosstermBackend::new(capture.clone());
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )
    .expect("a terminal over a Vec");
    terminal
        .draw(|frame| tui::view::draw(app, &Theme::default(), frame.area(), frame.buffer_mut()))
        .expect("draw");
    drop(terminal);
    capture.bytes()
}

/// The text with crossterm's own CSI sequences (ESC [ params final) taken out.
fn strip_csi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            while let Some(&p) = chars.peek() {
                chars.next();
                if ('\x40'..='\x7e').contains(&p) {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Everything in `bytes` that lets a payload act on the terminal, empty when safe. Line ends
/// are bindery's own in CLI output; a UI frame has none (crossterm moves the cursor).
fn leaks(bytes: &[u8], payload: &str) -> Vec<String> {
    leaks_in(bytes, payload, false)
}

fn leaks_in(bytes: &[u8], payload: &str, lines: bool) -> Vec<String> {
    let raw = String::from_utf8_lossy(bytes);
    let mut found = Vec::new();
    for (needle, what) in [("\x1b[2J", "ESC [2J"), ("\x1b]", "ESC ] (OSC)")] {
        if raw.contains(needle) {
            found.push(what.to_string());
        }
    }
    for (c, what) in FORBIDDEN {
        if raw.contains(*c) {
            found.push(what.to_string());
        }
    }
    let text = strip_csi(&raw);
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !(lines && *c == '\n'))
    {
        found.push(format!("control {:?} outside crossterm's sequences", c));
    }
    // A payload that starts with ESC may show only as a visible escape: bindery's `\u{1b}`,
    // JSON's `\u001b` in a raw JSON field, YAML's `\u001B` on the Export tab, or bindery's
    // escape with its backslash written as Mermaid's `#92;` (`diagram --format mermaid`); in
    // a text field scrolled to its cursor, the escape may be out of sight, left of a `…`.
    if let Some(rest) = payload.strip_prefix('\x1b') {
        let rest = rest.trim_end_matches('\x07');
        let escaped = ["\\u{1b}", "\\u001b", "\\u001B", "#92;u{1b}", "…"]
            .iter()
            .map(|e| text.matches(format!("{e}{rest}").as_str()).count())
            .sum::<usize>();
        if text.matches(rest).count() != escaped {
            found.push(format!("{rest:?} without its \\u{{1b}} escape"));
        }
    }
    found
}

#[test]
fn hostile_names_never_reach_the_terminal() {
    let sizes = [(80, 24), (60, 16), (200, 50)];
    let mut leaked = Vec::new();
    let mut frames = 0;
    for (label, payload) in PAYLOADS {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.json");
        hostile_store(&path, payload);
        let stage_name = hostile("stage-deny", payload);
        let mut shown_escaped = false;
        for (screen, keys) in HOSTILE_SCREENS {
            let mut app = tui::open_app(&path, Keymap::default_keymap(), true).unwrap();
            press(&mut app, keys, &stage_name);
            for (w, h) in sizes {
                frames += 1;
                let bytes = frame_bytes(&app, w, h);
                for leak in leaks(&bytes, payload) {
                    leaked.push(format!("{label} on {screen} at {w}x{h}: {leak}"));
                }
                let text = strip_csi(&String::from_utf8_lossy(&bytes));
                shown_escaped |= text.contains(sanitize(payload).as_ref());
            }
        }
        assert!(
            shown_escaped,
            "{label}: the payload never shows as a visible escape (names dropped?)"
        );
    }
    println!(
        "{} payloads x {} screens, {} leaks ({frames} frames at {} sizes)",
        PAYLOADS.len(),
        HOSTILE_SCREENS.len(),
        leaked.len(),
        sizes.len()
    );
    assert!(leaked.is_empty(), "{leaked:#?}");
}

#[test]
fn a_pasted_payload_in_the_filter_and_a_form_is_shown_escaped() {
    for (label, payload) in PAYLOADS {
        let mut ui = Ui::demo();
        ui.keys("/");
        for c in payload.chars() {
            handle_key(&mut ui.app, Key::char(c));
        }
        let bytes = frame_bytes(&ui.app, 80, 24);
        assert!(leaks(&bytes, payload).is_empty(), "{label}: filter");
        ui.keys("<Esc>5n");
        for c in hostile("ops", payload).chars() {
            handle_key(&mut ui.app, Key::char(c));
        }
        let bytes = frame_bytes(&ui.app, 80, 24);
        assert!(leaks(&bytes, payload).is_empty(), "{label}: form");
        let text = strip_csi(&String::from_utf8_lossy(&bytes));
        assert!(
            text.contains(sanitize(&hostile("ops", payload)).as_ref()),
            "{label}: typed text shown escaped"
        );
    }
}

#[test]
fn the_leak_check_catches_raw_payloads() {
    // The detector itself: unsanitised text through a plain ratatui widget is caught for
    // the payloads ratatui does not filter (bidi and zero-width characters).
    for (label, payload) in PAYLOADS {
        let capture = Capture::default();
        let backend = CrosstermBackend::new(capture.clone());
        let mut terminal = Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, 40, 2)),
            },
        )
        .unwrap();
        terminal
            .draw(|f| {
                f.buffer_mut()[(1, 0)].set_symbol(&format!("a{payload}"));
            })
            .unwrap();
        drop(terminal);
        let bytes = capture.bytes();
        assert!(!leaks(&bytes, payload).is_empty(), "{label} not detected");
    }
}

#[test]
fn hostile_names_through_a_real_terminal() {
    // The bytes the real binary writes to a pseudo-terminal, on the flows and groups lists.
    for (label, payload) in PAYLOADS {
        let dir = tempfile::tempdir().unwrap();
        hostile_store(&dir.path().join("store.json"), payload);
        let mut s = pty_common::Session::start(dir.path(), None, &[]);
        s.wait_for(&format!("flow-{}", sanitize(payload)));
        s.send("5");
        s.wait_for(&format!("group-a{}", sanitize(payload)));
        s.send("q");
        let (status, _) = s.wait_exit(std::time::Duration::from_secs(10));
        assert!(status.success(), "{label}: exit status {status:?}");
        let bytes = s.bytes.lock().unwrap().clone();
        let leaked = leaks(&bytes, payload);
        assert!(leaked.is_empty(), "{label}: {leaked:?}");
    }
}

// --- T9 through the CLI ----------------------------------------------------------------------

fn bindery(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bindery"))
        .arg("--store")
        .arg(dir.join("store.json"))
        .args(args)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env_remove("BINDERY_STORE")
        .env_remove("NO_COLOR")
        .output()
        .expect("run bindery")
}

#[test]
fn hostile_names_through_every_cli_command() {
    let mut leaked = Vec::new();
    let mut runs = 0;
    for (label, payload) in PAYLOADS {
        let dir = tempfile::tempdir().unwrap();
        hostile_store(&dir.path().join("store.json"), payload);
        let slug = hostile("flow-", payload);
        let user = hostile("user-a", payload);
        let mut commands: Vec<Vec<String>> = [
            "flows",
            "stages",
            "policies",
            "bindings",
            "policy-bindings",
            "groups",
            "users",
        ]
        .iter()
        .map(|k| vec!["list".to_string(), k.to_string()])
        .collect();
        commands.push(vec!["screen".into(), "--keys".into(), "<Enter>l".into()]);
        commands.push(vec![
            "screen".into(),
            "--keys".into(),
            "<Enter>b<Right>".into(),
        ]);
        commands.push(vec!["screen".into(), "--keys".into(), "d".into()]);
        commands.push(vec!["screen".into(), "--keys".into(), "4<Enter>".into()]);
        commands.push(vec!["lint".into()]);
        commands.push(vec!["log".into()]);
        // The same through --json, and the blueprint export (YAML).
        let json_commands: Vec<Vec<String>> = commands
            .iter()
            .filter(|c| c[0] == "list" || c[0] == "lint" || c[0] == "log")
            .map(|c| c.iter().cloned().chain(["--json".to_string()]).collect())
            .collect();
        commands.extend(json_commands);
        commands.push(vec!["export".into(), "--all".into()]);
        // A NUL cannot be passed in an argument; the other payloads go through argv too.
        if !payload.contains('\0') {
            for (kind, name) in [
                ("stage", "stage-deny"),
                ("policy", "policy-a"),
                ("group", "group-a"),
                ("user", "user-a"),
            ] {
                commands.push(vec![
                    "where-used".into(),
                    kind.into(),
                    hostile(name, payload),
                ]);
            }
            commands.push(vec!["where-used".into(), "flow".into(), slug.clone()]);
            commands.push(vec!["diagram".into(), slug.clone()]);
            commands.push(vec![
                "diagram".into(),
                slug.clone(),
                "--format".into(),
                "mermaid".into(),
            ]);
            commands.push(vec![
                "list".into(),
                "bindings".into(),
                "--flow".into(),
                slug.clone(),
            ]);
            commands.push(vec![
                "list".into(),
                "policy-bindings".into(),
                "--flow".into(),
                slug.clone(),
            ]);
            commands.push(vec!["plan".into(), slug.clone()]);
            commands.push(vec!["plan".into(), slug.clone(), "--json".into()]);
            commands.push(vec!["export".into(), slug.clone()]);
            for (kind, name) in [("stage", "stage-deny"), ("group", "group-a")] {
                commands.push(vec![
                    "where-used".into(),
                    kind.into(),
                    hostile(name, payload),
                    "--json".into(),
                ]);
            }
            commands.push(vec![
                "plan".into(),
                slug.clone(),
                "--user".into(),
                user.clone(),
            ]);
            commands.push(vec![
                "plan".into(),
                slug.clone(),
                "--identify-as".into(),
                user.clone(),
            ]);
            commands.push(vec![
                "plan".into(),
                slug.clone(),
                "--assume".into(),
                format!("{}=pass", hostile("policy-a", payload)),
            ]);
            // Error paths echo what was asked for.
            commands.push(vec!["plan".into(), hostile("missing-", payload)]);
            commands.push(vec![
                "plan".into(),
                slug.clone(),
                "--user".into(),
                hostile("nobody", payload),
            ]);
            commands.push(vec![
                "list".into(),
                "stages".into(),
                "--flow".into(),
                hostile("missing-", payload),
            ]);
            commands.push(vec![
                "screen".into(),
                "--keys".into(),
                format!("<{payload}>"),
            ]);
            // clap's own errors quote the argument.
            commands.push(vec!["list".into(), hostile("kind", payload)]);
            commands.push(vec![hostile("--flag", payload)]);
        }
        for args in &commands {
            runs += 1;
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = bindery(dir.path(), &args);
            assert!(
                out.status.code().is_some_and(|c| c <= 2),
                "{label}: {args:?} crashed: {out:?}"
            );
            for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                for leak in leaks_in(bytes, payload, true) {
                    leaked.push(format!("{label}: bindery {args:?} {stream}: {leak}"));
                }
                // The CLI writes no escape sequences of its own.
                if bytes.contains(&0x1b) {
                    leaked.push(format!("{label}: bindery {args:?} {stream}: ESC"));
                }
            }
        }
        // The names are shown, escaped, not dropped.
        let out = bindery(dir.path(), &["list", "stages"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(sanitize(&hostile("stage-deny", payload)).as_ref()),
            "{label}: {text}"
        );
    }
    println!(
        "{} payloads x CLI commands, {} runs, {} leaks",
        PAYLOADS.len(),
        runs,
        leaked.len()
    );
    assert!(leaked.is_empty(), "{leaked:#?}");
}
