//! Derived data and the triggers that keep it: one list, and one way to write many rows
//! without them.
//!
//! Several things in the schema are computed from other rows and kept in step by triggers:
//! the case's type bit set, stored due date and ad-hoc date, the interventions' live region,
//! the tallies (cases, case types, sealed decisions, the queue) and the search tables.
//! Row by row, those triggers cost more than the rows themselves when many rows are
//! written at once. [`DERIVED`] says which triggers (by name) keep which data and how to
//! compute that data for a range of cases; the bulk loader and the screening import both:
//!
//! 1. [`suspend`] the derived triggers (and the audit triggers they name), inside their
//!    own transaction, keeping the exact `CREATE TRIGGER` text;
//! 2. insert the rows — new cases with ids one after another, and only rows that hang off
//!    them (children, guardians, types, reports, decisions, interventions, requests); no
//!    update or delete of an existing row, which the suspended triggers would have had to
//!    follow;
//! 3. [`fill`] the derived data for those cases' id range (a fresh load: every case) in one
//!    statement per item, adding to the tallies what the range counts;
//! 4. [`Suspended::restore`] the triggers, byte for byte, before the commit.
//!
//! A rollback anywhere in between takes the drops back with the rows: the schema is part of
//! the transaction. Triggers that guard (refuse a wrong row) are not in the list and fire
//! as always; a unit test below fails when a trigger is neither derived, audit nor a known
//! guard, so a new migration's trigger gets classified here.

use rusqlite::{Connection, params};

use super::Result;

/// Which data, kept by which triggers, filled how.
pub struct Derived {
    /// The data: a table, or `table.column`.
    pub what: &'static str,
    /// `LIKE` patterns (escape `\`) of the names of the triggers that keep it.
    triggers: &'static [&'static str],
    /// The statements that fill it for the cases `?1..=?2` (and the rows that hang off
    /// them), in order; each binds both parameters.
    fill: &'static [&'static str],
}

