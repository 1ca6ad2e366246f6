//! Shared set-up of the web, feed and export tests: a temporary SQLite store holding known
//! pages (built as `Page` values and stored through `ingest::prepare`, the path every page
//! takes), and helpers to call the router.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use paperboy::config::Config;
use paperboy::model::{Article, ArticleKind, DateSource, Page, RegionCode, RegionRef};
use paperboy::region::Gazetteer;
use paperboy::store::{NewPage, Store};
use paperboy::web::{app, AppState};
use tower::ServiceExt;

pub const BASE: &str = "http://paperboy.test";
/// The hostile headline: markup, an ampersand, a CDATA end and control characters.
pub const NASTY_TITLE: &str = "<script>alert(1)</script> & ]]> 标题\u{1}\u{b}";
pub const NASTY_BODY: &str = "正文 a<b & c]]>d\u{1}e\u{b}f\n\n<img src=x onerror=alert(1)>";

pub struct Fixture {
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub pages: Vec<NewPage>,
}

pub fn region(code: &str) -> RegionRef {
    let code = RegionCode::parse(code).unwrap();
    Gazetteer::global().region_ref(&code).unwrap()
}

pub fn day(d: &str) -> NaiveDate {
    d.parse().unwrap()
}

fn article(title: &str, byline: &[&str], regions: &[&str], body: &str) -> Article {
    Article {
        title: Some(title.to_string()),
        kicker: None,
        subtitle: None,
        byline: byline.iter().map(|s| s.to_string()).collect(),
        kind: ArticleKind::News,
        regions: regions.iter().map(|c| region(c)).collect(),
        body: body.to_string(),
    }
}

/// The known pages: 建德 on two days (one article hostile), 平湖 on one day, and a roundup
/// article filed under both.
pub fn pages() -> Vec<NewPage> {
    let tz = chrono_tz::Asia::Shanghai;
    let t = |h| Utc.with_ymd_and_hms(2022, 6, 28, h, 0, 0).unwrap();
    let page = |source: &str, paper: &str, date: &str, articles: Vec<Article>| Page {
        source: source.to_string(),
        encoding: "utf-8".into(),
        warnings: Vec::new(),
        paper: Some(paper.to_string()),
        date: Some(day(date)),
        date_source: DateSource::Masthead,
        articles,
    };
    vec![
        paperboy::ingest::prepare(
            page(
                "jiande-0628.txt",
                "今日建德",
                "2022-06-28",
                vec![
                    article(
                        "新安江畔建起城市书房",
                        &["王小明", "李华"],
                        &["330182"],
                        "本报讯 新安江街道的城市书房昨天开放。\n\n市民纷纷前来阅读。",
                    ),
                    article(NASTY_TITLE, &[], &["330182"], NASTY_BODY),
                ],
            ),
            "jiande-0628.txt",
            t(1),
            tz,
        ),
        paperboy::ingest::prepare(
            page(
                "jiande-0627.txt",
                "今日建德",
                "2022-06-27",
                vec![article(
                    "千岛湖畔夏收忙",
                    &["张三"],
                    &["330182"],
                    "田间地头一片繁忙。",
                )],
            ),
            "jiande-0627.txt",
            t(0),
            tz,
        ),
        paperboy::ingest::prepare(
            page(
                "pinghu-0628.txt",
                "嘉兴日报·平湖版",
                "2022-06-28",
                vec![
                    article(
                        "平湖开展文明城市督查",
                        &["赵六"],
                        &["330482"],
                        "仲旭东在督查时强调。",
                    ),
                    article(
                        "两地合作共建产业园",
                        &[],
                        &["330482", "330182"],
                        "建德与平湖签约。",
                    ),
                ],
            ),
            "pinghu-0628.txt",
            t(2),
            tz,
        ),
    ]
}

pub async fn fixture_with(tweak: impl FnOnce(&mut Config)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_test(&dir.path().join("paperboy.db"));
    config.server.base_url = BASE.into();
    config.render.templates = PathBuf::from("/nonexistent-templates");
    tweak(&mut config);
    let store = Store::connect(&config.storage.url).await.unwrap();
    let pages = pages();
    store.ingest_many(&pages).await.unwrap();
    let state = AppState::new(store, Arc::new(config)).unwrap();
    Fixture { state, dir, pages }
}

pub async fn fixture() -> Fixture {
    fixture_with(|_| {}).await
}

impl Fixture {
    pub async fn call(&self, req: Request<Body>) -> Response<Body> {
        app(self.state.clone()).oneshot(req).await.unwrap()
    }

    pub async fn get(&self, uri: &str) -> Response<Body> {
        self.call(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// GET returning status, headers and the body as text.
    pub async fn text(&self, uri: &str) -> (u16, axum::http::HeaderMap, String) {
        let r = self.get(uri).await;
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    /// The id of the first article of page `page` whose title starts with `prefix`.
    pub fn article_id(&self, prefix: &str) -> String {
        self.pages
            .iter()
            .flat_map(|p| &p.articles)
            .find(|a| a.article.title.as_deref().unwrap_or("").starts_with(prefix))
            .map(|a| a.id.clone())
            .unwrap()
    }
}

pub fn has_forbidden_chars(s: &str) -> bool {
    s.chars().any(|c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}' || c == '\u{ffff}'
    })
}
