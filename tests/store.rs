//! The store test suite: every case runs on SQLite (a temp file) and, when the environment
//! variable `PAPERBOY_TEST_POSTGRES` holds a URL, on PostgreSQL in a fresh schema per case
//! (dropped afterwards). Without it the PostgreSQL cases print a skip note and pass.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use futures::FutureExt;
use paperboy::ingest::prepare;
use paperboy::model::{Article, DateSource, Page, RegionCode, RegionRef};
use paperboy::store::{EditionQuery, IngestOutcome, NewPage, Store, StoreError};

/// A database under test: the store, plus a way to open a second, independent pool on it.
struct Db {
    store: Store,
    url: String,
    schema: Option<String>,
}

impl Db {
    async fn reopen(&self) -> Result<Store, StoreError> {
        match &self.schema {
            Some(schema) => Store::connect_postgres_schema(&self.url, schema).await,
            None => Store::connect(&self.url).await,
        }
    }
}

async fn run_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    // A nested directory proves that connect creates it.
    let url = format!("sqlite://{}/db/paperboy.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    assert!(dir.path().join("db/paperboy.db").exists());
    case(Db {
        store,
        url,
        schema: None,
    })
    .await;
}

static SCHEMAS: AtomicUsize = AtomicUsize::new(0);

async fn run_postgres<F, Fut>(case: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL store case");
        return;
    };
    let nanos = Utc::now().timestamp_subsec_nanos();
    let n = SCHEMAS.fetch_add(1, Ordering::Relaxed);
    let schema = format!("pb_test_{}_{nanos}_{n}", std::process::id());
    let store = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    let db = Db {
        store: store.clone(),
        url: url.clone(),
        schema: Some(schema.clone()),
    };
    let result = AssertUnwindSafe(case(db)).catch_unwind().await;
    store.close().await;
    paperboy::store::drop_postgres_schema(&url, &schema)
        .await
        .unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Each case once per backend, as separate tests.
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
    reingest_is_idempotent,
    corrected_page_replaces_its_articles,
    concurrent_ingest_keeps_one_copy,
    parents_aggregate_counties_once,
    failed_batch_leaves_nothing_and_rerun_completes,
    refuses_a_newer_schema,
    undated_page_keeps_its_first_day,
    region_articles_page_by_date_then_id,
    same_key_twice_in_one_batch_keeps_the_later,
);

// ---------------------------------------------------------------- fixtures

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn region(code: &str) -> RegionRef {
    let (name, prefecture) = match code {
        "330182" => ("建德市", Some("杭州市")),
        "330122" => ("桐庐县", Some("杭州市")),
        "330114" => ("钱塘区", Some("杭州市")),
        "330482" => ("平湖市", Some("嘉兴市")),
        "330100" => ("杭州市", None),
        other => panic!("no fixture name for {other}"),
    };
    RegionRef {
        code: RegionCode::parse(code).unwrap(),
        name: name.into(),
        prefecture: prefecture.map(Into::into),
        province: "浙江省".into(),
    }
}

fn article(title: &str, body: &str, codes: &[&str]) -> Article {
    Article {
        title: Some(title.into()),
        byline: vec!["张三".into()],
        regions: codes.iter().map(|c| region(c)).collect(),
        body: body.into(),
        ..Article::default()
    }
}

/// A page as extraction would give it, prepared for the store like `ingest` does.
fn page(key: &str, date: Option<&str>, articles: Vec<Article>, now: &str) -> NewPage {
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
        articles,
    };
    prepare(page, key, at(now), chrono_tz::Asia::Shanghai)
}

fn front_page() -> NewPage {
    page(
        "001.txt",
        Some("2022-06-28"),
        vec![
            article("新安江畔", "第一段。\n\n第二段。", &["330182"]),
            article("桐庐建德联动", "两地合作。", &["330182", "330122"]),
            article("平湖消息", "平湖。", &["330482"]),
        ],
        "2022-06-28T02:00:00Z",
    )
}

