//! Rows on their way to the database. The generating thread records every insert here,
//! with the id the row will get; the writing thread replays them, in the same order, into
//! the [`Loader`]. So generation and SQLite work on the two cores at once, and the result
//! is the same as writing each row as it is made.

use chrono::NaiveDate;
use std::sync::mpsc::{Receiver, Sender, SyncSender};

use crate::domain::case::Case;
use crate::domain::child::Child;
use crate::domain::decision::PoliceReport;
use crate::domain::guardian::Guardian;
use crate::domain::report::Report;
use crate::domain::visit::HomeVisit;
use crate::store::Result;
use crate::store::bulk::{DecisionRow, Loader, NextIds};

/// One insert, with the id the loader must give it (checked on replay).
pub enum Op {
    Child(i64, Child),
    Guardian(i64, i64, usize, Guardian),
    Case(i64, Case, String, Option<NaiveDate>),
    Report(i64, Report),
    Visit(i64, HomeVisit),
    PoliceReport(i64, i64, PoliceReport),
    Decision(i64, Box<DecisionRow>),
    ReviewRequest(i64, i64, NaiveDate, String, Option<i64>),
}

/// Ops per message: large enough to make the channel cheap, small enough to keep both
/// threads busy.
const BATCH: usize = 2048;

/// The recording side: hands out ids as the loader will, and sends full batches.
///
/// Written batches come back on `done` to be dropped here: freeing memory that another
/// thread allocated costs the writer a lock per string in glibc's allocator.
pub struct Rows {
    next: NextIds,
    ops: Vec<Op>,
    tx: Option<SyncSender<Vec<Op>>>,
    done: Receiver<Vec<Op>>,
    /// The writer has stopped (after an error): stop generating.
    pub closed: bool,
}

fn take(n: &mut i64) -> i64 {
    let id = *n;
    *n += 1;
    id
}

impl Rows {
    pub fn new(next: NextIds, tx: SyncSender<Vec<Op>>, done: Receiver<Vec<Op>>) -> Rows {
        Rows {
            next,
            ops: Vec::with_capacity(BATCH),
            tx: Some(tx),
            done,
            closed: false,
        }
    }

    fn push(&mut self, op: Op) {
        self.ops.push(op);
        if self.ops.len() >= BATCH {
            self.flush();
        }
    }

    /// Sends what is recorded so far.
    pub fn flush(&mut self) {
        if self.ops.is_empty() {
            return;
        }
        while let Ok(written) = self.done.try_recv() {
            drop(written);
        }
        let batch = std::mem::replace(&mut self.ops, Vec::with_capacity(BATCH));
        if let Some(tx) = &self.tx
            && tx.send(batch).is_err()
        {
            self.closed = true;
            self.tx = None;
        }
    }

    pub fn add_child(&mut self, c: Child) -> i64 {
        let id = take(&mut self.next.child);
        self.push(Op::Child(id, c));
        id
    }

    pub fn add_guardian(&mut self, child_id: i64, position: usize, g: Guardian) -> i64 {
        let id = take(&mut self.next.guardian);
        self.push(Op::Guardian(id, child_id, position, g));
        id
    }

    pub fn add_case(&mut self, c: Case, region: String, last_decided_on: Option<NaiveDate>) -> i64 {
        let id = take(&mut self.next.case);
        self.push(Op::Case(id, c, region, last_decided_on));
        id
    }

    pub fn add_report(&mut self, r: Report) -> i64 {
        let id = take(&mut self.next.report);
        self.push(Op::Report(id, r));
        id
    }

    pub fn add_visit(&mut self, v: HomeVisit) -> i64 {
        let id = take(&mut self.next.visit);
        self.push(Op::Visit(id, v));
        id
    }

    pub fn add_police_report(&mut self, case_id: i64, p: PoliceReport) -> i64 {
        let id = take(&mut self.next.police_report);
        self.push(Op::PoliceReport(id, case_id, p));
        id
    }

    pub fn add_decision(&mut self, d: DecisionRow) -> i64 {
        let id = take(&mut self.next.decision);
        self.push(Op::Decision(id, Box::new(d)));
        id
    }

    pub fn add_review_request(
        &mut self,
        case_id: i64,
        raised_on: NaiveDate,
        reason: String,
        report_id: Option<i64>,
    ) -> i64 {
        let id = take(&mut self.next.review_request);
        self.push(Op::ReviewRequest(id, case_id, raised_on, reason, report_id));
        id
    }
}

fn check(expected: i64, got: i64, what: &str) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(crate::store::StoreError::Invalid(format!(
            "bulk load out of step: {what} got id {got}, {expected} was expected"
        )))
    }
}

/// Writes a batch, checking that every row got the id handed out for it, then sends it
/// back to be dropped by the thread that made it.
pub fn replay(ld: &mut Loader<'_>, ops: Vec<Op>, back: &Sender<Vec<Op>>) -> Result<()> {
    write(ld, &ops)?;
    // The generating thread may have finished: then drop here.
    let _ = back.send(ops);
    Ok(())
}

fn write(ld: &mut Loader<'_>, ops: &[Op]) -> Result<()> {
    for op in ops {
        match op {
            Op::Child(id, c) => check(*id, ld.add_child(c)?, "child")?,
            Op::Guardian(id, child, pos, g) => {
                check(*id, ld.add_guardian(*child, *pos, g)?, "guardian")?
            }
            Op::Case(id, c, region, last) => check(*id, ld.add_case(c, region, *last)?, "case")?,
            Op::Report(id, r) => check(*id, ld.add_report(r)?, "report")?,
            Op::Visit(id, v) => check(*id, ld.add_visit(v)?, "visit")?,
            Op::PoliceReport(id, case, p) => {
                check(*id, ld.add_police_report(*case, p)?, "police report")?
            }
            Op::Decision(id, d) => check(*id, ld.add_decision_row(d)?, "decision")?,
            Op::ReviewRequest(id, case, on, reason, report) => check(
                *id,
                ld.add_review_request(*case, *on, reason, *report, None)?,
                "review request",
            )?,
        }
    }
    Ok(())
}
