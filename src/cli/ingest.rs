//! `paperboy ingest [--date D] [--paper P] PATH...`: extract pages and store their articles.
//!
//! Shows a progress bar on a terminal and plain log lines otherwise, prints a summary at the end
//! with a line for each copy of a stored page (nothing stored), each new undated page (kept out
//! of the editions until dated) and each page dated from its text, and exits 1 when any file
//! failed (the others are stored).
use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use paperboy::config::Config;
use paperboy::ingest::{self, FileResult, IngestOptions, IngestReport, Progress};

use super::{IngestArgs, Status};

pub async fn run(config: Arc<Config>, args: IngestArgs) -> anyhow::Result<Status> {
    eprintln!("{}", super::describe_setup(&config));
    let store = super::open_store(&config)
        .await
        .context("opening the store")?;
    let opts = IngestOptions {
        date: args.date,
        paper: args.paper,
        timezone: config.ingest.timezone,
        store_timeout: config.storage.query_timeout(),
        ocr: config.ingest.ocr,
        ..IngestOptions::default()
    };
    let report = if std::io::stderr().is_terminal() {
        let bar = Bar::new();
        let report = ingest::ingest_paths(&store, &args.paths, &opts, &bar).await;
        bar.0.finish_and_clear();
        report
    } else {
        ingest::ingest_paths(&store, &args.paths, &opts, &Lines::default()).await
    };
    store.close().await;
    println!("{}", summary(&report));
    for line in notes(&report) {
        println!("{line}");
    }
    for f in &report.failed {
        eprintln!("failed: {}: {}", f.path.display(), f.reason);
    }
    Ok(if report.failed.is_empty() {
        Status::Success
    } else {
        Status::SomeFailed
    })
}

/// `1 page`, `2 pages`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// One line: what was stored, and how many files failed.
fn summary(r: &IngestReport) -> String {
    format!(
        "ingested {} ({}): {} new, {} unchanged, {} replaced; {} failed",
        plural(r.pages, "page"),
        plural(r.articles, "article"),
        r.new,
        r.unchanged,
        r.replaced,
        r.failed.len()
    )
}

/// One line per copy, undated page and page dated from its text.
fn notes(r: &IngestReport) -> Vec<String> {
    let mut out = Vec::new();
    for c in &r.copies {
        out.push(format!(
            "unchanged: {}: same text as {} (page {}), already stored; nothing stored",
            c.path.display(),
            c.copy_of_source,
            c.copy_of
        ));
    }
    for u in &r.undated {
        out.push(format!(
            "undated: {}: the page prints no date; kept out of the daily editions, feeds and \
             digests (ingested {}); date it with: paperboy pages set-date {} YYYY-MM-DD",
            u.path.display(),
            u.date,
            u.key
        ));
    }
    for d in &r.inferred {
        out.push(format!(
            "dated from its text: {}: {} (the page prints no date; worked out from dates in its \
             articles)",
            d.path.display(),
            d.date
        ));
    }
    out
}

/// Progress bar for a terminal; failures are printed above it as they happen.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} pages ({per_sec}) {msg}",
        ) {
            bar.set_style(style);
        }
        Self(bar)
    }
}

impl Progress for Bar {
    fn started(&self, files: usize) {
        self.0.set_length(files as u64);
    }
    // Failures are listed once, after the summary.
    fn file_done(&self, _: &Path, _: &FileResult) {
        self.0.inc(1);
    }
}

/// Plain log lines when stderr is not a terminal: a count now and then.
#[derive(Default)]
struct Lines {
    total: AtomicUsize,
    done: AtomicUsize,
}

/// Files between two progress lines.
const LOG_EVERY: usize = 1000;

impl Progress for Lines {
    fn started(&self, files: usize) {
        self.total.store(files, Ordering::Relaxed);
        tracing::info!("ingesting {}", plural(files, "file"));
    }
    // Failures are listed once, after the summary.
    fn file_done(&self, _: &Path, _: &FileResult) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if done.is_multiple_of(LOG_EVERY) {
            let total = self.total.load(Ordering::Relaxed);
            tracing::info!("{done}/{total} files done");
        }
    }
}
