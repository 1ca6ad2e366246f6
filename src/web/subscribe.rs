//! `/subscribe` (GET form, POST request), `/confirm/{token}`, `/unsubscribe/{token}` (GET page
//! with a button, POST unsubscribes at once: RFC 8058 one-click). Owned by the mail stage.
//!
//! Handlers only translate HTTP to `mail::subscribe` calls and the outcome to a page: a GET never
//! changes a subscription except the confirmation link (link scanners that follow the
//! List-Unsubscribe URL must not unsubscribe anyone, so unsubscribing needs a POST).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::mail::subscribe::{self, SubscribeError, Subscribed};
use crate::mail::token::TokenError;
use crate::mail::MailContext;
use crate::render::{FeedLink, Site};
use crate::store::StoreError;

impl From<&AppState> for MailContext {
    fn from(s: &AppState) -> Self {
        MailContext {
            store: s.store.clone(),
            render: s.render.clone(),
            config: s.config.clone(),
            mail: s.mail.clone(),
        }
    }
}

/// Subscription routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/subscribe", get(form).post(submit))
        .route("/confirm/{token}", get(confirm))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe_now),
        )
}

#[derive(Deserialize)]
struct FormQuery {
    region: Option<String>,
}

#[derive(Serialize)]
struct FormView<'a> {
    site: &'a Site,
    email: &'a str,
    regions: &'a str,
    error: Option<String>,
    /// Mail is on: show the form. Off: no form, the feeds instead.
    enabled: bool,
    /// The feeds to read instead when mail is off (the named region's, or everywhere's).
    feeds: Vec<FeedLink>,
}

/// The feeds of the region named in `regions` (its first word), or the all-regions feeds.
fn feeds_for(regions: &str) -> Vec<FeedLink> {
    let first = regions.split([' ', ',', '，']).find(|r| !r.is_empty());
    match first.map(super::regions::lookup) {
        Some(super::regions::Lookup::Found(v) | super::regions::Lookup::Redirect(v)) => {
            FeedLink::for_region(&v)
        }
        _ => FeedLink::everywhere(),
    }
}

#[derive(Serialize)]
struct NoticeView<'a> {
    site: &'a Site,
    title: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct UnsubscribeView<'a> {
    site: &'a Site,
    action: &'a str,
}

pub(super) fn site(s: &AppState) -> Site {
    Site {
        base_url: s.config.base_url().to_string(),
        title: s.config.render.site_title.clone(),
    }
}

pub(super) fn page<S: Serialize>(
    s: &AppState,
    status: StatusCode,
    name: &str,
    view: S,
) -> Response {
    match s.render.render(name, view) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, template = name, "cannot render subscription page");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

pub(super) fn notice(s: &AppState, status: StatusCode, title: &str, message: &str) -> Response {
    let site = site(s);
    page(
        s,
        status,
        "mail/notice.html",
        NoticeView {
            site: &site,
            title,
            message,
        },
    )
}

/// The reader-facing Chinese of an address refusal (the mail stage's reasons are written for
/// the operator's command line).
fn address_problem(reason: &str) -> &'static str {
    match reason {
        "empty" => "请填写电子邮箱地址。",
        "line breaks and control characters are not allowed" => "邮箱地址里不能有换行或控制字符。",
        "give exactly one address" => "请只填写一个邮箱地址。",
        "give the bare address, without a name" => "请只填写邮箱地址本身，不要带姓名或括号。",
        "too long" => "邮箱地址太长了。",
        "not of the form name@domain" => "邮箱地址应写成“名字@域名”的形式。",
        "the domain has no dot" => "邮箱的域名里没有点，请检查是否写完整。",
        r if r.starts_with("an IP address") => {
            "邮箱的域名不能是 IP 地址，请用 example.org 这样的域名。"
        }
        _ => "邮箱地址无效，请检查后重新填写。",
    }
}

/// The status and a reader-facing message (in Chinese) for a refused request; 5xx causes are
/// logged, not shown.
pub(super) fn refusal(e: &SubscribeError) -> (StatusCode, String) {
    use SubscribeError as E;
    match e {
        E::Disabled => (
            StatusCode::SERVICE_UNAVAILABLE,
            "本站没有开启邮件摘要，请用订阅源阅读。".into(),
        ),
        E::NoSecret => (
            StatusCode::SERVICE_UNAVAILABLE,
            "邮件订阅暂时不可用：服务器还没有设置签名密钥。".into(),
        ),
        E::BadAddress(reason) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            address_problem(reason).into(),
        ),
        E::UnknownRegion(r) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "不认识的地区“{}”：请写县（市、区）、地级市或省的名称、拼音或行政区划代码。",
                crate::render::cleaned(r)
            ),
        ),
        E::NoRegion => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "请至少选择一个地区。".into(),
        ),
        E::TooManyRegions => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("地区太多了，最多{}个。", subscribe::MAX_REGIONS),
        ),
        E::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            "请求太频繁了，请过几分钟再试。".into(),
        ),
        E::Token(TokenError::Expired) => (StatusCode::GONE, "这个链接已经过期了。".into()),
        E::Token(TokenError::Malformed) => (
            StatusCode::BAD_REQUEST,
            "这个链接不完整或已损坏，请从邮件里完整复制。".into(),
        ),
        E::Token(TokenError::BadSignature) => (
            StatusCode::BAD_REQUEST,
            "这个链接无效（签名不对，或不是这个用途的链接）。".into(),
        ),
        E::Gone => (StatusCode::NOT_FOUND, "这个订阅已经不存在了。".into()),
        // Other writers kept the database busy past the busy timeout: try again, not a fault.
        E::Store(StoreError::Busy { .. }) => {
            tracing::warn!(error = %e, "subscription request gave up waiting for the database");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "服务器正忙，请过一分钟再试。".into(),
            )
        }
        E::Mail(_) | E::Store(_) => {
            tracing::error!(error = %e, "subscription request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器出了问题，请稍后再试。".into(),
            )
        }
    }
}

