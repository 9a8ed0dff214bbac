//! The case-list search (migration 008): the name pieces in `name_gram` follow every write
//! to `child`, and every kind of search finds exactly what a brute-force scan finds, in the
//! order the list says it is in. Also the windowed case list without a search: the order
//! the index gives is the order the list promises, for every filter.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use casepanel::domain::case::CaseStatus;
use casepanel::domain::child::Child;
use casepanel::domain::difficulty::DifficultyType;
use casepanel::domain::level::RiskLevel;
use casepanel::generate::{GenConfig, generate};
use casepanel::store::queries::{self, CaseFilter, CaseOrder, SearchKind};
use casepanel::store::{Store, children};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};

use common::derived::assert_grams_in_step;
use common::*;

fn generated(cases: usize) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    generate(
        &mut store,
        &GenConfig {
            cases,
            seed: 7,
            today: today(),
        },
    )
    .unwrap();
    store
}

/// The case ids a brute-force scan finds for `q`, read the way the search reads it.
fn brute_force(c: &Connection, q: &str) -> BTreeSet<i64> {
    let (sql, arg) = match SearchKind::of(q) {
        SearchKind::None => ("SELECT k.id FROM case_file k WHERE ?1 = ?1", String::new()),
        SearchKind::IdPrefix(p) => (
            "SELECT k.id FROM case_file k JOIN child c ON c.id = k.child_id
             WHERE substr(c.id_number, 1, length(?1)) = ?1",
            p,
        ),
        SearchKind::Initials(p) => (
            "SELECT k.id FROM case_file k JOIN child c ON c.id = k.child_id
             WHERE substr(c.initials, 1, length(?1)) = ?1",
            p,
        ),
        // instr is not LIKE: no wildcards, no escapes; ASCII letters compared lower-cased.
        SearchKind::Name(p) => (
            "SELECT k.id FROM case_file k JOIN child c ON c.id = k.child_id
             WHERE instr(lower(c.name), ?1) > 0",
            p,
        ),
    };
    c.prepare(sql)
        .unwrap()
        .query_map([arg], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn search(q: &str) -> CaseFilter {
    CaseFilter {
        search: q.into(),
        ..Default::default()
    }
}

/// Every row the list shows for `filter`, window by window.
fn listed(c: &Connection, filter: &CaseFilter) -> Vec<queries::CaseRow> {
    let mut out = Vec::new();
    loop {
        // Small windows at first, to cross their seams; then big ones, to be quick.
        let size = if out.len() < 70 { 7 } else { 1000 };
        let page = queries::cases(c, filter, out.len(), size).unwrap();
        let n = page.len();
        out.extend(page);
        if n < size {
            break;
        }
    }
    out
}

/// Reading the list by key — page after page from the start, page before page from the
/// end, a window from the end past a few rows — gives exactly `rows` (the list read
/// through offsets) in the same order: what the case list does on j/PgDn, PgUp and End.
fn assert_keyset_agrees(c: &Connection, filter: &CaseFilter, rows: &[queries::CaseRow]) {
    use queries::Dir;
    let ids: Vec<i64> = rows.iter().map(|r| r.case_id).collect();
    for page in [1, 7] {
        let mut fwd = queries::cases_from(c, filter, None, Dir::Forward, 0, page).unwrap();
        let mut seen: Vec<i64> = fwd.iter().map(|r| r.0.case_id).collect();
        while let Some((_, key)) = fwd.last() {
            fwd = queries::cases_from(c, filter, Some(key), Dir::Forward, 0, page).unwrap();
            seen.extend(fwd.iter().map(|r| r.0.case_id));
        }
        assert_eq!(seen, ids, "{filter:?}: forward by key, pages of {page}");
        let mut back = queries::cases_from(c, filter, None, Dir::Backward, 0, page).unwrap();
        let mut seen: Vec<i64> = back.iter().rev().map(|r| r.0.case_id).collect();
        while let Some((_, key)) = back.first() {
            back = queries::cases_from(c, filter, Some(key), Dir::Backward, 0, page).unwrap();
            seen.extend(back.iter().rev().map(|r| r.0.case_id));
        }
        seen.reverse();
        assert_eq!(seen, ids, "{filter:?}: backward by key, pages of {page}");
    }
    // The last window before skipping a few from the end, and the rows are whole rows.
    let n = ids.len();
    for skip in [0, 3, n / 2] {
        let got = queries::cases_from(c, filter, None, Dir::Backward, skip, 5).unwrap();
        let lo = n.saturating_sub(skip + 5);
        let hi = n.saturating_sub(skip);
        let want: Vec<&queries::CaseRow> = rows[lo..hi].iter().collect();
        let got: Vec<&queries::CaseRow> = got.iter().map(|r| &r.0).collect();
        assert_eq!(
            got, want,
            "{filter:?}: the end's window, {skip} from the end"
        );
    }
}

/// The search for `q` finds what the brute force finds, counts it, and lists it in the
/// order it says.
fn check_query(c: &Connection, q: &str) {
    let filter = search(q);
    let want = brute_force(c, q);
    let rows = listed(c, &filter);
    assert_keyset_agrees(c, &filter, &rows);
    let got: BTreeSet<i64> = rows.iter().map(|r| r.case_id).collect();
    assert_eq!(got.len(), rows.len(), "{q:?}: a case listed twice");
    assert_eq!(got, want, "{q:?}: search and brute force disagree");
    assert_eq!(
        queries::count_cases(c, &filter).unwrap(),
        want.len(),
        "{q:?}"
    );
    let cap = want.len().saturating_sub(1).max(1);
    assert_eq!(
        queries::count_cases_upto(c, &filter, cap).unwrap(),
        want.len().min(cap),
        "{q:?}: bounded count"
    );
    // The order the list promises: (ID number, initials, case id) of each row.
    let keys: Vec<(String, String, i64)> = rows
        .iter()
        .map(|r| {
            let initials: String = c
                .prepare_cached("SELECT initials FROM child WHERE id = ?1")
                .unwrap()
                .query_row([r.child_id], |x| x.get(0))
                .unwrap();
            (r.id_number.clone().unwrap_or_default(), initials, r.case_id)
        })
        .collect();
    let mut expect = keys.clone();
    match CaseOrder::of(&filter) {
        CaseOrder::Severity => return,
        CaseOrder::NewestCase => expect.sort_by_key(|k| std::cmp::Reverse(k.2)),
        CaseOrder::IdNumber => expect.sort_by(|a, b| (&a.0, a.2).cmp(&(&b.0, b.2))),
        CaseOrder::Initials => expect.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2))),
    }
    assert_eq!(keys, expect, "{q:?}: not in the order the list names");
}

