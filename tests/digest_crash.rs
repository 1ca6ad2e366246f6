//! `digest send` killed with `kill -9` at each point of a digest's way (before a claim, after a
//! claim, after the intent, after the server accepted it, after the mark), then run again: the
//! second run completes every subscriber at once, and each digest arrives once (counted per
//! address by Message-ID at a real in-process SMTP server). Also a PostgreSQL connection cut
//! mid-run by a TCP proxy inside the test: the run ends within a bound, with a clear message,
//! and the next run finishes the day. Both backends (PostgreSQL when PAPERBOY_TEST_POSTGRES
//! is set, in a fresh schema per case). The kill points are reached through the test-only
//! hook `PAPERBOY_TEST_DIGEST_PAUSE` (see `mail::scheduler::pause`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use paperboy::mail::subscribe;
use paperboy::store::subscribers::LedgerStatus;
use paperboy::store::Store;

use mail_support::*;

const DAY: &str = "2022-06-28";
const SUBSCRIBERS: usize = 200;

struct Case {
    _dir: tempfile::TempDir,
    config: std::path::PathBuf,
    store: Store,
    server: SmtpServer,
    emails: Vec<String>,
    /// PostgreSQL schema to drop at the end.
    schema: Option<(String, String)>,
}

/// A store (SQLite file, or a fresh PostgreSQL schema of `pg`), SUBSCRIBERS confirmed
/// subscribers of one region with news on DAY, and a config for the binary whose store URL is
/// `url_for(store url)` (the PostgreSQL proxy case points it elsewhere).
async fn case(pg: Option<&str>, url_for: impl Fn(&str) -> String) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start();
    let (store, url, schema) = match pg {
        None => {
            let url = format!("sqlite://{}", dir.path().join("crash.db").display());
            (Store::connect(&url).await.unwrap(), url, None)
        }
        Some(base) => {
            let schema = format!(
                "pb_crash_{}_{}",
                std::process::id(),
                chrono::Utc::now().timestamp_subsec_nanos()
            );
            let store = Store::connect_postgres_schema(base, &schema).await.unwrap();
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
            (store, url, Some((base.to_string(), schema)))
        }
    };
    let outbox = dir.path().join("outbox");
    let (_state, ctx) = app_state(store.clone(), config(&url, &server, &outbox));
    ingest(&store, "jd-0628", day(DAY), JIANDE, &["新安江畔开新局"]).await;
    let now = chrono::Utc::now().timestamp();
    let mut emails = Vec::new();
    for n in 0..SUBSCRIBERS {
        let email = format!("reader{n}@example.org");
        subscribe::add(&ctx, &email, &["jiande"], true, now)
            .await
            .unwrap();
        emails.push(email);
    }
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nbase_url = \"https://news.example.org\"\n\
             [storage]\nurl = \"{}\"\n\
             [render]\ntemplates = \"{}\"\n\
             [mail]\nenabled = true\ntransport = \"smtp\"\nsmtp_url = \"smtp://127.0.0.1:{}\"\n\
             from = \"paperboy <digest@example.org>\"\noutbox = \"{}\"\n",
            url_for(&url),
            dir.path().join("no-templates").display(),
            server.port,
            outbox.display()
        ),
    )
    .unwrap();
    Case {
        _dir: dir,
        config,
        store,
        server,
        emails,
        schema,
    }
}

impl Case {
    fn command(&self, extra: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_paperboy"));
        c.arg("--config")
            .arg(&self.config)
            .args(["digest", "send", "--date", DAY])
            .args(extra)
            .env("PAPERBOY_SECRET", "crash-secret")
            .env_remove("DATABASE_URL")
            .env_remove("PAPERBOY_TEST_DIGEST_PAUSE");
        c
    }

    /// Runs `digest send` to its end: (exit code, stdout, stderr).
    fn send(&self, extra: &[&str]) -> (i32, String, String) {
        let out = self.command(extra).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Starts `digest send` paused at `point`, waits until it says it is there, and kills it
    /// with SIGKILL (`kill -9`).
    fn kill_at(&self, point: &str) {
        let mut child = self
            .command(&[])
            .env("PAPERBOY_TEST_DIGEST_PAUSE", point)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut log = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.starts_with("paperboy-test-pause:") {
                    let _ = tx.send(Ok(()));
                }
                log.push_str(&line);
                log.push('\n');
            }
            let _ = tx.send(Err(log));
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(())) => {}
            other => {
                let _ = child.kill();
                panic!("the run never reached {point}: {other:?}");
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }

