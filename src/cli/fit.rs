//! `paperboy fit`: fits the page model's weights on labelled pages and writes them where the
//! build compiles them in (`src/extract/weights.txt`). Two sources of labelled pages:
//! - label files committed in the repository (`data/training/*.tags`: one tag and the line's
//!   text per page line, naming the page they label), always read;
//! - press corpora (`--corpus DIR`: a folder made by the press tool, with `plan.json`, its pool
//!   and one folder of dumps per converter), read when given or, by default, when
//!   `../shared/corpus/dev/pages` exists. Their lines are labelled by aligning each dump with
//!   the articles' known text (`extract::label`). The command says which corpora it read.
//!
//! `--loo` also fits once per outlet without that outlet's pages and scores the held-out pages,
//! so that what the model does on pages it has never seen is reported beside the fitted score.
//! `--label PAGE...` writes proposed label files for new pages (from the current extractor) to
//! be checked by hand and committed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;

use paperboy::extract::fit::{self, Example};
use paperboy::extract::label::{self, Known};
use paperboy::extract::tagger::{Tag, Weights};
use paperboy::extract::{self, lines, Options};

use super::{FitArgs, Status};

/// A labelled page and where it came from.
struct Labelled {
    example: Example,
    /// The outlet (paper) the page is held out with.
    outlet: String,
    /// Its file, for scoring held-out pages.
    path: PathBuf,
    /// Converter folder (prefixed by the corpus folder for corpora after the first), or
    /// "labels".
    group: String,
    /// Ids of the pool articles printed on the page.
    articles: Vec<String>,
    /// (earlier article, fragment) pairs for the reading-order repair (press corpora only).
    pairs: Vec<Vec<([f32; paperboy::extract::JOIN_FEATURES], bool)>>,
    /// The converter's gold labels (press corpora only).
    gold: Option<std::sync::Arc<paperboy::eval::GoldFile>>,
}

pub fn run(args: FitArgs) -> anyhow::Result<Status> {
    if !args.label.is_empty() {
        return write_labels(&args.label, &args.labels);
    }
    let mut pages = read_label_files(&args.labels, args.label_weight)?;
    eprintln!(
        "paperboy fit: {} labelled pages from {}",
        pages.len(),
        args.labels.display()
    );
    let corpora = if args.corpus.is_empty() {
        let dev = PathBuf::from("../shared/corpus/dev/pages");
        if dev.join("plan.json").exists() {
            vec![dev]
        } else {
            Vec::new()
        }
    } else {
        args.corpus.clone()
    };
    for (i, dir) in corpora.iter().enumerate() {
        let before = pages.len();
        let prefix = if i == 0 {
            String::new()
        } else {
            format!(
                "{}/",
                dir.file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default()
            )
        };
        pages.extend(read_corpus(dir, &prefix)?);
        eprintln!(
            "paperboy fit: {} pages from the press corpus {}",
            pages.len() - before,
            dir.display()
        );
    }
    let examples: Vec<Example> = pages.iter().map(|p| p.example.clone()).collect();
    let weights = fit_all(&pages, args.epochs);
    if let Some(dir) = &args.show_labels {
        show_labels(&pages, &weights, dir)?;
    }
    println!(
        "fitted on {} pages: line tag accuracy {:.3}",
        examples.len(),
        fit::accuracy(&weights, &examples)
    );
    std::fs::write(&args.out, weights.to_text())
        .with_context(|| format!("{}: cannot write weights", args.out.display()))?;
    println!("weights written to {}", args.out.display());
    let fitted: BTreeMap<String, Vec<paperboy::model::Page>> = extract_groups(&pages, |_| &weights);
    println!("extraction scored on the pages it was fitted on:");
    print_scores(&pages, &fitted);
    if args.loo {
        leave_one_outlet_out(&pages, args.epochs);
    }
    Ok(Status::Success)
}

