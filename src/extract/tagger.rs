//! The page model: a linear-chain tagger over the page's lines. Every line gets one of seven
//! tags, a role and whether it opens an article; the best tag sequence for the whole page is
//! found by Viterbi decoding, so a decision about one line weighs everything around it instead
//! of being committed to left to right. Weights are fitted by `paperboy fit` (see `fit`) and
//! compiled in from `weights.txt`.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::features::Feature;

/// A line's role and whether it opens an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    /// Page furniture, masthead, page and column labels: in no article.
    Outside,
    /// A headline line (kicker, title or subtitle) opening an article.
    HeadOpen,
    /// A headline line of the article already open.
    Head,
    /// A line of running text (dateline and editor's note included) opening an article.
    TextOpen,
    /// A line of running text of the article already open.
    Text,
    /// A byline or credit line opening an article.
    BylineOpen,
    /// A byline or credit line of the article already open.
    Byline,
}

/// Number of tags.
pub const TAGS: usize = 7;

impl Tag {
    /// Every tag, in index order.
    pub const ALL: [Tag; TAGS] = [
        Tag::Outside,
        Tag::HeadOpen,
        Tag::Head,
        Tag::TextOpen,
        Tag::Text,
        Tag::BylineOpen,
        Tag::Byline,
    ];

    /// Index of the tag in weight rows.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Does the line open an article?
    pub fn opens(self) -> bool {
        matches!(self, Tag::HeadOpen | Tag::TextOpen | Tag::BylineOpen)
    }

    /// One-letter code used in label files.
    pub fn code(self) -> char {
        ['O', 'H', 'h', 'T', 't', 'B', 'b'][self.index()]
    }

    /// The tag of a one-letter code.
    pub fn from_code(c: char) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| t.code() == c)
    }
}

/// What the grammar of articles says about one line, whatever the weights: a dateline
/// (`本报讯`) or jump line (`（上接第1版）`) opens an article's text unless a headline or byline
/// of that article comes right before it; after a bracketed byline (`（记者 张三）`) closed an
/// article, text does not go on in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Rule {
    #[default]
    Free,
    Opens,
    AfterClose,
    /// A dateline or jump right after a bracketed byline: a new article, always.
    MustOpen,
    /// A byline set without brackets right over a dateline (`■记者 张三` / `本报讯 …`): it
    /// opens the article the dateline starts, not closes the one before.
    LeadsDateline,
}

impl Rule {
    /// May a line under this rule take `tag` after `prev` (`None` at the page start)?
    pub fn allows(self, prev: Option<Tag>, tag: Tag) -> bool {
        match self {
            Rule::Free => true,
            Rule::Opens => {
                tag == Tag::TextOpen
                    || (tag == Tag::Text
                        && matches!(
                            prev,
                            Some(Tag::HeadOpen | Tag::Head | Tag::BylineOpen | Tag::Byline)
                        ))
            }
            Rule::AfterClose => tag != Tag::Text,
            Rule::MustOpen => tag == Tag::TextOpen,
            Rule::LeadsDateline => {
                tag == Tag::BylineOpen
                    || (tag == Tag::Byline
                        && matches!(prev, Some(Tag::HeadOpen | Tag::Head | Tag::BylineOpen)))
            }
        }
    }
}

/// Fitted weights: per feature a row of tag scores, and tag-to-tag transition scores (row
/// `TAGS` is the page start).
#[derive(Debug, Clone, Default)]
pub struct Weights {
    pub emit: HashMap<Feature, [f32; TAGS]>,
    pub trans: [[f32; TAGS]; TAGS + 1],
    /// The reading-order repair's weights (bias first; see `join`).
    pub join: Vec<f32>,
    /// Added to every line's score for opening an article with text. A missed start merges
    /// two stories for good, while a false one leaves a fragment that the reading-order repair
    /// can put back, so the fit sets this where extraction scores best.
    pub open_bias: f32,
}

impl Weights {
    /// Score of each tag for a line with these features.
    pub fn scores(&self, features: &[Feature]) -> [f32; TAGS] {
        let mut s = [0.0; TAGS];
        s[Tag::TextOpen.index()] = self.open_bias;
        for f in features {
            if let Some(row) = self.emit.get(f) {
                for (a, b) in s.iter_mut().zip(row) {
                    *a += b;
                }
            }
        }
        s
    }

