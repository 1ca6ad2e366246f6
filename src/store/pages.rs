//! Pages as the operator sees them: undated pages (no date printed, none given), which are
//! filed apart from the editions and listed per region with their ingest day; dating a page
//! (`paperboy pages set-date`), which re-files its articles under the date; and a page's
//! stored articles. The SQL is portable and runs on either pool, except the row lock that
//! PostgreSQL takes and SQLite does not need (its writers queue at `BEGIN IMMEDIATE`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::read::on_pool;
use super::rows::{into_stored, micros, region_code, region_range, ArticleRow, ARTICLE_COLUMNS};
use super::{Store, StoreError, StoredArticle};
use crate::model::{DateSource, RegionCode};

/// An undated page's articles in one region (or, for a region query, in that region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UndatedPage {
    pub region: RegionCode,
    /// The page key (what `pages set-date` takes).
    pub key: String,
    /// Where its text came from.
    pub source: String,
    pub paper: Option<String>,
    /// The day it was ingested: shown, never used as its publication date.
    pub ingested: NaiveDate,
    /// Its articles filed under the region.
    pub articles: i64,
}

/// What dating a page did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageDated {
    pub key: String,
    pub source: String,
    /// The date it was filed under before (the ingest day for an undated page).
    pub previous: NaiveDate,
    pub previous_source: DateSource,
    /// The date it is filed under now (`date_source = metadata`).
    pub date: NaiveDate,
    /// Its articles, all re-filed.
    pub articles: usize,
}

/// The statements of [`Store::set_page_date`], expanded once per backend inside its transaction.
/// `$lock` is appended to the query that reads the page row.
macro_rules! set_date {
    ($tx:expr, $lock:expr, $page:expr, $date:expr, $now:expr) => {{
        let name = $page;
        let file = std::path::Path::new(name)
            .file_name()
            .map_or_else(|| name.to_string(), |f| f.to_string_lossy().into_owned());
        let sql = format!(
            "SELECT key, source, date, date_source FROM pages \
             WHERE key = $1 OR source = $1 OR key = $2 ORDER BY key LIMIT 3{}",
            $lock
        );
        let found: Vec<(String, String, NaiveDate, String)> = sqlx::query_as(&sql)
            .bind(name)
            .bind(&file)
            .fetch_all(&mut *$tx)
            .await?;
        let (key, source, previous, previous_source) = match found.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(StoreError::NotFound(format!(
                    "no stored page is named {name:?} (give its page key or the path it was \
                     ingested from)"
                )))
            }
            several => {
                let keys: Vec<&str> = several.iter().map(|r| r.0.as_str()).collect();
                return Err(StoreError::Conflict(format!(
                    "{name:?} names several pages ({}): give the page key",
                    keys.join(", ")
                )));
            }
        };
        let previous_source: DateSource = previous_source
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("page {key}: {e}")))?;
        let of_page = "SELECT id FROM articles WHERE page_key = $1";
        sqlx::query(&format!(
            "INSERT INTO article_regions (region, date, article_id) \
             SELECT r.region, $2, r.article_id FROM ( \
                 SELECT region, article_id FROM article_regions WHERE article_id IN ({of_page}) \
                 UNION \
                 SELECT region, article_id FROM undated_regions WHERE article_id IN ({of_page}) \
             ) AS r WHERE true ON CONFLICT DO NOTHING"
        ))
        .bind(&key)
        .bind($date)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(&format!(
            "DELETE FROM article_regions WHERE article_id IN ({of_page}) AND date <> $2"
        ))
        .bind(&key)
        .bind($date)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(&format!(
            "DELETE FROM undated_regions WHERE article_id IN ({of_page})"
        ))
        .bind(&key)
        .execute(&mut *$tx)
        .await?;
        // Re-filed articles are new to the edition they join: feeds and the next digest see
        // them as changed content.
        let articles =
            sqlx::query("UPDATE articles SET date = $2, stored_us = $3 WHERE page_key = $1")
                .bind(&key)
                .bind($date)
                .bind(micros($now))
                .execute(&mut *$tx)
                .await?
                .rows_affected();
        sqlx::query("UPDATE pages SET date = $2, date_source = $3, updated_us = $4 WHERE key = $1")
            .bind(&key)
            .bind($date)
            .bind(DateSource::Metadata.as_str())
            .bind(micros($now))
            .execute(&mut *$tx)
            .await?;
        sqlx::query("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
            .execute(&mut *$tx)
            .await?;
        PageDated {
            key,
            source,
            previous,
            previous_source,
            date: $date,
            articles: usize::try_from(articles).unwrap_or(usize::MAX),
        }
    }};
}

