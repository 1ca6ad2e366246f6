//! The SMTP pool's pipelined path (RFC 2920: MAIL, RCPT and DATA in one write, their replies
//! read in order, then the dot-stuffed body and its terminator in one more write) against a
//! real server that offers PIPELINING: Postfix's `smtp-sink`, behind a TCP relay that records
//! what the client wrote, read by read, connection by connection, and can rewrite a command on
//! its way (see `mail_support::smtp_sink`). (The mailin-embedded server of tests/mail.rs does
//! not offer PIPELINING, so those tests take lettre's own path.)
//!
//! Skipped, with a note on stderr, where smtp-sink is not installed (.ci/test installs Debian's
//! postfix package for it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use std::collections::BTreeMap;

use lettre::address::Envelope;
use paperboy::mail::smtp::{SmtpPool, SmtpTarget};
use paperboy::store::subscribers::LedgerStatus;

use mail_support::pipelining_env::{add, env, ledger, send, Env};
use mail_support::smtp_sink::{Dump, Relay, Rewrite, SmtpSink};
use mail_support::*;

const D: &str = "2022-06-28";

// ---------------------------------------------------------------------------------------------
// Tests

/// A digest for every one of 25 subscribers over a pool of two connections: each arrives once,
/// whole and right, through MAIL/RCPT/DATA groups written in one piece; a second run sends
/// nothing.
#[tokio::test]
async fn pipelined_digests_arrive_once_each_over_reused_connections() {
    let Some(e) = env(&[], vec![]).await else {
        return;
    };
    // Digest parts go out in base64, so no line of a digest begins with "." on the wire:
    // dot-stuffing is tested with hand-made messages below.
    ingest(
        &e.ctx.store,
        "jd-0628",
        day(D),
        JIANDE,
        &["新安江畔开新局", "建德召开文明城市推进会"],
    )
    .await;
    let mut ids = BTreeMap::new();
    for n in 0..25 {
        let email = format!("reader{n:02}@example.org");
        ids.insert(email.clone(), add(&e, &email).await);
    }

    let report = send(&e, D).await;
    assert_eq!(
        (report.subscribers, report.sent, report.retried),
        (25, 25, 0),
        "{report:?}"
    );
    assert!(
        report.failed.is_empty() && report.rejected.is_empty(),
        "{report:?}"
    );

    // On the wire: each message's MAIL/RCPT/DATA in one write (alone, or right after the
    // previous message's terminator), its body and terminator in one write (followed by the
    // next message's group when one was queued), over at most pool_size connections.
    let groups = e.relay.groups();
    assert_eq!(groups.len(), 25, "{groups:?}");
    assert!(groups.iter().all(|g| g.pipelined), "{groups:?}");
    let connections = e.relay.connections();
    assert!((1..=2).contains(&connections), "{connections} connections");
    let bodies: Vec<Vec<u8>> = e
        .relay
        .reads()
        .into_iter()
        .filter_map(|(_, r)| {
            let end = r.windows(5).position(|w| w == b"\r\n.\r\n")? + 5;
            Some(r[..end].to_vec())
        })
        .collect();
    assert_eq!(bodies.len(), 25);
    // With messages waiting, a body carries the next message's group in the same write.
    let overlapped = e
        .relay
        .reads()
        .iter()
        .filter(|(_, r)| {
            r.windows(15).any(|w| w == b"\r\n.\r\nMAIL FROM:") && r.ends_with(b"DATA\r\n")
        })
        .count();
    assert!(
        overlapped >= 10,
        "{overlapped} bodies shared a write with a group"
    );
    assert!(
        bodies.iter().all(|b| b.starts_with(b"Message-ID: ")),
        "each body went out with its terminator in one write"
    );

    // What smtp-sink received.
    let got = e.sink.messages();
    assert_eq!(got.len(), 25, "{}", e.sink.log());
    let mut recipients = BTreeMap::new();
    let mut unsubscribe_urls = std::collections::BTreeSet::new();
    for m in &got {
        assert_eq!(m.rcpts.len(), 1, "{:?}", m.rcpts);
        let to = &m.rcpts[0];
        *recipients.entry(to.clone()).or_insert(0) += 1;
        let id = ids[to];
        assert_eq!(
            m.mail_args, "<digest@example.org>",
            "ASCII: no BODY=8BITMIME"
        );
        let received = m.received();
        let p = parse(&received);
        assert_eq!(
            p.message_id(),
            Some(format!("digest-20220628-{id}@example.org").as_str())
        );
        let to_header = p.to().and_then(|a| a.first()).and_then(|a| a.address());
        assert_eq!(to_header, Some(to.as_str()));
        let subject = p.subject().unwrap();
        assert!(
            subject.contains("建德市") && subject.contains("2022年6月28日"),
            "{subject}"
        );
        assert_eq!(
            p.header_raw("List-Unsubscribe-Post").unwrap().trim(),
            "List-Unsubscribe=One-Click"
        );
        let url = unsubscribe_url(&received);
        assert!(
            url.starts_with(&format!("https://news.example.org/unsubscribe/{id}.")),
            "{url}"
        );
        unsubscribe_urls.insert(url);

        let text = p.body_text(0).unwrap();
        for t in ["新安江畔开新局", "建德召开文明城市推进会"] {
            assert!(text.contains(&format!("- {t}")), "{text}");
        }
        let html = p.body_html(0).unwrap();
        // Each headline links to its article page.
        assert!(
            html.contains(
                "<a href=\"https://news.example.org/a/jd-0628-1/\" style=\"color:#1558b0;text-decoration:none;\">建德召开文明城市推进会</a></li>"
            ),
            "{html}"
        );
    }
    assert_eq!(
        recipients.keys().collect::<Vec<_>>(),
        ids.keys().collect::<Vec<_>>()
    );
    assert!(recipients.values().all(|&n| n == 1), "{recipients:?}");
    assert_eq!(unsubscribe_urls.len(), 25, "a link of its own in each");

    let rows = ledger(&e, D).await;
    assert_eq!(rows.len(), 25);
    for id in ids.values() {
        assert_eq!(
            rows[id],
            (
                LedgerStatus::Sent,
                Some(format!("<digest-20220628-{id}@example.org>"))
            )
        );
    }

    // The same day again: nothing, not even a MAIL FROM.
    let again = send(&e, D).await;
    assert_eq!((again.sent, again.skipped), (0, 25), "{again:?}");
    assert_eq!(e.sink.messages().len(), 25);
    assert_eq!(e.relay.groups().len(), 25);
}

