//! Search: `/search?q=&region=` (HTML page), `/search.{atom,rss,json}?q=&region=` (keyword
//! feeds: a reader follows a topic, in every region or one), and `GET /api/v1/search?q=&region=
//! &limit=` (JSON). The store finds the articles through its index, newest first; here the
//! query is checked, the results are shown with the query's words marked (`<mark>`, every
//! text escaped), and documents are cached like every other route (the byte budget bounds
//! them, so made-up queries cannot grow memory).

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::content::{code_of, HTML, JSON};
use super::document::Document;
use super::error::AppError;
use super::regions::{lookup, view, Lookup};
use super::routes::cache_key;
use super::AppState;
use crate::render::{
    self, article_entry, cleaned, escape_html, ArticleView, Feed, FeedFormat, FeedLink, RegionView,
    Site,
};
use crate::store::{Search, SearchQuery, StoredArticle, MAX_RESULTS};

/// Results on the HTML page and in a keyword feed.
const PAGE_RESULTS: usize = 50;
/// Characters of body text shown around the first match.
const SNIPPET_CHARS: usize = 120;

/// Search routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(page))
        .route(
            "/search.atom",
            get(|s, q, h| feed(s, q, h, FeedFormat::Atom)),
        )
        .route("/search.rss", get(|s, q, h| feed(s, q, h, FeedFormat::Rss)))
        .route(
            "/search.json",
            get(|s, q, h| feed(s, q, h, FeedFormat::Json)),
        )
        .route("/api/v1/search", get(api))
}

/// `?q=&region=&limit=`
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    region: Option<String>,
    limit: Option<usize>,
}

/// The checked request: the query and the region it is limited to.
struct Request {
    text: String,
    query: Result<SearchQuery, String>,
    region: Option<RegionView>,
}

fn request(p: &SearchParams) -> Result<Request, AppError> {
    let text = p.q.as_deref().unwrap_or("").trim().to_string();
    let region = match p.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => match lookup(r) {
            Lookup::Found(v) | Lookup::Redirect(v) => Some(v),
            Lookup::NotFound => return Err(AppError::BadRequest(format!("没有地区 {r:?}"))),
        },
    };
    let query = SearchQuery::parse(&text).map_err(|e| e.to_string());
    Ok(Request {
        text,
        query,
        region,
    })
}

fn key(path: &str, r: &Request, limit: Option<usize>) -> String {
    cache_key(
        path.to_string(),
        &[
            ("q", Some(r.text.clone())),
            ("region", r.region.as_ref().map(|v| v.slug.clone())),
            ("limit", limit.map(|n| n.to_string())),
        ],
    )
}

async fn find(state: &AppState, r: &Request, limit: usize) -> Result<Vec<StoredArticle>, AppError> {
    let query = r.query.clone().map_err(AppError::BadRequest)?;
    let region = r.region.as_ref().map(code_of).transpose()?;
    Ok(state
        .store
        .search(&Search {
            query,
            region,
            limit,
        })
        .await?)
}

async fn cached<F, Fut>(s: &AppState, key: &str, headers: &HeaderMap, render: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Document, AppError>>,
{
    match s.cache.get_or_render(&s.store, key, render).await {
        Ok(doc) => doc.respond(headers),
        Err(e) => e.into_response(),
    }
}

/// Percent-encodes a query parameter's value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `?q=…&region=…` of a search URL.
fn query_string(r: &Request) -> String {
    let mut q = format!("?q={}", encode(&r.text));
    if let Some(v) = &r.region {
        q.push_str(&format!("&region={}", v.slug));
    }
    q
}

/// A piece of shown text, marked when it is a match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub text: String,
    pub mark: bool,
}

