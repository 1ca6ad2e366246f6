//! The JSON API: read-only regions and editions, and the bearer-token check of
//! `POST /api/v1/pages` (in `upload`). The ingest route is off (404) unless an API token is
//! configured, and then wants `Authorization: Bearer <token>`, compared in constant time.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::content;
use super::error::AppError;
use super::routes::{cache_key, region_or};
use super::AppState;

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
pub(super) fn authorize(s: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
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
