//! `paperboy export --out DIR [--base-url URL]`: writes every page, feed and the OPML as static
//! files laid out like the URLs, with a `404.html` (see `paperboy::web::export`). Mail is off
//! for the export, so no page links `/subscribe`, which a static site lacks.

use std::sync::Arc;

use anyhow::Context;
use paperboy::config::Config;
use paperboy::web::{export, AppState};

use super::{ExportArgs, Status};

pub async fn run(config: Arc<Config>, args: ExportArgs) -> anyhow::Result<Status> {
    let mut site_config = (*config).clone();
    if let Some(url) = &args.base_url {
        site_config.server.base_url = url.clone();
    }
    // A static site has no subscription routes: pages point to their feeds instead.
    site_config.mail.enabled = false;
    let config = Arc::new(site_config);
    let store = super::open_store(&config)
        .await
        .with_context(|| format!("opening the database {}", config.storage.url))?;
    let state = AppState::new(store.clone(), config).context("building the renderer")?;
    let report = export::write_site(state, &args.out)
        .await
        .with_context(|| format!("exporting to {}", args.out.display()))?;
    store.close().await;
    println!(
        "exported {} files ({} bytes) to {}: {} written, {} already current",
        report.files,
        report.bytes,
        args.out.display(),
        report.written,
        report.files - report.written
    );
    Ok(Status::Success)
}
