//! The bulk loader: writes many rows fast, for the synthetic-data generator (and, later,
//! large imports). All of its SQL lives here, like every other write.
//!
//! A [`Loader`] holds one transaction and one prepared statement per table for its whole
//! life. On a fresh database (no case yet) it also, for the duration of the load:
//!
//! - relaxes durability: `synchronous=OFF`, a 512 MiB page cache, and a rollback journal
//!   in memory instead of the WAL (into the WAL every page would be written twice; a new
//!   file's pages are not journaled at all);
//! - turns foreign keys off (the caller inserts parents first; the tests run
//!   `foreign_key_check`);
//! - drops the secondary indexes and builds them again just before the commit: sorting
//!   once is much cheaper than a million random index inserts (about 40 % of the load's
//!   CPU time at 100,000 cases). The `CREATE INDEX` text is taken from the schema itself.
//!
//! - suspends the triggers that keep derived data — the tallies, the case's type bits, due
//!   date and ad-hoc date, the interventions' `live_region`, the search tables — (row by
//!   row they would cost more than the load) and fills it all in `finish`, one statement
//!   per item for every case ([`super::derived`], the mechanism the screening import shares),
//!   then creates the triggers again; the case rows carry their `types` bit set and
//!   `due_on` as written by the loader, which the fill checks;
//!
//! - drops the per-table audit triggers (see [`super::audit`]) and creates them again in
//!   `finish`, with one audit row (`tbl` `*`, action `bulk_load`) that counts the rows of
//!   each table after the load: a fresh load is audited as one event, not row by row (a
//!   million audit rows with a JSON copy of each row would double the file and the time).
//!   A load into a database that already has cases keeps the triggers: every row it writes
//!   is audited like any other change.
//!
//! [`Loader::finish`] rebuilds the indexes, commits and restores every setting, so the
//! file is an ordinary casepanel database afterwards; dropping a loader unfinished rolls
//! the whole load back, indexes included.
//!
//! **Text is written as given.** The ordinary store functions run every text through
//! [`crate::text::sanitize`] (control characters out, NFC); the loader does not, to keep the
//! hot loop cheap. Its callers must hand it clean NFC text: the generator builds all its
//! text from literal templates, which are. Debug builds check this on every row.
//!
//! Rows get the next ids of their tables in insertion order, as the ordinary inserts do;
//! [`Loader::next_ids`] tells which, so that a caller can prepare rows (on another thread,
//! say) before they are written.
//!
//! Sealed decisions are written directly, without the quorum and completeness checks of
//! [`super::decisions::seal`]: the caller vouches for them. They are stored exactly as
//! `seal` stores them, so [`super::decisions::get`] reads them back unchanged.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, Statement, params};

use super::batch::DateText;
use super::{Result, Store, StoreError, derived, regions};
use crate::domain::case::Case;
use crate::domain::child::{Child, name_initials};
use crate::domain::criteria::Catalogue;
use crate::domain::decision::{Decision, Intervention, InterventionStatus, PoliceReport};
use crate::domain::guardian::Guardian;
use crate::domain::level::RiskLevel;
use crate::domain::panel::{AgendaItem, Member, Session};
use crate::domain::region::Region;
use crate::domain::report::Report;
use crate::domain::visit::HomeVisit;

/// Adds (or renames) regions through [`regions::upsert`], each checked against the tree
/// rules. Returns how many were written. Call inside a transaction for speed.
pub fn load_regions(c: &Connection, list: &[Region]) -> Result<usize> {
    for r in list {
        regions::upsert(c, r)?;
    }
    Ok(list.len())
}

/// Debug builds check that loader text is already what `sanitize` would store.
#[inline]
fn clean_text(s: &str) -> &str {
    debug_assert_eq!(
        crate::text::sanitize(s),
        s,
        "bulk loader text must be clean NFC"
    );
    s
}

#[inline]
fn clean_line(s: &str) -> &str {
    debug_assert_eq!(
        crate::text::sanitize_line(s),
        s,
        "bulk loader text must be clean NFC on one line"
    );
    s
}

fn clean_opt(s: Option<&str>) -> Option<&str> {
    s.map(clean_line)
}

fn date(d: NaiveDate) -> DateText {
    DateText::date(d)
}

