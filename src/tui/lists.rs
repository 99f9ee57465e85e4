//! The rows each list shows, in order: filtered and ranked by the fuzzy filter on top-level
//! pages (narrowing the previous matches while the filter only grows), flattened from the
//! expanded set on the Stage Bindings tab.
//!
//! A filter over more names than one frame can score ranks them a step at a time: each step
//! scores [`STEP`] names and shows the matches found so far, best first, and the event loop
//! runs the next step when no key is waiting ([`ListView::pending`]), so typing never waits
//! for a whole table to be scored.

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
    /// A ranking still under way: the names left to score.
    pub pending: Option<Pending>,
}

/// How many names one step of a ranking scores: about 10 ms on this project's 2-core machine
/// (PERFORMANCE.md), so that a keystroke is handled and drawn within a frame.
pub const STEP: usize = 30_000;

/// A ranking under way: the table indices still to score, and the matches found so far.
#[derive(Clone, Debug, Default)]
pub struct Pending {
    filter: String,
    candidates: Vec<usize>,
    next: usize,
    scored: Vec<(i64, usize)>,
}

impl Pending {
    /// How many names are scored, and how many in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.candidates.len())
    }
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
    let previous = list.matched.take();
    let pending = list.pending.take();
    if list.filter.trim().is_empty() {
        let all: Vec<usize> = (0..table_len(doc, page)).collect();
        list.set_rows(ids_of(doc, page, &all));
        return;
    }
    // What the new filter can match: the previous matches when it only grew; a ranking under
    // way narrows to what it found so far and what it has yet to score.
    let among = match (previous, pending) {
        (Some(m), _) if narrow && fuzzy::narrows(&m.filter, &list.filter) => Some(m.indices),
        (_, Some(p)) if narrow && fuzzy::narrows(&p.filter, &list.filter) => {
            let mut among: Vec<usize> = p.scored.iter().map(|(_, i)| *i).collect();
            among.extend_from_slice(&p.candidates[p.next..]);
            among.sort_unstable();
            Some(among)
        }
        _ => None,
    };
    let candidates = among.unwrap_or_else(|| (0..table_len(doc, page)).collect());
    list.pending = Some(Pending {
        filter: list.filter.clone(),
        candidates,
        next: 0,
        scored: Vec::new(),
    });
    rank_step(doc, page, list);
}

/// Scores the next [`STEP`] names of the list's ranking under way and shows the matches so
/// far; true when more remain (the event loop runs the next step when no key waits).
pub fn rank_step(doc: &Document, page: Page, list: &mut ListView) -> bool {
    let Some(mut pending) = list.pending.take() else {
        return false;
    };
    let end = (pending.next + STEP).min(pending.candidates.len());
    let rows = rows_of(doc, page, &pending.candidates[pending.next..end]);
    pending
        .scored
        .extend(fuzzy::score_with_types(&rows, &pending.filter));
    pending.next = end;
    fuzzy::best_first(&mut pending.scored);
    let indices: Vec<usize> = pending.scored.iter().map(|(_, i)| *i).collect();
    list.set_rows(ids_of(doc, page, &indices));
    if pending.next < pending.candidates.len() {
        list.pending = Some(pending);
        return true;
    }
    list.matched = Some(Matched {
        filter: pending.filter,
        indices,
    });
    false
}

fn table_len(doc: &Document, page: Page) -> usize {
    doc.count(page.kind())
}

/// The name and the type column of the page's objects at these table indices: the filter
/// matches both (a stage's type, a flow's designation, another object's model).
fn rows_of<'a>(doc: &'a Document, page: Page, indices: &[usize]) -> Vec<(usize, &'a str, &'a str)> {
    fn of<'a, T: Entity>(
        table: &'a Table<T>,
        indices: &[usize],
        type_of: fn(&T) -> &str,
    ) -> Vec<(usize, &'a str, &'a str)> {
        indices
            .iter()
            .filter_map(|&i| table.get_index(i).map(|x| (i, x.label(), type_of(x))))
            .collect()
    }
    match page {
        Page::Flows => of(&doc.flows, indices, |f| f.designation.as_str()),
        Page::Stages => of(&doc.stages, indices, |s| s.kind.short()),
        Page::Policies => of(&doc.policies, indices, |p| p.kind.short()),
        Page::Users => of(&doc.users, indices, |_| ""),
        Page::Groups => of(&doc.groups, indices, |_| ""),
        Page::Others => of(&doc.others, indices, |o| o.model.as_str()),
    }
}

/// The ids of the page's objects at these table indices.
fn ids_of(doc: &Document, page: Page, indices: &[usize]) -> Vec<Uuid> {
    fn of<T: Entity>(table: &Table<T>, indices: &[usize]) -> Vec<Uuid> {
        indices
            .iter()
            .filter_map(|&i| table.get_index(i).map(|x| x.id()))
            .collect()
    }
    match page {
        Page::Flows => of(&doc.flows, indices),
        Page::Stages => of(&doc.stages, indices),
        Page::Policies => of(&doc.policies, indices),
        Page::Users => of(&doc.users, indices),
        Page::Groups => of(&doc.groups, indices),
        Page::Others => of(&doc.others, indices),
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
