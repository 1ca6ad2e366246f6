//! Page lines: the units the page model labels. Each non-empty line of the dump becomes a
//! [`PageLine`] with its markdown residue removed (the heading level and bold kept as signals),
//! column-gap spaces closed, and what stood around it (blank lines, indent). A page whose
//! columns are printed side by side (`pdftotext -layout`) is first put in reading order. This
//! module decides nothing about roles or articles.

use std::borrow::Cow;

use super::byline;
use super::layout::{self, width};

/// One line of the page as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLine {
    /// Text with markdown residue removed, trimmed, column gaps between CJK characters closed.
    pub text: String,
    /// The trimmed text as printed (spaces kept): headlines keep their inner spaces.
    pub shown: String,
    /// Markdown heading level (`#` = 1) when the dump printed the line as a heading.
    pub level: Option<u8>,
    /// The dump set the whole line in `**bold**`.
    pub bold: bool,
    /// It opens with an indent.
    pub indented: bool,
    /// A blank line stands right before it.
    pub blank_before: bool,
    /// A blank line stands right after it.
    pub blank_after: bool,
}

/// Whether the page prints columns side by side on its lines (`pdftotext -layout`): at least a
/// quarter of its lines hold two or more runs of text apart by wide gaps, or stand alone at
/// the margin such runs start at (a column's line on a row of its own, where its baseline
/// differs from the lines beside it).
pub fn side_by_side(text: &str) -> bool {
    // Each line's first run and whether it holds more; the margins runs after a gutter start at.
    let mut rows: Vec<(usize, bool)> = Vec::new();
    let mut margins: Vec<usize> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    for line in text.lines() {
        starts.clear();
        starts.extend(run_starts(line));
        if let Some(&first) = starts.first() {
            rows.push((first, starts.len() >= 2));
            margins.extend_from_slice(&starts[1..]);
        }
    }
    margins.sort_unstable();
    // A column's margin: where runs after a gutter start on several lines.
    let margin = |at: usize| {
        let lo = margins.partition_point(|&m| m + 1 < at);
        let hi = margins.partition_point(|&m| m <= at + 1);
        hi - lo >= MARGIN_LINES
    };
    let columned = rows
        .iter()
        .filter(|&&(first, multi)| multi || (first >= MIN_INDENT && margin(first)))
        .count();
    !rows.is_empty() && columned * 4 >= rows.len()
}

/// Lines whose runs start at one cell that make it a column's margin.
const MARGIN_LINES: usize = 3;
/// Least indent of a line standing at another column's margin (a paragraph's indent is less).
const MIN_INDENT: usize = 8;

/// The page's text in reading order: columns printed side by side are read from their
/// character grid (see `pdf::reading_order`); other text keeps its order. Letter-spaced lines
/// are closed up first (`spacing`) where most of the page is set so (its real gaps would look
/// like columns), else only on pages that print no columns side by side.
pub fn in_reading_order(text: &str) -> Cow<'_, str> {
    reading_order(text).0
}

/// As [`in_reading_order`], and whether the text was reordered from its grid.
pub fn reading_order(text: &str) -> (Cow<'_, str>, bool) {
    // Vertical type set one character per line is made one line first.
    match super::stacked::join(text) {
        Cow::Borrowed(t) => from_grid(t),
        Cow::Owned(t) => {
            let (read, reordered) = from_grid(&t);
            (Cow::Owned(read.into_owned()), reordered)
        }
    }
}

fn from_grid(text: &str) -> (Cow<'_, str>, bool) {
    let (closed, spaced_page) = super::spacing::close(text);
    // A page letter-spaced throughout is read closed up (its real gaps would look like
    // columns); another page's grid is read as printed.
    let grid = if spaced_page { closed.as_ref() } else { text };
    if side_by_side(grid) {
        (Cow::Owned(super::pdf::reading_order(grid)), true)
    } else {
        (closed, false)
    }
}

