//! Scores extraction of the seed pages against the gold labels in
//! `tests/fixtures/gold_seeds.json`, exactly as its `about` field says: texts are compared with
//! whitespace removed and full-width/half-width punctuation and quote styles folded; an extracted
//! article matches a gold article when its kicker+title+subtitle+body holds every `contains`
//! passage and no passage of another gold article of the page; a title is accepted when it equals
//! the title, a title_alt, kicker+title or title+subtitle; a 4-digit gold region stands for any
//! county of that prefecture. Prints the figures and fails below the thresholds of issue 2; the
//! held-out pages of `tests/fixtures/heldout/` (labels in `gold_heldout.json`) are scored the
//! same way, by the same code, against the figures they reach.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should stop the test

use std::path::Path;

use paperboy::extract::{self, Options};
use paperboy::model::{Article, DateSource, Page};
use serde::Deserialize;

#[derive(Deserialize)]
struct Gold {
    pages: Vec<GoldPage>,
}

#[derive(Deserialize)]
struct GoldPage {
    file: String,
    date: Option<chrono::NaiveDate>,
    articles: Vec<GoldArticle>,
}

#[derive(Deserialize)]
struct GoldArticle {
    title: Option<String>,
    #[serde(default)]
    title_alts: Vec<String>,
    kicker: Option<String>,
    subtitle: Option<String>,
    byline: Vec<String>,
    regions: Vec<String>,
    contains: Vec<String>,
}

/// Whitespace removed; full-width ASCII forms folded to half-width; every quote style one `"`.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '“' | '”' | '„' | '‟' | '〝' | '〞' | '「' | '」' | '『' | '』' | '‘' | '’' | '\'' => {
                '"'
            }
            '。' | '｡' => '.',
            '、' => ',',
            '—' | '–' => '-',
            _ => c,
        })
        .collect()
}

fn article_text(a: &Article) -> String {
    let parts = [&a.kicker, &a.title, &a.subtitle];
    let head: String = parts.into_iter().flatten().map(String::as_str).collect();
    norm(&format!("{head}{}", a.body))
}

fn matches(text: &str, gold: &GoldArticle, others: &[&GoldArticle]) -> bool {
    gold.contains.iter().all(|p| text.contains(&norm(p)))
        && others
            .iter()
            .all(|o| o.contains.iter().all(|p| !text.contains(&norm(p))))
}

fn title_ok(a: &Article, g: &GoldArticle) -> bool {
    let Some(gt) = &g.title else {
        return a.title.is_none();
    };
    let Some(t) = &a.title else {
        return false;
    };
    let mut accepted: Vec<String> = vec![norm(gt)];
    accepted.extend(g.title_alts.iter().map(|s| norm(s)));
    if let Some(k) = &g.kicker {
        accepted.push(norm(&format!("{k}{gt}")));
    }
    if let Some(s) = &g.subtitle {
        accepted.push(norm(&format!("{gt}{s}")));
    }
    // The extracted article may have split what the gold calls the title.
    let mut mine = vec![norm(t)];
    if let Some(k) = &a.kicker {
        mine.push(norm(&format!("{k}{t}")));
    }
    if let Some(s) = &a.subtitle {
        mine.push(norm(&format!("{t}{s}")));
    }
    mine.iter().any(|m| accepted.contains(m))
}

fn byline_ok(a: &Article, g: &GoldArticle) -> bool {
    let mut mine: Vec<&str> = a.byline.iter().map(String::as_str).collect();
    let mut gold: Vec<&str> = g.byline.iter().map(String::as_str).collect();
    mine.sort_unstable();
    gold.sort_unstable();
    mine == gold
}

fn primary_region_ok(a: &Article, g: &GoldArticle) -> bool {
    match (a.regions.first(), g.regions.first()) {
        (Some(mine), Some(gold)) => mine.code.as_str().starts_with(gold.as_str()),
        (None, None) => true,
        _ => false,
    }
}

fn date_ok(p: &Page, g: &GoldPage) -> bool {
    match g.date {
        Some(d) => p.date == Some(d),
        None => {
            p.date.is_none() || matches!(p.date_source, DateSource::Inferred | DateSource::Metadata)
        }
    }
}

#[derive(Default)]
struct Tally {
    gold: usize,
    extracted: usize,
    matched: usize,
    titles: usize,
    bylines: usize,
    regions: usize,
    printed_dates: usize,
    printed_dates_ok: usize,
    dates_ok: usize,
    pages: usize,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        1.0
    } else {
        n as f64 / d as f64
    }
}

/// The figures of one scored set.
struct Figures {
    f1: f64,
    title: f64,
    byline: f64,
    region: f64,
    printed: f64,
    dates_ok: usize,
    pages: usize,
}

