//! Text folding for comparisons, and the Python-style quoting the report's wording uses.
//!
//! Both follow `score.py` character for character: [`fold`] is its `fold`, and [`py_repr`] /
//! [`py_list`] print values as Python's `repr` does, so that `paperboy eval --verbose` and
//! `score.py --verbose` agree line for line.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Folds text for comparison regardless of layout damage: NFKC (full-width ASCII becomes
/// half-width), one form of quotes, ASCII `，：；（）！？`, `-` for `—`/`－`, and no whitespace,
/// ideographic space, markdown `*`/`#` or `■`.
///
/// ```
/// assert_eq!(paperboy::eval::fold("“今日 建德”：\u{3000}**Ａ１**"), "\"今日建德\":A1");
/// ```
pub fn fold(s: &str) -> String {
    s.nfkc()
        .map(|c| match c {
            '“' | '”' | '「' | '」' | '『' | '』' => '"',
            '‘' | '’' => '\'',
            '，' => ',',
            '：' => ':',
            '；' => ';',
            '（' => '(',
            '）' => ')',
            '！' => '!',
            '？' => '?',
            '—' | '－' => '-',
            c => c,
        })
        .filter(|&c| !is_py_space(c) && !matches!(c, '*' | '#' | '■'))
        .collect()
}

/// Python's `str.isspace`, which its `\s` matches: Unicode `White_Space` plus the ASCII
/// information separators U+001C–U+001F (bidirectional class B or S).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `repr` of a string: single quotes unless the text holds `'` and no `"`; backslash
/// escapes for the quote, `\`, `\t`, `\n`, `\r` and for characters Python does not print
/// (controls, format characters, separators other than the ASCII space, unassigned code points).
///
/// The general categories come from a newer Unicode than Python's own tables; they differ only
/// on code points assigned since, which news text does not use.
pub(crate) fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if py_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for one character.
fn py_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::Surrogate
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::SpaceSeparator
    )
}

/// Python's `repr` of a list of strings: `['a', 'b']`.
pub(crate) fn py_list<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| py_repr(s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

/// Python's `repr` of an optional string: `None` or the quoted string.
pub(crate) fn py_repr_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_string(), py_repr)
}

/// Python's `str()` of an optional string, as an f-string prints it: `None` or the bare text.
pub(crate) fn py_str_opt(s: Option<&str>) -> &str {
    s.unwrap_or("None")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_layout_and_unifies_punctuation() {
        assert_eq!(fold("本报讯 （记者 陈祥胜）"), "本报讯(记者陈祥胜)");
        assert_eq!(fold("‘好’「字」『词』"), "'好'\"字\"\"词\"");
        assert_eq!(fold("## **标题**■"), "标题");
        assert_eq!(fold("你好！吗？是；的：——"), "你好!吗?是;的:--");
        assert_eq!(fold("Ｈｅｌｌｏ\u{a0}\u{2003}１２\n\t\u{1f}x"), "Hello12x");
    }

    #[test]
    fn fold_keeps_what_python_does_not_call_space() {
        // U+200B (zero width space) is not whitespace to Python; U+180E no longer is either.
        assert_eq!(fold("a\u{200b}b\u{180e}c"), "a\u{200b}b\u{180e}c");
    }

    #[test]
    fn repr_quotes_and_escapes_as_python() {
        assert_eq!(py_repr("标题"), "'标题'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr("a\\b\tc\nd"), "'a\\\\b\\tc\\nd'");
        assert_eq!(
            py_repr("今日\u{3000}建德\u{a0}x\u{7f}"),
            "'今日\\u3000建德\\xa0x\\x7f'"
        );
        assert_eq!(py_repr("\u{feff}\u{e000}"), "'\\ufeff\\ue000'");
        assert_eq!(py_repr("\u{f0000}"), "'\\U000f0000'");
        assert_eq!(py_repr("“乱石岗”上"), "'“乱石岗”上'");
    }

    #[test]
    fn lists_and_missing_values_print_as_python() {
        assert_eq!(py_list(&["石勇生", "邵海标"]), "['石勇生', '邵海标']");
        assert_eq!(py_list::<String>(&[]), "[]");
        assert_eq!(py_repr_opt(None), "None");
        assert_eq!(py_repr_opt(Some("")), "''");
        assert_eq!(py_str_opt(None), "None");
        assert_eq!(py_str_opt(Some("标题")), "标题");
    }
}
