//! Bylines a narrow column wrapped over two or three lines, made whole lines before roles are
//! given: whole, a byline parses, closes its story where it should and names everyone.

use super::super::super::byline;
use super::super::super::furniture;
use super::super::super::layout::width;
use super::super::cut::Line;

/// Bylines the column wrapped are made whole lines: a bracketed one cut before its closing
/// bracket (`（记者 朱星然 通讯员` / `王晨旭）`), which then closes its story (the text after it
/// is often the rest of another story the columns interleaved); one cut inside a word
/// (`绍兴市新闻传媒中心全媒` / `体记者 王旭东`); and one that follows the story's last sentence on
/// its line and runs on over the next (`…小康。作者： 记者` / `陆晨晖 通讯员 俞大庆` / `李瑶`), split
/// from that sentence onto a line of its own. A line break between two names parts them.
pub(super) fn wrapped_bylines(lines: &[Line]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut k = 0;
    while k < lines.len() {
        let l = &lines[k];
        if let Some(next) = lines.get(k + 1).filter(|n| !l.picture && !n.picture) {
            if byline::byline_bracket_open(&l.text) {
                let text = format!("{}\n{}", l.text.trim_end(), next.text.trim_start());
                if byline::parse_line(&text).is_some_and(|b| b.bracketed && !b.names.is_empty()) {
                    out.push(merged(l, &lines[k + 1..k + 2], text));
                    k += 2;
                    continue;
                }
            }
            if let Some(text) = cut_in_a_word(l, next)
                .or_else(|| name_wrapped(l, next))
                .or_else(|| role_cut(l, next))
            {
                out.push(merged(l, &lines[k + 1..k + 2], text));
                k += 2;
                continue;
            }
        }
        if let Some((head, n, text)) = runs_on_after_the_last_sentence(&lines[k..]) {
            out.push(Line {
                text: head,
                ..l.clone()
            });
            let credit = Line {
                indented: false,
                gap_before: false,
                ..merged(&lines[k + 1], &lines[k + 2..=k + n], text)
            };
            out.push(credit);
            k += n + 1;
            continue;
        }
        out.push(l.clone());
        k += 1;
    }
    out
}

/// `first` and the lines after it as one line of `text`.
fn merged(first: &Line, rest: &[Line], text: String) -> Line {
    let rect = rest.iter().fold(first.rect, |r, n| r.union(&n.rect));
    let size = rest.iter().fold(first.size, |s, n| s.max(n.size));
    Line {
        text,
        rect,
        size,
        ..first.clone()
    }
}

/// Same type, no sentence marks, not far wider than a byline: a line a byline may run over.
fn credit_shaped(l: &Line, like: &Line) -> bool {
    let t = l.text.trim();
    !l.picture
        && !t.is_empty()
        && width(t) <= 24
        && !t.contains(['。', '，', '！', '？', '；'])
        && (l.size - like.size).abs() < like.size * 0.1
        && l.bold == like.bold
        && !furniture::is_furniture(t)
        && !furniture::is_label(t)
}

/// A byline cut inside a word, whole: neither line is one alone, joined they are.
fn cut_in_a_word(l: &Line, next: &Line) -> Option<String> {
    if !credit_shaped(l, l) || !credit_shaped(next, l) || byline::parse_line(&l.text).is_some() {
        return None;
    }
    let (a, b) = (l.text.trim(), next.text.trim());
    [format!("{a}{b}"), format!("{a} {b}")]
        .into_iter()
        .find(|t| byline::parse_line(t).is_some_and(|b| !b.names.is_empty() && !b.bracketed))
}

/// A byline whose last name, or last names, the column wrapped onto a short line of their
/// own (`记者 俞立青 实习生 阮伟` / `萍`, `…摄影 马玉龙` / `吴燕钧`), whole: glued where that
/// reads as names, else parted at the wrap.
fn name_wrapped(l: &Line, next: &Line) -> Option<String> {
    let b = byline::parse_line(&l.text).filter(|b| !b.bracketed)?;
    let tail = next.text.trim();
    if !credit_shaped(next, l) || width(tail) > 8 || byline::parse_line(tail).is_some() {
        return None;
    }
    let names = |t: &str| byline::parse_line(t).map(|b| b.names.len());
    let a = l.text.trim();
    let (glued, spaced) = (format!("{a}{tail}"), format!("{a} {tail}"));
    let (best, n) = match (names(&glued), names(&spaced)) {
        (Some(g), Some(s)) if s > g => (spaced, s),
        (Some(g), _) => (glued, g),
        (None, Some(s)) => (spaced, s),
        (None, None) => return None,
    };
    (n >= b.names.len().max(1)).then_some(best)
}

/// Role words a wrap may cut (`…闾高桥 摄` / `影 马玉龙 吴燕钧`).
const ROLE_WORDS: &[&str] = &[
    "摄影",
    "记者",
    "通讯员",
    "实习生",
    "编辑",
    "作者",
    "文字",
    "图片",
    "特约",
    "见习",
    "首席",
];

/// A byline cut inside a role word, whole, when whole it names everyone the first line names
/// and more.
fn role_cut(l: &Line, next: &Line) -> Option<String> {
    let first = byline::parse_line(&l.text).filter(|b| !b.bracketed)?;
    let (a, b) = (l.text.trim(), next.text.trim());
    let junction: String = a
        .chars()
        .next_back()
        .into_iter()
        .chain(b.chars().next())
        .collect();
    if !credit_shaped(next, l)
        || junction.chars().count() < 2
        || !ROLE_WORDS.iter().any(|w| w.contains(junction.as_str()))
    {
        return None;
    }
    let glued = format!("{a}{b}");
    let whole = byline::parse_line(&glued).filter(|w| !w.bracketed)?;
    (whole.names.len() > first.names.len() && first.names.iter().all(|n| whole.names.contains(n)))
        .then_some(glued)
}

/// The first line's text up to its last sentence, how many lines after it the byline that
/// follows runs over, and that byline whole, when the lines after it add names to it.
fn runs_on_after_the_last_sentence(lines: &[Line]) -> Option<(String, usize, String)> {
    let l = lines.first().filter(|l| !l.picture)?;
    let t = l.text.trim_end();
    let end = t.rfind(['。', '！', '？'])?;
    let end = end + t[end..].chars().next().map_or(0, char::len_utf8);
    let end = if t[end..].starts_with('”') {
        end + '”'.len_utf8()
    } else {
        end
    };
    let (head, tail) = (&t[..end], t[end..].trim());
    if tail.is_empty() || tail.contains(['，', '。', '；']) {
        return None;
    }
    let names = |t: &str| {
        byline::parse_line(t)
            .filter(|b| !b.bracketed)
            .map_or(0, |b| b.names.len())
    };
    let alone = names(tail);
    let mut text = tail.to_string();
    let mut best = None;
    for (n, next) in lines.iter().enumerate().skip(1).take(2) {
        if !credit_shaped(next, l) {
            break;
        }
        // A wrap inside a word (`摄影报` / `道`) first, else between two names.
        let next = next.text.trim();
        let glued = format!("{text}{next}");
        let found = match names(&glued) {
            0 => {
                let spaced = format!("{text} {next}");
                let n = names(&spaced);
                text = if n > 0 { spaced } else { glued };
                n
            }
            n => {
                text = glued;
                n
            }
        };
        if found > alone {
            best = Some((head.to_string(), n, text.clone()));
        }
    }
    best
}
