//! paperboy: local-newspaper pages in, per-region daily editions out.
//!
//! Pipeline (one module per stage, data flowing one way):
//! `extract` (bytes → [`model::Page`]) → `ingest`/`store` (database) → `edition` (region × day)
//! → `render` (feeds, HTML, mail bodies) → `web` / `mail` / export. See docs/ARCHITECTURE.md.

pub mod config;
pub mod edition;
pub mod eval;
pub mod extract;
pub mod ingest;
pub mod mail;
pub mod model;
pub mod region;
pub mod render;
pub mod store;
pub mod web;
