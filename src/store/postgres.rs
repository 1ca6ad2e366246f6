//! PostgreSQL backend: connecting (optionally inside a given schema) and the ingest write path.
//!
//! Several paperboy processes may ingest the same page at once. The page row is the lock:
//! `INSERT … ON CONFLICT (key) DO NOTHING` makes the second writer wait for the first to commit
//! and then see its row, which it locks with `SELECT … FOR UPDATE` before comparing hashes. So
//! one copy survives and every reader sees either the old or the new articles, never a mix.
//! A batch locks its pages in key order, so two batches cannot deadlock on each other.
//! Articles and their region rows are inserted with one `UNNEST` statement each per page.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use super::rows::{micros, region_number};
use super::{IngestOutcome, NewPage, StoreError};

/// Connects to `postgres://…`; with `schema`, every connection uses it as its search path.
pub(super) async fn connect(url: &str, schema: Option<&str>) -> Result<PgPool, StoreError> {
    let mut options: PgConnectOptions = url
        .parse()
        .map_err(|_| StoreError::BadUrl(super::redact(url)))?;
    if let Some(schema) = schema {
        super::migrate::check_schema_name(schema)?;
        options = options.options([("search_path", schema)]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Stores a batch of pages in one transaction; outcomes in input order.
pub(super) async fn ingest_many(
    pool: &PgPool,
    pages: &[NewPage],
) -> Result<Vec<IngestOutcome>, StoreError> {
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by(|&a, &b| pages[a].key.cmp(&pages[b].key));
    let mut outcomes = vec![IngestOutcome::Unchanged; pages.len()];
    let mut tx = pool.begin().await?;
    let mut changed = false;
    for i in order {
        let outcome = ingest_one(&mut tx, &pages[i]).await?;
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
    tx: &mut Transaction<'static, Postgres>,
    page: &NewPage,
) -> Result<IngestOutcome, StoreError> {
    let now = micros(page.ingested_at);
    let inserted = sqlx::query(
        "INSERT INTO pages (key, source, paper, date, date_source, content_hash, created_us, \
         updated_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (key) DO NOTHING",
    )
    .bind(&page.key)
    .bind(&page.source)
    .bind(&page.paper)
    .bind(page.date)
    .bind(page.date_source.as_str())
    .bind(&page.content_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        insert_articles(tx, page, page.date, &HashMap::new()).await?;
        return Ok(IngestOutcome::New);
    }
    let (hash, old_source, old_date): (String, String, NaiveDate) = sqlx::query_as(
        "SELECT content_hash, date_source, date FROM pages WHERE key = $1 FOR UPDATE",
    )
    .bind(&page.key)
    .fetch_one(&mut **tx)
    .await?;
    if hash == page.content_hash {
        return Ok(IngestOutcome::Unchanged);
    }
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

/// Inserts a page's articles and region rows: two statements whatever the article count.
async fn insert_articles(
    tx: &mut Transaction<'static, Postgres>,
    page: &NewPage,
    date: NaiveDate,
    kept: &HashMap<String, i64>,
) -> Result<(), StoreError> {
    if page.articles.is_empty() {
        return Ok(());
    }
    let now = micros(page.ingested_at);
    let n = page.articles.len();
    let mut ids = Vec::with_capacity(n);
    let mut positions = Vec::with_capacity(n);
    let mut titles = Vec::with_capacity(n);
    let mut kickers = Vec::with_capacity(n);
    let mut subtitles = Vec::with_capacity(n);
    let mut bylines = Vec::with_capacity(n);
    let mut kinds = Vec::with_capacity(n);
    let mut regions = Vec::with_capacity(n);
    let mut bodies = Vec::with_capacity(n);
    let mut stored = Vec::with_capacity(n);
    let mut region_codes = Vec::new();
    let mut region_articles = Vec::new();
    for a in &page.articles {
        let art = &a.article;
        ids.push(a.id.clone());
        positions.push(a.position);
        titles.push(art.title.clone());
        kickers.push(art.kicker.clone());
        subtitles.push(art.subtitle.clone());
        bylines.push(super::json(&art.byline)?);
        kinds.push(art.kind.as_str().to_string());
        regions.push(super::json(&art.regions)?);
        bodies.push(art.body.clone());
        stored.push(kept.get(&a.id).copied().unwrap_or(now));
        for r in &art.regions {
            region_codes.push(region_number(&r.code)?);
            region_articles.push(a.id.clone());
        }
    }
    sqlx::query(
        "INSERT INTO articles (id, page_key, position, date, title, kicker, subtitle, byline, \
         kind, regions, body, stored_us) \
         SELECT t.id, $1, t.position, $2, t.title, t.kicker, t.subtitle, t.byline, t.kind, \
                t.regions, t.body, t.stored_us \
         FROM UNNEST($3::text[], $4::int4[], $5::text[], $6::text[], $7::text[], $8::text[], \
                     $9::text[], $10::text[], $11::text[], $12::int8[]) \
              AS t(id, position, title, kicker, subtitle, byline, kind, regions, body, stored_us)",
    )
    .bind(&page.key)
    .bind(date)
    .bind(&ids)
    .bind(&positions)
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
             SELECT t.region, $1, t.article_id FROM UNNEST($2::int4[], $3::text[]) \
             AS t(region, article_id) ON CONFLICT DO NOTHING",
        )
        .bind(date)
        .bind(&region_codes)
        .bind(&region_articles)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
