//! Unsubscribe requests that arrive by mail: the `mailto:` half of `List-Unsubscribe`.
//!
//! Every digest offers `<mailto:UNSUB_ADDR?subject=unsubscribe%20TOKEN>`; a mail client that
//! uses it sends a message whose Subject is `unsubscribe TOKEN` (perhaps behind a `Re:`, perhaps
//! RFC 2047-encoded). The mail server pipes such messages into
//! `paperboy subscribers unsubscribe-mail`, which calls [`unsubscribe_by_mail`].
//!
//! Input is a raw RFC 5322 message from anyone, so the work is bounded: only the first
//! [`MAX_MESSAGE_BYTES`] are parsed, and only the Subject and the first lines (at most
//! [`BODY_SCAN_BYTES`]) of the first text part are searched for strings shaped like a token
//! (`{id}.{expires}.{43 chars of base64url}`). The signed token is the only authority: the
//! sender's address is not trusted and not needed. Quoted text (a reply that quotes a digest,
//! whose footer carries the reader's own unsubscribe link) and the bodies of automatic mail
//! (bounces, auto-replies) are not searched, so that answering a digest unsubscribes nobody.
//! Removal goes through [`subscribe::unsubscribe`], the rule the web link uses.

use mail_parser::{MessageParser, MimeHeaders};

use super::subscribe::{self, SubscribeError};
use super::token::{Purpose, TokenError};
use super::MailContext;

/// Bytes of a message that are parsed at all; the rest is ignored.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// Bytes of the first text part that are searched (when the Subject holds no token).
pub const BODY_SCAN_BYTES: usize = 4 * 1024;
/// Lines of the first text part that are searched.
pub const BODY_SCAN_LINES: usize = 20;
/// Bytes of the Subject that are searched.
const SUBJECT_SCAN_BYTES: usize = 2 * 1024;
/// Most candidate tokens tried for one message.
const MAX_CANDIDATES: usize = 8;
/// Length of the MAC part of a token: 32 bytes in unpadded base64url.
const MAC_CHARS: usize = 43;

/// What an unsubscribe mail did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailedUnsubscribe {
    /// The subscriber was removed.
    Removed { subscriber: i64 },
    /// The token was valid but the subscriber was already gone (a second request).
    AlreadyGone { subscriber: i64 },
}

/// Why an unsubscribe mail removed nobody.
#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    /// With no `PAPERBOY_SECRET` no token can be checked (a configuration problem).
    #[error("PAPERBOY_SECRET is not set, so unsubscribe tokens cannot be checked")]
    NoSecret,
    #[error(
        "no unsubscribe token found in the subject or the first lines of the message \
         (expected the subject \"unsubscribe TOKEN\" from the digest's List-Unsubscribe header)"
    )]
    NoToken,
    /// Every token-shaped string was refused; the most telling reason is kept.
    #[error("{}", refusal(.0))]
    BadToken(TokenError),
    #[error("removing subscriber {subscriber}: {cause}")]
    Remove {
        subscriber: i64,
        cause: SubscribeError,
    },
}

fn refusal(e: &TokenError) -> &'static str {
    match e {
        TokenError::Expired => "the unsubscribe token has expired: use the link in a recent digest",
        TokenError::BadSignature => {
            "the unsubscribe token is not valid (altered, or signed with another secret)"
        }
        TokenError::Malformed => "the unsubscribe token is malformed",
    }
}

/// Processes one raw message sent to the unsubscribe address: finds its token, checks it and
/// removes the subscriber it names. `now` is Unix seconds.
pub async fn unsubscribe_by_mail(
    ctx: &MailContext,
    raw: &[u8],
    now: i64,
) -> Result<MailedUnsubscribe, InboundError> {
    if !ctx.mail.secret_configured {
        return Err(InboundError::NoSecret);
    }
    let mut refused: Option<TokenError> = None;
    for token in candidate_tokens(raw) {
        match ctx.mail.verify(&token, Purpose::Unsubscribe, now) {
            Ok(subscriber) => {
                return match subscribe::unsubscribe(ctx, &token, now).await {
                    Ok(true) => Ok(MailedUnsubscribe::Removed { subscriber }),
                    Ok(false) => Ok(MailedUnsubscribe::AlreadyGone { subscriber }),
                    Err(cause) => Err(InboundError::Remove { subscriber, cause }),
                };
            }
            Err(e) => {
                if refused.as_ref().is_none_or(|r| rank(&e) > rank(r)) {
                    refused = Some(e);
                }
            }
        }
    }
    Err(refused.map_or(InboundError::NoToken, InboundError::BadToken))
}

/// How much a refusal tells the sender: an expired token was genuine once.
fn rank(e: &TokenError) -> u8 {
    match e {
        TokenError::Malformed => 0,
        TokenError::BadSignature => 1,
        TokenError::Expired => 2,
    }
}

