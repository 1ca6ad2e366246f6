//! Evidence: what one article says about places, and how well the context supports each
//! reading of a name.
//!
//! Input: an article's title and body and the page's context (home region, names anchored
//! elsewhere on the page). Output: resolved [`Mention`]s with weights. A name shared by several
//! places is resolved by context support (the place named right before it, the article's other
//! places, the page's home); a tie drops it, never a random pick. Short names are checked for
//! being parts of words, roads or people's names. Pure; no I/O.

use std::collections::{HashMap, HashSet};

use super::gazetteer::Gazetteer;
use super::matcher::{Cand, Hit, Kind};
use super::words::looks_like_person;
use super::ArticleText;
use crate::model::RegionLevel;

/// What, right after a short name, makes it a road, building, park or village (中山路, 东昌社区),
/// or a university named after its city (南京大学: a story that names one is not about the city).
const STREET_AFTER: &[&str] = &[
    "大学",
    "路",
    "巷",
    "弄",
    "号",
    "大道",
    "大街",
    "大桥",
    "大厦",
    "大酒店",
    "公园",
    "广场",
    "中路",
    "东路",
    "西路",
    "南路",
    "北路",
    "商城",
    "花园",
    "小区",
];
/// Characters before a 市/区/县 marker that make it part of a word (城市长廊, 社区长者, 超市).
const MARKER_WORD_BEFORE: &[char] = &[
    '城', '超', '都', '股', '夜', '集', '菜', '门', '社', '小', '园', '景', '街', '校', '片', '新',
    '老', '山', '湾', '港', '税', '辖', '疫', '矿', '厂', '营', '军', '战', '商', '林', '牧', '农',
    '湖', '验', '范', '发', '安', '健', '齐', '保', '风', '灾', '险', '学', '城', '郊', '市', '区',
];

/// A resolved mention of a region in one article.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mention {
    pub(crate) region: usize,
    pub(crate) level: RegionLevel,
    pub(crate) weight: f32,
    pub(crate) strong: bool,
    pub(crate) solid: bool,
    pub(crate) order: usize,
}

/// What one article says about places.
#[derive(Debug, Default)]
pub(crate) struct Evidence {
    /// Hits in reading order: title first, then body.
    pub(crate) hits: Vec<(Hit, bool)>,
    /// Whitespace-free title and body, as the hit spans index them.
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) markers: u32,
    /// The kind of unit the article's markers speak of (`区` for 区委, 我区, 区人大代表), when
    /// they all speak of one: a tie between places of that name is broken by it.
    pub(crate) own_unit: Option<char>,
}

/// The page's home region and how sure it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Home {
    pub(crate) region: usize,
    /// Named by the paper, or the county most articles are about: 我市 means it.
    pub(crate) certain: bool,
    /// Named by the paper: its 我市 alone makes an article its own.
    pub(crate) from_paper: bool,
}

/// Scans title and body.
pub(crate) fn collect(g: &Gazetteer, a: &ArticleText<'_>) -> Evidence {
    let m = g.matcher();
    let mut ev = Evidence::default();
    let mut hits = Vec::new();
    m.scan(a.title, &mut ev.title, &mut hits);
    ev.hits.extend(hits.drain(..).map(|h| (h, true)));
    m.scan(a.body, &mut ev.body, &mut hits);
    ev.hits.extend(hits.drain(..).map(|h| (h, false)));
    let mut markers = 0;
    let mut units = Vec::new();
    for (h, title) in &ev.hits {
        let text = ev.text(*title);
        if m.entry(h.entry).marker && marker_counts(text, h) {
            markers += if *title { 2 } else { 1 };
            units.extend(
                text[h.start..h.end]
                    .chars()
                    .find(|c| matches!(c, '市' | '区' | '县')),
            );
        }
    }
    ev.markers = markers;
    ev.own_unit = units
        .first()
        .copied()
        .filter(|u| units.iter().all(|x| x == u));
    ev
}

