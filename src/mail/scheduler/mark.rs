//! Marking a run's finished digests in the send ledger, by group commit.
//!
//! [`finish`] records how a claimed (subscriber, day) row ended and returns only once that
//! mark is committed. Marks are not written one transaction each: a finisher queues its mark,
//! then takes the run's flush lock; whoever holds it commits every mark queued so far in one
//! transaction, and the others find theirs done when they get the lock. So marks that arrive
//! while a commit is in progress share the next one, and no mark waits for a timer or for a
//! batch to fill: a sent digest is marked as soon as the database can take it, which keeps
//! the crash window (accepted by the mail server, not yet marked `sent`) as short as one
//! commit, however fast mail goes out.
//!
//! A commit that fails is tried again a few times (a database that went away for a moment);
//! after that every finisher in the batch gets the error. On SQLite the run's one ledger
//! connection queues these writes behind its claims. A dry run claims nothing and so marks nothing. This module
//! must not send mail or decide an outcome: `super` passes outcomes in.

use std::time::Duration;

use chrono::NaiveDate;
use tokio::sync::oneshot;

use super::{RunData, RunOptions};
use crate::mail::{unix_now, MailError};
use crate::store::subscribers::{LedgerOutcome, LedgerStatus, Subscriber};

/// A finished digest waiting for its ledger mark (owned: it outlives the sender's borrow).
struct Mark {
    subscriber: i64,
    status: LedgerStatus,
    editions: i64,
    through_day: Option<NaiveDate>,
    message_id: Option<String>,
    content_at: Option<i64>,
    error: Option<String>,
}

impl Mark {
    fn outcome(&self) -> LedgerOutcome<'_> {
        LedgerOutcome {
            status: self.status,
            editions: self.editions,
            through_day: self.through_day,
            message_id: self.message_id.as_deref(),
            content_at: self.content_at,
            error: self.error.as_deref(),
        }
    }
}

/// What a finisher hears back: committed, or why not.
type Committed = Result<(), String>;

/// The run's queue of marks and the lock of whoever commits them.
#[derive(Default)]
pub(super) struct Marks {
    queue: std::sync::Mutex<Vec<(Mark, oneshot::Sender<Committed>)>>,
    flush: tokio::sync::Mutex<()>,
}

/// Tries of one group commit before its finishers get the error.
const COMMIT_TRIES: u32 = 3;
/// Pause before the second try; doubled before each later one.
const COMMIT_BACKOFF: Duration = Duration::from_millis(200);

/// Marks `sub`'s claim with `outcome` and waits until the mark is committed (at once in a dry
/// run, which claims nothing).
pub(super) async fn finish(
    opts: &RunOptions,
    data: &RunData,
    sub: &Subscriber,
    outcome: &LedgerOutcome<'_>,
) -> Result<(), MailError> {
    if opts.dry_run {
        return Ok(());
    }
    let (tx, mut rx) = oneshot::channel();
    let mark = Mark {
        subscriber: sub.id,
        status: outcome.status,
        editions: outcome.editions,
        through_day: outcome.through_day,
        message_id: outcome.message_id.map(str::to_string),
        content_at: outcome.content_at,
        error: outcome.error.map(str::to_string),
    };
    lock(&data.marks.queue).push((mark, tx));
    let _flushing = data.marks.flush.lock().await;
    // Committed (or failed) by the previous holder of the lock, whose batch took this mark.
    if let Ok(result) = rx.try_recv() {
        return result.map_err(MailError::Ledger);
    }
    let batch = std::mem::take(&mut *lock(&data.marks.queue));
    let result = commit(opts, data, &batch).await;
    for (_, tx) in batch {
        // A finisher that went away (its run was dropped) needs no answer.
        let _ = tx.send(result.clone());
    }
    // This finisher's mark was in the batch (nobody else took it: they answer before they
    // let go of the lock), so its answer is there now.
    rx.try_recv()
        .unwrap_or_else(|_| Err("the ledger mark was lost".into()))
        .map_err(MailError::Ledger)
}

/// Commits `batch` in one transaction, tried [`COMMIT_TRIES`] times.
async fn commit(
    opts: &RunOptions,
    data: &RunData,
    batch: &[(Mark, oneshot::Sender<Committed>)],
) -> Committed {
    let rows: Vec<(i64, LedgerOutcome<'_>)> = batch
        .iter()
        .map(|(m, _)| (m.subscriber, m.outcome()))
        .collect();
    let mut backoff = COMMIT_BACKOFF;
    let mut tries = 0;
    loop {
        tries += 1;
        let written = data
            .ledger
            .finish_digests(opts.day, &opts.owner, &rows, unix_now())
            .await;
        match written {
            Ok(marked) => {
                if marked < rows.len() {
                    // Only possible when this run outlived its lease and another took rows over.
                    tracing::warn!(day = %opts.day, lost = rows.len() - marked,
                        "digest claims were taken over before they were marked");
                }
                return Ok(());
            }
            Err(e) if tries < COMMIT_TRIES => {
                tracing::warn!(tries, error = %e, marks = rows.len(), "marking digests in the send ledger failed; trying again");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            Err(e) => {
                tracing::error!(error = %e, marks = rows.len(), "marking digests in the send ledger failed");
                return Err(format!(
                    "marking {} digest(s) in the send ledger: {e}",
                    rows.len()
                ));
            }
        }
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}
