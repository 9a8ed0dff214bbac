-- Version 13: the child table's indexes on name, initials and region go.
--
-- Since version 8 the search reads `name_gram` and `case_key`, and every list, queue and
-- statistic reads the region copied onto the case (`case_file.region`): no query reads a
-- child by its name, its initials or its region any more (the query plans in
-- BENCHMARKS.md name the indexes each one uses). Each index cost every child written, and
-- a screening import of 100,000 new children about 0.1 s of sorting each. A region is
-- never deleted or recoded, so its foreign key from `child` needs no index either.
DROP INDEX child_name;
DROP INDEX child_initials;
DROP INDEX child_region;
