//! What can open over a page: a dialog, a confirmation, a type picker, help, the palette.
//! The top one gets every key.

use crate::edit::{Op, Patch};

use super::dialogs::Dialog;

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub title: String,
    /// What will happen, line by line (everything a cascade removes).
    pub lines: Vec<String>,
    pub action: Confirmed,
    /// What the operation did when the confirmation was shown; confirming checks it still does.
    pub patch: Patch,
}

/// What a confirmation does.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirmed {
    Op(Box<Op>),
    /// Revert the change-log entry with this number.
    Revert(u64),
    /// Push the store's changes to the remote.
    Push,
    /// A pull that takes the remote's side: of its conflicts, or, on a first pull into a
    /// store that holds objects, of everything.
    PullTheirs,
}

/// Which kind of type a type picker offers, and what happens after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeChoice {
    /// A new stage, bound to this flow when given.
    Stage {
        bind_to: Option<uuid::Uuid>,
    },
    Policy,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypePicker {
    pub choice: TypeChoice,
    pub query: String,
    pub highlighted: usize,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Help {
    pub filter: String,
    pub filtering: bool,
    pub scroll: usize,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Palette {
    pub query: String,
    pub highlighted: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Modal {
    Dialog(Box<Dialog>),
    Confirm(Box<Confirm>),
    Types(TypePicker),
    Help(Help),
    Palette(Palette),
    Report(Box<super::report::Report>),
}
