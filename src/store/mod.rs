//! Storage: pages, their articles, editions, subscribers and the digest send ledger.
//!
//! ALL SQL of paperboy lives under this module. `Store` is an enum over the two backends
//! (SQLite, the embedded default; PostgreSQL, for several processes sharing one database),
//! chosen by the URL scheme. Both run the same test suite. Every write that touches several
//! rows happens in one transaction: readers never see half a page.
//!
//! Interface (implemented by the backends; see the method docs):
//! - `Store::connect(url)`: open or create, run versioned migrations, refuse a newer schema;
//!   `connect_with` bounds how long PostgreSQL may take to accept a connection and how long an
//!   SQLite write waits for other writers (`Timeouts`).
//! - `ingest(&NewPage) -> IngestOutcome` and `ingest_many(&[NewPage])` (one transaction per batch);
//!   `ingest_batch` also names the stored page a new page is a copy of (same text hash).
//! - `known_sources(keys) -> HashMap<key, KnownSource>`: stored source hashes, so a rescan can
//!   skip files whose bytes did not change.
//! - `editions(&EditionQuery) -> Vec<EditionSummary>` newest first, with parent roll-ups.
//! - `edition_articles(region, date) -> Vec<StoredArticle>` (a prefecture/province code aggregates).
//! - `region_articles(region, limit, before) -> Vec<StoredArticle>` newest first, for article feeds.
//! - `article(id) -> Option<StoredArticle>`.
//! - `regions() -> Vec<RegionActivity>`: county-level regions that have articles.
//! - `revision() -> i64`: grows on every change; caches compare it to know they are stale.
//! - `explain(&Read)`: the query plan of a read of the request path; `sizes()`: bytes per table
//!   and index (`explain.rs`).
//! - `undated_articles`, `undated_pages`, `set_page_date`, `page_articles` (see `pages.rs`): pages
//!   without a date, kept apart from the editions until the operator dates them.
//! - `search(&Search) -> Vec<StoredArticle>` newest first through the search index
//!   (`search.rs`, terms cut by `terms.rs`; migration `0006_search.sql`), and `search_by_scan`,
//!   the same question as a `LIKE` scan, the benchmark's reference.
//!
//! Layout (`migrations/*/0001_pages_articles.sql`, `0004_page_identity_undated.sql`): `pages` (one
//! row per page identity, with the content hash that makes re-ingest a no-op and the text hash
//! that recognises the same page under another name), `articles` (the article with its regions
//! as JSON, so `StoredArticle.article.regions` comes back whole, names included),
//! `article_regions` (one row per dated article and county-level code, the edition index),
//! `undated_regions` (the same for articles of undated pages, which no edition, feed or digest
//! reads) and `meta` (the revision).
//! Region codes are stored as integers: a prefecture's edition is the range `xxxx00..=xxxx99`
//! and a province's `xx0000..=xx9999` over the county rows, deduplicated per article, so no
//! parent codes are stored and a roll-up never counts an article twice. Times are Unix
//! microseconds in both backends. Files: `sqlite.rs`/`postgres.rs` (connect, write path),
//! `read.rs` (portable read queries run on either pool), `pages.rs` (undated pages, dating a
//! page), `copies.rs` (which new pages are copies), `rows.rs`, `migrate.rs`.
//!
//! Concurrent writers on SQLite (requests of one `serve`, several processes on one file) wait
//! for each other, each write up to the busy timeout, and are never refused because another
//! one holds the lock: every transaction that writes begins with `BEGIN IMMEDIATE` (see
//! `sqlite.rs`). A wait that runs out fails with `StoreError::Busy`, naming the file.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

// Stored articles and edition summaries are model values (render and edition take them).
use crate::model::{Article, DateSource, RegionCode};
pub use crate::model::{EditionSummary, StoredArticle};

mod batch;
mod copies;
mod explain;
pub mod ledger;
mod ledger_run;
mod migrate;
mod pages;
mod postgres;
mod read;
mod rows;
mod search;
mod sqlite;
pub mod subscribers;
mod terms;

