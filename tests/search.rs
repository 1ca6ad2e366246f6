//! Search on both backends (SQLite always; PostgreSQL in a fresh schema when
//! `PAPERBOY_TEST_POSTGRES` holds a URL): Chinese words of one, two and more characters find
//! exactly the articles that contain them, newest first, limited by region; pages replaced or
//! stored before the index existed are found correctly; and over HTTP the search page marks
//! matches safely, the API answers JSON, and the keyword feeds parse back with feed-rs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use futures::FutureExt;
use paperboy::config::Config;
use paperboy::ingest::prepare;
use paperboy::model::{Article, DateSource, Page, RegionCode, RegionRef};
use paperboy::store::{NewPage, Search, SearchQuery, Store, StoredArticle};
use paperboy::web::{app, AppState};
use tower::ServiceExt;

async fn run_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/paperboy.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    case(store, url).await;
}

static SCHEMAS: AtomicUsize = AtomicUsize::new(0);

async fn run_postgres<F, Fut>(case: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL search case");
        return;
    };
    let nanos = Utc::now().timestamp_subsec_nanos();
    let n = SCHEMAS.fetch_add(1, Ordering::Relaxed);
    let schema = format!("pb_search_{}_{nanos}_{n}", std::process::id());
    let store = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    let result = AssertUnwindSafe(case(store.clone(), format!("{url}#{schema}")))
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
    finds_chinese_words_newest_first,
    limits_by_region_and_count,
    replaced_pages_leave_the_index,
    keyword_feed_and_api_over_http,
    articles_stored_before_the_index_are_indexed_on_open,
    a_common_word_gives_the_newest_first,
    a_common_word_is_found_exactly_however_it_is_written,
);

// ---------------------------------------------------------------- fixtures

fn region(code: &str) -> RegionRef {
    let (name, prefecture) = match code {
        "330182" => ("建德市", Some("杭州市")),
        "330482" => ("平湖市", Some("嘉兴市")),
        other => panic!("no fixture name for {other}"),
    };
    RegionRef {
        code: RegionCode::parse(code).unwrap(),
        name: name.into(),
        prefecture: prefecture.map(Into::into),
        province: "浙江省".into(),
    }
}

fn article(title: &str, body: &str, code: &str) -> Article {
    Article {
        title: Some(title.into()),
        regions: vec![region(code)],
        body: body.into(),
        ..Article::default()
    }
}

fn page(key: &str, date: &str, articles: Vec<Article>) -> NewPage {
    let page = Page {
        source: format!("inbox/{key}"),
        encoding: "utf-8".into(),
        warnings: Vec::new(),
        paper: Some("今日建德".into()),
        date: Some(date.parse::<NaiveDate>().unwrap()),
        date_source: DateSource::Masthead,
        articles,
    };
    let at = DateTime::parse_from_rfc3339("2022-07-01T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    prepare(page, key, at, chrono_tz::Asia::Shanghai)
}

/// Three days of pages; 疫情 is in the title of one article and the bodies of two others.
fn pages() -> Vec<NewPage> {
    vec![
        page(
            "a.txt",
            "2022-06-01",
            vec![
                article("疫情防控不放松", "全市上下齐心协力。", "330182"),
                article("新安江畔好风光", "游客纷至沓来，情况良好。", "330182"),
            ],
        ),
        page(
            "b.txt",
            "2022-06-03",
            vec![article(
                "平湖开展文明创建",
                "在抗击疫情的同时，平湖推进G20峰会保障。",
                "330482",
            )],
        ),
        page(
            "c.txt",
            "2022-06-02",
            vec![article(
                "建德春耕",
                "新冠疫情以来首次大规模春耕。",
                "330182",
            )],
        ),
    ]
}

fn titles(found: &[StoredArticle]) -> Vec<String> {
    found
        .iter()
        .map(|a| a.article.title.clone().unwrap())
        .collect()
}

async fn search(store: &Store, q: &str, region: Option<&str>) -> Vec<StoredArticle> {
    store
        .search(&Search {
            query: SearchQuery::parse(q).unwrap(),
            region: region.map(|r| RegionCode::parse(r).unwrap()),
            limit: 50,
        })
        .await
        .unwrap()
}

// ---------------------------------------------------------------- cases

async fn finds_chinese_words_newest_first(store: Store, _: String) {
    store.ingest_many(&pages()).await.unwrap();
    let found = search(&store, "疫情", None).await;
    assert_eq!(
        titles(&found),
        ["平湖开展文明创建", "建德春耕", "疫情防控不放松"]
    );
    // The ids are those of the stored articles, and the same in the reference scan.
    let scanned = store
        .search_by_scan(&Search {
            query: SearchQuery::parse("疫情").unwrap(),
            region: None,
            limit: 50,
        })
        .await
        .unwrap();
    let ids = |v: &[StoredArticle]| v.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&found), ids(&scanned));
    // A longer word is a phrase: 新冠疫情 is only in 建德春耕; 冠情 is in none.
    assert_eq!(
        titles(&search(&store, "新冠疫情", None).await),
        ["建德春耕"]
    );
    assert!(search(&store, "冠情", None).await.is_empty());
    // One character, at the end of a run (情况 … 情) and inside one.
    assert_eq!(
        titles(&search(&store, "况", None).await),
        ["新安江畔好风光"]
    );
    assert_eq!(search(&store, "情", None).await.len(), 4);
    // Latin and digits, case and width folded; several words must all occur.
    assert_eq!(
        titles(&search(&store, "ｇ20", None).await),
        ["平湖开展文明创建"]
    );
    assert_eq!(
        titles(&search(&store, "疫情 春耕", None).await),
        ["建德春耕"]
    );
}