/// The derived data of the schema, in the order [`fill`] fills it: the type bits before
/// the tallies that read them.
pub const DERIVED: &[Derived] = &[
    Derived {
        what: "case_file.types",
        triggers: &["case\\_type\\_bit\\_%"],
        fill: &["UPDATE case_file SET types = s.bits
                 FROM (SELECT k.id, coalesce(sum(1 << b.bit), 0) AS bits
                       FROM case_file k LEFT JOIN case_type t ON t.case_id = k.id
                       LEFT JOIN difficulty_bit b ON b.type = t.type
                       WHERE k.id BETWEEN ?1 AND ?2 GROUP BY k.id) s
                 WHERE case_file.id = s.id AND case_file.types IS NOT s.bits"],
    },
    Derived {
        what: "case_file.due_on",
        triggers: &["case\\_due\\_on\\_%"],
        fill: &["UPDATE case_file SET due_on = review_due
                 WHERE id BETWEEN ?1 AND ?2 AND due_on IS NOT review_due"],
    },
    Derived {
        what: "case_file.adhoc_since",
        triggers: &["case\\_adhoc\\_%"],
        fill: &["UPDATE case_file SET adhoc_since = (
                     SELECT min(raised_on) FROM review_request r
                     WHERE r.case_id = case_file.id AND r.resolved_by IS NULL)
                 WHERE id BETWEEN ?1 AND ?2
                   AND (id IN (SELECT case_id FROM review_request
                               WHERE resolved_by IS NULL AND case_id BETWEEN ?1 AND ?2)
                        OR adhoc_since IS NOT NULL)"],
    },
    Derived {
        what: "intervention.live_region",
        triggers: &["intervention\\_live\\_%"],
        fill: &["UPDATE intervention SET live_region = (
                     SELECT k.region FROM decision d JOIN case_file k ON k.id = d.case_id
                     WHERE d.id = intervention.decision_id AND d.status = 'sealed'
                       AND k.status != 'closed')
                 WHERE decision_id IN (SELECT id FROM decision WHERE case_id BETWEEN ?1 AND ?2)
                   AND live_region IS NOT (
                     SELECT k.region FROM decision d JOIN case_file k ON k.id = d.case_id
                     WHERE d.id = intervention.decision_id AND d.status = 'sealed'
                       AND k.status != 'closed')"],
    },
    Derived {
        what: "case_tally",
        triggers: &["case\\_tally\\_%"],
        fill: &["INSERT INTO case_tally (area, status, level, n)
                 SELECT substr(region, 1, 6), status, coalesce(level, 0), count(*)
                 FROM case_file WHERE id BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3
                 ON CONFLICT DO UPDATE SET n = n + excluded.n"],
    },
    Derived {
        what: "case_type_tally",
        triggers: &["case\\_type\\_tally\\_%"],
        fill: &[
            "INSERT INTO case_type_tally (area, type, status, level, n)
             SELECT substr(k.region, 1, 6), t.type, k.status, coalesce(k.level, 0), count(*)
             FROM case_type t JOIN case_file k ON k.id = t.case_id
             WHERE t.case_id BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3, 4
             ON CONFLICT DO UPDATE SET n = n + excluded.n",
        ],
    },
    Derived {
        what: "case_type_total",
        triggers: &["case\\_type\\_total\\_%"],
        // The province's sums of `case_type_tally` (filled just above): summed again whole —
        // a few thousand tally rows, whatever the range (`?1 <= ?2` binds the range).
        fill: &[
            "DELETE FROM case_type_total WHERE ?1 <= ?2",
            "INSERT INTO case_type_total (type, status, level, n)
             SELECT type, status, level, sum(n) FROM case_type_tally WHERE ?1 <= ?2
             GROUP BY 1, 2, 3",
        ],
    },
    Derived {
        what: "decision_tally",
        triggers: &["decision\\_tally\\_%"],
        fill: &["INSERT INTO decision_tally (area, month, n)
                 SELECT substr(k.region, 1, 6), substr(d.decided_on, 1, 7), count(*)
                 FROM decision d JOIN case_file k ON k.id = d.case_id
                 WHERE d.case_id BETWEEN ?1 AND ?2 AND d.status = 'sealed' GROUP BY 1, 2
                 ON CONFLICT DO UPDATE SET n = n + excluded.n"],
    },
    Derived {
        what: "queue_tally",
        triggers: &["queue\\_tally\\_%"],
        // The view's rows for the cases the queue counts (active with a review date, or
        // awaiting a first panel), picked from the range in one pass first (`+status`: by
        // id, not by a status index over the whole table), rather than the view read for
        // each of its 117 (type, area, kind) combinations over every case of the range: a
        // screening import adds nothing here and reads its range once.
        fill: &["INSERT INTO queue_tally (type, area, kind, bucket, level, n)
                 WITH cs(id) AS MATERIALIZED (
                     SELECT id FROM case_file WHERE id BETWEEN ?1 AND ?2
                       AND ((+status = 'active' AND next_review IS NOT NULL)
                            OR (+status = 'awaiting_panel' AND last_decided_on IS NULL)))
                 SELECT q.type, q.area, q.kind, q.bucket, q.level, count(*)
                 FROM cs CROSS JOIN queue_tally_keys q WHERE q.case_id = cs.id
                 GROUP BY 1, 2, 3, 4, 5
                 ON CONFLICT DO UPDATE SET n = n + excluded.n"],
    },
    // Migration 12: the township tallies and the interventions' deadlines by area. Each
    // reads only its range of cases (by id: an import of a few rows into a big database
    // reads those rows), the interventions through the range's decisions (an import adds
    // none).
    Derived {
        what: "township_tally",
        triggers: &["township\\_tally\\_%"],
        fill: &["INSERT INTO township_tally (area, status, level, n)
                 SELECT substr(region, 1, 9), status, coalesce(level, 0), count(*)
                 FROM case_file WHERE id BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3
                 ON CONFLICT DO UPDATE SET n = n + excluded.n"],
    },
    Derived {
        what: "township_due_tally",
        triggers: &["township\\_due\\_tally\\_%"],
        // Each case by the day its review is due, then the days summed into months.
        fill: &["INSERT INTO township_due_tally (area, kind, bucket, n)
                 WITH d(area, bucket, n) AS MATERIALIZED (
                     SELECT substr(region, 1, 9), due_on, count(*) FROM case_file
                     WHERE id BETWEEN ?1 AND ?2 AND +status = 'active' AND due_on IS NOT NULL
                     GROUP BY 1, 2)
                 SELECT area, 'd', bucket, n FROM d
                 UNION ALL
                 SELECT area, 'm', substr(bucket, 1, 7), sum(n) FROM d GROUP BY 1, 3
                 ON CONFLICT DO UPDATE SET n = n + excluded.n"],
    },
    Derived {
        what: "intervention_due_tally",
        triggers: &["intervention\\_due\\_tally\\_%"],
        // Live interventions with a deadline, by region and day, then each area of the
        // region (`substr` of 0, 4, 6 and 9 characters: the province, the city, the county,
        // the township when the region is one or below) by the month and by the day.
        fill: &["INSERT INTO intervention_due_tally (area, kind, bucket, n)
                 WITH iv(region, due, n) AS MATERIALIZED (
                     SELECT i.live_region, i.due, count(*)
                     FROM decision d CROSS JOIN intervention i ON i.decision_id = d.id
                     WHERE d.case_id BETWEEN ?1 AND ?2 AND i.live_region IS NOT NULL
                       AND i.due IS NOT NULL AND i.status IN ('planned', 'in_progress')
                     GROUP BY 1, 2)
                 SELECT substr(iv.region, 1, a.w), k.kind,
                        CASE k.kind WHEN 'm' THEN substr(iv.due, 1, 7) ELSE iv.due END, sum(iv.n)
                 FROM iv CROSS JOIN (SELECT 0 AS w UNION ALL SELECT 4 UNION ALL SELECT 6
                                     UNION ALL SELECT 9) a
                 CROSS JOIN (SELECT 'm' AS kind UNION ALL SELECT 'd') k
                 WHERE a.w < 9 OR length(iv.region) >= 9
                 GROUP BY 1, 2, 3
                 ON CONFLICT DO UPDATE SET n = n + excluded.n"],
    },
    // The search tables (migration 8): every one- and two-character piece of the case's
    // child's name (ASCII lower-cased, as LIKE compares), and its ID number and initials.
    // The pieces of a name: for every position p (0-based, from `json_each` over an array
    // of length(name) + 1 zeros) and width w in 1..2, the substring at p of width w, where
    // it fits — as the triggers of migrations/008_name_search.sql compute them for one case.
    // In key order: new cases have the highest ids, so each piece's rows go at its end. A
    // piece twice in one name is one row (OR IGNORE, as the triggers write it: one sort
    // instead of DISTINCT's second, a third of the fill's time).
    Derived {
        what: "name_gram",
        triggers: &["name\\_gram\\_%"],
        fill: &["INSERT OR IGNORE INTO name_gram (gram, case_id)
                 SELECT lower(substr(c.name, p.key + 1, w.value)), k.id
                 FROM case_file k JOIN child c ON c.id = k.child_id,
                      json_each('[' || replace(printf('%.*c', length(c.name), 'x'), 'x', '0,') || '0]') p,
                      json_each('[1,2]') w
                 WHERE k.id BETWEEN ?1 AND ?2 AND p.key + w.value <= length(c.name)
                 ORDER BY 1, 2"],
    },
    Derived {
        what: "case_key",
        triggers: &["case\\_key\\_%"],
        fill: &["INSERT INTO case_key (kind, key, case_id)
                 SELECT 'id', c.id_number, k.id FROM case_file k JOIN child c ON c.id = k.child_id
                 WHERE k.id BETWEEN ?1 AND ?2 AND c.id_number IS NOT NULL
                 UNION ALL
                 SELECT 'initials', c.initials, k.id FROM case_file k JOIN child c ON c.id = k.child_id
                 WHERE k.id BETWEEN ?1 AND ?2
                 ORDER BY 1, 2, 3"],
    },
];

/// The search tables of migration 8, which its hook fills for the cases already there.
pub const SEARCH: [&str; 2] = ["name_gram", "case_key"];

/// The tallies of migration 12, which its hook fills for the cases already there.
pub const TOWNSHIP: [&str; 3] = [
    "township_tally",
    "township_due_tally",
    "intervention_due_tally",
];

/// Case ids `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseRange {
    pub first: i64,
    pub last: i64,
}

impl CaseRange {
    /// Every case: a fresh load.
    pub const ALL: CaseRange = CaseRange {
        first: i64::MIN,
        last: i64::MAX,
    };
}

/// Whose audit triggers [`suspend`] drops too.
pub enum Audit<'a> {
    /// Every table's (a fresh bulk load, audited as one event).
    All,
    /// These tables' (the rows an import writes, audited as one event; the tallies its
    /// fill changes stay audited row by row).
    Tables(&'a [&'a str]),
}

/// Triggers dropped by [`suspend`]: their `CREATE TRIGGER` text, in schema order. Dropped
/// without [`Suspended::restore`] (an error on the way, or a caller that forgot), it creates
/// them again itself while the transaction is still open, so a commit can never lose them;
/// a rollback takes them back anyway.
#[must_use = "the triggers must be restored before the commit"]
pub struct Suspended<'c> {
    conn: &'c Connection,
    sql: Vec<String>,
}

impl Suspended<'_> {
    /// Creates the triggers again, exactly as they were.
    pub fn restore(mut self) -> Result<()> {
        for sql in std::mem::take(&mut self.sql) {
            self.conn.execute_batch(&sql)?;
        }
        Ok(())
    }
}

impl Drop for Suspended<'_> {
    fn drop(&mut self) {
        if !self.conn.is_autocommit() {
            for sql in std::mem::take(&mut self.sql) {
                let _ = self.conn.execute_batch(&sql);
            }
        }
    }
}

/// The `(name, sql)` of every trigger that keeps derived data, in schema order.
pub fn derived_triggers(c: &Connection) -> Result<Vec<(String, String)>> {
    let cond = DERIVED
        .iter()
        .flat_map(|d| d.triggers)
        .map(|p| format!("name LIKE '{p}' ESCAPE '\\'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let mut st = c.prepare(&format!(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND ({cond}) ORDER BY rowid"
    ))?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Drops every trigger that keeps derived data, and the audit triggers of `audit`, inside
/// the caller's transaction, and returns their SQL to create them again.
pub fn suspend<'c>(c: &'c Connection, audit: Audit<'_>) -> Result<Suspended<'c>> {
    if c.is_autocommit() {
        return Err(super::StoreError::Invalid(
            "derived data: suspend its triggers only inside a transaction".into(),
        ));
    }
    let mut drop: Vec<(String, String)> = super::audit::row_triggers(c)?
        .into_iter()
        .filter(|(name, _)| match &audit {
            Audit::All => true,
            Audit::Tables(tables) => tables.iter().any(|t| {
                ["ins", "upd", "del"]
                    .iter()
                    .any(|op| *name == format!("audit_row_{t}_{op}"))
            }),
        })
        .collect();
    drop.extend(derived_triggers(c)?);
    let mut sql = Vec::with_capacity(drop.len());
    for (name, create) in drop {
        c.execute_batch(&format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\"")))?;
        sql.push(create);
    }
    Ok(Suspended { conn: c, sql })
}

/// Fills every item of [`DERIVED`] for the cases of `range`, which were inserted (with the
/// rows that hang off them) while the triggers were suspended.
pub fn fill(c: &Connection, range: CaseRange) -> Result<()> {
    fill_only(c, range, |_| true)
}

/// [`fill`] for the items `which` picks (by [`Derived::what`]).
pub fn fill_only(c: &Connection, range: CaseRange, which: impl Fn(&str) -> bool) -> Result<()> {
    for d in DERIVED.iter().filter(|d| which(d.what)) {
        for sql in d.fill {
            c.prepare_cached(sql)?
                .execute(params![range.first, range.last])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Triggers that refuse a wrong row (or keep the audit trail itself) rather than keep
    /// derived data: they fire during a suspension too.
    const GUARDS: &[&str] = &[
        "audit_append_insert",
        "audit_append_only",
        "audit_no_delete",
        "audit_no_update",
        "case_needs_adult_on",
        "case_type_known",
        "decision_amends_same_case",
        "decision_sealed_no_delete",
        "decision_sealed_no_replace",
        "decision_sealed_no_update",
        "decision_signature_no_delete",
        "decision_signature_no_update",
        "decision_signature_once",
        "decision_signature_sealed_only",
        "intervention_sealed_no_change",
        "intervention_sealed_no_delete",
        "intervention_sealed_no_insert",
        "intervention_sealed_no_replace",
    ];

    #[test]
    fn every_trigger_is_derived_audit_or_a_guard() {
        let store = super::super::Store::open_in_memory().unwrap();
        let c = store.conn();
        let derived: Vec<String> = derived_triggers(c)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let audit: Vec<String> = super::super::audit::row_triggers(c)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let all: Vec<String> = c
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for name in &all {
            let kinds = [
                derived.contains(name),
                audit.contains(name),
                GUARDS.contains(&name.as_str()),
            ];
            assert_eq!(
                kinds.iter().filter(|k| **k).count(),
                1,
                "trigger {name}: derived, audit, guard = {kinds:?}; a trigger that keeps \
                 derived data belongs in DERIVED with its fill, one that refuses rows in GUARDS"
            );
        }
        // Every item keeps something: a pattern that matches nothing is a typo.
        for d in DERIVED {
            for p in d.triggers {
                let n: i64 = c
                    .query_row(
                        "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'
                           AND name LIKE ?1 ESCAPE '\\'",
                        [p],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert!(n > 0, "{}: no trigger matches {p}", d.what);
            }
        }
    }
}
