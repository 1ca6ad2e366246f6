//! Feed documents: a region's editions and articles feeds and the all-regions feed, each in
//! Atom, RSS and JSON Feed, carrying the HTML preview that a browser opening the feed's URL is
//! shown instead (see [`Document::with_preview`]).

use chrono::{DateTime, Utc};

use super::content::{code_of, Cursor, HTML};
use super::document::Document;
use super::error::AppError;
use super::AppState;
use crate::model::StoredArticle;
use crate::render::{
    self, article_entry, edition_entry, ArticleView, Entry, Feed, FeedFormat, FeedKind, RegionView,
    Site,
};
use crate::store::{EditionQuery, EditionSummary};

/// The feed in `format` with its preview, as one document. `Last-Modified` is when the feed's
/// content last changed.
fn feed_document(state: &AppState, feed: &Feed, format: FeedFormat) -> Result<Document, AppError> {
    let last_modified = (!feed.entries.is_empty()).then(|| feed.updated.with_timezone(&Utc));
    let max_age = state.config.feeds.max_age_secs;
    let body = render::feed(feed, format)?;
    let preview = state.render.feed_preview(&state.site, feed, format)?;
    Ok(
        Document::new(body, format.content_type(), last_modified, max_age)
            .with_preview(Document::new(preview, HTML, last_modified, max_age.min(60))),
    )
}

/// The `(date, id)` keyset cursor of an articles feed.
fn article_cursor(before: &Option<Cursor>) -> Option<(chrono::NaiveDate, String)> {
    match before {
        Some(Cursor::Article(d, id)) => Some((*d, id.clone())),
        // A bare date: everything before that day.
        Some(Cursor::Date(d)) => Some((*d, String::new())),
        None => None,
    }
}

/// Sets the self, current and older links of `feed` served at `base` (absolute).
pub(super) fn link(feed: &mut Feed, base: &str, before: &Option<Cursor>, older: Option<Cursor>) {
    feed.self_url = match before {
        Some(c) => format!("{base}?before={}", c.to_query()),
        None => base.to_string(),
    };
    feed.paging.older = older.map(|c| format!("{base}?before={}", c.to_query()));
    feed.paging.current = before.is_some().then(|| base.to_string());
}

/// What a feed shows before it is written in a format: its entries (newest first), the cursor
/// of its next archive page, and when its content last changed.
pub(super) type FeedParts = (Vec<Entry>, Option<Cursor>, Option<DateTime<Utc>>);

/// The editions feed of `region` from its newest editions (`eds`: up to `n + 1`, newest
/// first) and the articles of the first `n` of them (`views[i]` belongs to `eds[i]`).
pub(super) fn editions_parts(
    site: &Site,
    region: &RegionView,
    n: usize,
    eds: &[EditionSummary],
    views: &[&[ArticleView]],
) -> FeedParts {
    let shown = &eds[..eds.len().min(n)];
    let entries = shown
        .iter()
        .zip(views)
        .map(|(e, v)| edition_entry(site, region, e, v))
        .collect();
    let older = (eds.len() > n)
        .then(|| shown.last().map(|e| Cursor::Date(e.date)))
        .flatten();
    (entries, older, shown.iter().map(|e| e.updated_at).max())
}

/// The articles feed of `region` (or of every region, `None`) from its newest articles
/// (`arts`: up to `n + 1`, newest first).
pub(super) fn articles_parts(
    site: &Site,
    region: Option<&RegionView>,
    n: usize,
    mut arts: Vec<StoredArticle>,
) -> FeedParts {
    let more = arts.len() > n;
    arts.truncate(n);
    let older = more
        .then(|| arts.last().map(|a| Cursor::Article(a.date, a.id.clone())))
        .flatten();
    let entries = arts
        .iter()
        .map(|a| article_entry(site, region, &ArticleView::new(a)))
        .collect();
    (entries, older, arts.iter().map(|a| a.stored_at).max())
}

/// The absolute URL of `region`'s feed of `kind` in `format` (its subscription document).
pub(super) fn region_feed_url(
    site: &Site,
    region: &RegionView,
    kind: FeedKind,
    format: FeedFormat,
) -> String {
    site.url(&format!("{}{}", region.path(), kind.file(format)))
}

/// A region's feed document (`/r/{slug}/feed.atom`, `…/articles.json?before=…`).
pub async fn region_feed(
    state: &AppState,
    region: &RegionView,
    kind: FeedKind,
    format: FeedFormat,
    before: Option<Cursor>,
) -> Result<Document, AppError> {
    let code = code_of(region)?;
    let n = state.config.feeds.entries;
    let site = &state.site;
    let (entries, older, updated) = match kind {
        FeedKind::Editions => {
            let eds = state
                .store
                .editions(&EditionQuery {
                    region: Some(code.clone()),
                    since: None,
                    before: before.as_ref().map(Cursor::date),
                    limit: Some(n + 1),
                })
                .await?;
            let mut views = Vec::with_capacity(n);
            for e in eds.iter().take(n) {
                let arts = state.store.edition_articles(&code, e.date).await?;
                views.push(arts.iter().map(ArticleView::new).collect::<Vec<_>>());
            }
            let views: Vec<&[ArticleView]> = views.iter().map(Vec::as_slice).collect();
            editions_parts(site, region, n, &eds, &views)
        }
        FeedKind::Articles => {
            let cursor = article_cursor(&before);
            let arts = state.store.region_articles(&code, n + 1, cursor).await?;
            articles_parts(site, Some(region), n, arts)
        }
    };
    let base = region_feed_url(site, region, kind, format);
    let mut feed = Feed::new(site, region, kind, entries, updated);
    link(&mut feed, &base, &before, older);
    feed_document(state, &feed, format)
}

/// The all-regions feed (`/feed.atom`, `/feed.rss`, `/feed.json`): the latest articles of
/// every region, one entry per article, with RFC 5005 archive pages.
pub async fn everywhere_feed(
    state: &AppState,
    format: FeedFormat,
    before: Option<Cursor>,
) -> Result<Document, AppError> {
    let n = state.config.feeds.entries;
    let site = &state.site;
    let arts = state
        .store
        .latest_articles(n + 1, article_cursor(&before))
        .await?;
    let (entries, older, updated) = articles_parts(site, None, n, arts);
    let mut feed = Feed::everywhere(site, entries, updated);
    link(
        &mut feed,
        &site.url(&format!("/feed.{}", format.ext())),
        &before,
        older,
    );
    feed_document(state, &feed, format)
}
