//! Where a region is cut across before its columns are told apart: a band of one picture, a
//! headline alone on top of its story's columns, a headline right under a narrower gap.

use super::super::HEAD_SCALE;
use super::{gaps, split, Run};

/// Set larger than the body: headline type.
fn big(items: &[Run], i: usize, body: f32) -> bool {
    items[i].size >= body * HEAD_SCALE && !items[i].picture
}

/// Display type: headline sizes, or bold (a kicker, a subtitle).
fn display(items: &[Run], i: usize, body: f32) -> bool {
    big(items, i, body) || (items[i].bold * 2 > items[i].chars && !items[i].picture)
}

/// The region cut across at every gap, however narrow, on either side of a band of one
/// picture (or pictures with no gutter between them) alone.
pub(super) fn picture_bands(items: &[Run], region: &[usize], body: f32) -> Vec<Vec<usize>> {
    if !region.iter().any(|&i| items[i].picture) {
        return vec![region.to_vec()];
    }
    // One picture across, not pictures side by side with a gutter between (photo items set
    // beside each other, each over its own caption, are cut into columns first).
    let pictures = |g: &[usize]| {
        g.iter().all(|&i| items[i].picture)
            && split(items, g, body * 0.6, |r| (r.x0, r.x1)).len() == 1
    };
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (_, g) in gaps(items, region, 0.5, |r| (r.y0, r.y1)) {
        match out.last_mut() {
            Some(last) if !pictures(last) && !pictures(&g) => last.extend(g),
            _ => out.push(g),
        }
    }
    out
}

/// The region cut under its top band when that band is display type alone (headline sizes,
/// or bold kicker and subtitle lines with them) and a gap of at least 0.4 body sizes runs
/// across the whole region below it.
pub(super) fn headline_on_top(
    items: &[Run],
    region: &[usize],
    body: f32,
) -> Option<(Vec<usize>, Vec<usize>)> {
    let groups = gaps(items, region, body * 0.4, |r| (r.y0, r.y1));
    if groups.len() < 2 {
        return None;
    }
    let big = |i: usize| big(items, i, body);
    let display = |i: usize| display(items, i, body);
    let mut head = Vec::new();
    let mut k = 0;
    while k < groups.len() - 1 && groups[k].1.iter().all(|&i| display(i)) {
        head.extend(groups[k].1.iter().copied());
        k += 1;
    }
    // One headline, not the headlines of stories side by side: no gutter between its parts
    // (a lone character past a wide space, `第四十五期　寿` over `光人在青岛`, is no headline).
    let parts = split(items, &head, body, |r| (r.x0, r.x1));
    let headlines = parts
        .iter()
        .filter(|p| p.iter().map(|&i| items[i].chars).sum::<usize>() >= 2)
        .count();
    if k == 0 || !head.iter().any(|&i| big(i)) || headlines > 1 {
        return None;
    }
    let rest_from = |k: usize| -> Vec<usize> {
        groups[k..]
            .iter()
            .flat_map(|g| g.1.iter().copied())
            .collect()
    };
    // A line right under the headline that runs across a gutter of the columns below (a
    // byline set to the right over two columns) goes with the headline: cut into columns, it
    // would be read inside one of them.
    if k + 1 < groups.len() && bridges(items, &groups[k].1, &rest_from(k + 1), body) {
        head.extend(groups[k].1.iter().copied());
        k += 1;
    }
    Some((head, rest_from(k)))
}

/// `line` is one band of text that runs across where a column of `below` starts.
fn bridges(items: &[Run], line: &[usize], below: &[usize], body: f32) -> bool {
    let top = line
        .iter()
        .map(|&i| items[i].rect.y0)
        .fold(f32::MAX, f32::min);
    let one_band = line
        .iter()
        .all(|&i| !items[i].picture && items[i].rect.y0 < top + body * 0.5);
    one_band
        && gaps(items, below, body * 0.6, |r| (r.x0, r.x1))
            .iter()
            .skip(1)
            .map(|(_, g)| g.iter().map(|&i| items[i].rect.x0).fold(f32::MAX, f32::min))
            .any(|s| {
                line.iter()
                    .any(|&i| items[i].rect.x0 < s - body && items[i].rect.x1 > s)
            })
}

/// Gaps looked at by [`headline_under_gap`], at most.
const MAX_CANDIDATES: usize = 8;

