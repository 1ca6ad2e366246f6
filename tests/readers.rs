//! Feeds in every reader (issue 11): every feed parses back with feed-rs with the full text; a
//! plain-text client (rss2email's way of choosing between summary and content) reads the full
//! Atom content; entry times agree across formats and are distinct; editions are authored by
//! their paper; the inferred-date note follows the text; the all-regions feed; the store reads
//! behind it on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod readers_fixture;
mod web_fixture;

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use paperboy::store::Store;
use readers_fixture::*;
use web_fixture::{day, BASE};

#[tokio::test]
async fn every_feed_parses_back_with_the_full_text_and_one_time_per_entry_in_every_format() {
    let s = site().await;
    for path in FEEDS {
        // id -> the time each format gives it
        let mut times: BTreeMap<String, Vec<DateTime<Utc>>> = BTreeMap::new();
        for ext in FORMATS {
            let uri = format!("{path}.{ext}");
            let feed = s.feed(&uri).await;
            assert!(!feed.entries.is_empty(), "{uri}");
            let mut seen = HashSet::new();
            for e in &feed.entries {
                let body = content(e);
                assert!(!body.is_empty(), "{uri}: {} has no content", e.id);
                // Atom `updated` (and JSON `date_modified`) differ between entries: the W3C
                // validator's DuplicateUpdated.
                let time = e.updated.or(e.published).unwrap();
                assert!(seen.insert(time), "{uri}: two entries at {time}");
                let published = e.published.unwrap();
                if ext != "rss" {
                    assert_eq!(e.updated.unwrap(), published, "{uri}: {}", e.id);
                }
                times.entry(e.id.clone()).or_default().push(published);
            }
            // Full text, not only headlines, in every format.
            let all: String = feed.entries.iter().map(content).collect();
            assert!(all.contains("书房里座无虚席"), "{uri}");
        }
        for (id, t) in &times {
            assert_eq!(t.len(), 3, "{path}: {id} is not in every format");
            // RSS dates (RFC 822) have whole seconds.
            let secs: Vec<i64> = t.iter().map(|x| x.timestamp()).collect();
            assert!(
                secs.iter().all(|x| *x == secs[0]),
                "{path}: {id} has times {t:?}"
            );
        }
    }
    // A page's articles keep reading order in a reader sorting newest first.
    let feed = s.feed("/r/jiande/articles.atom").await;
    let mut by_time: Vec<&feed_rs::model::Entry> = feed.entries.iter().collect();
    by_time.sort_by_key(|e| std::cmp::Reverse(e.updated.unwrap()));
    let titles: Vec<&str> = by_time
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.as_str())
        .filter(|t| {
            [
                "新安江畔建起城市书房",
                "千岛湖畔夏收忙",
                "城南社区开展消夏晚会",
            ]
            .contains(t)
        })
        .collect();
    assert_eq!(
        titles,
        [
            "新安江畔建起城市书房",
            "千岛湖畔夏收忙",
            "城南社区开展消夏晚会"
        ]
    );
    // JSON Feed carries the text as plain text too.
    let json: serde_json::Value = serde_json::from_str(&s.ok("/r/jiande/feed.json").await).unwrap();
    let text = json["items"][0]["content_text"].as_str().unwrap();
    assert!(
        text.contains("市民纷纷前来阅读") && !text.contains("<p>"),
        "{text}"
    );
}

/// How rss2email picks an entry's body (`_get_entry_content`): the entry's contents, then its
/// summary; in its default plain-text mode the first `text/plain` one wins, else `text/html`.
fn plain_text_client_body(entry: &feed_rs::model::Entry) -> String {
    let mut contents: Vec<(String, String)> = Vec::new();
    if let Some(c) = &entry.content {
        contents.push((
            c.content_type.to_string(),
            c.body.clone().unwrap_or_default(),
        ));
    }
    if let Some(sm) = &entry.summary {
        contents.push((sm.content_type.to_string(), sm.content.clone()));
    }
    for want in ["text/plain", "text/html"] {
        if let Some((_, body)) = contents.iter().find(|(t, _)| t.starts_with(want)) {
            // html2text, roughly: drop the tags.
            let mut out = String::new();
            let mut in_tag = false;
            for c in body.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        out.push('\n');
                    }
                    c if !in_tag => out.push(c),
                    _ => {}
                }
            }
            return out;
        }
    }
    String::new()
}

