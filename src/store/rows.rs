//! Row shapes shared by both backends and their conversion into model values.
//!
//! Both schemas use the same column types as seen from Rust (dates as `NaiveDate`, times as Unix
//! microseconds in an integer, region codes as integer adcodes), so one `FromRow` struct serves
//! SQLite and PostgreSQL. No SQL is executed here.

use chrono::{DateTime, NaiveDate, Utc};

use super::{StoreError, StoredArticle};
use crate::model::{Article, RegionCode, RegionLevel, RegionRef};

/// The columns every article read selects, in `ArticleRow` order (`a` = articles, `p` = pages).
pub(super) const ARTICLE_COLUMNS: &str = "a.id, a.page_key, p.paper, a.date, p.date_source, \
     a.position, a.title, a.kicker, a.subtitle, a.byline, a.kind, a.regions, a.body, a.stored_us";

/// One article joined with its page, as read from either backend.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct ArticleRow {
    id: String,
    page_key: String,
    paper: Option<String>,
    date: NaiveDate,
    date_source: String,
    position: i32,
    title: Option<String>,
    kicker: Option<String>,
    subtitle: Option<String>,
    byline: String,
    kind: String,
    regions: String,
    body: String,
    stored_us: i64,
}

impl ArticleRow {
    /// Decodes the JSON and enum columns; a value this version cannot read is `Corrupt`.
    pub(super) fn into_stored(self) -> Result<StoredArticle, StoreError> {
        let corrupt = |what: &str, e: String| {
            StoreError::Corrupt(format!("article {}: {what}: {e}", self.id))
        };
        let byline: Vec<String> =
            serde_json::from_str(&self.byline).map_err(|e| corrupt("byline", e.to_string()))?;
        let regions: Vec<RegionRef> =
            serde_json::from_str(&self.regions).map_err(|e| corrupt("regions", e.to_string()))?;
        let kind = self.kind.parse().map_err(|e| corrupt("kind", e))?;
        let date_source = self
            .date_source
            .parse()
            .map_err(|e| corrupt("date_source", e))?;
        let stored_at = from_micros(self.stored_us)?;
        Ok(StoredArticle {
            id: self.id,
            page_key: self.page_key,
            paper: self.paper,
            date: self.date,
            date_source,
            position: self.position,
            article: Article {
                title: self.title,
                kicker: self.kicker,
                subtitle: self.subtitle,
                byline,
                kind,
                regions,
                body: self.body,
            },
            stored_at,
        })
    }
}

/// Converts many rows, failing on the first corrupt one.
pub(super) fn into_stored(rows: Vec<ArticleRow>) -> Result<Vec<StoredArticle>, StoreError> {
    rows.into_iter().map(ArticleRow::into_stored).collect()
}

/// A timestamp as stored: Unix microseconds.
pub(super) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// Reads back a stored timestamp.
pub(super) fn from_micros(us: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {us} out of range")))
}

/// A region code as stored: its integer value.
pub(super) fn region_number(code: &RegionCode) -> Result<i32, StoreError> {
    code.as_str()
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("region code {code} is not a number")))
}

/// Reads back a stored region code.
pub(super) fn region_code(n: i32) -> Result<RegionCode, StoreError> {
    RegionCode::parse(&format!("{n:06}"))
        .map_err(|e| StoreError::Corrupt(format!("stored region {n}: {e}")))
}

/// The inclusive range of stored codes inside `code`: a county is itself, a prefecture
/// `xxxx00..=xxxx99`, a province `xx0000..=xx9999` (this is how parents aggregate).
pub(super) fn region_range(code: &RegionCode) -> Result<(i32, i32), StoreError> {
    let n = region_number(code)?;
    Ok(match code.level() {
        RegionLevel::County => (n, n),
        RegionLevel::Prefecture => (n, n + 99),
        RegionLevel::Province => (n, n + 9_999),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn parent_ranges_cover_their_counties_only() {
        let r = |s: &str| region_range(&RegionCode::parse(s).unwrap()).unwrap();
        assert_eq!(r("330182"), (330182, 330182));
        assert_eq!(r("330100"), (330100, 330199));
        assert_eq!(r("330000"), (330000, 339999));
        assert_eq!(region_code(110101).unwrap().as_str(), "110101");
    }

    #[test]
    fn micros_round_trip() {
        let t = DateTime::from_timestamp_micros(1_656_400_000_123_456).unwrap();
        assert_eq!(from_micros(micros(t)).unwrap(), t);
    }
}
