//! The family situations behind invented cases, and the Chinese text built from them.
//!
//! A [`Story`] ties together what a real file would show consistently: who the guardians
//! are and what stops them caring, the difficulty types screening records, which criteria
//! indicators the panel is likely to find met, the measures it tends to choose, and the
//! sentences reports and visit notes are made of.
//!
//! Every template is plain NFC text without control characters, so the bulk loader may
//! store it as it is. Slots in braces are filled by [`fill`].

use rand::Rng;

use super::{GenRng, pick};
use crate::domain::child::Sex;
use crate::domain::difficulty::DifficultyType as T;
use crate::domain::guardian::{GuardianStatus as S, Relation as R};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Story {
    /// 留守: parents away working, grandparents caring.
    LeftBehind,
    ParentPrison,
    ParentDrugs,
    ParentIll,
    DomesticViolence,
    Neglect,
    Poverty,
    Wandering,
    OwnIllness,
    Abandoned,
    SexualAbuse,
    Behaviour,
    MentalHealth,
}

/// Relative frequencies.
pub const STORIES: &[(Story, u32)] = &[
    (Story::LeftBehind, 22),
    (Story::ParentPrison, 8),
    (Story::ParentDrugs, 5),
    (Story::ParentIll, 10),
    (Story::DomesticViolence, 9),
    (Story::Neglect, 10),
    (Story::Poverty, 14),
    (Story::Wandering, 4),
    (Story::OwnIllness, 7),
    (Story::Abandoned, 2),
    (Story::SexualAbuse, 1),
    (Story::Behaviour, 5),
    (Story::MentalHealth, 3),
];

/// A guardian before names and phones: relation, status and the word a note uses.
#[derive(Debug, Clone, Copy)]
pub struct GuardianSketch {
    pub relation: R,
    pub status: S,
    /// 父亲, 奶奶, 姥姥, 姑姑...
    pub word: &'static str,
    pub sex: Sex,
}

const fn g(relation: R, status: S, word: &'static str, sex: Sex) -> GuardianSketch {
    GuardianSketch {
        relation,
        status,
        word,
        sex,
    }
}

fn grandparent(rng: &mut GenRng, status: S) -> GuardianSketch {
    let (word, sex) = pick(
        rng,
        &[
            ("奶奶", Sex::Female),
            ("爷爷", Sex::Male),
            ("姥姥", Sex::Female),
            ("姥爷", Sex::Male),
        ],
    );
    g(R::Grandparent, status, word, sex)
}

fn relative(rng: &mut GenRng) -> GuardianSketch {
    let (word, sex) = pick(
        rng,
        &[
            ("姑姑", Sex::Female),
            ("舅舅", Sex::Male),
            ("叔叔", Sex::Male),
            ("姨妈", Sex::Female),
        ],
    );
    g(R::OtherRelative, S::Present, word, sex)
}

fn father(status: S) -> GuardianSketch {
    g(R::Father, status, "父亲", Sex::Male)
}

fn mother(status: S) -> GuardianSketch {
    g(R::Mother, status, "母亲", Sex::Female)
}

/// Weighted choice among a few statuses: (status, weight).
fn status(rng: &mut GenRng, options: &[(S, u32)]) -> S {
    let total: u32 = options.iter().map(|o| o.1).sum();
    let mut x = rng.random_range(0..total);
    for &(s, w) in options {
        if x < w {
            return s;
        }
        x -= w;
    }
    options[0].0
}