fn opt_date(d: Option<NaiveDate>) -> Option<DateText> {
    d.map(DateText::date)
}

/// A sealed decision ready to be written: the JSON is rendered, so that the expensive
/// part can be done away from the thread that writes (see [`Loader::add_decision_row`]).
pub struct DecisionRow {
    case_id: i64,
    session_id: Option<i64>,
    decided_on: NaiveDate,
    catalogue_sha256: Option<String>,
    assessment: String,
    computed_level: Option<u8>,
    final_level: Option<u8>,
    next_review: Option<NaiveDate>,
    next_review_kind: Option<&'static str>,
    vote: [u32; 3],
    dissent: String,
    voting_members: String,
    recused: String,
    police_report_id: Option<i64>,
    amends: Option<i64>,
    sealed_at: NaiveDateTime,
    interventions: Vec<Intervention>,
    /// The progress of each intervention, in order (missing ones: planned, no note).
    progress: Vec<(InterventionStatus, String)>,
}

impl DecisionRow {
    /// Renders `d` as `seal` would store it, sealed at `sealed_at`, relying on the case's
    /// police report `police_report_id` if any. `d.id` and `d.status` are ignored.
    pub fn new(
        d: &Decision,
        police_report_id: Option<i64>,
        sealed_at: NaiveDateTime,
    ) -> Result<DecisionRow> {
        let a = &d.assessment;
        let json = |e: serde_json::Error| StoreError::Invalid(e.to_string());
        Ok(DecisionRow {
            case_id: d.case_id,
            session_id: d.session_id,
            decided_on: d.decided_on,
            catalogue_sha256: Some(a.catalogue.sha256.clone()).filter(|s| !s.is_empty()),
            assessment: serde_json::to_string(a).map_err(json)?,
            computed_level: a.computed.level.map(RiskLevel::number),
            final_level: a.final_level().map(RiskLevel::number),
            next_review: d.next_review.as_ref().map(|r| r.date),
            next_review_kind: d.next_review.as_ref().map(|r| r.kind.code()),
            vote: [d.vote.for_, d.vote.against, d.vote.abstain],
            dissent: d.dissent.clone(),
            voting_members: serde_json::to_string(&d.voting_members).map_err(json)?,
            recused: serde_json::to_string(&d.recused).map_err(json)?,
            police_report_id,
            amends: d.amends,
            sealed_at,
            interventions: d.interventions.clone(),
            progress: Vec::new(),
        })
    }

    /// The interventions' progress so far (status and note), in the decision's order; as
    /// [`super::queue::set_intervention_status`] records it later on a real decision.
    pub fn with_progress(mut self, progress: Vec<(InterventionStatus, String)>) -> DecisionRow {
        self.progress = progress;
        self
    }
}

/// The ids the next rows of each table will get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextIds {
    pub child: i64,
    pub guardian: i64,
    pub case: i64,
    pub report: i64,
    pub visit: i64,
    pub police_report: i64,
    pub decision: i64,
    pub intervention: i64,
    pub review_request: i64,
}

/// The connection settings a load changes, to put back afterwards.
struct Saved {
    synchronous: i64,
    cache_size: i64,
    journal_mode: String,
    foreign_keys: bool,
}

struct Statements<'a> {
    child: Statement<'a>,
    guardian: Statement<'a>,
    case: Statement<'a>,
    case_type: Statement<'a>,
    report: Statement<'a>,
    visit: Statement<'a>,
    police_report: Statement<'a>,
    decision: Statement<'a>,
    intervention: Statement<'a>,
    member: Statement<'a>,
    session: Statement<'a>,
    session_member: Statement<'a>,
    agenda: Statement<'a>,
    conflict: Statement<'a>,
    review_request: Statement<'a>,
    birth_date: Statement<'a>,
}

