//! Every feed, through the router: parses back with feed-rs (the parser of real readers) with
//! the expected entries, ids and dates; pages through RFC 5005 archives; keeps ids across
//! re-ingest; and carries hostile text escaped once and free of XML-forbidden characters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod web_fixture;

use chrono::{DateTime, Utc};
use web_fixture::*;

const FORMATS: [&str; 3] = ["atom", "rss", "json"];

async fn parsed(f: &Fixture, uri: &str) -> (feed_rs::model::Feed, String) {
    let (status, headers, body) = f.text(uri).await;
    assert_eq!(status, 200, "{uri}: {body}");
    let ct = headers["content-type"].to_str().unwrap().to_string();
    let want = if uri.contains(".atom") {
        "application/atom+xml; charset=utf-8"
    } else if uri.contains(".rss") {
        "application/rss+xml; charset=utf-8"
    } else {
        "application/feed+json; charset=utf-8"
    };
    assert_eq!(ct, want, "{uri}");
    let feed = feed_rs::parser::parse(body.as_bytes())
        .unwrap_or_else(|e| panic!("{uri} does not parse: {e}\n{body}"));
    (feed, body)
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn editions_feed_has_one_entry_per_day_with_full_content_in_every_format() {
    let f = fixture().await;
    for ext in FORMATS {
        let (feed, body) = parsed(&f, &format!("/r/jiande/feed.{ext}")).await;
        let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "urn:paperboy:edition:330182:2022-06-28",
                "urn:paperboy:edition:330182:2022-06-27"
            ],
            "{ext}"
        );
        let newest = &feed.entries[0];
        // Published and updated on the day (midnight +08:00) in every format, so readers
        // sort every format alike.
        assert_eq!(
            newest.published.unwrap(),
            utc("2022-06-28T00:00:00+08:00"),
            "{ext}"
        );
        if ext != "rss" {
            assert_eq!(
                newest.updated.unwrap(),
                utc("2022-06-28T00:00:00+08:00"),
                "{ext}"
            );
        }
        let content = newest
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap();
        // The whole edition: both 建德 articles and the roundup filed under 建德 too.
        assert!(content.contains("新安江畔建起城市书房"), "{ext}");
        assert!(content.contains("两地合作共建产业园"), "{ext}");
        assert!(content.contains("王小明 李华"), "{ext}");
        assert!(content.contains("<p>市民纷纷前来阅读。</p>"), "{ext}");
        // An edition is authored by its paper, not by a byline in it.
        let authors: Vec<&str> = newest.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(authors, ["今日建德", "嘉兴日报·平湖版"], "{ext}");
        if ext != "json" {
            assert!(body.contains("zh-CN"), "{ext}");
            assert!(body.contains("+08:00") || body.contains("+0800"), "{ext}");
            assert!(
                !body.contains("xml-stylesheet"),
                "{ext}: browsers get a preview page"
            );
        }
        let cats: Vec<&str> = newest.categories.iter().map(|c| c.term.as_str()).collect();
        assert!(
            cats.contains(&"建德市") && cats.contains(&"今日建德"),
            "{ext}: {cats:?}"
        );
    }
}

#[tokio::test]
async fn articles_feed_has_one_entry_per_article_with_stable_ids() {
    let f = fixture().await;
    let want = {
        let mut v = vec![
            format!("urn:paperboy:article:{}", f.article_id("新安江畔")),
            format!("urn:paperboy:article:{}", f.article_id("<script>")),
            format!("urn:paperboy:article:{}", f.article_id("千岛湖")),
            format!("urn:paperboy:article:{}", f.article_id("两地合作")),
        ];
        v.sort();
        v
    };
    for ext in FORMATS {
        let (feed, _) = parsed(&f, &format!("/r/jiande/articles.{ext}")).await;
        let mut ids: Vec<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
        ids.sort();
        assert_eq!(ids, want, "{ext}");
        let summer = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().unwrap().content == "千岛湖畔夏收忙")
            .unwrap();
        // The publication day; the time of day only orders a page's articles.
        let published = summer.published.unwrap();
        assert!(
            published >= utc("2022-06-27T00:00:00+08:00")
                && published < utc("2022-06-28T00:00:00+08:00"),
            "{ext}: {published}"
        );
        let link = &summer.links[0].href;
        assert_eq!(link, &format!("{BASE}/a/{}/", f.article_id("千岛湖")));
    }
    // Re-ingesting the same pages changes nothing: same ids, same bytes, same ETag.
    let before = f.text("/r/jiande/articles.atom").await;
    let outcomes = f.state.store.ingest_many(&pages()).await.unwrap();
    assert!(outcomes
        .iter()
        .all(|o| *o == paperboy::store::IngestOutcome::Unchanged));
    f.state.cache.refresh(&f.state.store).await.unwrap();
    let after = f.text("/r/jiande/articles.atom").await;
    assert_eq!(before.2, after.2);
    assert_eq!(before.1["etag"], after.1["etag"]);
}

