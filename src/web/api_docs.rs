//! The JSON documents of the read-only API (`/api/v1/...`), as [`Document`]s.
//!
//! Reads the store and shapes regions, editions and articles into JSON with absolute links;
//! the HTTP handlers in `super::api` serve them through the cache. Like `super::content` (which
//! re-exports these builders) it must not know about HTTP: it returns documents or an
//! [`AppError`], and never writes anything.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::content::{code_of, JSON};
use super::document::Document;
use super::error::AppError;
use super::regions::view;
use super::AppState;
use crate::render::{self, ArticleView, FeedFormat, FeedKind, RegionView};
use crate::store::{EditionQuery, EditionSummary, RegionActivity};

/// One region in the API.
#[derive(Debug, Serialize)]
struct ApiRegion<'a> {
    #[serde(flatten)]
    region: &'a RegionView,
    url: String,
    feeds: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latest: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    editions: Option<i64>,
}

fn api_region<'a>(
    state: &AppState,
    r: &'a RegionView,
    act: Option<&RegionActivity>,
) -> ApiRegion<'a> {
    let mut feeds = BTreeMap::new();
    for kind in [FeedKind::Editions, FeedKind::Articles] {
        for format in FeedFormat::ALL {
            let file = kind.file(format);
            feeds.insert(file.clone(), state.site.url(&format!("{}{file}", r.path())));
        }
    }
    ApiRegion {
        region: r,
        url: state.site.url(&r.path()),
        feeds,
        latest: act.map(|a| a.latest),
        editions: act.map(|a| a.editions),
    }
}

fn json_doc(
    state: &AppState,
    value: &impl Serialize,
    modified: Option<DateTime<Utc>>,
) -> Result<Document, AppError> {
    let body =
        serde_json::to_string_pretty(value).map_err(|e| AppError::Internal(e.to_string()))?;
    let body = render::html_safe_json(&body);
    Ok(Document::new(
        body,
        JSON,
        modified,
        state.config.feeds.max_age_secs.min(60),
    ))
}

/// `GET /api/v1/regions`: regions with editions.
pub async fn api_regions(state: &AppState) -> Result<Document, AppError> {
    let acts = state.store.regions().await?;
    let views: Vec<(RegionView, &RegionActivity)> = acts
        .iter()
        .filter_map(|a| view(&a.region).map(|v| (v, a)))
        .collect();
    let out: Vec<ApiRegion> = views
        .iter()
        .map(|(v, a)| api_region(state, v, Some(a)))
        .collect();
    json_doc(state, &out, None)
}

/// One edition in the API (the shape of `paperboy editions --format json`, plus links).
#[derive(Debug, Serialize)]
struct ApiEdition<'a> {
    region: &'a str,
    slug: &'a str,
    date: NaiveDate,
    articles: i64,
    updated_at: String,
    url: String,
    api_url: String,
}

fn api_edition<'a>(state: &AppState, r: &'a RegionView, e: &EditionSummary) -> ApiEdition<'a> {
    ApiEdition {
        region: &r.code,
        slug: &r.slug,
        date: e.date,
        articles: e.articles,
        updated_at: render::local(e.updated_at).to_rfc3339(),
        url: state.site.url(&format!("{}{}/", r.path(), e.date)),
        api_url: state
            .site
            .url(&format!("/api/v1/editions/{}/{}", r.slug, e.date)),
    }
}

/// The number of editions `GET /api/v1/regions/{slug}/editions` lists for `?limit=`: 100 by
/// default, at least 1 and at most 1,000.
pub fn api_editions_limit(limit: Option<usize>) -> usize {
    limit.unwrap_or(100).clamp(1, 1000)
}

/// `GET /api/v1/regions/{slug}/editions?since=&before=&limit=`
pub async fn api_editions(
    state: &AppState,
    region: &RegionView,
    since: Option<NaiveDate>,
    before: Option<NaiveDate>,
    limit: Option<usize>,
) -> Result<Document, AppError> {
    let eds = state
        .store
        .editions(&EditionQuery {
            region: Some(code_of(region)?),
            since,
            before,
            limit: Some(api_editions_limit(limit)),
        })
        .await?;
    let out: Vec<ApiEdition> = eds.iter().map(|e| api_edition(state, region, e)).collect();
    json_doc(state, &out, eds.iter().map(|e| e.updated_at).max())
}

/// `GET /api/v1/editions/{slug}/{date}`
pub async fn api_edition_doc(
    state: &AppState,
    region: &RegionView,
    date: NaiveDate,
) -> Result<Document, AppError> {
    #[derive(Serialize)]
    struct ApiArticle<'a> {
        #[serde(flatten)]
        view: &'a ArticleView,
        url: String,
        regions: &'a [crate::model::RegionRef],
    }
    #[derive(Serialize)]
    struct Out<'a> {
        region: ApiRegion<'a>,
        date: NaiveDate,
        updated_at: Option<String>,
        articles: Vec<ApiArticle<'a>>,
    }
    let arts = state
        .store
        .edition_articles(&code_of(region)?, date)
        .await?;
    if arts.is_empty() {
        return Err(AppError::api_not_found(format!(
            "no edition of {} ({}) on {date}",
            region.slug, region.code
        )));
    }
    let views: Vec<ArticleView> = arts.iter().map(ArticleView::new).collect();
    let updated = arts.iter().map(|a| a.stored_at).max();
    let out = Out {
        region: api_region(state, region, None),
        date,
        updated_at: updated.map(|t| render::local(t).to_rfc3339()),
        articles: views
            .iter()
            .zip(&arts)
            .map(|(v, a)| ApiArticle {
                view: v,
                url: state.site.url(&v.path),
                regions: &a.article.regions,
            })
            .collect(),
    };
    json_doc(state, &out, updated)
}
