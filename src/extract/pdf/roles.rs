//! Lines in reading order → the page model's lines and tags, decided from type and position
//! rather than guessed from text: a headline is set larger than the body, a kicker or subtitle
//! is the bold line right before or after it, furniture is what the furniture rules name, and an
//! article opens at a headline, at a credit under a picture, at a `（上接…）` marker, and at text
//! read after an article was closed (`（下转…）`, a closing byline). Text read on from one column
//! to the next continues the article that is open, as the story flows.

use super::super::byline;
use super::super::date;
use super::super::furniture;
use super::super::layout::{close_gaps, ends_sentence, is_han, width};
use super::super::lines::PageLine;
use super::super::segment::{JUMP_FROM, JUMP_TO};
use super::super::tagger::Tag;
use super::cut::Line;
use super::Rect;
use super::HEAD_SCALE;

mod wrapped;
use wrapped::wrapped_bylines;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Out,
    Head,
    /// A bold line next to a headline: kicker or subtitle.
    Deck,
    Byline,
    Text,
}

/// The page model's lines and their tags.
pub fn tag(lines: &[Line], body: f32, masthead_below: f32) -> (Vec<PageLine>, Vec<Tag>) {
    let joined = wrapped_bylines(lines);
    let lines = joined.as_slice();
    let mut roles = roles(lines, body);
    // The masthead: short lines at the top of the page read before any running text (paper
    // name, page label, date), however large their type.
    for (k, l) in lines.iter().enumerate() {
        let t = l.text.trim();
        if l.rect.y1 > masthead_below || t.contains(['，', '。', ',']) || width(t) > 30 {
            break;
        }
        // Large type at the top is a headline unless it stands alone, short (the paper's
        // name), or on one strip with the page's label and credits (the page header).
        let alone = lines
            .iter()
            .filter(|o| o.leaf == l.leaf && !o.picture)
            .count()
            == 1;
        let in_strip = lines.iter().zip(&roles).any(|(o, r)| {
            o.leaf != l.leaf
                && *r == Role::Out
                && !o.picture
                && o.size < l.size
                && o.rect.y0 < l.rect.y1
                && l.rect.y0 < o.rect.y1
                && (o.rect.x1 < l.rect.x0 || o.rect.x0 > l.rect.x1)
        });
        // The paper's name is the top of the page: nothing stands above it.
        let topmost = lines
            .iter()
            .all(|o| o.picture || o.rect.y1 > l.rect.y0 || o.leaf == l.leaf);
        // Set beside the masthead's date lines: the paper's name, however large.
        let beside_date = lines.iter().any(|o| {
            o.leaf == l.leaf && !o.picture && date::masthead_line(o.text.trim()).is_some()
        });
        let name = (alone && ((width(t) <= 8 && topmost) || in_strip)) || beside_date;
        if roles[k] == Role::Head && !name {
            break;
        }
        roles[k] = Role::Out;
    }
    let mut out: Vec<PageLine> = Vec::new();
    let mut tags: Vec<Tag> = Vec::new();
    let mut state = State::default();
    let mut k = 0;
    while k < lines.len() {
        let l = &lines[k];
        if l.picture {
            state.picture = state.has_text;
            k += 1;
            continue;
        }
        let role = roles[k];
        if matches!(role, Role::Head | Role::Deck) {
            // The whole headline group: wrapped lines of one size become one line.
            let mut end = k;
            while end < lines.len() && matches!(roles[end], Role::Head | Role::Deck) {
                end += 1;
            }
            // A public-service advertisement: its slogan in display type over its label
            // (`公益广告`) is no article's headline. The text read after it opens a fragment of
            // its own, which assembly joins to the story it continues.
            let label = (k..(end + 1).min(lines.len()))
                .find(|&i| furniture::is_ad_label(lines[i].text.trim()));
            if let Some(label) = label {
                let last = label.max(end - 1);
                for l in &lines[k..=last] {
                    tags.push(Tag::Outside);
                    out.push(page_line(l, None));
                }
                state = State::default();
                k = last + 1;
                continue;
            }
            let group = headline_group(&lines[k..end]);
            let opens = !state.open || state.has_text || state.closed;
            for (n, g) in group.into_iter().enumerate() {
                tags.push(if n == 0 && opens {
                    Tag::HeadOpen
                } else {
                    Tag::Head
                });
                out.push(g);
            }
            if opens {
                state = State {
                    open: true,
                    ..State::default()
                };
            }
            state.picture = false;
            k = end;
            continue;
        }
        let text = l.text.trim();
        let tag = match role {
            Role::Out => Tag::Outside,
            Role::Byline => {
                let opens = !state.open || state.closed || state.picture;
                if opens {
                    state = State {
                        open: true,
                        ..State::default()
                    };
                }
                let b = byline::parse_line(text);
                // A bracketed byline or a picture credit after the text ends the story.
                if state.has_text && b.as_ref().is_some_and(|b| b.bracketed || b.photo) {
                    state.closed = true;
                }
                if opens {
                    Tag::BylineOpen
                } else {
                    Tag::Byline
                }
            }
            _ => {
                let continues_sentence =
                    state.last_open_sentence && !l.indented && !JUMP_FROM.is_match(text);
                // Text under a picture is its caption, a story of its own, when a photo credit
                // follows within a few lines; otherwise the picture stood inside the open
                // story's columns and its text reads on.
                let caption = state.picture && captioned(&lines[k..], &roles[k..]);
                let opens = !state.open
                    || JUMP_FROM.is_match(text)
                    || state.closed
                    || (state.picture && !continues_sentence && (caption || !state.has_text))
                    || (state.has_text
                        && !state.picture
                        && !state.last_open_sentence
                        && set_apart(l, state.last_text, body));
                if opens {
                    state = State {
                        open: true,
                        ..State::default()
                    };
                }
                state.has_text = true;
                state.last_open_sentence = !ends_sentence(text);
                state.last_text = Some(l.rect);
                // A jump marker, a bracketed byline or a picture's credit (`…峰。■通讯员 张三
                // 摄`) ends the story's text here.
                if JUMP_TO.is_match(text)
                    || byline::split_trailing(text).is_some_and(|(_, b)| b.bracketed || b.photo)
                {
                    state.closed = true;
                }
                if opens {
                    Tag::TextOpen
                } else {
                    Tag::Text
                }
            }
        };
        state.picture = false;
        tags.push(tag);
        out.push(page_line(l, None));
        k += 1;
    }
    for i in 0..out.len() {
        out[i].blank_after = out.get(i + 1).is_none_or(|n| n.blank_before);
    }
    (out, tags)
}