/// Splits page text, in reading order, into lines (blank lines become flags on their
/// neighbours).
pub fn lines(text: &str) -> Vec<PageLine> {
    let text = in_reading_order(text);
    let mut out: Vec<PageLine> = Vec::new();
    let mut blank = true;
    for r in text.lines() {
        let l = layout::clean_line(r);
        if l.text.is_empty() {
            blank = true;
            if let Some(last) = out.last_mut() {
                last.blank_after = true;
            }
            continue;
        }
        let bold = l.bold;
        out.push(PageLine {
            text: layout::close_gaps(&l.text),
            shown: l.text,
            level: l.level,
            bold,
            indented: l.indented,
            blank_before: blank,
            blank_after: false,
        });
        blank = false;
    }
    if let Some(last) = out.last_mut() {
        last.blank_after = true;
    }
    names_cut_by_wrap(&mut out);
    out
}

/// A byline the column wrapped inside its last name (`记者 方卫东 实习生 余佳` / `怡`, `… 余` /
/// `佳怡`): the one or two characters under it finish the name (no headline is one character,
/// no name is), so they go on its line. A credit's `摄` under it stays apart.
fn names_cut_by_wrap(out: &mut Vec<PageLine>) {
    let mut kept: Vec<PageLine> = Vec::with_capacity(out.len());
    for line in out.drain(..) {
        if let Some(prev) = kept
            .last_mut()
            .filter(|prev| finishes_name(prev, &line.text))
        {
            prev.text.push_str(&line.text);
            prev.shown.push_str(&line.shown);
            prev.blank_after = line.blank_after;
        } else {
            kept.push(line);
        }
    }
    *out = kept;
}

/// Does `stub`, the line under `prev`, finish the last name of the byline `prev` holds?
fn finishes_name(prev: &PageLine, stub: &str) -> bool {
    let n = stub.chars().count();
    let last = prev.shown.split_whitespace().next_back().unwrap_or("");
    let m = last.chars().count();
    (1..=2).contains(&n)
        && stub.chars().all(layout::is_han)
        && !stub.contains(['摄', '文', '图'])
        && last.chars().all(layout::is_han)
        && (1..=2).contains(&m)
        && n + m <= 3
        && !last.ends_with(['者', '员', '生', '摄', '影'])
        && byline::is_byline_line(&format!("{}{stub}", prev.shown))
}

/// Width of the page's running text: the 80th percentile width of lines holding sentence
/// punctuation (at least 8), so that line widths can be compared with the column's.
pub fn text_width(lines: &[PageLine]) -> usize {
    let mut ws: Vec<usize> = lines
        .iter()
        .filter(|l| layout::has_prose_marks(&l.text))
        .map(|l| width(&l.text))
        .collect();
    if ws.is_empty() {
        return 20;
    }
    ws.sort_unstable();
    ws[(ws.len() * 8 / 10).min(ws.len() - 1)].max(8)
}

