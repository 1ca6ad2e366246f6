//! Assembly: tagged lines → article drafts. An article opens at every line the page model
//! tagged as opening one. Within it, the first run of headline lines is its headline (before or
//! after the body), later headline lines are subheads, byline lines give names, and text lines
//! are joined into paragraphs (a line that ends a sentence short of the column's width, or
//! before a blank line or an indent, ends its paragraph). Datelines, trailing bylines and jump
//! markers are cut from the text. Then the page is repaired where the model's segments are
//! fragments: a headline with no body goes to the neighbouring article that lacks one, and a
//! headless fragment continues the article it was cut from when exactly that article is left
//! mid-sentence.

use super::headline::{han_text, overlap};
use super::join;
use super::layout::{ends_sentence, has_prose_marks, join_pieces, width};
use super::lines::{text_width, PageLine};
use super::segment::{Draft, HeadLine, JUMP_FROM, JUMP_TO};
use super::tagger::Tag;
use super::{byline, date, furniture};

/// Does the line open with a jump marker (`（上接第1版）`)?
pub fn jumps_from(t: &str) -> bool {
    JUMP_FROM.is_match(t)
}

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
    /// Page line numbers of its text lines (for fitting the join model).
    text_lines: Vec<usize>,
    /// A dateline whose bracketed byline wraps onto the next line (`本报讯（记者 张三 实习`),
    /// held until the bracket closes.
    pending: Option<String>,
    /// A byline line named roles but no one (`潍坊日报社全媒体记者`): the names may follow on
    /// the next line.
    awaits_names: bool,
    /// Its last text line stops short of the column's width.
    ends_short: bool,
    /// A jump marker (`（下转第2版）`) ended the part printed here: text after it is another
    /// story's.
    jumped: bool,
}

/// Builds drafts from the page's tagged lines; `join` are the fitted weights of the
/// reading-order repair (`join`).
pub fn drafts(lines: &[PageLine], tags: &[Tag], join: &[f32]) -> Vec<Draft> {
    let mut tags = tags.to_vec();
    first_lines_over_headlines(lines, &mut tags);
    quotes_opened_under_headlines(lines, &mut tags);
    match stacked_heads::in_story_order(lines, &tags) {
        Some((ordered, ordered_tags)) => repair(segments(&ordered, &ordered_tags), join),
        None => repair(segments(lines, &tags), join),
    }
}

/// A headline's last line that opens a quotation it does not close, with running text right
/// under it (`隧道车辆 管控有招` / `“通过抓拍和识别车` / `辆…”`), is the story's first line: a
/// headline closes what it quotes.
fn quotes_opened_under_headlines(lines: &[PageLine], tags: &mut [Tag]) {
    for i in 1..tags.len().saturating_sub(1) {
        let t = lines[i].text.as_str();
        let opened = t.matches(['“', '「']).count() > t.matches(['”', '」']).count();
        if tags[i] == Tag::Head
            && matches!(tags[i - 1], Tag::Head | Tag::HeadOpen)
            && tags[i + 1] == Tag::Text
            && !lines[i].blank_after
            && opened
        {
            tags[i] = Tag::Text;
        }
    }
}

/// A headline's first line that the model left outside any article, as it does a column label's
/// (`简讯` / `学习贯彻党的二十大` / `精神 推动发展再上` / `新台阶`): a line of display text set right
/// over the line that opens a headline, with no blank between, that is no furniture, label,
/// masthead or paper's name, opens that headline.
fn first_lines_over_headlines(lines: &[PageLine], tags: &mut [Tag]) {
    for i in 0..tags.len().saturating_sub(1) {
        let (l, next) = (&lines[i], &lines[i + 1]);
        let t = l.text.as_str();
        if tags[i] == Tag::Outside
            && tags[i + 1] == Tag::HeadOpen
            && !l.blank_after
            && !next.blank_before
            && (4..=width(&next.text) + 2).contains(&width(t))
            && !has_prose_marks(t)
            && !furniture::is_furniture(t)
            && !furniture::is_label(t)
            && !furniture::is_ad_label(t)
            && furniture::masthead_paper(&[t]).is_none()
            && date::masthead_line(t).is_none()
        {
            tags[i] = Tag::HeadOpen;
            tags[i + 1] = Tag::Head;
        }
    }
}

