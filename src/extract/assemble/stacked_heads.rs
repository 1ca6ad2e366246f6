//! Two headlines read one after the other, then both stories' text. Where two stories stand
//! side by side with their headlines on one row (photo items and briefs, most often), a
//! converter reading by rows writes the first headline, the second, then the first story's
//! text and the second's. The first story's text ends on its credit or byline (`…麦粒。本报记者
//! 张三`, `记者 张三 摄`), and the second's starts on the next line: the lines are put back in
//! story order there, each headline over its own text.

use super::super::byline;
use super::super::layout::ends_sentence;
use super::super::lines::PageLine;
use super::Tag;

/// Each story's text holds at least this many lines: a credit right under the second headline
/// is that headline's byline, not the end of a story.
const MIN_TEXT_LINES: usize = 2;

/// The lines and tags in story order where two headlines were read in a row above both
/// stories' text; `None` when the page holds no such run.
pub(super) fn in_story_order(
    lines: &[PageLine],
    tags: &[Tag],
) -> Option<(Vec<PageLine>, Vec<Tag>)> {
    let mut order: Vec<usize> = Vec::with_capacity(lines.len());
    let mut moved = false;
    let mut i = 0;
    while i < tags.len() {
        match stacked_at(lines, tags, i) {
            Some(run) => {
                order.extend(run.first_head.clone());
                order.extend(run.first_text.clone());
                order.extend(run.second_head.clone());
                order.extend(run.second_text.clone());
                i = run.second_text.end;
                moved = true;
            }
            None => {
                order.push(i);
                i += 1;
            }
        }
    }
    moved.then(|| {
        (
            order.iter().map(|&k| lines[k].clone()).collect(),
            order.iter().map(|&k| tags[k]).collect(),
        )
    })
}

/// Line ranges of two headlines read in a row and the text under them, cut where the first
/// story's credit ends its text.
struct Stacked {
    first_head: std::ops::Range<usize>,
    second_head: std::ops::Range<usize>,
    first_text: std::ops::Range<usize>,
    second_text: std::ops::Range<usize>,
}

fn stacked_at(lines: &[PageLine], tags: &[Tag], i: usize) -> Option<Stacked> {
    let head_run = |from: usize| {
        let mut e = from + 1;
        while tags.get(e) == Some(&Tag::Head) {
            e += 1;
        }
        e
    };
    if tags[i] != Tag::HeadOpen {
        return None;
    }
    let j = head_run(i);
    if tags.get(j) != Some(&Tag::HeadOpen) {
        return None;
    }
    let m = head_run(j);
    // The text under both: running text and credits, up to the next article's opening.
    let mut e = m;
    while matches!(tags.get(e), Some(Tag::Text | Tag::Byline)) {
        e += 1;
    }
    // The first story's last line: a credit line after a finished sentence, or a text line
    // closing on a credit after one, with running text after it. Exactly one such cut, or the
    // text is left as it was read (a headline's lines the model read as text end no sentence).
    let cuts: Vec<usize> = (m + 1..e.saturating_sub(1))
        .filter(|&k| {
            let credit = match tags[k] {
                Tag::Byline => tags[k - 1] == Tag::Text && ends_sentence(&lines[k - 1].text),
                _ => byline::split_trailing(&lines[k].text).is_some_and(|(t, _)| ends_sentence(&t)),
            };
            credit && tags[k + 1] == Tag::Text
        })
        .collect();
    let &[k] = cuts.as_slice() else {
        return None;
    };
    let texts = |r: std::ops::Range<usize>| r.filter(|&x| tags[x] == Tag::Text).count();
    (texts(m..k + 1) >= MIN_TEXT_LINES && texts(k + 1..e) >= MIN_TEXT_LINES).then_some(Stacked {
        first_head: i..j,
        second_head: j..m,
        first_text: m..k + 1,
        second_text: k + 1..e,
    })
}