    /// The best-scoring tag sequence for a page (Viterbi) that keeps to the lines' rules
    /// (`rules` may be empty: no rules).
    pub fn decode(&self, page: &[Vec<Feature>], rules: &[Rule]) -> Vec<Tag> {
        let n = page.len();
        if n == 0 {
            return Vec::new();
        }
        let rule = |i: usize| rules.get(i).copied().unwrap_or_default();
        let mut back: Vec<[u8; TAGS]> = Vec::with_capacity(n);
        let first = self.scores(&page[0]);
        let mut best: [f32; TAGS] = std::array::from_fn(|t| {
            if rule(0).allows(None, Tag::ALL[t]) {
                first[t] + self.trans[TAGS][t]
            } else {
                f32::NEG_INFINITY
            }
        });
        back.push([0; TAGS]);
        for (i, feats) in page.iter().enumerate().skip(1) {
            let e = self.scores(feats);
            let r = rule(i);
            let mut next = [f32::NEG_INFINITY; TAGS];
            let mut from = [0u8; TAGS];
            for t in 0..TAGS {
                for (p, &bp) in best.iter().enumerate() {
                    if r != Rule::Free && !r.allows(Some(Tag::ALL[p]), Tag::ALL[t]) {
                        continue;
                    }
                    let v = bp + self.trans[p][t] + e[t];
                    if v > next[t] {
                        next[t] = v;
                        from[t] = p as u8;
                    }
                }
            }
            best = next;
            back.push(from);
        }
        let mut t = (0..TAGS)
            .max_by(|&a, &b| best[a].total_cmp(&best[b]).then(b.cmp(&a)))
            .unwrap_or(0);
        let mut tags = vec![Tag::Outside; n];
        for i in (0..n).rev() {
            tags[i] = Tag::ALL[t];
            t = usize::from(back[i][t]);
        }
        tags
    }

    /// Writes the weights as text: `trans` rows, then one line per feature (hex hash and
    /// scores), sorted so that a refit that changes nothing changes no byte.
    pub fn to_text(&self) -> String {
        let mut out = String::from("# paperboy page model weights: written by `paperboy fit`\n");
        for row in &self.trans {
            out.push_str("trans");
            for v in row {
                out.push_str(&format!(" {v:.3}"));
            }
            out.push('\n');
        }
        if self.open_bias != 0.0 {
            out.push_str(&format!("open_bias {:.3}\n", self.open_bias));
        }
        if !self.join.is_empty() {
            out.push_str("join");
            for v in &self.join {
                out.push_str(&format!(" {v:.4}"));
            }
            out.push('\n');
        }
        let mut keys: Vec<&Feature> = self.emit.keys().collect();
        keys.sort_unstable();
        for k in keys {
            let row = &self.emit[k];
            if row.iter().all(|v| v.abs() < 0.0005) {
                continue;
            }
            out.push_str(&format!("{k:016x}"));
            for v in row {
                out.push_str(&format!(" {v:.3}"));
            }
            out.push('\n');
        }
        out
    }

    /// Reads weights written by [`Weights::to_text`].
    pub fn from_text(text: &str) -> Result<Weights, String> {
        let mut w = Weights::default();
        let mut trans_row = 0;
        for (no, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split_ascii_whitespace();
            let head = parts.next().unwrap_or_default();
            let vals: Vec<f32> = parts
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("line {}: {e}", no + 1))?;
            if head == "open_bias" {
                w.open_bias = vals.first().copied().unwrap_or(0.0);
                continue;
            }
            if head == "join" {
                w.join = vals;
                continue;
            }
            let row: [f32; TAGS] = vals
                .try_into()
                .map_err(|_| format!("line {}: expected {TAGS} scores", no + 1))?;
            if head == "trans" {
                if trans_row > TAGS {
                    return Err(format!("line {}: too many transition rows", no + 1));
                }
                w.trans[trans_row] = row;
                trans_row += 1;
            } else {
                let k = u64::from_str_radix(head, 16)
                    .map_err(|e| format!("line {}: feature {head}: {e}", no + 1))?;
                w.emit.insert(k, row);
            }
        }
        Ok(w)
    }
}

