//! RSS 2.0 writer (the `rss` crate): the lead as `description`, full HTML in
//! `content:encoded`, `guid isPermaLink="false"`, `dc:creator` for bylines, categories, and
//! `atom:link` for self and RFC 5005 paging links.

use std::collections::BTreeMap;

use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};
use rss::{Category, Channel, Guid, Item};

use super::feed::{Feed, FeedFormat, LANGUAGE};
use super::text::escape_html;
use super::RenderError;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

fn atom_link(rel: &str, href: &str, mime: Option<&str>) -> Extension {
    let mut attrs = BTreeMap::new();
    attrs.insert("rel".to_string(), rel.to_string());
    attrs.insert("href".to_string(), href.to_string());
    if let Some(m) = mime {
        attrs.insert("type".to_string(), m.to_string());
    }
    Extension {
        name: "atom:link".to_string(),
        value: None,
        attrs,
        children: BTreeMap::new(),
    }
}

/// Writes `feed` as RSS 2.0.
pub fn rss(feed: &Feed) -> Result<String, RenderError> {
    let mime = Some(FeedFormat::Rss.mime());
    let mut links = vec![atom_link("self", &feed.self_url, mime)];
    if let Some(current) = &feed.paging.current {
        links.push(atom_link("current", current, mime));
        links.push(atom_link("first", current, mime));
    }
    if let Some(older) = &feed.paging.older {
        links.push(atom_link("next", older, mime));
        links.push(atom_link("prev-archive", older, mime));
    }
    let mut atom = BTreeMap::new();
    atom.insert("link".to_string(), links);
    let mut extensions = ExtensionMap::new();
    extensions.insert("atom".to_string(), atom);
    let mut namespaces = BTreeMap::new();
    namespaces.insert("atom".to_string(), ATOM_NS.to_string());

    let items = feed
        .entries
        .iter()
        .map(|e| Item {
            title: Some(e.title.clone()),
            link: Some(e.url.clone()),
            // RSS descriptions are HTML: the plain summary is escaped so `<` stays text.
            description: Some(escape_html(&e.summary)),
            guid: Some(Guid {
                value: e.id.clone(),
                permalink: false,
            }),
            pub_date: Some(e.published.to_rfc2822()),
            categories: e
                .categories
                .iter()
                .map(|c| Category {
                    name: c.clone(),
                    domain: None,
                })
                .collect(),
            content: Some(e.content_html.clone()),
            dublin_core_ext: (!e.authors.is_empty()).then(|| DublinCoreExtension {
                creators: e.authors.clone(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();

    let channel = Channel {
        title: feed.title.clone(),
        link: feed.home_url.clone(),
        description: escape_html(&feed.subtitle),
        language: Some(LANGUAGE.to_string()),
        last_build_date: Some(feed.updated.to_rfc2822()),
        pub_date: Some(feed.updated.to_rfc2822()),
        generator: Some(feed.generator.clone()),
        docs: Some("https://www.rssboard.org/rss-specification".to_string()),
        items,
        extensions,
        namespaces,
        ..Default::default()
    };
    // Sized for the content (written as CDATA, as it is): a feed is megabytes, and growing the
    // buffer by doubling copies it over.
    let content: usize = feed
        .entries
        .iter()
        .map(|e| e.content_html.len() + e.summary.len() + 1024)
        .sum();
    let bytes = channel
        .write_to(Vec::with_capacity(content + 4096))
        .map_err(|e| RenderError::Feed(format!("rss: {e}")))?;
    String::from_utf8(bytes).map_err(|e| RenderError::Feed(format!("rss: {e}")))
}
