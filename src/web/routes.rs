//! Handlers of the public read routes: pages, feeds, OPML, robots, sitemap, favicon and
//! `/healthz`.
//! Each resolves the region segment (redirecting an adcode or name to the slug URL), asks the
//! cache for the document of its route and answers with validators and compression.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::content::{self, Cursor};
use super::document::Document;
use super::error::AppError;
use super::regions::{lookup, Lookup};
use super::AppState;
use crate::render::{FeedFormat, FeedKind, RegionView};

/// `?before=`
#[derive(Debug, Deserialize)]
pub struct Before {
    before: Option<String>,
}

/// A `301 Moved Permanently` to `location` (feed readers update stored URLs on 301).
pub fn moved(location: &str) -> Response {
    let mut r = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// The region named by `segment` (path segment number `index`), or the response to send
/// instead: a redirect to the slug URL with the rest of the path and the query kept, or a
/// helpful 404.
pub fn region_or(
    state: &AppState,
    segment: &str,
    index: usize,
    uri: &Uri,
) -> Result<RegionView, Box<Response>> {
    match lookup(segment) {
        Lookup::Found(v) => Ok(v),
        Lookup::Redirect(v) => {
            let mut parts: Vec<&str> = uri.path().split('/').collect();
            if let Some(p) = parts.get_mut(index) {
                *p = &v.slug;
            }
            let mut to = parts.join("/");
            if let Some(q) = uri.query() {
                to.push('?');
                to.push_str(q);
            }
            Err(Box::new(moved(&to)))
        }
        Lookup::NotFound => Err(Box::new(
            content::unknown_region(state, segment).into_response(),
        )),
    }
}

async fn serve_doc<F, Fut>(state: &AppState, key: &str, headers: &HeaderMap, render: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Document, AppError>>,
{
    match state.cache.get_or_render(&state.store, key, render).await {
        Ok(served) => served.respond(headers),
        Err(e) => e.into_response(),
    }
}

/// The cache key of a document: its canonical path and, in a fixed order, only the query
/// parameters the route reads, as parsed values. So `?x=1`, `?utm_source=…`, a percent-escaped
/// slug or a value written with escapes share the entry of the canonical URL, and a stream of
/// made-up query strings cannot multiply entries. For a request already in canonical form the
/// key equals its path and query, which lets [`cached_first`] answer it before routing.
pub fn cache_key(path: String, params: &[(&str, Option<String>)]) -> String {
    let mut key = path;
    let mut sep = '?';
    for (name, value) in params {
        if let Some(value) = value {
            key.push(sep);
            key.push_str(name);
            key.push('=');
            key.push_str(value);
            sep = '&';
        }
    }
    key
}

/// Middleware answering GET and HEAD from the document cache when the exact path and query
/// is the key of a document rendered at the current store revision; everything else (other
/// spellings of the same document too, which the handlers key canonically, and any request
/// with an `Origin`, which needs CORS headers) goes to the router.
pub async fn cached_first(
    State(s): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let method = req.method().clone();
    let plain_read = (method == axum::http::Method::GET || method == axum::http::Method::HEAD)
        && !req.headers().contains_key(header::ORIGIN);
    if plain_read {
        let key = req.uri().path_and_query().map_or("/", |p| p.as_str());
        if let Some(served) = s.cache.fresh(&s.store, key).await {
            let mut resp = served.respond(req.headers());
            if method == axum::http::Method::HEAD {
                // Before routing, axum's own HEAD handling has not run: drop the body here
                // (Content-Length stays, as HEAD requires).
                *resp.body_mut() = axum::body::Body::empty();
            }
            return resp;
        }
    }
    next.run(req).await
}

/// `/`
pub async fn index(State(s): State<AppState>, headers: HeaderMap) -> Response {
    serve_doc(&s, "/", &headers, || content::index(&s)).await
}

/// `/feeds.opml`
pub async fn opml(State(s): State<AppState>, headers: HeaderMap) -> Response {
    serve_doc(&s, "/feeds.opml", &headers, || content::opml(&s)).await
}

/// `/favicon.svg` (and `/favicon.ico`, which browsers ask for unprompted).
pub async fn favicon(State(s): State<AppState>, headers: HeaderMap) -> Response {
    serve_doc(&s, "/favicon.svg", &headers, || async {
        content::asset(&s, "favicon.svg")
    })
    .await
}

/// `/robots.txt`
pub async fn robots(State(s): State<AppState>, headers: HeaderMap) -> Response {
    serve_doc(&s, "/robots.txt", &headers, || async {
        Ok(super::site::robots(&s))
    })
    .await
}

/// `/sitemap.xml`
pub async fn sitemap(State(s): State<AppState>, headers: HeaderMap) -> Response {
    serve_doc(&s, "/sitemap.xml", &headers, || super::site::sitemap(&s)).await
}

/// The `?before=` cursor of a feed, or the 400 to answer.
fn feed_cursor(q: &Before) -> Result<Option<Cursor>, Box<Response>> {
    match q.before.as_deref().map(Cursor::parse) {
        None => Ok(None),
        Some(Some(c)) => Ok(Some(c)),
        Some(None) => Err(Box::new(
            AppError::BadRequest("before 应是日期，如 2022-06-28（或 日期~文章编号）".into())
                .into_response(),
        )),
    }
}

async fn everywhere(s: AppState, q: Before, headers: HeaderMap, format: FeedFormat) -> Response {
    let before = match feed_cursor(&q) {
        Ok(b) => b,
        Err(resp) => return *resp,
    };
    let key = cache_key(
        format!("/feed.{}", format.ext()),
        &[("before", before.as_ref().map(Cursor::to_query))],
    );
    serve_doc(&s, &key, &headers, || {
        content::everywhere_feed(&s, format, before.clone())
    })
    .await
}

/// `/feed.atom`: the latest articles of every region.
pub async fn everywhere_atom(
    State(s): State<AppState>,
    Query(q): Query<Before>,
    headers: HeaderMap,
) -> Response {
    everywhere(s, q, headers, FeedFormat::Atom).await
}

/// `/feed.rss`
pub async fn everywhere_rss(
    State(s): State<AppState>,
    Query(q): Query<Before>,
    headers: HeaderMap,
) -> Response {
    everywhere(s, q, headers, FeedFormat::Rss).await
}

/// `/feed.json`
pub async fn everywhere_json(
    State(s): State<AppState>,
    Query(q): Query<Before>,
    headers: HeaderMap,
) -> Response {
    everywhere(s, q, headers, FeedFormat::Json).await
}

/// `/healthz`: the database answers (within a second; at once while a failure is fresh).
pub async fn healthz(State(s): State<AppState>) -> Response {
    match s.cache.health().probe(&s.store).await {
        Ok(rev) => (
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(serde_json::json!({"status": "ok", "revision": rev})),
        )
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::RETRY_AFTER, "5"),
            ],
            axum::Json(serde_json::json!({"status": "unavailable"})),
        )
            .into_response(),
    }
}