impl Story {
    /// One or two guardians, the first being the one the child lives with (if anyone).
    pub fn guardians(self, rng: &mut GenRng) -> Vec<GuardianSketch> {
        use Story::*;
        let coin = rng.random_ratio(1, 2);
        match self {
            LeftBehind => {
                if rng.random_ratio(3, 4) {
                    let st = status(
                        rng,
                        &[
                            (S::Present, 80),
                            (S::SeriouslyIll, 15),
                            (S::SeverelyDisabled, 5),
                        ],
                    );
                    let gp = grandparent(rng, st);
                    let away = if rng.random_ratio(3, 4) {
                        father(S::WorkingAway)
                    } else {
                        mother(S::WorkingAway)
                    };
                    vec![gp, away]
                } else {
                    vec![father(S::WorkingAway), mother(S::WorkingAway)]
                }
            }
            ParentPrison => {
                if rng.random_ratio(4, 5) {
                    let m = status(
                        rng,
                        &[
                            (S::WhereaboutsUnknown, 35),
                            (S::Present, 35),
                            (S::WorkingAway, 20),
                            (S::Deceased, 10),
                        ],
                    );
                    vec![father(S::InPrison), mother(m)]
                } else {
                    vec![grandparent(rng, S::Present), mother(S::InPrison)]
                }
            }
            ParentDrugs => {
                if coin {
                    vec![
                        father(S::UsesDrugs),
                        mother(status(
                            rng,
                            &[(S::Present, 60), (S::WhereaboutsUnknown, 40)],
                        )),
                    ]
                } else {
                    vec![mother(S::UsesDrugs), grandparent(rng, S::Present)]
                }
            }
            ParentIll => {
                let ill = status(rng, &[(S::SeriouslyIll, 65), (S::SeverelyDisabled, 35)]);
                if coin {
                    vec![
                        mother(ill),
                        father(status(
                            rng,
                            &[(S::Present, 40), (S::WorkingAway, 35), (S::Deceased, 25)],
                        )),
                    ]
                } else {
                    vec![
                        father(ill),
                        mother(status(
                            rng,
                            &[(S::Present, 70), (S::WhereaboutsUnknown, 30)],
                        )),
                    ]
                }
            }
            DomesticViolence => {
                if rng.random_ratio(5, 6) {
                    vec![father(S::Present), mother(S::Present)]
                } else {
                    vec![mother(S::Present)]
                }
            }
            Neglect => {
                if coin {
                    vec![mother(S::Present)]
                } else {
                    vec![
                        father(S::Present),
                        mother(status(
                            rng,
                            &[(S::WorkingAway, 50), (S::WhereaboutsUnknown, 50)],
                        )),
                    ]
                }
            }
            Poverty => {
                if rng.random_ratio(2, 3) {
                    vec![
                        mother(S::Present),
                        father(status(
                            rng,
                            &[
                                (S::Deceased, 40),
                                (S::SeriouslyIll, 30),
                                (S::SeverelyDisabled, 30),
                            ],
                        )),
                    ]
                } else {
                    vec![grandparent(rng, S::Present)]
                }
            }
            Wandering => {
                if coin {
                    vec![
                        father(status(rng, &[(S::WorkingAway, 50), (S::Other, 50)])),
                        mother(S::WhereaboutsUnknown),
                    ]
                } else {
                    vec![relative(rng)]
                }
            }
            OwnIllness => vec![
                mother(S::Present),
                father(status(rng, &[(S::Present, 60), (S::WorkingAway, 40)])),
            ],
            Abandoned => {
                if rng.random_ratio(1, 2) {
                    vec![g(R::Institution, S::Present, "福利院", Sex::Female)]
                } else {
                    vec![grandparent(rng, S::Present), father(S::WhereaboutsUnknown)]
                }
            }
            SexualAbuse => vec![
                mother(S::Present),
                father(status(rng, &[(S::WorkingAway, 60), (S::Present, 40)])),
            ],
            Behaviour => {
                if coin {
                    vec![
                        father(S::Present),
                        mother(status(rng, &[(S::WorkingAway, 60), (S::Present, 40)])),
                    ]
                } else {
                    vec![grandparent(rng, S::Present)]
                }
            }
            MentalHealth => vec![mother(S::Present), father(S::Present)],
        }
    }

