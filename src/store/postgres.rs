//! PostgreSQL backend: connecting (optionally inside a given schema) and the ingest write path.
//!
//! Several paperboy processes may ingest the same page at once. The page row is the lock:
//! `INSERT … ON CONFLICT (key) DO NOTHING` makes the second writer wait for the first to commit
//! and then see its row, which it locks with `SELECT … FOR UPDATE` before comparing hashes. So
//! one copy survives and every reader sees either the old or the new articles, never a mix.
//! A batch locks its pages in key order, so two batches cannot deadlock on each other.
//! A batch is written with a few statements whatever its size: rows travel as arrays and
//! PostgreSQL unpacks them with `UNNEST` (each statement is a network round trip).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool, Postgres, Transaction};

use super::rows::{micros, region_number};
use super::{copies, IngestOutcome, NewPage, PageStored, StoreError};
use crate::model::DateSource;

/// How long a refused connection is tried again (a server restarting) before it is reported.
const REFUSED_FOR: Duration = Duration::from_secs(1);
/// Pause between two tries of a refused connection.
const REFUSED_PAUSE: Duration = Duration::from_millis(200);

/// Connects to `postgres://…`; with `schema`, every connection uses it as its search path.
/// The server must accept a first connection within `timeout` (a refused one fails after
/// about a second), and later requests wait at most `timeout` for a connection of the pool.
pub(super) async fn connect(
    url: &str,
    schema: Option<&str>,
    timeout: Duration,
) -> Result<PgPool, StoreError> {
    let mut options: PgConnectOptions = url
        .parse()
        .map_err(|_| StoreError::BadUrl(super::redact(url)))?;
    if let Some(schema) = schema {
        super::migrate::check_schema_name(schema)?;
        options = options.options([("search_path", schema)]);
    }
    reach(&options, timeout).await?;
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(timeout)
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Opens and closes one connection, so that an absent server is reported at once with where
/// it was looked for. sqlx's pool would instead retry a refused or silent server until its
/// acquire timeout and then say only that it timed out.
async fn reach(options: &PgConnectOptions, timeout: Duration) -> Result<(), StoreError> {
    let started = Instant::now();
    let failed = |reason: String| {
        let host = options.get_host();
        StoreError::Unreachable {
            host: if host.contains(':') {
                format!("[{host}]")
            } else {
                host.to_string()
            },
            port: options.get_port(),
            reason,
        }
    };
    loop {
        let left = timeout.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, options.connect()).await {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                return Ok(());
            }
            Ok(Err(sqlx::Error::Io(e)))
                if e.kind() == std::io::ErrorKind::ConnectionRefused
                    && started.elapsed() + REFUSED_PAUSE < REFUSED_FOR.min(timeout) =>
            {
                tokio::time::sleep(REFUSED_PAUSE).await;
            }
            Ok(Err(sqlx::Error::Io(e))) => return Err(failed(e.to_string().to_lowercase())),
            Ok(Err(e)) => return Err(failed(e.to_string())),
            Err(_) => {
                return Err(failed(format!(
                    "no answer within {} s",
                    timeout.as_secs_f64()
                )))
            }
        }
    }
}

/// Stores a batch of pages in one transaction; results in input order.
pub(super) async fn ingest_many(
    pool: &PgPool,
    pages: &[NewPage],
) -> Result<Vec<PageStored>, StoreError> {
    let mut outcomes = Vec::with_capacity(pages.len());
    let mut tx = pool.begin().await?;
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
    pool: &PgPool,
    keys: &[String],
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.key, p.source_hash, \
                (SELECT COUNT(*) FROM articles AS a WHERE a.page_key = p.key) \
         FROM pages AS p \
         WHERE p.key = ANY($1) AND p.source_hash IS NOT NULL AND p.text_hash IS NOT NULL",
    )
    .bind(keys)
    .fetch_all(pool)
    .await?)
}

