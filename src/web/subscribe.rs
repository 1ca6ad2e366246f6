//! `/subscribe`, `/confirm/{token}`, `/unsubscribe/{token}`: owned by the mail stage.

use axum::Router;

use super::AppState;

/// Subscription routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}
