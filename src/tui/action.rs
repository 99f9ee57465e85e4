//! Everything a key can do, with a stable name (keymap files, the palette) and a description
//! (help, the palette, status-bar hints).

macro_rules! actions {
    ($($variant:ident = $name:literal, $desc:literal;)+) => {
        /// An action bound to keys in the keymap.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Action {
            $($variant,)+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }

            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $desc,)+
                }
            }

            pub fn from_name(name: &str) -> Option<Action> {
                match name {
                    $($name => Some(Action::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

actions! {
    Help = "help", "help: every action available here, with its key";
    Palette = "palette", "command palette: find any action by name and run it";
    GotoFlows = "goto_flows", "go to Flows";
    GotoStages = "goto_stages", "go to Stages";
    GotoPolicies = "goto_policies", "go to Policies";
    GotoUsers = "goto_users", "go to Users";
    GotoGroups = "goto_groups", "go to Groups";
    GotoOthers = "goto_others", "go to Other objects (authentik objects bindery keeps as written)";
    Back = "back", "close the dialog, clear the filter, or go back one level";
    Quit = "quit", "go back one level; on a top-level page, quit";
    ForceQuit = "force_quit", "quit at once (edits are already saved)";
    Undo = "undo", "undo the last edit";
    Redo = "redo", "redo the last undone edit";
    Down = "down", "move the selection down";
    Up = "up", "move the selection up";
    First = "first", "first row";
    Last = "last", "last row";
    PageDown = "page_down", "a page down";
    PageUp = "page_up", "a page up";
    Filter = "filter", "filter: type to fuzzy-filter the list";
    Open = "open", "open the selected object";
    New = "new", "create a new object of this kind";
    Edit = "edit", "edit the selected object";
    Delete = "delete", "delete the selected object (asks first, lists what goes with it)";
    NextTab = "next_tab", "next tab";
    PrevTab = "prev_tab", "previous tab";
    TabOverview = "tab_overview", "flow: the Overview tab";
    TabStageBindings = "tab_stage_bindings", "flow: the Stage Bindings tab";
    TabFlowBindings = "tab_flow_bindings", "flow: the Policy / Group / User Bindings tab";
    TabSimulate = "tab_simulate", "flow: the Simulate tab (what will this user see?)";
    TabExport = "tab_export", "flow: the Export tab (its blueprint)";
    Expand = "expand", "expand the stage binding to show its bindings; on an expanded one, move into them";
    Collapse = "collapse", "collapse, or move back out to the stage binding";
    BindStage = "bind_stage", "bind an existing stage to this flow";
    CreateAndBind = "create_and_bind", "create a stage and bind it to this flow";
    BindSubject = "bind_subject", "bind a policy, group or user here (Create binding)";
    EditStage = "edit_stage", "edit the stage itself";
    MoveUp = "move_up", "move the binding up (orders are renumbered as needed)";
    MoveDown = "move_down", "move the binding down (orders are renumbered as needed)";
    Unbind = "unbind", "unbind (asks first)";
    NextField = "next_field", "next field";
    PrevField = "prev_field", "previous field";
    Left = "left", "switch the tab or choice to the left";
    Right = "right", "switch the tab or choice to the right";
    Toggle = "toggle", "toggle a switch";
    NewLine = "newline", "a new line in a multi-line field";
    LineUp = "line_up", "the line above (on the first line: the previous field)";
    LineDown = "line_down", "the line below (on the last line: the next field)";
    DeleteBack = "delete_back", "delete the character before the cursor";
    CursorLeft = "cursor_left", "cursor one character left";
    CursorRight = "cursor_right", "cursor one character right";
    LineStart = "line_start", "cursor to the start of the line";
    LineEnd = "line_end", "cursor to the end of the line";
    WordLeft = "word_left", "cursor one word left";
    WordRight = "word_right", "cursor one word right";
    DeleteForward = "delete_forward", "delete the character under the cursor";
    DeleteWordBack = "delete_word_back", "delete the word before the cursor";
    DeleteToStart = "delete_to_start", "delete from the start of the line to the cursor";
    DeleteToEnd = "delete_to_end", "delete from the cursor to the end of the line";
    Submit = "submit", "submit the dialog";
    Cancel = "cancel", "cancel: nothing changes";
    Reopen = "reopen", "re-open the dialog on the store's current version, keeping your changes";
    Confirm = "confirm", "yes, do it";
    Lint = "lint", "lint: findings an administrator should know about, each a jump to the place to fix it";
    ChangeLog = "change_log", "the store's change log, newest first";
    WhereUsed = "where_used", "where used: every binding and object that refers to the selected one";
    Duplicate = "duplicate", "duplicate the selected flow (shallow, or deep with new stages and policies)";
    WhatUserSees = "what_user_sees", "what does this user see: every flow at once";
    Who = "who", "simulate: change who is asking (nobody logged in, logged in, pending user)";
    PickUser = "pick_user", "simulate: choose the user";
    WriteFile = "write_file", "write the blueprint to a file";
    ImportFiles = "import", "import authentik blueprint files: all or nothing, or each on its own";
    RemotePull = "remote_pull", "pull: fetch the remote authentik and merge it into the store";
    RemoteDiff = "remote_diff", "diff: what a push to the remote would change, object by object";
    RemotePush = "remote_push", "push: send what changed since the last pull to the remote (asks first)";
}
