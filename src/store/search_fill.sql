-- Fills the search tables of migration 8 (`name_gram`, `case_key`) from the cases and
-- children: run by migration 8 for the cases already there, and by the bulk loader
-- (store::bulk), which loads a fresh database without the triggers that keep these tables in
-- step and fills them once at the end, in key order. The triggers in
-- migrations/008_name_search.sql compute the same rows for one case.

INSERT INTO name_gram (gram, case_id)
SELECT DISTINCT lower(substr(c.name, p.key + 1, w.value)), k.id
FROM case_file k JOIN child c ON c.id = k.child_id,
     json_each('[' || replace(printf('%.*c', length(c.name), 'x'), 'x', '0,') || '0]') p,
         json_each('[1,2]') w
WHERE p.key + w.value <= length(c.name)
ORDER BY 1, 2;

INSERT INTO case_key (kind, key, case_id)
SELECT 'id', c.id_number, k.id FROM case_file k JOIN child c ON c.id = k.child_id
WHERE c.id_number IS NOT NULL
UNION ALL
SELECT 'initials', c.initials, k.id FROM case_file k JOIN child c ON c.id = k.child_id
ORDER BY 1, 2, 3;
