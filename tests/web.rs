//! HTTP behaviour of the router (through `oneshot`) and of a real server on a socket:
//! validators and 304s, gzip/br from precompressed bytes, HEAD, exact content types, CORS,
//! slug redirects, helpful 404 pages, the API and its token, cache invalidation on ingest, and
//! `paperboy serve` itself (seeds ingested, address printed, graceful shutdown on SIGTERM).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod web_fixture;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use web_fixture::*;

async fn bytes(r: axum::http::Response<Body>) -> Vec<u8> {
    axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

fn get(uri: &str) -> axum::http::request::Builder {
    Request::get(uri)
}

#[tokio::test]
async fn conditional_get_answers_304_for_etag_and_last_modified() {
    let f = fixture().await;
    let r = f.get("/r/jiande/feed.atom").await;
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()[header::ETAG].to_str().unwrap().to_string();
    let lm = r.headers()[header::LAST_MODIFIED]
        .to_str()
        .unwrap()
        .to_string();
    // Last-Modified is the content time (the newest stored article), not the render time.
    assert_eq!(lm, "Tue, 28 Jun 2022 02:00:00 GMT");
    assert_eq!(r.headers()[header::CACHE_CONTROL], "public, max-age=300");
    assert!(etag.starts_with('"') && etag.len() > 20, "{etag}");

    let r = f
        .call(
            get("/r/jiande/feed.atom")
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()[header::ETAG], etag.as_str());
    assert!(bytes(r).await.is_empty());

    let r = f
        .call(
            get("/r/jiande/feed.atom")
                .header(header::IF_MODIFIED_SINCE, &lm)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

    let r = f
        .call(
            get("/r/jiande/feed.atom")
                .header(header::IF_MODIFIED_SINCE, "Mon, 27 Jun 2022 00:00:00 GMT")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // A stale ETag wins over a fresh date (If-None-Match takes precedence).
    let r = f
        .call(
            get("/r/jiande/feed.atom")
                .header(header::IF_NONE_MATCH, "\"stale\"")
                .header(header::IF_MODIFIED_SINCE, &lm)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn gzip_and_br_are_chosen_by_accept_encoding_and_decode_to_the_same_feed() {
    let f = fixture().await;
    let plain = bytes(f.get("/r/jiande/feed.rss").await).await;
    let r = f
        .call(
            get("/r/jiande/feed.rss")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(r.headers()[header::VARY], "Accept-Encoding, Accept");
    let gz = bytes(r).await;
    assert!(gz.len() < plain.len());
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, plain);

    let r = f
        .call(
            get("/r/jiande/feed.rss")
                .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.headers()[header::CONTENT_ENCODING], "br");
    let br = bytes(r).await;
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &br[..], &mut out).unwrap();
    assert_eq!(out, plain);

    let r = f.get("/r/jiande/feed.rss").await;
    assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn head_gives_headers_without_a_body_and_content_types_are_exact() {
    let f = fixture().await;
    let r = f
        .call(
            Request::head("/r/jiande/feed.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()[header::CONTENT_TYPE],
        "application/feed+json; charset=utf-8"
    );
    assert!(r.headers().contains_key(header::ETAG));
    assert!(bytes(r).await.is_empty());
    // Again, now answered from the cache before routing: still no body, same length.
    let r = f
        .call(
            Request::head("/r/jiande/feed.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let len: usize = r.headers()[header::CONTENT_LENGTH]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(len, f.text("/r/jiande/feed.json").await.2.len());
    assert!(bytes(r).await.is_empty());
    for (uri, ct) in [
        ("/", "text/html; charset=utf-8"),
        ("/r/jiande/", "text/html; charset=utf-8"),
        ("/r/jiande/2022-06-28/", "text/html; charset=utf-8"),
        ("/r/jiande/feed.atom", "application/atom+xml; charset=utf-8"),
        (
            "/r/jiande/articles.rss",
            "application/rss+xml; charset=utf-8",
        ),
        ("/favicon.svg", "image/svg+xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/feed.atom", "application/atom+xml; charset=utf-8"),
        ("/api/v1/regions", "application/json; charset=utf-8"),
    ] {
        let (status, headers, _) = f.text(uri).await;
        assert_eq!(status, 200, "{uri}");
        assert_eq!(headers[header::CONTENT_TYPE], ct, "{uri}");
    }
}

#[tokio::test]
async fn a_browser_opening_a_feed_gets_an_html_preview_and_a_reader_the_feed() {
    let f = fixture().await;
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    for (uri, reader_type) in [
        ("/r/jiande/feed.atom", "application/atom+xml; charset=utf-8"),
        (
            "/r/jiande/articles.rss",
            "application/rss+xml; charset=utf-8",
        ),
        ("/feed.json", "application/feed+json; charset=utf-8"),
    ] {
        let r = f
            .call(
                get(uri)
                    .header(header::ACCEPT, browser)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8",
            "{uri}"
        );
        assert_eq!(r.headers()[header::VARY], "Accept-Encoding, Accept");
        let page = String::from_utf8(bytes(r).await.to_vec()).unwrap();
        assert!(page.contains("这是一个订阅源"), "{uri}: {page}");
        assert!(page.contains(&format!("value=\"{BASE}{uri}\"")), "{page}");
        for accept in [
            "application/atom+xml, application/rss+xml, */*;q=0.1",
            // feedparser's own header
            "application/atom+xml,application/rdf+xml,application/rss+xml,application/x-netcdf,application/xml;q=0.9,text/xml;q=0.2,*/*;q=0.1",
            "*/*",
        ] {
            let r = f
                .call(
                    get(uri)
                        .header(header::ACCEPT, accept)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.headers()[header::CONTENT_TYPE], reader_type, "{accept}");
            assert_eq!(r.headers()[header::VARY], "Accept-Encoding, Accept");
        }
        // No Accept at all (curl, many readers): the feed.
        let (_, headers, _) = f.text(uri).await;
        assert_eq!(headers[header::CONTENT_TYPE], reader_type);
    }
    assert_eq!(f.get("/feed.xsl").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn feeds_and_api_allow_cross_origin_reads() {
    let f = fixture().await;
    for uri in ["/r/jiande/feed.atom", "/api/v1/regions", "/feeds.opml"] {
        let r = f
            .call(
                get(uri)
                    .header(header::ORIGIN, "https://reader.example")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "*",
            "{uri}"
        );
        let exposed = r.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .unwrap();
        assert!(exposed.contains("etag"), "{exposed}");
    }
    let r = f
        .call(
            Request::builder()
                .method("OPTIONS")
                .uri("/r/jiande/feed.json")
                .header(header::ORIGIN, "https://reader.example")
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "if-none-match")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(r.status().is_success());
    assert_eq!(r.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

#[tokio::test]
async fn adcodes_and_names_redirect_to_the_slug_url() {
    let f = fixture().await;
    for (from, to) in [
        ("/r/330182/feed.atom", "/r/jiande/feed.atom"),
        (
            "/r/330182/articles.json?before=2022-06-28",
            "/r/jiande/articles.json?before=2022-06-28",
        ),
        ("/r/330182/", "/r/jiande/"),
        ("/r/330182/2022-06-28/", "/r/jiande/2022-06-28/"),
        ("/r/jiande", "/r/jiande/"),
        ("/r/jiande/2022-06-28", "/r/jiande/2022-06-28/"),
        (
            "/api/v1/regions/330182/editions",
            "/api/v1/regions/jiande/editions",
        ),
    ] {
        let r = f.get(from).await;
        assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY, "{from}");
        assert_eq!(r.headers()[header::LOCATION], to, "{from}");
    }
}

#[tokio::test]
async fn unknown_region_date_and_article_get_helpful_404_pages() {
    let f = fixture().await;
    let (status, headers, body) = f.text("/r/atlantis/").await;
    assert_eq!(status, 404);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(
        body.contains("没有这个地区") && body.contains("atlantis"),
        "{body}"
    );
    let (status, _, body) = f.text("/r/jiande/2021-01-01/").await;
    assert_eq!(status, 404);
    // It points to the editions that do exist.
    assert!(body.contains("href=\"/r/jiande/2022-06-28/\""), "{body}");
    assert!(body.contains("href=\"/r/jiande/2022-06-27/\""), "{body}");
    let (status, _, body) = f.text("/r/jiande/not-a-date/").await;
    assert_eq!(status, 404);
    assert!(body.contains("2022-06-28"), "{body}");
    let (status, _, body) = f.text("/a/0000000000000000/").await;
    assert_eq!(status, 404);
    assert!(body.contains("没有这篇文章"));
    let (status, _, body) = f.text("/nowhere").await;
    assert_eq!(status, 404);
    assert!(body.contains("href=\"/\""));
    let (status, _, body) = f.text("/r/atlantis/feed.atom").await;
    assert_eq!(status, 404);
    assert!(body.contains("没有这个地区"));
    let (status, _, _) = f.text("/r/jiande/feed.atom?before=yesterday").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn pages_show_editions_with_autodiscovery_and_a_subscribe_link() {
    let f = fixture().await;
    let (_, _, index) = f.text("/").await;
    assert!(index.contains("建德市") && index.contains("平湖市"));
    let all = &index[index.find("<h2>全部地区</h2>").unwrap()..];
    assert!(all.find("杭州市").unwrap() < all.find("建德市").unwrap());
    assert!(index.contains("href=\"/r/jiande/2022-06-28/\""));
    let (_, _, region) = f.text("/r/jiande/").await;
    assert!(region.contains(r#"<link rel="alternate" type="application/atom+xml" title="建德市每日版（Atom）" href="/r/jiande/feed.atom">"#));
    // Mail is off in the fixture: the subscribe button leads to the page's feeds.
    assert!(region.contains("href=\"/r/jiande/#feeds\""));
    assert!(!region.contains("/subscribe"));
    // Two editions listed, and the latest one's headlines above them.
    assert_eq!(region.matches("href=\"/r/jiande/2022-06").count(), 3);
    let (_, _, edition) = f.text("/r/jiande/2022-06-28/").await;
    assert_eq!(edition.matches("<article").count(), 3);
    assert!(edition.contains("新安江畔建起城市书房") && edition.contains("王小明 李华"));
    assert!(edition.contains("<p>市民纷纷前来阅读。</p>"));
    assert!(edition.contains("rel=\"alternate\""));
    let (_, _, pref) = f.text("/r/hangzhou/").await;
    assert!(
        pref.contains("href=\"/r/jiande/\""),
        "a prefecture lists its counties"
    );
}

#[tokio::test]
async fn read_api_lists_regions_editions_and_an_edition() {
    let f = fixture().await;
    let (_, _, body) = f.text("/api/v1/regions").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let slugs: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["jiande", "pinghu"]);
    assert_eq!(v[0]["code"], "330182");
    assert_eq!(v[0]["editions"], 2);
    assert_eq!(
        v[0]["feeds"]["feed.atom"],
        format!("{BASE}/r/jiande/feed.atom")
    );
    let (_, _, body) = f.text("/api/v1/regions/jiande/editions").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["date"], "2022-06-28");
    assert_eq!(v[0]["articles"], 3);
    assert_eq!(v[0]["updated_at"], "2022-06-28T10:00:00+08:00");
    let (_, _, body) = f
        .text("/api/v1/regions/jiande/editions?since=2022-06-28")
        .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let (_, _, body) = f.text("/api/v1/editions/jiande/2022-06-27").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["articles"][0]["title"], "千岛湖畔夏收忙");
    assert_eq!(v["articles"][0]["byline"][0], "张三");
    let (status, headers, _) = f.text("/api/v1/editions/jiande/2020-01-01").await;
    assert_eq!(status, 404);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
}

const PAGE: &str = "今日建德\n2022年6月29日 星期三\n\n# 新安江街道举办夏季运动会\n\n本报讯（记者 王小明）昨天上午，新安江街道第一届夏季运动会在建德市体育中心开幕。\n";

fn post(token: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::post("/api/v1/pages").header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn ingest_api_is_off_without_a_token_and_guarded_by_it() {
    let body =
        serde_json::json!({"text": PAGE, "date": "2022-06-29", "page_id": "jd-0629-1"}).to_string();
    let off = fixture().await;
    assert_eq!(
        off.call(post(Some("anything"), &body)).await.status(),
        StatusCode::NOT_FOUND
    );

    let f = fixture_with(|c| c.secrets.api_token = Some("s3cret".into())).await;
    assert_eq!(
        f.call(post(None, &body)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        f.call(post(Some("wrong"), &body)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        f.call(post(Some("s3cret"), "{\"nope\": 1}")).await.status(),
        StatusCode::BAD_REQUEST
    );

    // Warm the cache, then ingest through the API: the feed shows the new day at once.
    let (_, _, before) = f.text("/r/jiande/feed.atom").await;
    assert!(!before.contains("2022-06-29"));
    let r = f.call(post(Some("s3cret"), &body)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: serde_json::Value = serde_json::from_slice(&bytes(r).await).unwrap();
    assert_eq!(v["outcome"], "new");
    assert_eq!(v["date"], "2022-06-29");
    assert!(!v["articles"].as_array().unwrap().is_empty(), "{v}");
    let r = f.call(post(Some("s3cret"), &body)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let again: serde_json::Value = serde_json::from_slice(&bytes(r).await).unwrap();
    assert_eq!(again["outcome"], "unchanged");
    assert_eq!(
        again["articles"], v["articles"],
        "ids are stable across re-ingest"
    );

    let (_, _, after) = f.text("/api/v1/regions").await;
    let regions: serde_json::Value = serde_json::from_str(&after).unwrap();
    let dated = f.state.store.editions(&Default::default()).await.unwrap();
    assert!(
        dated.iter().any(|e| e.date.to_string() == "2022-06-29"),
        "{dated:?}"
    );
    assert!(regions.as_array().unwrap().len() >= 2);
}

#[tokio::test]
async fn cache_follows_the_store_revision_written_by_another_writer() {
    let f = fixture().await;
    let (_, h1, _) = f.text("/r/pinghu/articles.json").await;
    let (_, h2, _) = f.text("/r/pinghu/articles.json").await;
    assert_eq!(h1[header::ETAG], h2[header::ETAG]);
    assert_eq!(f.state.cache.len(), 1);
    // Another process writes to the database: no local refresh, only the revision changes.
    let other = paperboy::store::Store::connect(&f.state.config.storage.url)
        .await
        .unwrap();
    let mut page = pages().remove(2);
    page.key = "pinghu-0629.txt".into();
    page.date = day("2022-06-29");
    page.content_hash = "changed".into();
    for a in &mut page.articles {
        a.id = format!("x{}", a.id);
    }
    other.ingest(&page).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, h3, body) = f.text("/r/pinghu/articles.json").await;
    assert_ne!(h1[header::ETAG], h3[header::ETAG]);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_real_socket_serves_feeds_with_compression_and_304() {
    let f = fixture().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = paperboy::web::app(f.state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/r/jiande/feed.atom");
    let r = client
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // reqwest decoded the gzip body; the feed parses with both editions.
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.ends_with("-gz\""), "{etag}");
    let body = r.bytes().await.unwrap();
    let feed = feed_rs::parser::parse(&body[..]).unwrap();
    assert_eq!(feed.entries.len(), 2);
    let r = client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    // (identity: reqwest drops Content-Length of bodies it would decompress)
    let r = client
        .head(&url)
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse::<usize>()
            .unwrap()
            > 1000
    );
}

#[test]
fn serve_ingests_the_inbox_prints_its_address_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\nurl = \"sqlite://{}\"\n[ingest]\ninbox = \"{}\"\n[render]\ntemplates = \"{}\"\n",
            dir.path().join("db/paperboy.db").display(),
            seeds.display(),
            dir.path().join("templates").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args([
            "--config",
            config.to_str().unwrap(),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ])
        .env_remove("DATABASE_URL")
        .env("PAPERBOY_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("unexpected first line {line:?}")
        });
    assert!(!addr.ends_with(":0"), "{addr}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (health, index, api) = rt.block_on(async {
        let c = reqwest::Client::new();
        let h = c
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .unwrap()
            .status();
        let i = c
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let a = c
            .get(format!("http://{addr}/api/v1/regions"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (h, i, a)
    });
    assert_eq!(health, 200);
    assert!(index.contains("各地每日新闻"));
    let regions: serde_json::Value = serde_json::from_str(&api).unwrap();
    // The seeds were ingested: their papers' regions have editions (when extraction files them).
    let n = regions.as_array().unwrap().len();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    assert!(dir.path().join("db/paperboy.db").exists());
    eprintln!("seeds gave {n} regions");
    assert!(n >= 1, "the seeds were ingested");
}

#[tokio::test]
async fn server_errors_hide_their_cause() {
    let f = fixture().await;
    f.state.store.close().await;
    // A store that cannot be used answers 503 (try again), saying nothing of why.
    let (status, headers, body) = f.text("/r/jiande/feed.atom").await;
    assert_eq!(status, 503);
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    assert_eq!(body, "the database is unavailable; try again shortly\n");
    let (status, _, _) = f.text("/healthz").await;
    assert_eq!(status, 503);
}