impl Evidence {
    fn text(&self, title: bool) -> &str {
        if title {
            &self.title
        } else {
            &self.body
        }
    }
}

/// A 市/区/县 marker counts unless the characters around it make it another word.
fn marker_counts(text: &str, h: &Hit) -> bool {
    let word = &text[h.start..h.end];
    let before = text[..h.start].chars().next_back();
    let after = text[h.end..].chars().next();
    if word.starts_with(['市', '区', '县'])
        && before.is_some_and(|c| MARKER_WORD_BEFORE.contains(&c))
    {
        return false;
    }
    // 全市场, 全区域, 市长期: the marker is the start of a longer word.
    !(word.ends_with('市') && after == Some('场')
        || word.ends_with('区') && after == Some('域')
        || word.ends_with('长') && matches!(after, Some('期' | '效' | '远' | '者' | '廊' | '江')))
}

/// True when a short name is followed by what makes it a road or building name (中山路).
fn street_like(text: &str, h: &Hit) -> bool {
    let rest = &text[h.end..];
    // 街 is a street, 街道 a township.
    STREET_AFTER.iter().any(|w| rest.starts_with(w))
        || rest.starts_with('街') && !rest.starts_with("街道")
}

/// Regions named unambiguously on the page (full names, unique townships), with counts: the
/// page-wide context for ambiguous names and for the paper's name.
pub(crate) fn page_anchors(g: &Gazetteer, evidence: &[Evidence]) -> HashMap<usize, u32> {
    let mut anchors = HashMap::new();
    for ev in evidence {
        for (h, _) in &ev.hits {
            let e = g.matcher().entry(h.entry);
            if let [c] = e.cands.as_slice() {
                if !e.common
                    && matches!(
                        c.kind,
                        Kind::CountyFull | Kind::TownshipFull | Kind::PrefectureFull
                    )
                {
                    *anchors.entry(c.region as usize).or_default() += 1;
                }
            }
        }
    }
    anchors
}

/// How well the context supports reading a name as `region`.
pub(crate) struct Context<'a> {
    pub(crate) g: &'a Gazetteer,
    /// Regions named unambiguously in this article.
    pub(crate) article: Vec<usize>,
    pub(crate) page: &'a HashMap<usize, u32>,
    pub(crate) home: Option<Home>,
    /// The kind of unit the article calls its own (`Evidence::own_unit`).
    pub(crate) own_unit: Option<char>,
    /// What `article` and `page` say, as sets, so that scoring one name costs the same however
    /// many places a page names (the article's anchors, their prefectures and provinces; the
    /// page's anchors and their prefectures).
    pub(crate) sets: Sets,
}

/// Lookup sets built once per article (and per page) from the anchors.
#[derive(Debug, Default)]
pub(crate) struct Sets {
    anchors: HashSet<usize>,
    prefectures: HashSet<usize>,
    provinces: HashSet<usize>,
    page_prefectures: HashSet<usize>,
    page_built: bool,
}

impl Context<'_> {
    /// Rebuilds the lookup sets after `article` changed.
    fn index(&mut self) {
        let g = self.g;
        let s = &mut self.sets;
        s.anchors.clear();
        s.prefectures.clear();
        s.provinces.clear();
        for &a in &self.article {
            s.anchors.insert(a);
            s.prefectures.extend(g.prefecture_of(a));
            s.provinces.insert(g.province_of(a));
        }
        if !s.page_built {
            for &r in self.page.keys() {
                s.page_prefectures.insert(r);
                s.page_prefectures.extend(g.prefecture_of(r));
            }
            s.page_built = true;
        }
    }
}

