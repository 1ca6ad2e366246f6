//! Digests end to end against a real SMTP server in the test process: what arrives (headers,
//! MIME, Chinese subject), one-click unsubscribe through the router, double opt-in, bad input,
//! exactly-once on re-runs, resume after failures, 4xx retried and 5xx not, catch-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mail_support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use mail_parser::MimeHeaders;
use paperboy::mail::scheduler::{run_day, RunOptions};
use paperboy::mail::subscribe;
use paperboy::mail::token::{self, Purpose};
use paperboy::mail::MailContext;
use paperboy::model::RegionCode;
use paperboy::store::subscribers::LedgerStatus;
use paperboy::store::Store;
use paperboy::web::{app, AppState};
use tower::ServiceExt;

use mail_support::*;

struct Env {
    _dir: tempfile::TempDir,
    server: SmtpServer,
    state: AppState,
    ctx: MailContext,
}

async fn env() -> Env {
    env_with(|_| {}).await
}

async fn env_with(tweak: impl FnOnce(&mut paperboy::config::Config)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::connect(&url).await.unwrap();
    let mut cfg = config(&url, &server, &dir.path().join("outbox"));
    tweak(&mut cfg);
    let (state, ctx) = app_state(store, cfg);
    Env {
        _dir: dir,
        server,
        state,
        ctx,
    }
}

async fn add(e: &Env, email: &str, regions: &[&str], confirmed: bool) -> i64 {
    let now = chrono::Utc::now().timestamp();
    let (sub, _) = subscribe::add(&e.ctx, email, regions, confirmed, now)
        .await
        .unwrap();
    sub.id
}

async fn send(e: &Env, d: &str) -> paperboy::mail::scheduler::RunReport {
    run_day(&e.ctx, &RunOptions::new(day(d))).await.unwrap()
}

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, String) {
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn post_form(path: &str, body: &str, ip: u8) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    let addr = std::net::SocketAddr::new(client_ip(ip), 40000);
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    req
}

