//! The brute-force definitions of the derived data (src/store/derived.rs): the tallies,
//! the case's type bits, due date and ad-hoc date, the interventions' live region, and the
//! search tables, each against a count or a scan over the rows it is derived from. Shared
//! by the tests of every way those rows are written (triggers, bulk load, import).
#![allow(dead_code)]

use std::collections::BTreeSet;

use casepanel::domain::difficulty::DifficultyType;
use rusqlite::Connection;

/// The tallies hold what a count over the cases gives.
pub fn assert_tallies(c: &Connection) {
    let diff = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        diff(
            "SELECT count(*) FROM (
                SELECT substr(region, 1, 6), status, coalesce(level, 0), count(*) FROM case_file GROUP BY 1, 2, 3
                EXCEPT SELECT area, status, level, n FROM case_tally WHERE n != 0)"
        ),
        0
    );
    assert_eq!(
        diff(
            "SELECT count(*) FROM (SELECT area, status, level, n FROM case_tally WHERE n != 0
                EXCEPT SELECT substr(region, 1, 6), status, coalesce(level, 0), count(*) FROM case_file GROUP BY 1, 2, 3)"
        ),
        0
    );
    assert_eq!(
        diff(
            "SELECT count(*) FROM (
                SELECT substr(k.region, 1, 6), t.type, k.status, coalesce(k.level, 0), count(*)
                    FROM case_type t JOIN case_file k ON k.id = t.case_id GROUP BY 1, 2, 3, 4
                EXCEPT SELECT area, type, status, level, n FROM case_type_tally WHERE n != 0)"
        ) + diff(
            "SELECT count(*) FROM (SELECT area, type, status, level, n FROM case_type_tally WHERE n != 0
                EXCEPT SELECT substr(k.region, 1, 6), t.type, k.status, coalesce(k.level, 0), count(*)
                    FROM case_type t JOIN case_file k ON k.id = t.case_id GROUP BY 1, 2, 3, 4)"
        ),
        0
    );
    assert_eq!(
        diff(
            "SELECT count(*) FROM (
                SELECT substr(k.region, 1, 6), substr(d.decided_on, 1, 7), count(*)
                    FROM decision d JOIN case_file k ON k.id = d.case_id WHERE d.status = 'sealed' GROUP BY 1, 2
                EXCEPT SELECT area, month, n FROM decision_tally WHERE n != 0)"
        ) + diff(
            "SELECT count(*) FROM (SELECT area, month, n FROM decision_tally WHERE n != 0
                EXCEPT SELECT substr(k.region, 1, 6), substr(d.decided_on, 1, 7), count(*)
                    FROM decision d JOIN case_file k ON k.id = d.case_id WHERE d.status = 'sealed' GROUP BY 1, 2)"
        ),
        0
    );
    assert_eq!(diff("SELECT count(*) FROM case_tally WHERE n < 0"), 0);
    // Migration 11: the province's type totals are the sums of the county tally.
    assert_eq!(
        diff(
            "SELECT count(*) FROM (
                SELECT type, status, level, sum(n) FROM case_type_tally GROUP BY 1, 2, 3 HAVING sum(n) != 0
                EXCEPT SELECT type, status, level, n FROM case_type_total WHERE n != 0)"
        ) + diff(
            "SELECT count(*) FROM (SELECT type, status, level, n FROM case_type_total WHERE n != 0
                EXCEPT SELECT type, status, level, sum(n) FROM case_type_tally GROUP BY 1, 2, 3)"
        ),
        0
    );
    // Migration 12: the township tallies and the interventions' deadlines by area, against
    // counts over the cases and the interventions written out without the triggers' terms.
    let both = |brute: &str, tally: &str| -> i64 {
        diff(&format!("SELECT count(*) FROM ({brute} EXCEPT {tally})"))
            + diff(&format!(
                "SELECT count(*) FROM ({tally} EXCEPT SELECT * FROM ({brute}))"
            ))
    };
    assert_eq!(
        both(
            "SELECT substr(region, 1, 9), status, coalesce(level, 0), count(*) FROM case_file
             GROUP BY 1, 2, 3",
            "SELECT area, status, level, n FROM township_tally WHERE n != 0"
        ),
        0,
        "township_tally"
    );
    assert_eq!(
        both(
            "SELECT substr(k.region, 1, 9), b.kind, b.bucket, count(*)
             FROM case_file k JOIN (
                 SELECT id, 'm' AS kind, substr(review_due, 1, 7) AS bucket FROM case_file
                 UNION ALL SELECT id, 'd', review_due FROM case_file) b ON b.id = k.id
             WHERE k.status = 'active' AND k.review_due IS NOT NULL
             GROUP BY 1, 2, 3",
            "SELECT area, kind, bucket, n FROM township_due_tally WHERE n != 0"
        ),
        0,
        "township_due_tally"
    );
    assert_eq!(
        both(
            "WITH live(region, due) AS (
                 SELECT k.region, i.due FROM intervention i JOIN decision d ON d.id = i.decision_id
                 JOIN case_file k ON k.id = d.case_id
                 WHERE d.status = 'sealed' AND k.status != 'closed' AND i.due IS NOT NULL
                   AND i.status IN ('planned', 'in_progress')),
             areas(region, area) AS (
                 SELECT DISTINCT region, '' FROM live
                 UNION ALL SELECT DISTINCT region, substr(region, 1, 4) FROM live
                 UNION ALL SELECT DISTINCT region, substr(region, 1, 6) FROM live
                 UNION ALL SELECT DISTINCT region, substr(region, 1, 9) FROM live
                     WHERE length(region) >= 9)
             SELECT a.area, 'm', substr(l.due, 1, 7), count(*) FROM live l JOIN areas a USING (region)
             GROUP BY 1, 2, 3
             UNION ALL
             SELECT a.area, 'd', l.due, count(*) FROM live l JOIN areas a USING (region)
             GROUP BY 1, 2, 3",
            "SELECT area, kind, bucket, n FROM intervention_due_tally WHERE n != 0"
        ),
        0,
        "intervention_due_tally"
    );
    for t in [
        "township_tally",
        "township_due_tally",
        "intervention_due_tally",
    ] {
        assert_eq!(
            diff(&format!("SELECT count(*) FROM {t} WHERE n < 0")),
            0,
            "{t}"
        );
    }
    // Migration 7: the stored due date and type bits on the case.
    assert_eq!(
        diff("SELECT count(*) FROM case_file WHERE due_on IS NOT review_due"),
        0
    );
    for (i, t) in DifficultyType::ALL.iter().enumerate() {
        assert_eq!(
            diff(&format!(
                "SELECT count(*) FROM case_file k WHERE ((k.types >> {i}) & 1)
                    != EXISTS (SELECT 1 FROM case_type t WHERE t.case_id = k.id AND t.type = '{}')",
                t.code()
            )),
            0,
            "{t:?}"
        );
    }
    assert_eq!(
        diff("SELECT count(*) FROM case_file WHERE types >> 12 != 0"),
        0
    );
    // queue_tally against a count over the cases and their types, written out without the
    // view the triggers use.
    let brute = "WITH kt(id, type) AS (SELECT id, '' FROM case_file
                     UNION ALL SELECT case_id, type FROM case_type),
                 ka(id, area) AS (SELECT id, '' FROM case_file
                     UNION ALL SELECT id, substr(region, 1, 4) FROM case_file
                     UNION ALL SELECT id, substr(region, 1, 6) FROM case_file),
                 kb(id, kind, bucket) AS (
                     SELECT id, 'm', substr(coalesce(min(next_review, adult_on), next_review), 1, 7)
                         FROM case_file WHERE status = 'active' AND next_review IS NOT NULL
                     UNION ALL SELECT id, 'd', coalesce(min(next_review, adult_on), next_review)
                         FROM case_file WHERE status = 'active' AND next_review IS NOT NULL
                     UNION ALL SELECT id, 'f', '' FROM case_file
                         WHERE status = 'awaiting_panel' AND last_decided_on IS NULL)
             SELECT kt.type, ka.area, kb.kind, kb.bucket, coalesce(k.level, 0), count(*)
             FROM case_file k JOIN kt ON kt.id = k.id JOIN ka ON ka.id = k.id JOIN kb ON kb.id = k.id
             GROUP BY 1, 2, 3, 4, 5";
    let tally = "SELECT type, area, kind, bucket, level, n FROM queue_tally WHERE n != 0";
    assert_eq!(
        diff(&format!("SELECT count(*) FROM ({brute} EXCEPT {tally})"))
            + diff(&format!(
                "SELECT count(*) FROM ({tally} EXCEPT SELECT * FROM ({brute}))"
            )),
        0
    );
    assert_eq!(diff("SELECT count(*) FROM queue_tally WHERE n < 0"), 0);
    // case_file.adhoc_since: the oldest open ad-hoc request.
    assert_eq!(
        diff(
            "SELECT count(*) FROM case_file k WHERE k.adhoc_since IS NOT (
                SELECT min(raised_on) FROM review_request r
                WHERE r.case_id = k.id AND r.resolved_by IS NULL)"
        ),
        0
    );
    // intervention.live_region: the case's region while the decision is sealed and the
    // case open.
    assert_eq!(
        diff(
            "SELECT count(*) FROM intervention i JOIN decision d ON d.id = i.decision_id
             JOIN case_file k ON k.id = d.case_id
             WHERE i.live_region IS NOT
                 CASE WHEN d.status = 'sealed' AND k.status != 'closed' THEN k.region END"
        ),
        0
    );
}

