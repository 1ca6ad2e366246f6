//! The day's digest run: claim, compose, send and mark every subscriber's digest of one day.
//!
//! [`run_day`] sends every confirmed subscriber their digest of one day, exactly once: for each
//! subscriber it first claims the (subscriber, day) row of the send ledger in the database
//! (several runs, in one process or several sharing PostgreSQL, can never both hold it), then
//! reads what is new for their regions, builds and sends the message, and marks the row `sent`,
//! `empty` (nothing new: no mail), `failed` (transient, after bounded retries: the next run
//! tries again) or `rejected` (5xx: recorded against the subscriber, never retried).
//!
//! Crashes: a claim names its run's process (`holder`); the next run takes over at once the
//! claims of a process that is gone (on the same machine; others when their lease, renewed
//! by a live run every third of it, runs out). Before the SMTP transaction the run commits an
//! *intent* (with the deterministic Message-ID) on the row; a successor that takes over a claim
//! with an intent cannot know whether the server accepted that digest: by default it marks it
//! `sent` and `uncertain` without sending (at-most-once) and reports it; with
//! `resend_uncertain` it sends it again (at-least-once). A run whose database stops answering
//! (every ledger call is bounded by [`LEDGER_TIMEOUT`]) starts nothing new and ends with an
//! error; its claims are left for a successor.
//!
//! What a digest lists: the editions of the subscriber's regions dated up to the digest day and
//! within a week of it that are new since their previous digest (dated after the newest
//! edition it listed, or stored after it was composed); a first digest lists the day's and the
//! previous day's. A dry run writes `.eml` files into the outbox and touches no ledger.
//!
//! Marking finished digests and recording intents is in the `mark` submodule, claiming in
//! `claim`, telling dead holders and the lease heartbeat in `holder`, the rendered-digest cache
//! in `bodies`, the test-only pause hook in `pause`. The timer that calls
//! [`run_day`] daily is in `super::timer` (re-exported here as
//! [`spawn`], [`next_step`] and [`Next`] for the older paths).

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDate;
use futures::StreamExt;
use serde::Serialize;

use super::digest::{self, EditionItem};
use super::{unix_now, MailContext, MailError, Mailer};
use crate::model::RegionCode;
use crate::region::Gazetteer;
use crate::store::subscribers::{LedgerEntry, LedgerOutcome, LedgerStatus, Subscriber};
use crate::store::{EditionQuery, EditionSummary};

pub use super::timer::{next_step, spawn, Next};

mod bodies;
mod claim;
mod holder;
mod mark;
mod pause;
use bodies::{body_for, Bodies};
use mark::{finish, intend, Marks};
use pause::{Pause, Point};

/// Bound on one ledger call of a run: past it the database counts as lost for the run.
pub const LEDGER_TIMEOUT: Duration = Duration::from_secs(10);

/// How far back a digest looks for editions (a missed week is caught up, not a missed year).
pub const LOOKBACK_DAYS: i64 = 7;
/// Headlines listed per edition.
pub const TITLES_PER_EDITION: usize = 12;

/// Parameters of one run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub day: NaiveDate,
    /// Write `.eml` files into the outbox; no ledger, no SMTP.
    pub dry_run: bool,
    /// Who claims ledger rows (unique per run).
    pub owner: String,
    /// How long a claim protects a row from runs that cannot tell whether its holder is
    /// alive; a live run renews it every third of it.
    pub lease: Duration,
    /// Send again the digests a crashed run may have sent (intent without mark, or `sent`
    /// rows marked uncertain): at-least-once instead of the default at-most-once.
    pub resend_uncertain: bool,
}

impl RunOptions {
    /// A real run of `day` with a fresh owner id (naming this process) and a 1-minute lease.
    pub fn new(day: NaiveDate) -> Self {
        Self {
            day,
            dry_run: false,
            owner: holder::owner_id(),
            lease: Duration::from_secs(60),
            resend_uncertain: false,
        }
    }
}

