//! Search terms: how article text and search queries are cut into the terms the search index
//! holds, the same way for both backends. Pure: no SQL, no I/O.
//!
//! Chinese has no spaces between words, so words cannot be indexed; instead every two adjacent
//! Han characters are a term (a bigram: 新冠疫情 gives 新冠 冠疫 疫情), and the last character of
//! each run of Han characters is a term of its own. A query is cut the same way and matched as
//! a phrase, its terms consecutive in the text, so it finds exactly the texts that contain it:
//! a two-character word is one term, a longer one a phrase of bigrams, and one character is a
//! prefix of a term (every character of a text starts a bigram or ends its run). Latin words
//! and numbers are terms whole (lowercased; they match whole words). Text is NFKC-normalised
//! first, so full-width Ｇ２０ finds G20. Anything else (punctuation, spaces) separates terms.

use unicode_normalization::UnicodeNormalization;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 64;
/// Most space-separated words in one query (all must occur).
pub const MAX_QUERY_WORDS: usize = 8;
/// Longest Latin term kept whole; longer runs are cut (nobody searches for them whole).
const MAX_WORD_CHARS: usize = 40;

/// A Han character (CJK unified ideographs, extension A, compatibility ideographs, and the
/// supplementary planes' extensions).
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// A run of the normalised text: Han characters, or a Latin word or number.
#[derive(Debug, PartialEq)]
enum Run {
    Han(Vec<char>),
    Word(String),
}

fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut han: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_word = |word: &mut String, out: &mut Vec<Run>| {
        if !word.is_empty() {
            out.push(Run::Word(word.chars().take(MAX_WORD_CHARS).collect()));
            word.clear();
        }
    };
    for c in text.nfkc() {
        if is_han(c) {
            flush_word(&mut word, &mut out);
            han.push(c);
        } else {
            if !han.is_empty() {
                out.push(Run::Han(std::mem::take(&mut han)));
            }
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else {
                flush_word(&mut word, &mut out);
            }
        }
    }
    if !han.is_empty() {
        out.push(Run::Han(han));
    }
    flush_word(&mut word, &mut out);
    out
}

/// The terms of a text, in order (see the module docs). Joined with spaces they are what the
/// SQLite index reads; numbered from 1 they are the PostgreSQL `tsvector`.
pub fn text_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for run in runs(text) {
        match run {
            Run::Han(chars) => {
                for pair in chars.windows(2) {
                    terms.push(pair.iter().collect());
                }
                if let Some(last) = chars.last() {
                    terms.push(last.to_string());
                }
            }
            Run::Word(w) => terms.push(w),
        }
    }
    terms
}

/// The terms of an article: its headline lines and body, each cut on its own (no bigram spans
/// two of them).
pub fn article_terms(article: &crate::model::Article) -> Vec<String> {
    let mut terms = Vec::new();
    for part in [&article.title, &article.kicker, &article.subtitle]
        .into_iter()
        .flatten()
    {
        terms.extend(text_terms(part));
    }
    terms.extend(text_terms(&article.body));
    terms
}

/// Whether NFKC turns some character of `text` into Han characters it does not hold as such
/// (compatibility ideographs, Kangxi radicals, ㍻ → 平成): the index then holds Han words
/// that are not substrings of the stored text, which a search's substring pre-check must know.
pub fn folds_han(text: &str) -> bool {
    text.chars().any(|c| {
        let u = c as u32;
        if u < 0x2E80 || matches!(u, 0x3400..=0x4DBF | 0x4E00..=0x9FFF) {
            return false;
        }
        let mut folds = false;
        unicode_normalization::char::decompose_compatible(c, |d| folds |= d != c && is_han(d));
        folds
    })
}

/// [`folds_han`] of any of an article's texts that [`article_terms`] indexes.
pub fn article_folds_han(article: &crate::model::Article) -> bool {
    [&article.title, &article.kicker, &article.subtitle]
        .into_iter()
        .flatten()
        .any(|t| folds_han(t))
        || folds_han(&article.body)
}

/// One word of a query as a phrase of consecutive terms; the last may be a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub terms: Vec<String>,
    /// The last term matches any term it begins (a single Han character at the end).
    pub prefix: bool,
}

/// A parsed search query: every phrase must occur in the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The words as typed (normalised, lowercased Latin), for highlighting.
    pub words: Vec<String>,
    pub phrases: Vec<Phrase>,
}

/// Why a query cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("empty search query: give a word to search for")]
    Empty,
    #[error("search query too long: at most {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("too many words in the search query: at most {MAX_QUERY_WORDS}")]
    TooManyWords,
}

impl SearchQuery {
    /// Parses what a reader typed: words separated by spaces, all of which must occur.
    pub fn parse(q: &str) -> Result<SearchQuery, QueryError> {
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let mut words = Vec::new();
        let mut phrases = Vec::new();
        for raw in q.split_whitespace() {
            let phrase = match phrase(raw) {
                Some(p) => p,
                None => continue,
            };
            if phrases.contains(&phrase) {
                continue;
            }
            phrases.push(phrase);
            words.push(raw.nfkc().collect::<String>().to_lowercase());
        }
        if phrases.is_empty() {
            return Err(QueryError::Empty);
        }
        if phrases.len() > MAX_QUERY_WORDS {
            return Err(QueryError::TooManyWords);
        }
        Ok(SearchQuery { words, phrases })
    }

