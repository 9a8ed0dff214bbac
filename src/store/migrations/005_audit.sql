-- casepanel schema: the audit trail (审计记录).
--
-- Every change to the data — who (the operator), when, what (table, row key, action),
-- before and after (JSON of the row) — is appended to `audit` by triggers. The per-table
-- triggers (`audit_row_<table>_<ins|upd|del>`) are not in this file: `store::audit`
-- generates them from the live schema on every open, so a table or a column added by a
-- later migration is covered without anyone writing its trigger by hand.
--
-- Rows are chained by hash. `hash` = SHA-256 over the previous row's `hash` and this row's
-- own columns; the exact byte layout is in `src/store/audit.rs` (`row_hash`) and in
-- ARCHITECTURE.md. The hash and the operator come from functions casepanel registers on
-- each of its connections (`casepanel_audit_hash`, `casepanel_operator`,
-- `casepanel_operator_source`); a connection without them (the `sqlite3` shell, say)
-- cannot change audited data at all: its write fails with "no such function".

CREATE TABLE audit (
    id               INTEGER PRIMARY KEY,
    -- UTC, e.g. 2026-11-29T09:41:07.123Z
    at               TEXT NOT NULL,
    operator         TEXT NOT NULL CHECK (operator <> ''),
    -- how the name was given: flag, env, config, prompt, os_user
    operator_source  TEXT NOT NULL,
    -- the table changed; `*` for an event of the whole database (bulk load, restore),
    -- `audit` when the audit triggers themselves were (re)created
    tbl              TEXT NOT NULL,
    -- the row's primary key as a JSON array, e.g. [42] or ["210100"] or [3,17]
    row_key          TEXT NOT NULL,
    action           TEXT NOT NULL,
    -- the row as JSON before and after the change (NULL: an insert's before, a delete's after)
    row_before       TEXT,
    row_after        TEXT,
    hash             TEXT NOT NULL CHECK (length(hash) = 64)
);

-- The one way in: INSERT INTO audit_append (tbl, row_key, action, row_before, row_after). Its
-- trigger numbers the row, stamps time and operator, and chains the hash.
CREATE VIEW audit_append AS
    SELECT tbl, row_key, action, row_before, row_after FROM audit WHERE 0;

CREATE TRIGGER audit_append_insert INSTEAD OF INSERT ON audit_append
BEGIN
    INSERT INTO audit (id, at, operator, operator_source, tbl, row_key, action, row_before, row_after, hash)
    SELECT n.id, n.at, n.op, n.src, NEW.tbl, NEW.row_key, NEW.action, NEW.row_before, NEW.row_after,
           casepanel_audit_hash(n.prev, n.id, n.at, n.op, n.src, NEW.tbl, NEW.row_key,
                                NEW.action, NEW.row_before, NEW.row_after)
    FROM (SELECT coalesce((SELECT max(id) FROM audit), 0) + 1 AS id,
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS at,
                 casepanel_operator() AS op,
                 casepanel_operator_source() AS src,
                 (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) AS prev) AS n;
END;

-- Append only: never changed, never removed, never replaced, never out of order.
CREATE TRIGGER audit_no_update
BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'casepanel: the audit trail cannot be changed');
END;

CREATE TRIGGER audit_no_delete
BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'casepanel: the audit trail cannot be deleted');
END;

CREATE TRIGGER audit_append_only
BEFORE INSERT ON audit
WHEN NEW.id IS NOT (SELECT coalesce(max(id), 0) + 1 FROM audit)
BEGIN
    SELECT RAISE(ABORT, 'casepanel: the audit trail only grows at its end');
END;
