//! Reading-order repair: which earlier article a headless fragment continues. A converter that
//! reads a page column by column cuts articles into fragments and puts other stories between
//! them. Each (earlier article, fragment) pair is described by a few facts (is the article left
//! mid-sentence, does the fragment start mid-sentence or like a lead, does a word run across the
//! cut, how many words they share, where the article stands among those left open) and scored
//! by a logistic model fitted on labelled pages (`fit`); the fragment joins the best-scoring
//! article when that score says "same article" more likely than not, and otherwise stays an
//! article of its own.

use super::features::opens_like_a_lead;
use super::headline::{han_text, overlap};
use super::lexicon::word_spans_cut;

/// Number of pair features.
pub const N: usize = 10;

/// What a pair is judged on, from the candidate article's side.
pub struct Candidate<'a> {
    pub paras: &'a [String],
    /// Its text ends mid-sentence.
    pub open: bool,
    pub has_head: bool,
    /// It is the oldest article left open.
    pub oldest_open: bool,
    /// It is the article printed right before the fragment.
    pub latest: bool,
    /// How many articles are left open.
    pub open_count: usize,
}

/// The features of joining `frag` (its paragraphs) to `c`.
pub fn pair(c: &Candidate<'_>, frag: &[String]) -> [f32; N] {
    let first = frag.first().map(String::as_str).unwrap_or("");
    let starts_mid = first.starts_with([
        '，', '。', '、', '；', '：', '！', '？', '）', '”', '」', '』', ',', '.', ')',
    ]) || first.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let frag_text = frag.join("");
    let cand_han = han_text(c.paras.iter().map(String::as_str));
    let frag_han = han_text(frag.iter().map(String::as_str));
    let f = |b: bool| if b { 1.0 } else { 0.0 };
    [
        f(c.open),
        f(starts_mid),
        f(opens_like_a_lead(first)),
        overlap(&frag_text, &cand_han) as f32,
        overlap(&c.paras.join(""), &frag_han) as f32,
        f(c.oldest_open),
        f(c.latest),
        f(c.has_head),
        1.0 / c.open_count.max(1) as f32,
        // A column cut inside a word (`…乡村振` / `兴等…`).
        f(c.open && c.paras.last().is_some_and(|p| word_spans_cut(p, first))),
    ]
}

/// Least share of a headline's words found in the paragraphs it is printed under for those
/// paragraphs to be its story...
const UNDER_MIN: f64 = 0.5;
/// ...and most share found in the text printed after it (its own body, as read).
const AFTER_MAX: f64 = 0.3;
/// How many paragraphs a story under its headline may have.
const UNDER_PARAS: usize = 8;

/// A headline printed under its story's body (a narrow box whose headline sits at its foot, read
/// column by column): the paragraph of `before` (the article read before the headline) where
/// that story opens, when a lead there (`日前，…`) starts paragraphs holding most of the
/// headline's words and the text read after the headline holds few of them. `lines` are the
/// headline's: tried whole, then its last line alone (a kicker, section head or byline read into
/// the group stands over the title).
pub fn story_under(lines: &[&str], before: &[String], after: &[String]) -> Option<usize> {
    let whole = lines.concat();
    let last = lines.last()?;
    let found = [whole.as_str(), last]
        .into_iter()
        .find_map(|head| story_under_head(head, before, after));
    found
}

fn story_under_head(head: &str, before: &[String], after: &[String]) -> Option<usize> {
    let after_han = han_text(after.iter().take(2).map(String::as_str));
    if overlap(head, &after_han) > AFTER_MAX {
        return None;
    }
    // The story under a headline is a few paragraphs; each side is read a few paragraphs deep,
    // so a long article costs no more than a short one.
    let from = before.len().saturating_sub(UNDER_PARAS).max(1);
    (from..before.len()).rev().find(|&j| {
        let story = &before[j..];
        let ahead = &before[j.saturating_sub(UNDER_PARAS)..j];
        opens_like_a_lead(&before[j])
            && overlap(head, &han_text(story.iter().map(String::as_str))) >= UNDER_MIN
            && overlap(head, &han_text(ahead.iter().map(String::as_str))) < AFTER_MAX
    })
}

