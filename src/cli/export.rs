//! `paperboy export`
use std::sync::Arc;

use paperboy::config::Config;

use super::{ExportArgs, Status};

pub async fn run(_config: Arc<Config>, _args: ExportArgs) -> anyhow::Result<Status> {
    anyhow::bail!("export is not implemented yet")
}