impl<'a> Statements<'a> {
    fn prepare(c: &'a Connection) -> Result<Statements<'a>> {
        Ok(Statements {
            child: c.prepare(
                "INSERT INTO child (name, initials, sex, birth_date, id_number, household_registration,
                                    address, phone, school, region)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            guardian: c.prepare(
                "INSERT INTO guardian (child_id, position, name, relation, status, phone)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            case: c.prepare(
                "INSERT INTO case_file (child_id, status, opened_on, closed_on, closing_reason, level,
                                        next_review, last_decided_on, region, adult_on, types, due_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?,
            case_type: c
                .prepare("INSERT OR IGNORE INTO case_type (case_id, type) VALUES (?1, ?2)")?,
            report: c.prepare(
                "INSERT INTO report (case_id, received_at, channel, mandatory, reporter, summary)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            visit: c.prepare(
                "INSERT INTO visit (case_id, visited_on, visitors, place, people_met, notes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            police_report: c.prepare(
                "INSERT INTO police_report (case_id, reported_at, unit, receipt) VALUES (?1, ?2, ?3, ?4)",
            )?,
            decision: c.prepare(
                "INSERT INTO decision (id, case_id, session_id, decided_on, catalogue_sha256, assessment,
                    computed_level, final_level, next_review, next_review_kind, vote_for, vote_against,
                    vote_abstain, dissent, voting_members, recused, police_report_id, amends, status,
                    sealed_at, imported)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                         ?18, 'sealed', ?19, 0)",
            )?,
            intervention: c.prepare(
                "INSERT INTO intervention (decision_id, position, kind, unit, due, status, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            member: c.prepare(
                "INSERT INTO member (name, discipline, organisation, active) VALUES (?1, ?2, ?3, ?4)",
            )?,
            session: c.prepare(
                "INSERT INTO panel_session (held_on, chair, secretary, status) VALUES (?1, ?2, ?3, ?4)",
            )?,
            session_member: c.prepare(
                "INSERT OR IGNORE INTO session_member (session_id, member_id) VALUES (?1, ?2)",
            )?,
            agenda: c.prepare(
                "INSERT INTO agenda_item (session_id, case_id, position, outcome, defer_reason, decision_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            conflict: c.prepare(
                "INSERT INTO conflict (session_id, case_id, member_id) VALUES (?1, ?2, ?3)",
            )?,
            review_request: c.prepare(
                "INSERT INTO review_request (case_id, raised_on, reason, report_id, resolved_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            birth_date: c.prepare("SELECT birth_date FROM child WHERE id = ?1")?,
        })
    }
}

/// One bulk load: a transaction and the prepared inserts. Insert parents before children
/// and each table in id order.
pub struct Loader<'a> {
    conn: &'a Connection,
    st: Option<Statements<'a>>,
    saved: Option<Saved>,
    /// `CREATE INDEX` statements of the indexes dropped for the load, in schema order.
    indexes: Vec<String>,
    /// The audit triggers and those of derived data, suspended for a fresh load.
    triggers: Option<derived::Suspended<'a>>,
    next_decision: i64,
    /// The last child added and its 18th birthday: its cases usually follow at once.
    last_child: Option<(i64, NaiveDate)>,
    fresh: bool,
    finished: bool,
}

