//! Assembly: tagged lines → article drafts. An article opens at every line the page model
//! tagged as opening one. Within it, the first run of headline lines is its headline (before or
//! after the body), later headline lines are subheads, byline lines give names, and text lines
//! are joined into paragraphs (a line that ends a sentence short of the column's width, or
//! before a blank line or an indent, ends its paragraph). Datelines, trailing bylines and jump
//! markers are cut from the text. Then the page is repaired where the model's segments are
//! fragments: a headline with no body goes to the neighbouring article that lacks one, and a
//! headless fragment continues the article it was cut from when exactly that article is left
//! mid-sentence.

use std::sync::LazyLock;

use regex::Regex;

use super::byline;
use super::headline::{han_text, overlap};
use super::layout::{ends_sentence, join_pieces, width};
use super::lines::{text_width, PageLine};
use super::rule;
use super::segment::{Draft, HeadLine};
use super::tagger::Tag;

static JUMP_FROM: LazyLock<Regex> =
    LazyLock::new(|| rule(r"^[（(]\s*[上紧]接第?\s*[\d一二三四五六七八九十]+\s*版\s*[）)]\s*"));
static JUMP_TO: LazyLock<Regex> =
    LazyLock::new(|| rule(r"\s*[（(]\s*下转第?\s*[\d一二三四五六七八九十]+\s*版\s*[）)]\s*"));

/// One article's lines, before repair.
#[derive(Debug, Default)]
struct Segment {
    draft: Draft,
    /// The headline run is over (text came after it).
    head_done: bool,
    /// It has text lines.
    has_text: bool,
    /// Its last text line ends a sentence.
    ends_done: bool,
}

/// Builds drafts from the page's tagged lines.
pub fn drafts(lines: &[PageLine], tags: &[Tag]) -> Vec<Draft> {
    let col = text_width(lines);
    let mut segs: Vec<Segment> = Vec::new();
    let mut last_width = 0;
    for (l, &tag) in lines.iter().zip(tags) {
        if tag == Tag::Outside {
            continue;
        }
        if tag.opens() || segs.is_empty() {
            segs.push(Segment::default());
        }
        let Some(seg) = segs.last_mut() else { break };
        match tag {
            Tag::HeadOpen | Tag::Head => head_line(seg, l),
            Tag::BylineOpen | Tag::Byline => match byline::parse_line(&l.shown)
                .map(|b| (b.names, b.photo, b.bracketed))
                .or_else(|| byline::names_only(&l.shown).map(|n| (n, false, false)))
            {
                Some((names, photo, bracketed)) => {
                    seg.draft.byline.extend(names);
                    seg.draft.photo_credit |= photo && seg.has_text;
                    seg.draft.reporter |= !photo;
                    seg.draft.credit_line |= !bracketed && seg.has_text;
                }
                None => text_line(seg, l, col, last_width),
            },
            Tag::TextOpen | Tag::Text => text_line(seg, l, col, last_width),
            Tag::Outside => {}
        }
        last_width = width(&l.text);
    }
    repair(segs)
}

fn head_line(seg: &mut Segment, l: &PageLine) {
    if seg.head_done && !seg.draft.head.is_empty() {
        // A later headline-shaped line inside the body: a subhead, its own paragraph.
        seg.draft.paras.push(l.shown.clone());
        seg.draft.last_para_done = true;
        return;
    }
    if seg.has_text {
        seg.head_done = true; // a headline printed after its body
    }
    seg.draft.head.push(HeadLine {
        text: l.shown.clone(),
        level: l.level,
    });
}

fn text_line(seg: &mut Segment, l: &PageLine, col: usize, last_width: usize) {
    let d = &mut seg.draft;
    if !d.head.is_empty() {
        seg.head_done = true;
    }
    // The text as printed: spaces still separate the names of a byline run on (`（记者 张三
    // 李四）`); column gaps are closed when the article is finished.
    let mut text = l.shown.clone();
    if JUMP_FROM.is_match(&text) {
        d.continuation = !seg.has_text && d.head.is_empty();
        text = JUMP_FROM.replace(&text, "").into_owned();
    }
    if JUMP_TO.is_match(&text) {
        text = JUMP_TO.replace_all(&text, "").trim().to_string();
    }
    if !seg.has_text {
        if let Some((rest, names)) = byline::split_dateline(&text) {
            text = rest;
            d.byline.extend(names);
            d.dateline = true;
        }
    }
    if let Some((rest, b)) = byline::split_trailing(&text) {
        text = rest;
        d.byline.extend(b.names);
        d.photo_credit |= b.photo;
        d.reporter |= !b.photo;
    }
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let new_para = match d.paras.last() {
        None => true,
        Some(last) => {
            d.last_para_done
                || l.indented
                || (ends_sentence(last)
                    && (l.blank_before || last_width * 100 < col * 90 || last_width > 45))
        }
    };
    match d.paras.last_mut() {
        Some(last) if !new_para => join_pieces(last, text),
        _ => d.paras.push(text.to_string()),
    }
    d.last_para_done = false;
    seg.has_text = true;
    seg.ends_done = ends_sentence(text);
}

/// Share of a headline's words that must recur in an article's body for a stray headline to
/// be given to it when both neighbours could take it.
const ATTACH_MIN: f64 = 0.2;

