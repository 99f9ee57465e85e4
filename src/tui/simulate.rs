//! The Simulate tab: who is asking, the assumptions for policies that need live data, and the
//! planner's answer for every stage binding, recomputed whenever one of them changes.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::lists::ListView;
use crate::engine::{self, Engine, Index, Plan, Request, needs_live_data};
use crate::model::{Document, Subject};

/// Who runs the flow in the simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asker {
    /// Nobody is logged in; the person may identify as the chosen user.
    Nobody,
    /// The chosen user is logged in.
    LoggedIn,
    /// The plan starts with the chosen user as pending user (recovery links, source logins).
    Pending,
}

impl Asker {
    pub fn next(self) -> Asker {
        match self {
            Asker::Nobody => Asker::LoggedIn,
            Asker::LoggedIn => Asker::Pending,
            Asker::Pending => Asker::Nobody,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimRow {
    /// A policy that needs live request data, and what is assumed of it.
    Assumption(Uuid),
    /// A stage binding's outcome.
    Stage(Uuid),
    /// One line of the reasons under an expanded stage binding: an index into
    /// `reason_lines`.
    Reason(Uuid, usize),
}

#[derive(Clone, Debug)]
pub struct Simulation {
    pub asker: Asker,
    pub user: Option<Uuid>,
    /// Policy id → assumed result; absent means unknown.
    pub assumptions: HashMap<Uuid, bool>,
    pub expanded: HashSet<Uuid>,
    pub rows: Vec<SimRow>,
    pub list: ListView,
    pub plan: Option<Plan>,
    /// The reasons of expanded stages, wrapped to the screen.
    pub reason_lines: Vec<String>,
}

impl Simulation {
    pub fn new() -> Simulation {
        Simulation {
            asker: Asker::Nobody,
            user: None,
            assumptions: HashMap::new(),
            expanded: HashSet::new(),
            rows: Vec::new(),
            list: ListView::default(),
            plan: None,
            reason_lines: Vec::new(),
        }
    }

    pub fn request(&self) -> Request {
        match self.asker {
            Asker::Nobody => Request {
                user: None,
                pending_user: None,
                identify_as: self.user,
            },
            Asker::LoggedIn => Request {
                user: self.user,
                pending_user: None,
                identify_as: self.user,
            },
            Asker::Pending => Request {
                user: None,
                pending_user: self.user,
                identify_as: self.user,
            },
        }
    }

    /// Cycles an assumption: unknown, then pass, then fail.
    pub fn cycle_assumption(&mut self, policy: Uuid) {
        match self.assumptions.get(&policy) {
            None => {
                self.assumptions.insert(policy, true);
            }
            Some(true) => {
                self.assumptions.insert(policy, false);
            }
            Some(false) => {
                self.assumptions.remove(&policy);
            }
        }
    }

    /// Plans again and rebuilds the rows, keeping the selection on the same row.
    pub fn recompute(&mut self, doc: &Document, flow: Uuid, width: usize) {
        let Some(f) = doc.flows.get(flow) else {
            self.plan = None;
            self.rows.clear();
            return;
        };
        if self.user.is_some_and(|u| !doc.users.contains(u)) {
            self.user = None;
        }
        self.assumptions.retain(|p, _| doc.policies.contains(*p));
        let index = Index::build(doc);
        let engine = Engine::new(&index, &self.assumptions);
        let plan = engine::plan(&engine, f, self.request());
        let mut rows: Vec<SimRow> = live_policies(doc, flow)
            .into_iter()
            .map(SimRow::Assumption)
            .collect();
        self.reason_lines.clear();
        for stage in &plan.stages {
            rows.push(SimRow::Stage(stage.binding));
            if self.expanded.contains(&stage.binding) {
                for reason in &stage.reasons {
                    // Sanitised before wrapping: an escape is wider than what it replaces.
                    let reason = crate::text::sanitize(reason);
                    for line in crate::text::wrap(&reason, width.max(20)) {
                        rows.push(SimRow::Reason(stage.binding, self.reason_lines.len()));
                        self.reason_lines.push(line.to_string());
                    }
                }
            }
        }
        let selected = self.rows.get(self.list.selected).copied();
        self.rows = rows;
        self.list.rows = (0..self.rows.len())
            .map(|i| Uuid::from_u128(i as u128))
            .collect();
        if let Some(row) = selected
            && let Some(at) = self.rows.iter().position(|r| *r == row)
        {
            self.list.selected = at;
        }
        self.list.selected = self.list.selected.min(self.rows.len().saturating_sub(1));
        self.plan = Some(plan);
    }
}

impl Default for Simulation {
    fn default() -> Self {
        Simulation::new()
    }
}

/// Policies bound anywhere in a flow whose result cannot be computed offline.
pub fn live_policies(doc: &Document, flow: Uuid) -> Vec<Uuid> {
    let mut targets = vec![flow];
    targets.extend(doc.bindings_of_flow(flow).iter().map(|b| b.id));
    let on = doc.policy_bindings_of_each(targets.iter().copied());
    let mut out = Vec::new();
    for target in targets {
        for pb in on.get(&target).into_iter().flatten() {
            if let Subject::Policy(p) = pb.subject
                && !out.contains(&p)
                && doc
                    .policies
                    .get(p)
                    .is_some_and(|policy| needs_live_data(&policy.kind))
            {
                out.push(p);
            }
        }
    }
    out
}
