//! Typed contexts of the HTML page templates (`index.html`, `region.html`, `edition.html`,
//! `article.html`, `error.html`). Built by the web layer from store values and cleaned views;
//! every text in them has been through [`super::clean`]. Links are root-relative so that pages
//! work on any host name, including a static export.

use chrono::NaiveDate;
use serde::Serialize;

use super::feed::{ArticleView, FeedFormat, FeedKind, RegionView, Site};

/// A feed link for `<link rel="alternate">` and the visible feed list.
#[derive(Debug, Clone, Serialize)]
pub struct FeedLink {
    pub title: String,
    /// Root-relative URL.
    pub href: String,
    /// MIME type without parameters.
    pub mime: &'static str,
}

impl FeedLink {
    /// The six feeds of a region (editions and articles, each in three formats).
    pub fn for_region(region: &RegionView) -> Vec<FeedLink> {
        let mut out = Vec::new();
        for kind in [FeedKind::Editions, FeedKind::Articles] {
            let what = match kind {
                FeedKind::Editions => "每日版",
                FeedKind::Articles => "逐篇",
            };
            for format in FeedFormat::ALL {
                let label = match format {
                    FeedFormat::Atom => "Atom",
                    FeedFormat::Rss => "RSS",
                    FeedFormat::Json => "JSON Feed",
                };
                out.push(FeedLink {
                    title: format!("{} {what} ({label})", region.name),
                    href: format!("{}{}", region.path(), kind.file(format)),
                    mime: format.mime(),
                });
            }
        }
        out
    }
}

/// A county on the home page.
#[derive(Debug, Clone, Serialize)]
pub struct CountyItem {
    pub region: RegionView,
    pub latest: NaiveDate,
    pub editions: i64,
}

/// A prefecture and its counties that have editions.
#[derive(Debug, Clone, Serialize)]
pub struct PrefectureGroup {
    pub region: RegionView,
    pub counties: Vec<CountyItem>,
}

/// A province and its prefectures.
#[derive(Debug, Clone, Serialize)]
pub struct ProvinceGroup {
    pub region: RegionView,
    pub prefectures: Vec<PrefectureGroup>,
}

/// Every region with editions, grouped by province and prefecture (home page and OPML).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Directory {
    pub provinces: Vec<ProvinceGroup>,
}

/// Context of `index.html`.
#[derive(Debug, Serialize)]
pub struct IndexPage<'a> {
    pub site: &'a Site,
    pub directory: &'a Directory,
    /// Regions whose pages list articles of undated pages (in no edition).
    pub undated: Vec<RegionView>,
}

/// One edition in a region's list.
#[derive(Debug, Clone, Serialize)]
pub struct EditionLink {
    pub date: NaiveDate,
    pub articles: i64,
    pub path: String,
}

/// An article of an undated page in a region's "undated" list.
#[derive(Debug, Clone, Serialize)]
pub struct UndatedLink {
    pub title: String,
    /// `/a/{id}/`
    pub path: String,
    pub paper: Option<String>,
    /// The day its page was ingested (it has no publication date).
    pub ingested: NaiveDate,
}

impl UndatedLink {
    /// The list entry of an (already cleaned) article view.
    pub fn new(a: &ArticleView) -> Self {
        Self {
            title: a.title.clone(),
            path: a.path.clone(),
            paper: a.paper.clone(),
            ingested: a.date,
        }
    }
}

/// Context of `region.html`.
#[derive(Debug, Serialize)]
pub struct RegionPage<'a> {
    pub site: &'a Site,
    pub region: &'a RegionView,
    pub editions: Vec<EditionLink>,
    /// Articles of undated pages: in no edition or feed, listed apart with their ingest day.
    pub undated: Vec<UndatedLink>,
    /// `?before=` link to older editions.
    pub older: Option<String>,
    /// Sub-regions with editions (a prefecture's counties).
    pub children: Vec<RegionView>,
    pub parents: Vec<RegionView>,
    pub feeds: Vec<FeedLink>,
    pub subscribe: String,
}

/// Context of `edition.html`.
#[derive(Debug, Serialize)]
pub struct EditionPage<'a> {
    pub site: &'a Site,
    pub region: &'a RegionView,
    pub date: NaiveDate,
    /// `2022年6月28日`
    pub date_label: String,
    /// A note when the date is the ingest day or inferred.
    pub date_note: Option<&'static str>,
    pub articles: Vec<ArticleView>,
    pub feeds: Vec<FeedLink>,
    pub subscribe: String,
}

/// Context of `article.html`.
#[derive(Debug, Serialize)]
pub struct ArticlePage<'a> {
    pub site: &'a Site,
    pub article: &'a ArticleView,
    /// `2022年6月28日`, or for an undated page `未注明日期（2024年5月1日收录）`.
    pub date_label: String,
    /// The page prints no date: the article is in no edition (regions link to region pages).
    pub undated: bool,
    /// The regions the article is filed under (primary first).
    pub regions: Vec<RegionView>,
    pub feeds: Vec<FeedLink>,
    pub subscribe: Option<String>,
}

/// Context of `error.html` (404s and hidden 5xx).
#[derive(Debug, Serialize)]
pub struct ErrorPage<'a> {
    pub site: &'a Site,
    pub status: u16,
    pub title: String,
    pub message: String,
    /// Helpful links: (label, root-relative href).
    pub links: Vec<(String, String)>,
}

/// `2022年6月28日`
pub fn date_label(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// `/subscribe?region={slug}`
pub fn subscribe_path(region: &RegionView) -> String {
    format!("/subscribe?region={}", region.slug)
}