// See: issue 11 ("rss2email's default plain-text mode … gets headlines only").
#[tokio::test]
async fn a_plain_text_client_reads_the_full_atom_content_and_the_date_note_after_it() {
    let s = site().await;
    for uri in [
        "/r/jiande/feed.atom",
        "/r/jiande/articles.atom",
        "/feed.atom",
    ] {
        let feed = s.feed(uri).await;
        for e in &feed.entries {
            // No plain-text summary that such a client would take instead of the content.
            assert!(
                e.summary
                    .as_ref()
                    .is_none_or(|sm| sm.content_type.to_string() != "text/plain"),
                "{uri}: {} has a text summary",
                e.id
            );
        }
        let newest = feed
            .entries
            .iter()
            .find(|e| content(e).contains("新安江畔建起城市书房"))
            .unwrap();
        let read = plain_text_client_body(newest);
        assert!(read.contains("书房里座无虚席"), "{uri}: {read}");
    }
    // The inferred-date note: after the text and as a category, never the preview line.
    for ext in FORMATS {
        let feed = s.feed(&format!("/r/jiande/articles.{ext}")).await;
        let e = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().unwrap().content == "梅雨季防汛演练举行")
            .unwrap();
        let body = content(e);
        let note = body.find("日期由正文推断").unwrap();
        assert!(
            body.find("演练持续两个小时").unwrap() < note,
            "{ext}: {body}"
        );
        assert!(!plain_text_client_body(e)
            .trim_start()
            .starts_with("日期由正文推断"));
        let cats: Vec<&str> = e.categories.iter().map(|c| c.term.as_str()).collect();
        assert!(cats.contains(&"日期由正文推断"), "{ext}: {cats:?}");
    }
}

// See: issue 11 ("An edition entry's author is the last byline on it").
#[tokio::test]
async fn an_edition_is_authored_by_its_paper_and_an_article_by_its_byline() {
    let s = site().await;
    for ext in FORMATS {
        let feed = s.feed(&format!("/r/pinghu/feed.{ext}")).await;
        let names: Vec<&str> = feed.entries[0]
            .authors
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names, ["嘉兴日报·平湖版"], "{ext}");
        let feed = s.feed(&format!("/r/jiande/feed.{ext}")).await;
        let names: Vec<&str> = feed.entries[0]
            .authors
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert!(!names.contains(&"王莉莎"), "{ext}: {names:?}");
        assert!(names.contains(&"今日建德"), "{ext}: {names:?}");
        let feed = s.feed(&format!("/r/jiande/articles.{ext}")).await;
        let e = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().unwrap().content == "城南社区开展消夏晚会")
            .unwrap();
        assert_eq!(e.authors[0].name, "王莉莎", "{ext}");
    }
}

