//! Signed subscription tokens: `/confirm/{token}`, `/unsubscribe/{token}` and `/manage/{token}`.
//!
//! A token names a subscriber by id (never by address), what it may be used for, and until when
//! it is valid, and carries an HMAC-SHA256 over those three made with the operator's secret.
//! Verification recomputes the MAC and compares it in constant time (`Mac::verify_slice`).
//! Pure: no I/O, no clock (the caller passes `now`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirms a subscription (double opt-in).
    Confirm,
    /// Removes a subscriber (List-Unsubscribe and the link in the body).
    Unsubscribe,
    /// Opens the subscriber's manage page (change regions, pause, resume, unsubscribe).
    Manage,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Confirm => "c",
            Purpose::Unsubscribe => "u",
            Purpose::Manage => "m",
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link is malformed")]
    Malformed,
    #[error("the link is not valid (bad signature or wrong purpose)")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
}

/// Signs `(subscriber, purpose, expires)`; `expires` is in Unix seconds.
///
/// The token is `{id}.{expires}.{mac}` with the MAC in unpadded base64url: URL-safe as it is.
pub fn sign(secret: &[u8], subscriber: i64, purpose: Purpose, expires: i64) -> String {
    let mac = mac(secret, subscriber, purpose, expires)
        .finalize()
        .into_bytes();
    format!("{subscriber}.{expires}.{}", URL_SAFE_NO_PAD.encode(mac))
}

/// Checks a token for `purpose` at time `now` (Unix seconds) and returns the subscriber id.
///
/// The signature is checked before the expiry so that a forged token never learns anything
/// from the answer.
pub fn verify(secret: &[u8], token: &str, purpose: Purpose, now: i64) -> Result<i64, TokenError> {
    let mut parts = token.splitn(3, '.');
    let (Some(id), Some(expires), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(TokenError::Malformed);
    };
    let id: i64 = id.parse().map_err(|_| TokenError::Malformed)?;
    let expires: i64 = expires.parse().map_err(|_| TokenError::Malformed)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| TokenError::Malformed)?;
    mac(secret, id, purpose, expires)
        .verify_slice(&sig)
        .map_err(|_| TokenError::BadSignature)?;
    if now > expires {
        return Err(TokenError::Expired);
    }
    Ok(id)
}

fn mac(secret: &[u8], subscriber: i64, purpose: Purpose, expires: i64) -> HmacSha256 {
    let mut m = match HmacSha256::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    // Domain separation: the purpose and a version prefix are part of what is signed.
    m.update(
        format!(
            "paperboy-token-v1\0{}\0{subscriber}\0{expires}",
            purpose.tag()
        )
        .as_bytes(),
    );
    m
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const S: &[u8] = b"secret";

    #[test]
    fn round_trips_the_subscriber_id() {
        let t = sign(S, 42, Purpose::Unsubscribe, 1_000);
        assert_eq!(verify(S, &t, Purpose::Unsubscribe, 999), Ok(42));
        assert!(!t.contains('@'));
    }

    #[test]
    fn refuses_expired_forged_and_repurposed_tokens() {
        let t = sign(S, 42, Purpose::Unsubscribe, 1_000);
        assert_eq!(
            verify(S, &t, Purpose::Unsubscribe, 1_001),
            Err(TokenError::Expired)
        );
        assert_eq!(
            verify(b"other", &t, Purpose::Unsubscribe, 0),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify(S, &t, Purpose::Confirm, 0),
            Err(TokenError::BadSignature)
        );
        // A manage link and an unsubscribe link are not each other.
        assert_eq!(
            verify(S, &t, Purpose::Manage, 0),
            Err(TokenError::BadSignature)
        );
        let m = sign(S, 42, Purpose::Manage, 1_000);
        assert_eq!(verify(S, &m, Purpose::Manage, 0), Ok(42));
        assert_eq!(
            verify(S, &m, Purpose::Unsubscribe, 0),
            Err(TokenError::BadSignature)
        );
        // Changing the id or extending the expiry breaks the signature.
        let forged = t.replacen("42.", "43.", 1);
        assert_eq!(
            verify(S, &forged, Purpose::Unsubscribe, 0),
            Err(TokenError::BadSignature)
        );
        let extended = t.replacen(".1000.", ".9999.", 1);
        assert_eq!(
            verify(S, &extended, Purpose::Unsubscribe, 0),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify(S, "x", Purpose::Unsubscribe, 0),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            verify(S, "1.2.***", Purpose::Unsubscribe, 0),
            Err(TokenError::Malformed)
        );
    }
}
