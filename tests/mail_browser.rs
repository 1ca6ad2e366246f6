//! The digest's HTML in a real browser: a dry run writes a subscriber's digest of two regions
//! and four editions (with headlines that break naive narrow layouts: a long unbroken Chinese
//! one, a long Latin word, a URL) as an .eml file; the test takes the text/html part out with
//! mail_parser, as a mail client would, and loads it in headless Chromium at phone width (390)
//! and desktop width (1280). A script appended by the test measures the layout; the dumped DOM
//! gives the text and links; a 390×844 screenshot is checked to be a real picture. Skipped,
//! with a note, only when Chromium is not installed (`.ci/test` installs it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chromium_support;
mod mail_support;

use std::path::Path;

use mail_parser::MimeHeaders;
use paperboy::mail::scheduler::{run_day, RunOptions};
use paperboy::mail::subscribe;

use chromium_support::CHROMIUM;
use mail_support::*;

const BASE: &str = "https://news.example.org";

/// ~90 characters without a break opportunity other than between CJK characters.
const LONG_CJK: &str = "建德市新安江街道白沙社区联合市场监督管理局综合行政执法局公安局消防救援大队开展沿街商铺燃气安全隐患排查整治百日攻坚专项行动并同步推进老旧小区加装电梯和背街小巷改造提升工程";
/// One Latin "word" far wider than a phone.
const LONG_LATIN: &str =
    "平湖PinghuEconomicAndTechnologicalDevelopmentZoneInternationalCooperationIndustrialPark正式揭牌";
/// A URL in a headline, as papers print them (with an `&` to be escaped on the way).
const URL_TITLE: &str = "平湖政务服务网上线https://zwfw.pinghu.gov.cn/col/col1229185917/index.html?uid=5788426&pageNum=2办事指南";

/// (region, slug, date, headlines) of the editions the digest lists.
const EDITIONS: [(&str, &str, &str, &[&str]); 4] = [
    (
        JIANDE,
        "jiande",
        "2022-06-27",
        &[
            "新安江畔开新局",
            "建德召开文明城市推进会",
            "梅城古镇迎来暑期游客高峰",
        ],
    ),
    (
        JIANDE,
        "jiande",
        "2022-06-28",
        &[
            LONG_CJK,
            "建德草莓小镇举办农民丰收节",
            "寿昌镇推进“共富工坊”建设",
        ],
    ),
    (
        PINGHU,
        "pinghu",
        "2022-06-27",
        &[
            LONG_LATIN,
            "平湖深化文明城市建设",
            "乍浦港区集装箱吞吐量创新高",
        ],
    ),
    (
        PINGHU,
        "pinghu",
        "2022-06-28",
        &[URL_TITLE, "当湖街道开展夏季消防演练"],
    ),
];

/// Appended before `</body>`: records on `<body>` the viewport width, the document's scroll
/// width, how far right (and left) any piece of rendered text reaches, the smallest font size
/// of any text, and how many links look like the text around them (same colour, no underline).
const PROBE: &str = r#"<script>
(function () {
  var b = document.body, vw = window.innerWidth;
  var right = 0, left = 1e9, minFont = 1e9, plain = 0;
  var walk = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
  for (var n = walk.nextNode(); n; n = walk.nextNode()) {
    var el = n.parentElement;
    if (!n.data.trim() || el.tagName === 'SCRIPT') continue;
    var range = document.createRange();
    range.selectNodeContents(n);
    var rects = range.getClientRects();
    for (var i = 0; i < rects.length; i++) {
      right = Math.max(right, rects[i].right);
      left = Math.min(left, rects[i].left);
    }
    minFont = Math.min(minFont, parseFloat(getComputedStyle(el).fontSize));
  }
  var links = document.querySelectorAll('a');
  for (var j = 0; j < links.length; j++) {
    var a = getComputedStyle(links[j]), p = getComputedStyle(links[j].parentElement);
    if (a.textDecorationLine.indexOf('underline') < 0 && a.color === p.color) plain++;
  }
  b.setAttribute('data-vw', vw);
  b.setAttribute('data-sw', document.documentElement.scrollWidth);
  b.setAttribute('data-text-right', Math.ceil(right));
  b.setAttribute('data-text-left', Math.floor(left));
  b.setAttribute('data-min-font', minFont);
  b.setAttribute('data-plain-links', plain);
})();
</script>
"#;