/// One subscriber whose digest did not go out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub subscriber: i64,
    pub email: String,
    pub error: String,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    /// Confirmed subscribers considered.
    pub subscribers: usize,
    /// Digests accepted by the transport (dry run: `.eml` files written).
    pub sent: usize,
    /// Subscribers with nothing new (no mail).
    pub empty: usize,
    /// Finished by an earlier run (sent or rejected).
    pub skipped: usize,
    /// Claimed by another run that is not known to be dead (not done yet).
    pub held: usize,
    /// Possibly sent by a run that crashed between its intent and its mark; not sent again
    /// (at-most-once). Includes those found so by earlier runs.
    pub uncertain: usize,
    /// Possibly sent by a crashed run and sent again on request (in `sent` too).
    pub resent: usize,
    /// Digests that needed more than one try.
    pub retried: usize,
    /// Transient failures after the retries (the next run tries again).
    pub failed: Vec<Failure>,
    /// Permanent failures (recorded against the subscriber; not retried).
    pub rejected: Vec<Failure>,
}

enum Outcome {
    Sent { retried: bool, resent: bool },
    Empty,
    Skipped,
    Held,
    Uncertain,
    Failed(String, bool),
    Rejected(String),
}

/// What a run reads once: editions and headlines of the subscribed regions, and each
/// subscriber's previous digest; plus where its ledger writes go.
struct RunData {
    editions: HashMap<RegionCode, Vec<EditionSummary>>,
    /// Headlines of each edition with their article ids.
    titles: HashMap<(RegionCode, NaiveDate), Vec<(String, String)>>,
    last: HashMap<i64, LedgerEntry>,
    /// Where the run's claims and marks go ([`crate::store::Store::writer`]): on SQLite one
    /// connection, so they queue behind each other there rather than in SQLite's busy wait.
    ledger: crate::store::Store,
    /// Digests rendered so far, by the editions they list (subscribers of the same regions
    /// share one rendering; only the unsubscribe link differs).
    bodies: std::sync::Mutex<Bodies>,
    /// Finished digests waiting for their ledger mark, and intents (group commit).
    marks: Marks,
    /// Set when a ledger write failed for good: the run starts nothing new.
    lost: std::sync::OnceLock<String>,
    /// Test-only pause point (see `pause`).
    pause: Pause,
}

/// Subscribers claimed per ledger transaction.
const CLAIM_BATCH: usize = 64;

enum Claim {
    /// This run's; `uncertain`: a crashed run may have sent it.
    Mine {
        uncertain: bool,
    },
    /// Another run's, not known to be dead.
    Held,
    /// Finished earlier (`uncertain`: possibly sent, not sent again).
    Done {
        uncertain: bool,
    },
    Error(String),
}

/// What one future of a run yields.
enum Step {
    Claimed(Vec<(Subscriber, Claim)>),
    Sent(Subscriber, Result<Outcome, MailError>),
}

async fn step_claim(opts: &RunOptions, data: &RunData, chunk: Vec<Subscriber>) -> Step {
    Step::Claimed(claim::claim_chunk(opts, data, chunk).await)
}

async fn step_send(
    ctx: &MailContext,
    opts: &RunOptions,
    mailer: &Mailer,
    data: &RunData,
    sub: Subscriber,
    claim: Claim,
) -> Step {
    let (sub, outcome) = paired(ctx, opts, mailer, data, sub, claim).await;
    Step::Sent(sub, outcome)
}