/// A message body that a missing, partial or excessive dot-stuffing would change (a lone "."
/// would even end it early), with 8-bit text; the last line has no CRLF unless `crlf_end`.
fn tricky(n: usize, crlf_end: bool) -> String {
    let end = if crlf_end { "\r\n" } else { "" };
    format!(
        "From: a@example.org\r\nTo: b@example.org\r\nSubject: dots {n}\r\n\r\n\
         .\r\n..\r\n.leading\r\n...three\r\nmiddle . dot.\r\n\r\n.\r\n\
         中文 .行\r\n.中文\r\nlast line{end}"
    )
}

/// Sends four [`tricky`] messages straight through a one-connection pool to an smtp-sink
/// started with `options`: to one recipient, then to three, then to one, then one ending in
/// CRLF. Returns what arrived (by message number) and the relay that saw it.
async fn send_tricky(options: &[&str]) -> Option<(SmtpSink, Relay, Vec<Dump>)> {
    let sink = SmtpSink::start(options)?;
    let relay = Relay::start(sink.port, vec![]).await;
    let target = SmtpTarget::parse(&format!("smtp://127.0.0.1:{}", relay.port)).unwrap();
    let pool = SmtpPool::new(target, 1, None, None);
    for n in 0..4 {
        let to: &[&str] = if n == 1 {
            &["b@example.org", "c@example.org", "d@example.org"]
        } else {
            &["b@example.org"]
        };
        let envelope = Envelope::new(
            Some("a@example.org".parse().unwrap()),
            to.iter().map(|a| a.parse().unwrap()).collect(),
        )
        .unwrap();
        pool.send(&envelope, tricky(n, n == 3).as_bytes())
            .await
            .unwrap_or_else(|err| panic!("message {n}: {err:?}\n{}", sink.log()));
    }
    let mut got = sink.messages();
    let number = |d: &Dump| {
        let text = d.text();
        let at = text.find("Subject: dots ").unwrap() + "Subject: dots ".len();
        text[at..at + 1].parse::<usize>().unwrap()
    };
    got.sort_by_key(number);
    assert_eq!(got.iter().map(number).collect::<Vec<_>>(), [0, 1, 2, 3]);
    Some((sink, relay, got))
}

