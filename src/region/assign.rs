//! Region assignment: which county-level regions each article of one page is about.
//!
//! Input: the paper's name (if known) and the articles' titles and bodies. Output: per article,
//! its regions, primary first. Evidence per article, strongest first: a county's full name, a
//! township name (evidence for its county), a county's short name, a prefecture name (gives the
//! prefecture code only when none of its counties is evidenced). Names shared by several places
//! (城关镇, 鼓楼, short names that are also words) count only when the context — the names
//! around them, the article's other places, the page's home region — points to one of them;
//! otherwise they are dropped, never picked at random (see `evidence`).
//!
//! The page's home region is the place the paper's name names (the edition before the paper:
//! 嘉兴日报·平湖版 → 平湖), else the county (or prefecture, or province) most articles are
//! about. It takes 我市/市委 markers, leads the articles that name it on a local paper, and is
//! the prior for articles without evidence. Headline places weigh triple; further regions of a
//! roundup need solid evidence and a fair share of the weight, and follow in reading order.
//! Pure and deterministic; no I/O.

use std::collections::HashMap;

use super::evidence::{collect, mentions, page_anchors, Context, Evidence, Home, Mention};
use super::gazetteer::Gazetteer;
use super::matcher::Kind;
use super::ArticleText;
use crate::model::{RegionLevel, RegionRef};

/// Maximum number of regions given to one article.
const MAX_REGIONS: usize = 8;

/// See the module documentation.
pub fn assign_page(paper: Option<&str>, articles: &[ArticleText<'_>]) -> Vec<Vec<RegionRef>> {
    let g = Gazetteer::global();
    let evidence: Vec<Evidence> = articles.iter().map(|a| collect(g, a)).collect();
    let page = page_anchors(g, &evidence);
    let home = match paper.and_then(|p| home_from_paper(g, p, &page)) {
        // A prefecture paper's page about one of its counties (a county edition whose edition
        // name the page does not print): that county, named by two articles at least, is home.
        Some(p) if g.region_at(p).level == RegionLevel::Prefecture => {
            let county = infer_home_votes(g, &evidence, &page).filter(|&(h, votes)| {
                votes >= 2
                    && h.region != p
                    && g.within(h.region, p)
                    && g.region_at(h.region).level == RegionLevel::County
            });
            Some(Home {
                region: county.map_or(p, |(h, _)| h.region),
                certain: true,
                from_paper: true,
            })
        }
        Some(region) => Some(Home {
            region,
            certain: true,
            from_paper: true,
        }),
        None => infer_home(g, &evidence, &page),
    };
    // A city paper's story of its own city that names none of its districts or counties is
    // filed under the city's seat (the district its government and city news are in), as the
    // paper's readers file it; a prefecture named elsewhere keeps its prefecture code.
    let seat = home
        .filter(|h| h.from_paper && g.region_at(h.region).level == RegionLevel::Prefecture)
        .and_then(|h| g.seat_of(h.region).map(|s| (h.region, s)));
    evidence
        .iter()
        .map(|ev| {
            let mut regions = decide(g, ev, home, &page);
            if let Some((city, seat)) = seat {
                if regions.first() == Some(&city) {
                    regions.retain(|&r| r != seat);
                    regions[0] = seat;
                }
            }
            regions.into_iter().map(|i| g.ref_at(i)).collect()
        })
        .collect()
}

/// Per-region totals of one article.
#[derive(Debug, Clone, Copy)]
struct Score {
    region: usize,
    weight: f32,
    first: usize,
    strong: bool,
    solid: bool,
}

fn add_score(scores: &mut Vec<Score>, m: &Mention) {
    match scores.iter_mut().find(|s| s.region == m.region) {
        Some(s) => {
            s.weight += m.weight;
            s.first = s.first.min(m.order);
            s.strong |= m.strong;
            s.solid |= m.solid;
        }
        None => scores.push(Score {
            region: m.region,
            weight: m.weight,
            first: m.order,
            strong: m.strong,
            solid: m.solid,
        }),
    }
}

/// One article's regions, primary first.
fn decide(
    g: &Gazetteer,
    ev: &Evidence,
    home: Option<Home>,
    page: &HashMap<usize, u32>,
) -> Vec<usize> {
    let mut ctx = Context {
        g,
        article: Vec::new(),
        page,
        home,
        own_unit: ev.own_unit,
        sets: Default::default(),
    };
    let found = mentions(ev, &mut ctx);
    let (mut counties, mut prefectures, mut provinces) = (Vec::new(), Vec::new(), Vec::new());
    for m in &found {
        let bucket = match m.level {
            RegionLevel::County => &mut counties,
            RegionLevel::Prefecture => &mut prefectures,
            RegionLevel::Province => &mut provinces,
        };
        add_score(bucket, m);
    }
    if let Some(h) = home {
        // An inferred home (a roundup page) does not outweigh an article's own places: its
        // 市政府 is then the article's city, not the page's.
        let own_places = counties.iter().any(|s: &Score| s.strong);
        if ev.markers > 0 && (h.certain || !own_places) {
            let w = 5.0 * ev.markers.min(4) as f32;
            let bucket = match g.region_at(h.region).level {
                RegionLevel::County => &mut counties,
                RegionLevel::Prefecture => &mut prefectures,
                RegionLevel::Province => &mut provinces,
            };
            let marker = Mention {
                region: h.region,
                level: g.region_at(h.region).level,
                weight: w,
                strong: true,
                solid: h.from_paper,
                order: usize::MAX,
            };
            add_score(bucket, &marker);
        }
    }
    // A prefecture counts only where none of its counties is evidenced; where it contains the
    // home county, it is the home county speaking of its city (杭州 on a 建德 page).
    for p in prefectures {
        if counties.iter().any(|c| g.within(c.region, p.region)) {
            continue;
        }
        match home {
            Some(h) if h.region != p.region && g.within(h.region, p.region) => {
                let city = Mention {
                    region: h.region,
                    level: RegionLevel::County,
                    weight: p.weight,
                    strong: p.strong,
                    solid: p.solid,
                    order: p.first,
                };
                add_score(&mut counties, &city)
            }
            _ => counties.push(p),
        }
    }
    let mut items = counties;
    if items.is_empty() {
        // Only provinces: the home if it lies inside, else the province itself.
        let best = provinces
            .iter()
            .max_by(|a, b| a.weight.total_cmp(&b.weight).then(b.first.cmp(&a.first)));
        return match (home, best) {
            (Some(h), Some(p)) if g.within(h.region, p.region) => vec![h.region],
            (Some(h), _) => vec![h.region],
            (None, Some(p)) => vec![p.region],
            (None, None) => Vec::new(),
        };
    }
    // The first strong place named leads the story.
    if let Some(lead) = items
        .iter_mut()
        .filter(|s| s.strong)
        .min_by_key(|s| s.first)
    {
        lead.weight += 3.0;
    }
    items.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.first.cmp(&b.first)));
    // A local paper writes from home: where its own place is evidenced, it leads (a 平湖 story
    // about migrants from 庆元 is a 平湖 story).
    if let Some(h) = home.filter(|h| h.certain) {
        // Only named (or the paper's own 我市) does home lead: on a page whose home is inferred,
        // another town's 市政府 must not pull its story home.
        if let Some(at) = items.iter().position(|s| s.region == h.region && s.solid) {
            let own = items.remove(at);
            items.insert(0, own);
        }
    }
    let top = items[0];
    if !top.strong {
        // Only chance evidence (a short name inside a longer word): the prior, or nothing.
        return home.map(|h| vec![h.region]).unwrap_or_default();
    }
    let mut rest: Vec<Score> = items[1..]
        .iter()
        .filter(|s| s.solid && s.weight >= 0.3 * top.weight && s.weight >= 6.0)
        .copied()
        .collect();
    rest.sort_by_key(|s| s.first);
    std::iter::once(top.region)
        .chain(rest.iter().map(|s| s.region))
        .take(MAX_REGIONS)
        .collect()
}

