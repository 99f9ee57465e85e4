//! The rows each list shows, in order: filtered and ranked by the fuzzy filter on top-level
//! pages (narrowing the previous matches while the filter only grows), flattened from the
//! expanded set on the Stage Bindings tab.

use std::collections::HashSet;

use uuid::Uuid;

use super::app::{BindingRow, Page};
use super::fuzzy;
use crate::model::relations::Relations;
use crate::model::{Document, Entity, Table};

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
    /// What `rows` were ranked for, on top-level pages.
    pub matched: Option<Matched>,
}

/// A filter and the table indices of its matches, best first: where the next key typed into
/// the filter starts from.
#[derive(Clone, Debug, Default)]
pub struct Matched {
    filter: String,
    indices: Vec<usize>,
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

/// Ranks a top-level page's rows for its list's filter again. With `narrow`, a filter that
/// only grew ranks the previous matches instead of the whole table (a key typed can only
/// remove matches); without, after the document changed, it ranks every object.
pub fn refilter(doc: &Document, page: Page, list: &mut ListView, narrow: bool) {
    let previous = list
        .matched
        .take()
        .filter(|m| narrow && fuzzy::narrows(&m.filter, &list.filter));
    let (indices, rows) = ranked(doc, page, &list.filter, previous.map(|m| m.indices));
    list.set_rows(rows);
    if !list.filter.trim().is_empty() {
        list.matched = Some(Matched {
            filter: list.filter.clone(),
            indices,
        });
    }
}

/// The table indices and ids of the page's objects that match `filter`, best first, among
/// `among` (table indices) when given.
fn ranked(
    doc: &Document,
    page: Page,
    filter: &str,
    among: Option<Vec<usize>>,
) -> (Vec<usize>, Vec<Uuid>) {
    fn rank<T: Entity>(
        table: &Table<T>,
        filter: &str,
        among: Option<Vec<usize>>,
        type_of: fn(&T) -> &str,
    ) -> (Vec<usize>, Vec<Uuid>) {
        let indices = if filter.trim().is_empty() {
            (0..table.len()).collect()
        } else {
            match among {
                Some(among) => fuzzy::rank_with_types(
                    among
                        .into_iter()
                        .filter_map(|i| table.get_index(i).map(|x| (i, x.label(), type_of(x)))),
                    filter,
                ),
                None => fuzzy::rank_with_types(
                    table
                        .iter()
                        .enumerate()
                        .map(|(i, x)| (i, x.label(), type_of(x))),
                    filter,
                ),
            }
        };
        let ids = indices
            .iter()
            .filter_map(|&i| table.get_index(i).map(|x| x.id()))
            .collect();
        (indices, ids)
    }
    // The filter matches the name and the type column the page shows.
    match page {
        Page::Flows => rank(&doc.flows, filter, among, |f| f.designation.as_str()),
        Page::Stages => rank(&doc.stages, filter, among, |s| s.kind.short()),
        Page::Policies => rank(&doc.policies, filter, among, |p| p.kind.short()),
        Page::Users => rank(&doc.users, filter, among, |_| ""),
        Page::Groups => rank(&doc.groups, filter, among, |_| ""),
        Page::Others => rank(&doc.others, filter, among, |o| o.model.as_str()),
    }
}

/// Filters `(id, text)` pairs: best matches first, ties in the given order.
pub fn fuzzy_filter(items: Vec<(Uuid, &str)>, filter: &str) -> Vec<Uuid> {
    if filter.trim().is_empty() {
        return items.into_iter().map(|(id, _)| id).collect();
    }
    let order = fuzzy::fuzzy_order(items.iter().map(|(_, text)| *text), filter);
    order.into_iter().map(|i| items[i].0).collect()
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
            let children = rel.policy_bindings_of(*binding);
            for pb in children {
                rows.push(BindingRow::Policy {
                    parent: *binding,
                    id: *pb,
                });
            }
            if children.is_empty() {
                rows.push(BindingRow::NoBindings { parent: *binding });
            }
        }
    }
    rows
}

/// The flow's own policy, group and user bindings in order.
pub fn flow_binding_rows(rel: &Relations, flow: Uuid) -> Vec<Uuid> {
    rel.policy_bindings_of(flow).to_vec()
}
