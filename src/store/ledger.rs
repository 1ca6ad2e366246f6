//! The digest send ledger: one row per (subscriber, day) digest, for both backends.
//!
//! Owned by the mail stage; only SQL lives here, the sending rules are in `crate::mail`.
//! Days are `YYYY-MM-DD` text and times Unix seconds so both backends compare them alike.
//!
//! The ledger makes each (subscriber, day) digest go out at most once and, barring a crash
//! between the SMTP server's acceptance and the `sent` mark, exactly once: a run *claims* the
//! row first (an atomic `INSERT … ON CONFLICT DO NOTHING` or a conditional `UPDATE … RETURNING`,
//! which PostgreSQL and SQLite both serialise per row), sends, then marks it. A claim carries its
//! owner and a lease; another run may take over a claim once the lease has run out or at once
//! when the caller names its owner as dead (see `crate::mail::scheduler`), a `failed`
//! (transient) or `empty` row at once, and never a `sent` or `rejected` one (except, when asked,
//! a `sent` row marked `uncertain`). Before the SMTP transaction a run records its *intent*
//! (`intent_at`, and the Message-ID) on its claimed row, so a successor that takes over a claim
//! with an intent knows that digest may have been delivered.
//! It must not decide what a digest holds or whether to send it: callers pass outcomes in.

use chrono::NaiveDate;
use serde::Serialize;

use super::sqlite::begin_write;
use super::subscribers::{on_pool, q};
use super::{Store, StoreError};

/// State of one ledger row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LedgerStatus {
    /// A run is sending it (until `lease_until`).
    Claimed,
    /// Accepted by the mail server: never sent again.
    Sent,
    /// Transient failure after the retries: the next run tries again.
    Failed,
    /// Permanent failure (5xx): recorded against the subscriber, not retried.
    Rejected,
    /// Nothing new for this subscriber: no mail (a later run of the same day looks again).
    Empty,
}

impl LedgerStatus {
    /// Name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerStatus::Claimed => "claimed",
            LedgerStatus::Sent => "sent",
            LedgerStatus::Failed => "failed",
            LedgerStatus::Rejected => "rejected",
            LedgerStatus::Empty => "empty",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "claimed" => Self::Claimed,
            "sent" => Self::Sent,
            "failed" => Self::Failed,
            "rejected" => Self::Rejected,
            "empty" => Self::Empty,
            other => return Err(StoreError::Corrupt(format!("ledger status {other:?}"))),
        })
    }
}

/// One row of the send ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub subscriber_id: i64,
    pub day: NaiveDate,
    pub status: LedgerStatus,
    pub owner: String,
    pub lease_until: i64,
    pub attempts: i64,
    pub editions: i64,
    pub through_day: Option<NaiveDate>,
    pub message_id: Option<String>,
    pub content_at: Option<i64>,
    pub error: Option<String>,
    /// When the claiming run was about to hand the digest to the mail server (cleared by the
    /// mark).
    pub intent_at: Option<i64>,
    /// On a claimed row: it inherits a digest that may have been delivered. On a `sent` row: it
    /// was found so and not sent again (at-most-once).
    pub uncertain: bool,
}

/// How a claimed row ends.
#[derive(Debug, Clone)]
pub struct LedgerOutcome<'a> {
    pub status: LedgerStatus,
    pub editions: i64,
    pub through_day: Option<NaiveDate>,
    pub message_id: Option<&'a str>,
    pub content_at: Option<i64>,
    pub error: Option<&'a str>,
    /// A `sent` row whose delivery is not known (at-most-once: not sent again).
    pub uncertain: bool,
}

/// What a batch claim found for one subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimState {
    /// Claimed by this call; `uncertain`: the row inherits a digest that may have been
    /// delivered (a dead run's intent, or a `sent` row marked uncertain taken over on request).
    Mine { uncertain: bool },
    /// Finished earlier with this status (`uncertain`: a `sent` row not known to be delivered).
    Done {
        status: LedgerStatus,
        uncertain: bool,
    },
    /// Claimed by another run that is not known to be dead.
    Held,
}

/// Which existing claims a batch claim may take over besides those past their lease.
#[derive(Debug, Clone, Copy, Default)]
pub struct Takeover<'a> {
    /// Owners known to be dead (their process is gone): their claims are taken at once.
    pub dead_owners: &'a [String],
    /// Also take `sent` rows marked uncertain (at-least-once for the crash window).
    pub uncertain: bool,
}

