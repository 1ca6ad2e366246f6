//! Decoding: page bytes → text. UTF-8 (with or without BOM), UTF-16 with a BOM, and
//! GB18030/GBK detected by content (chardetng), never guessed from the file name. Line ends are
//! normalised to `\n`. Binary, empty and undecodable inputs are refused with a reason; this module
//! does not look at what the text says.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};

/// Why bytes are not page text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Nothing but whitespace.
    #[error("empty file")]
    Empty,
    /// Bytes that no supported text encoding explains.
    #[error("{0}")]
    NotText(String),
}

/// Decoded page text and the name of the encoding it was stored in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// `utf-8`, `gb18030` or `utf-16`.
    pub encoding: &'static str,
    /// What was repaired on the way (damaged bytes, mixed encodings).
    pub warnings: Vec<String>,
}

/// Decodes page bytes, detecting the encoding, and normalises line ends (CRLF, CR → LF).
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DecodeError::Empty);
    }
    let mut warnings = Vec::new();
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (utf8(rest)?, "utf-8")
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let enc = if bytes[0] == 0xFF { UTF_16LE } else { UTF_16BE };
        (decode_strict(enc, &bytes[2..])?, "utf-16")
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_string(), "utf-8")
    } else {
        if memchr::memchr(0, bytes).is_some() {
            return Err(DecodeError::NotText("binary data (NUL bytes)".into()));
        }
        // UTF-8 with some damaged bytes (a truncated character, stray bytes from a converter or
        // a copy and paste) is decoded, the damaged sequences dropped (a reader gains nothing
        // from U+FFFD in an article) and counted in a warning that says where the first was;
        // only text that is mostly not UTF-8 goes on to the other encodings.
        let lossy = String::from_utf8_lossy(bytes);
        let damaged = lossy.chars().filter(|&c| c == '\u{FFFD}').count();
        let chars = lossy.chars().filter(|c| !c.is_whitespace()).count().max(1);
        if damaged * 20 <= chars && han_share(&lossy) > 0.3 {
            let first = std::str::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to());
            warnings.push(format!(
                "{damaged} invalid UTF-8 byte sequence(s) dropped (the first at byte {first})"
            ));
            let text = lossy.replace('\u{FFFD}', "");
            check_text(&text)?;
            return Ok(Decoded {
                text: normalise_line_ends(&text),
                encoding: "utf-8",
                warnings,
            });
        }
        let mut detector = chardetng::EncodingDetector::new();
        detector.feed(bytes, true);
        let guess = detector.guess(None, false);
        // Chinese pages that are not UTF-8 are GB18030/GBK (GB18030 decodes GBK and GB2312 too).
        // Another guess means the bytes are not a Chinese page; GB18030 is still tried because
        // chardetng can misjudge short texts, and accepted only when it decodes cleanly.
        let mixed = |warnings: &mut Vec<String>| {
            mixed_lines(bytes).map(|(text, lines)| {
                warnings.push(format!(
                    "mixed encodings: {lines} line(s) are UTF-8 in a GB18030 page, decoded as UTF-8"
                ));
                text
            })
        };
        match decode_strict(GB18030, bytes) {
            Ok(s) if guess == encoding_rs::GBK || guess == GB18030 || han_share(&s) > 0.3 => {
                (mixed(&mut warnings).unwrap_or(s), "gb18030")
            }
            _ => match mixed(&mut warnings) {
                Some(text) if han_share(&text) > 0.3 => (text, "gb18030"),
                _ => {
                    return Err(DecodeError::NotText(format!(
                        "neither UTF-8 nor GB18030 (looks like {})",
                        guess.name()
                    )))
                }
            },
        }
    };
    check_text(&text)?;
    Ok(Decoded {
        text: normalise_line_ends(&text),
        encoding,
        warnings,
    })
}

/// A GB18030 page with some lines in UTF-8 (pasted from elsewhere): decoded line by line, each
/// line in the encoding it is valid in, preferring UTF-8 for lines that hold non-ASCII UTF-8.
/// `None` when no line is UTF-8 beyond ASCII, or a line is valid in neither.
fn mixed_lines(bytes: &[u8]) -> Option<(String, usize)> {
    let mut out = String::with_capacity(bytes.len() * 3 / 2);
    let mut utf8_lines = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(s) if !s.is_ascii() => {
                utf8_lines += 1;
                out.push_str(s);
            }
            _ => {
                let (s, bad) = GB18030.decode_without_bom_handling(line);
                if bad {
                    return None;
                }
                out.push_str(&s);
            }
        }
    }
    (utf8_lines > 0).then_some((out, utf8_lines))
}

fn utf8(bytes: &[u8]) -> Result<String, DecodeError> {
    std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
        DecodeError::NotText(format!(
            "invalid UTF-8 after BOM at byte {}",
            e.valid_up_to() + 3
        ))
    })
}

