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
    let out = serde_json::to_string_pretty(&doc)
        .map_err(|e| RenderError::Feed(format!("json feed: {e}")))?;
    Ok(html_safe_json(&out))
}

/// Writes `<`, `>` and `&` inside JSON strings as `\u003c`, `\u003e`, `\u0026`: the same
/// values, but a JSON document pasted into HTML (or sniffed as HTML) can never open a tag.
/// Safe on the whole document because JSON syntax outside strings never uses these characters.
pub fn html_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            _ => out.push(c),
        }
    }
    out
}
