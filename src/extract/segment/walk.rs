//! The walk over a page's units: the articles and headline groups built so far, and how each
//! kind of unit changes them (a headline, a byline, running text, an editor's note, a subhead,
//! a picture's caption).

use super::{following, is_line_of_its_own, Draft, HeadLine, Item, JUMP_FROM, JUMP_TO};
use crate::extract::byline::{self, Byline};
use crate::extract::features;
use crate::extract::headline::{han_text, overlap};
use crate::extract::layout::{ends_sentence, join_pieces, width, Opening, Unit};

/// Least share of a deeper heading's words found in the open article for it to be a subhead of
/// that article rather than a new headline.
const SUBHEAD_MIN: f64 = 0.25;

/// A subhead set in bold is a short line: at most this many characters.
const BOLD_SUBHEAD_WIDTH: usize = 16;

/// How many bold subheads may stand stacked over a story's running text.
const SUBHEAD_STACK: usize = 4;
/// A subhead set without markdown is a short line: at most this many characters.
const SUBHEAD_WIDTH: usize = 12;
/// A subhead this short needs only `SUBHEAD_SOME` of the text after it found in the story.
const SUBHEAD_SHORT: usize = 8;
const SUBHEAD_SOME: f64 = 0.1;

fn has_sentence(t: &str) -> bool {
    t.contains(['。', '！', '？'])
}

/// How much of a story, in bytes from its end, a subhead or a caption is compared with: the
/// story's whole text would make each comparison cost its length (a page of a million short
/// lines would take hours).
const RECENT_BYTES: usize = 3000;

/// The Han text of a story's last `RECENT_BYTES`.
pub(super) fn recent_han(paras: &[String]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut left = RECENT_BYTES;
    for p in paras.iter().rev() {
        if left == 0 {
            break;
        }
        let mut from = p.len().saturating_sub(left);
        while !p.is_char_boundary(from) {
            from += 1;
        }
        parts.push(&p[from..]);
        left -= p.len() - from;
    }
    parts.reverse();
    han_text(parts)
}

/// A caption is a paragraph of at most this many characters.
const CAPTION_MAX: usize = 150;
/// Share of a caption's words found in the report over it below which the caption belongs to a
/// picture of its own (words like 记者, 今年, 工作 recur in any two stories).
const CAPTION_APART: f64 = 0.2;

pub(super) struct Walk {
    pub(super) items: Vec<Item>,
    pub(super) group: Vec<HeadLine>,
    /// Index in `items` of the article text is being added to.
    pub(super) open: Option<usize>,
    /// Index in `items` of an editor's note (编者按) waiting for the article it introduces.
    pub(super) note: Option<usize>,
    /// The article open when the pending headline group began.
    pub(super) before_group: Option<usize>,
}

/// An editor's note label (`编者按`, `【编者按】`, `编者的话：`) opening a line; the rest of the line.
/// (An afterword, `编后语`, closes the article before it and is left to it.)
pub(super) fn note_label(t: &str) -> Option<&str> {
    let t = t.trim_start_matches(['【', '[', '■', '●']).trim_start();
    let rest = ["编者按", "编者的话"]
        .iter()
        .find_map(|l| t.strip_prefix(l))?;
    Some(
        rest.trim_start_matches(['】', ']'])
            .trim_start_matches(['：', ':'])
            .trim(),
    )
}

impl Walk {
    pub(super) fn current(&mut self) -> Option<&mut Draft> {
        match self.open.and_then(|i| self.items.get_mut(i)) {
            Some(Item::Article(d)) => Some(d),
            _ => None,
        }
    }

    /// Is a story being written, with text and not ended?
    pub(super) fn in_open_story(&mut self) -> bool {
        self.current()
            .is_some_and(|d| !d.closed && !d.paras.is_empty())
    }

