//! The store's page identity and dating, on SQLite and (when `PAPERBOY_TEST_POSTGRES` is set)
//! PostgreSQL in a fresh schema per case: a page under a new key with a stored page's text is
//! a copy and stores nothing; `set_page_date` re-files a page's articles; migration 0004 takes
//! undated pages already stored out of the editions.
//! See: issue 11, "Data quality".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::str::FromStr;

use chrono::{NaiveDate, Utc};
use futures::FutureExt;
use paperboy::ingest::text_hash;
use paperboy::model::DateSource;
use paperboy::store::{CopyOf, EditionQuery, IngestOutcome, NewPage, Store, StoreError};
use store_support::{code, day, schema_name, Db};

#[macro_use]
mod store_support;

store_suite!(
    "pages": copy_under_another_key_is_unchanged_and_stores_nothing,
    set_page_date_refiles_a_page_under_its_date,
);

/// A page of articles (title, regions), with the text hash of `text`.
fn page(key: &str, date: Option<&str>, articles: &[(&str, &[&str])], text: &str) -> NewPage {
    let mut p = store_support::page(key, date, articles);
    p.text_hash = Some(text_hash(text));
    p
}

async fn edition_count(store: &Store, region: &str, date: &str) -> usize {
    store
        .edition_articles(&code(region), day(date))
        .await
        .unwrap()
        .len()
}

const JIANDE: &[&str] = &["330182"];
const BOTH: &[&str] = &["330182", "330122"];

async fn copy_under_another_key_is_unchanged_and_stores_nothing(store: Store, _: Db) {
    let articles: &[(&str, &[&str])] =
        &[("新安江畔", JIANDE), ("两地联动", BOTH), ("夏收", JIANDE)];
    let a = page(
        "a.txt",
        Some("2022-06-28"),
        articles,
        "今日建德\n新安江畔\n两地联动\n夏收\n",
    );
    assert_eq!(store.ingest(&a).await.unwrap(), IngestOutcome::New);
    let rev = store.revision().await.unwrap();
    assert_eq!(edition_count(&store, "330182", "2022-06-28").await, 3);

    // The same text under another key (wrapped differently, so its content differs too).
    let mut b = page(
        "b.txt",
        Some("2022-06-28"),
        &articles[..2],
        "今日建德新安江畔\r\n\r\n两地联动夏收",
    );
    b.source = "elsewhere/b.txt".into();
    let stored = store.ingest_batch(std::slice::from_ref(&b)).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].outcome, IngestOutcome::Unchanged);
    assert_eq!(
        stored[0].copy_of,
        Some(CopyOf {
            key: "a.txt".into(),
            source: "inbox/a.txt".into()
        })
    );
    assert_eq!(store.revision().await.unwrap(), rev, "nothing written");
    assert!(store.page_articles("b.txt").await.unwrap().is_empty());
    assert_eq!(edition_count(&store, "330182", "2022-06-28").await, 3);
    assert_eq!(edition_count(&store, "330100", "2022-06-28").await, 3);

    // Two new copies in one batch: the second is a copy of the first.
    let c = page("c.txt", Some("2022-06-27"), &[("千岛湖", JIANDE)], "千岛湖");
    let d = page(
        "d.txt",
        Some("2022-06-27"),
        &[("千岛湖", JIANDE)],
        "千 岛 湖\n",
    );
    let stored = store.ingest_batch(&[c, d]).await.unwrap();
    assert_eq!(stored[0].outcome, IngestOutcome::New);
    assert_eq!(stored[0].copy_of, None);
    assert_eq!(stored[1].outcome, IngestOutcome::Unchanged);
    assert_eq!(stored[1].copy_of.as_ref().unwrap().key, "c.txt");
    assert_eq!(edition_count(&store, "330182", "2022-06-27").await, 1);

    // A stored key is its own page whatever its text: a.txt rewritten with c.txt's text is a
    // new version of a.txt, not a copy.
    let rewritten = page("a.txt", Some("2022-06-28"), &[("千岛湖", JIANDE)], "千岛湖");
    let stored = store.ingest_batch(&[rewritten]).await.unwrap();
    assert_eq!(stored[0].outcome, IngestOutcome::Replaced);
    assert_eq!(stored[0].copy_of, None);
    assert_eq!(edition_count(&store, "330182", "2022-06-28").await, 1);

    // A rescan may skip extracting a file only once its page has a text hash.
    let mut old = page("e.txt", Some("2022-06-26"), &[("旧页", JIANDE)], "旧页");
    old.text_hash = None;
    old.source_hash = Some("bytes-e".into());
    store.ingest(&old).await.unwrap();
    let keys = vec!["e.txt".to_string()];
    assert!(store.known_sources(&keys).await.unwrap().is_empty());
    old.text_hash = Some(text_hash("旧页"));
    assert_eq!(store.ingest(&old).await.unwrap(), IngestOutcome::Unchanged);
    let known = store.known_sources(&keys).await.unwrap();
    assert_eq!(known["e.txt"].source_hash, "bytes-e");
    assert_eq!(known["e.txt"].articles, 1);
}

