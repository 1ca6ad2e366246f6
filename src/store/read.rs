//! Read queries, shared by both backends: the SQL is portable (`$n` parameters work in SQLite and
//! PostgreSQL) and the row types decode from either, so each query is written once and run on
//! whichever pool the store holds.
//!
//! Parent regions aggregate through the integer region range (see `rows::region_range`); an
//! article filed under several counties of one parent is selected once (`IN (subquery)` or
//! `COUNT(DISTINCT …)`), never once per county.

use chrono::NaiveDate;

use super::rows::{
    from_micros, into_stored, region_code, region_range, ArticleRow, ARTICLE_COLUMNS,
};
use super::{EditionQuery, EditionSummary, RegionActivity, Store, StoreError, StoredArticle};
use crate::model::RegionCode;

/// Runs `$body` with `$pool` bound to whichever pool the store holds (the body is compiled once
/// per backend, so every bound and decoded type must work on both). On SQLite, a wait for a
/// connection that ran out is reported naming the file.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool) => async { Ok::<_, StoreError>($body) }
                .await
                .map_err(|e| super::sqlite::name_busy($pool, e))?,
            Store::Postgres($pool) => $body,
        }
    };
}

pub(super) use on_pool;

fn limit(n: Option<usize>) -> i64 {
    n.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

pub(super) async fn editions(
    store: &Store,
    q: &EditionQuery,
) -> Result<Vec<EditionSummary>, StoreError> {
    let limit = limit(q.limit);
    match &q.region {
        Some(code) => {
            let (lo, hi) = region_range(code)?;
            let rows: Vec<(NaiveDate, i64, i64)> = on_pool!(store, pool => {
                sqlx::query_as(
                    "SELECT ar.date, COUNT(DISTINCT ar.article_id), MAX(a.stored_us) \
                     FROM article_regions ar JOIN articles a ON a.id = ar.article_id \
                     WHERE ar.region BETWEEN $1 AND $2 \
                       AND ($3 IS NULL OR ar.date >= $3) AND ($4 IS NULL OR ar.date < $4) \
                     GROUP BY ar.date ORDER BY ar.date DESC LIMIT $5",
                )
                .bind(lo)
                .bind(hi)
                .bind(q.since)
                .bind(q.before)
                .bind(limit)
                .fetch_all(pool)
                .await?
            });
            rows.into_iter()
                .map(|(date, articles, updated)| {
                    Ok(EditionSummary {
                        region: code.clone(),
                        date,
                        articles,
                        updated_at: from_micros(updated)?,
                    })
                })
                .collect()
        }
        None => {
            let rows: Vec<(i32, NaiveDate, i64, i64)> = on_pool!(store, pool => {
                sqlx::query_as(
                    "SELECT ar.region, ar.date, COUNT(*), MAX(a.stored_us) \
                     FROM article_regions ar JOIN articles a ON a.id = ar.article_id \
                     WHERE ($1 IS NULL OR ar.date >= $1) AND ($2 IS NULL OR ar.date < $2) \
                     GROUP BY ar.region, ar.date ORDER BY ar.date DESC, ar.region LIMIT $3",
                )
                .bind(q.since)
                .bind(q.before)
                .bind(limit)
                .fetch_all(pool)
                .await?
            });
            rows.into_iter()
                .map(|(region, date, articles, updated)| {
                    Ok(EditionSummary {
                        region: region_code(region)?,
                        date,
                        articles,
                        updated_at: from_micros(updated)?,
                    })
                })
                .collect()
        }
    }
}

pub(super) async fn edition_articles(
    store: &Store,
    region: &RegionCode,
    date: NaiveDate,
) -> Result<Vec<StoredArticle>, StoreError> {
    let (lo, hi) = region_range(region)?;
    let sql = format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN pages p ON p.key = a.page_key \
         WHERE a.date = $3 AND a.id IN (SELECT article_id FROM article_regions \
             WHERE region BETWEEN $1 AND $2 AND date = $3) \
         ORDER BY a.page_key, a.position"
    );
    let rows: Vec<ArticleRow> = on_pool!(store, pool => {
        sqlx::query_as(&sql).bind(lo).bind(hi).bind(date).fetch_all(pool).await?
    });
    into_stored(rows)
}