/// Chromium with scrollbars hidden (they would take width from the page); it must succeed.
fn chromium(profile: &Path, args: &[&str]) -> std::process::Output {
    let args: Vec<&str> = std::iter::once("--hide-scrollbars")
        .chain(args.iter().copied())
        .collect();
    let out = chromium_support::chromium(profile, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The DOM after load at `width`×844.
fn dump_dom(profile: &Path, page: &Path, width: u32) -> String {
    let size = format!("--window-size={width},844");
    let url = format!("file://{}", page.display());
    let out = chromium(profile, &["--dump-dom", &size, &url]);
    String::from_utf8(out.stdout).unwrap()
}

/// A page showing `html` in a 390×844 frame, that replaces itself by the frame's document
/// once loaded (so `--dump-dom` shows the digest as laid out and measured at 390 px).
/// Headless Chromium makes no window narrower than 500 px whatever `--window-size` says
/// (only `--screenshot` resizes the view to it), but a frame is exactly as wide as it is
/// told; a `srcdoc` frame shares its parent's origin, so the parent can read it.
fn phone_frame(html: &str) -> String {
    let srcdoc = escape(html).replace('"', "&quot;");
    format!(
        "<!doctype html><html><body style=\"margin:0\">\
         <iframe id=\"phone\" style=\"width:390px;height:844px;border:0\" srcdoc=\"{srcdoc}\"></iframe>\
         <script>window.addEventListener('load', function () {{\
         var d = document.getElementById('phone').contentDocument;\
         document.documentElement.replaceWith(document.importNode(d.documentElement, true));\
         }});</script></body></html>"
    )
}

/// A number the probe wrote on `<body>`.
fn measure(dom: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let start = dom
        .find(&key)
        .unwrap_or_else(|| panic!("probe did not run: no {name}\n{dom}"))
        + key.len();
    let end = start + dom[start..].find('"').unwrap();
    dom[start..end].parse().unwrap()
}

/// Text and attribute values as Chromium serialises them.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Every `<a>` of the dumped DOM as (href, text), entities in the href decoded.
fn links(dom: &str) -> Vec<(String, String)> {
    dom.split("<a ")
        .skip(1)
        .map(|rest| {
            let start = rest.find("href=\"").expect("every link has an href") + 6;
            let end = start + rest[start..].find('"').unwrap();
            let text_start = rest.find('>').unwrap() + 1;
            let text_end = rest.find("</a>").unwrap();
            (
                rest[start..end].replace("&amp;", "&"),
                rest[text_start..text_end].to_string(),
            )
        })
        .collect()
}

/// A dry run's digest for a subscriber of 建德市 and 平湖市: (raw message, its HTML part).
async fn digest(dir: &Path) -> (Vec<u8>, String) {
    let server = SmtpServer::start();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let store = paperboy::store::Store::connect(&url).await.unwrap();
    let (_state, ctx) = app_state(store, config(&url, &server, &dir.join("outbox")));
    for (region, slug, date, titles) in EDITIONS {
        ingest(
            &ctx.store,
            &format!("{slug}-{date}"),
            day(date),
            region,
            titles,
        )
        .await;
    }
    let now = chrono::Utc::now().timestamp();
    subscribe::add(&ctx, "reader@example.org", &["jiande", "平湖市"], true, now)
        .await
        .unwrap();
    let mut opts = RunOptions::new(day("2022-06-28"));
    opts.dry_run = true;
    let report = run_day(&ctx, &opts).await.unwrap();
    assert_eq!(report.sent, 1);
    assert!(server.messages().is_empty(), "a dry run sends nothing");
    let eml: Vec<_> = std::fs::read_dir(&ctx.mail.outbox)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(eml.len(), 1, "{eml:?}");
    let raw = std::fs::read(&eml[0]).unwrap();
    let m = mail_parser::MessageParser::default()
        .parse(&raw[..])
        .unwrap();
    let html = m
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("html"))
        })
        .and_then(|p| p.text_contents())
        .expect("the digest has a text/html part")
        .to_string();
    (raw, html)
}

