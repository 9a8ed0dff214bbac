-- casepanel schema, version 7: the queue, the statistics and the dashboard at a million cases.
--
-- Version 3 made the queue read indexes instead of every case; at a million cases that was
-- still too slow (BENCHMARKS.md): counting a quarter of a million index entries, reading the
-- table row behind every entry of `case_queue` (its `review_due` is a VIRTUAL column, which
-- an index cannot cover), looking up `case_type` for every entry under a type filter, and
-- joining every overdue intervention to its decision and case. So:
--
-- 1. case_file.types: the case's difficulty types as a bit set (`difficulty_bit`), kept by
--    triggers on case_type, so that a type filter is read from the queue's indexes.
-- 2. case_file.due_on: a stored copy of `review_due` kept by triggers (SQLite cannot add a
--    STORED generated column to an existing table), so that `case_due` covers the queue.
-- 3. queue_tally: the queue's dated part (active cases by the day and by the month their
--    review is due) and the first assessments, by level, type and area (province '', city
--    4 digits, county 6 digits). "Due by D" is the months before D's month plus the days
--    of D's month up to D: a hundred-odd rows whatever the size of the database.
-- 4. case_file.adhoc_since: when the case's oldest open ad-hoc request was raised (NULL
--    without one), kept by triggers on review_request, so that the ad-hoc part of the
--    queue is one small partial index instead of a lookup of every open request's case.
-- 5. intervention.live_region: the case's region while the decision is sealed and the case
--    open (NULL otherwise), so that overdue interventions are counted on one small index.
--
-- Filling the new columns is not a change anyone made: the audit triggers of the two
-- tables are dropped first (they are regenerated on open, which is itself an audit row).

DROP TRIGGER IF EXISTS audit_row_case_file_upd;
DROP TRIGGER IF EXISTS audit_row_intervention_upd;

-- Bit i of case_file.types is the i-th difficulty type of `DifficultyType::ALL`. A view of
-- constants, not a table: it is part of the schema, not data (a table filled here would hold
-- rows the audit trail never saw).
CREATE VIEW difficulty_bit (type, bit) AS VALUES
    ('wandering', 0), ('poverty', 1), ('no_guardian_de_facto', 2), ('improper_care', 3),
    ('trafficked_abused_abandoned', 4), ('own_illness_disability', 5), ('guardian_missing', 6),
    ('wandering_begging', 7), ('out_of_school', 8), ('mental_illness', 9),
    ('domestic_violence', 10), ('parent_addiction_prison', 11);

ALTER TABLE case_file ADD COLUMN types INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_file ADD COLUMN due_on TEXT;
ALTER TABLE intervention ADD COLUMN live_region TEXT;
ALTER TABLE case_file ADD COLUMN adhoc_since TEXT;

UPDATE case_file SET adhoc_since = (
    SELECT min(raised_on) FROM review_request r WHERE r.case_id = case_file.id AND r.resolved_by IS NULL)
WHERE id IN (SELECT case_id FROM review_request WHERE resolved_by IS NULL);

UPDATE case_file SET
    due_on = review_due,
    types = (SELECT coalesce(sum(1 << b.bit), 0) FROM case_type t
             JOIN difficulty_bit b ON b.type = t.type WHERE t.case_id = case_file.id);

UPDATE intervention SET live_region = (
    SELECT k.region FROM decision d JOIN case_file k ON k.id = d.case_id
    WHERE d.id = intervention.decision_id AND d.status = 'sealed' AND k.status != 'closed');

CREATE TRIGGER case_type_known BEFORE INSERT ON case_type
WHEN NOT EXISTS (SELECT 1 FROM difficulty_bit WHERE type = NEW.type)
BEGIN
    SELECT RAISE(ABORT, 'casepanel: unknown difficulty type; use one of the codes in difficulty_bit');
END;

CREATE TRIGGER case_type_bit_insert AFTER INSERT ON case_type
BEGIN
    UPDATE case_file SET types = types | (1 << (SELECT bit FROM difficulty_bit WHERE type = NEW.type))
    WHERE id = NEW.case_id
      AND types & (1 << (SELECT bit FROM difficulty_bit WHERE type = NEW.type)) = 0;
END;

CREATE TRIGGER case_type_bit_delete AFTER DELETE ON case_type
BEGIN
    UPDATE case_file SET types = types & ~(1 << (SELECT bit FROM difficulty_bit WHERE type = OLD.type))
    WHERE id = OLD.case_id
      AND types & (1 << (SELECT bit FROM difficulty_bit WHERE type = OLD.type)) != 0;
END;

CREATE TRIGGER case_type_bit_update AFTER UPDATE ON case_type
BEGIN
    UPDATE case_file SET types = (SELECT coalesce(sum(1 << b.bit), 0) FROM case_type t
                                  JOIN difficulty_bit b ON b.type = t.type WHERE t.case_id = case_file.id)
    WHERE id IN (OLD.case_id, NEW.case_id);
