//! How messages leave: SMTP (lettre's async client over tokio, pooled: see `smtp`), `.eml`
//! files, or a sendmail command; and what a failure means.
//!
//! SMTP URL forms (`[mail] smtp_url`): `smtp://host:port` (no TLS: for localhost relays),
//! `smtp://host:port?tls=required` (STARTTLS), `smtps://host:port` (implicit TLS). The user comes
//! from `smtp_user` (or the URL), the password only from `PAPERBOY_SMTP_PASSWORD`.
//!
//! A failure is [`SendError::Transient`] (4xx replies, dropped or refused connections, timeouts,
//! I/O errors: worth retrying, with backoff, a bounded number of times) or
//! [`SendError::Permanent`] (5xx replies, invalid addresses: retrying cannot help).

use std::path::Path;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSendmailTransport, AsyncTransport, Message, Tokio1Executor};

use super::smtp::{PoolError, SmtpPool, SmtpTarget};
use super::MailError;
use crate::config::{MailConfig, MailTransportKind};

/// The configured transport.
#[derive(Debug)]
pub enum Mailer {
    /// Pooled connections (see `smtp`: lettre's client on NODELAY sockets).
    Smtp(Box<SmtpPool>),
    /// Writes `{uuid}.eml` files into a directory.
    File(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
    Sendmail(AsyncSendmailTransport<Tokio1Executor>),
}

/// Why one message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later (4xx, connection trouble).
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Retrying cannot help (5xx, bad address).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl SendError {
    /// True for 4xx and connection trouble.
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient(_))
    }
}

/// Bounded retries with exponential backoff for transient failures.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Total tries of one message in one run (1 = no retry).
    pub attempts: u32,
    /// Wait before the second try; doubled before each further one.
    pub initial_backoff: Duration,
    /// Upper bound of one wait.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            initial_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed try number `n` (1-based).
    pub fn backoff(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

impl Mailer {
    /// Builds the transport named by `[mail] transport`.
    pub fn from_config(m: &MailConfig, password: Option<&str>) -> Result<Self, MailError> {
        match m.transport {
            MailTransportKind::File => Ok(Self::file(&m.outbox)),
            MailTransportKind::Sendmail => Ok(Self::Sendmail(match &m.sendmail_command {
                Some(cmd) => AsyncSendmailTransport::new_with_command(cmd.as_os_str()),
                None => AsyncSendmailTransport::new(),
            })),
            MailTransportKind::Smtp => Self::smtp(m, password),
        }
    }

    /// The file transport into `dir` (created on first send).
    pub fn file(dir: &Path) -> Self {
        Self::File(AsyncFileTransport::new(dir), dir.to_path_buf())
    }

    fn smtp(m: &MailConfig, password: Option<&str>) -> Result<Self, MailError> {
        let target =
            SmtpTarget::parse(&m.smtp_url).map_err(|e| MailError::Config(format!("[mail] {e}")))?;
        let user = m.smtp_user.clone().or_else(|| target.user.clone());
        let credentials = match user {
            Some(user) => {
                let password = password
                    .map(str::to_string)
                    .or_else(|| target.password.clone())
                    .ok_or_else(|| {
                        MailError::Config(format!(
                            "[mail] smtp_user {user:?} is set but PAPERBOY_SMTP_PASSWORD is not"
                        ))
                    })?;
                Some(Credentials::new(user, password))
            }
            None => None,
        };
        let size = m.pool_size.max(1) as usize;
        Ok(Self::Smtp(Box::new(SmtpPool::new(
            target,
            size,
            m.hello_name.clone(),
            credentials,
        ))))
    }

    /// Sends one message once, sorting a failure into transient or permanent.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let envelope = message.envelope();
        let raw = message.formatted();
        match self {
            Mailer::Smtp(pool) => pool.send(envelope, &raw).await.map_err(|e| match e {
                PoolError::Smtp(e) => classify_smtp(e),
                PoolError::Connection(msg) => SendError::Transient(msg),
            }),
            Mailer::File(t, dir) => {
                // The transport does not create its directory.
                tokio::fs::create_dir_all(dir).await.map_err(|e| {
                    SendError::Transient(format!("cannot create outbox {}: {e}", dir.display()))
                })?;
                t.send_raw(envelope, &raw)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError::Transient(format!("writing .eml: {e}")))
            }
            Mailer::Sendmail(t) => t
                .send_raw(envelope, &raw)
                .await
                .map_err(|e| SendError::Transient(format!("sendmail: {e}"))),
        }
    }

    /// Sends with retries of transient failures as `policy` allows; returns the tries used.
    pub async fn send_with_retry(
        &self,
        message: &Message,
        policy: &RetryPolicy,
    ) -> Result<u32, (SendError, u32)> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.send(message).await {
                Ok(()) => return Ok(tries),
                Err(e) if e.is_transient() && tries < policy.attempts.max(1) => {
                    tracing::warn!(tries, error = %e, "transient mail failure; retrying");
                    tokio::time::sleep(policy.backoff(tries)).await;
                }
                Err(e) => return Err((e, tries)),
            }
        }
    }
}

/// 5xx replies and client-side errors (bad address) are permanent; everything else
/// (4xx, connection refused or dropped, timeouts, TLS hiccups) is transient.
fn classify_smtp(e: lettre::transport::smtp::Error) -> SendError {
    let text = e.to_string();
    if e.is_permanent() || e.is_client() {
        SendError::Permanent(text)
    } else {
        SendError::Transient(text)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
        };
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(3), Duration::from_millis(350));
        assert_eq!(p.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn smtp_url_forms_build_and_bad_ones_are_named() {
        let mut m = MailConfig {
            transport: MailTransportKind::Smtp,
            ..MailConfig::default()
        };
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://mail.example.org:587?tls=required",
            "smtps://mail.example.org:465",
        ] {
            m.smtp_url = url.into();
            assert!(
                matches!(Mailer::from_config(&m, None), Ok(Mailer::Smtp(_))),
                "{url}"
            );
        }
        m.smtp_url = "http://x".into();
        let err = Mailer::from_config(&m, None).unwrap_err().to_string();
        assert!(err.contains("http://x"), "{err}");
        m.smtp_url = "smtp://127.0.0.1:2525".into();
        m.smtp_user = Some("digest".into());
        let err = Mailer::from_config(&m, None).unwrap_err().to_string();
        assert!(err.contains("PAPERBOY_SMTP_PASSWORD"), "{err}");
        assert!(Mailer::from_config(&m, Some("pw")).is_ok());
    }
}
