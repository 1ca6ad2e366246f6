//! Harness of tests/mail_pipelining.rs: Postfix's `smtp-sink` as a real SMTP server that offers
//! PIPELINING (RFC 2920) and dumps every message it accepts to a file of its own. (The
//! mailin-embedded server of the parent module does not offer PIPELINING, so the pool takes
//! lettre's own path with it.)
//!
//! Between the pool and smtp-sink sits a small TCP relay that records what the client wrote,
//! read by read, connection by connection: that is how the tests see that a group really went
//! out in one write and how many connections carried the messages. It can also replace a whole
//! command line on its way to the server, which gives per-recipient negative replies: smtp-sink
//! has no per-address rules, and its `-r`/`-f` switches (4xx/5xx for every command of a kind)
//! also turn PIPELINING off (they imply `-p`), so they cannot test the pipelined path.
//!
//! [`SmtpSink::start`] gives `None`, with a note on stderr, where smtp-sink is not installed
//! (.ci/test installs Debian's postfix package for it).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::Received;

// ---------------------------------------------------------------------------------------------
// smtp-sink

/// Where smtp-sink is: Debian's place, or anywhere on PATH.
fn smtp_sink_binary() -> Option<PathBuf> {
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("smtp-sink"))
                .collect()
        })
        .unwrap_or_default();
    ["/usr/sbin/smtp-sink", "/usr/local/sbin/smtp-sink"]
        .into_iter()
        .map(PathBuf::from)
        .chain(on_path)
        .find(|p| p.is_file())
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// One message as smtp-sink dumped it.
#[derive(Debug, Clone)]
pub struct Dump {
    /// The arguments of MAIL FROM (`<a@example.org> BODY=8BITMIME`).
    pub mail_args: String,
    /// The RCPT TO addresses, in order, without the angle brackets.
    pub rcpts: Vec<String>,
    /// The message as received after dot-unstuffing, with CRLF line ends again (smtp-sink
    /// stores LF).
    data: Vec<u8>,
}

impl Dump {
    pub fn received(&self) -> Received {
        Received {
            to: self.rcpts.clone(),
            data: self.data.clone(),
        }
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.data).unwrap()
    }
}

/// Reads one dump file: smtp-sink's own records (`X-Mail-Args:`, `X-Rcpt-Args:`, …, then a
/// three-line `Received:`), the message as received, and one more empty line (the LF of the
/// terminator). `None` while the transaction is incomplete.
fn parse_dump(text: &str) -> Option<Dump> {
    let mut mail_args = None;
    let mut rcpts = Vec::new();
    let mut rest = text;
    loop {
        let (line, tail) = rest.split_once('\n')?;
        rest = tail;
        if let Some(a) = line.strip_prefix("X-Mail-Args: ") {
            mail_args = Some(a.to_string());
        } else if let Some(a) = line.strip_prefix("X-Rcpt-Args: ") {
            rcpts.push(a.trim_matches(|c| c == '<' || c == '>').to_string());
        } else if line.starts_with("Received: ") {
            break;
        } else {
            assert!(
                line.starts_with("X-"),
                "smtp-sink record {line:?} in\n{text}"
            );
        }
    }
    // The two continuation lines of smtp-sink's Received: header.
    for _ in 0..2 {
        let (line, tail) = rest.split_once('\n')?;
        assert!(line.starts_with('\t'), "Received: continues: {text}");
        rest = tail;
    }
    let message = rest.strip_suffix('\n').filter(|m| m.ends_with('\n'))?;
    Some(Dump {
        mail_args: mail_args?,
        rcpts,
        data: message.replace('\n', "\r\n").into_bytes(),
    })
}

/// A running smtp-sink on 127.0.0.1 that dumps every message into a directory; killed on drop.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dumps: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