    /// Difficulty types as screening records them: the story's own, and some that often
    /// come with it.
    pub fn types(self, rng: &mut GenRng) -> Vec<T> {
        use Story::*;
        let mut out: Vec<T> = Vec::with_capacity(3);
        let maybe = |rng: &mut GenRng, pct: u32, t: T, out: &mut Vec<T>| {
            if rng.random_ratio(pct, 100) {
                out.push(t);
            }
        };
        match self {
            LeftBehind => {
                out.push(T::ImproperCare);
                maybe(rng, 50, T::GuardianMissing, &mut out);
                maybe(rng, 20, T::Poverty, &mut out);
            }
            ParentPrison => {
                out.extend([T::NoGuardianDeFacto, T::ParentAddictionPrison]);
                maybe(rng, 30, T::Poverty, &mut out);
            }
            ParentDrugs => {
                out.extend([T::ParentAddictionPrison, T::ImproperCare]);
                maybe(rng, 40, T::NoGuardianDeFacto, &mut out);
            }
            ParentIll => {
                out.push(if rng.random_ratio(1, 2) {
                    T::NoGuardianDeFacto
                } else {
                    T::Poverty
                });
                maybe(rng, 50, T::Poverty, &mut out);
            }
            DomesticViolence => out.extend([T::DomesticViolence, T::ImproperCare]),
            Neglect => {
                out.push(T::ImproperCare);
                maybe(rng, 15, T::OutOfSchool, &mut out);
            }
            Poverty => {
                out.push(T::Poverty);
                maybe(rng, 20, T::OutOfSchool, &mut out);
            }
            Wandering => {
                out.extend([T::Wandering, T::WanderingBegging]);
                maybe(rng, 40, T::OutOfSchool, &mut out);
            }
            OwnIllness => {
                out.push(T::OwnIllnessDisability);
                maybe(rng, 40, T::Poverty, &mut out);
            }
            Abandoned => out.extend([T::TraffickedAbusedAbandoned, T::GuardianMissing]),
            SexualAbuse => out.push(T::TraffickedAbusedAbandoned),
            Behaviour => {
                out.push(T::ImproperCare);
                maybe(rng, 50, T::OutOfSchool, &mut out);
            }
            MentalHealth => {
                out.push(T::MentalIllness);
                maybe(rng, 30, T::OwnIllnessDisability, &mut out);
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Indicators the panel may find met, each with its chance in percent. At least the
    /// first is met whenever none of the draws is.
    pub fn indicators(self) -> &'static [(&'static str, u32)] {
        use Story::*;
        match self {
            LeftBehind => &[
                ("L3-03", 90),
                ("L3-02", 60),
                ("L3-04", 30),
                ("L3-05", 20),
                ("L2-05", 8),
            ],
            ParentPrison => &[("L3-03", 70), ("L2-06", 45), ("L3-08", 40), ("L3-02", 30)],
            ParentDrugs => &[
                ("L2-07", 75),
                ("L2-05", 40),
                ("L3-01", 30),
                ("L2-06", 20),
                ("L1-03", 3),
            ],
            ParentIll => &[("L3-08", 60), ("L3-02", 50), ("L3-03", 30), ("L2-06", 25)],
            DomesticViolence => &[
                ("L2-04", 80),
                ("L3-01", 40),
                ("L2-01", 25),
                ("L2-02", 25),
                ("L2-03", 20),
                ("L1-01", 5),
                ("L1-07", 3),
            ],
            Neglect => &[("L3-02", 80), ("L2-05", 40), ("L3-01", 40), ("L3-06", 20)],
            Poverty => &[("L3-08", 90), ("L3-07", 20), ("L3-02", 20)],
            Wandering => &[
                ("L2-08", 80),
                ("L3-05", 40),
                ("L3-07", 40),
                ("L1-08", 12),
                ("L1-06", 8),
            ],
            OwnIllness => &[("L3-09", 90), ("L3-06", 40), ("L3-08", 40)],
            Abandoned => &[("L1-04", 90), ("L3-03", 50), ("L1-05", 5)],
            SexualAbuse => &[("L1-02", 90), ("L1-07", 40), ("L2-03", 20)],
            Behaviour => &[("L3-05", 90), ("L3-07", 45), ("L3-01", 40), ("L2-08", 10)],
            MentalHealth => &[("L3-06", 60), ("L3-03", 40), ("L3-04", 30), ("L1-07", 20)],
        }
    }

    /// Measures the panel prefers for this situation, most likely first (filtered by the
    /// level's menu when chosen).
    pub fn preferred_interventions(self) -> &'static [&'static str] {
        use Story::*;
        match self {
            LeftBehind => &[
                "follow-up",
                "guardianship-education",
                "guardianship-support",
                "referral",
            ],
            ParentPrison => &[
                "entrusted-guardianship",
                "social-assistance",
                "substitute-care",
                "follow-up",
            ],
            ParentDrugs => &[
                "police-report",
                "guardianship-support",
                "entrusted-guardianship",
                "psych-one-to-one",
            ],
            ParentIll => &[
                "social-assistance",
                "guardianship-support",
                "social-welfare",
                "follow-up",
            ],
            DomesticViolence => &[
                "admonish",
                "police-report",
                "psych-one-to-one",
                "legal-aid",
                "judicial-intervention",
            ],
            Neglect => &[
                "admonish",
                "guardianship-education",
                "guardianship-support",
                "follow-up",
            ],
            Poverty => &[
                "social-assistance",
                "poverty-relief",
                "social-welfare",
                "follow-up",
            ],
            Wandering => &[
                "referral",
                "follow-up",
                "psych-one-to-one",
                "temporary-guardianship",
            ],
            OwnIllness => &[
                "social-welfare",
                "social-assistance",
                "referral",
                "follow-up",
            ],
            Abandoned => &[
                "temporary-guardianship",
                "state-guardianship",
                "judicial-intervention",
            ],
            SexualAbuse => &[
                "judicial-intervention",
                "psych-one-to-one",
                "temporary-guardianship",
                "legal-aid",
            ],
            Behaviour => &[
                "guardianship-education",
                "referral",
                "follow-up",
                "psych-one-to-one",
            ],
            MentalHealth => &[
                "psych-one-to-one",
                "referral",
                "follow-up",
                "temporary-guardianship",
            ],
        }
    }

