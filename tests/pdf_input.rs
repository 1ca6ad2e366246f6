//! PDF pages in: a newspaper page written here as HTML, printed to PDF by headless Chromium (as
//! e-paper systems typeset), then read by `paperboy extract`, `paperboy ingest` and
//! `POST /api/v1/pages`; and broken PDFs, which fail by name while the other files go on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chromium_support;
mod web_fixture;

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chromium_support::{chromium, CHROMIUM};
use web_fixture::fixture_with;

const PAGE: &str = r#"<!doctype html><html lang="zh"><head><meta charset="utf-8"><style>
@page { size: 560pt 760pt; margin: 0; }
body { margin: 24pt; font-family: "WenQuanYi Zen Hei", serif; font-size: 10pt; line-height: 1.5; }
.mast { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 2pt solid #000; padding-bottom: 6pt; margin-bottom: 10pt; }
.name { font-size: 40pt; font-weight: 900; line-height: 1; }
.grid { display: grid; grid-template-columns: 250pt 250pt; column-gap: 12pt; row-gap: 14pt; }
.lead { grid-column: 1 / span 2; }
.lead .text { column-count: 2; column-gap: 12pt; }
h1 { font-size: 26pt; margin: 0 0 6pt 0; text-align: center; }
h2 { font-size: 18pt; margin: 0 0 5pt 0; }
p { margin: 0; text-indent: 2em; text-align: justify; }
.by { text-indent: 0; margin-bottom: 3pt; }
.pic { background: #aaa; height: 120pt; margin-bottom: 4pt; }
.credit { text-align: right; text-indent: 0; font-size: 9pt; }
</style></head><body>
<div class="mast"><div class="name">今日建德</div><div>2024年3月5日 星期二<br>第1版 要闻</div></div>
<div class="grid">
<div class="lead"><h1>新安江街道老旧小区改造全面开工</h1>
<div class="text"><p class="by">本报记者 王明远 通讯员 陈丽</p>
<p>3月4日上午，建德市新安江街道二十个老旧小区改造项目同时开工。今年全市计划投入资金一点二亿元，惠及居民四千余户，改造内容包括雨污分流、管线入地、电梯加装和停车位增设。</p>
<p>在白沙社区施工现场，挖掘机正在清理路面，工人们忙着铺设新的排水管道。社区居民周大爷说，下雨天家门口总是积水，这回终于要彻底解决了，大家心里都高兴。</p>
<p>街道相关负责人介绍，改造工程将分三批推进，年底前全部完工。施工期间，街道安排专人每天巡查，及时回应居民诉求，尽量减少对群众生活的影响。</p>
<p>据了解，去年建德市已完成十二个小区的改造，居民满意率超过九成。今年的项目在听取居民意见的基础上，增加了适老化设施和充电桩建设内容。</p></div></div>
<div><h2>寿昌镇举办春季招聘会</h2>
<p>3月3日，建德市寿昌镇在文化广场举办春季招聘会，四十余家企业提供就业岗位一千二百多个，吸引了近两千名求职者到场咨询。</p>
<p>招聘会现场还设置了政策咨询台，工作人员为求职者讲解创业补贴和技能培训政策。当天共有三百余人与企业达成初步就业意向。（记者 李华强）</p></div>
<div><div class="pic"></div><p class="credit">张建国 摄</p><h2>春耕时节农事忙</h2>
<p>连日来，建德市大同镇的农民抓住晴好天气，翻耕土地、育秧播种，田间地头一派繁忙景象。</p></div>
</div></body></html>"#;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_paperboy"))
}

/// Prints the page to `dir/page.pdf`; `None` (with a note) where Chromium is not installed.
fn print_page(dir: &Path) -> Option<PathBuf> {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("{CHROMIUM} not found: the PDF test needs it (.ci/test installs it)");
        return None;
    }
    let html = dir.join("page.html");
    std::fs::write(&html, PAGE).unwrap();
    let pdf = dir.join("page.pdf");
    let out = chromium(
        &dir.join("profile"),
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", html.display()),
        ],
    );
    assert!(pdf.exists(), "chromium printed no PDF: {out:?}");
    Some(pdf)
}

