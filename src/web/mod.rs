//! HTTP delivery: `app(state)` builds the axum router. Handlers are thin: resolve the region,
//! ask the document cache for the route's rendered document (rendering it through `content`
//! when stale), and answer with validators and precompressed bytes.
//!
//! Routes: `/`, `/r/{slug}/`, `/r/{slug}/{date}/`, `/a/{id}/`, `/r/{slug}/feed.{atom,rss,json}`,
//! `/r/{slug}/articles.{atom,rss,json}` and the all-regions `/feed.{atom,rss,json}` (each with
//! `?before=` archive pages, and an HTML preview for browsers), `/feeds.opml`, `/robots.txt`,
//! `/sitemap.xml`, `/favicon.svg`, `/healthz`, `/api/v1/…`, search (`/search`,
//! `/search.{atom,rss,json}`, `/api/v1/search`) and the subscription routes of the mail stage.
//! `serve` runs the router on a socket with a header timeout and a connection cap.
//! No SQL here; nothing below depends on this module.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, Method};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use tower_http::cors::{Any, CorsLayer};

use crate::config::Config;
use crate::mail::{MailError, MailService};
use crate::render::{RenderError, Renderer, Site};
use crate::store::Store;

mod api;
mod api_docs;
mod body;
mod cache;
pub mod content;
mod document;
mod error;
pub mod export;
mod export_files;
mod export_walk;
mod feed_docs;
mod health;
mod manage;
mod page_docs;
mod regions;
mod routes;
mod search;
mod server;
mod site;
mod subscribe;
mod upload;

pub use body::{API_BODY_LIMIT, PDF_BODY_LIMIT};
pub use cache::{DocCache, Served};
pub use content::Cursor;
pub use document::{negotiate, Document, Encoding};
pub use error::AppError;
pub use regions::{lookup, view as region_view, Lookup};
pub use server::{serve, ServeLimits, SHUTDOWN_GRACE};

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub render: Arc<Renderer>,
    pub config: Arc<Config>,
    pub mail: Arc<MailService>,
    /// Rendered documents by route, invalidated by the store revision.
    pub cache: Arc<DocCache>,
    /// Base URL and title for every render.
    pub site: Arc<Site>,
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
        let site = Arc::new(Site {
            base_url: config.base_url().to_string(),
            title: crate::render::cleaned(&config.render.site_title),
        });
        let budget = usize::try_from(config.server.cache_bytes).unwrap_or(usize::MAX);
        let cache = Arc::new(DocCache::new(budget, config.storage.query_timeout()));
        Ok(Self {
            store,
            render,
            config,
            mail,
            cache,
            site,
        })
    }
}

/// CORS for feeds and the API: any origin may read them (other services' browsers), and see
/// the validators.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
        ])
        .expose_headers([header::ETAG, header::LAST_MODIFIED])
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(routes::index))
        .route("/healthz", get(routes::healthz))
        .route("/robots.txt", get(routes::robots))
        .route("/sitemap.xml", get(routes::sitemap))
        .route("/favicon.svg", get(routes::favicon))
        .route("/favicon.ico", get(routes::favicon))
        .route("/r/{slug}", get(routes::region_slash))
        .route("/r/{slug}/", get(routes::region))
        .route("/r/{slug}/{date}/", get(routes::edition))
        .route("/a/{id}", get(routes::article_slash))
        .route("/a/{id}/", get(routes::article));
    let feeds = Router::new()
        .route("/r/{slug}/{item}", get(routes::region_item))
        .route("/feeds.opml", get(routes::opml))
        .route("/feed.atom", get(routes::everywhere_atom))
        .route("/feed.rss", get(routes::everywhere_rss))
        .route("/feed.json", get(routes::everywhere_json))
        .route("/api/v1/regions", get(api::regions))
        .route("/api/v1/regions/{slug}/editions", get(api::editions))
        .route("/api/v1/editions/{slug}/{date}", get(api::edition))
        .route(
            "/api/v1/pages",
            // The handler reads the body itself, to its kind's limit, after the token check.
            post(upload::post_page).layer(DefaultBodyLimit::disable()),
        )
        .layer(cors());
    let routed = Router::new()
        .merge(pages)
        .merge(feeds)
        .merge(subscribe::routes())
        .merge(manage::routes())
        .merge(search::routes())
        .fallback(routes::fallback)
        .with_state(state.clone());
    // A repeated GET/HEAD is answered from the cache before any routing or CORS work; the
    // routed application handles everything else (and cross-origin requests, for their headers).
    Router::new()
        .fallback_service(routed)
        .layer(from_fn_with_state(state, routes::cached_first))
}
