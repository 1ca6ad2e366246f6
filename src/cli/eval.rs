//! `paperboy eval GOLD.json PAGE... [--verbose] [--format text|json]`: extracts the pages as
//! `extract` does and scores them against gold labels in the press `score.py` format, printing
//! what `score.py` prints (or the report as JSON). Stores nothing.
//!
//! A gold file that cannot be read or parsed is a usage error (exit 2). A page that fails
//! extraction gets `extract`'s one-line error, counts as a missing page, and makes the exit
//! status 1 once the report is printed.

use std::io::Write;

use anyhow::Context;

use paperboy::eval::{self, GoldFile};
use paperboy::extract::Options;

use super::{EvalArgs, Format, Status, UsageError};

pub fn run(args: EvalArgs) -> anyhow::Result<Status> {
    let gold = read_gold(&args.gold)?;
    let (pages, failed) = super::extract::extract_files(
        &args.pages,
        &Options {
            segmenter: args.segmenter,
            ..Options::default()
        },
    );
    let report = eval::score(&gold, &pages);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report).context("writing JSON")?;
            writeln!(out)?;
        }
        Format::Text => out.write_all(report.to_text(args.verbose).as_bytes())?,
    }
    out.flush()?;
    Ok(if failed {
        Status::SomeFailed
    } else {
        Status::Success
    })
}

/// The gold file, or a usage error naming it and what is wrong with it.
fn read_gold(path: &std::path::Path) -> anyhow::Result<GoldFile> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("{name}: cannot read gold file: {e}")))?;
    let gold = serde_json::from_str(&text)
        .map_err(|e| UsageError(format!("{name}: not a gold file: {e}")))?;
    Ok(gold)
}
