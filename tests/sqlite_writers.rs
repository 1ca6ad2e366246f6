//! SQLite under concurrent writers: simultaneous web subscriptions and parallel
//! `paperboy subscribers add` processes on one database file are all stored, slower perhaps but
//! never refused with "database is locked"; the rate limit, not a lock, turns a flood away.
//! See: issue 12 ("SQLite under concurrent writers").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use paperboy::mail::limit::RateLimiter;
use paperboy::mail::MailService;
use paperboy::model::RegionCode;
use paperboy::store::{Store, StoreError, Timeouts};
use paperboy::web::{app, AppState};
use sqlx::{Connection, SqliteConnection};
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

/// A config file for the binary: SQLite at `db`, mail off (subscribers are added confirmed).
fn cli_config(dir: &Path, db: &Path, storage: &str) -> PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\nurl = \"sqlite://{}\"\n{storage}[render]\ntemplates = \"{}\"\n",
            db.display(),
            dir.join("no-templates").display(),
        ),
    )
    .unwrap();
    config
}

/// `paperboy subscribers add EMAIL… --region jiande --confirmed` with `config`.
fn add_command(config: &Path, emails: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paperboy"));
    cmd.arg("--config")
        .arg(config)
        .args(["subscribers", "add"])
        .args(emails)
        .args(["--region", "jiande", "--confirmed"])
        .env_remove("DATABASE_URL")
        .env("PAPERBOY_LOG", "warn");
    cmd
}

#[tokio::test]
async fn four_parallel_subscribers_add_processes_store_all_two_thousand() {
    let dir = tempfile::tempdir().unwrap();
    // A fresh file: the four processes also race to create and migrate it.
    let db = dir.path().join("cli.db");
    let config = cli_config(dir.path(), &db, "");
    let runs: Vec<_> = (0..4)
        .map(|run| {
            let emails: Vec<String> = (0..500)
                .map(|i| format!("run{run}-reader{i}@example.org"))
                .collect();
            let mut add = add_command(&config, &emails);
            std::thread::spawn(move || add.output().unwrap())
        })
        .collect();
    for run in runs {
        let out = run.join().unwrap();
        assert!(
            out.status.success(),
            "{:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 500);
    }
    let store = Store::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let stored = store.subscribers().await.unwrap();
    assert_eq!(stored.len(), 2000);
    let emails: HashSet<_> = stored.iter().map(|s| s.email.as_str()).collect();
    assert_eq!(emails.len(), 2000);
    assert!(stored
        .iter()
        .all(|s| s.confirmed_at.is_some() && s.regions.len() == 1));
}

/// Holds the write lock of the SQLite file at `url` until dropped (an open `BEGIN IMMEDIATE`).
async fn hold_write_lock(url: &str) -> SqliteConnection {
    let mut conn = SqliteConnection::connect(url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_waits_out_the_busy_timeout_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("held.db");
    let url = format!("sqlite://{}", db.display());
    let timeouts = Timeouts {
        busy: Duration::from_secs(1),
        ..Timeouts::default()
    };
    let store = Store::connect_with(&url, timeouts).await.unwrap();
    let jiande = RegionCode::parse(JIANDE).unwrap();
    let lock = hold_write_lock(&url).await;

    let started = Instant::now();
    let err = store
        .upsert_subscriber("a@example.org", std::slice::from_ref(&jiande), true, 1)
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&db.display().to_string()), "{message}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    // The binary, with `[storage] busy_timeout_secs = 1`: exit 1 within the bound, the file named.
    let config = cli_config(dir.path(), &db, "busy_timeout_secs = 1\n");
    let started = Instant::now();
    let out = add_command(&config, &["b@example.org".to_string()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&db.display().to_string()), "{stderr}");
    assert!(stderr.contains("busy"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    // Once the lock is released, the same writes go through.
    drop(lock);
    store
        .upsert_subscriber("a@example.org", &[jiande], true, 1)
        .await
        .unwrap();
    let out = add_command(&config, &["b@example.org".to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(store.subscribers().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_that_waits_out_the_busy_timeout_is_answered_503() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start();
    let url = format!("sqlite://{}", dir.path().join("web.db").display());
    let timeouts = Timeouts {
        busy: Duration::from_secs(1),
        ..Timeouts::default()
    };
    let store = Store::connect_with(&url, timeouts).await.unwrap();
    let (state, _) = app_state(
        store.clone(),
        config(&url, &server, &dir.path().join("outbox")),
    );
    let lock = hold_write_lock(&url).await;
    let started = Instant::now();
    let statuses = subscribe_all_at_once(&state, 1).await;
    assert_eq!(statuses, [StatusCode::SERVICE_UNAVAILABLE]);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    drop(lock);
    assert_eq!(subscribe_all_at_once(&state, 1).await, [StatusCode::OK]);
    assert_eq!(store.subscribers().await.unwrap().len(), 1);
}
