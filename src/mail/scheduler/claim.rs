//! Claiming a batch of subscribers' digests for a run, taking over what dead runs held.
//!
//! Before each batch the run asks the ledger who holds open claims of the day and takes over
//! at once those whose process is gone (`super::holder`); claims of live runs, or of runs it
//! cannot judge, wait for their lease. This module decides nothing about sending.

use super::holder::is_dead;
use super::mark::within;
use super::pause::Point;
use super::{Claim, RunData, RunOptions};
use crate::mail::unix_now;
use crate::store::ledger::{ClaimState, LedgerStatus, Takeover};
use crate::store::subscribers::Subscriber;

/// Claims a batch in the ledger (a dry run claims nothing and takes all).
pub(super) async fn claim_chunk(
    opts: &RunOptions,
    data: &RunData,
    chunk: Vec<Subscriber>,
) -> Vec<(Subscriber, Claim)> {
    if opts.dry_run {
        return chunk
            .into_iter()
            .map(|s| (s, Claim::Mine { uncertain: false }))
            .collect();
    }
    data.pause.at(Point::BeforeClaim).await;
    let claimed = match data.lost.get() {
        Some(lost) => Err(lost.clone()),
        None => claim(opts, data, &chunk).await,
    };
    let claims = match claimed {
        Ok(states) => {
            let mut states: std::collections::HashMap<i64, ClaimState> =
                states.into_iter().collect();
            chunk
                .into_iter()
                .filter_map(|s| {
                    // A subscriber removed since the run began has no row: nothing to send.
                    let claim = match states.remove(&s.id)? {
                        ClaimState::Mine { uncertain } => Claim::Mine { uncertain },
                        ClaimState::Held => Claim::Held,
                        ClaimState::Done { status, uncertain } => Claim::Done {
                            uncertain: uncertain && status == LedgerStatus::Sent,
                        },
                    };
                    Some((s, claim))
                })
                .collect()
        }
        Err(e) => {
            let msg = format!("claiming in the send ledger: {e}");
            let _ = data.lost.set(msg.clone());
            chunk
                .into_iter()
                .map(|s| (s, Claim::Error(msg.clone())))
                .collect()
        }
    };
    data.pause.at(Point::AfterClaim).await;
    claims
}

async fn claim(
    opts: &RunOptions,
    data: &RunData,
    chunk: &[Subscriber],
) -> Result<Vec<(i64, ClaimState)>, String> {
    let owners = within(data.ledger.digest_claim_owners(opts.day, &opts.owner)).await?;
    let dead: Vec<String> = owners.into_iter().filter(|o| is_dead(o)).collect();
    if !dead.is_empty() {
        tracing::info!(day = %opts.day, runs = dead.len(),
            "taking over the digest claims of runs whose process is gone");
    }
    let now = unix_now();
    let lease = i64::try_from(opts.lease.as_secs()).unwrap_or(600);
    let ids: Vec<i64> = chunk.iter().map(|s| s.id).collect();
    let takeover = Takeover {
        dead_owners: &dead,
        uncertain: opts.resend_uncertain,
    };
    within(
        data.ledger
            .claim_digests(&ids, opts.day, &opts.owner, now, now + lease, takeover),
    )
    .await
}