#[tokio::test]
async fn digest_html_fits_a_phone_and_a_desktop_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!(
            "note: {CHROMIUM} not found; digest browser test skipped (bash .ci/test installs it)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (raw, html) = digest(dir.path()).await;
    let unsubscribe = unsubscribe_url(&Received {
        to: vec![],
        data: raw,
    });

    // What a mail client shows must stand alone: nothing loaded from elsewhere.
    for external in ["<img", "<link", "<script", "<iframe", " src=", "url("] {
        assert!(!html.contains(external), "digest loads {external}:\n{html}");
    }
    let body_end = html.rfind("</body>").expect("a </body>");
    let measured = format!("{}{PROBE}{}", &html[..body_end], &html[body_end..]);
    let page = dir.path().join("digest.html");
    std::fs::write(&page, &measured).unwrap();
    let frame = dir.path().join("phone.html");
    std::fs::write(&frame, phone_frame(&measured)).unwrap();
    let profile = dir.path().join("profile");

    // A phone: the digest is laid out 390 px wide, and nothing is wider than that.
    let phone = dump_dom(&profile, &frame, 390);
    assert_eq!(measure(&phone, "data-vw"), 390.0, "{phone}");
    let body_tag = &phone[phone.find("<body").unwrap()..];
    eprintln!("at 390: {}", &body_tag[..body_tag.find('>').unwrap() + 1]);
    let sw = measure(&phone, "data-sw");
    assert!(sw <= 390.0, "horizontal scrolling at 390 px: {sw}");
    // No text is cut off at either side (overflow hidden would not show in scrollWidth).
    let (left, right) = (
        measure(&phone, "data-text-left"),
        measure(&phone, "data-text-right"),
    );
    assert!(
        left >= 0.0 && right <= 390.0,
        "text spans {left}..{right} px"
    );
    let min_font = measure(&phone, "data-min-font");
    assert!(min_font >= 12.0, "text as small as {min_font}px");
    assert_eq!(
        measure(&phone, "data-plain-links"),
        0.0,
        "links that look like plain text"
    );

    for name in ["建德市", "平湖市"] {
        assert!(phone.contains(name), "{name} missing:\n{phone}");
    }
    for (_, _, _, titles) in EDITIONS {
        for t in titles {
            assert!(phone.contains(&escape(t)), "headline {t} missing:\n{phone}");
        }
    }

    let links = links(&phone);
    for (href, text) in &links {
        assert!(
            href.starts_with(&format!("{BASE}/")),
            "link {text:?} to {href} is not absolute under {BASE}"
        );
    }
    let hrefs: Vec<&str> = links.iter().map(|(h, _)| h.as_str()).collect();
    for (_, slug, date, _) in EDITIONS {
        let edition = format!("{BASE}/r/{slug}/{date}/");
        assert!(hrefs.contains(&edition.as_str()), "{edition} in {hrefs:?}");
        let feed = format!("{BASE}/r/{slug}/feed.atom");
        assert!(hrefs.contains(&feed.as_str()), "{feed} in {hrefs:?}");
    }
    let unsub: Vec<_> = links.iter().filter(|(_, t)| t.contains("退订")).collect();
    assert_eq!(unsub.len(), 1, "{links:?}");
    assert_eq!(unsub[0].0, unsubscribe, "the visible link is the header's");
    assert!(unsubscribe.starts_with(&format!("{BASE}/unsubscribe/")));
    let manage: Vec<_> = links
        .iter()
        .filter(|(_, t)| t.contains("管理订阅"))
        .collect();
    assert_eq!(manage.len(), 1, "{links:?}");
    assert!(
        manage[0].0.starts_with(&format!("{BASE}/manage/")),
        "{manage:?}"
    );

    // A desktop: no scrolling, and the text keeps to a readable column (600 px, the
    // container's max-width; the margin allows for rounding, not for a wider layout).
    let desktop = dump_dom(&profile, &page, 1280);
    assert_eq!(measure(&desktop, "data-vw"), 1280.0);
    assert!(measure(&desktop, "data-sw") <= 1280.0);
    let column = measure(&desktop, "data-text-right") - measure(&desktop, "data-text-left");
    assert!(column <= 610.0, "text column {column} px wide at 1280");
    assert!(desktop.contains(&escape(LONG_LATIN)));

    // The phone screenshot is a real picture of text, 390 px wide.
    let shot = dir.path().join("digest-390.png");
    let shot_arg = format!("--screenshot={}", shot.display());
    let url = format!("file://{}", page.display());
    chromium(&profile, &[&shot_arg, "--window-size=390,844", &url]);
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let (width, height) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert_eq!((width, height), (390, 844));
    // A blank 390×844 PNG compresses to a few hundred bytes; text makes it much larger.
    assert!(png.len() > 10_000, "screenshot is only {} bytes", png.len());
    if let Ok(keep) = std::env::var("PAPERBOY_KEEP_DIGEST_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
