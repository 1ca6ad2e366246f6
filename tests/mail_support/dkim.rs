//! An independent DKIM verifier (RFC 6376) for the mail tests, so a test can check that what
//! arrives over SMTP really verifies, not just that a DKIM-Signature header is present. It is
//! written from the RFC, not from lettre's signer, so that a bug in the signer shows up here.
//! Only what paperboy signs with is supported: rsa-sha256, relaxed/relaxed, no `l=`. Instead
//! of a DNS lookup the public key is derived from the test's private PEM.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

/// Verify the (last) DKIM-Signature of `raw`, a message as received (CRLF line ends).
pub fn verify(raw: &[u8], private_pem: &str) -> Result<(), String> {
    let split = find(raw, b"\r\n\r\n").ok_or("no blank line between header and body")?;
    let (head, body) = (&raw[..split + 2], &raw[split + 4..]);
    let head = std::str::from_utf8(head).map_err(|e| format!("header not UTF-8: {e}"))?;
    let fields = header_fields(head);
    let sig_field = fields
        .iter()
        .rev()
        .find(|f| field_name(f).eq_ignore_ascii_case("DKIM-Signature"))
        .ok_or("no DKIM-Signature")?;
    let tags = tag_list(&sig_field[sig_field.find(':').unwrap_or(0) + 1..]);
    let tag = |n: &str| {
        tags.iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
            .ok_or(format!("no {n}= tag"))
    };
    for (t, want) in [("v", "1"), ("a", "rsa-sha256"), ("c", "relaxed/relaxed")] {
        if tag(t)? != want {
            return Err(format!("unsupported {t}={}", tag(t)?));
        }
    }
    if tag("l").is_ok() {
        return Err("l= (partial body) is not supported".into());
    }

    // 3.7 step 1: the body hash over the relaxed-canonical body.
    let bh = STANDARD.encode(Sha256::digest(relaxed_body(body)));
    if bh != strip_ws(tag("bh")?) {
        return Err(format!("body hash mismatch: computed {bh}"));
    }

    // 3.7 step 2: the h= headers, each name taking its occurrences bottom-up (5.4.2); a name
    // with no occurrence left contributes nothing. Then the signature field itself with b=
    // emptied and without its trailing CRLF.
    let mut used = vec![false; fields.len()];
    let mut hashed = String::new();
    for name in tag("h")?.split(':').map(strip_ws) {
        let hit = (0..fields.len())
            .rev()
            .find(|&i| !used[i] && field_name(&fields[i]).eq_ignore_ascii_case(&name));
        if let Some(i) = hit {
            used[i] = true;
            hashed += &relaxed_header(&fields[i]);
        }
    }
    let own = relaxed_header(sig_field);
    hashed += &empty_b(own.trim_end_matches("\r\n"));

    // 3.7 step 3: RSASSA-PKCS1-v1_5 with SHA-256 over that, against the public key.
    let sig = STANDARD
        .decode(strip_ws(tag("b")?))
        .map_err(|e| format!("b= is not base64: {e}"))?;
    let private = RsaPrivateKey::from_pkcs1_pem(private_pem).map_err(|e| e.to_string())?;
    RsaPublicKey::from(&private)
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(hashed.as_bytes()),
            &sig,
        )
        .map_err(|e| format!("signature does not verify: {e}"))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The header block split into fields, each with its continuation lines, without the final CRLF.
fn header_fields(head: &str) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for line in head.split_terminator("\r\n") {
        match fields.last_mut() {
            Some(f) if line.starts_with([' ', '\t']) => *f += &format!("\r\n{line}"),
            _ => fields.push(line.to_string()),
        }
    }
    fields
}

fn field_name(field: &str) -> &str {
    let name = field.split_once(':').map_or(field, |(n, _)| n);
    name.trim_end_matches([' ', '\t'])
}

/// 3.2: `tag=value` pairs separated by `;`, with the FWS around names and values dropped.
fn tag_list(value: &str) -> Vec<(String, String)> {
    value
        .split(';')
        .filter_map(|t| t.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Base64 tag values (b=, bh=) and h= entries may contain FWS, which is to be ignored.
fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_ascii_whitespace()).collect()
}

/// Runs of WSP become one SP (both canonicalizations in relaxed mode do this). Bytes, as the
/// body need not be UTF-8; only ASCII bytes are touched, so UTF-8 stays UTF-8.
fn collapse_wsp(s: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    for &c in s {
        let c = if c == b'\t' { b' ' } else { c };
        if !(c == b' ' && out.last() == Some(&b' ')) {
            out.push(c);
        }
    }
    out
}

/// 3.4.2: lowercase name, unfold, WSP runs to one SP, no WSP at the ends of the value or
/// around the colon; the result ends with CRLF.
fn relaxed_header(field: &str) -> String {
    let (name, value) = field.split_once(':').unwrap_or((field, ""));
    let value = collapse_wsp(value.replace("\r\n", "").as_bytes());
    let name = name.trim_end_matches([' ', '\t']).to_ascii_lowercase();
    format!(
        "{name}:{}\r\n",
        String::from_utf8_lossy(&value).trim_matches(' ')
    )
}

/// 3.5 b=: the signature field with the value of b= (and the whitespace around it) removed.
/// On a canonical field that is everything after `b=` up to the next `;`.
fn empty_b(canonical: &str) -> String {
    let part = |p: &'_ str| match p.trim_start().strip_prefix("b=") {
        Some(v) => p[..p.len() - v.len()].to_string(),
        None => p.to_string(),
    };
    canonical.split(';').map(part).collect::<Vec<_>>().join(";")
}

/// 3.4.4: per line, WSP runs to one SP and no trailing WSP; no empty lines at the end; every
/// line ends with CRLF (so a non-empty body not ending in CRLF gets one).
fn relaxed_body(body: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let end = find(rest, b"\r\n").unwrap_or(rest.len());
        let mut line = collapse_wsp(&rest[..end]);
        if line.last() == Some(&b' ') {
            line.pop();
        }
        lines.push(line);
        rest = &rest[(end + 2).min(rest.len())..];
    }
    while lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    lines
        .iter()
        .flat_map(|l| [l, &b"\r\n"[..]].concat())
        .collect()
}
