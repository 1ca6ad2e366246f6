//! Daily email digests: subscriptions, rendering, sending through lettre, scheduling.
//!
//! - [`token`]: HMAC-signed confirm/unsubscribe tokens (no address in clear).
//! - [`transport`]: SMTP (pooled, TLS modes, credentials), file (`.eml` outbox) and sendmail,
//!   with SMTP replies sorted into transient (retried with backoff) and permanent (not retried).
//! - [`digest`]: builds the lettre `Message`s (digest and confirmation) from templates.
//! - [`subscribe`]: the rules of subscribing (address checks, regions, double opt-in, rate
//!   limits), confirming and unsubscribing; used by the web routes and the CLI.
//! - [`inbound`]: unsubscribe requests that arrive by mail (the `mailto:` of `List-Unsubscribe`).
//! - [`scheduler`]: the day's run (claim in the ledger, build, send, mark) and the timer that
//!   `serve` spawns.
//!
//! This module never writes SQL (the store does) and never depends on `web`.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveTime;
use chrono_tz::Tz;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use lettre::message::Mailbox;

use crate::config::{Config, MailTransportKind};
use crate::render::Renderer;
use crate::store::Store;

pub mod digest;
pub mod inbound;
pub mod limit;
pub mod manage;
pub mod scheduler;
pub mod smtp;
pub mod subscribe;
pub mod timer;
pub mod token;
pub mod transport;

pub use transport::{Mailer, RetryPolicy, SendError};

/// What went wrong with mail.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail configuration: {0}")]
    Config(String),
    #[error("building the message: {0}")]
    Build(String),
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("sending: {0}")]
    Send(#[from] SendError),
    /// A digest's outcome could not be recorded in the send ledger.
    #[error("{0}")]
    Ledger(String),
}

/// Everything the web and the scheduler need to send mail (transport, signing key, templates).
#[derive(Debug)]
pub struct MailService {
    /// False when `[mail] enabled` is off: the subscribe pages say so and nothing is scheduled.
    pub enabled: bool,
    /// The configured transport.
    pub mailer: Mailer,
    /// Where `--dry-run` (and the file transport) writes `.eml` files.
    pub outbox: PathBuf,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// Per-client-IP limit on subscription requests.
    pub limiter: limit::RateLimiter,
    pub(crate) secret: Vec<u8>,
    /// False when the secret is a random stand-in (mail off, no `PAPERBOY_SECRET`): links
    /// signed with it die with the process.
    pub(crate) secret_configured: bool,
    pub(crate) from: Mailbox,
    pub(crate) base_url: String,
    pub(crate) site_title: String,
    pub(crate) unsubscribe_mailto: String,
    pub(crate) dkim: Option<DkimConfig>,
    pub(crate) timezone: Tz,
    pub(crate) send_at: NaiveTime,
    /// Parallel sends in a run (the SMTP pool size).
    pub(crate) concurrency: usize,
}

/// The parts a digest run or a subscription needs: built from `AppState` by the web, or by the CLI.
#[derive(Clone)]
pub struct MailContext {
    pub store: Store,
    pub render: Arc<Renderer>,
    pub config: Arc<Config>,
    pub mail: Arc<MailService>,
}

/// How long a confirmation link stays valid.
pub const CONFIRM_TTL_SECS: i64 = 7 * 24 * 3600;
/// How long an unsubscribe link stays valid (old digests must still work).
pub const UNSUBSCRIBE_TTL_SECS: i64 = 400 * 24 * 3600;