END;

CREATE TRIGGER case_due_on_insert AFTER INSERT ON case_file
WHEN NEW.due_on IS NOT NEW.review_due
BEGIN
    UPDATE case_file SET due_on = NEW.review_due WHERE id = NEW.id;
END;

CREATE TRIGGER case_due_on_update AFTER UPDATE OF next_review, adult_on, due_on ON case_file
WHEN NEW.due_on IS NOT NEW.review_due
BEGIN
    UPDATE case_file SET due_on = NEW.review_due WHERE id = NEW.id;
END;

CREATE TRIGGER case_adhoc_insert AFTER INSERT ON review_request
WHEN NEW.resolved_by IS NULL
BEGIN
    UPDATE case_file SET adhoc_since = (
        SELECT min(raised_on) FROM review_request WHERE case_id = NEW.case_id AND resolved_by IS NULL)
    WHERE id = NEW.case_id;
END;

CREATE TRIGGER case_adhoc_update AFTER UPDATE OF case_id, raised_on, resolved_by ON review_request
BEGIN
    UPDATE case_file SET adhoc_since = (
        SELECT min(r.raised_on) FROM review_request r WHERE r.case_id = case_file.id AND r.resolved_by IS NULL)
    WHERE id IN (OLD.case_id, NEW.case_id);
END;

CREATE TRIGGER case_adhoc_delete AFTER DELETE ON review_request
WHEN OLD.resolved_by IS NULL
BEGIN
    UPDATE case_file SET adhoc_since = (
        SELECT min(raised_on) FROM review_request WHERE case_id = OLD.case_id AND resolved_by IS NULL)
    WHERE id = OLD.case_id;
END;

-- The queue's place of a case, one row per (type, area, kind): type '' and each of its
-- types; area '' (all), the city (4 digits) and the county (6 digits); kind 'm' and 'd'
-- (the month and the day its review is due) for an active case with a date, 'f' for a
-- case awaiting its first panel.
CREATE VIEW queue_tally_keys AS
SELECT k.id AS case_id, ty.type AS type,
       CASE ar.g WHEN 0 THEN '' WHEN 1 THEN substr(k.region, 1, 4) ELSE substr(k.region, 1, 6) END AS area,
       ki.kind AS kind,
       CASE ki.kind WHEN 'm' THEN substr(k.review_due, 1, 7) WHEN 'd' THEN k.review_due ELSE '' END AS bucket,
       coalesce(k.level, 0) AS level
FROM case_file k
JOIN (SELECT 'm' AS kind UNION ALL SELECT 'd' UNION ALL SELECT 'f') ki
  ON CASE ki.kind WHEN 'f' THEN k.status = 'awaiting_panel' AND k.last_decided_on IS NULL
                  ELSE k.status = 'active' AND k.review_due IS NOT NULL END
JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2) ar
JOIN (SELECT '' AS type, -1 AS bit UNION ALL SELECT type, bit FROM difficulty_bit) ty
  ON ty.bit < 0 OR (k.types >> ty.bit) & 1;

CREATE TABLE queue_tally (
    type    TEXT NOT NULL,
    area    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('m', 'd', 'f')),
    bucket  TEXT NOT NULL,
    level   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (type, area, kind, bucket, level)
) WITHOUT ROWID;

INSERT INTO queue_tally (type, area, kind, bucket, level, n)
    SELECT type, area, kind, bucket, level, count(*) FROM queue_tally_keys GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER queue_tally_insert AFTER INSERT ON case_file
BEGIN
    INSERT INTO queue_tally (type, area, kind, bucket, level, n)
        SELECT type, area, kind, bucket, level, 1 FROM queue_tally_keys WHERE case_id = NEW.id AND true
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- The row as it was is taken out before the change, the row as it is put in after it.
CREATE TRIGGER queue_tally_before_update
BEFORE UPDATE OF status, level, region, next_review, adult_on, types, last_decided_on ON case_file
WHEN OLD.status IS NOT NEW.status OR OLD.level IS NOT NEW.level OR OLD.region IS NOT NEW.region
  OR OLD.next_review IS NOT NEW.next_review OR OLD.adult_on IS NOT NEW.adult_on
  OR OLD.types IS NOT NEW.types OR OLD.last_decided_on IS NOT NEW.last_decided_on
BEGIN
    UPDATE queue_tally SET n = n - 1 WHERE (type, area, kind, bucket, level) IN (
        SELECT type, area, kind, bucket, level FROM queue_tally_keys WHERE case_id = OLD.id);
END;

CREATE TRIGGER queue_tally_after_update
AFTER UPDATE OF status, level, region, next_review, adult_on, types, last_decided_on ON case_file
WHEN OLD.status IS NOT NEW.status OR OLD.level IS NOT NEW.level OR OLD.region IS NOT NEW.region
  OR OLD.next_review IS NOT NEW.next_review OR OLD.adult_on IS NOT NEW.adult_on
  OR OLD.types IS NOT NEW.types OR OLD.last_decided_on IS NOT NEW.last_decided_on
