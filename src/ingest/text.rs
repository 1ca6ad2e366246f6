//! Ingesting one page given as text (the API): extraction on a blocking thread, the article-like
//! test, the text hash, then the store; the answer is what the store holds afterwards (for a
//! copy, the stored page it repeats).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{check_article_like, prepare, text_hash, NotArticles};
use crate::extract::{self, ExtractError};
use crate::store::{CopyOf, IngestOutcome, PageStored, Store, StoreError, StoredArticle};

/// Why a text was not stored.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error(transparent)]
    Extract(#[from] ExtractError),
    #[error(transparent)]
    NotArticles(#[from] NotArticles),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("extraction task failed: {0}")]
    Task(String),
}

/// What storing a text did.
#[derive(Debug, Clone)]
pub struct TextStored {
    pub outcome: IngestOutcome,
    /// The stored page the text repeats (nothing new was stored).
    pub copy_of: Option<CopyOf>,
    /// The stored articles of the page (of `copy_of` for a copy), in page order, with the date
    /// they are filed under (`Ingested`: undated, the ingest day).
    pub articles: Vec<StoredArticle>,
}

/// Extracts `text` as page `key` with the operator's `opts`, refuses text with no article-like
/// content, and stores it (see [`Store::ingest_batch`]).
pub async fn ingest_text(
    store: &Store,
    key: &str,
    text: String,
    opts: extract::Options,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<TextStored, TextError> {
    let source = key.to_string();
    let (page, hash) = tokio::task::spawn_blocking(move || {
        let page = extract::page(text.as_bytes(), &source, &opts)?;
        Ok::<_, ExtractError>((page, text_hash(&text)))
    })
    .await
    .map_err(|e| TextError::Task(e.to_string()))??;
    check_article_like(&page)?;
    let mut new = prepare(page, key, now, tz);
    new.text_hash = Some(hash);
    let PageStored { outcome, copy_of } = store
        .ingest_batch(std::slice::from_ref(&new))
        .await?
        .pop()
        .ok_or_else(|| StoreError::Corrupt(format!("no outcome for page {key}")))?;
    let stored_key = copy_of.as_ref().map_or(key, |c| c.key.as_str());
    let articles = store.page_articles(stored_key).await?;
    Ok(TextStored {
        outcome,
        copy_of,
        articles,
    })
}
