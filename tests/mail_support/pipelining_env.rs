//! The test application of tests/mail_pipelining.rs: a SQLite store and a config whose SMTP
//! server is a [`Relay`] in front of an [`SmtpSink`], and helpers to subscribe, run a day and
//! read the day's ledger.

use std::collections::BTreeMap;

use paperboy::mail::scheduler::{run_day, RunOptions, RunReport};
use paperboy::mail::subscribe;
use paperboy::mail::MailContext;
use paperboy::store::subscribers::LedgerStatus;
use paperboy::store::Store;
use paperboy::web::AppState;

use super::smtp_sink::{Relay, Rewrite, SmtpSink};
use super::{app_state, config_for_port, day};

pub struct Env {
    _dir: tempfile::TempDir,
    _state: AppState,
    pub ctx: MailContext,
    pub relay: Relay,
    // Last: killed after the application let go of its connections.
    pub sink: SmtpSink,
}

/// The test application sending through the relay to an smtp-sink started with `options`.
pub async fn env(options: &[&str], rewrites: Vec<Rewrite>) -> Option<Env> {
    let sink = SmtpSink::start(options)?;
    let relay = Relay::start(sink.port, rewrites).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::connect(&url).await.unwrap();
    let cfg = config_for_port(&url, relay.port, &dir.path().join("outbox"));
    let (state, ctx) = app_state(store, cfg);
    Some(Env {
        _dir: dir,
        _state: state,
        ctx,
        relay,
        sink,
    })
}

pub async fn add(e: &Env, email: &str) -> i64 {
    let now = chrono::Utc::now().timestamp();
    let (sub, _) = subscribe::add(&e.ctx, email, &["jiande"], true, now)
        .await
        .unwrap();
    sub.id
}

pub async fn send(e: &Env, d: &str) -> RunReport {
    run_day(&e.ctx, &RunOptions::new(day(d))).await.unwrap()
}

pub async fn ledger(e: &Env, d: &str) -> BTreeMap<i64, (LedgerStatus, Option<String>)> {
    e.ctx
        .store
        .digest_ledger(Some(day(d)))
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.subscriber_id, (l.status, l.message_id)))
        .collect()
}
