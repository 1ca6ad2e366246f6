//! Layout repair: page text → units (paragraph candidates) with the damage of a PDF/OCR dump
//! undone. Lines hard-wrapped by narrow columns are joined back into paragraphs, markdown residue
//! (`#` headings, `**bold**`, trailing double-space breaks) is stripped while the heading level is
//! kept as a signal, and column-gap spaces between CJK characters are closed. Paragraphs cut
//! mid-sentence across blocks are joined later, by segmentation, once it knows which units are
//! running text. This module decides nothing about articles.

use super::{byline, furniture};

/// One paragraph candidate: a heading, a line, or a run of joined lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Text with markdown residue removed and surrounding whitespace trimmed.
    pub text: String,
    /// Markdown heading level (`#` = 1) when the dump printed the line as a heading.
    pub level: Option<u8>,
    /// Whether the block this unit came from reads as running text (it holds sentence
    /// punctuation, commas or long lines): a short line there is a fragment, not a headline.
    pub in_prose_block: bool,
    /// Index of the blank-line separated block the unit came from.
    pub block: usize,
    /// It opens with an indent in a block where indents mark paragraphs (some lines indented,
    /// others not): a new paragraph, never the continuation of a sentence cut before it.
    pub indented: bool,
    /// The dump set the whole line in bold (`**…**`), as markdown converters print display type.
    pub bold: bool,
    /// The column's measure: the printed width of its first line, when the unit joined two or
    /// more lines of a hard wrap (a paragraph's first line runs the column's full width, its
    /// last may not; a line a dump left unwrapped may run on); 0 when unknown.
    pub measure: usize,
    /// How the first line of a hard-wrapped page's block stands against its column's measure
    /// (set on the block's first unit only).
    pub opening: Opening,
}

/// Is `c` a Han character (CJK ideograph, including `〇`)?
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF | 0x3007)
}

/// Is `c` CJK punctuation (full-width forms, curly quotes, ellipsis, middle dot, dashes)?
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2018..=0x201F | 0x2026 | 0x00B7 | 0x2014 | 0x25A0..=0x25FF)
}

fn is_cjkish(c: char) -> bool {
    is_han(c) || is_cjk_punct(c)
}

/// Closing quotes and brackets that may follow a sentence's final punctuation.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\'' | '》' | '】' | ' '
    )
}

/// Does `s` end a sentence (。！？… or ；, possibly followed by closing quotes/brackets, or by a
/// bracketed note such as a trailing byline `。（记者 张三）`)?
pub fn ends_sentence(s: &str) -> bool {
    let trimmed = s.trim_end_matches(is_closer);
    if matches!(
        trimmed.chars().last(),
        Some('。' | '！' | '？' | '!' | '?' | '…' | '；' | ';')
    ) {
        return true;
    }
    let s = s.trim_end();
    if !s.ends_with(['）', ')']) {
        return false;
    }
    // A short bracketed note after the sentence's end.
    match s.rfind(['（', '(']) {
        Some(open) => {
            let note = &s[open..];
            width(note) <= 24 && !note.chars().skip(1).any(|c| matches!(c, '（' | '(')) && {
                let before = s[..open].trim_end().trim_end_matches(is_closer);
                matches!(
                    before.chars().last(),
                    Some('。' | '！' | '？' | '!' | '?' | '…')
                )
            }
        }
        None => false,
    }
}

/// Does `s` hold sentence punctuation or a comma anywhere (the marks of running text)?
pub fn has_prose_marks(s: &str) -> bool {
    s.contains(['。', '，', ',', '；', '！', '？', '、'])
}

/// Commas or sentence punctuation (an enumeration comma `、` alone does not make a sentence: it
/// appears in numbered headings like `一、抓好项目建设`).
fn has_sentence_marks(s: &str) -> bool {
    s.contains(['。', '，', ',', '；', '！', '？'])
}