async fn form(State(s): State<AppState>, Query(q): Query<FormQuery>) -> Response {
    let site = site(&s);
    let view = FormView {
        site: &site,
        email: "",
        regions: q.region.as_deref().unwrap_or(""),
        error: None,
        enabled: s.mail.enabled,
        feeds: feeds_for(q.region.as_deref().unwrap_or("")),
    };
    page(&s, StatusCode::OK, "mail/subscribe.html", view)
}

async fn submit(
    State(s): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let email = fields
        .iter()
        .filter(|(k, _)| k == "email")
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>();
    let regions: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "regions" || k == "region")
        .map(|(_, v)| v.as_str())
        .collect();
    // Two email fields is an attempt at several recipients, refused like a comma list.
    let email_text = email.join(",");
    let client = connect.map(|Extension(ConnectInfo(addr))| addr.ip());
    let ctx = MailContext::from(&s);
    let result =
        subscribe::subscribe(&ctx, &email_text, &regions, client, crate::mail::unix_now()).await;
    match result {
        Ok(Subscribed::ConfirmationSent(_)) => notice(
            &s,
            StatusCode::OK,
            "请查收确认邮件",
            "我们已向您的邮箱发送了一封确认邮件。点击其中的链接之后，才会开始发送每日摘要。",
        ),
        Ok(Subscribed::AlreadyConfirmed(_)) => notice(
            &s,
            StatusCode::OK,
            "已经订阅",
            "这个邮箱已经订阅了每日摘要；每封摘要里都有退订链接。",
        ),
        Err(e) => {
            let (status, message) = refusal(&e);
            let site = site(&s);
            // What the reader typed is shown again, without control or bidi characters.
            let regions_text = crate::render::cleaned(&regions.join(" "));
            let shown_email: String = email_text
                .chars()
                .filter(|&c| !c.is_control() && !crate::render::is_removed(c))
                .collect();
            let view = FormView {
                site: &site,
                email: &shown_email,
                regions: &regions_text,
                error: Some(message),
                enabled: s.mail.enabled,
                feeds: feeds_for(&regions_text),
            };
            page(&s, status, "mail/subscribe.html", view)
        }
    }
}

async fn confirm(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    let ctx = MailContext::from(&s);
    match subscribe::confirm(&ctx, &token, crate::mail::unix_now()).await {
        Ok(_) => notice(
            &s,
            StatusCode::OK,
            "订阅已确认",
            "谢谢！从下一期开始，您会每天收到所选地区的新闻摘要。",
        ),
        Err(e) => {
            let (status, message) = refusal(&e);
            notice(&s, status, "无法确认订阅", &message)
        }
    }
}

async fn unsubscribe_page(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    // Check the token so a bad link says so at once, but change nothing on GET.
    if let Err(e) = s.mail.verify(
        &token,
        crate::mail::token::Purpose::Unsubscribe,
        crate::mail::unix_now(),
    ) {
        let (status, message) = refusal(&SubscribeError::Token(e));
        return notice(&s, status, "无法退订", &message);
    }
    let site = site(&s);
    let action = format!("/unsubscribe/{token}");
    page(
        &s,
        StatusCode::OK,
        "mail/unsubscribe.html",
        UnsubscribeView {
            site: &site,
            action: &action,
        },
    )
}

/// One-click (RFC 8058): the body is `List-Unsubscribe=One-Click` from a mail client, or the
/// button's empty form; either way the POST itself is the consent.
async fn unsubscribe_now(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    let ctx = MailContext::from(&s);
    match subscribe::unsubscribe(&ctx, &token, crate::mail::unix_now()).await {
        Ok(true) => notice(
            &s,
            StatusCode::OK,
            "已退订",
            "您已退订，不会再收到每日摘要。",
        ),
        Ok(false) => notice(
            &s,
            StatusCode::OK,
            "已退订",
            "这个订阅已经取消了，不会再收到每日摘要。",
        ),
        Err(e) => {
            let (status, message) = refusal(&e);
            notice(&s, status, "无法退订", &message)
        }
    }
}
