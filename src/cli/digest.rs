//! `paperboy digest`
use std::sync::Arc;

use paperboy::config::Config;

use super::{DigestCommand, Status};

pub async fn run(_config: Arc<Config>, _args: DigestCommand) -> anyhow::Result<Status> {
    anyhow::bail!("digest is not implemented yet")
}