    /// The words, when every one is Han characters only. A text that matches the query and
    /// does not [`folds_han`] then holds each of them as typed (the index matches a word only
    /// where its characters stand together), so a substring test can rule texts out cheaply.
    pub fn han_words(&self) -> Option<&[String]> {
        self.words
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(is_han))
            .then_some(self.words.as_slice())
    }

    /// The query in FTS5's syntax: `"新冠 冠疫 疫情" AND "疫" *`.
    pub fn fts5(&self) -> String {
        let parts: Vec<String> = self
            .phrases
            .iter()
            .map(|p| {
                let star = if p.prefix { " *" } else { "" };
                format!("\"{}\"{star}", p.terms.join(" "))
            })
            .collect();
        parts.join(" AND ")
    }

    /// The query as a PostgreSQL `tsquery` literal: `'新冠' <-> '冠疫' <-> '疫情' & '疫':*`.
    pub fn tsquery(&self) -> String {
        let parts: Vec<String> = self
            .phrases
            .iter()
            .map(|p| {
                let n = p.terms.len();
                let terms: Vec<String> = p
                    .terms
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let star = if p.prefix && i + 1 == n { ":*" } else { "" };
                        format!("'{t}'{star}")
                    })
                    .collect();
                format!("({})", terms.join(" <-> "))
            })
            .collect();
        parts.join(" & ")
    }
}

/// The phrase one query word becomes: its text's terms, where a Han run's lone last character
/// is kept only before another run (the text has it there too), and a query ending in a single
/// Han character matches it as a prefix (it begins the next bigram in the text).
fn phrase(word: &str) -> Option<Phrase> {
    let runs = runs(word);
    let mut terms = Vec::new();
    let mut prefix = false;
    let n = runs.len();
    for (i, run) in runs.into_iter().enumerate() {
        let last = i + 1 == n;
        match run {
            Run::Han(chars) => {
                for pair in chars.windows(2) {
                    terms.push(pair.iter().collect());
                }
                if chars.len() == 1 || !last {
                    terms.push(chars[chars.len() - 1].to_string());
                }
                prefix = last && chars.len() == 1;
            }
            Run::Word(w) => terms.push(w),
        }
    }
    (!terms.is_empty()).then_some(Phrase { terms, prefix })
}

/// The terms as a PostgreSQL `tsvector` literal with positions from 1 (`'新冠':1 '冠疫':2`).
/// Terms hold only letters and digits, so they need no escaping.
pub fn tsvector(terms: &[String]) -> String {
    let mut out = String::with_capacity(terms.iter().map(|t| t.len() + 8).sum());
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push('\'');
        out.push_str(t);
        out.push_str("':");
        // PostgreSQL keeps positions up to 16383 (later ones count as 16383).
        out.push_str(&(i + 1).min(16383).to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_characters_are_told_apart() {
        assert!(!folds_han("新安江畔开新局，Ｇ２０峰会、第1版"));
        assert!(folds_han("平成元年 ㍻")); // ㍻ → 平成
        assert!(folds_han("\u{2F08}民")); // Kangxi radical 人
        assert!(folds_han("\u{F900}")); // a compatibility ideograph
        let q = SearchQuery::parse("疫情 防控").unwrap();
        assert_eq!(
            q.han_words(),
            Some(&["疫情".to_string(), "防控".to_string()][..])
        );
        assert_eq!(SearchQuery::parse("G20 峰会").unwrap().han_words(), None);
        assert_eq!(SearchQuery::parse("疫情，").unwrap().han_words(), None);
        // A query typed with a radical is the unified character once normalised.
        assert_eq!(
            SearchQuery::parse("\u{2F08}民").unwrap().han_words(),
            Some(&["人民".to_string()][..])
        );
    }

    #[test]
    fn han_text_becomes_bigrams_and_last_characters() {
        assert_eq!(
            text_terms("新冠疫情，G20峰会"),
            ["新冠", "冠疫", "疫情", "情", "g20", "峰会", "会"]
        );
        assert_eq!(text_terms("Ｇ２０"), ["g20"]);
    }

    #[test]
    fn queries_become_phrases() {
        let q = SearchQuery::parse("疫情").unwrap();
        assert_eq!(q.fts5(), "\"疫情\"");
        assert_eq!(q.tsquery(), "('疫情')");
        let q = SearchQuery::parse("新冠疫情 疫").unwrap();
        assert_eq!(q.fts5(), "\"新冠 冠疫 疫情\" AND \"疫\" *");
        assert_eq!(q.tsquery(), "('新冠' <-> '冠疫' <-> '疫情') & ('疫':*)");
        let q = SearchQuery::parse("疫情G20").unwrap();
        assert_eq!(q.phrases[0].terms, ["疫情", "情", "g20"]);
        assert_eq!(SearchQuery::parse(" ，。 "), Err(QueryError::Empty));
        assert_eq!(
            SearchQuery::parse(&"疫".repeat(65)),
            Err(QueryError::TooLong)
        );
    }

    #[test]
    fn a_query_phrase_is_a_run_of_the_texts_terms() {
        let text = text_terms("各地疫情防控G20峰会");
        for q in ["疫情", "疫情防控", "控G20", "地", "控", "g20峰", "峰会"] {
            let p = &SearchQuery::parse(q).unwrap().phrases[0];
            let n = p.terms.len();
            let found = text.windows(n).any(|w| {
                w.iter().zip(&p.terms).enumerate().all(|(i, (t, q))| {
                    if p.prefix && i + 1 == n {
                        t.starts_with(q.as_str())
                    } else {
                        t == q
                    }
                })
            });
            assert!(found, "{q} not found in {text:?}");
        }
    }
}
