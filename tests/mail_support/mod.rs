//! Shared harness of the mail tests: a real SMTP server (mailin-embedded) on 127.0.0.1 with a
//! free port that records every message it accepts and can answer chosen recipients with 4xx
//! or 5xx, plus a test application (SQLite or PostgreSQL store, config pointing at the server)
//! and a few articles to build digests from.
#![allow(dead_code)]

pub mod dkim;
pub mod pipelining_env;
pub mod smtp_sink;

use std::collections::HashMap;
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use mailin_embedded::{response, Handler, Response, Server};
use paperboy::config::{Config, MailTransportKind};
use paperboy::mail::{MailContext, MailService, RetryPolicy};
use paperboy::model::{Article, ArticleKind, DateSource, RegionCode, RegionRef};
use paperboy::store::{NewArticle, NewPage, Store};
use paperboy::web::AppState;

/// How the server answers RCPT TO for an address.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// 451 this many times, then accept.
    TempFail(u32),
    /// 451 every time.
    AlwaysTemp,
    /// 550 every time.
    Reject,
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Default)]
struct Shared {
    messages: Vec<Received>,
    rules: HashMap<String, Rule>,
    rcpt_tries: HashMap<String, u32>,
    /// Pause before accepting each message (to keep a run going long enough to cut it).
    delay: Duration,
}

#[derive(Clone)]
struct Sink {
    shared: Arc<Mutex<Shared>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Sink {
    fn rcpt(&mut self, to: &str) -> Response {
        let to = to.trim_matches(|c| c == '<' || c == '>').to_lowercase();
        let mut s = self.shared.lock().unwrap();
        let tries = {
            let t = s.rcpt_tries.entry(to.clone()).or_insert(0);
            *t += 1;
            *t
        };
        match s.rules.get(&to).copied() {
            Some(Rule::TempFail(n)) if tries <= n => {
                Response::custom(451, "4.3.0 try again later".into())
            }
            Some(Rule::AlwaysTemp) => Response::custom(451, "4.3.0 try again later".into()),
            Some(Rule::Reject) => Response::custom(550, "5.1.1 no such mailbox".into()),
            _ => response::OK,
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to
            .iter()
            .map(|t| t.trim_matches(|c| c == '<' || c == '>').to_lowercase())
            .collect();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let delay = self.shared.lock().unwrap().delay;
        std::thread::sleep(delay);
        let msg = Received {
            to: std::mem::take(&mut self.to),
            data: std::mem::take(&mut self.data),
        };
        self.shared.lock().unwrap().messages.push(msg);
        response::OK
    }
}

/// A running SMTP server (lives until the test process ends).
#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
}

impl SmtpServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let sink = Sink {
            shared: shared.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        std::thread::spawn(move || {
            let mut server = Server::new(sink);
            server
                .with_name("sink.test")
                .with_num_threads(16)
                .with_tcp_listener(listener);
            let _ = server.serve();
        });
        Self { port, shared }
    }

    pub fn rule(&self, address: &str, rule: Option<Rule>) {
        let mut s = self.shared.lock().unwrap();
        match rule {
            Some(r) => s.rules.insert(address.to_lowercase(), r),
            None => s.rules.remove(&address.to_lowercase()),
        };
    }

    /// Makes the server wait `delay` before accepting each message.
    pub fn slow(&self, delay: Duration) {
        self.shared.lock().unwrap().delay = delay;
    }

    pub fn messages(&self) -> Vec<Received> {
        self.shared.lock().unwrap().messages.clone()
    }

    pub fn messages_to(&self, address: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }

    pub fn rcpt_tries(&self, address: &str) -> u32 {
        self.shared
            .lock()
            .unwrap()
            .rcpt_tries
            .get(address)
            .copied()
            .unwrap_or(0)
    }
}

/// A configuration sending through `server` with fast retries' worth of pool.
pub fn config(db_url: &str, server: &SmtpServer, outbox: &std::path::Path) -> Config {
    config_for_port(db_url, server.port, outbox)
}

/// [`config`] for any SMTP server listening on 127.0.0.1:`port` (plain SMTP, pool of 2).
pub fn config_for_port(db_url: &str, port: u16, outbox: &std::path::Path) -> Config {
    let mut c = Config::for_test(std::path::Path::new("unused.db"));
    c.storage.url = db_url.to_string();
    c.server.base_url = "https://news.example.org".into();
    c.mail.enabled = true;
    c.mail.transport = MailTransportKind::Smtp;
    c.mail.smtp_url = format!("smtp://127.0.0.1:{port}");
    c.mail.pool_size = 2;
    c.mail.from = "本地新闻 <digest@example.org>".into();
    c.mail.outbox = outbox.to_path_buf();
    c.mail.unsubscribe_mailto = Some("unsubscribe@example.org".into());
    c.render.templates = outbox.join("no-templates");
    c
}

/// Short backoff so retry tests take milliseconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(80),
    }
}

/// The web state and the mail context over one store and config.
pub fn app_state(store: Store, config: Config) -> (AppState, MailContext) {
    let config = Arc::new(config);
    let mut state = AppState::new(store, config.clone()).unwrap();
    let mut mail = MailService::from_config(&config).unwrap();
    mail.retry = fast_retry();
    state.mail = Arc::new(mail);
    let ctx = MailContext::from(&state);
    (state, ctx)
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn region_ref(code: &str, name: &str, prefecture: &str) -> RegionRef {
    RegionRef {
        code: RegionCode::parse(code).unwrap(),
        name: name.into(),
        prefecture: Some(prefecture.into()),
        province: "浙江省".into(),
    }
}

/// 建德市 (330182, Hangzhou).
pub const JIANDE: &str = "330182";
/// 平湖市 (330482, Jiaxing).
pub const PINGHU: &str = "330482";

/// Stores one page dated `date` with `titles.len()` articles about `region`.
pub async fn ingest(store: &Store, key: &str, date: NaiveDate, region: &str, titles: &[&str]) {
    let rref = match region {
        JIANDE => region_ref(JIANDE, "建德市", "杭州市"),
        PINGHU => region_ref(PINGHU, "平湖市", "嘉兴市"),
        other => panic!("no test region {other}"),
    };
    let articles = titles
        .iter()
        .enumerate()
        .map(|(i, t)| NewArticle {
            id: format!("{key}-{i}"),
            position: i as i32,
            article: Article {
                title: Some(t.to_string()),
                kind: ArticleKind::News,
                regions: vec![rref.clone()],
                body: format!("{t}。正文第{i}段。"),
                ..Article::default()
            },
        })
        .collect();
    let page = NewPage {
        key: key.into(),
        source: format!("{key}.txt"),
        paper: Some("测试日报".into()),
        date,
        date_source: DateSource::Masthead,
        content_hash: format!("hash-{key}-{}", titles.join("|")),
        source_hash: None,
        text_hash: None,
        ingested_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        articles,
    };
    store.ingest(&page).await.unwrap();
}

/// Parses a received message.
pub fn parse(m: &Received) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(&m.data[..])
        .unwrap()
}

/// The https URL inside a message's List-Unsubscribe header.
pub fn unsubscribe_url(m: &Received) -> String {
    let parsed = parse(m);
    let raw = parsed.header_raw("List-Unsubscribe").unwrap().to_string();
    let unfolded: String = raw.split(['\r', '\n']).map(str::trim).collect();
    let start = unfolded.find("<https://").unwrap() + 1;
    let end = start + unfolded[start..].find('>').unwrap();
    unfolded[start..end].to_string()
}

/// A client address for rate-limit tests.
pub fn client_ip(n: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, n])
}
