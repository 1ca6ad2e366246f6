//! Segmentation: units → article drafts and headline groups, in reading order. Each unit is told
//! apart as furniture, headline line, byline or running text; articles open at a headline, a
//! byline that leads a body, a dateline (`本报讯`) or a jump marker (`（上接第1版）`), and close at a
//! trailing byline (`（记者 张三）`), a photo credit or `（下转第2版）`. Paragraphs cut mid-sentence
//! by a column end are joined here. Which article a headline group belongs to is decided
//! afterwards by `headline::attach`.

use std::sync::LazyLock;

use regex::Regex;

use super::byline::{self, Byline};
use super::headline::overlap;
use super::layout::{ends_sentence, width, Opening, Unit};
use super::rule;
use super::{date, furniture};

mod stream;
mod walk;
use walk::{note_label, Walk};

/// One headline line with its markdown level, if the dump kept one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadLine {
    pub text: String,
    pub level: Option<u8>,
    /// A blank line stands right before it in the dump (known on pages read line by line).
    pub blank_before: bool,
}

/// An article being assembled.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// Headline lines given to this article by `headline::attach`.
    pub head: Vec<HeadLine>,
    pub paras: Vec<String>,
    pub byline: Vec<String>,
    /// Its body opened with a dateline (`本报讯`).
    pub dateline: bool,
    /// A trailing byline, photo credit or `下转` marker ended it.
    pub closed: bool,
    /// It continues a story from another page (`（上接第1版）`).
    pub continuation: bool,
    /// Closed by a picture credit (`摄`).
    pub photo_credit: bool,
    /// A reporter (`记者`) is credited.
    pub reporter: bool,
    /// Closed by a credit on a line of its own, not in brackets (`记者 张三` under a caption).
    pub credit_line: bool,
    /// How many of `byline`'s names, at its end, the credit that closed it added.
    pub closing_names: usize,
    /// Markdown level of the headline printed right before it (for in-body subheads).
    pub title_level: Option<u8>,
    /// The last paragraph is complete (a subhead, or the next opens with an indent): the next
    /// paragraph is not its continuation.
    pub last_para_done: bool,
    /// The measure of the column its last hard-wrapped paragraph was set in (0: unknown).
    pub measure: usize,
    /// The body's Han text, computed once when headlines are matched against it.
    pub han: std::cell::OnceCell<String>,
}

/// Segmentation output: headline groups and article drafts in page order.
#[derive(Debug, Clone)]
pub enum Item {
    Group(Vec<HeadLine>),
    Article(Draft),
}

/// A jump line opening a continuation (`（上接第1版）`).
pub(super) static JUMP_FROM: LazyLock<Regex> =
    LazyLock::new(|| rule(r"^[（(]\s*[上紧]接第?\s*[\d一二三四五六七八九十]+\s*版\s*[）)]\s*"));
/// A jump marker ending the part printed here (`（下转第2版）`).
pub(super) static JUMP_TO: LazyLock<Regex> =
    LazyLock::new(|| rule(r"\s*[（(]\s*下转第?\s*[\d一二三四五六七八九十]+\s*版\s*[）)]\s*"));

/// Is the line nothing but a jump marker (`（下转第2版）`, or with `from`, `（上接第1版）` too)?
pub(super) fn only_jump(t: &str, from: bool) -> bool {
    let t = t.trim();
    let whole = |re: &Regex| re.find(t).is_some_and(|m| m.as_str().trim() == t);
    whole(&JUMP_TO) || (from && whole(&JUMP_FROM))
}

enum Kind {
    Skip,
    Head(HeadLine),
    Byline(Byline),
    Body { text: String, heading: bool },
}

static LIST_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"^([一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]|[①-⑳])")
});

/// A numbered point set as a heading of its own (`一、抓好项目建设`), or a labelled detail
/// (`地点：老街广场`): a line of its own, not a sentence cut short.
fn is_line_of_its_own(s: &str) -> bool {
    (LIST_ITEM.is_match(s) || is_detail_line(s)) && width(s) <= 25 && !s.contains(['，', '。', ','])
}

