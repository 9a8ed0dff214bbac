//! The screening import's SQL: what the checks look up ([`DbLookup`]) and writing a
//! checked plan ([`super::Store::import_screening`]): a sheet is imported whole, in one
//! transaction, or not at all.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, params};

use super::batch::{Batch, DateText, borrowed, owned};
use super::{
    Result, StoreError, audit, cases, children, code, decisions, derived, duplicates, queue,
    regions, reports,
};
use crate::domain::RiskLevel;
use crate::domain::assessment::{Assessment, CatalogueRef, Override, Rule, Scoring};
use crate::domain::case::CaseStatus;
use crate::domain::child::{name_initials, name_pieces};
use crate::domain::codes::Code;
use crate::domain::decision::{NextReview, ReviewKind};
use crate::domain::duplicate::DuplicateWhy;
use crate::domain::region::{Region, RegionLevel};
use crate::domain::report::{Channel, Report};
use crate::intake::assessments::{AChecked, AssessmentLookup, Target};
use crate::intake::problem::Kind;
use crate::intake::screening::{Checked, Entry, Lookup, Match, OnFile, RegionRef};

use crate::intake::screening::Candidate as Brief;

/// The database as the checks see it. The region tree and the children's identities are
/// read once, so a sheet of 100,000 rows costs two table scans, not 200,000 queries.
pub struct DbLookup<'c> {
    conn: &'c Connection,
    /// Region codes by parent code ("" for none), then name.
    by_name: HashMap<String, HashMap<String, String>>,
    names: HashMap<String, (String, Option<String>)>,
    by_id_number: HashMap<String, i64>,
    /// Children by name, with their birth dates.
    by_person: HashMap<String, Vec<(NaiveDate, Brief)>>,
}

impl<'c> DbLookup<'c> {
    pub fn new(conn: &'c Connection) -> Result<DbLookup<'c>> {
        let mut by_name: HashMap<String, HashMap<String, String>> = HashMap::new();
        let mut names = HashMap::new();
        let mut st = conn.prepare("SELECT code, name, parent FROM region")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        for row in rows {
            let (code, name, parent) = row?;
            by_name
                .entry(parent.clone().unwrap_or_default())
                .or_default()
                .insert(name.clone(), code.clone());
            names.insert(code, (name, parent));
        }
        let mut by_id_number = HashMap::new();
        let mut by_person: HashMap<String, Vec<(NaiveDate, Brief)>> = HashMap::new();
        let mut st = conn.prepare(
            "SELECT id, id_number, sex, region, name, birth_date FROM child ORDER BY id",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let id_number: Option<String> = r.get(1)?;
            if let Some(n) = &id_number {
                by_id_number.insert(n.clone(), id);
            }
            by_person
                .entry(r.get(4)?)
                .or_default()
                .push((r.get(5)?, (id, id_number, code(r, 2)?, r.get(3)?)));
        }
        Ok(DbLookup {
            conn,
            by_name,
            names,
            by_id_number,
            by_person,
        })
    }
}

impl Lookup for DbLookup<'_> {
    fn region(&self, parent: Option<&str>, name: &str) -> Option<(String, String)> {
        self.by_name
            .get(parent.unwrap_or(""))?
            .get(name)
            .map(|code| (code.clone(), name.to_string()))
    }

    fn by_id_number(&self, id: &str) -> Result<Option<OnFile>> {
        match self.by_id_number.get(id) {
            Some(&child) => self.on_file(child),
            None => Ok(None),
        }
    }

    fn by_name_birth(&self, name: &str, birth: NaiveDate) -> Result<Vec<Brief>> {
        Ok(self
            .by_person
            .get(name)
            .into_iter()
            .flatten()
            .filter(|(born, _)| *born == birth)
            .map(|(_, child)| child.clone())
            .collect())
    }

    fn on_file(&self, child_id: i64) -> Result<Option<OnFile>> {
        let Some(child) = children::get(self.conn, child_id)? else {
            return Ok(None);
        };
        let guardians = children::guardians(self.conn, child_id)?;
        let open_case = cases::of_child(self.conn, child_id)?
            .into_iter()
            .find(|c| c.status != CaseStatus::Closed)
            .map(|c| (c.id, c.types));
        Ok(Some(OnFile {
            child,
            guardians,
            open_case,
        }))
    }

