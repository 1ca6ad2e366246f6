//! Preparing an extracted page for the store: stable article ids, the content hash (equal:
//! re-ingest changes nothing), the source hash (equal: the file need not even be extracted), the
//! text hash (equal: the same page under another name), the ingest day of undated pages, and
//! the test that a page holds article-like text at all. Pure functions: no I/O, no SQL.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::extract;
use crate::model::{Article, DateSource, Page};
use crate::store::{NewArticle, NewPage};

/// Hex digits of an article id.
const ID_LEN: usize = 16;

/// Turns an extracted page into what the store keeps. `key` is the page identity (file name or
/// client-given id). A page without a date is filed under the day of `ingested_at` in `tz` with
/// `date_source = ingested`. Article ids hash the key and the article's text (kicker, title,
/// subtitle, body), so re-ingesting the same page gives the same ids even when region
/// assignment or bylines improve; identical articles on one page get distinct ids by occurrence.
pub fn prepare(page: Page, key: &str, ingested_at: DateTime<Utc>, tz: Tz) -> NewPage {
    let content_hash = content_hash(&page);
    let (date, date_source) = match page.date {
        Some(d) => (d, page.date_source),
        None => (
            ingested_at.with_timezone(&tz).date_naive(),
            DateSource::Ingested,
        ),
    };
    let mut seen = std::collections::HashSet::new();
    let articles = page
        .articles
        .into_iter()
        .enumerate()
        .map(|(i, article)| {
            let mut occurrence = 0u32;
            let mut id = article_id(key, &article, occurrence);
            while !seen.insert(id.clone()) {
                occurrence += 1;
                id = article_id(key, &article, occurrence);
            }
            NewArticle {
                id,
                position: i32::try_from(i).unwrap_or(i32::MAX),
                article,
            }
        })
        .collect();
    NewPage {
        key: key.to_string(),
        source: page.source,
        paper: page.paper,
        date,
        date_source,
        content_hash,
        source_hash: None,
        text_hash: None,
        ingested_at,
        articles,
    }
}

/// Hash of a file's raw bytes and of everything else that decides what extraction makes of
/// them: the operator's `--date` and `--paper` and this paperboy's version (a newer extractor
/// must look at old files again). Equal hash: the stored page is what extraction would give.
pub fn source_hash(bytes: &[u8], opts: &extract::Options) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update([0]);
    h.update(
        opts.date
            .map(|d| d.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update([0]);
    // A tag byte tells "no paper" from an empty one.
    match &opts.paper {
        Some(p) => {
            h.update([1]);
            h.update(p.as_bytes());
        }
        None => h.update([0]),
    }
    h.update([0]);
    h.update(bytes);
    hex::encode(h.finalize())
}

/// Extracts one input (a text dump or a PDF) into its pages, each with the text that names it
/// for recognising copies: a dump's whole text; a PDF page's articles (what the page says,
/// whatever the file's bytes).
pub fn extract_source(
    bytes: &[u8],
    source: &str,
    opts: &extract::Options,
) -> Result<Vec<(Page, String)>, extract::ExtractError> {
    if extract::pdf::is_pdf(bytes) {
        let pages = extract::pages(bytes, source, opts)?;
        return Ok(pages
            .into_iter()
            .map(|p| {
                let text = article_text(&p);
                (p, text)
            })
            .collect());
    }
    let page = extract::page(bytes, source, opts)?;
    Ok(vec![(page, extract::text(bytes, source)?)])
}

/// A page's articles as one text.
fn article_text(p: &Page) -> String {
    p.articles
        .iter()
        .flat_map(|a| [a.title.as_deref().unwrap_or(""), a.body.as_str()])
        .collect::<Vec<_>>()
        .join("\n")
}

/// Hash of a page's text as a reader sees it: NFKC-normalised (full-width letters and digits,
/// compatibility ideographs folded) with every whitespace and zero-width character removed, so
/// the same page with other line ends, wrapping, blank lines or a byte-order mark hashes the
/// same. The store treats a new page name with a stored text hash as a copy.
///
/// ```
/// use paperboy::ingest::text_hash;
/// assert_eq!(text_hash("新安江\r\n\r\n\r\n畔 ２０２２"), text_hash("\u{feff}新安江畔\n2022\n"));
/// assert_ne!(text_hash("新安江畔"), text_hash("新安江"));
/// ```
pub fn text_hash(text: &str) -> String {
    let mut h = Sha256::new();
    let mut buf = [0u8; 4];
    for c in text.nfkc() {
        if c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}') {
            continue;
        }
        h.update(c.encode_utf8(&mut buf).as_bytes());
    }
    hex::encode(h.finalize())
}

/// Han characters an article's body must hold for its page to count as a newspaper page.
pub const MIN_ARTICLE_HAN: usize = 20;

/// Why a text is not stored as a newspaper page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no article-like text: no article has {MIN_ARTICLE_HAN} or more Chinese characters of body \
     text (most has {most}); not a newspaper page, not stored"
)]
pub struct NotArticles {
    /// The most Han characters any article's body holds.
    pub most: usize,
}

