//! The pages behind the reader tests (`tests/readers.rs`, `tests/readers_site.rs`): 建德 on
//! three days, one page of three articles stored at one instant, one page dated from its text,
//! and 平湖 with a roundup filed under both, in a temporary SQLite store.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use paperboy::config::Config;
use paperboy::model::{Article, ArticleKind, DateSource, Page};
use paperboy::store::{NewPage, Store};
use paperboy::web::{app, AppState};
use tower::ServiceExt;

use super::web_fixture::{day, region, BASE};

pub struct Site {
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub pages: Vec<NewPage>,
}

pub fn article(title: &str, byline: &[&str], regions: &[&str], body: &str) -> Article {
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

/// 建德 on three days (three articles of one page on 6-28, every one stored at the same
/// instant; one page dated from its text), 平湖 on 6-28 with a roundup filed under both.
pub fn pages() -> Vec<NewPage> {
    let tz = chrono_tz::Asia::Shanghai;
    let t = |h| Utc.with_ymd_and_hms(2022, 6, 28, h, 0, 0).unwrap();
    let page = |paper: &str, date: &str, source: DateSource, articles: Vec<Article>| Page {
        source: String::new(),
        encoding: "utf-8".into(),
        warnings: Vec::new(),
        paper: Some(paper.to_string()),
        date: Some(day(date)),
        date_source: source,
        articles,
    };
    let prepare = |p: Page, key: &str, h| paperboy::ingest::prepare(p, key, t(h), tz);
    vec![
        prepare(
            page(
                "今日建德",
                "2022-06-28",
                DateSource::Masthead,
                vec![
                    article(
                        "新安江畔建起城市书房",
                        &["王小明"],
                        &["330182"],
                        "本报讯 新安江街道的城市书房昨天开放。\n\n市民纷纷前来阅读，书房里座无虚席。",
                    ),
                    article(
                        "千岛湖畔夏收忙",
                        &["李华"],
                        &["330182"],
                        "田间地头一片繁忙，农民抢收早稻。\n\n今年早稻预计增产一成。",
                    ),
                    article(
                        "城南社区开展消夏晚会",
                        &["王莉莎"],
                        &["330182"],
                        "城南社区昨晚举办消夏晚会，居民自编自演节目。",
                    ),
                ],
            ),
            "jiande-0628.txt",
            1,
        ),
        prepare(
            page(
                "今日建德",
                "2022-06-27",
                DateSource::Masthead,
                vec![article(
                    "寿昌镇修缮古桥",
                    &["张三"],
                    &["330182"],
                    "寿昌镇对三座古桥进行修缮，预计月底完工。",
                )],
            ),
            "jiande-0627.txt",
            0,
        ),
        prepare(
            page(
                "今日建德",
                "2022-06-20",
                DateSource::Inferred,
                vec![article(
                    "梅雨季防汛演练举行",
                    &["赵六"],
                    &["330182"],
                    "六月二十日，全市举行防汛演练，各部门协同处置险情。\n\n演练持续两个小时。",
                )],
            ),
            "jiande-undated-masthead.txt",
            0,
        ),
        prepare(
            page(
                "嘉兴日报·平湖版",
                "2022-06-28",
                DateSource::Masthead,
                vec![
                    article(
                        "平湖开展文明城市督查",
                        &["钱七"],
                        &["330482"],
                        "督查组走访了十个社区，逐项检查整改情况。",
                    ),
                    article(
                        "两地合作共建产业园",
                        &[],
                        &["330482", "330182"],
                        "建德与平湖签约，共建产业园区。",
                    ),
                ],
            ),
            "pinghu-0628.txt",
            2,
        ),
    ]
}

pub async fn site_with(tweak: impl FnOnce(&mut Config)) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_test(&dir.path().join("paperboy.db"));
    config.server.base_url = BASE.into();
    config.render.templates = PathBuf::from("/nonexistent-templates");
    tweak(&mut config);
    let store = Store::connect(&config.storage.url).await.unwrap();
    let pages = pages();
    store.ingest_many(&pages).await.unwrap();
    let state = AppState::new(store, Arc::new(config)).unwrap();
    Site { state, dir, pages }
}

pub async fn site() -> Site {
    site_with(|_| {}).await
}

impl Site {
    pub async fn call(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
        let r = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    pub async fn text(&self, uri: &str) -> (StatusCode, String) {
        let (status, _, body) = self
            .call(Request::get(uri).body(Body::empty()).unwrap())
            .await;
        (status, body)
    }

    pub async fn ok(&self, uri: &str) -> String {
        let (status, body) = self.text(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        body
    }

    pub async fn feed(&self, uri: &str) -> feed_rs::model::Feed {
        let body = self.ok(uri).await;
        feed_rs::parser::parse(body.as_bytes())
            .unwrap_or_else(|e| panic!("{uri} does not parse: {e}\n{body}"))
    }

    pub fn id(&self, title: &str) -> String {
        self.pages
            .iter()
            .flat_map(|p| &p.articles)
            .find(|a| a.article.title.as_deref() == Some(title))
            .map(|a| a.id.clone())
            .unwrap()
    }
}

pub const FEEDS: [&str; 3] = ["/r/jiande/feed", "/r/jiande/articles", "/feed"];
pub const FORMATS: [&str; 3] = ["atom", "rss", "json"];

pub fn content(e: &feed_rs::model::Entry) -> String {
    e.content
        .as_ref()
        .and_then(|c| c.body.clone())
        .unwrap_or_default()
}
