//! `paperboy serve`: opens (or creates) the database, ingests the inbox (unchanged pages are
//! skipped by content hash), serves feeds, pages and the API, rescans the inbox every
//! `[ingest] watch_interval_secs`, and shuts down gracefully on Ctrl-C or SIGTERM. Slow
//! clients are bounded by `[server] header_timeout_secs` and `max_connections`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use paperboy::config::{Config, ServerConfig};
use paperboy::ingest::{ingest_paths, IngestOptions, IngestReport, Silent};
use paperboy::store::Store;
use paperboy::web::{app, AppState, ServeLimits};

use super::{ServeArgs, Status};

async fn ingest_inbox(store: &Store, config: &Config) -> Option<IngestReport> {
    let inbox = config.ingest.inbox.clone();
    if !inbox.is_dir() {
        return None;
    }
    let opts = IngestOptions {
        timezone: config.ingest.timezone,
        store_timeout: config.storage.query_timeout(),
        ocr: config.ingest.ocr,
        ..Default::default()
    };
    Some(ingest_paths(store, &[inbox], &opts, &Silent).await)
}

fn log_report(what: &str, r: &IngestReport) {
    tracing::info!(
        pages = r.pages,
        articles = r.articles,
        new = r.new,
        unchanged = r.unchanged,
        replaced = r.replaced,
        failed = r.failed.len(),
        "{what}"
    );
    for f in &r.failed {
        tracing::warn!(path = %f.path.display(), reason = %f.reason, "page not ingested");
    }
    for c in &r.copies {
        tracing::info!(path = %c.path.display(), copy_of = %c.copy_of_source, "same text as a stored page; nothing stored");
    }
    for u in &r.undated {
        tracing::warn!(path = %u.path.display(), page = %u.key, ingested = %u.date, "page prints no date: kept out of the editions until `paperboy pages set-date`");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

pub async fn run(config: Arc<Config>, args: ServeArgs) -> anyhow::Result<Status> {
    // The address first: a port in use fails at once, not after a long ingest.
    let bind = args.bind.unwrap_or_else(|| config.server.bind.clone());
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    eprintln!("{}", super::describe_setup(&config));
    let store = super::open_store(&config).await.with_context(|| {
        format!(
            "opening the database {}",
            paperboy::store::redact(&config.storage.url)
        )
    })?;
    match ingest_inbox(&store, &config).await {
        Some(r) => log_report("inbox ingested", &r),
        None => {
            tracing::warn!(inbox = %config.ingest.inbox.display(), "inbox is not a directory; nothing ingested")
        }
    }
    let addr = listener.local_addr().context("reading the bound address")?;
    // With the default base URL, links follow the address actually bound (port 0 picks one).
    let mut config = (*config).clone();
    if config.server.base_url == ServerConfig::default().base_url {
        config.server.base_url = format!("http://{addr}");
    }
    let config = Arc::new(config);
    let state =
        AppState::new(store.clone(), config.clone()).context("building the server state")?;
    paperboy::mail::scheduler::spawn((&state).into()); // daily digests, when [mail] enabled

    let watch = config.ingest.watch_interval_secs;
    if watch > 0 {
        let (store, config, state) = (store.clone(), config.clone(), state.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(watch));
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Some(r) = ingest_inbox(&store, &config).await {
                    if r.new + r.replaced > 0 {
                        log_report("inbox rescanned", &r);
                        let _ = state.cache.refresh(&store).await;
                    }
                }
            }
        });
    }

    println!("listening on http://{addr}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // Header timeout and connection cap against slow clients; peer addresses for the
    // subscription rate limit; no Nagle delay (see `web::serve`).
    let limits = ServeLimits::from(&config.server);
    paperboy::web::serve(listener, app(state), limits, shutdown_signal()).await;
    store.close().await;
    Ok(Status::Success)
}
