//! The columns an XY cut finds, grouped back into stories before they are read. A gutter is
//! not always a boundary between stories: a headline set with a wide space is cut in two, and a
//! story's headline often spans only some of its columns, the first or last column of its text
//! standing beside the headline rather than under it. Read as separate columns, that text
//! would be read before its headline and given to the story above.

use super::cut::{gaps, Run, STRONG_GAP};
use super::HEAD_SCALE;

/// The columns of a region, regrouped: a headline cut in two is whole again, and the columns
/// of one story stand in one group with its headline.
pub(super) fn group(items: &[Run], cols: Vec<Vec<usize>>, body: f32) -> Vec<Vec<usize>> {
    let cols = stories_across_columns(items, cols, body);
    let cols = vertical_headlines_first(
        items,
        adopt_story_columns(items, keep_headlines_whole(items, cols, body), body),
        body,
    );
    last_columns_with_their_band(items, cols, body)
}

/// A column that goes on from the story beside it and ends, empty below, where that story's
/// band ends is read in that band: it joins the group to its left, where a gap across both
/// then parts the band from the stories under it. Without this the gutter beside it runs the
/// region's height and the column is read after every story set under its neighbours. A column
/// that opens with headline type, or ends far from any such gap, keeps to itself.
fn last_columns_with_their_band(
    items: &[Run],
    cols: Vec<Vec<usize>>,
    body: f32,
) -> Vec<Vec<usize>> {
    let bottom = cols
        .iter()
        .flatten()
        .map(|&i| items[i].rect.y1)
        .fold(f32::MIN, f32::max);
    let top = |c: &[usize]| c.iter().map(|&i| items[i].rect.y0).fold(f32::MAX, f32::min);
    let end = |c: &[usize]| c.iter().map(|&i| items[i].rect.y1).fold(f32::MIN, f32::max);
    let mut out: Vec<Vec<usize>> = Vec::with_capacity(cols.len());
    for c in cols {
        let joins = out.last().is_some_and(|prev: &Vec<usize>| {
            let first = c
                .iter()
                .copied()
                .min_by(|&a, &b| items[a].rect.y0.total_cmp(&items[b].rect.y0));
            let opens_text = first.is_some_and(|i| {
                !items[i].picture && !items[i].vertical && items[i].size < body * HEAD_SCALE
            });
            let (c_top, c_end) = (top(&c), end(&c));
            // The band's end: a gap across the group to the left, wide enough beside the
            // column's own end, close under it.
            let band_ends = gaps(items, prev, body * STRONG_GAP, |r| (r.y0, r.y1))
                .iter()
                .skip(1)
                .any(|(gap, g)| {
                    let below = top(g);
                    let from = (below - gap).max(c_end);
                    below - from >= body * STRONG_GAP && from <= c_end + body * 4.0
                });
            opens_text
                && (c_top - top(prev)).abs() < body * 1.5
                && bottom - c_end > body * 3.0
                && band_ends
        });
        match out.last_mut() {
            Some(prev) if joins => prev.extend(c),
            _ => out.push(c),
        }
    }
    out
}

/// The empty bands across a column, at least `min` high, top to bottom.
fn empty_bands(items: &[Run], col: &[usize], min: f32) -> Vec<(f32, f32)> {
    let bands = gaps(items, col, min, |r| (r.y0, r.y1));
    bands
        .windows(2)
        .map(|w| {
            let bottom = w[0]
                .1
                .iter()
                .map(|&i| items[i].rect.y1)
                .fold(f32::MIN, f32::max);
            (bottom, top(items, &w[1].1))
        })
        .collect()
}

