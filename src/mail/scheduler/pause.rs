//! Test-only hook: stop a run at a chosen point so a test can `kill -9` it there.
//!
//! `PAPERBOY_TEST_DIGEST_PAUSE=<point>:<n>` (points: `before-claim`, `after-claim` — the n-th
//! claim batch; `after-intent`, `after-data` — the n-th digest, once its intent is committed /
//! once the mail server accepted it; `after-mark` — the n-th mark committed). The digest (or
//! batch) that reaches the point waits forever; the run starts nothing new, lets what is in
//! flight finish, then writes `paperboy-test-pause: <point>` to stderr. Not for production
//! use: it exists so that the crash tests can kill a run at a known point.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Point {
    BeforeClaim,
    AfterClaim,
    AfterIntent,
    AfterData,
    AfterMark,
}

impl Point {
    fn name(self) -> &'static str {
        match self {
            Point::BeforeClaim => "before-claim",
            Point::AfterClaim => "after-claim",
            Point::AfterIntent => "after-intent",
            Point::AfterData => "after-data",
            Point::AfterMark => "after-mark",
        }
    }
}

pub(super) const ENV: &str = "PAPERBOY_TEST_DIGEST_PAUSE";

#[derive(Default)]
pub(super) struct Pause {
    at: Option<(Point, usize)>,
    seen: AtomicUsize,
    paused: AtomicBool,
    announced: AtomicBool,
}

impl Pause {
    pub(super) fn from_env() -> Self {
        let at = std::env::var(ENV).ok().and_then(|v| {
            let (point, n) = v.split_once(':')?;
            let point = [
                Point::BeforeClaim,
                Point::AfterClaim,
                Point::AfterIntent,
                Point::AfterData,
                Point::AfterMark,
            ]
            .into_iter()
            .find(|p| p.name() == point)?;
            Some((point, n.parse().ok()?))
        });
        Self {
            at,
            ..Self::default()
        }
    }

    /// Is a pause configured at all (the run then polls for quiet)?
    pub(super) fn armed(&self) -> bool {
        self.at.is_some()
    }

    /// Has a digest stopped at the point (start nothing new)?
    pub(super) fn paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// Waits forever when this is the n-th arrival at the configured point.
    pub(super) async fn at(&self, point: Point) {
        let Some((p, n)) = self.at else { return };
        if p != point || self.seen.fetch_add(1, Ordering::SeqCst) + 1 != n {
            return;
        }
        self.paused.store(true, Ordering::SeqCst);
        std::future::pending::<()>().await;
    }

    /// Tells the test, once, that only the paused digest is left in flight.
    pub(super) fn announce_quiet(&self) {
        if let Some((p, _)) = self.at {
            if !self.announced.swap(true, Ordering::SeqCst) {
                use std::io::Write;
                let mut err = std::io::stderr();
                let _ = writeln!(err, "paperboy-test-pause: {}", p.name());
                let _ = err.flush();
            }
        }
    }
}