fn repair(segs: Vec<Segment>) -> Vec<Draft> {
    // Fragments first: a headless fragment continues the article it was cut from. Headlines
    // printed away from their bodies wait until the articles are whole.
    let mut out: Vec<Segment> = Vec::new();
    let mut orphans: Vec<(usize, Segment)> = Vec::new();
    for seg in segs {
        if !seg.has_text {
            orphans.push((out.len(), seg));
            continue;
        }
        match continued(&out, &seg) {
            Some(k) => {
                let target = &mut out[k];
                let mut paras = seg.draft.paras.into_iter();
                if let (Some(last), Some(first)) = (target.draft.paras.last_mut(), paras.next()) {
                    join_pieces(last, &first);
                }
                target.draft.paras.extend(paras);
                target.draft.byline.extend(seg.draft.byline);
                target.draft.photo_credit |= seg.draft.photo_credit;
                target.draft.reporter |= seg.draft.reporter;
                target.ends_done = seg.ends_done;
            }
            None => out.push(seg),
        }
    }
    // A headline without a body goes to the headless article whose body its words recur in
    // most, else to the headless article printed right after it.
    for (at, orphan) in orphans {
        let text: String = orphan.draft.head.iter().map(|h| h.text.as_str()).collect();
        let headless = |s: &Segment| s.draft.head.is_empty() && !s.draft.continuation;
        let best = (0..out.len())
            .filter(|&k| headless(&out[k]))
            .map(|k| {
                (
                    k,
                    overlap(
                        &text,
                        &han_text(out[k].draft.paras.iter().map(String::as_str)),
                    ),
                )
            })
            .fold(None::<(usize, f64)>, |acc, (k, v)| match acc {
                Some((_, b)) if b >= v => acc,
                _ => Some((k, v)),
            });
        let target = match best {
            Some((k, v)) if v >= ATTACH_MIN => Some(k),
            _ => (at < out.len() && headless(&out[at])).then_some(at),
        };
        if let Some(k) = target {
            out[k].draft.head = orphan.draft.head;
            out[k].draft.byline.extend(orphan.draft.byline);
        }
    }
    out.into_iter().map(|s| s.draft).collect()
}

/// Which earlier article a headless fragment continues, if any. Columns are read top to
/// bottom, so the articles a column leaves mid-sentence continue in the next column in the same
/// order: the oldest article left open is the first candidate, and another open article takes
/// the fragment only when it shares clearly more of its words.
fn continued(out: &[Segment], seg: &Segment) -> Option<usize> {
    let d = &seg.draft;
    if !d.head.is_empty() || d.dateline || d.continuation || !seg.has_text {
        return None;
    }
    let open: Vec<usize> = (0..out.len())
        .filter(|&k| out[k].has_text && !out[k].ends_done)
        .collect();
    let first = *open.first()?;
    let body = d.paras.join("");
    let share = |k: usize| {
        overlap(
            &body,
            &han_text(out[k].draft.paras.iter().map(String::as_str)),
        )
    };
    let best =
        open.iter()
            .copied()
            .map(|k| (k, share(k)))
            .fold((first, share(first)), |acc, (k, v)| {
                if v > acc.1 + 0.1 {
                    (k, v)
                } else {
                    acc
                }
            });
    Some(best.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::lines::lines;
    use super::*;
    use Tag::*;

    fn build(page: &str, tags: &[Tag]) -> Vec<Draft> {
        let l = lines(page);
        assert_eq!(l.len(), tags.len(), "one tag per line");
        drafts(&l, tags)
    }

    #[test]
    fn a_headline_printed_after_its_body_is_its_headline() {
        let d = build(
            "大桥今天正式通车，市民纷纷\n前来参观。\n大桥通车\n新校开学了。\n",
            &[TextOpen, Text, Head, TextOpen],
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].head[0].text, "大桥通车");
        assert_eq!(d[0].paras, ["大桥今天正式通车，市民纷纷前来参观。"]);
    }

    #[test]
    fn a_fragment_cut_by_another_story_rejoins_its_article() {
        let d = build(
            "大桥通车\n大桥今天正式通车，市民\n新校开学\n新校开学了。\n纷纷前来参观。\n",
            &[HeadOpen, Text, HeadOpen, Text, TextOpen],
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].paras, ["大桥今天正式通车，市民纷纷前来参观。"]);
        assert_eq!(d[1].paras, ["新校开学了。"]);
    }

    #[test]
    fn a_stray_headline_goes_to_the_headless_article_it_describes() {
        let d = build(
            "新校开学\n大桥今天正式通车，市民前来参观。\n大桥通车\n",
            &[HeadOpen, TextOpen, HeadOpen],
        );
        assert_eq!(d.len(), 2);
        let with_text: Vec<&Draft> = d.iter().filter(|x| !x.paras.is_empty()).collect();
        assert_eq!(with_text.len(), 1);
    }

    #[test]
    fn datelines_and_trailing_bylines_leave_the_body() {
        let d = build(
            "标题\n本报讯（记者 张三）今天上午，会议召开。（李四）\n",
            &[HeadOpen, Text],
        );
        assert_eq!(d[0].paras, ["今天上午，会议召开。"]);
        assert_eq!(d[0].byline, ["张三", "李四"]);
        assert!(d[0].dateline);
    }
}
