//! The SMTP client pool: lettre's async SMTP connections (tokio) kept open and reused, at most
//! `pool_size` at once, with TCP_NODELAY on the socket.
//!
//! Why not `AsyncSmtpTransport`'s own pool: lettre writes a message body and its terminating
//! `CRLF.CRLF` in two writes and then waits for the reply, and its sockets keep Nagle's
//! algorithm on; the terminator then waits for the server's delayed ACK (~40 ms on Linux) on
//! every message, capping a connection at ~25 messages/s (measured against Postfix's
//! smtp-sink: 22/s with Nagle, 2,600/s without). Here the TCP stream is opened by us with
//! NODELAY and handed to lettre's `AsyncSmtpConnection`, which still speaks the protocol
//! (EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA, dot-stuffing). Implicit TLS (`smtps://`) connects
//! through lettre (which owns that socket) and so keeps Nagle.
//!
//! URL forms: `smtp://[user[:password]@]host[:port][/hello-name][?tls=required|opportunistic]`
//! (STARTTLS; default port 25, 587 with `tls`) and `smtps://host[:port]` (implicit TLS,
//! default 465).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use tokio::sync::Semaphore;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP (a relay on localhost).
    None,
    /// STARTTLS when the server offers it.
    Opportunistic,
    /// STARTTLS or fail.
    Required,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// Where and how to connect, parsed from `[mail] smtp_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// EHLO name from the URL path, if any.
    pub hello: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// Why an SMTP URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("smtp_url {url:?}: {reason}")]
pub struct BadSmtpUrl {
    pub url: String,
    pub reason: &'static str,
}

impl SmtpTarget {
    /// Parses `smtp://…` or `smtps://…` (see the module doc).
    pub fn parse(url: &str) -> Result<Self, BadSmtpUrl> {
        let bad = |reason| BadSmtpUrl {
            url: url.to_string(),
            reason,
        };
        let (implicit, rest) = if let Some(r) = url.strip_prefix("smtps://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("smtp://") {
            (false, r)
        } else {
            return Err(bad("expected smtp:// or smtps://"));
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => {
                (h, Some(p.parse::<u16>().map_err(|_| bad("bad port"))?))
            }
            _ => (hostport, None),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let mut tls = if implicit {
            TlsMode::Implicit
        } else {
            TlsMode::None
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("tls", "required")) if !implicit => tls = TlsMode::Required,
                Some(("tls", "opportunistic")) if !implicit => tls = TlsMode::Opportunistic,
                Some(("tls", _)) => return Err(bad("tls must be required or opportunistic")),
                _ => return Err(bad("unknown query parameter (only tls=…)")),
            }
        }
        let port = port.unwrap_or(match tls {
            TlsMode::None => 25,
            TlsMode::Opportunistic | TlsMode::Required => 587,
            TlsMode::Implicit => 465,
        });
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((user, pw)) => (Some(user.to_string()), Some(pw.to_string())),
                None => (Some(u.to_string()), None),
            },
            None => (None, None),
        };
        let hello = Some(path.trim_matches('/'))
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        Ok(Self {
            host: host.to_string(),
            port,
            tls,
            hello,
            user,
            password,
        })
    }
}

/// Up to `size` open SMTP connections, reused across messages.
pub struct SmtpPool {
    target: SmtpTarget,
    hello: ClientId,
    credentials: Option<Credentials>,
    timeout: Duration,
    permits: Semaphore,
    idle: Mutex<Vec<(Connection, Instant)>>,
}

/// An open SMTP session and what its server offered.
struct Connection {
    smtp: AsyncSmtpConnection,
    /// The server advertised PIPELINING (RFC 2920).
    pipelining: bool,
}

impl std::fmt::Debug for SmtpPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpPool")
            .field("host", &self.target.host)
            .field("port", &self.target.port)
            .field("tls", &self.target.tls)
            .field("permits", &self.permits.available_permits())
            .finish()
    }
}

/// An idle connection older than this is checked with NOOP before reuse.
const CHECK_AFTER: Duration = Duration::from_secs(10);
/// An idle connection older than this is closed rather than reused.
const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// How long QUIT (or the NOOP that checks an idle connection) may take before the pool just
/// drops the connection.
const CLOSE_WITHIN: Duration = Duration::from_secs(2);

