//! What the command line says: the real binary, run in a fresh directory against SQLite.
//! `subscribers add` on an existing subscriber adds regions (`--replace` replaces) and says
//! what changed; empty lists say so; `serve` and `ingest` name their database and config;
//! errors name the expected date form, the config key and line, an OS error once and a failed
//! file once; a closed pipe is not an error; `serve` checks its address before ingesting.
//! See: issue 11, "Subscribers and the CLI".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn paperboy(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env("PAPERBOY_LOG", "warn")
        .stdin(Stdio::null())
        .args(args)
        .output()
        .unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn seeds() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .display()
        .to_string()
}

#[test]
fn subscribers_add_adds_regions_and_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let (code, out, err) = paperboy(cwd, &["subscribers", "list"]);
    assert_eq!((code, out.trim()), (0, "no subscribers"), "{err}");

    let add = |regions: &[&str], extra: &[&str]| {
        let mut args = vec!["subscribers", "add", "a@example.com"];
        for r in regions {
            args.extend(["--region", r]);
        }
        args.push("--confirmed");
        args.extend(extra);
        paperboy(cwd, &args)
    };
    let (code, out, err) = add(&["jiande", "tonglu", "pinghu"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("added subscriber"), "{out}");

    // Adding one more region keeps the three.
    let (code, out, err) = add(&["qiantang"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("added 钱塘区;"), "{out}");
    let (_, list, _) = paperboy(cwd, &["subscribers", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(v[0]["regions"].as_array().unwrap().len(), 4, "{list}");

    // A region already held changes nothing, and says so.
    let (_, out, _) = add(&["jiande"], &[]);
    assert!(out.contains("regions unchanged"), "{out}");

    // --replace replaces, naming what went.
    let (code, out, err) = add(&["jiande"], &["--replace"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("removed"), "{out}");
    assert!(out.trim_end().ends_with("now 建德市"), "{out}");
    let (_, list, _) = paperboy(cwd, &["subscribers", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(v[0]["regions"], serde_json::json!(["330182"]));
}

#[test]
fn lists_say_when_empty_and_counts_agree_in_number() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let (code, out, err) = paperboy(cwd, &["editions"]);
    assert_eq!((code, out.trim()), (0, "no editions"), "{err}");

    let (code, out, err) = paperboy(cwd, &["ingest", &seeds()]);
    assert_eq!(code, 0, "{err}");
    // Where the data went, and from which configuration.
    let db = cwd.join("data/paperboy.db");
    assert!(
        err.contains(&format!("database: SQLite {}", db.display())),
        "{err}"
    );
    assert!(err.contains("config: built-in defaults"), "{err}");
    assert!(out.contains("ingested 5 pages"), "{out}");

    let (_, out, _) = paperboy(cwd, &["editions"]);
    assert!(!out.contains(" 1 articles"), "{out}");
    assert!(out.lines().any(|l| l.ends_with(" 1 article")), "{out}");
}

#[test]
fn errors_name_what_is_expected_once() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let (code, _, err) = paperboy(cwd, &["ingest", "--date", "2023/08/12", "x.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected YYYY-MM-DD, got 2023/08/12"), "{err}");
    let (code, _, err) = paperboy(cwd, &["pages", "set-date", "p.txt", "12.08.2023"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected YYYY-MM-DD, got 12.08.2023"), "{err}");

    std::fs::write(cwd.join("c.toml"), "# paperboy\n[server]\nbind = 8080\n").unwrap();
    let (code, _, err) = paperboy(cwd, &["--config", "c.toml", "editions"]);
    assert_eq!(code, 2);
    assert!(err.contains("line 3, key server.bind"), "{err}");

    // An OS error is said once, with its path once.
    std::fs::write(cwd.join("file"), "").unwrap();
    std::fs::write(
        cwd.join("d.toml"),
        "[storage]\nurl = \"sqlite://file/sub/paperboy.db\"\n",
    )
    .unwrap();
    let (code, _, err) = paperboy(cwd, &["--config", "d.toml", "editions"]);
    assert_eq!(code, 1);
    assert_eq!(err.matches("os error").count(), 1, "{err}");

    // A failed file is reported once, naming its path once.
    let (code, out, err) = paperboy(cwd, &["ingest", "missing.txt"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(err.matches("missing.txt").count(), 1, "{err}");
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let (code, _, err) = paperboy(cwd, &["ingest", &seeds()]);
    assert_eq!(code, 0, "{err}");
    // `paperboy editions | head -0`: the reader is gone before the first line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env("PAPERBOY_LOG", "warn")
        .arg("editions")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(
        !err.contains("Broken pipe") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn serve_checks_its_address_before_ingesting() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    std::fs::write(
        cwd.join("config.toml"),
        format!("[ingest]\ninbox = \"{}\"\n", seeds()),
    )
    .unwrap();
    let (code, _, err) = paperboy(cwd, &["serve", "--bind", &addr]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    // Nothing was ingested (nor the database even created).
    assert!(!cwd.join("data/paperboy.db").exists(), "{err}");
}

#[test]
fn every_flag_has_help_with_an_example() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in [
        &["ingest"][..],
        &["editions"],
        &["serve"],
        &["export"],
        &["subscribers", "add"],
        &["subscribers", "list"],
        &["digest", "send"],
        &["extract"],
        &["eval"],
        &["fit"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let (code, out, _) = paperboy(dir.path(), &args);
        assert_eq!(code, 0);
        let options = out.split("Options:").nth(1).unwrap_or("");
        // Each option's help (up to the next option) shows an example: `e.g.` or `Example`.
        let mut blocks: Vec<String> = Vec::new();
        for line in options.lines() {
            let t = line.trim_start();
            // An option (`-x`, `--name`), not a listed value (`- rules: …`).
            if t.starts_with("--") || (t.starts_with('-') && !t.starts_with("- ")) {
                blocks.push(line.to_string());
            } else if let Some(b) = blocks.last_mut() {
                b.push_str(line);
            }
        }
        for b in blocks {
            if b.contains("--help") || b.contains("--version") {
                continue;
            }
            assert!(
                b.contains("e.g.") || b.contains("paperboy "),
                "{cmd:?}: no example in {b}"
            );
        }
    }
}