#[derive(sqlx::FromRow)]
struct LedgerRow {
    subscriber_id: i64,
    day: String,
    status: String,
    owner: String,
    lease_until: i64,
    attempts: i64,
    editions: i64,
    through_day: Option<String>,
    message_id: Option<String>,
    content_at: Option<i64>,
    error: Option<String>,
    intent_at: Option<i64>,
    uncertain: i64,
}

pub(super) fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("ledger day {s:?}")))
}

impl LedgerRow {
    fn into_entry(self) -> Result<LedgerEntry, StoreError> {
        Ok(LedgerEntry {
            subscriber_id: self.subscriber_id,
            day: parse_day(&self.day)?,
            status: LedgerStatus::parse(&self.status)?,
            owner: self.owner,
            lease_until: self.lease_until,
            attempts: self.attempts,
            editions: self.editions,
            through_day: self.through_day.as_deref().map(parse_day).transpose()?,
            message_id: self.message_id,
            content_at: self.content_at,
            error: self.error,
            intent_at: self.intent_at,
            uncertain: self.uncertain != 0,
        })
    }
}

const LEDGER_COLUMNS: &str = "subscriber_id, day, status, owner, lease_until, attempts, editions, \
     through_day, message_id, content_at, error, intent_at, uncertain";

/// Rows written by one statement of a batch: 8 parameters a row stays far below SQLite's
/// limit of 32,766 parameters and PostgreSQL's 65,535.
pub(super) const ROWS_PER_STATEMENT: usize = 500;

/// `$first, $first+1, …` (`count` of them): one placeholder per listed value.
pub(super) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statement that marks `rows` ledger rows: `$1` the time, `$2` the day, `$3` the owner,
/// then eight parameters a row (id, status, editions, through_day, message_id, content_at,
/// error, uncertain). VALUES columns are column1… on both backends (neither needs a column
/// list). The mark clears the intent: the row's outcome is known now.
pub(super) fn finish_sql(lite: bool, rows: usize) -> String {
    let values = (0..rows)
        .map(|i| format!("({})", placeholders(4 + i * 8, 8)))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "UPDATE digest_ledger SET status = v.column2, editions = v.column3, \
         through_day = v.column4, message_id = v.column5, content_at = v.column6, \
         error = v.column7, uncertain = v.column8, intent_at = NULL, updated_at = $1 \
         FROM (VALUES {values}) AS v \
         WHERE digest_ledger.subscriber_id = v.column1 AND digest_ledger.day = $2 \
         AND digest_ledger.owner = $3 AND {}",
        still_claimed(lite)
    )
}

/// The condition that a ledger row joined by its key is still claimed. On SQLite the status
/// term is written `+status` so that it cannot use the (day, status) index: with it, SQLite
/// walks every claimed row of the day for each row of the VALUES list (a run's marks grew with
/// the square of the subscribers); without it each row is found by its primary key.
pub(super) fn still_claimed(lite: bool) -> &'static str {
    match lite {
        true => "+digest_ledger.status = 'claimed'",
        false => "digest_ledger.status = 'claimed'",
    }
}

