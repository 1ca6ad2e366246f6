//! Daily email digests: subscriptions, rendering, sending through lettre, scheduling.
//!
//! (Interface fixed; implementation under construction.)

use crate::config::Config;

/// What went wrong with mail.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail configuration: {0}")]
    Config(String),
}

/// Everything the web and the scheduler need to send mail (transport, signing key, templates).
#[derive(Debug)]
pub struct MailService {}

impl MailService {
    /// Builds the configured transport (file, smtp or sendmail).
    pub fn from_config(_config: &Config) -> Result<Self, MailError> {
        Ok(Self {})
    }
}
