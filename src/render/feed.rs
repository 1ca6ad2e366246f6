//! The format-neutral feed model: a [`Feed`] of [`Entry`]s built from stored articles and
//! edition summaries, which the RSS, Atom and JSON Feed writers then serialise.
//!
//! Building the model is where every text is cleaned ([`super::clean`]) and where ids, dates and
//! links are decided, so that the three formats cannot disagree. Ids never contain the slug or
//! the base URL (`urn:paperboy:edition:330182:2022-06-28`, `urn:paperboy:article:{id}`): they
//! stay the same when an operator renames the host. An entry's time is the same in every
//! format (Atom `published` and `updated`, RSS `pubDate`, JSON Feed `date_published` and
//! `date_modified`): its publication day, so readers sort every format alike; the feed's own
//! time is when its content last changed. Never the render time; always `+08:00`.

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use serde::Serialize;

use super::text::{cleaned, escape_html_into, excerpt, excerpt_words, paragraphs};
use crate::model::{ArticleKind, DateSource, EditionSummary, RegionLevel, StoredArticle};

/// Feed language, as `<language>`, `xml:lang` and JSON Feed `language`.
pub const LANGUAGE: &str = "zh-CN";

/// China Standard Time: the offset of every timestamp paperboy writes.
pub fn china() -> FixedOffset {
    // 8 hours east is always in range; the fallback is never taken.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// A UTC instant in `+08:00`.
pub fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&china())
}

/// Midnight `+08:00` of a publication day: the `published` time of its editions and articles.
pub fn day_start(date: NaiveDate) -> DateTime<FixedOffset> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    china()
        .from_local_datetime(&midnight)
        .single()
        .unwrap_or_else(|| china().from_utc_datetime(&midnight))
}

/// Site-wide facts every render needs.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// Absolute base URL without a trailing slash.
    pub base_url: String,
    pub title: String,
}

impl Site {
    /// `base_url` + `path` (path starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

/// A region as pages and feeds show it (built by the web layer from the gazetteer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionView {
    pub code: String,
    /// Full name (建德市).
    pub name: String,
    pub slug: String,
    pub level: RegionLevel,
    /// Prefecture name for counties.
    pub prefecture: Option<String>,
    /// Province name for counties and prefectures.
    pub province: Option<String>,
}

impl RegionView {
    /// `/r/{slug}/`
    pub fn path(&self) -> String {
        format!("/r/{}/", self.slug)
    }
    /// `建德市 · 杭州市 · 浙江省`, the name with its parents.
    pub fn full_name(&self) -> String {
        let mut parts = vec![self.name.as_str()];
        parts.extend(self.prefecture.as_deref());
        parts.extend(self.province.as_deref());
        parts.join(" · ")
    }
}

/// One stored article, cleaned and ready for any output.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    pub id: String,
    /// The headline, or a stand-in made from the body for untitled items.
    pub title: String,
    pub kicker: Option<String>,
    pub subtitle: Option<String>,
    pub byline: Vec<String>,
    pub kind: ArticleKind,
    pub paragraphs: Vec<String>,
    pub paper: Option<String>,
    pub date: NaiveDate,
    pub date_source: DateSource,
    /// `/a/{id}/`
    pub path: String,
    pub stored_at: DateTime<FixedOffset>,
    /// Names of the regions it is filed under, primary first.
    pub regions: Vec<String>,
    /// Its time in every feed format: the publication day at 00:00 `+08:00`, plus seconds that
    /// order the day's articles (see [`article_time`]).
    pub published: DateTime<FixedOffset>,
}

impl ArticleView {
    /// Cleans every text of `a`.
    pub fn new(a: &StoredArticle) -> Self {
        let art = &a.article;
        let opt = |s: &Option<String>| s.as_deref().map(cleaned).filter(|s| !s.trim().is_empty());
        let body = cleaned(&art.body);
        let title = opt(&art.title).unwrap_or_else(|| match art.kind {
            ArticleKind::Photo => format!("图片：{}", excerpt(&body, 24)),
            _ => excerpt(&body, 24),
        });
        Self {
            id: a.id.clone(),
            title,
            kicker: opt(&art.kicker),
            subtitle: opt(&art.subtitle),
            byline: art.byline.iter().map(|b| cleaned(b)).collect(),
            kind: art.kind,
            paragraphs: paragraphs(&body),
            paper: opt(&a.paper),
            date: a.date,
            date_source: a.date_source,
            path: format!("/a/{}/", a.id),
            stored_at: local(a.stored_at),
            regions: art.regions.iter().map(|r| cleaned(&r.name)).collect(),
            published: article_time(a.date, &a.page_key, a.position),
        }
    }

