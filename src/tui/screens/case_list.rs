//! The case list and the re-review queue (复评队列): every case as one line, most severe
//! and most overdue first. Only the visible page is read from the store, by key from the
//! row beside it when the page turns (End: from the end backwards); the total comes
//! from a count that stops at [`COUNT_CAP`] (the header then says "more than 1,000") and
//! goes further only as the selection gets near its end. `/` searches as you type (a part
//! of the name, the start of the ID number, or pinyin initials such as `zsm`); a search
//! lists its matches in the order its index gives them (newest case first, by ID number,
//! by initials: [`CaseOrder`]), and the header says which. `f` opens a filter bar (status,
//! level, difficulty type, city and county, due date); `F` clears both.

use chrono::{Days, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::cli::Failure;
use crate::domain::case::{CaseStatus, case_number};
use crate::domain::child::{Sex, age_on};
use crate::domain::difficulty::DifficultyType;
use crate::domain::level::RiskLevel;
use crate::domain::region::{Region, RegionLevel};
use crate::store::queries::{self, CaseFilter, CaseOrder, CaseRow, Dir, ListKey};
use crate::store::regions;
use crate::text;
use crate::tui::action::Action;
use crate::tui::env::Env;
use crate::tui::keymap::Ctx;
use crate::tui::view::{Flash, Outcome, View};
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::section_title;

use super::case_file::CaseFile;

/// Rows assumed visible before the first render tells the real number.
const DEFAULT_PAGE: usize = 20;

/// How far a list is counted at first. Counting every match of a one-character surname,
/// or every case, takes tens of milliseconds at a million cases; a keystroke must not.
pub(crate) const COUNT_CAP: usize = 1000;

/// Rows of the list and, beside each, its segment and its key.
type Listed = (Vec<CaseRow>, Vec<(usize, ListKey)>);

/// One query of the list (the queue is two) and how far it has been counted.
struct Segment {
    filter: CaseFilter,
    /// Rows counted, at most `cap`.
    n: usize,
    /// Counted up to this many; `None`: counted to the end.
    cap: Option<usize>,
    /// There are more than `n` rows (the count stopped at `cap`).
    more: bool,
}

impl Segment {
    fn count(env: &Env, filter: CaseFilter, cap: Option<usize>) -> Result<Segment, Failure> {
        let conn = env.store.conn();
        let (n, more) = match cap {
            Some(cap) => {
                let k = queries::count_cases_upto(conn, &filter, cap.saturating_add(1))?;
                (k.min(cap), k > cap)
            }
            None => (queries::count_cases(conn, &filter)?, false),
        };
        Ok(Segment {
            filter,
            n,
            cap,
            more,
        })
    }
}

/// `1284` → `1,284`: grouping helps a room read big numbers.
pub(crate) fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How far a review date is from today, as the lists and the case file show it:
/// `逾期 12 天` in the error style, `5 天后到期` in the warning style within the review
/// window, nothing further out.
pub(crate) fn due_note(env: &Env, next: NaiveDate) -> Option<(String, Style)> {
    let today = env.today();
    let th = &env.theme;
    let days = (next - today).num_days();
    if days < 0 {
        Some((
            env.tf("cases.overdue_days", &[("days", &(-days).to_string())]),
            th.error(),
        ))
    } else if days == 0 {
        Some((env.t("cases.due_today").to_string(), th.warn()))
    } else if days <= i64::from(env.review().window_days) {
        Some((
            env.tf("cases.due_in_days", &[("days", &days.to_string())]),
            th.warn(),
        ))
    } else {
        None
    }
}

/// The due-date choice of the filter bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    Any,
    /// Next review before today.
    Overdue,
    /// Next review within the review window (30 days by default), overdue included.
    Window,
    /// A date given by whoever opened the list.
    By(NaiveDate),
}

/// The fields of the filter bar, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Status,
    Level,
    Difficulty,
    City,
    County,
    Due,
}

const FIELDS: [Field; 6] = [
    Field::Status,
    Field::Level,
    Field::Difficulty,
    Field::City,
    Field::County,
    Field::Due,
];

/// The columns of the list. Which ones show depends on the width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Number,
    Name,
    Sex,
    Age,
    IdNumber,
    Region,
    Status,
    Level,
    Next,
    Due,
    AdHoc,
}

const COLS: [Col; 11] = [
    Col::Number,
    Col::Name,
    Col::Sex,
    Col::Age,
    Col::IdNumber,
    Col::Region,
    Col::Status,
    Col::Level,
    Col::Next,
    Col::Due,
    Col::AdHoc,
];

/// Dropped first when the terminal is narrow, in this order.
const DROP_ORDER: [Col; 6] = [
    Col::IdNumber,
    Col::Region,
    Col::Sex,
    Col::Age,
    Col::AdHoc,
    Col::Status,
];

/// The columns chosen for a width: which, how wide, the gap between them, and whether the
/// status is written in full.
struct Columns {
    cols: Vec<(Col, usize)>,
    gap: usize,
    full_status: bool,
}

