//! Invented townships (乡镇/街道) and villages (村/居) under Liaoning's real cities and
//! counties, with codes that extend their parents' as the national scheme does: 街道
//! `001`–`099`, 镇 `100`–`199`, 乡 `200`–`299`; 社区 (residents' committees) `001`–`199`,
//! 村 (villages) `200`–`399`. The names are plausible, not real.

use rand::Rng;
use std::collections::BTreeSet;

use super::{GenRng, pick};
use crate::domain::region::{Region, RegionLevel};

/// Kind of township.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TownKind {
    /// 街道
    Street,
    /// 镇
    Town,
    /// 乡
    Xiang,
}

pub struct County {
    pub code: String,
    pub name: String,
    pub city: String,
    /// Index range into [`World::townships`].
    pub townships: std::ops::Range<usize>,
}

pub struct Township {
    pub name: String,
    /// The name without its 镇 / 乡 / 街道, for schools and police stations (兴隆).
    pub stem: String,
    pub kind: TownKind,
    pub county: usize,
    pub villages: std::ops::Range<usize>,
}

pub struct Village {
    pub code: String,
    pub name: String,
    /// A residents' committee (社区) rather than a village (村).
    pub community: bool,
    pub township: usize,
}

/// The region tree the generator places children in.
pub struct World {
    pub counties: Vec<County>,
    pub townships: Vec<Township>,
    pub villages: Vec<Village>,
    /// Every region (cities, counties, townships, villages), sorted by code, so parents
    /// come before their children.
    pub regions: Vec<Region>,
}

// Syllables for rural place names: a first part and a second one (兴隆, 大民屯, 柳河沟).
const RURAL_A: &[&str] = &[
    "兴隆", "大民", "胡家", "柳河", "金山", "红旗", "前进", "新立", "太平", "永安", "三台", "双树",
    "高台", "黄土", "白旗", "大房", "小堡", "东营", "西岗", "南沟", "北山", "杨家", "李家", "王家",
    "张家", "刘家", "马家", "孙家", "赵家", "于家", "姜家", "郭家", "石佛", "老边", "二道", "三道",
    "四合", "五里", "八面", "九门", "古城", "新城", "长岭", "青堆", "大孤", "小河", "富民", "宝山",
    "金沟", "银岭", "腰堡", "后营", "前屯", "上岗", "下洼", "平安", "和顺", "庆丰", "丰收", "团结",
    "胜利", "联合", "光荣", "向阳", "东升", "红光",
];
const RURAL_B: &[&str] = &[
    "", "屯", "堡", "子", "沟", "营", "台", "窝堡", "岭", "甸", "桥", "泡", "店",
];

// Urban names for 街道 and 社区.
const URBAN: &[&str] = &[
    "新华",
    "光明",
    "胜利",
    "和平",
    "建设",
    "民主",
    "解放",
    "友谊",
    "幸福",
    "团结",
    "长江",
    "黄河",
    "泰山",
    "华山",
    "北市",
    "南湖",
    "站前",
    "中华",
    "文化",
    "工人",
    "新开",
    "滨河",
    "迎宾",
    "春晖",
    "锦绣",
    "阳光",
    "翠竹",
    "惠民",
    "兴工",
    "繁荣",
    "朝阳",
    "东风",
    "红星",
    "青年",
    "育才",
    "园林",
    "书香",
    "北陵",
    "五里河",
    "西塔",
    "太原",
    "丰乐",
    "花园",
    "康居",
    "金桥",
    "明珠",
    "龙湖",
    "滨江",
    "学府",
    "枫林",
    "玉泉",
    "和谐",
    "新村",
    "北站",
    "南站",
];

const STREETS: &[&str] = &[
    "新华路",
    "建设街",
    "中山路",
    "胜利街",
    "和平路",
    "光明街",
    "人民路",
    "友谊街",
    "民主路",
    "解放路",
    "文化路",
    "工农路",
    "兴工街",
    "北京街",
    "南京路",
    "长江路",
    "黄河大街",
    "青年大街",
    "学府路",
    "滨河路",
    "站前街",
    "育才街",
    "繁荣路",
    "迎宾路",
    "朝阳街",
    "园林路",
];

/// Picks names not used yet in `used`, built from `make`.
fn unique_name(
    rng: &mut GenRng,
    used: &mut BTreeSet<String>,
    mut make: impl FnMut(&mut GenRng) -> String,
) -> String {
    for _ in 0..200 {
        let n = make(rng);
        if used.insert(n.clone()) {
            return n;
        }
    }
    // Practically unreachable with the lists above; number the name to stay unique.
    let base = make(rng);
    let mut i = 2;
    loop {
        let n = format!("{base}{i}");
        if used.insert(n.clone()) {
            return n;
        }
        i += 1;
    }
}

fn rural_stem(rng: &mut GenRng) -> String {
    let a = pick(rng, RURAL_A);
    let b = pick(rng, RURAL_B);
    format!("{a}{b}")
}

fn urban_stem(rng: &mut GenRng) -> String {
    pick(rng, URBAN).to_string()
}

