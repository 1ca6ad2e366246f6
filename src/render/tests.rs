//! Unit tests of the feed writers and page templates: every output parses back (XML formats
//! with the feed-rs parser used by readers) with the expected ids, dates and escaping.

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::model::{Article, ArticleKind, DateSource, EditionSummary, RegionLevel, StoredArticle};

fn site() -> Site {
    Site {
        base_url: "http://example.org".into(),
        title: "paperboy".into(),
    }
}

fn jiande() -> RegionView {
    RegionView {
        code: "330182".into(),
        name: "建德市".into(),
        slug: "jiande".into(),
        level: RegionLevel::County,
        prefecture: Some("杭州市".into()),
        province: Some("浙江省".into()),
    }
}

fn nasty() -> StoredArticle {
    StoredArticle {
        id: "a1b2".into(),
        page_key: "p.txt".into(),
        paper: Some("今日建德".into()),
        date: NaiveDate::from_ymd_opt(2022, 6, 28).unwrap(),
        date_source: DateSource::Masthead,
        position: 0,
        article: Article {
            title: Some("标题<script>alert(1)</script> & ]]> 完\u{1}".into()),
            kicker: None,
            subtitle: None,
            byline: vec!["王小明".into()],
            kind: ArticleKind::News,
            regions: vec![],
            body: "第一段 a<b & c]]>d\u{b}e\n\n第二段".into(),
        },
        stored_at: Utc.with_ymd_and_hms(2022, 6, 28, 1, 2, 3).unwrap(),
    }
}

fn edition_feed() -> Feed {
    let s = site();
    let a = ArticleView::new(&nasty());
    let summary = EditionSummary {
        region: "330182".parse().unwrap(),
        date: a.date,
        articles: 1,
        updated_at: Utc.with_ymd_and_hms(2022, 6, 28, 1, 2, 3).unwrap(),
    };
    let mut feed = Feed::new(
        &s,
        &jiande(),
        FeedKind::Editions,
        vec![edition_entry(&s, &jiande(), &summary, &[a])],
        Some(summary.updated_at),
    );
    feed.self_url = "http://example.org/r/jiande/feed.atom".into();
    feed.paging.older = Some("http://example.org/r/jiande/feed.atom?before=2022-06-28".into());
    feed
}

#[test]
fn every_format_parses_back_with_ids_dates_and_text_escaped_once() {
    let feed = edition_feed();
    for format in FeedFormat::ALL {
        let out = super::feed(&feed, format).unwrap();
        assert!(
            !out.contains('\u{1}') && !out.contains('\u{b}'),
            "{format:?}"
        );
        assert!(!out.contains("<script>"), "{format:?} leaks raw markup");
        let parsed = feed_rs::parser::parse(out.as_bytes())
            .unwrap_or_else(|e| panic!("{format:?} does not parse: {e}\n{out}"));
        assert_eq!(parsed.entries.len(), 1);
        let e = &parsed.entries[0];
        assert_eq!(e.id, "urn:paperboy:edition:330182:2022-06-28", "{format:?}");
        let published = e.published.unwrap();
        assert_eq!(published.to_rfc3339(), "2022-06-27T16:00:00+00:00");
        let content = e.content.as_ref().and_then(|c| c.body.clone()).unwrap();
        // The HTML carries the text escaped exactly once: a reader shows `<script>` as text.
        assert!(content.contains("&lt;script&gt;"), "{format:?}: {content}");
        assert!(!content.contains("&amp;lt;"), "{format:?} double-escaped");
        assert!(
            content.contains("a&lt;b &amp; c]]&gt;de"),
            "{format:?}: {content}"
        );
        if format != FeedFormat::Json {
            // No XSLT: browsers get an HTML preview from the web layer instead.
            assert!(!out.contains("xml-stylesheet"));
            assert!(
                out.contains("+08:00") || out.contains("+0800"),
                "{format:?}"
            );
            assert!(out.contains("zh-CN"));
        }
    }
}