/// `/r/{slug}` → `/r/{slug}/`
pub async fn region_slash(Path(slug): Path<String>) -> Response {
    moved(&format!("/r/{slug}/"))
}

/// `/r/{slug}/`
pub async fn region(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Before>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let region = match region_or(&s, &slug, 2, &uri) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let before = match q.before.as_deref().map(str::parse::<NaiveDate>) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            return AppError::BadRequest("before 应是日期，如 2022-06-28".into()).into_response()
        }
    };
    let key = cache_key(region.path(), &[("before", before.map(|d| d.to_string()))]);
    serve_doc(&s, &key, &headers, || {
        content::region_page(&s, &region, before)
    })
    .await
}

/// `/r/{slug}/{item}`: a feed file, or a date without its trailing slash.
pub async fn region_item(
    State(s): State<AppState>,
    Path((slug, item)): Path<(String, String)>,
    Query(q): Query<Before>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let region = match region_or(&s, &slug, 2, &uri) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    if let Some((kind, format)) = FeedKind::parse_file(&item) {
        let before = match feed_cursor(&q) {
            Ok(b) => b,
            Err(resp) => return *resp,
        };
        let key = cache_key(
            format!("{}{item}", region.path()),
            &[("before", before.as_ref().map(Cursor::to_query))],
        );
        return serve_doc(&s, &key, &headers, || {
            content::region_feed(&s, &region, kind, format, before.clone())
        })
        .await;
    }
    if item.parse::<NaiveDate>().is_ok() {
        return moved(&format!("/r/{}/{item}/", region.slug));
    }
    content::not_found(
        &s,
        "没有这个页面",
        format!("{}下没有“{}”。", region.name, crate::render::cleaned(&item)),
        vec![(format!("{}的全部版面", region.name), region.path())],
    )
    .into_response()
}

/// `/r/{slug}/{date}/`
pub async fn edition(
    State(s): State<AppState>,
    Path((slug, date)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let region = match region_or(&s, &slug, 2, &uri) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let Ok(date) = date.parse::<NaiveDate>() else {
        return content::not_found(
            &s,
            "日期写错了",
            format!(
                "“{}”不是日期；请写成 2022-06-28 这样。",
                crate::render::cleaned(&date)
            ),
            vec![(format!("{}的全部版面", region.name), region.path())],
        )
        .into_response();
    };
    let key = cache_key(format!("{}{date}/", region.path()), &[]);
    serve_doc(&s, &key, &headers, || {
        content::edition_page(&s, &region, date)
    })
    .await
}

/// `/a/{id}` → `/a/{id}/`
pub async fn article_slash(Path(id): Path<String>) -> Response {
    moved(&format!("/a/{id}/"))
}

/// `/a/{id}/`
pub async fn article(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let key = format!("/a/{id}/");
    serve_doc(&s, &key, &headers, || content::article_page(&s, &id)).await
}

/// Any other path: a helpful 404 page. It does not repeat the path, so the same page serves
/// as a static export's `404.html`.
pub async fn fallback(State(s): State<AppState>) -> Response {
    content::not_found(
        &s,
        "没有这个页面",
        "这个地址没有页面：可能是链接写错了，或者页面已经不在了。".into(),
        vec![
            ("全部地区".into(), "/".into()),
            ("全部订阅源列表（OPML）".into(), "/feeds.opml".into()),
        ],
    )
    .into_response()
}
