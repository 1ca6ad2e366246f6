//! A rendered response body with everything HTTP needs precomputed: the bytes, their gzip and
//! brotli forms (compressed once, when the document is built, never per request), a content
//! hash for `ETag`, the content time for `Last-Modified`, and `Cache-Control`.
//!
//! [`Document::respond`] answers a request from it: `304 Not Modified` for a matching
//! `If-None-Match` (or, without one, a satisfied `If-Modified-Since`), otherwise the
//! representation chosen by `Accept-Encoding`, with `Vary: Accept-Encoding`.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Bodies smaller than this are not worth compressing.
const MIN_COMPRESS: usize = 512;

/// One representation (identity, gzip or br) with its own strong ETag.
#[derive(Debug, Clone)]
struct Representation {
    body: Bytes,
    etag: HeaderValue,
}

/// A cacheable response body.
#[derive(Debug, Clone)]
pub struct Document {
    identity: Representation,
    gzip: Option<Representation>,
    br: Option<Representation>,
    /// The hash part of the ETags (without quotes or encoding suffix).
    hash: String,
    content_type: HeaderValue,
    last_modified: Option<(DateTime<Utc>, HeaderValue)>,
    cache_control: HeaderValue,
    /// For feeds: the HTML preview page answered, at the same URL, to a client that prefers
    /// `text/html` (a browser opening the feed); feed readers get the feed.
    preview: Option<Box<Document>>,
}

/// Which representation a client accepts best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Br,
}

fn gzip(data: &[u8]) -> Option<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).ok()?;
    enc.finish().ok()
}

/// Quality 5 with a window no larger than the body: brotli's quality 7 and above (with a
/// window over 64 KiB) allocate a 32 MiB hash table per call, which made every first render
/// and every exported file pay for a 32 MiB mapping whatever the document's size.
fn brotli(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let bits = usize::BITS - data.len().max(1).leading_zeros();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 5,
        lgwin: bits.clamp(16, 22) as i32,
        size_hint: data.len(),
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).ok()?;
    Some(out)
}

