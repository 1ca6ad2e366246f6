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
