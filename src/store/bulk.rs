//! The bulk loader: writes many rows fast, for the synthetic-data generator (and, later,
//! large imports). All of its SQL lives here, like every other write.
//!
//! A [`Loader`] holds one transaction and one prepared statement per table for its whole
//! life. On a fresh database (no cases yet) it also relaxes durability for the load:
//! `synchronous=OFF`, a large page cache, a rollback journal in memory instead of the WAL,
//! and foreign keys off (the loader's caller inserts parents before children; the tests
//! run `foreign_key_check`). [`Loader::finish`] commits and restores every setting, so the
//! file is an ordinary casepanel database afterwards; dropping a loader unfinished rolls
//! the whole load back.
//!
//! **Text is written as given.** The ordinary store functions run every text through
//! [`crate::text::sanitize`] (control characters out, NFC); the loader does not, to keep the
//! hot loop cheap. Its callers must hand it clean NFC text: the generator builds all its
//! text from literal templates, which are. Debug builds check this on every row.
//!
//! Sealed decisions are written directly, without the quorum and completeness checks of
//! [`super::decisions::seal`]: the caller vouches for them. They are stored exactly as
//! `seal` stores them, so [`super::decisions::get`] reads them back unchanged.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, Statement, params};

use super::{Result, Store, StoreError, regions};
use crate::domain::case::Case;
use crate::domain::child::{Child, name_initials};
use crate::domain::criteria::Catalogue;
use crate::domain::decision::{Decision, DecisionStatus, PoliceReport};
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
                                        next_review, last_decided_on, region)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            case_type: c.prepare("INSERT OR IGNORE INTO case_type (case_id, type) VALUES (?1, ?2)")?,
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
                "INSERT INTO intervention (decision_id, position, kind, unit, due) VALUES (?1, ?2, ?3, ?4, ?5)",
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
        })
    }
}

/// One bulk load: a transaction and the prepared inserts. Rows get the next ids in
/// insertion order; insert parents before children and each table in id order.
pub struct Loader<'a> {
    conn: &'a Connection,
    st: Option<Statements<'a>>,
    saved: Option<Saved>,
    next_decision: i64,
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
            // Negative: in KiB. 512 MiB keeps the indexes of a million cases in memory.
            c.pragma_update(None, "cache_size", -512 * 1024)?;
            if saved.journal_mode.eq_ignore_ascii_case("wal") {
                // Into the WAL, every page would be written twice (WAL, then checkpoint).
                // A new file's pages are not journaled by a rollback journal at all.
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
            next_decision: 0,
            fresh,
            finished: false,
        };
        c.execute_batch("BEGIN IMMEDIATE")?;
        // Interventions go in before their sealed decision (a trigger refuses new
        // interventions on a sealed one), so their foreign key is checked at commit.
        c.pragma_update(None, "defer_foreign_keys", "ON")?;
        loader.next_decision =
            c.query_row("SELECT coalesce(max(id), 0) + 1 FROM decision", [], |r| {
                r.get(0)
            })?;
        loader.st = Some(Statements::prepare(c)?);
        Ok(loader)
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
        self.st()
            .session
            .execute(params![s.held_on, s.chair, s.secretary, s.status.code()])?;
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
            c.birth_date,
            c.id_number.as_ref().map(|i| i.as_str()),
            clean_line(&c.household_registration),
            clean_line(&c.address),
            clean_opt(c.phone.as_deref()),
            clean_opt(c.school.as_deref()),
            c.region,
        ])?;
        Ok(self.conn.last_insert_rowid())
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
    /// latest sealed decision, added afterwards with [`Loader::add_sealed_decision`].
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
        self.st().case.execute(params![
            case.child_id,
            case.status.code(),
            case.opened_on,
            case.closed_on,
            case.closing_reason.map(|r| r.code()),
            case.level.map(RiskLevel::number),
            case.next_review,
            last_decided_on,
            region,
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
            r.received_at,
            r.channel.code(),
            r.channel.is_mandated_reporter(),
            clean_opt(r.reporter.as_deref()),
            clean_text(&r.summary),
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn add_visit(&mut self, v: &HomeVisit) -> Result<i64> {
        self.st().visit.execute(params![
            v.case_id,
            v.visited_on,
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
            p.reported_at,
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
        let id = self.next_decision;
        self.next_decision += 1;
        // Interventions first: the trigger that refuses new interventions on a sealed
        // decision does not fire while the decision row does not exist yet.
        for (i, iv) in d.interventions.iter().enumerate() {
            self.st().intervention.execute(params![
                id,
                i as i64,
                iv.kind,
                clean_line(&iv.unit),
                iv.due
            ])?;
        }
        let a = &d.assessment;
        let assessment =
            serde_json::to_string(a).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let sha = Some(a.catalogue.sha256.as_str()).filter(|s| !s.is_empty());
        let level = |l: Option<RiskLevel>| l.map(RiskLevel::number);
        let voting = serde_json::to_string(&d.voting_members).expect("ids serialise");
        let recused = serde_json::to_string(&d.recused).expect("ids serialise");
        debug_assert!(d.status == DecisionStatus::Sealed || d.status == DecisionStatus::Draft);
        self.st().decision.execute(params![
            id,
            d.case_id,
            d.session_id,
            d.decided_on,
            sha,
            assessment,
            level(a.computed.level),
            level(a.final_level()),
            d.next_review.as_ref().map(|r| r.date),
            d.next_review.as_ref().map(|r| r.kind.code()),
            d.vote.for_,
            d.vote.against,
            d.vote.abstain,
            clean_text(&d.dissent),
            voting,
            recused,
            police_report_id,
            d.amends,
            sealed_at,
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
            raised_on,
            clean_text(reason),
            report_id,
            resolved_by
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Commits the load and restores the connection's settings.
    pub fn finish(mut self) -> Result<()> {
        self.st = None;
        self.conn.execute_batch("COMMIT")?;
        self.finished = true;
        self.restore()
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
