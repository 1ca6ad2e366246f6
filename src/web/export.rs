//! Static export: every page, feed and the OPML written as files laid out like the URLs
//! (`r/jiande/index.html`, `r/jiande/feed.atom`, `a/{id}/index.html`, `feeds.opml`), so an
//! object store or CDN can serve the site with no paperboy process. A file is exactly what
//! `serve` would send: the few site-wide documents and the region pages come from the router
//! itself; the bulk (edition pages, article pages, region feeds) from the functions the
//! router renders them with, fed whole editions a window of days at a time
//! (`export_walk`) rather than one store query per document, and written by a thread of its
//! own (`export_files`). Archive pages (`?before=`) have no file form and are left out; the
//! subscription documents carry the newest entries. `404.html` is the server's answer to an
//! unknown path. Feeds are written as readers get them (a static host cannot negotiate a
//! browser preview).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use super::content::directory;
use super::export_files::Files;
use super::{app, AppState, DocCache};
use crate::model::RegionCode;
use crate::render::FeedFormat;
use crate::store::StoreError;

/// What went wrong exporting.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("listing regions: {0}")]
    Listing(String),
    #[error("rendering {path}: status {status}")]
    Render { path: String, status: StatusCode },
    #[error("reading the body of {path}: {message}")]
    Body { path: String, message: String },
    #[error("rendering {path}: {message}")]
    Rendering { path: String, message: String },
    #[error("the file writer stopped")]
    WriterStopped,
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Files of the site (written or already current).
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Files written because they were missing or differed; the others were left untouched.
    pub written: usize,
}

/// The file a URL path is written to under `out`.
pub fn file_for(out: &Path, url_path: &str) -> PathBuf {
    let rel = url_path.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        out.join(rel).join("index.html")
    } else {
        out.join(rel)
    }
}

/// A rendering failure of the document at `path`.
pub(super) fn rendering(path: &str, e: impl std::fmt::Display) -> ExportError {
    ExportError::Rendering {
        path: path.to_string(),
        message: e.to_string(),
    }
}

/// The regions the site has pages for: those with editions, those with only undated articles
/// (the home page links them), and the prefecture and province of each.
async fn site_regions(state: &AppState) -> Result<BTreeSet<RegionCode>, ExportError> {
    let (_, acts) = directory(state)
        .await
        .map_err(|e| ExportError::Listing(e.to_string()))?;
    let undated = state.store.undated_pages(None).await?;
    let mut regions = BTreeSet::new();
    for code in acts
        .iter()
        .map(|a| &a.region)
        .chain(undated.iter().map(|u| &u.region))
    {
        regions.insert(code.clone());
        regions.insert(code.prefecture());
        regions.insert(code.province());
    }
    Ok(regions)
}

/// Writes the whole site under `out`. A file already holding exactly the bytes it would get
/// is left untouched (not rewritten, its time kept), so exporting again into the same folder
/// writes only what changed and a sync to a CDN sends only that.
pub async fn write_site(mut state: AppState, out: &Path) -> Result<ExportReport, ExportError> {
    // Files are written once and never negotiated: no compressed forms and nothing kept.
    state.cache = Arc::new(DocCache::new(0, state.config.storage.query_timeout()).uncompressed());
    let files = Files::start(out);
    let walked = walk(state, &files).await;
    let report = files.finish().await;
    // A writer failure is the cause of a walk that stopped because the writer had gone.
    match (walked, report) {
        (Err(ExportError::WriterStopped), Err(e)) | (Ok(()), Err(e)) | (Err(e), _) => Err(e),
        (Ok(()), Ok(report)) => Ok(report),
    }
}

/// Renders every document of the site into `files`.
async fn walk(state: AppState, files: &Files) -> Result<(), ExportError> {
    let router = app(state.clone());
    let mut site = vec!["/".to_string(), "/feeds.opml".into(), "/favicon.svg".into()];
    site.extend(["/robots.txt", "/sitemap.xml"].map(String::from));
    site.extend(FeedFormat::ALL.map(|f| format!("/feed.{}", f.ext())));
    for path in site {
        let bytes = render(router.clone(), &path, StatusCode::OK).await?;
        files.put(path, bytes.into()).await?;
    }
    let regions: Vec<(RegionCode, _)> = site_regions(&state)
        .await?
        .into_iter()
        .filter_map(|code| super::regions::view(&code).map(|v| (code, v)))
        .collect();
    let walked: BTreeSet<String> = regions.iter().map(|(_, v)| v.code.clone()).collect();
    // Articles to export on their own: those of undated pages (listed on region pages) and
    // any whose primary region has no page here.
    let mut alone = BTreeSet::new();
    for (code, view) in &regions {
        let path = view.path();
        let bytes = render(router.clone(), &path, StatusCode::OK).await?;
        files.put(path, bytes.into()).await?;
        super::export_walk::region(&state, code, view, &walked, &mut alone, files).await?;
        let undated = state
            .store
            .undated_articles(code, super::content::REGION_PAGE_UNDATED)
            .await?;
        alone.extend(undated.into_iter().map(|a| a.id));
    }
    for id in alone {
        let path = format!("/a/{id}/");
        let bytes = render(router.clone(), &path, StatusCode::OK).await?;
        files.put(path, bytes.into()).await?;
    }
    let bytes = render(router, "/404.html", StatusCode::NOT_FOUND).await?;
    files.put("/404.html".into(), bytes.into()).await
}

/// The body the router answers `path` with, which must come with `expected`.
async fn render(
    router: axum::Router,
    path: &str,
    expected: StatusCode,
) -> Result<Bytes, ExportError> {
    let failed = |message: String| ExportError::Body {
        path: path.to_string(),
        message,
    };
    let req = Request::get(path)
        .body(Body::empty())
        .map_err(|e| failed(e.to_string()))?;
    let resp = router
        .oneshot(req)
        .await
        .map_err(|e| failed(e.to_string()))?;
    if resp.status() != expected {
        return Err(ExportError::Render {
            path: path.to_string(),
            status: resp.status(),
        });
    }
    axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .map_err(|e| failed(e.to_string()))
}
