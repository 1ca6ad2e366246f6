//! Subscribers and their subscriptions (regions), for both backends.
//!
//! Owned by the mail stage; only SQL lives here, the rules (double opt-in, what goes into a
//! digest) are in `crate::mail`. Times are Unix seconds so both backends store and compare
//! them the same way. The digest send ledger is in `super::ledger` (its types are re-exported
//! here for older import paths); this module must not touch ledger rows except to delete a
//! removed subscriber's.

use serde::Serialize;

use super::sqlite::begin_write;
use super::{Store, StoreError};
use crate::model::RegionCode;

pub use super::ledger::{LedgerEntry, LedgerOutcome, LedgerStatus};

/// A digest subscriber and the regions they chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscriber {
    pub id: i64,
    /// Lower-cased address.
    pub email: String,
    pub created_at: i64,
    /// Unix seconds of confirmation; None until the confirmation link is used (no digests).
    pub confirmed_at: Option<i64>,
    /// When the last confirmation mail went out (rate limit).
    pub confirm_sent_at: Option<i64>,
    /// Last permanent delivery failure (SMTP 5xx), if any.
    pub last_error: Option<String>,
    /// When the subscriber paused their digests (manage page); None while they go out.
    pub paused_at: Option<i64>,
    pub regions: Vec<RegionCode>,
}

/// What `upsert_subscriber` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Upsert {
    /// A new subscriber.
    Created,
    /// An existing one had its regions replaced (and was confirmed if asked).
    Updated,
    /// An existing confirmed subscriber, left as it was.
    Unchanged,
}

#[derive(sqlx::FromRow)]
struct SubscriberRow {
    id: i64,
    email: String,
    created_at: i64,
    confirmed_at: Option<i64>,
    confirm_sent_at: Option<i64>,
    last_error: Option<String>,
    paused_at: Option<i64>,
}

/// SQL is written once with `$n` placeholders; SQLite spells them `?n`.
pub(super) fn q(sqlite: bool, sql: &str) -> String {
    if sqlite {
        sql.replace('$', "?")
    } else {
        sql.to_string()
    }
}

/// Runs the same body against whichever pool the store has (each arm type-checks on its own).
/// On SQLite, a wait for the database that ran out is reported naming the file.
macro_rules! on_pool {
    ($store:expr, |$pool:ident, $lite:ident| $body:expr) => {
        match $store {
            Store::Sqlite($pool) => {
                let $lite = true;
                async { Ok::<_, StoreError>($body) }
                    .await
                    .map_err(|e| super::sqlite::name_busy($pool, e))?
            }
            Store::Postgres($pool) => {
                let $lite = false;
                $body
            }
        }
    };
}

pub(super) use on_pool;