async fn limits_by_region_and_count(store: Store, _: String) {
    store.ingest_many(&pages()).await.unwrap();
    assert_eq!(
        titles(&search(&store, "疫情", Some("330182")).await),
        ["建德春耕", "疫情防控不放松"]
    );
    // A prefecture covers its counties.
    assert_eq!(search(&store, "疫情", Some("330400")).await.len(), 1);
    let two = store
        .search(&Search {
            query: SearchQuery::parse("疫情").unwrap(),
            region: None,
            limit: 2,
        })
        .await
        .unwrap();
    assert_eq!(titles(&two), ["平湖开展文明创建", "建德春耕"]);
}

async fn replaced_pages_leave_the_index(store: Store, _: String) {
    store.ingest_many(&pages()).await.unwrap();
    // c.txt corrected: 疫情 gone from it, 复工 in.
    let corrected = page(
        "c.txt",
        "2022-06-02",
        vec![article(
            "建德春耕",
            "复工复产以来首次大规模春耕。",
            "330182",
        )],
    );
    store.ingest(&corrected).await.unwrap();
    assert_eq!(
        titles(&search(&store, "疫情", None).await),
        ["平湖开展文明创建", "疫情防控不放松"]
    );
    assert_eq!(titles(&search(&store, "复工", None).await), ["建德春耕"]);
}

