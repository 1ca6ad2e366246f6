//! Scale benchmark: a generated store of N articles (default 1,000,000) over 3,000 county-level
//! regions of the compiled-in gazetteer and three years of days, on SQLite and on PostgreSQL.
//!
//! The generator: pages of 20 articles (~280 Chinese characters each, sentences of the seed
//! pages in a pseudo-random order), each page one region's paper on one day, stored in date
//! order (as a store grows) through `Store::ingest_many`, 100 pages a batch. Regions are
//! shuffled and then drawn with a skew (region k of the shuffled list with density ∝ 1/√k),
//! so a few regions publish most days and many only now and then, as real papers do; one
//! article in ten is also filed under a second county of the same prefecture.
//!
//! Measured: the ingest rate of each tenth of the articles (the first against the last shows
//! what a growing store costs); then a `paperboy serve` subprocess on the finished database
//! and, for each document, its first request (rendered, nothing cached) and a second one
//! (from the document cache): the largest province's articles feed, an edition page of its
//! largest county and of the province itself, the province's editions listing (its region
//! page and the API listing), the OPML, the home page and the all-regions feed; the server's
//! resident memory (`VmRSS`, and its peak `VmHWM`) before and after; `paperboy editions` for
//! the province and for everything; the database size per article, per table and index; and
//! the query plan of every statement those requests run.
//!
//! Run: `cargo bench --bench scale` (env `PAPERBOY_BENCH_ARTICLES`, default 1000000;
//! `PAPERBOY_BENCH_BACKEND` `sqlite` (default), `postgres` or `both`; PostgreSQL at
//! `PAPERBOY_TEST_POSTGRES`, in a schema of its own that is dropped at the end; the SQLite file
//! goes under `TMPDIR` and is removed at the end).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed benchmark

#[path = "support/server.rs"]
mod server;
#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use chrono::{Duration as Days, NaiveDate, TimeZone, Utc};
use paperboy::ingest::prepare;
use paperboy::model::{Article, DateSource, Page, RegionCode, RegionLevel, RegionRef};
use paperboy::region::Gazetteer;
use paperboy::store::{EditionQuery, NewPage, Read, Store};
use server::{editions_cli, get, ms, Server};
use support::{env_usize, next, seeded, sentences, testing};

const ARTICLES_PER_PAGE: usize = 20;
const PAGES_PER_BATCH: usize = 100;
const REGIONS: usize = 3_000;
const DAYS: i64 = 3 * 365;
/// One article in this many is filed under a second county too.
const SECOND_REGION_EVERY: usize = 10;
/// Entries per feed, as `[feeds] entries` is set for the server below (its default).
const FEED_ENTRIES: usize = 30;

/// The generator's fixed choices: regions in skew order, sentences.
struct World {
    regions: Vec<RegionRef>,
    /// Index in `regions` of another county of the same prefecture (itself when it has none).
    sibling: Vec<usize>,
    sentences: Vec<String>,
    pages: usize,
}

