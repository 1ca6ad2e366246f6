//! Ingest: the service between extraction and the store. Turns extracted pages into `NewPage`s
//! (stable article ids, content and text hashes, the ingest day for undated pages) and feeds
//! files and directories through extraction into the store in batches.
//!
//! Inputs: paths (files or directories, walked recursively in sorted order, hidden entries
//! skipped) or one `Page` from the API. Output: an `IngestReport` with counts, the failures
//! with their reasons, the copies (a page already stored under another name: nothing stored)
//! and the new pages whose date is not printed (undated, kept out of editions until dated) or
//! was worked out from the text (inferred). A file with no article-like text (see
//! [`check_article_like`]) fails and is not stored. A file whose raw bytes (with the options) hash to the stored page's
//! source hash is not extracted at all (`skipped`, reported unchanged): the inbox rescan of
//! `serve` costs a read and a hash per file. Extraction runs on blocking threads (one per core) while the writer
//! stores the pages in walk order, in batches of up to `batch_size` pages, one transaction each. One bad file never stops the others and never
//! leaves half a page stored. No SQL here, and nothing specific to the command line.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::extract;
use crate::model::DateSource;
use crate::store::{CopyOf, IngestOutcome, KnownSource, NewPage, PageStored, Store};

mod prepare;
mod text;
mod walk;
pub use prepare::{
    article_id, check_article_like, content_hash, extract_source, prepare, source_hash, text_hash,
    NotArticles, MIN_ARTICLE_HAN,
};
pub use text::{ingest_pdf, ingest_text, TextError, TextStored};
pub use walk::{walk, InputFile};

/// Longest wait for a batch to fill once its first page is ready.
const FLUSH_AFTER: std::time::Duration = std::time::Duration::from_millis(100);

/// How to ingest files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Publication date given by the operator (applies to every page).
    pub date: Option<NaiveDate>,
    /// Paper name given by the operator.
    pub paper: Option<String>,
    /// Time zone of the ingest day for undated pages (config `[ingest] timezone`).
    pub timezone: Tz,
    /// Pages per store transaction.
    pub batch_size: usize,
    /// Extraction threads; 0 means one per core. Pages reach the store in walk order whatever
    /// the number, so a run is deterministic.
    pub workers: usize,
    /// Longest wait for the store to take one batch (config `[storage] query_timeout_secs`).
    /// A batch the store cannot take in time, or refuses for want of a connection, is given up
    /// with the rest of the run: those pages are reported as not stored, for a re-run.
    pub store_timeout: std::time::Duration,
    /// How scanned PDF pages are read (config `[ingest] ocr`).
    pub ocr: extract::Ocr,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            date: None,
            paper: None,
            timezone: chrono_tz::Asia::Shanghai,
            batch_size: 200,
            workers: 0,
            store_timeout: std::time::Duration::from_secs(5),
            ocr: extract::Ocr::Off,
        }
    }
}

/// A file that could not be ingested, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IngestFailure {
    pub path: PathBuf,
    pub reason: String,
}

/// A file that held a page already stored under another name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IngestCopy {
    pub path: PathBuf,
    /// Key of the stored page with the same text.
    pub copy_of: String,
    /// Where that page's text came from.
    pub copy_of_source: String,
}

/// A newly stored page whose date was not printed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateNote {
    pub path: PathBuf,
    /// Its page key (what `paperboy pages set-date` takes).
    pub key: String,
    /// Undated: the ingest day (shown, not used as its date). Inferred: the date worked out.
    pub date: NaiveDate,
}

/// What an ingest run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// Pages stored or found unchanged (copies included).
    pub pages: usize,
    /// Articles on those pages (a copy's are not counted: they are not stored again).
    pub articles: usize,
    pub new: usize,
    pub unchanged: usize,
    pub replaced: usize,
    /// Unchanged files that were not even extracted: their bytes and options hashed to the
    /// stored page's source hash (counted in `unchanged` too).
    pub skipped: usize,
    pub failed: Vec<IngestFailure>,
    /// Files holding a page stored under another name (counted in `unchanged`).
    pub copies: Vec<IngestCopy>,
    /// New pages without a date: filed apart from the editions, feeds and digests.
    pub undated: Vec<DateNote>,
    /// New pages dated from their text (`date_source = inferred`).
    pub inferred: Vec<DateNote>,
}

