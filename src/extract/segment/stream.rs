//! Reading-order repair inside the walk. OCR and some PDF-to-markdown tools read a page in bands
//! across its columns: a column's story comes out in blocks with blocks of the next column's
//! story between them (`…蔬菜供应基本保持稳` / another story's lead / `定。在新建路的菜市场…`). A
//! block of running text that opens mid-sentence therefore goes on a story left mid-sentence,
//! which need not be the one written last.

use super::walk::{recent_han, Walk};
use super::{other_measure, Draft, Item};
use crate::extract::headline::overlap;
use crate::extract::layout::{ends_sentence, is_han};
use crate::extract::layout::{Opening, Unit};
use crate::extract::lexicon::word_spans_cut;

/// How many articles back a block may reach: a band holds a few columns' stories.
const WINDOW: usize = 6;
/// Least share of a paragraph's character pairs an earlier story must hold to take it over the
/// story written last.
const PARAGRAPH_SHARE: f64 = 0.1;

/// Does the text open in the middle of a sentence: with punctuation no sentence starts with, or
/// with the one-character tail of a word whose head ended the block before (`定。在新建路…`)?
pub(super) fn starts_mid(t: &str) -> bool {
    const NO_OPENING: &[char] = &[
        '，', '。', '、', '；', '：', '！', '？', '）', '”', '」', '』', ',', ')',
    ];
    let mut chars = t.chars();
    match (chars.next(), chars.next()) {
        (Some(c), _) if c.is_ascii_lowercase() || NO_OPENING.contains(&c) => true,
        (Some(a), Some(b)) => is_han(a) && matches!(b, '。' | '，' | '、' | '；'),
        _ => false,
    }
}

/// Is the story left mid-sentence, waiting for the rest of its column?
pub(super) fn left_open(d: &Draft) -> bool {
    !d.closed
        && !d.last_para_done
        && d.paras
            .last()
            .is_some_and(|p| !ends_sentence(p) && !p.ends_with(['：', ':']))
}

impl Walk {
    /// The articles within reach of a block, latest first, with their places in `items`.
    fn recent(&self) -> impl Iterator<Item = (usize, &Draft)> {
        self.items
            .iter()
            .enumerate()
            .rev()
            .take(WINDOW)
            .filter_map(|(k, it)| match it {
                Item::Article(d) => Some((k, d)),
                Item::Group(_) => None,
            })
    }

    /// The article a block of running text (`text`, headless, not a dateline) continues when
    /// that is not the one written last: the block opens mid-sentence (or its first line runs
    /// the column's full measure, `Opening::GoesOn`, no paragraph's indented first line), the
    /// story written last ended its sentence, and an earlier one was left mid-sentence. `None`
    /// keeps it there.
    pub(super) fn stream_for(&self, text: &str, opening: Opening) -> Option<usize> {
        let full = opening == Opening::GoesOn;
        let cur = self.open?;
        let Some(Item::Article(cur_d)) = self.items.get(cur) else {
            return None;
        };
        let mid = full || starts_mid(text);
        // A paragraph the walk took for a subhead (a one-line block without punctuation) may
        // be the line a column cut: a block that runs on in full measure goes on there.
        let cur_open = left_open(cur_d)
            || (full && !cur_d.closed && cur_d.paras.last().is_some_and(|p| !ends_sentence(p)));
        if !mid && opening == Opening::Paragraph && left_open(cur_d) {
            return self.paragraph_for(cur, cur_d, text);
        }
        if !mid {
            return self.word_across_cut(cur, cur_d, text);
        }
        if cur_open {
            return None;
        }
        let others = self
            .recent()
            .filter(|&(k, d)| k != cur && !d.closed && !d.paras.is_empty());
        // Cut mid-sentence: it goes on a story left mid-sentence, the one sharing most words.
        // (A block that opens like a sentence stays where it is: tried, moving it to a story
        // sharing more of its words cut the development pages no better and a written one worse.)
        others
            .filter(|(_, d)| left_open(d))
            .map(|(k, d)| (k, overlap(text, &recent_han(&d.paras))))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k)
    }

    /// An indented paragraph's first line cannot go on a sentence left unfinished: after a
    /// story left mid-sentence (`cur`) it goes on the one story within reach that ended its
    /// last sentence, or of several the one sharing its words, more than `cur` does (`None`:
    /// it stays).
    fn paragraph_for(&self, cur: usize, cur_d: &Draft, text: &str) -> Option<usize> {
        let open: Vec<(usize, &Draft)> = self
            .recent()
            .filter(|&(k, d)| {
                k != cur && !d.closed && d.paras.last().is_some_and(|p| ends_sentence(p))
            })
            .collect();
        // The one story that could take a new paragraph takes it; of several, the one sharing
        // its words.
        if let [(k, _)] = open[..] {
            return Some(k);
        }
        let share = |d: &Draft| overlap(text, &recent_han(&d.paras));
        let floor = share(cur_d).max(PARAGRAPH_SHARE);
        open.into_iter()
            .map(|(k, d)| (k, share(d)))
            .filter(|&(_, s)| s > floor)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k)
    }

    /// The story a block set in another measure than the story written last goes on: the
    /// latest one left mid-sentence in the block's own measure, if any (`None`: a new one).
    pub(super) fn column_for(&self, unit: &Unit) -> Option<usize> {
        let (k, _) = self
            .recent()
            .find(|(_, d)| d.measure > 0 && left_open(d) && !other_measure(d, unit))?;
        Some(k)
    }

    /// A block that opens like a sentence may still be a column's next block cut inside a word
    /// (`…乡村振` / `兴等宏大…`): it goes on the one story left mid-sentence whose last characters
    /// make a word with its first, unless the story written last does so too.
    fn word_across_cut(&self, cur: usize, cur_d: &Draft, text: &str) -> Option<usize> {
        let ends_in_word =
            |d: &Draft| left_open(d) && d.paras.last().is_some_and(|p| word_spans_cut(p, text));
        if ends_in_word(cur_d) {
            return None;
        }
        let mut found = self
            .recent()
            .filter(|&(k, d)| k != cur && ends_in_word(d))
            .map(|(k, _)| k);
        match (found.next(), found.next()) {
            (Some(k), None) => Some(k),
            _ => None,
        }
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
