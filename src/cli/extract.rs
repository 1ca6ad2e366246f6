//! `paperboy extract`
use super::{ExtractArgs, Status};

pub fn run(_args: ExtractArgs) -> anyhow::Result<Status> {
    anyhow::bail!("extract is not implemented yet")
}
