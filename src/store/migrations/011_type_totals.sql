-- Cases by difficulty type across the province: migration 3's county tally
-- (`case_type_tally`) summed over the counties, kept by triggers on that tally. Statistics by
-- type for the whole province read these few dozen rows instead of every county's
-- (thousands at a million cases). Derived data (`store::derived`): not audited, as the
-- tally it sums is.

CREATE TABLE case_type_total (
    type    TEXT NOT NULL,
    status  TEXT NOT NULL,
    level   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (type, status, level)
) WITHOUT ROWID;

INSERT INTO case_type_total (type, status, level, n)
    SELECT type, status, level, sum(n) FROM case_type_tally GROUP BY 1, 2, 3;

CREATE TRIGGER case_type_total_insert AFTER INSERT ON case_type_tally
BEGIN
    INSERT INTO case_type_total (type, status, level, n)
        VALUES (NEW.type, NEW.status, NEW.level, NEW.n)
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER case_type_total_update AFTER UPDATE ON case_type_tally
BEGIN
    INSERT INTO case_type_total (type, status, level, n)
        VALUES (OLD.type, OLD.status, OLD.level, -OLD.n)
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO case_type_total (type, status, level, n)
        VALUES (NEW.type, NEW.status, NEW.level, NEW.n)
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER case_type_total_delete AFTER DELETE ON case_type_tally
BEGIN
    INSERT INTO case_type_total (type, status, level, n)
        VALUES (OLD.type, OLD.status, OLD.level, -OLD.n)
        ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
