//! First renders under concurrency: requests for distinct documents that are not cached render
//! at the same time (not one after another behind a lock), and concurrent requests for the
//! same document wait for a single render and all get its bytes.
//! See: issue 13 ("Under a flood of requests for pages not yet cached").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod web_fixture;

use axum::body::Body;
use axum::http::Request;
use paperboy::web::app;
use tower::ServiceExt;
use web_fixture::*;

/// GETs every path at once; answers (status, ETag) in order.
async fn all_at_once(f: &Fixture, paths: &[String]) -> Vec<(u16, String)> {
    let router = app(f.state.clone());
    let tasks: Vec<_> = paths
        .iter()
        .map(|p| {
            let router = router.clone();
            let req = Request::get(p.as_str()).body(Body::empty()).unwrap();
            tokio::spawn(async move {
                let r = router.oneshot(req).await.unwrap();
                let etag = r.headers()["etag"].to_str().unwrap().to_string();
                (r.status().as_u16(), etag)
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_document_renders_once_for_concurrent_requests() {
    let f = fixture().await;
    let paths = vec!["/r/jiande/feed.atom".to_string(); 32];
    let answers = all_at_once(&f, &paths).await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    assert!(answers.iter().all(|a| a.1 == answers[0].1), "{answers:?}");
    assert_eq!(f.state.cache.renders(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn distinct_documents_render_at_the_same_time() {
    let f = fixture().await;
    let mut paths = Vec::new();
    for slug in ["jiande", "pinghu", "hangzhou", "jiaxing", "zhejiang"] {
        paths.push(format!("/r/{slug}/"));
        for file in ["feed", "articles"] {
            for ext in ["atom", "rss", "json"] {
                paths.push(format!("/r/{slug}/{file}.{ext}"));
            }
        }
    }
    let answers = all_at_once(&f, &paths).await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    // One render per document, and more than one at a time: with a single render lock the
    // peak would be 1.
    assert_eq!(f.state.cache.renders(), paths.len() as u64);
    let peak = f.state.cache.render_peak();
    assert!(peak > 1, "renders never overlapped (peak {peak})");
    eprintln!(
        "{} documents, at most {peak} rendering at once",
        paths.len()
    );
}