async fn keyword_feed_and_api_over_http(store: Store, _: String) {
    store.ingest_many(&pages()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = Arc::new(Config::for_test(&dir.path().join("unused.db")));
    let app = app(AppState::new(store, config).unwrap());
    let get = |uri: &str| {
        let app = app.clone();
        let uri = uri.to_string();
        async move {
            let r = app
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = r.status();
            let body = axum::body::to_bytes(r.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
    };
    let q = "%E7%96%AB%E6%83%85"; // 疫情

    let (status, html) = get(&format!("/search?q={q}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<mark>疫情</mark>防控不放松"), "{html}");
    let first = html.find("平湖开展文明创建").unwrap();
    let last = html.find("防控不放松").unwrap();
    assert!(first < last, "newest first");
    assert!(html.contains("href=\"/search.atom?q=%E7%96%AB%E6%83%85\""));
    // The query is shown escaped, never as markup.
    let (_, html) = get("/search?q=%3Cscript%3E").await;
    assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));

    let (status, json) = get(&format!("/api/v1/search?q={q}&region=jiande")).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let results = v["results"].as_array().unwrap();
    let got: Vec<&str> = results
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["建德春耕", "疫情防控不放松"]);
    assert!(results[1]["title_html"]
        .as_str()
        .unwrap()
        .starts_with("<mark>疫情</mark>"));
    let (status, _) = get("/api/v1/search?q=").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = get(&format!("/api/v1/search?q={}", "x".repeat(65))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    for ext in ["atom", "rss", "json"] {
        let (status, body) = get(&format!("/search.{ext}?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{ext}");
        let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
        let got: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(
            got,
            ["平湖开展文明创建", "建德春耕", "疫情防控不放松"],
            "{ext}"
        );
        assert!(feed.title.unwrap().content.contains("疫情"));
    }
    let (_, body) = get(&format!("/search.atom?q={q}&region=pinghu")).await;
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
    assert_eq!(feed.entries.len(), 1);
}

/// A database whose articles were stored before migration 0006 (their index rows gone, the
/// migration's mark set, as the migration leaves it) is indexed when it is next opened.
async fn articles_stored_before_the_index_are_indexed_on_open(store: Store, url: String) {
    store.ingest_many(&pages()).await.unwrap();
    let mark = "INSERT INTO meta (key, value) VALUES ('search_backfill', 1)";
    let reopened = match &store {
        Store::Sqlite(pool) => {
            sqlx::query("DELETE FROM search_docs")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(mark).execute(pool).await.unwrap();
            assert!(search(&store, "疫情", None).await.is_empty());
            Store::connect(&url).await.unwrap()
        }
        Store::Postgres(pool) => {
            sqlx::query("DELETE FROM article_search")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(mark).execute(pool).await.unwrap();
            assert!(search(&store, "疫情", None).await.is_empty());
            let (url, schema) = url.split_once('#').unwrap();
            Store::connect_postgres_schema(url, schema).await.unwrap()
        }
    };
    assert_eq!(search(&reopened, "疫情", None).await.len(), 3);
    assert_eq!(
        titles(&search(&reopened, "复工", None).await),
        Vec::<String>::new()
    );
    reopened.close().await;
}

/// A word in thousands of articles (more than SQLite sorts whole): still the newest first.
async fn a_common_word_gives_the_newest_first(store: Store, _: String) {
    let pages: Vec<NewPage> = (0..120)
        .map(|p| {
            let date = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Days::new(p);
            let articles = (0..20)
                .map(|k| article(&format!("第{p}版第{k}篇"), "疫情防控常态化。", "330182"))
                .collect();
            page(&format!("p{p}.txt"), &date.to_string(), articles)
        })
        .collect();
    store.ingest_many(&pages).await.unwrap();
    let found = search(&store, "疫情", None).await;
    assert_eq!(found.len(), 50);
    assert!(found.iter().all(|a| a.date.to_string() == "2022-04-30"
        || a.date.to_string() == "2022-04-29"
        || a.date.to_string() == "2022-04-28"));
    assert!(found
        .windows(2)
        .all(|w| (w[0].date, &w[0].id) > (w[1].date, &w[1].id)));
}

/// A word in thousands of articles, searched newest first: the newest articles lack it, one
/// holds it only through characters NFKC folds (a Kangxi radical for 人), one holds it in its
/// subtitle only; exactly the articles that hold it are found, also after the store works out
/// anew which articles fold.
async fn a_common_word_is_found_exactly_however_it_is_written(store: Store, url: String) {
    let day =
        |p: u64| (NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Days::new(p)).to_string();
    let mut pages: Vec<NewPage> = (0..120)
        .map(|p| {
            let articles = (0..25)
                .map(|k| article(&format!("第{p}版第{k}篇"), "人民群众安居乐业。", "330182"))
                .collect();
            page(&format!("p{p}.txt"), &day(p), articles)
        })
        .collect();
    // The newest day: ten articles without the word, one with it folded, one in a subtitle.
    let mut newest: Vec<Article> = (0..10)
        .map(|k| article(&format!("新闻{k}"), "市场繁荣，群众满意。", "330182"))
        .collect();
    newest.push(article("折叠", "\u{2F08}民群众欢度佳节。", "330182"));
    let mut sub = article("副题", "正文没有这个词。", "330182");
    sub.subtitle = Some("为人民服务".into());
    newest.push(sub);
    pages.push(page("newest.txt", &day(200), newest));
    store.ingest_many(&pages).await.unwrap();

    let check = |found: Vec<StoredArticle>| {
        assert_eq!(found.len(), 50);
        let t = titles(&found);
        assert!(
            t[..2].contains(&"折叠".to_string()) && t[..2].contains(&"副题".to_string()),
            "{t:?}"
        );
        assert!(!t.iter().any(|t| t.starts_with("新闻")), "{t:?}");
        assert!(found[2..]
            .iter()
            .all(|a| a.date.to_string() == day(119) || a.date.to_string() == day(118)));
    };
    check(search(&store, "人民", None).await);
    // Two words: both must occur.
    let both = search(&store, "人民 服务", None).await;
    assert_eq!(titles(&both), vec!["副题".to_string()]);

    // A store whose rows do not yet know whether they fold works it out on opening, once.
    if let Store::Sqlite(pool) = &store {
        let folding = "SELECT count(*) FROM search_docs WHERE folds = 1";
        let n: i64 = sqlx::query_scalar(folding).fetch_one(pool).await.unwrap();
        assert_eq!(n, 1);
        sqlx::query("UPDATE search_docs SET folds = 1")
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO meta (key, value) VALUES ('search_folds_backfill', 1)")
            .execute(pool)
            .await
            .unwrap();
        check(search(&store, "人民", None).await);
        let reopened = Store::connect(&url).await.unwrap();
        let Store::Sqlite(pool) = &reopened else {
            unreachable!()
        };
        let n: i64 = sqlx::query_scalar(folding).fetch_one(pool).await.unwrap();
        assert_eq!(n, 1);
        check(search(&reopened, "人民", None).await);
        reopened.close().await;
    }
}