/// What happened to one file, as reported to `Progress`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileResult {
    Stored {
        outcome: IngestOutcome,
        articles: usize,
        /// The stored page this file's page is a copy of (nothing was stored).
        copy_of: Option<CopyOf>,
    },
    Failed(String),
}

/// Observer of an ingest run (a progress bar, log lines, or nothing).
pub trait Progress: Send + Sync {
    /// The walk found `files` files to ingest.
    fn started(&self, _files: usize) {}
    /// One file is done.
    fn file_done(&self, _path: &Path, _result: &FileResult) {}
}

/// A `Progress` that reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;
impl Progress for Silent {}

/// What the extraction thread hands the writer.
enum Prepared {
    /// A file's pages (several for a PDF).
    Pages(PathBuf, Vec<NewPage>),
    /// Bytes unchanged since the stored page: not extracted; its stored article count.
    Skipped(PathBuf, usize),
    Failed(PathBuf, String),
}

/// Reads and extracts one file; a panic in extraction is a failure of that file only. A file
/// whose source hash equals `known` (the stored one) is not extracted.
fn prepare_file(
    file: &InputFile,
    known: Option<&KnownSource>,
    opts: &extract::Options,
    now: DateTime<Utc>,
    tz: Tz,
) -> Prepared {
    let bytes = match std::fs::read(&file.path) {
        Ok(b) => b,
        Err(e) => return Prepared::Failed(file.path.clone(), format!("cannot read: {e}")),
    };
    let hash = source_hash(&bytes, opts);
    if let Some(known) = known.filter(|k| k.source_hash == hash) {
        return Prepared::Skipped(file.path.clone(), known.articles);
    }
    let source = file.path.display().to_string();
    let extracted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        extract_source(&bytes, &source, opts)
    }));
    let found = match extracted {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => return Prepared::Failed(file.path.clone(), e.to_string()),
        Err(_) => return Prepared::Failed(file.path.clone(), "extraction panicked".into()),
    };
    let many = found.len() > 1;
    let mut pages = Vec::with_capacity(found.len());
    for (k, (page, text)) in found.into_iter().enumerate() {
        for w in &page.warnings {
            tracing::warn!("{}: {w}", page.source);
        }
        if let Err(e) = check_article_like(&page) {
            return Prepared::Failed(file.path.clone(), e.to_string());
        }
        // The pages of a PDF are `key#p1`, `key#p2`, … (one page keeps the file's key).
        let key = if many {
            format!("{}#p{}", file.key, k + 1)
        } else {
            file.key.clone()
        };
        let mut page = prepare(page, &key, now, tz);
        page.source_hash = Some(hash.clone());
        page.text_hash = Some(text_hash(&text));
        pages.push(page);
    }
    Prepared::Pages(file.path.clone(), pages)
}

