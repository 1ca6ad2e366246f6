//! A word list for reading-order repair: a converter that cuts a column ends one block and starts
//! another wherever the line ended, and about half of those line ends fall inside a word
//! (`…乡村振` / `兴等宏大…`). When the last characters of a story and the first of a block make a
//! common word, the block most likely goes on that story. The list (`data/lexicon/words.txt`,
//! words of 2–4 Han characters, built by `data/lexicon/build.py`) is compiled in.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::layout::is_han;

static WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/lexicon/words.txt")
        .lines()
        .filter(|w| !w.is_empty())
        .collect()
});

/// Longest word in the list, in characters.
const LONGEST: usize = 4;

/// Does a word of the list run across the cut between `end` (text a story was left with) and
/// `start` (the text of a block)? Both sides must touch the cut with a Han character: a story that
/// ended on punctuation was not cut inside a word.
pub fn word_spans_cut(end: &str, start: &str) -> bool {
    let end = end.trim_end();
    let run = end.chars().rev().take_while(|&c| is_han(c)).count();
    // A few characters after a full stop or a space close a story, not cut a line: a byline
    // set after the last sentence (`…之歌。李夏`).
    let before = end.chars().rev().nth(run);
    if run < LONGEST && before.is_some_and(|c| c.is_whitespace() || "。！？".contains(c)) {
        return false;
    }
    let tail: Vec<char> = end.chars().rev().take(run.min(LONGEST - 1)).collect();
    let head: Vec<char> = start
        .trim_start()
        .chars()
        .take_while(|&c| is_han(c))
        .take(LONGEST - 1)
        .collect();
    let mut word = String::with_capacity(LONGEST * 3);
    // `k` characters from the story's end, `m` from the block's start.
    for k in 1..=tail.len() {
        for m in 1..=head.len() {
            if k + m > LONGEST {
                break;
            }
            word.clear();
            word.extend(tail[..k].iter().rev());
            word.extend(&head[..m]);
            if WORDS.contains(word.as_str()) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::word_spans_cut;

    #[test]
    fn a_word_cut_at_a_line_end_is_found_across_the_cut() {
        assert!(word_spans_cut(
            "成为脱贫攻坚、乡村振",
            "兴等宏大历史命题的注脚。"
        ));
        assert!(word_spans_cut(
            "同时也希望大家能留",
            "下来与我们一起建设家乡。"
        ));
        assert!(word_spans_cut("浦阳江又称浣江，浣东街道位", "于浣江的东面"));
    }

    #[test]
    fn characters_that_make_no_word_across_the_cut_are_not_a_cut_word() {
        assert!(!word_spans_cut(
            "成为脱贫攻坚、乡村振",
            "下来与我们一起建设家乡。"
        ));
        assert!(!word_spans_cut(
            "大家都很高兴。",
            "下来与我们一起建设家乡。"
        ));
        assert!(!word_spans_cut("乡村振", "，等宏大"));
        assert!(!word_spans_cut("", "兴等"));
        // A name after the last sentence is a byline: `夏秋` is a word, but not across this cut.
        assert!(!word_spans_cut(
            "谱写新时代之歌。李夏",
            "秋冬时节，历经风吹雨打"
        ));
    }
}