fn is_headline_text(s: &str) -> bool {
    let w = width(s);
    (1..=40).contains(&w)
        && !LIST_ITEM.is_match(s)
        && !is_detail_line(s)
        && !s.contains(['。', '，', ',', '；', ';'])
        && !ends_sentence(s)
        && byline::split_dateline(s).is_none()
        && !byline::place_dateline(s)
        && !JUMP_FROM.is_match(s)
}

/// Labels of the practical details a feature or a notice sets one to a line.
const DETAIL_LABELS: &[&str] = &[
    "时间",
    "地点",
    "地址",
    "日期",
    "电话",
    "人物",
    "主办",
    "承办",
    "协办",
    "联系人",
];

/// A labelled detail line (`时间：7月4日20时`, `地点：正定旺泉古街`): running text, never a
/// headline, though it has no sentence mark (a headline's colon follows a place or a topic,
/// `通榆：沃野春耕正当时`, never such a label).
fn is_detail_line(s: &str) -> bool {
    DETAIL_LABELS.iter().any(|l| {
        s.strip_prefix(l)
            .is_some_and(|rest| rest.trim_start().starts_with(['：', ':']))
    })
}

fn classify(unit: &Unit, after_head: bool) -> Kind {
    let t = unit.text.as_str();
    // A jump marker set in bold or as a heading (`**（下转第四版）**`) is still a jump marker.
    if (unit.level.is_some() || unit.bold) && only_jump(t, false) {
        return Kind::Body {
            text: t.to_string(),
            heading: false,
        };
    }
    if furniture::is_furniture(t) || furniture::is_label(t) || date::masthead_line(t).is_some() {
        return Kind::Skip;
    }
    if let Some(b) = byline::parse_line(t) {
        return Kind::Byline(b);
    }
    if after_head {
        if let Some(names) = byline::names_only(t) {
            return Kind::Byline(Byline {
                names,
                photo: false,
                marked: true,
                bracketed: false,
            });
        }
    }
    match unit.level {
        Some(level) if width(t) <= 60 && is_headline_text_loose(t) => Kind::Head(HeadLine {
            text: t.to_string(),
            level: Some(level),
            blank_before: false,
        }),
        Some(_) => Kind::Body {
            text: t.to_string(),
            heading: true,
        },
        None if !unit.in_prose_block && is_headline_text(t) => Kind::Head(HeadLine {
            text: t.to_string(),
            level: None,
            blank_before: false,
        }),
        None => Kind::Body {
            text: t.to_string(),
            heading: false,
        },
    }
}

/// Markdown headings are trusted further: commas are allowed, sentences and datelines are not.
fn is_headline_text_loose(s: &str) -> bool {
    !s.contains('。')
        && !is_detail_line(s)
        && !s
            .trim_end_matches(['”', '"', '’'])
            .ends_with(['。', '；', ';'])
        && byline::split_dateline(s).is_none()
        && !byline::place_dateline(s)
        && !JUMP_FROM.is_match(s)
}

/// Does the page set its titles as markdown headings (two or more headline-like headings)? On
/// such a page (a markdown converter's) a line of display type that is no heading is a title
/// only in a heading's group (a kicker over it, a subtitle under it); inside a story it is a
/// section head, bold or not: over the dev set and twelve pressings 14 of 438 bold lines were
/// titles.
fn titled_by_headings(units: &[Unit]) -> bool {
    units
        .iter()
        .filter(|u| {
            u.level.is_some()
                && is_headline_text_loose(&u.text)
                && !furniture::is_furniture(&u.text)
        })
        .count()
        >= 2
}