#[tokio::test]
async fn prefecture_and_province_feeds_aggregate_their_counties() {
    let f = fixture().await;
    let (hz, _) = parsed(&f, "/r/hangzhou/feed.atom").await;
    assert_eq!(hz.entries.len(), 2);
    assert_eq!(hz.entries[0].id, "urn:paperboy:edition:330100:2022-06-28");
    let (zj, _) = parsed(&f, "/r/zhejiang/articles.json").await;
    // Five articles, the roundup counted once although it is filed under two counties.
    assert_eq!(zj.entries.len(), 5);
}

#[tokio::test]
async fn older_entries_are_on_rfc5005_archive_pages() {
    let f = fixture_with(|c| c.feeds.entries = 1).await;
    for ext in FORMATS {
        let (first, body) = parsed(&f, &format!("/r/jiande/feed.{ext}")).await;
        assert_eq!(first.entries.len(), 1);
        assert_eq!(
            first.entries[0].id,
            "urn:paperboy:edition:330182:2022-06-28"
        );
        let next = format!("{BASE}/r/jiande/feed.{ext}?before=2022-06-28");
        if ext == "json" {
            assert!(
                body.contains(&format!("\"next_url\": \"{next}\"")),
                "{body}"
            );
        } else {
            assert!(body.contains("prev-archive"), "{ext}");
            let rel_next = first
                .links
                .iter()
                .find(|l| l.rel.as_deref() == Some("next"));
            assert_eq!(
                rel_next.map(|l| l.href.as_str()),
                Some(next.as_str()),
                "{ext}"
            );
        }
        let path = next.trim_start_matches(BASE);
        let (older, body) = parsed(&f, path).await;
        assert_eq!(older.entries.len(), 1, "{ext}");
        assert_eq!(
            older.entries[0].id,
            "urn:paperboy:edition:330182:2022-06-27"
        );
        assert!(
            !body.contains("?before=2022-06-27"),
            "{ext}: the last page links no further"
        );
        if ext != "json" {
            let current = older
                .links
                .iter()
                .find(|l| l.rel.as_deref() == Some("current"));
            assert_eq!(
                current.map(|l| l.href.clone()),
                Some(format!("{BASE}/r/jiande/feed.{ext}")),
                "{ext}"
            );
        }
    }
    // The articles feed pages by (date, id): four articles, one per page, none twice.
    let mut seen = Vec::new();
    let mut uri = "/r/jiande/articles.json".to_string();
    loop {
        let (page, _) = parsed(&f, &uri).await;
        assert!(page.entries.len() <= 1);
        seen.extend(page.entries.iter().map(|e| e.id.clone()));
        let (_, _, body) = f.text(&uri).await;
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        match v["next_url"].as_str() {
            Some(n) => uri = n.trim_start_matches(BASE).to_string(),
            None => break,
        }
        assert!(seen.len() < 10, "paging does not end");
    }
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!((seen.len(), dedup.len()), (4, 4));
}

#[tokio::test]
async fn hostile_text_is_escaped_once_and_control_characters_removed_everywhere() {
    let f = fixture().await;
    let nasty_id = f.article_id("<script>");
    let mut uris: Vec<String> = Vec::new();
    for stem in ["feed", "articles"] {
        for ext in FORMATS {
            uris.push(format!("/r/jiande/{stem}.{ext}"));
        }
    }
    for uri in &uris {
        let (feed, body) = parsed(&f, uri).await;
        assert!(!has_forbidden_chars(&body), "{uri} has control characters");
        assert!(!body.contains("<script>"), "{uri} carries raw markup");
        let text: String = feed
            .entries
            .iter()
            .filter_map(|e| e.content.as_ref().and_then(|c| c.body.clone()))
            .collect();
        // After the reader un-escapes the feed, the HTML shows the markup as text, once.
        assert!(
            text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt; 标题"),
            "{uri}: {text}"
        );
        assert!(text.contains("a&lt;b &amp; c]]&gt;def"), "{uri}");
        assert!(text.contains("&lt;img src=x onerror=alert(1)&gt;"), "{uri}");
        assert!(!text.contains("&amp;lt;"), "{uri} is escaped twice");
    }
    let (_, _, articles) = f.text("/r/jiande/articles.atom").await;
    let feed = feed_rs::parser::parse(articles.as_bytes()).unwrap();
    let e = feed
        .entries
        .iter()
        .find(|e| e.id.ends_with(&nasty_id))
        .unwrap();
    assert_eq!(
        e.title.as_ref().unwrap().content,
        "<script>alert(1)</script> & ]]> 标题"
    );
    for uri in [
        "/".to_string(),
        "/r/jiande/".into(),
        "/r/jiande/2022-06-28/".into(),
        format!("/a/{nasty_id}/"),
        "/api/v1/editions/jiande/2022-06-28".into(),
        "/feeds.opml".into(),
    ] {
        let (status, _, body) = f.text(&uri).await;
        assert_eq!(status, 200, "{uri}");
        assert!(!has_forbidden_chars(&body), "{uri} has control characters");
        assert!(!body.contains("<script>alert"), "{uri} carries raw markup");
        assert!(!body.contains("<img src=x"), "{uri} carries raw markup");
    }
    let (_, _, page) = f.text(&format!("/a/{nasty_id}/")).await;
    assert!(
        page.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt; 标题</h1>"),
        "{page}"
    );
    assert!(!page.contains("&amp;lt;"));
    let (_, _, api) = f.text("/api/v1/editions/jiande/2022-06-28").await;
    let v: serde_json::Value = serde_json::from_str(&api).unwrap();
    let titles: Vec<&str> = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"<script>alert(1)</script> & ]]> 标题"),
        "{titles:?}"
    );
}

