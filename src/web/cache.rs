//! The in-memory cache of rendered documents (feeds, pages, OPML, API answers), keyed by route.
//!
//! Each document remembers the store revision it was rendered from; the cache compares it to
//! `store.revision()` (which grows on every content change, in any process sharing the
//! database), read at most once per second — or at once after a local ingest — so a feed is
//! rendered and compressed once per content change, not once per request.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::document::Document;
use super::error::AppError;
use crate::store::Store;

/// Above this many documents the cache starts over (bounds memory against `?before=` scans).
const MAX_ENTRIES: usize = 4096;
/// How often the store revision is read, at most.
const CHECK_EVERY_MS: u64 = 1000;

struct Entry {
    revision: i64,
    doc: Arc<Document>,
}

/// Rendered documents by route key.
pub struct DocCache {
    map: RwLock<HashMap<String, Entry>>,
    revision: AtomicI64,
    /// Milliseconds since `start` of the last revision read (0: never).
    checked_at: AtomicU64,
    start: Instant,
    /// Held while rendering, so a burst of requests for a stale feed renders and compresses
    /// it once (the others wait, then find it cached).
    rendering: tokio::sync::Mutex<()>,
}

impl Default for DocCache {
    fn default() -> Self {
        Self::new()
    }
}

impl DocCache {
    /// An empty cache that reads the revision on first use.
    pub fn new() -> Self {
        Self {
            map: RwLock::new(HashMap::new()),
            revision: AtomicI64::new(i64::MIN),
            checked_at: AtomicU64::new(0),
            start: Instant::now(),
            rendering: tokio::sync::Mutex::new(()),
        }
    }

    fn now_ms(&self) -> u64 {
        // +1 so that 0 keeps meaning "never checked".
        self.start.elapsed().as_millis() as u64 + 1
    }

    /// Reads the store revision when the last read is older than a second (one request does
    /// it; the others go on with the revision they have).
    async fn current_revision(&self, store: &Store) -> Result<i64, AppError> {
        let now = self.now_ms();
        let last = self.checked_at.load(Ordering::Acquire);
        let due = last == 0 || now.saturating_sub(last) >= CHECK_EVERY_MS;
        if due
            && self
                .checked_at
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            let rev = store.revision().await?;
            self.revision.store(rev, Ordering::Release);
        }
        let rev = self.revision.load(Ordering::Acquire);
        if rev == i64::MIN {
            // Another request is doing the very first read; read it ourselves.
            let rev = store.revision().await?;
            self.revision.store(rev, Ordering::Release);
            return Ok(rev);
        }
        Ok(rev)
    }

    /// Forgets the revision so that the next request reads it (call after a local ingest).
    pub async fn refresh(&self, store: &Store) -> Result<(), AppError> {
        let rev = store.revision().await?;
        self.revision.store(rev, Ordering::Release);
        self.checked_at.store(self.now_ms(), Ordering::Release);
        Ok(())
    }

    /// The document for `key`, rendered by `render` when missing or stale.
    pub async fn get_or_render<F, Fut>(
        &self,
        store: &Store,
        key: &str,
        render: F,
    ) -> Result<Arc<Document>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Document, AppError>>,
    {
        let rev = self.current_revision(store).await?;
        if let Some(doc) = self.lookup(key, rev) {
            return Ok(doc);
        }
        let _rendering = self.rendering.lock().await;
        if let Some(doc) = self.lookup(key, rev) {
            return Ok(doc);
        }
        let doc = Arc::new(render().await?);
        if let Ok(mut map) = self.map.write() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(
                key.to_string(),
                Entry {
                    revision: rev,
                    doc: doc.clone(),
                },
            );
        }
        Ok(doc)
    }

    /// The cached document for `key` when it is current; never renders.
    pub async fn fresh(&self, store: &Store, key: &str) -> Option<Arc<Document>> {
        let rev = self.current_revision(store).await.ok()?;
        self.lookup(key, rev)
    }

    fn lookup(&self, key: &str, rev: i64) -> Option<Arc<Document>> {
        let map = self.map.read().ok()?;
        map.get(key)
            .filter(|e| e.revision == rev)
            .map(|e| e.doc.clone())
    }

    /// Number of cached documents.
    pub fn len(&self) -> usize {
        self.map.read().map(|m| m.len()).unwrap_or(0)
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
