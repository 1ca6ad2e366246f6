//! Read queries, shared by both backends: the SQL is portable (`$n` parameters work in SQLite and
//! PostgreSQL) and the row types decode from either, so each query is written once and run on
//! whichever pool the store holds.
//!
//! Each read is described by a [`Read`] and turned into its SQL and arguments by [`statement`],
//! the one place the text of these queries lives: the read runs that statement, and
//! `Store::explain` shows the plan of exactly the same statement with the same arguments.
//!
//! Parent regions aggregate their counties' rows through indexes on the code divided down to
//! the parent (`region / 100`, `region / 10000`: the integer range `rows::region_range` names,
//! in date order); an article filed under several counties of one parent is selected once
//! (`DISTINCT`, `IN (subquery)` or `COUNT(DISTINCT …)`), never once per county. Every read walks
//! an index over the rows it returns (or, for a listing, the days it lists), never the whole
//! table: `Store::explain` shows the plans, the scale benchmark prints them at a million
//! articles.

use chrono::NaiveDate;

use super::rows::{
    from_micros, into_stored, region_code, region_number, region_range, ArticleRow, ARTICLE_COLUMNS,
};
use super::{EditionQuery, EditionSummary, RegionActivity, Store, StoreError, StoredArticle};
use crate::model::{RegionCode, RegionLevel};

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

/// Binds `$args` (a slice of [`Arg`]) to the query `$q` in order (inside [`on_pool!`], so once
/// per backend).
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for arg in $args {
            q = match arg {
                Arg::Region(v) => q.bind(*v),
                Arg::Int(v) => q.bind(*v),
                Arg::Date(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
            };
        }
        q
    }};
}

pub(super) use bind_args;

/// A read of the request path, as `Store::explain` takes it: the same arguments as the
/// `Store` method of the same name.
#[derive(Debug, Clone)]
pub enum Read {
    /// `Store::editions`
    Editions(EditionQuery),
    /// `Store::edition_articles`
    EditionArticles(RegionCode, NaiveDate),
    /// `Store::region_articles`
    RegionArticles(RegionCode, usize, Option<(NaiveDate, String)>),
    /// `Store::latest_articles`
    LatestArticles(usize, Option<(NaiveDate, String)>),
    /// `Store::adjacent_editions`
    AdjacentEditions(RegionCode, NaiveDate),
    /// `Store::article`
    Article(String),
    /// `Store::regions`
    Regions,
    /// `Store::revision`
    Revision,
}

/// A bound argument of a read statement.
#[derive(Debug, Clone)]
pub(super) enum Arg {
    Region(i32),
    Int(i64),
    Date(Option<NaiveDate>),
    Text(Option<String>),
}