    /// What a report says about the situation.
    pub fn report_lines(self) -> &'static [&'static str] {
        use Story::*;
        match self {
            LeftBehind => &[
                "该儿童父母常年在外务工，与年迈的{照料人}共同生活，放学后经常无人看管。",
                "孩子父母外出务工已两年未回家，{照料人}年老体弱，难以辅导功课和照看起居。",
                "孩子近期经常独自在村口玩耍到天黑，{照料人}腿脚不便，叫不回来。",
                "孩子父母离家打工后很少联系，孩子情绪低落，在校常一个人发呆。",
            ],
            ParentPrison => &[
                "该儿童父亲因犯罪正在服刑，母亲离家后下落不明，孩子由亲属临时照看。",
                "孩子的监护人正在监狱服刑，家中无人照料，孩子吃住不固定。",
                "孩子父亲服刑期间，家里生活困难，孩子冬季衣物不足。",
            ],
            ParentDrugs => &[
                "邻居反映孩子的监护人有吸毒史，近期常有陌生人出入其家中，孩子无人照管。",
                "孩子监护人因吸毒被强制隔离戒毒，孩子目前由老人照看，老人无力负担。",
                "孩子{照料人}反映，监护人吸毒后情绪失控，家中经常吵闹，孩子受到惊吓。",
            ],
            ParentIll => &[
                "孩子的监护人身患重病长期卧床，家中收入微薄，孩子需要照顾病人。",
                "监护人重度残疾，生活不能自理，孩子放学后要做饭、洗衣，学习受影响。",
                "家庭因病致贫，孩子曾提出想退学打工补贴家用。",
            ],
            DomesticViolence => &[
                "邻居多次听到孩子家中传出打骂声和哭喊声，怀疑孩子遭受家庭暴力。",
                "孩子到校时手臂有多处淤青，询问后称是父亲酒后所打。",
                "孩子母亲求助称丈夫长期酗酒打人，孩子多次目睹家暴，晚上不敢回家。",
                "孩子脸部有新伤，班主任询问时孩子回避，不愿回家。",
            ],
            Neglect => &[
                "孩子经常独自在家，三餐不定，冬天穿着单薄在外游荡。",
                "年幼的孩子多次被发现独自在马路边玩耍，家长长时间不在身边。",
                "孩子头发、衣服长期不洗，常说吃不饱，家长对孩子去向不闻不问。",
            ],
            Poverty => &[
                "家庭为低保户，收入主要依靠低保金，孩子学习用品和冬季取暖费用难以保障。",
                "孩子家中住房破旧，屋顶漏雨，家庭无稳定收入。",
                "家庭经济十分困难，孩子午饭经常只吃馒头咸菜。",
            ],
            Wandering => &[
                "孩子在火车站附近徘徊乞讨，被巡查人员发现后护送至救助管理站。",
                "孩子多次离家出走，在网吧和桥洞过夜，家人寻找多日才找回。",
                "夜间在商业街发现一名未成年人独自游荡，自称不愿回家。",
            ],
            OwnIllness => &[
                "孩子患有先天性疾病，需要长期治疗，家庭负担沉重。",
                "孩子为持证残疾儿童，康复训练因费用问题中断。",
                "孩子患重病住院，家长无力承担后续治疗费用。",
            ],
            Abandoned => &[
                "在医院走廊发现一名无人认领的儿童，身边留有字条，监护人去向不明。",
                "孩子监护人离家后一直未归，也未作任何照料安排，孩子靠邻居接济。",
                "一名幼儿被遗留在村头，经派出所查找未能联系到家人。",
            ],
            SexualAbuse => &[
                "孩子向老师透露曾被熟人猥亵，学校已第一时间报警。",
                "医院接诊时发现孩子有疑似遭受性侵害的情况，已报告公安机关。",
                "家长发现孩子手机中有陌生成年人发来的不当内容并索要照片，已报警。",
            ],
            Behaviour => &[
                "孩子经常逃学泡网吧，与社会闲散人员来往，家长管教不住。",
                "孩子近期在校多次打架，并有小偷小摸行为，家长对此不以为然。",
                "孩子已辍学在家，整天玩手机游戏，昼夜颠倒。",
            ],
            MentalHealth => &[
                "孩子近期情绪明显低落，曾在作文中流露轻生念头，班主任已告知家长。",
                "孩子被诊断为抑郁症，时常拒绝上学，家长不知如何应对。",
                "孩子手臂上发现自伤痕迹，家长此前并不知情。",
            ],
        }
    }

    /// The family, as the first paragraph of a visit note.
    pub fn family_lines(self) -> &'static [&'static str] {
        use Story::*;
        match self {
            LeftBehind => &[
                "孩子父母在外地务工，每年春节回家一次，平时由{照料人}照看。",
                "{照料人}今年七十多岁，患有高血压，平日靠种地和子女寄回的生活费维持。",
                "父母很少打电话回来，孩子说已经记不清上次和妈妈视频是什么时候。",
                "家中还有一个弟弟，也由{照料人}一并照看，老人感到力不从心。",
            ],
            ParentPrison => &[
                "孩子父亲因盗窃罪服刑，预计两年后刑满释放；母亲离家多年，联系不上。",
                "目前孩子由亲属临时照看，亲属表示自家也有困难，只能暂时照看。",
                "家中无固定收入，村委会已帮助申请临时救助。",
                "孩子知道父亲在服刑，不愿在同学面前提起家里的事。",
            ],
            ParentDrugs => &[
                "监护人有多年吸毒史，曾两次被强制隔离戒毒，目前仍无稳定工作。",
                "家中物品凌乱，{照料人}表示监护人经常夜不归宿，家里的钱都被拿走。",
                "{照料人}年纪大了，担心自己照顾不了孩子几年。",
            ],
            ParentIll => &[
                "监护人患病多年，需长期服药，家庭主要收入用于看病。",
                "家庭已纳入低保，但医疗支出大，仍入不敷出。",
                "孩子每天放学后要照顾卧床的家长，做饭、喂药都是孩子在做。",
            ],
            DomesticViolence => &[
                "孩子父亲长期酗酒，酒后常打骂妻儿，派出所曾多次出警调解。",
                "母亲说过去几年一直忍着，这次孩子被打伤才下决心求助。",
                "父亲承认打过孩子，但认为是正常管教，态度较为抵触。",
                "夫妻关系紧张，母亲曾带孩子回娘家住过一段时间。",
            ],
            Neglect => &[
                "家长早出晚归打零工，孩子放学后一个人在家，晚饭常常是方便面。",
                "家长对孩子的日常起居缺乏照顾，孩子衣服破旧，个人卫生较差。",
                "家长认为孩子大了，自己能照顾自己，对工作人员的提醒不太在意。",
            ],
            Poverty => &[
                "家庭为低保户，主要收入为低保金和少量务农收入。",
                "家中有患病老人需要照顾，收入难以维持基本生活。",
                "住房为上世纪八十年代的土坯房，冬季取暖依靠火炕。",
            ],
            Wandering => &[
                "孩子家庭关系紧张，与监护人经常发生冲突后离家。",
                "孩子此前已有三次离家出走记录，最长一次在外十余天。",
                "监护人常年在外，孩子寄住在亲属家，亲属管教不住。",
            ],
            OwnIllness => &[
                "孩子出生后即确诊患病，多年来辗转多家医院治疗。",
                "家长为照顾孩子无法外出工作，家庭收入有限。",
                "孩子持有残疾证，目前在县残联定点机构进行康复训练。",
            ],
            Abandoned => &[
                "孩子被发现后由派出所送至福利机构临时照料，身份信息仍在核查中。",
                "监护人离家时未留下联系方式，亲属也不知其去向。",
                "村委会和派出所已多方寻找孩子的其他亲属，暂无结果。",
            ],
            SexualAbuse => &[
                "案件已由公安机关立案侦查，家长情绪激动，担心孩子受到二次伤害。",
                "母亲表示事发后孩子夜里常做噩梦，不愿独自出门。",
                "家长对报案后的流程不了解，希望得到法律方面的帮助。",
            ],
            Behaviour => &[
                "家长管教方式简单，孩子犯错时要么打骂，要么不管。",
                "孩子与家长沟通很少，回家后基本都在玩手机。",
                "家长说孩子上了初中后变化很大，自己已经管不了了。",
            ],
            MentalHealth => &[
                "家长对心理问题认识不足，起初认为孩子是在闹情绪。",
                "孩子已在医院精神科就诊，医生建议定期复诊和心理咨询。",
                "家庭关系尚可，但家长工作忙，与孩子交流不多。",
            ],
        }
    }

    /// What worries the visitors, for the last paragraph.
    pub fn concern_lines(self) -> &'static [&'static str] {
        use Story::*;
        match self {
            LeftBehind => &[
                "孩子长期缺少父母陪伴，情感需求得不到满足，安全意识较弱。",
                "{照料人}身体状况下降，今后照料能力存在不确定性。",
            ],
            ParentPrison => &[
                "孩子目前实际照料人不固定，存在事实无人监护的风险。",
                "孩子对父亲服刑一事有较大心理压力，需要关注其情绪变化。",
            ],
            ParentDrugs => &[
                "监护人仍有复吸可能，孩子生活环境存在安全隐患。",
                "孩子长期生活在不稳定的环境中，需评估是否需要委托监护。",
            ],
            ParentIll => &[
                "孩子承担了过多家务和照料责任，学习和休息时间难以保障。",
                "家庭医疗负担重，需协调落实医疗救助和生活救助。",
            ],
            DomesticViolence => &[
                "施暴者仍与孩子共同生活，孩子面临再次受到伤害的风险。",
                "孩子长期目睹家庭暴力，已出现胆小、易受惊吓等表现。",
            ],
            Neglect => &[
                "孩子年龄较小，长时间独处存在安全隐患。",
                "家长监护意识淡薄，需要加强监护指导。",
            ],
            Poverty => &[
                "家庭经济困难可能影响孩子继续上学。",
                "冬季取暖和孩子营养状况需要关注。",
            ],
            Wandering => &[
                "孩子有再次离家出走的可能，外出期间极易受到侵害。",
                "孩子在外流浪期间可能接触不良人员，需要及时干预。",
            ],
            OwnIllness => &[
                "孩子后续治疗和康复费用缺口较大。",
                "孩子因病休学，与同龄人交往少，需要关注心理状况。",
            ],
            Abandoned => &[
                "孩子目前无监护人，需尽快落实临时监护。",
                "需继续查找孩子的亲属，评估是否具备家庭照料条件。",
            ],
            SexualAbuse => &[
                "孩子需要专业心理干预，询问时应避免反复陈述造成二次伤害。",
                "需确保嫌疑人不能再接触孩子。",
            ],
            Behaviour => &[
                "孩子有进一步出现严重不良行为的风险。",
                "家长教育方式不当，家庭教育指导需跟进。",
            ],
            MentalHealth => &[
                "孩子存在自伤风险，需要家长和学校共同看护。",
                "孩子需坚持治疗，家长对复诊重视不够。",
            ],
        }
    }
}

