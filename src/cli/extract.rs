//! `paperboy extract [--date D] [--paper P] [--format json|text] FILE...`: prints what each page
//! becomes and stores nothing. A file that cannot be read or is not text gets a one-line error on
//! stderr naming it; the other files are still printed, and the exit status says some failed.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use paperboy::extract::{self, Options};
use paperboy::model::Page;

use super::{ExtractArgs, Format, Status};

pub fn run(args: ExtractArgs) -> anyhow::Result<Status> {
    let opts = Options {
        date: args.date,
        paper: args.paper.clone(),
        segmenter: args.segmenter,
        ocr: args.ocr,
    };
    let (pages, failed) = extract_files(&args.files, &opts);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &pages).context("writing JSON")?;
            writeln!(out)?;
        }
        Format::Text => {
            for page in &pages {
                write_text(&mut out, page)?;
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        Status::SomeFailed
    } else {
        Status::Success
    })
}

/// Extracts each file in turn. A file that cannot be read or extracted gets a one-line error on
/// stderr naming it and is left out; the flag says whether any was.
pub(super) fn extract_files(files: &[PathBuf], opts: &Options) -> (Vec<Page>, bool) {
    let mut pages: Vec<Page> = Vec::new();
    let mut failed = false;
    for path in files {
        let source = path.display().to_string();
        let result = std::fs::read(path)
            .with_context(|| format!("{source}: cannot read"))
            .and_then(|bytes| extract::pages(&bytes, &source, opts).map_err(anyhow::Error::from));
        match result {
            Ok(found) => {
                for page in found {
                    for w in &page.warnings {
                        eprintln!("paperboy: {}: warning: {w}", page.source);
                    }
                    pages.push(page)
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("paperboy: {e:#}");
            }
        }
    }
    (pages, failed)
}

/// One block per article, for a person reading a terminal.
fn write_text(out: &mut impl Write, page: &Page) -> anyhow::Result<()> {
    let date = page
        .date
        .map_or_else(|| "no date".to_string(), |d| d.to_string());
    writeln!(
        out,
        "== {} ({}; {}, {}; {} articles)",
        page.source,
        page.paper.as_deref().unwrap_or("paper unknown"),
        date,
        page.date_source.as_str(),
        page.articles.len()
    )?;
    for (i, a) in page.articles.iter().enumerate() {
        writeln!(out)?;
        if let Some(k) = &a.kicker {
            writeln!(out, "   {k}")?;
        }
        writeln!(
            out,
            "{:>2}. {} [{}]",
            i + 1,
            a.title.as_deref().unwrap_or("(untitled)"),
            a.kind.as_str()
        )?;
        if let Some(s) = &a.subtitle {
            writeln!(out, "   —— {s}")?;
        }
        if !a.byline.is_empty() {
            writeln!(out, "   by {}", a.byline.join(", "))?;
        }
        if !a.regions.is_empty() {
            let names: Vec<String> = a
                .regions
                .iter()
                .map(|r| format!("{} {}", r.code, r.name))
                .collect();
            writeln!(out, "   in {}", names.join("; "))?;
        }
        for para in a.body.split("\n\n") {
            writeln!(out, "   {para}")?;
        }
    }
    writeln!(out)?;
    Ok(())
}
