//! An ingest into an SQLite database on a disk that fills up mid-run (a small tmpfs mounted by
//! the test, so it needs root; skipped otherwise): the run stops at the first write that does
//! not fit, says the disk holding the database is full, names every page it did not store, and
//! stores nothing half; once there is room the re-run stores exactly those pages.
//! See: issue 13 ("The same for SQLite: … on a full disk").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod db_support;

use db_support::{key, numbered_pages};
use paperboy::ingest::{ingest_paths, IngestOptions, Silent};
use paperboy::store::Store;

const FILES: usize = 200;

/// The tmpfs the database lives on; unmounted when the test ends, however it ends.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> Option<SmallDisk> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(dir.to_path_buf()))
    }

    fn grow(&self, size: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_stops_the_ingest_naming_what_was_not_stored_and_a_rerun_completes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    let disk_dir = tmp.path().join("disk");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::create_dir_all(&disk_dir).unwrap();
    let Some(disk) = SmallDisk::mount(&disk_dir, "1m") else {
        eprintln!("cannot mount a tmpfs here (needs root): skipping");
        return;
    };
    let files = numbered_pages(&inbox, FILES);
    let keys: Vec<String> = files.iter().map(|p| key(p)).collect();
    let db = disk_dir.join("paperboy.db");
    let url = format!("sqlite://{}", db.display());
    let store = Store::connect(&url).await.unwrap();
    let opts = IngestOptions {
        batch_size: 10,
        workers: 2,
        ..IngestOptions::default()
    };

    let report = ingest_paths(&store, std::slice::from_ref(&inbox), &opts, &Silent).await;
    eprintln!(
        "stored {}, not stored {}",
        report.pages,
        report.failed.len()
    );
    assert!(!report.failed.is_empty(), "1 MB cannot hold {FILES} pages");
    assert_eq!(report.pages + report.failed.len(), FILES);
    for f in &report.failed {
        assert!(f.reason.contains("not stored"), "{}", f.reason);
        assert!(
            f.reason.contains("is full") && f.reason.contains(&db.display().to_string()),
            "{}",
            f.reason
        );
        assert!(!f.reason.contains("transaction depth"), "{}", f.reason);
    }
    let failed: BTreeSet<String> = report.failed.iter().map(|f| key(&f.path)).collect();
    assert_eq!(failed.len(), report.failed.len(), "each page named once");
    // What the store holds is exactly what the report says was stored.
    let held: BTreeSet<String> = store
        .known_sources(&keys)
        .await
        .unwrap()
        .into_keys()
        .collect();
    let stored: BTreeSet<String> = keys
        .iter()
        .filter(|k| !failed.contains(*k))
        .cloned()
        .collect();
    assert_eq!(held, stored);

    // Room again: the same store (its connections survived the failed writes) takes the rest.
    disk.grow("64m");
    let again = ingest_paths(&store, std::slice::from_ref(&inbox), &opts, &Silent).await;
    assert!(again.failed.is_empty(), "{:?}", again.failed.first());
    assert_eq!(again.new, failed.len());
    assert_eq!(again.unchanged, stored.len());
    assert_eq!(again.replaced, 0);
    let held = store.known_sources(&keys).await.unwrap();
    assert_eq!(held.len(), FILES);
    assert_eq!(
        again.articles,
        held.values().map(|k| k.articles).sum::<usize>()
    );
    store.close().await;
}
