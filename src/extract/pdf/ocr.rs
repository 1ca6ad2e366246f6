//! OCR of scanned pages: when a PDF page has pictures and no text layer and the operator turned
//! OCR on (`[ingest] ocr = "tesseract"`), the page's images go through the `tesseract` binary
//! (Simplified Chinese, `chi_sim`) and its text is extracted as a text dump. paperboy renders
//! nothing itself: it hands tesseract the images the PDF holds, largest first in reading order
//! (top to bottom, then left to right). Bounded: at most [`MAX_IMAGES`] images a page and
//! [`TIMEOUT`] for each; a missing binary or language pack is an error that says what to install.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a page without a text layer is read.
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
pub enum Ocr {
    /// Not at all: a scanned page is an error naming the file.
    #[default]
    Off,
    /// By the `tesseract` binary with its `chi_sim` language data.
    Tesseract,
}

/// Most images of one page handed to OCR.
pub const MAX_IMAGES: usize = 8;
/// Longest OCR of one image.
pub const TIMEOUT: Duration = Duration::from_secs(120);
/// The binary run (`PAPERBOY_TESSERACT` names another, e.g. a wrapper with a memory limit).
fn binary() -> String {
    std::env::var("PAPERBOY_TESSERACT").unwrap_or_else(|_| "tesseract".into())
}

/// The text tesseract reads in `images` (PNG files, in reading order), one block per image.
pub fn read(images: &[Vec<u8>]) -> Result<String, String> {
    let mut text = String::new();
    for png in images.iter().take(MAX_IMAGES) {
        text.push_str(&run(png)?);
        text.push_str("\n\n");
    }
    Ok(text)
}

fn run(png: &[u8]) -> Result<String, String> {
    let bin = binary();
    let mut child = Command::new(&bin)
        .args(["stdin", "stdout", "-l", "chi_sim", "--psm", "3"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "OCR is on but {bin} cannot be run ({e}): install tesseract-ocr and \
                 tesseract-ocr-chi-sim"
            )
        })?;
    // Pipes are fed and drained on their own threads so neither side blocks the other.
    let mut stdin = child.stdin.take();
    let png = png.to_vec();
    let feed = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            // A tesseract that exits early closes the pipe; its status says why.
            let _ = s.write_all(&png);
        }
    });
    let drain = |r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.take(64 << 20).read_to_end(&mut buf);
            buf
        })
    };
    let out = child.stdout.take().map(|s| drain(Box::new(s)));
    let err = child.stderr.take().map(|s| drain(Box::new(s)));
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "OCR of a page image took longer than {} s",
                    TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for {bin}: {e}")),
        }
    };
    let _ = feed.join();
    let out = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let err = err.and_then(|h| h.join().ok()).unwrap_or_default();
    if !status.success() {
        let said = String::from_utf8_lossy(&err);
        let said = said
            .lines()
            .find(|l| l.contains("rror") || l.contains("ailed"))
            .unwrap_or_else(|| said.lines().next().unwrap_or(""));
        return Err(format!("{bin} failed ({status}): {}", said.trim()));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
