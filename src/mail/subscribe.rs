//! The rules of subscribing, confirming and unsubscribing, shared by the web form and the CLI.
//!
//! Input is untrusted (an address and region names typed into a form); every check happens
//! before anything is written, so a refused request changes nothing:
//! - the address is one plain `local@domain` (no CR/LF, other control or bidi characters, no
//!   display name, no second recipient, no IP literal as the domain), at most 254 bytes;
//! - every region resolves through the gazetteer (slug, adcode or name) to a county,
//!   prefecture or province;
//! - repeated requests are limited per client IP (in process) and per address (one
//!   confirmation mail per [`CONFIRM_INTERVAL_SECS`], in the database, across processes).
//!
//! A new or unconfirmed subscriber gets a confirmation mail and no digest until its link is
//! used (double opt-in); a new subscriber whose confirmation cannot be sent is removed again.
//! This module holds no SQL and no HTTP.

use std::net::IpAddr;
use std::time::Instant;

use lettre::Address;

use super::token::{Purpose, TokenError};
use super::{digest, MailContext, MailError};
use crate::model::RegionCode;
use crate::region::Gazetteer;
use crate::store::subscribers::{Subscriber, Upsert};
use crate::store::StoreError;

/// Minimum time between two confirmation mails to one address.
pub const CONFIRM_INTERVAL_SECS: i64 = 600;
/// Most regions one subscriber may pick.
pub const MAX_REGIONS: usize = 20;

/// Why a request was refused (the message is shown to the person who made it).
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    #[error("email digests are not enabled on this server")]
    Disabled,
    #[error("PAPERBOY_SECRET must be set to send a confirmation link (or add with --confirmed)")]
    NoSecret,
    #[error("invalid email address: {0}")]
    BadAddress(&'static str),
    #[error("unknown region {0:?}: use a county, prefecture or province by name, pinyin or code")]
    UnknownRegion(String),
    #[error("choose at least one region")]
    NoRegion,
    #[error("too many regions (at most {MAX_REGIONS})")]
    TooManyRegions,
    #[error("too many requests; please try again in a few minutes")]
    RateLimited,
    #[error("{0}")]
    Token(#[from] TokenError),
    #[error("this subscription no longer exists")]
    Gone,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A region a subscriber chose, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenRegion {
    pub code: RegionCode,
    pub name: String,
    pub slug: String,
}

/// What a subscription request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscribed {
    /// Stored unconfirmed; a confirmation mail went out.
    ConfirmationSent(Subscriber),
    /// The address is already subscribed and confirmed; nothing changed and no mail was sent.
    AlreadyConfirmed(Subscriber),
}

/// Checks that `input` is exactly one plain address; returns it lower-cased.
pub fn check_address(input: &str) -> Result<String, SubscribeError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(SubscribeError::BadAddress("empty"));
    }
    if s.chars()
        .any(|c| c.is_control() || crate::render::is_removed(c))
    {
        return Err(SubscribeError::BadAddress(
            "line breaks and control characters are not allowed",
        ));
    }
    if s.contains([',', ';']) || s.matches('@').count() > 1 || s.contains(char::is_whitespace) {
        return Err(SubscribeError::BadAddress("give exactly one address"));
    }
    if s.contains(['<', '>', '"', '(', ')', '\\']) {
        return Err(SubscribeError::BadAddress(
            "give the bare address, without a name",
        ));
    }
    if s.len() > 254 {
        return Err(SubscribeError::BadAddress("too long"));
    }
    let addr: Address = s
        .parse()
        .map_err(|_| SubscribeError::BadAddress("not of the form name@domain"))?;
    // A domain literal (`a@[127.0.0.1]`) is refused: mail servers mostly refuse such
    // recipients, and accepting them would let a form aim mail at any host, internal ones too.
    if addr.domain().starts_with('[') {
        return Err(SubscribeError::BadAddress(
            "an IP address cannot be the domain; use a domain name such as example.org",
        ));
    }
    if !addr.domain().contains('.') {
        return Err(SubscribeError::BadAddress("the domain has no dot"));
    }
    Ok(s.to_lowercase())
}

/// Resolves region names, slugs or codes (several per input string, split on spaces, commas
/// and 、), keeping the order and dropping repeats.
pub fn resolve_regions<S: AsRef<str>>(inputs: &[S]) -> Result<Vec<ChosenRegion>, SubscribeError> {
    let gazetteer = Gazetteer::global();
    let mut out: Vec<ChosenRegion> = Vec::new();
    for input in inputs {
        for word in input
            .as_ref()
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';'))
            .filter(|w| !w.is_empty())
        {
            let region = gazetteer
                .resolve(word)
                .ok_or_else(|| SubscribeError::UnknownRegion(word.chars().take(40).collect()))?;
            let chosen = ChosenRegion {
                code: region.code.clone(),
                name: region.name.to_string(),
                slug: region.slug.to_string(),
            };
            if !out.iter().any(|r| r.code == chosen.code) {
                out.push(chosen);
            }
        }
    }
    if out.is_empty() {
        return Err(SubscribeError::NoRegion);
    }
    if out.len() > MAX_REGIONS {
        return Err(SubscribeError::TooManyRegions);
    }
    Ok(out)
}