/// Queries taken from the data: one, two and three characters of names (from the start
/// and from inside), ID prefixes of 2..8 digits, initials of 1..3 letters; and strings
/// that would be wildcards or escapes to LIKE.
fn queries_from(c: &Connection, rng: &mut ChaCha8Rng, n: usize) -> Vec<String> {
    let rows: Vec<(String, Option<String>, String)> = c
        .prepare("SELECT name, id_number, initials FROM child")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out: Vec<String> = [
        "%", "_", "\\", "%%", "_%", "\\%", "a%b", "张%", "%张", "张_", "张\\", "'", "\"", "张'三",
        "x", "X", "zsm", "Z", "ZS", "0", "2", "21", "210", "19", "9999", "21x",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for _ in 0..n {
        let (name, id, initials) = rows.choose(rng).unwrap();
        let chars: Vec<char> = name.chars().collect();
        for len in 1..=3.min(chars.len()) {
            let at = rng.random_range(0..=chars.len() - len);
            out.push(chars[..len].iter().collect());
            out.push(chars[at..at + len].iter().collect());
        }
        if let Some(id) = id {
            out.push(id[..rng.random_range(2..=8)].to_string());
        }
        if !initials.is_empty() {
            out.push(initials[..rng.random_range(1..=initials.len().min(3))].to_string());
        }
    }
    out
}

#[test]
fn the_search_agrees_with_a_brute_force_scan_after_every_kind_of_write() {
    let mut store = generated(3000);
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    assert_grams_in_step(store.conn(), "after the bulk load");
    for q in queries_from(store.conn(), &mut rng, 60) {
        check_query(store.conn(), &q);
    }

    // Inserts, renames (through the store and behind its back), hostile names, deletes.
    let today = today();
    let template = children::get(store.conn(), 1).unwrap().unwrap();
    let names = [
        "欧阳明华",
        "张",
        "A%b_c\\d",
        "Li Ming",
        "张三明张三",
        "王五",
        "%",
    ];
    let new_ids = store
        .write(|tx| {
            let mut ids = Vec::new();
            for name in names {
                let child = Child {
                    id: 0,
                    name: name.into(),
                    id_number: None,
                    phone: None,
                    school: None,
                    ..template.clone()
                };
                ids.push(children::insert(tx, &child, today)?);
            }
            Ok(ids)
        })
        .unwrap();
    // Each new child gets a case so that the search can list it.
    store
        .write(|tx| {
            for id in &new_ids {
                tx.execute(
                    "INSERT INTO case_file (child_id, status, opened_on, region, adult_on)
                     SELECT ?1, 'screening', '2026-11-01', region, '2040-01-01' FROM child WHERE id = ?1",
                    [id],
                )?;
            }
            Ok(())
        })
        .unwrap();
    assert_grams_in_step(store.conn(), "after inserts");
    store
        .write(|tx| {
            let mut renamed = children::get(tx, new_ids[0])?.expect("child");
            renamed.name = "司马小明".into();
            children::update(tx, &renamed, today)?;
            let mut other = children::get(tx, 5)?.expect("child");
            other.name = "张张".into();
            children::update(tx, &other, today)?;
            // Behind the store's back (its connection: audited tables need its functions).
            tx.execute("UPDATE child SET name = 'Ab%' WHERE id = ?1", [new_ids[1]])?;
            tx.execute("UPDATE child SET name = name WHERE id = 6", [])?;
            // A new ID number and initials behind the store's back; one taken away.
            tx.execute(
                "UPDATE child SET id_number = '210181201001010011', initials = 'qq' WHERE id = 7",
                [],
            )?;
            tx.execute("UPDATE child SET id_number = NULL WHERE id = 8", [])?;
            Ok(())
        })
        .unwrap();
    assert_grams_in_step(store.conn(), "after renames");
    // Deletes: children without a case (their cases go first).
    store
        .write(|tx| {
            for id in [new_ids[2], new_ids[3]] {
                tx.execute("DELETE FROM case_file WHERE child_id = ?1", [id])?;
                tx.execute("DELETE FROM child WHERE id = ?1", [id])?;
            }
            Ok(())
        })
        .unwrap();
    assert_grams_in_step(store.conn(), "after deletes");
    let mut qs = queries_from(store.conn(), &mut rng, 40);
    qs.extend(
        [
            "欧阳",
            "阳明华",
            "司马",
            "小明",
            "张张",
            "张三明",
            "ab%",
            "b%",
            "A%",
            "li m",
            "Li Ming",
            "i m",
            "三明张",
        ]
        .map(String::from),
    );
    for q in qs {
        check_query(store.conn(), &q);
    }
    assert!(brute_force(store.conn(), "欧阳").is_empty(), "renamed away");
    assert_eq!(brute_force(store.conn(), "司马小明").len(), 1);
}

#[test]
fn a_version_6_database_gets_its_name_pieces_when_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.db");
    {
        let c = version_6_database(&path);
        c.execute(
            "INSERT INTO region (code, name, level, parent) VALUES ('210100', '沈阳市', 'city', NULL)",
            [],
        )
        .unwrap();
        // 曾国强 with the initials of the character's first reading (céng), as versions
        // before 10 wrote them.
        for (i, (name, initials)) in [
            ("张三明", "zsm"),
            ("李小红", "lxh"),
            ("Ann%", "ann"),
            ("曾国强", "cgq"),
        ]
        .into_iter()
        .enumerate()
        {
            c.execute(
                "INSERT INTO child (name, initials, sex, birth_date, region) VALUES (?1, ?2, 'male', '2015-03-14', '210100')",
                params![name, initials],
            )
            .unwrap();
            c.execute(
                "INSERT INTO case_file (child_id, status, opened_on, region, adult_on)
                 VALUES (?1, 'awaiting_panel', '2026-11-01', '210100', '2033-03-14')",
                [i as i64 + 1],
            )
            .unwrap();
        }
    }
    let store = Store::open(&path).unwrap();
    let c = store.conn();
    assert_eq!(
        c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .unwrap() as usize,
        casepanel::store::SCHEMA_VERSION
    );
    // Migration 13: the search needs no index on the child's name, initials or region.
    let child_indexes: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'child'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(child_indexes, ["sqlite_autoindex_child_1"]);
    assert_grams_in_step(c, "after the migration");
    for q in ["张", "三明", "张三明", "小", "%", "n%", "zs", "ann"] {
        check_query(c, q);
    }
    let names: Vec<String> = queries::cases(c, &search("三"), 0, 10)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, vec!["张三明"]);
    // Version 10 wrote the surname's initials again, and the search keys followed.
    let initials: String = c
        .query_row(
            "SELECT initials FROM child WHERE name = '曾国强'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(initials, "zgq");
    for (q, found) in [("zgq", vec!["曾国强"]), ("cgq", vec![])] {
        let names: Vec<String> = queries::cases(c, &search(q), 0, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, found, "{q}");
    }
    let chain = casepanel::store::audit::verify_chain(c).unwrap();
    assert!(
        chain.broken.is_none(),
        "the migration leaves the trail whole"
    );
}

