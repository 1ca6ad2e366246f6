//! What each route shows, as a [`Document`]: reads the store, builds the render views and
//! renders them. Shared by the HTTP handlers (through the cache) and by `paperboy export`, so
//! a static file is byte-for-byte what the server sends. The API's JSON documents are built
//! in `super::api_docs` and re-exported here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::document::Document;
use super::error::AppError;
use super::regions::{parents, view};
use super::AppState;
use crate::model::{RegionCode, RegionLevel};
use crate::render::{
    self, date_label, subscribe_path, ArticleView, CountyItem, Directory, EditionHeadlines,
    EditionLink, ErrorPage, FeedLink, Headline, IndexPage, PrefectureGroup, ProvinceGroup,
    RegionPage, RegionView, UndatedLink,
};
use crate::store::{EditionQuery, EditionSummary, RegionActivity};

pub use super::api_docs::{api_edition_doc, api_editions, api_editions_limit, api_regions};
pub use super::feed_docs::{everywhere_feed, region_feed};
pub use super::page_docs::{article_page, edition_page};

/// `Content-Type` of HTML pages.
pub const HTML: &str = "text/html; charset=utf-8";
/// `Content-Type` of API answers.
pub const JSON: &str = "application/json; charset=utf-8";
/// `Content-Type` of the OPML list.
pub const OPML: &str = "text/x-opml; charset=utf-8";
/// `Content-Type` of the favicon.
pub const SVG: &str = "image/svg+xml";
/// Editions listed on a region page.
const REGION_PAGE_EDITIONS: usize = 60;
/// Latest editions shown with their headlines on the home page.
const HOME_LATEST_EDITIONS: usize = 6;
/// Headlines shown per edition on the home and region pages.
const HEADLINES: usize = 5;
/// Articles of undated pages listed on a region page (the export writes their pages too).
pub const REGION_PAGE_UNDATED: usize = 60;

/// Where an archive page of a feed starts: strictly older than this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Editions feed: editions before this day.
    Date(NaiveDate),
    /// Articles feed: articles before `(date, id)`.
    Article(NaiveDate, String),
}

impl Cursor {
    /// Parses `2022-06-28` or `2022-06-28~{article id}`.
    pub fn parse(s: &str) -> Option<Cursor> {
        match s.split_once('~') {
            None => s.parse().ok().map(Cursor::Date),
            Some((d, id))
                if !id.is_empty()
                    && id.len() <= 64
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Some(Cursor::Article(d.parse().ok()?, id.to_string()))
            }
            Some(_) => None,
        }
    }
    /// The query value.
    pub fn to_query(&self) -> String {
        match self {
            Cursor::Date(d) => d.to_string(),
            Cursor::Article(d, id) => format!("{d}~{id}"),
        }
    }
    pub(super) fn date(&self) -> NaiveDate {
        match self {
            Cursor::Date(d) | Cursor::Article(d, _) => *d,
        }
    }
}

pub(super) fn page(
    state: &AppState,
    name: &str,
    ctx: impl Serialize,
) -> Result<Document, AppError> {
    let html = state.render.render(name, ctx)?;
    Ok(Document::new(
        html,
        HTML,
        None,
        state.config.feeds.max_age_secs.min(60),
    ))
}

/// A rendered 404 page with helpful links.
pub fn not_found(
    state: &AppState,
    title: &str,
    message: String,
    links: Vec<(String, String)>,
) -> AppError {
    let page = state
        .render
        .render(
            "error.html",
            ErrorPage {
                site: &state.site,
                status: 404,
                title: title.to_string(),
                message: message.clone(),
                links,
            },
        )
        .ok();
    AppError::NotFound { message, page }
}

/// The 404 for a region segment that names no region.
pub fn unknown_region(state: &AppState, segment: &str) -> AppError {
    not_found(
        state,
        "没有这个地区",
        format!(
            "“{}”不是已知的地区。地区可以用拼音（如 jiande）、行政区划代码（如 330182）或名称来写。",
            render::cleaned(segment)
        ),
        vec![("全部地区".into(), "/".into())],
    )
}

/// Every region with editions, grouped by province and prefecture.
pub async fn directory(state: &AppState) -> Result<(Directory, Vec<RegionActivity>), AppError> {
    let acts = state.store.regions().await?;
    let mut tree: BTreeMap<RegionCode, BTreeMap<RegionCode, Vec<CountyItem>>> = BTreeMap::new();
    for a in &acts {
        if a.region.level() == RegionLevel::Province {
            continue;
        }
        let Some(region) = view(&a.region) else {
            continue;
        };
        let item = CountyItem {
            region,
            latest: a.latest,
            editions: a.editions,
        };
        tree.entry(a.region.province())
            .or_default()
            .entry(a.region.prefecture())
            .or_default()
            .push(item);
    }
    let mut dir = Directory::default();
    for (prov, prefs) in tree {
        let Some(prov_view) = view(&prov) else {
            continue;
        };
        let mut group = ProvinceGroup {
            region: prov_view.clone(),
            prefectures: Vec::new(),
        };
        for (pref, mut counties) in prefs {
            counties.sort_by(|a, b| a.region.code.cmp(&b.region.code));
            let region = view(&pref).unwrap_or_else(|| prov_view.clone());
            group.prefectures.push(PrefectureGroup { region, counties });
        }
        dir.provinces.push(group);
    }
    Ok((dir, acts))
}

