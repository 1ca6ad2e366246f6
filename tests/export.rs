//! `paperboy export --out DIR`: every page, feed and the OPML as files laid out like the URLs,
//! byte-for-byte what the server sends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod web_fixture;

use std::process::Command;

use web_fixture::*;

#[tokio::test]
async fn export_writes_every_feed_page_and_the_opml_like_the_urls() {
    let f = fixture().await;
    let out = f.dir.path().join("site");
    let config = f.dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nbase_url = \"{BASE}\"\n[storage]\nurl = \"{}\"\n[render]\ntemplates = \"/nonexistent-templates\"\n",
            f.state.config.storage.url
        ),
    )
    .unwrap();
    let output = export(&config, &out);

    let nasty = f.article_id("<script>");
    let mut expected = vec![
        "index.html".to_string(),
        "feeds.opml".into(),
        "favicon.svg".into(),
        "robots.txt".into(),
        "sitemap.xml".into(),
        "feed.atom".into(),
        "feed.rss".into(),
        "feed.json".into(),
        "404.html".into(),
        "r/jiande/index.html".into(),
        "r/jiande/2022-06-28/index.html".into(),
        "r/jiande/2022-06-27/index.html".into(),
        "r/pinghu/2022-06-28/index.html".into(),
        "r/hangzhou/2022-06-28/index.html".into(),
        "r/zhejiang/index.html".into(),
        format!("a/{nasty}/index.html"),
    ];
    for slug in ["jiande", "pinghu", "hangzhou", "jiaxing", "zhejiang"] {
        for file in ["feed", "articles"] {
            for ext in ["atom", "rss", "json"] {
                expected.push(format!("r/{slug}/{file}.{ext}"));
            }
        }
    }
    for rel in &expected {
        assert!(out.join(rel).is_file(), "missing {rel}");
    }
    // Every article has its page: four 建德 articles and the 平湖 one.
    let articles = std::fs::read_dir(out.join("a")).unwrap().count();
    assert_eq!(articles, 5);
    // A file is exactly what the server sends.
    for (rel, uri) in [
        ("r/jiande/feed.atom", "/r/jiande/feed.atom"),
        ("r/jiande/2022-06-28/index.html", "/r/jiande/2022-06-28/"),
        ("feeds.opml", "/feeds.opml"),
    ] {
        let (_, _, served) = f.text(uri).await;
        assert_eq!(
            std::fs::read_to_string(out.join(rel)).unwrap(),
            served,
            "{rel}"
        );
    }
    let atom = std::fs::read(out.join("r/hangzhou/feed.atom")).unwrap();
    let feed = feed_rs::parser::parse(&atom[..]).unwrap();
    assert_eq!(feed.entries.len(), 2);
    let stdout = output;
    // 5 regions × (1 region page + 6 feeds) + 8 edition pages (建德 2, 平湖 1, 杭州 2, 嘉兴 1,
    // 浙江 2) + 5 article pages + index, OPML, favicon, robots, sitemap, the all-regions feed in
    // three formats and the 404 page.
    let editions = 2 + 1 + 2 + 1 + 2;
    let files = 5 * 7 + editions + 5 + 9;
    assert!(
        stdout.starts_with(&format!("exported {files} files")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(": {files} written, 0 already current")),
        "{stdout}"
    );

    // Again into the same folder: nothing changed, nothing written (times kept); a file that
    // differs (edited by hand here) is written back, and only it.
    let kept = out.join("r/jiande/2022-06-27/index.html");
    let time = std::fs::metadata(&kept).unwrap().modified().unwrap();
    let again = export(&config, &out);
    assert!(
        again.contains(&format!(": 0 written, {files} already current")),
        "{again}"
    );
    std::fs::write(out.join("r/jiande/feed.atom"), "edited").unwrap();
    let again = export(&config, &out);
    assert!(
        again.contains(&format!(": 1 written, {} already current", files - 1)),
        "{again}"
    );
    let (_, _, served) = f.text("/r/jiande/feed.atom").await;
    assert_eq!(
        std::fs::read_to_string(out.join("r/jiande/feed.atom")).unwrap(),
        served
    );
    assert_eq!(std::fs::metadata(&kept).unwrap().modified().unwrap(), time);
}

/// Runs `paperboy export` and returns its standard output.
fn export(config: &std::path::Path, out: &std::path::Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args([
            "--config",
            config.to_str().unwrap(),
            "export",
            "--out",
            out.to_str().unwrap(),
        ])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every file of an export is byte-for-byte the server's answer for its URL: edition pages,
/// article pages and feeds are rendered from whole editions read at once, not through the
/// router, and must not differ from it in anything. An article filed under its prefecture
/// only (no county named) gets its page too: the prefecture's edition page links it.
#[tokio::test]
async fn every_exported_file_is_what_the_server_sends() {
    let f = fixture().await;
    let tz = chrono_tz::Asia::Shanghai;
    let stored = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2022, 6, 28, 3, 0, 0).unwrap();
    let page = paperboy::model::Page {
        source: "hangzhou-0628.txt".into(),
        encoding: "utf-8".into(),
        warnings: Vec::new(),
        paper: Some("杭州日报".into()),
        date: Some(day("2022-06-28")),
        date_source: paperboy::model::DateSource::Masthead,
        articles: vec![paperboy::model::Article {
            title: Some("全市推进垃圾分类".into()),
            regions: vec![region("330100")],
            body: "市区各街道推进垃圾分类工作。".into(),
            ..Default::default()
        }],
    };
    let page = paperboy::ingest::prepare(page, "hangzhou-0628.txt", stored, tz);
    let city_only = page.articles[0].id.clone();
    f.state.store.ingest_many(&[page]).await.unwrap();

    let out = f.dir.path().join("site");
    let report = paperboy::web::export::write_site(f.state.clone(), &out)
        .await
        .unwrap();
    let mut files = Vec::new();
    walk(&out, &mut files);
    assert_eq!(files.len(), report.files);
    assert!(out.join(format!("a/{city_only}/index.html")).is_file());
    // Six article pages: the fixture's five and the city-wide one.
    assert_eq!(std::fs::read_dir(out.join("a")).unwrap().count(), 6);
    for file in files {
        let rel = file
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel == "404.html" {
            continue;
        }
        let uri = match rel.strip_suffix("index.html") {
            Some(dir) => format!("/{dir}"),
            None => format!("/{rel}"),
        };
        let (status, _, served) = f.text(&uri).await;
        assert_eq!(status, 200, "{uri}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), served, "{uri}");
    }
}

fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}