/// Neighbouring columns whose stories end on one line, an empty band across all of them,
/// are one group: cut across first, a story set over several of them is read column by
/// column before the stories under it (a gutter that runs the page's height would otherwise
/// read the first column's stories, top to bottom, before the second column's).
fn stories_across_columns(items: &[Run], cols: Vec<Vec<usize>>, body: f32) -> Vec<Vec<usize>> {
    let min = body * STRONG_GAP;
    let mut out: Vec<Vec<usize>> = Vec::with_capacity(cols.len());
    let mut shared: Vec<(f32, f32)> = Vec::new();
    for col in cols {
        let bands = empty_bands(items, &col, min);
        let common: Vec<(f32, f32)> = shared
            .iter()
            .flat_map(|&(a0, a1)| bands.iter().map(move |&(b0, b1)| (a0.max(b0), a1.min(b1))))
            .filter(|&(lo, hi)| hi - lo >= min)
            .collect();
        match out.last_mut() {
            Some(last) if !common.is_empty() => {
                last.extend(col);
                shared = common;
            }
            _ => {
                out.push(col);
                shared = bands;
            }
        }
    }
    out
}

fn big(items: &[Run], i: usize, body: f32) -> bool {
    items[i].size >= body * HEAD_SCALE && !items[i].picture
}

fn top(items: &[Run], col: &[usize]) -> f32 {
    col.iter()
        .map(|&i| items[i].rect.y0)
        .fold(f32::MAX, f32::min)
}

/// Undoes a column cut that runs through a headline set with a wide space
/// (`第四十五期　寿光人在青` over a short second line `岛`): large type standing on one baseline
/// on both sides of the cut, closer than twice its size, is one headline, not two columns, in
/// a region that holds display type alone.
fn keep_headlines_whole(items: &[Run], cols: Vec<Vec<usize>>, body: f32) -> Vec<Vec<usize>> {
    let big = |i: &usize| big(items, *i, body);
    // Only a region of display type alone: where running text stands beside, the gap is a
    // gutter.
    let display = |i: &usize| big(i) || items[*i].bold * 2 > items[*i].chars;
    if !cols.iter().flatten().all(display) {
        return cols;
    }
    let mut out: Vec<Vec<usize>> = Vec::with_capacity(cols.len());
    for col in cols {
        let joined = out.last().is_some_and(|prev: &Vec<usize>| {
            prev.iter().filter(|i| big(i)).any(|&a| {
                col.iter().filter(|i| big(i)).any(|&b| {
                    let (ra, rb) = (&items[a].rect, &items[b].rect);
                    let size = items[a].size.max(items[b].size);
                    (ra.mid_y() - rb.mid_y()).abs() < size * 0.3
                        && rb.x0 - ra.x1 < size * 2.0
                        && (items[a].size - items[b].size).abs() < size * 0.1
                })
            })
        });
        match out.last_mut() {
            Some(prev) if joined => prev.extend(col),
            _ => out.push(col),
        }
    }
    out
}

/// A column with a headline at its top: the headline's bottom and the top of the text under it.
fn headline_at_top(items: &[Run], col: &[usize], body: f32) -> Option<(f32, f32)> {
    let bands = gaps(items, col, body * 0.4, |r| (r.y0, r.y1));
    if bands.len() < 2 || !bands[0].1.iter().all(|&i| big(items, i, body)) {
        return None;
    }
    let bottom = bands[0]
        .1
        .iter()
        .map(|&i| items[i].rect.y1)
        .fold(f32::MIN, f32::max);
    Some((bottom, top(items, &bands[1].1)))
}

/// Gives a headline the columns beside it whose text starts on the line its own text starts
/// on, below the headline, with nothing above: the first or last column of its story. The
/// group is then cut again, headline first (a headline band on top), column by column.
fn adopt_story_columns(items: &[Run], cols: Vec<Vec<usize>>, body: f32) -> Vec<Vec<usize>> {
    if cols.len() < 2 {
        return cols;
    }
    let headed: Vec<Option<(f32, f32)>> = cols
        .iter()
        .map(|c| headline_at_top(items, c, body))
        .collect();
    let fits = |c: &[usize], bottom: f32, text_top: f32| {
        let t = top(items, c);
        t >= bottom
            && (t - text_top).abs() <= body * 0.5
            && c.iter()
                .filter(|&&i| items[i].rect.y0 <= t + body * 0.5)
                .all(|&i| !big(items, i, body))
    };
    let mut owner: Vec<usize> = (0..cols.len()).collect();
    for (h, head) in headed.iter().enumerate() {
        let Some((bottom, text_top)) = *head else {
            continue;
        };
        let mut j = h;
        while j > 0
            && owner[j - 1] == j - 1
            && headed[j - 1].is_none()
            && fits(&cols[j - 1], bottom, text_top)
        {
            j -= 1;
            owner[j] = h;
        }
        let mut j = h;
        while j + 1 < cols.len()
            && owner[j + 1] == j + 1
            && headed[j + 1].is_none()
            && fits(&cols[j + 1], bottom, text_top)
        {
            j += 1;
            owner[j] = h;
        }
    }
    let mut out: Vec<Vec<usize>> = Vec::with_capacity(cols.len());
    let mut last_owner = usize::MAX;
    for (col, o) in cols.into_iter().zip(owner) {
        match out.last_mut() {
            Some(prev) if o == last_owner => prev.extend(col),
            _ => out.push(col),
        }
        last_owner = o;
    }
    out
}

