//! Vertical type in a text dump: a headline or byline set top to bottom (竖排) comes out of a
//! converter such as pdfminer.six one character per line (`台` / `风` / `﹃` / `罗` / …). Three or
//! more such lines in a row are put back into one line, the vertical forms of quotation marks
//! (`﹃﹄﹁﹂`) read as the horizontal ones. Pure; linear in the text.

use std::borrow::Cow;

use super::byline::MARKS;
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

/// The punctuation a line holds alone, if it is punctuation a headline may have inside.
fn punctuation(line: &str) -> Option<char> {
    let mut chars = line.trim().chars();
    let c = chars.next()?;
    (chars.next().is_none() && matches!(c, '：' | '，' | '、' | '！' | '？' | '·')).then_some(c)
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

/// Roles a vertical byline names (`记` / `者`, then the names): a group of stacked lines this
/// short is vertical type when it stands next to another group.
const ROLES: &[&str] = &[
    "记者",
    "本报记者",
    "通讯员",
    "实习生",
    "见习记者",
    "特约记者",
    "摄影",
    "摄",
    "文",
    "图",
    "撰文",
];

fn is_role(group: &str) -> bool {
    ROLES.contains(&group)
}

/// The text with each run of vertical type as one line. A vertical byline's parts stand apart by
/// blank lines (`记` / `者` / blank / `俞` / `立` / `青`): groups next to a role are one line,
/// the parts apart by spaces (`记者 俞立青`).
pub fn join(text: &str) -> Cow<'_, str> {
    let lines: Vec<&str> = text.split('\n').collect();
    // Groups of stacked lines in a row: (first line, end, text).
    let mut groups: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let mut group = String::new();
        while let Some(c) = lines.get(i).and_then(|l| stacked(l)) {
            group.push(horizontal(c));
            i += 1;
            // A headline's punctuation set upright between its characters (`古城正定` / `：` /
            // `苟日新`).
            let upright = lines.get(i).and_then(|l| punctuation(l));
            if let (Some(p), Some(_)) = (upright, lines.get(i + 1).and_then(|l| stacked(l))) {
                group.push(p);
                i += 1;
            }
        }
        if i > start {
            groups.push((start, i, group));
        } else {
            i += 1;
        }
    }
    // Runs: (first line, end, the one line they make).
    let mut runs: Vec<(usize, usize, String)> = Vec::new();
    let mut k = 0;
    while k < groups.len() {
        let (a, mut b) = (groups[k].0, groups[k].1);
        let mut line = groups[k].2.clone();
        let mut parts = 1;
        while let Some((na, nb, next)) = groups.get(k + parts) {
            let apart_by_blanks = (b..*na).all(|j| lines[j].trim().is_empty());
            let prev = &groups[k + parts - 1].2;
            if !(apart_by_blanks && (is_role(prev) || is_role(next))) {
                break;
            }
            line.push(' ');
            line.push_str(next);
            b = *nb;
            parts += 1;
        }
        if parts > 1 || b - a >= MIN_RUN {
            // The mark over a vertical byline (`□`) leads its line.
            let mark = a.checked_sub(1).map(|m| lines[m].trim()).filter(|m| {
                let mut c = m.chars();
                parts > 1 && c.next().is_some_and(|c| MARKS.contains(&c)) && c.next().is_none()
            });
            match mark {
                Some(m) => runs.push((a - 1, b, format!("{m}{line}"))),
                None => runs.push((a, b, line)),
            }
        }
        k += parts;
    }
    if runs.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out: Vec<Cow<'_, str>> = Vec::with_capacity(lines.len());
    let mut next = 0;
    for (a, b, line) in runs {
        out.extend(lines[next..a].iter().map(|&l| Cow::Borrowed(l)));
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
            "城市环境：雨后展新颜\n\n记者 俞立青\n\n台风“罗莎”过后\n\n责任编辑：某某"
        );
    }

    #[test]
    fn a_vertical_bylines_parts_are_one_line_apart_by_spaces() {
        let text =
            "城市环境\n\n□\n记\n者\n\n陈\n立\n新\n\n实\n习\n生\n\n王\n小\n萍\n\n\n##### 秋收";
        assert_eq!(
            join(text),
            "城市环境\n\n□记者 陈立新 实习生 王小萍\n\n\n##### 秋收"
        );
        // Two groups with no role between them are two lines: a byline over a headline.
        let text = "记\n者\n\n陈\n立\n新\n\n秋\n收\n：\n麦\n香";
        assert_eq!(join(text), "记者 陈立新\n\n秋收：麦香");
    }

    #[test]
    fn a_wrapped_headlines_tail_and_ordinary_lines_are_left_alone() {
        let text = "上虞少年今赴京采\n访\n\n本报讯 昨天，县里召开会议。\n1\n2\n3\n";
        assert!(matches!(join(text), Cow::Borrowed(_)));
    }
}
