//! Vertical type in a text dump: a headline or byline set top to bottom (竖排) comes out of a
//! converter such as pdfminer.six one character per line (`台` / `风` / `﹃` / `罗` / …). Three or
//! more such lines in a row are put back into one line, the vertical forms of quotation marks
//! (`﹃﹄﹁﹂`) read as the horizontal ones. Pure; linear in the text.

use std::borrow::Cow;

use super::layout::is_han;

/// Fewer lines of one character than this are a wrapped line's tail (`访`), not vertical type.
const MIN_RUN: usize = 3;

/// The character a line of vertical type holds, if the line is one.
fn stacked(line: &str) -> Option<char> {
    let mut chars = line.trim().chars();
    let c = chars.next()?;
    let vertical_mark = matches!(c, '\u{fe10}'..='\u{fe19}' | '\u{fe30}'..='\u{fe4f}');
    (chars.next().is_none() && (is_han(c) || vertical_mark)).then_some(c)
}

/// A vertical form as it is written across the page.
fn horizontal(c: char) -> char {
    match c {
        '﹁' | '﹃' => '“',
        '﹂' | '﹄' => '”',
        '︐' => '，',
        '︒' => '。',
        '︑' => '、',
        '︵' => '（',
        '︶' => '）',
        _ => c,
    }
}

/// The text with each run of vertical type as one line.
pub fn join(text: &str) -> Cow<'_, str> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 0..=lines.len() {
        if i < lines.len() && stacked(lines[i]).is_some() {
            continue;
        }
        if i - start >= MIN_RUN {
            runs.push((start, i));
        }
        start = i + 1;
    }
    if runs.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out: Vec<Cow<'_, str>> = Vec::with_capacity(lines.len());
    let mut next = 0;
    for (a, b) in runs {
        out.extend(lines[next..a].iter().map(|&l| Cow::Borrowed(l)));
        let line: String = lines[a..b]
            .iter()
            .filter_map(|l| stacked(l))
            .map(horizontal)
            .collect();
        out.push(Cow::Owned(line));
        next = b;
    }
    out.extend(lines[next..].iter().map(|&l| Cow::Borrowed(l)));
    Cow::Owned(out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_set_one_per_line_become_one_line() {
        let text = "城市环境：雨后展新颜\n\n记\n者\n\n俞\n立\n青\n\n台\n风\n﹃\n罗\n莎\n﹄\n过\n后\n\n责任编辑：某某";
        assert_eq!(
            join(text),
            "城市环境：雨后展新颜\n\n记\n者\n\n俞立青\n\n台风“罗莎”过后\n\n责任编辑：某某"
        );
    }

    #[test]
    fn a_wrapped_headlines_tail_and_ordinary_lines_are_left_alone() {
        let text = "上虞少年今赴京采\n访\n\n本报讯 昨天，县里召开会议。\n1\n2\n3\n";
        assert!(matches!(join(text), Cow::Borrowed(_)));
    }
}
