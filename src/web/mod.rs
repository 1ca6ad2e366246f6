//! HTTP delivery: `app(state)` builds the axum router. Handlers are thin: extract, call one
//! store or render function, map the result.

use std::sync::Arc;

use axum::Router;

use crate::config::Config;
use crate::mail::{MailError, MailService};
use crate::render::{RenderError, Renderer};
use crate::store::Store;

mod subscribe;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub render: Arc<Renderer>,
    pub config: Arc<Config>,
    pub mail: Arc<MailService>,
}

/// Why the application state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

impl AppState {
    /// Builds the renderer (templates from `config.render.templates`) and the mail service.
    pub fn new(store: Store, config: Arc<Config>) -> Result<Self, StateError> {
        let render = Arc::new(Renderer::new(&config.render.templates)?);
        let mail = Arc::new(MailService::from_config(&config)?);
        Ok(Self {
            store,
            render,
            config,
            mail,
        })
    }
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    Router::new().merge(subscribe::routes()).with_state(state)
}
