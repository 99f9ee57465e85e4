//! Read-only lists in a dialog: lint findings, where an object is used, what a user sees in
//! every flow, the change log. Lines may name an object; Enter jumps to it.

use uuid::Uuid;

use super::app::FlowTab;
use crate::model::ObjKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Heading,
    Error,
    Warning,
    Dim,
}

/// Where Enter on a line goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jump {
    Object(ObjKind, Uuid),
    /// A flow's page at a tab (the Simulate tab for a user's view of a flow).
    FlowTab(Uuid, FlowTab, Option<(Uuid, super::simulate::Asker)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReportLine {
    pub text: String,
    pub tone: Tone,
    pub jump: Option<Jump>,
    /// The change-log entry the line belongs to (the change log only): what undo's key
    /// reverts there.
    pub entry: Option<u64>,
}

impl ReportLine {
    pub fn new(text: impl Into<String>, tone: Tone, jump: Option<Jump>) -> ReportLine {
        ReportLine {
            text: text.into(),
            tone,
            jump,
            entry: None,
        }
    }

    /// The line as part of a change-log entry.
    pub fn of_entry(mut self, entry: u64) -> ReportLine {
        self.entry = Some(entry);
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub title: String,
    pub lines: Vec<ReportLine>,
    pub selected: usize,
    pub filter: String,
    pub filtering: bool,
    /// A pull of this remote stopped on the report's conflicts: the pull key asks to pull again
    /// taking the remote's side.
    pub stopped_pull: Option<String>,
}

impl Report {
    pub fn new(title: impl Into<String>, lines: Vec<ReportLine>) -> Report {
        let mut report = Report {
            title: title.into(),
            lines,
            selected: 0,
            filter: String::new(),
            filtering: false,
            stopped_pull: None,
        };
        report.selected = report
            .visible()
            .iter()
            .position(|i| report.lines[*i].jump.is_some())
            .unwrap_or(0);
        report
    }

    /// Indices of the lines the filter keeps.
    pub fn visible(&self) -> Vec<usize> {
        let filter = self.filter.to_lowercase();
        (0..self.lines.len())
            .filter(|i| filter.is_empty() || self.lines[*i].text.to_lowercase().contains(&filter))
            .collect()
    }

    pub fn move_by(&mut self, delta: isize) {
        let n = self.visible().len();
        if n == 0 {
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, n as isize - 1) as usize;
    }

    pub fn selected_entry(&self) -> Option<u64> {
        self.visible()
            .get(self.selected)
            .and_then(|i| self.lines[*i].entry)
    }

    pub fn selected_jump(&self) -> Option<Jump> {
        self.visible()
            .get(self.selected)
            .and_then(|i| self.lines[*i].jump)
    }
}
