//! Which pages of a batch are copies: the same page text (equal `text_hash`) under a key the
//! store does not know. Pure: the backends read the stored owners of the batch's text hashes and
//! the batch's known keys, and this decides; a copy is reported `Unchanged` and writes nothing.
//!
//! A key the store knows is that page, whatever its text: a file that now holds another page's
//! text is a new version of its own page (so moving pages between names within one batch, or
//! rewriting a file in place, never loses a page). Only a name seen for the first time can be a
//! copy.

use std::collections::{HashMap, HashSet};

use super::NewPage;

/// The stored page (or the earlier page of the same batch) a copy repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOf {
    /// Its page key.
    pub key: String,
    /// Where its text came from (the path it was ingested from, or `api/…`).
    pub source: String,
}

/// A stored page holding a text hash: `(text_hash, key, source)`, oldest first when several do.
pub(super) type Owner = (String, String, String);

/// For each page of a run with distinct keys, in input order, the page it is a copy of.
/// `known` holds the run's keys the store already has; `stored` the stored pages that hold the
/// run's text hashes.
pub(super) fn find(
    pages: &[NewPage],
    known: &HashSet<&str>,
    stored: &[Owner],
) -> Vec<Option<CopyOf>> {
    // A stored owner whose page this run rewrites with another text no longer holds its hash.
    let new_hash: HashMap<&str, Option<&str>> = pages
        .iter()
        .map(|p| (p.key.as_str(), p.text_hash.as_deref()))
        .collect();
    let mut owners: HashMap<&str, CopyOf> = HashMap::new();
    for (hash, key, source) in stored {
        let still_holds = match new_hash.get(key.as_str()) {
            Some(Some(h)) => *h == hash,
            _ => true,
        };
        if still_holds {
            owners.entry(hash.as_str()).or_insert_with(|| CopyOf {
                key: key.clone(),
                source: source.clone(),
            });
        }
    }
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        let Some(hash) = page.text_hash.as_deref() else {
            out.push(None);
            continue;
        };
        let this = || CopyOf {
            key: page.key.clone(),
            source: page.source.clone(),
        };
        if known.contains(page.key.as_str()) {
            owners.entry(hash).or_insert_with(this);
            out.push(None);
            continue;
        }
        match owners.get(hash) {
            Some(owner) if owner.key != page.key => out.push(Some(owner.clone())),
            _ => {
                owners.insert(hash, this());
                out.push(None);
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use chrono::{NaiveDate, Utc};

    use super::*;
    use crate::model::DateSource;

    fn page(key: &str, hash: &str) -> NewPage {
        NewPage {
            key: key.into(),
            source: format!("in/{key}"),
            paper: None,
            date: NaiveDate::from_ymd_opt(2022, 6, 28).unwrap(),
            date_source: DateSource::Masthead,
            content_hash: format!("c-{key}"),
            source_hash: None,
            text_hash: Some(hash.into()),
            ingested_at: Utc::now(),
            articles: Vec::new(),
        }
    }

    fn keys(found: &[Option<CopyOf>]) -> Vec<Option<&str>> {
        found
            .iter()
            .map(|c| c.as_ref().map(|c| c.key.as_str()))
            .collect()
    }

    #[test]
    fn a_new_name_with_stored_or_earlier_text_is_a_copy() {
        let stored = vec![(
            "h1".to_string(),
            "a.txt".to_string(),
            "in/a.txt".to_string(),
        )];
        let run = [
            page("b.txt", "h1"),
            page("c.txt", "h2"),
            page("d.txt", "h2"),
        ];
        let found = find(&run, &HashSet::new(), &stored);
        assert_eq!(keys(&found), [Some("a.txt"), None, Some("c.txt")]);
        assert_eq!(found[0].as_ref().unwrap().source, "in/a.txt");
    }

    #[test]
    fn a_known_name_is_never_a_copy_and_a_rewritten_page_frees_its_old_text() {
        // a.txt held h1 and now holds h2 (b.txt's text): a version of a.txt, not a copy.
        // c.txt, new, holds h1: nothing holds h1 any more, so it is new.
        let stored = vec![
            (
                "h1".to_string(),
                "a.txt".to_string(),
                "in/a.txt".to_string(),
            ),
            (
                "h2".to_string(),
                "b.txt".to_string(),
                "in/b.txt".to_string(),
            ),
        ];
        let run = [
            page("a.txt", "h2"),
            page("c.txt", "h1"),
            page("e.txt", "h2"),
        ];
        let known: HashSet<&str> = ["a.txt"].into();
        let found = find(&run, &known, &stored);
        assert_eq!(keys(&found), [None, None, Some("b.txt")]);
    }

    #[test]
    fn a_copy_before_its_unchanged_original_in_the_run_is_still_a_copy() {
        let stored = vec![(
            "h1".to_string(),
            "z.txt".to_string(),
            "in/z.txt".to_string(),
        )];
        let run = [page("a.txt", "h1"), page("z.txt", "h1")];
        let known: HashSet<&str> = ["z.txt"].into();
        assert_eq!(keys(&find(&run, &known, &stored)), [Some("z.txt"), None]);
    }
}