    fn region_path(&self, code: &str) -> String {
        let mut parts = Vec::new();
        let mut next = Some(code.to_string());
        while let Some(c) = next {
            match self.names.get(&c) {
                Some((name, parent)) => {
                    parts.push(name.clone());
                    next = parent.clone();
                }
                None => break,
            }
        }
        parts.reverse();
        parts.join(" ")
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub children_new: usize,
    pub children_updated: usize,
    pub children_unchanged: usize,
    pub cases_opened: usize,
    pub reports_added: usize,
    pub regions_created: usize,
    /// Pairs of children flagged as maybe one child, for a person to decide
    /// (`casepanel duplicates`).
    pub duplicates_flagged: usize,
}

/// The next free code under `parent` for a new township (9 digits) or village (12).
fn next_code(c: &Connection, parent: &str, level: RegionLevel) -> Result<String> {
    let width = Region::code_len(level) - parent.len();
    let max: Option<String> = c
        .prepare_cached("SELECT max(code) FROM region WHERE parent = ?1 AND length(code) = ?2")?
        .query_row(params![parent, Region::code_len(level) as i64], |r| {
            r.get(0)
        })?;
    let next = match max {
        Some(m) => m[parent.len()..].parse::<u64>().unwrap_or(0) + 1,
        None => 1,
    };
    if next >= 10u64.pow(width as u32) {
        return Err(StoreError::Invalid(format!(
            "region {parent} has no free {level} code left"
        )));
    }
    Ok(format!("{parent}{next:0width$}"))
}

impl super::Store {
    /// Writes a checked sheet in one transaction ([`apply`]), with SQLite's foreign-key
    /// checks off ([`super::Store::write_without_foreign_keys`]): every row the import
    /// writes points at a row it writes itself or at a child, case or region that
    /// [`references_on_file`] finds on file inside the transaction, before the first row
    /// goes in.
    pub fn import_screening(
        &mut self,
        checked: &Checked,
        today: NaiveDate,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Summary> {
        self.write_without_foreign_keys(|tx| apply(tx, checked, today, progress))
    }
}

/// Writes a checked sheet (it must have no errors) inside the caller's transaction; see
/// [`super::Store::import_screening`]. `progress(done, total)` is called every few hundred
/// rows. A screening row with notes (情况说明) becomes a report from the community officer
/// (排查人) dated the screening day.
fn apply(
    c: &Connection,
    checked: &Checked,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Summary> {
    if checked.has_errors() {
        return Err(StoreError::Invalid(
            "the sheet has errors; nothing was imported".into(),
        ));
    }
    // A big sheet would spill the default 2 MB page cache into the WAL again and again.
    let cache: i64 = c.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    c.pragma_update(None, "cache_size", -262_144)?;
    // Index builds sort, and statements with triggers keep a statement journal: in memory,
    // not in temporary files.
    // Only a hint: SQLite refuses the change inside a transaction that has already opened
    // its temporary database, and then the import goes on with files.
    let temp_store: i64 = c.query_row("PRAGMA temp_store", [], |r| r.get(0))?;
    let _ = c.pragma_update(None, "temp_store", "MEMORY");
    let out = write_plan(c, checked, today, progress);
    c.pragma_update(None, "cache_size", cache)?;
    let _ = c.pragma_update(None, "temp_store", temp_store);
    out
}

/// The tables the rows of new children go into. Their audit triggers, and every trigger
/// that keeps derived data ([`derived`]), are suspended while those rows are written
/// (inside the transaction: a rollback brings them back too); the derived data is filled
/// for the new cases at the end, the tallies' changes audited row by row by their own
/// triggers, and the rows themselves audited as one event. See ARCHITECTURE.md (the audit
/// trail) for why.
const WRITTEN: [&str; 5] = ["child", "guardian", "case_file", "case_type", "report"];

/// When the import adds more rows to `table` than it holds, drops its secondary indexes
/// (those with SQL: not the ones behind UNIQUE or PRIMARY KEY) and returns their SQL, to
/// build them again after the rows are in: sorting once is much cheaper than as many
/// inserts at random places. Into a bigger table, inserting is cheaper than rebuilding.
fn suspend_indexes(c: &Connection, table: &str, adding: usize) -> Result<Vec<String>> {
    let have: i64 = c.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
        r.get(0)
    })?;
    if adding as i64 <= have {
        return Ok(Vec::new());
    }
    let found: Vec<(String, String)> = c
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1
               AND sql IS NOT NULL ORDER BY rowid",
        )?
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &found {
        c.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(found.into_iter().map(|(_, sql)| sql).collect())
}

fn write_plan(
    c: &Connection,
    checked: &Checked,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Summary> {
    let mut sum = Summary::default();
    // New townships and villages: few, audited row by row by their triggers.
    let mut new_codes: Vec<String> = Vec::with_capacity(checked.new_regions.len());
    for nr in &checked.new_regions {
        let parent = resolve(&nr.parent, &new_codes);
        let code = next_code(c, &parent, nr.level)?;
        regions::upsert(
            c,
            &Region {
                code: code.clone(),
                name: nr.name.clone(),
                level: nr.level,
                parent: Some(parent),
            },
        )?;
        new_codes.push(code);
        sum.regions_created += 1;
    }
    references_on_file(c, checked, &new_codes)?;
    let total = checked.entries.len();
    let mut done = 0;
    // Children already on file: every change, and every row added to them, goes through
    // the audit triggers row by row.
    for e in &checked.entries {
        let Match::Existing {
            update,
            guardians,
            case,
        } = &e.matched
        else {
            continue;
        };
        if done % 512 == 0 {
            progress(done, total);
        }
        done += 1;
        let region = entry_region(e, &new_codes);
        let child_id = e.child.id;
        if *update {
            let mut child = e.child.clone();
            if child.region.is_empty() {
                // Moved to a region this import creates.
                child.region = region.clone();
            }
            children::update(c, &child, today)?;
            if let Some(list) = guardians {
                children::set_guardians(c, child_id, list)?;
            }
            if let Some((case_id, Some(types))) = case {
                cases::set_types(c, *case_id, types)?;
            }
            sum.children_updated += 1;
        } else {
            sum.children_unchanged += 1;
        }
        let case_id = match case {
            Some((id, _)) => *id,
            None => {
                sum.cases_opened += 1;
                open_case(c, child_id, e, &region)?
            }
        };
        if let Some(summary) = &e.summary {
            let received = e.screened_on.and_time(chrono::NaiveTime::MIN);
            let channel = Channel::CommunityOfficer.code();
            let n: i64 = c
                .prepare_cached(
                    "SELECT count(*) FROM report WHERE case_id = ?1 AND received_at = ?2
                     AND channel = ?3 AND summary = ?4",
                )?
                .query_row(params![case_id, received, channel, summary], |r| r.get(0))?;
            if n == 0 {
                reports::insert(
                    c,
                    &Report {
                        id: 0,
                        case_id,
                        received_at: received,
                        channel: Channel::CommunityOfficer,
                        reporter: e.screener.clone(),
                        summary: summary.clone(),
                    },
                )?;
                sum.reports_added += 1;
            }
        }
    }
    let new: Vec<&Entry> = checked
        .entries
        .iter()
        .filter(|e| matches!(e.matched, Match::New { .. }))
        .collect();
    let first_new_child = if new.is_empty() {
        None
    } else {
        insert_new(c, checked, &new, &new_codes, &mut sum, &mut |n| {
            if (done + n) % 512 == 0 {
                progress(done + n, total);
            }
        })?
    };
    sum.duplicates_flagged = flag_duplicates(c, checked, &new, first_new_child, today)?;
    progress(total, total);
    Ok(sum)
}

/// Checks that every row, case and region the plan points at, other than the rows the
/// import writes itself, is on file: the plan was made before this transaction began, and
/// the foreign keys are off ([`super::Store::import_screening`]). A primary-key lookup for
/// each child and case on file the sheet names, one read of the region codes.
fn references_on_file(c: &Connection, checked: &Checked, new_codes: &[String]) -> Result<()> {
    let missing = |what: String| {
        Err(StoreError::Invalid(format!(
            "{what} is not on file: the database changed after the sheet was checked; \
             check the sheet again. Nothing was imported"
        )))
    };
    let known: std::collections::HashSet<String> = c
        .prepare("SELECT code FROM region")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for nr in &checked.new_regions {
        if let RegionRef::Known(parent) = &nr.parent
            && !known.contains(parent)
        {
            return missing(format!("region {parent}"));
        }
    }
    let mut child = c.prepare("SELECT 1 FROM child WHERE id = ?1")?;
    let mut case = c.prepare("SELECT 1 FROM case_file WHERE id = ?1 AND child_id = ?2")?;
    for e in &checked.entries {
        let region = entry_region(e, new_codes);
        if !known.contains(&region) {
            return missing(format!("row {}: region {region}", e.row));
        }
        if let Match::Existing { case: open, .. } = &e.matched {
            if !child.exists([e.child.id])? {
                return missing(format!("row {}: child {}", e.row, e.child.id));
            }
            if let Some((case_id, _)) = open
                && !case.exists([*case_id, e.child.id])?
            {
                return missing(format!("row {}: case {case_id}", e.row));
            }
        }
    }
    for p in &checked.problems {
        if let Kind::PossibleDuplicate { child: id, .. } = p.kind
            && !child.exists([id])?
        {
            return missing(format!("row {}: child {id}", p.row.unwrap_or_default()));
        }
    }
    Ok(())
}

/// Records the sheet's possible duplicates (its warnings) for a person to decide: each
/// new child that may be a child on file, or a child of an earlier row. The new children
/// have the ids from `first_new_child` on, one after another in sheet order ([`insert_new`]
/// checks that they follow each other).
fn flag_duplicates(
    c: &Connection,
    checked: &Checked,
    new: &[&Entry],
    first_new_child: Option<i64>,
    today: NaiveDate,
) -> Result<usize> {
    let warned = |p: &&crate::intake::problem::Problem| {
        p.warning
            && matches!(
                p.kind,
                Kind::PossibleDuplicate { .. } | Kind::PossibleDuplicateRow { .. }
            )
    };
    if !checked.problems.iter().any(|p| warned(&p)) {
        return Ok(0);
    }
    // Every row's child as it is now, and whether it has an ID number.
    let mut by_row: HashMap<u32, (i64, bool)> = new
        .iter()
        .zip(first_new_child.into_iter().flat_map(|first| first..))
        .map(|(e, id)| (e.row, (id, e.child.id_number.is_some())))
        .collect();
    for e in &checked.entries {
        if matches!(e.matched, Match::Existing { .. }) {
            by_row.insert(e.row, (e.child.id, e.child.id_number.is_some()));
        }
    }
    let mut flags = Vec::new();
    for p in checked.problems.iter().filter(warned) {
        let Some((child_id, has_id)) = p.row.and_then(|r| by_row.get(&r)).copied() else {
            continue;
        };
        let (other_id, why) = match &p.kind {
            Kind::PossibleDuplicate { child, why } => (*child, *why),
            Kind::PossibleDuplicateRow { first } => match by_row.get(first) {
                Some(&(other, other_has_id)) => (other, DuplicateWhy::of(has_id, other_has_id)),
                None => continue,
            },
            _ => continue,
        };
        if other_id != child_id {
            flags.push(duplicates::Flag {
                child_id,
                other_id,
                why,
                sheet_row: p.row.unwrap_or_default(),
            });
        }
    }
    duplicates::flag(c, &checked.sha256, today, &flags)
}

/// Opens a screening case for a child on file, with the row's types.
fn open_case(c: &Connection, child_id: i64, e: &Entry, region: &str) -> Result<i64> {
    let adult_on = crate::domain::child::adult_on(e.child.birth_date);
    c.prepare_cached(
        "INSERT INTO case_file (child_id, status, opened_on, region, adult_on)
         VALUES (?1, 'screening', ?2, ?3, ?4)",
    )?
    .execute(params![child_id, e.screened_on, region, adult_on])?;
    let case_id = c.last_insert_rowid();
    let mut insert_type =
        c.prepare_cached("INSERT OR IGNORE INTO case_type (case_id, type) VALUES (?1, ?2)")?;
    for t in &e.types {
        insert_type.execute(params![case_id, t.code()])?;
    }
    Ok(case_id)
}

fn resolve(r: &RegionRef, new_codes: &[String]) -> String {
    match r {
        RegionRef::Known(code) => code.clone(),
        RegionRef::New(i) => new_codes[*i].clone(),
    }
}

/// The child's region as it will be: the one on file unless the sheet moves it.
fn entry_region(e: &Entry, new_codes: &[String]) -> String {
    if e.child.region.is_empty() {
        resolve(&e.region, new_codes)
    } else {
        e.child.region.clone()
    }
}

/// The ids the import gives the rows of one table: `rows` ids from `first` on, one after
/// another (the largest id on file plus one: what SQLite would give them).
#[derive(Debug, Clone, Copy)]
struct IdRange {
    first: i64,
    rows: usize,
}

impl IdRange {
    fn after_last(c: &Connection, table: &str) -> Result<IdRange> {
        let first = c.query_row(
            &format!("SELECT coalesce(max(id), 0) + 1 FROM \"{table}\""),
            [],
            |r| r.get(0),
        )?;
        Ok(IdRange { first, rows: 0 })
    }

    /// The next id, taken.
    fn take(&mut self) -> i64 {
        self.rows += 1;
        self.first + self.rows as i64 - 1
    }

    fn last(&self) -> Option<i64> {
        (self.rows > 0).then(|| self.first + self.rows as i64 - 1)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "rows": self.rows,
            "first_id": (self.rows > 0).then_some(self.first),
            "last_id": self.last(),
        })
    }
}

