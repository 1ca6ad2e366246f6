//! A digest rendered once for everyone who gets the same editions, made ready so that each
//! subscriber's copy costs little more than its own links.
//!
//! Each part (plain text, HTML) is kept with CRLF line ends and cut where a subscriber's links
//! go; the shared start before the first link is base64-encoded once, in whole 76-character
//! lines (57 bytes each), and each copy encodes only the rest. The bytes are exactly those of
//! encoding the whole part at once (tested against lettre's own encoder), so a receiver sees
//! an ordinary base64 body.

use base64::Engine;
use lettre::message::header::ContentTransferEncoding;
use lettre::message::Body;

/// Stand in for the subscriber's own links in a rendered part (letters and underscores only,
/// so template escaping leaves them as they are).
pub(super) const UNSUBSCRIBE_PLACEHOLDER: &str = "PAPERBOY_UNSUBSCRIBE_URL_PLACEHOLDER";
pub(super) const MANAGE_PLACEHOLDER: &str = "PAPERBOY_MANAGE_URL_PLACEHOLDER";

/// Bytes per base64 line of a MIME body (76 characters).
const LINE_BYTES: usize = 57;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(Vec<u8>),
    Unsubscribe,
    Manage,
}

/// One rendered part of a digest, ready for [`Part::body`].
#[derive(Debug, Clone)]
pub(super) struct Part {
    /// Base64 lines (each ending CRLF) of the part's start, shared by every copy.
    encoded: String,
    /// The rest, from the end of `encoded`'s bytes: text and the places of the links.
    rest: Vec<Piece>,
}

impl Part {
    /// `rendered` (a template's output with the placeholders in it) made ready.
    pub(super) fn new(rendered: &str) -> Part {
        let mut rest = pieces(&crlf(rendered));
        let mut encoded = String::new();
        if let Some(Piece::Text(first)) = rest.first_mut() {
            // Whole lines only, and never all of the part: the last line is the copy's.
            let whole = first.len().saturating_sub(1) / LINE_BYTES * LINE_BYTES;
            if whole > 0 {
                encode(&first[..whole], &mut encoded);
                encoded.push_str("\r\n");
                first.drain(..whole);
            }
        }
        Part { encoded, rest }
    }

    /// The base64 body of one copy with these links (already escaped for the part's kind).
    pub(super) fn body(&self, unsubscribe: &str, manage: &str) -> Body {
        let mut tail = Vec::new();
        for p in &self.rest {
            tail.extend_from_slice(match p {
                Piece::Text(t) => t,
                Piece::Unsubscribe => unsubscribe.as_bytes(),
                Piece::Manage => manage.as_bytes(),
            });
        }
        let mut out = String::with_capacity(self.encoded.len() + tail.len() / 3 * 4 + 64);
        out.push_str(&self.encoded);
        encode(&tail, &mut out);
        Body::dangerous_pre_encoded(out.into_bytes(), ContentTransferEncoding::Base64)
    }
}

/// The base64 body of a text with no links to fill in (the confirmation mail).
pub(super) fn whole(text: &str) -> Body {
    Part::new(text).body("", "")
}

/// Line ends made CRLF (a LF without CR before it gets one), as SMTP and MIME want them.
fn crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 32);
    let mut previous = '\0';
    for c in s.chars() {
        if c == '\n' && previous != '\r' {
            out.push('\r');
        }
        out.push(c);
        previous = c;
    }
    out
}

/// `rendered` cut at the placeholders.
fn pieces(rendered: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = rendered;
    loop {
        let next = [
            (UNSUBSCRIBE_PLACEHOLDER, Piece::Unsubscribe),
            (MANAGE_PLACEHOLDER, Piece::Manage),
        ]
        .into_iter()
        .filter_map(|(p, piece)| rest.find(p).map(|at| (at, p.len(), piece)))
        .min_by_key(|(at, _, _)| *at);
        let Some((at, len, piece)) = next else {
            if !rest.is_empty() {
                out.push(Piece::Text(rest.as_bytes().to_vec()));
            }
            return out;
        };
        if at > 0 {
            out.push(Piece::Text(rest.as_bytes()[..at].to_vec()));
        }
        out.push(piece);
        rest = &rest[at + len..];
    }
}

/// Base64 in lines of 76 characters separated by CRLF, the last one without (MIME's layout,
/// the same as lettre's).
fn encode(bytes: &[u8], out: &mut String) {
    let engine = base64::engine::general_purpose::STANDARD;
    for (i, line) in bytes.chunks(LINE_BYTES).enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        engine.encode_string(line, out);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn lettre_base64(text: &str) -> Vec<u8> {
        Body::new_with_encoding(text.to_string(), ContentTransferEncoding::Base64)
            .unwrap()
            .into_vec()
    }

    #[test]
    fn cut_at_each_link() {
        let rendered = format!(
            "退订：{UNSUBSCRIBE_PLACEHOLDER}\n管理：{MANAGE_PLACEHOLDER}{UNSUBSCRIBE_PLACEHOLDER}"
        );
        assert_eq!(
            pieces(&rendered),
            vec![
                Piece::Text("退订：".as_bytes().to_vec()),
                Piece::Unsubscribe,
                Piece::Text("\n管理：".as_bytes().to_vec()),
                Piece::Manage,
                Piece::Unsubscribe,
            ]
        );
        assert_eq!(
            pieces("无链接"),
            vec![Piece::Text("无链接".as_bytes().to_vec())]
        );
    }

    #[test]
    fn line_ends_become_crlf_once() {
        assert_eq!(crlf("a\nb\r\nc\n\n"), "a\r\nb\r\nc\r\n\r\n");
        assert_eq!(crlf("\n"), "\r\n");
    }

    #[test]
    fn a_copy_is_byte_for_byte_the_whole_part_encoded() {
        let long: String = (0..40)
            .map(|i| format!("- 建德市第{i}条新闻标题，新安江畔\n"))
            .collect();
        for (template, unsubscribe, manage) in [
            (
                format!("{long}退订：{UNSUBSCRIBE_PLACEHOLDER}\n管理：{MANAGE_PLACEHOLDER}\n"),
                "https://x.org/unsubscribe/7.99.abc",
                "https://x.org/manage/7.99.def",
            ),
            // Links first, links only, no links, a part shorter than a line, exactly a line.
            (format!("{UNSUBSCRIBE_PLACEHOLDER}{long}"), "u", "m"),
            (MANAGE_PLACEHOLDER.to_string(), "", "m"),
            (long.clone(), "u", "m"),
            ("短".to_string(), "u", "m"),
            ("a".repeat(LINE_BYTES), "u", "m"),
            ("a".repeat(2 * LINE_BYTES), "u", "m"),
        ] {
            let whole = template
                .replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe)
                .replace(MANAGE_PLACEHOLDER, manage);
            let part = Part::new(&template);
            assert_eq!(
                part.body(unsubscribe, manage).into_vec(),
                lettre_base64(&whole),
                "{template:?}"
            );
        }
        // The shared start really is encoded once.
        let part = Part::new(&format!("{long}{UNSUBSCRIBE_PLACEHOLDER}"));
        assert!(part.encoded.len() > long.len());
    }
}
