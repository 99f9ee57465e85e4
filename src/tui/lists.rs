//! The rows each list shows, in order: filtered and ranked by the fuzzy filter on top-level
//! pages, flattened from the expanded set on the Stage Bindings tab.

use std::collections::{HashMap, HashSet};

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use uuid::Uuid;

use super::app::{BindingRow, Page};
use crate::model::relations::Relations;
use crate::model::{Document, Entity};

/// A scrolling selection over rows identified by object id.
#[derive(Clone, Debug, Default)]
pub struct ListView {
    pub rows: Vec<Uuid>,
    /// Matched character positions of each row's name, for highlighting.
    pub highlights: HashMap<Uuid, Vec<usize>>,
    pub selected: usize,
    /// First visible row; views adjust it to keep the selection in sight.
    pub offset: usize,
    pub filter: String,
    /// The filter line has the keys.
    pub filtering: bool,
}

impl ListView {
    /// Replaces the rows, keeping the selection on the same object when it is still there.
    pub fn set_rows(&mut self, rows: Vec<Uuid>) {
        let current = self.selected_id();
        self.rows = rows;
        if let Some(id) = current
            && let Some(index) = self.rows.iter().position(|r| *r == id)
        {
            self.selected = index;
        }
        self.clamp();
    }

    pub fn selected_id(&self) -> Option<Uuid> {
        self.rows.get(self.selected).copied()
    }

    pub fn select(&mut self, id: Uuid) {
        if let Some(index) = self.rows.iter().position(|r| *r == id) {
            self.selected = index;
        }
    }

    fn clamp(&mut self) {
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        let target = self.selected as isize + delta;
        self.selected = target.clamp(0, self.rows.len() as isize - 1) as usize;
    }

    pub fn first(&mut self) {
        self.selected = 0;
    }

    pub fn last(&mut self) {
        self.selected = self.rows.len().saturating_sub(1);
    }

    /// Keeps the selection within `height` visible rows; returns the first visible row.
    pub fn scroll_for(&self, height: usize) -> usize {
        let height = height.max(1);
        if self.selected < self.offset {
            self.selected
        } else if self.selected >= self.offset + height {
            self.selected + 1 - height
        } else {
            self.offset.min(self.rows.len().saturating_sub(1))
        }
    }
}

fn ids_and_labels(doc: &Document, page: Page) -> Vec<(Uuid, &str)> {
    fn collect<'a, T: Entity + 'a>(items: impl Iterator<Item = &'a T>) -> Vec<(Uuid, &'a str)> {
        items.map(|x| (x.id(), x.label())).collect()
    }
    match page {
        Page::Flows => collect(doc.flows.iter()),
        Page::Stages => collect(doc.stages.iter()),
        Page::Policies => collect(doc.policies.iter()),
        Page::Users => collect(doc.users.iter()),
        Page::Groups => collect(doc.groups.iter()),
    }
}

/// Fuzzy-filters `(id, text)` pairs: best matches first, ties in store order, each with the
/// positions of its matched characters.
pub fn fuzzy_filter(
    items: Vec<(Uuid, &str)>,
    filter: &str,
) -> (Vec<Uuid>, HashMap<Uuid, Vec<usize>>) {
    if filter.is_empty() {
        return (
            items.into_iter().map(|(id, _)| id).collect(),
            HashMap::new(),
        );
    }
    let matcher = SkimMatcherV2::default().smart_case();
    let mut scored: Vec<(i64, usize, Uuid, Vec<usize>)> = items
        .into_iter()
        .enumerate()
        .filter_map(|(i, (id, text))| {
            matcher
                .fuzzy_indices(text, filter)
                .map(|(score, marks)| (score, i, id, marks))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let marks = scored
        .iter()
        .map(|(_, _, id, m)| (*id, m.clone()))
        .collect();
    (scored.into_iter().map(|(_, _, id, _)| id).collect(), marks)
}

/// A top-level page's rows under its filter.
pub fn page_rows(
    doc: &Document,
    page: Page,
    filter: &str,
) -> (Vec<Uuid>, HashMap<Uuid, Vec<usize>>) {
    fuzzy_filter(ids_and_labels(doc, page), filter)
}

/// The Stage Bindings tab: each stage binding in plan order, and under each expanded one its
/// policy, group and user bindings in order.
pub fn stage_binding_rows(
    rel: &Relations,
    flow: Uuid,
    expanded: &HashSet<Uuid>,
) -> Vec<BindingRow> {
    let mut rows = Vec::new();
    for binding in rel.stage_bindings_of(flow) {
        rows.push(BindingRow::Stage(*binding));
        if expanded.contains(binding) {
            for pb in rel.policy_bindings_of(*binding) {
                rows.push(BindingRow::Policy {
                    parent: *binding,
                    id: *pb,
                });
            }
        }
    }
    rows
}

/// The flow's own policy, group and user bindings in order.
pub fn flow_binding_rows(rel: &Relations, flow: Uuid) -> Vec<Uuid> {
    rel.policy_bindings_of(flow).to_vec()
}