use batch::{check_page, is_dated, replacement_date, runs_of_distinct_keys};
pub use copies::CopyOf;
pub use migrate::{create_postgres_schema, drop_postgres_schema};
pub use pages::{PageDated, UndatedPage};
pub use read::Read;
pub use search::{Search, MAX_RESULTS, SEARCH_TIMEOUT};
pub use terms::{QueryError, SearchQuery, MAX_QUERY_CHARS, MAX_QUERY_WORDS};

/// How long [`Store::connect`] waits for PostgreSQL to accept a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long [`Store::connect`] lets an SQLite write wait for other writers.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the store waits for the database before it gives up (see [`Store::connect_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// PostgreSQL: to accept a connection, at start and whenever a request needs one.
    pub connect: Duration,
    /// SQLite: for the file's write lock held by another writer, and for a free connection.
    pub busy: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: DEFAULT_CONNECT_TIMEOUT,
            busy: DEFAULT_BUSY_TIMEOUT,
        }
    }
}

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database schema version {found} is newer than this paperboy understands (up to {supported}); upgrade paperboy")]
    SchemaTooNew { found: i64, supported: i64 },
    /// PostgreSQL refused, did not answer in time, or turned the connection down.
    #[error("cannot connect to PostgreSQL at {host}:{port}: {reason}")]
    Unreachable {
        host: String,
        port: u16,
        reason: String,
    },
    /// The URL (password hidden) or setting that could not be used.
    #[error("bad storage url {0:?}: expected sqlite://PATH or postgres://…")]
    BadUrl(String),
    /// SQLite: other writers kept the file busy past the busy timeout (`reason` says which
    /// wait ran out). The write that waited was not made; it may simply be tried again.
    #[error("database {path} is busy: {reason}; try again later")]
    Busy {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create database directory {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// SQLite: the disk (or the file system's quota) holding the database is full. SQLite
    /// rolled the write back whole; the same write succeeds once there is room.
    #[error("the disk holding database {path} is full: the write was not stored; free some space and run again")]
    Full { path: std::path::PathBuf },
    /// SQLite: the database file was removed while paperboy had it open. Writes would go to
    /// the removed file and be lost with it, so none is made.
    #[error("database {path} was removed while paperboy had it open: nothing more is stored in it; put it back or restart paperboy to start a new one")]
    Removed { path: std::path::PathBuf },
    /// A query that ran past its time limit (a search) and was abandoned.
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// True when the database could not be reached, or its connection failed, as opposed to
    /// answering with an error: the same request may succeed once it is back.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Unreachable { .. }
                | StoreError::Busy { .. }
                | StoreError::Full { .. }
                | StoreError::Removed { .. }
                | StoreError::Io { .. }
                | StoreError::Db(
                    sqlx::Error::Io(_)
                        | sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::WorkerCrashed
                        | sqlx::Error::Protocol(_)
                        | sqlx::Error::Tls(_)
                )
        )
    }
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
    /// Hash of the raw bytes (and ingest options) the page was extracted from, when it came
    /// from a file: lets a rescan skip extracting unchanged files (`known_sources`). Stored
    /// even when the content is unchanged, so an older row without it gets it on the next run.
    pub source_hash: Option<String>,
    /// Hash of the page's normalised text (`ingest::text_hash`), when its text is known: a page
    /// under a new key with the text hash of a stored page is a copy and stores nothing.
    pub text_hash: Option<String>,
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

/// What storing one page did, and for a copy, which stored page it copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStored {
    /// `Unchanged` for a copy.
    pub outcome: IngestOutcome,
    /// Set when the page was not stored because a page with the same text is (under another key).
    pub copy_of: Option<CopyOf>,
}

/// What the store knows of a page's source file (see `Store::known_sources`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSource {
    /// `NewPage::source_hash` of the last stored version.
    pub source_hash: String,
    /// Number of articles stored for the page.
    pub articles: usize,
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

