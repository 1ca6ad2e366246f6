//! Geometry → lines in reading order. Glyphs on one baseline that stand close together become
//! runs; the page is then cut recursively at whitespace (an XY cut): first at gutters that run
//! the whole height of a region (columns, read left to right), else at gaps that run its whole
//! width (read top to bottom). What can no longer be cut is one column of one story, read line
//! by line. Pictures take part in the cut as boxes of their own, so the reading order says where
//! each picture stands among the lines.

use super::{columns, vertical};
use super::{Glyph, Rect, Sheet, HEAD_SCALE};

mod bands;
mod ink;
use bands::{headline_on_top, headline_under_gap, picture_bands, stranded_heads};
use ink::{trim_to_ink, unmapped_in_headlines, CLOSING, OPENING};

/// A line of text as laid out, or a picture, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub rect: Rect,
    /// Type size (the largest on the line), in points.
    pub size: f32,
    /// Most of its characters are set in a bold or black face.
    pub bold: bool,
    /// The line starts right of its block's left edge (a paragraph's first line).
    pub indented: bool,
    /// Whitespace or a cut separates it from the line read before it.
    pub gap_before: bool,
    /// This is a picture, not text (`text` is empty).
    pub picture: bool,
    /// Index of the leaf region (one column of one block) it was read in.
    pub leaf: usize,
}

/// Glyphs of one baseline that stand together.
#[derive(Debug, Clone)]
pub(super) struct Run {
    pub(super) rect: Rect,
    pub(super) size: f32,
    pub(super) bold: usize,
    pub(super) chars: usize,
    pub(super) text: String,
    pub(super) picture: bool,
    /// Set top to bottom (竖排), read as one line.
    pub(super) vertical: bool,
}

/// The body type size: the size most characters on the page are set in.
pub fn body_size(glyphs: &[Glyph]) -> f32 {
    let mut counts: Vec<(i32, usize)> = Vec::new();
    for g in glyphs {
        let k = (g.size * 4.0).round() as i32;
        match counts.iter_mut().find(|(s, _)| *s == k) {
            Some(c) => c.1 += 1,
            None => counts.push((k, 1)),
        }
    }
    counts
        .iter()
        .max_by_key(|&&(s, n)| (n, -s))
        .map_or(10.0, |&(s, _)| s as f32 / 4.0)
}

/// Reads a sheet: its lines and pictures in reading order.
pub fn read(sheet: &Sheet) -> Vec<Line> {
    let body = body_size(&sheet.glyphs);
    let mut items = unmapped_in_headlines(vertical::join(runs(&sheet.glyphs, body)));
    items.extend(sheet.pictures.iter().map(|r| Run {
        rect: *r,
        size: 0.0,
        bold: 0,
        chars: 0,
        text: String::new(),
        picture: true,
        vertical: false,
    }));
    let all: Vec<usize> = (0..items.len()).collect();
    let mut leaves: Vec<Vec<usize>> = Vec::new();
    xy_cut(&items, all, body, 0, &mut leaves);
    let mut out = Vec::new();
    for (k, leaf) in leaves.iter().enumerate() {
        lines_of(&items, leaf, k, body, &mut out);
    }
    out
}