    /// The article as an HTML fragment: headline linked to its page, kicker/subtitle, byline,
    /// paragraphs. Every text escaped exactly once here.
    pub fn html(&self, site: &Site, heading: &str) -> String {
        // Sized for the text with room for the tags and a few entities: one allocation, no
        // intermediate strings (feeds build this for every article they carry).
        let text: usize = self.paragraphs.iter().map(|p| p.len() + 7).sum();
        let mut h = String::with_capacity(text + self.title.len() + 128);
        if let Some(k) = &self.kicker {
            h.push_str("<p><small>");
            escape_html_into(&mut h, k);
            h.push_str("</small></p>");
        }
        h.push('<');
        h.push_str(heading);
        h.push_str("><a href=\"");
        escape_html_into(&mut h, &site.base_url);
        escape_html_into(&mut h, &self.path);
        h.push_str("\">");
        escape_html_into(&mut h, &self.title);
        h.push_str("</a></");
        h.push_str(heading);
        h.push('>');
        if let Some(s) = &self.subtitle {
            h.push_str("<p><strong>");
            escape_html_into(&mut h, s);
            h.push_str("</strong></p>");
        }
        if !self.byline.is_empty() {
            h.push_str("<p><em>");
            escape_html_into(&mut h, &self.byline.join(" "));
            h.push_str("</em></p>");
        }
        for p in &self.paragraphs {
            h.push_str("<p>");
            escape_html_into(&mut h, p);
            h.push_str("</p>");
        }
        if let Some(note) = date_note(self.date_source) {
            // After the text, so that it never becomes a reader's preview line.
            h.push_str("<p><small>");
            h.push_str(note);
            h.push_str("</small></p>");
        }
        h
    }

    /// The article as plain text (JSON Feed `content_text`): headline, byline, paragraphs.
    pub fn text(&self) -> String {
        let mut parts = vec![self.title.clone()];
        if let Some(s) = &self.subtitle {
            parts.push(s.clone());
        }
        if !self.byline.is_empty() {
            parts.push(self.byline.join(" "));
        }
        parts.extend(self.paragraphs.iter().cloned());
        parts.extend(date_note(self.date_source).map(str::to_string));
        parts.join("\n\n")
    }

    /// The lead as a short plain-text summary (RSS `description`, JSON Feed `summary`, page
    /// descriptions): the opening of the text, never the headline alone.
    pub fn summary(&self) -> String {
        excerpt_words(
            self.paragraphs.iter().flat_map(|p| p.split_whitespace()),
            140,
        )
    }
}

/// The time an article carries in every feed format: its publication day at 00:00 `+08:00`
/// (papers print a day, not a time), plus an offset fixed by its page and its place on the
/// page, so that the articles of one page keep reading order in a reader sorting by time and
/// no two entries of a feed share a time (the W3C validator's `DuplicateUpdated`), even in a
/// province's or the all-regions feed holding many pages of one day. The same article always
/// gets the same time. The offset stays under a day.
pub fn article_time(date: NaiveDate, page_key: &str, position: i32) -> DateTime<FixedOffset> {
    // FNV-1a: stable across builds and platforms, unlike `DefaultHasher`.
    let hash = page_key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // 1,000 page slots of 80 seconds (up to 80 articles a page keep their own second), and a
    // millisecond from the hash, so two pages of a day share a time only one time in a million.
    let slot = (hash % 1000) as i64;
    let millis = ((hash / 1000) % 1000) as i64;
    // The first article is the latest of its page: readers listing newest first show a page
    // top-down.
    let place = 79 - i64::from(position.clamp(0, 79));
    day_start(date)
        + chrono::Duration::seconds(slot * 80 + place)
        + chrono::Duration::milliseconds(millis)
}

