//! Headlines: attaching each group of headline lines to its article, and telling kicker (引题),
//! title (主题) and subtitle (副题) apart. A dump can print a headline before its body, after it,
//! or at the very end of the page; the lines of one group can even belong to two neighbouring
//! articles. The rules use what holds for any page: a headline's words recur in its own article's
//! body (character-bigram overlap), an article has one headline, a continuation has none on this
//! page, and a page that opens with a body prints its headlines below their bodies.

use super::byline;
use super::join;
use super::layout::{is_han, width};
use super::lexicon::word_spans_cut;
use super::segment::{only_jump, Draft, HeadLine, Item, JUMP_TO};

/// The Han characters of a text, in order (other characters are skipped, so `以“演”促“防”` and
/// `以演促防` agree): what headline words are looked for in.
pub fn han_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for part in parts {
        out.extend(part.chars().filter(|&c| is_han(c)));
    }
    out
}

/// Share of the headline's distinct Han character pairs found in `han_body` (a [`han_text`]);
/// 0 when the headline has none.
pub fn overlap(headline: &str, han_body: &str) -> f64 {
    let chars: Vec<char> = headline.chars().filter(|&c| is_han(c)).collect();
    let mut pairs: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    pairs.sort_unstable();
    pairs.dedup();
    if pairs.is_empty() {
        return 0.0;
    }
    let mut buf = [0u8; 8];
    let found = pairs
        .iter()
        .filter(|&&(a, b)| {
            let la = a.encode_utf8(&mut buf).len();
            let lb = b.encode_utf8(&mut buf[la..]).len();
            memchr::memmem::find(han_body.as_bytes(), &buf[..la + lb]).is_some()
        })
        .count();
    found as f64 / pairs.len() as f64
}

/// The draft's Han text (computed once: attachment asks for it several times).
fn body_bigrams(d: &Draft) -> &str {
    d.han
        .get_or_init(|| han_text(d.paras.iter().map(String::as_str)))
}

/// Least overlap for a headline found at the end of the page to be given to an untitled article.
const DISPLACED_MIN: f64 = 0.25;

/// Hands every headline group to an article and returns the articles in reading order.
pub fn attach(items: Vec<Item>) -> Vec<Draft> {
    let after = prints_headlines_after(&items);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut pending: Option<Vec<HeadLine>> = None;
    // Headlines to place apart, each with the byline printed under it.
    let mut displaced: Vec<(Vec<HeadLine>, Vec<String>)> = Vec::new();
    for item in items {
        match item {
            Item::Group(lines) => {
                if let Some(earlier) = pending.replace(lines) {
                    displaced.push((earlier, Vec::new())); // two groups in a row: cannot happen from segment
                }
            }
            Item::Article(mut next) => {
                if let Some(lines) = pending.take() {
                    let prev = drafts
                        .last_mut()
                        .filter(|p| p.head.is_empty() && !p.continuation);
                    match prev {
                        // A headline and its byline with no text under them (another headline
                        // follows) head an untitled story printed away from them, the one that
                        // shares their words.
                        _ if credited_only(&next) => {
                            displaced.push((lines, std::mem::take(&mut next.byline)))
                        }
                        Some(prev) if !next.continuation => {
                            let k = split_point(&lines, prev, &next, after);
                            let mut lines = lines;
                            let forward = lines.split_off(k);
                            prev.head = lines;
                            next.head = forward;
                        }
                        Some(prev) => prev.head = lines,
                        None if !next.continuation => next.head = lines,
                        None => displaced.push((lines, Vec::new())),
                    }
                }
                drafts.push(next);
            }
        }
    }
    for (lines, byline) in displaced {
        if let [one] = place_displaced(lines, &mut drafts, false)[..] {
            drafts[one].byline.extend(byline);
        }
    }
    if let Some(lines) = pending {
        if let Some(story) = story_at_foot(&lines, &mut drafts) {
            drafts.push(Draft {
                head: lines,
                ..story
            });
            return drafts;
        }
        // On a page that prints headlines below their bodies, the last group is the last
        // article's unless another untitled body clearly shares more of its words.
        place_displaced(lines, &mut drafts, after);
    }
    drafts
}

/// A draft holding only a reporter's byline (not a photo's credit): what a headline group with
/// its byline and no text under it leaves.
fn credited_only(d: &Draft) -> bool {
    d.paras.is_empty() && !d.byline.is_empty() && d.reporter && !d.photo_credit
}

