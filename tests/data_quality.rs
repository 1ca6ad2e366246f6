//! What readers get from the data, through the router, the API and the digest scheduler, on
//! SQLite and (when `PAPERBOY_TEST_POSTGRES` is set) PostgreSQL in a fresh schema per case:
//! the same page under another name adds nothing, and an undated page is in no edition, feed or
//! digest until it is dated, and then is in that date's.
//! See: issue 11, "Data quality".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request};
use chrono::{DateTime, NaiveDate, Utc};
use futures::FutureExt;
use paperboy::config::{Config, MailTransportKind};
use paperboy::mail::scheduler::{run_day, RunOptions};
use paperboy::mail::{subscribe, MailContext};
use paperboy::model::{Article, DateSource, Page, RegionCode};
use paperboy::region::Gazetteer;
use paperboy::store::{NewPage, Store};
use paperboy::web::{app, AppState};
use tower::ServiceExt;

/// One case's world: the app over a store, the mail context, and a scratch directory (the
/// digest outbox), removed when the case ends.
struct World {
    state: AppState,
    mail: MailContext,
    dir: tempfile::TempDir,
}

fn world(store: Store) -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_test(&dir.path().join("unused.db"));
    config.server.base_url = "http://paperboy.test".into();
    config.render.templates = dir.path().join("no-templates");
    config.secrets.api_token = Some("s3cret".into());
    config.mail.transport = MailTransportKind::File;
    config.mail.outbox = dir.path().join("outbox");
    let state = AppState::new(store, Arc::new(config)).unwrap();
    let mail = MailContext::from(&state);
    World { state, mail, dir }
}

async fn run_sqlite<F, Fut>(case: F)
where
    F: FnOnce(World) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}/pb.db", dir.path().display()))
        .await
        .unwrap();
    case(world(store)).await;
}

async fn run_postgres<F, Fut>(case: F)
where
    F: FnOnce(World) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL case");
        return;
    };
    let schema = format!(
        "pb_quality_{}_{}",
        std::process::id(),
        Utc::now().timestamp_subsec_nanos()
    );
    let store = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    let result = AssertUnwindSafe(case(world(store.clone())))
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
    copy_posted_under_another_id_adds_nothing,
    undated_page_stays_out_of_editions_feeds_and_digests_until_dated,
    api_answers_an_undated_page_without_a_date_and_its_date_field_dates_it,
);

