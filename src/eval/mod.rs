//! Evaluation: extracted [`Page`]s scored against gold labels. Pure: no I/O.
//!
//! The gold format and the rules are those of the press tool's `score.py` (its README, sections 4
//! and 5), and the figures are identical to its own: texts compared under [`fold`]; a gold
//! article is held by the first extracted article whose kicker + title + subtitle + body holds
//! all of its `contains` passages; an extracted article holding passages of two or more gold
//! articles is `merged` and matches none of them; titles, bylines and regions are checked on
//! matched articles, dates on pages. Inputs: a [`GoldFile`] and the pages `extract` made; output:
//! a [`Report`] that renders as `score.py` prints (`Report::to_text`) or serialises to JSON.
//! It must not read files or extract pages itself: the `eval` command does that.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::model::{Article, DateSource, Page};

mod fold;
mod report;
#[cfg(test)]
mod tests;

pub use fold::fold;
pub use report::{Miss, PageScore, Report, Summary};

/// A gold file: labelled pages. Fields other than the scoring ones are accepted and ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoldFile {
    /// The labelled pages, in the order the report lists them.
    pub pages: Vec<GoldPage>,
}

/// One labelled page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoldPage {
    /// The page's file name (`p01.txt`); extracted pages are matched by their source's file name.
    pub file: String,
    /// The ISO date printed in the masthead, or null when the page prints none.
    #[serde(default)]
    pub date: Option<String>,
    /// The articles of the page.
    #[serde(default)]
    pub articles: Vec<GoldArticle>,
}

/// One labelled article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoldArticle {
    /// The headline; null for an untitled brief.
    #[serde(default)]
    pub title: Option<String>,
    /// Other accepted forms of the headline (kicker + title, title + subtitle, …).
    #[serde(default)]
    pub title_alts: Option<Vec<String>>,
    /// The people credited, in any order.
    #[serde(default)]
    pub byline: Vec<String>,
    /// Region codes, primary first; a 4-digit code stands for any county of that prefecture.
    #[serde(default)]
    pub regions: Vec<String>,
    /// When set, any of these codes is an acceptable primary region (one place, several codes).
    #[serde(default)]
    pub primary_any: Option<Vec<String>>,
    /// Passages of the body that only this article of the page holds.
    #[serde(default)]
    pub contains: Vec<String>,
}

/// Running totals over the pages, as `score.py` keeps them.
#[derive(Debug, Default)]
struct Totals {
    gold: usize,
    pred: usize,
    tp: usize,
    title: usize,
    titled: usize,
    byline: usize,
    region: usize,
    region_set_hit: usize,
    region_set_total: usize,
    date_ok: usize,
    date_total: usize,
    date_false_claim: usize,
    merged: usize,
    split: usize,
    missing_pages: usize,
}

/// Scores `pages` against `gold`. Pages are matched to gold pages by file name (the last
/// `/`-separated part of [`Page::source`]; of two pages with one name the later counts; a PDF
/// of the same stem stands for a text page); a gold
/// page with no extracted page counts as missing and its articles still count in recall.
pub fn score(gold: &GoldFile, pages: &[Page]) -> Report {
    let by_file: HashMap<&str, &Page> = pages.iter().map(|p| (basename(&p.source), p)).collect();
    let mut t = Totals::default();
    let mut lines = Vec::with_capacity(gold.pages.len());
    for gp in &gold.pages {
        t.gold += gp.articles.len();
        let pdf = format!("{}.pdf", stem(basename(&gp.file)));
        let found = by_file
            .get(basename(&gp.file))
            // A PDF page is scored against the gold of its text dump (`p01.pdf` for `p01.txt`).
            .or_else(|| by_file.get(pdf.as_str()))
            .map(|p| Cow::Borrowed(*p))
            .or_else(|| pdf_pages(pages, &pdf).map(Cow::Owned));
        let Some(page) = found else {
            t.missing_pages += 1;
            lines.push(PageScore {
                file: gp.file.clone(),
                gold: gp.articles.len(),
                pred: None,
                matched: 0,
                misses: Vec::new(),
            });
            continue;
        };
        lines.push(score_page(gp, &page, &mut t));
    }
    Report {
        pages: lines,
        summary: summarise(&t),
    }
}

