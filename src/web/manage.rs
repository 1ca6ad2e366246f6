//! `/manage/{token}`: the manage-subscription page every digest links to. GET shows the
//! subscription (address, regions, paused or not) with forms; POST applies one change
//! (`action` = `regions` with `regions`, `pause`, `resume` or `unsubscribe`) and shows the page
//! again saying what changed. Owned by the mail stage; the rules are in `mail::manage`.
//!
//! The token in the path is the subscriber's key: the answers are never cached
//! (`Cache-Control: no-store`) and never leak it to linked sites (`Referrer-Policy:
//! no-referrer`). A GET changes nothing, so a link scanner following the digest's link is
//! harmless.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use chrono::DateTime;
use serde::Serialize;

use super::subscribe::{notice, page, refusal, site};
use super::AppState;
use crate::mail::manage::{self, Change, Managed};
use crate::mail::MailContext;
use crate::region::Gazetteer;
use crate::render::Site;
use crate::store::subscribers::Subscriber;

/// Manage routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/manage/{token}", get(show).post(change))
}

#[derive(Serialize)]
struct RegionLink {
    name: String,
    /// Empty when the gazetteer no longer knows the code.
    slug: String,
}

#[derive(Serialize)]
struct ManageView<'a> {
    site: &'a Site,
    action: &'a str,
    email: &'a str,
    regions: Vec<RegionLink>,
    /// What the regions field holds: the current names, or what was typed when refused.
    regions_text: String,
    paused: bool,
    /// `2026年12月5日` (China time), when paused.
    paused_since: Option<String>,
    confirmed: bool,
    /// What the last change did.
    message: Option<&'a str>,
    /// Why the last change was refused.
    error: Option<String>,
}

async fn show(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    let ctx = MailContext::from(&s);
    match manage::open(&ctx, &token, crate::mail::unix_now()).await {
        Ok(sub) => manage_page(&s, &token, &sub, StatusCode::OK, None, None, None),
        Err(e) => {
            let (status, message) = refusal(&e);
            private(notice(&s, status, "无法打开订阅设置", &message))
        }
    }
}

async fn change(
    State(s): State<AppState>,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let change = match field("action").first().map(String::as_str) {
        Some("regions") => Change::Regions(field("regions")),
        Some("pause") => Change::Pause,
        Some("resume") => Change::Resume,
        Some("unsubscribe") => Change::Unsubscribe,
        _ => {
            return private(notice(
                &s,
                StatusCode::BAD_REQUEST,
                "无法修改订阅",
                "请求里没有要做的修改，请回到订阅设置页面重新提交。",
            ))
        }
    };
    let typed = match &change {
        Change::Regions(r) => Some(crate::render::cleaned(&r.join(" "))),
        _ => None,
    };
    let ctx = MailContext::from(&s);
    let now = crate::mail::unix_now();
    match manage::apply(&ctx, &token, change, now).await {
        Ok(Managed::Unsubscribed) => private(notice(
            &s,
            StatusCode::OK,
            "已退订",
            "您已退订，不会再收到每日摘要。",
        )),
        Ok(Managed::Kept { sub, changed }) => {
            let message = match (changed, typed.is_some(), sub.paused_at.is_some()) {
                (false, _, _) => "没有变化：订阅本来就是这样。",
                (true, true, _) => "已保存：以后的摘要按新的地区发送。",
                (true, false, true) => "已暂停：恢复之前不会再收到摘要。",
                (true, false, false) => "已恢复：从下一期起重新收到摘要。",
            };
            manage_page(&s, &token, &sub, StatusCode::OK, Some(message), None, None)
        }
        Err(e) => {
            let (status, message) = refusal(&e);
            // A refused region change shows the page again with what was typed; a bad or
            // expired link, or a removed subscriber, has no page to show.
            match (typed, manage::open(&ctx, &token, now).await) {
                (Some(typed), Ok(sub)) => {
                    manage_page(&s, &token, &sub, status, None, Some(message), Some(typed))
                }
                _ => private(notice(&s, status, "无法修改订阅", &message)),
            }
        }
    }
}

fn manage_page(
    s: &AppState,
    token: &str,
    sub: &Subscriber,
    status: StatusCode,
    message: Option<&str>,
    error: Option<String>,
    typed: Option<String>,
) -> Response {
    let site = site(s);
    let action = format!("/manage/{token}");
    let gazetteer = Gazetteer::global();
    let regions: Vec<RegionLink> = sub
        .regions
        .iter()
        .map(|code| match gazetteer.get(code) {
            Some(r) => RegionLink {
                name: r.name.to_string(),
                slug: r.slug.to_string(),
            },
            None => RegionLink {
                name: code.to_string(),
                slug: String::new(),
            },
        })
        .collect();
    let regions_text = typed.unwrap_or_else(|| manage::region_names(sub).join(" "));
    let view = ManageView {
        site: &site,
        action: &action,
        email: &sub.email,
        regions,
        regions_text,
        paused: sub.paused_at.is_some(),
        paused_since: sub.paused_at.map(china_date),
        confirmed: sub.confirmed_at.is_some(),
        message,
        error,
    };
    private(page(s, status, "mail/manage.html", view))
}

/// `2026年12月5日` of a Unix time, in China Standard Time.
fn china_date(unix: i64) -> String {
    // UTC+8 all year (no daylight saving): eight hours on gives the date in China.
    let day = DateTime::from_timestamp(unix.saturating_add(8 * 3600), 0)
        .map(|t| t.date_naive())
        .unwrap_or_default();
    crate::mail::digest::date_label(day)
}

/// Marks a response that carries the subscriber's token as not to be cached or referred.
fn private(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    resp
}
