//! Export benchmark beside Hugo, in the same run: a generated store of N articles (default
//! 10,000; five per page, over 60 counties of 浙江 and 100 days) exported by
//! `web::export::write_site` into an empty folder, then again into the same folder (nothing
//! changed: nothing written); and the same N articles as Markdown built by `hugo` (HTML pages,
//! a list and an RSS feed per region taxonomy term, the home page and its RSS), the reference.
//! Each is timed three times; the median is printed with files written.
//!
//! Run: `cargo bench --bench export` (env `PAPERBOY_BENCH_ARTICLES`, default 10000; needs
//! `hugo` on the PATH for the reference, Debian package `hugo`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed benchmark

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use paperboy::config::Config;
use paperboy::ingest;
use paperboy::model::{Article, DateSource, Page, RegionLevel, RegionRef};
use paperboy::region::Gazetteer;
use paperboy::store::{NewPage, Store};
use paperboy::web::{export, AppState};

const PER_PAGE: usize = 5;
const DAYS: usize = 100;
const COUNTIES: usize = 60;

fn counties() -> Vec<RegionRef> {
    let g = Gazetteer::global();
    g.regions()
        .iter()
        .filter(|r| r.level == RegionLevel::County && r.code.as_str().starts_with("33"))
        .take(COUNTIES)
        .map(|r| g.region_ref(&r.code).unwrap())
        .collect()
}

