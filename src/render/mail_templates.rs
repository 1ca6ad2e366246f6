//! The compiled-in mail templates (subject/text/html per kind), owned by the mail stage.

/// `(name, source)` of every compiled-in mail template.
pub(crate) const EMBEDDED: &[(&str, &str)] = &[];
