//! The rows each list shows, in order: filtered and ranked by the fuzzy filter on top-level
//! pages, flattened from the expanded set on the Stage Bindings tab.

use std::collections::HashSet;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use uuid::Uuid;

use super::app::{BindingRow, Page};
use crate::model::relations::Relations;
use crate::model::{Document, Entity};

/// A scrolling selection over rows identified by object id.
#[derive(Clone, Debug, Default)]
pub struct ListView {
    pub rows: Vec<Uuid>,
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
        Page::Others => collect(doc.others.iter()),
    }
}

/// Fuzzy-filters `(id, text)` pairs with fzf's syntax (nucleo): best matches first, ties in
/// store order. Only scores are computed here; the matched positions are found for the visible
/// rows when drawing.
pub fn fuzzy_filter(items: Vec<(Uuid, &str)>, filter: &str) -> Vec<Uuid> {
    if filter.is_empty() {
        return items.into_iter().map(|(id, _)| id).collect();
    }
    let order = fuzzy_order(items.iter().map(|(_, text)| *text), filter);
    order.into_iter().map(|i| items[i].0).collect()
}

/// The indices of the texts that match `filter`, best first, ties in the given order.
pub fn fuzzy_order<'a>(texts: impl Iterator<Item = &'a str>, filter: &str) -> Vec<usize> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(filter, CaseMatching::Smart, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize)> = texts
        .enumerate()
        .filter_map(|(i, text)| {
            pattern
                .score(Utf32Str::new(text, &mut buf), &mut matcher)
                .map(|score| (score, i))
        })
        .collect();
    scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// The positions of the characters of `text` that the filter matched, for highlighting.
pub fn matched_positions(text: &str, filter: &str) -> Option<Vec<usize>> {
    if filter.is_empty() {
        return None;
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(filter, CaseMatching::Smart, Normalization::Smart);
    let mut buf = Vec::new();
    let mut indices = Vec::new();
    pattern.indices(Utf32Str::new(text, &mut buf), &mut matcher, &mut indices)?;
    indices.sort_unstable();
    indices.dedup();
    Some(indices.into_iter().map(|i| i as usize).collect())
}

/// A top-level page's rows under its filter.
pub fn page_rows(doc: &Document, page: Page, filter: &str) -> Vec<Uuid> {
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
