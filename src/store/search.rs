//! Full-text search over articles' titles and bodies (migration `0006_search.sql`): writing an
//! article's terms (`terms.rs`) into the index with the article, and reading matches newest
//! first. SQLite indexes the terms with FTS5, PostgreSQL as a `tsvector` under GIN; both match
//! a query as phrases of consecutive terms, so both give the same articles.
//!
//! Only dated articles are found (an undated page is in no feed; see `pages.rs`). A search is
//! bounded: at most `MAX_RESULTS` rows, and `SEARCH_TIMEOUT` of database time.

use std::time::Duration;

use sqlx::{QueryBuilder, Sqlite, Transaction};

use super::read::on_pool;
use super::rows::{into_stored, region_range, ArticleRow, ARTICLE_COLUMNS};
use super::terms::{self, SearchQuery};
use super::{NewPage, Store, StoreError, StoredArticle};
use crate::model::RegionCode;

/// Most results one search returns.
pub const MAX_RESULTS: usize = 200;
/// How long one search may run before it is abandoned (`StoreError::Timeout`).
pub const SEARCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Matches from which a search walks the articles newest first, checking each against the
/// index, instead of sorting every match by date.
const DENSE: i64 = 2000;
/// Articles indexed per statement when the index is filled for articles stored before it.
const BACKFILL_BATCH: i64 = 500;

/// What to search for.
#[derive(Debug, Clone)]
pub struct Search {
    pub query: SearchQuery,
    /// Only articles filed under this county, prefecture or province.
    pub region: Option<RegionCode>,
    /// At most this many (capped at `MAX_RESULTS`).
    pub limit: usize,
}

/// The article ids and terms of the articles of `pages` (the rows just inserted).
pub(super) fn documents<'a>(pages: impl Iterator<Item = &'a NewPage>) -> Vec<(&'a str, String)> {
    pages
        .flat_map(|p| p.articles.iter())
        .map(|a| (a.id.as_str(), terms::article_terms(&a.article).join(" ")))
        .collect()
}

