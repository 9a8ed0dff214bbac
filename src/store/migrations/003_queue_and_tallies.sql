-- casepanel schema, version 3: the re-review queue and the statistics at scale.
--
-- `casepanel due` and `casepanel stats` answer from indexes and small tallies instead of
-- reading every case (a centre's database may hold a million case files).
--
-- 1. case_file.adult_on: the child's 18th birthday, copied onto the case like the region
--    and kept by the store (`domain::child::adult_on` is the one rule; the migration's
--    hook fills existing rows with it). A case written without it is refused.
-- 2. case_file.review_due (generated): when the case is next due before the panel — the
--    next review, or the closing review on the 18th birthday when that comes first.
-- 3. Indexes that hand the queue its items in queue order, and the region code as an
--    indexed range (a region's subtree is a range of codes).
-- 4. Tallies of cases (by county, status and level; by county, type, status and level)
--    and of sealed decisions (by county and month), kept by triggers, so statistics over
--    a whole province add up a few thousand rows.
-- 5. visit.intervention_id: a follow-up visit names the intervention it checks on.

ALTER TABLE case_file ADD COLUMN adult_on TEXT;

ALTER TABLE case_file ADD COLUMN review_due TEXT GENERATED ALWAYS AS (
    CASE WHEN next_review IS NULL THEN NULL
         WHEN adult_on IS NOT NULL AND adult_on < next_review THEN adult_on
         ELSE next_review END) VIRTUAL;

CREATE TRIGGER case_needs_adult_on
BEFORE INSERT ON case_file WHEN NEW.adult_on IS NULL
BEGIN
    SELECT RAISE(ABORT, 'casepanel: a case needs its child''s 18th birthday (adult_on); write cases through store::cases::insert or the bulk loader');
END;

-- (status, next_review) is a prefix of case_overdue; region alone of case_area.
DROP INDEX case_status_review;
DROP INDEX case_region;

-- Routine reviews per level in due order; overdue ones (review_due < today).
CREATE INDEX case_queue ON case_file(status, level, review_due, region);
-- Cases awaiting the panel: first assessments in the order they were opened.
CREATE INDEX case_waiting ON case_file(status, last_decided_on, opened_on, region);
-- Active cases past their review date, by level and region (statistics, due_by lists).
CREATE INDEX case_overdue ON case_file(status, next_review, level, region);
-- A region's subtree as a range of codes.
CREATE INDEX case_area ON case_file(region, status, level, next_review);

-- Interventions not finished, by deadline (overdue follow-ups).
CREATE INDEX intervention_open_due ON intervention(due, decision_id)
    WHERE status IN ('planned', 'in_progress');

-- Open cases by county. `area` is the first six digits of the case's region: the county,
-- or the city itself for a case placed no lower than a city. level 0 = no level.
CREATE TABLE case_tally (
    area    TEXT NOT NULL,
    status  TEXT NOT NULL,
    level   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (area, status, level)
) WITHOUT ROWID;

CREATE TABLE case_type_tally (
    area    TEXT NOT NULL,
    type    TEXT NOT NULL,
    status  TEXT NOT NULL,
    level   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (area, type, status, level)
) WITHOUT ROWID;

-- Sealed decisions by the case's county and the month decided (YYYY-MM).
CREATE TABLE decision_tally (
    area   TEXT NOT NULL,
    month  TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (area, month)
) WITHOUT ROWID;

INSERT INTO case_tally (area, status, level, n)
    SELECT substr(region, 1, 6), status, coalesce(level, 0), count(*)
    FROM case_file GROUP BY 1, 2, 3;

INSERT INTO case_type_tally (area, type, status, level, n)
    SELECT substr(k.region, 1, 6), t.type, k.status, coalesce(k.level, 0), count(*)
    FROM case_type t JOIN case_file k ON k.id = t.case_id GROUP BY 1, 2, 3, 4;

INSERT INTO decision_tally (area, month, n)
    SELECT substr(k.region, 1, 6), substr(d.decided_on, 1, 7), count(*)
    FROM decision d JOIN case_file k ON k.id = d.case_id
    WHERE d.status = 'sealed' GROUP BY 1, 2;

CREATE TRIGGER case_tally_insert AFTER INSERT ON case_file
BEGIN
    INSERT INTO case_tally (area, status, level, n)
        VALUES (substr(NEW.region, 1, 6), NEW.status, coalesce(NEW.level, 0), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER case_tally_update
AFTER UPDATE OF status, level, region ON case_file
WHEN OLD.status IS NOT NEW.status OR OLD.level IS NOT NEW.level OR OLD.region IS NOT NEW.region
BEGIN
    UPDATE case_tally SET n = n - 1
        WHERE area = substr(OLD.region, 1, 6) AND status = OLD.status AND level = coalesce(OLD.level, 0);
    INSERT INTO case_tally (area, status, level, n)
        VALUES (substr(NEW.region, 1, 6), NEW.status, coalesce(NEW.level, 0), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE case_type_tally SET n = n - 1
        WHERE area = substr(OLD.region, 1, 6) AND status = OLD.status AND level = coalesce(OLD.level, 0)
          AND type IN (SELECT type FROM case_type WHERE case_id = NEW.id);
    INSERT INTO case_type_tally (area, type, status, level, n)
        SELECT substr(NEW.region, 1, 6), type, NEW.status, coalesce(NEW.level, 0), 1
        FROM case_type WHERE case_id = NEW.id AND true
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- A case's types go away with it (ON DELETE CASCADE) after the case row, so the case's
-- own trigger takes its types out first and the type trigger only counts types removed
-- from a case that stays.
CREATE TRIGGER case_tally_delete BEFORE DELETE ON case_file
BEGIN
    UPDATE case_tally SET n = n - 1
        WHERE area = substr(OLD.region, 1, 6) AND status = OLD.status AND level = coalesce(OLD.level, 0);
    UPDATE case_type_tally SET n = n - 1
        WHERE area = substr(OLD.region, 1, 6) AND status = OLD.status AND level = coalesce(OLD.level, 0)
          AND type IN (SELECT type FROM case_type WHERE case_id = OLD.id);
END;

CREATE TRIGGER case_type_tally_insert AFTER INSERT ON case_type
BEGIN
    INSERT INTO case_type_tally (area, type, status, level, n)
        SELECT substr(k.region, 1, 6), NEW.type, k.status, coalesce(k.level, 0), 1
        FROM case_file k WHERE k.id = NEW.case_id AND true
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER case_type_tally_delete AFTER DELETE ON case_type
BEGIN
    UPDATE case_type_tally SET n = n - 1
        WHERE (area, type, status, level) IN (
            SELECT substr(k.region, 1, 6), OLD.type, k.status, coalesce(k.level, 0)
            FROM case_file k WHERE k.id = OLD.case_id);
END;

CREATE TRIGGER decision_tally_insert AFTER INSERT ON decision WHEN NEW.status = 'sealed'
BEGIN
    INSERT INTO decision_tally (area, month, n)
        SELECT substr(k.region, 1, 6), substr(NEW.decided_on, 1, 7), 1
        FROM case_file k WHERE k.id = NEW.case_id AND true
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER decision_tally_seal AFTER UPDATE OF status ON decision
WHEN OLD.status != 'sealed' AND NEW.status = 'sealed'
BEGIN
    INSERT INTO decision_tally (area, month, n)
        SELECT substr(k.region, 1, 6), substr(NEW.decided_on, 1, 7), 1
        FROM case_file k WHERE k.id = NEW.case_id AND true
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- A follow-up visit (跟踪回访) is recorded against the intervention it checks on.
ALTER TABLE visit ADD COLUMN intervention_id INTEGER REFERENCES intervention(id);
CREATE INDEX visit_intervention ON visit(intervention_id) WHERE intervention_id IS NOT NULL;
