//! What each route shows, as a [`Document`]: reads the store, builds the render views and
//! renders them. Shared by the HTTP handlers (through the cache) and by `paperboy export`, so
//! a static file is byte-for-byte what the server sends. The API's JSON documents are built
//! in `super::api_docs` and re-exported here.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use serde::Serialize;

use super::document::Document;
use super::error::AppError;
use super::regions::{parents, view};
use super::AppState;
use crate::model::{RegionCode, RegionLevel};
use crate::render::{
    self, article_entry, date_label, edition_entry, subscribe_path, ArticlePage, ArticleView,
    CountyItem, Directory, EditionLink, EditionPage, ErrorPage, Feed, FeedFormat, FeedKind,
    FeedLink, IndexPage, PrefectureGroup, ProvinceGroup, RegionPage, RegionView, UndatedLink,
};
use crate::store::{EditionQuery, RegionActivity};

pub use super::api_docs::{api_edition_doc, api_editions, api_editions_limit, api_regions};

/// `Content-Type` of HTML pages.
pub const HTML: &str = "text/html; charset=utf-8";
/// `Content-Type` of API answers.
pub const JSON: &str = "application/json; charset=utf-8";
/// `Content-Type` of the OPML list.
pub const OPML: &str = "text/x-opml; charset=utf-8";
/// `Content-Type` of XML feeds for a browser, which then applies their stylesheet.
pub const XML: &str = "application/xml; charset=utf-8";
/// `Content-Type` of the feed stylesheet.
pub const XSL: &str = "text/xsl; charset=utf-8";
/// Editions listed on a region page.
const REGION_PAGE_EDITIONS: usize = 60;
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
    fn date(&self) -> NaiveDate {
        match self {
            Cursor::Date(d) | Cursor::Article(d, _) => *d,
        }
    }
}

fn page(state: &AppState, name: &str, ctx: impl Serialize) -> Result<Document, AppError> {
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
    page(
        state,
        "index.html",
        IndexPage {
            site: &state.site,
            directory: &directory,
            undated: undated.iter().filter_map(view).collect(),
        },
    )
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

/// A static asset (`/feed.xsl`).
pub fn asset(state: &AppState, name: &str) -> Result<Document, AppError> {
    let body = state.render.asset(name)?.to_string();
    Ok(Document::new(body, XSL, None, 86_400))
}

pub(super) fn code_of(region: &RegionView) -> Result<RegionCode, AppError> {
    RegionCode::parse(&region.code).map_err(|e| AppError::Internal(e.to_string()))
}

/// A region's feed document (`/r/{slug}/feed.atom`, `…/articles.json?before=…`).
pub async fn region_feed(
    state: &AppState,
    region: &RegionView,
    kind: FeedKind,
    format: FeedFormat,
    before: Option<Cursor>,
) -> Result<Document, AppError> {
    let code = code_of(region)?;
    let n = state.config.feeds.entries;
    let site = &state.site;
    let (entries, older) = match kind {
        FeedKind::Editions => {
            let mut eds = state
                .store
                .editions(&EditionQuery {
                    region: Some(code.clone()),
                    since: None,
                    before: before.as_ref().map(Cursor::date),
                    limit: Some(n + 1),
                })
                .await?;
            let more = eds.len() > n;
            eds.truncate(n);
            let mut entries = Vec::with_capacity(eds.len());
            for e in &eds {
                let arts = state.store.edition_articles(&code, e.date).await?;
                let views: Vec<ArticleView> = arts.iter().map(ArticleView::new).collect();
                entries.push(edition_entry(site, region, e, &views));
            }
            let older = more
                .then(|| eds.last().map(|e| Cursor::Date(e.date)))
                .flatten();
            (entries, older)
        }
        FeedKind::Articles => {
            let cursor = match &before {
                Some(Cursor::Article(d, id)) => Some((*d, id.clone())),
                // A bare date: everything before that day.
                Some(Cursor::Date(d)) => Some((*d, String::new())),
                None => None,
            };
            let mut arts = state.store.region_articles(&code, n + 1, cursor).await?;
            let more = arts.len() > n;
            arts.truncate(n);
            let older = more
                .then(|| arts.last().map(|a| Cursor::Article(a.date, a.id.clone())))
                .flatten();
            let entries = arts
                .iter()
                .map(|a| article_entry(site, region, &ArticleView::new(a)))
                .collect();
            (entries, older)
        }
    };
    let base = site.url(&format!("{}{}", region.path(), kind.file(format)));
    let mut feed = Feed::new(site, region, kind, entries);
    feed.self_url = match &before {
        Some(c) => format!("{base}?before={}", c.to_query()),
        None => base.clone(),
    };
    feed.paging.older = older.map(|c| format!("{base}?before={}", c.to_query()));
    feed.paging.current = before.is_some().then(|| base.clone());
    let last_modified = (!feed.entries.is_empty()).then(|| feed.updated.with_timezone(&Utc));
    let body = render::feed(&feed, format)?;
    let doc = Document::new(
        body,
        format.content_type(),
        last_modified,
        state.config.feeds.max_age_secs,
    );
    Ok(match format {
        FeedFormat::Json => doc,
        FeedFormat::Atom | FeedFormat::Rss => doc.with_browser_type(XML),
    })
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
        .map(|e| EditionLink {
            date: e.date,
            articles: e.articles,
            path: format!("{}{}/", region.path(), e.date),
        })
        .collect();
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
            subscribe: subscribe_path(region),
        },
    )
}

