//! Text hygiene for everything paperboy writes: one `clean` function that drops the characters
//! XML 1.0 forbids (OCR leaves control characters in page text) and the bidirectional
//! embedding, override and isolate controls (which can make text display reversed, as in
//! `\u{202e}txt.exe`), and HTML escaping.
//!
//! Every string that goes into a feed, a page or the OPML passes through [`clean`] exactly once,
//! when the render views are built; escaping happens later, exactly once, in the writer that
//! knows the output syntax (the feed crates, minijinja's auto-escape, or [`escape_html`] for the
//! HTML bodies carried inside feeds). Nothing here does I/O.

use std::borrow::Cow;

/// True for characters XML 1.0 allows that are also not C1 controls, noncharacters or
/// bidirectional formatting controls: tab, newline, carriage return, and everything from
/// U+0020 except U+007F–U+009F, U+202A–U+202E, U+2066–U+2069, U+FFFE and U+FFFF.
fn allowed(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{0}'..='\u{1f}' => false,
        // C1 controls are legal XML 1.0 but "discouraged", and never meaningful in OCR text.
        '\u{7f}'..='\u{9f}' => false,
        // Embeddings, overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI): Chinese
        // newspaper text never needs them, and an unbalanced one reorders what follows it,
        // even outside the text it came in (a title in a list, a feed reader's window).
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => false,
        '\u{fffe}' | '\u{ffff}' => false,
        _ => true,
    }
}

/// True for a character [`clean`] removes: one XML 1.0 forbids, a C1 control, a noncharacter
/// or a bidirectional embedding, override or isolate control.
///
/// ```
/// assert!(paperboy::render::is_removed('\u{202e}'));
/// assert!(!paperboy::render::is_removed('建'));
/// ```
pub fn is_removed(c: char) -> bool {
    !allowed(c)
}

/// Removes the characters XML 1.0 forbids, C1 controls and bidirectional formatting controls
/// (see [`is_removed`]). Borrows when nothing changes.
///
/// ```
/// assert_eq!(paperboy::render::clean("a\u{1}b\u{b}c"), "abc");
/// assert_eq!(paperboy::render::clean("建德\n新闻"), "建德\n新闻");
/// assert_eq!(paperboy::render::clean("\u{202e}txt.exe\u{2066}"), "txt.exe");
/// ```
pub fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| allowed(c)).collect())
    }
}

/// [`clean`] into an owned `String`.
pub fn cleaned(s: &str) -> String {
    clean(s).into_owned()
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
///
/// ```
/// assert_eq!(paperboy::render::escape_html("<a href='x'>&</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_html_into(&mut out, s);
    out
}

/// [`escape_html`] appended to `out`. The five metacharacters are ASCII, so the text between
/// them is copied as whole runs rather than character by character: feeds carry every
/// article's text many times over, and this is most of the bytes paperboy writes.
pub fn escape_html_into(out: &mut String, s: &str) {
    // Writing to a `String` cannot fail.
    let _ = write_escaped_html(out, s);
}

/// [`escape_html`] written to `out` (the page templates' auto-escaping writes through this,
/// with no string of its own per value).
pub fn write_escaped_html<W: std::fmt::Write>(out: &mut W, s: &str) -> std::fmt::Result {
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // `i` is at an ASCII byte, so both slices end on character boundaries.
        out.write_str(&s[run..i])?;
        out.write_str(entity)?;
        run = i + 1;
    }
    out.write_str(&s[run..])
}

/// Splits a body into its paragraphs (separated by blank lines), trimmed, empty ones dropped.
pub fn paragraphs(body: &str) -> Vec<String> {
    body.split("\n\n")
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The first `max` characters of `s` (whitespace collapsed), with `…` when cut.
pub fn excerpt(s: &str, max: usize) -> String {
    excerpt_words(s.split_whitespace(), max)
}

/// [`excerpt`] of the text whose words (split at whitespace) are `words`, so that a text in
/// parts need not be joined first.
pub(super) fn excerpt_words<'a>(words: impl Iterator<Item = &'a str>, max: usize) -> String {
    // Collapses only as far as the cut: a summary of a long text reads its opening, not all
    // of it.
    let mut out = String::new();
    let mut chars = 0;
    for word in words {
        if chars > 0 {
            if chars == max {
                out.push('…');
                return out;
            }
            out.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars == max {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn removes_xml_forbidden_characters_and_keeps_the_rest() {
        let s = "标题\u{1}\u{b}\u{c}\u{7f}\u{85}\u{fffe}<b>&]]>\t\r\n";
        assert_eq!(clean(s), "标题<b>&]]>\t\r\n");
        assert!(matches!(clean("干净的文字"), Cow::Borrowed(_)));
        // Characters beyond the BMP are legal XML.
        assert_eq!(clean("𠀀"), "𠀀");
    }

    #[test]
    fn removes_bidirectional_embeddings_overrides_and_isolates() {
        let s = "\u{202a}a\u{202b}b\u{202c}c\u{202d}d\u{202e}e\u{2066}f\u{2067}g\u{2068}h\u{2069}";
        assert_eq!(clean(s), "abcdefgh");
        // Marks that only hint direction (LRM, RLM) reorder nothing beyond themselves: kept.
        assert_eq!(clean("a\u{200e}b\u{200f}c"), "a\u{200e}b\u{200f}c");
    }

    #[test]
    fn escapes_every_html_metacharacter_once() {
        assert_eq!(
            escape_html("建德&\"'<>新闻"),
            "建德&amp;&quot;&#39;&lt;&gt;新闻"
        );
        let mut out = "<p>".to_string();
        escape_html_into(&mut out, "a<b");
        assert_eq!(out, "<p>a&lt;b");
        assert_eq!(
            escape_html("<script>alert(\"x\")</script> & ]]>"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ]]&gt;"
        );
    }

    #[test]
    fn splits_paragraphs_on_blank_lines() {
        assert_eq!(paragraphs("一\n\n 二 \n\n\n\n三"), vec!["一", "二", "三"]);
        assert!(paragraphs("  \n\n ").is_empty());
    }

    #[test]
    fn excerpt_cuts_by_characters_not_bytes() {
        assert_eq!(excerpt("建德市新闻", 3), "建德市…");
        assert_eq!(excerpt("a  b\nc", 10), "a b c");
        // Cut exactly at the end, or just before a space: nothing left out, or only spaces.
        assert_eq!(excerpt("建德市", 3), "建德市");
        assert_eq!(excerpt("建德 市", 2), "建德…");
        assert_eq!(excerpt("建德 市", 3), "建德 …");
        assert_eq!(excerpt(" 建德  ", 2), "建德");
    }
}
