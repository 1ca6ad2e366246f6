//! The data that flows through paperboy's pipeline: pages, articles, regions and editions.
//!
//! Plain values with serde derives and no I/O. Field names of [`Page`] and [`Article`] are the
//! public JSON contract of `paperboy extract` (see DESIGN.md): fields may be added, never renamed.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A county-level (or prefecture-level, `xxxx00`, or province-level, `xx0000`) adcode: six digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

/// Why a string is not a region code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("region code must be 6 digits (or 2/4 digits for a province/prefecture), got {0:?}")]
pub struct BadRegionCode(pub String);

impl RegionCode {
    /// Parses `330182`, or a 4-digit prefecture (`3310` → `331000`) / 2-digit province (`33` → `330000`).
    pub fn parse(s: &str) -> Result<Self, BadRegionCode> {
        let s = s.trim();
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadRegionCode(s.to_string()));
        }
        match s.len() {
            6 => Ok(Self(s.to_string())),
            4 => Ok(Self(format!("{s}00"))),
            2 => Ok(Self(format!("{s}0000"))),
            _ => Err(BadRegionCode(s.to_string())),
        }
    }
    /// The six digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Which level of the hierarchy this code names.
    pub fn level(&self) -> RegionLevel {
        if self.0.ends_with("0000") {
            RegionLevel::Province
        } else if self.0.ends_with("00") {
            RegionLevel::Prefecture
        } else {
            RegionLevel::County
        }
    }
    /// The prefix shared by every code inside this region (`33`, `3301`, `330182`).
    pub fn prefix(&self) -> &str {
        match self.level() {
            RegionLevel::Province => &self.0[..2],
            RegionLevel::Prefecture => &self.0[..4],
            RegionLevel::County => &self.0,
        }
    }
    /// True when `other` lies inside (or is) this region.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.prefix())
    }
    /// The prefecture code (`330182` → `330100`).
    pub fn prefecture(&self) -> RegionCode {
        RegionCode(format!("{}00", &self.0[..4]))
    }
    /// The province code (`330182` → `330000`).
    pub fn province(&self) -> RegionCode {
        RegionCode(format!("{}0000", &self.0[..2]))
    }
}

impl TryFrom<String> for RegionCode {
    type Error = BadRegionCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}
impl FromStr for RegionCode {
    type Err = BadRegionCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Level of an administrative region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    Province,
    Prefecture,
    County,
}

/// A region as an article names it in `extract` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionRef {
    pub code: RegionCode,
    pub name: String,
    pub prefecture: Option<String>,
    pub province: String,
}

/// What sort of item an article is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ArticleKind {
    #[default]
    News,
    /// A picture with its caption.
    Photo,
    /// The rest of a story begun on another page (（上接第1版）).
    Continuation,
    /// A short item without its own headline system.
    Brief,
}

impl ArticleKind {
    /// The lowercase name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleKind::News => "news",
            ArticleKind::Photo => "photo",
            ArticleKind::Continuation => "continuation",
            ArticleKind::Brief => "brief",
        }
    }
}

impl FromStr for ArticleKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "news" => Ok(Self::News),
            "photo" => Ok(Self::Photo),
            "continuation" => Ok(Self::Continuation),
            "brief" => Ok(Self::Brief),
            other => Err(format!("unknown article kind {other:?}")),
        }
    }
}

/// Where a page's publication date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DateSource {
    /// Given by the operator: `--date`, an API field, or a date in the file name.
    Metadata,
    /// Printed in the page's masthead.
    Masthead,
    /// Worked out from dates in the text.
    Inferred,
    /// Unknown at extraction; the store files such a page under its ingest day.
    #[default]
    None,
    /// Set by the store: the page had no date and was filed under the day it was ingested.
    Ingested,
}

impl DateSource {
    /// The lowercase name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Metadata => "metadata",
            DateSource::Masthead => "masthead",
            DateSource::Inferred => "inferred",
            DateSource::None => "none",
            DateSource::Ingested => "ingested",
        }
    }
}

impl FromStr for DateSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "metadata" => Ok(Self::Metadata),
            "masthead" => Ok(Self::Masthead),
            "inferred" => Ok(Self::Inferred),
            "none" => Ok(Self::None),
            "ingested" => Ok(Self::Ingested),
            other => Err(format!("unknown date source {other:?}")),
        }
    }
}

/// One article as extracted from a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Article {
    pub title: Option<String>,
    pub kicker: Option<String>,
    pub subtitle: Option<String>,
    pub byline: Vec<String>,
    pub kind: ArticleKind,
    /// County-level regions, primary first.
    pub regions: Vec<RegionRef>,
    /// Paragraphs separated by a blank line.
    pub body: String,
}

/// One page as extracted: the `extract` JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// The path or identity the page text came from.
    pub source: String,
    /// `utf-8` or `gb18030`.
    pub encoding: String,
    pub paper: Option<String>,
    pub date: Option<NaiveDate>,
    pub date_source: DateSource,
    pub articles: Vec<Article>,
    /// What extraction repaired and the operator should know (damaged bytes replaced, mixed
    /// encodings); empty for a clean page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A region's URL slug (`jiande`, `gulou-fuzhou`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slug(pub String);

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored article with its page's metadata.
#[derive(Debug, Clone, Serialize)]
pub struct StoredArticle {
    pub id: String,
    pub page_key: String,
    pub paper: Option<String>,
    pub date: NaiveDate,
    pub date_source: DateSource,
    pub position: i32,
    pub article: Article,
    /// When this article's content was first stored (re-ingest of identical text keeps it).
    pub stored_at: DateTime<Utc>,
}

/// One edition (region, day) with its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditionSummary {
    pub region: RegionCode,
    pub date: NaiveDate,
    pub articles: i64,
    /// Latest `stored_at` among its articles: the edition's content time.
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_code_levels_and_containment() {
        let jiande = RegionCode::parse("330182").unwrap();
        let hz = RegionCode::parse("3301").unwrap();
        let zj = RegionCode::parse("33").unwrap();
        assert_eq!(hz.as_str(), "330100");
        assert_eq!(zj.as_str(), "330000");
        assert_eq!(jiande.level(), RegionLevel::County);
        assert_eq!(hz.level(), RegionLevel::Prefecture);
        assert_eq!(zj.level(), RegionLevel::Province);
        assert!(hz.contains(&jiande) && zj.contains(&jiande) && zj.contains(&hz));
        assert!(!jiande.contains(&hz));
        assert_eq!(jiande.prefecture(), hz);
        assert!(RegionCode::parse("33018x").is_err());
    }

    #[test]
    fn page_serializes_to_the_public_contract() {
        let page = Page {
            source: "a.txt".into(),
            encoding: "utf-8".into(),
            paper: None,
            date: NaiveDate::from_ymd_opt(2022, 6, 28),
            date_source: DateSource::Masthead,
            articles: vec![Article::default()],
            warnings: Vec::new(),
        };
        let v = serde_json::to_value(&page).unwrap();
        assert_eq!(v["date"], "2022-06-28");
        assert_eq!(v["date_source"], "masthead");
        assert_eq!(v["articles"][0]["kind"], "news");
        assert!(v["articles"][0]["title"].is_null());
    }
}
