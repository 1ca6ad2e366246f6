//! The outcome of a scoring run and its two renderings: the text `score.py` prints (same wording,
//! same quoting, same `SUMMARY` line) and JSON.

use std::fmt;

use serde::Serialize;

use super::fold::{py_list, py_repr, py_repr_opt, py_str_opt};

/// Everything a scoring run found: one entry per gold page, in gold order, and the figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// One entry per gold page.
    pub pages: Vec<PageScore>,
    /// The figures over all pages.
    pub summary: Summary,
}

/// How one gold page fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageScore {
    /// The gold page's `file`.
    pub file: String,
    /// Gold articles on the page.
    pub gold: usize,
    /// Predicted articles with a non-empty body; `None` when no extracted page had this name.
    pub pred: Option<usize>,
    /// Gold articles matched by an article that holds no other gold article.
    pub matched: usize,
    /// Each miss, merge, wrong field and wrong date, in the order `score.py` finds them.
    pub misses: Vec<Miss>,
}

/// One thing a page got wrong. Its `Display` is `score.py`'s `--verbose` wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Miss {
    /// No extracted article holds all the passages of this gold article.
    Missed {
        /// The gold title.
        title: Option<String>,
        /// The gold article's first passage.
        passage: Option<String>,
    },
    /// The extracted article holding this gold article also holds passages of another.
    Merged {
        /// The gold title.
        title: Option<String>,
        /// Index of the extracted article among those with a non-empty body.
        pred: usize,
        /// Its title.
        pred_title: Option<String>,
    },
    /// A matched article's title is none of the accepted forms.
    Title {
        /// The gold title.
        want: String,
        /// The extracted kicker.
        kicker: Option<String>,
        /// The extracted title.
        title: Option<String>,
        /// The extracted subtitle.
        subtitle: Option<String>,
    },
    /// A matched article's byline differs from the gold one (as sorted lists).
    Byline {
        /// The gold byline.
        want: Vec<String>,
        /// The extracted byline.
        got: Vec<String>,
    },
    /// A matched article's first region is not the gold primary region.
    Region {
        /// The gold regions.
        want: Vec<String>,
        /// The extracted region codes.
        got: Vec<String>,
        /// The extracted title.
        title: Option<String>,
    },
    /// The page's date is not the printed one.
    Date {
        /// The gold date.
        want: String,
        /// The extracted date.
        got: Option<String>,
        /// Where the extracted date came from.
        source: String,
    },
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Miss::Missed { title, passage } => write!(
                f,
                "miss: {} {}",
                py_str_opt(title.as_deref()),
                py_str_opt(passage.as_deref())
            ),
            Miss::Merged {
                title,
                pred,
                pred_title,
            } => write!(
                f,
                "merged: {} into pred #{pred} {}",
                py_str_opt(title.as_deref()),
                py_str_opt(pred_title.as_deref())
            ),
            Miss::Title {
                want,
                kicker,
                title,
                subtitle,
            } => write!(
                f,
                "title: want {} got {}/{}/{}",
                py_repr(want),
                py_repr_opt(kicker.as_deref()),
                py_repr_opt(title.as_deref()),
                py_repr_opt(subtitle.as_deref())
            ),
            Miss::Byline { want, got } => {
                write!(f, "byline: want {} got {}", py_list(want), py_list(got))
            }
            Miss::Region { want, got, title } => write!(
                f,
                "region: want {} got {} ({})",
                py_list(want),
                py_list(got),
                py_str_opt(title.as_deref())
            ),
            Miss::Date { want, got, source } => write!(
                f,
                "date: want {want} got {} ({source})",
                py_str_opt(got.as_deref())
            ),
        }
    }
}

/// The figures over all pages, rounded to 3 decimals. Field order is the `SUMMARY` key order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Matched / predicted articles.
    pub precision: f64,
    /// Matched / gold articles.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Right titles over matched gold articles that have a title.
    pub title_acc: f64,
    /// Right bylines over matched articles.
    pub byline_acc: f64,
    /// Right primary regions over matched articles.
    pub region_acc: f64,
    /// Gold places found among the predicted regions of matched articles.
    pub region_set_recall: f64,
    /// Right dates over pages that print one.
    pub date_acc: f64,
    /// Pages that print no date but claim a masthead date.
    pub date_false_claims: usize,
    /// Predicted articles holding passages of two or more gold articles.
    pub merged: usize,
    /// Gold articles spread over two or more predicted articles.
    pub split: usize,
    /// Gold pages with no extracted page.
    pub missing_pages: usize,
    /// Gold articles.
    pub gold: usize,
    /// Predicted articles (non-empty bodies, on pages that have gold labels).
    pub pred: usize,
}

impl Summary {
    /// The figures as Python's `json.dumps` writes them: `{"precision": 0.5, "recall": 1.0, …}`.
    pub fn to_python_json(&self) -> String {
        let floats = [
            ("precision", self.precision),
            ("recall", self.recall),
            ("f1", self.f1),
            ("title_acc", self.title_acc),
            ("byline_acc", self.byline_acc),
            ("region_acc", self.region_acc),
            ("region_set_recall", self.region_set_recall),
            ("date_acc", self.date_acc),
        ];
        let counts = [
            ("date_false_claims", self.date_false_claims),
            ("merged", self.merged),
            ("split", self.split),
            ("missing_pages", self.missing_pages),
            ("gold", self.gold),
            ("pred", self.pred),
        ];
        let fields: Vec<String> = floats
            .iter()
            .map(|(k, v)| format!("\"{k}\": {}", py_float(*v)))
            .chain(counts.iter().map(|(k, v)| format!("\"{k}\": {v}")))
            .collect();
        format!("{{{}}}", fields.join(", "))
    }
}

/// Python's `repr` of a float rounded to at most 3 decimals: `0.0`, `0.5`, `0.667`, `1.0`.
fn py_float(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

impl Report {
    /// The report as `score.py` prints it: per page (its misses first when `verbose`) the line
    /// `p01.txt: gold 5 pred 6 matched 2` or `p01.txt: NO PREDICTION`, then `SUMMARY {…}`.
    /// Every line ends with a newline.
    pub fn to_text(&self, verbose: bool) -> String {
        let mut out = String::new();
        for page in &self.pages {
            let Some(pred) = page.pred else {
                out.push_str(&format!("{}: NO PREDICTION\n", page.file));
                continue;
            };
            if verbose {
                for miss in &page.misses {
                    out.push_str(&format!("  {miss}\n"));
                }
            }
            out.push_str(&format!(
                "{}: gold {} pred {pred} matched {}\n",
                page.file, page.gold, page.matched
            ));
        }
        out.push_str(&format!("SUMMARY {}\n", self.summary.to_python_json()));
        out
    }
}