impl World {
    /// Invents the townships and villages of every county in `base` (cities and counties,
    /// as [`crate::assets::liaoning_regions`] gives them).
    pub fn build(rng: &mut GenRng, base: &[Region]) -> World {
        let mut counties = Vec::new();
        let mut townships = Vec::new();
        let mut villages = Vec::new();
        let mut regions: Vec<Region> = base.to_vec();
        for county in base.iter().filter(|r| r.level == RegionLevel::County) {
            let city = base
                .iter()
                .find(|r| Some(&r.code) == county.parent.as_ref())
                .map(|r| r.name.clone())
                .unwrap_or_default();
            let urban = county.name.ends_with('区');
            let (streets, towns, xiangs) = if urban {
                (rng.random_range(5..=10), rng.random_range(0..=3), 0)
            } else {
                (
                    rng.random_range(1..=4),
                    rng.random_range(6..=12),
                    rng.random_range(0..=4),
                )
            };
            let ci = counties.len();
            let t_start = townships.len();
            let mut used = BTreeSet::new();
            let kinds = std::iter::repeat_n(TownKind::Street, streets)
                .chain(std::iter::repeat_n(TownKind::Town, towns))
                .chain(std::iter::repeat_n(TownKind::Xiang, xiangs));
            let (mut n_street, mut n_town, mut n_xiang) = (0u32, 0u32, 0u32);
            for kind in kinds {
                let (stem, suffix, number) = match kind {
                    TownKind::Street => {
                        n_street += 1;
                        (unique_name(rng, &mut used, urban_stem), "街道", n_street)
                    }
                    TownKind::Town => {
                        n_town += 1;
                        (unique_name(rng, &mut used, rural_stem), "镇", 100 + n_town)
                    }
                    TownKind::Xiang => {
                        n_xiang += 1;
                        (unique_name(rng, &mut used, rural_stem), "乡", 200 + n_xiang)
                    }
                };
                let code = format!("{}{number:03}", county.code);
                let name = format!("{stem}{suffix}");
                let ti = townships.len();
                let v_start = villages.len();
                let (communities, rural) = match kind {
                    TownKind::Street => (rng.random_range(3..=8), 0),
                    _ => (rng.random_range(0..=2), rng.random_range(4..=12)),
                };
                let mut vused = BTreeSet::new();
                for i in 0..communities {
                    let vname = format!("{}社区", unique_name(rng, &mut vused, urban_stem));
                    villages.push(Village {
                        code: format!("{code}{:03}", i + 1),
                        name: vname,
                        community: true,
                        township: ti,
                    });
                }
                for i in 0..rural {
                    let vname = format!("{}村", unique_name(rng, &mut vused, rural_stem));
                    villages.push(Village {
                        code: format!("{code}{:03}", 200 + i + 1),
                        name: vname,
                        community: false,
                        township: ti,
                    });
                }
                for v in &villages[v_start..] {
                    regions.push(Region {
                        code: v.code.clone(),
                        name: v.name.clone(),
                        level: RegionLevel::Village,
                        parent: Some(code.clone()),
                    });
                }
                regions.push(Region {
                    code: code.clone(),
                    name: name.clone(),
                    level: RegionLevel::Township,
                    parent: Some(county.code.clone()),
                });
                townships.push(Township {
                    name,
                    stem,
                    kind,
                    county: ci,
                    villages: v_start..villages.len(),
                });
            }
            counties.push(County {
                code: county.code.clone(),
                name: county.name.clone(),
                city,
                townships: t_start..townships.len(),
            });
        }
        regions.sort_by(|a, b| a.code.cmp(&b.code));
        World {
            counties,
            townships,
            villages,
            regions,
        }
    }

    /// `沈阳市新民市兴隆镇红旗村`: the names from the city down.
    pub fn path(&self, village: usize) -> String {
        let v = &self.villages[village];
        let t = &self.townships[v.township];
        let c = &self.counties[t.county];
        let mut s = String::with_capacity(64);
        s.push_str(&c.city);
        s.push_str(&c.name);
        s.push_str(&t.name);
        s.push_str(&v.name);
        s
    }

    /// A current address in `village`: a house in a village group (3组27号), or a flat in
    /// a residents' committee's streets (新华路12号3单元402室).
    pub fn address(&self, rng: &mut GenRng, village: usize) -> String {
        use std::fmt::Write;
        let mut s = self.path(village);
        if self.villages[village].community {
            let _ = write!(
                s,
                "{}{}号{}单元{}{:02}室",
                pick(rng, STREETS),
                rng.random_range(1..=260),
                rng.random_range(1..=6),
                rng.random_range(1..=7),
                rng.random_range(1..=4)
            );
        } else {
            let _ = write!(
                s,
                "{}组{}号",
                rng.random_range(1..=9),
                rng.random_range(1..=120)
            );
        }
        s
    }

    pub fn county_of(&self, village: usize) -> usize {
        self.townships[self.villages[village].township].county
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn invented_regions_fit_the_tree() {
        let mut rng = GenRng::seed_from_u64(3);
        let w = World::build(&mut rng, &crate::assets::liaoning_regions());
        assert_eq!(w.counties.len(), 100);
        let mut codes = BTreeSet::new();
        for r in &w.regions {
            assert_eq!(r.validate(), Ok(()), "{r:?}");
            assert!(codes.insert(r.code.clone()), "duplicate {}", r.code);
            if let Some(p) = &r.parent {
                assert!(codes.contains(p), "{} listed before its parent {p}", r.code);
            }
        }
        assert!(w.villages.len() > 3000, "{}", w.villages.len());
        let a = w.address(&mut rng, 0);
        assert!(a.starts_with(&w.path(0)));
    }
}