/// The display name of a stored region code (the code itself when the gazetteer lacks it).
pub fn region_name(code: &RegionCode) -> String {
    Gazetteer::global()
        .get(code)
        .map(|r| r.name.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A request from the public form: checks, then stores the subscriber unconfirmed and sends
/// the confirmation mail. `client` is the requester's IP (rate limit), when known.
pub async fn subscribe<S: AsRef<str>>(
    ctx: &MailContext,
    email: &str,
    regions: &[S],
    client: Option<IpAddr>,
    now: i64,
) -> Result<Subscribed, SubscribeError> {
    if !ctx.mail.enabled {
        return Err(SubscribeError::Disabled);
    }
    // Without the peer address (a server not started with connect info) only the
    // per-address limit applies: one shared bucket would lock everybody out.
    if let Some(ip) = client {
        if !ctx.mail.limiter.check(&format!("ip:{ip}"), Instant::now()) {
            return Err(SubscribeError::RateLimited);
        }
    }
    let email = check_address(email)?;
    let chosen = resolve_regions(regions)?;
    if let Some(existing) = ctx.store.subscriber_by_email(&email).await? {
        if existing.confirmed_at.is_some() {
            return Ok(Subscribed::AlreadyConfirmed(existing));
        }
        if existing
            .confirm_sent_at
            .is_some_and(|t| now - t < CONFIRM_INTERVAL_SECS)
        {
            return Err(SubscribeError::RateLimited);
        }
    }
    let codes: Vec<RegionCode> = chosen.iter().map(|r| r.code.clone()).collect();
    let (sub, outcome) = ctx
        .store
        .upsert_subscriber(&email, &codes, false, now)
        .await?;
    confirm_or_forget(ctx, &sub, outcome, now).await?;
    Ok(Subscribed::ConfirmationSent(sub))
}

/// Sends the confirmation of `sub`, just stored with `outcome`. When it cannot be sent, a
/// subscriber this request created is removed again, so that the failed request leaves
/// nothing behind (and the reader may simply try again).
async fn confirm_or_forget(
    ctx: &MailContext,
    sub: &Subscriber,
    outcome: Upsert,
    now: i64,
) -> Result<(), SubscribeError> {
    let Err(e) = send_confirmation(ctx, sub, now).await else {
        return Ok(());
    };
    if outcome == Upsert::Created {
        if let Err(undo) = ctx.store.remove_subscriber(sub.id).await {
            tracing::error!(error = %undo, id = sub.id, "cannot remove a subscriber whose confirmation failed");
        }
    }
    Err(e)
}

/// Sends the confirmation mail of `sub` now and records when.
pub async fn send_confirmation(
    ctx: &MailContext,
    sub: &Subscriber,
    now: i64,
) -> Result<(), SubscribeError> {
    let names: Vec<String> = sub.regions.iter().map(region_name).collect();
    let message = digest::confirmation_message(&ctx.mail, &ctx.render, sub, &names, now)?;
    ctx.mail
        .mailer
        .send_with_retry(&message, &ctx.mail.retry)
        .await
        .map_err(|(e, _)| MailError::Send(e))?;
    ctx.store.mark_confirm_sent(sub.id, now).await?;
    Ok(())
}

/// An operator's `subscribers add`: same checks as the form (no rate limit); `confirmed`
/// skips the double opt-in, otherwise a confirmation mail is sent.
pub async fn add<S: AsRef<str>>(
    ctx: &MailContext,
    email: &str,
    regions: &[S],
    confirmed: bool,
    now: i64,
) -> Result<(Subscriber, Upsert), SubscribeError> {
    let email = check_address(email)?;
    let chosen = resolve_regions(regions)?;
    if !confirmed && !ctx.mail.secret_configured {
        return Err(SubscribeError::NoSecret);
    }
    let codes: Vec<RegionCode> = chosen.iter().map(|r| r.code.clone()).collect();
    let (sub, outcome) = ctx
        .store
        .upsert_subscriber(&email, &codes, confirmed, now)
        .await?;
    if sub.confirmed_at.is_none() {
        confirm_or_forget(ctx, &sub, outcome, now).await?;
    }
    Ok((sub, outcome))
}

/// Uses a confirmation link: the subscriber starts receiving digests.
pub async fn confirm(
    ctx: &MailContext,
    token: &str,
    now: i64,
) -> Result<Subscriber, SubscribeError> {
    let id = ctx.mail.verify(token, Purpose::Confirm, now)?;
    ctx.store
        .confirm_subscriber(id, now)
        .await?
        .ok_or(SubscribeError::Gone)
}

/// Uses an unsubscribe link: removes the subscriber at once. Ok(false) when already gone
/// (a second click is not an error).
pub async fn unsubscribe(ctx: &MailContext, token: &str, now: i64) -> Result<bool, SubscribeError> {
    let id = ctx.mail.verify(token, Purpose::Unsubscribe, now)?;
    Ok(ctx.store.remove_subscriber(id).await?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn accepts_one_plain_address_lowercased() {
        assert_eq!(
            check_address(" Reader@Example.ORG ").unwrap(),
            "reader@example.org"
        );
    }

    #[test]
    fn refuses_injection_and_several_recipients() {
        for bad in [
            "a@example.org\r\nBcc: victim@example.org",
            "a@example.org\nx",
            "a\u{202e}gro.elpmaxe@b.org",
            "a@example.org, b@example.org",
            "a@example.org;b@example.org",
            "a@example.org b@example.org",
            "a@b@example.org",
            "Reader <a@example.org>",
            "not-an-address",
            "a@localhost",
            "a@[127.0.0.1]",
            "a@[IPv6:::1]",
            "",
        ] {
            assert!(
                matches!(check_address(bad), Err(SubscribeError::BadAddress(_))),
                "{bad:?} accepted"
            );
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(check_address(&long).is_err());
    }
}
