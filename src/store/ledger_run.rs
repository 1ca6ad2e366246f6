//! The send ledger's writes while a digest run goes on: intents before the SMTP transaction,
//! the lease heartbeat, and the owners holding claims (so the run can tell dead ones).
//!
//! Only SQL lives here; `crate::mail::scheduler` decides when to call it and which owners are
//! dead. Times are Unix seconds, days `YYYY-MM-DD` text, as in `super::ledger`.

use chrono::NaiveDate;

use super::ledger::{day_text, placeholders, ROWS_PER_STATEMENT};
use super::sqlite::begin_write;
use super::subscribers::{on_pool, q};
use super::{Store, StoreError};

impl Store {
    /// Records on `owner`'s claimed rows of `day` that their digest (with this Message-ID) is
    /// about to go to the mail server; returns the ids recorded (a claim another run took over
    /// in the meantime is not, and its digest must not be sent). Committed when this returns.
    pub async fn record_digest_intents(
        &self,
        day: NaiveDate,
        owner: &str,
        rows: &[(i64, &str)],
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let day = day_text(day);
        let mut recorded = Vec::with_capacity(rows.len());
        on_pool!(self, |pool, lite| {
            let mut tx = match rows.len() > ROWS_PER_STATEMENT {
                true => Some(begin_write(pool, lite).await?),
                false => None,
            };
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let values = (0..chunk.len())
                    .map(|i| format!("({})", placeholders(4 + i * 2, 2)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = q(
                    lite,
                    &format!(
                        "UPDATE digest_ledger SET intent_at = $1, message_id = v.column2, \
                         updated_at = $1 FROM (VALUES {values}) AS v \
                         WHERE digest_ledger.subscriber_id = v.column1 \
                         AND digest_ledger.day = $2 AND digest_ledger.owner = $3 \
                         AND digest_ledger.status = 'claimed' \
                         RETURNING digest_ledger.subscriber_id"
                    ),
                );
                let mut query = sqlx::query_as::<_, (i64,)>(&sql)
                    .bind(now)
                    .bind(&day)
                    .bind(owner);
                for (id, message_id) in chunk {
                    query = query.bind(id).bind(*message_id);
                }
                let ids = match tx.as_mut() {
                    Some(tx) => query.fetch_all(&mut **tx).await?,
                    None => query.fetch_all(pool).await?,
                };
                recorded.extend(ids.into_iter().map(|r| r.0));
            }
            if let Some(tx) = tx {
                tx.commit().await?;
            }
        });
        Ok(recorded)
    }

    /// Extends the lease of `owner`'s open claims of `day` (the run's heartbeat, which keeps a
    /// live run's claims from being taken over by a run that cannot tell whether it is alive).
    pub async fn renew_digest_claims(
        &self,
        day: NaiveDate,
        owner: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<u64, StoreError> {
        let sql = "UPDATE digest_ledger SET lease_until = $1, updated_at = $2 \
                   WHERE day = $3 AND owner = $4 AND status = 'claimed'";
        let day = day_text(day);
        let done = on_pool!(self, |pool, lite| {
            sqlx::query(&q(lite, sql))
                .bind(lease_until)
                .bind(now)
                .bind(&day)
                .bind(owner)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }

    /// The owners of the open claims of `day` other than `except`.
    pub async fn digest_claim_owners(
        &self,
        day: NaiveDate,
        except: &str,
    ) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT DISTINCT owner FROM digest_ledger \
                   WHERE day = $1 AND status = 'claimed' AND owner <> $2";
        let day = day_text(day);
        let owners: Vec<(String,)> = on_pool!(self, |pool, lite| {
            sqlx::query_as(&q(lite, sql))
                .bind(&day)
                .bind(except)
                .fetch_all(pool)
                .await?
        });
        Ok(owners.into_iter().map(|o| o.0).collect())
    }
}
