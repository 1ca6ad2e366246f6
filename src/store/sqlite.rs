//! SQLite backend: opening the file (WAL, busy timeout, foreign keys), the ingest write path,
//! and the rules every SQLite write follows so that concurrent writers wait instead of failing.
//!
//! SQLite lets one writer at a time change the file; the others must wait, and they do in two
//! places, both bounded by the store's busy timeout (`[storage] busy_timeout_secs`):
//! - for a free connection of this process's pool (the pool's acquire timeout);
//! - for the file's write lock, held by another connection of this or another process (the
//!   busy timeout every connection is opened with).
//!
//! A transaction that reads and then writes must take the write lock at its start
//! (`BEGIN IMMEDIATE`, see [`begin_write`]): begun as a reader, it could not be upgraded once
//! another writer had committed in between, and SQLite reports that at once as "database is
//! locked" without waiting, which no busy timeout helps. A single statement takes the lock
//! it needs when it starts and waits for it. A wait that runs out is reported by
//! [`name_busy`] as `StoreError::Busy`, naming the file.
//!
//! A batch is written with a handful of statements whatever its size: multi-row
//! `INSERT … VALUES` with bound parameters, `ROWS_PER_INSERT` rows each (a statement round trip
//! to sqlx's connection thread costs more than a row; unpacking rows from one JSON parameter
//! with `json_each` cost more still, as every `->>` re-parses the row's JSON, body included).
//! Key lists are still passed as one JSON array. Reads are shared with PostgreSQL (see
//! `read.rs`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Database, Pool, QueryBuilder, Sqlite, SqlitePool, Transaction};

use super::rows::{micros, region_number};
use super::{copies, IngestOutcome, NewPage, PageStored, StoreError};
use crate::model::DateSource;

/// The file named by `sqlite://PATH`, `sqlite:PATH` or `sqlite::memory:` (query string dropped).
pub(super) fn path_of(url: &str) -> Result<&str, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::BadUrl(url.to_string()))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() {
        return Err(StoreError::BadUrl(url.to_string()));
    }
    Ok(path)
}

/// Opens (creating file and directory) the database named by `url` (see [`path_of`]). A write
/// waits up to `busy` for another writer's lock, and a query up to `busy` for a connection.
pub(super) async fn connect(url: &str, busy: Duration) -> Result<SqlitePool, StoreError> {
    let path = path_of(url)?;
    let memory = path == ":memory:";
    let options = if memory {
        SqliteConnectOptions::from_str("sqlite::memory:")?
    } else {
        create_parent(Path::new(path))?;
        SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
    };
    // A larger page cache (KiB when negative; the default is 2 MB) keeps the article id and
    // date indexes in memory while a large ingest inserts into them at random places.
    let options = options
        .busy_timeout(busy)
        .foreign_keys(true)
        .pragma("cache_size", "-16384");
    // An in-memory database exists per connection: keep exactly one.
    let max = if memory { 1 } else { 8 };
    // The acquire timeout is the busy timeout too: `name_busy` reads it back from the pool.
    let mut pool = SqlitePoolOptions::new()
        .max_connections(max)
        .acquire_timeout(busy);
    // Not for an in-memory database: closing its one connection would lose it.
    if !memory {
        pool = pool.before_acquire(outside_transaction);
    }
    let pool = pool.connect_with(options).await?;
    Ok(pool)
}

/// Opens and migrates an SQLite file whose writes wait up to `busy` for other writers.
/// Processes starting together on a fresh file race to switch it to WAL and to migrate it; the
/// loser can get SQLITE_BUSY without the busy handler being consulted, so a locked database is
/// tried again (for about as long as `busy`) before it is reported, naming the file.
pub(super) async fn open(url: &str, busy: Duration) -> Result<SqlitePool, StoreError> {
    let started = std::time::Instant::now();
    let mut attempt = 0;
    loop {
        let result = async {
            let pool = connect(url, busy).await?;
            super::migrate::sqlite(&pool).await?;
            Ok::<_, StoreError>(pool)
        }
        .await;
        match result {
            Err(e) if store_locked(&e) => {
                if attempt >= 20 || started.elapsed() >= busy {
                    return Err(StoreError::Busy {
                        path: path_of(url)?.into(),
                        reason: format!(
                            "other processes kept it locked while it was opened, for {} s",
                            started.elapsed().as_secs()
                        ),
                    });
                }
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(25 * attempt)).await;
            }
            other => return other,
        }
    }
}

/// A pool of one connection of its own on the same file as `pool`, with the same waits (see
/// `Store::writer`).
pub(super) async fn own_connection(pool: &SqlitePool) -> Result<SqlitePool, StoreError> {
    let options = (*pool.connect_options()).clone();
    Ok(SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(pool.options().get_acquire_timeout())
        .before_acquire(outside_transaction)
        .connect_with(options)
        .await?)
}