    /// Puts the pending headline group, if any, in the page as it stands.
    pub(super) fn flush_group(&mut self) {
        if !self.group.is_empty() {
            self.items
                .push(Item::Group(std::mem::take(&mut self.group)));
        }
    }

    /// Starts an article; a pending headline group is placed right before it, and an editor's
    /// note printed right before the group opens its body.
    pub(super) fn start(&mut self, mut draft: Draft) -> &mut Draft {
        if let Some(k) = self.note.take() {
            if k + 1 == self.items.len() && !self.group.is_empty() {
                if let Some(Item::Article(note)) = self.items.pop() {
                    let mut paras = note.paras;
                    paras.append(&mut draft.paras);
                    draft.paras = paras;
                    draft.last_para_done = true;
                }
            }
        }
        if !self.group.is_empty() {
            draft.title_level = self.group.iter().filter_map(|h| h.level).min();
        }
        self.flush_group();
        self.items.push(Item::Article(draft));
        self.open = Some(self.items.len() - 1);
        match self.items.last_mut() {
            Some(Item::Article(d)) => d,
            _ => unreachable!("an article was just pushed"),
        }
    }

    pub(super) fn head(&mut self, h: HeadLine) {
        if self.group.is_empty() {
            if let Some(cur) = self.current() {
                let deeper = matches!((h.level, cur.title_level), (Some(l), Some(t)) if l > t);
                if deeper && !cur.closed && !cur.paras.is_empty() {
                    let body = recent_han(&cur.paras);
                    if overlap(&h.text, &body) >= SUBHEAD_MIN {
                        cur.paras.push(h.text);
                        cur.last_para_done = true;
                        return;
                    }
                }
            }
        }
        if self.group.is_empty() {
            self.before_group = self.open;
        }
        self.group.push(h);
        self.open = None;
    }

    /// Forgets the pending headline group (it was an advertisement's slogan): text goes on the
    /// article that was open before it.
    pub(super) fn drop_group(&mut self) {
        if !self.group.is_empty() {
            self.group.clear();
            self.open = self.before_group;
        }
    }

    pub(super) fn byline(&mut self, b: Byline, next_opens: bool) {
        let reporter = !b.photo;
        if self.group.is_empty() {
            if let Some(caption) = b.photo.then(|| self.caption_apart()).flatten() {
                let d = self.start(Draft {
                    paras: vec![caption],
                    closed: true,
                    photo_credit: true,
                    ..Draft::default()
                });
                d.byline.extend(b.names);
                return;
            }
            if let Some(cur) = self.current() {
                if cur.paras.is_empty() {
                    cur.byline.extend(b.names);
                    cur.reporter |= reporter;
                    return;
                }
                let opens = b.marked && !b.photo && !b.bracketed && next_opens;
                if !opens {
                    cur.closing_names = b.names.len();
                    cur.byline.extend(b.names);
                    cur.closed = true;
                    cur.photo_credit |= b.photo;
                    cur.reporter |= reporter;
                    cur.credit_line |= !b.bracketed;
                    return;
                }
            } else if b.bracketed || b.photo {
                // A trailing byline after a headline group or at the page top: it still ends
                // the article before.
                if let Some(Item::Article(last)) = self
                    .items
                    .iter_mut()
                    .rev()
                    .find(|i| matches!(i, Item::Article(_)))
                {
                    last.closing_names += b.names.len();
                    last.byline.extend(b.names);
                    last.photo_credit |= b.photo;
                    return;
                }
            }
        }
        let d = self.start(Draft::default());
        d.byline.extend(b.names);
        d.reporter = reporter;
    }

    /// The story being written, when it has text, credits its writer and has not ended.
    fn credited_story(&mut self) -> Option<&Draft> {
        self.current()
            .map(|d| &*d)
            .filter(|d| !d.closed && !d.byline.is_empty() && !d.paras.is_empty())
    }