/// Straight through the pool: the pipelined path delivers exactly the bytes it was given,
/// dots and all, to every recipient of a group, over one reused connection — and exactly what
/// lettre's own path (taken when the server does not offer PIPELINING) delivers.
#[tokio::test]
async fn the_pipelined_path_delivers_exactly_what_lettres_own_path_does() {
    let Some((sink, relay, pipelined)) = send_tricky(&[]).await else {
        return;
    };
    let groups = relay.groups();
    assert_eq!(
        groups.iter().map(|g| g.rcpts.len()).collect::<Vec<_>>(),
        [1, 3, 1, 1]
    );
    assert!(groups.iter().all(|g| g.pipelined), "{groups:?}");
    assert_eq!(relay.connections(), 1, "one connection for all four");
    for (n, d) in pipelined.iter().enumerate() {
        assert_eq!(d.mail_args, "<a@example.org> BODY=8BITMIME");
        let want: &[&str] = if n == 1 {
            &["b@example.org", "c@example.org", "d@example.org"]
        } else {
            &["b@example.org"]
        };
        assert_eq!(d.rcpts, want);
        // The terminator's CRLF ends the last line; a message that already ended in CRLF
        // gets an empty line more (lettre's own path does the same).
        assert_eq!(
            d.text(),
            format!("{}\r\n", tricky(n, n == 3)),
            "message {n}"
        );
    }
    drop((sink, relay));

    // Without PIPELINING (-p) the pool takes lettre's path: MAIL goes out alone.
    let Some((_sink, relay, plain)) = send_tricky(&["-p"]).await else {
        return;
    };
    let reads = relay.reads();
    assert!(
        reads.iter().any(|(_, r)| r.starts_with(b"MAIL FROM:"))
            && !reads.iter().any(
                |(_, r)| r.starts_with(b"MAIL FROM:") && r.windows(8).any(|w| w == b"RCPT TO:")
            ),
        "lettre's path waits for each reply"
    );
    assert_eq!(relay.connections(), 1);
    for (a, b) in pipelined.iter().zip(&plain) {
        assert_eq!(
            (a.text(), &a.mail_args, &a.rcpts),
            (b.text(), &b.mail_args, &b.rcpts)
        );
    }
}

/// A page of 建德 and three confirmed readers of it, r0@ to r2@; their subscriber ids.
async fn three_readers(e: &Env) -> Vec<i64> {
    ingest(&e.ctx.store, "jd-0628", day(D), JIANDE, &["新安江畔开新局"]).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(add(e, &format!("r{n}@example.org")).await);
    }
    ids
}

/// smtp-sink answering 421 and hanging up (-Q) at MAIL, RCPT or DATA of a pipelined group, or
/// hanging up without a word (-q): every digest is a transient failure, retried on a fresh
/// connection each time, recorded `failed`, nothing delivered, nobody marked as bouncing.
#[tokio::test]
async fn a_421_or_a_hang_up_inside_the_group_is_a_transient_failure() {
    for options in [
        ["-Q", "MAIL"],
        ["-Q", "RCPT"],
        ["-Q", "DATA"],
        ["-q", "RCPT"],
    ] {
        let Some(e) = env(&options, vec![]).await else {
            return;
        };
        let ids = three_readers(&e).await;
        let report = send(&e, D).await;
        assert_eq!(
            (report.sent, report.failed.len(), report.rejected.len()),
            (0, 3, 0),
            "{options:?}: {report:?}"
        );
        assert_eq!(report.retried, 3, "{options:?}: all retried");
        for f in &report.failed {
            if options[0] == "-Q" {
                assert!(f.error.contains("421"), "{options:?}: {}", f.error);
            }
        }
        assert!(e.sink.messages().is_empty(), "{options:?}");
        let rows = ledger(&e, D).await;
        for id in &ids {
            assert_eq!(rows[id].0, LedgerStatus::Failed, "{options:?}");
            let sub = e.ctx.store.subscriber(*id).await.unwrap().unwrap();
            assert!(sub.last_error.is_none(), "{options:?}: not a bounce");
        }
        // Four tries each (the retry policy), every one pipelined, and no connection carried
        // anything after its failure.
        let groups = e.relay.groups();
        assert_eq!(groups.len(), 12, "{options:?}: {groups:?}");
        assert!(groups.iter().all(|g| g.pipelined), "{options:?}");
        assert_eq!(e.relay.connections(), 12, "{options:?}");
    }
}