pub struct CaseList {
    queue: bool,
    /// Status, level, difficulty, region and search as chosen (its `due_by` is unused:
    /// see `due`).
    filter: CaseFilter,
    due: Due,
    /// The queries the list is made of (the queue is two: awaiting the panel, then due),
    /// each with its count.
    segments: Vec<Segment>,
    /// Rows counted (all of them unless `more`).
    total: usize,
    /// The count stopped before the end: there are more than `total` rows.
    more: bool,
    /// The rows read for the visible page, starting at `rows_at`, and beside each its
    /// segment and its place in the segment's order (the next page is read from there).
    rows: Vec<CaseRow>,
    keys: Vec<(usize, ListKey)>,
    rows_at: usize,
    /// First visible row and the selected row, as positions in the whole list.
    offset: usize,
    selected: usize,
    page: usize,
    /// The search field, shown while it has a query or the keyboard.
    search: Option<TextInput>,
    searching: bool,
    /// The filter bar's focused field, while the bar is open.
    bar: Option<usize>,
    cities: Vec<Region>,
    counties: Vec<Region>,
    region_label: Option<String>,
    error: Option<String>,
}

impl CaseList {
    /// Every case matching `filter`.
    pub fn open(env: &mut Env, filter: CaseFilter) -> Result<CaseList, Failure> {
        CaseList::build(env, filter, false)
    }

    /// The re-review queue: cases awaiting the panel, then active cases whose review is
    /// due within the review window (30 days by default) or overdue.
    pub fn queue(env: &mut Env) -> Result<CaseList, Failure> {
        CaseList::build(env, CaseFilter::default(), true)
    }

    fn build(env: &mut Env, mut filter: CaseFilter, queue: bool) -> Result<CaseList, Failure> {
        let due = match filter.due_by.take() {
            Some(d) => Due::By(d),
            None => Due::Any,
        };
        let search = (!filter.search.is_empty()).then(|| TextInput::single_line(&filter.search));
        let mut list = CaseList {
            queue,
            filter,
            due,
            segments: Vec::new(),
            total: 0,
            more: false,
            rows: Vec::new(),
            keys: Vec::new(),
            rows_at: 0,
            offset: 0,
            selected: 0,
            page: DEFAULT_PAGE,
            search,
            searching: false,
            bar: None,
            cities: regions::all_of_level(env.store.conn(), RegionLevel::City)?,
            counties: Vec::new(),
            region_label: None,
            error: None,
        };
        list.load_counties(env)?;
        list.reload(env)?;
        Ok(list)
    }

    /// The date the due choice stands for, if any.
    fn due_by(&self, env: &Env) -> Option<NaiveDate> {
        let today = env.today();
        match self.due {
            Due::Any => None,
            Due::Overdue => today.pred_opt(),
            Due::Window => today.checked_add_days(Days::new(u64::from(env.review().window_days))),
            Due::By(d) => Some(d),
        }
    }

    /// The queries behind the list, in display order.
    fn segment_filters(&self, env: &Env) -> Vec<CaseFilter> {
        let due_by = self.due_by(env);
        let base = CaseFilter {
            due_by: None,
            ..self.filter.clone()
        };
        if !self.queue {
            return vec![CaseFilter { due_by, ..base }];
        }
        let mut out = Vec::new();
        // Cases before the panel now (first assessments and ad-hoc re-reviews) come first;
        // a due-date filter speaks of active cases only.
        if matches!(base.status, None | Some(CaseStatus::AwaitingPanel)) && due_by.is_none() {
            out.push(CaseFilter {
                status: Some(CaseStatus::AwaitingPanel),
                ..base.clone()
            });
        }
        if matches!(base.status, None | Some(CaseStatus::Active)) {
            let horizon = env
                .today()
                .checked_add_days(Days::new(u64::from(env.review().window_days)));
            let by = match (due_by, horizon) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            out.push(CaseFilter {
                status: None,
                due_by: by,
                ..base
            });
        }
        out
    }

    fn load_counties(&mut self, env: &Env) -> Result<(), Failure> {
        self.counties = match self.city_code() {
            Some(city) => regions::children_of(env.store.conn(), Some(&city))?,
            None => Vec::new(),
        };
        Ok(())
    }

    /// The city the region filter lies in (a city's code ends in `00`).
    fn city_code(&self) -> Option<String> {
        let r = self.filter.region.as_deref()?;
        r.get(..4).map(|p| format!("{p}00"))
    }

    /// The county the region filter lies in, if it is below a city.
    fn county_code(&self) -> Option<String> {
        let r = self.filter.region.as_deref()?;
        let c = r.get(..6)?;
        (!c.ends_with("00")).then(|| c.to_string())
    }

    /// Counts again and re-reads the visible page (after the filter or the data changed).
    fn reload(&mut self, env: &Env) -> Result<(), Failure> {
        self.recount(env, false)
    }

    /// [`Self::reload`]; `keep_caps`: each query counted as far as it was (the data
    /// changed, the filter did not: a list counted to its end for End stays counted, and
    /// the selection stays where it was).
    fn recount(&mut self, env: &Env, keep_caps: bool) -> Result<(), Failure> {
        let conn = env.store.conn();
        let mut segments = Vec::new();
        for (i, f) in self.segment_filters(env).into_iter().enumerate() {
            let cap = match self.segments.get(i) {
                Some(s) if keep_caps && s.filter == f => s.cap,
                _ => Some(COUNT_CAP),
            };
            segments.push(Segment::count(env, f, cap)?);
        }
        self.segments = segments;
        self.sum_segments();
        self.selected = self.selected.min(self.total.saturating_sub(1));
        self.region_label = match &self.filter.region {
            Some(code) => Some(text::sanitize_line(&regions::path_name(conn, code)?)),
            None => None,
        };
        self.rows.clear();
        self.keys.clear();
        self.error = None;
        self.ensure_window(env)
    }

    fn sum_segments(&mut self) {
        self.total = self.segments.iter().map(|s| s.n).sum();
        self.more = self.segments.iter().any(|s| s.more);
    }

