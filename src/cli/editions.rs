//! `paperboy editions`
use std::sync::Arc;

use paperboy::config::Config;

use super::{EditionsArgs, Status};

pub async fn run(_config: Arc<Config>, _args: EditionsArgs) -> anyhow::Result<Status> {
    anyhow::bail!("editions is not implemented yet")
}