/// smtp-sink answering DATA with 354 and then 550 (-A 0, before the body is read): every
/// digest is rejected at once, not retried, recorded against the subscriber, nothing delivered.
#[tokio::test]
async fn a_550_for_the_body_is_a_rejection_and_not_retried() {
    let Some(e) = env(&["-A", "0"], vec![]).await else {
        return;
    };
    let ids = three_readers(&e).await;
    let report = send(&e, D).await;
    assert_eq!(
        (report.sent, report.failed.len(), report.rejected.len()),
        (0, 0, 3),
        "{report:?}"
    );
    assert_eq!(report.retried, 0);
    for f in &report.rejected {
        assert!(f.error.contains("550"), "{}", f.error);
    }
    assert!(e.sink.messages().is_empty());
    let rows = ledger(&e, D).await;
    for id in &ids {
        assert_eq!(rows[id].0, LedgerStatus::Rejected);
        let sub = e.ctx.store.subscriber(*id).await.unwrap().unwrap();
        assert!(sub.last_error.unwrap().contains("550"));
    }
    // smtp-sink -A hangs up after its 550. A message whose envelope already followed the
    // rejected body on that connection gets no reply and is tried again on another one, which
    // may in turn be hung up behind another message's rejected body: every try but an
    // address's last went out on a connection that had already carried another message (it
    // waited behind that message's body), so an address is tried at most once per other
    // message plus once, and its last group is the one that drew the 550.
    let groups = e.relay.groups();
    for n in 0..3 {
        let email = format!("r{n}@example.org");
        let mine: Vec<usize> = (0..groups.len())
            .filter(|&k| groups[k].rcpts == [email.clone()])
            .collect();
        assert!((1..=3).contains(&mine.len()), "{email}: {groups:?}");
        for &k in &mine[..mine.len() - 1] {
            let behind_a_body = groups[..k]
                .iter()
                .any(|g| g.conn == groups[k].conn && g.rcpts != [email.clone()]);
            assert!(
                behind_a_body,
                "{email} tried again without cause: {groups:?}"
            );
        }
    }
    assert!(groups.iter().all(|g| g.rcpts.len() == 1));
    assert!(e.relay.connections() >= 3, "each 550 ends its connection");
    let tried = groups.len();

    // A re-run does not try again.
    let again = send(&e, D).await;
    assert_eq!((again.sent, again.skipped), (0, 3), "{again:?}");
    assert_eq!(e.relay.groups().len(), tried);
}