/// `/`
pub async fn index(state: &AppState) -> Result<Document, AppError> {
    let (directory, _) = directory(state).await?;
    // Regions with articles of undated pages: their region pages list them.
    let mut undated: Vec<RegionCode> = state
        .store
        .undated_pages(None)
        .await?
        .into_iter()
        .map(|u| u.region)
        .collect();
    undated.sort();
    undated.dedup();
    let eds = state
        .store
        .editions(&EditionQuery {
            limit: Some(HOME_LATEST_EDITIONS),
            ..Default::default()
        })
        .await?;
    let mut latest = Vec::with_capacity(eds.len());
    for e in &eds {
        if let Some(region) = view(&e.region) {
            latest.push(headlines(state, &region, e).await?);
        }
    }
    page(
        state,
        "index.html",
        IndexPage {
            site: &state.site,
            directory: &directory,
            undated: undated.iter().filter_map(view).collect(),
            latest,
            feeds: FeedLink::everywhere(),
        },
    )
}

/// The link to an edition of `region`.
pub(super) fn edition_link(region: &RegionView, date: NaiveDate, articles: i64) -> EditionLink {
    EditionLink {
        date,
        articles,
        path: format!("{}{date}/", region.path()),
    }
}

/// An edition with its first headlines.
async fn headlines(
    state: &AppState,
    region: &RegionView,
    e: &EditionSummary,
) -> Result<EditionHeadlines, AppError> {
    let code = code_of(region)?;
    let arts = state.store.edition_articles(&code, e.date).await?;
    Ok(EditionHeadlines {
        region: region.clone(),
        edition: edition_link(region, e.date, e.articles),
        date_label: date_label(e.date),
        headlines: arts
            .iter()
            .take(HEADLINES)
            .map(|a| Headline::new(&ArticleView::new(a)))
            .collect(),
    })
}

/// Where a page's "subscribe" button leads: the mail form when mail is on, otherwise the
/// region page's list of feeds (so a static export links no route it lacks).
pub fn subscribe_link(state: &AppState, region: &RegionView) -> String {
    if state.mail.enabled {
        subscribe_path(region)
    } else {
        format!("{}#feeds", region.path())
    }
}

/// `/feeds.opml`
pub async fn opml(state: &AppState) -> Result<Document, AppError> {
    let (directory, _) = directory(state).await?;
    let body = render::opml(&state.site, &directory, None);
    Ok(Document::new(
        body,
        OPML,
        None,
        state.config.feeds.max_age_secs,
    ))
}

/// A static asset (`/favicon.svg`).
pub fn asset(state: &AppState, name: &str) -> Result<Document, AppError> {
    let body = state.render.asset(name)?.to_string();
    Ok(Document::new(body, SVG, None, 86_400))
}

pub(super) fn code_of(region: &RegionView) -> Result<RegionCode, AppError> {
    RegionCode::parse(&region.code).map_err(|e| AppError::Internal(e.to_string()))
}

/// `/r/{slug}/`
pub async fn region_page(
    state: &AppState,
    region: &RegionView,
    before: Option<NaiveDate>,
) -> Result<Document, AppError> {
    let code = code_of(region)?;
    let mut eds = state
        .store
        .editions(&EditionQuery {
            region: Some(code.clone()),
            since: None,
            before,
            limit: Some(REGION_PAGE_EDITIONS + 1),
        })
        .await?;
    let more = eds.len() > REGION_PAGE_EDITIONS;
    eds.truncate(REGION_PAGE_EDITIONS);
    let older = more
        .then(|| {
            eds.last()
                .map(|e| format!("{}?before={}", region.path(), e.date))
        })
        .flatten();
    let children = match code.level() {
        RegionLevel::County => Vec::new(),
        level => {
            let acts = state.store.regions().await?;
            let mut codes: Vec<RegionCode> = acts
                .iter()
                .map(|a| a.region.clone())
                .filter(|c| c != &code && code.contains(c))
                .map(|c| match level {
                    RegionLevel::Province => c.prefecture(),
                    _ => c,
                })
                .filter(|c| c != &code)
                .collect();
            codes.sort();
            codes.dedup();
            codes.iter().filter_map(view).collect()
        }
    };
    let editions = eds
        .iter()
        .map(|e| edition_link(region, e.date, e.articles))
        .collect();
    // The latest edition's headlines, on the first page only.
    let latest = match (before, eds.first()) {
        (None, Some(e)) => Some(headlines(state, region, e).await?),
        _ => None,
    };
    // Undated pages are listed on the first page of the region only.
    let undated = match before {
        Some(_) => Vec::new(),
        None => state
            .store
            .undated_articles(&code, REGION_PAGE_UNDATED)
            .await?
            .iter()
            .map(|a| UndatedLink::new(&ArticleView::new(a)))
            .collect(),
    };
    page(
        state,
        "region.html",
        RegionPage {
            site: &state.site,
            region,
            editions,
            undated,
            older,
            children,
            parents: parents(region),
            feeds: FeedLink::for_region(region),
            subscribe: subscribe_link(state, region),
            latest,
        },
    )
}
