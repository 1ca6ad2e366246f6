//! Database fault helpers: a TCP proxy in front of the real PostgreSQL that a test can stop
//! and start again, standing in for the network (the system PostgreSQL is never stopped).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// A TCP proxy to `target` that can be stopped: the listener closes and every connection
/// through it is cut.
pub struct Proxy {
    pub addr: SocketAddr,
    tasks: JoinSet<()>,
}

impl Proxy {
    /// Listens on `addr` (a port of the machine's choosing for `None`; the same port again to
    /// restart a stopped proxy).
    pub async fn start(target: String, addr: Option<SocketAddr>) -> Proxy {
        let bind = addr.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap());
        let listener = TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                conns.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Proxy { addr, tasks }
    }

    /// Closes the listener and cuts every connection (dropping the accept task drops its
    /// connection tasks with it).
    pub async fn stop(mut self) {
        self.tasks.shutdown().await;
    }
}

/// `url` with its host and port replaced by `addr`; the host and port it named.
pub fn via(url: &str, addr: SocketAddr) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    };
    (format!("{scheme}://{user}{addr}{tail}"), host)
}

/// `n` distinct pages in `dir` for fault tests: the seed pages in turn, each with a numbered
/// notice appended (so no two are copies of each other).
pub fn numbered_pages(dir: &std::path::Path, n: usize) -> Vec<std::path::PathBuf> {
    let seeds_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut seeds: Vec<std::path::PathBuf> = std::fs::read_dir(seeds_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    seeds.sort();
    (0..n)
        .map(|i| {
            let text = std::fs::read_to_string(&seeds[i % seeds.len()]).unwrap();
            let path = dir.join(format!("page-{i:04}.txt"));
            std::fs::write(
                &path,
                format!("{text}\n\n本报第{i}号通知：请各单位按时报送材料。\n"),
            )
            .unwrap();
            path
        })
        .collect()
}

/// A page's key as ingest stores it: its file name.
pub fn key(path: &std::path::Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}
