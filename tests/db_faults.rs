//! `serve` through database faults: when the database goes away under a running server, cached
//! documents keep being served (marked stale, with their validators), a document that is not
//! cached is refused with 503 without waiting longer than the store timeout, `/healthz` says
//! 503 at once, and all of it recovers by itself when the database returns.
//!
//! PostgreSQL (`PAPERBOY_TEST_POSTGRES`) is reached through a TCP proxy inside the test, which
//! is stopped (listener closed, connections cut) and started again on the same port; the
//! system PostgreSQL is never stopped. SQLite is locked by another process (holding the
//! locks of its WAL index) and then released.
//! See: issue 13 ("Database faults").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod db_support;
mod web_fixture;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use db_support::{via, Proxy};
use paperboy::config::Config;
use paperboy::store::{drop_postgres_schema, Store};
use paperboy::web::{app, serve, AppState, ServeLimits};
use tokio::net::TcpListener;

/// The store timeout the servers under test use.
const TIMEOUT: Duration = Duration::from_secs(2);
/// What any answer may take: the timeout and a generous margin for a loaded machine.
const BOUND: Duration = Duration::from_secs(4);

struct Server {
    addr: SocketAddr,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    async fn start(store: Store, config: Config) -> Server {
        let state = AppState::new(store, Arc::new(config)).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let limits = ServeLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 64,
        };
        tokio::spawn(serve(listener, app(state), limits, async {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        Server {
            addr,
            client,
            stop: Some(tx),
        }
    }

    /// GET `path` with optional `If-None-Match`: status, ETag, Warning, body, time taken.
    async fn get(&self, path: &str, inm: Option<&str>) -> Answer {
        let mut req = self.client.get(format!("http://{}{path}", self.addr));
        if let Some(tag) = inm {
            req = req.header("if-none-match", tag);
        }
        let started = Instant::now();
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let (etag, warning) = (header("etag"), header("warning"));
        let body = resp.text().await.unwrap();
        Answer {
            status,
            etag,
            warning,
            body,
            took: started.elapsed(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    etag: Option<String>,
    warning: Option<String>,
    body: String,
    took: Duration,
}

fn config(url: &str) -> Config {
    let mut c = Config::for_test(std::path::Path::new("/unused"));
    c.storage.url = url.to_string();
    c.storage.query_timeout_secs = TIMEOUT.as_secs();
    c.server.base_url = web_fixture::BASE.into();
    c.render.templates = "/nonexistent-templates".into();
    c
}

const FEED: &str = "/r/jiande/feed.atom";
const PAGE: &str = "/r/jiande/";
/// Never requested before the fault: not cached.
const UNCACHED: &str = "/r/pinghu/2022-06-28/";

/// Fetches what will be cached, returning the feed's answer.
async fn warm(server: &Server) -> Answer {
    let health = server.get("/healthz", None).await;
    assert_eq!(health.status, 200, "{health:?}");
    let page = server.get(PAGE, None).await;
    assert_eq!(page.status, 200, "{page:?}");
    let feed = server.get(FEED, None).await;
    assert_eq!(feed.status, 200, "{feed:?}");
    assert!(feed.warning.is_none(), "{feed:?}");
    feed
}

/// While the store is down: the cached feed and page answer (stale, same bytes and ETag, 304
/// to their validator), the uncached page 503, `/healthz` 503 — each within the bound.
async fn serves_stale_while_down(server: &Server, before: &Answer) {
    // Past the second after which the cache asks the store again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for round in 0..3 {
        let feed = server.get(FEED, None).await;
        assert_eq!(feed.status, 200, "round {round}: {feed:?}");
        assert_eq!(feed.body, before.body, "round {round}");
        assert_eq!(feed.etag, before.etag, "round {round}");
        let warning = feed.warning.clone().unwrap_or_default();
        assert!(warning.starts_with("110"), "round {round}: {feed:?}");
        assert!(feed.took < BOUND, "round {round}: {:?}", feed.took);
        let revalidated = server.get(FEED, before.etag.as_deref()).await;
        assert_eq!(revalidated.status, 304, "round {round}: {revalidated:?}");
        assert!(revalidated.took < BOUND, "round {round}: {revalidated:?}");
        let page = server.get(PAGE, None).await;
        assert_eq!(page.status, 200, "round {round}: {page:?}");
        assert!(page.took < BOUND, "round {round}: {:?}", page.took);
        let uncached = server.get(UNCACHED, None).await;
        assert_eq!(uncached.status, 503, "round {round}: {uncached:?}");
        assert!(uncached.took < BOUND, "round {round}: {:?}", uncached.took);
        let health = server.get("/healthz", None).await;
        assert_eq!(health.status, 503, "round {round}: {health:?}");
        assert!(health.took < BOUND, "round {round}: {:?}", health.took);
        eprintln!(
            "round {round}: feed {:?}, 304 {:?}, uncached 503 {:?}, healthz 503 {:?}",
            feed.took, revalidated.took, uncached.took, health.took
        );
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    // A burst of health checks answers at once while the failure is fresh.
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(server.get("/healthz", None).await.status, 503);
    }
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
}

/// After the store is back: healthy within a few seconds, fresh answers without a warning,
/// and the page that could not be rendered renders.
async fn recovers(server: &Server) {
    let started = Instant::now();
    loop {
        let health = server.get("/healthz", None).await;
        if health.status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "not healthy again: {health:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let feed = server.get(FEED, None).await;
    assert_eq!(feed.status, 200, "{feed:?}");
    assert!(feed.warning.is_none(), "{feed:?}");
    let page = server.get(UNCACHED, None).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("平湖开展文明城市督查"), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_away_under_serve() {
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL case");
        return;
    };
    let schema = format!("faults_serve_{}", std::process::id());
    let (_, target) = via(&url, "127.0.0.1:1".parse().unwrap());
    let proxy = Proxy::start(target.clone(), None).await;
    let (proxied, _) = via(&url, proxy.addr);
    let store = Store::connect_postgres_schema(&proxied, &schema)
        .await
        .unwrap();
    store.ingest_many(&web_fixture::pages()).await.unwrap();
    let server = Server::start(store.clone(), config(&proxied)).await;
    let before = warm(&server).await;

    let addr = proxy.addr;
    proxy.stop().await;
    serves_stale_while_down(&server, &before).await;

    let _proxy = Proxy::start(target, Some(addr)).await;
    recovers(&server).await;
    drop(server);
    store.close().await;
    drop_postgres_schema(&url, &schema).await.unwrap();
}

/// Holds, from another process, the locks of an SQLite database's WAL index that readers and
/// writers need, until dropped: what a stuck process holding the database does to it.
struct SqliteLock(std::process::Child);

impl SqliteLock {
    fn take(db: &std::path::Path) -> SqliteLock {
        let shm = format!("{}-shm", db.display());
        // Bytes 120..128 of the -shm file are the WAL write, checkpoint, recovery and read-mark
        // locks (SQLite's os_unix.c); it takes them with fcntl, so the locker must too.
        let script = "import fcntl, os, sys\n\
                      fd = os.open(sys.argv[1], os.O_RDWR)\n\
                      fcntl.lockf(fd, fcntl.LOCK_EX, 8, 120)\n\
                      print('locked', flush=True)\n\
                      sys.stdin.read()\n";
        let mut child = std::process::Command::new("python3")
            .args(["-c", script, &shm])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is needed to lock the SQLite file from another process");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "locked");
        SqliteLock(child)
    }
}

impl Drop for SqliteLock {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_locked_by_another_process_under_serve() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("paperboy.db");
    let url = format!("sqlite://{}", db.display());
    let store = Store::connect(&url).await.unwrap();
    store.ingest_many(&web_fixture::pages()).await.unwrap();
    let server = Server::start(store.clone(), config(&url)).await;
    let before = warm(&server).await;

    let lock = SqliteLock::take(&db);
    serves_stale_while_down(&server, &before).await;
    drop(lock);
    recovers(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_removed_under_serve() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("paperboy.db");
    let url = format!("sqlite://{}", db.display());
    let store = Store::connect(&url).await.unwrap();
    store.ingest_many(&web_fixture::pages()[..1]).await.unwrap();
    let server = Server::start(store.clone(), config(&url)).await;
    let before = warm(&server).await;

    // The file leaves its path (removed, or moved away) while the server has it open.
    let away = dir.path().join("moved-away.db");
    std::fs::rename(&db, &away).unwrap();
    serves_stale_while_down(&server, &before).await;
    // A write now would go into the file that is gone: refused, naming the database.
    let err = store
        .ingest_many(&web_fixture::pages()[1..])
        .await
        .unwrap_err();
    assert!(err.is_unavailable(), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("was removed") && message.contains(&db.display().to_string()),
        "{message}"
    );

    // Put back: the server recovers by itself, and the refused write can be made.
    std::fs::rename(&away, &db).unwrap();
    store.ingest_many(&web_fixture::pages()[1..]).await.unwrap();
    recovers(&server).await;
}