/// The token-shaped strings of a raw message, Subject first, then the first lines of the first
/// text part (only of a message a person wrote, and only above any quoted text); no repeats,
/// at most a few. Pure and bounded: see the module documentation.
pub fn candidate_tokens(raw: &[u8]) -> Vec<String> {
    let raw = &raw[..raw.len().min(MAX_MESSAGE_BYTES)];
    let Some(message) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(subject) = message.subject() {
        shaped_tokens(prefix(subject, SUBJECT_SCAN_BYTES), &mut out);
    }
    if out.is_empty() && !is_automatic(&message) {
        if let Some(text) = message.body_text(0) {
            for line in prefix(&text, BODY_SCAN_BYTES).lines().take(BODY_SCAN_LINES) {
                if starts_quote(line) {
                    break;
                }
                shaped_tokens(line, &mut out);
            }
        }
    }
    out
}

/// Bounces (multipart/report) and auto-replies (RFC 3834 `Auto-Submitted`) may quote a digest
/// with its unsubscribe link; nobody asked to leave.
fn is_automatic(message: &mail_parser::Message<'_>) -> bool {
    let auto_submitted = message.header_raw("Auto-Submitted").is_some_and(|v| {
        let value = v.split(';').next().unwrap_or_default().trim();
        !value.is_empty() && !value.eq_ignore_ascii_case("no")
    });
    auto_submitted || message.root_part().is_content_type("multipart", "report")
}

