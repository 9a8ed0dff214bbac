//! Data shipped inside the binary: the region tree of Liaoning province.
//!
//! Only cities and county-level divisions are shipped (`assets/regions/liaoning.toml`);
//! townships and villages are the centre's own (or invented by the demo generator).
//! Writing regions to a database is the store's job: [`crate::store::bulk::load_regions`].

use serde::Deserialize;

use crate::domain::region::{Region, RegionLevel};

/// Text of the shipped region file.
pub const LIAONING_REGIONS: &str = include_str!("../assets/regions/liaoning.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionFile {
    city: Vec<CityEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CityEntry {
    code: String,
    name: String,
    counties: Vec<CountyEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountyEntry {
    code: String,
    name: String,
}

/// Parses a region file in the shipped format: one `[[city]]` table per city with its
/// `counties`. Returns the regions city by city, each city followed by its counties, in
/// file order, or a message naming what is wrong.
pub fn parse_regions(text: &str) -> Result<Vec<Region>, String> {
    let file: RegionFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for city in file.city {
        let c = Region {
            code: city.code.clone(),
            name: city.name,
            level: RegionLevel::City,
            parent: None,
        };
        c.validate().map_err(|e| e.to_string())?;
        out.push(c);
        for county in city.counties {
            let r = Region {
                code: county.code,
                name: county.name,
                level: RegionLevel::County,
                parent: Some(city.code.clone()),
            };
            r.validate().map_err(|e| e.to_string())?;
            out.push(r);
        }
    }
    Ok(out)
}

/// Liaoning's 14 cities and their 100 county-level divisions: each city followed by its
/// counties, parents set.
///
/// # Panics
///
/// Only if the shipped file is invalid, which the tests rule out.
pub fn liaoning_regions() -> Vec<Region> {
    parse_regions(LIAONING_REGIONS).expect("the shipped region file is valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn shipped_regions_parse_and_validate() {
        let regions = liaoning_regions();
        let cities: Vec<&Region> = regions
            .iter()
            .filter(|r| r.level == RegionLevel::City)
            .collect();
        let counties: Vec<&Region> = regions
            .iter()
            .filter(|r| r.level == RegionLevel::County)
            .collect();
        assert_eq!(cities.len(), 14);
        assert_eq!(counties.len(), 100);
        for r in &regions {
            assert_eq!(r.validate(), Ok(()), "{r:?}");
        }
        let codes: BTreeSet<&str> = regions.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes.len(), regions.len(), "codes are unique");
        // Every county's parent is a city listed before it.
        let city_codes: BTreeSet<&str> = cities.iter().map(|r| r.code.as_str()).collect();
        for c in &counties {
            assert!(city_codes.contains(c.parent.as_deref().unwrap()));
        }
        let find = |code: &str| {
            regions
                .iter()
                .find(|r| r.code == code)
                .map(|r| r.name.as_str())
        };
        assert_eq!(find("210100"), Some("沈阳市"));
        assert_eq!(find("210181"), Some("新民市"));
        assert_eq!(find("210781"), Some("凌海市"));
        assert_eq!(find("211421"), Some("绥中县"));
        assert_eq!(find("211224"), Some("昌图县"));
        assert_eq!(find("210214"), Some("普兰店区"));
    }

    #[test]
    fn bad_files_are_refused() {
        let bad = "[[city]]\ncode = \"2101\"\nname = \"x\"\ncounties = []\n";
        assert!(parse_regions(bad).unwrap_err().contains("2101"));
        let stray = "[[city]]\ncode = \"210100\"\nname = \"沈阳市\"\ncounties = [{ code = \"210281\", name = \"瓦房店市\" }]\n";
        assert!(parse_regions(stray).unwrap_err().contains("210281"));
    }
}