impl Context<'_> {
    fn support(&self, region: usize, adjacent_parent: Option<usize>) -> f32 {
        let g = self.g;
        let pref = g.prefecture_of(region);
        let prov = g.province_of(region);
        let mut s = 0.0;
        if adjacent_parent.is_some_and(|p| p != region && g.within(region, p)) {
            s += 4.0;
        }
        let sets = &self.sets;
        let best_article = if sets.anchors.contains(&region) {
            3.0
        } else if pref.is_some_and(|p| sets.anchors.contains(&p) || sets.prefectures.contains(&p)) {
            2.5
        } else if sets.anchors.contains(&prov) {
            1.0
        } else if sets.provinces.contains(&prov) {
            0.5
        } else {
            0.0
        };
        s += best_article;
        if let Some(h) = self.home {
            // The narrower the home, the more it says: a county paper's own county +3, its
            // prefecture +2, its province +1; a province paper's province only +1.
            let hp = g.prefecture_of(h.region);
            let same_pref = pref.is_some() && (hp == pref || Some(h.region) == pref);
            s += match g.region_at(h.region).level {
                RegionLevel::County if h.region == region => 3.0,
                RegionLevel::County if same_pref => 2.0,
                RegionLevel::Prefecture if same_pref || h.region == region => 2.0,
                RegionLevel::Province if h.region == region => 2.0,
                _ if g.province_of(h.region) == prov => 1.0,
                _ => 0.0,
            };
        }
        let page_pref = usize::from(pref.is_some_and(|p| self.sets.page_prefectures.contains(&p)));
        if page_pref > 0 {
            s += 0.5;
        }
        s
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

fn is_full(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::CountyFull | Kind::TownshipFull | Kind::PrefectureFull | Kind::ProvinceFull
    )
}

fn level_of(kind: Kind) -> RegionLevel {
    match kind {
        Kind::ProvinceFull | Kind::ProvinceShort => RegionLevel::Province,
        Kind::PrefectureFull | Kind::PrefectureShort => RegionLevel::Prefecture,
        _ => RegionLevel::County,
    }
}

fn base_weight(kind: Kind) -> f32 {
    match kind {
        Kind::CountyFull => 10.0,
        Kind::TownshipFull => 8.0,
        Kind::CountyShort => 6.0,
        Kind::PrefectureFull => 6.0,
        Kind::PrefectureShort => 5.0,
        Kind::TownshipShort => 4.0,
        Kind::ProvinceFull | Kind::ProvinceShort => 2.0,
    }
}