    /// Message-IDs received per address.
    fn received(&self) -> HashMap<String, Vec<String>> {
        let mut by = HashMap::new();
        for m in self.server.messages() {
            let id = parse(&m).message_id().unwrap().to_string();
            for to in &m.to {
                by.entry(to.clone())
                    .or_insert_with(Vec::new)
                    .push(id.clone());
            }
        }
        by
    }

    /// Addresses that got other than exactly one copy of their digest (address, copies).
    fn not_exactly_once(&self) -> Vec<(String, usize)> {
        let by = self.received();
        self.emails
            .iter()
            .filter_map(|e| {
                let ids = by.get(e).cloned().unwrap_or_default();
                let distinct: std::collections::HashSet<_> = ids.iter().collect();
                assert!(distinct.len() <= 1, "{e} got different digests: {ids:?}");
                (ids.len() != 1).then(|| (e.clone(), ids.len()))
            })
            .collect()
    }

    async fn ledger_sent(&self) -> (usize, usize) {
        let rows = self.store.digest_ledger(Some(day(DAY))).await.unwrap();
        let sent = rows
            .iter()
            .filter(|r| r.status == LedgerStatus::Sent)
            .count();
        let uncertain = rows.iter().filter(|r| r.uncertain).count();
        (sent, uncertain)
    }

    async fn close(self) {
        self.store.close().await;
        if let Some((base, schema)) = &self.schema {
            paperboy::store::drop_postgres_schema(base, schema)
                .await
                .unwrap();
        }
    }
}

/// The figure printed before `label` in a run's summary line.
fn figure(summary: &str, label: &str) -> usize {
    let at = summary
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in {summary}"));
    summary[..at]
        .trim_end()
        .rsplit([' ', ','])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no figure before {label:?} in {summary}"))
}

/// Kills a run at every point and checks the run after it, on one backend.
async fn kill_at_each_point(pg: Option<&str>) {
    // (pause point, digests possibly sent by the killed run that the next one must not resend)
    for (point, uncertain) in [
        ("before-claim:2", 0),
        ("after-claim:2", 0),
        ("after-intent:10", 1),
        ("after-data:10", 1),
        ("after-mark:10", 0),
    ] {
        let c = case(pg, str::to_string).await;
        c.kill_at(point);
        let killed_sent = c.server.messages().len();
        assert!(
            killed_sent < SUBSCRIBERS,
            "{point}: the killed run finished"
        );

        let started = Instant::now();
        let (code, out, err) = c.send(&[]);
        assert_eq!(code, 0, "{point}: {out}{err}");
        // At once: the killed run's claims (lease 60 s) were taken over, not waited out.
        assert!(started.elapsed() < Duration::from_secs(30), "{point}");
        assert_eq!(figure(&out, "held by another"), 0, "{point}: {out}");
        assert_eq!(figure(&out, "possibly sent"), uncertain, "{point}: {out}");
        let again =
            SUBSCRIBERS - killed_sent - uncertain * usize::from(point.starts_with("after-intent"));
        assert_eq!(figure(&out, "sent,"), again, "{point}: {out}");
        assert_eq!(c.ledger_sent().await, (SUBSCRIBERS, uncertain), "{point}");

        let wrong = c.not_exactly_once();
        if point.starts_with("after-intent") {
            // Killed after the intent, before the SMTP transaction: that digest never went
            // out, and at-most-once does not send it; the operator's resend does, once.
            assert_eq!(wrong, vec![(wrong[0].0.clone(), 0)], "{point}");
            let (code, out, err) = c.send(&["--resend-uncertain"]);
            assert_eq!(code, 0, "{point}: {out}{err}");
            assert_eq!(figure(&out, "resent"), 1, "{point}: {out}");
            assert_eq!(c.ledger_sent().await, (SUBSCRIBERS, 0), "{point}");
            assert!(c.not_exactly_once().is_empty(), "{point}");
        } else {
            assert!(wrong.is_empty(), "{point}: {wrong:?}");
        }
        // A third run sends nothing and says everyone was done.
        let (code, out, _) = c.send(&[]);
        assert_eq!(code, 0);
        // … counting the possibly-sent ones apart, never as done.
        let left_uncertain = usize::from(!point.starts_with("after-intent")) * uncertain;
        assert_eq!(
            figure(&out, "possibly sent"),
            left_uncertain,
            "{point}: {out}"
        );
        assert_eq!(
            figure(&out, "sent or rejected earlier"),
            SUBSCRIBERS - left_uncertain,
            "{point}: {out}"
        );
        assert!(c.not_exactly_once().is_empty(), "{point}");
        c.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_run_after_kill_9_completes_every_subscriber_once() {
    kill_at_each_point(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_run_after_kill_9_completes_every_subscriber_once() {
    let Ok(base) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL crash cases");
        return;
    };
    kill_at_each_point(Some(&base)).await;
}

/// A TCP relay to PostgreSQL that the test can cut: every open connection is closed and new
/// ones are refused until it is restored.
struct Proxy {
    addr: std::net::SocketAddr,
    cut: Arc<std::sync::atomic::AtomicBool>,
    conns: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let conns: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Default::default();
        let (c, list) = (cut.clone(), conns.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if c.load(std::sync::atomic::Ordering::SeqCst) {
                    continue; // dropped: refused
                }
                let upstream = upstream.clone();
                list.lock().unwrap().push(tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                }));
            }
        });
        Proxy { addr, cut, conns }
    }

    fn cut(&self, on: bool) {
        self.cut.store(on, std::sync::atomic::Ordering::SeqCst);
        if on {
            for c in self.conns.lock().unwrap().drain(..) {
                c.abort(); // drops both sockets
            }
        }
    }
}