fn ids(articles: &[paperboy::store::StoredArticle]) -> Vec<String> {
    articles.iter().map(|a| a.id.clone()).collect()
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn count_articles(store: &Store, region: &str, date: &str) -> usize {
    store
        .edition_articles(&code(region), day(date))
        .await
        .unwrap()
        .len()
}

// ---------------------------------------------------------------- cases

async fn reingest_is_idempotent(db: Db) {
    let store = &db.store;
    let p = front_page();
    assert_eq!(store.revision().await.unwrap(), 0);
    assert_eq!(store.ingest(&p).await.unwrap(), IngestOutcome::New);
    let rev = store.revision().await.unwrap();
    assert!(rev > 0);
    let first = store
        .edition_articles(&code("330182"), day("2022-06-28"))
        .await
        .unwrap();
    assert_eq!(first.len(), 2);

    // The same page again, prepared afresh a day later: same ids, nothing written.
    let mut again = front_page();
    again.ingested_at = at("2022-06-29T02:00:00Z");
    assert_eq!(
        store.ingest(&again).await.unwrap(),
        IngestOutcome::Unchanged
    );
    assert_eq!(
        store.ingest_many(&[again.clone(), again]).await.unwrap(),
        [IngestOutcome::Unchanged, IngestOutcome::Unchanged]
    );
    assert_eq!(store.revision().await.unwrap(), rev);
    let second = store
        .edition_articles(&code("330182"), day("2022-06-28"))
        .await
        .unwrap();
    assert_eq!(ids(&first), ids(&second));
    assert_eq!(first[0].stored_at, second[0].stored_at);
    assert_eq!(count_articles(store, "330000", "2022-06-28").await, 3);

    // The stored article reads back whole.
    let a = store.article(&first[1].id).await.unwrap().unwrap();
    assert_eq!(a.article, p.articles[1].article);
    assert_eq!(a.page_key, "001.txt");
    assert_eq!(a.paper.as_deref(), Some("今日建德"));
    assert_eq!(a.position, 1);
    assert_eq!(a.date_source, DateSource::Masthead);
    assert_eq!(a.article.regions[1].name, "桐庐县");
    assert!(store.article("nope").await.unwrap().is_none());
}

async fn corrected_page_replaces_its_articles(db: Db) {
    let store = &db.store;
    let v1 = front_page();
    store.ingest(&v1).await.unwrap();
    let kept_id = v1.articles[0].id.clone();
    let kept_before = store.article(&kept_id).await.unwrap().unwrap();
    let rev = store.revision().await.unwrap();

    let v2 = page(
        "001.txt",
        Some("2022-06-28"),
        vec![
            article("新安江畔", "第一段。\n\n第二段。", &["330182"]),
            article("更正：桐庐消息", "更正后的内容。", &["330122"]),
        ],
        "2022-06-28T05:00:00Z",
    );
    assert_eq!(store.ingest(&v2).await.unwrap(), IngestOutcome::Replaced);
    assert!(store.revision().await.unwrap() > rev);

    let jiande = store
        .edition_articles(&code("330182"), day("2022-06-28"))
        .await
        .unwrap();
    assert_eq!(ids(&jiande), [kept_id]);
    // An unchanged article keeps its first stored time (feed readers see nothing new).
    assert_eq!(jiande[0].stored_at, kept_before.stored_at);
    let tonglu = store
        .edition_articles(&code("330122"), day("2022-06-28"))
        .await
        .unwrap();
    assert_eq!(tonglu.len(), 1);
    assert_eq!(tonglu[0].article.title.as_deref(), Some("更正：桐庐消息"));
    assert_eq!(tonglu[0].stored_at, at("2022-06-28T05:00:00Z"));
    // Gone: the old roundup and the 平湖 article, from every edition and the region index.
    assert!(store.article(&v1.articles[1].id).await.unwrap().is_none());
    assert_eq!(count_articles(store, "330482", "2022-06-28").await, 0);
    assert_eq!(count_articles(store, "330000", "2022-06-28").await, 2);
    let regions: Vec<String> = store
        .regions()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.region.to_string())
        .collect();
    assert_eq!(regions, ["330122", "330182"]);
}