impl World {
    fn new(articles: usize) -> Self {
        let g = Gazetteer::global();
        let mut regions: Vec<RegionRef> = g
            .regions()
            .iter()
            .filter(|r| r.level == RegionLevel::County)
            .filter_map(|r| g.region_ref(&r.code))
            .collect();
        // Shuffled (Fisher–Yates), so the busy regions are spread over the country.
        let mut rng = seeded(7);
        for i in (1..regions.len()).rev() {
            let j = (next(&mut rng) % (i as u64 + 1)) as usize;
            regions.swap(i, j);
        }
        regions.truncate(REGIONS);
        let by_prefecture = |r: &RegionRef| (r.province.clone(), r.prefecture.clone());
        let mut groups: HashMap<_, Vec<usize>> = HashMap::new();
        for (i, r) in regions.iter().enumerate() {
            groups.entry(by_prefecture(r)).or_default().push(i);
        }
        let sibling = regions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let group = &groups[&by_prefecture(r)];
                let at = group.iter().position(|&j| j == i).unwrap_or(0);
                group[(at + 1) % group.len()]
            })
            .collect();
        Self {
            regions,
            sibling,
            sentences: sentences(),
            pages: articles.div_ceil(ARTICLES_PER_PAGE),
        }
    }

    /// Region index of page `p`: density ∝ 1/√k over the shuffled list.
    fn region_of(&self, p: usize) -> usize {
        let u = (next(&mut seeded(p as u64 + 1)) % 1_000_000) as f64 / 1_000_000.0;
        ((u * u) * self.regions.len() as f64) as usize
    }

    /// Day of page `p`: pages are stored in date order over `DAYS`.
    fn date_of(&self, p: usize) -> NaiveDate {
        let day = (p as i64 * DAYS) / self.pages as i64;
        NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + Days::days(day)
    }

    fn page(&self, p: usize) -> NewPage {
        let r = self.region_of(p);
        let region = &self.regions[r];
        let second = &self.regions[self.sibling[r]];
        let mut rng = seeded(p as u64 ^ 0xABCD_EF01);
        let s = &self.sentences;
        let articles = (0..ARTICLES_PER_PAGE)
            .map(|k| {
                let i = p * ARTICLES_PER_PAGE + k;
                let mut body = String::new();
                for _ in 0..8 {
                    body.push_str(&s[next(&mut rng) as usize % s.len()]);
                }
                let title: String = s[next(&mut rng) as usize % s.len()]
                    .chars()
                    .take(14)
                    .collect();
                let mut regions = vec![region.clone()];
                if i.is_multiple_of(SECOND_REGION_EVERY) && second.code != region.code {
                    regions.push(second.clone());
                }
                Article {
                    title: Some(format!("{title}（{i}）")),
                    regions,
                    body,
                    ..Article::default()
                }
            })
            .collect();
        let date = self.date_of(p);
        let page = Page {
            source: format!("scale/{p}.txt"),
            encoding: "utf-8".into(),
            warnings: Vec::new(),
            paper: Some(format!("{}报", region.name)),
            date: Some(date),
            date_source: DateSource::Masthead,
            articles,
        };
        let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        prepare(page, &format!("{p}.txt"), at, chrono_tz::Asia::Shanghai)
    }

    /// Articles per county and per province, as the generator files them.
    fn counts(&self) -> (HashMap<RegionCode, usize>, HashMap<RegionCode, usize>) {
        let mut county: HashMap<RegionCode, usize> = HashMap::new();
        let mut province: HashMap<RegionCode, usize> = HashMap::new();
        for p in 0..self.pages {
            let r = &self.regions[self.region_of(p)];
            *county.entry(r.code.clone()).or_default() += ARTICLES_PER_PAGE;
            *province.entry(r.code.province()).or_default() += ARTICLES_PER_PAGE;
        }
        (county, province)
    }
}

/// Stores every page, timing each tenth; prints articles/s per tenth.
async fn fill(store: &Store, world: &World) {
    let started = Instant::now();
    let tenth = world.pages.div_ceil(10);
    let mut rates = Vec::new();
    let mut p = 0;
    while p < world.pages {
        let slice_end = (p + tenth).min(world.pages);
        let slice_started = Instant::now();
        let first = p;
        while p < slice_end {
            let batch: Vec<NewPage> = (p..(p + PAGES_PER_BATCH).min(slice_end))
                .map(|i| world.page(i))
                .collect();
            store.ingest_many(&batch).await.unwrap();
            p += batch.len();
        }
        let secs = slice_started.elapsed().as_secs_f64();
        let n = (p - first) * ARTICLES_PER_PAGE;
        rates.push(n as f64 / secs);
        println!(
            "  ingest tenth {}: articles {}..{} in {secs:.1} s, {:.0} articles/s",
            rates.len(),
            first * ARTICLES_PER_PAGE,
            p * ARTICLES_PER_PAGE,
            n as f64 / secs
        );
    }
    let secs = started.elapsed().as_secs_f64();
    let total = world.pages * ARTICLES_PER_PAGE;
    println!(
        "  ingest: {total} articles in {secs:.0} s, {:.0} articles/s; first tenth {:.0}/s, \
         last tenth {:.0}/s ({:.0}% of the first)",
        total as f64 / secs,
        rates[0],
        rates[rates.len() - 1],
        100.0 * rates[rates.len() - 1] / rates[0]
    );
}