/// Groups glyphs into runs: same baseline band, close together, same type size.
fn runs(glyphs: &[Glyph], body: f32) -> Vec<Run> {
    // Spaces count only in headline type, where one may stand on a gutter (below).
    let mut order: Vec<usize> = (0..glyphs.len())
        .filter(|&i| !glyphs[i].ch.is_whitespace() || glyphs[i].size >= body * HEAD_SCALE)
        .collect();
    order.sort_by(|&a, &b| {
        let (ga, gb) = (&glyphs[a], &glyphs[b]);
        ga.mid().total_cmp(&gb.mid()).then(ga.x0.total_cmp(&gb.x0))
    });
    let mut out: Vec<Run> = Vec::new();
    let mut i = 0;
    while i < order.len() {
        // A band: glyphs whose middles lie within a third of the first one's size below it.
        let first = &glyphs[order[i]];
        let tol = first.size.min(body) * 0.35;
        let mut j = i;
        while j < order.len() && glyphs[order[j]].mid() - first.mid() <= tol {
            j += 1;
        }
        let mut band: Vec<usize> = order[i..j].to_vec();
        band.sort_by(|&a, &b| glyphs[a].x0.total_cmp(&glyphs[b].x0));
        let start = out.len();
        // Where a space set in headline type right after a run ends.
        let mut space_to: Option<f32> = None;
        for &g in &band {
            let g = &glyphs[g];
            if g.ch.is_whitespace() {
                space_to = out[start..]
                    .last()
                    .filter(|r| g.x0 - r.rect.x1 < g.size * 0.25 && same_size(r.size, g.size))
                    .map(|_| g.x1);
                continue;
            }
            // A headline over two columns whose space falls on the gutter between them: the
            // space glyph bridges the gap, so the headline stays one run (two headlines side
            // by side have no space between them).
            let spaced = space_to.take().is_some_and(|to| {
                g.x0 - to < g.size * 0.25 && out.last().is_some_and(|r| same_size(r.size, g.size))
            });
            let joins = out.len() > start
                && (spaced || {
                    let r = &out[out.len() - 1];
                    let gap = g.x0 - r.rect.x1;
                    let small = r.size.min(g.size);
                    // Where the boxes stand apart, between the inks: a closing quote hung past a
                    // column's edge is no bridge over the gutter. Text set solid joins.
                    let apart = gap > small * 0.25;
                    let mut ink = gap;
                    if apart && r.text.ends_with(CLOSING) {
                        ink += r.size * 0.5;
                    }
                    if apart && OPENING.contains(&g.ch) {
                        ink += g.size * 0.5;
                    }
                    ink < join_gap(small, body)
                        && gap > -small * 0.5
                        && same_type(r.size, g.size, body)
                });
            if joins {
                if let Some(r) = out.last_mut() {
                    // A visible gap is a space (bylines: `记者 张三`); the body's column-gap
                    // spaces are closed later, as for text dumps.
                    if g.x0 - r.rect.x1 > g.size * 0.25 {
                        r.text.push(' ');
                    }
                    r.rect = r.rect.union(&g.rect());
                    r.size = r.size.max(g.size);
                    r.bold += usize::from(g.bold);
                    r.chars += 1;
                    r.text.push(g.ch);
                }
            } else {
                out.push(Run {
                    rect: g.rect(),
                    size: g.size,
                    bold: usize::from(g.bold),
                    chars: 1,
                    text: g.ch.to_string(),
                    picture: false,
                    vertical: false,
                });
            }
        }
        i = j;
    }
    for r in out.iter_mut().filter(|r| r.chars >= 2) {
        trim_to_ink(r);
    }
    out
}

/// The widest gap inside a run: most of a character, but in display type no wider than half
/// its size or most of a body character. Two headlines side by side over their own columns
/// stand a gutter apart, which in large type is less than a character.
fn join_gap(size: f32, body: f32) -> f32 {
    (size * 0.8).min((size * 0.5).max(body * 0.8))
}

/// Sizes one run may mix: a smaller figure or mark in running text, but in headline type one
/// size only. Two headlines side by side are set in sizes of their own, and a quote mark one
/// of them hangs into the gutter can touch the other's first character.
fn same_type(a: f32, b: f32, body: f32) -> bool {
    if a.min(b) >= body * HEAD_SCALE {
        same_size(a, b)
    } else {
        ratio(a, b) < 1.25
    }
}

/// One type size, as a PDF states it (rounding apart).
fn same_size(a: f32, b: f32) -> bool {
    ratio(a, b) < 1.02
}

fn ratio(a: f32, b: f32) -> f32 {
    a.max(b) / a.min(b).max(0.1)
}

/// A gap across a region at least this many body sizes high separates bands of stories
/// (between lines of one story, and between a headline and its text, the gap is smaller).
pub(super) const STRONG_GAP: f32 = 1.0;