fn decode_strict(enc: &'static Encoding, bytes: &[u8]) -> Result<String, DecodeError> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(DecodeError::NotText(format!(
            "invalid {} bytes",
            enc.name()
        )));
    }
    Ok(text.into_owned())
}

/// Share of Han characters among the non-whitespace characters.
fn han_share(text: &str) -> f64 {
    let (mut han, mut all) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        all += 1;
        if super::layout::is_han(c) {
            han += 1;
        }
    }
    if all == 0 {
        0.0
    } else {
        han as f64 / all as f64
    }
}

/// Refuses text that is mostly control characters (a binary file that happens to decode).
fn check_text(text: &str) -> Result<(), DecodeError> {
    // Control characters are C0 bytes (one byte each) or C1 (U+0080–U+009F, lead byte 0xC2);
    // counting bytes keeps this a plain scan.
    let bytes = text.as_bytes();
    let mut control = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        let c0 = (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)) || b == 0x7f;
        let c1 = b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..0xa0).contains(n));
        control += usize::from(c0 || c1);
    }
    if control > 0 {
        let all = text.chars().count();
        if control * 20 > all {
            return Err(DecodeError::NotText(format!(
                "binary data ({control} control characters in {all})"
            )));
        }
    }
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok(())
}

fn normalise_line_ends(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_crlf() {
        let d = decode("\u{feff}本报讯 昨天上午。\r\n第二行\r\n".as_bytes()).unwrap();
        assert_eq!(d.encoding, "utf-8");
        assert_eq!(d.text, "本报讯 昨天上午。\n第二行\n");
    }

    #[test]
    fn gb18030_is_detected_by_content() {
        let page = "本报讯 昨天上午，我市召开防欠薪工作部署会暨根治欠薪冬季攻坚行动推进会。\r\n（记者 许在诚）\r\n";
        let (bytes, _, _) = GB18030.encode(page);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "gb18030");
        assert!(d.text.starts_with("本报讯 昨天上午，我市召开"));
        assert!(!d.text.contains('\r'));
    }

    #[test]
    fn binary_and_empty_are_refused() {
        let png = [
            0x89u8, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe, 0x80,
        ];
        assert!(matches!(decode(&png), Err(DecodeError::NotText(_))));
        assert_eq!(decode(b"  \n\r\n"), Err(DecodeError::Empty));
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        let controls: Vec<u8> = (1u8..9).cycle().take(400).collect();
        assert!(matches!(decode(&controls), Err(DecodeError::NotText(_))));
    }

    #[test]
    fn utf8_with_a_stray_byte_is_repaired() {
        let mut bytes = "本报讯 昨天上午，我市召开防欠薪工作部署会暨根治欠薪冬季攻坚行动推进会，确保工作措施落实落细，维护社会和谐稳定。市委常委出席会议并讲话。会议要求各部门单位提高政治站位，增强大局意识。"
            .repeat(8)
            .into_bytes();
        bytes.insert(30, 0xFF);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "utf-8");
        assert!(d.text.starts_with("本报讯 昨天上午"));
        assert!(!d.text.contains('\u{FFFD}'));
        assert_eq!(
            d.warnings,
            ["3 invalid UTF-8 byte sequence(s) dropped (the first at byte 28)"],
            "a byte inserted inside a character breaks it into three sequences"
        );
    }

    #[test]
    fn utf8_with_damage_every_hundred_bytes_is_decoded_not_refused() {
        // More than one bad byte per 200 was refused whole as another encoding.
        let mut bytes = Vec::new();
        for _ in 0..20 {
            bytes.extend_from_slice(
                "本报讯 我市召开会议，部署今年的重点工作，要求各地狠抓落实。".as_bytes(),
            );
            bytes.push(0xC3); // a truncated two-byte sequence
        }
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "utf-8");
        assert_eq!(d.text.matches("本报讯").count(), 20);
        assert!(d.warnings[0].starts_with("20 invalid UTF-8 byte sequence(s) dropped"));
    }

    #[test]
    fn a_gb18030_page_with_utf8_lines_decodes_each_line_and_says_so() {
        let (gb, _, _) = GB18030.encode("建德市新安江街道召开会议，部署今年的重点工作。\n");
        let mut bytes = gb.repeat(6);
        bytes.extend_from_slice("寿昌镇举行招聘会，吸引了多家企业。\n".as_bytes());
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "gb18030");
        assert!(d.text.contains("建德市新安江街道"));
        assert!(
            d.text.contains("寿昌镇举行招聘会"),
            "the UTF-8 line is not garbled"
        );
        assert_eq!(
            d.warnings,
            ["mixed encodings: 1 line(s) are UTF-8 in a GB18030 page, decoded as UTF-8"]
        );
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "平湖版\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&bytes).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("平湖版\n", "utf-16"));
    }
}
