//! `paperboy subscribers unsubscribe-mail` end to end through the real binary: a digest is
//! written by a dry run, its `List-Unsubscribe` mailto is answered the way a mail client does
//! (From the reader, To the unsubscribe address, the Subject the mailto sets), and the message
//! is piped in as the mail server would. What counts is the exit code (0 done, 1 bounce, 2
//! configuration) and who is still subscribed afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use paperboy::mail::token::{self, Purpose};

const SECRET: &str = "inbound-secret";
const UNSUB: &str = "unsubscribe@news.example.org";
/// The seed page ingested: five articles about 建德市 (jiande) of 2021-01-08.
const SEED: &str = "seeds/000_8bd78546456298dc.txt";
const DAY: &str = "2021-01-08";

struct Site {
    dir: tempfile::TempDir,
    config: PathBuf,
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

impl Site {
    /// A site with mail on (file transport), one ingested page and `readers` confirmed.
    fn new(readers: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[server]\nbase_url = \"https://news.example.org\"\n\
                 [storage]\nurl = \"sqlite://{}\"\n\
                 [render]\ntemplates = \"{}\"\n\
                 [mail]\nenabled = true\ntransport = \"file\"\n\
                 from = \"本地新闻 <digest@news.example.org>\"\noutbox = \"{}\"\n\
                 unsubscribe_mailto = \"{UNSUB}\"\n",
                dir.path().join("inbound.db").display(),
                dir.path().join("no-templates").display(),
                dir.path().join("outbox").display(),
            ),
        )
        .unwrap();
        let site = Site { dir, config };
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED);
        let r = site.run(&["ingest", seed.to_str().unwrap()], None);
        assert_eq!(r.code, 0, "{}{}", r.out, r.err);
        for reader in readers {
            let r = site.run(
                &[
                    "subscribers",
                    "add",
                    reader,
                    "--region",
                    "jiande",
                    "--confirmed",
                ],
                None,
            );
            assert_eq!(r.code, 0, "{}{}", r.out, r.err);
        }
        site
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_paperboy"));
        c.arg("--config")
            .arg(&self.config)
            .args(args)
            .env("PAPERBOY_SECRET", SECRET)
            .env_remove("DATABASE_URL")
            .env_remove("PAPERBOY_LOG");
        c
    }

    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        self.run_command(self.command(args), stdin)
    }

    fn run_command(&self, mut command: Command, stdin: Option<&[u8]>) -> Run {
        command
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        if let Some(input) = stdin {
            // A broken pipe here would mean the command stopped reading early.
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Pipes `message` into `subscribers unsubscribe-mail` as the mail server does.
    fn unsubscribe_mail(&self, message: &[u8]) -> Run {
        self.run(&["subscribers", "unsubscribe-mail"], Some(message))
    }

    /// Subscribed addresses and their ids, in id order.
    fn subscribers(&self) -> Vec<(i64, String)> {
        let r = self.run(&["subscribers", "list", "--format", "json"], None);
        assert_eq!(r.code, 0, "{}", r.err);
        let rows: serde_json::Value = serde_json::from_str(&r.out).unwrap();
        rows.as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row["id"].as_i64().unwrap(),
                    row["email"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn emails(&self) -> Vec<String> {
        self.subscribers().into_iter().map(|(_, e)| e).collect()
    }

    fn id_of(&self, email: &str) -> i64 {
        self.subscribers()
            .into_iter()
            .find(|(_, e)| e == email)
            .unwrap()
            .0
    }

    /// Writes the day's digests with a dry run; returns each reader's message.
    fn digests(&self) -> HashMap<String, Vec<u8>> {
        let r = self.run(&["digest", "send", "--dry-run", "--date", DAY], None);
        assert_eq!(r.code, 0, "{}{}", r.out, r.err);
        let mut out = HashMap::new();
        for entry in std::fs::read_dir(self.dir.path().join("outbox")).unwrap() {
            let raw = std::fs::read(entry.unwrap().path()).unwrap();
            let to = mail_parser::MessageParser::default()
                .parse(&raw[..])
                .unwrap()
                .to()
                .unwrap()
                .first()
                .unwrap()
                .address()
                .unwrap()
                .to_string();
            out.insert(to, raw);
        }
        out
    }
}

/// The mailto of a digest's List-Unsubscribe header: (address, decoded subject).
fn mailto(digest: &[u8]) -> (String, String) {
    let message = mail_parser::MessageParser::default().parse(digest).unwrap();
    let raw = message.header_raw("List-Unsubscribe").unwrap();
    let unfolded: String = raw.split(['\r', '\n']).map(str::trim).collect();
    let start = unfolded.find("<mailto:").unwrap() + "<mailto:".len();
    let end = start + unfolded[start..].find('>').unwrap();
    let (address, query) = unfolded[start..end].split_once('?').unwrap();
    let subject = query.strip_prefix("subject=").unwrap().replace("%20", " ");
    assert!(!subject.contains('%'), "{subject}");
    (address.to_string(), subject)
}

/// A message as a mail client sends it from a mailto (`subject` already in header form).
fn reply(from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Reader <{from}>\r\nTo: {to}\r\nSubject: {subject}\r\n\
         Date: Fri, 8 Jan 2021 08:00:00 +0800\r\nMessage-ID: <reply-{from}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

#[test]
fn a_mail_client_unsubscribes_with_the_mailto_of_a_digest() {
    let site = Site::new(&["a@example.org", "b@example.org", "c@example.org"]);
    let digests = site.digests();
    assert_eq!(digests.len(), 3);
    let (address, subject) = mailto(&digests["a@example.org"]);
    assert_eq!(address, UNSUB);
    assert!(subject.starts_with("unsubscribe "), "{subject}");

    // A reply to b's digest that quotes it (footer link and all) is not a request to leave.
    let digest_b = mail_parser::MessageParser::default()
        .parse(&digests["b@example.org"][..])
        .unwrap();
    let quoted: String = digest_b
        .body_text(0)
        .unwrap()
        .lines()
        .map(|l| format!("> {l}\r\n"))
        .collect();
    assert!(
        quoted.contains("/unsubscribe/"),
        "the quote carries the link"
    );
    let answer = reply(
        "b@example.org",
        "digest@news.example.org",
        "Re: today",
        &format!("Thank you!\r\n\r\nOn Fri, 8 Jan 2021, 本地新闻 wrote:\r\n{quoted}"),
    );
    let r = site.unsubscribe_mail(&answer);
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert_eq!(site.emails().len(), 3);

    // a's client sends the mailto: a is gone, nobody else.
    let id_a = site.id_of("a@example.org");
    let message = reply("a@example.org", &address, &subject, "");
    let r = site.unsubscribe_mail(&message);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(r.out.trim(), format!("unsubscribed subscriber {id_a}"));
    assert_eq!(site.emails(), ["b@example.org", "c@example.org"]);

    // The same mail again (a client retrying, a second click): done already, not a bounce.
    let r = site.unsubscribe_mail(&message);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(r.out.contains("already"), "{}", r.out);
    assert_eq!(site.emails(), ["b@example.org", "c@example.org"]);

    // b's client encodes the subject (RFC 2047) and adds "Re:"; read from a FILE.
    let (_, subject_b) = mailto(&digests["b@example.org"]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("Re: {subject_b}"));
    let message = reply(
        "b@example.org",
        UNSUB,
        &format!("=?UTF-8?B?{encoded}?="),
        "请退订\r\n",
    );
    assert!(!String::from_utf8_lossy(&message).contains(&subject_b[12..]));
    let file = site.dir.path().join("b.eml");
    std::fs::write(&file, &message).unwrap();
    let r = site.run(
        &["subscribers", "unsubscribe-mail", file.to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(r.out.starts_with("unsubscribed subscriber"), "{}", r.out);
    assert_eq!(site.emails(), ["c@example.org"]);

    // c's client dropped the subject and 5 MB of text follow: the whole input is read
    // (no broken pipe for the mail server), the token in the first line is found.
    let (_, subject_c) = mailto(&digests["c@example.org"]);
    let mut message = reply("c@example.org", UNSUB, "", &format!("{subject_c}\r\n\r\n"));
    message.extend(std::iter::repeat_n(b'x', 5 * 1024 * 1024));
    let r = site.unsubscribe_mail(&message);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(site.emails().is_empty());
}

#[test]
fn forged_expired_and_missing_tokens_are_refused_and_change_nothing() {
    let site = Site::new(&["a@example.org"]);
    let digests = site.digests();
    let (address, subject) = mailto(&digests["a@example.org"]);
    let token = subject.strip_prefix("unsubscribe ").unwrap().to_string();
    let id = site.id_of("a@example.org");
    let kept = vec!["a@example.org".to_string()];
    let refused = |subject: &str, body: &str, why: &str| {
        let r = site.unsubscribe_mail(&reply("a@example.org", &address, subject, body));
        assert_eq!(r.code, 1, "{subject:?}: {}{}", r.out, r.err);
        assert!(r.out.is_empty(), "{}", r.out);
        assert!(r.err.contains(why), "{subject:?}: {}", r.err);
        assert_eq!(site.emails(), kept, "{subject:?}");
    };

    // One character of the MAC changed.
    let mac_start = token.rfind('.').unwrap() + 1;
    let mut forged = token.clone().into_bytes();
    forged[mac_start] = if forged[mac_start] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let forged = String::from_utf8(forged).unwrap();
    refused(&format!("unsubscribe {forged}"), "", "not valid");
    // Another subscriber's id under a's MAC.
    let other = token.replacen(&format!("{id}."), &format!("{}.", id + 1), 1);
    refused(&format!("unsubscribe {other}"), "", "not valid");
    // Signed with the right secret, but for confirming, not unsubscribing.
    let now = chrono::Utc::now().timestamp();
    let confirm = token::sign(SECRET.as_bytes(), id, Purpose::Confirm, now + 3600);
    refused(&format!("unsubscribe {confirm}"), "", "not valid");
    // Genuine but expired.
    let expired = token::sign(SECRET.as_bytes(), id, Purpose::Unsubscribe, now - 60);
    refused(&format!("unsubscribe {expired}"), "", "expired");
    // No token at all, in the subject or the body.
    refused(
        "unsubscribe",
        "please remove me from this list\r\n",
        "no unsubscribe token",
    );
    // Not a mail at all.
    let r = site.unsubscribe_mail(&[0xff, 0x00, 0xfe, 0x0a, 0x80]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert_eq!(site.emails(), kept);

    // Without the secret nothing can be checked: a configuration error (exit 2), not a bounce.
    let mut command = site.command(&["subscribers", "unsubscribe-mail"]);
    command.env_remove("PAPERBOY_SECRET");
    let message = reply("a@example.org", &address, &subject, "");
    let r = site.run_command(command, Some(&message));
    assert_eq!(r.code, 2, "{}{}", r.out, r.err);
    assert!(r.err.contains("PAPERBOY_SECRET"), "{}", r.err);
    assert_eq!(site.emails(), kept);

    // A database that cannot be reached: "try again later" (75), so that the mail server
    // queues the request instead of bouncing it; nothing changes.
    let mut command = site.command(&["subscribers", "unsubscribe-mail"]);
    // (A path under /dev/null: the database file can be neither opened nor created.)
    command.env("DATABASE_URL", "sqlite:///dev/null/paperboy.db");
    let r = site.run_command(command, Some(&message));
    assert_eq!(r.code, 75, "{}{}", r.out, r.err);
    assert!(r.err.contains("try again later"), "{}", r.err);
    assert_eq!(site.emails(), kept);

    // The genuine token still works after all that.
    let r = site.unsubscribe_mail(&message);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(site.emails().is_empty());
}