/// The page's last headline, read after an article that has one of its own: a headline
/// printed under its story's body (a box whose headline sits at its foot), when the last
/// article's closing paragraphs are that story (`join::story_under`). They are cut from it.
fn story_at_foot(lines: &[HeadLine], drafts: &mut [Draft]) -> Option<Draft> {
    let last = drafts
        .last_mut()
        .filter(|d| !d.head.is_empty() && !d.continuation)?;
    let head: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let j = join::story_under(&head, &last.paras, &[])?;
    let paras = last.paras.split_off(j);
    last.han = std::cell::OnceCell::new();
    // A credit printed after the story cut off (over its headline) is that story's.
    let byline = last
        .byline
        .split_off(last.byline.len().saturating_sub(last.closing_names));
    last.closing_names = 0;
    Some(Draft {
        paras,
        byline,
        ..Draft::default()
    })
}

/// Does this page print headlines below their bodies? Votes: the first (non-continuation)
/// article not preceded by a headline says yes; each group between two bodies votes for the
/// side whose body shares more of its words. Ties of single groups lean the page's way.
fn prints_headlines_after(items: &[Item]) -> bool {
    let mut votes = 0i32;
    let mut seen_group = false;
    for item in items {
        match item {
            Item::Group(_) => seen_group = true,
            Item::Article(d) if d.continuation => {}
            Item::Article(_) => {
                votes += if seen_group { -1 } else { 1 };
                break;
            }
        }
    }
    for w in items.windows(3) {
        if let [Item::Article(p), Item::Group(lines), Item::Article(n)] = w {
            let (pb, nb) = (body_bigrams(p), body_bigrams(n));
            let back: f64 = lines.iter().map(|l| overlap(&l.text, pb)).sum();
            let fwd: f64 = lines.iter().map(|l| overlap(&l.text, nb)).sum();
            if back > fwd + 0.2 {
                votes += 1;
            } else if fwd > back + 0.2 {
                votes -= 1;
            }
        }
    }
    votes > 0
}

/// How many of a group's lines belong to the article before it (the rest go to the next one):
/// the split that best matches each line's words with an article's body.
fn split_point(lines: &[HeadLine], prev: &Draft, next: &Draft, after: bool) -> usize {
    let (pb, nb) = (body_bigrams(prev), body_bigrams(next));
    let back: Vec<f64> = lines.iter().map(|l| overlap(&l.text, pb)).collect();
    let fwd: Vec<f64> = lines.iter().map(|l| overlap(&l.text, nb)).collect();
    let n = lines.len();
    let mut best = (f64::MIN, 0);
    for k in 0..=n {
        // A kicker leads into the title printed after it: never cut between them.
        if k > 0 && k < n && is_kicker(&lines[k - 1].text) {
            continue;
        }
        let mut score: f64 = back[..k].iter().sum::<f64>() + fwd[k..].iter().sum::<f64>();
        let lean = if after { k } else { n - k };
        score += 0.05 * lean as f64 / n.max(1) as f64;
        if score > best.0 {
            best = (score, k);
        }
    }
    best.1
}

