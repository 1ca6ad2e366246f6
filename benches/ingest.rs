//! End-to-end ingest benchmark: N generated pages (~10 KB each, built from the seed pages)
//! into SQLite and, when `PAPERBOY_TEST_POSTGRES` is set, into PostgreSQL. Prints pages/s for
//!
//! - `end-to-end`: files on disk → `ingest::ingest_paths` (read, extract, prepare, store);
//! - `re-ingest`: the same files again (unchanged bytes: hashed, not extracted);
//! - `extract only`: extraction and preparation from memory, one thread per core, no store;
//! - `store only`: prepared pages → `Store::ingest_many` in batches of 200 (the writer alone);
//! - `reference`: the same page bytes as blobs in one plain INSERT transaction (the floor
//!   set by the database itself).
//!
//! Run: `cargo bench --bench ingest` (env `PAPERBOY_BENCH_PAGES`, default 10000, and
//! `PAPERBOY_BENCH_PG_PAGES`, default 2000).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use paperboy::ingest::{self, IngestOptions, Silent};
use paperboy::model::{Article, DateSource, Page, RegionCode, RegionRef};
use paperboy::store::{NewPage, Store};
use support::{env_usize, seed_texts as seeds};

/// Page `i`: a seed cut or repeated to about 10 KB, with a line that makes it unique.
fn page_text(seeds: &[String], i: usize) -> String {
    let seed = &seeds[i % seeds.len()];
    let mut text = format!("# 第{i}号版面\n\n**本报讯** 编号{i}的页面。\n\n");
    while text.len() < 10_000 {
        text.push_str(seed);
        text.push('\n');
    }
    let mut cut = 10_000.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text
}

fn file_name(i: usize) -> String {
    let date = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Days::new((i / 40) as u64);
    format!("{date}_{i:05}.txt")
}

const COUNTIES: [(&str, &str, &str); 4] = [
    ("330182", "建德市", "杭州市"),
    ("330122", "桐庐县", "杭州市"),
    ("330114", "钱塘区", "杭州市"),
    ("330482", "平湖市", "嘉兴市"),
];

/// A prepared page without going through extraction: the text split at its `# ` headings.
fn prepared(text: &str, i: usize) -> NewPage {
    let articles = text
        .split("\n# ")
        .enumerate()
        .map(|(j, part)| {
            let (title, body) = part.split_once('\n').unwrap_or((part, ""));
            let (code, name, pref) = COUNTIES[(i + j) % COUNTIES.len()];
            Article {
                title: Some(title.trim_start_matches("# ").to_string()),
                regions: vec![RegionRef {
                    code: RegionCode::parse(code).unwrap(),
                    name: name.into(),
                    prefecture: Some(pref.into()),
                    province: "浙江省".into(),
                }],
                body: body.trim().to_string(),
                ..Article::default()
            }
        })
        .collect();
    let name = file_name(i);
    let page = Page {
        source: name.clone(),
        encoding: "utf-8".into(),
        warnings: Vec::new(),
        paper: Some("今日建德".into()),
        date: name[..10].parse().ok(),
        date_source: DateSource::Metadata,
        articles,
    };
    ingest::prepare(page, &name, Utc::now(), chrono_tz::Asia::Shanghai)
}

fn rate(n: usize, secs: f64) -> String {
    format!(
        "{:>9.0} pages/s  ({n} pages in {secs:.2} s)",
        n as f64 / secs
    )
}

async fn store_only(store: &Store, pages: &[NewPage]) -> f64 {
    let t = Instant::now();
    for chunk in pages.chunks(200) {
        store.ingest_many(chunk).await.expect("ingest batch");
    }
    t.elapsed().as_secs_f64()
}

async fn end_to_end(store: &Store, dir: &Path) -> (f64, ingest::IngestReport) {
    let t = Instant::now();
    let report = ingest::ingest_paths(
        store,
        &[dir.to_path_buf()],
        &IngestOptions::default(),
        &Silent,
    )
    .await;
    (t.elapsed().as_secs_f64(), report)
}

/// Extraction and preparation alone (read from memory, nothing stored), on one thread per core
/// as `ingest_paths` runs it: the other half of end-to-end.
fn extract_only(texts: &[String]) -> f64 {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let opts = paperboy::extract::Options::default();
    let t = Instant::now();
    std::thread::scope(|s| {
        for (c, chunk) in texts.chunks(texts.len().div_ceil(threads)).enumerate() {
            let opts = &opts;
            s.spawn(move || {
                for (j, text) in chunk.iter().enumerate() {
                    let name = file_name(c * chunk.len() + j);
                    let page = paperboy::extract::page(text.as_bytes(), &name, opts).unwrap();
                    let mut page =
                        ingest::prepare(page, &name, Utc::now(), chrono_tz::Asia::Shanghai);
                    page.source_hash = Some(ingest::source_hash(text.as_bytes(), opts));
                    std::hint::black_box(page);
                }
            });
        }
    });
    t.elapsed().as_secs_f64()
}

