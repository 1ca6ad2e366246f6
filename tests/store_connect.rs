//! Reaching PostgreSQL: a refused connection fails at once with the host and port in the
//! message, a server that never answers fails within the configured timeout (in the library
//! and through `paperboy editions`), and once connected, a database that goes away fails
//! requests within that timeout instead of sqlx's default 30 s. The last case runs against the
//! real PostgreSQL named by `PAPERBOY_TEST_POSTGRES`, through a TCP proxy the test stops (the
//! system PostgreSQL itself is never stopped).
//! See: issue 13 ("Database faults").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use paperboy::store::Store;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// Generous: the promise is about a second for a refusal and the timeout for silence.
const BOUND: Duration = Duration::from_secs(10);

/// A local port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A server that accepts connections and never says anything (a hung database or a
/// firewall that lets the handshake through).
async fn silent_server() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    (addr, task)
}

#[tokio::test]
async fn a_refused_connection_fails_at_once_naming_host_and_port() {
    let port = closed_port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/test");
    let started = Instant::now();
    let err = Store::connect(&url).await.unwrap_err().to_string();
    let took = started.elapsed();
    assert!(took < BOUND, "took {took:?}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.to_lowercase().contains("refused"), "{err}");
    eprintln!("refused after {took:?}: {err}");
}

#[tokio::test]
async fn a_server_that_never_answers_fails_within_the_timeout() {
    let (addr, server) = silent_server().await;
    let url = format!("postgres://postgres@{addr}/test");
    let started = Instant::now();
    let err = Store::connect_with_timeout(&url, Duration::from_secs(1))
        .await
        .unwrap_err()
        .to_string();
    let took = started.elapsed();
    server.abort();
    assert!(took >= Duration::from_secs(1), "gave up early: {took:?}");
    assert!(took < BOUND, "took {took:?}");
    assert!(err.contains(&addr.to_string()), "{err}");
    assert!(err.contains("no answer within 1 s"), "{err}");
}

#[tokio::test]
async fn commands_fail_within_the_configured_timeout() {
    let (addr, server) = silent_server().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[storage]\nconnect_timeout_secs = 1\n").unwrap();
    let refused = closed_port();
    for (port, expect) in [(addr.port(), "no answer within 1 s"), (refused, "refused")] {
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .args(["--config", config.to_str().unwrap(), "editions"])
            .env(
                "DATABASE_URL",
                format!("postgres://postgres@127.0.0.1:{port}/test"),
            )
            .env("PAPERBOY_LOG", "warn")
            .output()
            .unwrap();
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(took < BOUND, "took {took:?}");
        assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
        assert!(stderr.to_lowercase().contains(expect), "{stderr}");
    }
    server.abort();
}

/// A TCP proxy to `target` that can be stopped: the listener closes and every connection
/// through it is cut.
struct Proxy {
    addr: SocketAddr,
    tasks: JoinSet<()>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                conns.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Proxy { addr, tasks }
    }

    /// Closes the listener and cuts every connection (dropping the accept task drops its
    /// connection tasks with it).
    async fn stop(mut self) {
        self.tasks.shutdown().await;
    }
}

/// `url` with its host and port replaced by `addr`; the host and port it named.
fn via(url: &str, addr: SocketAddr) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    };
    (format!("{scheme}://{user}{addr}{tail}"), host)
}

#[tokio::test]
async fn a_database_gone_after_connecting_fails_requests_within_the_timeout() {
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL case");
        return;
    };
    let (_, target) = via(&url, "127.0.0.1:1".parse().unwrap());
    let proxy = Proxy::start(target).await;
    let (proxied, _) = via(&url, proxy.addr);
    let store = Store::connect_with_timeout(&proxied, Duration::from_secs(2))
        .await
        .unwrap();
    store.revision().await.unwrap();
    proxy.stop().await;
    // The first request may find its pooled connection cut; the next must open a new one,
    // which is refused: both give up within the timeout, not sqlx's default 30 s.
    for attempt in 0..2 {
        let started = Instant::now();
        let result = store.revision().await;
        let took = started.elapsed();
        assert!(result.is_err(), "attempt {attempt}: the proxy is stopped");
        assert!(took < BOUND, "attempt {attempt} took {took:?}");
        eprintln!(
            "attempt {attempt} failed after {took:?}: {}",
            result.unwrap_err()
        );
    }
    store.close().await;
}
