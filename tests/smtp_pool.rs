//! The SMTP pool's behaviour towards a server that misbehaves at the socket level, against
//! Postfix's `smtp-sink` (see `mail_support::smtp_sink`; skipped where it is not installed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use lettre::address::Envelope;
use paperboy::mail::smtp::{PoolError, SmtpPool, SmtpTarget};

use mail_support::smtp_sink::SmtpSink;

/// A small message whose subject numbers it.
fn numbered(n: usize) -> String {
    format!("From: a@example.org\r\nTo: b@example.org\r\nSubject: dots {n}\r\n\r\nbody {n}\r\n")
}

/// A server that stops answering in the middle of a session (its process stopped, its sockets
/// open) fails the send after the pool's timeout instead of holding the connection for ever:
/// neither the send nor the QUIT after it waits on a silent server. Once the server is back,
/// the next send opens a fresh connection and goes through; the interrupted message never
/// arrives.
#[tokio::test]
async fn a_server_that_goes_silent_fails_the_send_instead_of_hanging() {
    let Some(sink) = SmtpSink::start(&[]) else {
        return;
    };
    let target = SmtpTarget::parse(&format!("smtp://127.0.0.1:{}", sink.port)).unwrap();
    let pool =
        SmtpPool::new(target, 1, None, None).with_timeout(std::time::Duration::from_millis(300));
    let envelope = Envelope::new(
        Some("a@example.org".parse().unwrap()),
        vec!["b@example.org".parse().unwrap()],
    )
    .unwrap();
    pool.send(&envelope, numbered(0).as_bytes()).await.unwrap();
    sink.pause();
    // Liveness, not speed: a send that hangs on a silent server never returns at all.
    let silent = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        pool.send(&envelope, numbered(1).as_bytes()),
    )
    .await;
    sink.resume();
    let err = silent
        .expect("the send to a silent server never returned")
        .unwrap_err();
    assert!(
        matches!(&err, PoolError::Connection(m) if m.contains("did not answer in time")),
        "{err:?}"
    );
    pool.send(&envelope, numbered(2).as_bytes()).await.unwrap();
    let mut subjects: Vec<String> = sink
        .messages()
        .iter()
        .map(|d| {
            let text = d.text();
            let at = text.find("Subject: dots ").unwrap() + "Subject: dots ".len();
            text[at..at + 1].to_string()
        })
        .collect();
    // Dump files come in no particular order.
    subjects.sort();
    assert_eq!(subjects, ["0", "2"]);
}
