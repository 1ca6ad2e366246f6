//! Requests meant to exhaust the server: endless distinct query strings on a cached feed.
//! See: issue 13 ("Hostile traffic").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod web_fixture;

use axum::body::Body;
use axum::http::{Request, StatusCode};
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