impl Store {
    /// Tries to claim the (subscriber, day) digest for `owner` until `lease_until`.
    ///
    /// Returns the claimed row, or None when it is sent, rejected, or claimed by a live run.
    /// Atomic on both backends: of several concurrent callers exactly one gets `Some`.
    pub async fn claim_digest(
        &self,
        subscriber: i64,
        day: NaiveDate,
        owner: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<LedgerEntry>, StoreError> {
        let day = day_text(day);
        let insert = format!(
            "INSERT INTO digest_ledger (subscriber_id, day, status, owner, lease_until, attempts, updated_at) \
             VALUES ($1, $2, 'claimed', $3, $4, 1, $5) ON CONFLICT DO NOTHING RETURNING {LEDGER_COLUMNS}"
        );
        let take_over = format!(
            "UPDATE digest_ledger SET status = 'claimed', owner = $1, lease_until = $2, \
             attempts = attempts + 1, updated_at = $3 \
             WHERE subscriber_id = $4 AND day = $5 \
             AND (status IN ('failed', 'empty') OR (status = 'claimed' AND lease_until < $3)) \
             RETURNING {LEDGER_COLUMNS}"
        );
        let row: Option<LedgerRow> = on_pool!(self, |pool, lite| {
            let fresh: Option<LedgerRow> = sqlx::query_as(&q(lite, &insert))
                .bind(subscriber)
                .bind(&day)
                .bind(owner)
                .bind(lease_until)
                .bind(now)
                .fetch_optional(pool)
                .await?;
            match fresh {
                Some(r) => Some(r),
                None => {
                    sqlx::query_as(&q(lite, &take_over))
                        .bind(owner)
                        .bind(lease_until)
                        .bind(now)
                        .bind(subscriber)
                        .bind(&day)
                        .fetch_optional(pool)
                        .await?
                }
            }
        });
        row.map(LedgerRow::into_entry).transpose()
    }

    /// Claims the day's digests of several subscribers in one transaction (see
    /// `claim_digest`), also taking over what `takeover` allows; returns what it found for
    /// each id, in input order. Three statements per `ROWS_PER_STATEMENT` ids, whatever their
    /// number: one inserts the rows not yet in the ledger, one takes over those whose claim
    /// may be taken over, one reads back the state of the rest. A subscriber removed while the
    /// run goes on is left out, not an error.
    pub async fn claim_digests(
        &self,
        subscribers: &[i64],
        day: NaiveDate,
        owner: &str,
        now: i64,
        lease_until: i64,
        takeover: Takeover<'_>,
    ) -> Result<Vec<(i64, ClaimState)>, StoreError> {
        let day = day_text(day);
        let mut found = std::collections::HashMap::new();
        on_pool!(self, |pool, lite| {
            let mut tx = begin_write(pool, lite).await?;
            for ids in subscribers.chunks(ROWS_PER_STATEMENT) {
                let list = placeholders(5, ids.len());
                let insert = format!(
                    "INSERT INTO digest_ledger (subscriber_id, day, status, owner, lease_until, attempts, updated_at) \
                     SELECT s.id, $1, 'claimed', $2, $3, 1, $4 FROM subscribers s \
                     WHERE s.id IN ({list}) ON CONFLICT DO NOTHING"
                );
                let sql = q(lite, &insert);
                let mut query = sqlx::query(&sql)
                    .bind(&day)
                    .bind(owner)
                    .bind(lease_until)
                    .bind(now);
                for id in ids {
                    query = query.bind(id);
                }
                query.execute(&mut *tx).await?;
                // SET reads the row as it was: a taken-over claim that had an intent, or an
                // uncertain `sent` row, is flagged uncertain for its new owner.
                let dead = placeholders(5 + ids.len(), takeover.dead_owners.len());
                let dead_clause = match takeover.dead_owners.is_empty() {
                    true => String::new(),
                    false => format!(" OR owner IN ({dead})"),
                };
                let uncertain_clause = match takeover.uncertain {
                    true => " OR (status = 'sent' AND uncertain = 1)",
                    false => "",
                };
                let take_over = format!(
                    "UPDATE digest_ledger SET status = 'claimed', owner = $1, lease_until = $2, \
                     attempts = attempts + 1, updated_at = $3, \
                     uncertain = CASE WHEN status = 'sent' \
                     OR (status = 'claimed' AND (intent_at IS NOT NULL OR uncertain = 1)) \
                     THEN 1 ELSE 0 END, intent_at = NULL \
                     WHERE day = $4 AND subscriber_id IN ({list}) AND owner <> $1 \
                     AND (status IN ('failed', 'empty') \
                     OR (status = 'claimed' AND (lease_until < $3{dead_clause})){uncertain_clause})"
                );
                let sql = q(lite, &take_over);
                let mut query = sqlx::query(&sql)
                    .bind(owner)
                    .bind(lease_until)
                    .bind(now)
                    .bind(&day);
                for id in ids {
                    query = query.bind(id);
                }
                for o in takeover.dead_owners {
                    query = query.bind(o);
                }
                query.execute(&mut *tx).await?;
                let read = format!(
                    "SELECT subscriber_id, status, owner, uncertain FROM digest_ledger \
                     WHERE day = $1 AND subscriber_id IN ({})",
                    placeholders(2, ids.len())
                );
                let sql = q(lite, &read);
                let mut query = sqlx::query_as::<_, (i64, String, String, i64)>(&sql).bind(&day);
                for id in ids {
                    query = query.bind(id);
                }
                for (id, status, holder, uncertain) in query.fetch_all(&mut *tx).await? {
                    found.insert(id, (status, holder, uncertain != 0));
                }
            }
            tx.commit().await?;
        });
        let mut out = Vec::with_capacity(found.len());
        for id in subscribers {
            let Some((status, holder, uncertain)) = found.remove(id) else {
                continue;
            };
            let status = LedgerStatus::parse(&status)?;
            let state = match status {
                LedgerStatus::Claimed if holder == owner => ClaimState::Mine { uncertain },
                LedgerStatus::Claimed => ClaimState::Held,
                status => ClaimState::Done { status, uncertain },
            };
            out.push((*id, state));
        }
        Ok(out)
    }

    /// The newest `sent` digest before `day` of every subscriber that has one.
    pub async fn last_sent_digests(
        &self,
        day: NaiveDate,
    ) -> Result<std::collections::HashMap<i64, LedgerEntry>, StoreError> {
        let cols = LEDGER_COLUMNS
            .split(", ")
            .map(|c| format!("l.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM digest_ledger l JOIN (SELECT subscriber_id, MAX(day) AS last \
             FROM digest_ledger WHERE status = 'sent' AND day < $1 GROUP BY subscriber_id) m \
             ON l.subscriber_id = m.subscriber_id AND l.day = m.last"
        );
        let day = day_text(day);
        let rows: Vec<LedgerRow> = on_pool!(self, |pool, lite| {
            sqlx::query_as(&q(lite, &sql))
                .bind(&day)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|r| r.into_entry().map(|e| (e.subscriber_id, e)))
            .collect()
    }

    /// Ends `owner`'s claims on several rows of one day with their outcomes, in one
    /// transaction and one statement per
    /// `ROWS_PER_STATEMENT` rows; returns how many were still `owner`'s.
    pub async fn finish_digests(
        &self,
        day: NaiveDate,
        owner: &str,
        rows: &[(i64, LedgerOutcome<'_>)],
        now: i64,
    ) -> Result<usize, StoreError> {
        let day = day_text(day);
        let done = on_pool!(self, |pool, lite| {
            // One statement is a transaction of its own: a batch that fits one needs no
            // BEGIN and COMMIT (two round trips fewer per group commit).
            let mut tx = match rows.len() > ROWS_PER_STATEMENT {
                true => Some(begin_write(pool, lite).await?),
                false => None,
            };
            let mut done = 0;
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let sql = q(lite, &finish_sql(lite, chunk.len()));
                let mut query = sqlx::query(&sql).bind(now).bind(&day).bind(owner);
                for (id, outcome) in chunk {
                    query = query
                        .bind(id)
                        .bind(outcome.status.as_str())
                        .bind(outcome.editions)
                        .bind(outcome.through_day.map(day_text))
                        .bind(outcome.message_id)
                        .bind(outcome.content_at)
                        .bind(outcome.error)
                        .bind(i64::from(outcome.uncertain));
                }
                let result = match tx.as_mut() {
                    Some(tx) => query.execute(&mut **tx).await?,
                    None => query.execute(pool).await?,
                };
                done += result.rows_affected() as usize;
            }
            if let Some(tx) = tx {
                tx.commit().await?;
            }
            done
        });
        Ok(done)
    }

    /// The newest `sent` digest of a subscriber strictly before `day`: where the next starts.
    pub async fn last_sent_digest(
        &self,
        subscriber: i64,
        day: NaiveDate,
    ) -> Result<Option<LedgerEntry>, StoreError> {
        let sql = format!(
            "SELECT {LEDGER_COLUMNS} FROM digest_ledger WHERE subscriber_id = $1 AND day < $2 \
             AND status = 'sent' ORDER BY day DESC LIMIT 1"
        );
        let day = day_text(day);
        let row: Option<LedgerRow> = on_pool!(self, |pool, lite| {
            sqlx::query_as(&q(lite, &sql))
                .bind(subscriber)
                .bind(&day)
                .fetch_optional(pool)
                .await?
        });
        row.map(LedgerRow::into_entry).transpose()
    }

    /// Ledger rows of one day (None: all days), by subscriber then day.
    pub async fn digest_ledger(
        &self,
        day: Option<NaiveDate>,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let filter = if day.is_some() { " WHERE day = $1" } else { "" };
        let sql = format!(
            "SELECT {LEDGER_COLUMNS} FROM digest_ledger{filter} ORDER BY subscriber_id, day"
        );
        let day = day.map(day_text);
        let rows: Vec<LedgerRow> = on_pool!(self, |pool, lite| {
            let text = q(lite, &sql);
            let mut query = sqlx::query_as(&text);
            if let Some(d) = &day {
                query = query.bind(d);
            }
            query.fetch_all(pool).await?
        });
        rows.into_iter().map(LedgerRow::into_entry).collect()
    }
}
