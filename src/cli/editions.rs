//! `paperboy editions [--region SLUG|CODE] [--since DATE] [--undated] [--format json|text]`: list
//! editions, newest first, with their article counts, then the undated pages (no date printed
//! or given), which are in no edition, with their ingest day and the command that dates them.
//! JSON lists the editions (the contract of DESIGN.md), or with `--undated` only the undated
//! pages. An unknown region is a usage error (exit 2).
use std::sync::Arc;

use anyhow::Context;
use paperboy::config::Config;
use paperboy::model::RegionCode;
use paperboy::region::Gazetteer;
use paperboy::store::{EditionQuery, Store, UndatedPage};
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

/// One undated page in a region (JSON of `--undated`).
#[derive(Debug, Serialize)]
struct UndatedRow {
    region: String,
    slug: Option<String>,
    name: Option<String>,
    /// The page key, as `pages set-date` takes it.
    page: String,
    source: String,
    /// The day it was ingested; it has no publication date.
    ingested: chrono::NaiveDate,
    articles: i64,
}

impl UndatedRow {
    fn new(u: UndatedPage) -> Self {
        let (slug, name) = label(&u.region);
        Self {
            region: u.region.to_string(),
            slug,
            name,
            page: u.key,
            source: u.source,
            ingested: u.ingested,
            articles: u.articles,
        }
    }
}

pub async fn run(config: Arc<Config>, args: EditionsArgs) -> anyhow::Result<Status> {
    let region = args.region.as_deref().map(resolve).transpose()?;
    let store = super::open_store(&config)
        .await
        .context("opening the store")?;
    let undated: Vec<UndatedRow> = store
        .undated_pages(region.as_ref())
        .await
        .context("listing undated pages")?
        .into_iter()
        .map(UndatedRow::new)
        .collect();
    let rows = if args.undated {
        Vec::new()
    } else {
        editions(&store, region, args.since).await?
    };
    store.close().await;
    match (args.format, args.undated) {
        (Format::Json, true) => println!("{}", serde_json::to_string_pretty(&undated)?),
        (Format::Json, false) => println!("{}", serde_json::to_string_pretty(&rows)?),
        (Format::Text, true) if undated.is_empty() => println!("no undated pages"),
        (Format::Text, false) if rows.is_empty() && undated.is_empty() => {
            println!("no editions")
        }
        (Format::Text, _) => {
            print_editions(&rows);
            print_undated(&undated);
        }
    }
    Ok(Status::Success)
}

/// The dated editions, as rows.
async fn editions(
    store: &Store,
    region: Option<RegionCode>,
    since: Option<chrono::NaiveDate>,
) -> anyhow::Result<Vec<Row>> {
    let editions = store
        .editions(&EditionQuery {
            region,
            since,
            ..EditionQuery::default()
        })
        .await
        .context("listing editions")?;
    Ok(editions
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
        .collect())
}

fn print_editions(rows: &[Row]) {
    for r in rows {
        println!(
            "{}  {}  {:<16} {:<10} {:>13}",
            r.date,
            r.region,
            r.slug.as_deref().unwrap_or("-"),
            r.name.as_deref().unwrap_or("-"),
            super::count(r.articles, "article")
        );
    }
}

/// The undated pages, apart from the editions, with how to date them.
fn print_undated(rows: &[UndatedRow]) {
    if rows.is_empty() {
        return;
    }
    println!(
        "undated pages (no date printed or given; in no edition, feed or digest until dated \
         with `paperboy pages set-date PAGE YYYY-MM-DD`):"
    );
    for r in rows {
        println!(
            "undated     {}  {:<16} {:<10} {:>13}  page {} (ingested {})",
            r.region,
            r.slug.as_deref().unwrap_or("-"),
            r.name.as_deref().unwrap_or("-"),
            super::count(r.articles, "article"),
            r.page,
            r.ingested
        );
    }
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
