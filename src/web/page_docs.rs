//! Edition and article pages. Each is split in two: the `…_page` function reads what the page
//! shows from the store and wraps the HTML in a [`Document`] (the server, through the cache);
//! the `…_html` function renders from values already read. `paperboy export` reads whole
//! editions at once and calls the `…_html` functions itself, so a file is byte-for-byte what
//! the server sends without a store query per document.

use chrono::NaiveDate;

use super::content::{code_of, edition_link, not_found, subscribe_link, HTML};
use super::document::Document;
use super::error::AppError;
use super::regions::{parents, view};
use super::AppState;
use crate::model::{DateSource, StoredArticle};
use crate::render::{
    self, date_label, ArticlePage, ArticleView, EditionPage, FeedLink, Headline, RegionView,
};
use crate::store::EditionQuery;

async fn recent_links(state: &AppState, region: &RegionView) -> Vec<(String, String)> {
    let mut links = vec![(format!("{}的全部版面", region.name), region.path())];
    let Ok(code) = code_of(region) else {
        return links;
    };
    let q = EditionQuery {
        region: Some(code),
        limit: Some(5),
        ..Default::default()
    };
    if let Ok(eds) = state.store.editions(&q).await {
        links.extend(eds.iter().map(|e| {
            (
                format!("{}{}（{}篇）", region.name, date_label(e.date), e.articles),
                format!("{}{}/", region.path(), e.date),
            )
        }));
    }
    links
}

/// `/r/{slug}/{date}/`
pub async fn edition_page(
    state: &AppState,
    region: &RegionView,
    date: NaiveDate,
) -> Result<Document, AppError> {
    let code = code_of(region)?;
    let arts = state.store.edition_articles(&code, date).await?;
    if arts.is_empty() {
        let links = recent_links(state, region).await;
        return Err(not_found(
            state,
            "这一天没有版面",
            format!(
                "{}在{}没有收录的文章。下面是最近的几期：",
                region.name,
                date_label(date)
            ),
            links,
        ));
    }
    let articles: Vec<ArticleView> = arts.iter().map(ArticleView::new).collect();
    let updated = arts.iter().map(|a| a.stored_at).max();
    let (previous, next) = state.store.adjacent_editions(&code, date).await?;
    let html = edition_html(state, region, date, &articles, previous, next)?;
    Ok(Document::new(
        html,
        HTML,
        updated,
        state.config.feeds.max_age_secs.min(60),
    ))
}

/// The HTML of `region`'s edition of `date`: its `articles` in reading order (at least one),
/// and the days of the region's editions just before and after it.
pub(super) fn edition_html(
    state: &AppState,
    region: &RegionView,
    date: NaiveDate,
    articles: &[ArticleView],
    previous: Option<NaiveDate>,
    next: Option<NaiveDate>,
) -> Result<String, AppError> {
    let date_note = articles
        .first()
        .and_then(|a| render::date_note(a.date_source));
    // Only the day is linked: counting the neighbours' articles is not worth two queries.
    let neighbour = |d: NaiveDate| edition_link(region, d, 0);
    Ok(state.render.render(
        "edition.html",
        EditionPage {
            site: &state.site,
            region,
            date,
            date_label: date_label(date),
            date_note,
            articles,
            feeds: FeedLink::for_region(region),
            subscribe: subscribe_link(state, region),
            parents: parents(region),
            previous: previous.map(neighbour),
            next: next.map(neighbour),
        },
    )?)
}

/// The regions an article is filed under as pages show them, primary first; the primary one
/// is the edition its page links and takes its neighbours from.
pub(super) fn article_regions(a: &StoredArticle) -> Vec<RegionView> {
    a.article
        .regions
        .iter()
        .filter_map(|r| view(&r.code))
        .collect()
}

/// True when the article's page links an edition (it has a date printed or inferred).
pub(super) fn is_dated(a: &StoredArticle) -> bool {
    a.date_source != DateSource::Ingested
}

/// `/a/{id}/`
pub async fn article_page(state: &AppState, id: &str) -> Result<Document, AppError> {
    let Some(a) = state.store.article(id).await? else {
        return Err(not_found(
            state,
            "没有这篇文章",
            "这篇文章不存在，或者它所在的版面已被更正后的版本替换。".into(),
            vec![("全部地区".into(), "/".into())],
        ));
    };
    let regions = article_regions(&a);
    // The edition of its primary region, for the previous and next links.
    let edition = match (is_dated(&a), regions.first()) {
        (true, Some(primary)) => {
            let arts = state
                .store
                .edition_articles(&code_of(primary)?, a.date)
                .await?;
            Some(arts.iter().map(ArticleView::new).collect::<Vec<_>>())
        }
        _ => None,
    };
    let html = article_html(
        state,
        &a,
        &ArticleView::new(&a),
        regions,
        edition.as_deref(),
    )?;
    Ok(Document::new(
        html,
        HTML,
        Some(a.stored_at),
        state.config.feeds.max_age_secs.min(60),
    ))
}

/// The HTML of article `a` (whose view is `article`) filed under `regions` (see
/// [`article_regions`]); `edition` is its primary region's edition of its day, in reading
/// order, when it is dated.
pub(super) fn article_html(
    state: &AppState,
    a: &StoredArticle,
    article: &ArticleView,
    regions: Vec<RegionView>,
    edition: Option<&[ArticleView]>,
) -> Result<String, AppError> {
    let undated = !is_dated(a);
    let date_label = if undated {
        format!("未注明日期（{}收录）", date_label(a.date))
    } else {
        date_label(a.date)
    };
    // Previous and next: the neighbours in the edition of its primary region.
    let (mut link, mut previous, mut next) = (None, None, None);
    if let (Some(arts), Some(primary)) = (edition.filter(|_| !undated), regions.first()) {
        if let Some(i) = arts.iter().position(|x| x.id == a.id) {
            previous = i
                .checked_sub(1)
                .and_then(|p| arts.get(p))
                .map(Headline::new);
            next = arts.get(i + 1).map(Headline::new);
            link = Some(edition_link(primary, a.date, arts.len() as i64));
        }
    }
    Ok(state.render.render(
        "article.html",
        ArticlePage {
            site: &state.site,
            canonical: state.site.url(&article.path),
            description: article.summary(),
            article,
            date_label,
            undated,
            feeds: regions
                .first()
                .map(FeedLink::for_region)
                .unwrap_or_default(),
            subscribe: regions.first().map(|r| subscribe_link(state, r)),
            regions,
            edition: link,
            previous,
            next,
        },
    )?)
}
