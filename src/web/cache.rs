//! The in-memory cache of rendered documents (feeds, pages, OPML, API answers), keyed by route.
//!
//! Each document remembers the store revision it was rendered from; the cache compares it to
//! `store.revision()` (which grows on every content change, in any process sharing the
//! database), read at most once per second — or at once after a local ingest — so a feed is
//! rendered and compressed once per content change, not once per request.
//!
//! Memory is bounded by a byte budget (`[server] cache_bytes`): every entry counts its bodies
//! in all encodings, its key and a fixed overhead, and inserting beyond the budget evicts
//! documents of an old revision first, then the least recently used. Handlers key documents
//! by what they render from (see `routes::cache_key`), so query strings a route does not read
//! cannot multiply entries.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::document::Document;
use super::error::AppError;
use crate::store::Store;

/// How often the store revision is read, at most.
const CHECK_EVERY_MS: u64 = 1000;
/// Bytes an entry costs beyond its bodies and key: the map slot, the entry, the document's
/// header values and allocation overhead (an estimate; it keeps tiny documents from being free).
const ENTRY_OVERHEAD: usize = 512;

struct Entry {
    revision: i64,
    doc: Arc<Document>,
    /// What this entry counts against the budget.
    weight: usize,
    /// Tick of the last lookup or insert: the least recent go first.
    used: AtomicU64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    /// Sum of the entries' weights.
    bytes: usize,
}

/// Rendered documents by route key, within a byte budget.
pub struct DocCache {
    entries: RwLock<Entries>,
    budget: usize,
    /// Orders lookups for eviction.
    tick: AtomicU64,
    revision: AtomicI64,
    /// Milliseconds since `start` of the last revision read (0: never).
    checked_at: AtomicU64,
    start: Instant,
    /// Held while rendering, so a burst of requests for a stale feed renders and compresses
    /// it once (the others wait, then find it cached).
    rendering: tokio::sync::Mutex<()>,
}

impl DocCache {
    /// An empty cache keeping at most `budget` bytes of documents (bodies in every encoding,
    /// keys and a fixed overhead per entry); it reads the revision on first use.
    pub fn new(budget: usize) -> Self {
        Self {
            entries: RwLock::new(Entries::default()),
            budget,
            tick: AtomicU64::new(1),
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
        self.insert(key, rev, doc.clone());
        Ok(doc)
    }

    /// Keeps `doc` under `key`, evicting what the budget needs; a document that alone exceeds
    /// the budget is not kept.
    fn insert(&self, key: &str, rev: i64, doc: Arc<Document>) {
        let weight = doc.weight() + key.len() + ENTRY_OVERHEAD;
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if let Some(old) = entries.map.remove(key) {
            entries.bytes -= old.weight;
        }
        if weight > self.budget {
            return;
        }
        if entries.bytes + weight > self.budget {
            // Down to 7/8 of what is left for the others, so that a stream of new documents
            // sorts the entries once per many inserts rather than on every one.
            let target = (self.budget - weight).saturating_sub(self.budget / 8);
            evict(&mut entries, rev, target);
        }
        entries.bytes += weight;
        entries.map.insert(
            key.to_string(),
            Entry {
                revision: rev,
                doc,
                weight,
                used: AtomicU64::new(self.tick.fetch_add(1, Ordering::Relaxed)),
            },
        );
    }

    /// The cached document for `key` when it is current; never renders.
    pub async fn fresh(&self, store: &Store, key: &str) -> Option<Arc<Document>> {
        let rev = self.current_revision(store).await.ok()?;
        self.lookup(key, rev)
    }

    fn lookup(&self, key: &str, rev: i64) -> Option<Arc<Document>> {
        let entries = self.entries.read().ok()?;
        let entry = entries.map.get(key).filter(|e| e.revision == rev)?;
        entry
            .used
            .store(self.tick.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        Some(entry.doc.clone())
    }

    /// Number of cached documents.
    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.map.len()).unwrap_or(0)
    }

    /// Bytes the cached documents count against the budget.
    pub fn bytes(&self) -> usize {
        self.entries.read().map(|e| e.bytes).unwrap_or(0)
    }

    /// The byte budget (`[server] cache_bytes`).
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Removes entries until at most `target` bytes remain: first those rendered from another
/// revision than `rev` (they can never be served again), then the least recently used.
fn evict(entries: &mut Entries, rev: i64, target: usize) {
    let mut order: Vec<(bool, u64, String)> = entries
        .map
        .iter()
        .map(|(k, e)| (e.revision == rev, e.used.load(Ordering::Relaxed), k.clone()))
        .collect();
    order.sort_unstable();
    for (_, _, key) in order {
        if entries.bytes <= target {
            break;
        }
        if let Some(e) = entries.map.remove(&key) {
            entries.bytes -= e.weight;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn doc(n: usize) -> Arc<Document> {
        // Under the compression threshold: the weight is the body itself.
        Arc::new(Document::new("x".repeat(n), "text/plain", None, 60))
    }

    #[test]
    fn evicts_old_revisions_first_then_the_least_recently_used() {
        let entry = 100 + 1 + ENTRY_OVERHEAD;
        let cache = DocCache::new(4 * entry);
        cache.insert("a", 1, doc(100));
        cache.insert("b", 2, doc(100));
        cache.insert("c", 2, doc(100));
        cache.insert("d", 2, doc(100));
        assert_eq!((cache.len(), cache.bytes()), (4, 4 * entry));
        assert!(cache.lookup("b", 2).is_some());
        // Full: "a" (an old revision) goes, then "c", the least recently used at revision 2.
        cache.insert("e", 2, doc(100));
        cache.insert("f", 2, doc(100));
        assert!(cache.bytes() <= cache.budget());
        for (key, kept) in [("a", false), ("b", true), ("c", false), ("f", true)] {
            let found = cache.entries.read().unwrap().map.contains_key(key);
            assert_eq!(found, kept, "{key}");
        }
    }

    #[test]
    fn replacing_a_key_does_not_count_it_twice() {
        let cache = DocCache::new(10_000);
        cache.insert("a", 1, doc(100));
        cache.insert("a", 2, doc(200));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.bytes(), 200 + 1 + ENTRY_OVERHEAD);
        assert!(cache.lookup("a", 1).is_none());
        assert!(cache.lookup("a", 2).is_some());
    }
}