/// The compiled-in weights.
pub fn fitted() -> &'static Weights {
    static W: LazyLock<Weights> = LazyLock::new(|| {
        // The file is written by `paperboy fit` and checked by the unit test below: a broken
        // file is a build defect, and an empty model still decodes (every line Outside).
        Weights::from_text(include_str!("weights.txt")).unwrap_or_default()
    });
    &W
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn compiled_in_weights_parse() {
        let w = Weights::from_text(include_str!("weights.txt")).unwrap();
        assert!(!w.emit.is_empty(), "the page model has no fitted weights");
    }

    #[test]
    fn weights_round_trip_through_text() {
        let mut w = Weights::default();
        w.emit.insert(42, [1.0, -2.0, 0.5, 0.0, 0.0, 0.0, 3.25]);
        w.trans[TAGS][1] = 1.5;
        let back = Weights::from_text(&w.to_text()).unwrap();
        assert_eq!(back.emit[&42], w.emit[&42]);
        assert_eq!(back.trans, w.trans);
    }

    #[test]
    fn a_dateline_opens_an_article_unless_its_headline_comes_right_before() {
        let mut w = Weights::default();
        w.trans[Tag::Text.index()][Tag::Text.index()] = 5.0;
        w.trans[TAGS][Tag::TextOpen.index()] = 1.0;
        let rules = [Rule::Free, Rule::Opens];
        let tags = w.decode(&[vec![], vec![]], &rules);
        assert_eq!(tags[1], Tag::TextOpen, "text cannot run on into a dateline");
        assert!(Rule::Opens.allows(Some(Tag::HeadOpen), Tag::Text));
        assert!(!Rule::AfterClose.allows(Some(Tag::Byline), Tag::Text));
    }

    #[test]
    fn decoding_follows_transitions_when_emissions_tie() {
        let mut w = Weights::default();
        w.trans[TAGS][Tag::HeadOpen.index()] = 1.0;
        w.trans[Tag::HeadOpen.index()][Tag::Text.index()] = 1.0;
        w.trans[Tag::Text.index()][Tag::Text.index()] = 1.0;
        let tags = w.decode(&[vec![], vec![], vec![]], &[]);
        assert_eq!(tags, [Tag::HeadOpen, Tag::Text, Tag::Text]);
    }

    #[test]
    fn an_unbracketed_byline_over_a_dateline_opens_the_article() {
        let page = "会议要求各部门形成上下联动的良好工\n作机制。\n■首席记者 郁佳炜\n本报讯 10日，区委书记带队检查疫情防控。\n";
        let lines = super::super::lines::lines(page);
        let rules = super::super::features::rules(&lines);
        assert_eq!(rules[2], Rule::LeadsDateline);
        assert_eq!(rules[3], Rule::Opens);
        // Text ran on into the byline on weights that favour it: the rule still opens there.
        let mut w = Weights::default();
        w.trans[Tag::TextOpen.index()][Tag::Text.index()] = 5.0;
        w.trans[Tag::Text.index()][Tag::Byline.index()] = 5.0;
        w.trans[Tag::Byline.index()][Tag::Text.index()] = 5.0;
        w.trans[Tag::BylineOpen.index()][Tag::Text.index()] = 1.0;
        w.trans[TAGS][Tag::TextOpen.index()] = 1.0;
        let tags = w.decode(&vec![vec![]; lines.len()], &rules);
        assert_eq!(tags[2], Tag::BylineOpen);
        assert_eq!(tags[3], Tag::Text);
        assert!(!Rule::LeadsDateline.allows(Some(Tag::Text), Tag::Byline));
        assert!(Rule::LeadsDateline.allows(Some(Tag::BylineOpen), Tag::Byline));
    }

    #[test]
    fn a_photo_credit_closes_its_item_but_a_photographers_byline_does_not() {
        let page = "村民在田间插秧，一派繁忙景象。记者\n张明 摄\n10月9日，台风过后，县城展示了安静的一面。\n\
                    文字 李华 摄影 王强\n县里的春耕工作全面展开。\n";
        let lines = super::super::lines::lines(page);
        let rules = super::super::features::rules(&lines);
        assert_eq!(
            rules[2],
            Rule::AfterClose,
            "text after a credit is another story's"
        );
        assert_eq!(
            rules[4],
            Rule::Free,
            "a byline naming photographers opens its story"
        );
        // On weights that run text on through a credit, the rule still starts a new article.
        let mut w = Weights::default();
        w.trans[Tag::TextOpen.index()][Tag::Text.index()] = 5.0;
        w.trans[Tag::Text.index()][Tag::Text.index()] = 5.0;
        w.trans[TAGS][Tag::TextOpen.index()] = 1.0;
        let tags = w.decode(&vec![vec![]; lines.len()], &rules);
        assert_eq!(tags[1], Tag::Text);
        assert_eq!(tags[2], Tag::TextOpen);
    }
}
