-- casepanel schema: autosaved drafts of text being typed.
--
-- While an officer types (home-visit notes, evidence, dissent, reasons), the text is saved
-- here within two seconds of the last keystroke, and removed when it is saved for real or
-- deliberately discarded. What is left after a crash, a kill or a power cut is offered
-- back on the next start. One row per place where text is typed.

CREATE TABLE autosave (
    place     TEXT PRIMARY KEY,   -- e.g. 'visit:new:12', 'session:3:case:12:dissent'
    fields    TEXT NOT NULL,      -- JSON array of the fields' text, in the form's order
    saved_at  TEXT NOT NULL
) WITHOUT ROWID;
