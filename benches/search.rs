//! Search benchmark: N generated articles (default 1,000,000; ~280 Chinese characters each,
//! sentences of the seed pages in a pseudo-random order, dates over three years) stored
//! through `Store::ingest_many` (so the search index is written as in production), then
//! queries per second of `Store::search` (the index) beside `Store::search_by_scan` (the same
//! question as `LIKE '%word%'` over every title and body, newest first) on the same table, for
//! words from very common to rare. Each query asks for the newest 20 matches, as the search
//! page and the API do.
//!
//! Run: `cargo bench --bench search` (env `PAPERBOY_BENCH_ARTICLES`, default 1000000;
//! `PAPERBOY_TEST_POSTGRES` adds PostgreSQL, `PAPERBOY_BENCH_PG_ARTICLES` its size, by
//! default the same).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed benchmark

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, TimeZone, Utc};
use paperboy::ingest::prepare;
use paperboy::model::{Article, DateSource, Page, RegionCode, RegionRef};
use paperboy::store::{Search, SearchQuery, Store};
use support::{env_usize, next, sentences, testing};

const ARTICLES_PER_PAGE: usize = 20;
const PAGES_PER_BATCH: usize = 100;
/// One article in this many carries the rare word.
const RARE_EVERY: usize = 10_000;
const RARE_WORD: &str = "兰亭";
/// (query, what it stands for)
const QUERIES: &[(&str, &str)] = &[
    ("疫情", "very common"),
    ("机制", "common"),
    ("冬季", "uncommon"),
    ("疫情防控", "4 characters"),
    (RARE_WORD, "rare"),
];
/// How long each query is repeated for.
const MEASURE: Duration = Duration::from_secs(3);

/// The shared generator's next number, as search's tables were first generated with it.
fn next_usize(state: &mut u64) -> usize {
    usize::try_from(next(state) % (1 << 31)).unwrap_or(0)
}

fn region(i: usize) -> RegionRef {
    let (code, name, prefecture) = [
        ("330182", "建德市", "杭州市"),
        ("330122", "桐庐县", "杭州市"),
        ("330114", "钱塘区", "杭州市"),
        ("330482", "平湖市", "嘉兴市"),
    ][i % 4];
    RegionRef {
        code: RegionCode::parse(code).unwrap(),
        name: name.into(),
        prefecture: Some(prefecture.into()),
        province: "浙江省".into(),
    }
}

/// Page `p` with its `ARTICLES_PER_PAGE` articles.
fn page(sentences: &[String], p: usize) -> paperboy::store::NewPage {
    let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (p as u64).wrapping_mul(0x2545_F491_4F6C_DD1D) | 1;
    let articles = (0..ARTICLES_PER_PAGE)
        .map(|k| {
            let i = p * ARTICLES_PER_PAGE + k;
            let mut body = String::new();
            for _ in 0..8 {
                body.push_str(&sentences[next_usize(&mut rng) % sentences.len()]);
            }
            if i.is_multiple_of(RARE_EVERY) {
                body.push_str(RARE_WORD);
                body.push('。');
            }
            let title: String = sentences[next_usize(&mut rng) % sentences.len()]
                .chars()
                .take(14)
                .collect();
            Article {
                title: Some(format!("{title}（{i}）")),
                regions: vec![region(i)],
                body,
                ..Article::default()
            }
        })
        .collect();
    let date = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + Days::days((p % 1095) as i64);
    let page = Page {
        source: format!("bench/{p}.txt"),
        encoding: "utf-8".into(),
        warnings: Vec::new(),
        paper: Some("基准日报".into()),
        date: Some(date),
        date_source: DateSource::Masthead,
        articles,
    };
    let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    prepare(page, &format!("{p}.txt"), at, chrono_tz::Asia::Shanghai)
}

async fn fill(store: &Store, n: usize, sentences: &[String]) {
    let pages = n.div_ceil(ARTICLES_PER_PAGE);
    let started = Instant::now();
    let mut p = 0;
    while p < pages {
        let batch: Vec<_> = (p..(p + PAGES_PER_BATCH).min(pages))
            .map(|i| page(sentences, i))
            .collect();
        store.ingest_many(&batch).await.unwrap();
        p += batch.len();
        if p % 10_000 < PAGES_PER_BATCH {
            eprintln!("  {} articles stored", p * ARTICLES_PER_PAGE);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  stored {} articles with their index in {secs:.0} s ({:.0} articles/s)",
        pages * ARTICLES_PER_PAGE,
        (pages * ARTICLES_PER_PAGE) as f64 / secs
    );
}

/// Queries per second of `f` over `MEASURE` (at least 3 runs), and the results of one run.
async fn rate<F, Fut>(f: F) -> (f64, usize)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let started = Instant::now();
    let mut runs = 0;
    let mut found = 0;
    while runs < 3 || (!testing() && started.elapsed() < MEASURE) {
        found = f().await;
        runs += 1;
    }
    (runs as f64 / started.elapsed().as_secs_f64(), found)
}

async fn measure(label: &str, store: &Store) {
    println!("{label}: queries/s for the newest 20 matches (index | LIKE scan)");
    for (q, what) in QUERIES {
        let search = Search {
            query: SearchQuery::parse(q).unwrap(),
            region: None,
            limit: 20,
        };
        let (indexed, n1) = rate(|| async { store.search(&search).await.unwrap().len() }).await;
        let (scanned, n2) =
            rate(|| async { store.search_by_scan(&search).await.unwrap().len() }).await;
        assert_eq!(n1, n2, "{q}: index and scan disagree");
        println!(
            "  {q} ({what}): index {indexed:.1} q/s | scan {scanned:.2} q/s | {:.0}x",
            indexed / scanned
        );
    }
}

fn main() {
    let testing = testing();
    let n = if testing {
        200
    } else {
        env_usize("PAPERBOY_BENCH_ARTICLES", 1_000_000)
    };
    let pg_n = if testing {
        200
    } else {
        env_usize("PAPERBOY_BENCH_PG_ARTICLES", n)
    };
    let sentences = sentences();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/search.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        println!("sqlite, {n} articles:");
        fill(&store, n, &sentences).await;
        measure("sqlite", &store).await;
        store.close().await;
        if let Ok(pg) = std::env::var("PAPERBOY_TEST_POSTGRES") {
            let schema = format!("pb_bench_search_{}", std::process::id());
            let store = Store::connect_postgres_schema(&pg, &schema).await.unwrap();
            println!("postgres, {pg_n} articles:");
            fill(&store, pg_n, &sentences).await;
            // Statistics as autovacuum would have them a minute after a bulk load.
            store.analyze().await.unwrap();
            measure("postgres", &store).await;
            store.close().await;
            paperboy::store::drop_postgres_schema(&pg, &schema)
                .await
                .unwrap();
        }
    });
}
