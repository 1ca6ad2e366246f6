//! Marking a run's finished digests in the send ledger, and recording its intents before
//! they are sent, by group commit.
//!
//! [`finish`] records how a claimed (subscriber, day) row ended and returns only once that
//! mark is committed; [`intend`] records, before the SMTP transaction, that the digest is about
//! to go out (and returns whether the claim is still this run's). Both go through one queue. Marks are not written one transaction each: a finisher queues its mark,
//! then takes the run's flush lock; whoever holds it commits every mark queued so far in one
//! transaction, and the others find theirs done when they get the lock. So marks that arrive
//! while a commit is in progress share the next one, and no mark waits for a timer or for a
//! batch to fill: a sent digest is marked as soon as the database can take it, which keeps
//! the crash window (accepted by the mail server, not yet marked `sent`) as short as one
//! commit, however fast mail goes out.
//!
//! A commit that fails is tried again a few times (a database that went away for a moment),
//! each try bounded by [`super::LEDGER_TIMEOUT`]; after that every finisher in the batch gets
//! the error, and the run is marked as having lost its database (it then starts nothing new). On SQLite the run's one ledger
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
    uncertain: bool,
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
            uncertain: self.uncertain,
        }
    }
}

/// One queued ledger write.
enum Write {
    Mark(Mark),
    /// Subscriber and the digest's Message-ID.
    Intent(i64, String),
}

/// What a writer hears back: committed (for an intent: whether the claim was still this
/// run's), or why not.
type Committed = Result<bool, String>;

/// The run's queue of marks and the lock of whoever commits them.
#[derive(Default)]
pub(super) struct Marks {
    queue: std::sync::Mutex<Vec<(Write, oneshot::Sender<Committed>)>>,
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
    let mark = Mark {
        subscriber: sub.id,
        status: outcome.status,
        editions: outcome.editions,
        through_day: outcome.through_day,
        message_id: outcome.message_id.map(str::to_string),
        content_at: outcome.content_at,
        error: outcome.error.map(str::to_string),
        uncertain: outcome.uncertain,
    };
    write(opts, data, Write::Mark(mark)).await.map(|_| ())
}

/// Records that `sub`'s digest (`message_id`) is about to go to the mail server, committed
/// before this returns; false when the claim is no longer this run's (do not send). A dry run
/// records nothing.
pub(super) async fn intend(
    opts: &RunOptions,
    data: &RunData,
    sub: &Subscriber,
    message_id: &str,
) -> Result<bool, MailError> {
    if opts.dry_run {
        return Ok(true);
    }
    write(opts, data, Write::Intent(sub.id, message_id.to_string())).await
}

async fn write(opts: &RunOptions, data: &RunData, w: Write) -> Result<bool, MailError> {
    if let Some(lost) = data.lost.get() {
        return Err(MailError::Ledger(lost.clone()));
    }
    let (tx, mut rx) = oneshot::channel();
    lock(&data.marks.queue).push((w, tx));
    let _flushing = data.marks.flush.lock().await;
    // Committed (or failed) by the previous holder of the lock, whose batch took this mark.
    if let Ok(result) = rx.try_recv() {
        return result.map_err(MailError::Ledger);
    }
    let batch = std::mem::take(&mut *lock(&data.marks.queue));
    let (recorded, result) = commit(opts, data, &batch).await;
    if let Err(e) = &result {
        let _ = data.lost.set(e.clone());
    }
    for (w, tx) in batch {
        // Intents that were committed stand even when the marks after them failed: those
        // digests go out (their rows say so), or a successor would count them possibly sent
        // though they never were.
        let answer = match (&recorded, &result, &w) {
            (Some(ids), _, Write::Intent(id, _)) => Ok(ids.contains(id)),
            (_, Ok(()), Write::Intent(..)) => Ok(false),
            (_, Ok(()), Write::Mark(_)) => Ok(true),
            (_, Err(e), _) => Err(e.clone()),
        };
        // A finisher that went away (its run was dropped) needs no answer.
        let _ = tx.send(answer);
    }
    // This finisher's mark was in the batch (nobody else took it: they answer before they
    // let go of the lock), so its answer is there now.
    rx.try_recv()
        .unwrap_or_else(|_| Err("the ledger mark was lost".into()))
        .map_err(MailError::Ledger)
}

/// Commits `batch` (its intents, then its marks: one statement each), tried [`COMMIT_TRIES`]
/// times; returns the subscribers whose intent was recorded (None: the intents failed), and
/// whether the whole batch was written.
async fn commit(
    opts: &RunOptions,
    data: &RunData,
    batch: &[(Write, oneshot::Sender<Committed>)],
) -> (Option<Vec<i64>>, Result<(), String>) {
    let rows: Vec<(i64, LedgerOutcome<'_>)> = batch
        .iter()
        .filter_map(|(w, _)| match w {
            Write::Mark(m) => Some((m.subscriber, m.outcome())),
            Write::Intent(..) => None,
        })
        .collect();
    let intents: Vec<(i64, &str)> = batch
        .iter()
        .filter_map(|(w, _)| match w {
            Write::Intent(id, mid) => Some((*id, mid.as_str())),
            Write::Mark(_) => None,
        })
        .collect();
    let mut backoff = COMMIT_BACKOFF;
    let mut tries = 0;
    let mut recorded = None;
    loop {
        tries += 1;
        let written = async {
            if recorded.is_none() && !intents.is_empty() {
                let ids = within(data.ledger.record_digest_intents(
                    opts.day,
                    &opts.owner,
                    &intents,
                    unix_now(),
                ))
                .await?;
                recorded = Some(ids);
            }
            if rows.is_empty() {
                return Ok(rows.len());
            }
            within(
                data.ledger
                    .finish_digests(opts.day, &opts.owner, &rows, unix_now()),
            )
            .await
        }
        .await;
        match written {
            Ok(marked) => {
                if marked < rows.len() {
                    // Only possible when this run outlived its lease and another took rows over.
                    tracing::warn!(day = %opts.day, lost = rows.len() - marked,
                        "digest claims were taken over before they were marked");
                }
                return (Some(recorded.unwrap_or_default()), Ok(()));
            }
            Err(e) if tries < COMMIT_TRIES && data.lost.get().is_none() => {
                tracing::warn!(tries, error = %e, marks = rows.len(), intents = intents.len(),
                    "writing to the send ledger failed; trying again");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            Err(e) => {
                tracing::error!(error = %e, marks = rows.len(), intents = intents.len(),
                    "writing to the send ledger failed");
                let error = format!(
                    "writing {} mark(s) and {} intent(s) to the send ledger: {e}",
                    rows.len(),
                    intents.len()
                );
                return (recorded, Err(error));
            }
        }
    }
}

/// A ledger call bounded by [`super::LEDGER_TIMEOUT`] (a database that stopped answering
/// ends the call instead of hanging the run).
pub(super) async fn within<T>(
    f: impl std::future::Future<Output = Result<T, crate::store::StoreError>>,
) -> Result<T, String> {
    match tokio::time::timeout(super::LEDGER_TIMEOUT, f).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "the database did not answer within {} s",
            super::LEDGER_TIMEOUT.as_secs()
        )),
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}
