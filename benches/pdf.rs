//! PDF reading speed on one core: pages/s and MB/s of `extract::pages` (geometry, layout and
//! the whole article pipeline) over a folder of PDFs, beside `pdftotext` (poppler, the usual
//! converter, text only) run on the same files one after another in the same run. pdftotext is
//! timed as a command, so its figure includes starting a process per file (some 5–10 ms);
//! paperboy's is in-process. Both read every file at least 3 times and for at least 5 s.
//!
//! Run: `cargo bench --bench pdf` (env `PAPERBOY_BENCH_PDF_DIR`, default
//! `../shared/corpus/dev/pages/pdf`). Without the folder or without `pdftotext`, it says so.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed benchmark

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use paperboy::extract::{self, Options};

const MEASURE: Duration = Duration::from_secs(5);

fn testing() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

/// Runs `f` over every file until `MEASURE` has passed (at least 3 rounds; one when testing):
/// seconds per round.
fn per_round(files: &[(PathBuf, Vec<u8>)], mut f: impl FnMut(&Path, &[u8])) -> f64 {
    let started = Instant::now();
    let mut rounds = 0u32;
    loop {
        for (path, bytes) in files {
            f(path, bytes);
        }
        rounds += 1;
        if testing() || (rounds >= 3 && started.elapsed() >= MEASURE) {
            break;
        }
    }
    started.elapsed().as_secs_f64() / f64::from(rounds)
}

fn main() {
    let dir = std::env::var("PAPERBOY_BENCH_PDF_DIR").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/dev/pages/pdf"),
        PathBuf::from,
    );
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(d) => d
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
            .collect(),
        Err(e) => {
            println!("no PDFs to read: {}: {e}", dir.display());
            return;
        }
    };
    paths.sort();
    if testing() {
        paths.truncate(1);
    }
    let files: Vec<(PathBuf, Vec<u8>)> = paths
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mb = bytes as f64 / (1024.0 * 1024.0);
    let opts = Options::default();
    let mut pages = 0;
    let mut chars = 0;
    for (p, b) in &files {
        let found = extract::pages(b, &p.display().to_string(), &opts).unwrap();
        pages += found.len();
        chars += found
            .iter()
            .flat_map(|pg| &pg.articles)
            .map(|a| a.body.chars().count())
            .sum::<usize>();
    }
    println!(
        "{} PDF files, {pages} pages, {mb:.1} MB ({chars} characters of article text)",
        files.len()
    );
    let ours = per_round(&files, |p, b| {
        let found = extract::pages(b, &p.display().to_string(), &opts).unwrap();
        std::hint::black_box(found);
    });
    println!(
        "  paperboy extract (articles): {:.1} pages/s, {:.2} MB/s",
        pages as f64 / ours,
        mb / ours
    );
    if Command::new("pdftotext").arg("-v").output().is_err() {
        println!("  pdftotext (reference): not run: not installed (Debian's poppler-utils)");
        return;
    }
    let theirs = per_round(&files, |p, _| {
        let out = Command::new("pdftotext").arg(p).arg("-").output().unwrap();
        assert!(out.status.success(), "pdftotext failed on {}", p.display());
        std::hint::black_box(out.stdout);
    });
    println!(
        "  pdftotext (text only, reference): {:.1} pages/s, {:.2} MB/s; paperboy at {:.2}x",
        pages as f64 / theirs,
        mb / theirs,
        theirs / ours
    );
}