    /// Counts further when `selected` is near the end of what was counted (ten times as
    /// far; `to_end`: all of it, for the last row).
    fn count_further(&mut self, env: &Env, selected: usize, to_end: bool) -> Result<(), Failure> {
        let page = self.page.max(1);
        while self.more && (to_end || selected + 2 * page >= self.total) {
            let Some(i) = self.segments.iter().position(|s| s.more) else {
                break;
            };
            let cap = if to_end {
                None
            } else {
                self.segments[i].cap.map(|c| c.saturating_mul(10))
            };
            let filter = self.segments[i].filter.clone();
            self.segments[i] = Segment::count(env, filter, cap)?;
            self.sum_segments();
        }
        Ok(())
    }

    /// Keeps the selection visible and reads the page if it is not in memory.
    fn ensure_window(&mut self, env: &Env) -> Result<(), Failure> {
        let page = self.page.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        }
        if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        self.offset = self.offset.min(self.total.saturating_sub(page));
        let want = page.min(self.total - self.offset);
        if self.rows_at == self.offset && self.rows.len() >= want {
            return Ok(());
        }
        let (rows, keys) = self.read(env, self.offset, page)?;
        self.rows = rows;
        self.keys = keys;
        self.rows_at = self.offset;
        Ok(())
    }

    /// `limit` rows from position `offset` of the whole list. Next to the rows in memory
    /// (a line or a page away) they are read from the first or last row's key; elsewhere
    /// from the start or, when the list is counted to its end and that is nearer, from
    /// its end (End): never through an offset of more than the distance to the nearer end.
    fn read(&self, env: &Env, offset: usize, limit: usize) -> Result<Listed, Failure> {
        let near = 4 * limit;
        let lo = self.rows_at;
        let hi = self.rows_at + self.rows.len();
        if let (Some(first), Some(last)) = (self.keys.first(), self.keys.last()) {
            if offset >= lo && offset <= hi + near {
                let mut rows = self.rows[offset.min(hi) - lo..].to_vec();
                let mut keys = self.keys[offset.min(hi) - lo..].to_vec();
                let need = (offset + limit).saturating_sub(hi);
                if need > 0 {
                    let (r, k) = self.read_next(env, last, need)?;
                    rows.extend(r);
                    keys.extend(k);
                }
                let skip = offset.saturating_sub(hi);
                let rows: Vec<CaseRow> = rows.into_iter().skip(skip).take(limit).collect();
                let keys: Vec<_> = keys.into_iter().skip(skip).take(limit).collect();
                return Ok((rows, keys));
            }
            if offset < lo && lo - offset <= near {
                let (mut rows, mut keys) = self.read_previous(env, first, lo - offset)?;
                if rows.len() < lo - offset {
                    // The list changed under the page (fewer rows before it than its
                    // place says): read the place afresh.
                    return self.read_span(env, offset, limit);
                }
                rows.extend(self.rows.iter().cloned());
                keys.extend(self.keys.iter().cloned());
                rows.truncate(limit);
                keys.truncate(limit);
                return Ok((rows, keys));
            }
        }
        self.read_span(env, offset, limit)
    }

    /// Up to `need` rows after the row at `from` (its segment, its key), across segments.
    fn read_next(
        &self,
        env: &Env,
        from: &(usize, ListKey),
        need: usize,
    ) -> Result<Listed, Failure> {
        let (mut rows, mut keys) = (Vec::new(), Vec::new());
        let mut key = Some(&from.1);
        for seg in from.0..self.segments.len() {
            if rows.len() >= need {
                break;
            }
            let f = &self.segments[seg].filter;
            let got =
                queries::cases_from(env.store.conn(), f, key, Dir::Forward, 0, need - rows.len())?;
            for (r, k) in got {
                rows.push(r);
                keys.push((seg, k));
            }
            key = None;
        }
        Ok((rows, keys))
    }

    /// Up to `need` rows before the row at `from`, in the list's order, across segments.
    fn read_previous(
        &self,
        env: &Env,
        from: &(usize, ListKey),
        need: usize,
    ) -> Result<Listed, Failure> {
        let mut parts = Vec::new();
        let mut got_n = 0;
        let mut key = Some(&from.1);
        for seg in (0..=from.0).rev() {
            if got_n >= need {
                break;
            }
            let f = &self.segments[seg].filter;
            let got =
                queries::cases_from(env.store.conn(), f, key, Dir::Backward, 0, need - got_n)?;
            got_n += got.len();
            parts.push((seg, got));
            key = None;
        }
        let (mut rows, mut keys) = (Vec::new(), Vec::new());
        for (seg, got) in parts.into_iter().rev() {
            for (r, k) in got {
                rows.push(r);
                keys.push((seg, k));
            }
        }
        Ok((rows, keys))
    }

    /// `limit` rows from position `offset`, placed by the segments' counts: each part from
    /// its segment's start, or from its end when the segment is counted to the end and
    /// that is nearer (the index read backwards).
    fn read_span(&self, env: &Env, offset: usize, limit: usize) -> Result<Listed, Failure> {
        let (mut rows, mut keys) = (Vec::new(), Vec::new());
        let mut skip = offset;
        for (seg, s) in self.segments.iter().enumerate() {
            let need = limit - rows.len();
            if need == 0 {
                break;
            }
            if skip >= s.n {
                skip -= s.n;
                continue;
            }
            let take = need.min(s.n - skip);
            let from_end = s.n - skip - take;
            let got = if !s.more && from_end < skip {
                queries::cases_from(
                    env.store.conn(),
                    &s.filter,
                    None,
                    Dir::Backward,
                    from_end,
                    take,
                )?
            } else {
                queries::cases_from(env.store.conn(), &s.filter, None, Dir::Forward, skip, need)?
            };
            for (r, k) in got {
                rows.push(r);
                keys.push((seg, k));
            }
            skip = 0;
        }
        Ok((rows, keys))
    }

    fn reload_or_flash(&mut self, env: &Env) -> Outcome {
        match self.reload(env) {
            Ok(()) => Outcome::Done,
            Err(e) => {
                self.error = Some(e.0.clone());
                Flash::error(e.0)
            }
        }
    }

    fn move_to(&mut self, env: &Env, selected: usize) -> Outcome {
        self.move_to_end(env, selected, false)
    }

    fn move_to_end(&mut self, env: &Env, selected: usize, to_end: bool) -> Outcome {
        if let Err(e) = self.count_further(env, selected, to_end) {
            return Flash::error(e.0);
        }
        self.selected = selected.min(self.total.saturating_sub(1));
        match self.ensure_window(env) {
            Ok(()) => Outcome::Done,
            Err(e) => Flash::error(e.0),
        }
    }

    fn selected_row(&self) -> Option<&CaseRow> {
        self.selected
            .checked_sub(self.rows_at)
            .and_then(|i| self.rows.get(i))
    }

    fn filtered(&self) -> bool {
        let f = &self.filter;
        f.status.is_some()
            || f.level.is_some()
            || f.difficulty.is_some()
            || f.region.is_some()
            || self.due != Due::Any
            || !f.search.is_empty()
    }

    fn clear_all(&mut self, env: &Env) -> Outcome {
        let was = self.filtered();
        self.filter = CaseFilter::default();
        self.due = Due::Any;
        self.search = None;
        self.searching = false;
        self.counties.clear();
        self.selected = 0;
        match self.reload_or_flash(env) {
            Outcome::Done if was => Flash::info(env.t("cases.cleared")),
            other => other,
        }
    }

    fn set_search(&mut self, env: &Env) -> Outcome {
        let q = self
            .search
            .as_ref()
            .map(|s| text::sanitize_line(&s.text()))
            .unwrap_or_default();
        if q == self.filter.search {
            return Outcome::Done;
        }
        self.filter.search = q;
        self.selected = 0;
        self.offset = 0;
        self.reload_or_flash(env)
    }

    fn leave_search(&mut self) {
        self.searching = false;
        if self.filter.search.is_empty() {
            self.search = None;
        }
    }

    // --- the filter bar ---------------------------------------------------------------

    /// Moves the value of a filter-bar field by `step` through its options (with "all"
    /// first), wrapping around.
    fn cycle(&mut self, env: &Env, field: Field, step: isize) -> Result<(), Failure> {
        fn next<T: Copy + PartialEq>(options: &[T], current: Option<T>, step: isize) -> Option<T> {
            // Position 0 is "all"; options follow.
            let n = options.len() as isize + 1;
            let at = current
                .and_then(|c| options.iter().position(|o| *o == c))
                .map_or(0, |i| i as isize + 1);
            let to = (at + step).rem_euclid(n);
            if to == 0 {
                None
            } else {
                Some(options[(to - 1) as usize])
            }
        }
        match field {
            Field::Status => self.filter.status = next(CaseStatus::ALL, self.filter.status, step),
            Field::Level => self.filter.level = next(&RiskLevel::ALL, self.filter.level, step),
            Field::Difficulty => {
                self.filter.difficulty = next(DifficultyType::ALL, self.filter.difficulty, step)
            }
            Field::City => {
                let idx: Vec<usize> = (0..self.cities.len()).collect();
                let cur = self
                    .city_code()
                    .and_then(|c| self.cities.iter().position(|r| r.code == c));
                self.filter.region = next(&idx, cur, step).map(|i| self.cities[i].code.clone());
                self.load_counties(env)?;
            }
            Field::County => {
                if self.counties.is_empty() {
                    return Ok(());
                }
                let idx: Vec<usize> = (0..self.counties.len()).collect();
                let cur = self
                    .county_code()
                    .and_then(|c| self.counties.iter().position(|r| r.code == c));
                self.filter.region = match next(&idx, cur, step) {
                    Some(i) => Some(self.counties[i].code.clone()),
                    None => self.city_code(),
                };
            }
            Field::Due => {
                let options = [Due::Overdue, Due::Window];
                let cur = match self.due {
                    Due::Any | Due::By(_) => None,
                    d => Some(d),
                };
                self.due = next(&options, cur, step).unwrap_or(Due::Any);
            }
        }
        self.selected = 0;
        self.offset = 0;
        self.reload(env)
    }

    fn reset_field(&mut self, env: &Env, field: Field) -> Result<(), Failure> {
        match field {
            Field::Status => self.filter.status = None,
            Field::Level => self.filter.level = None,
            Field::Difficulty => self.filter.difficulty = None,
            Field::City => {
                self.filter.region = None;
                self.counties.clear();
            }
            Field::County => self.filter.region = self.city_code(),
            Field::Due => self.due = Due::Any,
        }
        self.selected = 0;
        self.reload(env)
    }

    fn bar_key(&mut self, env: &Env, key: KeyEvent) -> Outcome {
        let Some(at) = self.bar else {
            return Outcome::Done;
        };
        let field = FIELDS[at];
        let result = match key.code {
            KeyCode::Up | KeyCode::BackTab | KeyCode::Char('k') => {
                self.bar = Some((at + FIELDS.len() - 1) % FIELDS.len());
                Ok(())
            }
            KeyCode::Down | KeyCode::Tab | KeyCode::Char('j') => {
                self.bar = Some((at + 1) % FIELDS.len());
                Ok(())
            }
            KeyCode::Right | KeyCode::Char(' ') | KeyCode::Char('l') => self.cycle(env, field, 1),
            KeyCode::Left | KeyCode::Char('h') => self.cycle(env, field, -1),
            KeyCode::Backspace | KeyCode::Delete => self.reset_field(env, field),
            KeyCode::Enter | KeyCode::Char('f') => {
                self.bar = None;
                Ok(())
            }
            KeyCode::Char('F') => {
                let out = self.clear_all(env);
                return out;
            }
            _ => Ok(()),
        };
        match result {
            Ok(()) => Outcome::Done,
            Err(e) => {
                self.error = Some(e.0.clone());
                Flash::error(e.0)
            }
        }
    }

    /// The label of a field's current value.
    fn field_value(&self, env: &Env, field: Field) -> String {
        let all = env.t("cases.filter_all");
        match field {
            Field::Status => self
                .filter
                .status
                .map_or(all.to_string(), |s| env.label(s).to_string()),
            Field::Level => self
                .filter
                .level
                .map_or(all.to_string(), |l| env.level_text(Some(l))),
            Field::Difficulty => self
                .filter
                .difficulty
                .map_or(all.to_string(), |d| env.label(d).to_string()),
            Field::City => self
                .city_code()
                .and_then(|c| self.cities.iter().find(|r| r.code == c))
                .map_or(all.to_string(), |r| text::sanitize_line(&r.name)),
            Field::County => {
                if self.counties.is_empty() {
                    return env.t("cases.filter_pick_city").to_string();
                }
                self.county_code()
                    .and_then(|c| self.counties.iter().find(|r| r.code == c))
                    .map_or(all.to_string(), |r| text::sanitize_line(&r.name))
            }
            Field::Due => self.due_label(env).unwrap_or_else(|| all.to_string()),
        }
    }

    fn due_label(&self, env: &Env) -> Option<String> {
        match self.due {
            Due::Any => None,
            Due::Overdue => Some(env.t("cases.due_overdue").to_string()),
            Due::Window => Some(env.tf(
                "cases.due_window",
                &[("days", &env.review().window_days.to_string())],
            )),
            Due::By(d) => Some(env.tf("cases.due_by", &[("date", &d.to_string())])),
        }
    }

    fn field_label(env: &Env, field: Field) -> &'static str {
        match field {
            Field::Status => env.t("cases.filter_status"),
            Field::Level => env.t("cases.filter_level"),
            Field::Difficulty => env.t("cases.filter_difficulty"),
            Field::City => env.t("cases.filter_city"),
            Field::County => env.t("cases.filter_county"),
            Field::Due => env.t("cases.filter_due"),
        }
    }

    /// The active filters as short words for the header line.
    fn chips(&self, env: &Env) -> Vec<String> {
        let f = &self.filter;
        let mut out = Vec::new();
        if let Some(s) = f.status {
            out.push(env.label(s).to_string());
        }
        if let Some(l) = f.level {
            out.push(env.level_short(Some(l)));
        }
        if let Some(d) = f.difficulty {
            out.push(env.label(d).to_string());
        }
        if let Some(r) = &self.region_label {
            out.push(r.clone());
        }
        if let Some(d) = self.due_label(env) {
            out.push(d);
        }
        if !f.search.is_empty() && self.search.is_none() {
            out.push(env.tf("cases.search_chip", &[("query", &f.search)]));
        }
        out
    }

    // --- drawing --------------------------------------------------------------------

    fn status_short(env: &Env, s: CaseStatus) -> &'static str {
        match s {
            CaseStatus::Screening => env.t("cases.status_short.screening"),
            CaseStatus::AwaitingPanel => env.t("cases.status_short.awaiting_panel"),
            CaseStatus::Active => env.t("cases.status_short.active"),
            CaseStatus::Closed => env.t("cases.status_short.closed"),
        }
    }

    fn sex_short(env: &Env, s: Sex) -> &'static str {
        match s {
            Sex::Male => env.t("cases.sex_short.male"),
            Sex::Female => env.t("cases.sex_short.female"),
        }
    }

    fn header(env: &Env, col: Col) -> &'static str {
        match col {
            Col::Number => env.t("cases.col.number"),
            Col::Name => env.t("cases.col.name"),
            Col::Sex => env.t("cases.col.sex"),
            Col::Age => env.t("cases.col.age"),
            Col::IdNumber => env.t("cases.col.id_number"),
            Col::Region => env.t("cases.col.region"),
            Col::Status => env.t("cases.col.status"),
            Col::Level => env.t("cases.col.level"),
            Col::Next => env.t("cases.col.next_review"),
            Col::Due => env.t("cases.col.due"),
            Col::AdHoc => env.t("cases.col.ad_hoc"),
        }
    }

    /// Picks the columns that fit `width` (the cursor's two columns aside).
    fn columns(env: &Env, width: usize) -> Columns {
        let w = |s: &str| text::width(s);
        let status_short = CaseStatus::ALL
            .iter()
            .map(|s| w(Self::status_short(env, *s)))
            .max()
            .unwrap_or(0);
        let status_full = CaseStatus::ALL
            .iter()
            .map(|s| w(env.label(*s)))
            .max()
            .unwrap_or(0);
        let base = |col: Col| -> usize {
            let content = match col {
                Col::Number => w(&case_number(999_999)),
                Col::Name => 8,
                Col::Sex => Sex::ALL
                    .iter()
                    .map(|s| w(Self::sex_short(env, *s)))
                    .max()
                    .unwrap_or(1),
                Col::Age => 2,
                Col::IdNumber => 18,
                Col::Region => 12,
                Col::Status => status_short,
                Col::Level => RiskLevel::ALL
                    .iter()
                    .map(|l| w(&env.level_short(Some(*l))))
                    .max()
                    .unwrap_or(1),
                Col::Next => 10,
                Col::Due => w(&env.tf("cases.overdue_days", &[("days", "999")]))
                    .max(w(&env.tf("cases.due_in_days", &[("days", "30")]))),
                Col::AdHoc => w(env.t("cases.ad_hoc_mark")),
            };
            content.max(w(Self::header(env, col)))
        };
        let room = width.saturating_sub(2);
        for dropped in 0..=DROP_ORDER.len() {
            for gap in [2, 1] {
                let cols: Vec<(Col, usize)> = COLS
                    .iter()
                    .filter(|c| !DROP_ORDER[..dropped].contains(c))
                    .map(|c| (*c, base(*c)))
                    .collect();
                let used: usize =
                    cols.iter().map(|(_, w)| w).sum::<usize>() + gap * cols.len().saturating_sub(1);
                if used <= room || dropped == DROP_ORDER.len() {
                    let mut out = Columns {
                        cols,
                        gap,
                        full_status: false,
                    };
                    let mut spare = room.saturating_sub(used);
                    // Spare room: the status in full, then a wider region and name.
                    if status_full > status_short
                        && spare >= (status_full - status_short) + 8
                        && let Some(c) = out.cols.iter_mut().find(|(c, _)| *c == Col::Status)
                    {
                        spare -= status_full - status_short;
                        c.1 = status_full;
                        out.full_status = true;
                    }
                    for (col, max) in [(Col::Region, 26usize), (Col::Name, 14)] {
                        if let Some(c) = out.cols.iter_mut().find(|(c, _)| *c == col) {
                            let add = spare.min(max.saturating_sub(c.1));
                            c.1 += add;
                            spare -= add;
                        }
                    }
                    return out;
                }
            }
        }
        unreachable!("the last choice always returns")
    }

    fn cell(
        &self,
        env: &Env,
        r: &CaseRow,
        col: Col,
        focused: bool,
        full_status: bool,
    ) -> (String, Option<Style>) {
        let th = &env.theme;
        match col {
            Col::Number => (case_number(r.case_id), None),
            Col::Name => (
                env.name(&text::sanitize_line(&r.name), focused)
                    .into_owned(),
                None,
            ),
            Col::Sex => (Self::sex_short(env, r.sex).to_string(), None),
            Col::Age => (age_on(r.birth_date, env.today()).to_string(), None),
            Col::IdNumber => match &r.id_number {
                Some(id) => (
                    env.id_number(&text::sanitize_line(id), focused)
                        .into_owned(),
                    None,
                ),
                None => (env.t("cases.no_id_number").to_string(), Some(th.dim())),
            },
            Col::Region => (text::sanitize_line(&r.region_name), None),
            Col::Status => {
                let s = if full_status {
                    env.label(r.status)
                } else {
                    Self::status_short(env, r.status)
                };
                (s.to_string(), None)
            }
            Col::Level => (env.level_short(r.level), Some(th.level(r.level))),
            Col::Next => match r.next_review {
                Some(d) if r.status != CaseStatus::Closed => {
                    (d.format("%Y-%m-%d").to_string(), None)
                }
                _ => ("-".to_string(), Some(th.dim())),
            },
            Col::Due => match r.next_review {
                Some(d) if r.status != CaseStatus::Closed => match due_note(env, d) {
                    Some((s, style)) => (s, Some(style)),
                    None => (String::new(), None),
                },
                _ => (String::new(), None),
            },
            Col::AdHoc => {
                if r.ad_hoc {
                    (env.t("cases.ad_hoc_mark").to_string(), Some(th.warn()))
                } else {
                    (String::new(), None)
                }
            }
        }
    }

    fn render_header(&self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = &env.theme;
        let total = if self.more {
            env.tf("cases.total_more", &[("n", &group_digits(self.total))])
        } else {
            env.tf("cases.total", &[("n", &group_digits(self.total))])
        };
        let mut spans = vec![Span::styled(format!(" {total}"), th.heading())];
        let chips = self.chips(env);
        if chips.is_empty() {
            if self.queue {
                spans.push(Span::styled(
                    format!(
                        "   {}",
                        env.tf(
                            "cases.queue_scope",
                            &[("days", &env.review().window_days.to_string())]
                        )
                    ),
                    th.dim(),
                ));
            }
        } else {
            spans.push(Span::styled(
                format!("   {} ", env.t("cases.filtered_by")),
                th.dim(),
            ));
            spans.push(Span::styled(chips.join(" · "), th.warn()));
        }
        let order = match CaseOrder::of(&self.filter) {
            CaseOrder::Severity => None,
            CaseOrder::NewestCase => Some("cases.order.newest_case"),
            CaseOrder::IdNumber => Some("cases.order.id_number"),
            CaseOrder::Initials => Some("cases.order.initials"),
        };
        if let Some(key) = order {
            spans.push(Span::styled(format!("   {}", env.t(key)), th.dim()));
        }
        let right = if self.total > 0 {
            let last = (self.offset + self.page.max(1)).min(self.total);
            format!(
                "{}–{} / {}{} ",
                group_digits(self.offset + 1),
                group_digits(last),
                group_digits(self.total),
                if self.more { "+" } else { "" }
            )
        } else {
            String::new()
        };
        let right_w = text::width(&right);
        let room = usize::from(area.width).saturating_sub(right_w + 1);
        let left: String = spans.iter().map(|s| s.content.as_ref()).collect();
        let line = if text::width(&left) > room {
            // Too long for the line: cut the whole as one piece.
            Line::from(vec![
                Span::styled(text::truncate_with(&left, room, th.ellipsis()), th.text()),
                Span::raw(" "),
                Span::styled(right, th.dim()),
            ])
        } else {
            let pad = usize::from(area.width).saturating_sub(text::width(&left) + right_w);
            spans.push(Span::raw(" ".repeat(pad)));
            spans.push(Span::styled(right, th.dim()));
            Line::from(spans)
        };
        frame.render_widget(Paragraph::new(line), area);
    }

    fn render_search(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = env.theme;
        let label = format!(" {} ", env.t("cases.search_label"));
        let label_w = text::width(&label) as u16;
        let field_w = area.width.saturating_sub(label_w).min(32);
        let [l, field, hint] = Layout::horizontal([
            Constraint::Length(label_w),
            Constraint::Length(field_w),
            Constraint::Min(0),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(Span::styled(
                label,
                if self.searching { th.key() } else { th.text() },
            )),
            l,
        );
        let hint_text = if self.searching {
            format!("  {}", env.t("cases.search_hint"))
        } else {
            let key = env
                .keymap
                .keys_for(&[Ctx::CaseList], Action::Search)
                .map(|k| k.to_string())
                .unwrap_or_default();
            format!("  {}", env.tf("cases.search_again", &[("key", &key)]))
        };
        frame.render_widget(
            Paragraph::new(Span::styled(
                text::truncate_with(&hint_text, usize::from(hint.width), th.ellipsis()),
                th.dim(),
            )),
            hint,
        );
        if let Some(input) = &mut self.search {
            if self.searching {
                input.render(frame, field, None, th.selected());
            } else {
                let q = text::truncate_with(&input.text(), usize::from(field.width), th.ellipsis());
                frame.render_widget(Paragraph::new(Span::styled(q, th.warn())), field);
            }
        }
    }

    fn render_bar(&self, env: &Env, frame: &mut Frame<'_>, area: Rect, focus: usize) {
        let th = &env.theme;
        let [title, fields, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(FIELDS.len() as u16),
            Constraint::Length(1),
        ])
        .areas(area);
        section_title(frame, title, env, env.t("cases.filter_title"));
        let label_w = FIELDS
            .iter()
            .map(|f| text::width(Self::field_label(env, *f)))
            .max()
            .unwrap_or(0)
            + 2;
        let lines: Vec<Line<'_>> = FIELDS
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let focused = i == focus;
                let cursor = if focused { th.cursor() } else { " " };
                let value = self.field_value(env, *f);
                let value_w = usize::from(area.width).saturating_sub(label_w + 8);
                let value = text::truncate_with(&value, value_w, th.ellipsis());
                let set = match f {
                    Field::Status => self.filter.status.is_some(),
                    Field::Level => self.filter.level.is_some(),
                    Field::Difficulty => self.filter.difficulty.is_some(),
                    Field::City => self.filter.region.is_some(),
                    Field::County => self.county_code().is_some(),
                    Field::Due => self.due != Due::Any,
                };
                let value_style = if focused {
                    th.selected()
                } else if set {
                    th.warn()
                } else {
                    th.text()
                };
                Line::from(vec![
                    Span::styled(format!(" {cursor} "), th.key()),
                    Span::styled(
                        text::pad(Self::field_label(env, *f), label_w),
                        if focused { th.key() } else { th.text() },
                    ),
                    Span::styled(if focused { "◀ " } else { "  " }, th.key()),
                    Span::styled(value, value_style),
                    Span::styled(if focused { " ▶" } else { "" }, th.key()),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), fields);
        frame.render_widget(
            Paragraph::new(Span::styled(
                text::truncate_with(
                    &format!("   {}", env.t("cases.filter_hint")),
                    usize::from(hint.width),
                    th.ellipsis(),
                ),
                th.dim(),
            )),
            hint,
        );
    }

    fn render_rows(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = &env.theme;
        let width = usize::from(area.width);
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        self.page = usize::from(body.height).max(1);
        if let Err(e) = self.ensure_window(env) {
            self.error = Some(e.0);
        }
        if let Some(err) = &self.error {
            let lines: Vec<Line<'_>> =
                text::wrap(&format!("  {}", text::sanitize(err)), width.max(2))
                    .into_iter()
                    .map(|l| Line::styled(l, th.error()))
                    .collect();
            frame.render_widget(Paragraph::new(lines), area);
            return;
        }
        if self.total == 0 {
            let msg = if self.filtered() {
                let key = env
                    .keymap
                    .keys_for(&[Ctx::CaseList], Action::ClearFilter)
                    .map(|k| k.to_string())
                    .unwrap_or_default();
                env.tf("cases.empty_filtered", &[("key", &key)])
            } else if self.queue {
                env.tf(
                    "cases.queue_empty",
                    &[("days", &env.review().window_days.to_string())],
                )
            } else {
                env.t("cases.empty").to_string()
            };
            let lines: Vec<Line<'_>> = std::iter::once(Line::raw(""))
                .chain(
                    text::wrap(&msg, width.saturating_sub(4).max(2))
                        .into_iter()
                        .map(|l| Line::styled(format!("  {l}"), th.text())),
                )
                .collect();
            frame.render_widget(Paragraph::new(lines), body);
            return;
        }
        let cols = Self::columns(env, width);
        let sep = " ".repeat(cols.gap);
        let mut head_spans = vec![Span::raw("  ")];
        for (i, (col, w)) in cols.cols.iter().enumerate() {
            if i > 0 {
                head_spans.push(Span::raw(sep.clone()));
            }
            head_spans.push(Span::styled(
                text::pad(Self::header(env, *col), *w),
                th.dim(),
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(head_spans)), head);

        let mut lines = Vec::with_capacity(self.rows.len());
        for (i, r) in self.rows.iter().take(self.page).enumerate() {
            let focused = self.rows_at + i == self.selected;
            let row_style = if focused { th.selected() } else { th.text() };
            let mut spans = vec![Span::styled(
                if focused {
                    format!("{} ", th.cursor())
                } else {
                    "  ".to_string()
                },
                if focused { th.selected() } else { th.key() },
            )];
            let mut used = 2;
            for (j, (col, w)) in cols.cols.iter().enumerate() {
                if j > 0 {
                    spans.push(Span::styled(sep.clone(), row_style));
                    used += cols.gap;
                }
                let (content, style) = self.cell(env, r, *col, focused, cols.full_status);
                let style = if focused {
                    row_style
                } else {
                    style.unwrap_or(row_style)
                };
                spans.push(Span::styled(text::pad(&content, *w), style));
                used += w;
            }
            if focused && used < width {
                spans.push(Span::styled(" ".repeat(width - used), row_style));
            }
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), body);
    }
}

