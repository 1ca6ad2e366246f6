//! Ingesting one upload (the API): a page given as text, or a PDF of one or more pages.
//! Extraction on a blocking thread, the article-like test, the text hash, then the store (all
//! pages of a PDF in one transaction); the answer is what the store holds afterwards (for a
//! copy, the stored page it repeats).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{check_article_like, extract_source, prepare, text_hash, NotArticles};
use crate::extract::{self, ExtractError};
use crate::store::{CopyOf, IngestOutcome, NewPage, PageStored, Store, StoreError, StoredArticle};

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
    let mut stored = store_pages(store, vec![new]).await?;
    stored
        .pop()
        .ok_or_else(|| StoreError::Corrupt(format!("no outcome for page {key}")).into())
}

/// Extracts the PDF `bytes` as page `key` (its pages `key#p1`, `key#p2`, … when it has more
/// than one) and stores every page, or none when one of them is refused. One answer per page,
/// in page order, with the page's key.
pub async fn ingest_pdf(
    store: &Store,
    key: &str,
    bytes: Vec<u8>,
    opts: extract::Options,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<(String, TextStored)>, TextError> {
    let source = key.to_string();
    let found = tokio::task::spawn_blocking(move || extract_source(&bytes, &source, &opts))
        .await
        .map_err(|e| TextError::Task(e.to_string()))??;
    let many = found.len() > 1;
    let mut pages = Vec::with_capacity(found.len());
    for (k, (page, text)) in found.into_iter().enumerate() {
        check_article_like(&page)?;
        let key = if many {
            format!("{key}#p{}", k + 1)
        } else {
            key.to_string()
        };
        let mut new = prepare(page, &key, now, tz);
        new.text_hash = Some(text_hash(&text));
        pages.push(new);
    }
    let keys: Vec<String> = pages.iter().map(|p| p.key.clone()).collect();
    let stored = store_pages(store, pages).await?;
    Ok(keys.into_iter().zip(stored).collect())
}

/// Stores `pages` in one transaction and reads back what each now stands for.
async fn store_pages(store: &Store, pages: Vec<NewPage>) -> Result<Vec<TextStored>, TextError> {
    let outcomes = store.ingest_batch(&pages).await?;
    if outcomes.len() != pages.len() {
        return Err(StoreError::Corrupt(format!(
            "{} outcomes for {} pages",
            outcomes.len(),
            pages.len()
        ))
        .into());
    }
    let mut out = Vec::with_capacity(pages.len());
    for (page, PageStored { outcome, copy_of }) in pages.iter().zip(outcomes) {
        let stored_key = copy_of
            .as_ref()
            .map_or(page.key.as_str(), |c| c.key.as_str());
        let articles = store.page_articles(stored_key).await?;
        out.push(TextStored {
            outcome,
            copy_of,
            articles,
        });
    }
    Ok(out)
}
