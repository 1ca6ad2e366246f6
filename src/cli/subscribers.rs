//! `paperboy subscribers add EMAIL --region R… [--confirmed]`, `remove EMAIL`, `list`.
//! `add` without `--confirmed` stores the address unconfirmed and sends the confirmation mail
//! (through the configured transport, or the outbox when mail is off). Bad addresses and
//! unknown regions are usage errors (exit 2) and change nothing.
use std::sync::Arc;

use anyhow::Context;
use paperboy::config::Config;
use paperboy::mail::subscribe::{self, region_name, SubscribeError};
use paperboy::mail::{MailContext, MailService};
use paperboy::render::Renderer;
use paperboy::store::Store;
use serde::Serialize;

use super::{Format, Status, SubscribersCommand, UsageError};

#[derive(Serialize)]
struct Row {
    id: i64,
    email: String,
    confirmed: bool,
    regions: Vec<String>,
    last_error: Option<String>,
}

pub async fn run(config: Arc<Config>, args: SubscribersCommand) -> anyhow::Result<Status> {
    let store = Store::connect(&config.storage.url)
        .await
        .context("opening the store")?;
    let status = match args {
        SubscribersCommand::Add {
            email,
            regions,
            confirmed,
        } => {
            let mail = MailService::from_config(&config).map_err(|e| UsageError(e.to_string()))?;
            let render = Renderer::new(&config.render.templates).context("loading templates")?;
            let ctx = MailContext {
                store: store.clone(),
                render: Arc::new(render),
                config: config.clone(),
                mail: Arc::new(mail),
            };
            let now = chrono::Utc::now().timestamp();
            match subscribe::add(&ctx, &email, &regions, confirmed, now).await {
                Ok((sub, outcome)) => {
                    let names: Vec<String> = sub.regions.iter().map(region_name).collect();
                    let state = if sub.confirmed_at.is_some() {
                        "confirmed"
                    } else {
                        "unconfirmed; confirmation mail sent"
                    };
                    println!(
                        "{} subscriber {} <{}> ({state}): {}",
                        serde_json::to_value(outcome)?.as_str().unwrap_or("saved"),
                        sub.id,
                        sub.email,
                        names.join(", ")
                    );
                    Status::Success
                }
                Err(
                    e @ (SubscribeError::BadAddress(_)
                    | SubscribeError::UnknownRegion(_)
                    | SubscribeError::NoRegion
                    | SubscribeError::TooManyRegions
                    | SubscribeError::NoSecret),
                ) => return Err(UsageError(e.to_string()).into()),
                Err(e) => return Err(e).context("adding the subscriber"),
            }
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
        SubscribersCommand::List { format } => {
            let rows: Vec<Row> = store
                .subscribers()
                .await?
                .into_iter()
                .map(|s| Row {
                    id: s.id,
                    confirmed: s.confirmed_at.is_some(),
                    regions: s.regions.iter().map(|r| r.to_string()).collect(),
                    email: s.email,
                    last_error: s.last_error,
                })
                .collect();
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
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
                            if r.confirmed {
                                "confirmed"
                            } else {
                                "unconfirmed"
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
