//! `paperboy subscribers add EMAIL… --region R… [--confirmed]`, `remove EMAIL`, `list`,
//! `unsubscribe-mail [FILE]`.
//! `add` without `--confirmed` stores each address unconfirmed and sends the confirmation mail
//! (through the configured transport, or the outbox when mail is off). Bad addresses and
//! unknown regions are usage errors (exit 2) and change nothing; an address that cannot be
//! stored (the database stayed busy past `[storage] busy_timeout_secs`) is reported, the
//! others are added, and the exit code is 1.
//! `unsubscribe-mail` is run by the mail server for the unsubscribe address with one message on
//! standard input: exit 0 when the subscriber is (or already was) removed, 1 when the message
//! holds no valid token (the server then bounces it to the sender), 75 when the database cannot
//! be reached (the server queues the message and tries again), 2 on a configuration error.
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use paperboy::config::Config;
use paperboy::mail::inbound::{self, InboundError, MailedUnsubscribe};
use paperboy::mail::subscribe::{self, region_name, SubscribeError};
use paperboy::mail::{MailContext, MailService};
use paperboy::model::RegionCode;
use paperboy::render::Renderer;
use paperboy::store::Store;
use serde::Serialize;

use super::{Format, Status, SubscribersCommand, UsageError};

#[derive(Serialize)]
struct Row {
    id: i64,
    email: String,
    confirmed: bool,
    /// Digests paused from the manage page (no digest until resumed).
    paused: bool,
    regions: Vec<String>,
    last_error: Option<String>,
}

pub async fn run(config: Arc<Config>, args: SubscribersCommand) -> anyhow::Result<Status> {
    let store = match super::open_store(&config).await {
        Ok(store) => store,
        // A mail server piping a request in queues it on 75 and tries again: nothing is lost.
        Err(e) if matches!(args, SubscribersCommand::UnsubscribeMail { .. }) => {
            eprintln!("paperboy: cannot open the store, try again later: {e}");
            return Ok(Status::TryLater);
        }
        Err(e) => return Err(e).context("opening the store"),
    };
    let status = match args {
        SubscribersCommand::Add {
            emails,
            regions,
            confirmed,
            replace,
        } => {
            let ctx = mail_context(&config, &store)?;
            add(&ctx, &emails, &regions, confirmed, replace).await?
        }
        SubscribersCommand::Remove { email } => match store.subscriber_by_email(&email).await? {
            Some(sub) => {
                store.remove_subscriber(sub.id).await?;
                println!("removed subscriber {} <{}>", sub.id, sub.email);
                Status::Success
            }
            None => {
                eprintln!("no subscriber {email}");
                Status::SomeFailed
            }
        },
        SubscribersCommand::UnsubscribeMail { file } => {
            let raw = read_message(file.as_deref()).await?;
            let ctx = mail_context(&config, &store)?;
            let now = chrono::Utc::now().timestamp();
            match inbound::unsubscribe_by_mail(&ctx, &raw, now).await {
                Ok(MailedUnsubscribe::Removed { subscriber }) => {
                    println!("unsubscribed subscriber {subscriber}");
                    Status::Success
                }
                Ok(MailedUnsubscribe::AlreadyGone { subscriber }) => {
                    println!("already unsubscribed (subscriber {subscriber})");
                    Status::Success
                }
                Err(e @ InboundError::NoSecret) => return Err(UsageError(e.to_string()).into()),
                Err(e @ (InboundError::NoToken | InboundError::BadToken(_))) => {
                    eprintln!("paperboy: nobody unsubscribed: {e}");
                    Status::SomeFailed
                }
                Err(e @ InboundError::Remove { .. }) => {
                    eprintln!("paperboy: try again later: {e}");
                    Status::TryLater
                }
            }
        }
        SubscribersCommand::List { format } => {
            let rows: Vec<Row> = store
                .subscribers()
                .await?
                .into_iter()
                .map(|s| Row {
                    id: s.id,
                    confirmed: s.confirmed_at.is_some(),
                    paused: s.paused_at.is_some(),
                    regions: s.regions.iter().map(|r| r.to_string()).collect(),
                    email: s.email,
                    last_error: s.last_error,
                })
                .collect();
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                Format::Text if rows.is_empty() => println!("no subscribers"),
                Format::Text => {
                    for r in &rows {
                        let names: Vec<String> = r
                            .regions
                            .iter()
                            .map(|c| {
                                c.parse()
                                    .map(|code| region_name(&code))
                                    .unwrap_or_else(|_| c.clone())
                            })
                            .collect();
                        println!(
                            "{:>5}  {:<40} {:<11} {}{}",
                            r.id,
                            r.email,
                            match (r.confirmed, r.paused) {
                                (false, _) => "unconfirmed",
                                (true, true) => "paused",
                                (true, false) => "confirmed",
                            },
                            names.join(", "),
                            r.last_error
                                .as_deref()
                                .map(|e| format!("  [last error: {e}]"))
                                .unwrap_or_default()
                        );
                    }
                }
            }
            Status::Success
        }
    };
    store.close().await;
    Ok(status)
}