/// Fits without each outlet's pages in turn and reports line accuracy on the held-out pages.
fn leave_one_outlet_out(pages: &[Labelled], epochs: usize) {
    let outlets: Vec<&str> = {
        let mut o: Vec<&str> = pages
            .iter()
            .filter(|p| p.group != "labels" && !p.group.contains('/'))
            .map(|p| p.outlet.as_str())
            .collect();
        o.sort_unstable();
        o.dedup();
        o
    };
    let mut per_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut extracted: BTreeMap<String, Vec<paperboy::model::Page>> = BTreeMap::new();
    for outlet in outlets {
        // Held out: the outlet's pages of the first corpus. Trained on: pages that print none of
        // their articles (other corpora press the same articles on other pages).
        let held: Vec<&Labelled> = pages
            .iter()
            .filter(|p| p.outlet == outlet && !p.group.contains('/') && p.group != "labels")
            .collect();
        let held_articles: std::collections::HashSet<&str> = held
            .iter()
            .flat_map(|p| p.articles.iter().map(String::as_str))
            .collect();
        let train: Vec<&Labelled> = pages
            .iter()
            .filter(|p| {
                p.outlet != outlet
                    && !p
                        .articles
                        .iter()
                        .any(|a| held_articles.contains(a.as_str()))
            })
            .collect();
        let w = fit_refs(&train, epochs);
        for p in &held {
            let got = w.decode(&p.example.features, &p.example.rules);
            let ok = got
                .iter()
                .zip(&p.example.tags)
                .filter(|(a, b)| a == b)
                .count();
            let e = per_group.entry(p.group.clone()).or_default();
            e.0 += ok;
            e.1 += got.len();
        }
        for (g, got) in extract_groups_of(&held, &w) {
            extracted.entry(g).or_default().extend(got);
        }
    }
    println!("leave-one-outlet-out line tag accuracy:");
    for (g, (ok, all)) in per_group {
        println!("  {g:<20} {:.3}", ok as f64 / all.max(1) as f64);
    }
    println!("leave-one-outlet-out extraction (each outlet's pages scored by a model fitted without them):");
    print_scores(pages, &extracted);
    // The held-out extractions, for `score.py --verbose` or `paperboy eval`-style reading.
    if std::fs::create_dir_all("target/loo").is_ok() {
        for (g, got) in &extracted {
            if let Ok(json) = serde_json::to_string(got) {
                let _ = std::fs::write(format!("target/loo/{}.json", g.replace('/', "-")), json);
            }
        }
    }
}

/// Fits the line tagger and the reading-order repair on the pages.
fn fit_all(pages: &[Labelled], epochs: usize) -> Weights {
    let refs: Vec<&Labelled> = pages.iter().collect();
    fit_refs(&refs, epochs)
}

fn fit_refs(pages: &[&Labelled], epochs: usize) -> Weights {
    let examples: Vec<Example> = pages.iter().map(|p| p.example.clone()).collect();
    let mut w = fit::fit(&examples, epochs);
    let pairs: Vec<_> = pages.iter().flat_map(|p| p.pairs.iter().cloned()).collect();
    w.join = extract::fit_join(&pairs);
    // The bias toward opening articles: the value (on a grid, in units of the weights' own
    // scale) under which extraction of these pages scores best.
    let scale = w
        .emit
        .values()
        .map(|r| r[Tag::TextOpen.index()].abs())
        .fold(0.0f32, f32::max)
        .max(1.0);
    let mut best = (f64::NEG_INFINITY, 0.0f32);
    for step in 0..=8 {
        w.open_bias = scale * step as f32 * 0.05;
        let f1 = mean_f1(&extract_groups_of(pages, &w), pages);
        if f1 > best.0 + 1e-9 {
            best = (f1, w.open_bias);
        }
    }
    w.open_bias = best.1;
    w
}

/// Mean article F1 over the converters' groups.
fn mean_f1(extracted: &BTreeMap<String, Vec<paperboy::model::Page>>, pages: &[&Labelled]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0;
    for (group, got) in extracted {
        if let Some(gold) = pages
            .iter()
            .find(|p| &p.group == group)
            .and_then(|p| p.gold.as_ref())
        {
            sum += paperboy::eval::score(gold, got).summary.f1;
            n += 1;
        }
    }
    sum / f64::from(n.max(1))
}

/// Extracts every corpus page with the weights `pick` gives it, grouped by converter.
fn extract_groups<'w>(
    pages: &[Labelled],
    pick: impl Fn(&Labelled) -> &'w Weights,
) -> BTreeMap<String, Vec<paperboy::model::Page>> {
    let refs: Vec<&Labelled> = pages.iter().collect();
    let mut out: BTreeMap<String, Vec<paperboy::model::Page>> = BTreeMap::new();
    for (i, p) in refs.iter().enumerate() {
        for (g, got) in extract_groups_of(&refs[i..=i], pick(p)) {
            out.entry(g).or_default().extend(got);
        }
    }
    out
}