/// Sends (or, dry, writes) the digests of `opts.day` to every confirmed subscriber.
pub async fn run_day(ctx: &MailContext, opts: &RunOptions) -> Result<RunReport, MailError> {
    let subscribers = ctx.store.confirmed_subscribers().await?;
    let data = read_editions(ctx, &subscribers, opts.day).await?;
    let dry_mailer = opts.dry_run.then(|| Mailer::file(&ctx.mail.outbox));
    let mailer = dry_mailer.as_ref().unwrap_or(&ctx.mail.mailer);
    let mut report = RunReport {
        subscribers: subscribers.len(),
        ..RunReport::default()
    };
    // Digests in flight: many per SMTP connection, so that while some wait for their intent
    // or their mark (two group commits each) the connections already carry the next ones
    // (measured with bodies encoded once per rendering, 5 runs each beside smtp-source: 8 per
    // connection 0.49–0.55, 16 0.48–0.63 (9 runs), 32 0.44–0.62, 96 0.39–0.54: past a point more in
    // flight only makes bigger commits and more to poll on the one task that composes).
    let concurrency = ctx.mail.concurrency.max(1) * 16;
    let data = &data;
    // The heartbeat: a live run keeps its claims' lease from running out.
    let heartbeat = (!opts.dry_run).then(|| holder::spawn_heartbeat(data.ledger.clone(), opts));
    let _stop_heartbeat = heartbeat.map(holder::AbortOnDrop);
    // Claims go in batches (one transaction each), taken as the sends need them. A plain
    // loop over FuturesUnordered: stream combinators with closures over borrowed state trip
    // the compiler's higher-ranked lifetime check once the run is spawned on tokio.
    let mut chunks = subscribers
        .chunks(CLAIM_BATCH)
        .map(<[Subscriber]>::to_vec)
        .collect::<Vec<_>>()
        .into_iter();
    let mut pending: std::collections::VecDeque<(Subscriber, Claim)> = Default::default();
    // Claims and sends progress together in one set: awaiting a claim on its own would stop
    // polling the sends, and one suspended inside its ledger transaction would hold
    // SQLite's write lock that the claim waits for.
    let mut in_flight: futures::stream::FuturesUnordered<
        std::pin::Pin<Box<dyn std::future::Future<Output = Step> + Send + '_>>,
    > = futures::stream::FuturesUnordered::new();
    let mut claiming = false;
    loop {
        // Nothing new once the database is lost or a test pause was reached.
        let stopping = data.lost.get().is_some() || data.pause.paused();
        let sending = in_flight.len() - usize::from(claiming);
        for _ in sending..if stopping { 0 } else { concurrency } {
            let Some((sub, claim)) = pending.pop_front() else {
                break;
            };
            in_flight.push(Box::pin(step_send(ctx, opts, mailer, data, sub, claim)));
        }
        if !claiming && !stopping && pending.len() < concurrency {
            if let Some(chunk) = chunks.next() {
                in_flight.push(Box::pin(step_claim(opts, data, chunk)));
                claiming = true;
            }
        }
        if data.pause.paused() && in_flight.len() <= 1 {
            data.pause.announce_quiet();
        }
        let next = match data.pause.armed() {
            // Wake now and then to see whether the run went quiet behind a test pause.
            true => match tokio::time::timeout(Duration::from_millis(50), in_flight.next()).await {
                Ok(next) => next,
                Err(_) => continue,
            },
            false => in_flight.next().await,
        };
        let Some(step) = next else {
            break;
        };
        let (sub, outcome) = match step {
            Step::Claimed(batch) => {
                claiming = false;
                pending.extend(batch);
                continue;
            }
            Step::Sent(sub, outcome) => (sub, outcome),
        };
        let failure = |error: String| Failure {
            subscriber: sub.id,
            email: sub.email.clone(),
            error,
        };
        match outcome {
            Ok(Outcome::Sent { retried, resent }) => {
                report.sent += 1;
                report.retried += usize::from(retried);
                report.resent += usize::from(resent);
            }
            Ok(Outcome::Empty) => report.empty += 1,
            Ok(Outcome::Skipped) => report.skipped += 1,
            Ok(Outcome::Held) => report.held += 1,
            Ok(Outcome::Uncertain) => report.uncertain += 1,
            Ok(Outcome::Failed(e, retried)) => {
                report.retried += usize::from(retried);
                report.failed.push(failure(e));
            }
            Ok(Outcome::Rejected(e)) => report.rejected.push(failure(e)),
            Err(e) => report.failed.push(failure(e.to_string())),
        }
    }
    report.failed.sort_by_key(|f| f.subscriber);
    report.rejected.sort_by_key(|f| f.subscriber);
    if let Some(lost) = data.lost.get() {
        let unfinished = pending.len() + chunks.map(|c| c.len()).sum::<usize>();
        return Err(MailError::Ledger(format!(
            "the run stopped: the send ledger could not be written ({lost}); {} digest(s) sent \
             before that, {} not finished: their claims are left for the next run",
            report.sent,
            unfinished + report.failed.len()
        )));
    }
    Ok(report)
}

