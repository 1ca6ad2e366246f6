//! Static export: every page, feed and the OPML written as files laid out like the URLs
//! (`r/jiande/index.html`, `r/jiande/feed.atom`, `a/{id}/index.html`, `feeds.opml`), so an
//! object store or CDN can serve the site with no paperboy process. The bytes come from the
//! router itself, so a file is exactly what `serve` would send. Archive pages (`?before=`)
//! have no file form and are left out; the subscription documents carry the newest entries.
//! `404.html` is the server's answer to an unknown path. Feeds are written as readers get
//! them (a static host cannot negotiate a browser preview).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use futures::StreamExt;

use super::content::directory;
use super::{app, AppState, DocCache};
use crate::model::RegionCode;
use crate::render::{FeedFormat, FeedKind};
use crate::store::{EditionQuery, StoreError};

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

/// Documents rendered at once: enough to overlap the store's reads with rendering and
/// writing, few enough to keep memory at a handful of documents.
const PARALLEL: usize = 8;

/// The file a URL path is written to under `out`.
pub fn file_for(out: &Path, url_path: &str) -> PathBuf {
    let rel = url_path.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        out.join(rel).join("index.html")
    } else {
        out.join(rel)
    }
}

/// Every URL path of the site.
pub async fn site_paths(state: &AppState) -> Result<Vec<String>, ExportError> {
    let (dir, acts) = directory(state)
        .await
        .map_err(|e| ExportError::Listing(e.to_string()))?;
    let mut regions: BTreeSet<RegionCode> = BTreeSet::new();
    // Regions with editions, and those with only undated articles (the home page links them).
    let undated = state.store.undated_pages(None).await?;
    for code in acts
        .iter()
        .map(|a| &a.region)
        .chain(undated.iter().map(|u| &u.region))
    {
        regions.insert(code.clone());
        regions.insert(code.prefecture());
        regions.insert(code.province());
    }
    let mut paths = vec!["/".to_string(), "/feeds.opml".into(), "/favicon.svg".into()];
    paths.extend(["/robots.txt", "/sitemap.xml"].map(String::from));
    paths.extend(FeedFormat::ALL.map(|f| format!("/feed.{}", f.ext())));
    let mut articles = BTreeSet::new();
    for code in &regions {
        let Some(view) = super::regions::view(code) else {
            continue;
        };
        let base = view.path();
        paths.push(base.clone());
        for kind in [FeedKind::Editions, FeedKind::Articles] {
            for format in FeedFormat::ALL {
                paths.push(format!("{base}{}", kind.file(format)));
            }
        }
        let eds = state
            .store
            .editions(&EditionQuery {
                region: Some(code.clone()),
                ..Default::default()
            })
            .await?;
        for e in eds {
            paths.push(format!("{base}{}/", e.date));
            if code.level() == crate::model::RegionLevel::County {
                for a in state.store.edition_articles(code, e.date).await? {
                    articles.insert(a.id);
                }
            }
        }
        // The region page links the articles of undated pages too.
        let undated = state
            .store
            .undated_articles(code, super::content::REGION_PAGE_UNDATED)
            .await?;
        articles.extend(undated.into_iter().map(|a| a.id));
    }
    drop(dir);
    paths.extend(articles.into_iter().map(|id| format!("/a/{id}/")));
    Ok(paths)
}

/// Writes the whole site under `out`. A file already holding exactly the bytes it would get
/// is left untouched (not rewritten, its time kept), so exporting again into the same folder
/// writes only what changed and a sync to a CDN sends only that.
pub async fn write_site(mut state: AppState, out: &Path) -> Result<ExportReport, ExportError> {
    // Files are written once and never negotiated: no compressed forms and nothing kept.
    state.cache = Arc::new(DocCache::new(0, state.config.storage.query_timeout()).uncompressed());
    let paths = site_paths(&state).await?;
    let router = app(state);
    let mut report = ExportReport::default();
    let mut files = futures::stream::iter(paths)
        .map(|path| {
            let router = router.clone();
            async move {
                let bytes = render(router, &path, StatusCode::OK).await?;
                let file = file_for(out, &path);
                let written = write_if_changed(&file, &bytes)?;
                Ok::<_, ExportError>((bytes.len() as u64, written))
            }
        })
        .buffer_unordered(PARALLEL);
    while let Some(file) = files.next().await {
        let (bytes, written) = file?;
        report.files += 1;
        report.bytes += bytes;
        report.written += usize::from(written);
    }
    drop(files);
    let (bytes, written) = write_not_found(router, out).await?;
    report.files += 1;
    report.bytes += bytes;
    report.written += usize::from(written);
    Ok(report)
}

/// Writes `404.html`, the page the server answers for an unknown path (static hosts such as
/// GitHub Pages, Netlify or nginx's `error_page` serve it for missing files).
async fn write_not_found(router: axum::Router, out: &Path) -> Result<(u64, bool), ExportError> {
    let bytes = render(router, "/404.html", StatusCode::NOT_FOUND).await?;
    let written = write_if_changed(&out.join("404.html"), &bytes)?;
    Ok((bytes.len() as u64, written))
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

/// Writes `bytes` to `file` unless it already holds them; true when it wrote.
fn write_if_changed(file: &Path, bytes: &[u8]) -> Result<bool, ExportError> {
    let failed = |path: &Path, source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    };
    // Comparing sizes first skips reading files that obviously changed.
    if let Ok(meta) = std::fs::metadata(file) {
        if meta.len() == bytes.len() as u64 && std::fs::read(file).is_ok_and(|old| old == bytes) {
            return Ok(false);
        }
    }
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(|e| failed(parent, e))?;
    }
    std::fs::write(file, bytes).map_err(|e| failed(file, e))?;
    Ok(true)
}