// ---------------------------------------------------------------- helpers

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("seeds")
            .join(name),
    )
    .unwrap()
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn get(w: &World, uri: &str) -> (u16, String) {
    let resp = app(w.state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn post_page(w: &World, body: serde_json::Value) -> (u16, serde_json::Value) {
    let req = Request::post("/api/v1/pages")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Bearer s3cret")
        .body(Body::from(body.to_string()))
        .unwrap();
    let resp = app(w.state.clone()).oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

/// The articles of one edition.
async fn edition(
    w: &World,
    region: &RegionCode,
    d: NaiveDate,
) -> Vec<paperboy::store::StoredArticle> {
    w.state.store.edition_articles(region, d).await.unwrap()
}

/// Titles of a JSON feed's items.
async fn feed_titles(w: &World, uri: &str) -> Vec<String> {
    let (status, body) = get(w, uri).await;
    assert_eq!(status, 200, "{uri}: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The text of every digest a dry run for `d` writes (the outbox is emptied first).
async fn digests(w: &World, d: &str) -> Vec<String> {
    let outbox = &w.mail.mail.outbox;
    let _ = std::fs::remove_dir_all(outbox);
    let mut opts = RunOptions::new(day(d));
    opts.dry_run = true;
    let report = run_day(&w.mail, &opts).await.unwrap();
    let mut out = Vec::new();
    if let Ok(files) = std::fs::read_dir(outbox) {
        for f in files {
            let raw = std::fs::read(f.unwrap().path()).unwrap();
            let m = mail_parser::MessageParser::default()
                .parse(&raw[..])
                .unwrap();
            out.push(m.body_text(0).unwrap().into_owned());
        }
    }
    assert_eq!(out.len(), report.sent, "{report:?}");
    out
}

/// A page about 建德 as extraction would give it, prepared as `ingest` does (with its text hash).
fn jiande_page(key: &str, date: Option<&str>, titles: &[&str], at: &str) -> NewPage {
    let region = Gazetteer::global().region_ref(&code("330182")).unwrap();
    let articles: Vec<Article> = titles
        .iter()
        .map(|t| Article {
            title: Some(t.to_string()),
            regions: vec![region.clone()],
            body: format!("{t}。新安江街道的居民昨天聚在一起，听取了关于{t}的详细介绍。"),
            ..Article::default()
        })
        .collect();
    let text = titles.join("\n");
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
    let at = DateTime::parse_from_rfc3339(at)
        .unwrap()
        .with_timezone(&Utc);
    let mut p = paperboy::ingest::prepare(page, key, at, chrono_tz::Asia::Shanghai);
    p.text_hash = Some(paperboy::ingest::text_hash(&text));
    p
}

// ---------------------------------------------------------------- cases

async fn copy_posted_under_another_id_adds_nothing(w: World) {
    let store = &w.state.store;
    let text = seed("000_8bd78546456298dc.txt");
    let (status, first) = post_page(&w, serde_json::json!({"text": text, "page_id": "jd-a"})).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["outcome"], "new");
    assert_eq!(first["date"], "2021-01-08");
    assert_eq!(first["date_source"], "inferred");
    let jiande = code("330182");
    let before = edition(&w, &jiande, day("2021-01-08")).await;
    assert_eq!(before.len(), 5);
    let feed_before = feed_titles(&w, "/r/jiande/articles.json").await;
    assert_eq!(feed_before.len(), 5);

    // The same page under another id, with CRLF line ends and extra blank lines.
    let copy = text.replace('\n', "\r\n\r\n") + "\r\n\r\n\r\n";
    let (status, second) =
        post_page(&w, serde_json::json!({"text": copy, "page_id": "jd-b"})).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["outcome"], "unchanged");
    assert_eq!(second["copy_of"], "jd-a");
    assert_eq!(
        second["articles"], first["articles"],
        "the stored page's articles"
    );
    let after = edition(&w, &jiande, day("2021-01-08")).await;
    let ids =
        |v: &[paperboy::store::StoredArticle]| v.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&after), ids(&before));
    assert_eq!(
        feed_titles(&w, "/r/jiande/articles.json").await,
        feed_before
    );
    let eds = store
        .editions(&paperboy::store::EditionQuery {
            region: Some(jiande),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        eds.iter().map(|e| (e.date, e.articles)).collect::<Vec<_>>(),
        [(day("2021-01-08"), 5)]
    );
    assert!(store.page_articles("api/jd-b").await.unwrap().is_empty());
}

async fn undated_page_stays_out_of_editions_feeds_and_digests_until_dated(w: World) {
    let store = &w.state.store;
    // Both ingested on 2022-06-29 (Shanghai): one page prints that date, one prints none.
    let dated = jiande_page(
        "dated.txt",
        Some("2022-06-29"),
        &["今日要闻"],
        "2022-06-29T02:00:00Z",
    );
    let undated = jiande_page(
        "undated.txt",
        None,
        &["旧闻一则", "旧闻两则"],
        "2022-06-29T03:00:00Z",
    );
    store.ingest_many(&[dated, undated.clone()]).await.unwrap();
    let jiande = code("330182");

    // Today's edition, the feeds and the digest hold the dated page only.
    let today = edition(&w, &jiande, day("2022-06-29")).await;
    assert_eq!(today.len(), 1);
    assert_eq!(today[0].article.title.as_deref(), Some("今日要闻"));
    assert_eq!(
        feed_titles(&w, "/r/jiande/articles.json").await,
        ["今日要闻"]
    );
    let (_, editions_feed) = get(&w, "/r/jiande/feed.json").await;
    assert!(!editions_feed.contains("旧闻"), "{editions_feed}");
    assert!(editions_feed.contains("今日要闻"));
    let (_, prefecture_feed) = get(&w, "/r/hangzhou/articles.json").await;
    assert!(!prefecture_feed.contains("旧闻"));
    let now = Utc::now().timestamp();
    subscribe::add(&w.mail, "reader@example.org", &["jiande"], true, now)
        .await
        .unwrap();
    let mail = digests(&w, "2022-06-29").await;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains("今日要闻") && !mail[0].contains("旧闻"),
        "{}",
        mail[0]
    );

    // It is listed apart, with its ingest day, on the region page and in the store.
    let listed = store.undated_articles(&jiande, 10).await.unwrap();
    let titles: Vec<_> = listed
        .iter()
        .map(|a| a.article.title.clone().unwrap())
        .collect();
    assert_eq!(titles, ["旧闻一则", "旧闻两则"]);
    assert!(listed.iter().all(|a| a.date == day("2022-06-29")));
    let pages = store.undated_pages(None).await.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(
        (
            pages[0].key.as_str(),
            pages[0].region.as_str(),
            pages[0].ingested,
            pages[0].articles
        ),
        ("undated.txt", "330182", day("2022-06-29"), 2)
    );
    let (status, region_page) = get(&w, "/r/jiande/").await;
    assert_eq!(status, 200);
    assert!(region_page.contains("未注明日期"), "{region_page}");
    assert!(region_page.contains("旧闻一则") && region_page.contains("2022-06-29 收录"));
    let (status, article) = get(&w, &format!("/a/{}/", listed[0].id)).await;
    assert_eq!(status, 200);
    assert!(
        article.contains("未注明日期（2022年6月29日收录）"),
        "{article}"
    );
    assert!(
        !article.contains("/r/jiande/2022-06-29/"),
        "no link to an edition it is not in"
    );

    // Dated by the operator: filed under that day everywhere, gone from the undated list.
    let done = store
        .set_page_date("inbox/undated.txt", day("2022-06-28"), Utc::now())
        .await
        .unwrap();
    assert_eq!(
        (
            done.key.as_str(),
            done.previous,
            done.previous_source,
            done.date,
            done.articles
        ),
        (
            "undated.txt",
            day("2022-06-29"),
            DateSource::Ingested,
            day("2022-06-28"),
            2
        )
    );
    // (A serving process sees the new revision within a second; here at once.)
    w.state.cache.refresh(store).await.unwrap();
    let filed = edition(&w, &jiande, day("2022-06-28")).await;
    assert_eq!(filed.len(), 2);
    assert!(filed.iter().all(|a| a.date_source == DateSource::Metadata));
    assert_eq!(edition(&w, &jiande, day("2022-06-29")).await.len(), 1);
    assert!(store
        .undated_articles(&jiande, 10)
        .await
        .unwrap()
        .is_empty());
    let mut titles = feed_titles(&w, "/r/jiande/articles.json").await;
    assert_eq!(titles.len(), 3);
    assert_eq!(titles.remove(0), "今日要闻", "newest day first");
    titles.sort();
    assert_eq!(titles, ["旧闻一则", "旧闻两则"]);
    let (status, page) = get(&w, "/r/jiande/2022-06-28/").await;
    assert_eq!(status, 200);
    assert!(page.contains("旧闻一则") && page.contains("旧闻两则"));
    let (_, region_page) = get(&w, "/r/jiande/").await;
    assert!(!region_page.contains("未注明日期"));
    let mail = digests(&w, "2022-06-29").await;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains("今日要闻") && mail[0].contains("旧闻一则"),
        "{}",
        mail[0]
    );

    // Re-ingesting the page keeps the date it was given; so does an undated correction.
    assert_eq!(
        store.ingest(&undated).await.unwrap(),
        paperboy::store::IngestOutcome::Unchanged
    );
    let corrected = jiande_page(
        "undated.txt",
        None,
        &["旧闻一则（更正）"],
        "2022-07-02T03:00:00Z",
    );
    assert_eq!(
        store.ingest(&corrected).await.unwrap(),
        paperboy::store::IngestOutcome::Replaced
    );
    let filed = edition(&w, &jiande, day("2022-06-28")).await;
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0].article.title.as_deref(), Some("旧闻一则（更正）"));
    assert_eq!(filed[0].date_source, DateSource::Metadata);
    assert!(store.undated_pages(None).await.unwrap().is_empty());
}