/// Writes the rows of the sheet's new children — the child, its guardian, its case with
/// the case's types, its report — with their tables' audit triggers suspended, then
/// appends one audit event (`tbl` `*`, action `import`) that names the file by its SHA-256
/// and, for each table, how many rows the import added and their id range, and the
/// tallies' changes row by row. ARCHITECTURE.md (the audit trail) says why. Returns the
/// first new child's id (the others follow it one by one).
///
/// The rows go in a hundred per statement ([`Batch`]), each table's ids given here, one
/// after another, so a child's guardian, case, types and report need no
/// `last_insert_rowid`. The foreign keys are off ([`super::Store::import_screening`]):
/// every row points at one written here or at a region [`apply`] found on file.
fn insert_new(
    c: &Connection,
    checked: &Checked,
    new: &[&Entry],
    new_codes: &[String],
    sum: &mut Summary,
    progress: &mut dyn FnMut(usize),
) -> Result<Option<i64>> {
    let suspended = derived::suspend(c, derived::Audit::Tables(&WRITTEN))?;
    let adding = [
        ("child", new.len()),
        (
            "guardian",
            new.iter()
                .map(|e| match &e.matched {
                    Match::New { guardians } => guardians.len(),
                    Match::Existing { .. } => 0,
                })
                .sum(),
        ),
        ("case_file", new.len()),
        ("case_type", new.iter().map(|e| e.types.len()).sum()),
        ("report", new.iter().filter(|e| e.summary.is_some()).count()),
    ];
    let mut indexes = Vec::new();
    for (table, n) in adding {
        indexes.extend(suspend_indexes(c, table, n)?);
    }
    let mut children = IdRange::after_last(c, "child")?;
    let mut guardians = IdRange::after_last(c, "guardian")?;
    let mut cases = IdRange::after_last(c, "case_file")?;
    let mut reports = IdRange::after_last(c, "report")?;
    let mut child_rows = Batch::new(
        c,
        "INSERT INTO child (id, name, initials, sex, birth_date, id_number,
                            household_registration, address, phone, school, region) VALUES ",
        11,
    );
    let mut guardian_rows = Batch::new(
        c,
        "INSERT INTO guardian (id, child_id, position, name, relation, status, phone) VALUES ",
        7,
    );
    // With the case's type bits, as the suspended triggers would have set them. A screening
    // case has no next review, so no due date.
    let mut case_rows = Batch::new(
        c,
        "INSERT INTO case_file (id, child_id, status, opened_on, region, adult_on, types) VALUES ",
        7,
    );
    let mut type_rows = Batch::new(c, "INSERT INTO case_type (case_id, type) VALUES ", 2);
    let mut report_rows = Batch::new(
        c,
        "INSERT INTO report (id, case_id, received_at, channel, mandatory, reporter, summary)
         VALUES ",
        7,
    );
    let channel = Channel::CommunityOfficer.code();
    let mandated = Channel::CommunityOfficer.is_mandated_reporter();
    std::thread::scope(|s| {
        // The search rows are made and sorted on another core while the rows go in.
        let first_case = cases.first;
        let search = s.spawn(move || SearchRows::of(new, first_case));
        for (n, e) in new.iter().enumerate() {
            progress(n);
            let Match::New { guardians: list } = &e.matched else {
                continue;
            };
            let region = entry_region(e, new_codes);
            let ch = &e.child;
            let initials = name_initials(&ch.name);
            let child_id = children.take();
            let case_id = cases.take();
            child_rows.push([
                owned(&child_id)?,
                borrowed(&ch.name)?,
                owned(&initials)?,
                borrowed(ch.sex.code())?,
                DateText::date(ch.birth_date).owned(),
                match &ch.id_number {
                    Some(id) => borrowed(id.as_str())?,
                    None => owned(&rusqlite::types::Null)?,
                },
                borrowed(&ch.household_registration)?,
                borrowed(&ch.address)?,
                borrowed(&ch.phone)?,
                borrowed(&ch.school)?,
                owned(&region)?,
            ])?;
            for (i, g) in list.iter().enumerate() {
                guardian_rows.push([
                    owned(&guardians.take())?,
                    owned(&child_id)?,
                    owned(&(i as i64))?,
                    borrowed(&g.name)?,
                    borrowed(g.relation.code())?,
                    borrowed(g.status.code())?,
                    borrowed(&g.phone)?,
                ])?;
            }
            case_rows.push([
                owned(&case_id)?,
                owned(&child_id)?,
                borrowed(CaseStatus::Screening.code())?,
                DateText::date(e.screened_on).owned(),
                owned(&region)?,
                DateText::date(crate::domain::child::adult_on(ch.birth_date)).owned(),
                owned(&queue::type_bits(&e.types))?,
            ])?;
            for t in &e.types {
                type_rows.push([owned(&case_id)?, borrowed(t.code())?])?;
            }
            if let Some(summary) = &e.summary {
                let received = e.screened_on.and_time(chrono::NaiveTime::MIN);
                report_rows.push([
                    owned(&reports.take())?,
                    owned(&case_id)?,
                    DateText::datetime(received).owned(),
                    borrowed(channel)?,
                    owned(&mandated)?,
                    borrowed(&e.screener)?,
                    borrowed(summary)?,
                ])?;
            }
        }
        let types = type_rows.rows();
        for batch in [child_rows, case_rows, guardian_rows, type_rows, report_rows] {
            batch.finish()?;
        }
        for sql in indexes {
            c.execute_batch(&sql)?;
        }
        sum.children_new += children.rows;
        sum.cases_opened += cases.rows;
        sum.reports_added += reports.rows;
        audit::record_event(
            c,
            "*",
            "import",
            &serde_json::json!({
                "file_sha256": checked.sha256,
                "sheet_rows": checked.rows,
                "inserted": {
                    "child": children.json(),
                    "guardian": guardians.json(),
                    "case_file": cases.json(),
                    "case_type": {
                        "rows": types,
                        "case_ids": [(cases.rows > 0).then_some(cases.first), cases.last()],
                    },
                    "report": reports.json(),
                },
            }),
        )?;
        // What the suspended triggers would have written for the new cases: the tallies they
        // count in (whose audit triggers write each changed row), and their search rows. The
        // type bits were written with each case; the search rows were made from the names in
        // hand and sorted in memory (a third of what the SQL fill's pieces and sort cost).
        if let Some(last) = cases.last() {
            let range = derived::CaseRange {
                first: cases.first,
                last,
            };
            derived::fill_only(c, range, |what| {
                what != "case_file.types" && !derived::SEARCH.contains(&what)
            })?;
        }
        let search = search
            .join()
            .map_err(|_| StoreError::Invalid("import: making the search rows failed".into()))?;
        search.write(c)?;
        suspended.restore()?;
        Ok((children.rows > 0).then_some(children.first))
    })
}

