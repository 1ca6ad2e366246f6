//! A subscription request that fails leaves nothing behind, on SQLite and on PostgreSQL (when
//! `PAPERBOY_TEST_POSTGRES` is set, in a fresh schema): an address whose domain is an IP
//! literal is refused with 422 and a clear message before anything is stored, and a new
//! subscriber whose confirmation mail cannot be sent is not kept.
//! See: issue 13 ("`POST /subscribe` with an address whose domain is an IP literal").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use paperboy::store::Store;
use paperboy::web::{app, AppState};
use tower::ServiceExt;

use mail_support::*;

/// The same case on SQLite, then on PostgreSQL when it is configured.
async fn on_each_backend<F, Fut>(case: F)
where
    F: Fn(Store, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    case(Store::connect(&url).await.unwrap(), url).await;
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL case");
        return;
    };
    let schema = format!(
        "pb_subscribe_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let store = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    case(store.clone(), url.clone()).await;
    store.close().await;
    paperboy::store::drop_postgres_schema(&url, &schema)
        .await
        .unwrap();
}

async fn post_subscribe(state: &AppState, email: &str, ip: u8) -> (StatusCode, String) {
    let body = format!(
        "email={}&regions=jiande",
        email
            .replace('@', "%40")
            .replace('[', "%5B")
            .replace(']', "%5D")
    );
    let mut req = Request::post("/subscribe")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let addr = std::net::SocketAddr::new(client_ip(ip), 40000);
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn an_ip_literal_address_is_refused_with_422_and_nothing_is_stored() {
    on_each_backend(|store, url| async move {
        let dir = tempfile::tempdir().unwrap();
        let server = SmtpServer::start();
        let (state, ctx) = app_state(store, config(&url, &server, &dir.path().join("outbox")));
        for (i, email) in [
            "a@[127.0.0.1]",
            "a@[IPv6:::1]",
            "a@[IPv6:2001:db8::1]",
            "a@[10.0.0.1]",
        ]
        .into_iter()
        .enumerate()
        {
            let (status, page) = post_subscribe(&state, email, 10 + i as u8).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{email}: {page}");
            assert!(page.contains("IP 地址"), "{email}: {page}");
        }
        assert!(ctx.store.subscribers().await.unwrap().is_empty());
        assert!(server.messages().is_empty());
        // A plain address on the same server still subscribes.
        let (status, _) = post_subscribe(&state, "a@example.org", 20).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ctx.store.subscribers().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_new_subscriber_whose_confirmation_cannot_be_sent_is_not_kept() {
    on_each_backend(|store, url| async move {
        let dir = tempfile::tempdir().unwrap();
        let server = SmtpServer::start();
        server.rule("refused@example.org", Some(Rule::Reject));
        let (state, ctx) = app_state(store, config(&url, &server, &dir.path().join("outbox")));
        let (status, page) = post_subscribe(&state, "refused@example.org", 30).await;
        assert!(status.is_server_error(), "{status}: {page}");
        assert!(!page.contains("550"), "the cause leaked: {page}");
        assert!(
            ctx.store
                .subscriber_by_email("refused@example.org")
                .await
                .unwrap()
                .is_none(),
            "a failed request left a subscriber behind"
        );
        // Once the mail server takes it, the same request works (nothing blocks it).
        server.rule("refused@example.org", None);
        let (status, _) = post_subscribe(&state, "refused@example.org", 31).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(server.messages_to("refused@example.org").len(), 1);
    })
    .await;
}