fn path_of(url: &str) -> String {
    url.strip_prefix("https://news.example.org")
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn digest_has_headers_mime_links_and_a_decodable_chinese_subject() {
    let e = env().await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局", "建德召开文明城市推进会"],
    )
    .await;
    ingest(
        &e.ctx.store,
        "ph-0628",
        day("2022-06-28"),
        PINGHU,
        &["平湖深化文明城市建设"],
    )
    .await;
    let id = add(&e, "Reader@Example.org", &["jiande", "平湖市"], true).await;

    let report = send(&e, "2022-06-28").await;
    assert_eq!((report.subscribers, report.sent, report.empty), (1, 1, 0));
    let got = e.server.messages_to("reader@example.org");
    assert_eq!(got.len(), 1);
    let raw = String::from_utf8(got[0].data.clone()).unwrap();
    let m = parse(&got[0]);

    // Subject: one line, encoded on the wire, Chinese when decoded.
    let subject = m.subject().unwrap();
    assert!(
        subject.contains("建德市") && subject.contains("平湖市"),
        "{subject}"
    );
    assert!(subject.contains("2022年6月28日"), "{subject}");
    assert!(!subject.contains('\n') && !subject.contains('\r'));
    let raw_subject = m.header_raw("Subject").unwrap();
    assert!(
        raw_subject.is_ascii() && raw_subject.contains("=?utf-8?"),
        "{raw_subject}"
    );

    assert_eq!(
        m.message_id(),
        Some(format!("digest-20220628-{id}@example.org").as_str())
    );
    assert!(m.date().is_some());
    assert_eq!(
        m.header_raw("List-Unsubscribe-Post").unwrap().trim(),
        "List-Unsubscribe=One-Click"
    );
    let lu = m.header_raw("List-Unsubscribe").unwrap();
    assert!(
        lu.contains("<https://news.example.org/unsubscribe/"),
        "{lu}"
    );
    assert!(lu.contains("mailto:unsubscribe@example.org"), "{lu}");
    assert!(!lu.contains("reader"), "no address in clear: {lu}");
    assert!(raw.contains("To: reader@example.org") || raw.contains("To: <reader@example.org>"));

    // multipart/alternative: plain text first, then HTML, both UTF-8.
    let root = m.root_part().content_type().unwrap();
    assert_eq!(
        (root.ctype(), root.subtype()),
        ("multipart", Some("alternative"))
    );
    let parts: Vec<_> = m.parts[1..].iter().collect();
    assert_eq!(parts.len(), 2);
    let (text_ct, html_ct) = (
        parts[0].content_type().unwrap(),
        parts[1].content_type().unwrap(),
    );
    assert_eq!(
        (text_ct.ctype(), text_ct.subtype()),
        ("text", Some("plain"))
    );
    assert_eq!((html_ct.ctype(), html_ct.subtype()), ("text", Some("html")));
    assert_eq!(
        text_ct
            .attribute("charset")
            .map(str::to_lowercase)
            .as_deref(),
        Some("utf-8")
    );

    let text = m.body_text(0).unwrap();
    for needle in [
        "https://news.example.org/r/jiande/2022-06-28/",
        "https://news.example.org/r/jiande/feed.atom",
        "https://news.example.org/r/pinghu/2022-06-28/",
        "新安江畔开新局",
        "平湖深化文明城市建设",
        "https://news.example.org/unsubscribe/",
    ] {
        assert!(text.contains(needle), "text part lacks {needle}:\n{text}");
    }
    // HTML escapes `/` in attributes as `&#x2f;` (valid HTML); compare decoded.
    let html = m.body_html(0).unwrap().replace("&#x2f;", "/");
    // Each headline links to its article's page, in both parts.
    let stored = e
        .ctx
        .store
        .edition_articles(&RegionCode::parse(JIANDE).unwrap(), day("2022-06-28"))
        .await
        .unwrap();
    let first = stored
        .iter()
        .find(|a| a.article.title.as_deref() == Some("新安江畔开新局"))
        .unwrap();
    let link = format!("https://news.example.org/a/{}/", first.id);
    assert!(
        html.contains(&format!(
            "href=\"{link}\" style=\"color:#1558b0;text-decoration:none;\">新安江畔开新局</a>"
        )),
        "headline links to {link}:\n{html}"
    );
    let text = text.replace("\r\n", "\n");
    assert!(
        text.contains(&format!("- 新安江畔开新局\n  {link}")),
        "{text:?}"
    );
    assert!(html.contains("href=\"https://news.example.org/r/pinghu/2022-06-28/\""));
    assert!(
        html.contains("href=\"https://news.example.org/unsubscribe/"),
        "visible unsubscribe link"
    );
    assert!(html.contains("max-width:600px"), "narrow-screen layout");

    let ledger = e
        .ctx
        .store
        .digest_ledger(Some(day("2022-06-28")))
        .await
        .unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].status, LedgerStatus::Sent);
    assert_eq!(ledger[0].editions, 2);
    assert_eq!(ledger[0].through_day, Some(day("2022-06-28")));
}

#[tokio::test]
async fn a_rerun_sends_nothing_twice_and_nothing_new_means_no_mail() {
    let e = env().await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    add(&e, "a@example.org", &["jiande"], true).await;
    add(&e, "b@example.org", &["pinghu"], true).await; // no Pinghu edition: nothing new

    let first = send(&e, "2022-06-28").await;
    assert_eq!((first.sent, first.empty, first.skipped), (1, 1, 0));
    let second = send(&e, "2022-06-28").await;
    assert_eq!((second.sent, second.skipped), (0, 1), "{second:?}");
    assert_eq!(e.server.messages_to("a@example.org").len(), 1);
    assert_eq!(e.server.messages_to("b@example.org").len(), 0);
    // The next day with nothing new: no empty digest.
    let next = send(&e, "2022-06-29").await;
    assert_eq!((next.sent, next.empty), (0, 2));
    assert_eq!(e.server.messages().len(), 1);
}

