//! What a batch write decides before any SQL, the same for both backends: whether a page can be
//! stored whole, how a batch splits into runs of distinct keys, the date a corrected page is
//! filed under, and which index (dated editions or the undated list) its articles go to.

use chrono::NaiveDate;

use super::{NewPage, StoreError};
use crate::model::DateSource;

/// Rejects a page that could not be stored whole (so the batch fails before writing).
pub(super) fn check_page(page: &NewPage) -> Result<(), StoreError> {
    let mut seen = std::collections::HashSet::new();
    for a in &page.articles {
        if !seen.insert(a.id.as_str()) {
            return Err(StoreError::Conflict(format!(
                "page {}: article id {} appears twice",
                page.key, a.id
            )));
        }
    }
    Ok(())
}

/// The date and date source of a corrected page. A correction that has a date brings it. An
/// undated correction keeps what the stored page had when that came from the operator
/// (`metadata`: `--date`, the API field, `pages set-date`) or was the first ingest day
/// (`ingested`: re-ingesting it tomorrow must not move it); a printed or inferred date the new
/// text no longer carries is not claimed for it, so it is undated from its ingest day.
pub(super) fn replacement_date(
    page: &NewPage,
    old_source: &str,
    old_date: NaiveDate,
) -> (NaiveDate, DateSource) {
    let old: Option<DateSource> = old_source.parse().ok();
    match old {
        Some(s @ (DateSource::Ingested | DateSource::Metadata))
            if page.date_source == DateSource::Ingested =>
        {
            (old_date, s)
        }
        _ => (page.date, page.date_source),
    }
}

/// True when articles filed under `source` belong in the edition index (`article_regions`);
/// false for undated pages (`undated_regions`).
pub(super) fn is_dated(source: DateSource) -> bool {
    !matches!(source, DateSource::Ingested | DateSource::None)
}

/// Splits a batch into consecutive runs in which no page key repeats. A key twice in one batch:
/// the later copy must see the earlier one, so each run is written before the next.
pub(super) fn runs_of_distinct_keys(pages: &[NewPage]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    while start < pages.len() {
        let mut keys = std::collections::HashSet::new();
        let mut end = start;
        while end < pages.len() && keys.insert(pages[end].key.as_str()) {
            end += 1;
        }
        runs.push(start..end);
        start = end;
    }
    runs
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use chrono::Utc;

    use super::*;

    fn page(date: &str, source: DateSource) -> NewPage {
        NewPage {
            key: "p.txt".into(),
            source: "in/p.txt".into(),
            paper: None,
            date: date.parse().unwrap(),
            date_source: source,
            content_hash: "c".into(),
            source_hash: None,
            text_hash: None,
            ingested_at: Utc::now(),
            articles: Vec::new(),
        }
    }

    #[test]
    fn an_undated_correction_keeps_an_operator_date_or_its_first_day_only() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let undated = page("2022-07-05", DateSource::Ingested);
        assert_eq!(
            replacement_date(&undated, "metadata", d("2021-12-10")),
            (d("2021-12-10"), DateSource::Metadata)
        );
        assert_eq!(
            replacement_date(&undated, "ingested", d("2022-06-29")),
            (d("2022-06-29"), DateSource::Ingested)
        );
        // A printed date the corrected text no longer carries is not claimed for it.
        assert_eq!(
            replacement_date(&undated, "masthead", d("2022-06-28")),
            (d("2022-07-05"), DateSource::Ingested)
        );
        let dated = page("2022-06-30", DateSource::Masthead);
        assert_eq!(
            replacement_date(&dated, "metadata", d("2021-12-10")),
            (d("2022-06-30"), DateSource::Masthead)
        );
        assert!(is_dated(DateSource::Inferred) && !is_dated(DateSource::Ingested));
    }
}