impl Store {
    /// Opens the database named by `url` (`sqlite://PATH`, created with its directory on first
    /// use, or `postgres://…`; a `?options=-c search_path=…` selects a schema) and brings its
    /// schema up to date. A database migrated by a newer paperboy is refused (`SchemaTooNew`).
    /// It waits as long as [`Timeouts::default`] says (see [`Store::connect_with`]).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, Timeouts::default()).await
    }

    /// [`Store::connect`] with PostgreSQL's connection timeout `timeout` and the default
    /// SQLite busy timeout.
    pub async fn connect_with_timeout(url: &str, timeout: Duration) -> Result<Store, StoreError> {
        let timeouts = Timeouts {
            connect: timeout,
            ..Timeouts::default()
        };
        Self::connect_with(url, timeouts).await
    }

    /// [`Store::connect`] with its waits bounded by `timeouts`. PostgreSQL: a server that does
    /// not accept a connection within `timeouts.connect` (at start, or later when a request
    /// needs a new one) fails with [`StoreError::Unreachable`] naming its host and port; a
    /// refused connection fails after about a second. SQLite: a write waits for other writers
    /// (of this process or others) up to `timeouts.busy`, then fails with
    /// [`StoreError::Busy`] naming the file.
    pub async fn connect_with(url: &str, timeouts: Timeouts) -> Result<Store, StoreError> {
        let store = if url.starts_with("sqlite:") {
            let store = Store::Sqlite(sqlite::open(url, timeouts.busy).await?);
            search::backfill(&store).await?;
            return Ok(store);
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Store::Postgres(postgres::connect(url, None, timeouts.connect).await?)
        } else {
            return Err(StoreError::BadUrl(redact(url)));
        };
        store.migrate().await?;
        search::backfill(&store).await?;
        Ok(store)
    }

    /// A store for one task's stream of small writes (a digest run's ledger claims and marks).
    /// On SQLite: a pool of one connection of its own on the same file. SQLite takes one writer
    /// at a time anyway, and a connection that is always the same keeps its page cache, where
    /// the shared pool's connections each find theirs stale after the others' commits. An
    /// in-memory database (one connection, private to it) and PostgreSQL share the pool.
    pub async fn writer(&self) -> Result<Store, StoreError> {
        match self {
            Store::Sqlite(pool) if pool.options().get_max_connections() > 1 => {
                Ok(Store::Sqlite(sqlite::own_connection(pool).await?))
            }
            _ => Ok(self.clone()),
        }
    }

    /// Opens PostgreSQL inside `schema` (created if missing): every connection of the pool uses
    /// it as its search path. Tests and benchmarks use this for a private namespace per run.
    pub async fn connect_postgres_schema(url: &str, schema: &str) -> Result<Store, StoreError> {
        create_postgres_schema(url, schema).await?;
        let store =
            Store::Postgres(postgres::connect(url, Some(schema), DEFAULT_CONNECT_TIMEOUT).await?);
        store.migrate().await?;
        search::backfill(&store).await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => migrate::sqlite(pool).await,
            Store::Postgres(pool) => migrate::postgres(pool).await,
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Stores one page (see `ingest_many`).
    pub async fn ingest(&self, page: &NewPage) -> Result<IngestOutcome, StoreError> {
        let outcomes = self.ingest_many(std::slice::from_ref(page)).await?;
        outcomes
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt(format!("no outcome for page {}", page.key)))
    }

    /// Stores pages in one transaction (all or nothing), outcomes in input order (see
    /// [`Store::ingest_batch`]).
    pub async fn ingest_many(&self, pages: &[NewPage]) -> Result<Vec<IngestOutcome>, StoreError> {
        let stored = self.ingest_batch(pages).await?;
        Ok(stored.into_iter().map(|s| s.outcome).collect())
    }

    /// Stores pages in one transaction (all or nothing), results in input order: a known key
    /// with the same content hash is `Unchanged` (nothing written); with another hash its
    /// articles are replaced (`Replaced`); an unknown key is `New`, unless its text hash is that
    /// of a stored page or of an earlier page of the batch under another key: then it is a copy,
    /// `Unchanged` with `copy_of` naming that page, and nothing is written. A page with no
    /// date (`Ingested`) is filed apart from the editions (see [`Store::undated_articles`]).
    /// Bumps `revision` when anything changed. Safe to run from several processes at once.
    pub async fn ingest_batch(&self, pages: &[NewPage]) -> Result<Vec<PageStored>, StoreError> {
        for page in pages {
            check_page(page)?;
        }
        if pages.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            Store::Sqlite(pool) => {
                sqlite::still_there(pool)?;
                sqlite::ingest_many(pool, pages)
                    .await
                    .map_err(|e| sqlite::name_busy(pool, e))
            }
            Store::Postgres(pool) => postgres::ingest_many(pool, pages).await,
        }
    }

    /// The stored source hash and article count of each page among `keys` that has a source
    /// hash and a text hash (one query whatever the number of keys); keys unknown or stored
    /// without them are absent (so a page stored before text hashes existed is extracted once
    /// more and gets one).
    pub async fn known_sources(
        &self,
        keys: &[String],
    ) -> Result<HashMap<String, KnownSource>, StoreError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = match self {
            Store::Sqlite(pool) => sqlite::known_sources(pool, keys)
                .await
                .map_err(|e| sqlite::name_busy(pool, e))?,
            Store::Postgres(pool) => postgres::known_sources(pool, keys).await?,
        };
        Ok(rows
            .into_iter()
            .map(|(key, source_hash, articles)| {
                let articles = usize::try_from(articles).unwrap_or(0);
                (
                    key,
                    KnownSource {
                        source_hash,
                        articles,
                    },
                )
            })
            .collect())
    }

    /// Editions newest first. With `q.region` a prefecture or province, its counties' articles
    /// are aggregated per day (an article in several of its counties counts once); without a
    /// region, every county-level (and prefecture-only) edition is listed. `since` is inclusive,
    /// `before` exclusive.
    pub async fn editions(&self, q: &EditionQuery) -> Result<Vec<EditionSummary>, StoreError> {
        read::editions(self, q).await
    }

    /// The articles of one edition in reading order (page key, then position on the page);
    /// a parent region aggregates its counties without duplicates.
    pub async fn edition_articles(
        &self,
        region: &RegionCode,
        date: NaiveDate,
    ) -> Result<Vec<StoredArticle>, StoreError> {
        read::edition_articles(self, region, date).await
    }

    /// A region's articles newest first (by date, then id descending), at most `limit`,
    /// strictly after the `(date, id)` cursor `before` when given (keyset paging).
    pub async fn region_articles(
        &self,
        region: &RegionCode,
        limit: usize,
        before: Option<(NaiveDate, String)>,
    ) -> Result<Vec<StoredArticle>, StoreError> {
        read::region_articles(self, region, limit, before).await
    }

    /// One article by id.
    pub async fn article(&self, id: &str) -> Result<Option<StoredArticle>, StoreError> {
        read::article(self, id).await
    }

    /// Every region code articles are filed under, with its latest day and number of editions.
    pub async fn regions(&self) -> Result<Vec<RegionActivity>, StoreError> {
        read::regions(self).await
    }

    /// Dated articles whose title, headline lines or body contain every word of the query,
    /// newest first (date, then id descending), at most `s.limit` (capped at [`MAX_RESULTS`]),
    /// through the search index (see `search.rs`). Gives up after [`SEARCH_TIMEOUT`].
    pub async fn search(&self, s: &Search) -> Result<Vec<StoredArticle>, StoreError> {
        search::search(self, s).await
    }

    /// The first word of [`Store::search`]'s query found by scanning every article with
    /// `LIKE '%word%'`, without the index: the reference for the search benchmark.
    pub async fn search_by_scan(&self, s: &Search) -> Result<Vec<StoredArticle>, StoreError> {
        search::scan(self, s).await
    }

    /// A counter that grows on every change of content; caches compare it to know they are stale.
    pub async fn revision(&self) -> Result<i64, StoreError> {
        read::revision(self).await
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool) => pool.close().await,
            Store::Postgres(pool) => pool.close().await,
        }
    }
}

/// JSON text of a list column (byline, regions).
fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

/// The URL with any password replaced by `***`, for error messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/news?sslmode=require"),
            "postgres://app:***@db:5432/news?sslmode=require"
        );
        assert_eq!(redact("postgres://app@db/news"), "postgres://app@db/news");
        assert_eq!(
            redact("sqlite://data/paperboy.db"),
            "sqlite://data/paperboy.db"
        );
    }
}