BEGIN
    INSERT INTO queue_tally (type, area, kind, bucket, level, n)
        SELECT type, area, kind, bucket, level, 1 FROM queue_tally_keys WHERE case_id = NEW.id AND true
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER queue_tally_delete BEFORE DELETE ON case_file
BEGIN
    UPDATE queue_tally SET n = n - 1 WHERE (type, area, kind, bucket, level) IN (
        SELECT type, area, kind, bucket, level FROM queue_tally_keys WHERE case_id = OLD.id);
END;

-- intervention.live_region follows the decision's seal and the case's status and region.
CREATE TRIGGER intervention_live_insert AFTER INSERT ON intervention
BEGIN
    UPDATE intervention SET live_region = (
        SELECT k.region FROM decision d JOIN case_file k ON k.id = d.case_id
        WHERE d.id = NEW.decision_id AND d.status = 'sealed' AND k.status != 'closed')
    WHERE id = NEW.id;
END;

CREATE TRIGGER intervention_live_update AFTER UPDATE OF decision_id, live_region ON intervention
WHEN NEW.live_region IS NOT (
        SELECT k.region FROM decision d JOIN case_file k ON k.id = d.case_id
        WHERE d.id = NEW.decision_id AND d.status = 'sealed' AND k.status != 'closed')
BEGIN
    UPDATE intervention SET live_region = (
        SELECT k.region FROM decision d JOIN case_file k ON k.id = d.case_id
        WHERE d.id = NEW.decision_id AND d.status = 'sealed' AND k.status != 'closed')
    WHERE id = NEW.id;
END;

CREATE TRIGGER intervention_live_decision_insert AFTER INSERT ON decision
WHEN NEW.status = 'sealed'
BEGIN
    UPDATE intervention SET live_region = (
        SELECT region FROM case_file WHERE id = NEW.case_id AND status != 'closed')
    WHERE decision_id = NEW.id;
END;

CREATE TRIGGER intervention_live_decision_update AFTER UPDATE OF status, case_id ON decision
BEGIN
    UPDATE intervention SET live_region = (
        SELECT region FROM case_file WHERE id = NEW.case_id AND status != 'closed' AND NEW.status = 'sealed')
    WHERE decision_id = NEW.id;
END;

CREATE TRIGGER intervention_live_case AFTER UPDATE OF status, region ON case_file
WHEN OLD.status IS NOT NEW.status OR OLD.region IS NOT NEW.region
BEGIN
    UPDATE intervention SET live_region = CASE WHEN NEW.status != 'closed' THEN NEW.region END
    WHERE decision_id IN (SELECT id FROM decision WHERE case_id = NEW.id AND status = 'sealed');
END;

-- The queue's routine reviews per level in queue order (due date, then case id: a window
-- stops after its rows), covering the filters and the ad-hoc exclusion.
DROP INDEX case_queue;
CREATE INDEX case_due ON case_file(status, level, due_on, id, adhoc_since, types, region);
-- Cases awaiting the panel in the order opened (then case id), covering the same, and what
-- the returned cases are sorted by.
DROP INDEX case_waiting;
CREATE INDEX case_waiting ON case_file(status, last_decided_on, opened_on, id, adhoc_since, types,
    region, level, due_on, adult_on);
-- Cases with an open ad-hoc request (a few per thousand), with all the queue reads of them.
CREATE INDEX case_adhoc ON case_file(adhoc_since, status, level, due_on, types, region,
    last_decided_on, next_review, adult_on) WHERE adhoc_since IS NOT NULL;
-- A region's subtree as a range of codes, now with the stored due date (statistics below
-- a county count overdue cases on it without reading the table).
DROP INDEX case_area;
CREATE INDEX case_area ON case_file(region, status, level, due_on);
-- Overdue interventions of open cases, by deadline.
CREATE INDEX intervention_overdue ON intervention(due, live_region, status)
    WHERE live_region IS NOT NULL AND status IN ('planned', 'in_progress');

-- Sealed decisions are tallied by the case's county: a case that moves (its child moved)
-- takes its decisions' counts along.
CREATE TRIGGER decision_tally_case_region AFTER UPDATE OF region ON case_file
WHEN substr(OLD.region, 1, 6) IS NOT substr(NEW.region, 1, 6)
BEGIN
    UPDATE decision_tally SET n = n - (
            SELECT count(*) FROM decision d WHERE d.case_id = NEW.id AND d.status = 'sealed'
              AND substr(d.decided_on, 1, 7) = decision_tally.month)
        WHERE area = substr(OLD.region, 1, 6);
    INSERT INTO decision_tally (area, month, n)
        SELECT substr(NEW.region, 1, 6), substr(decided_on, 1, 7), count(*) FROM decision
        WHERE case_id = NEW.id AND status = 'sealed' GROUP BY 2
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