/// Page columns as arrays, in key order.
#[derive(Default)]
struct PageColumns {
    keys: Vec<String>,
    sources: Vec<String>,
    papers: Vec<Option<String>>,
    dates: Vec<NaiveDate>,
    date_sources: Vec<String>,
    hashes: Vec<String>,
    source_hashes: Vec<Option<String>>,
    text_hashes: Vec<Option<String>>,
    times: Vec<i64>,
}

impl PageColumns {
    fn push(&mut self, page: &NewPage, date: NaiveDate, source: DateSource) {
        self.keys.push(page.key.clone());
        self.sources.push(page.source.clone());
        self.papers.push(page.paper.clone());
        self.dates.push(date);
        self.date_sources.push(source.as_str().to_string());
        self.hashes.push(page.content_hash.clone());
        self.source_hashes.push(page.source_hash.clone());
        self.text_hashes.push(page.text_hash.clone());
        self.times.push(micros(page.ingested_at));
    }
}

/// Advisory lock class of text hashes (the two-key lock space, apart from sqlx's migration lock).
const TEXT_LOCK_CLASS: i32 = 0x7062_7478;

/// Which pages of the run are copies. Locks the run's text hashes first (in hash order, so
/// batches cannot deadlock on each other), so that of two processes storing copies of one page
/// under different names, the second waits for the first to commit and then sees its page.
async fn find_copies(
    tx: &mut Transaction<'static, Postgres>,
    pages: &[NewPage],
) -> Result<Vec<Option<copies::CopyOf>>, StoreError> {
    let hashes: Vec<&str> = pages
        .iter()
        .filter_map(|p| p.text_hash.as_deref())
        .collect();
    if hashes.is_empty() {
        return Ok(vec![None; pages.len()]);
    }
    sqlx::query(
        "SELECT pg_advisory_xact_lock($2, k) \
         FROM (SELECT DISTINCT hashtext(h) AS k FROM UNNEST($1::text[]) AS h ORDER BY k) AS s",
    )
    .bind(&hashes)
    .bind(TEXT_LOCK_CLASS)
    .execute(&mut **tx)
    .await?;
    let keys: Vec<&str> = pages.iter().map(|p| p.key.as_str()).collect();
    let known: Vec<String> = sqlx::query_scalar("SELECT key FROM pages WHERE key = ANY($1)")
        .bind(&keys)
        .fetch_all(&mut **tx)
        .await?;
    let owners: Vec<copies::Owner> = sqlx::query_as(
        "SELECT text_hash, key, source FROM pages WHERE text_hash = ANY($1) \
         ORDER BY created_us, key",
    )
    .bind(&hashes)
    .fetch_all(&mut **tx)
    .await?;
    let known: HashSet<&str> = known.iter().map(String::as_str).collect();
    Ok(copies::find(pages, &known, &owners))
}

