//! A real browser: headless Chromium loads `/` and an edition page served by paperboy over a
//! socket; the test reads the rendered DOM's text and takes a phone-sized screenshot. Skipped,
//! with a note, only when Chromium is not installed (`.ci/test` installs it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chromium_support;
mod web_fixture;

use std::path::Path;

use chromium_support::{chromium, CHROMIUM};
use web_fixture::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_renders_the_index_and_an_edition_readably_on_a_phone() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("note: {CHROMIUM} not found; browser test skipped (bash .ci/test installs it)");
        return;
    }
    let f = fixture().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = paperboy::web::app(f.state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let profile = tempfile::tempdir().unwrap();

    let dump = |url: String| {
        let profile = profile.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            let out = chromium(&profile, &["--dump-dom", &url]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        })
    };
    let index = dump(format!("http://{addr}/")).await.unwrap();
    assert!(index.contains("<h1>各地每日新闻</h1>"), "{index}");
    assert!(index.contains("建德市") && index.contains("平湖市"));
    assert!(index.contains("href=\"/r/jiande/2022-06-28/\""));

    let edition = dump(format!("http://{addr}/r/jiande/2022-06-28/"))
        .await
        .unwrap();
    assert!(edition.contains("建德市 · 2022年6月28日"), "{edition}");
    assert!(edition.contains("新安江畔建起城市书房"));
    assert_eq!(edition.matches("<article").count(), 3);
    // The hostile headline is text in the DOM, never an element the browser ran.
    assert!(
        edition.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{edition}"
    );
    assert!(!edition.contains("<script>alert(1)</script>"));
    assert!(edition.contains("订阅建德市"));

    // A feed opened in the browser gets its HTML preview: an explanation and the entries.
    let feed = dump(format!("http://{addr}/r/jiande/feed.rss"))
        .await
        .unwrap();
    assert!(feed.contains("这是一个订阅源"), "{feed}");
    assert!(feed.contains("建德市2022年6月28日 · 3篇"), "{feed}");

    let shot = profile.path().join("edition.png");
    let url = format!("http://{addr}/r/jiande/2022-06-28/");
    let shot_arg = format!("--screenshot={}", shot.display());
    let p = profile.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        chromium(
            &p,
            &[
                &shot_arg,
                "--window-size=390,844",
                "--hide-scrollbars",
                &url,
            ],
        )
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    // A blank 390×844 PNG compresses to a few hundred bytes; text makes it much larger.
    assert!(png.len() > 10_000, "screenshot is only {} bytes", png.len());
    if let Ok(keep) = std::env::var("PAPERBOY_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 390);
}