/// Indexes articles just inserted (SQLite): their `search_docs` rows, then their terms.
pub(super) async fn index_sqlite(
    tx: &mut Transaction<'static, Sqlite>,
    docs: &[(&str, String)],
) -> Result<(), StoreError> {
    for chunk in docs.chunks(256) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO search_docs (article_id) ");
        q.push_values(chunk, |mut b, (id, _)| {
            b.push_bind(*id);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut **tx).await?;
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO article_fts (rowid, terms) \
             SELECT d.docid, v.column2 FROM search_docs d JOIN (",
        );
        q.push_values(chunk, |mut b, (id, terms)| {
            b.push_bind(*id).push_bind(terms.as_str());
        });
        q.push(") AS v ON d.article_id = v.column1");
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Indexes articles just inserted (PostgreSQL).
pub(super) async fn index_postgres(
    tx: &mut Transaction<'static, sqlx::Postgres>,
    docs: &[(&str, String)],
) -> Result<(), StoreError> {
    if docs.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = docs.iter().map(|(id, _)| *id).collect();
    let vectors: Vec<String> = docs
        .iter()
        .map(|(_, t)| {
            let t: Vec<String> = t.split(' ').map(str::to_string).collect();
            terms::tsvector(&t)
        })
        .collect();
    sqlx::query(
        "INSERT INTO article_search (article_id, terms) \
         SELECT id, v::tsvector FROM UNNEST($1::text[], $2::text[]) AS u(id, v) \
         ON CONFLICT (article_id) DO UPDATE SET terms = EXCLUDED.terms",
    )
    .bind(&ids)
    .bind(&vectors)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Indexes the articles stored before the index existed, once (the migration leaves a
/// `search_backfill` mark when there were any); a no-op costing one query otherwise.
pub(super) async fn backfill(store: &Store) -> Result<(), StoreError> {
    let pending: Option<i64> = on_pool!(store, pool => {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'search_backfill'")
            .fetch_optional(pool)
            .await?
    });
    if pending.is_none() {
        return Ok(());
    }
    tracing::info!("indexing stored articles for search (once)");
    let mut after = String::new();
    loop {
        type Row = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = on_pool!(store, pool => {
            sqlx::query_as(
                "SELECT id, title, kicker, subtitle, body FROM articles \
                 WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(&after)
            .bind(BACKFILL_BATCH)
            .fetch_all(pool)
            .await?
        });
        let Some(last) = rows.last() else { break };
        after = last.0.clone();
        let docs: Vec<(String, String)> = rows
            .into_iter()
            .map(|(id, title, kicker, subtitle, body)| {
                let mut t = Vec::new();
                for part in [title, kicker, subtitle].into_iter().flatten() {
                    t.extend(terms::text_terms(&part));
                }
                t.extend(terms::text_terms(&body));
                (id, t.join(" "))
            })
            .collect();
        let docs: Vec<(&str, String)> = docs.iter().map(|(i, t)| (i.as_str(), t.clone())).collect();
        match store {
            Store::Sqlite(pool) => {
                let mut tx = super::sqlite::begin_write(pool, true).await?;
                index_sqlite(&mut tx, &docs).await?;
                tx.commit().await?;
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                index_postgres(&mut tx, &docs).await?;
                tx.commit().await?;
            }
        }
    }
    on_pool!(store, pool => {
        sqlx::query("DELETE FROM meta WHERE key = 'search_backfill'")
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// The `WHERE` part shared by the search and the reference scan: dated articles, in a region.
const FILTERS: &str = " AND p.date_source <> 'ingested' \
     AND ($2 IS NULL OR EXISTS (SELECT 1 FROM article_regions ar \
          WHERE ar.article_id = a.id AND ar.region BETWEEN $2 AND $3)) \
     ORDER BY a.date DESC, a.id DESC LIMIT $4";

/// Articles matching `s`, newest first (date, then id descending).
pub(super) async fn search(store: &Store, s: &Search) -> Result<Vec<StoredArticle>, StoreError> {
    let (lo, hi) = match &s.region {
        Some(code) => {
            let (lo, hi) = region_range(code)?;
            (Some(lo), Some(hi))
        }
        None => (None, None),
    };
    let limit = i64::try_from(s.limit.min(MAX_RESULTS)).unwrap_or(0);
    let run = async {
        let rows: Vec<ArticleRow> = match store {
            Store::Sqlite(pool) => {
                let fts = s.query.fts5();
                // Few matches: take them all from the index and sort them by date. Many: walk
                // the articles newest first, keeping those among the matches, which stops as
                // soon as enough are found (sorting every match of a common word would not).
                let probe: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM (SELECT 1 FROM article_fts \
                     WHERE article_fts MATCH $1 LIMIT $2)",
                )
                .bind(&fts)
                .bind(DENSE)
                .fetch_one(pool)
                .await
                .map_err(|e| super::sqlite::name_busy(pool, e.into()))?;
                let sql = if probe < DENSE {
                    format!(
                        "SELECT {ARTICLE_COLUMNS} FROM article_fts f \
                         JOIN search_docs d ON d.docid = f.rowid \
                         JOIN articles a ON a.id = d.article_id \
                         JOIN pages p ON p.key = a.page_key \
                         WHERE article_fts MATCH $1 {FILTERS}"
                    )
                } else {
                    // Each article checked on its own: the index seeks to its row.
                    format!(
                        "SELECT {ARTICLE_COLUMNS} FROM articles a INDEXED BY articles_date \
                         JOIN search_docs d ON d.article_id = a.id \
                         JOIN pages p ON p.key = a.page_key \
                         WHERE EXISTS (SELECT 1 FROM article_fts \
                                       WHERE article_fts MATCH $1 AND rowid = d.docid) {FILTERS}"
                    )
                };
                sqlx::query_as(&sql)
                    .bind(&fts)
                    .bind(lo)
                    .bind(hi)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
                    .map_err(|e| super::sqlite::name_busy(pool, e.into()))?
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // The server stops the query itself, rather than it running on unobserved.
                let ms = SEARCH_TIMEOUT.as_millis();
                sqlx::query(&format!("SET LOCAL statement_timeout = {ms}"))
                    .execute(&mut *tx)
                    .await?;
                // Planned for this query's words: a plan made for any words (a prepared
                // statement's generic plan) cannot tell a rare word, best found through the
                // index, from a common one, best found walking the articles newest first.
                sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
                    .execute(&mut *tx)
                    .await?;
                // As on SQLite, decided by counting (up to `DENSE`) rather than left to the
                // planner, whose estimate for a term it has no statistics on is a guess.
                let probe: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM (SELECT 1 FROM article_search \
                     WHERE terms @@ $1::tsquery LIMIT $2) AS m",
                )
                .bind(s.query.tsquery())
                .bind(DENSE)
                .fetch_one(&mut *tx)
                .await?;
                let sql = if probe < DENSE {
                    format!(
                        "WITH m AS MATERIALIZED (SELECT article_id FROM article_search \
                                                 WHERE terms @@ $1::tsquery) \
                         SELECT {ARTICLE_COLUMNS} FROM m JOIN articles a ON a.id = m.article_id \
                         JOIN pages p ON p.key = a.page_key WHERE TRUE {FILTERS}"
                    )
                } else {
                    format!(
                        "SELECT {ARTICLE_COLUMNS} FROM articles a \
                         JOIN pages p ON p.key = a.page_key \
                         WHERE EXISTS (SELECT 1 FROM article_search s \
                                       WHERE s.article_id = a.id AND s.terms @@ $1::tsquery) \
                         {FILTERS}"
                    )
                };
                let rows = sqlx::query_as(&sql)
                    .bind(s.query.tsquery())
                    .bind(lo)
                    .bind(hi)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                rows
            }
        };
        Ok::<_, StoreError>(rows)
    };
    let rows = tokio::time::timeout(SEARCH_TIMEOUT + Duration::from_millis(500), run)
        .await
        .map_err(|_| StoreError::Timeout(format!("search took over {SEARCH_TIMEOUT:?}")))??;
    into_stored(rows)
}

/// The same search done by scanning every article with `LIKE '%word%'` (no index): the
/// reference the search benchmark measures the index against. Not for serving.
pub(super) async fn scan(store: &Store, s: &Search) -> Result<Vec<StoredArticle>, StoreError> {
    let (lo, hi) = match &s.region {
        Some(code) => {
            let (lo, hi) = region_range(code)?;
            (Some(lo), Some(hi))
        }
        None => (None, None),
    };
    let pattern = format!(
        "%{}%",
        s.query.words.first().map(String::as_str).unwrap_or("")
    );
    let sql = format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN pages p ON p.key = a.page_key \
         WHERE (a.title LIKE $1 OR a.body LIKE $1) {FILTERS}"
    );
    let limit = i64::try_from(s.limit).unwrap_or(0);
    let rows: Vec<ArticleRow> = on_pool!(store, pool => {
        sqlx::query_as(&sql)
            .bind(&pattern)
            .bind(lo)
            .bind(hi)
            .bind(limit)
            .fetch_all(pool)
            .await?
    });
    into_stored(rows)
}
