//! The export's file writer: one thread that takes rendered documents in order and writes each
//! under its URL's file, so that the kernel's work (directory lookups, allocating blocks)
//! overlaps rendering on the other core instead of interleaving with it on one.
//!
//! A file already holding exactly the bytes it would get is left untouched (its time kept), so
//! exporting again into the same folder writes only what changed and a sync to a CDN sends
//! only that. Per new file: one `mkdir` for a directory not seen yet (a file in a directory made
//! just now is not looked for), then open, one write and close; per unchanged file: `mkdir`
//! once per directory, then open, `fstat`, one read and close.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use super::export::{file_for, ExportError, ExportReport};

/// Documents rendered ahead of the writer: enough to keep it busy, few enough to hold memory
/// at a handful of documents.
const QUEUE: usize = 64;

/// The sending side: renderers hand documents to it; [`Files::finish`] waits for the writer.
pub(super) struct Files {
    tx: mpsc::Sender<(String, Vec<u8>)>,
    writer: std::thread::JoinHandle<Result<ExportReport, ExportError>>,
}

impl Files {
    /// Starts the writer for the site under `out`.
    pub(super) fn start(out: &Path) -> Self {
        let (tx, mut rx) = mpsc::channel::<(String, Vec<u8>)>(QUEUE);
        let out = out.to_path_buf();
        let writer = std::thread::spawn(move || {
            let mut writer = Writer {
                out,
                dirs: HashSet::new(),
                old: Vec::new(),
                report: ExportReport::default(),
            };
            while let Some((url_path, bytes)) = rx.blocking_recv() {
                writer.put(&url_path, &bytes)?;
            }
            Ok(writer.report)
        });
        Self { tx, writer }
    }

    /// Queues the document of `url_path` (waits while the writer is behind). Fails when the
    /// writer has stopped; [`Files::finish`] then says why.
    pub(super) async fn put(&self, url_path: String, bytes: Vec<u8>) -> Result<(), ExportError> {
        self.tx
            .send((url_path, bytes))
            .await
            .map_err(|_| ExportError::WriterStopped)
    }

    /// Waits until every queued document is written; what was written, or the first failure.
    pub(super) async fn finish(self) -> Result<ExportReport, ExportError> {
        drop(self.tx);
        let writer = self.writer;
        tokio::task::spawn_blocking(move || writer.join())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(Err(ExportError::WriterStopped))
    }
}

struct Writer {
    out: PathBuf,
    /// Directories known to exist (made or found): each is made once, not once per file.
    dirs: HashSet<PathBuf>,
    /// The buffer existing files are read into for comparison.
    old: Vec<u8>,
    report: ExportReport,
}

impl Writer {
    fn put(&mut self, url_path: &str, bytes: &[u8]) -> Result<(), ExportError> {
        let file = file_for(&self.out, url_path);
        let written = self.write_if_changed(&file, bytes)?;
        self.report.files += 1;
        self.report.bytes += bytes.len() as u64;
        self.report.written += usize::from(written);
        Ok(())
    }

    /// Writes `bytes` to `file` unless it already holds them; true when it wrote.
    fn write_if_changed(&mut self, file: &Path, bytes: &[u8]) -> Result<bool, ExportError> {
        let failed = |path: &Path, source| ExportError::Write {
            path: path.to_path_buf(),
            source,
        };
        // A directory made just now holds no file yet: nothing to open and compare.
        let mut fresh = false;
        if let Some(parent) = file.parent() {
            if !self.dirs.contains(parent) {
                fresh = match std::fs::create_dir(parent) {
                    Ok(()) => true,
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
                    Err(_) => {
                        std::fs::create_dir_all(parent).map_err(|e| failed(parent, e))?;
                        true
                    }
                };
                self.dirs.insert(parent.to_path_buf());
            }
        }
        if !fresh {
            if let Ok(mut old) = File::open(file) {
                // Comparing sizes first skips reading files that obviously changed.
                if old.metadata().is_ok_and(|m| m.len() == bytes.len() as u64) {
                    self.old.clear();
                    if old.read_to_end(&mut self.old).is_ok() && self.old == bytes {
                        return Ok(false);
                    }
                }
            }
        }
        std::fs::write(file, bytes).map_err(|e| failed(file, e))?;
        Ok(true)
    }
}