#[test]
fn rss_has_non_permalink_guid_self_link_and_content_encoded() {
    let mut feed = edition_feed();
    feed.self_url = "http://example.org/r/jiande/feed.rss".into();
    let out = rss(&feed).unwrap();
    let ch = ::rss::Channel::read_from(out.as_bytes()).unwrap();
    let item = &ch.items()[0];
    assert!(!item.guid().unwrap().is_permalink());
    assert_eq!(item.pub_date(), Some("Tue, 28 Jun 2022 00:00:00 +0800"));
    assert!(item.content().unwrap().contains("<p>第二段</p>"));
    assert!(item.description().unwrap().chars().count() <= 201);
    assert_eq!(ch.language(), Some("zh-CN"));
    assert!(out.contains("<atom:link href=\"http://example.org/r/jiande/feed.rss\" rel=\"self\""));
    assert!(out.contains("rel=\"prev-archive\""));
    // An edition is authored by its paper, not by the last byline in it.
    assert_eq!(item.dublin_core_ext().unwrap().creators(), ["今日建德"]);
    let cats: Vec<&str> = item.categories().iter().map(|c| c.name()).collect();
    assert_eq!(cats, ["建德市", "今日建德"]);
}

#[test]
fn atom_entries_carry_the_publication_day_and_the_feed_its_content_time() {
    let out = atom(&edition_feed()).unwrap();
    // The feed changed when its content was stored; the entry is the day's edition.
    assert!(
        out.contains("<updated>2022-06-28T09:02:03+08:00</updated>"),
        "{out}"
    );
    assert!(
        out.contains("<updated>2022-06-28T00:00:00+08:00</updated>"),
        "{out}"
    );
    assert!(out.contains("xml:lang=\"zh-CN\""));
    // No plain-text summary that a plain-text client would prefer to the full content.
    assert!(!out.contains("<summary"), "{out}");
    let parsed = feed_rs::parser::parse(out.as_bytes()).unwrap();
    assert_eq!(parsed.entries[0].authors[0].name, "今日建德");
    assert!(parsed
        .links
        .iter()
        .any(|l| l.rel.as_deref() == Some("next")));
}

#[test]
fn untitled_photo_gets_a_title_from_its_caption() {
    let mut a = nasty();
    a.article.title = None;
    a.article.kind = ArticleKind::Photo;
    a.article.body = "新安江畔的清晨".into();
    assert_eq!(ArticleView::new(&a).title, "图片：新安江畔的清晨");
}

