//! `AppError`: every way a request can fail, mapped to a status. Client errors carry a helpful
//! message (and, for pages, a rendered 404 page); server errors are logged with their cause and
//! answered with a generic message that reveals nothing about the database or templates.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::render::RenderError;
use crate::store::StoreError;

/// What went wrong handling a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Unknown region, date, article or route. `page` is the rendered HTML 404 page; API
    /// routes leave it out and answer JSON.
    #[error("not found: {message}")]
    NotFound {
        message: String,
        page: Option<String>,
    },
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A request body over `limit` bytes (refused without reading the rest).
    #[error("request body too large: the limit is {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// A request body of a kind the route does not take (names the ones it does).
    #[error("unsupported content type {given:?}: send {accepted}")]
    UnsupportedMediaType {
        given: String,
        accepted: &'static str,
    },
    /// Missing or wrong bearer token.
    #[error("missing or wrong bearer token")]
    Unauthorized,
    /// The ingest API is off because no token is configured.
    #[error("the ingest API is off: no PAPERBOY_API_TOKEN configured")]
    ApiDisabled,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The database did not answer (in time); nothing cached could stand in.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Anything else on the server side (a task that panicked, an I/O failure).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A JSON 404 for API routes.
    pub fn api_not_found(message: impl Into<String>) -> Self {
        AppError::NotFound {
            message: message.into(),
            page: None,
        }
    }

    /// True when the database could not be reached or did not answer in time, as opposed to
    /// answering with an error: a cached document may then stand in.
    pub fn is_unavailable(&self) -> bool {
        match self {
            AppError::Unavailable(_) => true,
            AppError::Store(e) => e.is_unavailable(),
            _ => false,
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound { .. } | AppError::ApiDisabled => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            e if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Store(StoreError::Busy { .. } | StoreError::Timeout(_)) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Store(_)
            | AppError::Render(_)
            | AppError::Internal(_)
            | AppError::Unavailable(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn json_body(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        serde_json::json!({ "error": message, "status": status.as_u16() }),
    )
}

fn json_response(status: StatusCode, value: serde_json::Value) -> Response {
    let body = value.to_string();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // The cause goes to the log (the health state logs the outage once), never to the
            // client, who may simply retry.
            tracing::debug!(error = %self, "request refused: the database is unavailable");
            return (
                status,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/plain; charset=utf-8"),
                    ),
                    (header::RETRY_AFTER, HeaderValue::from_static("5")),
                ],
                "the database is unavailable; try again shortly\n",
            )
                .into_response();
        }
        if status.is_server_error() {
            // The cause goes to the log, never to the client.
            tracing::error!(error = %self, "request failed");
            return (
                status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                )],
                "internal server error\n",
            )
                .into_response();
        }
        match self {
            AppError::NotFound {
                page: Some(html), ..
            } => (
                status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                )],
                html,
            )
                .into_response(),
            AppError::Unauthorized => {
                let mut r = json_body(status, &self.to_string());
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"paperboy\""),
                );
                r
            }
            AppError::PayloadTooLarge { limit } => json_response(
                status,
                serde_json::json!({
                    "error": self.to_string(),
                    "status": status.as_u16(),
                    "limit_bytes": limit,
                }),
            ),
            other => json_body(status, &other.to_string()),
        }
    }
}