/// Where each run of text on a line starts (in characters, an ideographic space two): runs
/// are apart by three spaces or more.
fn run_starts(line: &str) -> impl Iterator<Item = usize> + '_ {
    line.chars()
        .scan((0usize, 0usize, false), |(col, spaces, started), c| {
            let at = *col;
            *col += if c == '\u{3000}' { 2 } else { 1 };
            Some(match c {
                ' ' => {
                    *spaces += 1;
                    None
                }
                '\u{3000}' => {
                    *spaces += 2;
                    None
                }
                _ => {
                    let new = !*started || *spaces >= 3;
                    *started = true;
                    *spaces = 0;
                    new.then_some(at)
                }
            })
        })
        .flatten()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_name_the_column_wrapped_under_a_byline_goes_on_its_line() {
        let page = "南湖社区换新颜\n记者 陈立夫 实习生 周晓\n芸\n初冬时节，走进南湖社区，新铺的路面平整干净。\n";
        let l = lines(page);
        assert_eq!(l.len(), 3, "{l:?}");
        assert_eq!(l[1].shown, "记者 陈立夫 实习生 周晓芸");
        let l = lines("记者 陈立夫 通讯员 周\n晓芸\n初冬时节，走进南湖社区。\n");
        assert_eq!(l[0].shown, "记者 陈立夫 通讯员 周晓芸");
        // A credit's 摄, a title under a byline and a name under its role stay lines of their own.
        assert_eq!(lines("记者 陈立夫\n摄\n").len(), 2);
        assert_eq!(lines("记者 陈立夫\n秋收\n").len(), 2);
        assert_eq!(lines("本报记者\n陈立\n").len(), 2);
    }

    #[test]
    fn blank_lines_become_flags_and_markdown_becomes_signals() {
        let l = lines("# 标题\n\n**本报讯** 我市召开会议，\n部署工作。\n");
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].level, Some(1));
        assert!(l[0].blank_before && l[0].blank_after);
        assert_eq!(l[1].text, "本报讯我市召开会议，", "gaps between CJK closed");
        assert_eq!(l[1].shown, "本报讯 我市召开会议，", "as printed");
        assert!(!l[1].bold, "only part of the line was bold");
        assert!(l[1].blank_before && !l[1].blank_after);
        assert!(l[2].blank_after);
    }

    #[test]
    fn pdfminer_spaces_between_characters_are_closed() {
        let l = lines("我 市 召 开 会 议 ， 部 署 工 作 。\n");
        assert_eq!(l[0].text, "我市召开会议，部署工作。");
    }

    #[test]
    fn side_by_side_columns_are_read_one_after_the_other() {
        let page = "甲栏第一行文字内容很长       乙栏第一行文字内容也长\n甲栏第二行文字结束。         乙栏第二行文字结束。\n\n甲栏第三行继续写下去         乙栏第三行继续写下去\n";
        let l = lines(page);
        let texts: Vec<&str> = l.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "甲栏第一行文字内容很长",
                "甲栏第二行文字结束。",
                "甲栏第三行继续写下去",
                "乙栏第一行文字内容也长",
                "乙栏第二行文字结束。",
                "乙栏第三行继续写下去"
            ]
        );
    }

    #[test]
    fn a_column_whose_lines_stand_on_rows_of_their_own_is_still_side_by_side() {
        // `pdftotext -layout` gives a line of type its own row wherever its baseline differs
        // from the lines beside it: under a large headline most of the right column's lines
        // stand alone at its margin, and few rows hold both columns.
        let right = |t: &str| format!("{}{t}", " ".repeat(24));
        let both = |l: &str, r: &str| format!("{l}{}{r}", " ".repeat(24 - l.chars().count()));
        let page = [
            right("乙栏第一行文字写在这里，"),
            "甲栏大标题".to_string(),
            right("乙栏第二行文字还没写完，"),
            right("乙栏第三行文字继续写着，"),
            "甲栏副标题".to_string(),
            right("乙栏第四行文字接着往下，"),
            right("乙栏第五行文字写到这里，"),
            both("甲栏正文第一行写在这里，", "乙栏第六行文字还没写完，"),
            right("乙栏第七行文字继续写着，"),
            both("甲栏正文第二行写在这里，", "乙栏第八行文字接着往下，"),
            right("乙栏第九行文字写到这里，"),
            both("甲栏正文第三行写完了。", "乙栏第十行文字也写完了。"),
            right("乙栏第十一行另起一段，"),
            right("乙栏第十二行也就写完。"),
        ]
        .join("\n");
        assert!(side_by_side(&page));
        let text = in_reading_order(&page);
        let at = |s: &str| text.find(s).unwrap();
        assert!(at("甲栏正文第三行") < at("乙栏第一行"), "{text}");
        assert!(at("乙栏第十行") < at("乙栏第十一行"), "{text}");
        // Lines indented less than a column's margin are paragraphs, not columns.
        let indented = "  甲栏正文第一行写在这里，\n甲栏正文第二行写完。\n  另起一段写在这里。\n";
        assert!(!side_by_side(indented));
    }

    #[test]
    fn text_width_is_the_running_texts() {
        let l = lines("标题\n一二三四五六七八九十，\n一二三四五六七八九十。\n短。\n");
        assert_eq!(text_width(&l), 11);
    }
}