impl<'a> Loader<'a> {
    /// Starts a load. A database without cases counts as fresh and gets the fast settings
    /// described in the module documentation for the duration of the load.
    pub fn begin(store: &'a mut Store) -> Result<Loader<'a>> {
        let c: &'a Connection = &store.conn;
        if !c.is_autocommit() {
            return Err(StoreError::Invalid(
                "a bulk load cannot start inside another transaction".into(),
            ));
        }
        let fresh: bool = c.query_row("SELECT NOT EXISTS (SELECT 1 FROM case_file)", [], |r| {
            r.get(0)
        })?;
        let saved = if fresh {
            let saved = Saved {
                synchronous: c.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
                cache_size: c.query_row("PRAGMA cache_size", [], |r| r.get(0))?,
                journal_mode: c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                foreign_keys: c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
            };
            c.pragma_update(None, "synchronous", "OFF")?;
            // Negative: in KiB.
            c.pragma_update(None, "cache_size", -512 * 1024)?;
            if saved.journal_mode.eq_ignore_ascii_case("wal") {
                let _: String = c.query_row("PRAGMA journal_mode = MEMORY", [], |r| r.get(0))?;
            }
            c.pragma_update(None, "foreign_keys", "OFF")?;
            Some(saved)
        } else {
            None
        };
        let mut loader = Loader {
            conn: c,
            st: None,
            saved,
            indexes: Vec::new(),
            triggers: None,
            next_decision: 0,
            last_child: None,
            fresh,
            finished: false,
        };
        c.execute_batch("BEGIN IMMEDIATE")?;
        // Interventions go in before their sealed decision (a trigger refuses new
        // interventions on a sealed one), so their foreign key is checked at commit.
        c.pragma_update(None, "defer_foreign_keys", "ON")?;
        if fresh {
            // Secondary indexes (not those behind UNIQUE or PRIMARY KEY constraints, which
            // have no SQL) are built again in `finish`, inside this transaction.
            let mut st = c.prepare(
                "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
                 ORDER BY rowid",
            )?;
            let found: Vec<(String, String)> = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            drop(st);
            for (name, sql) in found {
                c.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
                loader.indexes.push(sql);
            }
            // The audit triggers (one summarising row is written instead), and those that
            // keep derived data (filled once at the end instead).
            loader.triggers = Some(derived::suspend(c, derived::Audit::All)?);
        }
        loader.next_decision = loader.next_id("decision")?;
        loader.st = Some(Statements::prepare(c)?);
        Ok(loader)
    }

    fn next_id(&self, table: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            &format!("SELECT coalesce(max(id), 0) + 1 FROM {table}"),
            [],
            |r| r.get(0),
        )?)
    }

    /// The ids the next rows will get, table by table.
    pub fn next_ids(&self) -> Result<NextIds> {
        Ok(NextIds {
            child: self.next_id("child")?,
            guardian: self.next_id("guardian")?,
            case: self.next_id("case_file")?,
            report: self.next_id("report")?,
            visit: self.next_id("visit")?,
            police_report: self.next_id("police_report")?,
            decision: self.next_decision,
            intervention: self.next_id("intervention")?,
            review_request: self.next_id("review_request")?,
        })
    }

    /// Whether the database had no case when the load began (and got the fast settings).
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// The connection, inside the load's transaction (for [`load_regions`] and reads).
    pub fn conn(&self) -> &Connection {
        self.conn
    }

    fn st(&mut self) -> &mut Statements<'a> {
        self.st.as_mut().expect("statements live until finish")
    }

    /// Stores a catalogue's text once per hash, as sealing does.
    pub fn add_catalogue(&mut self, cat: &Catalogue, now: NaiveDateTime) -> Result<()> {
        super::catalogues::remember(self.conn, cat, now)
    }

    pub fn add_member(&mut self, m: &Member) -> Result<i64> {
        self.st().member.execute(params![
            clean_line(&m.name),
            m.discipline.code(),
            clean_line(&m.organisation),
            m.active
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A panel session with its attendance (`present`, any order); `id` is ignored.
    pub fn add_session(&mut self, s: &Session) -> Result<i64> {
        self.st().session.execute(params![
            date(s.held_on),
            s.chair,
            s.secretary,
            s.status.code()
        ])?;
        let id = self.conn.last_insert_rowid();
        let mut present = s.present.clone();
        present.sort_unstable();
        for m in present {
            self.st().session_member.execute(params![id, m])?;
        }
        Ok(id)
    }

    /// A child; `id` is ignored, the pinyin initials are computed. The caller checks the
    /// record (the generator builds consistent ones; debug builds check again).
    pub fn add_child(&mut self, c: &Child) -> Result<i64> {
        debug_assert_eq!(c.validate(NaiveDate::MAX), Ok(()));
        let initials = name_initials(&c.name);
        self.st().child.execute(params![
            clean_line(&c.name),
            initials,
            c.sex.code(),
            date(c.birth_date),
            c.id_number.as_ref().map(|i| i.as_str()),
            clean_line(&c.household_registration),
            clean_line(&c.address),
            clean_opt(c.phone.as_deref()),
            clean_opt(c.school.as_deref()),
            c.region,
        ])?;
        let id = self.conn.last_insert_rowid();
        self.last_child = Some((id, crate::domain::child::adult_on(c.birth_date)));
        Ok(id)
    }

    /// A guardian of `child_id`, at `position` in the child's list (0 first).
    pub fn add_guardian(&mut self, child_id: i64, position: usize, g: &Guardian) -> Result<i64> {
        self.st().guardian.execute(params![
            child_id,
            position as i64,
            clean_line(&g.name),
            g.relation.code(),
            g.status.code(),
            clean_opt(g.phone.as_deref()),
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A case with its difficulty types; `id` is ignored. `region` is the child's region
    /// (copied onto the case, as [`super::cases::insert`] does). `level` and `next_review`
    /// are written as given, with `last_decided_on`: they must agree with the case's
    /// latest sealed decision, added afterwards with [`Loader::add_sealed_decision`]. The
    /// child's 18th birthday is copied onto the case, as the store does.
    pub fn add_case(
        &mut self,
        case: &Case,
        region: &str,
        last_decided_on: Option<NaiveDate>,
    ) -> Result<i64> {
        if case.types.is_empty() {
            return Err(StoreError::Invalid(
                crate::domain::case::CaseTransitionError::NoType.to_string(),
            ));
        }
        let adult = match self.last_child {
            Some((id, adult)) if id == case.child_id => adult,
            _ => {
                let birth: NaiveDate = self
                    .st()
                    .birth_date
                    .query_row([case.child_id], |r| r.get(0))
                    .map_err(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => {
                            StoreError::NotFound(format!("child {}", case.child_id))
                        }
                        e => e.into(),
                    })?;
                crate::domain::child::adult_on(birth)
            }
        };
        self.st().case.execute(params![
            case.child_id,
            case.status.code(),
            date(case.opened_on),
            opt_date(case.closed_on),
            case.closing_reason.map(|r| r.code()),
            case.level.map(RiskLevel::number),
            opt_date(case.next_review),
            opt_date(last_decided_on),
            region,
            date(adult),
            super::queue::type_bits(&case.types),
            // `review_due`: the next review, or the 18th birthday when that comes first.
            opt_date(case.next_review.map(|n| n.min(adult))),
        ])?;
        let id = self.conn.last_insert_rowid();
        // In primary-key order: (case_id, type code).
        let mut codes: Vec<&'static str> = case.types.iter().map(|t| t.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        for t in codes {
            self.st().case_type.execute(params![id, t])?;
        }
        Ok(id)
    }

    /// A report; `id` is ignored. Unlike [`super::reports::insert`], a report on an active
    /// case raises nothing: add the review request yourself.
    pub fn add_report(&mut self, r: &Report) -> Result<i64> {
        self.st().report.execute(params![
            r.case_id,
            DateText::datetime(r.received_at),
            r.channel.code(),
            r.channel.is_mandated_reporter(),
            clean_opt(r.reporter.as_deref()),
            clean_text(&r.summary),
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A home visit; `id` is ignored.
    pub fn add_visit(&mut self, v: &HomeVisit) -> Result<i64> {
        self.st().visit.execute(params![
            v.case_id,
            date(v.visited_on),
            clean_line(&v.visitors),
            clean_line(&v.place),
            clean_line(&v.people_met),
            clean_text(&v.notes),
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn add_police_report(&mut self, case_id: i64, p: &PoliceReport) -> Result<i64> {
        self.st().police_report.execute(params![
            case_id,
            DateText::datetime(p.reported_at),
            clean_line(&p.unit),
            clean_line(&p.receipt)
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A decision, stored sealed exactly as [`super::decisions::seal`] stores one, with its
    /// interventions; `d.id` and `d.status` are ignored. `police_report_id` is the case's
    /// police report the decision relies on, if any ([`Loader::add_police_report`]); the
    /// assessment's catalogue must have been stored ([`Loader::add_catalogue`]). Returns
    /// the new id. The case's denormalised level and review are the caller's
    /// ([`Loader::add_case`]).
    pub fn add_sealed_decision(
        &mut self,
        d: &Decision,
        police_report_id: Option<i64>,
        sealed_at: NaiveDateTime,
    ) -> Result<i64> {
        self.add_decision_row(&DecisionRow::new(d, police_report_id, sealed_at)?)
    }

    /// [`Loader::add_sealed_decision`] for a decision rendered beforehand.
    pub fn add_decision_row(&mut self, d: &DecisionRow) -> Result<i64> {
        let id = self.next_decision;
        self.next_decision += 1;
        // Interventions first: the trigger that refuses new interventions on a sealed
        // decision does not fire while the decision row does not exist yet.
        for (i, iv) in d.interventions.iter().enumerate() {
            let (status, note) = d
                .progress
                .get(i)
                .map(|(s, n)| (*s, n.as_str()))
                .unwrap_or((InterventionStatus::Planned, ""));
            self.st().intervention.execute(params![
                id,
                i as i64,
                iv.kind,
                clean_line(&iv.unit),
                opt_date(iv.due),
                status.code(),
                clean_text(note),
            ])?;
        }
        self.st().decision.execute(params![
            id,
            d.case_id,
            d.session_id,
            date(d.decided_on),
            d.catalogue_sha256,
            d.assessment,
            d.computed_level,
            d.final_level,
            opt_date(d.next_review),
            d.next_review_kind,
            d.vote[0],
            d.vote[1],
            d.vote[2],
            clean_text(&d.dissent),
            d.voting_members,
            d.recused,
            d.police_report_id,
            d.amends,
            DateText::datetime(d.sealed_at),
        ])?;
        Ok(id)
    }

    /// An agenda item. Add a session's items in case-id order.
    pub fn add_agenda_item(&mut self, a: &AgendaItem) -> Result<()> {
        self.st().agenda.execute(params![
            a.session_id,
            a.case_id,
            a.position,
            a.outcome.code(),
            clean_opt(a.defer_reason.as_deref()),
            a.decision_id,
        ])?;
        Ok(())
    }

    /// A declared conflict of interest: `member_id` does not vote on `case_id` in `session_id`.
    pub fn add_conflict(&mut self, session_id: i64, case_id: i64, member_id: i64) -> Result<()> {
        self.st()
            .conflict
            .execute(params![session_id, case_id, member_id])?;
        Ok(())
    }

    /// An ad-hoc re-review request; open while `resolved_by` is None.
    pub fn add_review_request(
        &mut self,
        case_id: i64,
        raised_on: NaiveDate,
        reason: &str,
        report_id: Option<i64>,
        resolved_by: Option<i64>,
    ) -> Result<i64> {
        self.st().review_request.execute(params![
            case_id,
            date(raised_on),
            clean_text(reason),
            report_id,
            resolved_by
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Builds the indexes dropped for the load, commits, and restores the connection's
    /// settings.
    pub fn finish(mut self) -> Result<()> {
        self.st = None;
        for sql in std::mem::take(&mut self.indexes) {
            self.conn.execute_batch(&sql)?;
        }
        if let Some(triggers) = self.triggers.take() {
            // What the suspended triggers would have written, for every case.
            derived::fill(self.conn, derived::CaseRange::ALL)?;
            triggers.restore()?;
            self.record_load()?;
        }
        self.conn.execute_batch("COMMIT")?;
        self.finished = true;
        self.restore()
    }

    /// The one audit row of a fresh load: how many rows each table holds now.
    fn record_load(&self) -> Result<()> {
        let tables: Vec<String> = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table'
                   AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'audit' ORDER BY name",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut rows = serde_json::Map::new();
        for t in tables {
            let n: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM \"{}\"", t.replace('"', "\"\"")),
                [],
                |r| r.get(0),
            )?;
            rows.insert(t, n.into());
        }
        super::audit::record_event(
            self.conn,
            "*",
            "bulk_load",
            &serde_json::json!({ "rows": rows }),
        )
    }

    fn restore(&mut self) -> Result<()> {
        if let Some(s) = self.saved.take() {
            let c = self.conn;
            if !s.journal_mode.eq_ignore_ascii_case("memory") {
                let _: String = c.query_row(
                    &format!("PRAGMA journal_mode = {}", s.journal_mode),
                    [],
                    |r| r.get(0),
                )?;
            }
            c.pragma_update(None, "foreign_keys", s.foreign_keys)?;
            c.pragma_update(None, "cache_size", s.cache_size)?;
            c.pragma_update(None, "synchronous", s.synchronous)?;
        }
        Ok(())
    }
}

impl Drop for Loader<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.st = None;
            let _ = self.conn.execute_batch("ROLLBACK");
            let _ = self.restore();
        }
    }
}
