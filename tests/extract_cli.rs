//! Runs the built `paperboy extract` on the seed pages, a GB18030 page and a binary file, and
//! checks the JSON contract, the one-line error naming the failing file and the exit status.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should stop the test

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn paperboy() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paperboy"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn seeds() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

const GB_PAGE: &str = "丽水日报社 中共青田县委 联办\r\n\r\n二〇二三年三月九日 星期四\r\n\r\n# 青田侨乡春耕忙\r\n\r\n■记者 张明远\r\n\r\n本报讯 近日，青田县各乡镇抢抓农时，\r\n田间地头一派繁忙景象。\r\n\r\n（下转第2版）\r\n";

#[test]
fn extracts_seeds_and_gb18030_and_names_the_file_that_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let gb = tmp.path().join("qingtian.txt");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(GB_PAGE);
    assert!(!unmappable);
    std::fs::write(&gb, &bytes).unwrap();
    let bin = tmp.path().join("photo.jpg");
    std::fs::write(
        &bin,
        [
            0xFFu8, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 0x80, 0x81,
        ],
    )
    .unwrap();

    let mut files = seeds();
    assert_eq!(files.len(), 5);
    files.push(bin.clone());
    files.push(gb.clone());
    let out = paperboy()
        .arg("extract")
        .arg("--format")
        .arg("json")
        .args(&files)
        .output()
        .unwrap();

    assert_eq!(out.status.code(), Some(1), "one file failed: exit status 1");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("photo.jpg")).collect();
    assert_eq!(errors.len(), 1, "one line names the binary file: {stderr}");
    assert!(errors[0].contains("not text"), "{stderr}");

    let pages: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages = pages.as_array().unwrap();
    assert_eq!(pages.len(), 6, "five seeds and the GB18030 page");
    let total: usize = pages[..5]
        .iter()
        .map(|p| p["articles"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 34, "the seeds hold 34 articles");

    let masthead = pages
        .iter()
        .find(|p| p["source"].as_str().unwrap().contains("003_"))
        .unwrap();
    assert_eq!(masthead["date"], "2022-06-28");
    assert_eq!(masthead["date_source"], "masthead");
    assert_eq!(masthead["paper"], "嘉兴日报·平湖版");
    for p in &pages[..5] {
        if !p["source"].as_str().unwrap().contains("003_") {
            assert_ne!(
                p["date_source"], "masthead",
                "{} prints no date",
                p["source"]
            );
        }
        for a in p["articles"].as_array().unwrap() {
            for key in [
                "title", "kicker", "subtitle", "byline", "kind", "regions", "body",
            ] {
                assert!(a.get(key).is_some(), "article field {key} missing");
            }
            assert!(!a["body"].as_str().unwrap().is_empty());
        }
    }

    let gbp = &pages[5];
    assert_eq!(gbp["encoding"], "gb18030");
    assert_eq!(gbp["paper"], "丽水日报·青田版");
    assert_eq!(gbp["date"], "2023-03-09");
    assert_eq!(gbp["date_source"], "masthead");
    let arts = gbp["articles"].as_array().unwrap();
    assert_eq!(arts.len(), 1);
    assert_eq!(arts[0]["title"], "青田侨乡春耕忙");
    assert_eq!(arts[0]["byline"], serde_json::json!(["张明远"]));
    assert_eq!(
        arts[0]["body"],
        "近日，青田县各乡镇抢抓农时，田间地头一派繁忙景象。"
    );
}

#[test]
fn date_flag_is_metadata_and_text_format_shows_each_article() {
    let seed = &seeds()[3];
    let out = paperboy()
        .args(["extract", "--date", "2022-07-01", "--format", "json"])
        .arg(seed)
        .output()
        .unwrap();
    assert!(out.status.success());
    let pages: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pages[0]["date"], "2022-07-01");
    assert_eq!(pages[0]["date_source"], "metadata");

    let out = paperboy()
        .args(["extract", "--format", "text"])
        .arg(seed)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("平湖首个顶尖人才 项目签约落户"));
    assert!(text.contains("8 articles"), "{text}");
    let numbered = text
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && l.contains(". "))
        .count();
    assert_eq!(numbered, 8, "one block per article");
}

#[test]
fn a_missing_file_fails_alone() {
    let out = paperboy()
        .args(["extract", "--format", "json", "no/such/page.txt"])
        .arg(&seeds()[0])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("no/such/page.txt"))
            .count(),
        1,
        "{stderr}"
    );
    let pages: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pages.as_array().unwrap().len(), 1);
}
