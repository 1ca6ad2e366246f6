//! The HTML preview of a feed (`feed.html`): what a browser is shown when someone opens a feed
//! URL, in place of the XSLT that browsers are removing. It says what a feed is, gives the
//! address to paste into a reader, and lists the entries. The web layer serves it at the
//! feed's own URL to clients that prefer `text/html` (content negotiation); readers get the
//! feed itself.

use serde::Serialize;

use super::feed::{Feed, FeedFormat, Site};
use super::pages::date_label;
use super::{RenderError, Renderer};

/// One entry as the preview lists it.
#[derive(Debug, Serialize)]
pub struct PreviewEntry {
    pub title: String,
    /// Absolute URL of its HTML page.
    pub url: String,
    /// `2022年6月28日`
    pub date_label: String,
    /// The lead (plain text).
    pub summary: String,
}

/// Context of `feed.html`.
#[derive(Debug, Serialize)]
pub struct FeedPreview<'a> {
    pub site: &'a Site,
    pub title: &'a str,
    pub subtitle: &'a str,
    /// The feed's own address, to paste into a reader.
    pub feed_url: &'a str,
    /// `Atom`, `RSS`, `JSON Feed`.
    pub format: &'static str,
    /// Absolute URL of the HTML page the feed belongs to.
    pub home_url: &'a str,
    pub entries: Vec<PreviewEntry>,
    /// Older entries (an RFC 5005 archive page), when there are more.
    pub older: Option<&'a str>,
}

/// The name of a format as readers know it.
pub fn format_label(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Atom => "Atom",
        FeedFormat::Rss => "RSS",
        FeedFormat::Json => "JSON Feed",
    }
}

impl Renderer {
    /// The HTML preview of `feed` written in `format`.
    pub fn feed_preview(
        &self,
        site: &Site,
        feed: &Feed,
        format: FeedFormat,
    ) -> Result<String, RenderError> {
        let entries = feed
            .entries
            .iter()
            .map(|e| PreviewEntry {
                title: e.title.clone(),
                url: e.url.clone(),
                date_label: date_label(e.published.date_naive()),
                summary: e.summary.clone(),
            })
            .collect();
        self.render(
            "feed.html",
            FeedPreview {
                site,
                title: &feed.title,
                subtitle: &feed.subtitle,
                feed_url: &feed.self_url,
                format: format_label(format),
                home_url: &feed.home_url,
                entries,
                older: feed.paging.older.as_deref(),
            },
        )
    }
}
