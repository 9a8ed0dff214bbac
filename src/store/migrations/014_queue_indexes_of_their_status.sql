-- Version 14: the queue's three indexes hold only the cases of the status they serve.
--
-- `case_due` and `case_overdue` are read only for active cases, `case_waiting` only for
-- cases awaiting the panel: every query that uses them says so with a literal
-- (`k.status = 'active'`, `k.status = 'awaiting_panel'`; src/store/queue.rs, queries.rs,
-- stats.rs), which is what lets SQLite use a partial index. Cases in screening and closed
-- cases, most of the table in a few years, were entries no query read. A screening import
-- of 100,000 new children sorted all three (0.7 s of its index builds); it now adds none.
-- The columns are unchanged, so every plan in BENCHMARKS.md stays as it was.
DROP INDEX case_due;
CREATE INDEX case_due ON case_file(status, level, due_on, id, adhoc_since, types, region)
    WHERE status = 'active';
DROP INDEX case_overdue;
CREATE INDEX case_overdue ON case_file(status, next_review, level, region)
    WHERE status = 'active';
DROP INDEX case_waiting;
CREATE INDEX case_waiting ON case_file(status, last_decided_on, opened_on, id, adhoc_since, types,
    region, level, due_on, adult_on)
    WHERE status = 'awaiting_panel';
