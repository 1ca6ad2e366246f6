//! Page lines: the units the page model labels. Each non-empty line of the dump becomes a
//! [`PageLine`] with its markdown residue removed (the heading level and bold kept as signals),
//! column-gap spaces closed, and what stood around it (blank lines, indent). Lines from two
//! columns printed side by side (`pdftotext -layout`) are first split into their columns and read
//! column by column. This module decides nothing about roles or articles.

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
/// quarter of its lines hold two or more runs of text apart by wide gaps.
pub fn side_by_side(text: &str) -> bool {
    let raw: Vec<&str> = text.lines().collect();
    columns::side_by_side(&columns::split(&raw))
}

/// Splits page text into lines (blank lines become flags on their neighbours).
pub fn lines(text: &str) -> Vec<PageLine> {
    let raw: Vec<&str> = text.lines().collect();
    let raw = columns::unfold(&raw);
    let mut out: Vec<PageLine> = Vec::new();
    let mut blank = true;
    for r in &raw {
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
    out
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

mod columns {
    //! Side-by-side columns (`pdftotext -layout`): a page where many lines hold two or more runs
    //! of text separated by wide gaps at the same display positions is read column by column.

    /// Display width: CJK characters take two cells, as in the converter's layout.
    fn cells(c: char) -> usize {
        if (c as u32) >= 0x1100 {
            2
        } else {
            1
        }
    }

    /// Runs of text on one line with the display cell where each starts; a gap of three or
    /// more spaces separates runs.
    fn runs(line: &str) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> = Vec::new();
        let mut col = 0;
        let mut spaces = 0;
        let mut cur: Option<(usize, String)> = None;
        for c in line.chars() {
            if c == ' ' || c == '\u{3000}' {
                spaces += cells(c);
            } else {
                if spaces >= 3 || cur.is_none() {
                    if let Some(r) = cur.take() {
                        out.push(r);
                    }
                    cur = Some((col, String::new()));
                } else if spaces > 0 {
                    if let Some((_, s)) = cur.as_mut() {
                        s.push(' ');
                    }
                }
                spaces = 0;
                if let Some((_, s)) = cur.as_mut() {
                    s.push(c);
                }
            }
            col += cells(c);
        }
        out.extend(cur);
        out
    }

    /// Each line's runs of text.
    pub fn split(raw: &[&str]) -> Vec<Vec<(usize, String)>> {
        raw.iter().map(|l| runs(l)).collect()
    }

    /// At least a quarter of the lines with text hold two or more runs.
    pub fn side_by_side(split: &[Vec<(usize, String)>]) -> bool {
        let multi = split.iter().filter(|r| r.len() >= 2).count();
        let nonempty = split.iter().filter(|r| !r.is_empty()).count();
        nonempty > 0 && multi * 4 >= nonempty
    }

    /// Rewrites side-by-side columns as one column after another; other pages are returned as
    /// they are.
    pub fn unfold<'a>(raw: &[&'a str]) -> Vec<std::borrow::Cow<'a, str>> {
        use std::borrow::Cow;
        let split = split(raw);
        if !side_by_side(&split) {
            return raw.iter().map(|l| Cow::Borrowed(*l)).collect();
        }
        let multi = split.iter().filter(|r| r.len() >= 2).count();
        // Column starts: display cells where runs of multi-run lines begin, clustered.
        let mut starts: Vec<usize> = split
            .iter()
            .filter(|r| r.len() >= 2)
            .flat_map(|r| r.iter().map(|(c, _)| *c))
            .collect();
        starts.sort_unstable();
        let mut bounds: Vec<(usize, usize)> = Vec::new(); // (start, count)
        for s in starts {
            match bounds.last_mut() {
                Some((b, n)) if s <= *b + 4 => *n += 1,
                _ => bounds.push((s, 1)),
            }
        }
        let min_count = (multi / 5).max(2);
        let cols: Vec<usize> = bounds
            .into_iter()
            .filter(|&(_, n)| n >= min_count)
            .map(|(b, _)| b)
            .collect();
        if cols.len() < 2 {
            return raw.iter().map(|l| Cow::Borrowed(*l)).collect();
        }
        let col_of = |cell: usize| cols.iter().rposition(|&c| c <= cell + 2).unwrap_or(0);
        let mut out: Vec<Vec<String>> = vec![Vec::new(); cols.len()];
        for runs in &split {
            if runs.is_empty() {
                for col in out.iter_mut() {
                    col.push(String::new());
                }
                continue;
            }
            let mut filled = vec![false; cols.len()];
            for (cell, text) in runs {
                let k = col_of(*cell);
                if filled[k] {
                    if let Some(last) = out[k].last_mut() {
                        last.push(' ');
                        last.push_str(text);
                    }
                } else {
                    out[k].push(text.clone());
                    filled[k] = true;
                }
            }
            for (k, f) in filled.iter().enumerate() {
                if !f {
                    out[k].push(String::new());
                }
            }
        }
        let mut lines: Vec<Cow<'a, str>> = Vec::new();
        for col in out {
            lines.extend(col.into_iter().map(Cow::Owned));
            lines.push(Cow::Borrowed(""));
        }
        lines
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
    fn text_width_is_the_running_texts() {
        let l = lines("标题\n一二三四五六七八九十，\n一二三四五六七八九十。\n短。\n");
        assert_eq!(text_width(&l), 11);
    }
}
