//! What `serve` knows of its store: the last revision it read and whether the store answered
//! the last time it was asked.
//!
//! The revision is read at most once per second, by one request (or at once after a local
//! ingest), and never waited on longer than the store timeout (`[storage]
//! query_timeout_secs`). When that read fails or runs out, the store is *down*: the cache then
//! serves the documents it has (stale, since nobody can say whether they changed) and refuses
//! to render new ones without waiting, until a later read succeeds — so the server recovers by
//! itself when the database returns. `/healthz` reports the same state without waiting while a
//! failure is fresh.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use super::error::AppError;
use crate::store::Store;

/// How often the store revision is read, at most.
const CHECK_EVERY_MS: u64 = 1000;
/// Longest `/healthz` waits for the store: a database that cannot read one row in this time
/// is not healthy, and a load balancer's probe must not hang.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(1);
/// Revision value meaning "never read".
const UNKNOWN: i64 = i64::MIN;

/// The store revision as far as this process knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub value: i64,
    /// The store did not answer the last read: `value` may be out of date.
    pub stale: bool,
}

/// The store's last known revision and reachability.
pub struct StoreHealth {
    timeout: Duration,
    revision: AtomicI64,
    /// Milliseconds since `start` of the last read, successful or not (0: never).
    checked_at: AtomicU64,
    start: Instant,
    /// Why the last read failed; `None` while the store answers.
    down: RwLock<Option<String>>,
}

impl StoreHealth {
    /// Nothing known yet; every wait on the store is bounded by `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            revision: AtomicI64::new(UNKNOWN),
            checked_at: AtomicU64::new(0),
            start: Instant::now(),
            down: RwLock::new(None),
        }
    }

    /// Longest wait on the store for one request.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn now_ms(&self) -> u64 {
        // +1 so that 0 keeps meaning "never checked".
        self.start.elapsed().as_millis() as u64 + 1
    }

    /// Why the store is down, when its last read failed.
    pub fn down(&self) -> Option<String> {
        self.down.read().ok().and_then(|d| d.clone())
    }

    fn checked_recently(&self) -> bool {
        let last = self.checked_at.load(Ordering::Acquire);
        last != 0 && self.now_ms().saturating_sub(last) < CHECK_EVERY_MS
    }

    /// Records that the store failed (a read or a render ran out or errored).
    pub fn failed(&self, reason: String) {
        self.checked_at.store(self.now_ms(), Ordering::Release);
        if let Ok(mut down) = self.down.write() {
            if down.is_none() {
                tracing::warn!(error = %reason, "the database does not answer; serving cached documents");
            }
            *down = Some(reason);
        }
    }

    fn answered(&self, rev: i64) {
        self.revision.store(rev, Ordering::Release);
        self.checked_at.store(self.now_ms(), Ordering::Release);
        if let Ok(mut down) = self.down.write() {
            if down.take().is_some() {
                tracing::info!("the database answers again");
            }
        }
    }

    /// Reads the revision, waiting at most `limit`.
    async fn check(&self, store: &Store, limit: Duration) -> Result<i64, String> {
        let result = match tokio::time::timeout(limit, store.revision()).await {
            Ok(Ok(rev)) => Ok(rev),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "the database did not answer within {} s",
                limit.as_secs_f64()
            )),
        };
        match &result {
            Ok(rev) => self.answered(*rev),
            Err(reason) => self.failed(reason.clone()),
        }
        result
    }

    /// The revision to serve: read again when the last read is older than a second (one
    /// request does it; the others go on with what is known). Fails only when the revision
    /// was never read and cannot be now.
    pub async fn revision(&self, store: &Store) -> Result<Revision, AppError> {
        if self.revision.load(Ordering::Acquire) == UNKNOWN {
            if let (true, Some(reason)) = (self.checked_recently(), self.down()) {
                return Err(AppError::Unavailable(reason));
            }
            let value = self
                .check(store, self.timeout)
                .await
                .map_err(AppError::Unavailable)?;
            return Ok(Revision {
                value,
                stale: false,
            });
        }
        let now = self.now_ms();
        let last = self.checked_at.load(Ordering::Acquire);
        let due = now.saturating_sub(last) >= CHECK_EVERY_MS;
        if due
            && self
                .checked_at
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            // The outcome is recorded in `self`; a failure only makes the answer stale.
            let _ = self.check(store, self.timeout).await;
        }
        Ok(Revision {
            value: self.revision.load(Ordering::Acquire),
            stale: self.down().is_some(),
        })
    }

    /// Reads the revision now (after a local ingest).
    pub async fn refresh(&self, store: &Store) -> Result<(), AppError> {
        self.check(store, self.timeout)
            .await
            .map(|_| ())
            .map_err(AppError::Unavailable)
    }

    /// For `/healthz`: the revision, or why the store is down. Answers at once while a failure
    /// is less than a second old, otherwise asks the store for at most a second.
    pub async fn probe(&self, store: &Store) -> Result<i64, String> {
        if self.checked_recently() {
            if let Some(reason) = self.down() {
                return Err(reason);
            }
        }
        self.check(store, self.timeout.min(HEALTH_TIMEOUT)).await
    }
}