fn etag_value(hash: &str, suffix: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{hash}{suffix}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

impl Document {
    /// Builds a document: hashes and compresses `body` once. `content_type` must be exact
    /// (with `charset=utf-8` for text); `last_modified` is the content's own time.
    pub fn new(
        body: impl Into<Bytes>,
        content_type: &'static str,
        last_modified: Option<DateTime<Utc>>,
        max_age_secs: u32,
    ) -> Self {
        let body: Bytes = body.into();
        let digest = Sha256::digest(&body);
        let hash = hex::encode(&digest[..16]);
        let last_modified = last_modified.and_then(|t| {
            let text = httpdate::fmt_http_date(std::time::SystemTime::from(t));
            HeaderValue::from_str(&text).ok().map(|v| (t, v))
        });
        let cache_control = HeaderValue::from_str(&format!("public, max-age={max_age_secs}"))
            .unwrap_or_else(|_| HeaderValue::from_static("no-cache"));
        Self {
            identity: Representation {
                body,
                etag: etag_value(&hash, ""),
            },
            gzip: None,
            br: None,
            hash,
            content_type: HeaderValue::from_static(content_type),
            last_modified,
            cache_control,
            preview: None,
        }
    }

    /// This document with its gzip and brotli forms, when the body is large enough to gain
    /// from them: done once, when the cache keeps the document, never per request.
    pub fn compressed(mut self) -> Self {
        let body = &self.identity.body;
        if body.len() < MIN_COMPRESS || self.gzip.is_some() {
            return self;
        }
        self.gzip = gzip(body).map(|b| Representation {
            body: b.into(),
            etag: etag_value(&self.hash, "-gz"),
        });
        self.br = brotli(body).map(|b| Representation {
            body: b.into(),
            etag: etag_value(&self.hash, "-br"),
        });
        self.preview = self.preview.map(|p| Box::new(p.compressed()));
        self
    }

    /// Answers requests that prefer `text/html` (see `prefers_html`) with `preview`, an HTML
    /// page about the feed, instead of the feed; both answers say `Vary: Accept`.
    pub fn with_preview(mut self, preview: Document) -> Self {
        self.preview = Some(Box::new(preview));
        self
    }

    /// The uncompressed bytes.
    pub fn body(&self) -> &Bytes {
        &self.identity.body
    }

    /// Bytes held by the bodies of every representation: what keeping this document costs.
    pub fn weight(&self) -> usize {
        let rep = |r: &Option<Representation>| r.as_ref().map_or(0, |r| r.body.len());
        self.identity.body.len()
            + rep(&self.gzip)
            + rep(&self.br)
            + self.preview.as_ref().map_or(0, |p| p.weight())
    }

    /// The gzip bytes, when the body was large enough to compress.
    pub fn gzip_body(&self) -> Option<&Bytes> {
        self.gzip.as_ref().map(|r| &r.body)
    }

    /// The strong ETag of the identity representation, quoted.
    pub fn etag(&self) -> &str {
        self.identity.etag.to_str().unwrap_or("")
    }

    /// The `Content-Type` header value.
    pub fn content_type(&self) -> &str {
        self.content_type.to_str().unwrap_or("")
    }

    /// True when an `If-None-Match` value names this content in any of its encodings.
    fn matches(&self, if_none_match: &str) -> bool {
        if_none_match.split(',').any(|tag| {
            let tag = tag.trim();
            if tag == "*" {
                return true;
            }
            let tag = tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"');
            let base = tag
                .strip_suffix("-gz")
                .or_else(|| tag.strip_suffix("-br"))
                .unwrap_or(tag);
            base == self.hash
        })
    }

    /// True when the request's validators say the client's copy is current.
    pub fn not_modified(&self, headers: &HeaderMap) -> bool {
        if let Some(inm) = headers.get(header::IF_NONE_MATCH) {
            // RFC 9110 13.1.3: If-Modified-Since is ignored when If-None-Match is present.
            return inm.to_str().map(|v| self.matches(v)).unwrap_or(false);
        }
        let (Some((modified, _)), Some(ims)) =
            (&self.last_modified, headers.get(header::IF_MODIFIED_SINCE))
        else {
            return false;
        };
        let Some(since) = ims
            .to_str()
            .ok()
            .and_then(|s| httpdate::parse_http_date(s).ok())
        else {
            return false;
        };
        // HTTP dates have one-second resolution.
        modified.timestamp() <= DateTime::<Utc>::from(since).timestamp()
    }

    /// The response to a GET or HEAD with `headers`.
    pub fn respond(&self, headers: &HeaderMap) -> Response<Body> {
        let vary = match &self.preview {
            Some(preview) if prefers_html(headers.get(header::ACCEPT)) => {
                return preview.respond_varying(headers, "Accept-Encoding, Accept");
            }
            Some(_) => "Accept-Encoding, Accept",
            None => "Accept-Encoding",
        };
        self.respond_varying(headers, vary)
    }

    fn respond_varying(&self, headers: &HeaderMap, vary: &'static str) -> Response<Body> {
        let encoding = negotiate(headers.get(header::ACCEPT_ENCODING));
        let rep = match encoding {
            Encoding::Br => self.br.as_ref(),
            Encoding::Gzip => self.gzip.as_ref(),
            Encoding::Identity => None,
        };
        let (rep, content_encoding) = match rep {
            Some(r) if encoding == Encoding::Br => (r, Some("br")),
            Some(r) => (r, Some("gzip")),
            None => (&self.identity, None),
        };
        let not_modified = self.not_modified(headers);
        let content_type = &self.content_type;
        let mut builder = Response::builder()
            .header(header::ETAG, rep.etag.clone())
            .header(header::CACHE_CONTROL, self.cache_control.clone())
            .header(header::VARY, HeaderValue::from_static(vary));
        if let Some((_, lm)) = &self.last_modified {
            builder = builder.header(header::LAST_MODIFIED, lm.clone());
        }
        let response = if not_modified {
            builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
        } else {
            // Explicit, so that a HEAD answer (whose body axum drops) still says the size.
            builder = builder
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, content_type.clone())
                .header(header::CONTENT_LENGTH, HeaderValue::from(rep.body.len()));
            if let Some(ce) = content_encoding {
                builder = builder.header(header::CONTENT_ENCODING, HeaderValue::from_static(ce));
            }
            builder.body(Body::from(rep.body.clone()))
        };
        response.unwrap_or_else(|_| {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
    }
}

/// True when `Accept` ranks `text/html` (or XHTML) above every feed type it names
/// (`application/atom+xml`, `application/rss+xml`, `application/feed+json`, `application/xml`,
/// `text/xml`, `application/json`): a browser navigating to a feed
/// (`text/html,…,application/xml;q=0.9,*/*;q=0.8`). Wildcards count for neither, so readers
/// sending `*/*`, no `Accept`, or HTML no higher than a feed type get the feed.
pub fn prefers_html(accept: Option<&HeaderValue>) -> bool {
    let Some(accept) = accept.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (mut html, mut feed) = (0.0_f32, 0.0_f32);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match mime.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "application/atom+xml"
            | "application/rss+xml"
            | "application/feed+json"
            | "application/xml"
            | "text/xml"
            | "application/json" => feed = feed.max(q),
            _ => {}
        }
    }
    html > 0.0 && html > feed
}

