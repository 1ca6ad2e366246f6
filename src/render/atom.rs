//! Atom 1.0 writer (the `atom_syndication` crate): `xml:lang="zh-CN"`, self/alternate links,
//! RFC 5005 paging links, authors, categories and the full content as `type="html"`.
//!
//! Entries carry no `<summary>`: a plain-text client (rss2email in its default mode, through
//! feedparser) prefers a `text` summary to `html` content and would mail the summary alone;
//! without one every client reads the full content, and feedparser previews its opening.

use atom_syndication::{
    Category, Content, Entry as AtomEntry, Feed as AtomFeed, Generator, Link, Person, Text,
    WriteConfig,
};

use super::feed::{Feed, FeedFormat, LANGUAGE};
use super::RenderError;

fn link(rel: &str, href: &str, mime: &str) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: Some(mime.to_string()),
        ..Default::default()
    }
}

/// Writes `feed` as Atom 1.0.
pub fn atom(feed: &Feed) -> Result<String, RenderError> {
    let mime = FeedFormat::Atom.mime();
    let mut links = vec![
        link("self", &feed.self_url, mime),
        link("alternate", &feed.home_url, "text/html"),
    ];
    if let Some(current) = &feed.paging.current {
        links.push(link("current", current, mime));
        links.push(link("first", current, mime));
    }
    if let Some(older) = &feed.paging.older {
        links.push(link("next", older, mime));
        links.push(link("prev-archive", older, mime));
    }
    let entries = feed
        .entries
        .iter()
        .map(|e| AtomEntry {
            title: Text::plain(e.title.clone()),
            id: e.id.clone(),
            updated: e.updated,
            published: Some(e.published),
            authors: e
                .authors
                .iter()
                .map(|a| Person {
                    name: a.clone(),
                    ..Default::default()
                })
                .collect(),
            categories: e
                .categories
                .iter()
                .map(|c| Category {
                    term: c.clone(),
                    ..Default::default()
                })
                .collect(),
            links: vec![link("alternate", &e.url, "text/html")],
            summary: None,
            content: Some(Content {
                value: Some(e.content_html.clone()),
                content_type: Some("html".to_string()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let out = AtomFeed {
        title: Text::plain(feed.title.clone()),
        id: feed.id.clone(),
        updated: feed.updated,
        // Atom wants an author on the feed when an entry has none (untitled briefs, photos).
        authors: vec![Person {
            name: feed.title.clone(),
            uri: Some(feed.home_url.clone()),
            ..Default::default()
        }],
        generator: Some(Generator {
            value: feed.generator.clone(),
            ..Default::default()
        }),
        links,
        subtitle: Some(Text::plain(feed.subtitle.clone())),
        entries,
        lang: Some(LANGUAGE.to_string()),
        ..Default::default()
    };
    let config = WriteConfig {
        write_document_declaration: true,
        indent_size: None,
    };
    // Sized for the content, which XML escaping lengthens by its tags' `&lt;` and `&gt;`: a
    // feed is megabytes, and growing the buffer by doubling copies it over.
    let content: usize = feed
        .entries
        .iter()
        .map(|e| e.content_html.len() + 1024)
        .sum();
    let bytes = out
        .write_with_config(Vec::with_capacity(content + content / 4 + 4096), config)
        .map_err(|e| RenderError::Feed(format!("atom: {e}")))?;
    String::from_utf8(bytes).map_err(|e| RenderError::Feed(format!("atom: {e}")))
}