#[derive(Debug, Default)]
struct State {
    /// An article is open.
    open: bool,
    /// It has text lines.
    has_text: bool,
    /// A jump marker or a closing byline ended it.
    closed: bool,
    /// A picture was read since its text.
    picture: bool,
    /// Its last text line stops mid-sentence.
    last_open_sentence: bool,
    /// Where its last text line stands.
    last_text: Option<Rect>,
}

/// A paragraph set apart by whitespace right under the last line of the story's text, which
/// ended its sentence, in the same column: a brief of its own. A story's paragraphs follow each
/// other with no space between; briefs, and the items of a box, stand a gap apart.
fn set_apart(l: &Line, last: Option<Rect>, body: f32) -> bool {
    last.is_some_and(|r| {
        let gap = l.rect.y0 - r.y1;
        l.indented
            && l.gap_before
            && gap > l.size.min(body) * 0.6
            && gap < body * 3.0
            && (l.rect.x0 - r.x0).abs() < body * 3.0
    })
}

fn page_line(l: &Line, level: Option<u8>) -> PageLine {
    PageLine {
        text: close_gaps(&l.text),
        shown: l.text.trim().to_string(),
        level,
        bold: l.bold,
        indented: l.indented,
        blank_before: l.gap_before,
        blank_after: false,
    }
}