fn signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {sig} {pid}");
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    /// Stops the server process (SIGSTOP): its sockets stay open and it answers nothing.
    pub fn pause(&self) {
        signal(self.child.id(), "-STOP");
    }

    /// Lets a paused server go on (SIGCONT).
    pub fn resume(&self) {
        signal(self.child.id(), "-CONT");
    }

    /// Starts smtp-sink with `options` (besides its name and dump directory); `None`, after a
    /// note on stderr, when smtp-sink is not installed.
    pub fn start(options: &[&str]) -> Option<Self> {
        let Some(bin) = smtp_sink_binary() else {
            eprintln!(
                "smtp-sink not found (Debian package postfix): skipping this SMTP pipelining \
                 test; .ci/test installs it"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let dumps = dir.path().join("dumps");
        std::fs::create_dir(&dumps).unwrap();
        // As root smtp-sink drops to nobody (-u) before it writes a dump.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&dumps, std::fs::Permissions::from_mode(0o777)).unwrap();
        let log = dir.path().join("smtp-sink.log");
        let root = running_as_root();
        for attempt in 0..20 {
            // A port that was free a moment ago. Another process may take it first, which
            // shows as smtp-sink exiting or as someone else's greeting: then another port.
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let name = format!("sink-{}-{attempt}.test", std::process::id());
            let mut cmd = Command::new(&bin);
            if root {
                cmd.args(["-u", "nobody"]);
            }
            cmd.args(["-h", &name])
                .arg("-d")
                .arg(format!("{}/msg.", dumps.display()))
                .args(options)
                .arg(format!("127.0.0.1:{port}"))
                .arg("64")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap());
            let mut child = cmd.spawn().unwrap();
            if greets_as(&mut child, port, &name) {
                return Some(SmtpSink {
                    child,
                    port,
                    dumps,
                    log,
                    _dir: dir,
                });
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "smtp-sink did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// What smtp-sink said on stderr.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The messages smtp-sink accepted, in no particular order. smtp-sink closes an aborted
    /// transaction's socket before it deletes its half-written file, so a client can be done
    /// before the file is gone: wait (a little) until every file left is a whole message.
    pub fn messages(&self) -> Vec<Dump> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let mut whole = Vec::new();
            let mut partial = Vec::new();
            for entry in std::fs::read_dir(&self.dumps).unwrap() {
                let path = entry.unwrap().path();
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue; // deleted meanwhile
                };
                match parse_dump(&text) {
                    Some(d) => whole.push(d),
                    None => partial.push(text),
                }
            }
            if partial.is_empty() {
                return whole;
            }
            assert!(
                Instant::now() < deadline,
                "half-written dumps stay: {partial:?}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn messages_to(&self, address: &str) -> Vec<Dump> {
        self.messages()
            .into_iter()
            .filter(|d| d.rcpts.iter().any(|r| r == address))
            .collect()
    }
}

/// True once the smtp-sink started as `child` answers on `port` with its greeting naming
/// `name`; false if it exited (port taken) or another server answers there.
fn greets_as(child: &mut Child, port: u16, name: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut greeting = String::new();
        let _ = BufReader::new(&stream).read_line(&mut greeting);
        let _ = (&stream).write_all(b"QUIT\r\n");
        return greeting.starts_with("220 ") && greeting.contains(name);
    }
    false
}

// ---------------------------------------------------------------------------------------------
// The recording relay

/// Replaces the next `times` client lines equal to `line` (without CRLF) with `with`.
pub struct Rewrite {
    pub line: String,
    pub with: String,
    pub times: u32,
}

#[derive(Default)]
struct RelayState {
    /// Every read from a client, in order: (connection number, bytes).
    reads: Vec<(usize, Vec<u8>)>,
    connections: usize,
    rewrites: Vec<Rewrite>,
}

impl RelayState {
    /// Takes the complete lines out of `pending`, with the rewrites applied.
    fn complete_lines(&mut self, pending: &mut Vec<u8>) -> Vec<u8> {
        let Some(end) = pending.iter().rposition(|&b| b == b'\n') else {
            return Vec::new();
        };
        let lines: Vec<u8> = pending.drain(..=end).collect();
        let mut out = Vec::with_capacity(lines.len());
        for line in lines.split_inclusive(|&b| b == b'\n') {
            let bare = line.strip_suffix(b"\r\n").unwrap_or(line);
            match self
                .rewrites
                .iter_mut()
                .find(|r| r.times > 0 && r.line.as_bytes() == bare)
            {
                Some(r) => {
                    r.times -= 1;
                    out.extend_from_slice(r.with.as_bytes());
                    out.extend_from_slice(b"\r\n");
                }
                None => out.extend_from_slice(line),
            }
        }
        out
    }
}

/// A TCP relay from 127.0.0.1:`port` to the server: records each client read, forwards whole
/// lines (rewritten where asked), and passes the server's replies and its hang-ups back.
pub struct Relay {
    pub port: u16,
    state: Arc<Mutex<RelayState>>,
}

/// One MAIL FROM as the client wrote it.
#[derive(Debug)]
pub struct Group {
    /// The relay's connection number.
    pub conn: usize,
    /// The RCPT TO addresses in the same write.
    pub rcpts: Vec<String>,
    /// MAIL, every RCPT and DATA in one write, and nothing else.
    pub pipelined: bool,
}

impl Relay {
    pub async fn start(upstream: u16, rewrites: Vec<Rewrite>) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(RelayState {
            rewrites,
            ..RelayState::default()
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
                else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let conn = {
                    let mut s = shared.lock().unwrap();
                    s.connections += 1;
                    s.connections - 1
                };
                let (mut from_client, mut to_client) = client.into_split();
                let (mut from_server, mut to_server) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
                    let _ = to_client.shutdown().await;
                });
                let shared = shared.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 1 << 18];
                    let mut pending = Vec::new();
                    loop {
                        let n = match from_client.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        pending.extend_from_slice(&buf[..n]);
                        let out = {
                            let mut s = shared.lock().unwrap();
                            s.reads.push((conn, buf[..n].to_vec()));
                            s.complete_lines(&mut pending)
                        };
                        if to_server.write_all(&out).await.is_err() {
                            break;
                        }
                    }
                    let _ = to_server.shutdown().await;
                });
            }
        });
        Relay { port, state }
    }

    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    pub fn reads(&self) -> Vec<(usize, Vec<u8>)> {
        self.state.lock().unwrap().reads.clone()
    }

    /// Every transaction the clients started, in the order they started: a MAIL that opens a
    /// client write, or that follows the previous message's terminator in the same write
    /// (RFC 2920 lets message content open a group).
    pub fn groups(&self) -> Vec<Group> {
        self.reads()
            .into_iter()
            .filter_map(|(conn, r)| {
                if r.starts_with(b"MAIL FROM:") {
                    return Some((conn, r));
                }
                let end = r.windows(5).position(|w| w == b"\r\n.\r\n")? + 5;
                r[end..]
                    .starts_with(b"MAIL FROM:")
                    .then(|| (conn, r[end..].to_vec()))
            })
            .map(|(conn, r)| {
                let text = String::from_utf8_lossy(&r);
                let lines: Vec<&str> = text.split_terminator("\r\n").collect();
                let rcpts: Vec<String> = lines
                    .iter()
                    .filter_map(|l| l.strip_prefix("RCPT TO:<"))
                    .map(|a| a.trim_end_matches('>').to_string())
                    .collect();
                let pipelined = text.ends_with("\r\n")
                    && lines.len() == rcpts.len() + 2
                    && lines.last() == Some(&"DATA")
                    && !rcpts.is_empty();
                Group {
                    conn,
                    rcpts,
                    pipelined,
                }
            })
            .collect()
    }
}