async fn concurrent_ingest_keeps_one_copy(db: Db) {
    let pages: Vec<NewPage> = (0..40)
        .map(|i| {
            page(
                &format!("{i:03}.txt"),
                Some("2022-06-28"),
                (0..5)
                    .map(|j| article(&format!("第{i}版 第{j}篇"), "正文。", &["330182", "330122"]))
                    .collect(),
                "2022-06-28T02:00:00Z",
            )
        })
        .collect();
    // Two independent pools (as two processes would have), each storing every page, in
    // batches and one by one, at the same time.
    let other = db.reopen().await.unwrap();
    let a = {
        let store = db.store.clone();
        let pages = pages.clone();
        tokio::spawn(async move {
            for chunk in pages.chunks(7) {
                store.ingest_many(chunk).await.unwrap();
            }
        })
    };
    let b = {
        let store = other.clone();
        let pages = pages.clone();
        tokio::spawn(async move {
            for p in pages.iter().rev() {
                store.ingest(p).await.unwrap();
            }
        })
    };
    a.await.unwrap();
    b.await.unwrap();
    other.close().await;
    let hz = db
        .store
        .edition_articles(&code("330100"), day("2022-06-28"))
        .await
        .unwrap();
    assert_eq!(hz.len(), 200);
    let mut unique = ids(&hz);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 200);
    let eds = db.store.editions(&EditionQuery::default()).await.unwrap();
    let counts: Vec<(String, i64)> = eds
        .iter()
        .map(|e| (e.region.to_string(), e.articles))
        .collect();
    assert_eq!(
        counts,
        [("330122".to_string(), 200), ("330182".to_string(), 200)]
    );
}

async fn parents_aggregate_counties_once(db: Db) {
    let store = &db.store;
    store.ingest(&front_page()).await.unwrap();
    let next_day = page(
        "jiaxing-002.txt",
        Some("2022-06-29"),
        vec![
            article("钱塘新闻", "钱塘。", &["330114"]),
            article("杭州市消息", "只知道是杭州。", &["330100"]),
        ],
        "2022-06-29T02:00:00Z",
    );
    store.ingest(&next_day).await.unwrap();

    let d = day("2022-06-28");
    // The roundup (建德 + 桐庐) is in each county's edition once ...
    assert_eq!(count_articles(store, "330182", "2022-06-28").await, 2);
    assert_eq!(count_articles(store, "330122", "2022-06-28").await, 1);
    // ... and once in their shared prefecture's and province's.
    let hz = store.edition_articles(&code("330100"), d).await.unwrap();
    let titles: Vec<&str> = hz
        .iter()
        .map(|a| a.article.title.as_deref().unwrap())
        .collect();
    assert_eq!(titles, ["新安江畔", "桐庐建德联动"]);
    let zj = store.edition_articles(&code("330000"), d).await.unwrap();
    assert_eq!(zj.len(), 3);
    assert_eq!(zj.iter().map(|a| a.position).collect::<Vec<_>>(), [0, 1, 2]);

    let hz_eds = store
        .editions(&EditionQuery {
            region: Some(code("330100")),
            ..EditionQuery::default()
        })
        .await
        .unwrap();
    let summary: Vec<(NaiveDate, i64)> = hz_eds.iter().map(|e| (e.date, e.articles)).collect();
    assert_eq!(summary, [(day("2022-06-29"), 2), (d, 2)]);
    assert!(hz_eds.iter().all(|e| e.region == code("330100")));
    assert_eq!(hz_eds[0].updated_at, at("2022-06-29T02:00:00Z"));
    let zj_since = store
        .editions(&EditionQuery {
            region: Some(code("330000")),
            since: Some(day("2022-06-29")),
            ..EditionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(zj_since.len(), 1);
    assert_eq!(zj_since[0].articles, 2);

    // Without a region: every county-level (and prefecture-only) edition, newest first.
    let all: Vec<(String, String, i64)> = store
        .editions(&EditionQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.date.to_string(), e.region.to_string(), e.articles))
        .collect();
    let want = [
        ("2022-06-29", "330100", 1),
        ("2022-06-29", "330114", 1),
        ("2022-06-28", "330122", 1),
        ("2022-06-28", "330182", 2),
        ("2022-06-28", "330482", 1),
    ];
    let want: Vec<(String, String, i64)> = want
        .iter()
        .map(|(d, r, n)| (d.to_string(), r.to_string(), *n))
        .collect();
    assert_eq!(all, want);

    let regions: Vec<(String, NaiveDate, i64)> = store
        .regions()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.region.to_string(), r.latest, r.editions))
        .collect();
    assert_eq!(regions.len(), 5);
    assert_eq!(regions[0], ("330100".to_string(), day("2022-06-29"), 1));
}