/// Ingests files and directories into `store`: extraction on a blocking thread, storing in
/// batches (one transaction each). A batch the store rejects is retried page by page so that
/// only the offending pages fail.
pub async fn ingest_paths(
    store: &Store,
    paths: &[PathBuf],
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> IngestReport {
    let (files, walk_failures) = walk(paths);
    let mut report = IngestReport::default();
    progress.started(files.len() + walk_failures.len());
    for f in walk_failures {
        progress.file_done(&f.path, &FileResult::Failed(f.reason.clone()));
        report.failed.push(f);
    }
    let known = Arc::new(known_sources(store, &files, opts.store_timeout).await);
    let batch_size = opts.batch_size.max(1);
    let workers = match opts.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, files.len().max(1));
    // Files are taken in order by index; a worker does not run further ahead of the writer than
    // `window` files, which bounds the pages waiting to be reordered.
    let window = batch_size * 2;
    let files = Arc::new(files);
    let next = Arc::new(AtomicUsize::new(0));
    let written = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, Prepared)>(window);
    let extract_opts = extract::Options {
        date: opts.date,
        paper: opts.paper.clone(),
        ocr: opts.ocr,
        ..Default::default()
    };
    let tz = opts.timezone;
    let now = Utc::now();
    let mut extractors = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (files, next, written, tx) = (files.clone(), next.clone(), written.clone(), tx.clone());
        let (known, extract_opts) = (known.clone(), extract_opts.clone());
        extractors.push(tokio::task::spawn_blocking(move || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = files.get(i) else { break };
            while i >= written.load(Ordering::Acquire) + window {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            if tx
                .blocking_send((
                    i,
                    prepare_file(file, known.get(&file.key), &extract_opts, now, tz),
                ))
                .is_err()
            {
                break; // the writer is gone
            }
        }));
    }
    drop(tx);
    // Store in walk order, in batches: a batch is written when it is full or `FLUSH_AFTER`
    // after its first page was ready. Few large transactions write far less than many small
    // ones (each commit rewrites the index pages it touched).
    let mut pending: BTreeMap<usize, Prepared> = BTreeMap::new();
    let mut next_out = 0;
    let mut batch = Vec::new();
    let mut deadline = None;
    let mut open = true;
    let mut gave_up = None;
    while open || !batch.is_empty() {
        let received = match deadline {
            Some(at) if open => tokio::time::timeout_at(at, rx.recv()).await.ok(),
            Some(_) => None,
            None => Some(rx.recv().await),
        };
        match received {
            Some(Some((i, item))) => {
                pending.insert(i, item);
                while let Ok((i, item)) = rx.try_recv() {
                    pending.insert(i, item);
                }
            }
            Some(None) => open = false,
            None => {} // the deadline passed
        }
        fill(&mut batch, &mut pending, &mut next_out, batch_size);
        if !batch.is_empty() && deadline.is_none() {
            deadline = Some(tokio::time::Instant::now() + FLUSH_AFTER);
        }
        let due = deadline.is_some_and(|at| tokio::time::Instant::now() >= at);
        if batch.len() == batch_size || (!batch.is_empty() && (due || !open)) {
            let taken = std::mem::take(&mut batch);
            let limit = opts.store_timeout;
            if let Err(reason) = write_batch(store, taken, limit, &mut report, progress).await {
                gave_up = Some(reason);
                break;
            }
            written.store(next_out, Ordering::Release);
            deadline = None;
            // Pages already waiting may fill the next batch at once.
            fill(&mut batch, &mut pending, &mut next_out, batch_size);
            if !batch.is_empty() {
                deadline = Some(tokio::time::Instant::now() + FLUSH_AFTER);
            }
        }
    }
    if let Some(reason) = gave_up {
        // Release the extractors (waiting for the writer or to send) and name every file
        // after the batch that failed: none of them reached the store.
        written.store(usize::MAX / 2, Ordering::Release);
        drop(rx);
        for file in &files[next_out..] {
            let reason = format!(
                "not stored: the store stopped answering earlier in this run ({reason}); run again"
            );
            progress.file_done(&file.path, &FileResult::Failed(reason.clone()));
            report.failed.push(IngestFailure {
                path: file.path.clone(),
                reason,
            });
        }
    }
    for extractor in extractors {
        if extractor.await.is_err() {
            report.failed.push(IngestFailure {
                path: PathBuf::new(),
                reason: "an extraction thread stopped unexpectedly".into(),
            });
        }
    }
    report
}

/// The stored source hashes of the walked keys (one query). Keys walked more than once are left
/// out: which copy the store holds depends on the run, so each copy is extracted. A store error
/// only costs the skipping: every file is then extracted and the writer reports the error.
async fn known_sources(
    store: &Store,
    files: &[InputFile],
    limit: std::time::Duration,
) -> HashMap<String, KnownSource> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for f in files {
        *counts.entry(f.key.as_str()).or_default() += 1;
    }
    let keys: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n == 1)
        .map(|(k, _)| k.to_string())
        .collect();
    match tokio::time::timeout(limit, store.known_sources(&keys)).await {
        Ok(Ok(known)) => known,
        _ => HashMap::new(),
    }
}

/// Moves the pages that are next in walk order from `pending` into `batch`, up to `size`.
fn fill(
    batch: &mut Vec<Prepared>,
    pending: &mut BTreeMap<usize, Prepared>,
    next_out: &mut usize,
    size: usize,
) {
    while batch.len() < size {
        let Some(item) = pending.remove(next_out) else {
            break;
        };
        *next_out += 1;
        batch.push(item);
    }
}

