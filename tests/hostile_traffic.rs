//! Requests meant to exhaust the server: endless distinct query strings on a cached feed, and
//! request bodies over the API's limit.
//! See: issue 13 ("Hostile traffic").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod web_fixture;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use futures::StreamExt;
use tower::ServiceExt;
use web_fixture::*;

async fn body_of(app: &axum::Router, uri: &str) -> (StatusCode, Vec<u8>) {
    let r = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, body.to_vec())
}

#[tokio::test]
async fn query_parameters_a_route_does_not_read_share_one_cache_entry() {
    let f = fixture().await;
    let app = paperboy::web::app(f.state.clone());
    let (_, plain) = body_of(&app, "/r/jiande/feed.atom").await;
    assert_eq!(f.state.cache.len(), 1);
    for n in 0..10_000 {
        let (status, body) = body_of(&app, &format!("/r/jiande/feed.atom?x={n}")).await;
        assert_eq!(status, StatusCode::OK);
        if n % 1000 == 0 {
            assert_eq!(body, plain, "?x={n} changed the feed");
        }
    }
    assert_eq!(
        f.state.cache.len(),
        1,
        "10,000 unused query strings added cache entries"
    );
    // A parameter the route reads still selects its own document, and unused ones beside it
    // (or the same value written with escapes) do not make another.
    let (_, archive) = body_of(&app, "/r/jiande/feed.atom?before=2022-06-28").await;
    assert_ne!(archive, plain);
    for uri in [
        "/r/jiande/feed.atom?utm_source=x&before=2022-06-28",
        "/r/jiande/feed.atom?before=2022%2D06%2D28&y=2",
        "/r/%6aiande/feed.atom?before=2022-06-28",
    ] {
        let (status, body) = body_of(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(body, archive, "{uri}");
    }
    assert_eq!(f.state.cache.len(), 2);
    assert!(f.state.cache.bytes() <= f.state.cache.budget());
}

#[tokio::test]
async fn distinct_documents_are_evicted_to_stay_within_the_byte_budget() {
    let budget = 64 * 1024;
    let f = fixture_with(|c| c.server.cache_bytes = budget).await;
    let app = paperboy::web::app(f.state.clone());
    assert_eq!(f.state.cache.budget(), budget as usize);
    let (_, newest) = body_of(&app, "/r/jiande/articles.atom").await;
    let start = day("2022-06-29");
    let mut largest = 0;
    for n in 0..300 {
        // Every cursor is a valid, distinct archive page: each is a document of its own.
        let before = start - chrono::Days::new(n);
        let uri = format!("/r/jiande/articles.atom?before={before}");
        let (status, body) = body_of(&app, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        largest = largest.max(body.len());
        assert!(
            f.state.cache.bytes() <= budget as usize,
            "after {uri}: {} bytes cached, budget {budget}",
            f.state.cache.bytes()
        );
    }
    assert!(largest > 0);
    let kept = f.state.cache.len();
    assert!(kept > 1, "the cache still caches");
    assert!(kept < 300, "nothing was evicted ({kept} entries)");
    // Evicted documents are rendered again, unchanged.
    let (status, again) = body_of(&app, "/r/jiande/articles.atom").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, newest);
}

#[tokio::test]
async fn a_document_larger_than_the_budget_is_served_but_not_kept() {
    let f = fixture_with(|c| c.server.cache_bytes = 1024).await;
    let app = paperboy::web::app(f.state.clone());
    let (status, body) = body_of(&app, "/r/jiande/articles.atom").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.len() > 1024);
    assert_eq!(f.state.cache.len(), 0);
    assert!(f.state.cache.bytes() <= 1024);
}

/// A request body of `total` bytes in 64 KiB chunks (then, with `stall`, one that never comes)
/// that counts how many bytes the server pulled from it.
fn counted_body(total: usize, stall: bool) -> (Body, Arc<AtomicUsize>) {
    const CHUNK: usize = 64 * 1024;
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let chunks = futures::stream::iter((0..total.div_ceil(CHUNK)).map(move |i| {
        let n = CHUNK.min(total - i * CHUNK);
        counter.fetch_add(n, Ordering::SeqCst);
        Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b' '; n]))
    }));
    let body = if stall {
        Body::from_stream(chunks.chain(futures::stream::pending()))
    } else {
        Body::from_stream(chunks)
    };
    (body, pulled)
}

fn post_pages(body: Body, content_length: Option<usize>) -> Request<Body> {
    let mut b = Request::post("/api/v1/pages")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Bearer s3cret");
    if let Some(n) = content_length {
        b = b.header(header::CONTENT_LENGTH, n);
    }
    b.body(body).unwrap()
}

async fn json_answer(r: axum::http::Response<Body>) -> (StatusCode, serde_json::Value) {
    let status = r.status();
    assert_eq!(
        r.headers()[header::CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn an_api_body_over_the_limit_is_refused_with_413_naming_the_limit_unread() {
    let f = fixture_with(|c| c.secrets.api_token = Some("s3cret".into())).await;
    let limit = paperboy::web::API_BODY_LIMIT;
    assert_eq!(limit, 2 * 1024 * 1024);
    let total = 4 * limit;

    // No Content-Length (chunked): reading stops once the limit is passed.
    let (body, pulled) = counted_body(total, false);
    let r = f.call(post_pages(body, None)).await;
    let (status, v) = json_answer(r).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["status"], 413);
    assert_eq!(v["limit_bytes"], limit);
    let message = v["error"].as_str().unwrap();
    assert!(message.contains("2097152 bytes"), "{message}");
    let pulled = pulled.load(Ordering::SeqCst);
    assert!(
        pulled <= limit + 128 * 1024,
        "read {pulled} of {total} bytes"
    );

    // A declared Content-Length over the limit is refused before any of the body is read
    // (this body never ends: reading it would hang the request).
    let (body, pulled) = counted_body(64 * 1024, true);
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        f.call(post_pages(body, Some(total))),
    )
    .await
    .expect("the server waited for a body it should have refused");
    let (status, v) = json_answer(r).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(pulled.load(Ordering::SeqCst), 0);

    // Nothing was stored, and a body within the limit is still read and judged on its content.
    assert_eq!(
        f.state
            .store
            .editions(&Default::default())
            .await
            .unwrap()
            .len(),
        3
    );
    let r = f.call(post_pages(Body::from("{\"nope\": 1}"), None)).await;
    let (status, _) = json_answer(r).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
