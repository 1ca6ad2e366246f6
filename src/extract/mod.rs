//! Extraction: page bytes → [`Page`]. Pure, synchronous, deterministic; no I/O.
//!
//! The stages run in order: `decode` (bytes → text), `layout` (text → units with hard wraps
//! joined and markdown residue stripped), `segment` (units → article drafts and headline groups),
//! `headline` (groups → each article's kicker/title/subtitle), then bylines and bodies are
//! finished here, the page's date and paper read from its masthead (`date`, `furniture`), and
//! regions assigned by [`crate::region::assign_page`] on the repaired text. Rules are written
//! for the genre (any Chinese local paper), never for one page.

mod assemble;
mod byline;
mod date;
mod decode;
mod features;
pub mod fit;
mod folio;
mod furniture;
mod headline;
mod join;
pub mod label;
mod layout;
mod lexicon;
pub mod lines;
mod orphans;
pub mod pdf;
mod segment;
mod spacing;
mod stacked;
mod stray;
pub mod tagger;
mod tail;

use chrono::NaiveDate;

use crate::model::{Article, ArticleKind, DateSource, Page};
use crate::region::{self, ArticleText};

pub use decode::DecodeError;
pub use join::N as JOIN_FEATURES;
pub use pdf::Ocr;

/// Compiles one of extraction's fixed patterns. They are literals exercised by the unit tests,
/// so one that does not compile is a programming error caught there.
#[allow(clippy::expect_used)]
fn rule(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).expect("extraction rule patterns are valid regular expressions")
}

/// What the operator says about a page.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Publication date given by the operator (`--date`, API field): `date_source = metadata`.
    pub date: Option<NaiveDate>,
    /// Paper name given by the operator.
    pub paper: Option<String>,
    /// How the page is cut into articles.
    pub segmenter: Segmenter,
    /// How a scanned PDF page (no text layer) is read.
    pub ocr: Ocr,
}

/// How a page is cut into articles.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Segmenter {
    /// By the kind of page (the default): the fitted page model for text a PDF converter wrote
    /// page by page in reading order (pages apart by form feeds, as pdftotext and pdfminer.six
    /// write them, columns not side by side), the rules for every other page. On pages and
    /// outlets the model was not fitted on it is well ahead of the rules on exactly that kind;
    /// on markdown and OCR dumps it is level in F1, and on hard-wrapped pages typed or pasted by
    /// hand well behind them.
    #[default]
    Auto,
    /// The hand-written segmentation rules (units, headline groups, bylines).
    Rules,
    /// The fitted page model (`tagger`, `assemble`).
    Model,
}

/// Whether `Segmenter::Auto` gives a page to the fitted model: text a PDF converter wrote page
/// by page (a form feed ends each page) with its columns one after another.
pub fn read_by_model(text: &str) -> bool {
    text.contains('\u{c}') && !lines::side_by_side(text)
}

/// Why a page could not be extracted.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{file}: empty file")]
    Empty { file: String },
    #[error("{file}: not text ({reason})")]
    NotText { file: String, reason: String },
    #[error("{file}: unreadable PDF: {reason}")]
    Pdf { file: String, reason: String },
}

/// Extracts every page a file holds: one for a text dump, one per page for a PDF.
pub fn pages(bytes: &[u8], source: &str, opts: &Options) -> Result<Vec<Page>, ExtractError> {
    if pdf::is_pdf(bytes) {
        pdf::pages(bytes, source, opts)
    } else {
        page(bytes, source, opts).map(|p| vec![p])
    }
}

/// Extracts one page. `source` is its path or identity (a date in it counts as metadata).
pub fn page(bytes: &[u8], source: &str, opts: &Options) -> Result<Page, ExtractError> {
    match opts.segmenter {
        Segmenter::Auto => build(bytes, source, opts, Cut::Auto),
        Segmenter::Rules => build(bytes, source, opts, Cut::Rules),
        Segmenter::Model => build(bytes, source, opts, Cut::Model(tagger::fitted())),
    }
}

