//! HTTP delivery: `app(state)` builds the axum router. Handlers are thin: extract, call one
//! store or render function, map the result.

use std::sync::Arc;

use axum::Router;

use crate::config::Config;
use crate::render::Renderer;
use crate::store::Store;

mod subscribe;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub render: Arc<Renderer>,
    pub config: Arc<Config>,
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    Router::new().merge(subscribe::routes()).with_state(state)
}
