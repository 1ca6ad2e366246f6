//! Request bodies of the API: [`ApiJson`] reads a JSON body of at most [`API_BODY_LIMIT`]
//! bytes. A body declared larger (`Content-Length`) is refused before any of it is read; one
//! that turns out larger is refused as soon as the limit is passed, so a client cannot make
//! the server buffer more than the limit. Both answer `413` with a JSON error naming the limit.

use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::Json;
use serde::de::DeserializeOwned;

use super::error::AppError;

/// Most bytes of a request body the API reads (2 MiB).
pub const API_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// A JSON request body within [`API_BODY_LIMIT`]; rejections are [`AppError`]s (413 over the
/// limit, 400 for anything else: malformed JSON, unknown fields, no JSON content type).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > API_BODY_LIMIT as u64) {
            return Err(AppError::PayloadTooLarge {
                limit: API_BODY_LIMIT,
            });
        }
        // The route's `DefaultBodyLimit` is `API_BODY_LIMIT`: `Json` stops reading beyond it.
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge {
                    limit: API_BODY_LIMIT,
                })
            }
            Err(e) => Err(AppError::BadRequest(e.body_text())),
        }
    }
}