/// The features and tags of a page's lines under the given weights (for fitting and `--explain`).
pub fn tag_text(text: &str, weights: &tagger::Weights) -> (Vec<lines::PageLine>, Vec<tagger::Tag>) {
    let lines = lines::lines(text);
    let feats = features::page(&lines, &rule_hints(text, &lines));
    let tags = weights.decode(&feats, &features::rules(&lines));
    (lines, tags)
}

/// Labelled pairs for fitting the reading-order repair, from a page whose lines' tags and
/// articles are known.
pub fn join_pairs(
    lines: &[lines::PageLine],
    tags: &[tagger::Tag],
    ids: &[Option<usize>],
) -> Vec<Vec<([f32; join::N], bool)>> {
    assemble::join_pairs(lines, tags, ids)
}

/// Fits the reading-order repair's weights on labelled pairs (one group per fragment).
pub fn fit_join(pairs: &[Vec<([f32; join::N], bool)>]) -> Vec<f32> {
    join::fit(pairs)
}

/// The features of a page's lines (`text` is the page they were read from), for fitting.
pub fn line_features(text: &str, lines: &[lines::PageLine]) -> Vec<Vec<features::Feature>> {
    features::page(lines, &rule_hints(text, lines))
}

/// What the hand-written segmentation rules make of each line, as tags: the page model reads
/// them as features and learns where to trust them (stacking), so it starts from what the rules
/// get right instead of relearning it.
fn rule_hints(text: &str, lines: &[lines::PageLine]) -> Vec<tagger::Tag> {
    let drafts = headline::attach(segment::segment(&layout::units(text)));
    let known: Vec<label::Known> = drafts
        .into_iter()
        .filter_map(finish)
        .map(|a| label::Known {
            head: [a.kicker, a.title, a.subtitle]
                .into_iter()
                .flatten()
                .collect(),
            byline: a.byline,
            body: vec![a.body],
        })
        .collect();
    label::align(lines, &known, &[])
}

/// The grammar's rule for each of a page's lines, for fitting.
pub fn line_rules(lines: &[lines::PageLine]) -> Vec<tagger::Rule> {
    features::rules(lines)
}

/// Decodes page bytes to text (as [`page`] does), for tools that label pages.
pub fn text(bytes: &[u8], source: &str) -> Result<String, ExtractError> {
    decode_text(bytes, source).map(|t| t.trim_start_matches('\u{feff}').to_string())
}

fn decode_text(bytes: &[u8], source: &str) -> Result<String, ExtractError> {
    decode::decode(bytes)
        .map(|d| d.text.to_string())
        .map_err(|e| match e {
            DecodeError::Empty => ExtractError::Empty {
                file: source.to_string(),
            },
            DecodeError::NotText(reason) => ExtractError::NotText {
                file: source.to_string(),
                reason,
            },
        })
}

/// Extracts one page with the given page-model weights (fitting scores candidate weights).
pub fn page_with(
    bytes: &[u8],
    source: &str,
    opts: &Options,
    weights: &tagger::Weights,
) -> Result<Page, ExtractError> {
    build(bytes, source, opts, Cut::Model(weights))
}

/// Extracts one page with the hand-written segmentation rules that preceded the page model;
/// `paperboy fit --label` uses it to propose labels for a new page.
pub fn page_by_rules(bytes: &[u8], source: &str, opts: &Options) -> Result<Page, ExtractError> {
    build(bytes, source, opts, Cut::Rules)
}

/// Extracts one page with its lines' tags given (labelled pages: what assembly makes of
/// perfect tags).
pub fn page_tagged(
    bytes: &[u8],
    source: &str,
    opts: &Options,
    tags: &[tagger::Tag],
) -> Result<Page, ExtractError> {
    build(bytes, source, opts, Cut::Tags(tags))
}