/// Negative replies for single recipients in the middle of a run, inside their pipelined
/// groups: gone@ gets 500 for RCPT (then 503 for the DATA already sent), slow@ gets 421 and a
/// hang-up twice, then goes through. The relay arranges them: it turns gone@'s RCPT into a
/// command smtp-sink does not know (500) and slow@'s first two into NOOP, which smtp-sink
/// answers with 421 and a hang-up (-Q NOOP; the pool never sends NOOP to a fresh connection).
/// Everybody else gets exactly one digest, and a connection that saw a negative reply carries
/// nothing more, so no reply still in flight is taken for a later message's.
#[tokio::test]
async fn per_recipient_refusals_inside_groups_leave_the_other_messages_intact() {
    let rewrites = vec![
        Rewrite {
            line: "RCPT TO:<gone@example.org>".into(),
            with: "XRCPT TO:<gone@example.org>".into(),
            times: u32::MAX,
        },
        Rewrite {
            line: "RCPT TO:<slow@example.org>".into(),
            with: "NOOP".into(),
            times: 2,
        },
    ];
    let Some(e) = env(&["-Q", "NOOP"], rewrites).await else {
        return;
    };
    ingest(&e.ctx.store, "jd-0628", day(D), JIANDE, &["新安江畔开新局"]).await;
    let mut ids = BTreeMap::new();
    for n in 0..10 {
        let email = match n {
            3 => "slow@example.org".to_string(),
            6 => "gone@example.org".to_string(),
            n => format!("r{n}@example.org"),
        };
        ids.insert(email.clone(), add(&e, &email).await);
    }

    let report = send(&e, D).await;
    assert_eq!(
        (report.sent, report.retried, report.failed.len()),
        (9, 1, 0),
        "{report:?}"
    );
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert_eq!(report.rejected[0].email, "gone@example.org");
    assert!(
        report.rejected[0].error.contains("500"),
        "{}",
        report.rejected[0].error
    );

    let got = e.sink.messages();
    assert_eq!(got.len(), 9, "{}", e.sink.log());
    for (email, id) in &ids {
        let mine = e.sink.messages_to(email);
        if email == "gone@example.org" {
            assert!(mine.is_empty());
            continue;
        }
        assert_eq!(mine.len(), 1, "{email}");
        assert_eq!(mine[0].rcpts, [email.as_str()], "one recipient a message");
        let received = mine[0].received();
        let p = parse(&received);
        assert_eq!(
            p.message_id(),
            Some(format!("digest-20220628-{id}@example.org").as_str()),
            "{email} got their own digest"
        );
    }

    let rows = ledger(&e, D).await;
    for (email, id) in &ids {
        let want = if email == "gone@example.org" {
            LedgerStatus::Rejected
        } else {
            LedgerStatus::Sent
        };
        assert_eq!(rows[id].0, want, "{email}");
    }
    let gone = e.ctx.store.subscriber(ids["gone@example.org"]).await;
    assert!(gone.unwrap().unwrap().last_error.unwrap().contains("500"));
    let slow = e.ctx.store.subscriber(ids["slow@example.org"]).await;
    assert!(slow.unwrap().unwrap().last_error.is_none());

    // On the wire: gone@ tried once, slow@ three times, the others once, all pipelined. A
    // 421 ends its connection: slow@'s first two groups are each the last on theirs. gone@'s
    // refusal leaves the session usable: the client says RSET on that connection before any
    // later group goes out on it.
    let groups = e.relay.groups();
    assert!(groups.iter().all(|g| g.pipelined), "{groups:?}");
    assert!(groups.iter().all(|g| g.rcpts.len() == 1), "{groups:?}");
    let tries = |email: &str| groups.iter().filter(|g| g.rcpts[0] == email).count();
    assert_eq!(tries("gone@example.org"), 1);
    assert_eq!(tries("slow@example.org"), 3);
    assert_eq!(groups.len(), 12, "{groups:?}");
    let mut slow_seen = 0;
    for (i, g) in groups.iter().enumerate() {
        let closed = g.rcpts[0] == "slow@example.org" && {
            slow_seen += 1;
            slow_seen <= 2
        };
        let later_on_same = groups[i + 1..].iter().any(|h| h.conn == g.conn);
        assert!(
            !(closed && later_on_same),
            "connection {} was used again after a 421 for {:?}: {groups:?}",
            g.conn,
            g.rcpts
        );
    }
    let gone_conn = groups
        .iter()
        .find(|g| g.rcpts[0] == "gone@example.org")
        .map(|g| g.conn)
        .unwrap();
    let wrote: Vec<u8> = e
        .relay
        .reads()
        .into_iter()
        .filter(|(c, _)| *c == gone_conn)
        .flat_map(|(_, r)| r)
        .collect();
    let text = String::from_utf8_lossy(&wrote);
    let refused = text.find("RCPT TO:<gone@example.org>").unwrap();
    if let Some(next_mail) = text[refused..].find("MAIL FROM:") {
        assert!(
            text[refused..refused + next_mail].contains("RSET\r\n"),
            "no RSET before the next transaction on connection {gone_conn}"
        );
    }
    assert!(
        e.relay.connections() >= 3,
        "two connections ended by 421s and at least one good one"
    );

    // A re-run sends nothing: 9 sent, 1 rejected.
    let again = send(&e, D).await;
    assert_eq!((again.sent, again.skipped), (0, 10), "{again:?}");
    assert_eq!(e.relay.groups().len(), 12);
}
