//! `paperboy subscribers`
use std::sync::Arc;

use paperboy::config::Config;

use super::{Status, SubscribersCommand};

pub async fn run(_config: Arc<Config>, _args: SubscribersCommand) -> anyhow::Result<Status> {
    anyhow::bail!("subscribers is not implemented yet")
}