/// Inside an `on_pool!` write transaction `tx`: makes `regions` exactly subscriber `id`'s.
macro_rules! replace_regions {
    ($tx:ident, $lite:ident, $id:expr, $regions:expr) => {
        sqlx::query(&q($lite, "DELETE FROM subscriptions WHERE subscriber_id = $1"))
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        for r in $regions {
            sqlx::query(&q(
                $lite,
                "INSERT INTO subscriptions (subscriber_id, region) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            ))
            .bind($id)
            .bind(r.as_str())
            .execute(&mut *$tx)
            .await?;
        }
    };
}

fn region_list(codes: Vec<String>) -> Result<Vec<RegionCode>, StoreError> {
    codes
        .into_iter()
        .map(|c| RegionCode::parse(&c).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
}

const SUBSCRIBER_COLUMNS: &str =
    "id, email, created_at, confirmed_at, confirm_sent_at, last_error, paused_at FROM subscribers";

impl Store {
    /// Adds a subscriber, or updates an existing address: an unconfirmed one (or any, when
    /// `confirm` is set by an operator) gets `regions` instead of its old ones; a confirmed one
    /// is left unchanged when the request comes from the public form (`confirm == false`).
    pub async fn upsert_subscriber(
        &self,
        email: &str,
        regions: &[RegionCode],
        confirm: bool,
        now: i64,
    ) -> Result<(Subscriber, Upsert), StoreError> {
        let email = email.to_lowercase();
        let confirmed_at = confirm.then_some(now);
        let (id, outcome) = on_pool!(self, |pool, lite| {
            // It reads the address before it writes: on SQLite it takes the write lock first.
            let mut tx = begin_write(pool, lite).await?;
            let existing: Option<(i64, Option<i64>)> = sqlx::query_as(&q(
                lite,
                "SELECT id, confirmed_at FROM subscribers WHERE email = $1",
            ))
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
            let (id, outcome) = match existing {
                Some((id, Some(_))) if !confirm => (id, Upsert::Unchanged),
                Some((id, _)) => {
                    sqlx::query(&q(
                        lite,
                        "UPDATE subscribers SET confirmed_at = COALESCE(confirmed_at, $1) WHERE id = $2",
                    ))
                    .bind(confirmed_at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    (id, Upsert::Updated)
                }
                None => {
                    let (id,): (i64,) = sqlx::query_as(&q(
                        lite,
                        "INSERT INTO subscribers (email, created_at, confirmed_at) VALUES ($1, $2, $3) RETURNING id",
                    ))
                    .bind(&email)
                    .bind(now)
                    .bind(confirmed_at)
                    .fetch_one(&mut *tx)
                    .await?;
                    (id, Upsert::Created)
                }
            };
            if outcome != Upsert::Unchanged {
                replace_regions!(tx, lite, id, regions);
            }
            tx.commit().await?;
            (id, outcome)
        });
        let sub = self
            .subscriber(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("subscriber {id}")))?;
        Ok((sub, outcome))
    }

    /// One subscriber by id, with regions.
    pub async fn subscriber(&self, id: i64) -> Result<Option<Subscriber>, StoreError> {
        let sql = format!("SELECT {SUBSCRIBER_COLUMNS} WHERE id = $1");
        let row: Option<SubscriberRow> = on_pool!(self, |pool, lite| {
            sqlx::query_as(&q(lite, &sql))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some(r) => Ok(Some(self.with_regions(r).await?)),
            None => Ok(None),
        }
    }

    /// One subscriber by address (case-insensitive).
    pub async fn subscriber_by_email(&self, email: &str) -> Result<Option<Subscriber>, StoreError> {
        let sql = format!("SELECT {SUBSCRIBER_COLUMNS} WHERE email = $1");
        let email = email.to_lowercase();
        let row: Option<SubscriberRow> = on_pool!(self, |pool, lite| {
            sqlx::query_as(&q(lite, &sql))
                .bind(&email)
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some(r) => Ok(Some(self.with_regions(r).await?)),
            None => Ok(None),
        }
    }

    /// Every subscriber (confirmed or not), by id.
    pub async fn subscribers(&self) -> Result<Vec<Subscriber>, StoreError> {
        self.subscriber_list(false).await
    }

    /// Confirmed subscribers who have not paused: the only ones who receive digests.
    pub async fn confirmed_subscribers(&self) -> Result<Vec<Subscriber>, StoreError> {
        self.subscriber_list(true).await
    }

    async fn subscriber_list(&self, confirmed: bool) -> Result<Vec<Subscriber>, StoreError> {
        let filter = if confirmed {
            " WHERE confirmed_at IS NOT NULL AND paused_at IS NULL"
        } else {
            ""
        };
        let sql = format!("SELECT {SUBSCRIBER_COLUMNS}{filter} ORDER BY id");
        let rows: Vec<SubscriberRow> = on_pool!(self, |pool, lite| sqlx::query_as(&q(lite, &sql))
            .fetch_all(pool)
            .await?);
        let regions: Vec<(i64, String)> = on_pool!(self, |pool, lite| {
            sqlx::query_as(&q(
                lite,
                "SELECT subscriber_id, region FROM subscriptions ORDER BY subscriber_id, region",
            ))
            .fetch_all(pool)
            .await?
        });
        let mut by_id: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for (id, r) in regions {
            by_id.entry(id).or_default().push(r);
        }
        rows.into_iter()
            .map(|r| {
                let codes = by_id.remove(&r.id).unwrap_or_default();
                Ok(subscriber_from(r, region_list(codes)?))
            })
            .collect()
    }

    async fn with_regions(&self, row: SubscriberRow) -> Result<Subscriber, StoreError> {
        let codes: Vec<(String,)> = on_pool!(self, |pool, lite| {
            sqlx::query_as(&q(
                lite,
                "SELECT region FROM subscriptions WHERE subscriber_id = $1 ORDER BY region",
            ))
            .bind(row.id)
            .fetch_all(pool)
            .await?
        });
        let regions = region_list(codes.into_iter().map(|(c,)| c).collect())?;
        Ok(subscriber_from(row, regions))
    }

    /// Marks a subscriber confirmed (idempotent); None when there is no such subscriber.
    pub async fn confirm_subscriber(
        &self,
        id: i64,
        now: i64,
    ) -> Result<Option<Subscriber>, StoreError> {
        on_pool!(self, |pool, lite| {
            sqlx::query(&q(
                lite,
                "UPDATE subscribers SET confirmed_at = COALESCE(confirmed_at, $1) WHERE id = $2",
            ))
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?;
        });
        self.subscriber(id).await
    }

    /// Records that a confirmation mail was sent now (the per-address rate limit reads it).
    pub async fn mark_confirm_sent(&self, id: i64, now: i64) -> Result<(), StoreError> {
        on_pool!(self, |pool, lite| {
            sqlx::query(&q(
                lite,
                "UPDATE subscribers SET confirm_sent_at = $1 WHERE id = $2",
            ))
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records a permanent delivery failure against a subscriber.
    pub async fn record_delivery_failure(
        &self,
        id: i64,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |pool, lite| {
            sqlx::query(&q(
                lite,
                "UPDATE subscribers SET last_error = $1, failed_at = $2 WHERE id = $3",
            ))
            .bind(error)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Makes `regions` exactly the subscriber's regions (the manage page); None when there is
    /// no such subscriber. One transaction: a failure leaves the old regions.
    pub async fn set_regions(
        &self,
        id: i64,
        regions: &[RegionCode],
    ) -> Result<Option<Subscriber>, StoreError> {
        let found = on_pool!(self, |pool, lite| {
            let mut tx = begin_write(pool, lite).await?;
            let exists: Option<(i64,)> =
                sqlx::query_as(&q(lite, "SELECT id FROM subscribers WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_some() {
                replace_regions!(tx, lite, id, regions);
            }
            tx.commit().await?;
            exists.is_some()
        });
        if !found {
            return Ok(None);
        }
        self.subscriber(id).await
    }

    /// Pauses (`Some(now)`) or resumes (`None`) a subscriber's digests; pausing an already
    /// paused subscriber keeps the first time. None when there is no such subscriber.
    pub async fn set_paused(
        &self,
        id: i64,
        paused_at: Option<i64>,
    ) -> Result<Option<Subscriber>, StoreError> {
        let sql = match paused_at {
            Some(_) => "UPDATE subscribers SET paused_at = COALESCE(paused_at, $1) WHERE id = $2",
            None => "UPDATE subscribers SET paused_at = $1 WHERE id = $2",
        };
        on_pool!(self, |pool, lite| {
            sqlx::query(&q(lite, sql))
                .bind(paused_at)
                .bind(id)
                .execute(pool)
                .await?;
        });
        self.subscriber(id).await
    }

    /// Removes a subscriber, their regions and ledger rows; false when there was none.
    pub async fn remove_subscriber(&self, id: i64) -> Result<bool, StoreError> {
        let removed = on_pool!(self, |pool, lite| {
            let mut tx = begin_write(pool, lite).await?;
            for sql in [
                "DELETE FROM subscriptions WHERE subscriber_id = $1",
                "DELETE FROM digest_ledger WHERE subscriber_id = $1",
            ] {
                sqlx::query(&q(lite, sql))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let done = sqlx::query(&q(lite, "DELETE FROM subscribers WHERE id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            done.rows_affected() > 0
        });
        Ok(removed)
    }
}

fn subscriber_from(r: SubscriberRow, regions: Vec<RegionCode>) -> Subscriber {
    Subscriber {
        id: r.id,
        email: r.email,
        created_at: r.created_at,
        confirmed_at: r.confirmed_at,
        confirm_sent_at: r.confirm_sent_at,
        last_error: r.last_error,
        paused_at: r.paused_at,
        regions,
    }
}
