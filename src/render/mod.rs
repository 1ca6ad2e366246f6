//! Rendering: feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1), OPML, HTML pages and mail bodies.
//!
//! Inputs are model values (`StoredArticle`, `EditionSummary`) turned into cleaned views
//! ([`ArticleView`], [`RegionView`]) and the format-neutral [`Feed`]; outputs are strings.
//! Templates are compiled in with `include_str!` and may be overridden by files of the same
//! name in the configured templates directory (read at start-up, no recompiling). Pure: no
//! I/O beyond loading template overrides at construction, no clock (every date written is a
//! content time).

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

mod atom;
mod feed;
mod json;
mod mail_templates;
mod opml;
mod pages;
mod preview;
mod rss;
mod text;

pub use self::atom::atom;
pub use self::json::{html_safe_json, json};
pub use self::rss::rss;
pub use feed::{
    article_entry, article_id, article_time, china, date_note, day_start, edition_entry,
    edition_id, local, ArticleView, Entry, Feed, FeedFormat, FeedKind, Paging, RegionView, Site,
    LANGUAGE,
};
pub use opml::opml;
pub use pages::{date_label, subscribe_path};
pub use pages::{
    ArticlePage, CountyItem, Directory, EditionHeadlines, EditionLink, EditionPage, ErrorPage,
    FeedLink, Headline, IndexPage, PrefectureGroup, ProvinceGroup, RegionPage, UndatedLink,
};
pub use preview::{format_label, FeedPreview, PreviewEntry};
pub use text::{clean, cleaned, escape_html, escape_html_into, excerpt, is_removed, paragraphs};

/// What went wrong rendering.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {source}")]
    Template {
        name: String,
        source: minijinja::Error,
    },
    #[error("cannot read template override {path}: {source}")]
    Override {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write feed: {0}")]
    Feed(String),
    #[error("no asset named {0}")]
    NoAsset(String),
}

/// The compiled-in page templates (HTML, auto-escaped by extension).
const PAGE_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("region.html", include_str!("../../templates/region.html")),
    ("edition.html", include_str!("../../templates/edition.html")),
    ("article.html", include_str!("../../templates/article.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("feed.html", include_str!("../../templates/feed.html")),
    ("search.html", include_str!("../../templates/search.html")),
];

/// Compiled-in static assets served as they are (also overridable).
const ASSETS: &[(&str, &str)] = &[("favicon.svg", include_str!("../../templates/favicon.svg"))];

/// The template environment and static assets.
pub struct Renderer {
    env: minijinja::Environment<'static>,
    assets: HashMap<&'static str, String>,
}

/// The override of `name` in `dir`, when the operator has one.
fn override_of(dir: &Path, name: &str) -> Result<Option<String>, RenderError> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(RenderError::Override { path, source }),
    }
}

impl Renderer {
    /// Builds the environment from the compiled-in templates, overridden by files in `dir`
    /// (a missing directory or file means the compiled-in default).
    pub fn new(dir: &Path) -> Result<Self, RenderError> {
        let mut env = minijinja::Environment::new();
        // HTML auto-escaping as minijinja does it, except that `/` stays `/`: URLs and MIME
        // types in attributes read as written (`&#x2f;` is valid but unreadable).
        env.set_formatter(|out, state, value| {
            if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() {
                if let Some(s) = value.as_str() {
                    return text::write_escaped_html(out, s).map_err(|_| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::WriteFailure,
                            "cannot write template output",
                        )
                    });
                }
            }
            minijinja::escape_formatter(out, state, value)
        });
        for (name, source) in PAGE_TEMPLATES.iter().chain(mail_templates::EMBEDDED) {
            let source = override_of(dir, name)?.unwrap_or_else(|| source.to_string());
            env.add_template_owned(name.to_string(), source)
                .map_err(|source| RenderError::Template {
                    name: name.to_string(),
                    source,
                })?;
        }
        let mut assets = HashMap::new();
        for (name, source) in ASSETS {
            let source = override_of(dir, name)?.unwrap_or_else(|| source.to_string());
            assets.insert(*name, source);
        }
        Ok(Self { env, assets })
    }

    /// Renders template `name` with `ctx`.
    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> Result<String, RenderError> {
        let err = |source| RenderError::Template {
            name: name.to_string(),
            source,
        };
        self.env
            .get_template(name)
            .map_err(err)?
            .render(ctx)
            .map_err(err)
    }

    /// A static asset (`favicon.svg`).
    pub fn asset(&self, name: &str) -> Result<&str, RenderError> {
        self.assets
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| RenderError::NoAsset(name.to_string()))
    }

    /// Names of the static assets.
    pub fn asset_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        ASSETS.iter().map(|(n, _)| *n)
    }
}

/// Writes `feed` in `format`.
pub fn feed(feed: &Feed, format: FeedFormat) -> Result<String, RenderError> {
    match format {
        FeedFormat::Atom => atom(feed),
        FeedFormat::Rss => rss(feed),
        FeedFormat::Json => json(feed),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
