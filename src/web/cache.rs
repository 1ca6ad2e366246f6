//! The in-memory cache of rendered documents (feeds, pages, OPML, API answers), keyed by route.
//!
//! Each document remembers the store revision it was rendered from; the cache compares it to
//! the revision `StoreHealth` last read (at most once per second, or at once after a local
//! ingest), so a feed is rendered and compressed once per content change, not once per request.
//!
//! Rendering is per document: distinct documents render in parallel, and concurrent requests
//! for the same missing document wait for one render (single flight). Every render waits at
//! most the store timeout.
//!
//! When the store does not answer, cached documents are still served, marked stale (`Warning:
//! 110`), with their validators; a missing document is refused at once with 503 rather than
//! waiting for a database that has just failed. See `health.rs`.
//!
//! Memory is bounded by a byte budget (`[server] cache_bytes`): every entry counts its bodies
//! in all encodings, its key and a fixed overhead, and inserting beyond the budget evicts
//! documents of an old revision first, then the least recently used. Handlers key documents
//! by what they render from (see `routes::cache_key`), so query strings a route does not read
//! cannot multiply entries.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Response};

use super::document::Document;
use super::error::AppError;
use super::health::StoreHealth;
use crate::store::Store;

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

/// A document to answer with, and whether the store could confirm it is current.
pub struct Served {
    pub doc: Arc<Document>,
    /// The store did not answer: the document may be out of date.
    pub stale: bool,
}

impl Served {
    /// The response to a GET or HEAD; a stale one carries `Warning: 110`.
    pub fn respond(&self, headers: &HeaderMap) -> Response<Body> {
        let mut resp = self.doc.respond(headers);
        if self.stale {
            resp.headers_mut().insert(
                header::WARNING,
                HeaderValue::from_static("110 - \"Response is Stale\""),
            );
        }
        resp
    }
}

/// Rendered documents by route key, within a byte budget.
pub struct DocCache {
    entries: RwLock<Entries>,
    budget: usize,
    /// Orders lookups for eviction.
    tick: AtomicU64,
    health: StoreHealth,
    /// One lock per document being rendered: concurrent requests for it wait for one render.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Renders started, for tests and diagnostics.
    renders: AtomicU64,
    /// Renders running now, and the most that ever ran at once (tests show they overlap).
    running: AtomicU64,
    peak: AtomicU64,
    /// Whether documents are compressed before they are kept (not for a static export).
    compress: bool,
}

/// Removes a document's flight lock from the map when its last user is done (also when the
/// request was cancelled).
struct Flight<'a> {
    cache: &'a DocCache,
    key: &'a str,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let Ok(mut flights) = self.cache.flights.lock() else {
            return;
        };
        // Two holders: the map and this flight; anyone else waiting keeps it.
        if flights
            .get(self.key)
            .is_some_and(|l| Arc::ptr_eq(l, &self.lock) && Arc::strong_count(l) == 2)
        {
            flights.remove(self.key);
        }
    }
}

/// Counts a render as running while it lives (also when the request is cancelled).
struct Running<'a>(&'a DocCache);

impl<'a> Running<'a> {
    fn start(cache: &'a DocCache) -> Self {
        let now = cache.running.fetch_add(1, Ordering::Relaxed) + 1;
        cache.peak.fetch_max(now, Ordering::Relaxed);
        Running(cache)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::Relaxed);
    }
}

impl DocCache {
    /// An empty cache keeping at most `budget` bytes of documents (bodies in every encoding,
    /// keys and a fixed overhead per entry), waiting at most `timeout` on the store per request.
    pub fn new(budget: usize, timeout: Duration) -> Self {
        Self {
            entries: RwLock::new(Entries::default()),
            budget,
            tick: AtomicU64::new(1),
            health: StoreHealth::new(timeout),
            flights: Mutex::new(HashMap::new()),
            renders: AtomicU64::new(0),
            running: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            compress: true,
        }
    }

    /// A cache whose documents are kept uncompressed: for writing files, which no client
    /// negotiates an encoding for.
    pub fn uncompressed(mut self) -> Self {
        self.compress = false;
        self
    }

    /// What is known of the store.
    pub fn health(&self) -> &StoreHealth {
        &self.health
    }

    /// Number of renders started since the cache was made.
    pub fn renders(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }

    /// The most renders that ran at once since the cache was made.
    pub fn render_peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    /// Reads the revision now (call after a local ingest).
    pub async fn refresh(&self, store: &Store) -> Result<(), AppError> {
        self.health.refresh(store).await
    }

    /// The document for `key`, rendered by `render` when missing or stale; a cached one,
    /// marked stale, when the store does not answer.
    pub async fn get_or_render<F, Fut>(
        &self,
        store: &Store,
        key: &str,
        render: F,
    ) -> Result<Served, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Document, AppError>>,
    {
        let rev = self.health.revision(store).await?;
        if let Some(doc) = self.lookup(key, Some(rev.value)) {
            return Ok(Served {
                doc,
                stale: rev.stale,
            });
        }
        if rev.stale {
            return self.stale(key);
        }
        let _flight = self.flight(key).await;
        if let Some(doc) = self.lookup(key, Some(rev.value)) {
            return Ok(Served { doc, stale: false });
        }
        self.renders.fetch_add(1, Ordering::Relaxed);
        let running = Running::start(self);
        let limit = self.health.timeout();
        let rendered = match tokio::time::timeout(limit, render()).await {
            Ok(r) => r,
            Err(_) => Err(AppError::Unavailable(format!(
                "the database did not answer within {} s",
                limit.as_secs_f64()
            ))),
        };
        drop(running);
        match rendered {
            Ok(doc) => {
                let doc = Arc::new(if self.compress { doc.compressed() } else { doc });
                self.insert(key, rev.value, doc.clone());
                Ok(Served { doc, stale: false })
            }
            Err(e) if e.is_unavailable() => {
                self.health.failed(e.to_string());
                self.stale(key).map_err(|_| e)
            }
            Err(e) => Err(e),
        }
    }

    /// Any cached document for `key`, marked stale, or 503.
    fn stale(&self, key: &str) -> Result<Served, AppError> {
        match self.lookup(key, None) {
            Some(doc) => Ok(Served { doc, stale: true }),
            None => {
                Err(AppError::Unavailable(self.health.down().unwrap_or_else(
                    || "the database does not answer".to_string(),
                )))
            }
        }
    }

    /// Waits until no other request renders `key`.
    async fn flight<'a>(&'a self, key: &'a str) -> (tokio::sync::OwnedMutexGuard<()>, Flight<'a>) {
        let lock = match self.flights.lock() {
            Ok(mut flights) => flights.entry(key.to_string()).or_default().clone(),
            // A poisoned map only loses the single flight, not the render.
            Err(_) => Arc::default(),
        };
        let flight = Flight {
            cache: self,
            key,
            lock: lock.clone(),
        };
        // The guard goes first when the pair is dropped, so the flight sees only the map's
        // holder and its own.
        (lock.lock_owned().await, flight)
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

    /// The cached document for `key` when it is current, or stale while the store does not
    /// answer; never renders.
    pub async fn fresh(&self, store: &Store, key: &str) -> Option<Served> {
        let rev = self.health.revision(store).await.ok()?;
        if let Some(doc) = self.lookup(key, Some(rev.value)) {
            return Some(Served {
                doc,
                stale: rev.stale,
            });
        }
        if rev.stale {
            return self.stale(key).ok();
        }
        None
    }

    /// The entry for `key` rendered at `rev`, or at any revision for `None`.
    fn lookup(&self, key: &str, rev: Option<i64>) -> Option<Arc<Document>> {
        let entries = self.entries.read().ok()?;
        let entry = entries
            .map
            .get(key)
            .filter(|e| rev.is_none_or(|r| e.revision == r))?;
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
        let cache = DocCache::new(4 * entry, Duration::from_secs(1));
        cache.insert("a", 1, doc(100));
        cache.insert("b", 2, doc(100));
        cache.insert("c", 2, doc(100));
        cache.insert("d", 2, doc(100));
        assert_eq!((cache.len(), cache.bytes()), (4, 4 * entry));
        assert!(cache.lookup("b", Some(2)).is_some());
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
        let cache = DocCache::new(10_000, Duration::from_secs(1));
        cache.insert("a", 1, doc(100));
        cache.insert("a", 2, doc(200));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.bytes(), 200 + 1 + ENTRY_OVERHEAD);
        assert!(cache.lookup("a", Some(1)).is_none());
        assert!(cache.lookup("a", Some(2)).is_some());
    }
}
