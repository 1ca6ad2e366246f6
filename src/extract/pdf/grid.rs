//! Text dumps that print a page's columns side by side (`pdftotext -layout`) are a grid of
//! characters: the converter put each character at the column of the character cell its x
//! position falls in (one cell per character, CJK or not) and each line of type on a row of
//! its own. Such a page is read as the geometry it is: every character becomes a glyph at its
//! cell, and the PDF route's cut (bands, columns, stories over several columns, headlines on
//! top) gives the reading order. The text comes out column after column, a blank line
//! between blocks, as a converter that reads in order would have written it.

use super::{cut, Glyph, Sheet};

/// Width of a character cell and type size of every glyph, in points.
const CELL: f32 = 10.0;
/// Distance between rows: type of one cell with ordinary leading.
const ROW: f32 = 14.0;
/// How far a blank row moves down: one blank row parts paragraphs and a headline from its
/// text, two part bands of stories (the cut's strong gap), as converters space them.
const BLANK: f32 = 3.0;
/// A glyph's box reaches this far into the next cell: characters one space apart stay in one
/// run (a byline's `记者 张三`) and only two spaces or more leave a gap the cut sees as a gutter.
const REACH: f32 = 1.45;

/// Widest grid read, in cells of half a CJK character (a broadsheet page in small type is
/// some 300 characters wide).
const MAX_CELLS: usize = 2_000;

/// The page's text in reading order.
pub fn reading_order(text: &str) -> String {
    text.split('\u{c}')
        .map(page)
        .collect::<Vec<_>>()
        .join("\u{c}")
}

/// How a dump counts a character's cells.
#[derive(Clone, Copy)]
enum Cells {
    /// One per character, CJK or not: how converters place text by its x position.
    Chars,
    /// Two per CJK character: text aligned by eye in a terminal or an editor.
    Display,
}

/// A row's characters: (first cell, character, cells it takes).
fn cells(line: &str, unit: Cells) -> Vec<(usize, char, usize)> {
    let mut out = Vec::new();
    let mut col = 0usize;
    for ch in line.chars() {
        let w = match unit {
            Cells::Display if (ch as u32) >= 0x1100 => 2,
            _ => 1,
        };
        match ch {
            '\t' => col = (col / 8 + 1) * 8,
            c if c.is_whitespace() => col += w,
            c => {
                out.push((col, c, w));
                col += w;
            }
        }
    }
    out
}

/// How many runs after a gutter (two cells or more) start in the very cell a run of another
/// row starts in: the cells that make columns line up.
fn aligned(rows: &[Vec<(usize, char, usize)>]) -> usize {
    let mut starts: Vec<usize> = Vec::new();
    for row in rows {
        starts.extend(
            row.windows(2)
                .filter(|w| w[1].0 >= w[0].0 + w[0].2 + 2)
                .map(|w| w[1].0),
        );
    }
    starts.sort_unstable();
    starts
        .iter()
        .enumerate()
        .filter(|&(i, &s)| (i > 0 && starts[i - 1] == s) || starts.get(i + 1) == Some(&s))
        .count()
}