/// Number of characters, the unit of every length rule here.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// Removes the spaces a column gap left between CJK characters (and between CJK and digits or
/// ASCII punctuation), keeping the spaces between Latin words and between numbers. Runs of
/// spaces elsewhere collapse to one.
pub fn close_gaps(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\u{3000}' || c == '\t' {
            let start = i;
            while i < chars.len() && matches!(chars[i], ' ' | '\u{3000}' | '\t') {
                i += 1;
            }
            let (Some(&a), Some(&b)) = (out.chars().last().as_ref(), chars.get(i)) else {
                continue; // leading or trailing run
            };
            let glue = |x: char, y: char| {
                (is_cjkish(x) && is_cjkish(y))
                    || (is_han(x) && (y.is_ascii_digit() || y.is_ascii_punctuation()))
                    || ((x.is_ascii_digit() || x.is_ascii_punctuation()) && is_han(y))
                    || (is_cjk_punct(x) && y.is_ascii_alphanumeric())
                    || (x.is_ascii_alphanumeric() && is_cjk_punct(y))
            };
            if !glue(a, b) && start < i {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Joins two pieces of one paragraph: no space where CJK meets, one space between Latin words.
pub fn join_pieces(a: &mut String, b: &str) {
    let b = b.trim();
    let need_space = match (a.chars().last(), b.chars().next()) {
        (Some(x), Some(y)) => !(is_cjkish(x) || is_cjkish(y)),
        _ => false,
    };
    if need_space {
        a.push(' ');
    }
    a.push_str(b);
}

/// Lines wider than this were not hard-wrapped by a newspaper column: a sentence end there ends
/// the paragraph.
const UNWRAPPED: usize = 45;

/// A line with its markdown residue removed.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub(super) text: String,
    pub(super) level: Option<u8>,
    pub(super) indented: bool,
    pub(super) bold: bool,
    /// Characters of the line as printed (markdown marks included), trimmed: what a hard wrap
    /// counts.
    pub(super) printed: usize,
}

pub(super) fn clean_line(raw: &str) -> Line {
    let indented = raw.starts_with([' ', '\u{3000}', '\t']);
    let mut s = raw.trim();
    let mut level = None;
    if s.starts_with('#') {
        let hashes = s.bytes().take_while(|&b| b == b'#').count();
        let rest = &s[hashes..];
        if hashes <= 6 && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
            level = Some(hashes as u8);
            s = rest.trim();
        }
    }
    // A markdown list item is a mark the page printed (pymupdf4llm writes `□ 钱 宇` as
    // `- 钱 宇`): the mark it stood for comes back, so the line reads as printed.
    let marked;
    if let Some(rest) = s.strip_prefix(['-', '*', '+']) {
        if rest.starts_with(' ') && rest.trim_start().chars().next().is_some_and(is_han) {
            marked = format!("□{}", rest.trim_start());
            s = &marked;
        }
    }
    let untagged;
    if s.contains('<') {
        untagged = strip_inline_tags(s);
        s = untagged.trim();
    }
    let text = if s.contains("**") || s.contains('\u{3000}') || s.contains('\t') {
        s.replace("**", "")
            .replace(['\u{3000}', '\t'], " ")
            .trim()
            .to_string()
    } else {
        s.to_string()
    };
    Line {
        text,
        level,
        indented,
        bold: s.starts_with("**") && s.ends_with("**") && s.len() > 4,
        printed: raw.trim().chars().count(),
    }
}

