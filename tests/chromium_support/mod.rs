//! Debian's headless Chromium as the browser tests start it: no sandbox (tests run as root),
//! no GPU, and none of the background connections that this machine's closed network refuses.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Where Debian's package puts it (`.ci/test` installs it).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs Chromium headless with a fresh profile in `profile` and `args` after the fixed flags.
pub fn chromium(profile: &Path, args: &[&str]) -> std::process::Output {
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs")
}