#[test]
fn a_printed_page_becomes_its_articles() {
    let dir = tempfile::tempdir().unwrap();
    let Some(pdf) = print_page(dir.path()) else {
        return;
    };
    let out = Command::new(binary())
        .args(["extract", "--format", "json"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let pages: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let page = &pages[0];
    assert_eq!(page["encoding"], "pdf");
    assert_eq!(page["date"], "2024-03-05");
    assert_eq!(page["date_source"], "masthead");
    let articles = page["articles"].as_array().unwrap();
    let titles: Vec<&str> = articles
        .iter()
        .map(|a| a["title"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        titles,
        [
            "新安江街道老旧小区改造全面开工",
            "寿昌镇举办春季招聘会",
            "春耕时节农事忙"
        ],
        "{page:#}"
    );
    let names = |k: usize| -> Vec<&str> {
        articles[k]["byline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect()
    };
    assert_eq!(names(0), ["王明远", "陈丽"]);
    assert_eq!(names(1), ["李华强"]);
    assert_eq!(names(2), ["张建国"]);
    // The lead's two columns are read in order, its four paragraphs whole.
    let body = articles[0]["body"].as_str().unwrap();
    assert_eq!(body.split("\n\n").count(), 4, "{body}");
    assert!(body.starts_with("3月4日上午，建德市新安江街道"), "{body}");
    assert!(body.ends_with("充电桩建设内容。"), "{body}");
    assert!(!articles[1]["body"].as_str().unwrap().contains("李华强"));
    for a in articles {
        assert_eq!(a["regions"][0]["code"], "330182", "{a:#}");
    }
}

#[test]
fn ingest_stores_a_pdf_and_names_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let Some(pdf) = print_page(dir.path()) else {
        return;
    };
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::copy(&pdf, inbox.join("a.pdf")).unwrap();
    let bytes = std::fs::read(&pdf).unwrap();
    std::fs::write(inbox.join("b-truncated.pdf"), &bytes[..bytes.len() / 3]).unwrap();
    std::fs::write(
        inbox.join("c-garbage.pdf"),
        b"%PDF-1.7\n\x00\x01 not a pdf at all",
    )
    .unwrap();
    let out = Command::new(binary())
        .current_dir(dir.path())
        .env("PAPERBOY_LOG", "error")
        .args(["ingest", "inbox"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let all = format!("{stdout}\n{stderr}");
    assert!(all.contains("ingested 1 page (3 articles)"), "{all}");
    for broken in ["b-truncated.pdf", "c-garbage.pdf"] {
        let line = all
            .lines()
            .find(|l| l.contains(broken))
            .unwrap_or_else(|| panic!("{broken} not named: {all}"));
        assert!(line.contains("failed"), "{line}");
    }
    // Again: the PDF's page is known and unchanged.
    let again = Command::new(binary())
        .current_dir(dir.path())
        .env("PAPERBOY_LOG", "error")
        .args(["ingest", "inbox/a.pdf"])
        .output()
        .unwrap();
    let again = String::from_utf8_lossy(&again.stdout);
    assert!(again.contains("1 unchanged"), "{again}");
}

fn post_pdf(query: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(format!("/api/v1/pages{query}"))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, "Bearer s3cret")
        .body(Body::from(body))
        .unwrap()
}

async fn answer(r: axum::http::Response<Body>) -> (StatusCode, serde_json::Value) {
    let status = r.status();
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn the_api_takes_a_pdf_body() {
    let dir = tempfile::tempdir().unwrap();
    let Some(pdf) = print_page(dir.path()) else {
        return;
    };
    let bytes = std::fs::read(&pdf).unwrap();
    let f = fixture_with(|c| c.secrets.api_token = Some("s3cret".into())).await;
    let before = f.state.store.editions(&Default::default()).await.unwrap();

    let (status, v) = answer(
        f.call(post_pdf(
            "?page_id=jd-0305-a1",
            "application/pdf",
            bytes.clone(),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let pages = v["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 1, "{v}");
    let page = &pages[0];
    assert_eq!(page["page_id"], "jd-0305-a1");
    assert_eq!(page["outcome"], "new");
    assert_eq!(page["date"], "2024-03-05", "the masthead's date: {v}");
    let titles: Vec<&str> = page["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "新安江街道老旧小区改造全面开工",
            "寿昌镇举办春季招聘会",
            "春耕时节农事忙"
        ]
    );
    // The stored edition is there, and its article pages answer.
    let after = f.state.store.editions(&Default::default()).await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let id = page["articles"][0]["id"].as_str().unwrap();
    let (code, _, html) = f.text(&format!("/a/{id}/")).await;
    assert_eq!(code, 200);
    assert!(html.contains("新安江街道老旧小区改造全面开工"), "{html}");

    // The same PDF again is unchanged; without a page id, it is a copy of the first.
    let (status, v) = answer(
        f.call(post_pdf(
            "?page_id=jd-0305-a1",
            "application/pdf",
            bytes.clone(),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["pages"][0]["outcome"], "unchanged");
    let (status, v) = answer(
        f.call(post_pdf("", "application/octet-stream", bytes.clone()))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["pages"][0]["copy_of"], "jd-0305-a1", "{v}");

    // Broken or mislabelled bodies are refused with what was wrong, and store nothing.
    let (status, v) = answer(
        f.call(post_pdf(
            "",
            "application/pdf",
            bytes[..bytes.len() / 3].to_vec(),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"].as_str().unwrap().contains("PDF"), "{v}");
    let (status, v) = answer(
        f.call(post_pdf("", "application/pdf", b"hello".to_vec()))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"].as_str().unwrap().contains("%PDF-"), "{v}");
    let (status, v) = answer(f.call(post_pdf("", "text/plain", bytes.clone())).await).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("application/pdf"),
        "{v}"
    );
    let (status, v) = answer(
        f.call(post_pdf("?nope=1", "application/pdf", bytes.clone()))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let (status, _) = answer(
        f.call(post_pdf(
            "",
            "application/pdf",
            vec![b' '; paperboy::web::PDF_BODY_LIMIT + 1],
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        f.state
            .store
            .editions(&Default::default())
            .await
            .unwrap()
            .len(),
        after.len()
    );
}
