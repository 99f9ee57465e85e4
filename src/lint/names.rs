//! Names a person cannot read as they are: with control, format or default-ignorable
//! characters in them (`admins` followed by a tag character looks exactly like `admins`), and
//! names that look the same as another of the same kind once those are removed.

use indexmap::IndexMap;
use uuid::Uuid;

use super::{Linter, Severity};
use crate::model::{Entity, ObjKind, Table};
use crate::text::{needs_escape, sanitize, visible};

/// One name of one object: a flow's slug or name, a user's username, another object's name.
struct Name<'a> {
    kind: ObjKind,
    field: &'static str,
    id: Uuid,
    text: &'a str,
}

fn labels<'a, T: Entity>(out: &mut Vec<Name<'a>>, table: &'a Table<T>, field: &'static str) {
    out.extend(table.iter().map(|x| Name {
        kind: T::KIND,
        field,
        id: x.id(),
        text: x.label(),
    }));
}

/// At most this many distinct code points are listed in a finding.
const LISTED: usize = 4;

fn code_points(text: &str) -> String {
    let mut seen: Vec<char> = Vec::new();
    for c in text.chars().filter(|&c| needs_escape(c)) {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    let mut out: Vec<String> = seen
        .iter()
        .take(LISTED)
        .map(|&c| format!("U+{:04X}", u32::from(c)))
        .collect();
    if seen.len() > LISTED {
        out.push("...".to_string());
    }
    out.join(", ")
}

impl Linter<'_> {
    pub(super) fn unreadable_names(&mut self) {
        let doc = self.doc;
        let mut names = Vec::new();
        labels(&mut names, &doc.flows, "slug");
        names.extend(doc.flows.iter().map(|f| Name {
            kind: ObjKind::Flow,
            field: "name",
            id: f.id,
            text: &f.name,
        }));
        labels(&mut names, &doc.stages, "name");
        labels(&mut names, &doc.prompts, "name");
        labels(&mut names, &doc.policies, "name");
        labels(&mut names, &doc.groups, "name");
        labels(&mut names, &doc.users, "username");

        // What each name shows as, to the names that show as it: one pass, no pairwise scan.
        let mut shown: IndexMap<(ObjKind, &str, std::borrow::Cow<str>), Vec<&Name>> =
            IndexMap::new();
        for name in &names {
            let seen = visible(name.text);
            if matches!(seen, std::borrow::Cow::Owned(_)) {
                let flow = (name.kind == ObjKind::Flow).then_some(name.id);
                self.push(
                    "invisible-characters-in-name",
                    Severity::Warning,
                    vec![(name.kind, name.id)],
                    flow,
                    format!(
                        "{} {} '{}' contains control or invisible characters ({}): people see a different name than the one stored",
                        name.kind.noun(),
                        name.field,
                        sanitize(name.text),
                        code_points(name.text),
                    ),
                );
            }
            shown
                .entry((name.kind, name.field, seen))
                .or_default()
                .push(name);
        }
        for ((kind, field, seen), mut group) in shown {
            let mut distinct: Vec<&str> = group.iter().map(|n| n.text).collect();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() < 2 {
                continue;
            }
            let listed: Vec<String> = group
                .iter()
                .map(|n| format!("'{}'", sanitize(n.text)))
                .collect();
            // The one to fix first: one with characters that cannot be seen (a stable sort
            // keeps the store's order otherwise).
            group.sort_by_key(|n| n.text == seen.as_ref());
            let objects: Vec<(ObjKind, Uuid)> = group.iter().map(|n| (n.kind, n.id)).collect();
            let flow = (kind == ObjKind::Flow).then(|| objects[0].1);
            self.push(
                "look-alike-names",
                Severity::Warning,
                objects,
                flow,
                format!(
                    "{} {field}s {} look the same: they differ only in control or invisible characters",
                    kind.noun(),
                    listed.join(", "),
                ),
            );
        }
    }
}