/// Which feed of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedKind {
    /// One entry per daily edition (`feed.*`).
    Editions,
    /// One entry per article (`articles.*`).
    Articles,
}

/// The three syndication formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    Atom,
    Rss,
    Json,
}

impl FeedFormat {
    /// All formats, Atom first (the autodiscovery order).
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Atom, FeedFormat::Rss, FeedFormat::Json];

    /// File extension used in the URL.
    pub fn ext(self) -> &'static str {
        match self {
            FeedFormat::Atom => "atom",
            FeedFormat::Rss => "rss",
            FeedFormat::Json => "json",
        }
    }
    /// Exact `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }
    /// MIME type without parameters (for `<link type=…>`).
    pub fn mime(self) -> &'static str {
        match self {
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }
}

impl FeedKind {
    /// File stem in the URL.
    pub fn stem(self) -> &'static str {
        match self {
            FeedKind::Editions => "feed",
            FeedKind::Articles => "articles",
        }
    }
    /// `feed.atom`, `articles.json`, …
    pub fn file(self, format: FeedFormat) -> String {
        format!("{}.{}", self.stem(), format.ext())
    }
    /// Parses `feed.atom` and friends.
    pub fn parse_file(file: &str) -> Option<(FeedKind, FeedFormat)> {
        let (stem, ext) = file.split_once('.')?;
        let kind = match stem {
            "feed" => FeedKind::Editions,
            "articles" => FeedKind::Articles,
            _ => return None,
        };
        let format = FeedFormat::ALL.into_iter().find(|f| f.ext() == ext)?;
        Some((kind, format))
    }
}

/// One feed entry (an edition or an article).
#[derive(Debug, Clone)]
pub struct Entry {
    /// Stable GUID (not a permalink).
    pub id: String,
    pub title: String,
    /// Absolute URL of its HTML page.
    pub url: String,
    pub published: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    pub authors: Vec<String>,
    /// Region name and paper name(s).
    pub categories: Vec<String>,
    /// The lead as plain text (RSS `description`, JSON Feed `summary`; Atom carries none, so
    /// that plain-text clients such as rss2email read the full content).
    pub summary: String,
    /// Full content as HTML.
    pub content_html: String,
    /// Full content as plain text (JSON Feed `content_text`).
    pub content_text: String,
}

/// Links of RFC 5005 paging.
#[derive(Debug, Clone, Default)]
pub struct Paging {
    /// The next (older) page, when there is one.
    pub older: Option<String>,
    /// The subscription document, when this is an archive page.
    pub current: Option<String>,
}

/// A whole feed document before it is written in one format.
#[derive(Debug, Clone)]
pub struct Feed {
    pub id: String,
    pub title: String,
    pub subtitle: String,
    /// Absolute URL of the region's HTML page.
    pub home_url: String,
    /// Absolute URL of this document in this format (set per format by the writer's caller).
    pub self_url: String,
    /// When the feed's content last changed (the newest storing of any of its articles): Atom
    /// feed `updated`, RSS `lastBuildDate` and HTTP `Last-Modified`. Entries carry their
    /// publication times instead.
    pub updated: DateTime<FixedOffset>,
    pub paging: Paging,
    pub generator: String,
    pub entries: Vec<Entry>,
}

/// `urn:paperboy:edition:{code}:{date}`
pub fn edition_id(code: &str, date: NaiveDate) -> String {
    format!("urn:paperboy:edition:{code}:{date}")
}

/// `urn:paperboy:article:{id}`
pub fn article_id(id: &str) -> String {
    format!("urn:paperboy:article:{id}")
}