/// Writes pages with distinct keys: sets the copies aside, inserts the unknown ones (waiting
/// on, then skipping, keys another process is inserting), locks the known ones, replaces those
/// whose hash changed.
async fn write_run(
    tx: &mut Transaction<'static, Postgres>,
    pages: &[NewPage],
) -> Result<Vec<PageStored>, StoreError> {
    let copy_of = find_copies(tx, pages).await?;
    let mut order: Vec<usize> = (0..pages.len()).filter(|&i| copy_of[i].is_none()).collect();
    order.sort_by(|&a, &b| pages[a].key.cmp(&pages[b].key));
    let mut all = PageColumns::default();
    for &i in &order {
        all.push(&pages[i], pages[i].date, pages[i].date_source);
    }
    let inserted: Vec<String> = sqlx::query_scalar(
        "INSERT INTO pages (key, source, paper, date, date_source, content_hash, created_us, \
         updated_us, source_hash, text_hash) \
         SELECT t.key, t.source, t.paper, t.date, t.date_source, t.hash, t.at, t.at, t.src, t.txt \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], \
                     $7::int8[], $8::text[], $9::text[]) \
              AS t(key, source, paper, date, date_source, hash, at, src, txt) \
         ON CONFLICT (key) DO NOTHING RETURNING key",
    )
    .bind(&all.keys)
    .bind(&all.sources)
    .bind(&all.papers)
    .bind(&all.dates)
    .bind(&all.date_sources)
    .bind(&all.hashes)
    .bind(&all.times)
    .bind(&all.source_hashes)
    .bind(&all.text_hashes)
    .fetch_all(&mut **tx)
    .await?;
    let inserted: HashSet<String> = inserted.into_iter().collect();
    let known: Vec<String> = all
        .keys
        .iter()
        .filter(|k| !inserted.contains(*k))
        .cloned()
        .collect();
    let mut existing: HashMap<String, Existing> = HashMap::new();
    if !known.is_empty() {
        let rows: Vec<Existing> = sqlx::query_as(
            "SELECT key, content_hash, date_source, date, source_hash, text_hash FROM pages \
             WHERE key = ANY($1) ORDER BY key FOR UPDATE",
        )
        .bind(&known)
        .fetch_all(&mut **tx)
        .await?;
        existing = rows.into_iter().map(|row| (row.0.clone(), row)).collect();
    }
    // Unchanged pages whose stored source or text hash differs (or is missing).
    let mut backfill_keys: Vec<&str> = Vec::new();
    let mut backfill_sources: Vec<Option<&str>> = Vec::new();
    let mut backfill_texts: Vec<Option<&str>> = Vec::new();

    let mut outcomes = vec![IngestOutcome::Unchanged; pages.len()];
    let mut to_write: Vec<(&NewPage, NaiveDate, DateSource)> = Vec::new();
    let mut replaced = PageColumns::default();
    for &i in &order {
        let page = &pages[i];
        if inserted.contains(&page.key) {
            outcomes[i] = IngestOutcome::New;
            to_write.push((page, page.date, page.date_source));
            continue;
        }
        let Some((_, hash, old_source, old_date, src, txt)) = existing.get(&page.key) else {
            return Err(StoreError::Corrupt(format!(
                "page {} neither inserted nor found",
                page.key
            )));
        };
        if *hash != page.content_hash {
            let (date, source) = super::replacement_date(page, old_source, *old_date);
            outcomes[i] = IngestOutcome::Replaced;
            replaced.push(page, date, source);
            to_write.push((page, date, source));
            continue;
        }
        let new_src = page
            .source_hash
            .as_deref()
            .filter(|h| src.as_deref() != Some(*h));
        let new_txt = page
            .text_hash
            .as_deref()
            .filter(|h| txt.as_deref() != Some(*h));
        if new_src.is_some() || new_txt.is_some() {
            backfill_keys.push(&page.key);
            backfill_sources.push(new_src);
            backfill_texts.push(new_txt);
        }
    }
    if !backfill_keys.is_empty() {
        sqlx::query(
            "UPDATE pages AS p SET source_hash = coalesce(t.src, p.source_hash), \
                                  text_hash = coalesce(t.txt, p.text_hash) \
             FROM UNNEST($1::text[], $2::text[], $3::text[]) AS t(key, src, txt) \
             WHERE p.key = t.key",
        )
        .bind(&backfill_keys)
        .bind(&backfill_sources)
        .bind(&backfill_texts)
        .execute(&mut **tx)
        .await?;
    }

    let mut kept: HashMap<String, i64> = HashMap::new();
    if !replaced.keys.is_empty() {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT id, stored_us FROM articles WHERE page_key = ANY($1)")
                .bind(&replaced.keys)
                .fetch_all(&mut **tx)
                .await?;
        kept = rows.into_iter().collect();
        // Cascades to the region rows.
        sqlx::query("DELETE FROM articles WHERE page_key = ANY($1)")
            .bind(&replaced.keys)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE pages AS p SET source = t.source, paper = t.paper, date = t.date, \
             date_source = t.date_source, content_hash = t.hash, updated_us = t.at, \
             source_hash = t.src, text_hash = t.txt \
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], \
                         $6::text[], $7::int8[], $8::text[], $9::text[]) \
                  AS t(key, source, paper, date, date_source, hash, at, src, txt) \
             WHERE p.key = t.key",
        )
        .bind(&replaced.keys)
        .bind(&replaced.sources)
        .bind(&replaced.papers)
        .bind(&replaced.dates)
        .bind(&replaced.date_sources)
        .bind(&replaced.hashes)
        .bind(&replaced.times)
        .bind(&replaced.source_hashes)
        .bind(&replaced.text_hashes)
        .execute(&mut **tx)
        .await?;
    }
    insert_articles(tx, &to_write, &kept).await?;
    let docs = super::search::documents(to_write.iter().map(|(p, _, _)| *p));
    super::search::index_postgres(tx, &docs).await?;
    Ok(outcomes
        .into_iter()
        .zip(copy_of)
        .map(|(outcome, copy_of)| PageStored { outcome, copy_of })
        .collect())
}

