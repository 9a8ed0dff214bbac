//! Scoring on the shipped catalogue and on the points example: the rules, vignettes for each
//! of the notice's three levels, and properties over random answer sets.

use std::sync::LazyLock;

use casepanel::domain::RiskLevel;
use casepanel::domain::assessment::{Answer, AnswerEntry, Answers, Rule, Scoring};
use casepanel::domain::criteria::{
    Catalogue, OverrideError, check_override, diff, load_str, reportable_met, required_unknown,
    score,
};
use proptest::prelude::*;

static SHIPPED: LazyLock<Catalogue> = LazyLock::new(Catalogue::builtin);
static POINTS: LazyLock<Catalogue> = LazyLock::new(|| {
    load_str(
        include_str!("../assets/criteria/example-points.toml"),
        "example-points.toml",
    )
    .unwrap()
});

use RiskLevel::{L1, L2, L3};

/// Answers: `met` marked met, `not_met` marked not met, everything else unanswered.
fn answers(met: &[&str], not_met: &[&str]) -> Answers {
    let entry = |a| AnswerEntry {
        answer: a,
        evidence: String::new(),
    };
    met.iter()
        .map(|id| (id.to_string(), entry(Answer::Met)))
        .chain(
            not_met
                .iter()
                .map(|id| (id.to_string(), entry(Answer::NotMet))),
        )
        .collect()
}

/// The two required questions answered "not met", as a finished assessment would have them.
const CLEARED: &[&str] = &["L1-01", "L1-02"];

