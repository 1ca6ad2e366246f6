//! The HTTP server of `paperboy serve`: accepts TCP connections and serves the router over
//! HTTP/1.1 (hyper), with two limits against clients that hold sockets without finishing a
//! request (slow-loris):
//! - a **header timeout**: a request's head (request line and headers) must arrive whole within
//!   it, counted from when the server starts waiting for it. That is from the connection's
//!   start, and again after each answer on a kept-alive connection, so a connection that sends
//!   nothing, half a request line, or a header every few seconds, or that idles between
//!   requests, is closed when it runs out;
//! - a **connection cap**: at most that many connections are served at once; further ones
//!   wait in the kernel's accept queue until a slot frees (which the header timeout
//!   guarantees for slow ones).
//!
//! HTTP/1.1 only: HTTP/2 in the clear needs prior knowledge, which browsers and feed readers
//! do not use (they speak HTTP/2 to a TLS proxy in front), and detecting it would mean reading
//! a preface with no deadline of hyper's own. Each request carries the peer address as
//! axum's `ConnectInfo` (the subscription rate limit uses it); responses go out without Nagle
//! delay. On `shutdown` the listener closes, idle connections are closed and requests in flight
//! are answered first (for at most [`SHUTDOWN_GRACE`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::config::ServerConfig;

/// Longest wait for requests in flight when shutting down.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The limits of [`serve`], from `[server] header_timeout_secs` and `max_connections`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// How long a request head may take to arrive whole.
    pub header_timeout: Duration,
    /// Most connections served at once.
    pub max_connections: usize,
}

impl From<&ServerConfig> for ServeLimits {
    fn from(c: &ServerConfig) -> Self {
        Self {
            header_timeout: Duration::from_secs(c.header_timeout_secs),
            max_connections: c.max_connections,
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets requests
/// in flight finish. A failed accept (out of file descriptors) is logged and retried.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A slot first: beyond the cap, new connections wait in the kernel's queue.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let router = app.clone();
        let service = tower::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req.map(Body::new))
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, peer = %peer, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after the shutdown grace period were dropped");
    }
}
