//! `paperboy editions [--region SLUG|CODE] [--since DATE] [--format json|text]`: list editions,
//! newest first, with their article counts. An unknown region is a usage error (exit 2).
use std::sync::Arc;

use anyhow::Context;
use paperboy::config::Config;
use paperboy::model::RegionCode;
use paperboy::region::Gazetteer;
use paperboy::store::EditionQuery;
use serde::Serialize;

use super::{EditionsArgs, Format, Status, UsageError};

/// One line of the listing (JSON field names are a public contract, see DESIGN.md).
#[derive(Debug, Serialize)]
struct Row {
    region: String,
    slug: Option<String>,
    name: Option<String>,
    date: chrono::NaiveDate,
    articles: i64,
}

pub async fn run(config: Arc<Config>, args: EditionsArgs) -> anyhow::Result<Status> {
    let region = args.region.as_deref().map(resolve).transpose()?;
    let store = super::open_store(&config)
        .await
        .context("opening the store")?;
    let editions = store
        .editions(&EditionQuery {
            region,
            since: args.since,
            ..EditionQuery::default()
        })
        .await
        .context("listing editions")?;
    store.close().await;
    let rows: Vec<Row> = editions
        .into_iter()
        .map(|e| {
            let (slug, name) = label(&e.region);
            Row {
                region: e.region.to_string(),
                slug,
                name,
                date: e.date,
                articles: e.articles,
            }
        })
        .collect();
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        Format::Text => {
            for r in &rows {
                println!(
                    "{}  {}  {:<16} {:<10} {:>4} articles",
                    r.date,
                    r.region,
                    r.slug.as_deref().unwrap_or("-"),
                    r.name.as_deref().unwrap_or("-"),
                    r.articles
                );
            }
        }
    }
    Ok(Status::Success)
}

/// A region slug, adcode or name → its code; anything else is a usage error (exit 2).
fn resolve(s: &str) -> anyhow::Result<RegionCode> {
    Gazetteer::global()
        .resolve(s)
        .map(|r| r.code.clone())
        .ok_or_else(|| {
            UsageError(format!(
                "unknown region {s:?}: give a region slug (jiande), adcode (330182) or name"
            ))
            .into()
        })
}

/// Slug and name of a region, when the gazetteer knows it.
fn label(code: &RegionCode) -> (Option<String>, Option<String>) {
    match Gazetteer::global().get(code) {
        Some(r) => (Some(r.slug.to_string()), Some(r.name.clone())),
        None => (None, None),
    }
}
