//! Fitting the page model: an averaged structured perceptron over labelled pages. Each epoch
//! decodes every page with the current weights and moves them toward the labelled tags where
//! the decoded ones differ; the average of the weights over all steps is returned, which
//! generalises better than the last ones. Deterministic: the page order of each epoch comes from
//! a fixed-seed shuffle. Pure; the command that reads corpora is `paperboy fit`.

use std::collections::HashMap;

use super::features::Feature;
use super::tagger::{Rule, Tag, Weights, TAGS};

/// One labelled page: the features of its lines and their tags.
#[derive(Debug, Clone)]
pub struct Example {
    pub features: Vec<Vec<Feature>>,
    /// The grammar's rule for each line.
    pub rules: Vec<Rule>,
    pub tags: Vec<Tag>,
    /// How many times the page counts (a page written for the project may count more).
    pub weight: u32,
}

struct Accum {
    w: Weights,
    /// Sum of step-stamped updates, for averaging without copying the weights every step.
    u_emit: HashMap<Feature, [f32; TAGS]>,
    u_trans: [[f32; TAGS]; TAGS + 1],
    step: f32,
}

impl Accum {
    fn bump_emit(&mut self, feats: &[Feature], tag: usize, by: f32) {
        for f in feats {
            self.w.emit.entry(*f).or_insert([0.0; TAGS])[tag] += by;
            self.u_emit.entry(*f).or_insert([0.0; TAGS])[tag] += by * self.step;
        }
    }

    fn bump_trans(&mut self, from: usize, to: usize, by: f32) {
        self.w.trans[from][to] += by;
        self.u_trans[from][to] += by * self.step;
    }

    fn averaged(self) -> Weights {
        let c = self.step.max(1.0);
        let mut w = self.w;
        for (f, row) in w.emit.iter_mut() {
            if let Some(u) = self.u_emit.get(f) {
                for (a, b) in row.iter_mut().zip(u) {
                    *a -= b / c;
                }
            }
        }
        for (row, u) in w.trans.iter_mut().zip(&self.u_trans) {
            for (a, b) in row.iter_mut().zip(u) {
                *a -= b / c;
            }
        }
        w
    }
}

/// A deterministic permutation (xorshift) of `0..n`.
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut x = seed | 1;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    order
}

/// Fits weights on the examples.
pub fn fit(examples: &[Example], epochs: usize) -> Weights {
    let mut acc = Accum {
        w: Weights::default(),
        u_emit: HashMap::new(),
        u_trans: [[0.0; TAGS]; TAGS + 1],
        step: 1.0,
    };
    let mut schedule: Vec<usize> = Vec::new();
    for (i, e) in examples.iter().enumerate() {
        for _ in 0..e.weight.max(1) {
            schedule.push(i);
        }
    }
    for epoch in 0..epochs {
        for k in shuffled(schedule.len(), 0x9e37_79b9 + epoch as u64) {
            let ex = &examples[schedule[k]];
            let got = acc.w.decode(&ex.features, &ex.rules);
            let mut prev_gold = TAGS;
            let mut prev_got = TAGS;
            for (i, (&g, &p)) in ex.tags.iter().zip(&got).enumerate() {
                let (g, p) = (g.index(), p.index());
                if g != p {
                    acc.bump_emit(&ex.features[i], g, 1.0);
                    acc.bump_emit(&ex.features[i], p, -1.0);
                }
                if g != p || prev_gold != prev_got {
                    acc.bump_trans(prev_gold, g, 1.0);
                    acc.bump_trans(prev_got, p, -1.0);
                }
                prev_gold = g;
                prev_got = p;
            }
            acc.step += 1.0;
        }
    }
    acc.averaged()
}

/// Share of lines whose decoded tag equals the label.
pub fn accuracy(w: &Weights, examples: &[Example]) -> f64 {
    let (mut ok, mut all) = (0usize, 0usize);
    for e in examples {
        let got = w.decode(&e.features, &e.rules);
        ok += got.iter().zip(&e.tags).filter(|(a, b)| a == b).count();
        all += e.tags.len();
    }
    ok as f64 / all.max(1) as f64
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::features;
    use super::super::lines::lines;
    use super::*;

    /// Two small pages of the same shape: a headline, a body, a byline; the fitted model tags
    /// a third page of that shape it has not seen.
    #[test]
    fn learns_a_page_shape_from_examples() {
        let page = |h: &str, b: &str| format!("{h}\n{b}\n（记者 张三）\n");
        let tags = vec![Tag::HeadOpen, Tag::Text, Tag::Byline];
        let ex = |h: &str, b: &str| {
            let l = lines(&page(h, b));
            Example {
                features: features::page(&l, &[]),
                rules: Vec::new(),
                tags: tags.clone(),
                weight: 1,
            }
        };
        let train = vec![
            ex("大桥通车", "今天上午，大桥正式通车，市民纷纷前来。"),
            ex("新校开学", "秋季学期开始了，新校迎来第一批学生。"),
        ];
        let w = fit(&train, 5);
        let test = ex("菜价平稳", "台风过后，菜市场的菜价基本保持稳定。");
        assert_eq!(accuracy(&w, &[test]), 1.0);
    }

    #[test]
    fn the_shuffle_is_a_fixed_permutation() {
        let a = shuffled(10, 7);
        let mut b = a.clone();
        b.sort_unstable();
        assert_eq!(b, (0..10).collect::<Vec<_>>());
        assert_eq!(a, shuffled(10, 7));
    }
}
