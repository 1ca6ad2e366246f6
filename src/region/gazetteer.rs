//! The gazetteer: China's provinces, prefectures, counties and townships (NBS 2023), compiled in
//! from `data/china-divisions/*.csv` and parsed once into [`Gazetteer::global`].
//!
//! Input: the four CSV tables (codes, names, parent codes). Output: [`Region`]s with slugs and
//! short names, lookups by code, slug and name, and the place-name automaton used by matching.
//! It does no I/O at run time and never reads the data directory: the tables are in the binary.
//!
//! Data quirks handled here:
//! - Municipalities (北京, 天津, 上海, 重庆) list placeholder prefectures (`市辖区`, `县`), and
//!   some counties hang under `省直辖县级行政区划`: those placeholders are not regions, and their
//!   counties have no prefecture (`prefecture: None`), only a province.
//! - Prefecture-level cities without counties (东莞 4419, 中山 4420, 儋州 4604) list themselves as
//!   the county-level unit `xxxx00`: the prefecture region is then its own county unit, and its
//!   townships are evidence for the prefecture code (`441900`). [`Gazetteer::children`] of such a
//!   prefecture is empty.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::matcher::Matcher;
use super::names::short_name;
use super::slug::{self, SlugInput};
use crate::model::{RegionCode, RegionLevel, RegionRef, Slug};

const PROVINCES_CSV: &str = include_str!("../../data/china-divisions/provinces.csv");
const CITIES_CSV: &str = include_str!("../../data/china-divisions/cities.csv");
const AREAS_CSV: &str = include_str!("../../data/china-divisions/areas.csv");
const STREETS_CSV: &str = include_str!("../../data/china-divisions/streets.csv");

/// Prefecture rows that only group counties and are not places.
const PLACEHOLDER_PREFECTURES: &[&str] = &[
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// One province, prefecture or county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Six-digit adcode (`330182`, `330100`, `330000`).
    pub code: RegionCode,
    /// Official name (`建德市`).
    pub name: String,
    /// Name without its level suffix (`建德`); at least two characters.
    pub short: String,
    pub level: RegionLevel,
    /// The prefecture of a county (`None` for counties of municipalities and directly
    /// administered counties, and for prefectures and provinces).
    pub prefecture: Option<RegionCode>,
    /// The province (itself for a province).
    pub province: RegionCode,
    /// Unique URL slug (`jiande`, `gulou-fuzhou`).
    pub slug: Slug,
}

/// A township-level unit (街道, 镇, 乡): evidence for its county.
#[derive(Debug, Clone)]
pub(crate) struct Township {
    pub name: String,
    /// Index of the county-level unit (a county, or a county-less prefecture) it belongs to.
    pub county: usize,
}

/// The whole gazetteer with its lookup tables and matching automaton.
pub struct Gazetteer {
    regions: Vec<Region>,
    /// Per region: index of its prefecture (counties) and of its province.
    prefecture_idx: Vec<Option<usize>>,
    province_idx: Vec<usize>,
    by_code: HashMap<String, usize>,
    by_slug: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
    children: Vec<Vec<usize>>,
    townships: Vec<Township>,
    /// Built on first use: commands that only look names up (editions, digests, the web)
    /// never pay for the automaton, which is most of the gazetteer's start-up time.
    matcher: OnceLock<Matcher>,
}

/// Splits one CSV line of the divisions tables (no commas inside names) and unquotes fields.
fn fields(line: &str) -> Vec<&str> {
    line.trim_end_matches('\r')
        .split(',')
        .map(|f| f.trim().trim_matches('"'))
        .collect()
}

/// Data rows of a compiled-in table: header skipped, malformed rows (wrong field count) skipped;
/// the unit tests pin the row counts, so a damaged table cannot pass unnoticed.
fn rows(csv: &str, width: usize) -> impl Iterator<Item = Vec<&str>> {
    csv.lines()
        .skip(1)
        .map(fields)
        .filter(move |f| f.len() >= width && f[0].bytes().all(|b| b.is_ascii_digit()))
}

