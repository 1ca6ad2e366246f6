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

/// The page's text in reading order.
pub fn reading_order(text: &str) -> String {
    text.split('\u{c}')
        .map(page)
        .collect::<Vec<_>>()
        .join("\u{c}")
}

/// A row's characters: (cell, character).
fn cells(line: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut col = 0usize;
    for ch in line.chars() {
        match ch {
            '\t' => col = (col / 8 + 1) * 8,
            c if c.is_whitespace() => col += 1,
            c => {
                out.push((col, c));
                col += 1;
            }
        }
    }
    out
}

fn page(text: &str) -> String {
    let rows: Vec<Vec<(usize, char)>> = text.lines().map(cells).collect();
    let width = rows
        .iter()
        .filter_map(|r| r.last().map(|&(c, _)| c + 1))
        .max()
        .unwrap_or(0);
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
        let y0 = row.iter().map(|&(c, _)| floor[c]).fold(-ROW, f32::max) + ROW;
        for &(c, ch) in row {
            floor[c] = y0;
            let x0 = c as f32 * CELL;
            glyphs.push(Glyph {
                ch,
                x0,
                x1: x0 + CELL * REACH,
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
        width: width as f32 * CELL,
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
        line.trim_start_matches(' ')
            .to_string()
            .replace('\u{1}', "")
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
}
