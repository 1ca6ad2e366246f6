//! Typed contexts of the HTML page templates (`index.html`, `region.html`, `edition.html`,
//! `article.html`, `error.html`). Built by the web layer from store values and cleaned views;
//! every text in them has been through [`super::clean`]. Links are root-relative so that pages
//! work on any host name, including a static export.

use chrono::NaiveDate;
use serde::Serialize;

use super::feed::{ArticleView, FeedFormat, FeedKind, RegionView, Site};
use super::preview::format_label;

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
                let label = format_label(format);
                out.push(FeedLink {
                    title: format!("{}{what}（{label}）", region.name),
                    href: format!("{}{}", region.path(), kind.file(format)),
                    mime: format.mime(),
                });
            }
        }
        out
    }

    /// The three formats of the all-regions feed (`/feed.*`).
    pub fn everywhere() -> Vec<FeedLink> {
        FeedFormat::ALL
            .into_iter()
            .map(|format| FeedLink {
                title: format!("各地最新文章（{}）", format_label(format)),
                href: format!("/feed.{}", format.ext()),
                mime: format.mime(),
            })
            .collect()
    }
}

/// An article's headline as a link.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub title: String,
    /// `/a/{id}/`
    pub path: String,
}

impl Headline {
    /// The headline of an (already cleaned) article view.
    pub fn new(a: &ArticleView) -> Self {
        Self {
            title: a.title.clone(),
            path: a.path.clone(),
        }
    }
}

/// An edition with its first headlines (home page, region page).
#[derive(Debug, Clone, Serialize)]
pub struct EditionHeadlines {
    pub region: RegionView,
    pub edition: EditionLink,
    /// `2022年6月28日`
    pub date_label: String,
    /// The first few headlines in reading order.
    pub headlines: Vec<Headline>,
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
    /// The latest editions everywhere, with their first headlines.
    pub latest: Vec<EditionHeadlines>,
    /// The all-regions feed (autodiscovery and the visible links).
    pub feeds: Vec<FeedLink>,
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
    /// The subscription form, or this page's feed list when mail is off.
    pub subscribe: String,
    /// The latest edition's headlines (absent before the first edition and on older pages).
    pub latest: Option<EditionHeadlines>,
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
    pub articles: &'a [ArticleView],
    pub feeds: Vec<FeedLink>,
    pub subscribe: String,
    /// Province and prefecture above the region, for the breadcrumb.
    pub parents: Vec<RegionView>,
    /// The region's editions just before and after this one.
    pub previous: Option<EditionLink>,
    pub next: Option<EditionLink>,
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
    /// Absolute URL of this page (`<link rel=canonical>`, `og:url`).
    pub canonical: String,
    /// The lead, for `<meta name=description>` and `og:description`.
    pub description: String,
    /// The edition it appeared in (its primary region's), when it is dated.
    pub edition: Option<EditionLink>,
    /// The articles before and after it in that edition.
    pub previous: Option<Headline>,
    pub next: Option<Headline>,
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

/// `/subscribe?region={slug}` (the mail form; without mail, pages link their feeds instead)
pub fn subscribe_path(region: &RegionView) -> String {
    format!("/subscribe?region={}", region.slug)
}
