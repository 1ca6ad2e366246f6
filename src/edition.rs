//! Editions: the articles of one region published on one day, in reading order.
//!
//! Pure: takes articles already read from the store (`Store::edition_articles`, where a
//! prefecture or province aggregates its counties) and puts them in order, without duplicates.
//! No I/O, no SQL. Also the edition's content hash, used by the web for ETags.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::RegionCode;
use crate::model::StoredArticle;

/// One region's daily edition.
#[derive(Debug, Clone, Serialize)]
pub struct Edition {
    pub region: RegionCode,
    pub date: NaiveDate,
    /// Reading order: page, then position on the page; each article once.
    pub articles: Vec<StoredArticle>,
    /// The latest `stored_at` of its articles (the Unix epoch for an empty edition).
    pub updated_at: DateTime<Utc>,
}

/// Builds the edition of `region` on `date` from `articles`: keeps those of that day filed
/// under the region (or one of its counties), orders them by page then position, and drops
/// repeated ids (an article filed under two counties of a prefecture appears once).
pub fn assemble(region: RegionCode, date: NaiveDate, articles: Vec<StoredArticle>) -> Edition {
    let mut articles: Vec<StoredArticle> = articles
        .into_iter()
        .filter(|a| a.date == date && belongs(&region, a))
        .collect();
    articles.sort_by(|a, b| {
        (a.page_key.as_str(), a.position, a.id.as_str()).cmp(&(
            b.page_key.as_str(),
            b.position,
            b.id.as_str(),
        ))
    });
    let mut seen = std::collections::HashSet::new();
    articles.retain(|a| seen.insert(a.id.clone()));
    let updated_at = articles
        .iter()
        .map(|a| a.stored_at)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);
    Edition {
        region,
        date,
        articles,
        updated_at,
    }
}

/// True when one of the article's regions lies inside `region`.
fn belongs(region: &RegionCode, a: &StoredArticle) -> bool {
    a.article.regions.iter().any(|r| region.contains(&r.code))
}

impl Edition {
    /// A hash of everything a reader sees in the edition (ids and full article content, in
    /// order): equal hashes mean an identical edition, so it serves as a strong ETag.
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.region.as_str().as_bytes());
        h.update(self.date.to_string().as_bytes());
        for a in &self.articles {
            h.update(a.id.as_bytes());
            h.update([0]);
            // Serializing a model value cannot fail; an empty string would only weaken the hash.
            h.update(serde_json::to_vec(&a.article).unwrap_or_default());
            h.update([0]);
        }
        hex::encode(&h.finalize()[..16])
    }

    /// True when the edition has no articles.
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::model::{Article, DateSource, RegionRef};

    fn art(id: &str, page: &str, pos: i32, codes: &[&str], secs: i64) -> StoredArticle {
        StoredArticle {
            id: id.into(),
            page_key: page.into(),
            paper: None,
            date: NaiveDate::from_ymd_opt(2022, 6, 28).unwrap(),
            date_source: DateSource::Masthead,
            position: pos,
            article: Article {
                title: Some(format!("title {id}")),
                regions: codes
                    .iter()
                    .map(|c| RegionRef {
                        code: RegionCode::parse(c).unwrap(),
                        name: String::new(),
                        prefecture: None,
                        province: "浙江省".into(),
                    })
                    .collect(),
                body: "body".into(),
                ..Article::default()
            },
            stored_at: DateTime::from_timestamp(secs, 0).unwrap(),
        }
    }

    #[test]
    fn orders_by_page_then_position_and_drops_repeats() {
        let hz = RegionCode::parse("330100").unwrap();
        let day = NaiveDate::from_ymd_opt(2022, 6, 28).unwrap();
        let input = vec![
            art("c", "002.txt", 0, &["330182"], 30),
            art("b", "001.txt", 1, &["330182", "330114"], 20),
            art("a", "001.txt", 0, &["330114"], 10),
            art("b", "001.txt", 1, &["330182", "330114"], 20),
            art("x", "001.txt", 2, &["330482"], 99),
        ];
        let e = assemble(hz, day, input);
        let ids: Vec<&str> = e.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(e.updated_at, DateTime::from_timestamp(30, 0).unwrap());
    }

    #[test]
    fn content_hash_changes_with_content_only() {
        let jd = RegionCode::parse("330182").unwrap();
        let day = NaiveDate::from_ymd_opt(2022, 6, 28).unwrap();
        let one = assemble(jd.clone(), day, vec![art("a", "p", 0, &["330182"], 1)]);
        let same = assemble(jd.clone(), day, vec![art("a", "p", 0, &["330182"], 1)]);
        let mut changed = art("a", "p", 0, &["330182"], 1);
        changed.article.body = "corrected".into();
        let other = assemble(jd, day, vec![changed]);
        assert_eq!(one.content_hash(), same.content_hash());
        assert_ne!(one.content_hash(), other.content_hash());
        assert!(assemble(RegionCode::parse("33").unwrap(), day, vec![]).is_empty());
    }
}