async fn set_page_date_refiles_a_page_under_its_date(store: Store, _: Db) {
    let u = page(
        "u.txt",
        None,
        &[("旧闻", JIANDE), ("两地旧闻", BOTH)],
        "旧闻两地旧闻",
    );
    let x = page("x.txt", Some("2022-06-28"), &[("新闻", JIANDE)], "新闻");
    store.ingest_many(&[u, x]).await.unwrap();
    assert_eq!(edition_count(&store, "330182", "2022-06-29").await, 0);
    let undated = store.undated_pages(None).await.unwrap();
    let rows: Vec<(&str, &str, NaiveDate, i64)> = undated
        .iter()
        .map(|p| (p.key.as_str(), p.region.as_str(), p.ingested, p.articles))
        .collect();
    assert_eq!(
        rows,
        [
            ("u.txt", "330122", day("2022-06-29"), 1),
            ("u.txt", "330182", day("2022-06-29"), 2)
        ]
    );
    let in_hangzhou = store.undated_pages(Some(&code("330100"))).await.unwrap();
    assert_eq!(in_hangzhou.len(), 1);
    assert_eq!(
        in_hangzhou[0].articles, 2,
        "an article in two counties counts once"
    );

    match store
        .set_page_date("nope.txt", day("2022-06-20"), Utc::now())
        .await
    {
        Err(StoreError::NotFound(m)) => assert!(m.contains("nope.txt"), "{m}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    let rev = store.revision().await.unwrap();
    // Named by a path ending in its key.
    let done = store
        .set_page_date("/srv/inbox/u.txt", day("2022-06-20"), Utc::now())
        .await
        .unwrap();
    assert_eq!(
        (done.key.as_str(), done.source.as_str(), done.articles),
        ("u.txt", "inbox/u.txt", 2)
    );
    assert_eq!(
        (done.previous, done.previous_source, done.date),
        (day("2022-06-29"), DateSource::Ingested, day("2022-06-20"))
    );
    assert!(store.revision().await.unwrap() > rev);
    assert!(store.undated_pages(None).await.unwrap().is_empty());
    assert_eq!(edition_count(&store, "330182", "2022-06-20").await, 2);
    assert_eq!(edition_count(&store, "330122", "2022-06-20").await, 1);
    assert_eq!(edition_count(&store, "330100", "2022-06-20").await, 2);
    let eds = store
        .editions(&EditionQuery {
            region: Some(code("330182")),
            ..Default::default()
        })
        .await
        .unwrap();
    let eds: Vec<(NaiveDate, i64)> = eds.iter().map(|e| (e.date, e.articles)).collect();
    assert_eq!(eds, [(day("2022-06-28"), 1), (day("2022-06-20"), 2)]);
    let recent = store
        .region_articles(&code("330182"), 10, None)
        .await
        .unwrap();
    assert_eq!(recent.len(), 3);
    assert!(recent[1..]
        .iter()
        .all(|a| a.date_source == DateSource::Metadata));

    // A dated page moves from its day to another.
    let again = store
        .set_page_date("x.txt", day("2022-06-21"), Utc::now())
        .await
        .unwrap();
    assert_eq!(
        (again.previous, again.previous_source, again.articles),
        (day("2022-06-28"), DateSource::Masthead, 1)
    );
    assert_eq!(edition_count(&store, "330182", "2022-06-28").await, 0);
    assert_eq!(edition_count(&store, "330182", "2022-06-21").await, 1);

    // A name that is one page's key and another's source is ambiguous.
    let mut other = page("k1.txt", Some("2022-06-25"), &[("甲", JIANDE)], "甲");
    other.source = "dup.txt".into();
    let dup = page("dup.txt", Some("2022-06-25"), &[("乙", JIANDE)], "乙");
    store.ingest_many(&[other, dup]).await.unwrap();
    match store
        .set_page_date("dup.txt", day("2022-06-20"), Utc::now())
        .await
    {
        Err(StoreError::Conflict(m)) => {
            assert!(m.contains("k1.txt") && m.contains("dup.txt"), "{m}")
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert_eq!(edition_count(&store, "330182", "2022-06-25").await, 2);
}

// ---------------------------------------------------------------- migration 0004

/// A copy of the first three migrations of `backend`: the schema before this change.
fn migrations_before_0004(backend: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/store/migrations")
        .join(backend);
    for f in std::fs::read_dir(src).unwrap() {
        let path = f.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "0004" {
            std::fs::copy(&path, dir.path().join(&name)).unwrap();
        }
    }
    dir
}

/// An undated page filed, as before 0004, under its ingest day, and a dated page.
const OLD_ROWS: [&str; 6] = [
    "INSERT INTO pages (key, source, paper, date, date_source, content_hash, created_us, updated_us) \
     VALUES ('old-undated.txt', 'inbox/old-undated.txt', NULL, '2022-06-29', 'ingested', 'h1', 1, 1)",
    "INSERT INTO pages (key, source, paper, date, date_source, content_hash, created_us, updated_us) \
     VALUES ('old-dated.txt', 'inbox/old-dated.txt', NULL, '2022-06-29', 'masthead', 'h2', 1, 1)",
    "INSERT INTO articles (id, page_key, position, date, title, byline, kind, regions, body, stored_us) \
     VALUES ('u1', 'old-undated.txt', 0, '2022-06-29', '旧闻', '[]', 'news', '[]', '正文', 1)",
    "INSERT INTO articles (id, page_key, position, date, title, byline, kind, regions, body, stored_us) \
     VALUES ('d1', 'old-dated.txt', 0, '2022-06-29', '新闻', '[]', 'news', '[]', '正文', 1)",
    "INSERT INTO article_regions (region, date, article_id) VALUES (330182, '2022-06-29', 'u1')",
    "INSERT INTO article_regions (region, date, article_id) VALUES (330182, '2022-06-29', 'd1')",
];

async fn check_migrated(store: &Store) {
    let jiande = code("330182");
    let edition = store
        .edition_articles(&jiande, day("2022-06-29"))
        .await
        .unwrap();
    assert_eq!(
        edition.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["d1"]
    );
    let undated = store.undated_articles(&jiande, 10).await.unwrap();
    assert_eq!(
        undated.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["u1"]
    );
    assert_eq!(undated[0].date, day("2022-06-29"));
    assert_eq!(store.revision().await.unwrap(), 1, "caches see the change");
}

#[tokio::test]
async fn migration_0004_moves_stored_undated_pages_out_of_the_editions_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/old.db", dir.path().display());
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
        .unwrap()
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let old = migrations_before_0004("sqlite");
    sqlx::migrate::Migrator::new(old.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    for sql in OLD_ROWS {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let store = Store::connect(&url).await.unwrap();
    check_migrated(&store).await;
}

#[tokio::test]
async fn migration_0004_moves_stored_undated_pages_out_of_the_editions_postgres() {
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL migration case");
        return;
    };
    let schema = schema_name("migrate");
    paperboy::store::create_postgres_schema(&url, &schema)
        .await
        .unwrap();
    let options = sqlx::postgres::PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let pool = sqlx::PgPool::connect_with(options).await.unwrap();
    let old = migrations_before_0004("postgres");
    sqlx::migrate::Migrator::new(old.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    for sql in OLD_ROWS {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let store = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    let result = AssertUnwindSafe(check_migrated(&store))
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
