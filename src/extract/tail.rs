//! A headline read over its story's tail. A converter that reads a page in bands can put a
//! story's last column right under its headline and its lead (byline, `10月9日，…`) after it:
//! the headline then heads a body that opens in mid-story, and the lead stands untitled after
//! it. When the headline's words are the lead's, the two are one story: the headline goes to
//! the lead and the tail after it.

use super::features::opens_like_a_lead;
use super::headline::{han_text, overlap};
use crate::model::{Article, ArticleKind};

/// Least share of the headline's character pairs the lead's text must hold.
const LEAD_WORDS: f64 = 0.5;

/// Joins each headed body without a lead to the untitled lead right after it whose words are
/// the headline's; `opened[i]`: article `i`'s body opened with a dateline (kept in step).
pub fn join_tails(articles: &mut Vec<Article>, opened: &mut Vec<bool>) {
    // One pass, each article moved once: linear in the page however many articles it holds.
    let mut kept: Vec<(Article, bool)> = Vec::with_capacity(articles.len());
    for (b, b_opened) in articles.drain(..).zip(opened.drain(..)) {
        match kept.last() {
            Some((a, a_opened)) if tail_and_lead(a, *a_opened, &b, b_opened) => {
                if let Some((tail, _)) = kept.pop() {
                    let mut lead = b;
                    lead.kicker = tail.kicker;
                    lead.title = tail.title;
                    lead.subtitle = tail.subtitle;
                    lead.body.push_str("\n\n");
                    lead.body.push_str(&tail.body);
                    kept.push((lead, b_opened));
                }
            }
            _ => kept.push((b, b_opened)),
        }
    }
    (*articles, *opened) = kept.into_iter().unzip();
}

/// Is `a` a headline over a story's tail (no byline, no lead) and `b`, right after it, that
/// story's untitled lead (a dateline, a byline or a lead's first words) sharing the headline's
/// words, which the tail does less?
fn tail_and_lead(a: &Article, a_opened: bool, b: &Article, b_opened: bool) -> bool {
    let Some(title) = a.title.as_deref() else {
        return false;
    };
    if a_opened || !a.byline.is_empty() || opens_like_a_lead(first_paragraph(a)) {
        return false;
    }
    if b.title.is_some()
        || b.kicker.is_some()
        || [a.kind, b.kind].contains(&ArticleKind::Continuation)
    {
        return false;
    }
    if !(b_opened || !b.byline.is_empty() || opens_like_a_lead(first_paragraph(b))) {
        return false;
    }
    let lead = overlap(title, &han_text([b.body.as_str()]));
    lead >= LEAD_WORDS && lead > overlap(title, &han_text([a.body.as_str()]))
}

fn first_paragraph(a: &Article) -> &str {
    a.body.split("\n\n").next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(title: Option<&str>, byline: &[&str], body: &str) -> Article {
        Article {
            title: title.map(str::to_string),
            kicker: None,
            subtitle: None,
            byline: byline.iter().map(|s| s.to_string()).collect(),
            kind: ArticleKind::default(),
            regions: Vec::new(),
            body: body.to_string(),
        }
    }

    #[test]
    fn a_headline_over_its_storys_tail_goes_to_the_lead_after_it() {
        let mut articles = vec![
            article(
                Some("寒潮过后菜价回落"),
                &[],
                "摊主说，这几天青菜每斤便宜了五毛钱。\n\n超市的价格也基本稳定。",
            ),
            article(
                None,
                &["王小明"],
                "12月3日，寒潮过后，城区菜价开始回落。\n\n记者走访了城东菜市场。",
            ),
            article(Some("新校开学"), &[], "本报讯 城东小学今天迎来首批新生。"),
        ];
        let mut opened = vec![false, false, true];
        join_tails(&mut articles, &mut opened);
        assert_eq!(articles.len(), 2);
        assert_eq!(opened, [false, true]);
        assert_eq!(articles[0].title.as_deref(), Some("寒潮过后菜价回落"));
        assert_eq!(articles[0].byline, ["王小明"]);
        assert_eq!(
            articles[0].body,
            "12月3日，寒潮过后，城区菜价开始回落。\n\n记者走访了城东菜市场。\n\n摊主说，这几天青菜每斤便宜了五毛钱。\n\n超市的价格也基本稳定。"
        );
        assert_eq!(articles[1].title.as_deref(), Some("新校开学"));
    }

    #[test]
    fn an_untitled_lead_about_something_else_stays_apart() {
        let mut articles = vec![
            article(
                Some("寒潮过后菜价回落"),
                &[],
                "摊主说，这几天青菜每斤便宜了五毛钱。",
            ),
            article(None, &["王小明"], "12月3日，城东小学迎来首批新生。"),
        ];
        let mut opened = vec![false, false];
        join_tails(&mut articles, &mut opened);
        assert_eq!(articles.len(), 2);
        // A headed story with its own lead keeps its headline too.
        let mut articles = vec![
            article(Some("寒潮过后菜价回落"), &[], "近日，寒潮过后菜价回落。"),
            article(None, &["王小明"], "12月3日，寒潮过后，城区菜价开始回落。"),
        ];
        join_tails(&mut articles, &mut opened);
        assert_eq!(articles.len(), 2);
    }
}