/// The model's log-odds that the pair is one article (`w[0]` is the bias).
pub fn score(w: &[f32], x: &[f32; N]) -> f32 {
    match w.split_first() {
        Some((b, rest)) => b + rest.iter().zip(x).map(|(a, b)| a * b).sum::<f32>(),
        None => f32::NEG_INFINITY,
    }
}

/// Fits the model on labelled pairs, one group per fragment (its candidates): a logistic fit
/// on all pairs, then the bias moved to where "join the best candidate if it scores above
/// zero" decides the most fragments right.
pub fn fit(groups: &[Vec<([f32; N], bool)>]) -> Vec<f32> {
    let pairs: Vec<([f32; N], bool)> = groups.iter().flatten().copied().collect();
    let mut w = logistic(&pairs);
    let right = |w: &[f32]| {
        groups
            .iter()
            .filter(|g| {
                let best = g
                    .iter()
                    .map(|(x, y)| (score(w, x), *y))
                    .max_by(|a, b| a.0.total_cmp(&b.0));
                let any = g.iter().any(|(_, y)| *y);
                match best {
                    Some((v, y)) if v > 0.0 => y,
                    _ => !any,
                }
            })
            .count()
    };
    let base = w.first().copied().unwrap_or(0.0);
    let mut best = (right(&w), 0.0f32);
    for step in -40..=40 {
        let shift = step as f32 * 0.1;
        w[0] = base + shift;
        let r = right(&w);
        if r > best.0 || (r == best.0 && shift.abs() < best.1.abs()) {
            best = (r, shift);
        }
    }
    w[0] = base + best.1;
    w
}

/// Logistic regression by batch gradient descent (deterministic).
fn logistic(pairs: &[([f32; N], bool)]) -> Vec<f32> {
    let mut w = vec![0.0f32; N + 1];
    if pairs.is_empty() {
        return w;
    }
    let n = pairs.len() as f32;
    for _ in 0..2000 {
        let mut g = vec![0.0f32; N + 1];
        for (x, y) in pairs {
            let p = 1.0 / (1.0 + (-score(&w, x)).exp());
            let err = p - if *y { 1.0 } else { 0.0 };
            g[0] += err;
            for (gi, xi) in g[1..].iter_mut().zip(x) {
                *gi += err * xi;
            }
        }
        for (i, (wi, gi)) in w.iter_mut().zip(&g).enumerate() {
            let l2 = if i == 0 { 0.0 } else { 0.01 * *wi };
            *wi -= 0.5 * (gi / n + l2);
        }
    }
    w
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cand(paras: &[String], open: bool) -> Candidate<'_> {
        Candidate {
            paras,
            open,
            has_head: true,
            oldest_open: open,
            latest: false,
            open_count: 1,
        }
    }

    #[test]
    fn a_fragment_sharing_words_with_an_open_article_scores_higher_once_fitted() {
        let a = vec!["大桥今天正式通车，大桥连接两岸，市民".to_string()];
        let b = vec!["新校开学了。".to_string()];
        let frag = vec!["纷纷前来大桥参观。".to_string()];
        let yes = pair(&cand(&a, true), &frag);
        let no = pair(&cand(&b, false), &frag);
        let w = fit(&[vec![(yes, true)], vec![(no, false)]]);
        assert!(score(&w, &yes) > 0.0 && score(&w, &no) < 0.0);
    }

    #[test]
    fn a_headline_under_its_story_finds_where_the_story_opens() {
        let before = [
            "今天上午，城南大桥正式通车。".to_string(),
            "日前，市作家协会一行二十人赴山区采风。".to_string(),
            "作家们走访了茶园和学校。".to_string(),
        ];
        let after = ["新校今天开学了。".to_string()];
        assert_eq!(
            story_under(&["作家协会赴山区采风"], &before, &after),
            Some(1)
        );
        // The text read after it is its own story: the headline stays there.
        let own = ["市作家协会赴山区采风，走访茶园。".to_string()];
        assert_eq!(story_under(&["作家协会赴山区采风"], &before, &own), None);
    }

    #[test]
    fn without_weights_nothing_joins() {
        assert_eq!(score(&[], &[0.0; N]), f32::NEG_INFINITY);
    }
}