#[tokio::test]
async fn one_click_post_unsubscribes_and_get_does_not() {
    let e = env().await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    let leaving = add(&e, "leaving@example.org", &["jiande"], true).await;
    let staying = add(&e, "staying@example.org", &["jiande"], true).await;
    send(&e, "2022-06-28").await;
    let mail = &e.server.messages_to("leaving@example.org")[0];
    let path = path_of(&unsubscribe_url(mail));

    // A link scanner's GET shows a page with a button and changes nothing.
    let (status, body) = call(&e.state, Request::get(&path).body(Body::empty()).unwrap()).await;
    let body = body.replace("&#x2f;", "/");
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<form method=\"post\"") && body.contains(&format!("action=\"{path}\"")),
        "{body}"
    );
    assert!(e.ctx.store.subscriber(leaving).await.unwrap().is_some());

    // A forged token changes nothing.
    let last = if path.ends_with('A') { 'B' } else { 'A' };
    let forged = format!("{}{last}", &path[..path.len() - 1]);
    let (status, _) = call(
        &e.state,
        post_form(&forged, "List-Unsubscribe=One-Click", 1),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e.ctx.store.subscribers().await.unwrap().len(), 2);

    // RFC 8058 one-click POST: gone at once.
    let (status, body) = call(&e.state, post_form(&path, "List-Unsubscribe=One-Click", 1)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(e.ctx.store.subscriber(leaving).await.unwrap().is_none());
    assert!(e.ctx.store.subscriber(staying).await.unwrap().is_some());
    // A second POST is still a calm answer.
    let (status, _) = call(&e.state, post_form(&path, "List-Unsubscribe=One-Click", 1)).await;
    assert_eq!(status, StatusCode::OK);

    // An expired token is refused with its own answer.
    let expired = token::sign(b"test-secret", staying, Purpose::Unsubscribe, 1);
    let (status, body) = call(
        &e.state,
        post_form(&format!("/unsubscribe/{expired}"), "", 1),
    )
    .await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert!(e.ctx.store.subscriber(staying).await.unwrap().is_some());

    ingest(
        &e.ctx.store,
        "jd-0629",
        day("2022-06-29"),
        JIANDE,
        &["次日新闻"],
    )
    .await;
    send(&e, "2022-06-29").await;
    assert_eq!(e.server.messages_to("leaving@example.org").len(), 1);
    assert_eq!(e.server.messages_to("staying@example.org").len(), 2);
}