/// The pages of a PDF that holds several (`p01.pdf#p1`, `p01.pdf#p2`, …) as one page: its gold
/// labels the file, so every article found in it counts (the first page's date stands).
fn pdf_pages(pages: &[Page], pdf: &str) -> Option<Page> {
    let mut parts = pages.iter().filter(|p| {
        basename(&p.source)
            .strip_prefix(pdf)
            .and_then(|rest| rest.strip_prefix("#p"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    });
    let mut whole = parts.next()?.clone();
    for p in parts {
        whole.articles.extend(p.articles.iter().cloned());
    }
    Some(whole)
}

/// Scores one page that has a prediction, adding to the totals.
fn score_page(gp: &GoldPage, page: &Page, t: &mut Totals) -> PageScore {
    let parr: Vec<&Article> = page
        .articles
        .iter()
        .filter(|a| !fold(&a.body).is_empty())
        .collect();
    t.pred += parr.len();
    let texts: Vec<String> = parr
        .iter()
        .map(|a| {
            let head = [&a.kicker, &a.title, &a.subtitle];
            let head: String = head.into_iter().flatten().map(String::as_str).collect();
            fold(&format!("{head}{}", a.body))
        })
        .collect();
    // Which gold articles each predicted article holds passages of.
    let mut owners: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); parr.len()];
    let mut hits: HashMap<usize, usize> = HashMap::new();
    for (gi, g) in gp.articles.iter().enumerate() {
        let cs: Vec<String> = g.contains.iter().map(|c| fold(c)).collect();
        let full = texts
            .iter()
            .position(|t| cs.iter().all(|c| t.contains(c.as_str())));
        let mut any = 0;
        for (pi, text) in texts.iter().enumerate() {
            if cs.iter().any(|c| text.contains(c.as_str())) {
                owners[pi].insert(gi);
                any += 1;
            }
        }
        match full {
            Some(pi) => {
                hits.insert(gi, pi);
            }
            None if any > 1 => t.split += 1,
            None => {}
        }
    }
    let mut misses = Vec::new();
    let mut matched = 0;
    for (gi, g) in gp.articles.iter().enumerate() {
        let Some(&pi) = hits.get(&gi) else {
            misses.push(Miss::Missed {
                title: g.title.clone(),
                passage: g.contains.first().cloned(),
            });
            continue;
        };
        if owners[pi].len() > 1 {
            misses.push(Miss::Merged {
                title: g.title.clone(),
                pred: pi,
                pred_title: parr[pi].title.clone(),
            });
            continue;
        }
        matched += 1;
        check_fields(g, parr[pi], t, &mut misses);
    }
    t.tp += matched;
    t.merged += owners.iter().filter(|o| o.len() > 1).count();
    let pred_date = page.date.map(|d| d.to_string());
    match gp.date.as_deref().filter(|d| !d.is_empty()) {
        Some(want) => {
            t.date_total += 1;
            if pred_date.as_deref() == Some(want) {
                t.date_ok += 1;
            } else {
                misses.push(Miss::Date {
                    want: want.to_string(),
                    got: pred_date,
                    source: page.date_source.as_str().to_string(),
                });
            }
        }
        None if page.date_source == DateSource::Masthead => t.date_false_claim += 1,
        None => {}
    }
    PageScore {
        file: gp.file.clone(),
        gold: gp.articles.len(),
        pred: Some(parr.len()),
        matched,
        misses,
    }
}