pub(super) async fn region_articles(
    store: &Store,
    region: &RegionCode,
    limit_n: usize,
    before: Option<(NaiveDate, String)>,
) -> Result<Vec<StoredArticle>, StoreError> {
    let (lo, hi) = region_range(region)?;
    let (before_date, before_id) = before.unzip();
    let sql = format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN pages p ON p.key = a.page_key \
         WHERE a.id IN (SELECT article_id FROM article_regions WHERE region BETWEEN $1 AND $2) \
           AND ($3 IS NULL OR a.date < $3 OR (a.date = $3 AND a.id < $4)) \
         ORDER BY a.date DESC, a.id DESC LIMIT $5"
    );
    let rows: Vec<ArticleRow> = on_pool!(store, pool => {
        sqlx::query_as(&sql)
            .bind(lo)
            .bind(hi)
            .bind(before_date)
            .bind(before_id.clone())
            .bind(limit(Some(limit_n)))
            .fetch_all(pool)
            .await?
    });
    into_stored(rows)
}

pub(super) async fn article(store: &Store, id: &str) -> Result<Option<StoredArticle>, StoreError> {
    let sql = format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN pages p ON p.key = a.page_key \
         WHERE a.id = $1"
    );
    let row: Option<ArticleRow> = on_pool!(store, pool => {
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
    });
    row.map(ArticleRow::into_stored).transpose()
}

pub(super) async fn regions(store: &Store) -> Result<Vec<RegionActivity>, StoreError> {
    let rows: Vec<(i32, NaiveDate, i64)> = on_pool!(store, pool => {
        sqlx::query_as(
            "SELECT region, MAX(date), COUNT(DISTINCT date) FROM article_regions \
             GROUP BY region ORDER BY region",
        )
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .map(|(region, latest, editions)| {
            Ok(RegionActivity {
                region: region_code(region)?,
                latest,
                editions,
            })
        })
        .collect()
}

pub(super) async fn revision(store: &Store) -> Result<i64, StoreError> {
    // Health checks read the revision every second: a removed file is noticed there.
    if let Store::Sqlite(pool) = store {
        super::sqlite::still_there(pool)?;
    }
    let value: i64 = on_pool!(store, pool => {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'revision'")
            .fetch_one(pool)
            .await?
    });
    Ok(value)
}

impl Store {
    /// The newest dated articles of every region (the all-regions feed), newest first (by
    /// date, then id descending), at most `limit`, strictly after the `(date, id)` cursor
    /// `before` when given. Articles of undated pages are in no region index and not listed.
    pub async fn latest_articles(
        &self,
        limit_n: usize,
        before: Option<(NaiveDate, String)>,
    ) -> Result<Vec<StoredArticle>, StoreError> {
        let (before_date, before_id) = before.unzip();
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN pages p ON p.key = a.page_key \
             WHERE EXISTS (SELECT 1 FROM article_regions ar WHERE ar.article_id = a.id) \
               AND ($1 IS NULL OR a.date < $1 OR (a.date = $1 AND a.id < $2)) \
             ORDER BY a.date DESC, a.id DESC LIMIT $3"
        );
        let rows: Vec<ArticleRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(before_date)
                .bind(before_id.clone())
                .bind(limit(Some(limit_n)))
                .fetch_all(pool)
                .await?
        });
        into_stored(rows)
    }

    /// The articles of `region`'s editions from `from` to `to` (both included), newest day
    /// first, each day in the order [`Store::edition_articles`] gives it (page, then place on
    /// the page): `paperboy export` reads many editions with one query rather than one each.
    pub async fn editions_articles(
        &self,
        region: &RegionCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StoredArticle>, StoreError> {
        let (lo, hi) = region_range(region)?;
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN pages p ON p.key = a.page_key \
             WHERE a.date BETWEEN $3 AND $4 AND a.id IN (SELECT article_id FROM article_regions \
                 WHERE region BETWEEN $1 AND $2 AND date BETWEEN $3 AND $4) \
             ORDER BY a.date DESC, a.page_key, a.position"
        );
        let rows: Vec<ArticleRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(lo)
                .bind(hi)
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await?
        });
        into_stored(rows)
    }

    /// The days of `region`'s editions just before and just after `date` (previous, next).
    pub async fn adjacent_editions(
        &self,
        region: &RegionCode,
        date: NaiveDate,
    ) -> Result<(Option<NaiveDate>, Option<NaiveDate>), StoreError> {
        let (lo, hi) = region_range(region)?;
        let row: (Option<NaiveDate>, Option<NaiveDate>) = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT (SELECT MAX(date) FROM article_regions \
                         WHERE region BETWEEN $1 AND $2 AND date < $3), \
                        (SELECT MIN(date) FROM article_regions \
                         WHERE region BETWEEN $1 AND $2 AND date > $3)",
            )
            .bind(lo)
            .bind(hi)
            .bind(date)
            .fetch_one(pool)
            .await?
        });
        Ok(row)
    }
}