/// Raw blobs in one transaction: the database's own floor for the same bytes.
async fn reference(store: &Store, texts: &[String]) -> f64 {
    let t = Instant::now();
    match store {
        Store::Sqlite(pool) => {
            sqlx::query("CREATE TABLE bench_blobs (key TEXT PRIMARY KEY, body BLOB)")
                .execute(pool)
                .await
                .unwrap();
            let mut tx = pool.begin().await.unwrap();
            for (i, text) in texts.iter().enumerate() {
                sqlx::query("INSERT INTO bench_blobs (key, body) VALUES ($1, $2)")
                    .bind(file_name(i))
                    .bind(text.as_bytes())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
        Store::Postgres(pool) => {
            sqlx::query("CREATE TABLE bench_blobs (key TEXT PRIMARY KEY, body BYTEA)")
                .execute(pool)
                .await
                .unwrap();
            let mut tx = pool.begin().await.unwrap();
            for (i, text) in texts.iter().enumerate() {
                sqlx::query("INSERT INTO bench_blobs (key, body) VALUES ($1, $2)")
                    .bind(file_name(i))
                    .bind(text.as_bytes())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
    }
    t.elapsed().as_secs_f64()
}

/// Runs the three measurements on fresh stores opened by `open`.
async fn run<F, Fut>(label: &str, n: usize, seeds: &[String], open: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = Store>,
{
    let texts: Vec<String> = (0..n).map(|i| page_text(seeds, i)).collect();
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in texts.iter().enumerate() {
        std::fs::write(dir.path().join(file_name(i)), text).unwrap();
    }
    let mb = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    println!("{label}: {n} pages, {mb:.1} MB");

    let store = open("e2e").await;
    let (secs, report) = end_to_end(&store, dir.path()).await;
    println!("  end-to-end  {}", rate(report.pages, secs));
    println!(
        "              {} articles, {} new, {} failed{}",
        report.articles,
        report.new,
        report.failed.len(),
        report
            .failed
            .first()
            .map(|f| format!(" (first: {})", f.reason))
            .unwrap_or_default()
    );
    let (again, report2) = end_to_end(&store, dir.path()).await;
    println!(
        "  re-ingest   {}  ({} unchanged, {} not extracted)",
        rate(report2.pages, again),
        report2.unchanged,
        report2.skipped
    );
    store.close().await;

    let secs = extract_only(&texts);
    println!(
        "  extract only {} (read from memory, nothing stored)",
        rate(n, secs)
    );

    let pages: Vec<NewPage> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| prepared(t, i))
        .collect();
    let articles: usize = pages.iter().map(|p| p.articles.len()).sum();
    let store = open("store").await;
    let secs = store_only(&store, &pages).await;
    println!("  store only  {}  ({articles} articles)", rate(n, secs));
    store.close().await;

    let store = open("reference").await;
    let secs = reference(&store, &texts).await;
    println!(
        "  reference   {}  (raw blob INSERTs, one transaction)",
        rate(n, secs)
    );
    store.close().await;
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a tiny size.
    let testing = !std::env::args().any(|a| a == "--bench");
    let n = if testing {
        20
    } else {
        env_usize("PAPERBOY_BENCH_PAGES", 10_000)
    };
    let pg_n = if testing {
        20
    } else {
        env_usize("PAPERBOY_BENCH_PG_PAGES", 2_000)
    };
    let seeds = seeds();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().to_path_buf();
        run("sqlite", n, &seeds, |name| {
            let url = format!("sqlite://{}/{name}.db", base.display());
            async move { Store::connect(&url).await.unwrap() }
        })
        .await;
        match std::env::var("PAPERBOY_TEST_POSTGRES") {
            Ok(url) => {
                let prefix = format!("pb_bench_{}", std::process::id());
                let schemas = ["e2e", "store", "reference"].map(|s| format!("{prefix}_{s}"));
                run("postgres", pg_n, &seeds, |name| {
                    let url = url.clone();
                    let schema = format!("{prefix}_{name}");
                    async move { Store::connect_postgres_schema(&url, &schema).await.unwrap() }
                })
                .await;
                for s in &schemas {
                    paperboy::store::drop_postgres_schema(&url, s)
                        .await
                        .unwrap();
                }
            }
            Err(_) => println!("postgres: skipped (PAPERBOY_TEST_POSTGRES is not set)"),
        }
    });
}