/// Inline HTML that markdown converters write into text (pymupdf4llm underlines a paper's name,
/// `<u>上虞日报</u>`, and marks highlighted runs): the tags go, their text stays. Only these tags:
/// anything else in angle brackets is the page's own text.
fn strip_inline_tags(s: &str) -> String {
    const TAGS: &[&str] = &[
        "<u>",
        "</u>",
        "<mark>",
        "</mark>",
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<em>",
        "</em>",
        "<strong>",
        "</strong>",
        "<sup>",
        "</sup>",
        "<sub>",
        "</sub>",
        "<s>",
        "</s>",
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(tag) = TAGS.iter().find(|t| rest.starts_with(**t)) {
            rest = &rest[tag.len()..];
        } else if let Some(after) = rest.strip_prefix("<br>").or(rest.strip_prefix("<br/>")) {
            out.push(' ');
            rest = after;
        } else {
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The printed length most of a page's longer lines (8 characters or more) share, when at
/// least half of them do: the width a hard wrap cut them at; 0 otherwise.
fn wrap_width(text: &str) -> usize {
    let mut counts: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut long = 0;
    for l in text.lines() {
        let n = l.trim().chars().count();
        if n >= 8 {
            long += 1;
            *counts.entry(n).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(n, c)| (c, n))
        .filter(|&(_, c)| c * 2 >= long && c >= 3)
        .map_or(0, |(n, _)| n)
}

/// A line that is a unit of its own whatever its neighbours: a heading, a byline, furniture or a
/// jump marker.
fn stands_alone(line: &Line) -> bool {
    line.level.is_some()
        || byline::is_byline_line(&line.text)
        || byline::byline_bracket_open(&line.text)
        || furniture::is_furniture(&line.text)
        || furniture::is_label(&line.text)
}

/// Splits page text into units: blank-line separated blocks, with hard-wrapped lines joined.
pub fn units(text: &str) -> Vec<Unit> {
    // Does the page mark paragraphs by indents (some text lines indented, others not)?
    let mut seen = (false, false);
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        let ind = l.starts_with([' ', '\u{3000}', '\t']);
        seen = (seen.0 || ind, seen.1 || !ind);
    }
    let indent_page = seen.0 && seen.1;
    // The width a hard wrap cut the page's lines at: the most common printed length of its
    // longer lines, when most of them share it (0: not hard-wrapped).
    let wrap = wrap_width(text);
    // A converter that ends pages with form feeds set its headlines apart from their leads;
    // only text wrapped by hand or by OCR glues a headline to the line under it.
    let glued_headlines = !text.contains('\u{c}');
    let mut out: Vec<Unit> = Vec::new();
    let mut block: Vec<Line> = Vec::new();
    let mut block_no = 0;
    for raw in text.lines().chain(std::iter::once("")) {
        let line = clean_line(raw);
        if line.text.is_empty() {
            if !block.is_empty() {
                if let Some(last) = out.last_mut().filter(|u| names_under_role(u, &block)) {
                    // A byline set on two lines that a converter wrote as blocks of their own
                    // (`全媒体记者` / blank line / `王旭东`): the names go on the role's line.
                    last.text.push(' ');
                    last.text.push_str(&block[0].text);
                } else if is_verse(&block, out.last()) {
                    verse(&block, block_no, &mut out);
                } else {
                    split_block(
                        &block,
                        block_no,
                        (indent_page, glued_headlines, wrap),
                        &mut out,
                    );
                }
                block.clear();
                block_no += 1;
            }
            continue;
        }
        block.push(line);
    }
    out
}

/// Share of a headline's words that recur in the text under it when the headline is set right
/// over it, without a blank line.
const HEADLINE_WORDS: f64 = 0.3;

/// Is a block's first line a headline set right over its hard-wrapped lead? It holds no
/// punctuation and stops short of the column's width; the line under it does not go on with a
/// clause the first line cut (`工程二` / `期、…`); and that text opens like a news lead (a date,
/// 近日, 本报讯) or goes on with the headline's words. Joined to its lead, it would be lost.
fn headline_over_lead(lines: &[Line], widest: usize) -> bool {
    let [first, second, ..] = lines else {
        return false;
    };
    let clause_goes_on = second
        .text
        .chars()
        .take(3)
        .any(|c| matches!(c, '、' | '，' | '。' | '；' | '：' | '）' | '”' | ','));
    if lines.len() < 3
        || first.level.is_some()
        || has_sentence_marks(&first.text)
        || width(&first.text) * 100 > widest * 85
        || clause_goes_on
    {
        return false;
    }
    let rest: String = lines[1..].iter().map(|l| l.text.as_str()).collect();
    super::features::opens_like_a_lead(&second.text)
        || super::headline::overlap(&first.text, &super::headline::han_text([rest.as_str()]))
            >= HEADLINE_WORDS
}

/// Longest text, in bytes, that can be a byline still waiting for its wrapped rest (40
/// characters of three bytes, with room for spaces).
const BYLINE_BYTES: usize = 160;

/// Splits a block into units; `page` tells whether the page marks paragraphs by indents and
/// whether a headline may stand glued to the lead under it.
fn split_block(lines: &[Line], block: usize, page: (bool, bool, usize), out: &mut Vec<Unit>) {
    let (indent_page, glued_headlines, wrap) = page;
    // A headline may list with `、` (`市人大常委会委员、法工委主任…一行来调研`): where a block
    // follows a finished text and its lines stop short of the column's measure (a headline's
    // type is bigger), its enumeration commas alone do not make it running text.
    let enumerates = !closed_before(out) || wrap == 0 || lines.iter().any(|l| l.printed >= wrap);
    let prose = lines.iter().any(|l| {
        l.level.is_none()
            && (has_sentence_marks(&l.text)
                || (enumerates && l.text.contains('、'))
                || width(&l.text) > 40)
    });
    let widest = lines.iter().map(|l| width(&l.text)).max().unwrap_or(0);
    let all_indented = lines.iter().all(|l| l.indented);
    // Indents mark paragraphs here: an indented line opens one, unindented lines continue it.
    let indent_marks = !all_indented && lines.iter().any(|l| l.indented);
    // Units of this block: the unit, whether it stands alone, its last line's width, its line
    // count, and whether it opened with an indent.
    let title_first =
        glued_headlines && prose && after_whole(out) && headline_over_lead(lines, widest);
    let mut built: Vec<(Unit, bool, usize, usize, bool)> = Vec::new();
    // The line before was a folio's date line (`2024年5月17日 星期五`): in a block of running
    // text (a page that lost its blank lines runs its first story on under the masthead), the
    // masthead ends there.
    let mut after_folio = false;
    for (k, line) in lines.iter().enumerate() {
        let folio = super::date::masthead_line(&line.text).is_some();
        let after_folio = std::mem::replace(&mut after_folio, folio);
        // A heading a hard wrap cut (`## 市政府第五次常` / `务会议召开`): printed as long as the
        // page's wrapped lines, it goes on in the line under it when that line is no wider, has
        // no punctuation and no mark of its own, and ends the block or stands over a dateline
        // or byline (a subtitle under a shorter heading stays a line of its own).
        if let Some((cur, ..)) = built.last_mut().filter(|b| {
            b.0.level.is_some() && b.3 == 1 && k > 0 && wrap > 0 && lines[k - 1].printed == wrap
        }) {
            let ends_head = || {
                lines
                    .get(k + 1)
                    .is_none_or(|n| stands_alone(n) || byline::split_dateline(&n.text).is_some())
            };
            if line.level.is_none()
                && !line.bold
                && !has_prose_marks(&line.text)
                && width(&line.text) < width(&cur.text)
                && !stands_alone(line)
                && ends_head()
            {
                cur.text.push_str(&line.text);
                continue;
            }
        }
        // A bracketed byline cut by a wrap takes the lines up to its closing bracket, the
        // break kept for the byline to tell a cut name from a space between names.
        // (Only a short unit can be a byline: long ones are not looked at again per line.)
        if let Some((cur, ..)) = built.last_mut().filter(|b| b.0.text.len() <= BYLINE_BYTES) {
            let bracket_open = byline::byline_bracket_open(&cur.text.replace('\n', " "))
                && width(&line.text) <= 40;
            // So does a dateline whose bracketed byline the wrap cut (`本报讯（通讯员 刘洋 记者` /
            // `赵磊）走进…`), whatever indent the line under it has.
            let dateline_open = byline::dateline_bracket_open(&cur.text);
            if bracket_open || dateline_open {
                cur.text.push('\n');
                cur.text.push_str(&line.text);
                continue;
            }
            // A byline that ends on a role takes the names the wrap put under it.
            if byline::byline_awaits_names(&cur.text) && byline::names_only(&line.text).is_some() {
                cur.text.push(' ');
                cur.text.push_str(&line.text);
                continue;
            }
            // So does the start of a role the wrap cut (`市融媒体中心全媒体` / `记者 张三`).
            if byline::role_cut_by_wrap(&cur.text, &line.text) {
                cur.text.push_str(&line.text);
                continue;
            }
        }
        // A teaser's page pointer wrapped onto a line of its own (`…采购高峰` / `详见第2版`)
        // goes back on the teaser's line, which is then the index furniture it is.
        if furniture::page_pointer(&line.text) {
            if let Some((cur, done, ..)) = built.last_mut() {
                cur.text.push(' ');
                cur.text.push_str(&line.text);
                *done = true; // the teaser ends here
                continue;
            }
        }
        let alone = stands_alone(line);
        let line_width = width(&line.text);
        let own_paragraph = line.indented && !all_indented;
        let first_unit = built.len() == 1;
        if let Some((cur, cur_alone, last_width, count, _)) = built.last_mut() {
            // A line that ends a sentence and stops short of the column's width ends its
            // paragraph; so does a line without any punctuation much shorter than the next (a
            // title or label set on its own line over running text).
            let paragraph_ended = ends_sentence(&cur.text)
                && (!prose || *last_width * 100 < widest * 85 || *last_width > UNWRAPPED);
            let short_title = prose
                && *count == 1
                && !has_sentence_marks(&cur.text)
                && (*last_width * 100 < line_width * 60 || (first_unit && title_first));
            let new_paragraph = alone
                || *cur_alone
                || own_paragraph
                || paragraph_ended
                || short_title
                || (after_folio && prose);
            if !new_paragraph {
                if prose {
                    join_pieces(&mut cur.text, &line.text);
                } else {
                    // A headline set on two lines: keep the break as a space.
                    cur.text.push(' ');
                    cur.text.push_str(&line.text);
                }
                *last_width = line_width;
                *count += 1;
                continue;
            }
        }
        let unit = Unit {
            text: line.text.clone(),
            level: line.level,
            in_prose_block: prose,
            block,
            indented: line.indented && indent_page,
            bold: line.bold,
            measure: line.printed,
            opening: Opening::Unknown,
        };
        built.push((unit, alone, line_width, 1, own_paragraph));
    }
    let n = built.len();
    let opening = opening::of_block(lines, wrap);
    for (i, (mut unit, _, _, count, own_paragraph)) in built.into_iter().enumerate() {
        if i == 0 && unit.level.is_none() && !unit.bold {
            unit.opening = opening;
        }
        // A one-line unit without punctuation that running text follows in the same block is
        // judged by itself (a headline over its body); the block's last line is not, since it
        // is most often a sentence cut by the column end.
        // Where indents mark paragraphs, an unindented line that still starts a unit of its own
        // (the paragraph before it ended) is not running text either, even last in its block.
        let set_apart = count == 1
            && (i + 1 < n || (indent_marks && !own_paragraph))
            && !has_sentence_marks(&unit.text);
        if own_paragraph || set_apart {
            unit.in_prose_block = false;
        }
        if count < 2 {
            unit.measure = 0;
        }
        out.push(unit);
    }
}

mod context;
mod opening;

use context::{after_whole, closed_before, is_verse, names_under_role, verse};
pub use opening::Opening;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
