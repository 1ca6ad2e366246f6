//! `POST /api/v1/pages`: other services hand in a page, as JSON text
//! (`{"text": …, "date", "paper", "page_id"}`) or as a PDF body (`Content-Type:
//! application/pdf`, the same fields in the query string). The token is checked before any of
//! the body is read; then the body is read up to its kind's limit, extracted and stored.
//!
//! A text answers one page (`page_id`, `outcome`, `date`, `articles`, …); a PDF answers
//! `{"pages": [...]}`, one such object per PDF page (`ID#p2` for the second page of several),
//! all stored or none. `201` when something new was stored, else `200`.

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::api::authorize;
use super::body::{self, BodyKind, API_BODY_LIMIT, PDF_BODY_LIMIT};
use super::error::AppError;
use super::AppState;
use crate::ingest::{TextError, TextStored};
use crate::model::DateSource;
use crate::store::IngestOutcome;

/// A JSON body (the fields of [`PageMeta`] beside the text).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageIn {
    /// The page text (UTF-8).
    pub text: String,
    pub date: Option<NaiveDate>,
    pub paper: Option<String>,
    pub page_id: Option<String>,
}

/// What the client knows about a page besides its content (the query string of a PDF post).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
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

/// The handler (see the module).
pub async fn post_page(State(s): State<AppState>, req: Request) -> Result<Response, AppError> {
    let (parts, body) = req.into_parts();
    authorize(&s, &parts.headers)?;
    match body::kind(&parts.headers)? {
        BodyKind::Json => {
            let bytes = body::read(&parts.headers, body, API_BODY_LIMIT).await?;
            let PageIn {
                text,
                date,
                paper,
                page_id,
            } = body::json(&bytes)?;
            let meta = PageMeta {
                date,
                paper,
                page_id,
            };
            post_text(&s, text, meta).await
        }
        BodyKind::Pdf => {
            let Query(meta) = Query::<PageMeta>::try_from_uri(&parts.uri)
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
            let bytes = body::read(&parts.headers, body, PDF_BODY_LIMIT).await?;
            post_pdf(&s, meta, bytes.to_vec()).await
        }
    }
}

async fn post_text(s: &AppState, text: String, meta: PageMeta) -> Result<Response, AppError> {
    if text.trim().is_empty() {
        return Err(AppError::BadRequest("text is empty".into()));
    }
    let key = page_key(&meta, text.as_bytes())?;
    let stored = crate::ingest::ingest_text(
        &s.store,
        &key,
        text,
        options(&meta),
        Utc::now(),
        s.config.ingest.timezone,
    )
    .await
    .map_err(refused)?;
    s.cache.refresh(&s.store).await?;
    let status = status(std::slice::from_ref(&stored.outcome));
    Ok((status, Json(page_out(s, &key, meta.date, &stored))).into_response())
}

async fn post_pdf(s: &AppState, meta: PageMeta, bytes: Vec<u8>) -> Result<Response, AppError> {
    if !crate::extract::pdf::is_pdf(&bytes) {
        return Err(AppError::BadRequest(
            "the body is not a PDF (it does not start with %PDF-)".into(),
        ));
    }
    let key = page_key(&meta, &bytes)?;
    let opts = crate::extract::Options {
        ocr: s.config.ingest.ocr,
        ..options(&meta)
    };
    let stored = crate::ingest::ingest_pdf(
        &s.store,
        &key,
        bytes,
        opts,
        Utc::now(),
        s.config.ingest.timezone,
    )
    .await
    .map_err(refused)?;
    s.cache.refresh(&s.store).await?;
    let outcomes: Vec<IngestOutcome> = stored.iter().map(|(_, t)| t.outcome).collect();
    let pages: Vec<PageOut> = stored
        .iter()
        .map(|(key, t)| page_out(s, key, meta.date, t))
        .collect();
    let answer = serde_json::json!({ "pages": pages });
    Ok((status(&outcomes), Json(answer)).into_response())
}

/// The store key of a posted page: `api/` and the client's id, or a hash of the content.
fn page_key(meta: &PageMeta, content: &[u8]) -> Result<String, AppError> {
    match meta.page_id.as_deref().map(str::trim) {
        Some(id) if id.is_empty() || id.chars().count() > 200 => Err(AppError::BadRequest(
            "page_id must be 1 to 200 characters".into(),
        )),
        Some(id) => Ok(format!("api/{id}")),
        None => Ok(format!(
            "api/{}",
            &hex::encode(Sha256::digest(content))[..16]
        )),
    }
}

fn options(meta: &PageMeta) -> crate::extract::Options {
    crate::extract::Options {
        date: meta.date,
        paper: meta.paper.clone(),
        ..Default::default()
    }
}

/// A page that could not be taken is the client's error, a store fault the server's.
fn refused(e: TextError) -> AppError {
    match e {
        TextError::Store(e) => AppError::Store(e),
        TextError::Task(e) => AppError::Internal(e),
        other => AppError::BadRequest(other.to_string()),
    }
}

fn status(outcomes: &[IngestOutcome]) -> StatusCode {
    if outcomes.iter().any(|o| matches!(o, IngestOutcome::New)) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

fn page_out(s: &AppState, key: &str, date: Option<NaiveDate>, stored: &TextStored) -> PageOut {
    let (date, date_source) = match stored.articles.first() {
        Some(a) => (Some(a.date), a.date_source),
        None => (date, DateSource::None),
    };
    let undated = matches!(date_source, DateSource::Ingested | DateSource::None);
    PageOut {
        page_id: key.trim_start_matches("api/").to_string(),
        outcome: stored.outcome,
        date: date.filter(|_| !undated),
        date_source,
        ingested: date.filter(|_| undated),
        copy_of: stored
            .copy_of
            .as_ref()
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
    }
}