#[tokio::test]
async fn the_all_regions_feed_lists_the_latest_articles_everywhere_and_is_discoverable() {
    let s = site_with(|c| c.feeds.entries = 4).await;
    let mut ids = Vec::new();
    let mut uri = "/feed.atom".to_string();
    // Follow the archive pages to the end: every dated article once, newest first.
    for _ in 0..5 {
        let feed = s.feed(&uri).await;
        ids.extend(feed.entries.iter().map(|e| e.id.clone()));
        let Some(next) = feed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("next"))
            .map(|l| l.href.clone())
        else {
            break;
        };
        uri = next.trim_start_matches(BASE).to_string();
    }
    let want: HashSet<String> = s
        .pages
        .iter()
        .flat_map(|p| &p.articles)
        .map(|a| format!("urn:paperboy:article:{}", a.id))
        .collect();
    assert_eq!(ids.len(), want.len(), "{ids:?}");
    assert_eq!(ids.iter().cloned().collect::<HashSet<_>>(), want);
    let first = s.feed("/feed.atom").await;
    assert_eq!(first.entries.len(), 4);
    let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let day_of = |e: &feed_rs::model::Entry| e.published.unwrap().with_timezone(&cst).date_naive();
    assert_eq!(day_of(&first.entries[0]), day("2022-06-28"));
    assert!(day_of(&first.entries[0]) >= day_of(&first.entries[3]));
    // Categories name the article's regions.
    let roundup = format!("urn:paperboy:article:{}", s.id("两地合作共建产业园"));
    let feed = s.feed("/feed.rss").await;
    let e = feed.entries.iter().find(|e| e.id == roundup).unwrap();
    let cats: Vec<&str> = e.categories.iter().map(|c| c.term.as_str()).collect();
    assert!(
        cats.contains(&"平湖市") && cats.contains(&"建德市"),
        "{cats:?}"
    );

    let home = s.ok("/").await;
    for (mime, ext) in [
        ("application/atom+xml", "atom"),
        ("application/rss+xml", "rss"),
        ("application/feed+json", "json"),
    ] {
        let link = format!("<link rel=\"alternate\" type=\"{mime}\" title=\"各地最新文章（");
        assert!(home.contains(&link), "{home}");
        assert!(home.contains(&format!("href=\"/feed.{ext}\">")), "{home}");
    }
    // Headlines of the latest editions.
    assert!(home.contains("<h2>最新各期</h2>"), "{home}");
    assert!(home.contains(&format!("href=\"/a/{}/\"", s.id("新安江畔建起城市书房"))));
}

/// The store reads behind the all-regions feed and the edition pager, on SQLite and (when
/// `PAPERBOY_TEST_POSTGRES` is set) on PostgreSQL in a schema of its own.
#[tokio::test]
async fn latest_articles_and_adjacent_editions_read_alike_on_both_backends() {
    async fn check(store: &Store) {
        store.ingest_many(&pages()).await.unwrap();
        let all = store.latest_articles(100, None).await.unwrap();
        assert_eq!(all.len(), 7);
        let keys: Vec<(chrono::NaiveDate, String)> =
            all.iter().map(|a| (a.date, a.id.clone())).collect();
        let mut sorted = keys.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(keys, sorted, "newest first by (date, id)");
        // Keyset paging continues strictly after the cursor.
        let rest = store
            .latest_articles(100, Some(keys[2].clone()))
            .await
            .unwrap();
        assert_eq!(rest.len(), 4);
        assert_eq!(rest[0].id, keys[3].1);
        let jd = paperboy::model::RegionCode::parse("330182").unwrap();
        let hz = paperboy::model::RegionCode::parse("330100").unwrap();
        assert_eq!(
            store
                .adjacent_editions(&jd, day("2022-06-27"))
                .await
                .unwrap(),
            (Some(day("2022-06-20")), Some(day("2022-06-28")))
        );
        assert_eq!(
            store
                .adjacent_editions(&hz, day("2022-06-28"))
                .await
                .unwrap(),
            (Some(day("2022-06-27")), None)
        );
        assert_eq!(
            store
                .adjacent_editions(&jd, day("2022-06-01"))
                .await
                .unwrap(),
            (None, Some(day("2022-06-20")))
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("p.db").display());
    check(&Store::connect(&url).await.unwrap()).await;
    let Ok(pg) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL case");
        return;
    };
    let schema = format!("pb_readers_{}", std::process::id());
    let store = Store::connect_postgres_schema(&pg, &schema).await.unwrap();
    let result =
        futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(check(&store))).await;
    store.close().await;
    paperboy::store::drop_postgres_schema(&pg, &schema)
        .await
        .unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