/// Extracts the given corpus pages with one set of weights, grouped by converter.
fn extract_groups_of(
    pages: &[&Labelled],
    w: &Weights,
) -> BTreeMap<String, Vec<paperboy::model::Page>> {
    let mut out: BTreeMap<String, Vec<paperboy::model::Page>> = BTreeMap::new();
    for p in pages.iter().filter(|p| p.gold.is_some()) {
        let source = p.path.display().to_string();
        if let Ok(page) = std::fs::read(&p.path)
            .map_err(anyhow::Error::from)
            .and_then(|b| Ok(extract::page_with(&b, &source, &Options::default(), w)?))
        {
            out.entry(p.group.clone()).or_default().push(page);
        }
    }
    out
}

/// Scores extracted pages against their converter's gold, one line per converter.
fn print_scores(pages: &[Labelled], extracted: &BTreeMap<String, Vec<paperboy::model::Page>>) {
    println!(
        "  {:<20} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6}",
        "converter", "P", "R", "F1", "title", "byline", "region"
    );
    for (group, got) in extracted {
        let Some(gold) = pages
            .iter()
            .find(|p| &p.group == group)
            .and_then(|p| p.gold.as_ref())
        else {
            continue;
        };
        let s = paperboy::eval::score(gold, got).summary;
        println!(
            "  {group:<20} {:>5.3} {:>5.3} {:>5.3} {:>6.3} {:>6.3} {:>6.3}",
            s.precision, s.recall, s.f1, s.title_acc, s.byline_acc, s.region_acc
        );
    }
}

