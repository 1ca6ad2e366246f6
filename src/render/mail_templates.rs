//! The compiled-in mail templates (subject/text/html per kind), owned by the mail stage, and
//! the subscription pages the web shows (`mail/subscribe.html`, `mail/unsubscribe.html`,
//! `mail/manage.html`, `mail/notice.html`, which extend the site's `base.html`). Each may be overridden by a file
//! of the same name under the templates directory (e.g. `templates/mail/digest.html`).

/// `(name, source)` of every compiled-in mail template.
pub(crate) const EMBEDDED: &[(&str, &str)] = &[
    (
        "mail/digest.subject.txt",
        include_str!("../../templates/mail/digest.subject.txt"),
    ),
    (
        "mail/digest.text.txt",
        include_str!("../../templates/mail/digest.text.txt"),
    ),
    (
        "mail/digest.html",
        include_str!("../../templates/mail/digest.html"),
    ),
    (
        "mail/confirm.subject.txt",
        include_str!("../../templates/mail/confirm.subject.txt"),
    ),
    (
        "mail/confirm.text.txt",
        include_str!("../../templates/mail/confirm.text.txt"),
    ),
    (
        "mail/confirm.html",
        include_str!("../../templates/mail/confirm.html"),
    ),
    (
        "mail/subscribe.html",
        include_str!("../../templates/mail/subscribe.html"),
    ),
    (
        "mail/unsubscribe.html",
        include_str!("../../templates/mail/unsubscribe.html"),
    ),
    (
        "mail/manage.html",
        include_str!("../../templates/mail/manage.html"),
    ),
    (
        "mail/notice.html",
        include_str!("../../templates/mail/notice.html"),
    ),
];