/// The pieces each case should have in `name_gram`: every substring of one and two
/// characters of its child's name, ASCII letters lower-cased.
pub fn expected_grams(c: &Connection) -> BTreeSet<(String, i64)> {
    let mut out = BTreeSet::new();
    let mut st = c
        .prepare("SELECT k.id, c.name FROM case_file k JOIN child c ON c.id = k.child_id")
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    for row in rows {
        let (id, name) = row.unwrap();
        let chars: Vec<char> = name.to_ascii_lowercase().chars().collect();
        for w in 1..=2 {
            for piece in chars.windows(w) {
                out.insert((piece.iter().collect(), id));
            }
        }
    }
    out
}

pub fn stored_grams(c: &Connection) -> BTreeSet<(String, i64)> {
    c.prepare("SELECT gram, case_id FROM name_gram")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

pub fn assert_keys_in_step(c: &Connection, when: &str) {
    let query = |sql: &str| -> BTreeSet<(String, String, i64)> {
        c.prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let want = query(
        "SELECT 'id', c.id_number, k.id FROM case_file k JOIN child c ON c.id = k.child_id
         WHERE c.id_number IS NOT NULL
         UNION ALL SELECT 'initials', c.initials, k.id FROM case_file k JOIN child c ON c.id = k.child_id",
    );
    let have = query("SELECT kind, key, case_id FROM case_key");
    assert_eq!(have, want, "{when}: case_key out of step");
}

pub fn assert_grams_in_step(c: &Connection, when: &str) {
    assert_keys_in_step(c, when);
    let want = expected_grams(c);
    let have = stored_grams(c);
    let missing: Vec<_> = want.difference(&have).take(5).collect();
    let extra: Vec<_> = have.difference(&want).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{when}: name_gram out of step: missing {missing:?}, extra {extra:?}"
    );
}