async fn failed_batch_leaves_nothing_and_rerun_completes(db: Db) {
    let store = &db.store;
    let good = front_page();
    // A second page whose article id collides with one on the first page: the database
    // rejects it midway through the batch, after the first page was written.
    let mut bad = page(
        "002.txt",
        Some("2022-06-28"),
        vec![article("另一篇", "内容。", &["330122"])],
        "2022-06-28T02:00:00Z",
    );
    bad.articles[0].id = good.articles[0].id.clone();
    let err = store.ingest_many(&[good.clone(), bad]).await;
    assert!(err.is_err(), "a colliding id must fail the batch");
    assert_eq!(store.revision().await.unwrap(), 0);
    assert!(store
        .editions(&EditionQuery::default())
        .await
        .unwrap()
        .is_empty());
    assert!(store.article(&good.articles[0].id).await.unwrap().is_none());

    // The re-run (the bad page fixed) stores both pages.
    let fixed = page(
        "002.txt",
        Some("2022-06-28"),
        vec![article("另一篇", "内容。", &["330122"])],
        "2022-06-28T02:00:00Z",
    );
    let outcomes = store.ingest_many(&[good, fixed]).await.unwrap();
    assert_eq!(outcomes, [IngestOutcome::New, IngestOutcome::New]);
    assert_eq!(count_articles(store, "330000", "2022-06-28").await, 4);
}

async fn refuses_a_newer_schema(db: Db) {
    // Opening an up-to-date database again migrates nothing and works.
    let again = db.reopen().await.unwrap();
    again.ingest(&front_page()).await.unwrap();
    again.close().await;
    // A newer paperboy recorded migration 9999.
    let insert = "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                  execution_time) VALUES (9999, 'from the future', TRUE, $1, 0)";
    match &db.store {
        Store::Sqlite(pool) => {
            sqlx::query(insert)
                .bind(vec![0u8; 4])
                .execute(pool)
                .await
                .unwrap();
        }
        Store::Postgres(pool) => {
            sqlx::query(insert)
                .bind(vec![0u8; 4])
                .execute(pool)
                .await
                .unwrap();
        }
    }
    match db.reopen().await {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!(found, 9999);
            assert!((1..9999).contains(&supported));
            let msg = StoreError::SchemaTooNew { found, supported }.to_string();
            assert!(
                msg.contains("9999") && msg.contains("upgrade paperboy"),
                "{msg}"
            );
        }
        Err(other) => panic!("expected SchemaTooNew, got {other}"),
        Ok(_) => panic!("a newer schema must be refused"),
    }
}