/// The search rows of the new cases (`name_gram`, `case_key`; see
/// migrations/008_name_search.sql), as its triggers would write them.
struct SearchRows {
    pieces: Vec<(String, i64)>,
    keys: Vec<(&'static str, String, i64)>,
}

impl SearchRows {
    /// The rows of the new children's cases, the `i`th case's id `first_case + i`, in key
    /// order.
    fn of(new: &[&Entry], first_case: i64) -> SearchRows {
        let mut rows = SearchRows {
            pieces: Vec::with_capacity(new.len() * 5),
            keys: Vec::with_capacity(new.len() * 2),
        };
        let cases = new
            .iter()
            .filter(|e| matches!(e.matched, Match::New { .. }));
        for (e, case_id) in cases.zip(first_case..) {
            let child = &e.child;
            for piece in name_pieces(&child.name) {
                rows.pieces.push((piece, case_id));
            }
            if let Some(id) = &child.id_number {
                rows.keys.push(("id", id.as_str().to_string(), case_id));
            }
            rows.keys
                .push(("initials", name_initials(&child.name), case_id));
        }
        rows.pieces.sort_unstable();
        rows.keys.sort_unstable();
        rows
    }

    /// Inserts the rows in key order: each goes next to the one before it.
    fn write(self, c: &Connection) -> Result<()> {
        let mut rows = Batch::new(c, "INSERT INTO name_gram (gram, case_id) VALUES ", 2);
        for (piece, case_id) in &self.pieces {
            rows.push([borrowed(piece)?, owned(case_id)?])?;
        }
        rows.finish()?;
        let mut rows = Batch::new(c, "INSERT INTO case_key (kind, key, case_id) VALUES ", 3);
        for (kind, key, case_id) in &self.keys {
            rows.push([borrowed(*kind)?, borrowed(key)?, owned(case_id)?])?;
        }
        rows.finish()?;
        Ok(())
    }
}

/// What the historical-assessment checks ask of the database.
pub struct AssessmentDb<'c>(pub &'c Connection);