/// How a report begins, by channel code.
pub fn report_opening(channel: &str) -> &'static [&'static str] {
    match channel {
        "community_officer" => &["社区专干排查发现：", "未保专干入户排查时发现："],
        "assistance_info_officer" => &["社区救助信息员报告：", "救助信息员反映："],
        "volunteer" => &["志愿者在走访中发现：", "志愿者反映："],
        "resident" => &["社区群众反映：", "邻居反映："],
        "night_guard" => &["小区夜间保安报告：", "夜班保安巡逻时发现："],
        "teacher" => &["班主任反映：", "学校老师来电反映："],
        "doctor" => &["医院接诊医生报告：", "医生反映："],
        "community_worker" => &["社区工作者反映：", "村委会工作人员报告："],
        "relative_friend" => &["亲属来电反映：", "孩子亲友求助："],
        "centre_patrol" => &["中心定时巡查发现：", "巡查组街面巡查时发现："],
        "hotline" => &["热线来电称：", "热线接到匿名来电："],
        "police" => &["公安机关通报：", "派出所转来线索："],
        "justice" => &["司法局通报：", "司法所转来线索："],
        "court" => &["法院转来线索：", "人民法院在审理案件中发现："],
        "procuratorate" => &["检察院转来线索：", "人民检察院通报："],
        "womens_federation" => &["妇联转来线索：", "妇联接到求助后转来："],
        _ => &["收到线索：", "其他渠道反映："],
    }
}