/// Begins a transaction that is going to write. On SQLite it is `BEGIN IMMEDIATE`, which takes
/// the file's write lock at once and waits for it up to the busy timeout, so that a transaction
/// which reads before it writes cannot fail on upgrading its lock (see the module docs);
/// PostgreSQL locks rows as they are written, and begins as it always has.
pub(super) async fn begin_write<DB: Database>(
    pool: &Pool<DB>,
    lite: bool,
) -> Result<Transaction<'static, DB>, sqlx::Error> {
    if lite {
        pool.begin_with("BEGIN IMMEDIATE").await
    } else {
        pool.begin().await
    }
}

/// Fails with [`StoreError::Removed`] when the pool's database file is no longer at its path
/// (an open SQLite connection keeps writing to a removed file, whose contents then vanish).
pub(super) fn still_there(pool: &SqlitePool) -> Result<(), StoreError> {
    let options = pool.connect_options();
    let path = options.get_filename();
    if path.as_os_str() == ":memory:" || path.as_os_str().is_empty() {
        return Ok(());
    }
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::Removed {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// True for SQLITE_BUSY and SQLITE_LOCKED (with any extended code): another connection held
/// a lock this one needed, for longer than the busy timeout or in a way it cannot wait out.
pub(super) fn is_locked(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| matches!(c & 0xff, 5 | 6)),
        _ => false,
    }
}

/// [`is_locked`] for a store error: a query's, or one of a migration's statements.
pub(super) fn store_locked(e: &StoreError) -> bool {
    use sqlx::migrate::MigrateError;
    match e {
        StoreError::Db(e)
        | StoreError::Migrate(MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _)) => {
            is_locked(e)
        }
        _ => false,
    }
}

/// Turns a wait on `pool`'s database that ran out (the write lock, or a free connection) into
/// [`StoreError::Busy`] naming the file; any other error is returned as it is.
pub(super) fn name_busy(pool: &SqlitePool, e: StoreError) -> StoreError {
    // The pool's acquire timeout is the busy timeout (see `connect`).
    let secs = pool.options().get_acquire_timeout().as_secs();
    let path = || pool.connect_options().get_filename().to_path_buf();
    if let StoreError::Db(sqlx::Error::Database(db)) = &e {
        // SQLITE_FULL (13), with any extended code.
        if db
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .map(|c| c & 0xff)
            == Some(13)
        {
            return StoreError::Full { path: path() };
        }
    }
    let reason = match &e {
        StoreError::Db(sqlx::Error::PoolTimedOut) => {
            format!("no connection came free within {secs} s")
        }
        StoreError::Db(sqlx::Error::Database(db)) if db.code().as_deref() == Some("5") => {
            format!("another writer held its write lock for more than {secs} s")
        }
        StoreError::Db(db) if is_locked(db) => {
            format!("another connection held a lock that cannot be waited for ({db})")
        }
        _ => return e,
    };
    StoreError::Busy {
        path: path(),
        reason,
    }
}

/// A connection is taken from the pool only outside a transaction. SQLite rolls a transaction
/// back by itself on some errors (a full disk); the driver's own rollback then fails and it
/// goes on counting the transaction as open, so every later `BEGIN` on that connection would
/// fail. Such a connection is closed and a fresh one opened instead.
fn outside_transaction(
    conn: &mut sqlx::SqliteConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> futures::future::BoxFuture<'_, Result<bool, sqlx::Error>> {
    use sqlx::Connection;
    let fresh = !conn.is_in_transaction();
    Box::pin(async move { Ok(fresh) })
}