/// The severity order the list promises without a search, as a sort key (the region's
/// code, then the case number, break ties).
type SeverityKey = (bool, u8, bool, Option<chrono::NaiveDate>, String, i64);

fn severity_key(c: &Connection, r: &queries::CaseRow) -> SeverityKey {
    let region: String = c
        .prepare_cached("SELECT region FROM case_file WHERE id = ?1")
        .unwrap()
        .query_row([r.case_id], |x| x.get(0))
        .unwrap();
    (
        r.status == CaseStatus::Closed,
        r.level.map_or(4, RiskLevel::number),
        r.next_review.is_none(),
        r.next_review,
        region,
        r.case_id,
    )
}

#[test]
fn the_list_without_a_search_is_in_severity_order_under_every_filter() {
    let store = generated(2500);
    let c = store.conn();
    let region: String = c
        .query_row(
            "SELECT substr(region, 1, 4) || '00' FROM case_file GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut filters = vec![CaseFilter::default()];
    for s in CaseStatus::ALL {
        filters.push(CaseFilter {
            status: Some(*s),
            ..Default::default()
        });
    }
    for l in RiskLevel::ALL {
        filters.push(CaseFilter {
            level: Some(l),
            ..Default::default()
        });
        filters.push(CaseFilter {
            level: Some(l),
            status: Some(CaseStatus::Active),
            ..Default::default()
        });
    }
    filters.push(CaseFilter {
        difficulty: Some(DifficultyType::ALL[0]),
        region: Some(region.clone()),
        ..Default::default()
    });
    filters.push(CaseFilter {
        due_by: Some(today()),
        ..Default::default()
    });
    for t in DifficultyType::ALL.iter().take(3) {
        filters.push(CaseFilter {
            difficulty: Some(*t),
            ..Default::default()
        });
        filters.push(CaseFilter {
            difficulty: Some(*t),
            status: Some(CaseStatus::Active),
            ..Default::default()
        });
    }
    // A region big enough to be read along the list's order (the whole province).
    filters.push(CaseFilter {
        region: Some("21".into()),
        status: Some(CaseStatus::Active),
        ..Default::default()
    });
    filters.push(CaseFilter {
        region: Some("21".into()),
        due_by: Some(today() + chrono::Days::new(30)),
        ..Default::default()
    });
    filters.push(CaseFilter {
        due_by: Some(today()),
        level: Some(RiskLevel::ALL[1]),
        search: "张".into(),
        ..Default::default()
    });
    let all = listed(c, &CaseFilter::default());
    let mut by_id = BTreeMap::new();
    for r in &all {
        by_id.insert(r.case_id, r.clone());
    }
    // A county (the tallies' own areas) with a level; a township (below them).
    let (county, township): (String, String) = c
        .query_row(
            "SELECT substr(region, 1, 6), region FROM case_file WHERE length(region) > 6
             GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    filters.push(CaseFilter {
        region: Some(county.clone()),
        level: Some(RiskLevel::ALL[0]),
        ..Default::default()
    });
    filters.push(CaseFilter {
        region: Some(county),
        difficulty: Some(DifficultyType::ALL[1]),
        status: Some(CaseStatus::Active),
        ..Default::default()
    });
    filters.push(CaseFilter {
        region: Some(township),
        ..Default::default()
    });
    for f in filters {
        let rows = listed(c, &f);
        assert_eq!(rows.len(), queries::count_cases(c, &f).unwrap(), "{f:?}");
        assert_keyset_agrees(c, &f, &rows);
        // The tallies answer every filter without a search, a due date or a township.
        let tallied = f.search.is_empty()
            && f.due_by.is_none()
            && f.region.as_ref().is_none_or(|r| r.len() == 6);
        assert_eq!(
            queries::count_cases_tallied(c, &f).unwrap(),
            tallied.then_some(rows.len()),
            "{f:?}: the tallies' count"
        );
        assert!(
            !rows.is_empty() || f.search == "张",
            "{f:?}: the data has some"
        );
        for r in &rows {
            if let Some(s) = f.status {
                assert_eq!(r.status, s, "{f:?}");
            }
            if let Some(l) = f.level {
                assert_eq!(r.level, Some(l), "{f:?}");
            }
            if let Some(d) = f.due_by {
                assert!(r.status == CaseStatus::Active && r.next_review <= Some(d));
            }
            if let Some(reg) = &f.region {
                let code: String = c
                    .query_row(
                        "SELECT region FROM case_file WHERE id = ?1",
                        [r.case_id],
                        |x| x.get(0),
                    )
                    .unwrap();
                let prefix = queries::region_prefix(reg);
                assert!(code.starts_with(&prefix), "{f:?}");
            }
            assert_eq!(by_id.get(&r.case_id), Some(r), "{f:?}");
        }
        if CaseOrder::of(&f) == CaseOrder::Severity {
            let keys: Vec<SeverityKey> = rows.iter().map(|r| severity_key(c, r)).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "{f:?}: not in severity order");
        }
    }
    // The whole list is every case once.
    let n: i64 = c
        .query_row("SELECT count(*) FROM case_file", [], |r| r.get(0))
        .unwrap();
    assert_eq!(all.len(), n as usize);
}

#[test]
fn windows_are_read_from_an_index_not_sorted() {
    let store = generated(300);
    let c = store.conn();
    c.execute_batch("ANALYZE").unwrap();
    let filters = [
        CaseFilter::default(),
        CaseFilter {
            status: Some(CaseStatus::Active),
            ..Default::default()
        },
        CaseFilter {
            level: Some(RiskLevel::ALL[0]),
            ..Default::default()
        },
        search("张"),
        search("张三"),
        search("张三明"),
        search("2101"),
        search("zs"),
        CaseFilter {
            due_by: Some(today() + chrono::Days::new(30)),
            ..Default::default()
        },
        CaseFilter {
            due_by: Some(today()),
            region: Some("21".into()),
            ..Default::default()
        },
    ];
    for f in filters {
        let stmts = queries::case_list_statements(c, &f, 50, 1001).unwrap();
        let (windows, count) = stmts.split_at(stmts.len() - 1);
        // And the windows read next to a row by its key, both ways (PgDn, PgUp).
        let mut keyed = Vec::new();
        let some = queries::cases_from(c, &f, None, queries::Dir::Forward, 0, 20).unwrap();
        if let Some((_, key)) = some.get(some.len() / 2) {
            for dir in [queries::Dir::Forward, queries::Dir::Backward] {
                keyed.extend(queries::case_list_keyed_statements(c, &f, key, dir, 50).unwrap());
            }
        }
        for (sql, args) in windows.iter().chain(&keyed) {
            let plan = casepanel::store::explain_plan(c, sql, args).unwrap();
            assert!(
                !plan.contains("USE TEMP B-TREE FOR ORDER BY"),
                "{f:?}: the window sorts every match:\n{plan}"
            );
            assert!(
                !plan
                    .lines()
                    .any(|l| l.trim() == "SCAN c" || l.trim() == "SCAN k"),
                "{f:?}: a full scan:\n{plan}"
            );
        }
        let plan = casepanel::store::explain_plan(c, &count[0].0, &count[0].1).unwrap();
        assert!(
            !plan.contains("SCAN c"),
            "{f:?}: the count reads every child:\n{plan}"
        );
    }
}

#[test]
fn the_list_counts_to_a_cap_and_further_when_asked() {
    use casepanel::config::Config;
    use casepanel::domain::criteria::Catalogue;
    use casepanel::i18n::Lang;
    use casepanel::tui::app::App;
    use casepanel::tui::env::{Clock, Env};
    use casepanel::tui::screens::case_list::CaseList;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    let store = generated(1200);
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM case_file", [], |r| r.get(0))
        .unwrap();
    assert!(n > 1000, "the data must pass the cap");
    let mut env = Env::new(
        store,
        Catalogue::builtin(),
        Lang::Zh,
        Clock::Fixed(today().and_hms_opt(9, 0, 0).unwrap()),
        Config::default(),
    );
    let list = CaseList::open(&mut env, CaseFilter::default()).unwrap();
    let mut app = App::new(env, Box::new(list));
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("超过 1,000 件"), "{s}");
    assert!(s.contains("/ 1,000+"), "{s}");
    // End counts to the end and shows the last case of the severity order.
    app.on_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
    let s = screen(&mut app, 120, 30);
    let grouped = {
        let digits = n.to_string();
        let (a, b) = digits.split_at(digits.len() - 3);
        format!("{a},{b}")
    };
    assert!(s.contains(&format!("共 {grouped} 件")), "{s}");
    assert!(s.contains(&format!("/ {grouped}\n")), "{s}");
    let last = queries::cases(
        app.env.store.conn(),
        &CaseFilter::default(),
        n as usize - 1,
        1,
    )
    .unwrap()
    .remove(0);
    assert!(
        s.contains(&casepanel::domain::case::case_number(last.case_id)),
        "the last case is shown:\n{s}"
    );
    // PgUp, PgUp, k from the end (read by key, backwards): the range in the header is
    // right and the rows shown are the list's rows at those places.
    for code in [
        KeyCode::PageUp,
        KeyCode::PageUp,
        KeyCode::Char('k'),
        KeyCode::Down,
    ] {
        app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        let s = screen(&mut app, 120, 30);
        let all =
            queries::cases(app.env.store.conn(), &CaseFilter::default(), 0, n as usize).unwrap();
        assert_shows_its_range(&s, &all);
    }
    // Back to the top: the full count is kept.
    app.on_key(KeyEvent::new(KeyCode::Home, KeyModifiers::NONE));
    let s = screen(&mut app, 120, 30);
    assert!(
        s.contains(&format!("共 {grouped} 件")),
        "counted once, kept: {s}"
    );
}

