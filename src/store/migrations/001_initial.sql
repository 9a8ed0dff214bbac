-- casepanel schema, version 1. Codes in TEXT columns are the `code()` strings of the
-- domain enums; dates are ISO 8601 text (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS).

CREATE TABLE region (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    level   TEXT NOT NULL CHECK (level IN ('city', 'county', 'township', 'village')),
    parent  TEXT REFERENCES region(code)
) WITHOUT ROWID;
CREATE INDEX region_parent ON region(parent);

CREATE TABLE child (
    id                      INTEGER PRIMARY KEY,
    name                    TEXT NOT NULL,
    -- pinyin initials of the name (张三明 -> zsm), for search
    initials                TEXT NOT NULL DEFAULT '',
    sex                     TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date              TEXT NOT NULL,
    id_number               TEXT UNIQUE,
    household_registration  TEXT NOT NULL DEFAULT '',
    address                 TEXT NOT NULL DEFAULT '',
    phone                   TEXT,
    school                  TEXT,
    region                  TEXT NOT NULL REFERENCES region(code)
);
CREATE INDEX child_name ON child(name);
CREATE INDEX child_initials ON child(initials);
CREATE INDEX child_region ON child(region);

CREATE TABLE guardian (
    id        INTEGER PRIMARY KEY,
    child_id  INTEGER NOT NULL REFERENCES child(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL DEFAULT 0,
    name      TEXT NOT NULL,
    relation  TEXT NOT NULL,
    status    TEXT NOT NULL,
    phone     TEXT
);
CREATE INDEX guardian_child ON guardian(child_id);

CREATE TABLE case_file (
    id              INTEGER PRIMARY KEY,
    child_id        INTEGER NOT NULL REFERENCES child(id),
    status          TEXT NOT NULL CHECK (status IN ('screening', 'awaiting_panel', 'active', 'closed')),
    opened_on       TEXT NOT NULL,
    closed_on       TEXT,
    closing_reason  TEXT,
    -- the latest sealed decision's final level (1..3) and next review; kept by the store
    level           INTEGER CHECK (level IN (1, 2, 3)),
    next_review     TEXT,
    last_decided_on TEXT,
    -- the child's region, copied so that queues and statistics need no join
    region          TEXT NOT NULL REFERENCES region(code),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);
CREATE INDEX case_child ON case_file(child_id);
CREATE INDEX case_status_review ON case_file(status, next_review);
CREATE INDEX case_region ON case_file(region);
CREATE INDEX case_level ON case_file(level);

CREATE TABLE case_type (
    case_id  INTEGER NOT NULL REFERENCES case_file(id) ON DELETE CASCADE,
    type     TEXT NOT NULL,
    PRIMARY KEY (case_id, type)
) WITHOUT ROWID;
CREATE INDEX case_type_type ON case_type(type);

CREATE TABLE report (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES case_file(id),
    received_at  TEXT NOT NULL,
    channel      TEXT NOT NULL,
    mandatory    INTEGER NOT NULL CHECK (mandatory IN (0, 1)),
    reporter     TEXT,
    summary      TEXT NOT NULL
);
CREATE INDEX report_case ON report(case_id, received_at);
CREATE INDEX report_received ON report(received_at);

CREATE TABLE visit (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES case_file(id),
    visited_on  TEXT NOT NULL,
    visitors    TEXT NOT NULL DEFAULT '',
    place       TEXT NOT NULL DEFAULT '',
    people_met  TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL
);
CREATE INDEX visit_case ON visit(case_id, visited_on);

-- Police reports under the mandatory-reporting rule (强制报告), recorded on the case.
CREATE TABLE police_report (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES case_file(id),
    reported_at  TEXT NOT NULL,
    unit         TEXT NOT NULL,
    receipt      TEXT NOT NULL
);
CREATE INDEX police_report_case ON police_report(case_id);

-- Each criteria catalogue text once per hash, so an old assessment can always be shown
-- against the exact criteria it was scored on.
CREATE TABLE catalogue (
    sha256     TEXT PRIMARY KEY,
    id         TEXT NOT NULL,
    version    TEXT NOT NULL,
    source     TEXT NOT NULL,
    stored_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE member (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    discipline    TEXT NOT NULL,
    organisation  TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE panel_session (
    id         INTEGER PRIMARY KEY,
    held_on    TEXT NOT NULL,
    chair      INTEGER REFERENCES member(id),
    secretary  INTEGER REFERENCES member(id),
    status     TEXT NOT NULL CHECK (status IN ('open', 'closed'))
);

CREATE TABLE session_member (
    session_id  INTEGER NOT NULL REFERENCES panel_session(id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES member(id),
    PRIMARY KEY (session_id, member_id)
) WITHOUT ROWID;

CREATE TABLE agenda_item (
    session_id    INTEGER NOT NULL REFERENCES panel_session(id) ON DELETE CASCADE,
    case_id       INTEGER NOT NULL REFERENCES case_file(id),
    position      INTEGER NOT NULL,
    outcome       TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'decided', 'deferred')),
    defer_reason  TEXT,
    decision_id   INTEGER REFERENCES decision(id),
    PRIMARY KEY (session_id, case_id)
) WITHOUT ROWID;
CREATE INDEX agenda_case ON agenda_item(case_id);

CREATE TABLE conflict (
    session_id  INTEGER NOT NULL REFERENCES panel_session(id) ON DELETE CASCADE,
    case_id     INTEGER NOT NULL REFERENCES case_file(id),
    member_id   INTEGER NOT NULL REFERENCES member(id),
    PRIMARY KEY (session_id, case_id, member_id)
) WITHOUT ROWID;

CREATE TABLE decision (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES case_file(id),
    session_id        INTEGER REFERENCES panel_session(id),
    decided_on        TEXT NOT NULL,
    catalogue_sha256  TEXT REFERENCES catalogue(sha256),
    -- the Assessment (answers, evidence, computed level and rule, override) as JSON
    assessment        TEXT NOT NULL,
    computed_level    INTEGER CHECK (computed_level IN (1, 2, 3)),
    final_level       INTEGER CHECK (final_level IN (1, 2, 3)),
    next_review       TEXT,
    next_review_kind  TEXT CHECK (next_review_kind IN ('annual', 'ad_hoc')),
    vote_for          INTEGER NOT NULL DEFAULT 0,
    vote_against      INTEGER NOT NULL DEFAULT 0,
    vote_abstain      INTEGER NOT NULL DEFAULT 0,
    dissent           TEXT NOT NULL DEFAULT '',
    voting_members    TEXT NOT NULL DEFAULT '[]',
    recused           TEXT NOT NULL DEFAULT '[]',
    police_report_id  INTEGER REFERENCES police_report(id),
    amends            INTEGER REFERENCES decision(id),
    status            TEXT NOT NULL CHECK (status IN ('draft', 'sealed')),
    sealed_at         TEXT,
    -- 1 for levels taken over from paper records: not a panel-signed decision
    imported          INTEGER NOT NULL DEFAULT 0 CHECK (imported IN (0, 1)),
    CHECK ((status = 'sealed') = (sealed_at IS NOT NULL))
);
CREATE INDEX decision_case ON decision(case_id, decided_on);
CREATE INDEX decision_session ON decision(session_id);
CREATE INDEX decision_decided ON decision(decided_on);

CREATE TABLE intervention (
    id           INTEGER PRIMARY KEY,
    decision_id  INTEGER NOT NULL REFERENCES decision(id),
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    due          TEXT,
    status       TEXT NOT NULL DEFAULT 'planned'
                 CHECK (status IN ('planned', 'in_progress', 'done', 'not_done')),
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX intervention_decision ON intervention(decision_id);
CREATE INDEX intervention_due ON intervention(status, due);

-- Ad-hoc re-reviews (临时复评): raised by hand or by a new report on a graded case.
CREATE TABLE review_request (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES case_file(id),
    raised_on    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    report_id    INTEGER REFERENCES report(id),
    resolved_by  INTEGER REFERENCES decision(id)
);
CREATE INDEX review_request_open ON review_request(case_id) WHERE resolved_by IS NULL;

-- Settings that belong to this database (the centre's name, the demo flag, ...).
CREATE TABLE setting (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;

-- A sealed decision never changes: the store refuses in code, and these triggers refuse
-- a plain SQL UPDATE or DELETE as well.
CREATE TRIGGER decision_sealed_no_update
BEFORE UPDATE ON decision WHEN OLD.status = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'casepanel: a sealed decision cannot be changed; record an amendment instead');
END;

CREATE TRIGGER decision_sealed_no_delete
BEFORE DELETE ON decision WHEN OLD.status = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'casepanel: a sealed decision cannot be deleted');
END;

-- Interventions of a sealed decision keep what was decided; only their progress moves.
CREATE TRIGGER intervention_sealed_no_change
BEFORE UPDATE OF decision_id, position, kind, unit, due ON intervention
WHEN (SELECT status FROM decision WHERE id = OLD.decision_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'casepanel: the interventions of a sealed decision cannot be changed');
END;

CREATE TRIGGER intervention_sealed_no_delete
BEFORE DELETE ON intervention
WHEN (SELECT status FROM decision WHERE id = OLD.decision_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'casepanel: the interventions of a sealed decision cannot be deleted');
END;

CREATE TRIGGER intervention_sealed_no_insert
BEFORE INSERT ON intervention
WHEN (SELECT status FROM decision WHERE id = NEW.decision_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'casepanel: a sealed decision cannot get new interventions');
END;
