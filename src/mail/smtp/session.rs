//! One pooled connection's worker: it takes the messages queued to the pool in turn, keeps its
//! SMTP session open between them, and answers each sender with the server's reply.
//!
//! With a server that offers PIPELINING (RFC 2920) a message costs one write and one read in
//! steady state: the worker writes a message's dot-stuffed body and terminator together with
//! the next queued message's MAIL, RCPT and DATA (RFC 2920 allows message content to open a
//! group), then reads the body's reply and the next message's replies in order. Without
//! PIPELINING, or for a message the server could not take that way (8-bit text without
//! 8BITMIME, non-ASCII addresses without SMTPUTF8, bytes that are not UTF-8), lettre's own
//! `send` speaks to the server one command at a time.
//!
//! Replies are always read in the order their commands went out, so a negative reply never
//! shifts a later message's replies: after one, the remaining replies of the group are read
//! too, and the connection is reused. It is dropped instead after a network error, an
//! unreadable reply, a timeout, a 421 (the server is closing), or a 354 to a group whose
//! recipient was refused (the server then waits for data that must not be sent).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use lettre::address::Envelope;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
use tokio::sync::{mpsc, oneshot};

use super::{
    close, io_error, Connection, Connector, PoolError, SmtpError, CHECK_AFTER, CLOSE_WITHIN,
    IDLE_LIMIT,
};

/// One message waiting for a connection, and where its outcome goes.
pub(crate) struct Job {
    pub(crate) envelope: Envelope,
    pub(crate) raw: Vec<u8>,
    pub(crate) done: oneshot::Sender<Result<(), PoolError>>,
}

impl Job {
    fn finish(self, result: Result<(), PoolError>) {
        // A sender that stopped waiting needs no answer.
        let _ = self.done.send(result);
    }
}

/// The pool's queue, shared by its workers.
pub(crate) type Queue = Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Job>>>;