/// Cuts the tagged lines into segments, one per opening tag.
fn segments(lines: &[PageLine], tags: &[Tag]) -> Vec<Segment> {
    let col = text_width(lines);
    let mut segs: Vec<Segment> = Vec::new();
    let mut last_width = 0;
    for (no, (l, &tag)) in lines.iter().zip(tags).enumerate() {
        if tag == Tag::Outside {
            // A jump marker on a line of its own ends the part printed here.
            if let Some(seg) = segs.last_mut().filter(|_| JUMP_TO.is_match(&l.text)) {
                seg.jumped = true;
            }
            continue;
        }
        // (A marker after a sentence left open was read out of place: the text goes on.)
        let after_jump = segs.last().is_some_and(|s| s.jumped && s.ends_done);
        if tag.opens() || segs.is_empty() || (after_jump && matches!(tag, Tag::Text)) {
            segs.push(Segment::default());
        }
        let Some(seg) = segs.last_mut() else { break };
        if std::mem::take(&mut seg.awaits_names) && tag != Tag::Head {
            if let Some(names) = byline::names_only(&l.shown) {
                seg.draft.byline.extend(names);
                continue;
            }
        }
        match tag {
            Tag::HeadOpen | Tag::Head => head_line(seg, l),
            Tag::BylineOpen | Tag::Byline => match byline::parse_line(&l.shown)
                .map(|b| (b.names, b.photo, b.bracketed))
                .or_else(|| byline::names_only(&l.shown).map(|n| (n, false, false)))
            {
                Some((names, photo, bracketed)) => {
                    seg.awaits_names = names.is_empty();
                    seg.draft.byline.extend(names);
                    seg.draft.photo_credit |= photo && seg.has_text;
                    seg.draft.reporter |= !photo;
                    seg.draft.credit_line |= !bracketed && seg.has_text;
                }
                None => text_line(seg, l, col, last_width),
            },
            Tag::TextOpen | Tag::Text => {
                text_line(seg, l, col, last_width);
                seg.text_lines.push(no);
                seg.ends_short = width(&l.text) * 100 < col * 90;
            }
            Tag::Outside => {}
        }
        last_width = width(&l.text);
    }
    // A dateline left waiting (its bracket never closed) is text after all.
    for seg in &mut segs {
        if let Some(p) = seg.pending.take() {
            seg.draft.paras.push(p);
            seg.has_text = true;
        }
        trailing_byline(seg);
    }
    segs
}

/// A byline that ends the article's last paragraph but was cut by a wrap (`（记者 张三 通讯员 李`
/// / `四）`, `…。作` / `者：记者 张三`) is whole once the paragraph's lines are joined; a bare
/// name after the last sentence counts where the article ends on a short line.
fn trailing_byline(seg: &mut Segment) {
    let d = &mut seg.draft;
    // A closing byline the column wrapped onto a paragraph of its own (`…小康。作者： 记者 张三
    // 通讯` / `员 李四 王五`): the two are read as one when that credits more names.
    if let [.., prev, last] = d.paras.as_slice() {
        let tail = last.trim();
        if width(tail) <= 16 && !tail.contains(['。', '！', '？', '，']) {
            let joined = format!("{}\n{tail}", prev.trim_end());
            let alone = byline::split_trailing(prev).map_or(0, |(_, b)| b.names.len());
            if let Some((rest, b)) = byline::split_trailing(&joined)
                .filter(|(rest, b)| !rest.is_empty() && b.names.len() > alone)
            {
                d.paras.pop();
                if let Some(p) = d.paras.last_mut() {
                    *p = rest;
                }
                d.byline.extend(b.names);
                d.photo_credit |= b.photo;
                d.reporter |= !b.photo;
                return;
            }
        }
    }
    let Some(last) = d.paras.last_mut() else {
        return;
    };
    if let Some((rest, b)) = byline::split_trailing(last) {
        *last = rest;
        d.byline.extend(b.names);
        d.photo_credit |= b.photo;
        d.reporter |= !b.photo;
    } else if seg.ends_short && d.byline.is_empty() {
        if let Some((rest, names)) = byline::split_trailing_names(last) {
            *last = rest;
            d.byline.extend(names);
            d.reporter = true;
        }
    }
    if d.paras.last().is_some_and(|p| p.trim().is_empty()) {
        d.paras.pop();
    }
}

