//! What `bindery` prints with no command: where the store is and what it holds.

use super::table::Columns;
use crate::model::{ObjKind, Target};
use crate::store::Store;
use crate::text::sanitize;

pub fn render(store: &Store) -> String {
    let doc = store.doc();
    let mut out = format!("store: {}", sanitize(&store.path().display().to_string()));
    if !store.exists() {
        out.push_str(" (does not exist yet; it is created on the first change)");
    } else {
        out.push_str(&format!(" (generation {})", doc.generation));
    }
    out.push('\n');
    let counts: Vec<String> = ObjKind::ALL
        .iter()
        .map(|k| format!("{} {}", doc.count(*k), k.table().replace('_', " ")))
        .collect();
    out.push_str(&counts.join(", "));
    out.push_str("\n\n");
    if doc.flows.is_empty() {
        out.push_str("No flows yet.\n");
        return out;
    }
    let mut table = Columns::new(&["flow", "designation", "stages"]);
    for flow in doc.flows.iter() {
        let stages: Vec<String> = doc
            .bindings_of_flow(flow.id)
            .iter()
            .map(|b| {
                let gated = doc
                    .policy_bindings
                    .iter()
                    .any(|p| p.target == Target::StageBinding(b.id));
                let name = doc.label_of(ObjKind::Stage, b.stage);
                if gated { format!("{name}*") } else { name }
            })
            .collect();
        table.row(vec![
            flow.slug.clone(),
            flow.designation.to_string(),
            stages.join(" > "),
        ]);
    }
    out.push_str(&table.render());
    out.push_str("\n* the stage has policy, group or user bindings\n");
    out
}