fn body(i: usize) -> String {
    let para = "本报讯 新安江街道的城市书房昨天正式开放，市民纷纷前来阅读，工作人员介绍了借阅办法和开放时间。";
    (0..6)
        .map(|p| format!("{para}（第{i}篇第{p}段）"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn day(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Days::new((i % DAYS) as u64)
}

/// Page `i`: five articles of one county on one day.
fn page(i: usize, counties: &[RegionRef]) -> NewPage {
    let region = &counties[i % counties.len()];
    let articles = (0..PER_PAGE)
        .map(|j| Article {
            title: Some(format!("{}第{i}版第{j}篇新闻标题", region.name)),
            regions: vec![region.clone()],
            body: body(i * PER_PAGE + j),
            ..Article::default()
        })
        .collect();
    let name = format!("{}_{i:05}.txt", day(i / counties.len()));
    let page = Page {
        source: name.clone(),
        encoding: "utf-8".into(),
        warnings: Vec::new(),
        paper: Some(format!("{}报", region.name)),
        date: Some(day(i / counties.len())),
        date_source: DateSource::Metadata,
        articles,
    };
    ingest::prepare(page, &name, Utc::now(), chrono_tz::Asia::Shanghai)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// Files and bytes under `dir`, by kind: article pages, edition pages, feeds, the rest.
#[derive(Default, Debug)]
struct Tally {
    files: usize,
    bytes: u64,
    kinds: [(usize, u64); 4],
}

const KINDS: [&str; 4] = ["article pages", "edition pages", "feeds", "other"];

fn tally(root: &Path, dir: &Path, t: &mut Tally) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let path = e.path();
        if e.file_type().unwrap().is_dir() {
            tally(root, &path, t);
            continue;
        }
        let len = e.metadata().unwrap().len();
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let parts: Vec<&str> = rel.split('/').collect();
        let kind = if parts[0] == "a" || parts[0] == "posts" {
            0
        } else if parts.len() == 4 && parts[2].parse::<NaiveDate>().is_ok() {
            1
        } else if [".atom", ".rss", ".json", ".xml"]
            .iter()
            .any(|x| rel.ends_with(x))
            && !rel.ends_with("sitemap.xml")
        {
            2
        } else {
            3
        };
        t.files += 1;
        t.bytes += len;
        t.kinds[kind].0 += 1;
        t.kinds[kind].1 += len;
    }
}

fn tally_of(dir: &Path) -> Tally {
    let mut t = Tally::default();
    tally(dir, dir, &mut t);
    t
}

fn print_tally(who: &str, t: &Tally) {
    let kinds: Vec<String> = KINDS
        .iter()
        .zip(t.kinds)
        .map(|(k, (n, b))| format!("{k} {n} ({:.1} MB)", b as f64 / 1e6))
        .collect();
    println!(
        "{who}: {} files, {:.1} MB: {}",
        t.files,
        t.bytes as f64 / 1e6,
        kinds.join(", ")
    );
}

/// The Hugo site of the same articles: one Markdown file each, the county as a taxonomy term.
fn hugo_site(dir: &Path, pages: &[NewPage]) {
    std::fs::write(
        dir.join("config.toml"),
        "baseURL = 'http://example.org/'\ntitle = 'bench'\n[taxonomies]\nregion = 'regions'\n",
    )
    .unwrap();
    let layouts = dir.join("layouts/_default");
    std::fs::create_dir_all(&layouts).unwrap();
    std::fs::write(
        layouts.join("single.html"),
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2006-01-02\" }}</time>{{ .Content }}</body></html>\n",
    )
    .unwrap();
    let list = "<!doctype html><html><head><title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n";
    std::fs::write(layouts.join("list.html"), list).unwrap();
    std::fs::write(layouts.join("terms.html"), list).unwrap();
    std::fs::write(layouts.join("taxonomy.html"), list).unwrap();
    std::fs::write(dir.join("layouts/index.html"), list).unwrap();
    let content = dir.join("content/posts");
    std::fs::create_dir_all(&content).unwrap();
    for p in pages {
        for a in &p.articles {
            let region = &a.article.regions[0].name;
            let text = format!(
                "---\ntitle: \"{}\"\ndate: {}\nregions: [\"{region}\"]\n---\n\n{}\n",
                a.article.title.as_deref().unwrap_or(""),
                p.date,
                a.article.body
            );
            std::fs::write(content.join(format!("{}.md", a.id)), text).unwrap();
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a tiny size.
    let testing = !std::env::args().any(|a| a == "--bench");
    let n: usize = if testing {
        100
    } else {
        std::env::var("PAPERBOY_BENCH_ARTICLES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000)
    };
    let counties = counties();
    let pages: Vec<NewPage> = (0..n.div_ceil(PER_PAGE))
        .map(|i| page(i, &counties))
        .collect();
    let articles: usize = pages.iter().map(|p| p.articles.len()).sum();
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();

    let db = dir.path().join("bench.db");
    let mut config = Config::for_test(&db);
    config.render.templates = "/nonexistent-templates".into();
    let state = rt.block_on(async {
        let store = Store::connect(&config.storage.url).await.unwrap();
        for chunk in pages.chunks(200) {
            store.ingest_many(chunk).await.unwrap();
        }
        AppState::new(store, Arc::new(config)).unwrap()
    });
    println!(
        "{articles} articles in {} pages over {} counties and {DAYS} days",
        pages.len(),
        counties.len()
    );

    let mut first = Vec::new();
    let mut again = Vec::new();
    let mut report = export::ExportReport::default();
    let mut report_again = report.clone();
    for run in 0..3 {
        let out = dir.path().join(format!("site-{run}"));
        let started = Instant::now();
        report = rt
            .block_on(export::write_site(state.clone(), &out))
            .unwrap();
        first.push(started.elapsed());
        let started = Instant::now();
        report_again = rt
            .block_on(export::write_site(state.clone(), &out))
            .unwrap();
        again.push(started.elapsed());
    }
    let (first, again) = (median(first), median(again));
    println!(
        "paperboy export, empty folder:  {:>7.2} s  {:>6} files ({} MB), {:>6.0} files/s",
        first.as_secs_f64(),
        report.written,
        report.bytes / 1_000_000,
        report.files as f64 / first.as_secs_f64()
    );
    print_tally("paperboy files", &tally_of(&dir.path().join("site-2")));
    println!(
        "paperboy export, same folder:   {:>7.2} s  {:>6} files written of {}",
        again.as_secs_f64(),
        report_again.written,
        report_again.files
    );

    let site = dir.path().join("hugo");
    std::fs::create_dir_all(&site).unwrap();
    hugo_site(&site, &pages);
    let mut runs = Vec::new();
    let mut files = Tally::default();
    for run in 0..3 {
        let out = dir.path().join(format!("hugo-out-{run}"));
        let started = Instant::now();
        let status = std::process::Command::new("hugo")
            .args(["--quiet", "-s"])
            .arg(&site)
            .arg("-d")
            .arg(&out)
            .status();
        let took = started.elapsed();
        match status {
            Ok(s) if s.success() => {
                runs.push(took);
                files = tally_of(&out);
            }
            Ok(s) => panic!("hugo failed: {s}"),
            Err(e) => {
                println!("hugo (reference): not run: {e}; install Debian's package hugo");
                return;
            }
        }
    }
    let hugo = median(runs);
    println!(
        "hugo (reference), HTML + RSS:   {:>7.2} s  {:>6} files, {:>6.0} files/s",
        hugo.as_secs_f64(),
        files.files,
        files.files as f64 / hugo.as_secs_f64()
    );
    print_tally("hugo files", &files);
    println!(
        "export is {:.1}x as fast as hugo",
        hugo.as_secs_f64() / first.as_secs_f64()
    );
}