    /// A short plain line inside a story that credits its writer at the top and has not ended,
    /// with running text after it that goes on with the story's words: a subhead (小标题), not
    /// the headline of another story.
    pub(super) fn subhead_here(&mut self, line: &str, units: &[Unit], next: usize) -> bool {
        if !self.group.is_empty() || width(line) > SUBHEAD_WIDTH {
            return false;
        }
        let Some(cur) = self.credited_story() else {
            return false;
        };
        let Some(after) = following(units, next).next() else {
            return false;
        };
        let text = after.text.as_str();
        let running = after.in_prose_block || has_sentence(text);
        if !running
            || byline::split_dateline(text).is_some()
            || byline::is_byline_line(text)
            || text.starts_with(byline::MARKS)
        {
            return false;
        }
        // The text after it goes on with the story's words; a very short line over text that
        // does not open like a news lead needs fewer of them.
        let shared = overlap(text, &recent_han(&cur.paras));
        shared >= SUBHEAD_MIN
            || (width(line) <= SUBHEAD_SHORT
                && !features::opens_like_a_lead(text)
                && shared >= SUBHEAD_SOME)
    }

    /// A short bold line (`**菜价：稳中有升**`) inside a story a markdown heading titled, with running
    /// text after it: markdown converters set a story's title as a heading and its subheads in
    /// bold, so the line is a subhead, not a headline.
    pub(super) fn bold_subhead_here(&mut self, line: &str, units: &[Unit], next: usize) -> bool {
        if !self.group.is_empty() || width(line) > BOLD_SUBHEAD_WIDTH {
            return false;
        }
        let open = self
            .current()
            .is_some_and(|d| !d.closed && !d.paras.is_empty() && d.title_level.is_some());
        // Subheads may come stacked (`**故事1**` / `**主人公：张三**` / `**返乡创业种牡丹**`): the
        // running text is looked for under the whole stack.
        let mut after = following(units, next);
        let mut first = after.next();
        for _ in 0..SUBHEAD_STACK {
            match first {
                Some(u) if u.bold && u.level.is_none() && width(&u.text) <= BOLD_SUBHEAD_WIDTH => {
                    first = after.next();
                }
                _ => break,
            }
        }
        open && first.is_some_and(|u| {
            u.level.is_none()
                && !u.bold
                && (u.in_prose_block || has_sentence(&u.text))
                && byline::split_dateline(&u.text).is_none()
                && !byline::is_byline_line(&u.text)
        })
    }

    /// A picture credit set on its own line (`拍友 张三 摄`) under a story that already credits
    /// its writer, over one short paragraph that stands alone (a headline, byline or the page's
    /// end after it) and shares few words with the story: the credit opens that picture's item
    /// rather than closing the story.
    pub(super) fn credit_over_caption(&mut self, b: &Byline, units: &[Unit], next: usize) -> bool {
        if !b.photo || b.bracketed || !self.group.is_empty() {
            return false;
        }
        let Some(cur) = self.credited_story() else {
            return false;
        };
        let mut after = following(units, next);
        let Some(caption) = after.next() else {
            return false;
        };
        let t = caption.text.as_str();
        let alone = after.next().is_none_or(|u| {
            !u.in_prose_block || byline::is_byline_line(&u.text) || !has_sentence(&u.text)
        });
        has_sentence(t)
            && width(t) <= CAPTION_MAX
            && alone
            && byline::split_dateline(t).is_none()
            && !byline::is_byline_line(t)
            && overlap(t, &recent_han(&cur.paras)) < CAPTION_APART
    }

    /// An editor's note: an article of its own until a headline and its article follow.
    pub(super) fn note(&mut self, text: &str) {
        let d = self.start(Draft::default());
        if !text.is_empty() {
            d.paras.push(text.to_string());
        }
        self.note = Some(self.items.len() - 1);
    }