/// A stored page row the run locked: key, content hash, date source, date, source hash, text hash.
type Existing = (
    String,
    String,
    String,
    NaiveDate,
    Option<String>,
    Option<String>,
);

/// Inserts the articles and region rows of written pages: three statements at most.
async fn insert_articles(
    tx: &mut Transaction<'static, Postgres>,
    pages: &[(&NewPage, NaiveDate, DateSource)],
    kept: &HashMap<String, i64>,
) -> Result<(), StoreError> {
    let mut ids = Vec::new();
    let mut page_keys = Vec::new();
    let mut positions = Vec::new();
    let mut dates = Vec::new();
    let mut titles = Vec::new();
    let mut kickers = Vec::new();
    let mut subtitles = Vec::new();
    let mut bylines = Vec::new();
    let mut kinds = Vec::new();
    let mut regions = Vec::new();
    let mut bodies = Vec::new();
    let mut stored = Vec::new();
    let mut region_codes = Vec::new();
    let mut region_dates = Vec::new();
    let mut region_articles = Vec::new();
    let mut undated_codes = Vec::new();
    let mut undated_articles = Vec::new();
    for (page, date, source) in pages {
        let now = micros(page.ingested_at);
        for a in &page.articles {
            let art = &a.article;
            ids.push(a.id.as_str());
            page_keys.push(page.key.as_str());
            positions.push(a.position);
            dates.push(*date);
            titles.push(art.title.as_deref());
            kickers.push(art.kicker.as_deref());
            subtitles.push(art.subtitle.as_deref());
            bylines.push(super::json(&art.byline)?);
            kinds.push(art.kind.as_str());
            regions.push(super::json(&art.regions)?);
            bodies.push(art.body.as_str());
            stored.push(kept.get(&a.id).copied().unwrap_or(now));
            for r in &art.regions {
                if super::is_dated(*source) {
                    region_codes.push(region_number(&r.code)?);
                    region_dates.push(*date);
                    region_articles.push(a.id.as_str());
                } else {
                    undated_codes.push(region_number(&r.code)?);
                    undated_articles.push(a.id.as_str());
                }
            }
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO articles (id, page_key, position, date, title, kicker, subtitle, byline, \
         kind, regions, body, stored_us) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::int4[], $4::date[], $5::text[], \
                              $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], \
                              $11::text[], $12::int8[])",
    )
    .bind(&ids)
    .bind(&page_keys)
    .bind(&positions)
    .bind(&dates)
    .bind(&titles)
    .bind(&kickers)
    .bind(&subtitles)
    .bind(&bylines)
    .bind(&kinds)
    .bind(&regions)
    .bind(&bodies)
    .bind(&stored)
    .execute(&mut **tx)
    .await?;
    if !region_codes.is_empty() {
        sqlx::query(
            "INSERT INTO article_regions (region, date, article_id) \
             SELECT * FROM UNNEST($1::int4[], $2::date[], $3::text[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&region_codes)
        .bind(&region_dates)
        .bind(&region_articles)
        .execute(&mut **tx)
        .await?;
    }
    if !undated_codes.is_empty() {
        sqlx::query(
            "INSERT INTO undated_regions (region, article_id) \
             SELECT * FROM UNNEST($1::int4[], $2::text[]) ON CONFLICT DO NOTHING",
        )
        .bind(&undated_codes)
        .bind(&undated_articles)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
