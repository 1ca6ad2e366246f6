//! What the store suites share: each case runs on SQLite in a fresh file and, when
//! `PAPERBOY_TEST_POSTGRES` is set, on PostgreSQL in a fresh schema dropped afterwards (also when
//! the case fails); and small pages of articles filed under given regions and days.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use futures::FutureExt;
use paperboy::ingest::prepare;
use paperboy::model::{Article, DateSource, Page, RegionCode};
use paperboy::region::Gazetteer;
use paperboy::store::{NewPage, Store};

/// Where a case's store lives, to open a second, independent pool on it.
pub struct Db {
    pub url: String,
    /// The PostgreSQL schema (None on SQLite).
    pub schema: Option<String>,
}

impl Db {
    /// Another pool on the same database, as a second process would have.
    pub async fn reopen(&self) -> Store {
        match &self.schema {
            Some(schema) => Store::connect_postgres_schema(&self.url, schema)
                .await
                .unwrap(),
            None => Store::connect(&self.url).await.unwrap(),
        }
    }
}

static SCHEMAS: AtomicUsize = AtomicUsize::new(0);

/// A schema name no other case or run uses at the same time.
pub fn schema_name(what: &str) -> String {
    format!(
        "pb_{what}_{}_{}_{}",
        std::process::id(),
        Utc::now().timestamp_subsec_nanos(),
        SCHEMAS.fetch_add(1, Ordering::Relaxed)
    )
}

pub async fn run_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Store, Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/pb.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    case(store, Db { url, schema: None }).await;
}

/// Runs `case` in a fresh schema named after `what`; skipped when no PostgreSQL is configured.
pub async fn run_postgres<F, Fut>(what: &str, case: F)
where
    F: FnOnce(Store, Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL case");
        return;
    };
    let schema = schema_name(what);
    let store = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    let db = Db {
        url: url.clone(),
        schema: Some(schema.clone()),
    };
    let result = AssertUnwindSafe(case(store.clone(), db))
        .catch_unwind()
        .await;
    store.close().await;
    paperboy::store::drop_postgres_schema(&url, &schema)
        .await
        .unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// One test per case and backend: `store_suite!("schema prefix": case, …)`.
macro_rules! store_suite {
    ($what:literal: $($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() { super::store_support::run_sqlite(super::$case).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::store_support::run_postgres($what, super::$case).await
                }
            )*
        }
    };
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A page of 今日建德 with articles (title, region codes) on `date` (None: undated), each
/// article's body its title and `的正文。`.
pub fn page(key: &str, date: Option<&str>, articles: &[(&str, &[&str])]) -> NewPage {
    let g = Gazetteer::global();
    let page = Page {
        source: format!("inbox/{key}"),
        encoding: "utf-8".into(),
        warnings: Vec::new(),
        paper: Some("今日建德".into()),
        date: date.map(day),
        date_source: if date.is_some() {
            DateSource::Masthead
        } else {
            DateSource::None
        },
        articles: articles
            .iter()
            .map(|(title, codes)| Article {
                title: Some(title.to_string()),
                regions: codes
                    .iter()
                    .map(|c| g.region_ref(&code(c)).unwrap())
                    .collect(),
                body: format!("{title}的正文。"),
                ..Article::default()
            })
            .collect(),
    };
    let at = DateTime::parse_from_rfc3339("2022-06-29T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    prepare(page, key, at, chrono_tz::Asia::Shanghai)
}
