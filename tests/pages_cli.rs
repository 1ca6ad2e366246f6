//! `paperboy ingest`, `editions` and `pages set-date` on what is not a plain new page: a copy of
//! a seed page under another name, a page that prints no date, a text file that is no page.
//! The real binary, into SQLite and, when `PAPERBOY_TEST_POSTGRES` is set, PostgreSQL.
//! See: issue 11, "Data quality".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use paperboy::store::Store;

const JIANDE_PAGE: &str = "000_8bd78546456298dc.txt";
const UNDATED_PAGE: &str = "002_51ed94c92ab269c1.txt";

fn seed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(name)
}

/// The binary, run in `cwd` (no config.toml there: built-in defaults) against `db`.
fn paperboy(cwd: &Path, db: &str, args: &[&str]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .current_dir(cwd)
        .env("DATABASE_URL", db)
        .env("PAPERBOY_LOG", "error")
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

/// `ingested N pages (M articles): a new, b unchanged, c replaced; d failed` → numbers.
fn summary(stdout: &str) -> [usize; 6] {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("ingested "))
        .unwrap_or_else(|| panic!("no summary in {stdout:?}"));
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    nums.try_into()
        .unwrap_or_else(|_| panic!("summary {line:?}"))
}

/// `editions --format json` as (region, date, articles).
fn editions(cwd: &Path, db: &str, region: &str) -> Vec<(String, String, i64)> {
    let (code, json, err) = paperboy(
        cwd,
        db,
        &["editions", "--region", region, "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    rows.iter()
        .map(|r| {
            (
                r["region"].as_str().unwrap().to_string(),
                r["date"].as_str().unwrap().to_string(),
                r["articles"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Runs `case` against a fresh SQLite file and, when configured, a fresh PostgreSQL schema.
async fn on_both(case: fn(&Path, &str)) {
    let tmp = tempfile::tempdir().unwrap();
    case(
        tmp.path(),
        &format!("sqlite://{}/pb.db", tmp.path().display()),
    );
    let Ok(base) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL half");
        return;
    };
    let schema = format!(
        "pb_pages_cli_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let store = Store::connect_postgres_schema(&base, &schema)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let tmp = tempfile::tempdir().unwrap();
    let result = std::panic::catch_unwind(|| case(tmp.path(), &url));
    store.close().await;
    paperboy::store::drop_postgres_schema(&base, &schema)
        .await
        .unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

fn copy_is_unchanged_and_named(dir: &Path, db: &str) {
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::copy(seed(JIANDE_PAGE), inbox.join(JIANDE_PAGE)).unwrap();
    let (code, out, err) = paperboy(dir, db, &["ingest", "inbox"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), [1, 5, 1, 0, 0, 0]);
    let before = editions(dir, db, "jiande");
    assert_eq!(before, [("330182".into(), "2021-01-08".into(), 5)]);

    // The same page under another name, with CRLF line ends and extra blank lines.
    let text = std::fs::read_to_string(seed(JIANDE_PAGE)).unwrap();
    let copy = text.replace('\n', "\r\n\r\n") + "\r\n\r\n\r\n";
    std::fs::write(dir.join("jiande-copy.txt"), copy).unwrap();
    let (code, out, err) = paperboy(dir, db, &["ingest", "jiande-copy.txt"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), [1, 0, 0, 1, 0, 0], "{out}");
    let expected = format!(
        "unchanged: jiande-copy.txt: same text as inbox/{JIANDE_PAGE} (page {JIANDE_PAGE}), \
         already stored; nothing stored"
    );
    assert!(out.lines().any(|l| l == expected), "{out}");
    assert_eq!(editions(dir, db, "jiande"), before);

    // Both together again: the original unchanged, the copy still a copy; counts the same.
    let (code, out, _) = paperboy(dir, db, &["ingest", "inbox", "jiande-copy.txt"]);
    assert_eq!(code, 0);
    assert_eq!(summary(&out), [2, 5, 0, 2, 0, 0], "{out}");
    assert_eq!(editions(dir, db, "jiande"), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_under_another_name_is_reported_unchanged_and_changes_no_count() {
    on_both(copy_is_unchanged_and_named).await;
}

fn undated_is_listed_apart_until_dated(dir: &Path, db: &str) {
    std::fs::copy(seed(UNDATED_PAGE), dir.join(UNDATED_PAGE)).unwrap();
    let (code, out, err) = paperboy(dir, db, &["ingest", UNDATED_PAGE]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), [1, 6, 1, 0, 0, 0]);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let note = out
        .lines()
        .find(|l| l.starts_with("undated: "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        note.contains(UNDATED_PAGE) && note.contains(&format!("ingested {today}")),
        "{note}"
    );
    assert!(note.contains(&format!(
        "paperboy pages set-date {UNDATED_PAGE} YYYY-MM-DD"
    )));

    // In no edition (today's included); listed apart with its ingest day.
    assert!(editions(dir, db, "qiantang").is_empty());
    let (code, text, _) = paperboy(dir, db, &["editions"]);
    assert_eq!(code, 0);
    let line = text
        .lines()
        .find(|l| l.starts_with("undated ") && l.contains("qiantang"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("6 articles") && line.contains(UNDATED_PAGE),
        "{line}"
    );
    assert!(line.contains(&format!("ingested {today}")), "{line}");
    let (_, json, _) = paperboy(dir, db, &["editions", "--undated", "--format", "json"]);
    let undated: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(undated[0]["region"], "330114");
    assert_eq!(undated[0]["page"], UNDATED_PAGE);
    assert_eq!(undated[0]["ingested"], today.to_string());
    assert_eq!(undated[0]["articles"], 6);

    // Dated by the operator: filed under the date, off the undated list.
    let (code, out, err) = paperboy(dir, db, &["pages", "set-date", UNDATED_PAGE, "2021-12-10"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        format!(
            "{UNDATED_PAGE}: 6 articles filed under 2021-12-10 (was undated, ingested {today})"
        )
    );
    assert_eq!(
        editions(dir, db, "qiantang"),
        [("330114".into(), "2021-12-10".into(), 6)]
    );
    let (_, json, _) = paperboy(dir, db, &["editions", "--undated", "--format", "json"]);
    assert_eq!(json.trim(), "[]");
    // Ingesting the same file again keeps the date it was given.
    let (code, out, _) = paperboy(dir, db, &["ingest", UNDATED_PAGE]);
    assert_eq!((code, summary(&out)), (0, [1, 6, 0, 1, 0, 0]));
    assert!(!out.contains("undated:"), "{out}");
    assert_eq!(editions(dir, db, "qiantang")[0].1, "2021-12-10");

    // An unknown page is a usage error naming it.
    let (code, _, err) = paperboy(dir, db, &["pages", "set-date", "nope.txt", "2021-12-10"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nope.txt"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undated_page_is_listed_apart_and_set_date_files_it() {
    on_both(undated_is_listed_apart_until_dated).await;
}

#[test]
fn ingest_date_flag_dates_a_page_that_prints_none() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::copy(seed(UNDATED_PAGE), dir.join("qt.txt")).unwrap();
    let db = format!("sqlite://{}/pb.db", dir.display());
    let (code, out, _) = paperboy(dir, &db, &["ingest", "--date", "2021-12-09", "qt.txt"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("undated:"), "{out}");
    assert_eq!(
        editions(dir, &db, "qiantang"),
        [("330114".into(), "2021-12-09".into(), 6)]
    );
    let (_, json, _) = paperboy(dir, &db, &["editions", "--undated", "--format", "json"]);
    assert_eq!(json.trim(), "[]");
}

#[test]
fn text_without_articles_is_skipped_with_its_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("notes.md"), "hello world\n").unwrap();
    std::fs::copy(seed(JIANDE_PAGE), inbox.join(JIANDE_PAGE)).unwrap();
    let db = format!("sqlite://{}/pb.db", dir.display());
    let (code, out, err) = paperboy(dir, &db, &["ingest", "inbox"]);
    assert_eq!(code, 1, "exit status of a failed file: {out}{err}");
    assert_eq!(summary(&out), [1, 5, 1, 0, 0, 1], "{out}");
    let line = err
        .lines()
        .find(|l| l.contains("notes.md"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.starts_with("failed: inbox/notes.md: no article-like text"),
        "{line}"
    );
    assert!(line.contains("20 or more Chinese characters"), "{line}");
    // Nothing of it is stored: the one page is the seed's.
    assert_eq!(
        editions(dir, &db, "jiande"),
        [("330182".into(), "2021-01-08".into(), 5)]
    );
    let (_, text, _) = paperboy(dir, &db, &["editions"]);
    assert!(!text.contains("undated"), "{text}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pages = rt.block_on(async {
        let store = Store::connect(&db).await.unwrap();
        let n = store.page_articles("notes.md").await.unwrap().len();
        (n, store.page_articles(JIANDE_PAGE).await.unwrap().len())
    });
    assert_eq!(pages, (0, 5));
}