/// Deepest cut; past it a region is read as it stands (bounds the recursion on odd pages).
const MAX_DEPTH: usize = 400;

fn xy_cut(items: &[Run], region: Vec<usize>, body: f32, depth: usize, out: &mut Vec<Vec<usize>>) {
    if region.len() <= 1 || depth >= MAX_DEPTH {
        if !region.is_empty() {
            out.push(region);
        }
        return;
    }
    // A wide gap across the whole region first: bands of stories set one above the other, even
    // where their columns stand on one grid.
    let mut bands = gaps(items, &region, body * STRONG_GAP, |r| (r.y0, r.y1));
    if bands.len() > 1 {
        stranded_heads(items, &mut bands, body);
        for (_, b) in bands {
            xy_cut(items, b, body, depth + 1, out);
        }
        return;
    }
    // A picture across the region: text never overlaps it, so any gap under or over it
    // parts it from the columns of text set beside each other below or above.
    let parts = picture_bands(items, &region, body);
    if parts.len() > 1 {
        for p in parts {
            xy_cut(items, p, body, depth + 1, out);
        }
        return;
    }
    // A headline band on top: display type alone above a gap across the region, over the
    // story's columns (which may reach further left or right than the headline).
    if let Some((head, rest)) = headline_on_top(items, &region, body) {
        // One leaf: the headline's wrapped lines read together.
        out.push(head);
        xy_cut(items, rest, body, depth + 1, out);
        return;
    }
    // A headline right under a narrower gap across the region: the story above ends there
    // in every column, and the one below starts level with its headline.
    if let Some((above, below)) = headline_under_gap(items, &region, body) {
        xy_cut(items, above, body, depth + 1, out);
        xy_cut(items, below, body, depth + 1, out);
        return;
    }
    // Then columns: a gutter running the whole height of the region.
    let cols = columns::group(
        items,
        split(items, &region, body * 0.6, |r| (r.x0, r.x1)),
        body,
    );
    if cols.len() > 1 && !one_band_close_set(items, &region, body) {
        for c in cols {
            xy_cut(items, c, body, depth + 1, out);
        }
        return;
    }
    let rows = split_rows(items, &region, body * 0.6);
    if rows.len() > 1 {
        for r in rows {
            xy_cut(items, r, body, depth + 1, out);
        }
        return;
    }
    out.push(region);
}

/// A region that is a single band of text set with wide spaces (a byline: `记者 张三　实习生 李四`)
/// is read as one line, not cut into columns; items far apart on one band (the parts of a
/// masthead) are cut.
fn one_band_close_set(items: &[Run], region: &[usize], body: f32) -> bool {
    let mut xs: Vec<(f32, f32)> = region
        .iter()
        .map(|&i| (items[i].rect.x0, items[i].rect.x1))
        .collect();
    xs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let size = region.iter().map(|&i| items[i].size).fold(body, f32::max);
    if xs
        .windows(2)
        .any(|w| w[1].0 - w[0].1 > body * 3.0 && w[1].0 - w[0].1 > size * 2.0)
    {
        return false;
    }
    let top = region
        .iter()
        .map(|&i| items[i].rect.y0)
        .fold(f32::MAX, f32::min);
    let bottom = region
        .iter()
        .map(|&i| items[i].rect.y1)
        .fold(f32::MIN, f32::max);
    let tallest = region
        .iter()
        .map(|&i| items[i].rect.y1 - items[i].rect.y0)
        .fold(0.0, f32::max);
    region
        .iter()
        .all(|&i| !items[i].picture && !items[i].vertical)
        && bottom - top < tallest * 1.5
}

/// Splits a region at every gap of at least `min` along one axis where no item stands.
fn split(
    items: &[Run],
    region: &[usize],
    min: f32,
    span: impl Fn(&Rect) -> (f32, f32),
) -> Vec<Vec<usize>> {
    gaps(items, region, min, span)
        .into_iter()
        .map(|(_, g)| g)
        .collect()
}

