//! `paperboy ingest`
use std::sync::Arc;

use paperboy::config::Config;

use super::{IngestArgs, Status};

pub async fn run(_config: Arc<Config>, _args: IngestArgs) -> anyhow::Result<Status> {
    anyhow::bail!("ingest is not implemented yet")
}