/// What the requests are about: the largest province, its largest county and their newest days.
struct Subject {
    province: RegionCode,
    province_slug: String,
    province_articles: usize,
    county: RegionCode,
    county_slug: String,
    county_day: NaiveDate,
    province_day: NaiveDate,
}

async fn subject(store: &Store, world: &World) -> Subject {
    let (county_n, province_n) = world.counts();
    let (province, &province_articles) = province_n
        .iter()
        .max_by_key(|(c, n)| (**n, (*c).clone()))
        .unwrap();
    let (county, _) = county_n
        .iter()
        .filter(|(c, _)| c.province() == *province)
        .max_by_key(|(c, n)| (**n, (*c).clone()))
        .unwrap();
    let g = Gazetteer::global();
    let newest = |code: &RegionCode| {
        let code = code.clone();
        async move {
            let q = EditionQuery {
                region: Some(code),
                limit: Some(1),
                ..Default::default()
            };
            store.editions(&q).await.unwrap()[0].date
        }
    };
    Subject {
        province: province.clone(),
        province_slug: g.get(province).unwrap().slug.to_string(),
        province_articles,
        county: county.clone(),
        county_slug: g.get(county).unwrap().slug.to_string(),
        county_day: newest(county).await,
        province_day: newest(province).await,
    }
}

/// First (uncached) and second (cached) request of each document; `paperboy editions`.
async fn requests(store: &Store, url: &str, dir: &Path, s: &Subject) {
    let server = Server::start(url, dir, FEED_ENTRIES);
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let (rss, _) = server.memory();
    // Templates, gazetteer and the first connections, on a document not measured.
    get(&client, &format!("{}/robots.txt", server.base)).await;
    get(
        &client,
        &format!("{}/r/{}/feed.rss", server.base, s.county_slug),
    )
    .await;
    let (rss_warm, _) = server.memory();
    println!("  serve: VmRSS {rss:.1} MiB at start, {rss_warm:.1} MiB after a first feed");
    let p = &s.province_slug;
    let c = &s.county_slug;
    let docs = [
        (
            format!("/r/{p}/articles.rss"),
            "largest province's articles feed",
        ),
        (format!("/r/{c}/{}/", s.county_day), "edition page (county)"),
        (
            format!("/r/{p}/{}/", s.province_day),
            "edition page (province)",
        ),
        (
            format!("/r/{p}/"),
            "province's editions listing (region page)",
        ),
        (
            format!("/api/v1/regions/{p}/editions"),
            "province's editions listing (API)",
        ),
        ("/feeds.opml".to_string(), "OPML"),
        ("/".to_string(), "home page"),
        ("/feed.rss".to_string(), "all-regions feed"),
    ];
    println!("  request: first (rendered) | second (cached), bytes");
    for (path, what) in &docs {
        let url = format!("{}{path}", server.base);
        let (first, bytes) = get(&client, &url).await;
        let (second, _) = get(&client, &url).await;
        println!(
            "    {path} ({what}): {:.1} ms | {:.2} ms, {bytes} B",
            ms(first),
            ms(second)
        );
    }
    let (rss, hwm) = server.memory();
    println!("  serve after the requests: VmRSS {rss:.1} MiB (peak {hwm:.1} MiB)");
    drop(server);
    let code = s.province.to_string();
    let (t, lines) = editions_cli(dir, &["--region", &code]);
    println!(
        "  paperboy editions --region {code}: {:.0} ms, {lines} lines",
        ms(t)
    );
    let (t, lines) = editions_cli(dir, &["--format", "json"]);
    println!(
        "  paperboy editions --format json (everything): {:.0} ms, {lines} lines",
        ms(t)
    );
    let _ = store;
}