async fn recent_links(state: &AppState, region: &RegionView) -> Vec<(String, String)> {
    let mut links = vec![(format!("{} 的全部版面", region.name), region.path())];
    let Ok(code) = code_of(region) else {
        return links;
    };
    let q = EditionQuery {
        region: Some(code),
        limit: Some(5),
        ..Default::default()
    };
    if let Ok(eds) = state.store.editions(&q).await {
        links.extend(eds.iter().map(|e| {
            (
                format!(
                    "{} {}（{} 篇）",
                    region.name,
                    date_label(e.date),
                    e.articles
                ),
                format!("{}{}/", region.path(), e.date),
            )
        }));
    }
    links
}

/// `/r/{slug}/{date}/`
pub async fn edition_page(
    state: &AppState,
    region: &RegionView,
    date: NaiveDate,
) -> Result<Document, AppError> {
    let code = code_of(region)?;
    let arts = state.store.edition_articles(&code, date).await?;
    if arts.is_empty() {
        let links = recent_links(state, region).await;
        return Err(not_found(
            state,
            "这一天没有版面",
            format!(
                "{} 在 {} 没有收录的文章。下面是最近的几期：",
                region.name,
                date_label(date)
            ),
            links,
        ));
    }
    let articles: Vec<ArticleView> = arts.iter().map(ArticleView::new).collect();
    let date_note = match articles.first().map(|a| a.date_source) {
        Some(crate::model::DateSource::Ingested) => Some("版面未印日期，按收录日期归档。"),
        Some(crate::model::DateSource::Inferred) => Some("日期由正文推断。"),
        _ => None,
    };
    let updated = arts.iter().map(|a| a.stored_at).max();
    let html = state.render.render(
        "edition.html",
        EditionPage {
            site: &state.site,
            region,
            date,
            date_label: date_label(date),
            date_note,
            articles,
            feeds: FeedLink::for_region(region),
            subscribe: subscribe_path(region),
        },
    )?;
    Ok(Document::new(
        html,
        HTML,
        updated,
        state.config.feeds.max_age_secs.min(60),
    ))
}

/// `/a/{id}/`
pub async fn article_page(state: &AppState, id: &str) -> Result<Document, AppError> {
    let Some(a) = state.store.article(id).await? else {
        return Err(not_found(
            state,
            "没有这篇文章",
            "这篇文章不存在，或者它所在的版面已被更正后的版本替换。".into(),
            vec![("全部地区".into(), "/".into())],
        ));
    };
    let article = ArticleView::new(&a);
    let undated = a.date_source == crate::model::DateSource::Ingested;
    let date_label = if undated {
        format!("未注明日期（{}收录）", date_label(a.date))
    } else {
        date_label(a.date)
    };
    let regions: Vec<RegionView> = a
        .article
        .regions
        .iter()
        .filter_map(|r| view(&r.code))
        .collect();
    let html = state.render.render(
        "article.html",
        ArticlePage {
            site: &state.site,
            article: &article,
            date_label,
            undated,
            feeds: regions
                .first()
                .map(FeedLink::for_region)
                .unwrap_or_default(),
            subscribe: regions.first().map(subscribe_path),
            regions,
        },
    )?;
    Ok(Document::new(
        html,
        HTML,
        Some(a.stored_at),
        state.config.feeds.max_age_secs.min(60),
    ))
}
