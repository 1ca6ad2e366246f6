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
/// Newest articles a PostgreSQL search for Han words walks before it asks the index.
const WINDOW: i64 = 1000;
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

/// An article as the index takes it.
pub(super) struct Doc<'a> {
    pub id: &'a str,
    /// Its terms, separated by spaces.
    pub terms: String,
    /// See [`terms::folds_han`] (SQLite keeps it beside the index).
    pub folds: bool,
}

/// The index documents of the articles of `pages` (the rows just inserted).
pub(super) fn documents<'a>(pages: impl Iterator<Item = &'a NewPage>) -> Vec<Doc<'a>> {
    pages
        .flat_map(|p| p.articles.iter())
        .map(|a| Doc {
            id: a.id.as_str(),
            terms: terms::article_terms(&a.article).join(" "),
            folds: terms::article_folds_han(&a.article),
        })
        .collect()
}

/// Indexes articles just inserted (SQLite): their `search_docs` rows, then their terms.
pub(super) async fn index_sqlite(
    tx: &mut Transaction<'static, Sqlite>,
    docs: &[Doc<'_>],
) -> Result<(), StoreError> {
    for chunk in docs.chunks(256) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO search_docs (article_id, folds) ");
        q.push_values(chunk, |mut b, d| {
            b.push_bind(d.id).push_bind(d.folds);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut **tx).await?;
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO article_fts (rowid, terms) \
             SELECT d.docid, v.column2 FROM search_docs d JOIN (",
        );
        q.push_values(chunk, |mut b, d| {
            b.push_bind(d.id).push_bind(d.terms.as_str());
        });
        q.push(") AS v ON d.article_id = v.column1");
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Indexes articles just inserted (PostgreSQL).
pub(super) async fn index_postgres(
    tx: &mut Transaction<'static, sqlx::Postgres>,
    docs: &[Doc<'_>],
) -> Result<(), StoreError> {
    if docs.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = docs.iter().map(|d| d.id).collect();
    let vectors: Vec<String> = docs
        .iter()
        .map(|d| {
            let t: Vec<String> = d.terms.split(' ').map(str::to_string).collect();
            terms::tsvector(&t)
        })
        .collect();
    let folds: Vec<bool> = docs.iter().map(|d| d.folds).collect();
    sqlx::query(
        "INSERT INTO article_search (article_id, terms, folds) \
         SELECT id, v::tsvector, f FROM UNNEST($1::text[], $2::text[], $3::bool[]) AS u(id, v, f) \
         ON CONFLICT (article_id) DO UPDATE SET terms = EXCLUDED.terms, folds = EXCLUDED.folds",
    )
    .bind(&ids)
    .bind(&vectors)
    .bind(&folds)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Completes the index for rows stored before it (or before a column of it) existed, once:
/// a no-op costing a query or two otherwise.
pub(super) async fn backfill(store: &Store) -> Result<(), StoreError> {
    backfill_index(store).await?;
    backfill_folds(store).await
}

/// An article's indexed texts: id, title, kicker, subtitle, body.
type Texts = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// Whether the one-time job `key` (a `meta` mark left by a migration) is still to be done.
async fn pending(store: &Store, key: &str) -> Result<bool, StoreError> {
    let mark: Option<i64> = on_pool!(store, pool => {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?
    });
    Ok(mark.is_some())
}

/// Removes the mark of the one-time job `key`: done.
async fn done(store: &Store, key: &str) -> Result<(), StoreError> {
    on_pool!(store, pool => {
        sqlx::query("DELETE FROM meta WHERE key = $1")
            .bind(key)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// The next `BACKFILL_BATCH` articles' texts in id order after `after`.
async fn texts_after(store: &Store, after: &str) -> Result<Vec<Texts>, StoreError> {
    Ok(on_pool!(store, pool => {
        sqlx::query_as(
            "SELECT id, title, kicker, subtitle, body FROM articles \
             WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BACKFILL_BATCH)
        .fetch_all(pool)
        .await?
    }))
}

/// The headline lines of a row of [`Texts`] that are there.
fn headlines(row: &Texts) -> impl Iterator<Item = &String> {
    [&row.1, &row.2, &row.3].into_iter().flatten()
}

/// Indexes the articles stored before the index existed, once (the migration leaves a
/// `search_backfill` mark when there were any).
async fn backfill_index(store: &Store) -> Result<(), StoreError> {
    if !pending(store, "search_backfill").await? {
        return Ok(());
    }
    tracing::info!("indexing stored articles for search (once)");
    let mut after = String::new();
    loop {
        let rows = texts_after(store, &after).await?;
        let Some(last) = rows.last() else { break };
        after = last.0.clone();
        let docs: Vec<Doc<'_>> = rows
            .iter()
            .map(|row| {
                let mut t = Vec::new();
                for part in headlines(row) {
                    t.extend(terms::text_terms(part));
                }
                t.extend(terms::text_terms(&row.4));
                Doc {
                    id: &row.0,
                    terms: t.join(" "),
                    folds: folds(row),
                }
            })
            .collect();
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
    done(store, "search_backfill").await
}

/// [`terms::folds_han`] of any of a row's texts.
fn folds(row: &Texts) -> bool {
    headlines(row).any(|t| terms::folds_han(t)) || terms::folds_han(&row.4)
}

/// Works out `folds` of the rows indexed before that column existed, once (the migration
/// leaves a `search_folds_backfill` mark when there were any). Until then they count as
/// folding, which is slower to search but misses nothing.
async fn backfill_folds(store: &Store) -> Result<(), StoreError> {
    if !pending(store, "search_folds_backfill").await? {
        return Ok(());
    }
    let mut after = String::new();
    loop {
        let rows = texts_after(store, &after).await?;
        let Some(last) = rows.last() else { break };
        after = last.0.clone();
        let plain: Vec<&str> = rows
            .iter()
            .filter(|row| !folds(row))
            .map(|r| r.0.as_str())
            .collect();
        if plain.is_empty() {
            continue;
        }
        match store {
            Store::Sqlite(pool) => {
                let mut q = QueryBuilder::<Sqlite>::new(
                    "UPDATE search_docs SET folds = 0 WHERE article_id IN (",
                );
                let mut list = q.separated(", ");
                for id in &plain {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
                let mut tx = super::sqlite::begin_write(pool, true).await?;
                q.build().execute(&mut *tx).await?;
                tx.commit().await?;
            }
            Store::Postgres(pool) => {
                sqlx::query("UPDATE article_search SET folds = FALSE WHERE article_id = ANY($1)")
                    .bind(&plain)
                    .execute(pool)
                    .await?;
            }
        }
    }
    done(store, "search_folds_backfill").await
}

/// How a search for a common word tells, article by article (walking them newest first),
/// whether one matches: for a query of `n` Han words (bound as `$5`, `$6`, …) in an article
/// that does not fold (`folds`, see `terms::folds_han`), the index's match and a substring
/// test of its texts agree (the index matches a Han word exactly where its characters stand
/// together), so the substring test, a fraction of the cost of the index's seek, decides;
/// folding articles and other queries are asked of the index (`matches`). In CASE, so that
/// the index is asked only where needed.
fn dense_check(n: usize, folds: &str, matches: &str, position: &str) -> String {
    if n == 0 {
        return matches.to_string();
    }
    format!(
        "CASE WHEN {folds} THEN {matches} ELSE {} END",
        holds_words(n, position)
    )
}

/// SQL that is true when each of `n` words (bound as `$5`, `$6`, …) stands in one of an
/// article's indexed texts, using the backend's substring function `position` (`instr`,
/// `strpos`: 0 when absent). With no words (a query not all Han) it is true.
fn holds_words(n: usize, position: &str) -> String {
    let mut sql = String::from("(TRUE");
    for i in 5..5 + n {
        sql.push_str(&format!(
            " AND ({position}(a.body, ${i}) > 0 OR {position}(COALESCE(a.title, ''), ${i}) > 0 \
             OR {position}(COALESCE(a.kicker, ''), ${i}) > 0 \
             OR {position}(COALESCE(a.subtitle, ''), ${i}) > 0)"
        ));
    }
    sql.push(')');
    sql
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
                let words = s.query.han_words().unwrap_or_default();
                let sql = if probe < DENSE {
                    format!(
                        "SELECT {ARTICLE_COLUMNS} FROM article_fts f \
                         JOIN search_docs d ON d.docid = f.rowid \
                         JOIN articles a ON a.id = d.article_id \
                         JOIN pages p ON p.key = a.page_key \
                         WHERE article_fts MATCH $1 {FILTERS}"
                    )
                } else {
                    // Each article checked on its own, newest first (see `dense_check`).
                    // Numbered `?N`: the words are bound after the filters.
                    let check = dense_check(
                        words.len(),
                        "d.folds",
                        "EXISTS (SELECT 1 FROM article_fts \
                                 WHERE article_fts MATCH $1 AND rowid = d.docid)",
                        "instr",
                    );
                    format!(
                        "SELECT {ARTICLE_COLUMNS} FROM articles a INDEXED BY articles_date \
                         JOIN search_docs d ON d.article_id = a.id \
                         JOIN pages p ON p.key = a.page_key \
                         WHERE {check} {FILTERS}"
                    )
                    .replace('$', "?")
                };
                let mut query = sqlx::query_as(&sql)
                    .bind(&fts)
                    .bind(lo)
                    .bind(hi)
                    .bind(limit);
                if probe >= DENSE {
                    for w in words {
                        query = query.bind(w);
                    }
                }
                query
                    .fetch_all(pool)
                    .await
                    .map_err(|e| super::sqlite::name_busy(pool, e.into()))?
            }
            Store::Postgres(pool) => {
                let words = s.query.han_words().unwrap_or_default();
                let check = dense_check(words.len(), "s.folds", "s.terms @@ $1::tsquery", "strpos");
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
                // A common Han word: its newest matches are among the newest articles, found
                // walking them with the substring test. GIN cannot stop early (it builds the
                // whole bitmap of a term first, even to count to `DENSE`), so the walk is
                // tried first over a bounded window; when it finds fewer than asked for, the
                // index reads them all.
                if !words.is_empty() {
                    let sql = format!(
                        "SELECT {ARTICLE_COLUMNS} FROM (SELECT * FROM articles \
                             ORDER BY date DESC, id DESC LIMIT {WINDOW}) a \
                         JOIN pages p ON p.key = a.page_key \
                         JOIN article_search s ON s.article_id = a.id \
                         WHERE {check} {FILTERS}"
                    );
                    let mut query = sqlx::query_as(&sql)
                        .bind(s.query.tsquery())
                        .bind(lo)
                        .bind(hi)
                        .bind(limit);
                    for w in words {
                        query = query.bind(w);
                    }
                    let rows: Vec<ArticleRow> = query.fetch_all(&mut *tx).await?;
                    if rows.len() as i64 >= limit {
                        tx.commit().await?;
                        return Ok(rows);
                    }
                }
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
                    // Newest first, as on SQLite (see `dense_check`).
                    format!(
                        "SELECT {ARTICLE_COLUMNS} FROM articles a \
                         JOIN pages p ON p.key = a.page_key \
                         JOIN article_search s ON s.article_id = a.id \
                         WHERE {check} {FILTERS}"
                    )
                };
                let mut query = sqlx::query_as(&sql)
                    .bind(s.query.tsquery())
                    .bind(lo)
                    .bind(hi)
                    .bind(limit);
                if probe >= DENSE {
                    for w in words {
                        query = query.bind(w);
                    }
                }
                let rows = query.fetch_all(&mut *tx).await?;
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