/// How a report ends: what was done on receiving it.
pub const REPORT_CLOSINGS: &[&str] = &[
    "已通知所在社区专干入户核实。",
    "已登记并安排家访。",
    "请中心尽快核实情况。",
    "",
    "",
    "已告知所在村（居）委会跟进。",
];

/// The child at school or at home, by age band (index from [`age_band`]).
const CHILD_AT_SCHOOL: [&[&str]; 5] = [
    &[
        "孩子年龄尚小，由{照料人}在家照看，语言和动作发育基本正常。",
        "孩子还未上幼儿园，平时主要在家中活动。",
    ],
    &[
        "孩子在{学校}上学，平时由{照料人}接送。",
        "孩子在{学校}上学，老师反映孩子比较内向。",
    ],
    &[
        "孩子在{学校}读{年级}，成绩中等，老师反映近期上课注意力不集中。",
        "孩子在{学校}读{年级}，学习较为努力，但作业经常无人辅导。",
        "孩子在{学校}读{年级}，与同学相处一般，课间常一个人待着。",
    ],
    &[
        "孩子在{学校}读{年级}，成绩下滑明显，有时迟到、旷课。",
        "孩子在{学校}读{年级}，住校，周末回家，与家人交流不多。",
        "孩子在{学校}读{年级}，班主任表示孩子自尊心强，不愿谈家里的事。",
    ],
    &[
        "孩子在{学校}读{年级}，住校，学习压力较大。",
        "孩子在{学校}读{年级}，对未来有自己的打算，希望考上大学。",
    ],
];

const CHILD_OUT_OF_SCHOOL: &[&str] = &[
    "孩子目前没有上学，白天在家或在村里闲逛。",
    "孩子已辍学半年多，偶尔跟着亲戚打零工。",
    "孩子中途退学，学校多次劝返未果。",
];

const CHILD_COMMUNITY: &[&str] = &[
    "在社区里孩子比较安静，很少和其他孩子一起玩。",
    "邻居说孩子懂事有礼貌，经常帮{照料人}干活。",
    "孩子放学后常到村里的儿童之家写作业。",
    "孩子喜欢画画，社区儿童主任常给孩子带些绘本。",
    "孩子在社区里有几个要好的伙伴，性格比较开朗。",
];

const SEEN: &[&str] = &[
    "房屋为砖瓦结构，屋内较为整洁，孩子有单独的书桌。",
    "屋内杂乱，厨房里只有少量挂面和咸菜。",
    "冬季取暖依靠火炕，走访时屋内温度偏低。",
    "家中有电视和冰箱，基本生活设施齐全。",
    "孩子衣着干净，见到工作人员有些拘谨，说话声音很小。",
    "孩子衣服明显偏小，鞋子已经破了。",
    "孩子主动给工作人员倒水，回答问题时眼神躲闪。",
    "走访时{照料人}在家，对工作人员的到来表示欢迎。",
    "{照料人}对工作人员的询问回答简单，不太愿意多谈。",
    "院子里堆放着杂物和农具，存在一定安全隐患。",
    "孩子的作业本整齐，墙上贴着几张奖状。",
];

const PLANS: &[&str] = &[
    "下一步将与学校共同关注孩子的情况，一个月后再次回访。",
    "已向{照料人}讲解监护责任和安全常识，并留下联系电话。",
    "建议提交专家组评估风险等级。",
    "将协调村（居）委会落实日常看护，并定期反馈。",
    "已将情况报告中心，建议尽快安排专业社工介入。",
    "已帮助家庭准备低保和临时救助申请材料。",
];