/// Stores a batch (one transaction; one page at a time when the batch as a whole is refused)
/// and reports each file. When the store is unavailable (no answer within `limit`, or no
/// connection), the batch's pages are reported as not stored — the transaction rolled back,
/// so nothing of them is — and the reason is returned: the run stops there.
async fn write_batch(
    store: &Store,
    batch: Vec<Prepared>,
    limit: std::time::Duration,
    report: &mut IngestReport,
    progress: &dyn Progress,
) -> Result<(), String> {
    let mut paths = Vec::new();
    let mut pages = Vec::new();
    for item in batch {
        match item {
            Prepared::Pages(path, found) => {
                for page in found {
                    paths.push(path.clone());
                    pages.push(page);
                }
            }
            Prepared::Skipped(path, articles) => {
                report.pages += 1;
                report.articles += articles;
                report.unchanged += 1;
                report.skipped += 1;
                let outcome = IngestOutcome::Unchanged;
                let result = FileResult::Stored {
                    outcome,
                    articles,
                    copy_of: None,
                };
                progress.file_done(&path, &result);
            }
            Prepared::Failed(path, reason) => {
                progress.file_done(&path, &FileResult::Failed(reason.clone()));
                report.failed.push(IngestFailure { path, reason });
            }
        }
    }
    if pages.is_empty() {
        return Ok(());
    }
    let stored = match tokio::time::timeout(limit, store.ingest_batch(&pages)).await {
        Ok(Ok(stored)) => Ok(stored),
        Ok(Err(e)) if !e.is_unavailable() => Err(e),
        Ok(Err(e)) => {
            let reason = e.to_string();
            not_stored(&paths, &reason, report, progress);
            return Err(reason);
        }
        Err(_) => {
            let reason = format!("the store did not answer within {} s", limit.as_secs_f64());
            not_stored(&paths, &reason, report, progress);
            return Err(reason);
        }
    };
    let outcomes: Vec<Result<PageStored, String>> = match stored {
        Ok(stored) => stored.into_iter().map(Ok).collect(),
        Err(_) => {
            let mut one_by_one = Vec::with_capacity(pages.len());
            for page in &pages {
                let one = std::slice::from_ref(page);
                let stored = tokio::time::timeout(limit, store.ingest_batch(one)).await;
                one_by_one.push(match stored {
                    Ok(Ok(mut s)) if s.len() == 1 => Ok(s.remove(0)),
                    Ok(Ok(_)) => Err(format!("no outcome for page {}", page.key)),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(format!(
                        "the store did not answer within {} s",
                        limit.as_secs_f64()
                    )),
                });
            }
            one_by_one
        }
    };
    for ((path, page), stored) in paths.into_iter().zip(&pages).zip(outcomes) {
        let result = match stored {
            Ok(PageStored { outcome, copy_of }) => {
                report.pages += 1;
                let articles = if copy_of.is_some() {
                    0
                } else {
                    page.articles.len()
                };
                report.articles += articles;
                match outcome {
                    IngestOutcome::New => report.new += 1,
                    IngestOutcome::Unchanged => report.unchanged += 1,
                    IngestOutcome::Replaced => report.replaced += 1,
                }
                note(report, &path, page, outcome, copy_of.as_ref());
                FileResult::Stored {
                    outcome,
                    articles,
                    copy_of,
                }
            }
            Err(reason) => {
                report.failed.push(IngestFailure {
                    path: path.clone(),
                    reason: reason.clone(),
                });
                FileResult::Failed(reason)
            }
        };
        progress.file_done(&path, &result);
    }
    Ok(())
}

/// Reports the pages of a batch the store could not take.
fn not_stored(paths: &[PathBuf], reason: &str, report: &mut IngestReport, progress: &dyn Progress) {
    for path in paths {
        let reason = format!("not stored: {reason}; run again");
        progress.file_done(path, &FileResult::Failed(reason.clone()));
        report.failed.push(IngestFailure {
            path: path.clone(),
            reason,
        });
    }
}

/// Records a copy, and a new page's missing or inferred date, in the report.
fn note(
    report: &mut IngestReport,
    path: &Path,
    page: &NewPage,
    outcome: IngestOutcome,
    copy_of: Option<&CopyOf>,
) {
    if let Some(c) = copy_of {
        report.copies.push(IngestCopy {
            path: path.to_path_buf(),
            copy_of: c.key.clone(),
            copy_of_source: c.source.clone(),
        });
        return;
    }
    if outcome != IngestOutcome::New {
        return;
    }
    let note = DateNote {
        path: path.to_path_buf(),
        key: page.key.clone(),
        date: page.date,
    };
    match page.date_source {
        DateSource::Ingested | DateSource::None => report.undated.push(note),
        DateSource::Inferred => report.inferred.push(note),
        DateSource::Metadata | DateSource::Masthead => {}
    }
}
