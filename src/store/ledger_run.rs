//! The send ledger's writes while a digest run goes on: intents before the SMTP transaction,
//! the lease heartbeat, and the owners holding claims (so the run can tell dead ones).
//!
//! Only SQL lives here; `crate::mail::scheduler` decides when to call it and which owners are
//! dead. Times are Unix seconds, days `YYYY-MM-DD` text, as in `super::ledger`.

use chrono::NaiveDate;

use super::ledger::{day_text, placeholders, still_claimed, ROWS_PER_STATEMENT};
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
                let sql = q(lite, &intent_sql(lite, chunk.len()));
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

/// The statement that records intents on `rows` claimed rows: `$1` the time, `$2` the day, `$3`
/// the owner, then (id, Message-ID) a row.
fn intent_sql(lite: bool, rows: usize) -> String {
    let values = (0..rows)
        .map(|i| format!("({})", placeholders(4 + i * 2, 2)))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "UPDATE digest_ledger SET intent_at = $1, message_id = v.column2, updated_at = $1 \
         FROM (VALUES {values}) AS v WHERE digest_ledger.subscriber_id = v.column1 \
         AND digest_ledger.day = $2 AND digest_ledger.owner = $3 AND {} \
         RETURNING digest_ledger.subscriber_id",
        still_claimed(lite)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::super::ledger::finish_sql;
    use super::super::subscribers::q;
    use super::super::Store;
    use super::intent_sql;

    /// Intents and marks find each row by its primary key, not by walking the day's claimed
    /// rows through the (day, status) index once per row of the VALUES list, which SQLite
    /// chooses for the plain `status = 'claimed'` term and which made a run's marks grow with
    /// the square of its subscribers.
    #[tokio::test]
    async fn intents_and_marks_find_rows_by_primary_key_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("p.db").display());
        let Store::Sqlite(pool) = Store::connect(&url).await.unwrap() else {
            panic!("a sqlite:// URL opens SQLite");
        };
        for (sql, per_row) in [(intent_sql(true, 50), 2), (finish_sql(true, 50), 8)] {
            let sql = format!("EXPLAIN QUERY PLAN {}", q(true, &sql));
            let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&sql)
                .bind(1_i64)
                .bind("2026-12-05")
                .bind("run");
            for i in 0..50 * per_row {
                query = query.bind(i as i64);
            }
            let plan: Vec<String> = query
                .fetch_all(&pool)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.3)
                .collect();
            let ledger: Vec<&String> = plan
                .iter()
                .filter(|s| s.contains("digest_ledger"))
                .collect();
            assert_eq!(ledger.len(), 1, "{plan:?}");
            assert!(
                ledger[0].contains("(subscriber_id=? AND day=?)"),
                "the ledger is searched by its key: {plan:?}"
            );
            assert!(
                plan.iter().position(|s| s.contains("VALUES"))
                    < plan.iter().position(|s| s.contains("digest_ledger")),
                "the VALUES rows drive the search: {plan:?}"
            );
        }
    }
}