/// Splits `text` into parts, marking every occurrence of any of `words` (compared with
/// lowercase letters; words are already lowercase).
pub fn highlight(text: &str, words: &[String]) -> Vec<Part> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let words: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();
    let mut marked = vec![false; chars.len()];
    for w in words.iter().filter(|w| !w.is_empty()) {
        let mut i = 0;
        while i + w.len() <= lower.len() {
            if lower[i..i + w.len()] == w[..] {
                marked[i..i + w.len()].iter_mut().for_each(|m| *m = true);
                i += w.len();
            } else {
                i += 1;
            }
        }
    }
    let mut parts: Vec<Part> = Vec::new();
    for (c, m) in chars.into_iter().zip(marked) {
        match parts.last_mut() {
            Some(p) if p.mark == m => p.text.push(c),
            _ => parts.push(Part {
                text: c.to_string(),
                mark: m,
            }),
        }
    }
    parts
}

/// About `SNIPPET_CHARS` characters of `body` around the first match, with `…` where cut.
pub fn snippet(body: &str, words: &[String]) -> String {
    let chars: Vec<char> = body.chars().collect();
    let lower: String = chars.iter().flat_map(|c| c.to_lowercase()).collect();
    let first = words
        .iter()
        .filter_map(|w| lower.find(w.as_str()).map(|b| lower[..b].chars().count()))
        .min()
        .unwrap_or(0);
    let start = first.saturating_sub(SNIPPET_CHARS / 4);
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let mut s = String::new();
    if start > 0 {
        s.push('…');
    }
    s.extend(&chars[start..end]);
    if end < chars.len() {
        s.push('…');
    }
    s
}

fn html(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| {
            if p.mark {
                format!("<mark>{}</mark>", escape_html(&p.text))
            } else {
                escape_html(&p.text)
            }
        })
        .collect()
}

/// One result as the page and the API show it.
#[derive(Debug, Serialize)]
struct Hit {
    id: String,
    path: String,
    date: NaiveDate,
    paper: Option<String>,
    regions: Vec<String>,
    title: Vec<Part>,
    snippet: Vec<Part>,
}

fn hit(a: &StoredArticle, words: &[String]) -> Hit {
    let v = ArticleView::new(a);
    let body = v.paragraphs.join(" ");
    Hit {
        title: highlight(&v.title, words),
        snippet: highlight(&snippet(&body, words), words),
        regions: a.article.regions.iter().map(|r| cleaned(&r.name)).collect(),
        id: v.id,
        path: v.path,
        date: v.date,
        paper: v.paper,
    }
}

#[derive(Serialize)]
struct SearchPage<'a> {
    site: &'a Site,
    q: &'a str,
    region: Option<&'a RegionView>,
    error: Option<String>,
    hits: Vec<Hit>,
    more: bool,
    feeds: Vec<FeedLink>,
}

