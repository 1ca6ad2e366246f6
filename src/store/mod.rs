//! Storage: pages, their articles, editions, subscribers and the digest send ledger.
//!
//! ALL SQL of paperboy lives under this module. `Store` is an enum over the two backends
//! (SQLite, the embedded default; PostgreSQL, for several processes sharing one database),
//! chosen by the URL scheme. Both run the same test suite. Every write that touches several
//! rows happens in one transaction: readers never see half a page.
//!
//! Interface (implemented by the backends; see the method docs):
//! - `Store::connect(url)`: open or create, run versioned migrations, refuse a newer schema.
//! - `ingest(&NewPage) -> IngestOutcome` and `ingest_many(&[NewPage])` (one transaction per batch).
//! - `editions(&EditionQuery) -> Vec<EditionSummary>` newest first, with parent roll-ups.
//! - `edition_articles(region, date) -> Vec<StoredArticle>` (a prefecture/province code aggregates).
//! - `region_articles(region, limit, before) -> Vec<StoredArticle>` newest first, for article feeds.
//! - `article(id) -> Option<StoredArticle>`.
//! - `regions() -> Vec<RegionActivity>`: county-level regions that have articles.
//! - `revision() -> i64`: grows on every change; caches compare it to know they are stale.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::model::{Article, DateSource, RegionCode};

pub mod subscribers;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database schema version {found} is newer than this paperboy understands (up to {supported}); upgrade paperboy")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("bad storage url {0:?}: expected sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create database directory {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// A page ready to be stored: built by `ingest` from an extracted `Page`.
#[derive(Debug, Clone)]
pub struct NewPage {
    /// Page identity: the file name by default, or a client-given id through the API.
    pub key: String,
    /// Where the text came from (path or `api`).
    pub source: String,
    pub paper: Option<String>,
    /// Publication date: the extracted one, or the ingest day when the page had none.
    pub date: NaiveDate,
    /// `Ingested` when `date` is the ingest day.
    pub date_source: DateSource,
    /// Hash of the page's extracted content: equal hash means unchanged.
    pub content_hash: String,
    pub ingested_at: DateTime<Utc>,
    pub articles: Vec<NewArticle>,
}

/// One article of a `NewPage`, with its stable id.
#[derive(Debug, Clone)]
pub struct NewArticle {
    /// Stable id: derived from the page key and the article's content.
    pub id: String,
    /// Reading-order position on the page, from 0.
    pub position: i32,
    pub article: Article,
}

/// What storing a page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IngestOutcome {
    New,
    Unchanged,
    Replaced,
}

/// A stored article with its page's metadata.
#[derive(Debug, Clone, Serialize)]
pub struct StoredArticle {
    pub id: String,
    pub page_key: String,
    pub paper: Option<String>,
    pub date: NaiveDate,
    pub date_source: DateSource,
    pub position: i32,
    pub article: Article,
    /// When this article's content was first stored (re-ingest of identical text keeps it).
    pub stored_at: DateTime<Utc>,
}

/// Filter for `editions`.
#[derive(Debug, Clone, Default)]
pub struct EditionQuery {
    /// A county, prefecture or province; None lists county editions of every region.
    pub region: Option<RegionCode>,
    pub since: Option<NaiveDate>,
    pub before: Option<NaiveDate>,
    pub limit: Option<usize>,
}

/// One edition (region, day) with its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditionSummary {
    pub region: RegionCode,
    pub date: NaiveDate,
    pub articles: i64,
    /// Latest `stored_at` among its articles: the edition's content time.
    pub updated_at: DateTime<Utc>,
}

/// A region that has articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionActivity {
    pub region: RegionCode,
    pub latest: NaiveDate,
    pub editions: i64,
}

/// The database: SQLite (embedded default) or PostgreSQL (shared by several processes).
/// Cheap to clone (the pools are shared).
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}
