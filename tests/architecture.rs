//! The layers, checked on the source: the terminal UI does not reach into the command line,
//! and nothing but the UI, the command line and `main` depends on a terminal or argument
//! library (the library's store, model and engine are usable without either).

use std::path::{Path, PathBuf};

/// Crates only the terminal UI and the command line may use.
const FRONT_END_CRATES: &[&str] = &["ratatui", "crossterm", "clap", "clap_complete"];

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The source with comments and string literals blanked out (lines kept, so that line
/// numbers still point at the source): a doc comment may name a crate.
fn code_only(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            out.extend(rest[..end].chars().filter(|&c| c == '\n'));
            i += end;
        } else if rest.starts_with('"') {
            let mut j = 1;
            while j < rest.len() && rest.as_bytes()[j] != b'"' {
                j += if rest.as_bytes()[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            out.push_str("\"\"");
            out.extend(rest[..end].chars().filter(|&c| c == '\n'));
            i += end;
        } else {
            let c = rest.chars().next().expect("not at the end");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The 1-based lines of `code` where `name` is used as the first segment of a path
/// (`name::...`, `use name;`, `extern crate name`).
fn lines_using_crate(code: &str, name: &str) -> Vec<usize> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = line[from..].find(name) {
            let start = from + at;
            let end = start + name.len();
            from = end;
            let before = line[..start].chars().next_back();
            let after = line[end..].trim_start();
            // `foo::name` is someone else's item of that name, not the crate.
            let own_path = before.is_none_or(|c| !is_ident(c) && c != ':');
            let ends_word = !line[end..].starts_with(is_ident);
            let as_crate = after.starts_with("::")
                || (line.trim_start().starts_with("use ") && after.starts_with(';'))
                || line.contains("extern crate");
            if own_path && ends_word && as_crate {
                found.push(n + 1);
                break;
            }
        }
    }
    found
}

/// Whether the last character before the end of `before`, spaces aside, starts a name in a
/// `{a, b}` group.
fn after_separator(before: &[char]) -> bool {
    matches!(before.iter().rev().find(|c| **c != ' '), Some('{' | ','))
        && before.last().is_some_and(|c| !is_ident(*c))
}

/// The 1-based lines of `code` that reach the `cli` module from inside the crate
/// (`crate::cli`, `super::cli`, `crate::{cli, ..}`) or from outside (`bindery::cli`).
fn lines_using_cli(code: &str) -> Vec<usize> {
    // Paths are read across lines (`use crate::{\n    cli,\n}`): the lines joined,
    // remembering where each character came from.
    let mut joined = String::new();
    let mut line_of = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for c in line.chars().chain([' ']) {
            joined.push(if c.is_whitespace() { ' ' } else { c });
            line_of.push(n + 1);
        }
    }
    let chars: Vec<char> = joined.chars().collect();
    let mut found = Vec::new();
    for root in ["crate::", "bindery::", "super::"] {
        let root: Vec<char> = root.chars().collect();
        for start in 0..chars.len() {
            if !chars[start..].starts_with(&root) || (start > 0 && is_ident(chars[start - 1])) {
                continue;
            }
            let mut at = start + root.len();
            while chars[at..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
                at += 7;
            }
            let named_at = |i: usize| {
                chars[i..].starts_with(&['c', 'l', 'i'])
                    && chars.get(i + 3).is_none_or(|&c| !is_ident(c))
            };
            let uses = if chars.get(at) == Some(&'{') {
                // A group: any of its top-level names.
                let mut depth = 0;
                let mut hit = false;
                for i in at..chars.len() {
                    match chars[i] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ if depth == 1 && after_separator(&chars[..i]) && named_at(i) => {
                            hit = true;
                        }
                        _ => {}
                    }
                }
                hit
            } else {
                named_at(at)
            };
            if uses {
                found.push(line_of[start]);
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// What the rules find wrong in one file, named by its path relative to `src`.
fn violations(relative: &str, source: &str) -> Vec<String> {
    let code = code_only(source);
    let mut out = Vec::new();
    let in_tui = relative.starts_with("tui/");
    let front_end = in_tui || relative.starts_with("cli/") || relative == "main.rs";
    if in_tui {
        for line in lines_using_cli(&code) {
            out.push(format!(
                "src/{relative}:{line}: the terminal UI uses the command line (`cli`); move what both need into the library or into src/tui"
            ));
        }
    }
    if !front_end {
        for name in FRONT_END_CRATES {
            for line in lines_using_crate(&code, name) {
                out.push(format!(
                    "src/{relative}:{line}: uses `{name}`, which only src/tui, src/cli and src/main.rs may use"
                ));
            }
        }
    }
    out
}

#[test]
fn the_ui_does_not_use_the_command_line_and_the_library_no_terminal_crate() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&src);
    assert!(
        files.len() > 50,
        "found only {} files under src",
        files.len()
    );
    let mut found = Vec::new();
    for path in files {
        let relative = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let source = std::fs::read_to_string(&path).unwrap();
        found.extend(violations(&relative, &source));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_rules_catch_what_they_are_for() {
    let tui = |s: &str| violations("tui/screen.rs", s);
    assert_eq!(tui("use crate::cli::Unsaved;\n").len(), 1);
    assert_eq!(tui("fn f() { bindery::cli::run(x); }").len(), 1);
    assert_eq!(tui("use super::super::cli::Output;").len(), 1);
    assert_eq!(
        tui("use crate::{\n    store::Store,\n    cli,\n};").len(),
        1
    );
    assert_eq!(tui("use crate::{cli::Unsaved, store};").len(), 1);
    // Names that only look alike, and mentions in comments and strings.
    assert!(tui("use crate::client::X;\nuse crate::store::cli_name;").is_empty());
    assert!(tui("// crate::cli is not for us\nlet s = \"crate::cli\";").is_empty());
    assert!(tui("use super::cli_like::{cli};").is_empty());
    // The command line and main may use the terminal and argument crates; the rest may not.
    let lib = |s: &str| violations("store/mod.rs", s);
    assert_eq!(lib("use ratatui::Terminal;").len(), 1);
    assert_eq!(lib("fn f() -> crossterm::Result<()> {}").len(), 1);
    assert_eq!(lib("#[derive(clap::Parser)]\nstruct A;").len(), 1);
    assert_eq!(lib("use clap;").len(), 1);
    assert_eq!(lib("use clap_complete::Shell;").len(), 1);
    assert!(
        lib("//! Nothing here uses ratatui::Frame or clap::Parser.\nuse my_clap::X;").is_empty()
    );
    assert!(lib("use foo::ratatui::X; let clapper = 1;").is_empty());
    assert!(violations("cli/args.rs", "use clap::Parser;").is_empty());
    assert!(violations("main.rs", "use clap::Parser;").is_empty());
    assert!(violations("tui/terminal.rs", "use crossterm::event;").is_empty());
    // The UI using the command line is caught in src/tui only.
    assert!(violations("cli/screen.rs", "use crate::cli::Output;").is_empty());
}