/// Counts a worker as running while it lives (also when its runtime drops it).
pub(crate) struct Alive(pub(crate) Arc<AtomicUsize>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A failed exchange: the error for the message, and whether the connection can go on.
struct Failed {
    error: PoolError,
    reusable: bool,
}

impl Failed {
    fn timeout() -> Self {
        Failed {
            error: io_error("the SMTP server did not answer in time"),
            reusable: false,
        }
    }
}

impl From<SmtpError> for Failed {
    /// A negative reply leaves the session usable (but a 421 closes it); anything else
    /// (network, unreadable reply) does not.
    fn from(e: SmtpError) -> Self {
        let reusable = e.status().is_some_and(|code| code.to_string() != "421");
        Failed {
            error: PoolError::Smtp(e),
            reusable,
        }
    }
}

/// The worker's loop: until the pool is dropped.
pub(crate) async fn work(connector: Arc<Connector>, queue: Queue, _alive: Alive) {
    let mut idle: Option<(Connection, Instant)> = None;
    while let Some(job) = next_job(&queue, &mut idle).await {
        let mut conn = match reuse(idle.take()).await {
            Some(c) => c,
            None => match connector.connect().await {
                Ok(c) => c,
                Err(e) => {
                    job.finish(Err(e));
                    continue;
                }
            },
        };
        let kept = if conn.pipelining && pipelinable(&conn, &job) {
            pipelined(&connector, &mut conn, &queue, job).await
        } else {
            one_by_one(&connector, &mut conn, job).await
        };
        if kept {
            idle = Some((conn, Instant::now()));
        } else {
            close(conn).await;
        }
    }
    if let Some((conn, _)) = idle {
        close(conn).await;
    }
}

/// Waits for the next message; closes an idle connection after [`IDLE_LIMIT`].
async fn next_job(queue: &Queue, idle: &mut Option<(Connection, Instant)>) -> Option<Job> {
    let mut jobs = queue.lock().await;
    if idle.is_some() {
        match tokio::time::timeout(IDLE_LIMIT, jobs.recv()).await {
            Ok(job) => return job,
            Err(_) => {
                if let Some((conn, _)) = idle.take() {
                    close(conn).await;
                }
            }
        }
    }
    jobs.recv().await
}

/// The idle connection if it still works (checked with NOOP after [`CHECK_AFTER`]).
async fn reuse(idle: Option<(Connection, Instant)>) -> Option<Connection> {
    let (mut conn, since) = idle?;
    if conn.smtp.has_broken() {
        close(conn).await;
        return None;
    }
    if since.elapsed() > CHECK_AFTER {
        let alive = tokio::time::timeout(CLOSE_WITHIN, conn.smtp.test_connected()).await;
        if alive != Ok(true) {
            close(conn).await;
            return None;
        }
    }
    Some(conn)
}

/// lettre's own exchange, one command at a time; true when the connection can be reused.
async fn one_by_one(connector: &Connector, conn: &mut Connection, job: Job) -> bool {
    let sent = tokio::time::timeout(
        2 * connector.timeout,
        conn.smtp.send(&job.envelope, &job.raw),
    )
    .await;
    match sent {
        Ok(Ok(_)) => {
            job.finish(Ok(()));
            true
        }
        // lettre has already reset or given up on the session: start afresh.
        Ok(Err(e)) => {
            job.finish(Err(PoolError::Smtp(e)));
            false
        }
        Err(_) => {
            job.finish(Err(Failed::timeout().error));
            false
        }
    }
}

/// Whether the job can go out pipelined over `conn` (see the module doc).
fn pipelinable(conn: &Connection, job: &Job) -> bool {
    let info = conn.smtp.server_info();
    std::str::from_utf8(&job.raw).is_ok()
        && (ascii_addresses(&job.envelope) || info.supports_feature(Extension::SmtpUtfEight))
        && (job.raw.is_ascii() || info.supports_feature(Extension::EightBitMime))
}

/// Sends `first` and then whatever the queue holds, each body with the next envelope;
/// true when the connection can be reused.
async fn pipelined(
    connector: &Connector,
    conn: &mut Connection,
    queue: &Queue,
    first: Job,
) -> bool {
    let t = connector.timeout;
    // The first group on its own: MAIL's reply comes back from `command`, the rest are read.
    let started = match tokio::time::timeout(t, conn.smtp.command(group(&first))).await {
        Err(_) => Err(Failed::timeout()),
        Ok(mail) => replies(conn, t, &first, mail.map(|_| ()).map_err(Failed::from)).await,
    };
    if let Err(f) = started {
        first.finish(Err(f.error));
        return f.reusable;
    }
    let mut current = first;
    loop {
        // The next message, if one is queued now (never waiting for one); one that cannot
        // be pipelined goes out by itself after this one.
        let mut next = queue
            .try_lock()
            .ok()
            .and_then(|mut jobs| jobs.try_recv().ok());
        let apart = next.take_if(|job| !pipelinable(conn, job));
        let mut out = dot_stuffed(&current.raw);
        if let Some(job) = &next {
            out.push_str(&group(job));
        }
        let body = tokio::time::timeout(2 * t, conn.smtp.command(out)).await;
        let (result, reusable) = match body {
            Ok(Ok(_)) => (Ok(()), true),
            Ok(Err(e)) => {
                let f = Failed::from(e);
                (Err(f.error), f.reusable)
            }
            Err(_) => (Err(Failed::timeout().error), false),
        };
        current.finish(result);
        if let Some(job) = apart {
            if !reusable {
                job.finish(Err(io_error(
                    "the SMTP connection failed before this message",
                )));
                return false;
            }
            return one_by_one(connector, conn, job).await;
        }
        let Some(job) = next else {
            return reusable;
        };
        if !reusable {
            // Its envelope went out on a connection now given up: nothing was accepted.
            job.finish(Err(io_error(
                "the SMTP connection failed before this message",
            )));
            return false;
        }
        // Its MAIL reply follows the body's; then RCPT and DATA.
        let mail = match tokio::time::timeout(t, conn.smtp.read_response()).await {
            Ok(r) => r.map(|_| ()).map_err(Failed::from),
            Err(_) => Err(Failed::timeout()),
        };
        if let Err(f) = replies(conn, t, &job, mail).await {
            job.finish(Err(f.error));
            return f.reusable;
        }
        current = job;
    }
}

/// Reads the RCPT and DATA replies of `job`'s group after its MAIL reply (`mail`), all of
/// them even after a refusal, so that none is left for a later message. Ok when DATA got 354.
async fn replies(
    conn: &mut Connection,
    t: std::time::Duration,
    job: &Job,
    mail: Result<(), Failed>,
) -> Result<(), Failed> {
    if matches!(&mail, Err(f) if !f.reusable) {
        return mail;
    }
    let mut first_error = mail.err();
    let mut data_accepted = false;
    for _ in 0..=job.envelope.to().len() {
        let reply = match tokio::time::timeout(t, conn.smtp.read_response()).await {
            Ok(r) => r,
            Err(_) => return Err(Failed::timeout()),
        };
        // The last reply is DATA's.
        data_accepted = reply.is_ok();
        if let Err(e) = reply {
            let f = Failed::from(e);
            if !f.reusable {
                return Err(f);
            }
            first_error.get_or_insert(f);
        }
    }
    let Some(mut f) = first_error else {
        return Ok(());
    };
    // DATA was answered 354 although a command before it failed: the server now waits for a
    // message that must not go out. Only hanging up ends that.
    if data_accepted {
        f.reusable = false;
        return Err(f);
    }
    // MAIL may have opened a transaction that the refusal left open: RSET closes it.
    let reset = tokio::time::timeout(t, conn.smtp.command(Rset)).await;
    f.reusable = matches!(reset, Ok(Ok(_)));
    Err(f)
}

/// Whether every address of the envelope is ASCII (otherwise MAIL needs SMTPUTF8).
fn ascii_addresses(envelope: &Envelope) -> bool {
    envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .all(|a| AsRef::<str>::as_ref(a).is_ascii())
}

/// MAIL, RCPT and DATA of `job` as one string, with lettre's own command syntax.
fn group(job: &Job) -> String {
    // `pipelinable` has checked that the server takes the parameters this needs.
    let mut params = Vec::new();
    if !ascii_addresses(&job.envelope) {
        params.push(MailParameter::SmtpUtfEight);
    }
    if !job.raw.is_ascii() {
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let mut out = Mail::new(job.envelope.from().cloned(), params).to_string();
    for to in job.envelope.to() {
        out.push_str(&Rcpt::new(to.clone(), vec![]).to_string());
    }
    out.push_str(&Data.to_string());
    out
}

/// The message as DATA carries it: a `.` doubled at the start of every line (RFC 5321
/// 4.5.2), then `CRLF.CRLF`. `raw` is UTF-8 (checked by [`pipelinable`]).
fn dot_stuffed(raw: &[u8]) -> String {
    // Valid UTF-8 (ASCII, for base64 bodies) is the rule; checking it is quicker than the
    // lossy conversion's chunking, which stays for anything else.
    let text = match std::str::from_utf8(raw) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(raw),
    };
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing_doubles_leading_dots_and_terminates() {
        assert_eq!(
            dot_stuffed(b"a\r\n.b\r\n..c\r\nd.\r\n"),
            "a\r\n..b\r\n...c\r\nd.\r\n\r\n.\r\n"
        );
        assert_eq!(dot_stuffed(b".\r\n"), "..\r\n\r\n.\r\n");
        assert_eq!(dot_stuffed(b"no newline"), "no newline\r\n.\r\n");
    }
}