impl AssessmentLookup for AssessmentDb<'_> {
    fn target(&self, id_number: &str) -> Result<Option<Target>> {
        let Some(child) = children::find_by_id_number(self.0, id_number)? else {
            return Ok(None);
        };
        let list = cases::of_child(self.0, child.id)?;
        let case = list
            .iter()
            .find(|c| c.status != CaseStatus::Closed)
            .or(list.first());
        let last_decided_on = match case {
            Some(c) => self
                .0
                .prepare_cached("SELECT last_decided_on FROM case_file WHERE id = ?1")?
                .query_row([c.id], |r| r.get(0))?,
            None => None,
        };
        Ok(Some(Target {
            child_id: child.id,
            name: child.name,
            case_id: case.map(|c| c.id),
            last_decided_on,
        }))
    }

    fn imported(&self, case_id: i64, on: NaiveDate, level: Option<RiskLevel>) -> Result<bool> {
        let n: i64 = self
            .0
            .prepare_cached(
                "SELECT count(*) FROM decision WHERE case_id = ?1 AND decided_on = ?2
                 AND imported = 1 AND final_level IS ?3",
            )?
            .query_row(params![case_id, on, level.map(RiskLevel::number)], |r| {
                r.get(0)
            })?;
        Ok(n > 0)
    }
}