const FOLLOW_UP: &[&str] = &[
    "本次为跟踪回访。",
    "本次回访距上次家访约一个月。",
    "本次与学校老师一同回访。",
];

const FOLLOW_UP_CHANGE: &[&str] = &[
    "与上次相比，孩子情绪有所好转，愿意和工作人员交流。",
    "家庭情况没有明显变化，照料问题仍然存在。",
    "{照料人}表示已按要求加强看护，孩子按时上学。",
    "孩子近况不稳定，上周又发生一次类似情况。",
];

/// 0: under 3, 1: 3–5, 2: 6–11, 3: 12–14, 4: 15–17.
pub fn age_band(age: u32) -> usize {
    match age {
        0..=2 => 0,
        3..=5 => 1,
        6..=11 => 2,
        12..=14 => 3,
        _ => 4,
    }
}

/// The grade a child of `age` is usually in (一年级 … 高三), if of school age.
pub fn grade(age: u32) -> Option<&'static str> {
    const GRADES: [&str; 12] = [
        "一年级",
        "二年级",
        "三年级",
        "四年级",
        "五年级",
        "六年级",
        "初一",
        "初二",
        "初三",
        "高一",
        "高二",
        "高三",
    ];
    age.checked_sub(6)
        .and_then(|i| GRADES.get(i as usize).copied())
}

/// Replaces `{key}` by its value for every pair.
pub fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    if !template.contains('{') {
        return template.to_owned();
    }
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let key = &after[..end];
                match slots.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Picks `n` different lines (fewer if the list is shorter), in list order.
fn some_lines(rng: &mut GenRng, lines: &'static [&'static str], n: usize) -> Vec<&'static str> {
    let n = n.min(lines.len());
    // Selection sampling: each line in turn, with the chance still needed.
    let mut out = Vec::with_capacity(n);
    let mut need = n;
    for (i, l) in lines.iter().enumerate() {
        let left = lines.len() - i;
        if need > 0 && rng.random_range(0..left) < need {
            out.push(*l);
            need -= 1;
        }
    }
    out
}

/// The facts text templates refer to.
pub struct TextCtx<'a> {
    pub carer: &'a str,
    pub school: Option<&'a str>,
    pub grade: Option<&'a str>,
    pub age: u32,
}

impl TextCtx<'_> {
    fn slots(&self) -> [(&str, &str); 3] {
        [
            ("照料人", self.carer),
            ("学校", self.school.unwrap_or("当地学校")),
            ("年级", self.grade.unwrap_or("")),
        ]
    }
}

/// A report's summary: an opening naming how it came in, the situation, what was done.
pub fn report_summary(rng: &mut GenRng, story: Story, channel: &str, ctx: &TextCtx<'_>) -> String {
    let slots = ctx.slots();
    let mut s = String::with_capacity(200);
    s.push_str(pick(rng, report_opening(channel)));
    s.push_str(&fill(pick(rng, story.report_lines()), &slots));
    s.push_str(pick(rng, REPORT_CLOSINGS));
    s
}

/// A later report on a graded case: something changed, and the panel should look again.
pub fn change_report(rng: &mut GenRng, story: Story, ctx: &TextCtx<'_>) -> String {
    const CHANGES: &[&str] = &["近期情况发生变化：", "孩子情况出现反复：", "新的情况："];
    let slots = ctx.slots();
    let mut s = String::from(pick(rng, CHANGES));
    s.push_str(&fill(pick(rng, story.report_lines()), &slots));
    s.push_str("建议专家组重新评估风险等级。");
    s
}

/// A home-visit note: family, the child at school and in the community, what the visitors
/// saw, concerns and next steps. Paragraphs are separated by a blank line.
pub fn visit_notes(
    rng: &mut GenRng,
    story: Story,
    ctx: &TextCtx<'_>,
    follow_up: bool,
    out_of_school: bool,
) -> String {
    let slots = ctx.slots();
    let mut paras: Vec<String> = Vec::with_capacity(4);

    let mut p = String::with_capacity(300);
    if follow_up {
        p.push_str(pick(rng, FOLLOW_UP));
        p.push_str(&fill(pick(rng, FOLLOW_UP_CHANGE), &slots));
    } else {
        let n = rng.random_range(2..=3);
        for l in some_lines(rng, story.family_lines(), n) {
            p.push_str(&fill(l, &slots));
        }
    }
    paras.push(p);

    let mut p = String::with_capacity(300);
    let band = age_band(ctx.age);
    if out_of_school && band >= 2 {
        p.push_str(pick(rng, CHILD_OUT_OF_SCHOOL));
    } else if band >= 1 && ctx.school.is_none() {
        p.push_str("孩子目前没有上学，白天在家。");
    } else {
        p.push_str(&fill(pick(rng, CHILD_AT_SCHOOL[band]), &slots));
    }
    if band >= 1 {
        p.push_str(&fill(pick(rng, CHILD_COMMUNITY), &slots));
    }
    paras.push(p);

    let mut p = String::from("走访所见：");
    let n = rng.random_range(1..=3);
    for l in some_lines(rng, SEEN, n) {
        p.push_str(&fill(l, &slots));
    }
    paras.push(p);

    let mut p = String::from("主要问题：");
    p.push_str(&fill(pick(rng, story.concern_lines()), &slots));
    p.push_str(&fill(pick(rng, PLANS), &slots));
    paras.push(p);

    paras.join("\n\n")
}