/// Adds `emails` to `regions`, one at a time (each its own transaction). Every address is
/// checked first, so a mistyped one changes nothing (a usage error); an address that then
/// cannot be stored or mailed is reported and the others are still added (`SomeFailed`).
/// An existing subscriber keeps their regions and gains the new ones (`replace`: gets exactly
/// these), and the line printed says what changed.
async fn add(
    ctx: &MailContext,
    emails: &[String],
    regions: &[String],
    confirmed: bool,
    replace: bool,
) -> anyhow::Result<Status> {
    for email in emails {
        subscribe::check_address(email).map_err(|e| UsageError(format!("{e}: {email:?}")))?;
    }
    let requested: Vec<RegionCode> = subscribe::resolve_regions(regions)
        .map_err(|e| UsageError(e.to_string()))?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let mut status = Status::Success;
    for email in emails {
        let now = chrono::Utc::now().timestamp();
        let before = ctx.store.subscriber_by_email(email).await?;
        let mut wanted: Vec<RegionCode> = match &before {
            Some(b) if !replace => b.regions.clone(),
            _ => Vec::new(),
        };
        for code in &requested {
            if !wanted.contains(code) {
                wanted.push(code.clone());
            }
        }
        let codes: Vec<String> = wanted.iter().map(|c| c.to_string()).collect();
        // A confirmed subscriber stays confirmed: the store changes a confirmed subscriber's
        // regions only on the operator's word.
        let confirm = confirmed || before.as_ref().is_some_and(|b| b.confirmed_at.is_some());
        match subscribe::add(ctx, email, &codes, confirm, now).await {
            Ok((sub, _)) => {
                let names = |codes: &[RegionCode]| -> String {
                    let v: Vec<String> = codes.iter().map(region_name).collect();
                    v.join(", ")
                };
                let state = if sub.confirmed_at.is_some() {
                    "confirmed"
                } else {
                    "unconfirmed; confirmation mail sent"
                };
                let head = format!("subscriber {} <{}> ({state})", sub.id, sub.email);
                match &before {
                    None => println!("added {head}: {}", names(&sub.regions)),
                    Some(b) => {
                        let gained: Vec<RegionCode> = sub
                            .regions
                            .iter()
                            .filter(|c| !b.regions.contains(c))
                            .cloned()
                            .collect();
                        let lost: Vec<RegionCode> = b
                            .regions
                            .iter()
                            .filter(|c| !sub.regions.contains(c))
                            .cloned()
                            .collect();
                        let mut changes = Vec::new();
                        if !gained.is_empty() {
                            changes.push(format!("added {}", names(&gained)));
                        }
                        if !lost.is_empty() {
                            changes.push(format!("removed {}", names(&lost)));
                        }
                        if changes.is_empty() {
                            changes.push("regions unchanged".into());
                        }
                        println!(
                            "updated {head}: {}; now {}",
                            changes.join(", "),
                            names(&sub.regions)
                        );
                    }
                }
            }
            // The same for every address, so the first one stops the command before a write.
            Err(
                e @ (SubscribeError::BadAddress(_)
                | SubscribeError::UnknownRegion(_)
                | SubscribeError::NoRegion
                | SubscribeError::TooManyRegions
                | SubscribeError::NoSecret),
            ) => return Err(UsageError(e.to_string()).into()),
            Err(e) => {
                eprintln!("paperboy: adding the subscriber {email}: {e}");
                status = Status::SomeFailed;
            }
        }
    }
    Ok(status)
}

/// The mail service and templates over `store`; a mail configuration error is a usage error.
fn mail_context(config: &Arc<Config>, store: &Store) -> anyhow::Result<MailContext> {
    let mail = MailService::from_config(config).map_err(|e| UsageError(e.to_string()))?;
    let render = Renderer::new(&config.render.templates).context("loading templates")?;
    Ok(MailContext {
        store: store.clone(),
        render: Arc::new(render),
        config: config.clone(),
        mail: Arc::new(mail),
    })
}

/// The first [`inbound::MAX_MESSAGE_BYTES`] of the message in `file` or on standard input.
/// The rest of standard input is read and dropped: a mail server piping a large message into
/// a command that stopped reading would see a broken pipe.
async fn read_message(file: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let limit = inbound::MAX_MESSAGE_BYTES as u64;
    let mut raw = Vec::new();
    match file {
        Some(path) => {
            let f = tokio::fs::File::open(path)
                .await
                .with_context(|| format!("opening the message {}", path.display()))?;
            f.take(limit)
                .read_to_end(&mut raw)
                .await
                .with_context(|| format!("reading the message {}", path.display()))?;
        }
        None => {
            let mut stdin = tokio::io::stdin();
            (&mut stdin)
                .take(limit)
                .read_to_end(&mut raw)
                .await
                .context("reading the message from standard input")?;
            tokio::io::copy(&mut stdin, &mut tokio::io::sink())
                .await
                .context("reading the message from standard input")?;
        }
    }
    Ok(raw)
}