fn read_label_files(dir: &Path, default_weight: u32) -> anyhow::Result<Vec<Labelled>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tags"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("{}: cannot read", file.display()))?;
        let mut page = None;
        let mut weight = default_weight;
        let mut tags = Vec::new();
        let mut texts = Vec::new();
        for (no, line) in text.lines().enumerate() {
            if let Some(p) = line.strip_prefix("# page: ") {
                page = Some(PathBuf::from(p.trim()));
            } else if let Some(w) = line.strip_prefix("# weight: ") {
                weight = w
                    .trim()
                    .parse()
                    .with_context(|| format!("{}:{}: weight", file.display(), no + 1))?;
            } else if !line.starts_with('#') && !line.is_empty() {
                let (code, rest) = line.split_once('\t').unwrap_or((line, ""));
                let tag = code
                    .chars()
                    .next()
                    .and_then(Tag::from_code)
                    .with_context(|| {
                        format!("{}:{}: unknown tag {code:?}", file.display(), no + 1)
                    })?;
                tags.push(tag);
                texts.push(rest.to_string());
            }
        }
        let Some(page) = page else {
            bail!(
                "{}: no `# page:` line naming the labelled page",
                file.display()
            );
        };
        let bytes =
            std::fs::read(&page).with_context(|| format!("{}: cannot read", page.display()))?;
        let source = page.display().to_string();
        let page_text = extract::text(&bytes, &source)?;
        let lines = lines::lines(&page_text);
        let shown: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        if shown != texts {
            bail!(
                "{}: its lines no longer match {} (the line splitter changed): relabel with `paperboy fit --label`",
                file.display(),
                page.display()
            );
        }
        out.push(Labelled {
            example: Example {
                features: extract::line_features(&page_text, &lines),
                rules: extract::line_rules(&lines),
                tags,
                weight,
            },
            outlet: format!("labels:{}", page.display()),
            path: page,
            group: "labels".into(),
            articles: Vec::new(),
            pairs: Vec::new(),
            gold: None,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct Plan {
    pool: String,
    pages: Vec<PlanPage>,
}

#[derive(Deserialize)]
struct PlanPage {
    name: String,
    paper: String,
    articles: Vec<String>,
    #[serde(default)]
    furniture: Vec<String>,
}

#[derive(Deserialize)]
struct Pool {
    articles: Vec<PoolArticle>,
}

#[derive(Deserialize)]
struct PoolArticle {
    id: String,
    kicker: Option<String>,
    title: Option<String>,
    subtitle: Option<String>,
    dateline: Option<String>,
    byline_printed: Option<String>,
    #[serde(default)]
    paragraphs: Vec<String>,
    editor_note: Option<String>,
}

fn read_corpus(dir: &Path, prefix: &str) -> anyhow::Result<Vec<Labelled>> {
    let plan: Plan = serde_json::from_slice(
        &std::fs::read(dir.join("plan.json"))
            .with_context(|| format!("{}: no plan.json", dir.display()))?,
    )
    .with_context(|| format!("{}/plan.json: not a press plan", dir.display()))?;
    let pool_path = dir.join(&plan.pool);
    let pool: Pool = serde_json::from_slice(
        &std::fs::read(&pool_path)
            .with_context(|| format!("{}: cannot read", pool_path.display()))?,
    )
    .with_context(|| format!("{}: not a press pool", pool_path.display()))?;
    let known: BTreeMap<&str, Known> = pool
        .articles
        .iter()
        .map(|a| {
            let head = [&a.kicker, &a.title, &a.subtitle]
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            let mut body: Vec<String> = a.dateline.iter().cloned().collect();
            body.extend(a.editor_note.iter().cloned());
            body.extend(a.paragraphs.iter().cloned());
            (
                a.id.as_str(),
                Known {
                    head,
                    byline: a.byline_printed.iter().cloned().collect(),
                    body,
                },
            )
        })
        .collect();
    let mut converters: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("gold.json").exists())
        .collect();
    converters.sort();
    let mut out = Vec::new();
    for conv in converters {
        let group = format!(
            "{prefix}{}",
            conv.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default()
        );
        let gold_path = conv.join("gold.json");
        let gold: paperboy::eval::GoldFile = serde_json::from_slice(&std::fs::read(&gold_path)?)
            .with_context(|| format!("{}: not a gold file", gold_path.display()))?;
        let gold = std::sync::Arc::new(gold);
        for page in &plan.pages {
            let path = conv.join(format!("{}.txt", page.name));
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let text = extract::text(&bytes, &path.display().to_string())?;
            let lines = lines::lines(&text);
            let arts: Vec<Known> = page
                .articles
                .iter()
                .filter_map(|id| known.get(id.as_str()).cloned())
                .collect();
            let (tags, ids) = label::align_ids(&lines, &arts, &page.furniture);
            let pairs = extract::join_pairs(&lines, &tags, &ids);
            out.push(Labelled {
                example: Example {
                    features: extract::line_features(&text, &lines),
                    rules: extract::line_rules(&lines),
                    tags,
                    weight: 1,
                },
                outlet: page.paper.clone(),
                path,
                group: group.clone(),
                articles: page.articles.clone(),
                pairs,
                gold: Some(gold.clone()),
            });
        }
    }
    Ok(out)
}

/// Writes proposed label files for pages, from what the hand-written rules extract from them.
fn write_labels(pages: &[PathBuf], dir: &Path) -> anyhow::Result<Status> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    for path in pages {
        let source = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("{source}: cannot read"))?;
        let page = extract::page_by_rules(&bytes, &source, &Options::default())?;
        let known: Vec<Known> = page
            .articles
            .iter()
            .map(|a| Known {
                head: [&a.kicker, &a.title, &a.subtitle]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect(),
                byline: a.byline.clone(),
                body: vec![a.body.clone()],
            })
            .collect();
        let lines = lines::lines(&extract::text(&bytes, &source)?);
        let tags = label::align(&lines, &known, &[]);
        let mut out = format!("# page: {source}\n# tags: O outside, H/h headline (opens/continues), T/t text, B/b byline\n");
        for (l, t) in lines.iter().zip(&tags) {
            out.push(t.code());
            out.push('\t');
            out.push_str(&l.text);
            out.push('\n');
        }
        let name = path
            .file_stem()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let file = dir.join(format!("{name}.tags"));
        std::fs::write(&file, out).with_context(|| format!("{}: cannot write", file.display()))?;
        println!("{}: {} lines labelled", file.display(), lines.len());
    }
    Ok(Status::Success)
}

/// Writes each page's lines with their labels, for checking the alignment by eye.
fn show_labels(pages: &[Labelled], w: &Weights, dir: &Path) -> anyhow::Result<()> {
    for p in pages {
        let bytes = std::fs::read(&p.path)?;
        let lines = lines::lines(&extract::text(&bytes, &p.path.display().to_string())?);
        let mut out = String::new();
        let got = w.decode(&p.example.features, &p.example.rules);
        for ((l, t), g) in lines.iter().zip(&p.example.tags).zip(got) {
            out.push(t.code());
            out.push(if g == *t { ' ' } else { g.code() });
            out.push('\t');
            out.push_str(&l.text);
            out.push('\n');
        }
        let name = p
            .path
            .file_stem()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let folder = dir.join(&p.group);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(format!("{name}.tags")), out)?;
        // What assembly makes of the labels themselves: the ceiling for the tagger.
        let page = extract::page_tagged(
            &bytes,
            &p.path.display().to_string(),
            &Options::default(),
            &p.example.tags,
        )?;
        std::fs::write(
            folder.join(format!("{name}.oracle.json")),
            serde_json::to_string(&page)?,
        )?;
    }
    Ok(())
}