impl MailService {
    /// Builds the configured transport (file, smtp or sendmail).
    ///
    /// With mail enabled the token secret (`PAPERBOY_SECRET`) is required; with mail off a
    /// random one is used so that nothing signed can outlive the process.
    pub fn from_config(config: &Config) -> Result<Self, MailError> {
        let m = &config.mail;
        let secret = match (&config.secrets.secret, m.enabled) {
            (Some(s), _) => s.as_bytes().to_vec(),
            (None, true) => {
                return Err(MailError::Config(
                    "PAPERBOY_SECRET must be set when [mail] enabled = true (it signs unsubscribe links)"
                        .into(),
                ))
            }
            (None, false) => rand::random::<[u8; 32]>().to_vec(),
        };
        let from: Mailbox = m
            .from
            .parse()
            .map_err(|e| MailError::Config(format!("[mail] from {:?}: {e}", m.from)))?;
        let mailer = if m.enabled {
            Mailer::from_config(m, config.secrets.smtp_password.as_deref())?
        } else {
            Mailer::file(&m.outbox)
        };
        let unsubscribe_mailto = m
            .unsubscribe_mailto
            .clone()
            .unwrap_or_else(|| from.email.to_string());
        let dkim = match (&m.dkim_key_file, &m.dkim_selector, &m.dkim_domain) {
            (Some(file), Some(selector), Some(domain)) => {
                Some(dkim_config(file, selector, domain)?)
            }
            (None, None, None) => None,
            _ => {
                return Err(MailError::Config(
                    "DKIM needs all of [mail] dkim_key_file, dkim_selector and dkim_domain".into(),
                ))
            }
        };
        let concurrency = if m.transport == MailTransportKind::Smtp {
            m.pool_size.max(1) as usize
        } else {
            1
        };
        Ok(Self {
            enabled: m.enabled,
            mailer,
            outbox: m.outbox.clone(),
            retry: RetryPolicy::default(),
            limiter: limit::RateLimiter::new(10, std::time::Duration::from_secs(600)),
            secret,
            secret_configured: config.secrets.secret.is_some(),
            from,
            base_url: config.base_url().to_string(),
            site_title: config.render.site_title.clone(),
            unsubscribe_mailto,
            dkim,
            timezone: config.ingest.timezone,
            send_at: m.send_at,
            concurrency,
        })
    }

    /// The domain of the From address (Message-IDs are made in it).
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }

    /// Signs a token for `subscriber`, valid `ttl` seconds from `now`.
    pub fn token(&self, subscriber: i64, purpose: token::Purpose, now: i64) -> String {
        let ttl = match purpose {
            token::Purpose::Confirm => CONFIRM_TTL_SECS,
            token::Purpose::Unsubscribe | token::Purpose::Manage => UNSUBSCRIBE_TTL_SECS,
        };
        token::sign(&self.secret, subscriber, purpose, now + ttl)
    }

    /// Checks a token; returns the subscriber id.
    pub fn verify(
        &self,
        token: &str,
        purpose: token::Purpose,
        now: i64,
    ) -> Result<i64, token::TokenError> {
        token::verify(&self.secret, token, purpose, now)
    }

    /// The https (base_url) form of an unsubscribe link.
    pub fn unsubscribe_url(&self, subscriber: i64, now: i64) -> String {
        let t = self.token(subscriber, token::Purpose::Unsubscribe, now);
        format!("{}/unsubscribe/{t}", self.base_url)
    }

    /// The link to a subscriber's manage page (valid as long as an unsubscribe link).
    pub fn manage_url(&self, subscriber: i64, now: i64) -> String {
        let t = self.token(subscriber, token::Purpose::Manage, now);
        format!("{}/manage/{t}", self.base_url)
    }

    /// The confirmation link of a new subscription.
    pub fn confirm_url(&self, subscriber: i64, now: i64) -> String {
        let t = self.token(subscriber, token::Purpose::Confirm, now);
        format!("{}/confirm/{t}", self.base_url)
    }
}

/// DKIM over the usual headers plus both List-Unsubscribe headers, relaxed/relaxed.
fn dkim_config(
    file: &std::path::Path,
    selector: &str,
    domain: &str,
) -> Result<DkimConfig, MailError> {
    let pem = std::fs::read_to_string(file)
        .map_err(|e| MailError::Config(format!("cannot read DKIM key {}: {e}", file.display())))?;
    let key = DkimSigningKey::new(&pem, DkimSigningAlgorithm::Rsa)
        .map_err(|e| MailError::Config(format!("DKIM key {}: {e}", file.display())))?;
    let headers = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    ]
    .into_iter()
    .map(HeaderName::new_from_ascii_str)
    .collect();
    Ok(DkimConfig::new(
        selector.to_string(),
        domain.to_string(),
        key,
        headers,
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    ))
}

/// Unix seconds now.
pub(crate) fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}