/// `/search?q=&region=`
async fn page(
    State(s): State<AppState>,
    Query(p): Query<SearchParams>,
    headers: HeaderMap,
) -> Response {
    let r = match request(&p) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let key = key("/search", &r, None);
    cached(&s, &key, &headers, || async {
        let (hits, error, more) = match &r.query {
            // An empty box is the search form, not an error.
            Err(_) if r.text.is_empty() => (Vec::new(), None, false),
            Err(e) => (Vec::new(), Some(e.clone()), false),
            Ok(q) => {
                let mut found = find(&s, &r, PAGE_RESULTS + 1).await?;
                let more = found.len() > PAGE_RESULTS;
                found.truncate(PAGE_RESULTS);
                (found.iter().map(|a| hit(a, &q.words)).collect(), None, more)
            }
        };
        let qs = query_string(&r);
        let feeds = if r.query.is_ok() {
            FeedFormat::ALL
                .into_iter()
                .map(|f| FeedLink {
                    title: format!("“{}” 搜索结果 ({})", r.text, f.ext()),
                    href: format!("/search.{}{qs}", f.ext()),
                    mime: f.mime(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let view = SearchPage {
            site: &s.site,
            q: &r.text,
            region: r.region.as_ref(),
            error,
            hits,
            more,
            feeds,
        };
        let html = s.render.render("search.html", view)?;
        Ok(Document::new(html, HTML, None, 60))
    })
    .await
}

/// `/search.{atom,rss,json}?q=&region=`: the latest `PAGE_RESULTS` matches, one entry each.
async fn feed(
    State(s): State<AppState>,
    Query(p): Query<SearchParams>,
    headers: HeaderMap,
    format: FeedFormat,
) -> Response {
    let r = match request(&p) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let key = key(&format!("/search.{}", format.ext()), &r, None);
    cached(&s, &key, &headers, || async {
        let found = find(&s, &r, PAGE_RESULTS).await?;
        let site = &s.site;
        let entries = found
            .iter()
            .map(|a| {
                let region = r
                    .region
                    .clone()
                    .or_else(|| a.article.regions.first().and_then(|x| view(&x.code)));
                article_entry(site, region.as_ref(), &ArticleView::new(a))
            })
            .collect::<Vec<_>>();
        let qs = query_string(&r);
        let place = r
            .region
            .as_ref()
            .map_or("全部地区".to_string(), |v| v.name.clone());
        let updated = entries
            .iter()
            .map(|e| e.updated)
            .max()
            .unwrap_or_else(|| render::local(chrono::DateTime::<Utc>::UNIX_EPOCH));
        let feed = Feed {
            id: format!(
                "urn:paperboy:search:{}:{}",
                encode(&r.text),
                r.region.as_ref().map_or("all", |v| v.code.as_str())
            ),
            title: cleaned(&format!("“{}” · {place} · {}", r.text, site.title)),
            subtitle: cleaned(&format!("{place}含“{}”的文章，最新在前", r.text)),
            home_url: site.url(&format!("/search{qs}")),
            self_url: site.url(&format!("/search.{}{qs}", format.ext())),
            updated,
            paging: Default::default(),
            generator: format!("paperboy {}", env!("CARGO_PKG_VERSION")),
            entries,
        };
        let last_modified = (!feed.entries.is_empty()).then(|| feed.updated.with_timezone(&Utc));
        let body = render::feed(&feed, format)?;
        let doc = Document::new(
            body,
            format.content_type(),
            last_modified,
            s.config.feeds.max_age_secs,
        );
        Ok(doc)
    })
    .await
}

#[derive(Serialize)]
struct ApiHit {
    id: String,
    url: String,
    date: NaiveDate,
    paper: Option<String>,
    regions: Vec<String>,
    title: String,
    /// The title with matches in `<mark>`, HTML-escaped.
    title_html: String,
    snippet: String,
    snippet_html: String,
}

#[derive(Serialize)]
struct ApiAnswer {
    query: String,
    region: Option<String>,
    results: Vec<ApiHit>,
}

/// `GET /api/v1/search?q=&region=&limit=` (limit 1–200, 20 by default).
async fn api(
    State(s): State<AppState>,
    Query(p): Query<SearchParams>,
    headers: HeaderMap,
) -> Response {
    let r = match request(&p) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let limit = p.limit.unwrap_or(20).clamp(1, MAX_RESULTS);
    let key = key("/api/v1/search", &r, Some(limit));
    cached(&s, &key, &headers, || async {
        let found = find(&s, &r, limit).await?;
        let words = r
            .query
            .as_ref()
            .map(|q| q.words.clone())
            .unwrap_or_default();
        let results = found
            .iter()
            .map(|a| {
                let h = hit(a, &words);
                let text = |parts: &[Part]| parts.iter().map(|p| p.text.as_str()).collect();
                ApiHit {
                    url: s.site.url(&h.path),
                    title: text(&h.title),
                    title_html: html(&h.title),
                    snippet: text(&h.snippet),
                    snippet_html: html(&h.snippet),
                    id: h.id,
                    date: h.date,
                    paper: h.paper,
                    regions: h.regions,
                }
            })
            .collect();
        let answer = ApiAnswer {
            query: r.text.clone(),
            region: r.region.as_ref().map(|v| v.slug.clone()),
            results,
        };
        let body = serde_json::to_vec(&answer).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Document::new(body, JSON, None, 60))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_every_occurrence() {
        let parts = highlight("疫情防控，抗击疫情", &["疫情".to_string()]);
        let marked: Vec<&str> = parts
            .iter()
            .filter(|p| p.mark)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(marked, ["疫情", "疫情"]);
        assert_eq!(
            html(&highlight("<b>G20</b>", &["g20".into()])),
            "&lt;b&gt;<mark>G20</mark>&lt;&#x2f;b&gt;".replace("&#x2f;", "/")
        );
    }
}