fn create_parent(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: PathBuf::from(dir),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// Stores a batch of pages in one transaction; results in input order.
pub(super) async fn ingest_many(
    pool: &SqlitePool,
    pages: &[NewPage],
) -> Result<Vec<PageStored>, StoreError> {
    let mut outcomes = Vec::with_capacity(pages.len());
    let mut tx = begin_write(pool, true).await?;
    for run in super::runs_of_distinct_keys(pages) {
        outcomes.extend(write_run(&mut tx, &pages[run]).await?);
    }
    if outcomes
        .iter()
        .any(|o| o.outcome != IngestOutcome::Unchanged)
    {
        sqlx::query("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Stored source hashes and article counts of the pages among `keys` that have one.
pub(super) async fn known_sources(
    pool: &SqlitePool,
    keys: &[String],
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.key, p.source_hash, \
                (SELECT COUNT(*) FROM articles AS a WHERE a.page_key = p.key) \
         FROM pages AS p \
         WHERE p.key IN (SELECT value FROM json_each($1)) \
           AND p.source_hash IS NOT NULL AND p.text_hash IS NOT NULL",
    )
    .bind(super::json(keys)?)
    .fetch_all(pool)
    .await?)
}

/// Rows per multi-row `INSERT … VALUES`: 12 columns × 256 rows stays far below SQLite's
/// 32,766 bound parameters, and every full chunk reuses one cached prepared statement.
const ROWS_PER_INSERT: usize = 256;

/// A page row to insert.
struct PageRow<'a> {
    key: &'a str,
    source: &'a str,
    paper: Option<&'a str>,
    date: NaiveDate,
    date_source: &'static str,
    content_hash: &'a str,
    source_hash: Option<&'a str>,
    text_hash: Option<&'a str>,
    created_us: i64,
    updated_us: i64,
}

/// An article row to insert (byline and regions stay JSON text).
struct ArticleRow<'a> {
    id: &'a str,
    page_key: &'a str,
    position: i32,
    date: NaiveDate,
    title: Option<&'a str>,
    kicker: Option<&'a str>,
    subtitle: Option<&'a str>,
    byline: String,
    kind: &'static str,
    regions: String,
    body: &'a str,
    stored_us: i64,
}

/// One (region, date, article) index row; undated ones go to `undated_regions` without the date.
struct RegionRow<'a> {
    region: i32,
    date: NaiveDate,
    article_id: &'a str,
    dated: bool,
}

