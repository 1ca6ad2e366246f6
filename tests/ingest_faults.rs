//! An ingest of many pages whose PostgreSQL connection drops mid-run (a TCP proxy inside the
//! test is stopped; the system PostgreSQL is never stopped): the run gives up the current batch
//! within the store timeout, names every page it did not store, and a re-run stores exactly
//! those — nothing twice, nothing half.
//! See: issue 13 ("When the database connection drops during an ingest").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod db_support;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use db_support::{key, numbered_pages, via, Proxy};
use paperboy::ingest::{ingest_paths, FileResult, IngestOptions, Progress};
use paperboy::store::{drop_postgres_schema, Store};

const FILES: usize = 120;
/// Stop the proxy once this many pages are stored.
const STOP_AFTER: usize = 30;
const TIMEOUT: Duration = Duration::from_secs(2);

/// Counts stored files.
#[derive(Default)]
struct Count(AtomicUsize);

impl Progress for Count {
    fn file_done(&self, _path: &Path, result: &FileResult) {
        if matches!(result, FileResult::Stored { .. }) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ingest_whose_connection_drops_names_what_it_did_not_store_and_a_rerun_completes_it() {
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let files = numbered_pages(&inbox, FILES);
    let keys: Vec<String> = files.iter().map(|p| key(p)).collect();

    let schema = format!("faults_ingest_{}", std::process::id());
    let direct = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    let (_, target) = via(&url, "127.0.0.1:1".parse().unwrap());
    let proxy = Proxy::start(target.clone(), None).await;
    let addr = proxy.addr;
    let (proxied, _) = via(&url, addr);
    let store = Store::connect_postgres_schema(&proxied, &schema)
        .await
        .unwrap();
    let opts = IngestOptions {
        batch_size: 10,
        workers: 2,
        store_timeout: TIMEOUT,
        ..IngestOptions::default()
    };

    let count = Count::default();
    let stopped_at = std::sync::Mutex::new(None);
    let stopper = async {
        while count.0.load(Ordering::SeqCst) < STOP_AFTER {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        proxy.stop().await;
        *stopped_at.lock().unwrap() = Some(Instant::now());
    };
    let (report, ()) = tokio::join!(
        ingest_paths(&store, std::slice::from_ref(&inbox), &opts, &count),
        stopper
    );
    let gave_up_after = stopped_at.lock().unwrap().unwrap().elapsed();
    eprintln!(
        "stored {}, not stored {}, {gave_up_after:?} after the connection dropped",
        report.pages,
        report.failed.len()
    );
    // Within the timeout (and a margin for the batch being extracted), not 200 s.
    assert!(gave_up_after < TIMEOUT * 4, "{gave_up_after:?}");
    assert!(!report.failed.is_empty(), "the connection dropped mid-run");
    assert!(report.pages >= STOP_AFTER, "{}", report.pages);
    // Every file is accounted for exactly once: stored, or named as not stored.
    assert_eq!(report.pages + report.failed.len(), FILES);
    let failed: BTreeSet<String> = report.failed.iter().map(|f| key(&f.path)).collect();
    assert_eq!(failed.len(), report.failed.len());
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.reason.contains("not stored")),
        "{:?}",
        report.failed[0]
    );
    // What the store holds is exactly what the report says was stored.
    let held: BTreeSet<String> = direct
        .known_sources(&keys)
        .await
        .unwrap()
        .into_keys()
        .collect();
    let stored: BTreeSet<String> = keys
        .iter()
        .filter(|k| !failed.contains(*k))
        .cloned()
        .collect();
    assert_eq!(held, stored);

    // The network returns; the re-run stores exactly the pages named, and only them.
    let _proxy = Proxy::start(target, Some(addr)).await;
    let again = ingest_paths(
        &store,
        std::slice::from_ref(&inbox),
        &opts,
        &Count::default(),
    )
    .await;
    assert!(again.failed.is_empty(), "{:?}", again.failed);
    assert_eq!(again.new, failed.len());
    assert_eq!(again.unchanged, stored.len());
    assert_eq!(again.replaced, 0);
    let held = direct.known_sources(&keys).await.unwrap();
    assert_eq!(held.len(), FILES);
    // Each page's articles once: the store's count for every page is what the page has.
    let first_articles: usize = report.articles;
    assert_eq!(
        again.articles,
        held.values().map(|k| k.articles).sum::<usize>()
    );
    assert!(again.articles > first_articles);

    store.close().await;
    direct.close().await;
    drop_postgres_schema(&url, &schema).await.unwrap();
}