/// A group at the end of the page with no body after it. Each line goes to the untitled article
/// whose body clearly shares its words (on a page of headlines below bodies, to the last article
/// unless another clearly shares more); unsure lines (a kicker, a subtitle) follow their
/// neighbours; lines no article claims are dropped.
fn place_displaced(lines: Vec<HeadLine>, drafts: &mut [Draft], prefer_last: bool) -> Vec<usize> {
    let candidates: Vec<(usize, String)> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| d.head.is_empty() && !d.continuation && !d.paras.is_empty())
        .map(|(i, d)| (i, body_bigrams(d).to_string()))
        .collect();
    let Some(last) = drafts.len().checked_sub(1) else {
        return Vec::new();
    };
    let last_open = prefer_last && candidates.last().is_some_and(|(i, _)| *i == last);
    let mut target: Vec<Option<usize>> = lines
        .iter()
        .map(|l| {
            let scores: Vec<(f64, usize)> = candidates
                .iter()
                .map(|(i, body)| (overlap(&l.text, body), *i))
                .collect();
            let best =
                scores
                    .iter()
                    .copied()
                    .fold(None, |acc: Option<(f64, usize)>, s| match acc {
                        Some(a) if a.0 >= s.0 => Some(a),
                        _ => Some(s),
                    });
            let own = scores.iter().find(|s| s.1 == last).map_or(0.0, |s| s.0);
            match best {
                Some((score, i)) if last_open => Some(
                    if i != last && score >= DISPLACED_MIN && score > own + 0.2 {
                        i
                    } else {
                        last
                    },
                ),
                Some((score, i)) if score >= DISPLACED_MIN => Some(i),
                _ => None,
            }
        })
        .collect();
    // A kicker leads into the line after it; unsure lines follow the line before, else after.
    for k in (0..lines.len().saturating_sub(1)).rev() {
        if is_kicker(&lines[k].text) && target[k + 1].is_some() {
            target[k] = target[k + 1];
        }
    }
    for k in 1..target.len() {
        if target[k].is_none() {
            target[k] = target[k - 1];
        }
    }
    for k in (0..target.len().saturating_sub(1)).rev() {
        if target[k].is_none() {
            target[k] = target[k + 1];
        }
    }
    let mut given: Vec<usize> = Vec::new();
    for (line, t) in lines.into_iter().zip(target) {
        let Some(t) = t else { continue };
        let fresh = drafts[t].head.is_empty() || given.last() == Some(&t);
        if fresh {
            drafts[t].head.push(line);
            if given.last() != Some(&t) {
                given.push(t);
            }
        }
    }
    given
}

/// Lines that introduce a title: `…时强调`, `…指出`, `…表示`.
fn is_kicker(line: &str) -> bool {
    let l = line.trim_end_matches([' ', '：', ':']);
    [
        "强调", "指出", "表示", "要求", "提出", "寄语", "时说", "宣布", "透露",
    ]
    .iter()
    .any(|v| l.ends_with(v))
        && width(l) >= 6
}

/// Kicker, title and subtitle of one article's headline lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headline {
    pub kicker: Option<String>,
    pub title: Option<String>,
    pub subtitle: Option<String>,
}

fn join(lines: &[&str]) -> Option<String> {
    let s = lines.join(" ");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// OCR reads a leading `一` as `-` (`-堂生动党课` → `一堂生动党课`), and a picture's edge beside
/// a headline as short Latin words before it (`Ph Ri 坚守岗位保洁净`).
fn repair_title(s: String) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    let junk = words
        .iter()
        .take_while(|w| (1..=3).contains(&w.len()) && w.chars().all(|c| c.is_ascii_alphanumeric()))
        .count();
    let s = if junk >= 2 && words.get(junk).is_some_and(|w| w.starts_with(is_han)) {
        words[junk..].join(" ")
    } else {
        s
    };
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some('-' | '－' | '—'), Some(c)) if is_han(c) => {
            format!("一{}", &s[s.char_indices().nth(1).map_or(0, |(i, _)| i)..])
        }
        _ => s,
    }
}

/// Widest line of a headline set in a narrow column (a photo item's or a side box's).
const NARROW: usize = 6;

/// Three or more plain lines of a narrow column's width, all but the last exactly as wide (the
/// column's measure) and the last no wider: one headline wrapped (`“趣”上` / `饶的乡村` /
/// `遛个弯儿`), not kicker, title and subtitle.
fn wrapped_narrow(lines: &[&str]) -> bool {
    let Some((last, full)) = lines.split_last() else {
        return false;
    };
    let w = width(lines[0]);
    lines.len() >= 3
        && w <= NARROW
        && full.iter().all(|l| width(l) == w && !l.contains(' '))
        && width(last) <= w
}