async fn paired(
    ctx: &MailContext,
    opts: &RunOptions,
    mailer: &Mailer,
    data: &RunData,
    sub: Subscriber,
    claim: Claim,
) -> (Subscriber, Result<Outcome, MailError>) {
    let outcome = match claim {
        Claim::Mine { uncertain } => one(ctx, opts, mailer, data, &sub, uncertain).await,
        Claim::Held => Ok(Outcome::Held),
        Claim::Done { uncertain: true } => Ok(Outcome::Uncertain),
        Claim::Done { uncertain: false } => Ok(Outcome::Skipped),
        Claim::Error(e) => Ok(Outcome::Failed(e, false)),
    };
    (sub, outcome)
}

async fn read_editions(
    ctx: &MailContext,
    subscribers: &[Subscriber],
    day: NaiveDate,
) -> Result<RunData, MailError> {
    let mut data = RunData {
        editions: HashMap::new(),
        titles: HashMap::new(),
        last: ctx.store.last_sent_digests(day).await?,
        ledger: ctx.store.writer().await?,
        bodies: Default::default(),
        marks: Marks::default(),
        lost: Default::default(),
        pause: Pause::from_env(),
    };
    let since = day - chrono::Duration::days(LOOKBACK_DAYS - 1);
    for code in subscribers.iter().flat_map(|s| &s.regions) {
        if data.editions.contains_key(code) {
            continue;
        }
        let query = EditionQuery {
            region: Some(code.clone()),
            since: Some(since),
            before: day.succ_opt(),
            limit: None,
        };
        let editions = ctx.store.editions(&query).await?;
        for e in &editions {
            let articles = ctx.store.edition_articles(code, e.date).await?;
            let titles = articles
                .iter()
                .filter_map(|a| a.article.title.as_deref().map(|t| (t, &a.id)))
                .map(|(t, id)| (digest::one_line(t), id.clone()))
                .filter(|(t, _)| !t.is_empty())
                .take(TITLES_PER_EDITION)
                .collect();
            data.titles.insert((code.clone(), e.date), titles);
        }
        data.editions.insert(code.clone(), editions);
    }
    Ok(data)
}

/// The editions `sub` has not had yet, newest day first, in the order of their regions.
fn select(
    ctx: &MailContext,
    data: &RunData,
    sub: &Subscriber,
    day: NaiveDate,
    last: Option<&LedgerEntry>,
) -> Vec<EditionItem> {
    let first_day = day.pred_opt().unwrap_or(day);
    let mut items = Vec::new();
    for code in &sub.regions {
        let Some(editions) = data.editions.get(code) else {
            continue;
        };
        let (name, slug) = match Gazetteer::global().get(code) {
            Some(r) => (r.name.to_string(), r.slug.to_string()),
            None => (code.to_string(), code.to_string()),
        };
        for e in editions.iter().filter(|e| e.date <= day) {
            let new = match last {
                None => e.date >= first_day,
                Some(l) => {
                    e.date > l.through_day.unwrap_or(l.day)
                        || e.updated_at.timestamp() > l.content_at.unwrap_or(i64::MAX)
                }
            };
            if new && e.articles > 0 {
                let (titles, ids): (Vec<String>, Vec<String>) = data
                    .titles
                    .get(&(code.clone(), e.date))
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .unzip();
                let base = &ctx.mail.base_url;
                items.push(
                    EditionItem::new(
                        base,
                        code.as_str(),
                        &name,
                        &slug,
                        e.date,
                        e.articles,
                        titles,
                    )
                    .with_article_ids(base, &ids),
                );
            }
        }
    }
    // Stable: regions keep the subscriber's order within a day.
    items.sort_by_key(|e| std::cmp::Reverse(e.date));
    items
}

