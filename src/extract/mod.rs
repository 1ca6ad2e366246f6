//! Extraction: page bytes → [`Page`]. Pure, synchronous, deterministic; no I/O.
//!
//! (Interface fixed; implementation under construction.)

use chrono::NaiveDate;

use crate::model::Page;

/// What the operator says about a page.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Publication date given by the operator (`--date`, API field): `date_source = metadata`.
    pub date: Option<NaiveDate>,
    /// Paper name given by the operator.
    pub paper: Option<String>,
}

/// Why a page could not be extracted.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{file}: empty file")]
    Empty { file: String },
    #[error("{file}: not text ({reason})")]
    NotText { file: String, reason: String },
}

/// Extracts one page. `source` is its path or identity (a date in it counts as metadata).
pub fn page(_bytes: &[u8], source: &str, _opts: &Options) -> Result<Page, ExtractError> {
    Err(ExtractError::Empty {
        file: source.to_string(),
    })
}