enum Cut<'a> {
    Auto,
    Model(&'a tagger::Weights),
    Tags(&'a [tagger::Tag]),
    Rules,
}

fn build(bytes: &[u8], source: &str, opts: &Options, seg: Cut<'_>) -> Result<Page, ExtractError> {
    let decoded = decode::decode(bytes).map_err(|e| match e {
        DecodeError::Empty => ExtractError::Empty {
            file: source.to_string(),
        },
        DecodeError::NotText(reason) => ExtractError::NotText {
            file: source.to_string(),
            reason,
        },
    })?;
    let as_printed = decoded.text.trim_start_matches('\u{feff}');
    // Columns printed side by side are read in order from their geometry first; such a page is
    // dated from the text as printed (its folio line stands first there, whole). Other pages
    // keep their order and are dated from their text closed up (`2 0 2 4 年`).
    let (text, reordered) = lines::reading_order(as_printed);
    let text = text.as_ref();
    let printed = if reordered { as_printed } else { text };
    let head = header_lines(printed);

    let model = |w: &tagger::Weights| {
        let (lines, tags) = tag_text(text, w);
        assemble::drafts(&lines, &tags, &w.join)
    };
    let by_model = match seg {
        Cut::Model(_) | Cut::Tags(_) => true,
        Cut::Auto => read_by_model(text),
        Cut::Rules => false,
    };
    let drafts = match seg {
        Cut::Model(w) => model(w),
        Cut::Tags(tags) => assemble::drafts(&lines::lines(text), tags, &tagger::fitted().join),
        _ if by_model => model(tagger::fitted()),
        _ => headline::attach(segment::segment(&layout::units(text))),
    };
    // On a page whose columns were put in order from its character grid, a block without a
    // headline is seldom a piece cut from another story: rejoining it lowered article F1 there
    // when tried (`pdftotext -layout`, 13 sets: 0.614 → 0.603); it raised it on every other kind.
    // Sections read as headlines go back there too.
    // Pages the rules cut are the markdown and OCR dumps, read in bands across their columns.
    let pieces = if reordered {
        orphans::Pieces::Sections
    } else if by_model {
        orphans::Pieces::All
    } else {
        orphans::Pieces::Banded
    };
    let mut page = finish_page(drafts, printed, &head, source, opts, pieces);
    page.encoding = decoded.encoding.to_string();
    page.warnings = decoded.warnings.clone();
    Ok(page)
}

/// A page whose lines and their tags are known from elsewhere (a PDF's geometry): assembled,
/// finished and filed exactly as a text page. `head` are its masthead lines.
fn from_tagged(
    lines: &[lines::PageLine],
    tags: &[tagger::Tag],
    text: &str,
    head: &[String],
    source: &str,
    opts: &Options,
) -> Page {
    let drafts = assemble::drafts(lines, tags, &tagger::fitted().join);
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    finish_page(drafts, text, &head, source, opts, orphans::Pieces::All)
}

/// Drafts → the page: articles finished, regions assigned, the page dated (from `text`, as
/// printed) and its paper named.
fn finish_page(
    drafts: Vec<segment::Draft>,
    text: &str,
    head: &[&str],
    source: &str,
    opts: &Options,
    pieces: orphans::Pieces,
) -> Page {
    let paper = furniture::masthead_paper(head).or_else(|| opts.paper.clone());
    // Whether each article's body opened with a dateline (`本报讯`): a story's own start.
    let (mut articles, mut opened): (Vec<Article>, Vec<bool>) = drafts
        .into_iter()
        .filter_map(|d| {
            let opened = d.dateline;
            finish(d).map(|a| (a, opened))
        })
        .unzip();
    tail::join_tails(&mut articles, &mut opened);
    articles = orphans::rejoin(articles, &opened, pieces);

    let texts: Vec<(String, String)> = articles
        .iter()
        .map(|a| {
            let title = [&a.kicker, &a.title, &a.subtitle]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            (title, a.body.clone())
        })
        .collect();
    let views: Vec<ArticleText<'_>> = texts
        .iter()
        .map(|(t, b)| ArticleText { title: t, body: b })
        .collect();
    let regions = region::assign_page(paper.as_deref(), &views);
    for (a, r) in articles.iter_mut().zip(regions) {
        a.regions = r;
    }

    let (date, date_source) = page_date(text, head, source, opts);
    Page {
        source: source.to_string(),
        encoding: String::new(),
        warnings: Vec::new(),
        paper,
        date,
        date_source,
        articles,
    }
}

/// Where a masthead stands: the lines before the page's first running text, and short lines
/// printing a weekday among the page's first forty.
fn header_lines(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(40)
        .collect();
    let top = lines
        .iter()
        .take_while(|l| layout::width(l) <= 40 && !l.contains('。'))
        .count();
    let mut head: Vec<&str> = lines[..top].to_vec();
    head.extend(
        lines[top..]
            .iter()
            .filter(|l| layout::width(l) <= 60 && (l.contains("星期") || l.contains("礼拜"))),
    );
    head
}

fn page_date(
    text: &str,
    head: &[&str],
    source: &str,
    opts: &Options,
) -> (Option<NaiveDate>, DateSource) {
    if let Some(d) = opts.date {
        return (Some(d), DateSource::Metadata);
    }
    if let Some(d) = head.iter().find_map(|l| date::masthead_line(l)) {
        return (Some(d), DateSource::Masthead);
    }
    // A folio run together into one long line stands first on the page.
    let mut first = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3);
    if let Some(d) = first.find_map(date::folio_line) {
        return (Some(d), DateSource::Masthead);
    }
    if let Some(d) = date::folio_block(text) {
        return (Some(d), DateSource::Masthead);
    }
    if let Some(d) = date::from_file_name(source) {
        return (Some(d), DateSource::Metadata);
    }
    match date::infer(text) {
        Some(d) => (Some(d), DateSource::Inferred),
        None => (None, DateSource::None),
    }
}

