//! Letter-spaced text: OCR engines and some PDF converters print CJK text with a space after
//! every character (`我 市 召 开 会 议`), so a word's characters, a date's digits and a
//! markdown marker (`* *`) stand apart, and the spaces the page really had become wider gaps.
//! Such lines are closed up: single spaces removed, wider gaps kept as one space (they part
//! names in a byline, `记者 张三 李四`). Pure; linear in the text.

use std::borrow::Cow;

/// A line is letter-spaced when at least this share of the gaps between its characters is
/// exactly one space and it has at least `MIN_CHARS` characters besides spaces...
const SPACED_SHARE: f32 = 0.8;
const MIN_CHARS: usize = 6;
/// ...or, on a page where most such lines are, when half its gaps are (a byline's names stand
/// apart by wider gaps: `记 者   王 小 明`) and it has two characters at least.
const PAGE_SHARE: f32 = 0.5;

/// The text with its letter-spaced lines closed up, other lines as they are; and whether most
/// of the page's lines of some length were letter-spaced (then its real gaps are wider ones).
pub fn close(text: &str) -> (Cow<'_, str>, bool) {
    let (mut long, mut spaced) = (0usize, 0usize);
    for (chars, share) in text.lines().map(gaps) {
        if chars >= MIN_CHARS {
            long += 1;
            spaced += usize::from(share >= SPACED_SHARE);
        }
    }
    if spaced == 0 {
        return (Cow::Borrowed(text), false);
    }
    let page = spaced * 2 > long;
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (chars, share) = gaps(line);
        if chars >= MIN_CHARS && share >= SPACED_SHARE || page && chars >= 2 && share >= PAGE_SHARE
        {
            close_line(line, &mut out);
        } else {
            out.push_str(line);
        }
    }
    (Cow::Owned(out), page)
}

/// The line's characters besides spaces, and the share of the gaps between them that are
/// exactly one space.
fn gaps(line: &str) -> (usize, f32) {
    let (mut chars, mut single, mut pairs, mut gap) = (0usize, 0usize, 0usize, None::<usize>);
    for c in line.trim().chars() {
        if c == ' ' {
            gap = gap.map(|g| g + 1);
            continue;
        }
        if let Some(g) = gap {
            pairs += 1;
            single += usize::from(g == 1);
        }
        chars += 1;
        gap = Some(0);
    }
    (chars, single as f32 / pairs.max(1) as f32)
}

/// Removes single spaces between characters and turns wider gaps into one space; leading
/// spaces (an indent) are kept, halved.
fn close_line(line: &str, out: &mut String) {
    let body = line.trim_start_matches(' ');
    let indent = line.len() - body.len();
    out.extend(std::iter::repeat_n(' ', indent / 2));
    let mut spaces = 0;
    for c in body.trim_end().chars() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        if spaces >= 2 {
            out.push(' ');
        }
        spaces = 0;
        out.push(c);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn letter_spaced_lines_close_up_and_keep_their_real_gaps() {
        let text = "#   县 政 府 召 开 常 务 会 议\n\n\
                    * * 本 报 讯 * *   2 0 2 4 年 3 月 5 日 ， 县 长 主 持 会 议 。\n\
                    记 者   王 小 明   李 华\n\
                    会 议 研 究 了 全 县 春 耕 生 产 工 作 。\n\
                    New York 一行 3 人\n";
        let (got, page) = close(text);
        assert!(page);
        assert_eq!(
            got,
            "# 县政府召开常务会议\n\n\
             **本报讯** 2024年3月5日，县长主持会议。\n\
             记者 王小明 李华\n\
             会议研究了全县春耕生产工作。\n\
             New York 一行 3 人\n"
        );
    }

    #[test]
    fn ordinary_text_and_spaced_names_are_left_alone() {
        let text = "文/记者 潘 婷 图/通讯员 徐 锋\n本报讯 9月4日，我县启动体检工程。\n潘 婷\n";
        assert!(matches!(close(text), (Cow::Borrowed(_), false)));
    }
}
