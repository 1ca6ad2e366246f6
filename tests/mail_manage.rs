//! The manage-subscription page a digest links to (`/manage/{token}`): the link from a real
//! digest received over SMTP opens the page; regions are changed, digests paused (the next run
//! sends the subscriber nothing) and resumed (the next run does), and the subscriber
//! unsubscribes; bad links and bad regions change nothing. On SQLite always, and on PostgreSQL
//! in a fresh schema when `PAPERBOY_TEST_POSTGRES` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use paperboy::mail::scheduler::{run_day, RunOptions};
use paperboy::mail::token::{self, Purpose};
use paperboy::mail::{subscribe, MailContext};
use paperboy::model::RegionCode;
use paperboy::store::{drop_postgres_schema, Store};
use paperboy::web::{app, AppState};
use tower::ServiceExt;

use mail_support::*;

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn post(path: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
}

/// The path of the manage link in a digest's plain-text part.
fn manage_path(m: &Received) -> String {
    let parsed = parse(m);
    let text = parsed.body_text(0).unwrap().into_owned();
    let start = text.find("https://news.example.org/manage/").unwrap();
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    url.strip_prefix("https://news.example.org").unwrap().into()
}

async fn run(ctx: &MailContext, d: &str) -> paperboy::mail::scheduler::RunReport {
    run_day(ctx, &RunOptions::new(day(d))).await.unwrap()
}

fn codes(list: &[&str]) -> Vec<RegionCode> {
    list.iter().map(|c| RegionCode::parse(c).unwrap()).collect()
}

async fn manage_flow(store: Store, db_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start();
    let (state, ctx) = app_state(
        store.clone(),
        config(db_url, &server, &dir.path().join("outbox")),
    );
    ingest(
        &store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    ingest(&store, "ph-0628", day("2022-06-28"), PINGHU, &["平湖要闻"]).await;
    let now = chrono::Utc::now().timestamp();
    let (me, _) = subscribe::add(&ctx, "me@example.org", &["jiande"], true, now)
        .await
        .unwrap();
    let (other, _) = subscribe::add(&ctx, "other@example.org", &["jiande"], true, now)
        .await
        .unwrap();
    assert_eq!(run(&ctx, "2022-06-28").await.sent, 2);
    let path = manage_path(&server.messages_to("me@example.org")[0]);
    assert_ne!(
        path,
        manage_path(&server.messages_to("other@example.org")[0]),
        "each subscriber has a link of their own"
    );
    // The HTML part links the same page (escaped as the template escapes links).
    let html = parse(&server.messages_to("me@example.org")[0])
        .body_html(0)
        .unwrap()
        .replace("&#x2f;", "/");
    assert!(html.contains(&path) && html.contains("管理订阅"), "{html}");

    // GET shows the subscription and changes nothing; the answer is private.
    let (status, headers, body) = call(&state, get(&path)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(
        body.contains("me@example.org") && body.contains("建德市"),
        "{body}"
    );
    assert!(body.contains("value=\"pause\"") && !body.contains("value=\"resume\""));
    assert!(!body.contains("other@example.org"));

    // Regions: replaced by what the form holds.
    let (status, _, body) = call(&state, post(&path, "action=regions&regions=平湖+jiande")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("已保存"), "{body}");
    let sub = store.subscriber(me.id).await.unwrap().unwrap();
    assert_eq!(sub.regions, codes(&[JIANDE, PINGHU]));
    // The same regions again: nothing changes, and the page says so.
    let (_, _, body) = call(&state, post(&path, "action=regions&regions=330482+建德")).await;
    assert!(body.contains("没有变化"), "{body}");

    // An unknown region is refused, shown again as typed, and the regions stay.
    let (status, _, body) = call(&state, post(&path, "action=regions&regions=不存在县")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("不认识的地区") && body.contains("value=\"不存在县\""),
        "{body}"
    );
    let sub = store.subscriber(me.id).await.unwrap().unwrap();
    assert_eq!(sub.regions, codes(&[JIANDE, PINGHU]));
    // No action: refused, nothing changes.
    let (status, _, _) = call(&state, post(&path, "regions=jiande")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Pause: the next run sends this subscriber nothing, the other one their digest.
    let (status, _, body) = call(&state, post(&path, "action=pause")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("已暂停") && body.contains("value=\"resume\""),
        "{body}"
    );
    let paused = store.subscriber(me.id).await.unwrap().unwrap().paused_at;
    assert!(paused.is_some());
    ingest(&store, "jd-0629", day("2022-06-29"), JIANDE, &["次日新闻"]).await;
    let report = run(&ctx, "2022-06-29").await;
    assert_eq!((report.subscribers, report.sent), (1, 1), "{report:?}");
    assert_eq!(server.messages_to("me@example.org").len(), 1);
    assert_eq!(server.messages_to("other@example.org").len(), 2);
    // Pausing twice keeps the first time.
    call(&state, post(&path, "action=pause")).await;
    assert_eq!(
        store.subscriber(me.id).await.unwrap().unwrap().paused_at,
        paused
    );

    // Resume: the next run sends again, with what is new for the new regions.
    let (_, _, body) = call(&state, post(&path, "action=resume")).await;
    assert!(body.contains("已恢复"), "{body}");
    assert!(store
        .subscriber(me.id)
        .await
        .unwrap()
        .unwrap()
        .paused_at
        .is_none());
    ingest(&store, "ph-0630", day("2022-06-30"), PINGHU, &["平湖新闻"]).await;
    let report = run(&ctx, "2022-06-30").await;
    assert_eq!(report.sent, 1, "{report:?}");
    let mine = server.messages_to("me@example.org");
    assert_eq!(mine.len(), 2);
    let text = parse(&mine[1]).body_text(0).unwrap().into_owned();
    assert!(text.contains("平湖新闻"), "{text}");

    // Links that are not this subscriber's manage link open nothing and change nothing.
    let unsubscribe = token::sign(b"test-secret", me.id, Purpose::Unsubscribe, now + 3600);
    let forged = token::sign(b"other-secret", me.id, Purpose::Manage, now + 3600);
    let expired = token::sign(b"test-secret", me.id, Purpose::Manage, 1);
    for (t, want) in [
        (unsubscribe, StatusCode::BAD_REQUEST),
        (forged, StatusCode::BAD_REQUEST),
        (expired, StatusCode::GONE),
    ] {
        let p = format!("/manage/{t}");
        assert_eq!(call(&state, get(&p)).await.0, want);
        assert_eq!(call(&state, post(&p, "action=unsubscribe")).await.0, want);
    }
    assert!(store.subscriber(me.id).await.unwrap().is_some());

    // Unsubscribe from the page: gone; the link then says so.
    let (status, _, body) = call(&state, post(&path, "action=unsubscribe")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("已退订"), "{body}");
    assert!(store.subscriber(me.id).await.unwrap().is_none());
    assert!(store.subscriber(other.id).await.unwrap().is_some());
    let (status, _, body) = call(&state, get(&path)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("不存在"), "{body}");
}

#[tokio::test]
async fn manage_page_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::connect(&url).await.unwrap();
    manage_flow(store, &url).await;
}

#[tokio::test]
async fn manage_page_on_postgres() {
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL manage page case");
        return;
    };
    let schema = format!(
        "pb_manage_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let store = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    manage_flow(store, &url).await;
    drop_postgres_schema(&url, &schema).await.unwrap();
}
