//! The whole state of the terminal UI. `update` changes it; views only read it.

use std::collections::HashSet;

use uuid::Uuid;

use super::dialogs::Dialog;
use super::form::Form;
use super::keymap::Keymap;
use super::lists::ListView;
use super::modal::Modal;
use crate::model::ObjKind;
use crate::store::Store;

/// The top-level pages of the sidebar, as authentik's admin navigation groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Page {
    Flows,
    Stages,
    Policies,
    Users,
    Groups,
    /// Objects of models bindery does not manage, read-only.
    Others,
}

impl Page {
    pub const ALL: [Page; 6] = [
        Page::Flows,
        Page::Stages,
        Page::Policies,
        Page::Users,
        Page::Groups,
        Page::Others,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Page::Flows => "Flows",
            Page::Stages => "Stages",
            Page::Policies => "Policies",
            Page::Users => "Users",
            Page::Groups => "Groups",
            Page::Others => "Others",
        }
    }

    pub fn kind(self) -> ObjKind {
        match self {
            Page::Flows => ObjKind::Flow,
            Page::Stages => ObjKind::Stage,
            Page::Policies => ObjKind::Policy,
            Page::Users => ObjKind::User,
            Page::Groups => ObjKind::Group,
            Page::Others => ObjKind::Other,
        }
    }

    /// The sidebar section, as in authentik.
    pub fn section(self) -> &'static str {
        match self {
            Page::Flows | Page::Stages => "Flows, Stages",
            Page::Policies => "Customization",
            Page::Users | Page::Groups => "Directory",
            Page::Others => "Not managed",
        }
    }

    pub fn index(self) -> usize {
        Page::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowTab {
    Overview,
    StageBindings,
    FlowBindings,
    Simulate,
    Export,
}

impl FlowTab {
    pub const ALL: [FlowTab; 5] = [
        FlowTab::Overview,
        FlowTab::StageBindings,
        FlowTab::FlowBindings,
        FlowTab::Simulate,
        FlowTab::Export,
    ];

    pub fn title(self) -> &'static str {
        match self {
            FlowTab::Overview => "Overview",
            FlowTab::StageBindings => "Stage Bindings",
            FlowTab::FlowBindings => "Policy / Group / User Bindings",
            FlowTab::Simulate => "Simulate",
            FlowTab::Export => "Export",
        }
    }

    /// The title on narrow screens.
    pub fn short_title(self) -> &'static str {
        match self {
            FlowTab::StageBindings => "Stages",
            FlowTab::FlowBindings => "Bindings",
            other => other.title(),
        }
    }
}

/// A row of the Stage Bindings tab: a stage binding, or one of the policy, group or user
/// bindings shown under an expanded one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingRow {
    Stage(Uuid),
    Policy {
        parent: Uuid,
        id: Uuid,
    },
    /// Under an expanded stage binding that has no policy, group or user bindings: says so,
    /// and how to add one.
    NoBindings {
        parent: Uuid,
    },
}

#[derive(Clone, Debug)]
pub struct FlowPage {
    pub flow: Uuid,
    pub tab: FlowTab,
    pub expanded: HashSet<Uuid>,
    /// The Stage Bindings tab's rows, flattened from the expanded set.
    pub binding_rows: Vec<BindingRow>,
    pub stage_rows: ListView,
    pub flow_rows: ListView,
    pub sim: super::simulate::Simulation,
    /// First line shown on the Overview and Export tabs.
    pub scroll: usize,
    /// The flow's blueprint, for the Export tab.
    pub export: String,
}