/// The note on an edition or article whose date is not printed on its page.
pub fn date_note(source: DateSource) -> Option<&'static str> {
    match source {
        DateSource::Ingested => Some("版面未印日期，按收录日期归档。"),
        DateSource::Inferred => Some("日期由正文推断。"),
        _ => None,
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !s.is_empty() && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// The entry of one daily edition: every article, in order, as the content. Its author is
/// the paper (or papers) printing it, or the site when no paper is named, never a byline.
pub fn edition_entry(
    site: &Site,
    region: &RegionView,
    summary: &EditionSummary,
    articles: &[ArticleView],
) -> Entry {
    let path = format!("{}{}/", region.path(), summary.date);
    let mut papers = Vec::new();
    let mut categories = vec![region.name.clone()];
    let mut html = String::new();
    let mut text = Vec::new();
    for a in articles {
        if let Some(p) = &a.paper {
            push_unique(&mut papers, p);
            push_unique(&mut categories, p);
        }
        if let Some(note) = date_note(a.date_source) {
            push_unique(&mut categories, note.trim_end_matches('。'));
        }
        html.push_str("<article>");
        html.push_str(&a.html(site, "h2"));
        html.push_str("</article>");
        text.push(a.text());
    }
    // The lead of each article after its headline: a preview line that says what happened.
    let leads: Vec<String> = articles
        .iter()
        .map(|a| format!("{}：{}", a.title, a.summary()))
        .collect();
    let authors = if papers.is_empty() {
        vec![site.title.clone()]
    } else {
        papers
    };
    let published = day_start(summary.date);
    Entry {
        id: edition_id(&region.code, summary.date),
        title: format!(
            "{}{} · {}篇",
            region.name,
            summary.date.format("%Y年%-m月%-d日"),
            summary.articles
        ),
        url: site.url(&path),
        published,
        updated: published,
        authors,
        categories,
        summary: excerpt(&leads.join(" "), 200),
        content_html: html,
        content_text: text.join("\n\n――――\n\n"),
    }
}

/// The entry of one article. `region` is the feed's region (named first among its
/// categories); the article's other regions follow.
pub fn article_entry(site: &Site, region: Option<&RegionView>, a: &ArticleView) -> Entry {
    let mut categories = Vec::new();
    if let Some(r) = region {
        push_unique(&mut categories, &r.name);
    }
    for r in &a.regions {
        push_unique(&mut categories, r);
    }
    if let Some(p) = &a.paper {
        push_unique(&mut categories, p);
    }
    if let Some(note) = date_note(a.date_source) {
        push_unique(&mut categories, note.trim_end_matches('。'));
    }
    let authors = if a.byline.is_empty() {
        a.paper.iter().cloned().collect()
    } else {
        a.byline.clone()
    };
    Entry {
        id: article_id(&a.id),
        title: a.title.clone(),
        url: site.url(&a.path),
        published: a.published,
        updated: a.published,
        authors,
        categories,
        summary: a.summary(),
        content_html: a.html(site, "h1"),
        content_text: a.text(),
    }
}

impl Feed {
    /// A region's feed document. `updated` is when its content last changed (`None` for an
    /// empty feed: the Unix epoch, so that it never changes by itself).
    pub fn new(
        site: &Site,
        region: &RegionView,
        kind: FeedKind,
        entries: Vec<Entry>,
        updated: Option<DateTime<Utc>>,
    ) -> Self {
        let (what, id_kind) = match kind {
            FeedKind::Editions => ("每日版", "editions"),
            FeedKind::Articles => ("逐篇", "articles"),
        };
        Feed {
            id: format!("urn:paperboy:feed:{}:{id_kind}", region.code),
            title: cleaned(&format!("{} · {what} · {}", region.name, site.title)),
            subtitle: cleaned(&format!("{}本地新闻{what}", region.full_name())),
            home_url: site.url(&region.path()),
            self_url: String::new(),
            updated: local(updated.unwrap_or(DateTime::<Utc>::UNIX_EPOCH)),
            paging: Paging::default(),
            generator: format!("paperboy {}", env!("CARGO_PKG_VERSION")),
            entries,
        }
    }

    /// The all-regions feed (`/feed.*`): the latest articles everywhere.
    pub fn everywhere(site: &Site, entries: Vec<Entry>, updated: Option<DateTime<Utc>>) -> Self {
        Feed {
            id: "urn:paperboy:feed:all:articles".to_string(),
            title: cleaned(&format!("{} · 各地最新文章", site.title)),
            subtitle: "各地区最新收录的本地新闻，逐篇".to_string(),
            home_url: site.url("/"),
            self_url: String::new(),
            updated: local(updated.unwrap_or(DateTime::<Utc>::UNIX_EPOCH)),
            paging: Paging::default(),
            generator: format!("paperboy {}", env!("CARGO_PKG_VERSION")),
            entries,
        }
    }
}
