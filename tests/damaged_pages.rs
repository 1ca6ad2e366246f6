//! Seed pages damaged the way converters and OCR damage text, by a rule written here: each
//! damaged page must give the articles of the page it came from (titles, bylines, dates, and
//! the same body text once whitespace is set aside).
#![allow(clippy::unwrap_used)]

mod seed_support;
use seed_support::seeds;

use paperboy::extract::{self, Options};
use paperboy::model::Page;

fn page(text: &str, source: &str) -> Page {
    extract::page(text.as_bytes(), source, &Options::default()).unwrap()
}

/// Titles, bylines and bodies without whitespace, in page order.
fn articles(p: &Page) -> Vec<(Option<String>, Vec<String>, String)> {
    let bare = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    p.articles
        .iter()
        .map(|a| {
            (
                a.title.as_deref().map(bare),
                a.byline.clone(),
                bare(&a.body),
            )
        })
        .collect()
}

/// Every character followed by a space, as OCR engines print CJK text: the page's own spaces
/// become gaps of three.
fn letter_spaced(text: &str) -> String {
    text.lines()
        .map(|l| {
            let mut out = String::new();
            for (i, c) in l.chars().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push(c);
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn letter_spaced_pages_give_the_articles_of_the_page() {
    for (name, text) in seeds() {
        let clean = page(&text, &name);
        let spaced = page(&letter_spaced(&text), &name);
        assert!(!clean.articles.is_empty(), "{name}");
        assert_eq!(articles(&spaced), articles(&clean), "{name}");
        assert_eq!(
            (spaced.date, spaced.date_source),
            (clean.date, clean.date_source),
            "{name}"
        );
    }
}