#[test]
fn pages_escape_markup_and_drop_control_characters() {
    let r = Renderer::new(std::path::Path::new("/nonexistent")).unwrap();
    let s = site();
    let region = jiande();
    let html = r
        .render(
            "edition.html",
            EditionPage {
                site: &s,
                region: &region,
                date: NaiveDate::from_ymd_opt(2022, 6, 28).unwrap(),
                date_label: "2022年6月28日".into(),
                date_note: None,
                articles: &[ArticleView::new(&nasty())],
                feeds: FeedLink::for_region(&region),
                subscribe: subscribe_path(&region),
                parents: vec![],
                previous: None,
                next: None,
            },
        )
        .unwrap();
    assert!(
        html.contains("<h2><a href=\"/a/a1b2/\">标题&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt; 完</a></h2>"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    assert!(!html.contains('\u{1}') && !html.contains('\u{b}'));
    assert!(html.contains(r#"<link rel="alternate" type="application/atom+xml""#));
    assert!(html.contains("/subscribe?region=jiande"));
    assert_eq!(html.matches("<article").count(), 1);
    // The table of contents links the article in the page.
    assert!(
        html.contains("<li><a href=\"#a-a1b2\">标题&lt;script&gt;"),
        "{html}"
    );
}

#[test]
fn article_times_are_the_day_distinct_and_in_page_order() {
    let day = NaiveDate::from_ymd_opt(2022, 6, 28).unwrap();
    let first = article_time(day, "p.txt", 0);
    let second = article_time(day, "p.txt", 1);
    let other_page = article_time(day, "q.txt", 0);
    assert_eq!(first.date_naive(), day);
    assert!(first > second, "newest first shows a page top-down");
    assert!(first != other_page && second != other_page);
    assert_eq!(first, article_time(day, "p.txt", 0));
    assert!(first - day_start(day) < chrono::Duration::days(1));
}

#[test]
fn the_inferred_date_note_follows_the_text_and_is_a_category() {
    let s = site();
    let mut a = nasty();
    a.date_source = DateSource::Inferred;
    let v = ArticleView::new(&a);
    let e = article_entry(&s, Some(&jiande()), &v);
    let note = e.content_html.find("日期由正文推断").unwrap();
    assert!(e.content_html.find("第二段").unwrap() < note);
    assert!(e.categories.iter().any(|c| c == "日期由正文推断"));
    assert!(!e.summary.contains("日期由正文推断"));
    assert_eq!(e.authors, ["王小明"]);
}

#[test]
fn operator_template_overrides_the_compiled_in_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("error.html"), "custom {{ title }}").unwrap();
    let r = Renderer::new(dir.path()).unwrap();
    let s = site();
    let out = r
        .render(
            "error.html",
            ErrorPage {
                site: &s,
                status: 404,
                title: "没有".into(),
                message: String::new(),
                links: vec![],
            },
        )
        .unwrap();
    assert_eq!(out, "custom 没有");
    assert!(r.asset("favicon.svg").unwrap().contains("<svg"));
}

#[test]
fn opml_groups_feeds_by_province_and_prefecture() {
    let s = site();
    let county = jiande();
    let pref = RegionView {
        code: "330100".into(),
        name: "杭州市".into(),
        slug: "hangzhou".into(),
        level: RegionLevel::Prefecture,
        prefecture: None,
        province: Some("浙江省".into()),
    };
    let prov = RegionView {
        code: "330000".into(),
        name: "浙江省".into(),
        slug: "zhejiang".into(),
        level: RegionLevel::Province,
        prefecture: None,
        province: None,
    };
    let dir = Directory {
        provinces: vec![ProvinceGroup {
            region: prov,
            prefectures: vec![PrefectureGroup {
                region: pref,
                counties: vec![CountyItem {
                    region: county,
                    latest: NaiveDate::from_ymd_opt(2022, 6, 28).unwrap(),
                    editions: 1,
                }],
            }],
        }],
    };
    let out = opml(&s, &dir, None);
    // Three regions with six feeds each, and the all-regions feed in three formats.
    assert_eq!(out.matches("type=\"rss\"").count(), 21);
    for file in [
        "feed.atom",
        "feed.rss",
        "feed.json",
        "articles.atom",
        "articles.rss",
        "articles.json",
    ] {
        assert!(out.contains(&format!("xmlUrl=\"http://example.org/r/jiande/{file}\"")));
    }
    assert!(out.contains("xmlUrl=\"http://example.org/feed.atom\""));
    let county_at = out.find("建德市").unwrap();
    let pref_at = out.find("<outline text=\"杭州市\"").unwrap();
    assert!(pref_at < county_at);
}

#[test]
fn json_feed_writes_no_raw_angle_brackets_or_ampersands_and_parses_to_the_same_text() {
    let feed = edition_feed();
    let out = json(&feed).unwrap();
    assert!(!out.contains(['<', '>', '&']), "{out}");
    assert!(out.contains("\\u003cscript\\u003e"), "{out}");
    // The escapes are the same values: the document reads back to what was written.
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let item = &doc["items"][0];
    assert_eq!(item["content_html"], feed.entries[0].content_html.as_str());
    assert_eq!(item["content_text"], feed.entries[0].content_text.as_str());
    assert!(item["content_text"]
        .as_str()
        .unwrap()
        .contains("a<b & c]]>de"));
}
