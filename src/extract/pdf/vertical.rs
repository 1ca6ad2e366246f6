//! Vertical text (竖排): a headline or byline set top to bottom beside its story. Laid out
//! horizontally, each of its characters stands alone on its baseline, so the run builder makes
//! one run per character; here the lone characters stacked in one narrow column are joined
//! back into one run read top to bottom.

use super::cut::Run;

/// Least number of stacked lone characters that make vertical text: one lone character over
/// another happens in running text (a one-character last line); three do not.
const MIN_CHARS: usize = 3;

/// Joins stacked single-character runs into vertical runs; the other runs are kept as they are.
pub(super) fn join(runs: Vec<Run>) -> Vec<Run> {
    let lone: Vec<usize> = (0..runs.len())
        .filter(|&i| runs[i].chars == 1 && !runs[i].picture)
        .collect();
    if lone.len() < MIN_CHARS {
        return runs;
    }
    // Column by column, top to bottom. Sorting by a tolerance directly would not be a total
    // order: sort by centre x, cut into columns where the centre moves on by more than the
    // tolerance, then sort each column by its top.
    let centre = |i: usize| (runs[i].rect.x0 + runs[i].rect.x1) / 2.0;
    let mut by_x = lone;
    by_x.sort_by(|&a, &b| centre(a).total_cmp(&centre(b)));
    let mut order: Vec<usize> = Vec::with_capacity(by_x.len());
    let mut start = 0;
    for k in 1..=by_x.len() {
        let ends = k == by_x.len()
            || centre(by_x[k]) - centre(by_x[start]) >= runs[by_x[start]].size * 0.3;
        if ends {
            let mut col = by_x[start..k].to_vec();
            col.sort_by(|&a, &b| runs[a].rect.y0.total_cmp(&runs[b].rect.y0));
            order.extend(col);
            start = k;
        }
    }
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let joins = chains.last().is_some_and(|c| {
            let prev = &runs[c[c.len() - 1]];
            let r = &runs[i];
            let size = prev.size.min(r.size);
            let (cp, cr) = (
                (prev.rect.x0 + prev.rect.x1) / 2.0,
                (r.rect.x0 + r.rect.x1) / 2.0,
            );
            let gap = r.rect.y0 - prev.rect.y1;
            (cp - cr).abs() < size * 0.3
                && gap > -size * 0.3
                && gap < size * 2.0
                && prev.size.max(r.size) / size.max(0.1) < 1.25
        });
        match chains.last_mut() {
            Some(c) if joins => c.push(i),
            _ => chains.push(vec![i]),
        }
    }
    let mut used = vec![false; runs.len()];
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    for c in chains.iter().filter(|c| c.len() >= MIN_CHARS) {
        let mut run = runs[c[0]].clone();
        run.vertical = true;
        for w in c.windows(2) {
            let (a, b) = (&runs[w[0]], &runs[w[1]]);
            // A visible gap is a space, as on a horizontal line (`本报记者 张三`).
            if b.rect.y0 - a.rect.y1 > b.size * 0.25 {
                run.text.push(' ');
            }
            run.text.push_str(&b.text);
            run.rect = run.rect.union(&b.rect);
            run.size = run.size.max(b.size);
            run.bold += b.bold;
            run.chars += 1;
        }
        for &i in c {
            used[i] = true;
        }
        out.push(run);
    }
    out.extend(
        runs.into_iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .map(|(_, r)| r),
    );
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::cut::read;
    use super::super::testing::{column, set_vertical, sheet};

    #[test]
    fn a_vertical_headline_is_one_line_read_before_the_columns_left_of_it() {
        let mut g = Vec::new();
        column(&mut g, &"甲".repeat(60), 20.0, 40.0, 10);
        column(&mut g, &"乙".repeat(60), 130.0, 40.0, 10);
        set_vertical(&mut g, "山乡新路通", 258.0, 40.0, 22.0);
        set_vertical(&mut g, "记者王五", 240.0, 40.0, 10.0);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], "山乡新路通");
        assert_eq!(texts[1], "记者王五");
        assert!(texts[2].starts_with('甲'), "{texts:?}");
        assert_eq!(lines[0].size, 22.0);
        assert_eq!(lines.len(), 2 + 12);
    }

    #[test]
    fn one_character_lines_of_running_text_stay_lines() {
        let mut g = Vec::new();
        // A paragraph ending in a one-character line, another one under it.
        column(&mut g, &"甲".repeat(21), 20.0, 40.0, 10);
        column(&mut g, &"乙".repeat(11), 20.0, 90.0, 10);
        let lines = read(&sheet(g, vec![]));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "甲甲甲甲甲甲甲甲甲甲",
                "甲甲甲甲甲甲甲甲甲甲",
                "甲",
                "乙乙乙乙乙乙乙乙乙乙",
                "乙"
            ]
        );
    }
}