/// A line right over a headline inside an open story that is the story's text a column cut
/// (`…副部长巴雅尔图` over `### 全旗宣传…`), not a kicker: on a page titled by headings, a plain
/// line (no heading, not bold) over a heading, since a markdown converter sets a kicker in bold
/// or as a heading; on any hard-wrapped page, a line alone as wide as the column's lines
/// (`Opening::ColumnLine`) over a headline.
fn text_over_headline(
    unit: &Unit,
    titled_by_headings: bool,
    walk: &mut Walk,
    units: &[Unit],
    next: usize,
) -> bool {
    let plain_over_heading = titled_by_headings && !unit.bold && next_is_heading(units, next);
    let column_line = unit.opening == Opening::ColumnLine
        && following(units, next)
            .next()
            .is_some_and(|u| u.level.is_some() || (!u.in_prose_block && is_headline_text(&u.text)));
    (plain_over_heading || column_line) && walk.group.is_empty() && walk.in_open_story()
}

/// Is the next unit (furniture skipped) a heading, which a line over it would be the kicker of?
fn next_is_heading(units: &[Unit], i: usize) -> bool {
    following(units, i)
        .next()
        .is_some_and(|u| u.level.is_some())
}

/// The units from `i` on, furniture skipped: what a line is read against.
fn following(units: &[Unit], i: usize) -> impl Iterator<Item = &Unit> {
    units[i.min(units.len())..]
        .iter()
        .filter(|u| !furniture::is_furniture(&u.text))
}

/// Does the unit at `i` (furniture skipped) open an article's body: a byline or a dateline?
fn opens_body(units: &[Unit], i: usize) -> bool {
    following(units, i).next().is_some_and(|u| {
        byline::is_byline_line(&u.text)
            || byline::names_only(&u.text).is_some()
            || byline::split_dateline(&u.text).is_some()
            || byline::place_dateline(&u.text)
    })
}

/// Narrowest measure the rule below trusts: a column of fewer characters may be a caption's.
const MIN_MEASURE: usize = 6;
/// Share of a block's character pairs found in the story's last paragraphs above which, after
/// a finished sentence, the block goes on with that story whatever its measure. Over the dev
/// set and twelve pressings the blocks in another measure after a finished sentence shared at
/// most 0.20 with the story before them but for a tail from 0.26 up; a hand-made seed page
/// that widens its lines inside a story shares 0.26.
const SAME_STORY: f64 = 0.25;

/// Was the unit set in another column than the story's last paragraph, half as wide again or
/// more? A converter that read a page in bands puts another story's block after a paragraph
/// its column cut; that block is no part of it. After a finished sentence the block may still
/// be the story's own (a dump may change measure inside a story): then only if it does not go
/// on with the story's words.
pub(super) fn other_measure(d: &Draft, unit: &Unit) -> bool {
    let (a, b) = (d.measure, unit.measure);
    if a < MIN_MEASURE || b < MIN_MEASURE || a.max(b) * 2 < a.min(b) * 3 {
        return false;
    }
    stream::left_open(d) || overlap(&unit.text, &walk::recent_han(&d.paras)) < SAME_STORY
}