impl Gazetteer {
    /// The gazetteer of the compiled-in tables, built on first use.
    pub fn global() -> &'static Gazetteer {
        static GLOBAL: OnceLock<Gazetteer> = OnceLock::new();
        GLOBAL.get_or_init(Gazetteer::build)
    }

    fn build() -> Gazetteer {
        // (code, name, level, prefecture code, province code)
        let mut raw: Vec<(String, String, Option<String>, String)> = Vec::new();
        for f in rows(PROVINCES_CSV, 2) {
            raw.push((
                format!("{}0000", f[0]),
                f[1].to_string(),
                None,
                format!("{}0000", f[0]),
            ));
        }
        let mut real_prefectures: HashMap<String, String> = HashMap::new();
        for f in rows(CITIES_CSV, 3) {
            if PLACEHOLDER_PREFECTURES.contains(&f[1]) {
                continue;
            }
            let code = format!("{}00", f[0]);
            real_prefectures.insert(f[0].to_string(), code.clone());
            raw.push((code, f[1].to_string(), None, format!("{}0000", f[2])));
        }
        for f in rows(AREAS_CSV, 4) {
            let pref = real_prefectures.get(f[2]).cloned();
            if pref.as_deref() == Some(f[0]) {
                continue; // a county-less prefecture listing itself (东莞 441900)
            }
            raw.push((
                f[0].to_string(),
                f[1].to_string(),
                pref,
                format!("{}0000", f[3]),
            ));
        }
        raw.sort_by(|a, b| a.0.cmp(&b.0));
        raw.dedup_by(|a, b| a.0 == b.0);

        let by_code: HashMap<String, usize> = raw
            .iter()
            .enumerate()
            .map(|(i, r)| (r.0.clone(), i))
            .collect();
        let shorts: Vec<String> = raw.iter().map(|r| short_name(&r.1)).collect();
        let levels: Vec<RegionLevel> = raw
            .iter()
            .map(|r| {
                RegionCode::parse(&r.0)
                    .map(|c| c.level())
                    .unwrap_or(RegionLevel::County)
            })
            .collect();
        let prefecture_idx: Vec<Option<usize>> = raw
            .iter()
            .map(|r| r.2.as_ref().and_then(|p| by_code.get(p).copied()))
            .collect();
        let province_idx: Vec<usize> = raw
            .iter()
            .enumerate()
            .map(|(i, r)| by_code.get(&r.3).copied().unwrap_or(i))
            .collect();

        let inputs: Vec<SlugInput<'_>> = (0..raw.len())
            .map(|i| SlugInput {
                short: &shorts[i],
                full: &raw[i].1,
                level: levels[i],
                prefecture: prefecture_idx[i],
                province: province_idx[i],
            })
            .collect();
        let codes: Vec<&str> = raw.iter().map(|r| r.0.as_str()).collect();
        let slugs = slug::assign(&inputs, &codes);

        let mut regions = Vec::with_capacity(raw.len());
        for (i, (code, name, pref, prov)) in raw.iter().enumerate() {
            let (Ok(code), Ok(province)) = (RegionCode::parse(code), RegionCode::parse(prov))
            else {
                continue; // rows() admits digits only; a bad length cannot occur in the tables
            };
            regions.push(Region {
                code,
                name: name.clone(),
                short: shorts[i].clone(),
                level: levels[i],
                prefecture: pref.as_deref().and_then(|p| RegionCode::parse(p).ok()),
                province,
                slug: Slug(slugs[i].clone()),
            });
        }

        let mut children = vec![Vec::new(); regions.len()];
        for (i, r) in regions.iter().enumerate() {
            match r.level {
                RegionLevel::Province => {}
                RegionLevel::Prefecture => children[province_idx[i]].push(i),
                RegionLevel::County => {
                    children[prefecture_idx[i].unwrap_or(province_idx[i])].push(i)
                }
            }
        }
        let mut by_slug = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in regions.iter().enumerate() {
            by_slug.insert(r.slug.0.clone(), i);
            by_name.entry(r.name.clone()).or_default().push(i);
            if r.short != r.name {
                by_name.entry(r.short.clone()).or_default().push(i);
            }
        }

        let mut townships = Vec::new();
        for f in rows(STREETS_CSV, 3) {
            // Townships of a county-less prefecture point at the prefecture's own code.
            if let Some(&county) = by_code.get(f[2]) {
                townships.push(Township {
                    name: f[1].to_string(),
                    county,
                });
            }
        }
        Gazetteer {
            regions,
            prefecture_idx,
            province_idx,
            by_code,
            by_slug,
            by_name,
            children,
            townships,
            matcher: OnceLock::new(),
        }
    }

    /// The region with this code.
    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.by_code.get(code.as_str()).map(|&i| &self.regions[i])
    }

    /// The region as articles name it in `extract` output.
    pub fn region_ref(&self, code: &RegionCode) -> Option<RegionRef> {
        self.by_code.get(code.as_str()).map(|&i| self.ref_at(i))
    }

    /// Finds a region by slug (`jiande`), code (`330182`, `3301`, `33`) or Chinese name, full
    /// (`建德市`) or short (`建德`). A name shared by regions of one level (鼓楼) resolves to
    /// nothing; shared across levels, the higher level wins (朝阳 → 朝阳市).
    pub fn resolve(&self, key: &str) -> Option<&Region> {
        let key = key.trim();
        if key.is_empty() {
            return None;
        }
        if key.bytes().all(|b| b.is_ascii_digit()) {
            return RegionCode::parse(key).ok().and_then(|c| self.get(&c));
        }
        if let Some(&i) = self.by_slug.get(&key.to_ascii_lowercase()) {
            return Some(&self.regions[i]);
        }
        let found = self.by_name.get(key)?;
        let top = found.iter().map(|&i| self.regions[i].level as u8).min()?;
        let mut at_top = found
            .iter()
            .filter(|&&i| self.regions[i].level as u8 == top);
        let first = at_top.next()?;
        match at_top.next() {
            None => Some(&self.regions[*first]),
            Some(_) => None,
        }
    }

    /// Prefectures of a province (and its directly administered counties), or counties of a
    /// prefecture, in code order. Empty for counties and county-less prefectures.
    pub fn children(&self, code: &RegionCode) -> Vec<&Region> {
        self.by_code
            .get(code.as_str())
            .map(|&i| self.children[i].iter().map(|&c| &self.regions[c]).collect())
            .unwrap_or_default()
    }

    /// All provinces in code order.
    pub fn provinces(&self) -> Vec<&Region> {
        self.regions
            .iter()
            .filter(|r| r.level == RegionLevel::Province)
            .collect()
    }

    /// Every region in code order.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    pub(crate) fn region_at(&self, i: usize) -> &Region {
        &self.regions[i]
    }

    /// A prefecture's seat as the official list orders it: the first of its units, which is
    /// its core urban district (洮北区 of 白城市, 潍城区 of 潍坊市) or, in a prefecture without
    /// districts, most often its seat city; functional zones (codes ending 70–79, 开发区) never.
    pub(crate) fn seat_of(&self, prefecture: usize) -> Option<usize> {
        self.children.get(prefecture)?.iter().copied().find(|&c| {
            let code = self.regions[c].code.as_str();
            self.regions[c].level == RegionLevel::County && !code[4..].starts_with('7')
        })
    }

    pub(crate) fn prefecture_of(&self, i: usize) -> Option<usize> {
        self.prefecture_idx[i]
    }

    pub(crate) fn province_of(&self, i: usize) -> usize {
        self.province_idx[i]
    }

    /// Number of township-level units (街道, 镇, 乡 …) known.
    pub fn township_count(&self) -> usize {
        self.townships.len()
    }

    /// The county-level units that have a township of this name (城关镇: many), in code order.
    pub fn township_counties(&self, name: &str) -> Vec<&Region> {
        self.townships
            .iter()
            .filter(|t| t.name == name)
            .map(|t| &self.regions[t.county])
            .collect()
    }

    /// Counts the place names (and home markers) in `text` in one leftmost-longest pass of the
    /// automaton, whitespace removed into `buf` (reused between calls): the matching cost alone,
    /// for benchmarks and diagnostics.
    pub fn count_names(&self, text: &str, buf: &mut String) -> usize {
        let mut hits = Vec::new();
        self.matcher().scan(text, buf, &mut hits);
        hits.len()
    }

    pub(crate) fn matcher(&self) -> &Matcher {
        self.matcher
            .get_or_init(|| Matcher::build(&self.regions, &self.townships))
    }

    /// True when region `inner` lies inside (or is) region `outer`.
    pub(crate) fn within(&self, inner: usize, outer: usize) -> bool {
        inner == outer
            || self.prefecture_idx[inner] == Some(outer)
            || self.province_idx[inner] == outer
    }

    pub(crate) fn ref_at(&self, i: usize) -> RegionRef {
        let r = &self.regions[i];
        RegionRef {
            code: r.code.clone(),
            name: r.name.clone(),
            prefecture: self.prefecture_idx[i].map(|p| self.regions[p].name.clone()),
            province: self.regions[self.province_idx[i]].name.clone(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn loads_every_level_of_the_tables() {
        let g = Gazetteer::global();
        assert_eq!(g.provinces().len(), 31);
        let prefectures = g
            .regions()
            .iter()
            .filter(|r| r.level == RegionLevel::Prefecture)
            .count();
        assert_eq!(prefectures, 333);
        assert!(g.township_count() > 38_000, "{}", g.township_count());
        let jiande = g.get(&code("330182")).unwrap();
        assert_eq!(jiande.name, "建德市");
        assert_eq!(jiande.short, "建德");
        assert_eq!(jiande.prefecture, Some(code("330100")));
        assert_eq!(jiande.province, code("330000"));
        assert_eq!(jiande.slug.0, "jiande");
    }

    #[test]
    fn municipality_districts_have_no_prefecture() {
        let g = Gazetteer::global();
        let dongcheng = g.get(&code("110101")).unwrap();
        assert_eq!(dongcheng.prefecture, None);
        assert_eq!(dongcheng.province, code("110000"));
        assert!(g.get(&code("110100")).is_none(), "市辖区 is not a region");
        let r = g.region_ref(&code("110101")).unwrap();
        assert_eq!((r.prefecture, r.province.as_str()), (None, "北京市"));
        assert!(g.children(&code("11")).iter().any(|c| c.name == "东城区"));
    }

    #[test]
    fn countyless_prefecture_is_its_own_county_unit() {
        let g = Gazetteer::global();
        let dg = g.get(&code("441900")).unwrap();
        assert_eq!(
            (dg.name.as_str(), dg.level),
            ("东莞市", RegionLevel::Prefecture)
        );
        assert!(g.children(&code("4419")).is_empty());
        assert!(g
            .children(&code("44"))
            .iter()
            .any(|c| c.code == code("441900")));
    }

    #[test]
    fn resolves_by_code_slug_and_name() {
        let g = Gazetteer::global();
        for key in ["330182", "jiande", "建德市", "建德", " Jiande "] {
            assert_eq!(
                g.resolve(key).map(|r| r.code.as_str()),
                Some("330182"),
                "{key}"
            );
        }
        assert_eq!(g.resolve("3301").map(|r| r.name.as_str()), Some("杭州市"));
        assert_eq!(g.resolve("33").map(|r| r.name.as_str()), Some("浙江省"));
        assert_eq!(
            g.resolve("hangzhou").map(|r| r.code.as_str()),
            Some("330100")
        );
        assert_eq!(
            g.resolve("zhejiang").map(|r| r.code.as_str()),
            Some("330000")
        );
        assert!(g.resolve("鼓楼区").is_none(), "four 鼓楼区: ambiguous");
        assert!(g.resolve("nowhere").is_none());
        assert!(g.resolve("999999").is_none());
    }

    #[test]
    fn children_of_prefecture_and_province() {
        let g = Gazetteer::global();
        let hz: Vec<&str> = g
            .children(&code("330100"))
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert!(hz.contains(&"建德市") && hz.contains(&"钱塘区"), "{hz:?}");
        assert_eq!(hz.len(), 13);
        let zj = g.children(&code("330000"));
        assert_eq!(zj.len(), 11);
        assert!(g.children(&code("330182")).is_empty());
    }

    #[test]
    fn slugs_are_unique_across_levels() {
        let g = Gazetteer::global();
        let mut seen = std::collections::HashSet::new();
        for r in g.regions() {
            assert!(
                seen.insert(r.slug.0.clone()),
                "duplicate slug {} ({})",
                r.slug,
                r.name
            );
            assert!(
                r.slug
                    .0
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} {}",
                r.name,
                r.slug
            );
        }
    }

    #[test]
    fn clashing_slugs_take_the_parent() {
        let g = Gazetteer::global();
        let slug_of = |c: &str| g.get(&code(c)).unwrap().slug.0.clone();
        assert_eq!(slug_of("350102"), "gulou-fuzhou");
        assert_eq!(slug_of("320106"), "gulou");
        assert_eq!(slug_of("331000"), "taizhou-zhejiang");
        assert_eq!(slug_of("321200"), "taizhou");
        assert_eq!(slug_of("220000"), "jilin");
        assert_eq!(slug_of("220200"), "jilin-jilin");
        assert_eq!(slug_of("610000"), "shaanxi");
        assert_eq!(slug_of("140000"), "shanxi");
        assert_eq!(slug_of("330102"), "shangcheng");
        assert_eq!(slug_of("330114"), "qiantang");
    }
}
