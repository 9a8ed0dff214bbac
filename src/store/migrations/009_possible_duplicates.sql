-- Possible duplicates (疑似重复): two children on file who may be one child — the same name
-- and date of birth, with different ID numbers or one of them without — flagged by the
-- screening import for a person to decide. Deciding never merges or changes either child:
-- it records what a person found, who, when and why.

CREATE TABLE possible_duplicate (
    id          INTEGER PRIMARY KEY,
    -- The child the import added, and the child it may be (on file before, or added by an
    -- earlier row of the same sheet).
    child_id    INTEGER NOT NULL REFERENCES child(id),
    other_id    INTEGER NOT NULL REFERENCES child(id),
    why         TEXT NOT NULL CHECK (why IN ('other_id_number', 'missing_id_number')),
    -- Where it was flagged: the imported file's SHA-256 and the row a person sees.
    source      TEXT NOT NULL,
    sheet_row   INTEGER NOT NULL,
    flagged_on  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'same', 'different')),
    decided_by  TEXT,
    decided_at  TEXT,
    note        TEXT,
    CHECK (child_id <> other_id),
    CHECK ((status = 'open') = (decided_at IS NULL)),
    UNIQUE (child_id, other_id)
);

-- The open ones, oldest first: the list a person works through, and its count.
CREATE INDEX possible_duplicate_status ON possible_duplicate (status, id);
