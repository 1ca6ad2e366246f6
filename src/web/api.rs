//! The JSON API: read-only regions and editions, and `POST /api/v1/pages` for other services
//! to ingest page text. The ingest route is off (404) unless an API token is configured, and
//! then wants `Authorization: Bearer <token>`, compared in constant time.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::body::ApiJson;
use super::content;
use super::error::AppError;
use super::routes::{cache_key, region_or};
use super::AppState;
use crate::ingest::TextError;
use crate::model::DateSource;
use crate::store::IngestOutcome;

async fn cached<F, Fut>(s: &AppState, key: &str, headers: &HeaderMap, render: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<super::document::Document, AppError>>,
{
    match s.cache.get_or_render(&s.store, key, render).await {
        Ok(served) => served.respond(headers),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/v1/regions`
pub async fn regions(State(s): State<AppState>, headers: HeaderMap) -> Response {
    cached(&s, "/api/v1/regions", &headers, || content::api_regions(&s)).await
}

/// Query of the editions list.
#[derive(Debug, Deserialize)]
pub struct EditionsQuery {
    since: Option<NaiveDate>,
    before: Option<NaiveDate>,
    limit: Option<usize>,
}

fn api_region(
    s: &AppState,
    slug: &str,
    uri: &Uri,
) -> Result<crate::render::RegionView, Box<Response>> {
    region_or(s, slug, 4, uri).map_err(|r| {
        if r.status() == StatusCode::NOT_FOUND {
            Box::new(AppError::api_not_found(format!("no region {slug:?}")).into_response())
        } else {
            r
        }
    })
}

/// `GET /api/v1/regions/{slug}/editions`
pub async fn editions(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<EditionsQuery>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let region = match api_region(&s, &slug, &uri) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let limit = content::api_editions_limit(q.limit);
    let key = cache_key(
        format!("/api/v1/regions/{}/editions", region.slug),
        &[
            ("before", q.before.map(|d| d.to_string())),
            ("limit", q.limit.map(|_| limit.to_string())),
            ("since", q.since.map(|d| d.to_string())),
        ],
    );
    cached(&s, &key, &headers, || {
        content::api_editions(&s, &region, q.since, q.before, Some(limit))
    })
    .await
}

/// `GET /api/v1/editions/{slug}/{date}`
pub async fn edition(
    State(s): State<AppState>,
    Path((slug, date)): Path<(String, NaiveDate)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let region = match api_region(&s, &slug, &uri) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let key = cache_key(format!("/api/v1/editions/{}/{date}", region.slug), &[]);
    cached(&s, &key, &headers, || {
        content::api_edition_doc(&s, &region, date)
    })
    .await
}

/// Body of `POST /api/v1/pages`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageIn {
    /// The page text (UTF-8).
    pub text: String,
    /// Publication date, when the client knows it (`date_source = metadata`).
    pub date: Option<NaiveDate>,
    pub paper: Option<String>,
    /// The client's page identity: posting the same id again replaces that page.
    pub page_id: Option<String>,
}

#[derive(Debug, Serialize)]
struct StoredOut {
    id: String,
    title: Option<String>,
    url: String,
}

#[derive(Debug, Serialize)]
struct PageOut {
    page_id: String,
    outcome: IngestOutcome,
    /// Null for an undated page (kept out of editions until dated).
    date: Option<NaiveDate>,
    date_source: DateSource,
    /// The day an undated page was ingested.
    #[serde(skip_serializing_if = "Option::is_none")]
    ingested: Option<NaiveDate>,
    /// For a copy of a stored page: that page's id (nothing new was stored; `articles` are its).
    #[serde(skip_serializing_if = "Option::is_none")]
    copy_of: Option<String>,
    articles: Vec<StoredOut>,
}

/// Equality whose time does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Hashing first gives equal lengths, so not even the token's length leaks.
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Checks the bearer token.
fn authorize(s: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    let Some(expected) = s.config.secrets.api_token.as_deref() else {
        return Err(AppError::ApiDisabled);
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or(AppError::Unauthorized)?;
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Unauthorized)
    }
}

/// `POST /api/v1/pages`: extracts and stores one page (a body of at most
/// [`super::API_BODY_LIMIT`] bytes).
pub async fn post_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Result<ApiJson<PageIn>, AppError>,
) -> Result<Response, AppError> {
    authorize(&s, &headers)?;
    let ApiJson(input) = body?;
    if input.text.trim().is_empty() {
        return Err(AppError::BadRequest("text is empty".into()));
    }
    let key = match input.page_id.as_deref().map(str::trim) {
        Some(id) if id.is_empty() || id.len() > 200 => {
            return Err(AppError::BadRequest(
                "page_id must be 1 to 200 characters".into(),
            ))
        }
        Some(id) => format!("api/{id}"),
        None => format!(
            "api/{}",
            &hex::encode(Sha256::digest(input.text.as_bytes()))[..16]
        ),
    };
    let opts = crate::extract::Options {
        date: input.date,
        paper: input.paper.clone(),
        ..Default::default()
    };
    let stored = crate::ingest::ingest_text(
        &s.store,
        &key,
        input.text,
        opts,
        Utc::now(),
        s.config.ingest.timezone,
    )
    .await
    .map_err(|e| match e {
        TextError::Store(e) => AppError::Store(e),
        TextError::Task(e) => AppError::Internal(e),
        other => AppError::BadRequest(other.to_string()),
    })?;
    s.cache.refresh(&s.store).await?;
    let (date, date_source) = match stored.articles.first() {
        Some(a) => (Some(a.date), a.date_source),
        None => (input.date, DateSource::None),
    };
    let undated = matches!(date_source, DateSource::Ingested | DateSource::None);
    let out = PageOut {
        page_id: key.trim_start_matches("api/").to_string(),
        outcome: stored.outcome,
        date: date.filter(|_| !undated),
        date_source,
        ingested: date.filter(|_| undated),
        copy_of: stored
            .copy_of
            .map(|c| c.key.trim_start_matches("api/").to_string()),
        articles: stored
            .articles
            .iter()
            .map(|a| StoredOut {
                id: a.id.clone(),
                title: a.article.title.as_deref().map(crate::render::cleaned),
                url: s.site.url(&format!("/a/{}/", a.id)),
            })
            .collect(),
    };
    let status = match stored.outcome {
        IngestOutcome::New => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    Ok((status, Json(out)).into_response())
}