fn page(text: &str) -> String {
    // Past a newspaper page's size the text is read as printed: the cut's time and memory
    // stay bounded whatever the input (a megabyte on one line, a million short lines). Checked
    // before any grid is built; a display grid is at most twice as wide.
    let (mut longest, mut total) = (0, 0);
    for line in text.lines() {
        let n = line.chars().count();
        longest = longest.max(n);
        total += n;
    }
    if 2 * longest > MAX_CELLS || total > 2 * super::MAX_GLYPHS {
        return text.to_string();
    }
    // Whichever count of cells lines the columns up.
    let grid =
        |unit| -> Vec<Vec<(usize, char, usize)>> { text.lines().map(|l| cells(l, unit)).collect() };
    let (chars, display) = (grid(Cells::Chars), grid(Cells::Display));
    // A cell is a character's width, or half a CJK character's on a display grid: only where
    // that grid clearly lines the columns up better (on a converter's grid, columns of full
    // lines line up on both).
    let (rows, cell) = if aligned(&display) >= 2 * aligned(&chars) + 2 {
        (display, CELL / 2.0)
    } else {
        (chars, CELL)
    };
    let width = rows
        .iter()
        .filter_map(|r| r.last().map(|&(c, _, w)| c + w))
        .max()
        .unwrap_or(0);
    if rows.iter().map(Vec::len).sum::<usize>() > super::MAX_GLYPHS {
        return text.to_string();
    }
    // Where each cell's column has been filled down to. The converter gives a line of type a
    // row of its own wherever its baseline differs from the lines beside it, so a column's
    // next line may stand several rows further down with only other columns' lines between:
    // each row is set right under what stands above it in its own cells, not under the row
    // before it, so those rows leave no false gap in a column.
    let mut floor = vec![-ROW; width];
    let mut glyphs = Vec::new();
    for row in &rows {
        if row.is_empty() {
            // Nothing on the whole width: real whitespace, under everything above.
            let top = floor.iter().copied().fold(-ROW, f32::max) + BLANK;
            floor.iter_mut().for_each(|f| *f = top);
            continue;
        }
        let y0 = row
            .iter()
            .flat_map(|&(c, _, w)| &floor[c..c + w])
            .fold(-ROW, |a, &b| a.max(b))
            + ROW;
        for &(c, ch, w) in row {
            floor[c..c + w].iter_mut().for_each(|f| *f = y0);
            let x0 = c as f32 * cell;
            glyphs.push(Glyph {
                ch,
                x0,
                x1: x0 + w as f32 * cell + CELL * (REACH - 1.0),
                y0,
                y1: y0 + CELL,
                size: CELL,
                bold: false,
            });
        }
    }
    if glyphs.is_empty() {
        return String::new();
    }
    let y = floor.iter().copied().fold(0.0, f32::max) + ROW;
    let sheet = Sheet {
        width: width as f32 * cell,
        height: y,
        glyphs,
        ..Sheet::default()
    };
    let mut out = String::new();
    let mut leaf = usize::MAX;
    for l in cut::read(&sheet) {
        if l.picture {
            continue;
        }
        if !out.is_empty() && (l.leaf != leaf || l.gap_before) {
            out.push('\n');
        }
        leaf = l.leaf;
        if l.indented {
            out.push_str("  ");
        }
        out.push_str(&l.text);
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::extract::{page as extract, Options};

    /// A row of the grid: each text starts at its character cell, as `pdftotext -layout`
    /// prints it (one cell per character, CJK or not).
    fn row(parts: &[(usize, &str)]) -> String {
        let mut line = String::new();
        for (at, text) in parts {
            let n = line.chars().count();
            line.extend(std::iter::repeat_n(' ', at.saturating_sub(n).max(2)));
            line.push_str(text);
        }
        line.trim_start_matches(' ').to_string()
    }

    /// Two stories side by side under a band with one story over both columns.
    fn page_text() -> String {
        let left = [
            "本报讯 昨天上午，建德市新安江街",
            "道城市书房正式开放，首批图书八千",
            "余册，市民可以凭身份证免费借阅。",
            "书房每天开放十二个小时，周一闭馆。",
        ];
        let right = [
            "本报讯 记者 王小明 日前，寿昌镇",
            "橘园迎来丰收，果农忙着采摘装箱，",
            "今年的产量比去年增加两成左右，销",
            "路主要是杭州和上海的超市。",
        ];
        let mut lines = vec![
            row(&[(0, "第二版 地方新闻"), (40, "2024年11月5日")]),
            String::new(),
            String::new(),
            row(&[(10, "千岛湖环湖绿道全线贯通")]),
            String::new(),
            row(&[
                (2, "本报讯 经过两年建设，千岛湖环湖绿"),
                (24, "途设有驿站二十六个。市民骑行一圈"),
            ]),
            row(&[
                (0, "道全线贯通，全长一百四十公里，沿"),
                (24, "大约需要两天，沿线还有露营地。"),
            ]),
            String::new(),
            String::new(),
            row(&[(0, "城市书房开放"), (24, "寿昌橘子丰收")]),
            String::new(),
        ];
        for (l, r) in left.iter().zip(right) {
            lines.push(row(&[(0, l), (24, r)]));
        }
        lines.join("\n")
    }

    #[test]
    fn side_by_side_columns_are_read_column_after_column_by_their_cells() {
        let text = reading_order(&page_text());
        let books = text.find("城市书房开放").unwrap();
        let oranges = text.find("寿昌橘子丰收").unwrap();
        assert!(
            text.contains("道城市书房正式开放，首批图书八千\n余册"),
            "a column is read down: {text}"
        );
        assert!(
            text.find("周一闭馆").unwrap() < oranges && books < oranges,
            "the left story ends before the right one starts: {text}"
        );
        let at = |s: &str| text.find(s).unwrap();
        assert!(
            at("环湖绿") < at("道全线贯通") && at("道全线贯通") < at("途设有驿站"),
            "the wide story reads its left column first, then its right: {text}"
        );
    }

    #[test]
    fn a_layout_dump_gives_each_story_its_own_article() {
        let page = extract(page_text().as_bytes(), "layout.txt", &Options::default()).unwrap();
        let titles: Vec<&str> = page
            .articles
            .iter()
            .filter_map(|a| a.title.as_deref())
            .collect();
        assert_eq!(
            titles,
            ["千岛湖环湖绿道全线贯通", "城市书房开放", "寿昌橘子丰收"],
            "{:#?}",
            page.articles
        );
        let oranges = &page.articles[2];
        assert!(
            oranges.body.contains("销路主要是杭州和上海的超市。"),
            "{}",
            oranges.body
        );
        assert!(!oranges.body.contains("书房"), "{}", oranges.body);
    }

    #[test]
    fn columns_aligned_by_eye_are_read_by_display_cells() {
        // Typed in an editor: each column starts at one display position (a CJK character
        // takes two), so at different character counts on lines of different length.
        let cols: [[&str; 3]; 8] = [
            ["甲一甲一甲一甲一甲一", "乙一乙一乙一乙一乙一", "丙一丙一丙"],
            ["甲二", "乙二乙二乙二乙二", "丙二丙二丙"],
            ["甲三甲三甲三甲", "乙三", "丙三丙三丙"],
            ["甲四甲四", "乙四乙四乙四乙", "丙四丙四丙"],
            ["甲五甲五甲五甲五甲", "乙五乙五乙", "丙五丙五丙"],
            ["甲", "乙六乙六乙六乙六乙六", "丙六丙六丙"],
            ["甲七甲七甲", "乙七乙七乙七", "丙七丙七丙"],
            ["甲八甲", "乙八", "丙八丙八。"],
        ];
        let pad = |s: &str, to: usize| format!("{s}{}", " ".repeat(to - 2 * s.chars().count()));
        let page: Vec<String> = cols
            .iter()
            .map(|[a, b, c]| format!("{}{}{c}", pad(a, 24), pad(b, 24)))
            .collect();
        let text = reading_order(&page.join("\n"));
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        let firsts: String = lines.iter().filter_map(|l| l.chars().next()).collect();
        assert_eq!(
            firsts,
            "甲".repeat(8) + &"乙".repeat(8) + &"丙".repeat(8),
            "{text}"
        );
    }

    #[test]
    fn a_grid_past_a_page_s_size_is_left_as_printed() {
        let wide = format!("{}   {}\n", "字".repeat(MAX_CELLS), "字");
        let text = wide.repeat(3);
        assert_eq!(reading_order(&text), text);
    }
}