async fn api_answers_an_undated_page_without_a_date_and_its_date_field_dates_it(w: World) {
    let store = &w.state.store;
    let text = seed("002_51ed94c92ab269c1.txt");
    let qiantang = code("330114");
    let (status, v) = post_page(&w, serde_json::json!({"text": text, "page_id": "qt"})).await;
    assert_eq!(status, 201, "{v}");
    assert!(v["date"].is_null(), "{v}");
    assert_eq!(v["date_source"], "ingested");
    let ingested = v["ingested"]
        .as_str()
        .unwrap()
        .parse::<NaiveDate>()
        .unwrap();
    let shanghai_today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    assert!(
        (ingested - shanghai_today).num_days().abs() <= 1,
        "{ingested}"
    );
    let n = v["articles"].as_array().unwrap().len();
    assert_eq!(n, 6);
    assert!(edition(&w, &qiantang, ingested).await.is_empty());
    assert_eq!(
        store.undated_articles(&qiantang, 50).await.unwrap().len(),
        n
    );
    assert!(feed_titles(&w, "/r/qiantang/articles.json")
        .await
        .is_empty());
    // Reachable: the home page links the region's undated list, and a static export writes it
    // with every article it links.
    let (_, home) = get(&w, "/").await;
    assert!(home.contains("href=\"/r/qiantang/#undated\""), "{home}");
    let site = w.dir.path().join("site");
    paperboy::web::export::write_site(w.state.clone(), &site)
        .await
        .unwrap();
    let region_page = std::fs::read_to_string(site.join("r/qiantang/index.html")).unwrap();
    assert!(region_page.contains("未注明日期"));
    for a in v["articles"].as_array().unwrap() {
        let id = a["id"].as_str().unwrap();
        assert!(region_page.contains(&format!("/a/{id}/")));
        assert!(site.join(format!("a/{id}/index.html")).is_file(), "{id}");
    }

    // The same page id again with a date: the page is dated (replaced, same article ids).
    let (status, dated) = post_page(
        &w,
        serde_json::json!({"text": text, "page_id": "qt", "date": "2021-12-10"}),
    )
    .await;
    assert_eq!(status, 200, "{dated}");
    assert_eq!(dated["outcome"], "replaced");
    assert_eq!(dated["date"], "2021-12-10");
    assert_eq!(dated["date_source"], "metadata");
    assert!(dated.get("ingested").is_none());
    assert_eq!(dated["articles"], v["articles"]);
    let filed = edition(&w, &qiantang, day("2021-12-10")).await;
    assert_eq!(filed.len(), n);
    assert!(store
        .undated_articles(&qiantang, 50)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(feed_titles(&w, "/r/qiantang/articles.json").await.len(), n);

    // Text with no article-like content is refused and stores nothing.
    let revision = store.revision().await.unwrap();
    let (status, refused) = post_page(&w, serde_json::json!({"text": "hello world"})).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("no article-like text"),
        "{refused}"
    );
    assert_eq!(store.revision().await.unwrap(), revision);
}