fn limit(n: Option<usize>) -> i64 {
    n.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// The indexed expression that selects the county rows of `code` in `article_regions`, and
/// its value: a county's own code, or the code divided as the parent indexes of migration
/// `0009_region_walks.sql` divide it (`region / 100` for a prefecture, `region / 10000` for a
/// province), so that a parent's reads walk its rows in date order like a county's.
fn within(code: &RegionCode) -> Result<(&'static str, i32), StoreError> {
    let n = region_number(code)?;
    Ok(match code.level() {
        RegionLevel::County => ("ar.region", n),
        RegionLevel::Prefecture => ("ar.region / 100", n / 100),
        RegionLevel::Province => ("ar.region / 10000", n / 10000),
    })
}

/// The SQL of `read` and its arguments in `$n` order.
pub(super) fn statement(read: &Read) -> Result<(String, Vec<Arg>), StoreError> {
    use Arg::{Date, Int, Region, Text};
    let article = |from_where: &str| format!("SELECT {ARTICLE_COLUMNS} {from_where}");
    Ok(match read {
        // Walks the region's rows newest day first and stops after `limit` days.
        Read::Editions(q) => match &q.region {
            Some(code) => {
                let (expr, value) = within(code)?;
                (
                    format!(
                        "SELECT ar.date, COUNT(DISTINCT ar.article_id), MAX(a.stored_us) \
                         FROM article_regions ar JOIN articles a ON a.id = ar.article_id \
                         WHERE {expr} = $1 \
                           AND ($2 IS NULL OR ar.date >= $2) AND ($3 IS NULL OR ar.date < $3) \
                         GROUP BY ar.date ORDER BY ar.date DESC LIMIT $4"
                    ),
                    vec![
                        Region(value),
                        Date(q.since),
                        Date(q.before),
                        Int(limit(q.limit)),
                    ],
                )
            }
            // Every edition (`paperboy editions`, not a request): one pass over the whole index
            // costs less than counting each edition on its own.
            None if q.limit.is_none() => (
                "SELECT ar.region, ar.date, COUNT(*), MAX(a.stored_us) \
                 FROM article_regions ar JOIN articles a ON a.id = ar.article_id \
                 WHERE ($1 IS NULL OR ar.date >= $1) AND ($2 IS NULL OR ar.date < $2) \
                 GROUP BY ar.region, ar.date ORDER BY ar.date DESC, ar.region"
                    .into(),
                vec![Date(q.since), Date(q.before)],
            ),
            // The newest editions (the home page) from `region_days`, newest day first, each
            // counted in its own index range.
            None => (
                "SELECT d.region, d.date, \
                        (SELECT COUNT(*) FROM article_regions ar \
                         WHERE ar.region = d.region AND ar.date = d.date), \
                        (SELECT MAX(a.stored_us) FROM article_regions ar \
                         JOIN articles a ON a.id = ar.article_id \
                         WHERE ar.region = d.region AND ar.date = d.date) \
                 FROM region_days d \
                 WHERE ($1 IS NULL OR d.date >= $1) AND ($2 IS NULL OR d.date < $2) \
                 ORDER BY d.date DESC, d.region LIMIT $3"
                    .into(),
                vec![Date(q.since), Date(q.before), Int(limit(q.limit))],
            ),
        },
        Read::EditionArticles(region, date) => {
            let (expr, value) = within(region)?;
            (
                article(&format!(
                    "FROM articles a JOIN pages p ON p.key = a.page_key \
                     WHERE a.date = $2 AND a.id IN (SELECT ar.article_id FROM article_regions ar \
                         WHERE {expr} = $1 AND ar.date = $2) \
                     ORDER BY a.page_key, a.position"
                )),
                vec![Region(value), Date(Some(*date))],
            )
        }
        // The newest ids come from the region's index rows (an article in several counties of
        // a parent once); only those articles are read.
        Read::RegionArticles(region, n, before) => {
            let (expr, value) = within(region)?;
            let (before_date, before_id) = before.clone().unzip();
            (
                article(&format!(
                    "FROM (SELECT DISTINCT ar.date, ar.article_id FROM article_regions ar \
                           WHERE {expr} = $1 AND ($2 IS NULL OR ar.date < $2 \
                                 OR (ar.date = $2 AND ar.article_id < $3)) \
                           ORDER BY ar.date DESC, ar.article_id DESC LIMIT $4) r \
                     JOIN articles a ON a.id = r.article_id JOIN pages p ON p.key = a.page_key \
                     ORDER BY a.date DESC, a.id DESC"
                )),
                vec![
                    Region(value),
                    Date(before_date),
                    Text(before_id),
                    Int(limit(Some(*n))),
                ],
            )
        }
        Read::LatestArticles(n, before) => {
            let (before_date, before_id) = before.clone().unzip();
            (
                article(
                    "FROM articles a JOIN pages p ON p.key = a.page_key \
                     WHERE EXISTS (SELECT 1 FROM article_regions ar WHERE ar.article_id = a.id) \
                       AND ($1 IS NULL OR a.date < $1 OR (a.date = $1 AND a.id < $2)) \
                     ORDER BY a.date DESC, a.id DESC LIMIT $3",
                ),
                vec![Date(before_date), Text(before_id), Int(limit(Some(*n)))],
            )
        }
        Read::AdjacentEditions(region, date) => {
            let (expr, value) = within(region)?;
            (
                format!(
                    "SELECT (SELECT MAX(ar.date) FROM article_regions ar \
                             WHERE {expr} = $1 AND ar.date < $2), \
                            (SELECT MIN(ar.date) FROM article_regions ar \
                             WHERE {expr} = $1 AND ar.date > $2)"
                ),
                vec![Region(value), Date(Some(*date))],
            )
        }
        Read::Article(id) => (
            article("FROM articles a JOIN pages p ON p.key = a.page_key WHERE a.id = $1"),
            vec![Text(Some(id.clone()))],
        ),
        // Kept by triggers as articles come and go (migration 0009): one row per region.
        Read::Regions => (
            "SELECT region, latest, editions FROM region_activity ORDER BY region".into(),
            Vec::new(),
        ),
        Read::Revision => (
            "SELECT value FROM meta WHERE key = 'revision'".into(),
            Vec::new(),
        ),
    })
}

/// Runs the article read `read`.
async fn articles(store: &Store, read: &Read) -> Result<Vec<StoredArticle>, StoreError> {
    let (sql, args) = statement(read)?;
    let rows: Vec<ArticleRow> = on_pool!(store, pool => {
        bind_args!(sqlx::query_as(&sql), &args).fetch_all(pool).await?
    });
    into_stored(rows)
}

pub(super) async fn editions(
    store: &Store,
    q: &EditionQuery,
) -> Result<Vec<EditionSummary>, StoreError> {
    let (sql, args) = statement(&Read::Editions(q.clone()))?;
    match &q.region {
        Some(code) => {
            let rows: Vec<(NaiveDate, i64, i64)> = on_pool!(store, pool => {
                bind_args!(sqlx::query_as(&sql), &args).fetch_all(pool).await?
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
                bind_args!(sqlx::query_as(&sql), &args).fetch_all(pool).await?
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
    articles(store, &Read::EditionArticles(region.clone(), date)).await
}

pub(super) async fn region_articles(
    store: &Store,
    region: &RegionCode,
    limit_n: usize,
    before: Option<(NaiveDate, String)>,
) -> Result<Vec<StoredArticle>, StoreError> {
    articles(
        store,
        &Read::RegionArticles(region.clone(), limit_n, before),
    )
    .await
}

pub(super) async fn article(store: &Store, id: &str) -> Result<Option<StoredArticle>, StoreError> {
    let (sql, args) = statement(&Read::Article(id.to_string()))?;
    let row: Option<ArticleRow> = on_pool!(store, pool => {
        bind_args!(sqlx::query_as(&sql), &args).fetch_optional(pool).await?
    });
    row.map(ArticleRow::into_stored).transpose()
}

pub(super) async fn regions(store: &Store) -> Result<Vec<RegionActivity>, StoreError> {
    let (sql, _) = statement(&Read::Regions)?;
    let rows: Vec<(i32, NaiveDate, i64)> = on_pool!(store, pool => {
        sqlx::query_as(&sql).fetch_all(pool).await?
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
    let (sql, _) = statement(&Read::Revision)?;
    let value: i64 = on_pool!(store, pool => {
        sqlx::query_scalar(&sql).fetch_one(pool).await?
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
        articles(self, &Read::LatestArticles(limit_n, before)).await
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
        let (sql, args) = statement(&Read::AdjacentEditions(region.clone(), date))?;
        let row: (Option<NaiveDate>, Option<NaiveDate>) = on_pool!(self, pool => {
            bind_args!(sqlx::query_as(&sql), &args).fetch_one(pool).await?
        });
        Ok(row)
    }
}