/// The assessment a paper record stands for: no answers, no computed level, the level
/// recorded as the panel's own (an override) with the reason `纸质档案导入`.
pub fn paper_assessment(level: Option<RiskLevel>) -> Assessment {
    Assessment {
        catalogue: CatalogueRef {
            id: "paper-record".into(),
            version: String::new(),
            sha256: String::new(),
        },
        answers: Default::default(),
        computed: Scoring {
            level: None,
            rule: Rule::NoneMet,
        },
        override_: level.map(|level| Override {
            level,
            reason: "纸质档案导入 (imported from paper records)".into(),
            by: None,
        }),
        by_member: Default::default(),
    }
}

/// Writes checked historical assessments; returns how many were new.
pub fn apply_assessments(c: &Connection, checked: &AChecked, now: NaiveDateTime) -> Result<usize> {
    if checked.has_errors() {
        return Err(StoreError::Invalid(
            "the sheet has errors; nothing was imported".into(),
        ));
    }
    let mut n = 0;
    for e in checked.entries.iter().filter(|e| !e.already) {
        decisions::import_historical(
            c,
            e.case_id,
            e.assessed_on,
            &paper_assessment(e.level),
            e.next_review.map(|date| NextReview {
                date,
                kind: ReviewKind::Annual,
            }),
            now,
        )?;
        n += 1;
    }
    Ok(n)
}
