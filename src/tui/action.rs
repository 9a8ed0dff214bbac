//! Everything a key can ask for. The keymap maps keys to these; screens act on them.

use crate::code_enum;

code_enum! {
    /// One thing the user asks the program to do. The code is the name used in the config
    /// file's `[keys]` table and the i18n key of its description (`action.<code>`).
    pub enum Action: "action" {
        Quit = "quit",
        Back = "back",
        Help = "help",
        Search = "search",
        Palette = "palette",
        Blank = "blank",
        Privacy = "privacy",
        Reveal = "reveal",
        Up = "up",
        Down = "down",
        PageUp = "page_up",
        PageDown = "page_down",
        First = "first",
        Last = "last",
        Open = "open",
        Toggle = "toggle",
        NextField = "next_field",
        PrevField = "prev_field",
        Save = "save",
        Filter = "filter",
        ClearFilter = "clear_filter",
        // Dashboard destinations.
        StartSession = "start_session",
        Cases = "cases",
        Queue = "queue",
        Duplicates = "duplicates",
        // Case file.
        NextTab = "next_tab",
        PrevTab = "prev_tab",
        AddVisit = "add_visit",
        // Drafts left by a crash.
        Discard = "discard",
        // Possible duplicates.
        SameChild = "same_child",
        DifferentChildren = "different_children",
        AddReport = "add_report",
        Progress = "progress",
        // Panel session.
        NextStep = "next_step",
        PrevStep = "prev_step",
        NextCase = "next_case",
        PrevCase = "prev_case",
        Defer = "defer",
        Amend = "amend",
        Met = "met",
        NotMet = "not_met",
        Unknown = "unknown",
        Evidence = "evidence",
        Override = "override",
        PoliceReport = "police_report",
        AddCase = "add_case",
        RemoveCase = "remove_case",
        MoveUp = "move_up",
        MoveDown = "move_down",
        Chair = "chair",
        Secretary = "secretary",
        Begin = "begin",
        Confirm = "confirm",
        EndSession = "end_session",
    }
}