impl View for CaseList {
    fn contexts(&self) -> Vec<Ctx> {
        vec![Ctx::CaseList, Ctx::List]
    }

    fn title(&self, env: &Env) -> String {
        if self.queue {
            env.t("cases.queue_title").to_string()
        } else {
            env.t("cases.title").to_string()
        }
    }

    fn editing(&self) -> bool {
        self.searching || self.bar.is_some()
    }

    fn refresh(&mut self, env: &mut Env) {
        if let Err(e) = self.recount(env, true) {
            self.error = Some(e.0);
        }
    }

    fn update(&mut self, env: &mut Env, action: Action) -> Outcome {
        if self.bar.is_some() {
            return match action {
                Action::Back | Action::Save => {
                    self.bar = None;
                    Outcome::Done
                }
                _ => Outcome::Done,
            };
        }
        if self.searching {
            if matches!(action, Action::Back | Action::Save) {
                self.leave_search();
            }
            return Outcome::Done;
        }
        let page = self.page.max(1);
        match action {
            Action::Up => self.move_to(env, self.selected.saturating_sub(1)),
            Action::Down => self.move_to(env, self.selected + 1),
            // A page turns the view with the selection, so the row under the eye stays put.
            Action::PageUp => {
                self.offset = self.offset.saturating_sub(page);
                self.move_to(env, self.selected.saturating_sub(page))
            }
            Action::PageDown => {
                self.offset = (self.offset + page).min(self.total.saturating_sub(page));
                self.move_to(env, self.selected + page)
            }
            Action::First => self.move_to(env, 0),
            Action::Last => self.move_to_end(env, usize::MAX, true),
            Action::Open => match self.selected_row() {
                Some(r) => match CaseFile::open(env, r.case_id) {
                    Ok(v) => Outcome::Push(Box::new(v)),
                    Err(e) => Flash::error(e.0),
                },
                None => Outcome::Done,
            },
            Action::Search => {
                if self.search.is_none() {
                    self.search = Some(TextInput::single_line(&self.filter.search));
                }
                self.searching = true;
                Outcome::Done
            }
            Action::Filter => {
                self.bar = Some(0);
                Outcome::Done
            }
            Action::ClearFilter => self.clear_all(env),
            _ => Outcome::Ignored,
        }
    }