fn ids(v: &[&casepanel::domain::criteria::Indicator]) -> Vec<String> {
    v.iter().map(|i| i.id.clone()).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn highest(level: RiskLevel, met: &[&str]) -> Scoring {
    Scoring {
        level: Some(level),
        rule: Rule::HighestLevel {
            level,
            indicators: strings(met),
        },
    }
}

fn hard(met: &[&str]) -> Scoring {
    Scoring {
        level: Some(L1),
        rule: Rule::HardTrigger {
            indicators: strings(met),
        },
    }
}

// ---------------------------------------------------------------------------------------
// Vignettes: level 1 (一级风险)
// ---------------------------------------------------------------------------------------

/// A girl of 12 tells her class teacher that her stepfather has been sexually abusing her
/// at night; she is also withdrawn and her mother works away (L3-03). → level 1 by hard
/// trigger L1-02, a police report is due, and the panel cannot lower the level.
#[test]
fn vignette_l1_sexual_abuse_by_stepfather() {
    let a = answers(&["L1-02", "L3-03"], &["L1-01"]);
    let s = score(&SHIPPED, &a);
    assert_eq!(s, hard(&["L1-02"]));
    assert_eq!(ids(&reportable_met(&SHIPPED, &a)), ["L1-02"]);
    assert!(required_unknown(&SHIPPED, &a).is_empty());
    assert!(matches!(
        check_override(&SHIPPED, &a, &s, L2, "the stepfather has moved out"),
        Err(OverrideError::HardTrigger { .. })
    ));
}

/// A boy of 9 is brought to hospital by neighbours after his father beat him with a steel
/// pipe; the CT shows a skull fracture. He has been beaten before (L2-01, L2-02 also true).
/// → level 1 by hard trigger L1-01; reportable: L1-01, L2-01, L2-02.
#[test]
fn vignette_l1_life_threatening_beating() {
    let a = answers(&["L1-01", "L2-01", "L2-02"], &["L1-02"]);
    assert_eq!(score(&SHIPPED, &a), hard(&["L1-01"]));
    assert_eq!(
        ids(&reportable_met(&SHIPPED, &a)),
        ["L1-01", "L2-01", "L2-02"]
    );
}

/// A baby of about three months is found at the rescue station's gate with a note; police
/// find no parents. → level 1 by hard trigger L1-04 (abandonment), reportable.
#[test]
fn vignette_l1_abandoned_infant() {
    let a = answers(&["L1-04"], CLEARED);
    assert_eq!(score(&SHIPPED, &a), hard(&["L1-04"]));
    assert_eq!(ids(&reportable_met(&SHIPPED, &a)), ["L1-04"]);
}

/// A girl of 14 is introduced to methamphetamine by an older boyfriend and now uses it
/// weekly; she has stopped going to school. → level 1 by hard trigger L1-03.
#[test]
fn vignette_l1_drugs() {
    let a = answers(&["L1-03", "L3-07", "L3-05"], CLEARED);
    assert_eq!(score(&SHIPPED, &a), hard(&["L1-03"]));
}

/// A boy of 15 is freed by police from a workshop in another city where he was made to
/// work 14 hours a day after being lured from home (L1-06, not a hard trigger). His parents
/// had reported him missing and want him back. → level 1 by the highest-level rule; the
/// panel may lower it one step to level 2, with a reason, because nothing forbids it.
#[test]
fn vignette_l1_illegal_employment_can_be_lowered_with_reason() {
    let a = answers(&["L1-06", "L3-07"], CLEARED);
    let s = score(&SHIPPED, &a);
    assert_eq!(s, highest(L1, &["L1-06"]));
    assert_eq!(
        check_override(
            &SHIPPED,
            &a,
            &s,
            L2,
            "back with parents who searched for him"
        ),
        Ok(())
    );
    assert_eq!(
        check_override(&SHIPPED, &a, &s, L2, "   "),
        Err(OverrideError::EmptyReason)
    );
    assert!(matches!(
        check_override(&SHIPPED, &a, &s, L3, "x"),
        Err(OverrideError::TooFar { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Vignettes: level 2 (二级风险)
// ---------------------------------------------------------------------------------------

/// A boy of 10 is beaten repeatedly by a father who drinks; the school doctor has documented
/// bruises on his back three times this term. → level 2 (L2-01, L2-02, L2-07), police
/// reports due for L2-01 and L2-02.
#[test]
fn vignette_l2_drunk_father_documented_bruises() {
    let a = answers(&["L2-01", "L2-02", "L2-07"], CLEARED);
    let s = score(&SHIPPED, &a);
    assert_eq!(s, highest(L2, &["L2-01", "L2-02", "L2-07"]));
    assert_eq!(ids(&reportable_met(&SHIPPED, &a)), ["L2-01", "L2-02"]);
    // The panel, worried by an escalation the indicators do not capture, may raise it.
    assert_eq!(
        check_override(
            &SHIPPED,
            &a,
            &s,
            L1,
            "father bought a knife and threatened the boy"
        ),
        Ok(())
    );
}

/// Both parents of a boy of 11 are in prison for drug offences; he lives alone in the flat
/// and a neighbour feeds him now and then; he goes to school irregularly. → level 2 (L2-06:
/// de facto no guardian); nothing to report to the police.
#[test]
fn vignette_l2_parents_in_prison() {
    let a = answers(&["L2-06", "L3-02", "L3-07"], CLEARED);
    assert_eq!(score(&SHIPPED, &a), highest(L2, &["L2-06"]));
    assert!(reportable_met(&SHIPPED, &a).is_empty());
}

/// A girl of 8 lives with her mother and the mother's partner, who has a record for assault,
/// hits the mother in front of her and keeps threatening to throw the girl out. → level 2
/// (L2-03 threats, L2-04 risk of violence).
#[test]
fn vignette_l2_threats_and_domestic_violence() {
    let a = answers(&["L2-03", "L2-04", "L3-03"], CLEARED);
    let s = score(&SHIPPED, &a);
    assert_eq!(s, highest(L2, &["L2-03", "L2-04"]));
    // Lowering to level 3 is one step: allowed with a reason (not a hard trigger).
    assert_eq!(
        check_override(
            &SHIPPED,
            &a,
            &s,
            L3,
            "partner has left; protection order issued"
        ),
        Ok(())
    );
}

/// A boy of 13 has been brought back by the rescue station three times this year after
/// sleeping in internet cafés and the railway station. → level 2 (L2-08).
#[test]
fn vignette_l2_repeated_wandering() {
    let a = answers(&["L2-08", "L3-05"], CLEARED);
    assert_eq!(score(&SHIPPED, &a), highest(L2, &["L2-08"]));
}

// ---------------------------------------------------------------------------------------
// Vignettes: level 3 (三级风险)
// ---------------------------------------------------------------------------------------

/// A boy of 12 lives with grandparents in their seventies who cannot supervise him; he skips
/// school to play online games and has been caught shoplifting sweets. → level 3.
#[test]
fn vignette_l3_grandparents_cannot_supervise() {
    let a = answers(
        &["L3-02", "L3-05", "L3-07"],
        &["L1-01", "L1-02", "L2-01", "L2-05"],
    );
    let s = score(&SHIPPED, &a);
    assert_eq!(s, highest(L3, &["L3-02", "L3-05", "L3-07"]));
    assert!(reportable_met(&SHIPPED, &a).is_empty());
    assert!(matches!(
        check_override(&SHIPPED, &a, &s, L1, "x"),
        Err(OverrideError::TooFar { .. })
    ));
}

/// A left-behind girl of 11: her parents have worked in another province for three years
/// and call twice a year; she chats with strangers online and once went to meet one.
/// → level 3 (L3-03, L3-04).
#[test]
fn vignette_l3_left_behind_girl() {
    let a = answers(&["L3-03", "L3-04"], CLEARED);
    assert_eq!(score(&SHIPPED, &a), highest(L3, &["L3-03", "L3-04"]));
}

/// A family on the minimum-living allowance; the mother is ill and the daughter of 13 has
/// dropped out to look after her. → level 3 (L3-07, L3-08), whose menu offers social
/// assistance and poverty relief.
#[test]
fn vignette_l3_poverty_and_dropping_out() {
    let a = answers(&["L3-07", "L3-08"], CLEARED);
    assert_eq!(score(&SHIPPED, &a), highest(L3, &["L3-07", "L3-08"]));
    let menu: Vec<_> = SHIPPED.menu(L3).map(|m| m.id.as_str()).collect();
    assert!(menu.contains(&"social-assistance") && menu.contains(&"poverty-relief"));
}

/// A girl of 9 whose father "teaches" by shouting and whose mother spoils her; she follows
/// anyone who offers sweets. → level 3 (L3-01, L3-04, L3-06).
#[test]
fn vignette_l3_improper_upbringing() {
    let a = answers(&["L3-01", "L3-04", "L3-06"], CLEARED);
    assert_eq!(
        score(&SHIPPED, &a),
        highest(L3, &["L3-01", "L3-04", "L3-06"])
    );
}

// ---------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------

#[test]
fn nothing_met_is_no_level() {
    let none = Scoring {
        level: None,
        rule: Rule::NoneMet,
    };
    assert_eq!(score(&SHIPPED, &Answers::new()), none);
    let all_not_met: Vec<&str> = SHIPPED.indicators.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(score(&SHIPPED, &answers(&[], &all_not_met)), none);
}

#[test]
fn unknown_and_unanswered_count_as_not_met() {
    let mut a = answers(&["L3-01"], &[]);
    a.insert(
        "L1-02".into(),
        AnswerEntry {
            answer: Answer::Unknown,
            evidence: "awaiting exam".into(),
        },
    );
    assert_eq!(score(&SHIPPED, &a), highest(L3, &["L3-01"]));
}

#[test]
fn answers_to_unknown_ids_are_ignored() {
    assert_eq!(score(&SHIPPED, &answers(&["L9-99"], &[])).level, None);
}

#[test]
fn hard_triggers_win_and_all_are_listed_in_catalogue_order() {
    let a = answers(&["L3-01", "L2-01", "L1-04", "L1-05", "L1-02"], &[]);
    assert_eq!(score(&SHIPPED, &a), hard(&["L1-02", "L1-04"]));
}

#[test]
fn highest_level_lists_that_levels_met_indicators_only() {
    let a = answers(&["L1-07", "L2-03", "L3-01"], &[]);
    assert_eq!(score(&SHIPPED, &a), highest(L1, &["L1-07"]));
}

#[test]
fn points_method() {
    let p = |met: &[&str]| score(&POINTS, &answers(met, &[]));
    let points = |level, total, threshold| Scoring {
        level: Some(level),
        rule: Rule::Points {
            level,
            total,
            threshold,
        },
    };
    assert_eq!(
        p(&["L3-01"]),
        Scoring {
            level: None,
            rule: Rule::NoneMet
        }
    ); // 2 < 3
    assert_eq!(p(&["L3-01", "L3-02"]), points(L3, 3, 3));
    assert_eq!(p(&["L2-01"]), points(L3, 4, 3)); // one level-2 indicator alone reaches level 3
    assert_eq!(p(&["L2-01", "L2-02"]), points(L2, 8, 6));
    assert_eq!(p(&["L1-04", "L2-01"]), points(L1, 10, 10));
    assert_eq!(p(&["L1-03", "L3-01"]), hard(&["L1-03"]));
}

#[test]
fn override_rules() {
    let a = answers(&["L3-01"], CLEARED);
    let s = score(&SHIPPED, &a);
    assert_eq!(s.level, Some(L3));
    assert_eq!(
        check_override(&SHIPPED, &a, &s, L3, "reason"),
        Err(OverrideError::SameAsComputed(L3))
    );
    assert_eq!(
        check_override(&SHIPPED, &a, &s, L2, "mother relapsed"),
        Ok(())
    );
    assert_eq!(
        check_override(&SHIPPED, &a, &s, L2, ""),
        Err(OverrideError::EmptyReason)
    );
    assert_eq!(
        check_override(&SHIPPED, &a, &s, L2, " \n\t"),
        Err(OverrideError::EmptyReason)
    );
    assert_eq!(
        check_override(&SHIPPED, &a, &s, L1, "reason"),
        Err(OverrideError::TooFar {
            computed: Some(L3),
            proposed: L1
        })
    );

    // No level counts as one step below level 3.
    let none = score(&SHIPPED, &Answers::new());
    assert_eq!(
        check_override(&SHIPPED, &Answers::new(), &none, L3, "home visit worrying"),
        Ok(())
    );
    assert_eq!(
        check_override(&SHIPPED, &Answers::new(), &none, L2, "reason"),
        Err(OverrideError::TooFar {
            computed: None,
            proposed: L2
        })
    );

    // A hard trigger keeps level 1.
    let a = answers(&["L1-04"], &[]);
    let s = score(&SHIPPED, &a);
    assert_eq!(
        check_override(&SHIPPED, &a, &s, L1, "x"),
        Err(OverrideError::SameAsComputed(L1))
    );
    assert_eq!(
        check_override(&SHIPPED, &a, &s, L2, "grandmother took her in"),
        Err(OverrideError::HardTrigger {
            indicators: strings(&["L1-04"]),
            proposed: L2
        })
    );
}

#[test]
fn override_errors_say_what_to_do() {
    let msgs = [
        OverrideError::SameAsComputed(L2).to_string(),
        OverrideError::TooFar {
            computed: Some(L3),
            proposed: L1,
        }
        .to_string(),
        OverrideError::HardTrigger {
            indicators: strings(&["L1-02"]),
            proposed: L2,
        }
        .to_string(),
        OverrideError::EmptyReason.to_string(),
    ];
    assert!(msgs[0].contains("remove the override"));
    assert!(msgs[1].contains("one step") && msgs[1].contains("correct the answers"));
    assert!(msgs[2].contains("L1-02") && msgs[2].contains("change its answer"));
    assert!(msgs[3].contains("write why"));
}

#[test]
fn required_questions_block_until_answered() {
    assert_eq!(
        ids(&required_unknown(&SHIPPED, &Answers::new())),
        ["L1-01", "L1-02"]
    );
    let mut a = answers(&["L1-01"], &[]);
    a.insert(
        "L1-02".into(),
        AnswerEntry {
            answer: Answer::Unknown,
            evidence: String::new(),
        },
    );
    assert_eq!(ids(&required_unknown(&SHIPPED, &a)), ["L1-02"]);
    assert!(required_unknown(&SHIPPED, &answers(&["L1-01"], &["L1-02"])).is_empty());
}

#[test]
fn diff_between_reviews() {
    let before = answers(&["L2-01", "L3-02"], &["L1-01"]);
    let mut after = answers(&["L3-02", "L1-01"], &["L2-01"]);
    after.get_mut("L3-02").unwrap().evidence = "new visit note".into(); // evidence only: no change
    after.insert(
        "L3-05".into(),
        AnswerEntry {
            answer: Answer::Met,
            evidence: String::new(),
        },
    );
    after.insert(
        "L3-06".into(),
        AnswerEntry {
            answer: Answer::Unknown,
            evidence: String::new(),
        },
    );
    assert_eq!(
        diff(&before, &after),
        vec![
            ("L1-01".to_string(), Some(Answer::NotMet), Some(Answer::Met)),
            ("L2-01".to_string(), Some(Answer::Met), Some(Answer::NotMet)),
            ("L3-05".to_string(), None, Some(Answer::Met)),
        ]
    );
    assert!(diff(&after, &after).is_empty());
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

/// 0 = unanswered, 1 = met, 2 = not met, 3 = unknown; one per indicator.
fn random_answers(cat: &Catalogue, codes: &[u8]) -> Answers {
    cat.indicators
        .iter()
        .zip(codes)
        .filter_map(|(i, c)| {
            let answer = match c % 4 {
                0 => return None,
                1 => Answer::Met,
                2 => Answer::NotMet,
                _ => Answer::Unknown,
            };
            Some((
                i.id.clone(),
                AnswerEntry {
                    answer,
                    evidence: String::new(),
                },
            ))
        })
        .collect()
}

/// Higher is more severe: no level 0, level 3 → 1, level 1 → 3.
fn severity(l: Option<RiskLevel>) -> u8 {
    l.map_or(0, |l| 4 - l.number())
}

fn catalogues() -> [&'static Catalogue; 2] {
    [&SHIPPED, &POINTS]
}

fn reason() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" \t\n".to_string()),
        "[a-z ]{0,12}"
    ]
}

proptest! {
    #[test]
    fn one_more_met_never_lowers_the_level(which in 0usize..2, codes in prop::collection::vec(0u8..4, 40), pick in 0usize..40) {
        let cat = catalogues()[which];
        let a = random_answers(cat, &codes);
        let id = cat.indicators[pick % cat.indicators.len()].id.clone();
        let mut more = a.clone();
        more.insert(id, AnswerEntry { answer: Answer::Met, evidence: String::new() });
        prop_assert!(severity(score(cat, &more).level) >= severity(score(cat, &a).level));
    }

    #[test]
    fn hard_triggers_always_win(which in 0usize..2, codes in prop::collection::vec(0u8..4, 40)) {
        let cat = catalogues()[which];
        let a = random_answers(cat, &codes);
        let met_hard: Vec<String> = cat.indicators.iter()
            .filter(|i| i.hard_trigger && a.get(&i.id).is_some_and(|e| e.answer == Answer::Met))
            .map(|i| i.id.clone())
            .collect();
        let s = score(cat, &a);
        if met_hard.is_empty() {
            let by_hard_trigger = matches!(s.rule, Rule::HardTrigger { .. });
            prop_assert!(!by_hard_trigger);
        } else {
            prop_assert_eq!(s, Scoring { level: Some(L1), rule: Rule::HardTrigger { indicators: met_hard } });
        }
    }

    #[test]
    fn overrides_stay_within_the_rules(
        which in 0usize..2,
        codes in prop::collection::vec(0u8..4, 40),
        proposed in 1u8..=3,
        reason in reason(),
    ) {
        let cat = catalogues()[which];
        let a = random_answers(cat, &codes);
        let s = score(cat, &a);
        let proposed = RiskLevel::from_number(proposed).unwrap();
        let result = check_override(cat, &a, &s, proposed, &reason);
        let from = s.level.map_or(4, RiskLevel::number);
        if from.abs_diff(proposed.number()) > 1 {
            prop_assert!(result.is_err(), "two steps accepted");
        }
        if reason.trim().is_empty() {
            prop_assert!(result.is_err(), "empty reason accepted");
        }
        if matches!(s.rule, Rule::HardTrigger { .. }) && proposed != L1 {
            let refused = matches!(result, Err(OverrideError::HardTrigger { .. }));
            prop_assert!(refused, "hard trigger lowered");
        }
        if result.is_ok() {
            prop_assert!(s.level != Some(proposed) && from.abs_diff(proposed.number()) == 1 && !reason.trim().is_empty());
        }
    }

    #[test]
    fn diff_lists_exactly_the_changed_answers(x in prop::collection::vec(0u8..4, 40), y in prop::collection::vec(0u8..4, 40)) {
        let (a, b) = (random_answers(&SHIPPED, &x), random_answers(&SHIPPED, &y));
        let effective = |ans: &Answers, id: &str| ans.get(id).map_or(Answer::Unknown, |e| e.answer);
        let changed: Vec<String> = diff(&a, &b).into_iter().map(|(id, _, _)| id).collect();
        let mut expected: Vec<String> = SHIPPED.indicators.iter()
            .filter(|i| effective(&a, &i.id) != effective(&b, &i.id))
            .map(|i| i.id.clone())
            .collect();
        expected.sort();
        prop_assert_eq!(changed, expected);
    }
}
