//! The bulk of a static export: one region's edition pages, the pages of the articles filed
//! first under it, and its six feeds, rendered from whole editions read a window of days at a
//! time (one query per window, not one per document), with the same functions the server
//! renders them with (`page_docs`, `feed_docs`), so each file is what the server sends.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::export::{rendering, ExportError};
use super::export_files::Files;
use super::feed_docs::{articles_parts, editions_parts, link, region_feed_url, FeedParts};
use super::page_docs::{article_html, article_regions, edition_html};
use super::AppState;
use crate::model::RegionCode;
use crate::render::{self, ArticleView, Feed, FeedFormat, FeedKind, RegionView};
use crate::store::{EditionQuery, EditionSummary};

/// Articles read per query at most (a single larger edition is read whole): bounds memory
/// whatever the size of the store.
const WINDOW: i64 = 2_000;

/// Writes `region`'s edition pages, the pages of articles whose primary region it is, and its
/// feeds. `walked` holds every region the export walks: an article whose primary region is not
/// among them is added to `elsewhere`, for the caller to export on its own.
pub(super) async fn region(
    state: &AppState,
    code: &RegionCode,
    region: &RegionView,
    walked: &BTreeSet<String>,
    elsewhere: &mut BTreeSet<String>,
    files: &Files,
) -> Result<(), ExportError> {
    let eds = state
        .store
        .editions(&EditionQuery {
            region: Some(code.clone()),
            ..Default::default()
        })
        .await?;
    let n = state.config.feeds.entries;
    // The views of the newest `n` editions, for the editions feed.
    let mut newest: Vec<Vec<ArticleView>> = Vec::new();
    // The next window is read while this one renders: the store's thread works beside the
    // renderer instead of in turn with it (two windows in memory at most).
    let read = |start: usize| {
        let end = window_end(&eds, start);
        let (store, code) = (state.store.clone(), code.clone());
        let (from, to) = (eds[end - 1].date, eds[start].date);
        let task = tokio::spawn(async move { store.editions_articles(&code, from, to).await });
        (start, end, task)
    };
    let mut pending = (!eds.is_empty()).then(|| read(0));
    while let Some((start, end, task)) = pending.take() {
        let arts = task.await.map_err(|e| {
            ExportError::Listing(format!("reading the editions of {}: {e}", region.path()))
        })??;
        pending = (end < eds.len()).then(|| read(end));
        let mut k = start;
        for day in arts.chunk_by(|a, b| a.date == b.date) {
            let date = day[0].date;
            // Days come newest first, as the summaries do.
            while k < end && eds[k].date != date {
                k += 1;
            }
            if k == end {
                return Err(ExportError::Listing(format!(
                    "{} has articles on {date} but no edition that day (was it changed during \
                     the export?)",
                    region.path()
                )));
            }
            let previous = eds.get(k + 1).map(|e| e.date);
            let next = k.checked_sub(1).map(|i| eds[i].date);
            let views: Vec<ArticleView> = day.iter().map(ArticleView::new).collect();
            let path = edition_path(region, date);
            let html = edition_html(state, region, date, &views, previous, next)
                .map_err(|e| rendering(&path, e))?;
            files.put(path, html.into()).await?;
            for (a, view) in day.iter().zip(&views) {
                let regions = article_regions(a);
                match regions.first() {
                    Some(primary) if primary.code == region.code => {
                        let html = article_html(state, a, view, regions, Some(&views))
                            .map_err(|e| rendering(&view.path, e))?;
                        files.put(view.path.clone(), html.into()).await?;
                    }
                    Some(primary) if walked.contains(&primary.code) => {}
                    _ => {
                        elsewhere.insert(a.id.clone());
                    }
                }
            }
            if k < n {
                newest.push(views);
            }
        }
    }
    let views: Vec<&[ArticleView]> = newest.iter().map(Vec::as_slice).collect();
    let head = &eds[..eds.len().min(n + 1)];
    let parts = editions_parts(&state.site, region, n, head, &views);
    feeds(state, region, FeedKind::Editions, parts, files).await?;
    let arts = state.store.region_articles(code, n + 1, None).await?;
    let parts = articles_parts(&state.site, Some(region), n, arts);
    feeds(state, region, FeedKind::Articles, parts, files).await
}

/// The end (exclusive) of the window of editions starting at `start`: as many as fit in
/// [`WINDOW`] articles, at least one.
fn window_end(eds: &[EditionSummary], start: usize) -> usize {
    let mut end = start + 1;
    let mut articles = eds[start].articles;
    while let Some(e) = eds.get(end) {
        if articles + e.articles > WINDOW {
            break;
        }
        articles += e.articles;
        end += 1;
    }
    end
}

fn edition_path(region: &RegionView, date: NaiveDate) -> String {
    format!("{}{date}/", region.path())
}

/// Writes the feed of `kind` in every format: built once, written three times.
async fn feeds(
    state: &AppState,
    region: &RegionView,
    kind: FeedKind,
    (entries, older, updated): FeedParts,
    files: &Files,
) -> Result<(), ExportError> {
    let mut feed = Feed::new(&state.site, region, kind, entries, updated);
    for format in FeedFormat::ALL {
        let url = region_feed_url(&state.site, region, kind, format);
        link(&mut feed, &url, &None, older.clone());
        let path = format!("{}{}", region.path(), kind.file(format));
        let body = render::feed(&feed, format).map_err(|e| rendering(&path, e))?;
        files.put(path, body.into()).await?;
    }
    Ok(())
}
