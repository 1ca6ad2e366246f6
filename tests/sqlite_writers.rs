//! SQLite under concurrent writers: simultaneous web subscriptions on one database file are
//! all stored, slower perhaps but never refused with "database is locked"; the rate limit, not
//! a lock, turns a flood away.
//! See: issue 12 ("SQLite under concurrent writers").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use paperboy::mail::limit::RateLimiter;
use paperboy::mail::MailService;
use paperboy::store::Store;
use paperboy::web::{app, AppState};
use tower::ServiceExt;

use mail_support::*;

/// A web state over a fresh SQLite file in `dir`, sending confirmations to `server`; one
/// client may make `per_client` subscription requests.
async fn sqlite_state(dir: &Path, server: &SmtpServer, per_client: usize) -> (AppState, Store) {
    let url = format!("sqlite://{}", dir.join("web.db").display());
    let store = Store::connect(&url).await.unwrap();
    let (mut state, _) = app_state(store.clone(), config(&url, server, &dir.join("outbox")));
    let mut mail = MailService::from_config(&state.config).unwrap();
    mail.retry = fast_retry();
    mail.limiter = RateLimiter::new(per_client, Duration::from_secs(600));
    state.mail = Arc::new(mail);
    (state, store)
}

/// Sends `n` POST /subscribe requests from one client at the same moment (each task waits at a
/// barrier before sending); returns their statuses.
async fn subscribe_all_at_once(state: &AppState, n: usize) -> Vec<StatusCode> {
    let router = app(state.clone());
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let router = router.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                let mut req = Request::post("/subscribe")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!(
                        "email=reader{i}%40example.org&regions=jiande"
                    )))
                    .unwrap();
                let addr = std::net::SocketAddr::new(client_ip(9), 40000);
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(addr));
                barrier.wait().await;
                router.oneshot(req).await.unwrap().status()
            })
        })
        .collect();
    let mut statuses = Vec::with_capacity(n);
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_simultaneous_subscriptions_are_all_stored_without_a_server_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start();
    let (state, store) = sqlite_state(dir.path(), &server, 1000).await;
    let statuses = subscribe_all_at_once(&state, 100).await;
    let failed: Vec<_> = statuses.iter().filter(|s| **s != StatusCode::OK).collect();
    assert!(failed.is_empty(), "refused requests: {failed:?}");
    let stored = store.subscribers().await.unwrap();
    assert_eq!(stored.len(), 100);
    let emails: HashSet<_> = stored.iter().map(|s| s.email.as_str()).collect();
    assert_eq!(emails.len(), 100);
    assert!(stored.iter().all(|s| s.confirm_sent_at.is_some()));
    assert_eq!(server.messages().len(), 100, "one confirmation each");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_from_one_client_is_turned_away_by_the_rate_limit_not_by_locks() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start();
    let (state, store) = sqlite_state(dir.path(), &server, 20).await;
    let statuses = subscribe_all_at_once(&state, 100).await;
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((ok, limited), (20, 80), "statuses: {statuses:?}");
    assert_eq!(store.subscribers().await.unwrap().len(), 20);
}
