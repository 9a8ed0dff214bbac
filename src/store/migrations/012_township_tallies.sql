-- casepanel schema, version 12: statistics for a county's townships, and the overdue
-- interventions, from tallies (issue 8).
--
-- The tallies of migrations 3 and 7 stop at the county, so a county's townships were counted
-- from the county's cases (about 12,000 index entries twice at a million cases), and every
-- statistics call and the dashboard counted the overdue interventions on their partial index
-- (about 39,000 entries). So:
--
-- 1. township_tally: cases by township (the first nine digits of the case's region; a case
--    placed above a township keeps its shorter code), status and level (0 = none), as
--    case_tally is by county.
-- 2. township_due_tally: active cases with a review date by township and by the month ('m')
--    and the day ('d') the review is due (`due_on`). "Overdue on D" is the months before D's
--    month plus the days of D's month before D, as with queue_tally.
-- 3. intervention_due_tally: the interventions that can be overdue — not done, with a
--    deadline, of a sealed decision of an open case (`live_region` set) — by area (''
--    the province, the city's 4 digits, the county's 6, the township's 9 when the case is
--    placed in one) and the month and the day of the deadline.
--
-- Derived data (src/store/derived.rs fills them for the bulk loader and the import; this
-- migration's hook fills them for the cases already there), not audited: what they count
-- is (`audit::UNAUDITED`). The triggers work on the OLD and NEW rows only (no read of the
-- table), so a change made by another trigger (the stored due date, the live region) is
-- counted when it happens.

CREATE TABLE township_tally (
    area    TEXT NOT NULL,
    status  TEXT NOT NULL,
    level   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (area, status, level)
) WITHOUT ROWID;

CREATE TABLE township_due_tally (
    area    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('m', 'd')),
    bucket  TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (area, kind, bucket)
) WITHOUT ROWID;

CREATE TABLE intervention_due_tally (
    area    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('m', 'd')),
    bucket  TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (area, kind, bucket)
) WITHOUT ROWID;

