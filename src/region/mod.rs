//! China's administrative divisions (province → prefecture → county → township), compiled in from
//! `data/china-divisions/`, and the matching of place names in article text to county-level regions.
//!
//! - [`gazetteer`]: the tables, parsed once ([`Gazetteer::global`]); lookups by code, slug, name.
//! - `names`: short names (建德市 → 建德); `slug`: pinyin slugs, unique across levels.
//! - `matcher`: one daachorse automaton over every name; `words`: word lists that keep it honest.
//! - `evidence`: hits → resolved mentions by context; `assign`: mentions → regions per article.
//!
//! Nothing here does I/O or depends on later pipeline stages.

mod assign;
mod evidence;
pub mod gazetteer;
mod matcher;
mod names;
mod slug;
mod words;

pub use assign::assign_page;
pub use gazetteer::{Gazetteer, Region};
pub use names::short_name;

/// The text of one article as region assignment sees it.
#[derive(Debug, Clone, Copy)]
pub struct ArticleText<'a> {
    /// Kicker, title and subtitle joined (may be empty).
    pub title: &'a str,
    pub body: &'a str,
}