#[tokio::test]
async fn opml_lists_every_region_feed_grouped_by_province_and_prefecture() {
    let f = fixture().await;
    let (status, headers, body) = f.text("/feeds.opml").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/x-opml; charset=utf-8");
    // Five regions × (editions, articles) × (Atom, RSS, JSON Feed), and the all-regions feed.
    assert_eq!(body.matches("type=\"rss\"").count(), 5 * 6 + 3, "{body}");
    for slug in ["zhejiang", "hangzhou", "jiande", "jiaxing", "pinghu"] {
        for file in ["feed", "articles"] {
            for ext in FORMATS {
                assert!(
                    body.contains(&format!("xmlUrl=\"{BASE}/r/{slug}/{file}.{ext}\"")),
                    "{slug}/{file}.{ext}: {body}"
                );
            }
        }
    }
    let at = |s: &str| body.find(s).unwrap();
    assert!(at("<outline text=\"浙江省\"") < at("<outline text=\"杭州市\""));
    assert!(at("<outline text=\"杭州市\"") < at("/r/jiande/feed.atom"));
    assert!(at("<outline text=\"嘉兴市\"") < at("/r/pinghu/feed.atom"));
}

/// U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates).
fn has_bidi_controls(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

// See: issue 13 ("U+202E and the other bidirectional overrides pass into pages and feeds").
#[tokio::test]
async fn bidirectional_overrides_are_removed_from_feeds_pages_and_the_api() {
    use paperboy::model::{Article, ArticleKind, DateSource, Page};
    let f = fixture().await;
    let page = Page {
        source: "jiande-0629.txt".into(),
        encoding: "utf-8".into(),
        warnings: Vec::new(),
        paper: Some("今日\u{202e}建德".into()),
        date: Some(day("2022-06-29")),
        date_source: DateSource::Masthead,
        articles: vec![Article {
            title: Some("\u{202e}txt.exe 新闻\u{202c}".into()),
            kicker: None,
            subtitle: Some("副\u{202a}标题\u{202c}".into()),
            byline: vec!["\u{2067}王五\u{2069}".into()],
            kind: ArticleKind::News,
            regions: vec![region("330182")],
            body: "正文\u{202d}abc\u{202c} \u{2066}x\u{2069} \u{2068}y\u{2069} \u{202b}z".into(),
        }],
    };
    let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2022, 6, 29, 1, 0, 0).unwrap();
    let new = paperboy::ingest::prepare(page, "jiande-0629.txt", t, chrono_tz::Asia::Shanghai);
    let id = new.articles[0].id.clone();
    f.state.store.ingest(&new).await.unwrap();
    f.state.cache.refresh(&f.state.store).await.unwrap();

    let mut uris: Vec<String> = Vec::new();
    for stem in ["feed", "articles"] {
        for ext in FORMATS {
            uris.push(format!("/r/jiande/{stem}.{ext}"));
        }
    }
    for uri in &uris {
        let (feed, body) = parsed(&f, uri).await;
        assert!(body.contains("txt.exe 新闻"), "{uri} lacks the article");
        assert!(!has_bidi_controls(&body), "{uri} carries bidi controls");
        assert!(!feed.entries.is_empty(), "{uri}");
    }
    let (feed, _) = parsed(&f, "/r/jiande/articles.atom").await;
    let e = feed.entries.iter().find(|e| e.id.ends_with(&id)).unwrap();
    assert_eq!(e.title.as_ref().unwrap().content, "txt.exe 新闻");
    for uri in [
        "/r/jiande/".to_string(),
        "/r/jiande/2022-06-29/".into(),
        format!("/a/{id}/"),
        "/api/v1/editions/jiande/2022-06-29".into(),
    ] {
        let (status, _, body) = f.text(&uri).await;
        assert_eq!(status, 200, "{uri}");
        assert!(!has_bidi_controls(&body), "{uri} carries bidi controls");
    }
    let (_, _, page) = f.text(&format!("/a/{id}/")).await;
    assert!(page.contains("txt.exe 新闻"), "{page}");
    assert!(page.contains("王五"), "{page}");
    assert!(page.contains("正文abc x y z"), "{page}");
}
