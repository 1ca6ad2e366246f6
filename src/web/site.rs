//! Site-wide documents for crawlers: `/robots.txt` (everything readable may be crawled, the
//! API and the subscription forms not; names the sitemap) and `/sitemap.xml` (every HTML page:
//! home, regions, editions, articles; at most the 50,000 URLs one sitemap may hold).

use super::document::Document;
use super::error::AppError;
use super::AppState;
use crate::render::escape_html;

/// `Content-Type` of `/robots.txt`.
const TEXT: &str = "text/plain; charset=utf-8";
/// `Content-Type` of `/sitemap.xml`.
const XML: &str = "application/xml; charset=utf-8";
/// The sitemap protocol's limit of URLs in one file.
pub const SITEMAP_MAX_URLS: usize = 50_000;

/// `/robots.txt`
pub fn robots(state: &AppState) -> Document {
    let body = format!(
        "User-agent: *\nDisallow: /api/\nDisallow: /subscribe\nDisallow: /confirm/\n\
         Disallow: /unsubscribe/\nAllow: /\n\nSitemap: {}\n",
        state.site.url("/sitemap.xml")
    );
    Document::new(body, TEXT, None, 86_400)
}

/// `/sitemap.xml`: the HTML pages of the site, as `paperboy export` would write them.
pub async fn sitemap(state: &AppState) -> Result<Document, AppError> {
    let paths = super::export::site_paths(state)
        .await
        .map_err(|e| AppError::Internal(format!("listing the site for the sitemap: {e}")))?;
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths
        .iter()
        .filter(|p| p.ends_with('/'))
        .take(SITEMAP_MAX_URLS)
    {
        body.push_str(&format!(
            "<url><loc>{}</loc></url>\n",
            escape_html(&state.site.url(path))
        ));
    }
    body.push_str("</urlset>\n");
    Ok(Document::new(
        body,
        XML,
        None,
        state.config.feeds.max_age_secs,
    ))
}
