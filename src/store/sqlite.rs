//! SQLite backend: opening the file (WAL, busy timeout, foreign keys) and the ingest write path.
//!
//! Writes take the database's write lock at `BEGIN IMMEDIATE`, so two processes ingesting into
//! one file queue behind each other (the busy timeout) instead of failing on a lock upgrade.
//! Reads are shared with PostgreSQL (see `read.rs`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::rows::{micros, region_number};
use super::{IngestOutcome, NewPage, StoreError};

/// How long a writer waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens (creating file and directory) the database named by `sqlite://PATH`, `sqlite:PATH`
/// or `sqlite::memory:`.
pub(super) async fn connect(url: &str) -> Result<SqlitePool, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::BadUrl(url.to_string()))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() {
        return Err(StoreError::BadUrl(url.to_string()));
    }
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
    let options = options.busy_timeout(BUSY_TIMEOUT).foreign_keys(true);
    // An in-memory database exists per connection: keep exactly one.
    let max = if memory { 1 } else { 8 };
    let pool = SqlitePoolOptions::new()
        .max_connections(max)
        .connect_with(options)
        .await?;
    Ok(pool)
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

/// Stores a batch of pages in one transaction; outcomes in input order.
pub(super) async fn ingest_many(
    pool: &SqlitePool,
    pages: &[NewPage],
) -> Result<Vec<IngestOutcome>, StoreError> {
    let mut outcomes = vec![IngestOutcome::Unchanged; pages.len()];
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut changed = false;
    for (i, page) in pages.iter().enumerate() {
        let outcome = ingest_one(&mut tx, page).await?;
        changed |= outcome != IngestOutcome::Unchanged;
        outcomes[i] = outcome;
    }
    if changed {
        sqlx::query("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn ingest_one(
    tx: &mut Transaction<'static, Sqlite>,
    page: &NewPage,
) -> Result<IngestOutcome, StoreError> {
    let existing: Option<(String, String, NaiveDate)> =
        sqlx::query_as("SELECT content_hash, date_source, date FROM pages WHERE key = $1")
            .bind(&page.key)
            .fetch_optional(&mut **tx)
            .await?;
    let now = micros(page.ingested_at);
    match existing {
        None => {
            sqlx::query(
                "INSERT INTO pages (key, source, paper, date, date_source, content_hash, \
                 created_us, updated_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&page.key)
            .bind(&page.source)
            .bind(&page.paper)
            .bind(page.date)
            .bind(page.date_source.as_str())
            .bind(&page.content_hash)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            insert_articles(tx, page, page.date, &HashMap::new()).await?;
            Ok(IngestOutcome::New)
        }
        Some((hash, _, _)) if hash == page.content_hash => Ok(IngestOutcome::Unchanged),
        Some((_, old_source, old_date)) => {
            let date = super::replacement_date(page, &old_source, old_date);
            let kept: Vec<(String, i64)> =
                sqlx::query_as("SELECT id, stored_us FROM articles WHERE page_key = $1")
                    .bind(&page.key)
                    .fetch_all(&mut **tx)
                    .await?;
            let kept: HashMap<String, i64> = kept.into_iter().collect();
            sqlx::query("DELETE FROM articles WHERE page_key = $1")
                .bind(&page.key)
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "UPDATE pages SET source = $2, paper = $3, date = $4, date_source = $5, \
                 content_hash = $6, updated_us = $7 WHERE key = $1",
            )
            .bind(&page.key)
            .bind(&page.source)
            .bind(&page.paper)
            .bind(date)
            .bind(super::replacement_source(page, &old_source).as_str())
            .bind(&page.content_hash)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            insert_articles(tx, page, date, &kept).await?;
            Ok(IngestOutcome::Replaced)
        }
    }
}

async fn insert_articles(
    tx: &mut Transaction<'static, Sqlite>,
    page: &NewPage,
    date: NaiveDate,
    kept: &HashMap<String, i64>,
) -> Result<(), StoreError> {
    let now = micros(page.ingested_at);
    for a in &page.articles {
        let stored = kept.get(&a.id).copied().unwrap_or(now);
        let art = &a.article;
        sqlx::query(
            "INSERT INTO articles (id, page_key, position, date, title, kicker, subtitle, byline, \
             kind, regions, body, stored_us) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&a.id)
        .bind(&page.key)
        .bind(a.position)
        .bind(date)
        .bind(&art.title)
        .bind(&art.kicker)
        .bind(&art.subtitle)
        .bind(super::json(&art.byline)?)
        .bind(art.kind.as_str())
        .bind(super::json(&art.regions)?)
        .bind(&art.body)
        .bind(stored)
        .execute(&mut **tx)
        .await?;
        for r in &art.regions {
            sqlx::query(
                "INSERT INTO article_regions (region, date, article_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(region_number(&r.code)?)
            .bind(date)
            .bind(&a.id)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}