/// The groups a region falls into along one axis, each with the width of the gap before it.
pub(super) fn gaps(
    items: &[Run],
    region: &[usize],
    min: f32,
    span: impl Fn(&Rect) -> (f32, f32),
) -> Vec<(f32, Vec<usize>)> {
    let mut order: Vec<usize> = region.to_vec();
    order.sort_by(|&a, &b| span(&items[a].rect).0.total_cmp(&span(&items[b].rect).0));
    let mut groups: Vec<(f32, Vec<usize>)> = Vec::new();
    let mut reach = f32::MIN;
    for i in order {
        let (lo, hi) = span(&items[i].rect);
        if groups.is_empty() || lo - reach >= min {
            groups.push((lo - reach, Vec::new()));
        }
        if let Some(g) = groups.last_mut() {
            g.1.push(i);
        }
        reach = reach.max(hi);
    }
    groups
}

/// Splits a region across at its widest gaps only: a narrower gap may run across two stories
/// side by side by chance (one's byline ends where the other's headline does), and is cut
/// only once the columns below the wide gap have been told apart.
fn split_rows(items: &[Run], region: &[usize], min: f32) -> Vec<Vec<usize>> {
    let groups = gaps(items, region, min, |r| (r.y0, r.y1));
    let widest = groups.iter().skip(1).map(|g| g.0).fold(0.0, f32::max);
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (k, (gap, g)) in groups.into_iter().enumerate() {
        match out.last_mut() {
            Some(last) if k > 0 && gap < widest * 0.85 => last.extend(g),
            _ => out.push(g),
        }
    }
    out
}

/// One leaf: its runs grouped into lines by baseline band, top to bottom.
fn lines_of(items: &[Run], leaf: &[usize], k: usize, body: f32, out: &mut Vec<Line>) {
    let mut order: Vec<usize> = leaf.to_vec();
    // Vertical lines read right to left (竖排 is set from the right), before anything else in
    // their leaf; other lines top to bottom.
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&items[a].rect, &items[b].rect);
        match (items[a].vertical, items[b].vertical) {
            (true, true) => rb.x1.total_cmp(&ra.x1),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => ra
                .mid_y()
                .total_cmp(&rb.mid_y())
                .then(ra.x0.total_cmp(&rb.x0)),
        }
    });
    let left = leaf
        .iter()
        .map(|&i| items[i].rect.x0)
        .fold(f32::MAX, f32::min);
    let mut first = true;
    let mut i = 0;
    let mut last_bottom = f32::MIN;
    while i < order.len() {
        let head = &items[order[i]];
        if head.picture {
            out.push(Line {
                text: String::new(),
                rect: head.rect,
                size: 0.0,
                bold: false,
                indented: false,
                gap_before: true,
                picture: true,
                leaf: k,
            });
            last_bottom = head.rect.y1;
            first = true;
            i += 1;
            continue;
        }
        let tol = head.size.min(body) * 0.35;
        let mut j = i + 1;
        while j < order.len()
            && !head.vertical
            && !items[order[j]].picture
            && !items[order[j]].vertical
            && items[order[j]].rect.mid_y() - head.rect.mid_y() <= tol
        {
            j += 1;
        }
        let mut band: Vec<&Run> = order[i..j].iter().map(|&x| &items[x]).collect();
        band.sort_by(|a, b| a.rect.x0.total_cmp(&b.rect.x0));
        let mut text = String::new();
        let mut rect = band[0].rect;
        let (mut bold, mut chars, mut size) = (0, 0, 0.0f32);
        for r in &band {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&r.text);
            rect = rect.union(&r.rect);
            bold += r.bold;
            chars += r.chars;
            size = size.max(r.size);
        }
        let gap = rect.y0 - last_bottom;
        out.push(Line {
            text,
            rect,
            size,
            bold: bold * 2 > chars,
            indented: rect.x0 - left > size * 1.2,
            gap_before: first || gap > size.min(body) * 0.6,
            picture: false,
            leaf: k,
        });
        last_bottom = rect.y1;
        first = false;
        i = j;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