/// Where a reply's or a forward's quoted text begins: `> ` lines, an attribution line
/// (`On … wrote:`, `在 … 写道：`), or a separator (`-----Original Message-----`, Outlook's
/// `____` rule) or header block (`From:`, `发件人：`) above the quoted message.
fn starts_quote(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('>')
        || line.starts_with("-----")
        || line.starts_with("____")
        || line.starts_with("From:")
        || line.starts_with("发件人")
        || line.ends_with("wrote:")
        || line.ends_with("写道：")
        || line.ends_with("写道:")
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Appends the words of `text` shaped like `{id}.{expires}.{mac}` to `out`.
fn shaped_tokens(text: &str, out: &mut Vec<String>) {
    // A pasted mailto URL keeps its `%20`; without this its token would read `20{id}.…`.
    let text = text.replace("%20", " ");
    let words = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .map(|w| w.trim_matches('.'));
    for word in words {
        if out.len() >= MAX_CANDIDATES {
            return;
        }
        if is_token_shaped(word) && !out.iter().any(|t| t == word) {
            out.push(word.to_string());
        }
    }
}

fn is_token_shaped(word: &str) -> bool {
    let digits = |s: &str| (1..=19).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let mut parts = word.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(id), Some(expires), Some(mac), None) => {
            digits(id)
                && digits(expires)
                && mac.len() == MAC_CHARS
                && mac
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::mail::token::sign;

    fn token(id: i64) -> String {
        sign(b"secret", id, Purpose::Unsubscribe, 1_900_000_000)
    }

    fn mail(headers: &str, body: &str) -> Vec<u8> {
        format!(
            "From: Reader <reader@example.org>\r\nTo: unsubscribe@example.org\r\n{headers}\
             Date: Mon, 1 Jan 2024 08:00:00 +0800\r\nMessage-ID: <r1@example.org>\r\n\r\n{body}"
        )
        .into_bytes()
    }

    #[test]
    fn finds_the_token_in_a_plain_subject() {
        let t = token(42);
        let raw = mail(&format!("Subject: unsubscribe {t}\r\n"), "");
        assert_eq!(candidate_tokens(&raw), vec![t]);
    }

    #[test]
    fn finds_the_token_behind_a_reply_prefix() {
        let t = token(7);
        let raw = mail(
            &format!("Subject: Re: RE: unsubscribe {t}\r\n"),
            "thanks\r\n",
        );
        assert_eq!(candidate_tokens(&raw), vec![t]);
    }

    #[test]
    fn decodes_an_rfc2047_subject() {
        let t = token(9);
        let subject = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("退订 unsubscribe {t}"),
        );
        let raw = mail(&format!("Subject: =?UTF-8?B?{subject}?=\r\n"), "");
        assert!(!String::from_utf8_lossy(&raw).contains(&t));
        assert_eq!(candidate_tokens(&raw), vec![t.clone()]);

        // Folded across two encoded words, Q encoding (where `_` is a space and `=5F` a `_`).
        let (a, b) = t.split_at(30);
        let (a, b) = (a.replace('_', "=5F"), b.replace('_', "=5F"));
        let raw = mail(
            &format!("Subject: =?utf-8?q?unsubscribe_{a}?=\r\n =?utf-8?q?{b}?=\r\n"),
            "",
        );
        assert_eq!(candidate_tokens(&raw), vec![t]);
    }

    #[test]
    fn falls_back_to_the_first_lines_of_the_body() {
        let t = token(11);
        let raw = mail(
            "Subject: \r\nContent-Type: text/plain; charset=utf-8\r\n",
            &format!("\r\nunsubscribe {t}\r\n\r\n-- \r\nsent from my phone\r\n"),
        );
        assert_eq!(candidate_tokens(&raw), vec![t.clone()]);
        // No Subject header at all, and the mailto URL pasted whole.
        let raw = mail(
            "",
            &format!("mailto:unsubscribe@example.org?subject=unsubscribe%20{t}\r\n"),
        );
        assert_eq!(candidate_tokens(&raw), vec![t]);
    }

    #[test]
    fn ignores_quoted_digests_and_automatic_mail() {
        let t = token(12);
        let quoted = format!(
            "Thanks for today's news!\r\n\r\nOn Mon, 1 Jan 2024, paperboy wrote:\r\n\
             > 建德新闻\r\n> unsubscribe: https://news.example.org/unsubscribe/{t}\r\n"
        );
        let raw = mail("Subject: Re: 建德市 2024-01-01\r\n", &quoted);
        assert!(candidate_tokens(&raw).is_empty());
        // Outlook's top-posted reply: a rule, a header block, the digest unquoted.
        let outlook = format!(
            "谢谢\r\n\r\n________________________________\r\n发件人: 本地新闻 <digest@example.org>\r\n\
             主题: 建德市\r\n\r\n退订：https://news.example.org/unsubscribe/{t}\r\n"
        );
        assert!(candidate_tokens(&mail("Subject: 答复: 建德市\r\n", &outlook)).is_empty());
        // A bounce (RFC 3464) whose human-readable part quotes the digest's headers.
        let report = format!(
            "--b\r\nContent-Type: text/plain\r\n\r\nList-Unsubscribe: <mailto:u@example.org\
             ?subject=unsubscribe%20{t}>\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n\
             Action: failed\r\n--b--\r\n"
        );
        let raw = mail(
            "Subject: Undelivered Mail\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n",
            &report,
        );
        assert!(candidate_tokens(&raw).is_empty());
        let bounce = format!("the digest could not be delivered\r\n{t}\r\n");
        let raw = mail(
            "Subject: Auto: away\r\nAuto-Submitted: auto-replied\r\n",
            &bounce,
        );
        assert!(candidate_tokens(&raw).is_empty());
        let raw = mail("Subject: x\r\nAuto-Submitted: no\r\n", &bounce);
        assert_eq!(candidate_tokens(&raw), vec![t]);
    }

    #[test]
    fn finds_nothing_without_a_token() {
        let raw = mail("Subject: unsubscribe\r\n", "please remove me\r\n");
        assert!(candidate_tokens(&raw).is_empty());
        // Near misses: a short MAC, a non-numeric id, four parts.
        let t = token(5);
        let raw = mail(
            &format!(
                "Subject: unsubscribe {} x{} {t}.1\r\n",
                &t[..t.len() - 1],
                t
            ),
            "",
        );
        assert!(
            candidate_tokens(&raw).is_empty(),
            "{:?}",
            candidate_tokens(&raw)
        );
    }

    #[test]
    fn survives_garbage_and_things_that_are_not_mail() {
        assert!(candidate_tokens(b"").is_empty());
        assert!(candidate_tokens(&[0xff, 0xfe, 0x00, 0x80, 0x0d, 0x0a, 0x3a]).is_empty());
        let noise: Vec<u8> = (0..100_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(candidate_tokens(&noise).is_empty());
        assert!(candidate_tokens(b"%PDF-1.4\n1 0 obj << >> endobj\n").is_empty());
    }

    #[test]
    fn bounds_the_work_on_a_huge_message() {
        let t = token(13);
        let mut body = format!("unsubscribe {t}\r\n");
        body.push_str(&"中".repeat(5 * 1024 * 1024 / 3));
        let raw = mail("Subject:\r\n", &body);
        assert!(raw.len() > 5 * 1024 * 1024);
        let started = std::time::Instant::now();
        assert_eq!(candidate_tokens(&raw), vec![t.clone()]);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));

        // A token past the scanned lines is not looked for.
        let late = format!("{}unsubscribe {t}\r\n", "line\r\n".repeat(BODY_SCAN_LINES));
        assert!(candidate_tokens(&mail("Subject:\r\n", &late)).is_empty());
        // Many token-shaped words: only a few are kept.
        let many: Vec<String> = (0..100).map(token).collect();
        let raw = mail(&format!("Subject: {}\r\n", many.join(" ")), "");
        assert_eq!(candidate_tokens(&raw).len(), MAX_CANDIDATES);
    }
}