/// The region cut at the first gap of at least 0.6 body sizes across it under which display
/// type opens the text (a headline, or a bold kicker over one), where each of the region's
/// columns holds text on both sides of that gap and none ends over it in display type: where
/// stories set one above the other share a column grid, the gap between them is often narrower
/// than a band's, and cut into columns first the story below would be read inside the columns
/// of the one above. (A headline across a gutter, or a brief beside them that runs past the
/// gap, leaves the region to the cuts after this one.)
pub(super) fn headline_under_gap(
    items: &[Run],
    region: &[usize],
    body: f32,
) -> Option<(Vec<usize>, Vec<usize>)> {
    let cols = split(items, region, body * 0.6, |r| (r.x0, r.x1));
    if cols.len() < 2 {
        return None;
    }
    let groups = gaps(items, region, body * 0.6, |r| (r.y0, r.y1));
    let big = |i: usize| big(items, i, body);
    let display = |i: usize| display(items, i, body);
    let opens = |g: &[usize], top: f32| {
        g.iter()
            .any(|&i| display(i) && items[i].rect.y0 < top + body * 0.5)
            && g.iter()
                .any(|&i| big(i) && items[i].rect.y0 < top + body * 6.0)
    };
    let top_of = |g: &[usize]| g.iter().map(|&i| items[i].rect.y0).fold(f32::MAX, f32::min);
    // The columns are checked at the first few gaps display type opens under, each a pass
    // over the region: time stays linear in it on any page.
    let k = (1..groups.len())
        .filter(|&k| opens(&groups[k].1, top_of(&groups[k].1)))
        .take(MAX_CANDIDATES)
        .find(|&k| {
            let top = top_of(&groups[k].1);
            // Every column goes on across the gap, and what ends over it is not display type
            // (a headline right over a gap heads what is under it).
            cols.iter().all(|c| {
                let last_above = c
                    .iter()
                    .filter(|&&i| items[i].rect.y1 <= top)
                    .max_by(|&&a, &&b| items[a].rect.y1.total_cmp(&items[b].rect.y1));
                last_above.is_some_and(|&i| !display(i))
                    && c.iter().any(|&i| items[i].rect.y0 >= top)
            })
        })?;
    let above = groups[..k]
        .iter()
        .flat_map(|g| g.1.iter().copied())
        .collect();
    let below = groups[k..]
        .iter()
        .flat_map(|g| g.1.iter().copied())
        .collect();
    Some((above, below))
}

/// Lines of a stranded headline with its kicker, at most.
const MAX_HEAD_LINES: usize = 8;

/// Headlines stranded at the foot of a band go down to the band under them. A story set low in
/// a column may have its headline (and kicker) above a gap that runs across the page and its
/// picture and text below it; nothing of the band above stands under such a headline, it ends
/// where that band ends, and the band below goes on right under it, across no more than the
/// band gap. Read in the band above, the headline would head the story beside it. A headline
/// with text under it in its own band, ending above the band's foot, with space under it (a
/// headline beside its own text), or alone in its band with no story over it, stays.
pub(super) fn stranded_heads(items: &[Run], bands: &mut [(f32, Vec<usize>)], body: f32) {
    for k in 1..bands.len() {
        let (upper, lower) = bands.split_at_mut(k);
        let (up, down) = (&mut upper[k - 1].1, &mut lower[0].1);
        let foot = up
            .iter()
            .map(|&i| items[i].rect.y1)
            .fold(f32::MIN, f32::max);
        let overlaps = |a: usize, b: usize| {
            let (ra, rb) = (&items[a].rect, &items[b].rect);
            ra.x0 < rb.x1 && rb.x0 < ra.x1
        };
        let Some(&head) = up.iter().find(|&&h| {
            big(items, h, body)
                && !items[h].vertical
                && foot - items[h].rect.y1 < body
                && !up
                    .iter()
                    .any(|&o| o != h && overlaps(o, h) && items[o].rect.y0 >= items[h].rect.y1)
                && down
                    .iter()
                    .any(|&o| overlaps(o, h) && items[o].rect.y0 - items[h].rect.y1 < body * 1.6)
        }) else {
            continue;
        };
        // The headline's other lines and its kicker: display type right over it, in its
        // x-range, one after another (a few lines: bounds the search on odd pages).
        let mut group = vec![head];
        let mut top = items[head].rect.y0;
        while group.len() < MAX_HEAD_LINES {
            let next = up.iter().copied().find(|&o| {
                !group.contains(&o)
                    && display(items, o, body)
                    && !items[o].vertical
                    && group.iter().any(|&g| overlaps(o, g))
                    && items[o].rect.y1 <= top + body * 0.2
                    && top - items[o].rect.y1 < body
            });
            match next {
                Some(o) => {
                    top = top.min(items[o].rect.y0);
                    group.push(o);
                }
                None => break,
            }
        }
        // A headline with its story's band beside it and another story over it in its
        // column; a band of a headline alone (or a masthead) is no story's foot.
        let beside = up.iter().any(|&o| {
            !group.contains(&o)
                && !group.iter().any(|&g| overlaps(o, g))
                && items[o].rect.y0 < items[head].rect.y1
                && items[o].rect.y1 > items[head].rect.y0
        });
        let over = up.iter().any(|&o| {
            !group.contains(&o) && group.iter().any(|&g| overlaps(o, g)) && items[o].rect.y1 <= top
        });
        if !beside || !over {
            continue;
        }
        up.retain(|i| !group.contains(i));
        down.extend(group);
    }
}