/// Writes pages with distinct keys: reads their stored state in one query, finds copies,
/// removes replaced pages (their articles and index rows go with them), inserts new and
/// replacement rows.
async fn write_run(
    tx: &mut Transaction<'static, Sqlite>,
    pages: &[NewPage],
) -> Result<Vec<PageStored>, StoreError> {
    let keys: Vec<&str> = pages.iter().map(|p| p.key.as_str()).collect();
    type Existing = (
        String,
        String,
        String,
        NaiveDate,
        i64,
        Option<String>,
        Option<String>,
    );
    let existing: Vec<Existing> = sqlx::query_as(
        "SELECT key, content_hash, date_source, date, created_us, source_hash, text_hash \
         FROM pages WHERE key IN (SELECT value FROM json_each($1))",
    )
    .bind(super::json(&keys)?)
    .fetch_all(&mut **tx)
    .await?;
    let existing: HashMap<String, Stored> = existing
        .into_iter()
        .map(|(k, hash, date_source, date, created, source, text)| {
            let s = Stored {
                hash,
                date_source,
                date,
                created,
                source,
                text,
            };
            (k, s)
        })
        .collect();
    let hashes: Vec<&str> = pages
        .iter()
        .filter_map(|p| p.text_hash.as_deref())
        .collect();
    let owners: Vec<copies::Owner> = if hashes.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT text_hash, key, source FROM pages \
             WHERE text_hash IN (SELECT value FROM json_each($1)) ORDER BY created_us, key",
        )
        .bind(super::json(&hashes)?)
        .fetch_all(&mut **tx)
        .await?
    };
    let known = existing.keys().map(String::as_str).collect();
    let copy_of = copies::find(pages, &known, &owners);
    // Unchanged pages whose stored source or text hash differs (or is missing): key, hashes.
    let mut backfill: Vec<(&str, Option<&str>, Option<&str>)> = Vec::new();

    let mut outcomes = Vec::with_capacity(pages.len());
    let mut page_rows = Vec::new();
    let mut replaced_keys = Vec::new();
    // (page, date and date source it is filed under)
    let mut to_write: Vec<(&NewPage, NaiveDate, DateSource)> = Vec::new();
    for (page, copy_of) in pages.iter().zip(copy_of) {
        let now = micros(page.ingested_at);
        if copy_of.is_some() {
            outcomes.push(PageStored {
                outcome: IngestOutcome::Unchanged,
                copy_of,
            });
            continue;
        }
        let (outcome, (date, source), created) = match existing.get(&page.key) {
            None => (IngestOutcome::New, (page.date, page.date_source), now),
            Some(s) if s.hash == page.content_hash => {
                let src = page
                    .source_hash
                    .as_deref()
                    .filter(|h| s.source.as_deref() != Some(*h));
                let text = page
                    .text_hash
                    .as_deref()
                    .filter(|h| s.text.as_deref() != Some(*h));
                if src.is_some() || text.is_some() {
                    backfill.push((&page.key, src, text));
                }
                outcomes.push(PageStored {
                    outcome: IngestOutcome::Unchanged,
                    copy_of: None,
                });
                continue;
            }
            Some(s) => {
                replaced_keys.push(page.key.as_str());
                let filed = super::replacement_date(page, &s.date_source, s.date);
                (IngestOutcome::Replaced, filed, s.created)
            }
        };
        outcomes.push(PageStored {
            outcome,
            copy_of: None,
        });
        page_rows.push(PageRow {
            key: &page.key,
            source: &page.source,
            paper: page.paper.as_deref(),
            date,
            date_source: source.as_str(),
            content_hash: &page.content_hash,
            source_hash: page.source_hash.as_deref(),
            text_hash: page.text_hash.as_deref(),
            created_us: created,
            updated_us: now,
        });
        to_write.push((page, date, source));
    }
    if !backfill.is_empty() {
        sqlx::query(
            "UPDATE pages SET source_hash = coalesce(j.value ->> '$[1]', pages.source_hash), \
                              text_hash = coalesce(j.value ->> '$[2]', pages.text_hash) \
             FROM json_each($1) AS j WHERE pages.key = j.value ->> '$[0]'",
        )
        .bind(super::json(&backfill)?)
        .execute(&mut **tx)
        .await?;
    }
    if to_write.is_empty() {
        return Ok(outcomes);
    }

    // Articles that survive a correction keep their first stored time.
    let mut kept: HashMap<String, i64> = HashMap::new();
    if !replaced_keys.is_empty() {
        let replaced = super::json(&replaced_keys)?;
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT id, stored_us FROM articles \
             WHERE page_key IN (SELECT value FROM json_each($1))",
        )
        .bind(&replaced)
        .fetch_all(&mut **tx)
        .await?;
        kept = rows.into_iter().collect();
        // Cascades to the pages' articles and their region rows.
        sqlx::query("DELETE FROM pages WHERE key IN (SELECT value FROM json_each($1))")
            .bind(&replaced)
            .execute(&mut **tx)
            .await?;
    }

    let mut article_rows = Vec::new();
    let mut region_rows = Vec::new();
    for (page, date, source) in &to_write {
        let now = micros(page.ingested_at);
        for a in &page.articles {
            let art = &a.article;
            article_rows.push(ArticleRow {
                id: &a.id,
                page_key: &page.key,
                position: a.position,
                date: *date,
                title: art.title.as_deref(),
                kicker: art.kicker.as_deref(),
                subtitle: art.subtitle.as_deref(),
                byline: super::json(&art.byline)?,
                kind: art.kind.as_str(),
                regions: super::json(&art.regions)?,
                body: &art.body,
                stored_us: kept.get(&a.id).copied().unwrap_or(now),
            });
            for r in &art.regions {
                region_rows.push(RegionRow {
                    region: region_number(&r.code)?,
                    date: *date,
                    article_id: &a.id,
                    dated: super::is_dated(*source),
                });
            }
        }
    }
    for chunk in page_rows.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO pages (key, source, paper, date, date_source, content_hash, \
             source_hash, text_hash, created_us, updated_us) ",
        );
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.key)
                .push_bind(r.source)
                .push_bind(r.paper)
                .push_bind(r.date)
                .push_bind(r.date_source)
                .push_bind(r.content_hash)
                .push_bind(r.source_hash)
                .push_bind(r.text_hash)
                .push_bind(r.created_us)
                .push_bind(r.updated_us);
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in article_rows.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO articles (id, page_key, position, date, title, kicker, subtitle, \
             byline, kind, regions, body, stored_us) ",
        );
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.id)
                .push_bind(r.page_key)
                .push_bind(r.position)
                .push_bind(r.date)
                .push_bind(r.title)
                .push_bind(r.kicker)
                .push_bind(r.subtitle)
                .push_bind(r.byline.as_str())
                .push_bind(r.kind)
                .push_bind(r.regions.as_str())
                .push_bind(r.body)
                .push_bind(r.stored_us);
        });
        q.build().execute(&mut **tx).await?;
    }
    let docs = super::search::documents(to_write.iter().map(|(p, _, _)| *p));
    super::search::index_sqlite(tx, &docs).await?;
    let (dated, undated): (Vec<RegionRow>, Vec<RegionRow>) =
        region_rows.into_iter().partition(|r| r.dated);
    for chunk in dated.chunks(ROWS_PER_INSERT) {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO article_regions (region, date, article_id) ");
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.region)
                .push_bind(r.date)
                .push_bind(r.article_id);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut **tx).await?;
    }
    for chunk in undated.chunks(ROWS_PER_INSERT) {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO undated_regions (region, article_id) ");
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.region).push_bind(r.article_id);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut **tx).await?;
    }
    Ok(outcomes)
}

/// What the store holds for a page key the run writes.
struct Stored {
    hash: String,
    date_source: String,
    date: NaiveDate,
    created: i64,
    source: Option<String>,
    text: Option<String>,
}