/// Evidence a panel would note for an indicator found met.
pub fn evidence(id: &str) -> &'static str {
    match id {
        "L1-01" => "医院诊断证明；公安机关出警记录",
        "L1-02" => "公安机关立案材料；儿童本人陈述（一次性询问）",
        "L1-03" => "公安机关尿检记录",
        "L1-04" => "派出所接收记录；村（居）委会证明",
        "L1-05" => "公安机关解救记录",
        "L1-06" => "救助管理站街面救助记录",
        "L1-07" => "心理咨询师评估报告",
        "L1-08" => "救助记录；学校处分记录",
        "L1-09" => "家访记录；医院记录",
        "L2-01" => "就医记录；伤情照片",
        "L2-02" => "多次家访记录；邻居陈述",
        "L2-03" => "儿童陈述；班主任反映",
        "L2-04" => "派出所出警记录；家庭暴力告诫书",
        "L2-05" => "家访记录；学校反映",
        "L2-06" => "村（居）委会证明；家访记录",
        "L2-07" => "公安机关记录；家访记录",
        "L2-08" => "救助管理站救助记录",
        "L3-07" => "学籍记录；社区专干排查记录",
        "L3-08" => "低保证明；家访记录",
        "L3-09" => "病历；残疾证",
        _ => "家访记录；班主任反映",
    }
}

/// Why the panel moved a level by one step.
pub fn override_reason(up: bool) -> &'static str {
    if up {
        "照料人身体状况持续下降，近期难以保障孩子的基本照料，专家组一致认为应提高一级。"
    } else {
        "监护人已积极配合整改，家庭支持趋于稳定，专家组认为可降低一级并加强跟踪回访。"
    }
}

/// What a member voting against writes.
pub const DISSENTS: &[&str] = &[
    "认为现有证据不足以支持该等级，建议补充家访后再定。",
    "认为风险被低估，应提高一级并尽快落实委托监护。",
    "对干预措施的责任单位有不同意见，建议由乡镇政府牵头。",
];

/// Why a case was put off at a past session.
pub const DEFER_REASONS: &[&str] = &[
    "家访材料不全，待补充学校意见后再议。",
    "监护人情况待公安机关核实。",
    "需补充医院诊断材料。",
];

/// Progress notes on an intervention carried out (跟踪回访).
pub const DONE_NOTES: &[&str] = &[
    "已按期落实，回访时孩子情况稳定。",
    "责任单位已完成，回访记录已归档。",
    "已落实，监护人表示配合。",
];

/// Why an intervention was not carried out (未完成原因).
pub const NOT_DONE_NOTES: &[&str] = &[
    "监护人拒绝配合，已报乡镇政府协调。",
    "孩子已随家人迁出本地，措施无法落实，已与迁入地衔接。",
    "责任单位暂无相应资源，改由其他措施替代。",
];

/// Progress notes on an intervention under way.
pub const IN_PROGRESS_NOTES: &[&str] =
    &["正在落实中，下次回访时跟进。", "已联系责任单位，等待安排。"];

/// What ends an earlier, closed episode.
pub const CLOSED_NOTES: &[&str] = &[
    "经核实，家庭情况已明显改善，监护人能够履行监护职责。",
    "孩子随父母迁往外省居住，已与迁入地民政部门做好衔接。",
    "孩子已由亲属稳定照料，不再符合困境儿童认定条件。",
];

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn fill_replaces_known_slots_only() {
        assert_eq!(
            fill("由{照料人}照看{x}", &[("照料人", "奶奶")]),
            "由奶奶照看{x}"
        );
        assert_eq!(fill("无槽", &[]), "无槽");
    }

    #[test]
    fn notes_are_clean_and_filled() {
        let mut rng = GenRng::seed_from_u64(9);
        let ctx = TextCtx {
            carer: "奶奶",
            school: Some("兴隆镇中心小学"),
            grade: grade(9),
            age: 9,
        };
        for &(story, _) in STORIES {
            for follow in [false, true] {
                let n = visit_notes(&mut rng, story, &ctx, follow, false);
                assert!(!n.contains('{'), "{n}");
                assert_eq!(crate::text::sanitize(&n), n);
                assert!(n.chars().count() > 60, "{n}");
            }
            let r = report_summary(&mut rng, story, "teacher", &ctx);
            assert!(!r.contains('{'), "{r}");
            assert_eq!(crate::text::sanitize_line(&r), r);
        }
        assert_eq!(grade(6), Some("一年级"));
        assert_eq!(grade(17), Some("高三"));
        assert_eq!(grade(5), None);
    }
}