/// The plan of every statement the requests above run.
async fn plans(store: &Store, s: &Subject) {
    let feed = FEED_ENTRIES + 1;
    let listing = |region: Option<RegionCode>, limit| EditionQuery {
        region,
        limit: Some(limit),
        ..Default::default()
    };
    let reads = [
        (
            "articles feed",
            Read::RegionArticles(s.province.clone(), feed, None),
        ),
        (
            "edition page",
            Read::EditionArticles(s.county.clone(), s.county_day),
        ),
        (
            "edition page",
            Read::AdjacentEditions(s.county.clone(), s.county_day),
        ),
        (
            "province edition page",
            Read::EditionArticles(s.province.clone(), s.province_day),
        ),
        (
            "province edition page",
            Read::AdjacentEditions(s.province.clone(), s.province_day),
        ),
        (
            "editions listing",
            Read::Editions(listing(Some(s.province.clone()), 31)),
        ),
        ("OPML, home, region page", Read::Regions),
        ("home page", Read::Editions(listing(None, 12))),
        ("all-regions feed", Read::LatestArticles(feed, None)),
        ("every request", Read::Revision),
    ];
    for (what, read) in &reads {
        println!("  plan ({what}): {read:?}");
        for line in store.explain(read).await.unwrap() {
            println!("      {line}");
        }
    }
}

async fn sizes(store: &Store, articles: usize) {
    let sizes = store.sizes().await.unwrap();
    let total: i64 = sizes.iter().map(|(_, b)| b).sum();
    println!(
        "  size: {:.0} MiB, {:.0} bytes per article",
        total as f64 / 1048576.0,
        total as f64 / articles as f64
    );
    for (name, bytes) in sizes.iter().filter(|(_, b)| *b >= total / 100) {
        println!("    {name}: {:.0} MiB", *bytes as f64 / 1048576.0);
    }
}

async fn run(label: &str, store: &Store, url: &str, dir: &Path, world: &World) {
    let n = world.pages * ARTICLES_PER_PAGE;
    println!(
        "{label}, {n} articles over {} regions:",
        world.regions.len()
    );
    fill(store, world).await;
    // Statistics as autovacuum would have them a minute after a bulk load.
    store.analyze().await.unwrap();
    sizes(store, n).await;
    let s = subject(store, world).await;
    println!(
        "  largest province {} ({}, {} articles); its largest county {} ({}); newest days {} and {}",
        s.province, s.province_slug, s.province_articles, s.county, s.county_slug,
        s.county_day, s.province_day
    );
    requests(store, url, dir, &s).await;
    plans(store, &s).await;
}

fn main() {
    let testing = testing();
    let n = if testing {
        400
    } else {
        env_usize("PAPERBOY_BENCH_ARTICLES", 1_000_000)
    };
    let backend = std::env::var("PAPERBOY_BENCH_BACKEND").unwrap_or_else(|_| "sqlite".into());
    let world = World::new(n);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        if backend == "sqlite" || backend == "both" {
            let url = format!("sqlite://{}/scale.db", dir.path().display());
            let store = Store::connect(&url).await.unwrap();
            run("sqlite", &store, &url, dir.path(), &world).await;
            store.close().await;
        }
        if backend == "postgres" || backend == "both" {
            let pg = std::env::var("PAPERBOY_TEST_POSTGRES")
                .expect("PAPERBOY_TEST_POSTGRES for the PostgreSQL run");
            let schema = format!("pb_bench_scale_{}", std::process::id());
            let store = Store::connect_postgres_schema(&pg, &schema).await.unwrap();
            let sep = if pg.contains('?') { '&' } else { '?' };
            let url = format!("{pg}{sep}options=-c%20search_path%3D{schema}");
            run("postgres", &store, &url, dir.path(), &world).await;
            store.close().await;
            paperboy::store::drop_postgres_schema(&pg, &schema)
                .await
                .unwrap();
        }
    });
}
