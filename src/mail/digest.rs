//! Builds the lettre `Message`s: the daily digest and the confirmation mail.
//!
//! Input: a subscriber, the digest day, the editions to list (already chosen by the scheduler)
//! and the templates `mail/{kind}.subject.txt`, `mail/{kind}.text.txt`, `mail/{kind}.html`.
//! Output: a multipart/alternative message (plain text first, then HTML, both UTF-8) with a
//! one-line RFC 2047-encoded subject, a deterministic Message-ID per subscriber and day, Date,
//! `List-Unsubscribe` (https and mailto) and `List-Unsubscribe-Post` (RFC 8058), DKIM-signed when
//! configured. Pure apart from the clock value passed in: no I/O, no store access.

mod body;

use std::time::{Duration, UNIX_EPOCH};

use chrono::{Datelike, NaiveDate};
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use serde::Serialize;

use super::{MailError, MailService};
use crate::render::Renderer;
use crate::store::subscribers::Subscriber;
use body::{Part, MANAGE_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER};

/// One edition listed in a digest.
#[derive(Debug, Clone, Serialize)]
pub struct EditionItem {
    /// Region adcode.
    pub region: String,
    pub region_name: String,
    pub slug: String,
    pub date: NaiveDate,
    /// `2022年6月28日`
    pub date_label: String,
    pub articles: i64,
    /// Headlines of the edition's articles, in page order (untitled ones left out).
    pub titles: Vec<String>,
    /// The same headlines with their article pages' URLs, when known (see
    /// [`EditionItem::with_article_ids`]); the digest links each headline to its article.
    pub headlines: Vec<Headline>,
    /// `{base_url}/r/{slug}/{date}/`
    pub url: String,
    /// `{base_url}/r/{slug}/feed.atom`
    pub feed_url: String,
}

/// A headline of a digest and the URL of its article's page (empty when unknown).
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub title: String,
    pub url: String,
}

impl EditionItem {
    /// An item with its links made from `base_url`.
    pub fn new(
        base_url: &str,
        region: &str,
        region_name: &str,
        slug: &str,
        date: NaiveDate,
        articles: i64,
        titles: Vec<String>,
    ) -> Self {
        Self {
            region: region.to_string(),
            region_name: region_name.to_string(),
            slug: slug.to_string(),
            date,
            date_label: date_label(date),
            articles,
            headlines: titles
                .iter()
                .map(|t| Headline {
                    title: t.clone(),
                    url: String::new(),
                })
                .collect(),
            titles,
            url: format!("{base_url}/r/{slug}/{date}/"),
            feed_url: format!("{base_url}/r/{slug}/feed.atom"),
        }
    }

    /// Links each headline to its article's page (`{base_url}/a/{id}/`), `ids` in the order of
    /// `titles`.
    pub fn with_article_ids(mut self, base_url: &str, ids: &[String]) -> Self {
        for (h, id) in self.headlines.iter_mut().zip(ids) {
            h.url = format!("{base_url}/a/{id}/");
        }
        self
    }
}

#[derive(Serialize)]
struct DigestView<'a> {
    site_title: &'a str,
    base_url: &'a str,
    day: String,
    day_label: String,
    region_names: String,
    editions: &'a [EditionItem],
    article_total: i64,
    unsubscribe_url: &'a str,
    /// The subscriber's manage page (change regions, pause, unsubscribe).
    manage_url: &'a str,
    subscribe_url: String,
}

#[derive(Serialize)]
struct ConfirmView<'a> {
    site_title: &'a str,
    base_url: &'a str,
    region_names: String,
    confirm_url: &'a str,
    valid_days: i64,
}

