//! The run's cache of rendered digests: subscribers whose digests list the same editions share
//! one rendering (only the unsubscribe link, added per subscriber, differs).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::digest::{self, DigestBody, EditionItem};
use super::{MailContext, MailError, RunData};

pub(super) type Bodies = HashMap<Vec<(String, NaiveDate)>, Arc<DigestBody>>;

fn lock_bodies(data: &RunData) -> std::sync::MutexGuard<'_, Bodies> {
    match data.bodies.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The rendered digest for `items`, from the run's cache or rendered now.
pub(super) fn body_for(
    ctx: &MailContext,
    data: &RunData,
    day: NaiveDate,
    items: &[EditionItem],
) -> Result<Arc<DigestBody>, MailError> {
    let key: Vec<(String, NaiveDate)> = items.iter().map(|e| (e.region.clone(), e.date)).collect();
    if let Some(body) = lock_bodies(data).get(&key) {
        return Ok(body.clone());
    }
    let body = Arc::new(digest::render_digest(&ctx.mail, &ctx.render, day, items)?);
    lock_bodies(data).insert(key, body.clone());
    Ok(body)
}