impl Store {
    /// The articles of undated pages filed under `region` (a parent aggregates its counties),
    /// most recently ingested first, then in page order; at most `limit`. `date` is the ingest
    /// day and `date_source` is `Ingested`. No edition, feed or digest contains them.
    pub async fn undated_articles(
        &self,
        region: &RegionCode,
        limit: usize,
    ) -> Result<Vec<StoredArticle>, StoreError> {
        let (lo, hi) = region_range(region)?;
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN pages p ON p.key = a.page_key \
             WHERE a.id IN (SELECT article_id FROM undated_regions WHERE region BETWEEN $1 AND $2) \
             ORDER BY a.date DESC, a.page_key, a.position LIMIT $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<ArticleRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(lo).bind(hi).bind(limit).fetch_all(pool).await?
        });
        into_stored(rows)
    }

    /// Undated pages, most recently ingested first: per county-level region and page, or with
    /// `region` per page within it (an article in several of its counties counts once).
    pub async fn undated_pages(
        &self,
        region: Option<&RegionCode>,
    ) -> Result<Vec<UndatedPage>, StoreError> {
        type Row = (String, String, Option<String>, NaiveDate, i64);
        let from = "FROM undated_regions ur JOIN articles a ON a.id = ur.article_id \
                    JOIN pages p ON p.key = a.page_key";
        let group = "p.key, p.source, p.paper, p.date";
        let rows: Vec<(RegionCode, Row)> = match region {
            Some(code) => {
                let (lo, hi) = region_range(code)?;
                let sql = format!(
                    "SELECT {group}, COUNT(DISTINCT ur.article_id) {from} \
                     WHERE ur.region BETWEEN $1 AND $2 \
                     GROUP BY {group} ORDER BY p.date DESC, p.key"
                );
                let rows: Vec<Row> = on_pool!(self, pool => {
                    sqlx::query_as(&sql).bind(lo).bind(hi).fetch_all(pool).await?
                });
                rows.into_iter().map(|r| (code.clone(), r)).collect()
            }
            None => {
                let sql = format!(
                    "SELECT ur.region, {group}, COUNT(*) {from} \
                     GROUP BY ur.region, {group} ORDER BY p.date DESC, p.key, ur.region"
                );
                let rows: Vec<(i32, String, String, Option<String>, NaiveDate, i64)> =
                    on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
                rows.into_iter()
                    .map(|(r, k, s, p, d, n)| Ok((region_code(r)?, (k, s, p, d, n))))
                    .collect::<Result<_, StoreError>>()?
            }
        };
        Ok(rows
            .into_iter()
            .map(
                |(region, (key, source, paper, ingested, articles))| UndatedPage {
                    region,
                    key,
                    source,
                    paper,
                    ingested,
                    articles,
                },
            )
            .collect())
    }

    /// The stored articles of page `key` in page order (empty for an unknown key).
    pub async fn page_articles(&self, key: &str) -> Result<Vec<StoredArticle>, StoreError> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN pages p ON p.key = a.page_key \
             WHERE a.page_key = $1 ORDER BY a.position"
        );
        let rows: Vec<ArticleRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(key).fetch_all(pool).await?
        });
        into_stored(rows)
    }

    /// Files the page named `page` (its key, the path it was ingested from, or a path ending in
    /// its key) under `date` with `date_source = metadata`, in one transaction: its articles
    /// move from the undated list (or their old date) into the editions of `date`, marked as
    /// stored at `now`. A later re-ingest of the same text keeps the date; so does an undated
    /// correction of it. `NotFound` when no page has that name, `Conflict` when several do.
    pub async fn set_page_date(
        &self,
        page: &str,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<PageDated, StoreError> {
        match self {
            Store::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let dated = set_date!(tx, "", page, date, now);
                tx.commit().await?;
                Ok(dated)
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let dated = set_date!(tx, " FOR UPDATE", page, date, now);
                tx.commit().await?;
                Ok(dated)
            }
        }
    }
}