    fn key(&mut self, env: &mut Env, key: KeyEvent) -> Outcome {
        if self.bar.is_some() {
            return self.bar_key(env, key);
        }
        if !self.searching {
            return Outcome::Done;
        }
        let page = self.page.max(1);
        match key.code {
            KeyCode::Enter => {
                self.leave_search();
                Outcome::Done
            }
            // The list can be moved without leaving the field.
            KeyCode::Up => self.move_to(env, self.selected.saturating_sub(1)),
            KeyCode::Down => self.move_to(env, self.selected + 1),
            KeyCode::PageUp => self.move_to(env, self.selected.saturating_sub(page)),
            KeyCode::PageDown => self.move_to(env, self.selected + page),
            KeyCode::Tab | KeyCode::BackTab => Outcome::Done,
            _ => {
                let Some(input) = &mut self.search else {
                    return Outcome::Done;
                };
                if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('u') {
                    *input = TextInput::single_line("");
                } else {
                    input.key(key);
                }
                self.set_search(env)
            }
        }
    }

    fn paste(&mut self, env: &mut Env, text: &str) -> Outcome {
        if !self.searching {
            return Outcome::Done;
        }
        if let Some(input) = &mut self.search {
            input.paste(text);
        }
        self.set_search(env)
    }

    fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let search_h = u16::from(self.search.is_some());
        let bar_h = if self.bar.is_some() {
            FIELDS.len() as u16 + 2
        } else {
            0
        };
        let [header, search, bar, _, rows] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(search_h),
            Constraint::Length(bar_h),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        // Rows first: the page size they find decides the range the header shows.
        self.render_rows(env, frame, rows);
        self.render_header(env, frame, header);
        if let Some(focus) = self.bar {
            self.render_bar(env, frame, bar, focus);
        }
        if self.search.is_some() {
            self.render_search(env, frame, search);
        }
    }
}
