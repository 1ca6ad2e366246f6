//! Scanned PDF pages: a page written here is rendered to a picture by headless Chromium and
//! printed as a PDF holding only that picture (what a scanner gives). Without OCR paperboy
//! names the file and says it is a scan; with `--ocr tesseract` (or `[ingest] ocr =
//! "tesseract"`) it reads the picture through tesseract and extracts the articles.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chromium_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use chromium_support::{chromium, CHROMIUM};

const PAGE: &str = r#"<!doctype html><html lang="zh"><head><meta charset="utf-8"><style>
body { margin: 30px; width: 700px; font-family: "WenQuanYi Zen Hei", sans-serif; font-size: 20px; line-height: 1.6; background: #fff; color: #000; }
h1 { font-size: 34px; margin: 0 0 12px 0; }
.mast { font-size: 44px; font-weight: bold; border-bottom: 3px solid #000; margin-bottom: 18px; }
p { margin: 0 0 8px 0; text-indent: 2em; }
</style></head><body>
<div class="mast">今日建德 2024年3月5日</div>
<h1>寿昌镇举办春季招聘会</h1>
<p>本报讯 3月3日，建德市寿昌镇在文化广场举办春季招聘会，四十余家企业提供就业岗位一千二百多个，吸引了近两千名求职者到场咨询。</p>
<p>招聘会现场还设置了政策咨询台，工作人员为求职者讲解创业补贴和技能培训政策。当天共有三百余人与企业达成初步就业意向。</p>
<h1>大同镇农民抢抓农时春耕</h1>
<p>本报讯 连日来，建德市大同镇的农民抓住晴好天气，翻耕土地、育秧播种，田间地头一派繁忙景象。镇农技人员深入田间，指导农户科学施肥。</p>
</body></html>"#;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_paperboy"))
}

fn have_tesseract() -> bool {
    Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("chi_sim"))
}

/// Renders the page to a picture and prints a PDF holding only it; `None` (with a note) where
/// Chromium or tesseract with `chi_sim` is missing.
fn scanned_pdf(dir: &Path) -> Option<PathBuf> {
    if !Path::new(CHROMIUM).exists() || !have_tesseract() {
        eprintln!("chromium or tesseract (chi_sim) missing: the OCR test needs both (.ci/test installs them)");
        return None;
    }
    let html = dir.join("page.html");
    std::fs::write(&html, PAGE).unwrap();
    let png = dir.join("scan.png");
    let out = chromium(
        &dir.join("profile-a"),
        &[
            "--hide-scrollbars",
            "--force-device-scale-factor=2",
            "--window-size=760,620",
            &format!("--screenshot={}", png.display()),
            &format!("file://{}", html.display()),
        ],
    );
    assert!(png.exists(), "chromium took no screenshot: {out:?}");
    let wrapper = dir.join("scan.html");
    std::fs::write(
        &wrapper,
        "<!doctype html><style>@page { size: 380pt 310pt; margin: 0; } body { margin: 0; } \
         img { width: 380pt; display: block; }</style><img src=\"scan.png\">",
    )
    .unwrap();
    let pdf = dir.join("scan.pdf");
    let out = chromium(
        &dir.join("profile-b"),
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", wrapper.display()),
        ],
    );
    assert!(pdf.exists(), "chromium printed no PDF: {out:?}");
    Some(pdf)
}

#[test]
fn a_scanned_page_is_named_without_ocr_and_read_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let Some(pdf) = scanned_pdf(dir.path()) else {
        return;
    };

    // OCR off (the default): the file fails, named, as a scan.
    let out = Command::new(binary())
        .args(["extract", "--format", "json"])
        .arg(&pdf)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("scan.pdf"), "{stderr}");
    assert!(stderr.contains("a scanned page"), "{stderr}");
    assert!(stderr.contains("ocr"), "says how to read it: {stderr}");

    // OCR on: tesseract reads the picture and the page becomes its articles.
    let out = Command::new(binary())
        .args(["extract", "--format", "json", "--ocr", "tesseract"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let pages: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let page = &pages[0];
    assert_eq!(page["encoding"], "pdf");
    assert!(
        page["warnings"][0].as_str().unwrap().contains("OCR"),
        "{page}"
    );
    let articles = page["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 2, "{page:#}");
    let titles: Vec<String> = articles
        .iter()
        .map(|a| a["title"].as_str().unwrap_or("").replace(' ', ""))
        .collect();
    assert!(titles[0].contains("春季招聘会"), "{titles:?}");
    assert!(titles[1].contains("春耕"), "{titles:?}");
    let body = articles[0]["body"].as_str().unwrap().replace(' ', "");
    assert!(body.contains("求职者"), "{body}");
    assert_eq!(articles[0]["regions"][0]["code"], "330182", "{page:#}");

    // Through the configuration, ingest stores it.
    std::fs::write(
        dir.path().join("config.toml"),
        "[ingest]\nocr = \"tesseract\"\n",
    )
    .unwrap();
    let out = Command::new(binary())
        .current_dir(dir.path())
        .env("PAPERBOY_LOG", "error")
        .args(["ingest", "scan.pdf"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("ingested 1 page (2 articles)"), "{stdout}");
}