/// Picks br, then gzip, then identity, honouring `q=0`.
pub fn negotiate(accept: Option<&HeaderValue>) -> Encoding {
    let Some(accept) = accept.and_then(|v| v.to_str().ok()) else {
        return Encoding::Identity;
    };
    let mut best = (Encoding::Identity, 0.0f32);
    for part in accept.split(',') {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let enc = match name.as_str() {
            "br" | "*" => Encoding::Br,
            "gzip" | "x-gzip" => Encoding::Gzip,
            _ => continue,
        };
        // Prefer br over gzip at equal q: it is smaller.
        let rank = |e: Encoding| if e == Encoding::Br { 1 } else { 0 };
        if q > best.1 || (q == best.1 && rank(enc) > rank(best.0)) {
            best = (enc, q);
        }
    }
    best.0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn doc() -> Document {
        let t = Utc.with_ymd_and_hms(2022, 6, 28, 1, 2, 3).unwrap();
        Document::new("x".repeat(2000), "text/plain; charset=utf-8", Some(t), 60).compressed()
    }

    #[test]
    fn negotiates_br_then_gzip_and_honours_q_zero() {
        let n = |s: &'static str| negotiate(Some(&HeaderValue::from_static(s)));
        assert_eq!(n("gzip, deflate, br"), Encoding::Br);
        assert_eq!(n("gzip"), Encoding::Gzip);
        assert_eq!(n("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(n("identity"), Encoding::Identity);
        assert_eq!(n("gzip;q=1.0, br;q=0.5"), Encoding::Gzip);
        assert_eq!(negotiate(None), Encoding::Identity);
    }

    #[test]
    fn etag_of_any_encoding_gives_304_and_if_modified_since_too() {
        let d = doc();
        let mut h = HeaderMap::new();
        let tag = d.etag().trim_matches('"').to_string();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"{tag}-gz\"")).unwrap(),
        );
        assert_eq!(d.respond(&h).status(), StatusCode::NOT_MODIFIED);
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert_eq!(d.respond(&h).status(), StatusCode::OK);
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_static("Tue, 28 Jun 2022 01:02:03 GMT"),
        );
        assert_eq!(d.respond(&h).status(), StatusCode::NOT_MODIFIED);
        h.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_static("Tue, 28 Jun 2022 01:02:02 GMT"),
        );
        assert_eq!(d.respond(&h).status(), StatusCode::OK);
    }

    #[test]
    fn compressed_bodies_decompress_to_the_original() {
        use std::io::Read;
        let d = doc();
        let mut out = String::new();
        flate2::read::GzDecoder::new(&d.gzip_body().unwrap()[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out.as_bytes(), &d.body()[..]);
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        let r = d.respond(&h);
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(r.headers()[header::VARY], "Accept-Encoding");
        assert!(r.headers()[header::ETAG]
            .to_str()
            .unwrap()
            .ends_with("-br\""));
    }
}
