//! Site-wide documents for crawlers: `/robots.txt` (everything readable may be crawled, the
//! API and the subscription forms not; names the sitemap) and `/sitemap.xml` (the HTML pages:
//! home, regions, editions, then articles newest first; at most the 50,000 URLs one sitemap may
//! hold, and the store is asked for no more).

use std::collections::BTreeSet;

use super::document::Document;
use super::error::AppError;
use super::regions::view;
use super::AppState;
use crate::model::RegionCode;
use crate::render::escape_html;
use crate::store::EditionQuery;

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

/// Root-relative paths of the site's HTML pages, at most `max`: home, every region with
/// editions and its prefecture and province, their editions newest first, then the articles
/// newest first. One query per region and one for the articles, each bounded by what is left.
async fn page_paths(state: &AppState, max: usize) -> Result<Vec<String>, AppError> {
    let mut regions: BTreeSet<RegionCode> = BTreeSet::new();
    for a in state.store.regions().await? {
        regions.insert(a.region.prefecture());
        regions.insert(a.region.province());
        regions.insert(a.region);
    }
    let views: Vec<_> = regions.iter().filter_map(|c| Some((c, view(c)?))).collect();
    let mut paths = vec!["/".to_string()];
    paths.extend(views.iter().map(|(_, v)| v.path()));
    for (code, v) in &views {
        let left = max.saturating_sub(paths.len());
        if left == 0 {
            break;
        }
        let eds = state
            .store
            .editions(&EditionQuery {
                region: Some((*code).clone()),
                limit: Some(left),
                ..Default::default()
            })
            .await?;
        paths.extend(eds.iter().map(|e| format!("{}{}/", v.path(), e.date)));
    }
    let left = max.saturating_sub(paths.len());
    if left > 0 {
        let arts = state.store.latest_articles(left, None).await?;
        paths.extend(arts.iter().map(|a| format!("/a/{}/", a.id)));
    }
    paths.truncate(max);
    Ok(paths)
}

/// `/sitemap.xml`: the HTML pages of the site (see `page_paths`).
pub async fn sitemap(state: &AppState) -> Result<Document, AppError> {
    let paths = page_paths(state, SITEMAP_MAX_URLS).await?;
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in &paths {
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
