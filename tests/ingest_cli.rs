//! `paperboy ingest` and `paperboy editions` driven as a user would: the real binary over
//! directories of pages (copies of the seed pages), into SQLite and, when
//! `PAPERBOY_TEST_POSTGRES` is set, PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use paperboy::store::Store;

fn seeds() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

/// The binary, run in `cwd` (no config.toml there: built-in defaults) against `db`.
fn paperboy(cwd: &Path, db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paperboy"));
    cmd.current_dir(cwd)
        .env("DATABASE_URL", db)
        .env("PAPERBOY_LOG", "warn")
        .stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
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

#[test]
fn bad_file_fails_alone_and_the_rest_is_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(inbox.join("nested")).unwrap();
    let seeds = seeds();
    for (i, s) in seeds.iter().enumerate() {
        let to = if i % 2 == 0 {
            inbox.clone()
        } else {
            inbox.join("nested")
        };
        std::fs::copy(s, to.join(s.file_name().unwrap())).unwrap();
    }
    std::fs::write(inbox.join("broken.txt"), [0u8, 159, 146, 150, 0, 0, 1, 2]).unwrap();
    std::fs::write(inbox.join(".hidden.txt"), "not a page, and hidden").unwrap();
    let db = format!("sqlite://{}/data/pb.db", tmp.path().display());

    let (code, out, err) = run(paperboy(tmp.path(), &db).args(["ingest", "inbox"]));
    assert_eq!(code, 1, "stdout {out}\nstderr {err}");
    let [pages, articles, new, unchanged, replaced, failed] = summary(&out);
    assert_eq!(
        (pages, new, unchanged, replaced, failed),
        (seeds.len(), seeds.len(), 0, 0, 1)
    );
    assert!(articles >= seeds.len(), "{out}");
    assert!(
        err.contains("broken.txt"),
        "the failure names the file: {err}"
    );
    assert!(!err.contains(".hidden"), "{err}");

    // The editions list what was stored; their counts add up to the stored articles that
    // carry a region.
    let (code, json, err) = run(paperboy(tmp.path(), &db).args(["editions", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let eds: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(!eds.is_empty());
    for e in &eds {
        assert_eq!(e["region"].as_str().unwrap().len(), 6, "{e}");
        assert!(e["slug"].is_string() && e["name"].is_string(), "{e}");
        assert!(e["date"].as_str().unwrap().starts_with("20"), "{e}");
        assert!(e["articles"].as_i64().unwrap() >= 1);
    }
    let dates: Vec<&str> = eds.iter().map(|e| e["date"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");

    // A region by slug aggregates; by code the same; unknown is a usage error.
    let jiande = eds
        .iter()
        .find(|e| e["region"] == "330182")
        .expect("a 建德 edition");
    assert_eq!(jiande["slug"], "jiande");
    let (code, by_slug, _) =
        run(paperboy(tmp.path(), &db).args(["editions", "--region", "jiande", "--format", "json"]));
    assert_eq!(code, 0);
    let (_, by_code, _) =
        run(paperboy(tmp.path(), &db).args(["editions", "--region", "330182", "--format", "json"]));
    assert_eq!(by_slug, by_code);
    let by_slug: Vec<serde_json::Value> = serde_json::from_str(&by_slug).unwrap();
    assert_eq!(by_slug[0]["articles"], jiande["articles"]);
    let (code, _, err) = run(paperboy(tmp.path(), &db).args(["editions", "--region", "atlantis"]));
    assert_eq!(code, 2);
    assert!(err.contains("atlantis"), "{err}");

    // Again: nothing changes; the bad file still fails alone.
    let (code, out, _) = run(paperboy(tmp.path(), &db).args(["ingest", "inbox"]));
    assert_eq!(code, 1);
    assert_eq!(summary(&out), [seeds.len(), articles, 0, seeds.len(), 0, 1]);
    // Without the bad file the run succeeds.
    std::fs::remove_file(inbox.join("broken.txt")).unwrap();
    let (code, out, _) = run(paperboy(tmp.path(), &db).args(["ingest", "inbox"]));
    assert_eq!(code, 0, "{out}");
}

/// Articles per page key, straight from the database (what a half-written page would break).
async fn articles_per_page(store: &Store) -> BTreeMap<String, i64> {
    let sql = "SELECT p.key, COUNT(a.id) FROM pages p LEFT JOIN articles a ON a.page_key = p.key \
               GROUP BY p.key";
    let rows: Vec<(String, i64)> = match store {
        Store::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Store::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    };
    rows.into_iter().collect()
}

/// A directory of `n` distinct pages: the seeds under distinct names, each with a closing
/// notice of its own (a copy of a page under another name is recognised as the same page and
/// stored once, so plain copies would not be `n` pages).
fn many_pages(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let seeds = seeds();
    for i in 0..n {
        let s = &seeds[i % seeds.len()];
        let name = format!("{i:04}_{}", s.file_name().unwrap().to_string_lossy());
        let mut text = std::fs::read_to_string(s).unwrap();
        text.push_str(&format!("\n\n本版第{i}号启事：欢迎读者来信来电。\n"));
        std::fs::write(dir.join(name), text).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_ingest_leaves_whole_pages_and_a_rerun_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 200;
    many_pages(&tmp.path().join("inbox"), n);
    let clean_url = format!("sqlite://{}/clean.db", tmp.path().display());
    let killed_url = format!("sqlite://{}/killed.db", tmp.path().display());

    // The reference: one uninterrupted run.
    let (code, out, err) = run(paperboy(tmp.path(), &clean_url).args(["ingest", "inbox"]));
    assert_eq!(code, 0, "{out}{err}");
    let clean = Store::connect(&clean_url).await.unwrap();
    let want = articles_per_page(&clean).await;
    assert_eq!(want.len(), n);

    // Killed (SIGKILL: no clean-up at all) once some pages are in.
    let killed = Store::connect(&killed_url).await.unwrap();
    let mut child = paperboy(tmp.path(), &killed_url)
        .args(["ingest", "inbox"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if articles_per_page(&killed).await.len() >= n / 4 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "ingest never stored anything"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    let partial = articles_per_page(&killed).await;
    assert!(
        !status.success() && partial.len() < n,
        "the run must be interrupted mid-way ({} of {n} pages stored)",
        partial.len()
    );
    eprintln!("killed after {} of {n} pages", partial.len());
    for (key, count) in &partial {
        assert_eq!(Some(count), want.get(key), "page {key} stored partially");
    }

    // The re-run stores the rest and ends identical to the uninterrupted run.
    let (code, out, _) = run(paperboy(tmp.path(), &killed_url).args(["ingest", "inbox"]));
    assert_eq!(code, 0);
    let [pages, _, new, unchanged, replaced, failed] = summary(&out);
    assert_eq!((pages, replaced, failed), (n, 0, 0));
    assert_eq!((new, unchanged), (n - partial.len(), partial.len()));
    assert_eq!(articles_per_page(&killed).await, want);
    // Same editions (times differ: they record when each database stored its articles).
    let editions = |store: Store| async move {
        let all = paperboy::store::EditionQuery::default();
        let eds = store.editions(&all).await.unwrap();
        eds.into_iter()
            .map(|e| (e.region, e.date, e.articles))
            .collect::<Vec<_>>()
    };
    assert_eq!(editions(killed).await, editions(clean).await);
}

/// Two `paperboy ingest` processes on the same pages at once, sharing one database.
async fn two_processes_store_one_copy(db_url: &str, store: &Store) {
    let tmp = tempfile::tempdir().unwrap();
    let n = 120;
    many_pages(&tmp.path().join("inbox"), n);
    let spawn = || {
        paperboy(tmp.path(), db_url)
            .args(["ingest", "inbox"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let sa = summary(&String::from_utf8_lossy(&a.stdout));
    let sb = summary(&String::from_utf8_lossy(&b.stdout));
    assert!(a.status.success() && b.status.success(), "{a:?}\n{b:?}");
    // Between them each page was new exactly once.
    assert_eq!(sa[2] + sb[2], n, "{sa:?} {sb:?}");
    assert_eq!(sa[4] + sb[4], 0, "nothing replaced: {sa:?} {sb:?}");
    let per_page = articles_per_page(store).await;
    assert_eq!(per_page.len(), n);
    assert_eq!(per_page.values().sum::<i64>() as usize, sa[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_into_sqlite_store_one_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/shared.db", tmp.path().display());
    let store = Store::connect(&url).await.unwrap();
    two_processes_store_one_copy(&url, &store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_into_postgres_store_one_copy() {
    let Ok(base) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        eprintln!("PAPERBOY_TEST_POSTGRES is not set: skipping the PostgreSQL two-process test");
        return;
    };
    let schema = format!(
        "pb_test_cli_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let store = Store::connect_postgres_schema(&base, &schema)
        .await
        .unwrap();
    // The processes select the schema through the URL, as an operator would.
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    two_processes_store_one_copy(&url, &store).await;
    store.close().await;
    paperboy::store::drop_postgres_schema(&base, &schema)
        .await
        .unwrap();
}

/// Several extraction threads, small batches: pages still reach the store in walk order, so
/// when two roots hold the same page key the later root wins, every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_extraction_stores_in_walk_order() {
    use paperboy::ingest::{ingest_paths, IngestOptions, Silent};
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    // Same names, different pages: b/page-i.txt holds the seed that a/page-(i+1).txt holds.
    for i in 0..seeds.len() {
        let name = format!("page-{i}.txt");
        std::fs::copy(&seeds[i], a.join(&name)).unwrap();
        std::fs::copy(&seeds[(i + 1) % seeds.len()], b.join(&name)).unwrap();
    }
    let opts = IngestOptions {
        workers: 4,
        batch_size: 3,
        ..IngestOptions::default()
    };
    let both = Store::connect(&format!("sqlite://{}/both.db", tmp.path().display()))
        .await
        .unwrap();
    let report = ingest_paths(&both, &[a.clone(), b.clone()], &opts, &Silent).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(
        (report.pages, report.new, report.replaced),
        (2 * seeds.len(), seeds.len(), seeds.len())
    );
    let only_b = Store::connect(&format!("sqlite://{}/b.db", tmp.path().display()))
        .await
        .unwrap();
    let report = ingest_paths(&only_b, &[b], &opts, &Silent).await;
    assert_eq!(report.new, seeds.len());
    assert_eq!(
        articles_per_page(&both).await,
        articles_per_page(&only_b).await
    );
}

/// A rescan skips extracting files whose bytes did not change, re-extracts an edited file, and
/// does not skip when the options change; pages stored without a source hash get one.
async fn rescan_skips_unchanged_files(store: Store) {
    use paperboy::ingest::{ingest_paths, IngestOptions, Silent};
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for (i, seed) in seeds.iter().enumerate() {
        std::fs::copy(seed, inbox.join(format!("page-{i}.txt"))).unwrap();
    }
    let n = seeds.len();
    let opts = IngestOptions::default();
    let scan = || ingest_paths(&store, std::slice::from_ref(&inbox), &opts, &Silent);
    let first = scan().await;
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    assert_eq!((first.new, first.skipped), (n, 0));

    let again = scan().await;
    assert_eq!((again.pages, again.unchanged, again.skipped), (n, n, n));
    assert_eq!(
        again.articles, first.articles,
        "skipped pages count their articles"
    );

    // Rows from before source hashes existed: extracted once (unchanged), then skipped.
    let clear = "UPDATE pages SET source_hash = NULL";
    match &store {
        Store::Sqlite(pool) => {
            sqlx::query(clear).execute(pool).await.unwrap();
        }
        Store::Postgres(pool) => {
            sqlx::query(clear).execute(pool).await.unwrap();
        }
    }
    let backfill = scan().await;
    assert_eq!((backfill.unchanged, backfill.skipped), (n, 0));
    assert_eq!(scan().await.skipped, n);

    // A file edited in place is extracted again and replaces its page.
    let edited = inbox.join("page-0.txt");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("\n\n# 更正启事\n\n本报昨日第一版报道有误，特此更正。\n");
    std::fs::write(&edited, text).unwrap();
    let after_edit = scan().await;
    assert_eq!(
        (
            after_edit.replaced,
            after_edit.unchanged,
            after_edit.skipped
        ),
        (1, n - 1, n - 1)
    );

    // Another --date is another extraction: nothing is skipped.
    let dated = IngestOptions {
        date: chrono::NaiveDate::from_ymd_opt(2021, 3, 4),
        ..IngestOptions::default()
    };
    let redated = ingest_paths(&store, std::slice::from_ref(&inbox), &dated, &Silent).await;
    assert!(redated.failed.is_empty(), "{:?}", redated.failed);
    assert_eq!((redated.skipped, redated.new, redated.pages), (0, 0, n));
    let editions = store
        .editions(&paperboy::store::EditionQuery::default())
        .await
        .unwrap();
    assert!(editions
        .iter()
        .all(|e| e.date == chrono::NaiveDate::from_ymd_opt(2021, 3, 4).unwrap()));
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rescan_skips_unchanged_files_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/rescan.db", tmp.path().display());
    rescan_skips_unchanged_files(Store::connect(&url).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rescan_skips_unchanged_files_postgres() {
    let Ok(url) = std::env::var("PAPERBOY_TEST_POSTGRES") else {
        println!("postgres part skipped: PAPERBOY_TEST_POSTGRES is not set");
        return;
    };
    let schema = format!("pb_rescan_{}", std::process::id());
    let store = Store::connect_postgres_schema(&url, &schema).await.unwrap();
    rescan_skips_unchanged_files(store).await;
    paperboy::store::drop_postgres_schema(&url, &schema)
        .await
        .unwrap();
}