/// Title, byline and regions of a matched article.
fn check_fields(g: &GoldArticle, a: &Article, t: &mut Totals, misses: &mut Vec<Miss>) {
    if let Some(want) = g.title.as_deref().filter(|s| !s.is_empty()) {
        t.titled += 1;
        let alts = g.title_alts.iter().flatten();
        let ok: BTreeSet<String> = std::iter::once(fold(want))
            .chain(alts.map(|x| fold(x)))
            .collect();
        let fold_opt = |s: &Option<String>| fold(s.as_deref().unwrap_or(""));
        let (k, ti, s) = (
            fold_opt(&a.kicker),
            fold_opt(&a.title),
            fold_opt(&a.subtitle),
        );
        let forms = [
            ti.clone(),
            format!("{k}{ti}"),
            format!("{ti}{s}"),
            format!("{k}{ti}{s}"),
        ];
        if forms.iter().any(|f| ok.contains(f)) {
            t.title += 1;
        } else {
            misses.push(Miss::Title {
                want: want.to_string(),
                kicker: a.kicker.clone(),
                title: a.title.clone(),
                subtitle: a.subtitle.clone(),
            });
        }
    }
    if sorted(&a.byline) == sorted(&g.byline) {
        t.byline += 1;
    } else {
        misses.push(Miss::Byline {
            want: g.byline.clone(),
            got: a.byline.clone(),
        });
    }
    let codes: Vec<&str> = a.regions.iter().map(|r| r.code.as_str()).collect();
    let primary_any: &[String] = g.primary_any.as_deref().unwrap_or_default();
    let primary: &[String] = if primary_any.is_empty() {
        g.regions.get(..1).unwrap_or_default()
    } else {
        primary_any
    };
    if codes
        .first()
        .is_some_and(|first| primary.iter().any(|c| region_ok(first, c)))
    {
        t.region += 1;
    } else {
        misses.push(Miss::Region {
            want: g.regions.clone(),
            got: codes.iter().map(|c| c.to_string()).collect(),
            title: a.title.clone(),
        });
    }
    // Each group is one place; any code of the group counts.
    let mut groups: Vec<&[String]> = Vec::new();
    if !primary_any.is_empty() {
        groups.push(primary_any);
    }
    groups.extend(
        g.regions
            .iter()
            .filter(|gc| !primary_any.contains(gc))
            .map(std::slice::from_ref),
    );
    for group in groups {
        t.region_set_total += 1;
        if codes
            .iter()
            .any(|c| group.iter().any(|gc| region_ok(c, gc)))
        {
            t.region_set_hit += 1;
        }
    }
}

/// A predicted code matches a gold code when equal, or when the gold code has 4 digits (a
/// prefecture) and the predicted code starts with it.
fn region_ok(pred: &str, gold: &str) -> bool {
    !pred.is_empty() && (pred == gold || (gold.chars().count() == 4 && pred.starts_with(gold)))
}

fn sorted(names: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = names.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

/// A file name without its extension.
fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// The file name of a path as `score.py` takes it (`os.path.basename` on `/`).
fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The final figures, rounded to 3 decimals as `score.py` rounds them.
fn summarise(t: &Totals) -> Summary {
    let ratio = |n: usize, d: usize| n as f64 / d as f64;
    let p = if t.pred > 0 { ratio(t.tp, t.pred) } else { 0.0 };
    let r = if t.gold > 0 { ratio(t.tp, t.gold) } else { 0.0 };
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    let tp = t.tp.max(1);
    Summary {
        precision: round3(p),
        recall: round3(r),
        f1: round3(f1),
        title_acc: round3(ratio(t.title, t.titled.max(1))),
        byline_acc: round3(ratio(t.byline, tp)),
        region_acc: round3(ratio(t.region, tp)),
        region_set_recall: round3(ratio(t.region_set_hit, t.region_set_total.max(1))),
        date_acc: round3(ratio(t.date_ok, t.date_total.max(1))),
        date_false_claims: t.date_false_claim,
        merged: t.merged,
        split: t.split,
        missing_pages: t.missing_pages,
        gold: t.gold,
        pred: t.pred,
    }
}

/// Python's `round(x, 3)`: the double nearest the correctly rounded 3-decimal value (ties to
/// even on the exact binary value), which is what Rust's `{:.3}` formatting writes.
fn round3(x: f64) -> f64 {
    format!("{x:.3}").parse().unwrap_or(x)
}