/// `2022年6月28日`
pub fn date_label(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The Message-ID of a subscriber's digest of `day`: the same on every try, so that a receiver
/// can recognise a duplicate should a crash ever cause one.
pub fn digest_message_id(day: NaiveDate, subscriber: i64, domain: &str) -> String {
    format!("<digest-{}-{subscriber}@{domain}>", day.format("%Y%m%d"))
}

/// A digest rendered once for everyone who gets the same editions: subject, and text and
/// HTML parts ready to take each subscriber's own links (see `body`).
#[derive(Debug, Clone)]
pub struct DigestBody {
    subject: String,
    text: Part,
    html: Part,
}

/// Renders the digest templates for `editions` (see [`DigestBody`]).
pub fn render_digest(
    mail: &MailService,
    render: &Renderer,
    day: NaiveDate,
    editions: &[EditionItem],
) -> Result<DigestBody, MailError> {
    let mut names: Vec<&str> = Vec::new();
    for e in editions {
        if !names.contains(&e.region_name.as_str()) {
            names.push(&e.region_name);
        }
    }
    let view = DigestView {
        site_title: &mail.site_title,
        base_url: &mail.base_url,
        day: day.to_string(),
        day_label: date_label(day),
        region_names: names.join("、"),
        editions,
        article_total: editions.iter().map(|e| e.articles).sum(),
        unsubscribe_url: UNSUBSCRIBE_PLACEHOLDER,
        manage_url: MANAGE_PLACEHOLDER,
        subscribe_url: format!("{}/subscribe", mail.base_url),
    };
    Ok(DigestBody {
        subject: one_line(&render.render("mail/digest.subject.txt", &view)?),
        text: Part::new(&render.render("mail/digest.text.txt", &view)?),
        html: Part::new(&render.render("mail/digest.html", &view)?),
    })
}

/// What minijinja's HTML auto-escaping makes of a string (so a link substituted later reads
/// exactly as if it had been rendered in place).
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2f;"),
            c => out.push(c),
        }
    }
    out
}

/// The day's digest for `sub` listing `editions` (at least one; the scheduler sends none
/// when there is nothing new). `now` is Unix seconds (Date header, token expiry).
pub fn digest_message(
    mail: &MailService,
    render: &Renderer,
    sub: &Subscriber,
    day: NaiveDate,
    editions: &[EditionItem],
    now: i64,
) -> Result<Message, MailError> {
    let body = render_digest(mail, render, day, editions)?;
    personal_digest(mail, &body, sub, day, now)
}

/// `body` made into `sub`'s message: their unsubscribe and manage links, headers,
/// Message-ID, DKIM.
pub fn personal_digest(
    mail: &MailService,
    body: &DigestBody,
    sub: &Subscriber,
    day: NaiveDate,
    now: i64,
) -> Result<Message, MailError> {
    let unsubscribe_url = mail.unsubscribe_url(sub.id, now);
    let manage_url = mail.manage_url(sub.id, now);
    let text = body.text.body(&unsubscribe_url, &manage_url);
    let html = body
        .html
        .body(&html_escape(&unsubscribe_url), &html_escape(&manage_url));
    let token = unsubscribe_url.rsplit('/').next().unwrap_or_default();
    let mailto = format!(
        "mailto:{}?subject=unsubscribe%20{token}",
        mail.unsubscribe_mailto
    );
    let message_id = digest_message_id(day, sub.id, mail.domain());
    let builder = Message::builder()
        .message_id(Some(message_id))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe_url}>, <{mailto}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Id"),
            format!("<digest.{}>", mail.domain()),
        ));
    finish(mail, builder, sub, &body.subject, text, html, now)
}

/// The double opt-in mail: a link that confirms the subscription to `region_names`.
pub fn confirmation_message(
    mail: &MailService,
    render: &Renderer,
    sub: &Subscriber,
    region_names: &[String],
    now: i64,
) -> Result<Message, MailError> {
    let confirm_url = mail.confirm_url(sub.id, now);
    let view = ConfirmView {
        site_title: &mail.site_title,
        base_url: &mail.base_url,
        region_names: region_names.join("、"),
        confirm_url: &confirm_url,
        valid_days: super::CONFIRM_TTL_SECS / 86_400,
    };
    let subject = one_line(&render.render("mail/confirm.subject.txt", &view)?);
    let text = render.render("mail/confirm.text.txt", &view)?;
    let html = render.render("mail/confirm.html", &view)?;
    let builder = Message::builder().message_id(Some(format!(
        "<confirm-{}-{now}@{}>",
        sub.id,
        mail.domain()
    )));
    let (text, html) = (body::whole(&text), body::whole(&html));
    finish(mail, builder, sub, &subject, text, html, now)
}

