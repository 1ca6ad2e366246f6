//! A `paperboy serve` subprocess for benchmarks that measure a served store, and the
//! `paperboy` CLI beside it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed benchmark

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `paperboy` binary the server and `editions` run: this build's, or `PAPERBOY_BENCH_BIN`
/// (a copy of an earlier build, to compare against it while this one is rebuilt).
pub fn paperboy_bin() -> String {
    std::env::var("PAPERBOY_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_paperboy").into())
}

/// A running `paperboy serve` on the store, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts it on the store at `url` with `entries` per feed; its config goes in `dir`.
    pub fn start(url: &str, dir: &Path, entries: usize) -> Self {
        let config = dir.join("scale.toml");
        std::fs::write(
            &config,
            format!(
                "[storage]\nurl = {url:?}\n\
                 # the bench measures how long a render takes, so nothing may give up first\n\
                 query_timeout_secs = 600\n\
                 [ingest]\ninbox = {:?}\nwatch_interval_secs = 0\n\
                 [feeds]\nentries = {entries}\n",
                dir.join("no-inbox").display().to_string()
            ),
        )
        .unwrap();
        let mut child = Command::new(paperboy_bin())
            .arg("--config")
            .arg(&config)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("PAPERBOY_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("paperboy serve");
        let out = child.stdout.take().unwrap();
        let mut base = String::new();
        for line in BufReader::new(out).lines() {
            let line = line.unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                base = url.to_string();
                break;
            }
        }
        assert!(!base.is_empty(), "paperboy serve did not start");
        Self { child, base }
    }

    /// `VmRSS` and `VmHWM` of the server in MiB.
    pub fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
                .map_or(f64::NAN, |kib| kib / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Time of one GET and the body's size; the answer must be 200.
pub async fn get(client: &reqwest::Client, url: &str) -> (Duration, usize) {
    let started = Instant::now();
    let resp = client.get(url).send().await.unwrap();
    let status = resp.status();
    let body = resp.bytes().await.unwrap();
    let took = started.elapsed();
    assert_eq!(status, 200, "GET {url}");
    (took, body.len())
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `paperboy editions` with `args` on the store; time and lines printed.
pub fn editions_cli(dir: &Path, args: &[&str]) -> (Duration, usize) {
    let started = Instant::now();
    let out = Command::new(paperboy_bin())
        .arg("--config")
        .arg(dir.join("scale.toml"))
        .arg("editions")
        .args(args)
        .env("PAPERBOY_LOG", "warn")
        .output()
        .expect("paperboy editions");
    assert!(out.status.success(), "paperboy editions {args:?}");
    (started.elapsed(), out.stdout.split(|&b| b == b'\n').count())
}