/// Labelled (earlier article, fragment) pairs of a page, one group per fragment, whose lines' articles are known: the
/// examples the join model is fitted on. Joins follow the labels as the page is read.
pub fn join_pairs(
    lines: &[PageLine],
    tags: &[Tag],
    ids: &[Option<usize>],
) -> Vec<Vec<([f32; join::N], bool)>> {
    let id_of = |s: &Segment| {
        let mut v: Vec<usize> = s.text_lines.iter().filter_map(|&i| ids[i]).collect();
        v.sort_unstable();
        // The most frequent article among its lines.
        v.chunk_by(|a, b| a == b)
            .max_by_key(|c| c.len())
            .map(|c| c[0])
    };
    let mut out: Vec<(Segment, Option<usize>)> = Vec::new();
    let mut pairs = Vec::new();
    for seg in segments(lines, tags).into_iter().filter(|s| s.has_text) {
        let id = id_of(&seg);
        if is_fragment(&seg) {
            let segs: Vec<&Segment> = out.iter().map(|(s, _)| s).collect();
            let mut target = None;
            let mut group = Vec::new();
            for (k, c) in candidates(&segs) {
                let same = id.is_some() && out[k].1 == id;
                group.push((join::pair(&c, &seg.draft.paras), same));
                if same {
                    target = Some(k);
                }
            }
            if !group.is_empty() {
                pairs.push(group);
            }
            if let Some(k) = target {
                absorb(&mut out[k].0, seg);
                continue;
            }
        }
        out.push((seg, id));
    }
    pairs
}

fn is_fragment(seg: &Segment) -> bool {
    let d = &seg.draft;
    d.head.is_empty() && !d.dateline && !d.continuation && seg.has_text
}

/// The articles a fragment may continue, with what the join model is told about each.
fn candidates<'a>(out: &[&'a Segment]) -> Vec<(usize, join::Candidate<'a>)> {
    let open: Vec<usize> = (0..out.len())
        .filter(|&k| out[k].has_text && !out[k].ends_done)
        .collect();
    (0..out.len())
        .filter(|&k| out[k].has_text && !out[k].draft.continuation)
        .map(|k| {
            let s = out[k];
            (
                k,
                join::Candidate {
                    paras: &s.draft.paras,
                    open: !s.ends_done,
                    has_head: !s.draft.head.is_empty(),
                    oldest_open: open.first() == Some(&k),
                    latest: k + 1 == out.len(),
                    open_count: open.len(),
                },
            )
        })
        .collect()
}

/// Appends a fragment to the article it continues.
fn absorb(target: &mut Segment, seg: Segment) {
    let mut paras = seg.draft.paras.into_iter();
    if let (Some(last), Some(first)) = (target.draft.paras.last_mut(), paras.next()) {
        if target.ends_done {
            target.draft.paras.push(first);
        } else {
            join_pieces(last, &first);
        }
    }
    target.draft.paras.extend(paras);
    target.draft.byline.extend(seg.draft.byline);
    target.draft.photo_credit |= seg.draft.photo_credit;
    target.draft.reporter |= seg.draft.reporter;
    target.ends_done = seg.ends_done;
    target.text_lines.extend(seg.text_lines);
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
        blank_before: l.blank_before,
    });
}

