//! Reading-order repair inside the walk. OCR and some PDF-to-markdown tools read a page in bands
//! across its columns: a column's story comes out in blocks with blocks of the next column's
//! story between them (`…蔬菜供应基本保持稳` / another story's lead / `定。在新建路的菜市场…`). A
//! block of running text therefore goes on the story it continues, which need not be the one
//! written last.

use super::walk::{recent_han, Walk};
use super::{Draft, Item};
use crate::extract::headline::overlap;
use crate::extract::layout::{ends_sentence, is_han};

/// How many articles back a block may reach: a band holds a few columns' stories.
const WINDOW: usize = 6;
/// Least share of a block's words a story must hold to take it from the story written last...
const STREAM_MIN: f64 = 0.3;
/// ...and by how much more than that story holds them.
const STREAM_MARGIN: f64 = 0.2;

/// Does the text open in the middle of a sentence: with punctuation no sentence starts with, or
/// with the one-character tail of a word whose head ended the block before (`定。在新建路…`)?
pub(super) fn starts_mid(t: &str) -> bool {
    let mut chars = t.chars();
    match (chars.next(), chars.next()) {
        (Some(c), _) if c.is_ascii_lowercase() => true,
        (Some(c), _)
            if matches!(
                c,
                '，' | '。' | '、' | '；' | '：' | '！' | '？' | '）' | '”' | '」' | '』' | ',' | ')'
            ) =>
        {
            true
        }
        (Some(a), Some(b)) => is_han(a) && matches!(b, '。' | '，' | '、' | '；'),
        _ => false,
    }
}

/// Is the story left mid-sentence, waiting for the rest of its column?
fn left_open(d: &Draft) -> bool {
    !d.closed
        && !d.last_para_done
        && d.paras
            .last()
            .is_some_and(|p| !ends_sentence(p) && !p.ends_with(['：', ':']))
}

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> &str {
    let skip = s.chars().count().saturating_sub(n);
    s.char_indices().nth(skip).map_or("", |(i, _)| &s[i..])
}

impl Walk {
    /// The article a block of running text (`text`, headless, not a dateline) continues when
    /// that is not the one written last: `None` keeps it there.
    pub(super) fn stream_for(&self, text: &str) -> Option<usize> {
        let cur = self.open?;
        let Some(Item::Article(cur_d)) = self.items.get(cur) else {
            return None;
        };
        let mid = starts_mid(text);
        let cur_open = left_open(cur_d);
        if mid && cur_open {
            return None;
        }
        let others = self
            .items
            .iter()
            .enumerate()
            .rev()
            .take(WINDOW)
            .filter_map(|(k, it)| match it {
                Item::Article(d) if k != cur && !d.closed && !d.paras.is_empty() => Some((k, d)),
                _ => None,
            });
        let shared = |d: &Draft| overlap(text, &recent_han(&d.paras));
        if mid {
            // Cut mid-sentence: it goes on a story left mid-sentence, the one sharing most words.
            return others
                .filter(|(_, d)| left_open(d))
                .map(|(k, d)| (k, shared(d)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(k, _)| k);
        }
        // Words are compared over the same length of each story's end: a long story holds more
        // of any block's words than a short one.
        let cur_han = recent_han(&cur_d.paras);
        let (k, v, len) = others
            .map(|(k, d)| {
                let han = recent_han(&d.paras);
                let len = han.chars().count().min(cur_han.chars().count());
                (k, overlap(text, tail(&han, len)), len)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        (v >= STREAM_MIN && v >= overlap(text, tail(&cur_han, len)) + STREAM_MARGIN).then_some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::starts_mid;

    #[test]
    fn a_block_cut_inside_a_word_starts_mid_sentence() {
        assert!(starts_mid("定。在新建路的菜市场，蔬菜价格基本不变。"));
        assert!(starts_mid("，市民纷纷前来。"));
        assert!(!starts_mid("据悉，大桥明年通车。"));
        assert!(!starts_mid("老板指着身旁的空摊说。"));
    }
}
