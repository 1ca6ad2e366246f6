//! The daily digest timer that `paperboy serve` spawns, and when it fires.
//!
//! [`next_step`] turns "now", the `[mail] send_at` time and the last day this process ran into
//! the next step (run a day, or sleep until an instant); [`spawn`] loops on it and calls
//! [`run_day`]. The timer sends at `send_at` in the `[ingest] timezone`; started after that
//! time (a restart, or the server was down), it runs the day at once: the ledger makes that a
//! catch-up that sends each digest once. Errors are logged here (a scheduled job), not
//! returned. It must not send mail or touch the ledger itself: that is `run_day`'s.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone};

use super::scheduler::{run_day, RunOptions};
use super::MailContext;

/// What the timer does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Run the digests of this day now.
    Run(NaiveDate),
    /// Nothing due before this instant.
    Sleep(DateTime<chrono::Utc>),
}

/// Decides the timer's next step at `now`, given the last day this process ran.
pub fn next_step<Tz: TimeZone>(
    now: DateTime<Tz>,
    send_at: NaiveTime,
    last_run: Option<NaiveDate>,
) -> Next {
    let tz = now.timezone();
    let today = now.date_naive();
    let due = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(send_at))
            .earliest()
            // A send time that falls into a DST gap: an hour later exists.
            .or_else(|| {
                tz.from_local_datetime(&(d.and_time(send_at) + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    let now_utc = now.with_timezone(&chrono::Utc);
    match due(today) {
        Some(t) if t <= now_utc && last_run != Some(today) => Next::Run(today),
        Some(t) if t > now_utc => Next::Sleep(t),
        _ => {
            let tomorrow = today.succ_opt().unwrap_or(today);
            Next::Sleep(due(tomorrow).unwrap_or(now_utc + chrono::Duration::hours(24)))
        }
    }
}

/// Starts the daily timer (when mail is enabled): runs the day's digests at `send_at` local
/// time, at once when started late, and again in 10 minutes (up to 6 times) while transient
/// failures remain.
pub fn spawn(ctx: MailContext) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if !ctx.mail.enabled {
            return;
        }
        let tz = ctx.mail.timezone;
        let mut last_run: Option<NaiveDate> = None;
        loop {
            let now = chrono::Utc::now().with_timezone(&tz);
            match next_step(now, ctx.mail.send_at, last_run) {
                Next::Run(day) => {
                    last_run = Some(day);
                    for attempt in 0..7 {
                        match run_day(&ctx, &RunOptions::new(day)).await {
                            Ok(r) => {
                                tracing::info!(%day, sent = r.sent, empty = r.empty, skipped = r.skipped,
                                    held = r.held, failed = r.failed.len(), rejected = r.rejected.len(), "digest run");
                                if r.uncertain > 0 {
                                    tracing::warn!(%day, uncertain = r.uncertain,
                                        "digests possibly sent by a crashed run were not sent again (`digest send --resend-uncertain` sends them)");
                                }
                                for f in &r.rejected {
                                    tracing::warn!(subscriber = f.subscriber, error = %f.error, "digest rejected");
                                }
                                if r.failed.is_empty() {
                                    break;
                                }
                            }
                            Err(e) => tracing::error!(%day, error = %e, "digest run failed"),
                        }
                        if attempt < 6 {
                            tokio::time::sleep(Duration::from_secs(600)).await;
                        }
                    }
                }
                Next::Sleep(until) => {
                    let wait = (until - chrono::Utc::now())
                        .to_std()
                        .unwrap_or(Duration::from_secs(1));
                    // Wake at least hourly so a changed clock is noticed.
                    tokio::time::sleep(wait.min(Duration::from_secs(3600))).await;
                }
            }
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn at(h: u32, m: u32) -> DateTime<chrono_tz::Tz> {
        Shanghai
            .with_ymd_and_hms(2026, 3, 10, h, m, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn runs_once_after_send_time_and_sleeps_until_it_otherwise() {
        let seven = NaiveTime::from_hms_opt(7, 0, 0).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        // Before 07:00 Shanghai (= 23:00 UTC the day before): sleep until then.
        let expect = chrono::Utc.with_ymd_and_hms(2026, 3, 9, 23, 0, 0).unwrap();
        assert_eq!(next_step(at(6, 59), seven, None), Next::Sleep(expect));
        // Started late (server was down at 07:00): catch up now, once.
        assert_eq!(next_step(at(9, 30), seven, None), Next::Run(today));
        let tomorrow = chrono::Utc.with_ymd_and_hms(2026, 3, 10, 23, 0, 0).unwrap();
        assert_eq!(
            next_step(at(9, 31), seven, Some(today)),
            Next::Sleep(tomorrow)
        );
    }
}