/// Splits units into headline groups and article drafts, in page order.
pub fn segment(units: &[Unit]) -> Vec<Item> {
    let mut walk = Walk {
        items: Vec::new(),
        group: Vec::new(),
        open: None,
        note: None,
        before_group: None,
    };
    let titled_by_headings = titled_by_headings(units);
    for (i, unit) in units.iter().enumerate() {
        if let Some(rest) = note_label(&unit.text) {
            // A label on its own line is dropped; a note run on after it keeps its label.
            walk.note(if rest.is_empty() { rest } else { &unit.text });
            continue;
        }
        let after_head = !walk.group.is_empty();
        match classify(unit, after_head) {
            // A column label stands over stories, never inside one: what follows it is new.
            // The slogan over an advertisement's label was no headline: the story it
            // interrupted goes on.
            Kind::Skip if furniture::is_ad_label(&unit.text) => walk.drop_group(),
            // A headline pending over a label has no text here: it stands apart (the walk's
            // headline placement finds it its story), not over the label's stories.
            Kind::Skip if furniture::is_label(&unit.text) => {
                walk.flush_group();
                walk.open = None;
            }
            Kind::Skip => {}
            Kind::Head(h) => {
                // A plain line after markdown headings is their subtitle only when a byline or
                // dateline follows; otherwise it is the body's first line cut short.
                let last_marked = walk.group.last().is_some_and(|g| g.level.is_some());
                let subtitle_in_doubt = last_marked && !opens_body(units, i + 1);
                if h.level.is_none()
                    && (subtitle_in_doubt
                        || cut_short(&h.text, units, i + 1)
                        || text_over_headline(unit, titled_by_headings, &mut walk, units, i + 1))
                {
                    walk.body(h.text, false, None);
                } else if h.level.is_none()
                    && ((titled_by_headings
                        && walk.group.is_empty()
                        && !next_is_heading(units, i + 1)
                        && walk.in_open_story())
                        || walk.subhead_here(&h.text, units, i + 1)
                        || (unit.bold && walk.bold_subhead_here(&h.text, units, i + 1)))
                {
                    if let Some(cur) = walk.current() {
                        cur.paras.push(h.text);
                        cur.last_para_done = true;
                    }
                } else {
                    walk.head(h);
                }
            }
            Kind::Byline(b) if walk.credit_over_caption(&b, units, i + 1) => {
                let d = walk.start(Draft {
                    photo_credit: true,
                    ..Draft::default()
                });
                d.byline.extend(b.names);
            }
            Kind::Byline(b) => walk.byline(b, opens_body_or_text(units, i + 1)),
            // A short unpunctuated line ending a block of running text, with a byline or
            // dateline next: a headline over the next article, not a sentence cut short.
            Kind::Body { text, heading }
                if !heading && is_headline_text(&text) && opens_body(units, i + 1) =>
            {
                walk.head(HeadLine {
                    text,
                    level: None,
                    blank_before: false,
                })
            }
            Kind::Body { text, heading } => {
                // An indented paragraph opens afresh: the sentence before it was not cut.
                if unit.indented {
                    if let Some(cur) = walk.current() {
                        cur.last_para_done = true;
                    }
                }
                let fresh = i == 0 || units[i - 1].block != unit.block;
                if fresh && !heading && walk.current().is_some_and(|d| other_measure(d, unit)) {
                    walk.open = walk.column_for(unit);
                }
                walk.body(text, heading, fresh.then_some(unit.opening));
                if let Some(cur) = walk.current().filter(|_| unit.measure > 0) {
                    cur.measure = unit.measure;
                }
            }
        }
    }
    walk.flush_group();
    walk.items
}

/// A short plain line that is really running text cut by a column end: the next text opens
/// with punctuation no sentence starts with, or the line ends in a word that cannot end a
/// headline (`的`, `和`, `对`, …) and running text follows.
fn cut_short(line: &str, units: &[Unit], i: usize) -> bool {
    let Some(next) = following(units, i).next() else {
        return false;
    };
    if next.text.starts_with([
        '，', '、', '。', '：', '；', '）', '”', '」', '』', ',', ':', ';',
    ]) {
        return true;
    }
    let dangling = line.ends_with([
        '的', '和', '与', '对', '把', '将', '从', '向', '被', '及', '以', '而', '或', '并', '但',
        '该',
    ]);
    dangling
        && byline::split_dateline(&next.text).is_none()
        && !byline::is_byline_line(&next.text)
        && (next.in_prose_block || !is_headline_text(&next.text))
}

/// Is the next unit (furniture skipped) running text or a dateline, so that a byline before it
/// leads an article?
fn opens_body_or_text(units: &[Unit], i: usize) -> bool {
    following(units, i).next().is_some_and(|u| {
        byline::split_dateline(&u.text).is_some()
            || (!byline::is_byline_line(&u.text)
                && (u.in_prose_block || !is_headline_text(&u.text)))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
