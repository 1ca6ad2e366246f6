//! The day's digest run: claim, compose, send and mark every subscriber's digest of one day.
//!
//! [`run_day`] sends every confirmed subscriber their digest of one day, exactly once: for each
//! subscriber it first claims the (subscriber, day) row of the send ledger in the database
//! (several runs, in one process or several sharing PostgreSQL, can never both hold it), then
//! reads what is new for their regions, builds and sends the message, and marks the row `sent`,
//! `empty` (nothing new: no mail), `failed` (transient, after bounded retries: the next run
//! tries again) or `rejected` (5xx: recorded against the subscriber, never retried). A run that
//! crashed leaves `claimed` rows whose lease runs out, and the next run resumes them.
//!
//! What a digest lists: the editions of the subscriber's regions dated up to the digest day and
//! within a week of it that are new since their previous digest (dated after the newest
//! edition it listed, or stored after it was composed); a first digest lists the day's and the
//! previous day's. A dry run writes `.eml` files into the outbox and touches no ledger.
//!
//! Marking finished digests in the ledger is in the `mark` submodule. The timer that calls
//! [`run_day`] daily is in `super::timer` (re-exported here as
//! [`spawn`], [`next_step`] and [`Next`] for the older paths).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use futures::StreamExt;
use serde::Serialize;

use super::digest::{self, DigestBody, EditionItem};
use super::{unix_now, MailContext, MailError, Mailer};
use crate::model::RegionCode;
use crate::region::Gazetteer;
use crate::store::subscribers::{LedgerEntry, LedgerOutcome, LedgerStatus, Subscriber};
use crate::store::{EditionQuery, EditionSummary};

pub use super::timer::{next_step, spawn, Next};

mod mark;
use mark::{finish, Marks};

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
    /// How long a claim protects a row from other runs.
    pub lease: Duration,
}

impl RunOptions {
    /// A real run of `day` with a fresh owner id and a 10-minute lease.
    pub fn new(day: NaiveDate) -> Self {
        Self {
            day,
            dry_run: false,
            owner: format!("{}-{:016x}", std::process::id(), rand::random::<u64>()),
            lease: Duration::from_secs(600),
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
    /// Already sent or rejected, or claimed by another live run.
    pub skipped: usize,
    /// Digests that needed more than one try.
    pub retried: usize,
    /// Transient failures after the retries (the next run tries again).
    pub failed: Vec<Failure>,
    /// Permanent failures (recorded against the subscriber; not retried).
    pub rejected: Vec<Failure>,
}

enum Outcome {
    Sent { retried: bool },
    Empty,
    Skipped,
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
    /// Finished digests waiting for their ledger mark (group commit).
    marks: Marks,
}

/// Subscribers claimed per ledger transaction.
const CLAIM_BATCH: usize = 64;

enum Claim {
    Mine,
    Taken,
    Error(String),
}

/// What one future of a run yields.
enum Step {
    Claimed(Vec<(Subscriber, Claim)>),
    Sent(Subscriber, Result<Outcome, MailError>),
}

async fn step_claim(opts: &RunOptions, data: &RunData, chunk: Vec<Subscriber>) -> Step {
    Step::Claimed(claim_chunk(opts, data, chunk).await)
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
    // Digests in flight: several per SMTP connection, so that while some wait for their
    // ledger mark (group commit) the connections already carry the next ones.
    let concurrency = ctx.mail.concurrency.max(1) * 8;
    let data = &data;
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
        let sending = in_flight.len() - usize::from(claiming);
        for _ in sending..concurrency {
            let Some((sub, claim)) = pending.pop_front() else {
                break;
            };
            in_flight.push(Box::pin(step_send(ctx, opts, mailer, data, sub, claim)));
        }
        if !claiming && pending.len() < concurrency {
            if let Some(chunk) = chunks.next() {
                in_flight.push(Box::pin(step_claim(opts, data, chunk)));
                claiming = true;
            }
        }
        let Some(step) = in_flight.next().await else {
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
            Ok(Outcome::Sent { retried }) => {
                report.sent += 1;
                report.retried += usize::from(retried);
            }
            Ok(Outcome::Empty) => report.empty += 1,
            Ok(Outcome::Skipped) => report.skipped += 1,
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
        Claim::Mine => one(ctx, opts, mailer, data, &sub).await,
        Claim::Taken => Ok(Outcome::Skipped),
        Claim::Error(e) => Ok(Outcome::Failed(e, false)),
    };
    (sub, outcome)
}

/// Claims a batch in the ledger (a dry run claims nothing and takes all).
async fn claim_chunk(
    opts: &RunOptions,
    data: &RunData,
    chunk: Vec<Subscriber>,
) -> Vec<(Subscriber, Claim)> {
    if opts.dry_run {
        return chunk.into_iter().map(|s| (s, Claim::Mine)).collect();
    }
    let now = unix_now();
    let lease = i64::try_from(opts.lease.as_secs()).unwrap_or(600);
    let ids: Vec<i64> = chunk.iter().map(|s| s.id).collect();
    match data
        .ledger
        .claim_digests(&ids, opts.day, &opts.owner, now, now + lease)
        .await
    {
        Ok(mine) => chunk
            .into_iter()
            .map(|s| {
                let claim = if mine.contains(&s.id) {
                    Claim::Mine
                } else {
                    Claim::Taken
                };
                (s, claim)
            })
            .collect(),
        Err(e) => {
            let msg = format!("claiming in the send ledger: {e}");
            chunk
                .into_iter()
                .map(|s| (s, Claim::Error(msg.clone())))
                .collect()
        }
    }
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
) -> Result<Outcome, MailError> {
    let store = &ctx.store;
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
    let message_id = digest::digest_message_id(opts.day, sub.id, ctx.mail.domain());
    match mailer.send_with_retry(&message, &ctx.mail.retry).await {
        Ok(tries) => {
            outcome.status = LedgerStatus::Sent;
            outcome.message_id = Some(&message_id);
            finish(opts, data, sub, &outcome).await?;
            Ok(Outcome::Sent { retried: tries > 1 })
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

type Bodies = HashMap<Vec<(String, NaiveDate)>, Arc<DigestBody>>;

fn lock_bodies(data: &RunData) -> std::sync::MutexGuard<'_, Bodies> {
    match data.bodies.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The rendered digest for `items`, from the run's cache or rendered now.
fn body_for(
    ctx: &MailContext,
    data: &RunData,
    day: NaiveDate,
    items: &[EditionItem],
) -> Result<Arc<DigestBody>, MailError> {
    let key: Vec<(String, NaiveDate)> = items.iter().map(|e| (e.region.clone(), e.date)).collect();
    if let Some(body) = lock_bodies(data).get(&key) {
        return Ok(body.clone());
    }
    let body = Arc::new(digest::render_digest(&ctx.mail, &ctx.render, day, items)?);
    lock_bodies(data).insert(key, body.clone());
    Ok(body)
}
