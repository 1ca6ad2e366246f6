//! Two digest schedulers over one PostgreSQL database (two `Store` connections, as two
//! `paperboy serve` processes would have) running the same day at the same time: every digest
//! is sent exactly once. Runs when `PAPERBOY_TEST_POSTGRES` is set, in a fresh schema per run
//! (dropped afterwards); otherwise prints a skip note and passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use std::sync::Arc;

use paperboy::mail::scheduler::{run_day, RunOptions};
use paperboy::mail::{subscribe, MailContext, MailService};
use paperboy::render::Renderer;
use paperboy::store::subscribers::LedgerStatus;
use paperboy::store::{drop_postgres_schema, Store};

use mail_support::*;

fn context(store: Store, server: &SmtpServer, dir: &std::path::Path, url: &str) -> MailContext {
    let cfg = Arc::new(config(url, server, &dir.join("outbox")));
    let mut mail = MailService::from_config(&cfg).unwrap();
    mail.retry = fast_retry();
    MailContext {
        store,
        render: Arc::new(Renderer::new(&cfg.render.templates).unwrap()),
        config: cfg,
        mail: Arc::new(mail),
    }
}

#[tokio::test]
async fn two_schedulers_sharing_postgres_send_each_digest_once() {
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!(
            "PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL digest concurrency case"
        );
        return;
    };
    let schema = format!(
        "pb_mail_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let a = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    let b = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start();
    let ctx_a = context(a.clone(), &server, dir.path(), &url);
    let ctx_b = context(b.clone(), &server, dir.path(), &url);

    ingest(
        &a,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局", "建德要闻"],
    )
    .await;
    ingest(&a, "ph-0628", day("2022-06-28"), PINGHU, &["平湖要闻"]).await;
    let now = chrono::Utc::now().timestamp();
    let n = 40;
    for i in 0..n {
        let region = if i % 2 == 0 { "jiande" } else { "330482" };
        subscribe::add(&ctx_a, &format!("p{i}@example.org"), &[region], true, now)
            .await
            .unwrap();
    }
    // One unconfirmed address (double opt-in: gets the confirmation only) and one the server refuses.
    subscribe::add(&ctx_b, "unconfirmed@example.org", &["jiande"], false, now)
        .await
        .unwrap();
    server.rule("p7@example.org", Some(Rule::Reject));

    let d = day("2022-06-28");
    let (opts_a, opts_b) = (RunOptions::new(d), RunOptions::new(d));
    let (ra, rb) = tokio::join!(run_day(&ctx_a, &opts_a), run_day(&ctx_b, &opts_b));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    eprintln!("scheduler a: {ra:?}\nscheduler b: {rb:?}");
    assert_eq!(
        ra.sent + rb.sent,
        n - 1,
        "every deliverable digest sent once in all"
    );
    assert_eq!(ra.rejected.len() + rb.rejected.len(), 1);
    assert_eq!(ra.subscribers, n);
    assert_eq!(
        ra.skipped + rb.skipped + ra.held + rb.held,
        n,
        "each subscriber handled by exactly one of the two"
    );
    for i in 0..n {
        let expect = usize::from(i != 7);
        assert_eq!(
            server.messages_to(&format!("p{i}@example.org")).len(),
            expect,
            "p{i}"
        );
    }
    assert_eq!(server.rcpt_tries("p7@example.org"), 1);
    assert_eq!(
        server.messages_to("unconfirmed@example.org").len(),
        1,
        "only the confirmation"
    );

    let ledger = a.digest_ledger(Some(d)).await.unwrap();
    assert_eq!(ledger.len(), n);
    assert_eq!(
        ledger
            .iter()
            .filter(|l| l.status == LedgerStatus::Sent)
            .count(),
        n - 1
    );

    // Both schedulers again (a restart): nothing more.
    let (ra, rb) = tokio::join!(run_day(&ctx_a, &opts_a), run_day(&ctx_b, &opts_b));
    assert_eq!(ra.unwrap().sent + rb.unwrap().sent, 0);
    assert_eq!(server.messages().len(), n - 1 + 1);

    // Unsubscribing through the store works on this backend too.
    let sub = b
        .subscriber_by_email("p0@example.org")
        .await
        .unwrap()
        .unwrap();
    assert!(b.remove_subscriber(sub.id).await.unwrap());
    assert!(a.subscriber(sub.id).await.unwrap().is_none());

    a.close().await;
    b.close().await;
    drop_postgres_schema(&url, &schema).await.unwrap();
}
