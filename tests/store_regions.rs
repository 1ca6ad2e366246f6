//! The region list (`Store::regions`) and the newest editions of every region are read from
//! tables the database keeps as articles come and go (migration 0009): after every kind of
//! change (new pages, a corrected page that empties a day, a page dated after the fact,
//! writers of two pools at once) they must say what the edition index itself says. On SQLite
//! and (when `PAPERBOY_TEST_POSTGRES` is set) PostgreSQL in a fresh schema per case.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use chrono::{DateTime, NaiveDate, Utc};
use futures::FutureExt;
use paperboy::ingest::prepare;
use paperboy::model::{Article, DateSource, Page, RegionCode};
use paperboy::region::Gazetteer;
use paperboy::store::{EditionQuery, NewPage, Store};

/// The case gets the store and a way to open a second, independent pool on it.
async fn run_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Store, String, Option<String>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/pb.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    case(store, url, None).await;
}

async fn run_postgres<F, Fut>(case: F)
where
    F: FnOnce(Store, String, Option<String>) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL case");
        return;
    };
    let schema = format!(
        "pb_regions_{}_{}",
        std::process::id(),
        Utc::now().timestamp_subsec_nanos()
    );
    let store = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    let result = AssertUnwindSafe(case(store.clone(), url.clone(), Some(schema.clone())))
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

async fn reopen(url: &str, schema: &Option<String>) -> Store {
    match schema {
        Some(schema) => Store::connect_postgres_schema(url, schema).await.unwrap(),
        None => Store::connect(url).await.unwrap(),
    }
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() { super::run_sqlite(super::$case).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() { super::run_postgres(super::$case).await }
            )*
        }
    };
}

suite!(
    region_list_follows_every_change,
    region_list_holds_under_concurrent_writers
);

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A page of articles (title, regions) on `date` (None: undated).
fn page(key: &str, date: Option<&str>, articles: &[(&str, &[&str])]) -> NewPage {
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

/// (region, latest day, editions) as `regions()` gives them.
async fn listed(store: &Store) -> Vec<(String, NaiveDate, i64)> {
    store
        .regions()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.region.to_string(), r.latest, r.editions))
        .collect()
}

/// The same list counted from every edition (`editions` without a region, no limit), and
/// that every edition counts the articles `edition_articles` returns.
async fn counted(store: &Store) -> Vec<(String, NaiveDate, i64)> {
    let mut days: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for e in store.editions(&EditionQuery::default()).await.unwrap() {
        let articles = store.edition_articles(&e.region, e.date).await.unwrap();
        assert_eq!(articles.len() as i64, e.articles, "{} {}", e.region, e.date);
        assert!(
            e.articles > 0,
            "an empty edition {} {} is listed",
            e.region,
            e.date
        );
        days.entry(e.region.to_string()).or_default().push(e.date);
    }
    days.into_iter()
        .map(|(r, d)| (r, *d.iter().max().unwrap(), d.len() as i64))
        .collect()
}

const JIANDE: &[&str] = &["330182"];
const TONGLU: &[&str] = &["330122"];
const BOTH: &[&str] = &["330182", "330122"];
const PINGHU: &[&str] = &["330482"];

async fn region_list_follows_every_change(store: Store, _: String, _: Option<String>) {
    assert!(listed(&store).await.is_empty());
    store
        .ingest_many(&[
            page("a.txt", Some("2022-06-27"), &[("建德一", JIANDE)]),
            page("b.txt", Some("2022-06-28"), &[("两地", BOTH)]),
            page("c.txt", Some("2022-06-28"), &[("平湖", PINGHU)]),
            page("u.txt", None, &[("旧闻", TONGLU)]),
        ])
        .await
        .unwrap();
    let want = [
        ("330122".to_string(), day("2022-06-28"), 1),
        ("330182".to_string(), day("2022-06-28"), 2),
        ("330482".to_string(), day("2022-06-28"), 1),
    ];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);

    // The corrected page b names only 建德: 桐庐's only day empties and 桐庐 leaves the list.
    store
        .ingest(&page("b.txt", Some("2022-06-28"), &[("改正", JIANDE)]))
        .await
        .unwrap();
    let want = [
        ("330182".to_string(), day("2022-06-28"), 2),
        ("330482".to_string(), day("2022-06-28"), 1),
    ];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);

    // The corrected page c names 建德 instead: 平湖 leaves, 建德 keeps its two days.
    store
        .ingest(&page("c.txt", Some("2022-06-28"), &[("改到建德", JIANDE)]))
        .await
        .unwrap();
    let want = [("330182".to_string(), day("2022-06-28"), 2)];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);

    // The undated page dated after the fact: 桐庐 comes back with that day, the newest.
    store
        .set_page_date("u.txt", day("2022-06-30"), Utc::now())
        .await
        .unwrap();
    let want = [
        ("330122".to_string(), day("2022-06-30"), 1),
        ("330182".to_string(), day("2022-06-28"), 2),
    ];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);
    // ... and dated again, to an older day: 桐庐's latest day moves back.
    store
        .set_page_date("u.txt", day("2022-06-01"), Utc::now())
        .await
        .unwrap();
    let want = [
        ("330122".to_string(), day("2022-06-01"), 1),
        ("330182".to_string(), day("2022-06-28"), 2),
    ];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);

    // Newest editions of every region, as the home page asks for them.
    let newest: Vec<(String, String, i64)> = store
        .editions(&EditionQuery {
            limit: Some(2),
            ..EditionQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.date.to_string(), e.region.to_string(), e.articles))
        .collect();
    assert_eq!(
        newest,
        [
            ("2022-06-28".to_string(), "330182".to_string(), 2),
            ("2022-06-27".to_string(), "330182".to_string(), 1),
        ]
    );
}

/// Two pools (as two processes) write the same regions and days at once, one adding pages,
/// the other correcting pages so that days empty and fill again.
async fn region_list_holds_under_concurrent_writers(
    store: Store,
    url: String,
    schema: Option<String>,
) {
    let days = ["2022-06-01", "2022-06-02", "2022-06-03", "2022-06-04"];
    let first: Vec<NewPage> = (0..40)
        .map(|i| {
            let d = days[i % days.len()];
            page(
                &format!("p{i}.txt"),
                Some(d),
                &[(&format!("第{i}篇"), BOTH)],
            )
        })
        .collect();
    store.ingest_many(&first).await.unwrap();
    let other = reopen(&url, &schema).await;
    let adder = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                let d = days[(i + 1) % days.len()];
                let p = page(
                    &format!("q{i}.txt"),
                    Some(d),
                    &[(&format!("新{i}"), TONGLU)],
                );
                store.ingest(&p).await.unwrap();
            }
        })
    };
    let corrector = {
        let other = other.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                // Moves page p{i} to 平湖, on a day of its own for the first ten.
                let d = if i < 10 {
                    "2022-07-01"
                } else {
                    days[i % days.len()]
                };
                let p = page(
                    &format!("p{i}.txt"),
                    Some(d),
                    &[(&format!("改{i}"), PINGHU)],
                );
                other.ingest(&p).await.unwrap();
            }
        })
    };
    adder.await.unwrap();
    corrector.await.unwrap();
    other.close().await;
    let want = [
        ("330122".to_string(), day("2022-06-04"), 4),
        ("330482".to_string(), day("2022-07-01"), 5),
    ];
    assert_eq!(counted(&store).await, want);
    assert_eq!(listed(&store).await, want);
}
