//! Slow-loris clients against the server `paperboy serve` runs: a connection that sends half
//! a request line (or nothing) is closed once the header timeout passes, connections beyond
//! the cap wait for a free slot instead of being served, and well-behaved clients are served
//! meanwhile. See: issue 13 ("500 connections that send nothing … were all still open").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod web_fixture;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use paperboy::web::ServeLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use web_fixture::*;

/// Generous upper bound on anything that should take about the (1 s) header timeout.
const BOUND: Duration = Duration::from_secs(10);

struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    _fixture: Fixture,
}

async fn start(limits: ServeLimits) -> Server {
    let fixture = fixture().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = paperboy::web::app(fixture.state.clone());
    let task = tokio::spawn(paperboy::web::serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    Server {
        addr,
        stop: Some(stop),
        task,
        _fixture: fixture,
    }
}

impl Server {
    async fn shut_down(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(BOUND, self.task)
            .await
            .expect("graceful shutdown hangs")
            .unwrap();
    }
}

/// Reads until the server closes the connection; what it sent, and how long that took.
async fn until_closed(s: &mut TcpStream) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(BOUND, s.read(&mut buf)).await {
            Err(_) => panic!("still open after {BOUND:?}"),
            Ok(Ok(0)) | Ok(Err(_)) => return (got, started.elapsed()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// One GET on a new connection; the status line of the answer.
async fn status_line(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let (got, _) = until_closed(&mut s).await;
    let text = String::from_utf8_lossy(&got);
    text.lines().next().unwrap_or("").to_string()
}

fn limits(header_timeout: Duration, max_connections: usize) -> ServeLimits {
    ServeLimits {
        header_timeout,
        max_connections,
    }
}

#[tokio::test]
async fn half_a_request_line_or_silence_is_closed_after_the_header_timeout() {
    let server = start(limits(Duration::from_secs(1), 64)).await;
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /r/jiande/feed.at").await.unwrap();
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    // A well-behaved client is served meanwhile.
    assert_eq!(
        status_line(server.addr, "/r/jiande/feed.atom").await,
        "HTTP/1.1 200 OK"
    );
    for (what, s) in [("half a request line", &mut half), ("silence", &mut silent)] {
        let (got, took) = until_closed(s).await;
        assert!(
            !String::from_utf8_lossy(&got).contains("200 OK"),
            "{what} was answered"
        );
        assert!(took < BOUND, "{what}: closed after {took:?}");
    }
    server.shut_down().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let server = start(limits(Duration::from_secs(2), 2)).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"GET /").await.unwrap();
        held.push(s);
    }
    // Give the server time to take both into its two slots.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let third = tokio::spawn(status_line(server.addr, "/healthz"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !third.is_finished(),
        "a third connection was served while two slots were held"
    );
    // The two slow ones are closed at their header timeout; the third is served then.
    let answer = tokio::time::timeout(BOUND, third).await.unwrap().unwrap();
    assert_eq!(answer, "HTTP/1.1 200 OK");
    for s in &mut held {
        until_closed(s).await;
    }
    server.shut_down().await;
}

/// A server process that is killed if the test fails before stopping it.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_applies_the_configured_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nheader_timeout_secs = 1\nmax_connections = 16\n\
             [storage]\nurl = \"sqlite://{}\"\n[ingest]\ninbox = \"{}\"\n",
            dir.path().join("paperboy.db").display(),
            inbox.display(),
        ),
    )
    .unwrap();
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .args([
                "--config",
                config.to_str().unwrap(),
                "serve",
                "--bind",
                "127.0.0.1:0",
            ])
            .env_remove("DATABASE_URL")
            .env("PAPERBOY_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let Some(addr) = line.trim().strip_prefix("listening on http://") else {
        panic!("unexpected first line {line:?}");
    };
    let addr: SocketAddr = addr.parse().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (took, health) = rt.block_on(async {
        let mut half = TcpStream::connect(addr).await.unwrap();
        half.write_all(b"GET /heal").await.unwrap();
        let (_, took) = until_closed(&mut half).await;
        (took, status_line(addr, "/healthz").await)
    });
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = child.0.wait().unwrap();
    assert!(took < BOUND, "closed after {took:?}");
    assert_eq!(health, "HTTP/1.1 200 OK");
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
}