impl FlowPage {
    pub fn new(flow: Uuid) -> FlowPage {
        FlowPage {
            flow,
            tab: FlowTab::StageBindings,
            expanded: HashSet::new(),
            binding_rows: Vec::new(),
            stage_rows: ListView::default(),
            flow_rows: ListView::default(),
            sim: super::simulate::Simulation::new(),
            scroll: 0,
            export: String::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Screen {
    List(Page),
    Flow(Box<FlowPage>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

/// Whether what is on screen is on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveState {
    Saved,
    Unsaved,
    /// `screen --dry-run`: edits are made in memory and never written.
    DryRun,
    Failed(String),
}

/// What `update` asks the loop to do: the only I/O.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Save,
    Quit,
    /// Write text to a file (the Export tab's "write to file").
    Write {
        path: String,
        text: String,
    },
    /// Look for a change someone else saved, and reload it when there are no unsaved edits.
    CheckDisk,
    /// Pull from or push to the remote.
    Remote(super::remote::RemoteJob),
}

pub struct App {
    pub store: Store,
    pub keymap: Keymap,
    pub screen: Screen,
    /// Each top-level list keeps its selection and filter while you are elsewhere.
    pub lists: [ListView; 6],
    pub modals: Vec<Modal>,
    pub status: Option<Status>,
    pub save: SaveState,
    /// The last drawn height: tables scroll by what fits.
    pub height: u16,
    /// Who points at whom, rebuilt when the document changes.
    pub rel: crate::model::relations::Relations,
    /// The last drawn width, for text that is wrapped ahead of drawing.
    pub width: u16,
    /// Where each jump (from lint, where-used, the change log) started, newest last: `q` and
    /// Esc go back there, as a browser's Back does. Going to a page by its number clears it.
    pub back: Vec<Place>,
    /// The authentik this store syncs with, if any (the header shows it).
    pub remote: Option<super::remote::RemoteView>,
}

/// A screen to come back to, with the row that was selected on it.
#[derive(Clone, Debug)]
pub struct Place {
    pub screen: Screen,
    pub selected: Option<Uuid>,
}

/// How many places back are kept.
pub const BACK_LIMIT: usize = 50;

impl App {
    pub fn new(store: Store, keymap: Keymap) -> App {
        let mut app = App {
            store,
            keymap,
            screen: Screen::List(Page::Flows),
            lists: Default::default(),
            modals: Vec::new(),
            status: None,
            save: SaveState::Saved,
            height: 30,
            rel: Default::default(),
            width: 100,
            back: Vec::new(),
            remote: None,
        };
        app.refresh();
        app
    }

    /// Remembers the current screen and selection before a jump away from it.
    pub fn remember_place(&mut self) {
        let selected = match &self.screen {
            Screen::List(page) => self.list(*page).selected_id(),
            Screen::Flow(_) => None,
        };
        self.back.push(Place {
            screen: self.screen.clone(),
            selected,
        });
        if self.back.len() > BACK_LIMIT {
            self.back.remove(0);
        }
    }

    /// Returns to where the last jump started; false when there is nowhere to go back to
    /// (a flow page whose flow was deleted meanwhile is passed over).
    pub fn go_back(&mut self) -> bool {
        while let Some(place) = self.back.pop() {
            if let Screen::Flow(fp) = &place.screen
                && !self.store.doc().flows.contains(fp.flow)
            {
                continue;
            }
            self.screen = place.screen;
            self.refresh();
            if let (Screen::List(page), Some(id)) = (&self.screen, place.selected) {
                let page = *page;
                self.list_mut(page).select(id);
            }
            return true;
        }
        false
    }

    pub fn page(&self) -> Page {
        match self.screen {
            Screen::List(page) => page,
            Screen::Flow(_) => Page::Flows,
        }
    }

    pub fn list(&self, page: Page) -> &ListView {
        &self.lists[page.index()]
    }

    pub fn list_mut(&mut self, page: Page) -> &mut ListView {
        &mut self.lists[page.index()]
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            kind: StatusKind::Info,
            text: text.into(),
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            kind: StatusKind::Error,
            text: text.into(),
        });
    }

    pub fn top_form(&mut self) -> Option<&mut Form> {
        self.top_dialog().map(|d| d.form_mut())
    }

    pub fn top_dialog(&mut self) -> Option<&mut Dialog> {
        match self.modals.last_mut() {
            Some(Modal::Dialog(dialog)) => Some(dialog),
            _ => None,
        }
    }

    /// Recomputes one top-level list's rows (its filter changed, the document did not),
    /// keeping its selection.
    /// Runs one step of a ranking under way on a list (the event loop calls this when no key
    /// is waiting); true when more steps remain.
    pub fn rank_step(&mut self) -> bool {
        let doc = self.store.doc();
        let mut more = false;
        for page in Page::ALL {
            let list = &mut self.lists[page.index()];
            if list.pending.is_some() {
                more |= super::lists::rank_step(doc, page, list);
            }
        }
        more
    }

    /// Whether a list is still being ranked.
    pub fn ranking(&self) -> bool {
        self.lists.iter().any(|l| l.pending.is_some())
    }

    /// Runs every ranking under way to its end (a replay shows what a person would see once
    /// the screen settled).
    pub fn finish_ranking(&mut self) {
        while self.rank_step() {}
    }

    pub fn refresh_page(&mut self, page: Page) {
        let list = &mut self.lists[page.index()];
        super::lists::refilter(self.store.doc(), page, list, true);
    }

    /// Recomputes every list's rows from the document, keeping selections on the same objects.
    pub fn refresh(&mut self) {
        self.rel = crate::model::relations::Relations::build(self.store.doc());
        let doc = self.store.doc();
        for page in Page::ALL {
            super::lists::refilter(doc, page, &mut self.lists[page.index()], false);
        }
        if let Screen::Flow(fp) = &mut self.screen {
            if !doc.flows.contains(fp.flow) {
                self.screen = Screen::List(Page::Flows);
                return;
            }
            fp.expanded.retain(|id| doc.stage_bindings.contains(*id));
            let stage_rows = super::lists::stage_binding_rows(&self.rel, fp.flow, &fp.expanded);
            fp.stage_rows
                .set_rows(stage_rows.iter().map(|r| row_id(*r)).collect());
            fp.binding_rows = stage_rows;
            let flow_rows = super::lists::flow_binding_rows(&self.rel, fp.flow);
            fp.flow_rows.set_rows(flow_rows);
            match fp.tab {
                FlowTab::Simulate => {
                    let main =
                        super::view::regions(ratatui::layout::Rect::new(0, 0, self.width, 30)).main;
                    fp.sim
                        .recompute(doc, fp.flow, usize::from(main.width.saturating_sub(10)))
                }
                FlowTab::Export => {
                    fp.export = crate::blueprint::export_flow(
                        doc,
                        fp.flow,
                        crate::blueprint::Reach::Standalone,
                    )
                    .map(|node| crate::blueprint::yaml::emit(&node))
                    .unwrap_or_default();
                }
                _ => {}
            }
        }
    }
}

/// The id that stands for a stage-bindings row in a list view.
pub fn row_id(row: BindingRow) -> Uuid {
    match row {
        BindingRow::Stage(id) | BindingRow::Policy { id, .. } => id,
        BindingRow::NoBindings { parent } => parent,
    }
}