/// `postgres://user@host:port/db…` → (`host:port`, the URL with `addr` in its place).
fn through(url: &str, addr: std::net::SocketAddr) -> (String, String) {
    let start = url.find('@').map(|i| i + 1).unwrap_or("postgres://".len());
    let end = start + url[start..].find('/').unwrap();
    let upstream = url[start..end].to_string();
    (upstream, format!("{}{addr}{}", &url[..start], &url[end..]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connection_cut_mid_run_ends_the_run_and_the_next_finishes() {
    let Ok(base) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL connection cut");
        return;
    };
    let (upstream, _) = through(&base, "127.0.0.1:1".parse().unwrap());
    let proxy = Proxy::start(upstream).await;
    let addr = proxy.addr;
    let c = case(Some(&base), |url| through(url, addr).1).await;
    // 20 ms a message keeps the run going for seconds.
    c.server.slow(Duration::from_millis(20));
    let child = c
        .command(&[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while c.server.messages().len() < 20 {
        assert!(Instant::now() < deadline, "the run sent nothing");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    proxy.cut(true);
    let cut_at = Instant::now();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let took = cut_at.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        took < Duration::from_secs(45),
        "ended {took:?} after the cut"
    );
    assert!(err.contains("send ledger"), "{err}");
    let first = c.server.messages().len();
    eprintln!("cut run: ended {took:?} after the cut, {first} digests delivered: {err}");
    assert!(first < SUBSCRIBERS, "the cut run finished anyway");

    // The next run (database back) takes the dead run's claims at once and finishes the day;
    // digests handed to the server before their mark could be written are not sent again.
    proxy.cut(false);
    c.server.slow(Duration::ZERO);
    let (code, out, err) = c.send(&[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(figure(&out, "held by another"), 0, "{out}");
    let uncertain = figure(&out, "possibly sent");
    assert_eq!(c.ledger_sent().await, (SUBSCRIBERS, uncertain));
    // Nobody got two. Whoever got none is among those reported possibly sent: the cut can
    // fall after an intent was committed and before the run heard so (it then sends nothing),
    // and from the ledger alone that is the same as a digest sent whose mark was lost.
    let missing = c.not_exactly_once();
    assert!(missing.iter().all(|(_, n)| *n == 0), "{missing:?}");
    assert!(
        missing.len() <= uncertain,
        "{missing:?} beyond {uncertain} uncertain"
    );
    if !missing.is_empty() {
        // The operator's at-least-once choice delivers them.
        let (code, out, err) = c.send(&["--resend-uncertain"]);
        assert_eq!(code, 0, "{out}{err}");
        let by = c.received();
        for (e, _) in &missing {
            assert_eq!(by.get(e).map_or(0, Vec::len), 1, "{e}: {out}");
        }
    }
    c.close().await;
}
