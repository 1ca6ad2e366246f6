//! `paperboy pages set-date PAGE DATE`: file a stored page under a publication date. PAGE is the
//! page key `ingest` printed (the file name, or its path relative to the directory ingested) or
//! the path it was ingested from. An undated page's articles leave the undated list and join
//! the editions, feeds and digests of DATE. An unknown or ambiguous PAGE is a usage error (exit 2).
use std::sync::Arc;

use anyhow::Context;
use paperboy::config::Config;
use paperboy::model::DateSource;
use paperboy::store::StoreError;

use super::{PagesCommand, Status, UsageError};

pub async fn run(config: Arc<Config>, cmd: PagesCommand) -> anyhow::Result<Status> {
    let PagesCommand::SetDate { page, date } = cmd;
    let store = super::open_store(&config)
        .await
        .context("opening the store")?;
    let result = store.set_page_date(&page, date, chrono::Utc::now()).await;
    store.close().await;
    let dated = match result {
        Ok(d) => d,
        Err(e @ (StoreError::NotFound(_) | StoreError::Conflict(_))) => {
            let hint = "list undated pages with `paperboy editions`";
            return Err(UsageError(format!("{e}; {hint}")).into());
        }
        Err(e) => return Err(e).context(format!("dating page {page}")),
    };
    let was = match dated.previous_source {
        DateSource::Ingested | DateSource::None => {
            format!("was undated, ingested {}", dated.previous)
        }
        source => format!("was {} ({})", dated.previous, source.as_str()),
    };
    println!(
        "{}: {} filed under {} ({was})",
        dated.key,
        super::count(i64::try_from(dated.articles).unwrap_or(i64::MAX), "article"),
        dated.date
    );
    Ok(Status::Success)
}