/// The screen's "a–b / n" is right: n is the list's length and the rows shown are its rows
/// a to b (`all`: the whole list, read through offsets).
fn assert_shows_its_range(s: &str, all: &[queries::CaseRow]) {
    let n = all.len();
    let grouped = |x: usize| {
        let d = x.to_string();
        let mut out = String::new();
        for (i, ch) in d.chars().enumerate() {
            if i > 0 && (d.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        out
    };
    let tail = format!(" / {}\n", grouped(n));
    let line = s
        .lines()
        .find(|l| l.contains('–') && format!("{l}\n").ends_with(&tail))
        .unwrap_or_else(|| panic!("no range of {n} in the header:\n{s}"));
    let range = line.trim_end().rsplit(' ').nth(2).expect("a–b");
    let (a, b) = range.split_once('–').expect("a–b");
    let num = |x: &str| x.replace(',', "").parse::<usize>().expect("a number");
    let (a, b) = (num(a), num(b));
    assert!(a >= 1 && b <= n && a <= b, "{line}");
    for r in &all[a - 1..b] {
        let number = casepanel::domain::case::case_number(r.case_id);
        assert!(
            s.contains(&number),
            "{number} (in {a}–{b}) is not shown:\n{s}"
        );
    }
}

/// The re-review queue is two lists (awaiting the panel, then due): paging down across the
/// seam and back up by key, and End, show the right rows at the right places.
#[test]
fn the_queue_pages_by_key_across_its_two_lists() {
    use casepanel::config::Config;
    use casepanel::domain::criteria::Catalogue;
    use casepanel::i18n::Lang;
    use casepanel::tui::app::App;
    use casepanel::tui::env::{Clock, Env};
    use casepanel::tui::screens::case_list::CaseList;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    let store = generated(1200);
    let c = store.conn();
    let mut all = queries::cases(
        c,
        &CaseFilter {
            status: Some(CaseStatus::AwaitingPanel),
            ..Default::default()
        },
        0,
        100_000,
    )
    .unwrap();
    let waiting = all.len();
    all.extend(
        queries::cases(
            c,
            &CaseFilter {
                due_by: Some(today() + chrono::Days::new(30)),
                ..Default::default()
            },
            0,
            100_000,
        )
        .unwrap(),
    );
    assert!(
        waiting > 60 && all.len() > waiting + 60,
        "both lists span pages"
    );
    let mut env = Env::new(
        store,
        Catalogue::builtin(),
        Lang::En,
        Clock::Fixed(today().and_hms_opt(9, 0, 0).unwrap()),
        Config::default(),
    );
    let list = CaseList::queue(&mut env).unwrap();
    let mut app = App::new(env, Box::new(list));
    let key = |app: &mut App, code| app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    let pages = waiting / 20 + 3;
    let mut keys = vec![KeyCode::PageDown; pages];
    keys.extend([KeyCode::Char('j'); 30]);
    keys.extend(vec![KeyCode::PageUp; pages]);
    keys.extend([
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::Char('k'),
        KeyCode::Home,
    ]);
    for code in keys {
        key(&mut app, code);
        let s = screen(&mut app, 120, 30);
        assert_shows_its_range(&s, &all);
    }
}