/// Extracts every page of `gold_file` from `dir` and scores it; prints a table and the figures.
fn score(name: &str, gold_file: &str, dir: &str) -> Figures {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gold: Gold =
        serde_json::from_str(&std::fs::read_to_string(root.join(gold_file)).unwrap()).unwrap();
    println!("== {name} ({gold_file})");
    let mut t = Tally::default();
    println!(
        "{:<28} {:>4} {:>4} {:>5} {:>5} {:>5} {:>6} {:>5}",
        "page", "gold", "ext", "match", "title", "bylin", "region", "date"
    );
    for gp in &gold.pages {
        let source = format!("{dir}/{}", gp.file);
        let bytes = std::fs::read(root.join(&source)).unwrap();
        let page = extract::page(&bytes, &source, &Options::default()).unwrap();
        let texts: Vec<String> = page.articles.iter().map(article_text).collect();
        let mut used = vec![false; texts.len()];
        let (mut m, mut ti, mut by, mut re) = (0, 0, 0, 0);
        for (gi, g) in gp.articles.iter().enumerate() {
            let others: Vec<&GoldArticle> = gp
                .articles
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != gi)
                .map(|(_, o)| o)
                .collect();
            let found = (0..texts.len()).find(|&i| !used[i] && matches(&texts[i], g, &others));
            let Some(i) = found else {
                println!(
                    "  missed: {:?}",
                    g.title.as_deref().unwrap_or(&g.contains[0])
                );
                continue;
            };
            used[i] = true;
            m += 1;
            let a = &page.articles[i];
            if title_ok(a, g) {
                ti += 1;
            } else {
                println!("  title: got {:?} want {:?}", a.title, g.title);
            }
            if byline_ok(a, g) {
                by += 1;
            } else {
                println!(
                    "  byline: got {:?} want {:?} ({:?})",
                    a.byline, g.byline, g.title
                );
            }
            if primary_region_ok(a, g) {
                re += 1;
            } else {
                let got: Vec<&str> = a.regions.iter().map(|r| r.code.as_str()).collect();
                println!("  region: got {got:?} want {:?} ({:?})", g.regions, g.title);
            }
        }
        for (i, a) in page.articles.iter().enumerate().filter(|(i, _)| !used[*i]) {
            println!("  extra #{i}: {:?} {:.40}", a.title, a.body);
        }
        let d_ok = date_ok(&page, gp);
        if gp.date.is_some() {
            t.printed_dates += 1;
            t.printed_dates_ok += usize::from(d_ok);
        }
        t.dates_ok += usize::from(d_ok);
        t.pages += 1;
        println!(
            "{:<28} {:>4} {:>4} {:>5} {:>5} {:>5} {:>6} {:>5}",
            gp.file,
            gp.articles.len(),
            page.articles.len(),
            m,
            ti,
            by,
            re,
            if d_ok { "ok" } else { "WRONG" }
        );
        t.gold += gp.articles.len();
        t.extracted += page.articles.len();
        t.matched += m;
        t.titles += ti;
        t.bylines += by;
        t.regions += re;
    }
    let p = ratio(t.matched, t.extracted);
    let r = ratio(t.matched, t.gold);
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    let title = ratio(t.titles, t.gold);
    let byline = ratio(t.bylines, t.gold);
    let region = ratio(t.regions, t.gold);
    let printed = ratio(t.printed_dates_ok, t.printed_dates);
    println!(
        "articles: precision {p:.3} recall {r:.3} F1 {f1:.3} ({} matched of {} gold, {} extracted)",
        t.matched, t.gold, t.extracted
    );
    println!("title {title:.3}  byline {byline:.3}  primary region {region:.3}");
    println!(
        "dates: printed {}/{}  all pages {}/{}",
        t.printed_dates_ok, t.printed_dates, t.dates_ok, t.pages
    );
    Figures {
        f1,
        title,
        byline,
        region,
        printed,
        dates_ok: t.dates_ok,
        pages: t.pages,
    }
}

#[test]
fn seeds_score_against_gold_labels() {
    let Figures {
        f1,
        title,
        byline,
        region,
        printed,
        dates_ok,
        pages,
    } = score("seeds", "tests/fixtures/gold_seeds.json", "seeds");
    assert!(f1 >= 0.95, "article F1 {f1:.3} < 0.95");
    assert!(title >= 0.90, "title accuracy {title:.3} < 0.90");
    assert!(byline >= 0.90, "byline accuracy {byline:.3} < 0.90");
    assert!(
        (printed - 1.0).abs() < f64::EPSILON,
        "printed dates {printed:.3} < 1"
    );
    assert_eq!(dates_ok, pages, "a page without a printed date claimed one");
    assert!(region >= 0.95, "primary region accuracy {region:.3} < 0.95");
}

#[test]
fn heldout_pages_score_against_gold_labels() {
    let f = score(
        "held-out",
        "tests/fixtures/gold_heldout.json",
        "tests/fixtures/heldout",
    );
    println!(
        "held-out: F1 {:.3} title {:.3} byline {:.3} region {:.3} printed dates {:.3} ({}/{} pages dated right)",
        f.f1, f.title, f.byline, f.region, f.printed, f.dates_ok, f.pages
    );
    // What the held-out pages reach today (every figure 1.000 on 16 articles): with so few
    // articles, 0.95 still fails on any single miss of title, byline or region.
    assert!(f.f1 >= 0.95, "held-out article F1 {:.3} < 0.95", f.f1);
    assert!(
        f.title >= 0.95,
        "held-out title accuracy {:.3} < 0.95",
        f.title
    );
    assert!(
        f.byline >= 0.95,
        "held-out byline accuracy {:.3} < 0.95",
        f.byline
    );
    assert!(
        f.region >= 0.95,
        "held-out primary region accuracy {:.3} < 0.95",
        f.region
    );
    assert!(
        (f.printed - 1.0).abs() < f64::EPSILON,
        "held-out printed dates {:.3} < 1",
        f.printed
    );
    assert_eq!(f.dates_ok, f.pages, "a held-out page got its date wrong");
}