/// The place the paper's name names: the edition (平湖版) before the paper (嘉兴日报), a county
/// before a prefecture.
fn home_from_paper(g: &Gazetteer, paper: &str, page: &HashMap<usize, u32>) -> Option<usize> {
    let m = g.matcher();
    let segments: Vec<&str> = paper
        .split([
            '·', '•', '・', '‧', '∙', '|', '/', ' ', '　', '—', '-', '－',
        ])
        .filter(|s| !s.is_empty())
        .collect();
    let (mut buf, mut hits) = (String::new(), Vec::new());
    for seg in segments.iter().rev() {
        hits.clear();
        m.scan(seg, &mut buf, &mut hits);
        let mut best: Option<(RegionLevel, usize)> = None;
        for h in &hits {
            let e = m.entry(h.entry);
            let mut cands: Vec<usize> = e
                .cands
                .iter()
                .filter(|c| !matches!(c.kind, Kind::TownshipShort))
                .map(|c| c.region as usize)
                .collect();
            if cands.len() > 1 || e.common {
                // Only the page can say which one: keep those the page names.
                let named = |r: &usize| page.keys().any(|&a| g.within(a, *r) || a == *r);
                cands.retain(named);
            }
            let [region] = cands.as_slice() else {
                continue;
            };
            let level = g.region_at(*region).level;
            if best.is_none_or(|(l, _)| (level as u8) > (l as u8)) {
                best = Some((level, *region));
            }
        }
        if let Some((_, r)) = best {
            return Some(r);
        }
    }
    None
}

/// The home of a page whose paper names no place: the county most of its articles are about,
/// else their prefecture, else their province — each only with a clear majority.
fn infer_home(g: &Gazetteer, evidence: &[Evidence], page: &HashMap<usize, u32>) -> Option<Home> {
    infer_home_votes(g, evidence, page).map(|(home, _)| home)
}

/// [`infer_home`] with the number of articles whose primary region lies in the home.
fn infer_home_votes(
    g: &Gazetteer,
    evidence: &[Evidence],
    page: &HashMap<usize, u32>,
) -> Option<(Home, usize)> {
    let primaries: Vec<usize> = evidence
        .iter()
        .filter_map(|ev| decide(g, ev, None, page).first().copied())
        .collect();
    if primaries.is_empty() {
        return None;
    }
    let n = primaries.len();
    let levels: [&dyn Fn(usize) -> usize; 3] =
        [&|r| r, &|r| g.prefecture_of(r).unwrap_or(r), &|r| {
            g.province_of(r)
        }];
    for (i, up) in levels.iter().enumerate() {
        let mut counts: Vec<(usize, usize)> = Vec::new();
        for &p in &primaries {
            let r = up(p);
            match counts.iter_mut().find(|c| c.0 == r) {
                Some(c) => c.1 += 1,
                None => counts.push((r, 1)),
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (region, top) = counts[0];
        let second = counts.get(1).map_or(0, |c| c.1);
        let clear = if i == 0 {
            top * 2 > n || (top >= 2 && top > 2 * second)
        } else {
            top * 2 > n
        };
        if clear && top > second {
            // Most articles about one county, twice at least: a county paper whose name the page
            // does not print, as sure a home as a printed name.
            let home = Home {
                region,
                certain: i == 0 && top >= 2 && top * 2 > n,
                from_paper: false,
            };
            return Some((home, top));
        }
    }
    None
}