/// Most characters of a body with no punctuation that is still not running text: a slogan's
/// label (`公益广告`), a page label or an editor's line under a headline-sized slogan. Every
/// article, brief and caption holds at least one sentence mark; these hold a few words.
const LABEL_MAX: usize = 24;

fn no_running_text(paras: &[String]) -> bool {
    let n: usize = paras.iter().map(|p| layout::width(p)).sum();
    n <= LABEL_MAX
        && !paras
            .iter()
            .any(|p| layout::has_prose_marks(p) || p.contains(['：', '.', '!', '?']))
}

/// Turns a draft into an article: headline resolved, body repaired, byline deduplicated, kind
/// chosen. Drafts without body text are dropped.
/// Is an article's body short enough for a brief or a caption: one paragraph of at most 220
/// characters' width?
fn is_short(body: &str) -> bool {
    !body.contains("\n\n") && layout::width(body) <= 220
}

fn finish(d: segment::Draft) -> Option<Article> {
    let paras: Vec<String> = d
        .paras
        .iter()
        .map(|p| layout::close_gaps(p))
        .filter(|p| !p.is_empty())
        .collect();
    if paras.is_empty() || (!d.continuation && no_running_text(&paras)) {
        return None;
    }
    let h = if d.continuation {
        headline::Headline::default()
    } else {
        headline::resolve(&d.head)
    };
    let mut byline: Vec<String> = Vec::new();
    for n in d.byline {
        if !byline.contains(&n) {
            byline.push(n);
        }
    }
    let body = paras.join("\n\n");
    let short = is_short(&body);
    let kind = if d.continuation {
        ArticleKind::Continuation
    } else if d.photo_credit
        || (short && (body.contains("图为") || d.credit_line))
        || (short && !d.dateline && !d.reporter && h.title.is_some())
    {
        // A credited picture, a caption with its credit under it, or a titled caption with no
        // reporter and no dateline.
        ArticleKind::Photo
    } else if short {
        ArticleKind::Brief
    } else {
        ArticleKind::News
    };
    Some(Article {
        title: h.title.map(stray::trim_title),
        kicker: h.kicker,
        subtitle: h.subtitle,
        byline,
        kind,
        regions: Vec::new(),
        body,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_small_page_end_to_end() {
        let text = "嘉禾日报社 中共青田县委 联办\n\n#### 2022年6月28日◆星期二\n\n# 坚决打赢冬季攻坚战\n\n**本报讯** 昨日上午，我市召开部署会。  \n（记者 许多）\n";
        let p = page(text.as_bytes(), "x.txt", &Options::default()).unwrap();
        assert_eq!(p.paper.as_deref(), Some("嘉禾日报·青田版"));
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2022, 6, 28));
        assert_eq!(p.date_source, DateSource::Masthead);
        assert_eq!(p.articles.len(), 1);
        let a = &p.articles[0];
        assert_eq!(a.title.as_deref(), Some("坚决打赢冬季攻坚战"));
        assert_eq!(a.byline, ["许多"]);
        assert_eq!(a.body, "昨日上午，我市召开部署会。");
    }

    #[test]
    fn a_public_service_slogan_is_not_an_article() {
        let text = "# 光盘行动 节约粮食\n\n公益广告\n\n# 新年招聘会 搭建就业路\n\n1月8日，我市举行就业援助新年招聘会。\n（记者 宁武）\n\n# 简讯\n\n图书馆开放\n";
        let p = page(text.as_bytes(), "s.txt", &Options::default()).unwrap();
        let titles: Vec<Option<&str>> = p.articles.iter().map(|a| a.title.as_deref()).collect();
        assert_eq!(titles, [Some("新年招聘会 搭建就业路")]);
    }

    #[test]
    fn kinds_photo_brief_continuation_news() {
        let text = "以“演”促“防”\n\n10日，前进街道组织开展核酸检测应急演练。\n\n记者 王慧\n\n## 新年招聘会 搭建就业路\n\n1月8日，我市举行就业援助新年招聘会。\n（记者 宁武）\n\n（上接第1版）大同镇卫生院创建成功，为群众看病就医提供方便。\n";
        let p = page(text.as_bytes(), "k.txt", &Options::default()).unwrap();
        let kinds: Vec<ArticleKind> = p.articles.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                ArticleKind::Photo,
                ArticleKind::Brief,
                ArticleKind::Continuation
            ]
        );
        assert_eq!(p.articles[0].title.as_deref(), Some("以“演”促“防”"));
        assert_eq!(p.articles[0].byline, ["王慧"]);
        assert!(p.articles[2].title.is_none());
    }

    #[test]
    fn operator_and_file_name_dates_are_metadata() {
        let text = "# 题\n\n本报讯 6月1日，开会。\n".as_bytes();
        let given = Options {
            date: NaiveDate::from_ymd_opt(2023, 1, 2),
            ..Options::default()
        };
        let p = page(text, "a.txt", &given).unwrap();
        assert_eq!((p.date, p.date_source), (given.date, DateSource::Metadata));
        let p = page(text, "dir/paper-20230105.txt", &Options::default()).unwrap();
        assert_eq!(
            (p.date, p.date_source),
            (NaiveDate::from_ymd_opt(2023, 1, 5), DateSource::Metadata)
        );
        let p = page(text, "a.txt", &Options::default()).unwrap();
        assert_eq!(
            p.date_source,
            DateSource::None,
            "no year anywhere: nothing to infer"
        );
    }

    #[test]
    fn errors_name_the_file() {
        let e = page(b"", "empty.txt", &Options::default()).unwrap_err();
        assert_eq!(e.to_string(), "empty.txt: empty file");
        let e = page(&[0u8, 159, 146, 150, 0, 1, 2], "a.bin", &Options::default()).unwrap_err();
        assert!(e.to_string().starts_with("a.bin: not text"), "{e}");
    }
}
