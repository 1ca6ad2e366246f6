//! `paperboy serve`
use std::sync::Arc;

use paperboy::config::Config;

use super::{ServeArgs, Status};

pub async fn run(_config: Arc<Config>, _args: ServeArgs) -> anyhow::Result<Status> {
    anyhow::bail!("serve is not implemented yet")
}