/// A vertical headline stands right of its story's columns (竖排 reads from the right), so it
/// is read before them: a run of groups of vertical lines alone, display type among them, moves
/// (rightmost first) ahead of the text columns to its left that start level with it.
fn vertical_headlines_first(items: &[Run], cols: Vec<Vec<usize>>, body: f32) -> Vec<Vec<usize>> {
    // Vertical lines, and the odd mark among them a font sets upright and alone (the `/` of a
    // vertical `文/图`).
    let vertical = |c: &[usize]| {
        let (lo, hi) = c
            .iter()
            .filter(|&&i| items[i].vertical)
            .fold((f32::MAX, f32::MIN), |(a, b), &i| {
                (a.min(items[i].rect.y0), b.max(items[i].rect.y1))
            });
        c.iter().any(|&i| items[i].vertical)
            && c.iter().all(|&i| {
                let r = &items[i];
                r.vertical || (r.chars <= 2 && !r.picture && r.rect.y0 >= lo && r.rect.y1 <= hi)
            })
    };
    let mut out: Vec<Vec<usize>> = Vec::with_capacity(cols.len());
    let mut k = 0;
    while k < cols.len() {
        if !vertical(&cols[k]) {
            out.push(cols[k].clone());
            k += 1;
            continue;
        }
        let mut e = k;
        while e + 1 < cols.len() && vertical(&cols[e + 1]) {
            e += 1;
        }
        let unit = &cols[k..=e];
        if !unit.iter().flatten().any(|&i| big(items, i, body)) {
            out.extend(unit.iter().cloned());
            k = e + 1;
            continue;
        }
        let t = unit.iter().map(|c| top(items, c)).fold(f32::MAX, f32::min);
        // Level within a character of the headline's type: its opening quote, set apart or
        // unreadable, may stand above its first character.
        let size = unit
            .iter()
            .flatten()
            .map(|&i| items[i].size)
            .fold(0.0, f32::max);
        let level = (body * 1.5).max(size * 1.2);
        let mut j = out.len();
        // Its story's columns stand between it and the next column left that opens with a
        // headline of its own: that one is another story, read before it.
        while j > 0
            && !vertical(&out[j - 1])
            && (top(items, &out[j - 1]) - t).abs() <= level
            && headline_at_top(items, &out[j - 1], body).is_none()
        {
            j -= 1;
        }
        for (n, c) in unit.iter().rev().enumerate() {
            out.insert(j + n, c.clone());
        }
        k = e + 1;
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::cut::read;
    use super::super::testing::{column, set, set_vertical, sheet};

    #[test]
    fn the_first_column_beside_an_offset_headline_is_read_under_it() {
        let mut g = Vec::new();
        // The story above, across the page.
        set(&mut g, "上一篇的标题", 20.0, 10.0, 20.0, true);
        column(&mut g, &"丙".repeat(30), 20.0, 40.0, 30);
        // The headline spans the second and third columns; the text starts in the first,
        // level with the text under the headline.
        set(&mut g, "县里召开常务会议部署工作", 140.0, 80.0, 20.0, true);
        column(&mut g, &"甲".repeat(30), 20.0, 106.0, 10);
        column(&mut g, &"乙".repeat(30), 140.0, 106.0, 10);
        column(&mut g, &"丁".repeat(30), 260.0, 106.0, 10);
        // Another story beside it, its headline set lower: no band of headlines alone on top.
        set(&mut g, "另一篇", 400.0, 88.0, 20.0, true);
        column(&mut g, &"戊".repeat(30), 400.0, 114.0, 10);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let head = texts
            .iter()
            .position(|t| *t == "县里召开常务会议部署工作")
            .unwrap();
        let first = texts.iter().position(|t| t.starts_with('甲')).unwrap();
        let second = texts.iter().position(|t| t.starts_with('乙')).unwrap();
        assert!(head < first && first < second, "{texts:?}");
    }

    #[test]
    fn a_column_with_its_own_headline_is_not_taken() {
        let mut g = Vec::new();
        set(&mut g, "左边的标题", 20.0, 80.0, 20.0, true);
        column(&mut g, &"甲".repeat(30), 20.0, 106.0, 10);
        set(&mut g, "右边的标题", 140.0, 80.0, 20.0, true);
        column(&mut g, &"乙".repeat(30), 140.0, 106.0, 10);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], "左边的标题");
        assert!(texts[1].starts_with('甲'), "{texts:?}");
        assert_eq!(texts[4], "右边的标题");
    }
    #[test]
    fn headlines_side_by_side_a_gutter_apart_head_their_own_columns() {
        let mut g = Vec::new();
        // Two stories set side by side: their headlines, in large type, stand on one baseline
        // a gutter apart, less than a character of their size.
        set(&mut g, "左边的标题", 20.0, 40.0, 20.0, true);
        column(&mut g, &"甲".repeat(40), 20.0, 64.0, 10);
        set(&mut g, "右边的标题", 132.0, 40.0, 20.0, true);
        column(&mut g, &"乙".repeat(40), 132.0, 64.0, 10);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "左边的标题",
                "甲甲甲甲甲甲甲甲甲甲",
                "甲甲甲甲甲甲甲甲甲甲",
                "甲甲甲甲甲甲甲甲甲甲",
                "甲甲甲甲甲甲甲甲甲甲",
                "右边的标题",
                "乙乙乙乙乙乙乙乙乙乙",
                "乙乙乙乙乙乙乙乙乙乙",
                "乙乙乙乙乙乙乙乙乙乙",
                "乙乙乙乙乙乙乙乙乙乙",
            ]
        );
    }

    #[test]
    fn a_vertical_headline_takes_the_columns_up_to_one_with_its_own_headline() {
        let mut g = Vec::new();
        // Left: a story with a headline of its own over its column.
        set(&mut g, "左边的标题", 20.0, 40.0, 20.0, true);
        column(&mut g, &"甲".repeat(60), 20.0, 70.0, 10);
        // Then the columns of the story whose headline is set vertically at the right.
        column(&mut g, &"乙".repeat(60), 140.0, 40.0, 10);
        column(&mut g, &"丙".repeat(60), 260.0, 40.0, 10);
        set_vertical(&mut g, "山乡新路通", 388.0, 40.0, 22.0);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let at = |p: &dyn Fn(&str) -> bool| texts.iter().position(|t| p(t)).unwrap();
        let own = at(&|t| t == "左边的标题");
        let left = at(&|t| t.starts_with('甲'));
        let head = at(&|t| t == "山乡新路通");
        let first = at(&|t| t.starts_with('乙'));
        let second = at(&|t| t.starts_with('丙'));
        assert!(
            own < left && left < head && head < first && first < second,
            "{texts:?}"
        );
    }
    #[test]
    fn a_vertical_headline_starting_a_character_low_is_still_read_first() {
        let mut g = Vec::new();
        // Its opening quote could not be read: its first character stands lower than the
        // columns' first line.
        column(&mut g, &"乙".repeat(60), 20.0, 40.0, 10);
        column(&mut g, &"丙".repeat(60), 140.0, 40.0, 10);
        set_vertical(&mut g, "趣上饶", 268.0, 58.0, 22.0);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], "趣上饶", "{texts:?}");
        assert!(texts[1].starts_with('乙'), "{texts:?}");
    }
    #[test]
    fn a_story_across_two_columns_is_read_before_the_stories_under_it() {
        let mut g = Vec::new();
        // Top band: one story over the first two columns.
        set(&mut g, "县里开会", 20.0, 40.0, 20.0, true);
        column(&mut g, &"甲".repeat(40), 20.0, 66.0, 10);
        column(&mut g, &"乙".repeat(50), 135.0, 40.0, 10);
        // Under it, after an empty band: a story in each of the two columns.
        set(&mut g, "新校开学", 20.0, 130.0, 20.0, true);
        column(&mut g, &"丙".repeat(30), 20.0, 156.0, 10);
        set(&mut g, "大桥通车", 135.0, 130.0, 20.0, true);
        column(&mut g, &"丁".repeat(30), 135.0, 156.0, 10);
        // A third column runs the whole height: no gap across the page.
        column(&mut g, &"戊".repeat(150), 250.0, 40.0, 10);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let at = |p: &dyn Fn(&str) -> bool| texts.iter().position(|t| p(t)).unwrap();
        let first = at(&|t| t.starts_with('甲'));
        let second = at(&|t| t.starts_with('乙'));
        let under = at(&|t| t == "新校开学");
        let beside = at(&|t| t == "大桥通车");
        let third = at(&|t| t.starts_with('戊'));
        assert!(
            first < second && second < under && under < beside && beside < third,
            "{texts:?}"
        );
    }
    #[test]
    fn a_vertical_byline_with_an_upright_slash_stays_with_its_vertical_headline() {
        let mut g = Vec::new();
        column(&mut g, &"甲".repeat(60), 20.0, 40.0, 10);
        column(&mut g, &"乙".repeat(60), 130.0, 40.0, 10);
        set_vertical(&mut g, "山乡新路通", 258.0, 40.0, 22.0);
        // `记者王五 文/图` set top to bottom, its slash upright and alone.
        set_vertical(&mut g, "记者王五文", 240.0, 40.0, 10.0);
        g.push(super::super::Glyph {
            ch: '/',
            x0: 239.0,
            x1: 242.0,
            y0: 92.0,
            y1: 102.0,
            size: 10.0,
            bold: false,
        });
        set_vertical(&mut g, "图", 240.0, 104.0, 10.0);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], "山乡新路通", "{texts:?}");
        let first = texts.iter().position(|t| t.starts_with('甲')).unwrap();
        let byline = texts
            .iter()
            .position(|t| t.starts_with("记者王五"))
            .unwrap();
        assert!(byline < first, "{texts:?}");
    }

    #[test]
    fn a_last_column_empty_below_is_read_in_its_stories_band() {
        let mut g = Vec::new();
        // A story over three columns, its third column empty under it; under the first two,
        // after a gap, another story; at the right a column of briefs runs the page's height.
        set(&mut g, "寿光人在青岛", 20.0, 40.0, 20.0, true);
        column(&mut g, &"甲".repeat(36), 20.0, 66.0, 12);
        column(&mut g, &"乙".repeat(60), 160.0, 40.0, 12);
        column(&mut g, &"丙".repeat(60), 300.0, 40.0, 12);
        set(&mut g, "人勤业兴春来早", 20.0, 140.0, 20.0, true);
        column(&mut g, &"丁".repeat(96), 20.0, 166.0, 12);
        column(&mut g, &"戊".repeat(96), 160.0, 166.0, 12);
        column(&mut g, &"己".repeat(240), 440.0, 40.0, 12);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let third = texts.iter().rposition(|t| t.starts_with('丙')).unwrap();
        let next = texts.iter().position(|t| *t == "人勤业兴春来早").unwrap();
        assert!(third < next, "{texts:?}");
        let briefs = texts.iter().position(|t| t.starts_with('己')).unwrap();
        assert!(
            texts[briefs..].iter().all(|t| t.starts_with('己')),
            "{texts:?}"
        );
    }
}
