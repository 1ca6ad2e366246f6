//! The rules of the manage-subscription page a digest links to: with the link's signed token
//! (purpose `Manage`) a subscriber sees their subscription, changes their regions, pauses and
//! resumes their digests, or unsubscribes.
//!
//! Every change is checked before anything is written (regions resolve through the gazetteer,
//! at most `subscribe::MAX_REGIONS`), so a refused change leaves the subscription as it was. A paused
//! subscriber keeps their regions and confirmation and gets no digest until they resume; the
//! scheduler only reads unpaused subscribers. This module holds no SQL and no HTTP.

use super::subscribe::{region_name, resolve_regions, SubscribeError};
use super::token::Purpose;
use super::MailContext;
use crate::model::RegionCode;
use crate::store::subscribers::Subscriber;

/// What the subscriber asked for on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Exactly these regions (names, pinyin or codes; several per string).
    Regions(Vec<String>),
    Pause,
    Resume,
    Unsubscribe,
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Managed {
    /// The subscription as it is now; `changed` is false when it already was so.
    Kept { sub: Subscriber, changed: bool },
    /// The subscriber is removed.
    Unsubscribed,
}

/// The subscriber a manage link names (the link checked first, then the store).
pub async fn open(ctx: &MailContext, token: &str, now: i64) -> Result<Subscriber, SubscribeError> {
    let id = ctx.mail.verify(token, Purpose::Manage, now)?;
    ctx.store.subscriber(id).await?.ok_or(SubscribeError::Gone)
}

/// Applies `change` for the subscriber the link names.
pub async fn apply(
    ctx: &MailContext,
    token: &str,
    change: Change,
    now: i64,
) -> Result<Managed, SubscribeError> {
    let sub = open(ctx, token, now).await?;
    let updated = match change {
        Change::Regions(inputs) => {
            let chosen = resolve_regions(&inputs)?;
            let mut codes: Vec<RegionCode> = chosen.into_iter().map(|r| r.code).collect();
            codes.sort();
            if codes == sub.regions {
                return Ok(Managed::Kept {
                    sub,
                    changed: false,
                });
            }
            ctx.store.set_regions(sub.id, &codes).await?
        }
        Change::Pause if sub.paused_at.is_some() => {
            return Ok(Managed::Kept {
                sub,
                changed: false,
            })
        }
        Change::Resume if sub.paused_at.is_none() => {
            return Ok(Managed::Kept {
                sub,
                changed: false,
            })
        }
        Change::Pause => ctx.store.set_paused(sub.id, Some(now)).await?,
        Change::Resume => ctx.store.set_paused(sub.id, None).await?,
        Change::Unsubscribe => {
            ctx.store.remove_subscriber(sub.id).await?;
            return Ok(Managed::Unsubscribed);
        }
    };
    let sub = updated.ok_or(SubscribeError::Gone)?;
    Ok(Managed::Kept { sub, changed: true })
}

/// The subscriber's regions by name, in their stored order.
pub fn region_names(sub: &Subscriber) -> Vec<String> {
    sub.regions.iter().map(region_name).collect()
}