type SmtpError = lettre::transport::smtp::Error;

/// A failed send: an SMTP-level error from lettre (reply codes tell transient from
/// permanent), or trouble reaching the server (always transient).
#[derive(Debug)]
pub enum PoolError {
    Smtp(SmtpError),
    Connection(String),
}

impl From<SmtpError> for PoolError {
    fn from(e: SmtpError) -> Self {
        PoolError::Smtp(e)
    }
}

impl SmtpPool {
    /// A pool of at most `size` connections; `hello` and `credentials` override the URL's.
    pub fn new(
        target: SmtpTarget,
        size: usize,
        hello: Option<String>,
        credentials: Option<Credentials>,
    ) -> Self {
        let hello = match hello.or_else(|| target.hello.clone()) {
            Some(name) => ClientId::Domain(name),
            None => ClientId::default(),
        };
        Self {
            target,
            hello,
            credentials,
            timeout: Duration::from_secs(30),
            permits: Semaphore::new(size.max(1)),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// How long connecting, and each command, may take (default 30 s; a message's whole
    /// exchange gets twice this).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<(Connection, Instant)>> {
        match self.idle.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Sends one message over a pooled connection (opened if none is idle). A connection that
    /// saw an error is closed, not returned to the pool.
    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), PoolError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| io_error("the SMTP pool is closed"))?;
        let mut conn = match self.take_idle().await {
            Some(c) => c,
            None => self.connect().await?,
        };
        let sending = async {
            if conn.pipelining {
                send_pipelined(&mut conn.smtp, envelope, raw).await
            } else {
                conn.smtp.send(envelope, raw).await.map(|_| ())
            }
        };
        match tokio::time::timeout(2 * self.timeout, sending).await {
            Ok(Ok(())) => {
                self.idle().push((conn, Instant::now()));
                Ok(())
            }
            Ok(Err(e)) => {
                close(conn).await;
                Err(PoolError::Smtp(e))
            }
            // A server that stopped answering would not answer QUIT either: just hang up.
            Err(_) => Err(io_error("the SMTP server did not answer in time")),
        }
    }

    async fn take_idle(&self) -> Option<Connection> {
        loop {
            let (mut conn, since) = self.idle().pop()?;
            let age = since.elapsed();
            if age > IDLE_LIMIT || conn.smtp.has_broken() {
                close(conn).await;
                continue;
            }
            if age > CHECK_AFTER {
                let alive = tokio::time::timeout(CLOSE_WITHIN, conn.smtp.test_connected()).await;
                if alive != Ok(true) {
                    close(conn).await;
                    continue;
                }
            }
            return Some(conn);
        }
    }

    async fn connect(&self) -> Result<Connection, PoolError> {
        let t = &self.target;
        let tls = || TlsParameters::new(t.host.clone());
        let connecting = async {
            let mut conn = if t.tls == TlsMode::Implicit {
                AsyncSmtpConnection::connect_tokio1(
                    (t.host.as_str(), t.port),
                    Some(self.timeout),
                    &self.hello,
                    Some(tls()?),
                    None,
                )
                .await?
            } else {
                let stream = tokio::net::TcpStream::connect((t.host.as_str(), t.port))
                    .await
                    .map_err(|e| io_error(&format!("connecting to {}:{}: {e}", t.host, t.port)))?;
                stream
                    .set_nodelay(true)
                    .map_err(|e| io_error(&format!("setting TCP_NODELAY: {e}")))?;
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?
            };
            let upgrade = match t.tls {
                TlsMode::Required => true,
                TlsMode::Opportunistic => conn.can_starttls(),
                TlsMode::None | TlsMode::Implicit => false,
            };
            if upgrade {
                conn.starttls(tls()?, &self.hello).await?;
            }
            // lettre keeps only the EHLO keywords it uses itself; ask again for PIPELINING.
            // A second EHLO is allowed at any time and only resets the (empty) transaction.
            let ehlo = conn.command(Ehlo::new(self.hello.clone())).await?;
            let pipelining = ehlo.message().skip(1).any(|line| {
                line.split_ascii_whitespace()
                    .next()
                    .is_some_and(|k| k.eq_ignore_ascii_case("PIPELINING"))
            });
            if let Some(c) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], c).await?;
            }
            Ok::<_, PoolError>(Connection {
                smtp: conn,
                pipelining,
            })
        };
        match tokio::time::timeout(self.timeout, connecting).await {
            Ok(r) => r,
            Err(_) => Err(io_error("connecting to the SMTP server timed out")),
        }
    }
}