async fn undated_page_keeps_its_first_day(db: Db) {
    let store = &db.store;
    // 2022-06-28 20:00 UTC is 06-29 in Shanghai.
    let undated = page(
        "undated.txt",
        None,
        vec![article("无日期", "正文。", &["330182"])],
        "2022-06-28T20:00:00Z",
    );
    assert_eq!(store.ingest(&undated).await.unwrap(), IngestOutcome::New);
    // Filed apart from the editions (issue 11), under its ingest day.
    assert_eq!(count_articles(store, "330182", "2022-06-29").await, 0);
    let stored = store.undated_articles(&code("330182"), 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].date, day("2022-06-29"));
    assert_eq!(stored[0].date_source, DateSource::Ingested);
    // Corrected a week later: replaced, but still filed under the first day.
    let corrected = page(
        "undated.txt",
        None,
        vec![article("无日期（更正）", "正文。", &["330182"])],
        "2022-07-05T02:00:00Z",
    );
    assert_eq!(
        store.ingest(&corrected).await.unwrap(),
        IngestOutcome::Replaced
    );
    let stored = store.undated_articles(&code("330182"), 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].date, day("2022-06-29"));
    assert_eq!(stored[0].article.title.as_deref(), Some("无日期（更正）"));
    assert_eq!(count_articles(store, "330182", "2022-06-29").await, 0);
    assert_eq!(count_articles(store, "330182", "2022-07-05").await, 0);
}

async fn region_articles_page_by_date_then_id(db: Db) {
    let store = &db.store;
    for (i, d) in ["2022-06-26", "2022-06-27", "2022-06-28"]
        .iter()
        .enumerate()
    {
        let p = page(
            &format!("p{i}.txt"),
            Some(d),
            (0..3)
                .map(|j| article(&format!("{d} 第{j}篇"), "正文。", &["330182", "330122"]))
                .collect(),
            "2022-06-28T02:00:00Z",
        );
        store.ingest(&p).await.unwrap();
    }
    let hz = code("330100");
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let batch = store.region_articles(&hz, 2, cursor.clone()).await.unwrap();
        if batch.is_empty() {
            break;
        }
        assert!(batch.len() <= 2);
        let last = batch.last().unwrap();
        cursor = Some((last.date, last.id.clone()));
        seen.extend(batch);
    }
    assert_eq!(seen.len(), 9);
    let keys: Vec<(NaiveDate, String)> = seen.iter().map(|a| (a.date, a.id.clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(keys, sorted, "newest first, no repeats");
    assert_eq!(seen[0].date, day("2022-06-28"));
    assert!(store
        .region_articles(&code("330482"), 10, None)
        .await
        .unwrap()
        .is_empty());
}

async fn same_key_twice_in_one_batch_keeps_the_later(db: Db) {
    let store = &db.store;
    let first = front_page();
    let later = page(
        "001.txt",
        Some("2022-06-28"),
        vec![article("只剩一篇", "正文。", &["330182"])],
        "2022-06-28T03:00:00Z",
    );
    let other = page(
        "002.txt",
        Some("2022-06-28"),
        vec![article("另一版", "正文。", &["330122"])],
        "2022-06-28T03:00:00Z",
    );
    let outcomes = store
        .ingest_many(&[first.clone(), other.clone(), later.clone(), first.clone()])
        .await
        .unwrap();
    use IngestOutcome::*;
    assert_eq!(outcomes, [New, New, Replaced, Replaced]);
    let jd = store
        .edition_articles(&code("330182"), day("2022-06-28"))
        .await
        .unwrap();
    assert_eq!(ids(&jd), ids_of(&first, &["330182"]));
    assert_eq!(count_articles(store, "330000", "2022-06-28").await, 4);
}

/// Ids of a prepared page's articles filed under any of `codes`, in page order.
fn ids_of(page: &NewPage, codes: &[&str]) -> Vec<String> {
    page.articles
        .iter()
        .filter(|a| {
            a.article
                .regions
                .iter()
                .any(|r| codes.contains(&r.code.as_str()))
        })
        .map(|a| a.id.clone())
        .collect()
}

/// Two processes starting on a fresh SQLite file race to migrate it; both must come up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_fresh_file_opened_twice_at_once() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/race.db", dir.path().display());
        let (a, b) = tokio::join!(Store::connect(&url), Store::connect(&url));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.ingest(&front_page()).await.unwrap(), IngestOutcome::New);
        assert_eq!(
            b.ingest(&front_page()).await.unwrap(),
            IngestOutcome::Unchanged
        );
    }
}
