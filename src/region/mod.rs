//! China's administrative divisions (province → prefecture → county → township), compiled in from
//! `data/china-divisions/`, and the matching of place names in article text to county-level regions.
//!
//! (Interface fixed; implementation under construction.)

use crate::model::RegionRef;

/// The text of one article as region assignment sees it.
#[derive(Debug, Clone, Copy)]
pub struct ArticleText<'a> {
    /// Kicker, title and subtitle joined (may be empty).
    pub title: &'a str,
    pub body: &'a str,
}

/// Assigns each article of one page its county-level regions, primary first. `paper` is the
/// paper's name when known (its home region is the prior for 我市/我区 and evidence-free articles).
pub fn assign_page(_paper: Option<&str>, articles: &[ArticleText<'_>]) -> Vec<Vec<RegionRef>> {
    vec![Vec::new(); articles.len()]
}