/// Resolves every hit of one article into mentions.
pub(crate) fn mentions(ev: &Evidence, ctx: &mut Context<'_>) -> Vec<Mention> {
    let g = ctx.g;
    let m = g.matcher();
    ctx.article.clear();
    for (h, _) in &ev.hits {
        let e = m.entry(h.entry);
        // Anchors are names that say where on their own: full names, not short forms (a short
        // name must not support itself).
        if let [c] = e.cands.as_slice() {
            if !e.common && is_full(c.kind) {
                ctx.article.push(c.region as usize);
            }
        }
    }
    ctx.index();
    let mut out: Vec<Mention> = Vec::new();
    // The region of the previous hit and where it ended, for 温州市苍南县 adjacency.
    let mut prev: Option<(usize, usize, bool)> = None;
    for (order, (h, title)) in ev.hits.iter().enumerate() {
        let e = m.entry(h.entry);
        let text = ev.text(*title);
        let adjacent = prev
            .filter(|&(_, end, t)| end == h.start && t == *title)
            .map(|p| p.0);
        prev = None;
        if e.cands.is_empty() {
            continue;
        }
        let short = e.cands.iter().all(|c| {
            matches!(
                c.kind,
                Kind::CountyShort | Kind::PrefectureShort | Kind::TownshipShort
            )
        });
        if short && adjacent.is_none() && street_like(text, h) {
            continue;
        }
        let Some((cand, support)) = pick(g, &e.cands, ctx, adjacent) else {
            continue;
        };
        let region = cand.region as usize;
        let two_char_short = short && e.chars <= 2;
        // Everyday words need their prefecture or county around them (support 2); a name shared
        // by several places needs at least its province (support 1, and `pick` saw no tie).
        let required = if e.common {
            2.0
        } else if e.cands.len() > 1 {
            1.0
        } else {
            0.0
        };
        if support < required {
            continue;
        }
        let supported = support >= 2.0;
        // An unsupported two-character short name may be part of a longer word (和政府, 上党课);
        // it stands on its own at the start of a clause or in a headline (苍南开展……).
        let before = text[..h.start].chars().next_back();
        if two_char_short
            && adjacent.is_none()
            && looks_like_person(before, &text[h.end..], supported)
        {
            continue;
        }
        let clause_start = before.is_none_or(|c| !is_han(c));
        // `strong`: may decide an article on its own; `solid`: may also add a further region.
        let (weight, strong, solid) = match cand.kind {
            // Alone and far from the paper's home (another province), such a name in running
            // text is more often a nickname or a passing word (虞城 for 上虞 in a 上虞 paper)
            // than the story's place: it counts, but the paper's home is not outweighed by it.
            Kind::CountyShort if two_char_short && !supported => {
                let far = ctx.home.is_some_and(|h| {
                    h.from_paper && g.province_of(h.region) != g.province_of(region)
                });
                (4.0, *title || (clause_start && !far), false)
            }
            // 千岛湖 (of 千岛湖镇), 新安江: specific enough to place a story, not to add one.
            Kind::TownshipShort if !supported => (3.0, e.cands.len() == 1, false),
            Kind::ProvinceFull | Kind::ProvinceShort => (2.0, false, false),
            k => (base_weight(k), true, true),
        };
        // A headline names what the story is about.
        let weight = if *title { weight * 3.0 } else { weight };
        out.push(Mention {
            region,
            level: level_of(cand.kind),
            weight,
            strong,
            solid,
            order,
        });
        prev = Some((region, h.end, *title));
    }
    out
}

/// Chooses among a name's candidates by context support; `None` on a tie (never a random pick).
fn pick(
    g: &Gazetteer,
    cands: &[Cand],
    ctx: &Context<'_>,
    adjacent: Option<usize>,
) -> Option<(Cand, f32)> {
    if let [c] = cands {
        return Some((*c, ctx.support(c.region as usize, adjacent)));
    }
    // Nested candidates (白银市 and its 白银区, 嘉峪关市 and its only county): the most specific.
    let nested = cands.iter().find(|outer| {
        cands
            .iter()
            .all(|c| g.within(c.region as usize, outer.region as usize))
    });
    if let Some(outer) = nested {
        let inner = cands
            .iter()
            .filter(|c| c.region != outer.region)
            .collect::<Vec<_>>();
        if let [only] = inner.as_slice() {
            return Some((**only, ctx.support(only.region as usize, adjacent)));
        }
    }
    let supports: Vec<f32> = cands
        .iter()
        .map(|c| ctx.support(c.region as usize, adjacent))
        .collect();
    let top = supports.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let tied: Vec<(Cand, f32)> = cands
        .iter()
        .zip(&supports)
        .filter(|&(_, &s)| s == top)
        .map(|(c, &s)| (*c, s))
        .collect();
    match tied.as_slice() {
        [one] => Some(*one),
        // A story by a district's own paper (区委, 我区, 区人大代表) is about the 双龙镇 of a
        // 区, not of the 县 that have one too: the tie is broken when exactly one place of the
        // name lies in a unit of that kind.
        _ => {
            let unit = ctx.own_unit?;
            let mut of_unit = tied.iter().filter(|(c, _)| {
                let county = g.region_at(c.region as usize);
                county.level == RegionLevel::County && county.name.ends_with(unit)
            });
            match (of_unit.next(), of_unit.next()) {
                (Some(one), None) => Some(*one),
                _ => None,
            }
        }
    }
}
