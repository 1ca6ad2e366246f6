//! Request bodies of the API, read up to a limit: [`API_BODY_LIMIT`] for JSON,
//! [`PDF_BODY_LIMIT`] for a PDF. A body declared larger (`Content-Length`) is refused before
//! any of it is read; one that turns out larger is refused as soon as the limit is passed, so a
//! client cannot make the server buffer more than the limit. Both answer `413` with a JSON
//! error naming the limit.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;

use super::error::AppError;

/// Most bytes of a JSON request body the API reads (2 MiB).
pub const API_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Most bytes of a PDF the API reads (64 MiB: an e-paper page with its pictures is rarely
/// over 20).
pub const PDF_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// What a request body holds, by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Pdf,
}

/// The kind of body `headers` announce: `application/json` or `application/pdf`
/// (`application/octet-stream` is taken as a PDF, and checked as one later).
pub fn kind(headers: &HeaderMap) -> Result<BodyKind, AppError> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = given.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(BodyKind::Json)
    } else if essence.eq_ignore_ascii_case("application/pdf")
        || essence.eq_ignore_ascii_case("application/octet-stream")
    {
        Ok(BodyKind::Pdf)
    } else {
        Err(AppError::UnsupportedMediaType {
            given: given.chars().take(100).collect(),
            accepted: "application/json or application/pdf",
        })
    }
}

/// Reads `body` whole if it is at most `limit` bytes (see the module).
pub async fn read(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, AppError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(AppError::PayloadTooLarge { limit });
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
        {
            AppError::PayloadTooLarge { limit }
        } else {
            AppError::BadRequest(format!("cannot read the request body: {e}"))
        }
    })
}

/// Parses a JSON body (malformed JSON and unknown fields are `400`s saying where).
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest(format!("invalid JSON: {e}")))
}
