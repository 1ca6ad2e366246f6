//! `paperboy digest send [--dry-run] [--date D] [--resend-uncertain]`: send the day's digests now (or, dry, write
//! them as .eml files into `[mail] outbox`). The send ledger makes a second run of the same
//! day send nothing twice. Exit 1 when some digests failed (they are listed).
use std::sync::Arc;

use anyhow::Context;
use paperboy::config::Config;
use paperboy::mail::scheduler::{run_day, RunOptions};
use paperboy::mail::{MailContext, MailService};
use paperboy::render::Renderer;

use super::{DigestCommand, Status, UsageError};

pub async fn run(config: Arc<Config>, args: DigestCommand) -> anyhow::Result<Status> {
    let DigestCommand::Send {
        dry_run,
        date,
        resend_uncertain,
    } = args;
    if !config.mail.enabled && !dry_run {
        return Err(UsageError(
            "mail is not enabled: set [mail] enabled = true (or use --dry-run)".into(),
        )
        .into());
    }
    let mail = MailService::from_config(&config).map_err(|e| UsageError(e.to_string()))?;
    let render = Renderer::new(&config.render.templates).context("loading templates")?;
    let store = super::open_store(&config)
        .await
        .context("opening the store")?;
    let day = date.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&config.ingest.timezone)
            .date_naive()
    });
    let ctx = MailContext {
        store: store.clone(),
        render: Arc::new(render),
        config: config.clone(),
        mail: Arc::new(mail),
    };
    let mut opts = RunOptions::new(day);
    opts.dry_run = dry_run;
    opts.resend_uncertain = resend_uncertain;
    let report = run_day(&ctx, &opts).await.context("sending digests")?;
    store.close().await;
    let verb = if dry_run {
        format!("written to {}", config.mail.outbox.display())
    } else {
        "sent".to_string()
    };
    println!(
        "digest {day}: {} subscribers, {} {verb}, {} with nothing new, {} sent or rejected earlier, \
         {} held by another running digest send, {} possibly sent by a crashed run (not sent again), \
         {} resent, {} retried, {} failed, {} rejected",
        report.subscribers,
        report.sent,
        report.empty,
        report.skipped,
        report.held,
        report.uncertain,
        report.resent,
        report.retried,
        report.failed.len(),
        report.rejected.len()
    );
    if report.uncertain > 0 {
        eprintln!(
            "{} digest(s) may or may not have reached their subscriber (a run crashed after \
             handing them to the mail server and before recording it); `digest send \
             --resend-uncertain` sends them again",
            report.uncertain
        );
    }
    if report.held > 0 {
        eprintln!(
            "{} digest(s) are being sent by another running `digest send`; run again after it \
             ends to see them done",
            report.held
        );
    }
    for f in &report.failed {
        eprintln!(
            "failed (will retry on the next run): {} {}: {}",
            f.subscriber, f.email, f.error
        );
    }
    for f in &report.rejected {
        eprintln!(
            "rejected (not retried): {} {}: {}",
            f.subscriber, f.email, f.error
        );
    }
    Ok(if report.failed.is_empty() && report.rejected.is_empty() {
        Status::Success
    } else {
        Status::SomeFailed
    })
}