/// A headline line a narrow column wrapped inside a word (`让中国伞节这` / `个平台更宽广`,
/// `上虞少年今赴京采` / `访`): the line under it, no wider, of the same type and without a gap,
/// finishes the word, so it is the same line, not a title under its kicker (a kicker ends on a
/// phrase). The line under it may hold the gap of a headline in two parts when what stands
/// before the gap is one character (`全面推进乡村振兴战` / `略 建设美丽宜居新` / `乡村`): no part
/// of a headline is one character, so it is the rest of the word; and a line that went on in
/// the one under it goes on again where the next finishes its last word, gap or not, or is the
/// headline's last line and only a stub (under its first line or a line already gone on; three
/// narrow lines alike are `wrapped_narrow`'s).
fn wrapped_words(texts: &mut Vec<String>, levels: &mut Vec<u8>, blank: &mut Vec<bool>) {
    // Per line: the width of the last printed line in it, and whether lines were joined to it.
    let mut last: Vec<(usize, bool)> = texts.iter().map(|t| (width(t), false)).collect();
    let mut i = 0;
    while i + 1 < texts.len() {
        let (line, next) = (&texts[i], &texts[i + 1]);
        let (measure, joined) = last[i];
        let rest_of_word = next
            .split_once(' ')
            .is_some_and(|(head, _)| head.chars().count() == 1 && head.chars().all(is_han));
        if levels[i] == levels[i + 1]
            && measure <= WRAP_LINE
            && width(next) <= measure
            && (joined || !line.contains(' '))
            && (rest_of_word || !next.contains(' '))
            && (word_spans_cut(line, next)
                || ((i == 0 || joined) && i + 2 == texts.len() && stub(next)))
        {
            let next = texts.remove(i + 1);
            last[i] = (width(&next), true);
            texts[i].push_str(&next);
            last.remove(i + 1);
            levels.remove(i + 1);
            blank.remove(i + 1);
        } else {
            i += 1;
        }
    }
}

/// A last headline line of two characters is what the column's width left of the line above
/// (`…重点项目集中` / `开工`), never a subtitle of its own (one character is left to the word
/// list: it is as often a byline's `记` a layout converter set apart).
fn stub(line: &str) -> bool {
    line.chars().count() == 2 && line.chars().all(is_han) && !byline::is_byline_line(line)
}

/// OCR reads the gap between the two parts of a headline as a quotation mark
/// (`芒种将至”农事忙`, `非遗传承 ”来到身边`, `不把污泥浊水“”带入全面小康` → `芒种将至 农事忙`): an
/// empty pair of marks between Han characters, or a lone mark between them (spaces aside) with
/// no other quotation mark in any of the headline's lines, is that gap.
fn lone_quote_gaps(texts: &mut [String]) {
    let is_mark = |c: char| matches!(c, '“' | '”');
    for t in texts.iter_mut() {
        while let Some(i) = t.find("“”") {
            if !gap_at(t, i, i + "“”".len()) {
                break;
            }
            *t = close_gap(t, i, i + "“”".len());
        }
    }
    let count = |t: &String| t.chars().filter(|&c| is_mark(c)).count();
    if texts.iter().map(count).sum::<usize>() != 1 {
        return;
    }
    for t in texts.iter_mut().filter(|t| count(t) == 1) {
        if let Some(i) = t.find(is_mark) {
            let end = i + '“'.len_utf8();
            if gap_at(t, i, end) {
                *t = close_gap(t, i, end);
            }
        }
    }
}

/// Widest tail a wrap leaves of a headline's line.
const WRAP_TAIL: usize = 3;
/// Widest line of a headline wrapped as `parts_read_apart` finds it: one set in a narrow column.
const WRAP_LINE: usize = 12;

/// A headline in two parts (`非遗传承 来到身边`) wrapped in a narrow column prints `非遗传承 来到`
/// over `身边`. A converter that takes the gap between the parts for a gutter reads the first
/// part with the tail under it as one block and the second part as the next, after a blank
/// line: `非遗传承` / `身边` / `来到`. Three such lines (Han text right under a wider line, then
/// after a blank line a part no wider than that line; the tail a few characters and the parts
/// narrow enough to share a line, or the tail finishing the word the part ends on) are the one
/// line they were, parts in printed order: `非遗传承 来到身边`. A tail that finishes the word its
/// own line ends on (`…正当` / `时`) is that line's.
fn parts_read_apart(texts: &mut Vec<String>, levels: &mut Vec<u8>, blank: &mut Vec<bool>) {
    let mut i = 0;
    while i + 2 < texts.len() {
        let (first, tail, part) = (&texts[i], &texts[i + 1], &texts[i + 2]);
        let shaped = tail.chars().all(is_han)
            && width(tail) < width(first)
            && !word_spans_cut(first, tail)
            && !part.contains(' ')
            && part.chars().next().is_some_and(is_han)
            && width(part) <= width(first);
        // Narrow enough to have shared a line, or the tail finishes the word the part ends on
        // (`…厚植乡村文化` / `动乡村振兴` / `推`).
        let fits = (width(tail) <= WRAP_TAIL && width(first) + width(part) <= WRAP_LINE)
            || word_spans_cut(part, tail);
        if shaped && fits && !blank[i + 1] && blank[i + 2] {
            texts[i] = format!("{first} {part}{tail}");
            levels[i] = levels[i].min(levels[i + 1]).min(levels[i + 2]);
            texts.drain(i + 1..i + 3);
            levels.drain(i + 1..i + 3);
            blank.drain(i + 1..i + 3);
        }
        i += 1;
    }
}

