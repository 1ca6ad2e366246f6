//! The operator commands end to end through the real binary: `subscribers add|list|remove`
//! and `digest send [--dry-run] [--date D]` against an in-process SMTP server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use std::process::Command;

use paperboy::store::Store;

use mail_support::*;

struct Cli {
    dir: tempfile::TempDir,
    config: std::path::PathBuf,
    db_url: String,
}

impl Cli {
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("PAPERBOY_SECRET", "cli-secret")
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn setup(server: &SmtpServer) -> Cli {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let outbox = dir.path().join("outbox");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nbase_url = \"https://news.example.org\"\n\
             [storage]\nurl = \"sqlite://{}\"\n\
             [render]\ntemplates = \"{}\"\n\
             [mail]\nenabled = true\ntransport = \"smtp\"\nsmtp_url = \"smtp://127.0.0.1:{}\"\n\
             from = \"paperboy <digest@example.org>\"\noutbox = \"{}\"\n",
            db.display(),
            dir.path().join("no-templates").display(),
            server.port,
            outbox.display()
        ),
    )
    .unwrap();
    Cli {
        db_url: format!("sqlite://{}", db.display()),
        dir,
        config,
    }
}

#[tokio::test]
async fn operators_add_list_send_and_remove_subscribers() {
    let server = SmtpServer::start();
    let cli = setup(&server);
    let store = Store::connect(&cli.db_url).await.unwrap();
    ingest(
        &store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;

    let (code, out, err) = cli.run(&[
        "subscribers",
        "add",
        "ops@example.org",
        "--region",
        "jiande",
        "--confirmed",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = cli.run(&[
        "subscribers",
        "add",
        "new@example.org",
        "--region",
        "建德市",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        server.messages_to("new@example.org").len(),
        1,
        "confirmation mail"
    );

    // Bad input is a usage error and stores nothing.
    let (code, _, err) = cli.run(&[
        "subscribers",
        "add",
        "a@example.org, b@example.org",
        "--region",
        "jiande",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = cli.run(&[
        "subscribers",
        "add",
        "a@example.org",
        "--region",
        "atlantis",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("atlantis"), "{err}");
    // Several addresses are all checked first: one bad address and none is added.
    let (code, _, err) = cli.run(&[
        "subscribers",
        "add",
        "c@example.org",
        "not-an-address",
        "--region",
        "jiande",
        "--confirmed",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not-an-address"), "{err}");

    let (code, out, _) = cli.run(&["subscribers", "list", "--format", "json"]);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["email"], "ops@example.org");
    assert_eq!(rows[0]["confirmed"], true);
    assert_eq!(rows[0]["regions"][0], JIANDE);
    assert_eq!(rows[1]["confirmed"], false);

    // Dry run: an .eml in the outbox, nothing over SMTP.
    let (code, out, err) = cli.run(&["digest", "send", "--dry-run", "--date", "2022-06-28"]);
    assert_eq!(code, 0, "{out}{err}");
    let emls = std::fs::read_dir(cli.dir.path().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(emls, 1);
    assert!(server.messages_to("ops@example.org").is_empty());

    // The real send, twice: one digest to the confirmed address only.
    for _ in 0..2 {
        let (code, out, err) = cli.run(&["digest", "send", "--date", "2022-06-28"]);
        assert_eq!(code, 0, "{out}{err}");
    }
    assert_eq!(server.messages_to("ops@example.org").len(), 1);
    assert_eq!(server.messages_to("new@example.org").len(), 1);

    let (code, _, _) = cli.run(&["subscribers", "remove", "ops@example.org"]);
    assert_eq!(code, 0);
    let (code, _, _) = cli.run(&["subscribers", "remove", "ops@example.org"]);
    assert_eq!(code, 1, "removing an unknown address is reported");
    assert_eq!(store.subscribers().await.unwrap().len(), 1);
}