async fn one(
    ctx: &MailContext,
    opts: &RunOptions,
    mailer: &Mailer,
    data: &RunData,
    sub: &Subscriber,
    uncertain: bool,
) -> Result<Outcome, MailError> {
    let store = &ctx.store;
    let message_id = digest::digest_message_id(opts.day, sub.id, ctx.mail.domain());
    if uncertain && !opts.resend_uncertain {
        // A crashed run was about to send this digest and may have: at-most-once keeps it
        // from going out twice, and the report counts it.
        let outcome = LedgerOutcome {
            status: LedgerStatus::Sent,
            editions: 0,
            through_day: None,
            message_id: Some(&message_id),
            content_at: None,
            error: Some("possibly sent by a run that crashed; not sent again"),
            uncertain: true,
        };
        finish(opts, data, sub, &outcome).await?;
        return Ok(Outcome::Uncertain);
    }
    let now = unix_now();
    let items = select(ctx, data, sub, opts.day, data.last.get(&sub.id));
    let through_day = items.iter().map(|e| e.date).max();
    let mut outcome = LedgerOutcome {
        status: LedgerStatus::Empty,
        editions: i64::try_from(items.len()).unwrap_or(i64::MAX),
        through_day,
        message_id: None,
        content_at: Some(now),
        error: None,
        uncertain: false,
    };
    if items.is_empty() {
        finish(opts, data, sub, &outcome).await?;
        return Ok(Outcome::Empty);
    }
    let built = body_for(ctx, data, opts.day, &items)
        .and_then(|body| digest::personal_digest(&ctx.mail, &body, sub, opts.day, now));
    let message = match built {
        Ok(m) => m,
        Err(e) => {
            let error = e.to_string();
            outcome.status = LedgerStatus::Failed;
            outcome.error = Some(&error);
            finish(opts, data, sub, &outcome).await?;
            return Ok(Outcome::Failed(error, false));
        }
    };
    // Committed before the SMTP transaction: a successor that finds the intent without a mark
    // knows this digest may have gone out.
    if !intend(opts, data, sub, &message_id).await? {
        return Ok(Outcome::Held);
    }
    data.pause.at(Point::AfterIntent).await;
    match mailer.send_with_retry(&message, &ctx.mail.retry).await {
        Ok(tries) => {
            data.pause.at(Point::AfterData).await;
            outcome.status = LedgerStatus::Sent;
            outcome.message_id = Some(&message_id);
            finish(opts, data, sub, &outcome).await?;
            data.pause.at(Point::AfterMark).await;
            Ok(Outcome::Sent {
                retried: tries > 1,
                resent: uncertain,
            })
        }
        Err((e, tries)) => {
            let error = e.to_string();
            outcome.error = Some(&error);
            if e.is_transient() {
                outcome.status = LedgerStatus::Failed;
                finish(opts, data, sub, &outcome).await?;
                Ok(Outcome::Failed(error, tries > 1))
            } else {
                outcome.status = LedgerStatus::Rejected;
                if !opts.dry_run {
                    store.record_delivery_failure(sub.id, &error, now).await?;
                }
                finish(opts, data, sub, &outcome).await?;
                Ok(Outcome::Rejected(error))
            }
        }
    }
}