fn finish(
    mail: &MailService,
    builder: lettre::message::MessageBuilder,
    sub: &Subscriber,
    subject: &str,
    text: Body,
    html: Body,
    now: i64,
) -> Result<Message, MailError> {
    // A stored address is a bare `local@domain` (checked on subscribing): parsing it as an
    // address skips the display-name grammar of a full mailbox.
    let to = sub
        .email
        .parse::<lettre::Address>()
        .map(|address| Mailbox::new(None, address))
        .map_err(|e| MailError::Build(format!("recipient {:?}: {e}", sub.email)))?;
    let date = UNIX_EPOCH + Duration::from_secs(u64::try_from(now).unwrap_or(0));
    let mut message = builder
        .from(mail.from.clone())
        .to(to)
        .subject(subject)
        .date(date)
        .multipart(
            MultiPart::alternative()
                .singlepart(base64_part(ContentType::TEXT_PLAIN, text))
                .singlepart(base64_part(ContentType::TEXT_HTML, html)),
        )
        .map_err(|e| MailError::Build(e.to_string()))?;
    if let Some(dkim) = &mail.dkim {
        message.sign(dkim);
    }
    Ok(message)
}

/// A UTF-8 text part in base64 (see `body`). For Chinese text it is the shorter transfer
/// encoding (a CJK character is three bytes, nine characters in quoted-printable, four in
/// base64), and encoding it costs a fraction of quoted-printable's.
fn base64_part(kind: ContentType, body: Body) -> SinglePart {
    SinglePart::builder().header(kind).body(body)
}

/// A subject is one line: template line breaks (and other control characters) become spaces,
/// bidirectional controls are dropped, runs of spaces collapse, and the ends are trimmed.
/// lettre then RFC 2047-encodes it.
pub fn one_line(s: &str) -> String {
    let s = crate::render::clean(s);
    s.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn substituted_links_are_escaped_like_rendered_ones() {
        assert_eq!(
            html_escape("https://x.org/unsubscribe/1.2.a-b_c"),
            "https:&#x2f;&#x2f;x.org&#x2f;unsubscribe&#x2f;1.2.a-b_c"
        );
        assert_eq!(html_escape("a&\"<'>"), "a&amp;&quot;&lt;&#x27;&gt;");
    }

    #[test]
    fn subject_is_one_clean_line() {
        assert_eq!(
            one_line("  建德市 \r\n 2022年6月28日\t要闻\n"),
            "建德市 2022年6月28日 要闻"
        );
        assert_eq!(one_line("\u{202e}建德市\u{2066} 要闻"), "建德市 要闻");
    }

    #[test]
    fn message_id_is_per_subscriber_and_day() {
        let d = NaiveDate::from_ymd_opt(2022, 6, 28).unwrap();
        assert_eq!(
            digest_message_id(d, 7, "example.org"),
            "<digest-20220628-7@example.org>"
        );
        assert_ne!(
            digest_message_id(d, 8, "example.org"),
            digest_message_id(d, 7, "example.org")
        );
    }

    #[test]
    fn edition_links_point_at_the_edition_page_and_feed() {
        let d = NaiveDate::from_ymd_opt(2022, 6, 28).unwrap();
        let e = EditionItem::new(
            "https://news.example.org",
            "330182",
            "建德市",
            "jiande",
            d,
            3,
            vec![],
        );
        assert_eq!(e.url, "https://news.example.org/r/jiande/2022-06-28/");
        assert_eq!(e.feed_url, "https://news.example.org/r/jiande/feed.atom");
        assert_eq!(e.date_label, "2022年6月28日");
    }
}