/// Each line's role, from its type size and weight, its neighbours and its text.
fn roles(lines: &[Line], body: f32) -> Vec<Role> {
    let mut roles: Vec<Role> = lines
        .iter()
        .map(|l| {
            let t = l.text.trim();
            if l.picture
                || furniture::is_furniture(t)
                || furniture::is_label(t)
                || (width(t) <= 40 && date::masthead_line(t).is_some())
            {
                Role::Out
            } else if l.size >= body * HEAD_SCALE
                && !t.contains('。')
                && width(t) <= 80
                && !JUMP_TO.is_match(t)
                && !JUMP_FROM.is_match(t)
            {
                Role::Head
            } else if byline::parse_line(t).is_some() {
                Role::Byline
            } else {
                Role::Text
            }
        })
        .collect();
    // A headline's wrapped line that reads like a column label (`走进杭州”推介活动完美`) goes on
    // the headline: set in its type right under it, it is no label.
    for k in 1..lines.len() {
        let (l, prev) = (&lines[k], &lines[k - 1]);
        if roles[k] == Role::Out
            && roles[k - 1] == Role::Head
            && furniture::is_label(l.text.trim())
            && (l.size - prev.size).abs() < prev.size * 0.05
            && l.bold == prev.bold
            && l.rect.y0 - prev.rect.y1 < prev.size * 0.5
        {
            roles[k] = Role::Head;
        }
    }
    // Kickers and subtitles: bold, short, no full stop, right before or after a headline.
    for k in 0..lines.len() {
        if roles[k] != Role::Text || !is_deck(&lines[k], body) {
            continue;
        }
        let before = k > 0 && roles[k - 1] == Role::Head;
        let after = roles.get(k + 1) == Some(&Role::Head);
        if before || after {
            roles[k] = Role::Deck;
        }
    }
    // A kicker wrapped over several lines: the lines over its last, in its type right over
    // it and reaching as far right (a wrap fills every line but the last), over the headline's
    // own column (not the page label beside the paper's name), are the kicker too.
    for k in (0..lines.len().saturating_sub(1)).rev() {
        let (l, next) = (&lines[k], &lines[k + 1]);
        let head = (k + 1..lines.len())
            .take_while(|&j| matches!(roles[j], Role::Deck | Role::Head))
            .find(|&j| roles[j] == Role::Head)
            .map(|j| &lines[j]);
        if roles[k] == Role::Text
            && head.is_some_and(|h| l.rect.x0 < h.rect.x1 && h.rect.x0 < l.rect.x1)
            && roles[k + 1] == Role::Deck
            && is_deck(l, body)
            && l.leaf == next.leaf
            && l.bold == next.bold
            && (l.size - next.size).abs() < next.size * 0.05
            && next.rect.y0 - l.rect.y1 < next.size * 0.8
            && l.rect.x1 >= next.rect.x1 - next.size
        {
            roles[k] = Role::Deck;
        }
    }
    // Names alone set flush right under a story's last sentence sign it (`…时代之歌。` / `李夏`).
    for k in 1..lines.len() {
        let l = &lines[k];
        if roles[k] == Role::Text
            && roles[k - 1] == Role::Text
            && ends_sentence(lines[k - 1].text.trim())
            && byline::names_only(l.text.trim()).is_some()
            && flush_right(lines, l)
        {
            roles[k] = Role::Byline;
        }
    }
    // Names alone under a headline are its byline, unless set as the subtitle over them is:
    // then they end it, wrapped (`——访某某街道党工委书记` / `吕凡政`).
    for k in 1..lines.len() {
        if roles[k] == Role::Text
            && matches!(roles[k - 1], Role::Head | Role::Deck)
            && byline::names_only(lines[k].text.trim()).is_some()
        {
            let (l, prev) = (&lines[k], &lines[k - 1]);
            let wrapped = roles[k - 1] == Role::Deck
                && l.bold
                && prev.bold
                && (l.size - prev.size).abs() < prev.size * 0.05;
            roles[k] = if wrapped { Role::Deck } else { Role::Byline };
        }
    }
    roles
}

/// Set against the right edge of its column, far from its left edge.
fn flush_right(lines: &[Line], l: &Line) -> bool {
    let column = lines.iter().filter(|o| o.leaf == l.leaf && !o.picture);
    let (left, right) = column.fold((f32::MAX, f32::MIN), |(a, b), o| {
        (a.min(o.rect.x0), b.max(o.rect.x1))
    });
    l.rect.x1 >= right - l.size * 0.6 && l.rect.x0 > left + l.size * 4.0
}

/// Lines of a caption read before its credit, at most.
const CAPTION_LINES: usize = 6;

/// Do `lines` (the text under a picture) end in a photo credit within [`CAPTION_LINES`], before
/// any headline or other picture?
fn captioned(lines: &[Line], roles: &[Role]) -> bool {
    for (l, r) in lines.iter().zip(roles).take(CAPTION_LINES + 1) {
        if l.picture || matches!(r, Role::Head | Role::Deck) {
            return false;
        }
        let t = l.text.trim();
        let credit = byline::parse_line(t)
            .or_else(|| byline::split_trailing(t).map(|(_, b)| b))
            .is_some_and(|b| b.photo);
        if credit {
            return true;
        }
    }
    false
}

fn is_deck(l: &Line, body: f32) -> bool {
    let t = l.text.trim();
    l.bold
        && l.size >= body * 0.95
        && width(t) <= 60
        && !t.contains('。')
        && !JUMP_TO.is_match(t)
        && !JUMP_FROM.is_match(t)
        && byline::split_dateline(t).is_none()
        && !byline::dateline_bracket_open(t)
}

/// A headline group's lines: wrapped lines of one size joined, each ranked by type size
/// (largest = level 1, the title).
fn headline_group(lines: &[Line]) -> Vec<PageLine> {
    let mut merged: Vec<(Line, f32)> = Vec::new();
    for l in lines {
        match merged.last_mut() {
            Some((m, size)) if (l.size - *size).abs() < 0.5 => {
                let glue = m.text.chars().last().is_some_and(is_han)
                    && l.text.chars().next().is_some_and(is_han);
                if !glue {
                    m.text.push(' ');
                }
                m.text.push_str(l.text.trim());
                m.rect = m.rect.union(&l.rect);
            }
            _ => merged.push((l.clone(), l.size)),
        }
    }
    let mut sizes: Vec<f32> = merged.iter().map(|(_, s)| *s).collect();
    sizes.sort_by(|a, b| b.total_cmp(a));
    sizes.dedup_by(|a, b| (*a - *b).abs() < 0.5);
    merged
        .iter()
        .map(|(l, s)| {
            let rank = sizes.iter().position(|x| (x - s).abs() < 0.5).unwrap_or(0);
            page_line(l, Some(rank.min(8) as u8 + 1))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