    /// A photo credit under a report that is whole without it (it credits its reporter in the
    /// dateline, `本报讯（记者 张三）…`, or it is the end of a story continued from another page),
    /// or under a paragraph that reads as a caption (`图为…`), closes a picture printed after the
    /// report when that paragraph shares almost no words with the report: the paragraph is the
    /// picture's caption, taken out of the report and returned.
    pub(super) fn caption_apart(&mut self) -> Option<String> {
        let cur = self.current()?;
        let (last, earlier) = cur.paras.split_last()?;
        let whole = (cur.dateline && !cur.byline.is_empty()) || cur.continuation;
        let caption = ["图为", "上图", "下图", "左图", "右图"]
            .iter()
            .any(|c| last.starts_with(c));
        if !(whole || caption) || cur.closed || earlier.is_empty() {
            return None;
        }
        let apart =
            width(last) <= CAPTION_MAX && overlap(last, &recent_han(earlier)) < CAPTION_APART;
        if !apart {
            return None;
        }
        cur.closed = true;
        cur.paras.pop()
    }

    /// Running text; `fresh` (`Some`) when it opens a blank-line separated block, where a
    /// converter that read across columns may have put another story's text before it
    /// (`stream`), with how that block's first line stands against its measure.
    pub(super) fn body(&mut self, text: String, heading: bool, fresh: Option<Opening>) {
        let mut text = text;
        let continuation = JUMP_FROM.is_match(&text);
        if continuation {
            text = JUMP_FROM.replace(&text, "").into_owned();
        }
        // Every paragraph passes here: the marker's characters are looked for before the rule.
        let jumps_on = text.contains("下转") && JUMP_TO.is_match(&text);
        if jumps_on {
            text = JUMP_TO.replace_all(&text, "").trim().to_string();
        }
        let trailing = byline::split_trailing(&text);
        if let Some((rest, _)) = &trailing {
            text = rest.clone();
        }
        let mut credited = Vec::new();
        // A date-and-place line opens the report like `本报讯` but stays in it (the place is
        // where the story happened), a paragraph of its own.
        let place = byline::place_dateline(&text);
        let dateline = place
            || match byline::split_dateline(&text) {
                Some((rest, names)) => {
                    text = rest;
                    credited = names;
                    true
                }
                None => false,
            };
        // A paragraph set off by a mark (`■ 11月4日，…`) is an item of its own, as in a column
        // of briefs.
        let marked = text.starts_with(byline::MARKS) && has_sentence(&text);
        if marked {
            text = text
                .trim_start_matches(byline::MARKS)
                .trim_start()
                .to_string();
        }
        let grouped = !self.group.is_empty();
        if let Some(opening) =
            fresh.filter(|_| !grouped && !continuation && !marked && !dateline && !heading)
        {
            if let Some(k) = self.stream_for(&text, opening) {
                self.open = Some(k);
            }
        }
        let append = !grouped
            && !continuation
            && !marked
            && match self.current() {
                None => false,
                Some(cur) if dateline && heading => !cur.dateline && !cur.closed, // a surfaced lead
                Some(cur) if dateline => cur.paras.is_empty() && !cur.closed,
                Some(cur) => !cur.closed,
            };
        let d = if append {
            match self.current() {
                Some(d) => d,
                None => return,
            }
        } else {
            self.start(Draft {
                continuation,
                ..Draft::default()
            })
        };
        d.dateline |= dateline;
        d.byline.extend(credited);
        if !text.is_empty() {
            match d.paras.last_mut() {
                Some(last)
                    if !d.last_para_done
                        && !ends_sentence(last)
                        && !last.ends_with('：')
                        && !is_line_of_its_own(last) =>
                {
                    join_pieces(last, &text)
                }
                _ => d.paras.push(text),
            }
            d.last_para_done = place;
        }
        if let Some((_, b)) = trailing {
            d.closing_names = b.names.len();
            d.byline.extend(b.names);
            d.photo_credit |= b.photo;
            d.reporter |= !b.photo;
            d.closed = true;
        }
        d.closed |= jumps_on;
    }
}