fn text_line(seg: &mut Segment, l: &PageLine, col: usize, last_width: usize) {
    let d = &mut seg.draft;
    if !d.head.is_empty() {
        seg.head_done = true;
    }
    // The text as printed: spaces still separate the names of a byline run on (`（记者 张三
    // 李四）`); column gaps are closed when the article is finished. A dateline's bracket
    // wrapped onto this line keeps its line break, which the byline reads as a cut word
    // (`陈胜|龙`), not a space between names.
    let wrapped = seg.pending.is_some();
    let mut text = match seg.pending.take() {
        Some(p) => format!("{p}\n{}", l.shown),
        None => l.shown.clone(),
    };
    if JUMP_FROM.is_match(&text) {
        d.continuation = !seg.has_text && d.head.is_empty();
        text = JUMP_FROM.replace(&text, "").into_owned();
    }
    if JUMP_TO.is_match(&text) {
        seg.jumped = true;
        text = JUMP_TO.replace_all(&text, "").trim().to_string();
    }
    // A story opens with its dateline, or after a subtitle set as plain text (one short line
    // that ends no sentence: `卢一勤等出席`).
    let deck_only = d.byline.is_empty()
        && !d.dateline
        && matches!(d.paras.as_slice(), [p] if width(p) <= 30 && !ends_sentence(p));
    if !seg.has_text || deck_only && (l.indented || l.blank_before || wrapped) {
        if byline::dateline_bracket_open(&text) && !text.contains('\n') && width(&text) <= 40 {
            // It opens a paragraph after the subtitle, whatever the line it wraps onto.
            d.last_para_done |= seg.has_text;
            seg.pending = Some(text);
            return;
        }
        if let Some((rest, names)) = byline::split_dateline(&text) {
            text = rest;
            d.byline.extend(names);
            d.dateline = true;
        } else if d.dateline && d.byline.is_empty() {
            // The dateline stood on a line of its own; its bracketed byline opens this one.
            if let Some((rest, names)) = byline::split_leading_bracket(&text) {
                text = rest;
                d.byline.extend(names);
            }
        }
        if text.contains('\n') {
            text = text.replace('\n', " ");
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

fn repair(segs: Vec<Segment>, join: &[f32]) -> Vec<Draft> {
    // Fragments first: a headless fragment continues the article it was cut from. Headlines
    // printed away from their bodies wait until the articles are whole.
    let mut out: Vec<Segment> = Vec::new();
    let mut orphans: Vec<(usize, Segment)> = Vec::new();
    for mut seg in segs {
        if !seg.has_text {
            orphans.push((out.len(), seg));
            continue;
        }
        if let Some(story) = out.last_mut().and_then(|prev| story_under(prev, &mut seg)) {
            out.push(story);
        }
        match continued(&out, &seg, join) {
            Some(k) => absorb(&mut out[k], seg),
            None => out.push(seg),
        }
    }
    // A headline without a body goes to the headless article whose body its words recur in
    // most, else to the headless article printed right after it, else heads the story it was
    // printed under (`story_under`).
    let mut added = 0;
    for (at, mut orphan) in orphans {
        let at = at + added;
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
        } else if let Some(story) = at
            .checked_sub(1)
            .and_then(|k| story_under(&mut out[k], &mut orphan))
        {
            out.insert(at, story);
            added += 1;
        }
    }
    out.into_iter().map(|s| s.draft).collect()
}

/// A headline printed under its story's body, which was read as the end of the article before
/// it (`prev`): that story is cut from `prev` and takes the headline, and what was read after
/// the headline is left a headless fragment to be joined where it continues.
fn story_under(prev: &mut Segment, seg: &mut Segment) -> Option<Segment> {
    if seg.draft.head.is_empty() || seg.draft.dateline || seg.draft.continuation {
        return None;
    }
    let head: Vec<&str> = seg.draft.head.iter().map(|h| h.text.as_str()).collect();
    let j = join::story_under(&head, &prev.draft.paras, &seg.draft.paras)?;
    let paras = prev.draft.paras.split_off(j);
    let story = Segment {
        draft: Draft {
            head: std::mem::take(&mut seg.draft.head),
            paras,
            ..Draft::default()
        },
        has_text: true,
        ends_done: prev.ends_done,
        ..Segment::default()
    };
    prev.ends_done = prev.draft.paras.last().is_some_and(|p| ends_sentence(p));
    Some(story)
}

/// Which earlier article a headless fragment continues, if any: the candidate the join model
/// scores highest, when it scores it as more likely the same article than not.
fn continued(out: &[Segment], seg: &Segment, w: &[f32]) -> Option<usize> {
    if !is_fragment(seg) {
        return None;
    }
    let refs: Vec<&Segment> = out.iter().collect();
    candidates(&refs)
        .into_iter()
        .map(|(k, c)| (k, join::score(w, &join::pair(&c, &seg.draft.paras))))
        .filter(|&(_, v)| v > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(k, _)| k)
}

mod stacked_heads;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
