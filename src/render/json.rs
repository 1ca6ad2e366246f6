//! JSON Feed 1.1 writer (serde): `https://jsonfeed.org/version/1.1`, `language`, `next_url`
//! for the older page, authors, tags, the lead as `summary`, and the full text twice:
//! `content_html`, and `content_text` for clients that show plain text.

use serde::Serialize;

use super::feed::{Feed, LANGUAGE};
use super::RenderError;

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    description: &'a str,
    language: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<&'a str>,
    authors: Vec<Author<'a>>,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    content_text: &'a str,
    summary: &'a str,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    tags: &'a [String],
    language: &'static str,
}

/// Writes `feed` as JSON Feed 1.1.
pub fn json(feed: &Feed) -> Result<String, RenderError> {
    let doc = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &feed.title,
        home_page_url: &feed.home_url,
        feed_url: &feed.self_url,
        description: &feed.subtitle,
        language: LANGUAGE,
        next_url: feed.paging.older.as_deref(),
        authors: vec![Author {
            name: &feed.title,
            url: Some(&feed.home_url),
        }],
        items: feed
            .entries
            .iter()
            .map(|e| Item {
                id: &e.id,
                url: &e.url,
                title: &e.title,
                content_html: &e.content_html,
                content_text: &e.content_text,
                summary: &e.summary,
                date_published: e.published.to_rfc3339(),
                date_modified: e.updated.to_rfc3339(),
                authors: e
                    .authors
                    .iter()
                    .map(|a| Author { name: a, url: None })
                    .collect(),
                tags: &e.categories,
                language: LANGUAGE,
            })
            .collect(),
    };
    // Written once, escaped on the way (see [`HtmlSafe`]), into a buffer sized for the texts
    // the entries carry twice: a feed is megabytes, and growing it by doubling copies it over.
    let texts: usize = feed
        .entries
        .iter()
        .map(|e| e.content_html.len() + e.content_text.len() + 1024)
        .sum();
    let mut out = HtmlSafe(Vec::with_capacity(texts + texts / 8 + 4096));
    serde_json::to_writer_pretty(&mut out, &doc)
        .map_err(|e| RenderError::Feed(format!("json feed: {e}")))?;
    String::from_utf8(out.0).map_err(|e| RenderError::Feed(format!("json feed: {e}")))
}

/// A writer that applies [`html_safe_json`] to what passes through it: the escaped
/// characters are single ASCII bytes, so escaping each piece as it comes gives the same bytes
/// as escaping the whole document after.
struct HtmlSafe(Vec<u8>);

impl std::io::Write for HtmlSafe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        push_html_safe(&mut self.0, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes `<`, `>` and `&` inside JSON strings as `\u003c`, `\u003e`, `\u0026`: the same
/// values, but a JSON document pasted into HTML (or sniffed as HTML) can never open a tag.
/// Safe on the whole document because JSON syntax outside strings never uses these characters.
pub fn html_safe_json(json: &str) -> String {
    let mut out = Vec::with_capacity(json.len() + json.len() / 64);
    push_html_safe(&mut out, json.as_bytes());
    // ASCII bytes replaced by ASCII: the bytes are still the UTF-8 they were.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `buf` appended to `out` with [`html_safe_json`]'s escapes. The three characters are ASCII:
/// the text between them is copied as whole runs.
fn push_html_safe(out: &mut Vec<u8>, buf: &[u8]) {
    let mut run = 0;
    for (i, b) in buf.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            b'&' => b"\\u0026",
            _ => continue,
        };
        out.extend_from_slice(&buf[run..i]);
        out.extend_from_slice(escaped);
        run = i + 1;
    }
    out.extend_from_slice(&buf[run..]);
}