CREATE TRIGGER township_tally_insert AFTER INSERT ON case_file
BEGIN
    INSERT INTO township_tally (area, status, level, n)
        VALUES (substr(NEW.region, 1, 9), NEW.status, coalesce(NEW.level, 0), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER township_tally_update AFTER UPDATE OF status, level, region ON case_file
WHEN OLD.status IS NOT NEW.status OR OLD.level IS NOT NEW.level OR OLD.region IS NOT NEW.region
BEGIN
    UPDATE township_tally SET n = n - 1
        WHERE area = substr(OLD.region, 1, 9) AND status = OLD.status AND level = coalesce(OLD.level, 0);
    INSERT INTO township_tally (area, status, level, n)
        VALUES (substr(NEW.region, 1, 9), NEW.status, coalesce(NEW.level, 0), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER township_tally_delete AFTER DELETE ON case_file
BEGIN
    UPDATE township_tally SET n = n - 1
        WHERE area = substr(OLD.region, 1, 9) AND status = OLD.status AND level = coalesce(OLD.level, 0);
END;

CREATE TRIGGER township_due_tally_insert AFTER INSERT ON case_file
WHEN NEW.status = 'active' AND NEW.due_on IS NOT NULL
BEGIN
    INSERT INTO township_due_tally (area, kind, bucket, n)
        VALUES (substr(NEW.region, 1, 9), 'm', substr(NEW.due_on, 1, 7), 1),
               (substr(NEW.region, 1, 9), 'd', NEW.due_on, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER township_due_tally_update AFTER UPDATE OF status, region, due_on ON case_file
WHEN (OLD.status IS NOT NEW.status OR OLD.region IS NOT NEW.region OR OLD.due_on IS NOT NEW.due_on)
  AND ((OLD.status = 'active' AND OLD.due_on IS NOT NULL)
       OR (NEW.status = 'active' AND NEW.due_on IS NOT NULL))
BEGIN
    UPDATE township_due_tally SET n = n - 1
        WHERE OLD.status = 'active' AND area = substr(OLD.region, 1, 9)
          AND kind = 'm' AND bucket = substr(OLD.due_on, 1, 7);
    UPDATE township_due_tally SET n = n - 1
        WHERE OLD.status = 'active' AND area = substr(OLD.region, 1, 9)
          AND kind = 'd' AND bucket = OLD.due_on;
    INSERT INTO township_due_tally (area, kind, bucket, n)
        SELECT substr(NEW.region, 1, 9), 'm', substr(NEW.due_on, 1, 7), 1
        WHERE NEW.status = 'active' AND NEW.due_on IS NOT NULL
        UNION ALL
        SELECT substr(NEW.region, 1, 9), 'd', NEW.due_on, 1
        WHERE NEW.status = 'active' AND NEW.due_on IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER township_due_tally_delete AFTER DELETE ON case_file
WHEN OLD.status = 'active' AND OLD.due_on IS NOT NULL
BEGIN
    UPDATE township_due_tally SET n = n - 1
        WHERE area = substr(OLD.region, 1, 9) AND kind = 'm' AND bucket = substr(OLD.due_on, 1, 7);
    UPDATE township_due_tally SET n = n - 1
        WHERE area = substr(OLD.region, 1, 9) AND kind = 'd' AND bucket = OLD.due_on;
END;

-- An intervention's rows: each area of its live region (the township only when the case is
-- placed in one) by the month and by the day of its deadline.
CREATE TRIGGER intervention_due_tally_insert AFTER INSERT ON intervention
WHEN NEW.live_region IS NOT NULL AND NEW.due IS NOT NULL
  AND NEW.status IN ('planned', 'in_progress')
BEGIN
    INSERT INTO intervention_due_tally (area, kind, bucket, n)
        SELECT a.area, k.kind, CASE k.kind WHEN 'm' THEN substr(NEW.due, 1, 7) ELSE NEW.due END, 1
        FROM (SELECT '' AS area UNION ALL SELECT substr(NEW.live_region, 1, 4)
              UNION ALL SELECT substr(NEW.live_region, 1, 6)
              UNION ALL SELECT substr(NEW.live_region, 1, 9) WHERE length(NEW.live_region) >= 9) a
        CROSS JOIN (SELECT 'm' AS kind UNION ALL SELECT 'd') k
        WHERE true
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER intervention_due_tally_update AFTER UPDATE OF live_region, due, status ON intervention
WHEN (OLD.live_region IS NOT NEW.live_region OR OLD.due IS NOT NEW.due OR OLD.status IS NOT NEW.status)
  AND ((OLD.live_region IS NOT NULL AND OLD.due IS NOT NULL AND OLD.status IN ('planned', 'in_progress'))
       OR (NEW.live_region IS NOT NULL AND NEW.due IS NOT NULL AND NEW.status IN ('planned', 'in_progress')))
BEGIN
    UPDATE intervention_due_tally SET n = n - 1 WHERE (area, kind, bucket) IN (
        SELECT a.area, k.kind, CASE k.kind WHEN 'm' THEN substr(OLD.due, 1, 7) ELSE OLD.due END
        FROM (SELECT '' AS area UNION ALL SELECT substr(OLD.live_region, 1, 4)
              UNION ALL SELECT substr(OLD.live_region, 1, 6)
              UNION ALL SELECT substr(OLD.live_region, 1, 9) WHERE length(OLD.live_region) >= 9) a
        CROSS JOIN (SELECT 'm' AS kind UNION ALL SELECT 'd') k
        WHERE OLD.live_region IS NOT NULL AND OLD.due IS NOT NULL
          AND OLD.status IN ('planned', 'in_progress'));
    INSERT INTO intervention_due_tally (area, kind, bucket, n)
        SELECT a.area, k.kind, CASE k.kind WHEN 'm' THEN substr(NEW.due, 1, 7) ELSE NEW.due END, 1
        FROM (SELECT '' AS area UNION ALL SELECT substr(NEW.live_region, 1, 4)
              UNION ALL SELECT substr(NEW.live_region, 1, 6)
              UNION ALL SELECT substr(NEW.live_region, 1, 9) WHERE length(NEW.live_region) >= 9) a
        CROSS JOIN (SELECT 'm' AS kind UNION ALL SELECT 'd') k
        WHERE NEW.live_region IS NOT NULL AND NEW.due IS NOT NULL
          AND NEW.status IN ('planned', 'in_progress')
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER intervention_due_tally_delete AFTER DELETE ON intervention
WHEN OLD.live_region IS NOT NULL AND OLD.due IS NOT NULL
  AND OLD.status IN ('planned', 'in_progress')
BEGIN
    UPDATE intervention_due_tally SET n = n - 1 WHERE (area, kind, bucket) IN (
        SELECT a.area, k.kind, CASE k.kind WHEN 'm' THEN substr(OLD.due, 1, 7) ELSE OLD.due END
        FROM (SELECT '' AS area UNION ALL SELECT substr(OLD.live_region, 1, 4)
              UNION ALL SELECT substr(OLD.live_region, 1, 6)
              UNION ALL SELECT substr(OLD.live_region, 1, 9) WHERE length(OLD.live_region) >= 9) a
        CROSS JOIN (SELECT 'm' AS kind UNION ALL SELECT 'd') k);
END;