/// Checks that `page` holds article-like text: at least one article whose body has
/// [`MIN_ARTICLE_HAN`] Han characters (a short brief or a photo caption has more than that;
/// notes, lists of links and English text have none). The kind of text decides, not the name.
///
/// ```
/// use paperboy::ingest::check_article_like;
/// use paperboy::model::{Article, DateSource, Page};
/// let page = |body: &str| Page {
///     source: "notes.md".into(), encoding: "utf-8".into(), paper: None, date: None,
///     date_source: DateSource::None,
///     articles: vec![Article { body: body.into(), ..Article::default() }],
/// };
/// assert_eq!(check_article_like(&page("hello world")).unwrap_err().most, 0);
/// assert!(check_article_like(&page("本报讯 新安江街道的城市书房昨天正式开放，市民纷纷前来阅读。")).is_ok());
/// ```
pub fn check_article_like(page: &Page) -> Result<(), NotArticles> {
    let most = page
        .articles
        .iter()
        .map(|a| a.body.chars().filter(|&c| is_han(c)).count())
        .max()
        .unwrap_or(0);
    if most >= MIN_ARTICLE_HAN {
        Ok(())
    } else {
        Err(NotArticles { most })
    }
}

/// A CJK unified or compatibility ideograph.
fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2ebef}'
        | '\u{30000}'..='\u{3134f}')
}

/// Stable id of an article: the first 16 hex digits of SHA-256 over the page key and its text.
pub fn article_id(key: &str, article: &Article, occurrence: u32) -> String {
    let mut h = Sha256::new();
    for part in [
        key,
        article.kicker.as_deref().unwrap_or(""),
        article.title.as_deref().unwrap_or(""),
        article.subtitle.as_deref().unwrap_or(""),
        &article.body,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    if occurrence > 0 {
        h.update(occurrence.to_le_bytes());
    }
    let mut id = hex::encode(h.finalize());
    id.truncate(ID_LEN);
    id
}

/// Hash of everything extraction produced except where the bytes came from (source path,
/// encoding): equal hash means re-ingesting changes nothing. An undated page hashes its
/// missing date, so re-ingesting it on a later day is still unchanged.
pub fn content_hash(page: &Page) -> String {
    #[derive(Serialize)]
    struct Content<'a> {
        paper: &'a Option<String>,
        date: &'a Option<NaiveDate>,
        date_source: DateSource,
        articles: &'a [Article],
    }
    let content = Content {
        paper: &page.paper,
        date: &page.date,
        date_source: page.date_source,
        articles: &page.articles,
    };
    // Serializing model values cannot fail; an empty hash input would only mean "changed".
    let bytes = serde_json::to_vec(&content).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn page(date: Option<NaiveDate>, bodies: &[&str]) -> Page {
        Page {
            source: "in/001.txt".into(),
            encoding: "utf-8".into(),
            warnings: Vec::new(),
            paper: Some("今日建德".into()),
            date,
            date_source: if date.is_some() {
                DateSource::Masthead
            } else {
                DateSource::None
            },
            articles: bodies
                .iter()
                .map(|b| Article {
                    title: Some("标题".into()),
                    body: (*b).into(),
                    ..Article::default()
                })
                .collect(),
        }
    }

    #[test]
    fn undated_page_is_filed_under_the_shanghai_ingest_day() {
        // 2022-06-28 17:30 UTC is already 06-29 01:30 in Shanghai.
        let at = DateTime::parse_from_rfc3339("2022-06-28T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let p = prepare(page(None, &["a"]), "001.txt", at, chrono_tz::Asia::Shanghai);
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2022, 6, 29).unwrap());
        assert_eq!(p.date_source, DateSource::Ingested);
        let d = NaiveDate::from_ymd_opt(2022, 6, 1);
        let p = prepare(page(d, &["a"]), "001.txt", at, chrono_tz::Asia::Shanghai);
        assert_eq!((p.date, p.date_source), (d.unwrap(), DateSource::Masthead));
    }

    #[test]
    fn text_hash_ignores_line_ends_blank_lines_and_width_but_not_text() {
        let page = "今日建德\n2021年1月8日\n\n# 坚决打赢根治欠薪冬季攻坚战\n\n本报讯 记者 王莉莎\n";
        let crlf = page.replace('\n', "\r\n\r\n") + "\r\n\r\n";
        assert_eq!(text_hash(page), text_hash(&crlf));
        assert_eq!(
            text_hash(page),
            text_hash(&page.replace("2021", "２０２１"))
        );
        assert_ne!(text_hash(page), text_hash(&page.replace("8日", "9日")));
        assert_eq!(text_hash(page).len(), 64);
    }

    #[test]
    fn a_page_needs_one_article_with_enough_han_body() {
        let mut p = page(None, &["hello world", "短讯。"]);
        assert_eq!(check_article_like(&p), Err(NotArticles { most: 2 }));
        p.articles.clear();
        assert_eq!(check_article_like(&p), Err(NotArticles { most: 0 }));
        let p = page(
            None,
            &["新安江街道第一届夏季运动会昨天在建德市体育中心开幕。"],
        );
        assert_eq!(check_article_like(&p), Ok(()));
        let msg = NotArticles { most: 2 }.to_string();
        assert!(
            msg.starts_with("no article-like text") && msg.contains("20"),
            "{msg}"
        );
    }

    #[test]
    fn ids_are_stable_distinct_and_keyed_by_page() {
        let at = Utc::now();
        let tz = chrono_tz::Asia::Shanghai;
        let a = prepare(page(None, &["x", "y", "x"]), "k", at, tz);
        let b = prepare(
            page(None, &["x", "y", "x"]),
            "k",
            at + chrono::Duration::days(3),
            tz,
        );
        let ids = |p: &NewPage| p.articles.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.content_hash, b.content_hash);
        assert_eq!(a.articles[0].id.len(), 16);
        assert_ne!(a.articles[0].id, a.articles[2].id);
        let other = prepare(page(None, &["x"]), "other", at, tz);
        assert_ne!(other.articles[0].id, a.articles[0].id);
        let positions: Vec<i32> = a.articles.iter().map(|a| a.position).collect();
        assert_eq!(positions, [0, 1, 2]);
    }
}
