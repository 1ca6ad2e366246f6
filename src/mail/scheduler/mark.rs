//! Marking a run's finished digests in the send ledger.
//!
//! [`finish`] records how a claimed (subscriber, day) row ended: a sent digest waits in the
//! run's queue and is marked by [`flush_sent`] (at once, as [`MARK_BATCH`] is one), any other
//! outcome is marked straight away. On SQLite the run's gate queues these writes behind each
//! other. A dry run claims nothing and so marks nothing. It must not send mail or decide an
//! outcome: `super` passes outcomes in.

use chrono::NaiveDate;

use super::{RunData, RunOptions};
use crate::mail::{unix_now, MailContext, MailError};
use crate::store::subscribers::{LedgerOutcome, LedgerStatus, Subscriber};

/// A sent digest waiting for its ledger mark.
pub(super) struct SentMark {
    subscriber: i64,
    editions: i64,
    through_day: Option<NaiveDate>,
    message_id: String,
    content_at: i64,
}
/// Sent digests marked per ledger transaction. A crash loses at most these marks (and the
/// messages in flight): their rows stay `claimed`, and are sent again once the lease ends.
/// One, so that a crash can repeat only a message whose acceptance was never recorded: a
/// digest must not arrive twice, and that is worth more than the write it costs per message.
pub(super) const MARK_BATCH: usize = 1;

/// Marks `owner`'s claim with `outcome` (not in a dry run, which claims nothing).
pub(super) async fn finish(
    ctx: &MailContext,
    opts: &RunOptions,
    data: &RunData,
    sub: &Subscriber,
    outcome: &LedgerOutcome<'_>,
) -> Result<(), MailError> {
    if opts.dry_run {
        return Ok(());
    }
    if let (LedgerStatus::Sent, Some(message_id), Some(content_at)) =
        (outcome.status, outcome.message_id, outcome.content_at)
    {
        lock(&data.sent).push(SentMark {
            subscriber: sub.id,
            editions: outcome.editions,
            through_day: outcome.through_day,
            message_id: message_id.to_string(),
            content_at,
        });
        return flush_sent(ctx, opts, data, false).await;
    }
    let _queued = match &data.gate {
        Some(g) => Some(g.lock().await),
        None => None,
    };
    let mine = ctx
        .store
        .finish_digest(sub.id, opts.day, &opts.owner, outcome, unix_now())
        .await?;
    if !mine {
        // Only possible when this run outlived its lease and another took the row over.
        tracing::warn!(subscriber = sub.id, day = %opts.day, "digest claim was taken over before it was marked");
    }
    Ok(())
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Marks pending sent digests in one transaction: when a batch is full, or all (`all`).
pub(super) async fn flush_sent(
    ctx: &MailContext,
    opts: &RunOptions,
    data: &RunData,
    all: bool,
) -> Result<(), MailError> {
    let batch: Vec<SentMark> = {
        let mut pending = lock(&data.sent);
        if pending.is_empty() || (!all && pending.len() < MARK_BATCH) {
            return Ok(());
        }
        std::mem::take(&mut *pending)
    };
    let rows: Vec<(i64, LedgerOutcome<'_>)> = batch
        .iter()
        .map(|m| {
            (
                m.subscriber,
                LedgerOutcome {
                    status: LedgerStatus::Sent,
                    editions: m.editions,
                    through_day: m.through_day,
                    message_id: Some(&m.message_id),
                    content_at: Some(m.content_at),
                    error: None,
                },
            )
        })
        .collect();
    let _queued = match &data.gate {
        Some(g) => Some(g.lock().await),
        None => None,
    };
    let marked = ctx
        .store
        .finish_digests(opts.day, &opts.owner, &rows, unix_now())
        .await?;
    if marked < rows.len() {
        // Only possible when this run outlived its lease and another took rows over.
        tracing::warn!(day = %opts.day, lost = rows.len() - marked, "digest claims were taken over before they were marked");
    }
    Ok(())
}