#[tokio::test]
async fn double_opt_in_only_confirmed_addresses_get_digests() {
    let e = env().await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    let (status, body) = call(
        &e.state,
        post_form("/subscribe", "email=new%40example.org&regions=jiande", 7),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let confirmations = e.server.messages_to("new@example.org");
    assert_eq!(confirmations.len(), 1);
    let c = parse(&confirmations[0]);
    assert!(c.subject().unwrap().contains("确认"), "{:?}", c.subject());

    // Unconfirmed: no digest.
    let report = send(&e, "2022-06-28").await;
    assert_eq!(report.subscribers, 0);
    assert_eq!(e.server.messages_to("new@example.org").len(), 1);

    let text = c.body_text(0).unwrap();
    let start = text.find("https://news.example.org/confirm/").unwrap();
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let (status, body) = call(
        &e.state,
        Request::get(path_of(&link)).body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let report = send(&e, "2022-06-28").await;
    assert_eq!(report.sent, 1);
    let got = e.server.messages_to("new@example.org");
    assert_eq!(got.len(), 2);
    assert!(parse(&got[1]).subject().unwrap().contains("建德市"));
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_and_changes_nothing() {
    let e = env().await;
    let cases = [
        (
            "email=a%40example.org%0D%0ABcc%3A+victim%40example.org&regions=jiande",
            "换行",
        ),
        (
            "email=a%40example.org%2C+b%40example.org&regions=jiande",
            "只填写一个邮箱地址",
        ),
        (
            "email=a%40example.org&email=b%40example.org&regions=jiande",
            "只填写一个邮箱地址",
        ),
        ("email=not-an-address&regions=jiande", "名字@域名"),
        ("email=a%40example.org&regions=atlantis", "不认识的地区"),
        ("email=a%40example.org&regions=", "至少选择一个地区"),
    ];
    for (i, (body, expect)) in cases.iter().enumerate() {
        let (status, page) = call(&e.state, post_form("/subscribe", body, 10 + i as u8)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(page.contains(expect), "{body}: answer lacks {expect:?}");
    }
    assert!(e.ctx.store.subscribers().await.unwrap().is_empty());
    assert!(e.server.messages().is_empty());

    // The same address again within minutes: refused, its regions untouched.
    let (status, _) = call(
        &e.state,
        post_form("/subscribe", "email=a%40example.org&regions=jiande", 30),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &e.state,
        post_form("/subscribe", "email=a%40example.org&regions=pinghu", 31),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let sub = e
        .ctx
        .store
        .subscriber_by_email("a@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        sub.regions.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        vec![JIANDE]
    );
    assert_eq!(e.server.messages().len(), 1);

    // One client hammering the form with new addresses is cut off.
    let mut limited = 0;
    for n in 0..15 {
        let body = format!("email=x{n}%40example.org&regions=jiande");
        let (status, _) = call(&e.state, post_form("/subscribe", &body, 99)).await;
        limited += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(limited, 5, "10 requests per client per window");
    assert_eq!(e.ctx.store.subscribers().await.unwrap().len(), 11);

    // A forged confirmation link confirms nobody.
    let (status, _) = call(
        &e.state,
        Request::get(format!("/confirm/{}.9999999999.AAAA", sub.id))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(e
        .ctx
        .store
        .subscriber(sub.id)
        .await
        .unwrap()
        .unwrap()
        .confirmed_at
        .is_none());
}

#[tokio::test]
async fn a_4xx_is_retried_and_a_5xx_is_recorded_not_retried() {
    let e = env().await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    add(&e, "slow@example.org", &["jiande"], true).await;
    let bad = add(&e, "gone@example.org", &["jiande"], true).await;
    add(&e, "fine@example.org", &["jiande"], true).await;
    e.server.rule("slow@example.org", Some(Rule::TempFail(2)));
    e.server.rule("gone@example.org", Some(Rule::Reject));

    let report = send(&e, "2022-06-28").await;
    assert_eq!(report.sent, 2, "{report:?}");
    assert_eq!(report.retried, 1);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].email, "gone@example.org");
    assert!(
        report.rejected[0].error.contains("550"),
        "{}",
        report.rejected[0].error
    );
    assert_eq!(
        e.server.rcpt_tries("slow@example.org"),
        3,
        "two 451s, then accepted"
    );
    assert_eq!(
        e.server.rcpt_tries("gone@example.org"),
        1,
        "a 550 is not retried"
    );
    assert_eq!(e.server.messages_to("slow@example.org").len(), 1);

    let sub = e.ctx.store.subscriber(bad).await.unwrap().unwrap();
    assert!(sub.last_error.unwrap().contains("550"));
    let ledger = e
        .ctx
        .store
        .digest_ledger(Some(day("2022-06-28")))
        .await
        .unwrap();
    let status_of = |id: i64| {
        ledger
            .iter()
            .find(|l| l.subscriber_id == id)
            .unwrap()
            .status
    };
    assert_eq!(status_of(bad), LedgerStatus::Rejected);

    // A re-run does not try the rejected address again.
    let again = send(&e, "2022-06-28").await;
    assert_eq!((again.sent, again.skipped), (0, 3));
    assert_eq!(e.server.rcpt_tries("gone@example.org"), 1);
}

#[tokio::test]
async fn a_run_failing_half_way_is_resumed_without_sending_twice() {
    let e = env().await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(add(&e, &format!("r{n}@example.org"), &["jiande"], true).await);
    }
    // r2's server is down for the whole first run (every retry gets 451).
    e.server.rule("r2@example.org", Some(Rule::AlwaysTemp));
    // r4 was claimed by a run that crashed (its lease ran out); r5 by a run still alive.
    let now = chrono::Utc::now().timestamp();
    let d = day("2022-06-28");
    assert!(e
        .ctx
        .store
        .claim_digest(ids[4], d, "crashed", now - 700, now - 100)
        .await
        .unwrap()
        .is_some());
    assert!(e
        .ctx
        .store
        .claim_digest(ids[5], d, "alive", now, now + 600)
        .await
        .unwrap()
        .is_some());

    let first = send(&e, "2022-06-28").await;
    assert_eq!(first.sent, 4, "{first:?}"); // r0 r1 r3, and r4 resumed
    assert_eq!(first.failed.len(), 1);
    assert_eq!(first.failed[0].email, "r2@example.org");
    assert_eq!(first.held, 1, "r5 is another live run's");
    assert_eq!(e.server.rcpt_tries("r2@example.org"), 4, "bounded retries");

    e.server.rule("r2@example.org", None);
    let second = send(&e, "2022-06-28").await;
    assert_eq!(second.sent, 1, "{second:?}");
    for n in [0, 1, 2, 3, 4] {
        assert_eq!(
            e.server.messages_to(&format!("r{n}@example.org")).len(),
            1,
            "r{n}"
        );
    }
    assert!(e.server.messages_to("r5@example.org").is_empty());
    let ledger = e.ctx.store.digest_ledger(Some(d)).await.unwrap();
    let sent = ledger
        .iter()
        .filter(|l| l.status == LedgerStatus::Sent)
        .count();
    assert_eq!(sent, 5);
}

#[tokio::test]
async fn a_missed_day_is_caught_up_once() {
    let e = env().await;
    ingest(
        &e.ctx.store,
        "jd-0625",
        day("2022-06-25"),
        JIANDE,
        &["二十五日新闻"],
    )
    .await;
    add(&e, "a@example.org", &["jiande"], true).await;
    assert_eq!(send(&e, "2022-06-25").await.sent, 1);
    // The server was down on the 26th and 27th; editions kept coming.
    ingest(
        &e.ctx.store,
        "jd-0626",
        day("2022-06-26"),
        JIANDE,
        &["二十六日新闻"],
    )
    .await;
    ingest(
        &e.ctx.store,
        "jd-0627",
        day("2022-06-27"),
        JIANDE,
        &["二十七日新闻"],
    )
    .await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["二十八日新闻"],
    )
    .await;
    let report = send(&e, "2022-06-28").await;
    assert_eq!(report.sent, 1);
    let got = e.server.messages_to("a@example.org");
    assert_eq!(got.len(), 2);
    let text = parse(&got[1]).body_text(0).unwrap().into_owned();
    for t in ["二十六日新闻", "二十七日新闻", "二十八日新闻"] {
        assert!(text.contains(t), "catch-up lacks {t}");
    }
    assert!(!text.contains("二十五日新闻"), "already sent on the 25th");
    assert_eq!(send(&e, "2022-06-28").await.sent, 0);
    assert_eq!(e.server.messages_to("a@example.org").len(), 2);
}

#[tokio::test]
async fn dry_run_writes_eml_files_and_records_nothing() {
    let e = env().await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    add(&e, "a@example.org", &["jiande"], true).await;
    let mut opts = RunOptions::new(day("2022-06-28"));
    opts.dry_run = true;
    let report = run_day(&e.ctx, &opts).await.unwrap();
    assert_eq!(report.sent, 1);
    let files: Vec<_> = std::fs::read_dir(&e.ctx.mail.outbox)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read(&files[0]).unwrap();
    let m = mail_parser::MessageParser::default()
        .parse(&raw[..])
        .unwrap();
    assert!(m.subject().unwrap().contains("建德市"));
    assert!(e.server.messages().is_empty());
    assert!(e.ctx.store.digest_ledger(None).await.unwrap().is_empty());
    // The real run afterwards still sends.
    assert_eq!(send(&e, "2022-06-28").await.sent, 1);
}

#[tokio::test]
async fn dkim_signature_covers_the_list_unsubscribe_headers() {
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mail_support/dkim_test_key.pem");
    let pem = std::fs::read_to_string(&key).unwrap();
    let e = env_with(|c| {
        c.mail.dkim_key_file = Some(key);
        c.mail.dkim_selector = Some("pb2026".into());
        c.mail.dkim_domain = Some("example.org".into());
    })
    .await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    add(&e, "a@example.org", &["jiande"], true).await;
    assert_eq!(send(&e, "2022-06-28").await.sent, 1);
    let got = e.server.messages_to("a@example.org");
    let m = parse(&got[0]);
    let sig: String = m
        .header_raw("DKIM-Signature")
        .unwrap()
        .split(['\r', '\n'])
        .map(str::trim)
        .collect();
    let tag = |name: &str| {
        sig.split(';')
            .map(str::trim)
            .find_map(|t| t.strip_prefix(&format!("{name}=")))
            .unwrap()
            .to_string()
    };
    assert_eq!(tag("d"), "example.org");
    assert_eq!(tag("s"), "pb2026");
    assert_eq!(tag("a"), "rsa-sha256");
    let signed: Vec<String> = tag("h")
        .split(':')
        .map(|h| h.trim().to_lowercase())
        .collect();
    for h in [
        "from",
        "subject",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "message-id",
    ] {
        assert!(
            signed.contains(&h.to_string()),
            "{h} not signed: {signed:?}"
        );
    }
    assert!(tag("b").len() > 300, "an RSA-2048 signature");

    // The signature verifies as a receiver would check it (RFC 6376, public key from the PEM)...
    let raw = &got[0].data;
    let text = std::str::from_utf8(raw).unwrap(); // so its indices are raw's
    dkim::verify(raw, &pem).unwrap_or_else(|err| panic!("{err}\n{text}"));
    // ...and is not vacuous: one changed byte of the text part breaks it,
    let at = |from: usize, pat: &str| from + text[from..].find(pat).unwrap();
    let body = at(at(0, "text/plain"), "\r\n\r\n") + 4;
    let c = body
        + text[body..]
            .find(|c: char| c.is_ascii_alphanumeric())
            .unwrap();
    let mut bad = raw.clone();
    bad[c] = if bad[c] == b'A' { b'B' } else { b'A' };
    let err = dkim::verify(&bad, &pem).unwrap_err();
    assert!(err.contains("body hash"), "{err}");
    // so does a changed List-Unsubscribe,
    let url = at(at(0, "\r\nList-Unsubscribe:"), "https://") + "https://".len();
    let mut bad = raw.clone();
    bad[url] = if bad[url] == b'x' { b'y' } else { b'x' };
    let err = dkim::verify(&bad, &pem).unwrap_err();
    assert!(err.contains("does not verify"), "{err}");
    // while trailing whitespace on a body line is what relaxed canonicalization forgives.
    let mut spaced = raw.clone();
    spaced.splice(at(body, "\r\n")..at(body, "\r\n"), *b" \t ");
    dkim::verify(&spaced, &pem).unwrap();
}

#[tokio::test]
async fn an_unreachable_server_is_retried_boundedly_and_resumed_next_run() {
    // A port with nothing listening: every connection is refused.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let e = env_with(|c| c.mail.smtp_url = format!("smtp://127.0.0.1:{dead_port}")).await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    let id = add(&e, "a@example.org", &["jiande"], true).await;

    let report = send(&e, "2022-06-28").await;
    assert_eq!((report.sent, report.failed.len()), (0, 1), "{report:?}");
    assert!(
        report.failed[0].error.contains("temporary"),
        "{}",
        report.failed[0].error
    );
    let ledger = e.ctx.store.digest_ledger(None).await.unwrap();
    assert_eq!(ledger[0].status, LedgerStatus::Failed);
    assert!(
        e.ctx
            .store
            .subscriber(id)
            .await
            .unwrap()
            .unwrap()
            .last_error
            .is_none(),
        "not a bounce"
    );

    // The server is back (same database, the configured server now answers): the next run sends.
    let url = e.ctx.config.storage.url.clone();
    let outbox = e.ctx.mail.outbox.clone();
    let (_, ctx) = app_state(e.ctx.store.clone(), config(&url, &e.server, &outbox));
    let report = run_day(&ctx, &RunOptions::new(day("2022-06-28")))
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(e.server.messages_to("a@example.org").len(), 1);
}

#[tokio::test]
async fn a_large_run_claims_and_marks_in_batches_without_stalling() {
    let e = env().await;
    ingest(
        &e.ctx.store,
        "jd-0628",
        day("2022-06-28"),
        JIANDE,
        &["新安江畔开新局"],
    )
    .await;
    let now = chrono::Utc::now().timestamp();
    let n = 300;
    for i in 0..n {
        let email = format!("bulk{i}@example.org");
        let jiande = [paperboy::model::RegionCode::parse(JIANDE).unwrap()];
        e.ctx
            .store
            .upsert_subscriber(&email, &jiande, true, now)
            .await
            .unwrap();
    }
    let report = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        run_day(&e.ctx, &RunOptions::new(day("2022-06-28"))),
    )
    .await
    .expect("the run finished")
    .unwrap();
    assert_eq!(report.sent, n, "{report:?}");
    assert_eq!(e.server.messages().len(), n);
    let ledger = e
        .ctx
        .store
        .digest_ledger(Some(day("2022-06-28")))
        .await
        .unwrap();
    assert_eq!(
        ledger
            .iter()
            .filter(|l| l.status == LedgerStatus::Sent)
            .count(),
        n
    );
    assert_eq!(send(&e, "2022-06-28").await.sent, 0);
}