/// Is `t[start..end]` set between Han characters, spaces aside?
fn gap_at(t: &str, start: usize, end: usize) -> bool {
    let before = t[..start].trim_end().chars().next_back();
    let after = t[end..].trim_start().chars().next();
    before.is_some_and(is_han) && after.is_some_and(is_han)
}

/// `t` with `t[start..end]` and the spaces around it made one space.
fn close_gap(t: &str, start: usize, end: usize) -> String {
    format!("{} {}", t[..start].trim_end(), t[end..].trim_start())
}

/// Tells kicker, title and subtitle apart. Markdown levels rank the lines where the dump kept
/// them (the biggest type is the title); otherwise a line ending in a speech verb is a kicker,
/// a line opening with `——` a subtitle, and of two plain lines the longer is the title.
pub fn resolve(lines: &[HeadLine]) -> Headline {
    // A jump marker read among headline lines (OCR prints it out of place) is none of them.
    let lines: Vec<&HeadLine> = lines.iter().filter(|l| !only_jump(&l.text, true)).collect();
    // A jump marker OCR read onto a headline's line (`（下转第2版） 你的心愿 我来倾听`) is no part
    // of it.
    let mut texts: Vec<String> = lines
        .iter()
        .map(|l| JUMP_TO.replace_all(&l.text, " ").trim().to_string())
        .collect();
    let mut levels: Vec<u8> = lines.iter().map(|l| l.level.unwrap_or(9)).collect();
    let mut blank: Vec<bool> = lines.iter().map(|l| l.blank_before).collect();
    parts_read_apart(&mut texts, &mut levels, &mut blank);
    wrapped_words(&mut texts, &mut levels, &mut blank);
    lone_quote_gaps(&mut texts);
    // One line holding `kicker 强调 title`: split at the speech verb.
    if texts.len() == 1 {
        if let Some((k, t)) = split_single(&texts[0]) {
            texts = vec![k, t];
            levels = vec![9, 9];
        }
    }
    let n = texts.len();
    if n == 0 {
        return Headline::default();
    }
    let strs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (mut lo, mut hi) = (0, n); // title = strs[lo..hi]
    let min = levels.iter().copied().min().unwrap_or(9);
    // Markdown ranks the lines only when one line alone has the biggest type.
    if min < 9 && levels.iter().filter(|&&l| l == min).count() == 1 {
        lo = levels.iter().position(|&l| l == min).unwrap_or(0);
        hi = lo + 1;
    } else if n >= 2 {
        let kicker = is_kicker(strs[0]);
        let sub_last = strs[n - 1].starts_with("——") || strs[n - 1].starts_with("--");
        if kicker {
            lo = 1;
        }
        if sub_last && n - lo >= 2 {
            hi = n - 1;
        }
        if !kicker && !sub_last && wrapped_narrow(&strs) {
            // One headline wrapped in a narrow column: its lines read as one title.
            return Headline {
                title: Some(repair_title(strs.concat())),
                ..Headline::default()
            };
        }
        if !kicker && !sub_last {
            if n == 2 {
                if width(strs[0]) > width(strs[1]) {
                    hi = 1;
                } else {
                    lo = 1;
                }
            } else {
                (lo, hi) = (1, 2);
            }
        }
    }
    Headline {
        kicker: join(&strs[..lo]),
        title: join(&strs[lo..hi]).map(repair_title),
        subtitle: join(&strs[hi..]).map(|s| s.trim_start_matches(['—', '-']).trim().to_string()),
    }
}

fn split_single(line: &str) -> Option<(String, String)> {
    for verb in ["强调", "指出", "表示", "要求", "寄语"] {
        if let Some(pos) = line.find(&format!("{verb} ")) {
            let (k, t) = line.split_at(pos + verb.len());
            if width(k) >= 6 && width(t.trim()) >= 4 {
                return Some((k.trim().to_string(), t.trim().to_string()));
            }
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
