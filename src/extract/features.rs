//! Line features: what the page model knows about each line when it scores the line's role.
//! Length against the column's width, punctuation, markdown level and bold, blank lines and
//! indents, lexical cues (bylines, datelines, furniture, jump markers, 编者按), position on the
//! page, the same facts about the neighbouring lines, and whether the line's words recur in the
//! lines after or before it (a headline's words recur in its own body). Features are hashed
//! names; the weights that make them mean something are fitted (`fit`), not written here.

use std::collections::HashMap;

use super::layout::{ends_sentence, has_prose_marks, is_han, width};
use super::lines::PageLine;
use super::tagger::{Rule, Tag};
use super::{byline, date, furniture};

/// A hashed feature name (FNV-1a of the name and a small value).
pub type Feature = u64;

/// Hashes a feature name with a value.
pub fn feature(name: &str, value: u32) -> Feature {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes().chain(value.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Facts about one line used for it and for its neighbours' features.
#[derive(Debug, Clone, Default)]
struct Shape {
    width: usize,
    ratio: u32,
    ends: bool,
    punct: u32,
    headline: bool,
    byline: bool,
    names: bool,
    dateline: bool,
    furniture: bool,
    level: u32,
    starts_mid: bool,
}

fn bucket(w: usize) -> u32 {
    match w {
        0..=4 => 0,
        5..=8 => 1,
        9..=12 => 2,
        13..=16 => 3,
        17..=20 => 4,
        21..=25 => 5,
        26..=32 => 6,
        33..=45 => 7,
        46..=70 => 8,
        _ => 9,
    }
}

fn ratio_bucket(w: usize, col: usize) -> u32 {
    let r = w * 100 / col.max(1);
    match r {
        0..=29 => 0,
        30..=49 => 1,
        50..=69 => 2,
        70..=89 => 3,
        90..=104 => 4,
        105..=150 => 5,
        _ => 6,
    }
}

fn shape(l: &PageLine, col: usize) -> Shape {
    let t = l.text.as_str();
    let w = width(t);
    Shape {
        width: w,
        ratio: ratio_bucket(w, col),
        ends: ends_sentence(t),
        punct: t
            .chars()
            .filter(|c| matches!(c, '。' | '，' | ',' | '；' | '！' | '？' | '、'))
            .count()
            .min(3) as u32,
        headline: w <= 40 && !has_prose_marks(t),
        byline: byline::is_byline_line(t),
        names: byline::names_only(t).is_some(),
        dateline: byline::split_dateline(t).is_some(),
        furniture: furniture::is_furniture(t) || furniture::is_label(t),
        level: l.level.map_or(0, u32::from),
        starts_mid: t.starts_with([
            '，', '。', '、', '；', '：', '！', '？', '）', '”', '」', '』', ',', '.', ')',
        ]),
    }
}

/// Han character pairs of a line, as keys.
fn pairs(t: &str) -> Vec<u64> {
    let han: Vec<char> = t.chars().filter(|&c| is_han(c)).collect();
    let mut p: Vec<u64> = han
        .windows(2)
        .map(|w| (u64::from(w[0] as u32) << 32) | u64::from(w[1] as u32))
        .collect();
    p.sort_unstable();
    p.dedup();
    p
}

/// Where each character pair occurs on the page (line numbers, ascending).
struct Occurrences {
    per_line: Vec<Vec<u64>>,
    at: HashMap<u64, Vec<u32>>,
}

impl Occurrences {
    fn new(lines: &[PageLine]) -> Self {
        let per_line: Vec<Vec<u64>> = lines.iter().map(|l| pairs(&l.text)).collect();
        let mut at: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, ps) in per_line.iter().enumerate() {
            for &p in ps {
                at.entry(p).or_default().push(i as u32);
            }
        }
        Occurrences { per_line, at }
    }

    /// Share (bucketed) of the distinct pairs of lines `a..b` found in lines `lo..hi`.
    fn window_share(&self, a: usize, b: usize, lo: usize, hi: usize) -> u32 {
        if lo >= hi || a >= b {
            return 9;
        }
        let mut ps: Vec<u64> = self.per_line[a..b].iter().flatten().copied().collect();
        ps.sort_unstable();
        ps.dedup();
        if ps.is_empty() {
            return 9;
        }
        let found = ps
            .iter()
            .filter(|p| {
                self.at.get(p).is_some_and(|v| {
                    let k = v.partition_point(|&x| (x as usize) < lo);
                    v.get(k).is_some_and(|&x| (x as usize) < hi)
                })
            })
            .count();
        match found * 20 / ps.len() {
            0 => 0,
            1 => 1,
            2..=3 => 2,
            4..=6 => 3,
            _ => 4,
        }
    }

    /// Share (in tenths, bucketed) of line `i`'s pairs found in lines `lo..hi` (other than `i`).
    fn share(&self, i: usize, lo: usize, hi: usize) -> u32 {
        let ps = &self.per_line[i];
        if ps.is_empty() || lo >= hi {
            return 9; // no pairs: its own value
        }
        let found = ps
            .iter()
            .filter(|p| {
                self.at.get(p).is_some_and(|v| {
                    let k = v.partition_point(|&x| (x as usize) < lo);
                    v[k..]
                        .iter()
                        .take_while(|&&x| (x as usize) < hi)
                        .any(|&x| x as usize != i)
                })
            })
            .count();
        match found * 10 / ps.len() {
            0 => 0,
            1..=2 => 1,
            3..=4 => 2,
            5..=7 => 3,
            _ => 4,
        }
    }
}

/// Lines on each side compared for a change of topic.
const TOPIC: usize = 4;

/// How far ahead and back a line's words are looked for.
const WINDOW: usize = 12;

/// The features of every line of a page.
pub fn page(lines: &[PageLine], hints: &[Tag]) -> Vec<Vec<Feature>> {
    let col = super::lines::text_width(lines);
    let shapes: Vec<Shape> = lines.iter().map(|l| shape(l, col)).collect();
    let occ = Occurrences::new(lines);
    let n = lines.len();
    let mut out = Vec::with_capacity(n);
    for (i, l) in lines.iter().enumerate() {
        let s = &shapes[i];
        let t = l.text.as_str();
        let mut f = Vec::with_capacity(64);
        let mut add = |name: &str, v: u32| f.push(feature(name, v));
        add("bias", 0);
        add("w", bucket(s.width));
        add("r", s.ratio);
        add("ends", u32::from(s.ends));
        add("punct", s.punct);
        add("head", u32::from(s.headline));
        add("byline", u32::from(s.byline));
        add("names", u32::from(s.names));
        add("dateline", u32::from(s.dateline));
        add("furn", u32::from(s.furniture));
        add("lvl", s.level);
        add("bold", u32::from(l.bold));
        add("ind", u32::from(l.indented));
        add("bb", u32::from(l.blank_before));
        add("ba", u32::from(l.blank_after));
        add("mid", u32::from(s.starts_mid));
        add("head&r", u32::from(s.headline) * 10 + s.ratio);
        add("ends&r", u32::from(s.ends) * 10 + s.ratio);
        add("lvl&head", s.level * 2 + u32::from(s.headline));
        add("mast", u32::from(date::masthead_line(t).is_some()));
        let lead = opens_like_a_lead(t);
        add("lead", u32::from(lead));
        if i > 0 {
            add(
                "p.ends&lead",
                u32::from(shapes[i - 1].ends) * 2 + u32::from(lead),
            );
        }
        add("trail", u32::from(byline::split_trailing(t).is_some()));
        add("last", last_char_class(t));
        add("first", first_char_class(t));
        for (cue, name) in CUES {
            if t.contains(cue) {
                add(name, 1);
            }
        }
        add("pos", position(i, n));
        // What the segmentation rules say about this line and the one before.
        let hint = |k: usize| hints.get(k).map_or(9, |t| t.index() as u32);
        add("rule", hint(i));
        if i > 0 {
            add("rule&p.rule", hint(i - 1) * 10 + hint(i));
        }
        // The characters a line opens and closes with (本报, 记者, 近日, 摄, 。…), as words.
        // A line's mark is read as any mark: pages set bylines and briefs after ■, □ or ◆
        // alike, and a mark the fitted pages never showed would only find whatever weight its
        // hash shares.
        let mut cs = t.chars().map(one_mark);
        let c0 = cs.next().map_or(0, u32::from);
        let c1 = cs.next().map_or(0, u32::from);
        add("c0", c0);
        add("c01", c0.wrapping_mul(0x10_0003) ^ c1);
        add("cz", t.chars().last().map(one_mark).map_or(0, u32::from));
        match i.checked_sub(1).map(|p| &shapes[p]) {
            Some(p) => {
                add("p.r", p.ratio);
                add("p.ends", u32::from(p.ends));
                add("p.head", u32::from(p.headline));
                add("p.byline", u32::from(p.byline || p.names));
                add("p.dateline", u32::from(p.dateline));
                add("p.furn", u32::from(p.furniture));
                add("p.lvl", p.level);
                add("p.ends&r", u32::from(p.ends) * 10 + s.ratio);
                add("p.r&r", p.ratio * 10 + s.ratio);
                add(
                    "p.ends&mid",
                    u32::from(p.ends) * 2 + u32::from(s.starts_mid),
                );
                add(
                    "p.ends&bb",
                    u32::from(p.ends) * 2 + u32::from(l.blank_before),
                );
                add(
                    "p.head&head",
                    u32::from(p.headline) * 2 + u32::from(s.headline),
                );
            }
            None => add("p.none", 1),
        }
        match shapes.get(i + 1) {
            Some(x) => {
                add("n.r", x.ratio);
                add("n.ends", u32::from(x.ends));
                add("n.head", u32::from(x.headline));
                add("n.byline", u32::from(x.byline));
                add("n.names", u32::from(x.names));
                add("n.dateline", u32::from(x.dateline));
                add("n.lvl", x.level);
                add("n.mid", u32::from(x.starts_mid));
                add(
                    "n.head&head",
                    u32::from(x.headline) * 2 + u32::from(s.headline),
                );
            }
            None => add("n.none", 1),
        }
        if let Some(x) = shapes.get(i + 2) {
            add("nn.byline", u32::from(x.byline || x.dateline));
        }
        let ahead = occ.share(i, i + 1, (i + 1 + WINDOW).min(n));
        let behind = occ.share(i, i.saturating_sub(WINDOW), i);
        let near = occ.share(i, i.saturating_sub(2), (i + 3).min(n));
        add("ahead", ahead);
        add("behind", behind);
        add("near", near);
        add("head&ahead", u32::from(s.headline) * 10 + ahead);
        // Topic shift: do the next lines share words with the lines before this one?
        let shift = occ.window_share(i, (i + TOPIC).min(n), i.saturating_sub(TOPIC), i);
        add("shift", shift);
        add("shift&bb", shift * 2 + u32::from(l.blank_before));
        add(
            "shift&p.ends",
            shift * 2 + u32::from(i > 0 && shapes[i - 1].ends),
        );
        add("head&behind", u32::from(s.headline) * 10 + behind);
        out.push(f);
    }
    out
}

/// Does the line open the way news leads open: a date (`2月2日，`, `23日`), or a time word
/// (`近日`, `日前`, `昨天`, `今年以来`)?
pub fn opens_like_a_lead(t: &str) -> bool {
    const WORDS: &[&str] = &[
        "近日",
        "日前",
        "昨日",
        "昨天",
        "今天",
        "今日",
        "今年",
        "去年",
        "前不久",
        "近年来",
        "目前",
        "当天",
        "日，",
        "本报讯",
    ];
    if WORDS.iter().any(|w| t.starts_with(w)) {
        return true;
    }
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 4 {
        return false;
    }
    let rest: String = t.chars().skip(digits).take(6).collect();
    rest.starts_with('月') || rest.starts_with('日') || rest.starts_with('年')
}

/// The grammar's rule for each line (see [`Rule`]).
pub fn rules(lines: &[PageLine]) -> Vec<Rule> {
    let datelines: Vec<bool> = lines
        .iter()
        .map(|l| byline::split_dateline(&l.shown).is_some())
        .collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut closed = false;
    for (i, l) in lines.iter().enumerate() {
        let t = l.shown.as_str();
        let parsed = byline::parse_line(t);
        let opens = datelines[i] || super::assemble::jumps_from(t);
        let leads = !opens
            && parsed.as_ref().is_some_and(|b| !b.bracketed && !b.photo)
            && datelines.get(i + 1) == Some(&true);
        out.push(if leads {
            Rule::LeadsDateline
        } else if opens && closed {
            Rule::MustOpen
        } else if opens {
            Rule::Opens
        } else if closed {
            Rule::AfterClose
        } else {
            Rule::Free
        });
        // A bracketed byline ends its story; so does a photo credit (`记者 张三 摄`): a photo
        // item is its caption and the credit under it, and text after the credit is another
        // story's (or a fragment the reading-order repair puts back where it belongs).
        // A byline that names photographers above a story (`文字 张三 摄影 李四`) opens it.
        let credit = t.trim_end_matches([' ', ')', '）']).ends_with('摄');
        let ends_story = |b: &byline::Byline| b.bracketed || (b.photo && credit);
        closed = parsed.as_ref().is_some_and(ends_story)
            || byline::split_trailing(t).is_some_and(|(_, b)| ends_story(&b));
    }
    out
}

/// Lexical cues: a cue anywhere in the line sets its feature.
const CUES: &[(&str, &str)] = &[
    ("记者", "c.reporter"),
    ("通讯员", "c.corr"),
    ("摄", "c.photo"),
    ("讯", "c.xun"),
    ("电", "c.dian"),
    ("编者按", "c.note"),
    ("编后", "c.note"),
    ("【", "c.bracket"),
    ("——", "c.dash"),
    ("·", "c.dot"),
    ("版", "c.ban"),
    ("第", "c.di"),
    ("星期", "c.week"),
    ("上接", "c.jump"),
    ("下转", "c.jump"),
    ("接第", "c.jump"),
    ("转第", "c.jump"),
    ("图为", "c.tuwei"),
    ("月", "c.yue"),
    ("日", "c.ri"),
    ("责任编辑", "c.editor"),
    ("http", "c.url"),
    ("：", "c.colon"),
    (":", "c.colon"),
];

fn position(i: usize, n: usize) -> u32 {
    match i {
        0 => 0,
        1 => 1,
        2..=3 => 2,
        4..=7 => 3,
        _ if i + 1 == n => 5,
        _ => 4,
    }
}

fn last_char_class(t: &str) -> u32 {
    match t.chars().last() {
        Some('。' | '！' | '？' | '!' | '?') => 1,
        Some('，' | ',' | '、') => 2,
        Some('：' | ':') => 3,
        Some('”' | '"' | '’') => 4,
        Some('）' | ')') => 5,
        Some('】') => 6,
        Some('；' | ';') => 7,
        Some(c) if c.is_ascii_digit() => 8,
        Some(c) if is_han(c) => 9,
        _ => 10,
    }
}

/// The marks a page sets before a byline or an item (■ 记者 张三, ◆近日…: `byline::MARKS`), as one.
fn one_mark(c: char) -> char {
    if is_mark(c) {
        '□'
    } else {
        c
    }
}

fn is_mark(c: char) -> bool {
    byline::MARKS.contains(&c)
}

fn first_char_class(t: &str) -> u32 {
    match t.chars().next() {
        Some('“' | '"' | '‘') => 1,
        Some('（' | '(') => 2,
        Some('【' | '[') => 3,
        Some('—' | '-') => 4,
        Some(c) if is_mark(c) => 5,
        Some(c) if c.is_ascii_digit() => 6,
        Some('一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十') => 7,
        Some(c) if is_han(c) => 8,
        _ => 9,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::lines::lines;
    use super::*;

    #[test]
    fn a_headline_whose_words_recur_below_is_seen_to_recur() {
        let l = lines("新区建设加快推进\n本报讯 今年以来，新区建设加快推进，一批项目落地。\n");
        let f = page(&l, &[]);
        assert!(f[0].contains(&feature("ahead", 4)));
        assert!(f[0].contains(&feature("head", 1)));
        assert!(f[1].contains(&feature("dateline", 1)));
        assert!(f[1].contains(&feature("p.head", 1)));
    }

    #[test]
    fn a_byline_after_any_mark_is_read_alike_and_tagged_a_byline() {
        let page_with = |mark: char| {
            format!(
                "青溪日报\n\n南山镇八个重点项目集中开工\n\n{mark}记者 林小舟\n\n\
                 3月2日，南山镇举行重点项目集中\n开工仪式，此次集中开工项目共8个，\n\
                 总投资达12.4亿元。\n\u{c}"
            )
        };
        let of = |mark: char| {
            let text = page_with(mark);
            super::super::line_features(&text, &lines(&text))
        };
        assert_eq!(of('■'), of('□'));
        assert_eq!(of('◆'), of('□'));
        let (l, tags) = super::super::tag_text(&page_with('■'), super::super::tagger::fitted());
        let at = l.iter().position(|x| x.text.contains("林小舟")).unwrap();
        assert!(
            matches!(tags[at], Tag::Byline | Tag::BylineOpen),
            "{:?}",
            tags[at]
        );
    }

    #[test]
    fn features_are_deterministic_and_distinct() {
        assert_eq!(feature("w", 3), feature("w", 3));
        assert_ne!(feature("w", 3), feature("w", 4));
        assert_ne!(feature("r", 3), feature("w", 3));
    }
}