/// Says QUIT and hangs up, waiting at most [`CLOSE_WITHIN`] for the server: lettre reads
/// without a timeout of its own, and a server that went silent must not hold a pool slot.
async fn close(mut conn: Connection) {
    let _ = tokio::time::timeout(CLOSE_WITHIN, conn.smtp.abort()).await;
}

/// One message over a server that offers PIPELINING (RFC 2920): MAIL, RCPT and DATA go out in
/// one write and their replies are read in order, then the dot-stuffed body and its
/// terminator go in one more: two round trips a message instead of lettre's four. The
/// checks before MAIL are lettre's own (`AsyncSmtpConnection::send`). A negative reply to any
/// command is returned as lettre's error and the caller drops the connection, so replies
/// still in flight for the rest of the group are never misread as a later message's.
async fn send_pipelined(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    raw: &[u8],
) -> Result<(), SmtpError> {
    let Ok(text) = std::str::from_utf8(raw) else {
        // Not text: lettre's own path sends it byte for byte.
        return conn.send(envelope, raw).await.map(|_| ());
    };
    let info = conn.server_info();
    let mut params = Vec::new();
    let non_ascii = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            return conn.send(envelope, raw).await.map(|_| ());
        }
        params.push(MailParameter::SmtpUtfEight);
    }
    if !raw.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            return conn.send(envelope, raw).await.map(|_| ());
        }
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let mut group = Mail::new(envelope.from().cloned(), params).to_string();
    for to in envelope.to() {
        group.push_str(&Rcpt::new(to.clone(), vec![]).to_string());
    }
    group.push_str(&Data.to_string());
    conn.command(group).await?;
    for _ in envelope.to() {
        conn.read_response().await?;
    }
    conn.read_response().await?;
    conn.command(dot_stuffed(text)).await?;
    Ok(())
}

/// The message as DATA carries it: a `.` doubled at the start of every line (RFC 5321
/// 4.5.2), then `CRLF.CRLF`.
fn dot_stuffed(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
    }
    out.push_str("\r\n.\r\n");
    out
}

/// A connection-level (transient) failure.
fn io_error(msg: &str) -> PoolError {
    PoolError::Connection(msg.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing_doubles_leading_dots_and_terminates() {
        assert_eq!(
            dot_stuffed("a\r\n.b\r\n..c\r\nd.\r\n"),
            "a\r\n..b\r\n...c\r\nd.\r\n\r\n.\r\n"
        );
        assert_eq!(dot_stuffed(".\r\n"), "..\r\n\r\n.\r\n");
        assert_eq!(dot_stuffed("no newline"), "no newline\r\n.\r\n");
    }

    #[test]
    fn parses_the_three_tls_modes_credentials_and_hello_name() {
        let t = SmtpTarget::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.tls),
            ("127.0.0.1", 2525, TlsMode::None)
        );
        let t = SmtpTarget::parse("smtp://u:p%40ss@mail.example.org/news.example.org?tls=required")
            .unwrap();
        assert_eq!((t.port, t.tls), (587, TlsMode::Required));
        assert_eq!(t.user.as_deref(), Some("u"));
        assert_eq!(t.hello.as_deref(), Some("news.example.org"));
        let t = SmtpTarget::parse("smtps://mail.example.org").unwrap();
        assert_eq!((t.port, t.tls), (465, TlsMode::Implicit));
        let t = SmtpTarget::parse("smtp://[::1]:25?tls=opportunistic").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.tls),
            ("::1", 25, TlsMode::Opportunistic)
        );
        for bad in [
            "http://x",
            "smtp://",
            "smtp://h:port",
            "smtp://h?tls=maybe",
            "smtp://h?x=1",
        ] {
            assert!(SmtpTarget::parse(bad).is_err(), "{bad}");
        }
    }
}
