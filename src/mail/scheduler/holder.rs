//! Who holds a claim, and whether that process still exists.
//!
//! A run's owner id names its process: `host/boot/pid/start/random` (the kernel's host name and
//! boot id, the process id and its start time in clock ticks since boot, which tells a reused
//! pid from the original). A successor on the same machine reads `/proc/<pid>/stat`: a process
//! that is gone, a zombie, another process under the same pid, or an id from an earlier boot
//! is dead, and its claims are taken over at once. Claims of other machines (or of an owner id
//! this cannot read) are not judged here: they are taken over when their lease runs out, which
//! a live run keeps renewing ([`spawn_heartbeat`]).

use std::time::Duration;

/// A fresh owner id for this process's run.
pub(super) fn owner_id() -> String {
    let pid = std::process::id();
    let start = start_ticks(pid).unwrap_or_else(|| "-".into());
    format!(
        "{}/{}/{pid}/{start}/{:016x}",
        host(),
        boot_id(),
        rand::random::<u64>()
    )
}

/// Is `owner` a process of this machine that no longer exists?
pub(super) fn is_dead(owner: &str) -> bool {
    let parts: Vec<&str> = owner.split('/').collect();
    let [owner_host, boot, pid, start, _] = parts[..] else {
        return false;
    };
    if owner_host != host() || start == "-" {
        return false;
    }
    if boot != boot_id() {
        return true;
    }
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    match start_ticks(pid) {
        Some(now) => now != start,
        None => true,
    }
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && !s.contains('/'))
}

fn host() -> String {
    read_trimmed("/proc/sys/kernel/hostname").unwrap_or_else(|| "unknown-host".into())
}

fn boot_id() -> String {
    read_trimmed("/proc/sys/kernel/random/boot_id").unwrap_or_else(|| "-".into())
}

/// The start time of a live (not zombie) process, from `/proc/<pid>/stat`; None when there is
/// no such process.
fn start_ticks(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
    if matches!(fields.first(), Some(&"Z") | Some(&"X") | Some(&"x")) {
        return None;
    }
    fields.get(19).map(|s| s.to_string())
}

/// Stops the heartbeat when the run ends, however it ends.
pub(super) struct AbortOnDrop(pub(super) tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Renews the run's claims every third of the lease until aborted.
pub(super) fn spawn_heartbeat(
    ledger: crate::store::Store,
    opts: &super::RunOptions,
) -> tokio::task::JoinHandle<()> {
    let (day, owner, lease) = (opts.day, opts.owner.clone(), opts.lease);
    tokio::spawn(async move {
        let every = (lease / 3).max(Duration::from_secs(1));
        loop {
            tokio::time::sleep(every).await;
            let now = crate::mail::unix_now();
            let until = now + i64::try_from(lease.as_secs()).unwrap_or(600);
            let renewed =
                super::mark::within(ledger.renew_digest_claims(day, &owner, now, until)).await;
            if let Err(e) = renewed {
                tracing::warn!(%day, error = %e, "renewing the run's digest claims failed");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_gone_one_is_dead() {
        let me = owner_id();
        assert!(!is_dead(&me), "{me}");
        let parts: Vec<&str> = me.split('/').collect();
        let other_start = format!("{}/{}/{}/1/{}", parts[0], parts[1], parts[2], parts[4]);
        assert!(
            is_dead(&other_start),
            "same pid, other start time: pid reused"
        );
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(is_dead(&format!("{}/{}/{pid}/5/0", parts[0], parts[1])));
        // Other machines and unreadable ids are left to the lease.
        assert!(!is_dead(&format!("elsewhere/{}/1/1/0", parts[1])));
        assert!(!is_dead("4242-00ff"));
    }
}
