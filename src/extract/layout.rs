//! Layout repair: page text → units (paragraph candidates) with the damage of a PDF/OCR dump
//! undone. Lines hard-wrapped by narrow columns are joined back into paragraphs, markdown residue
//! (`#` headings, `**bold**`, trailing double-space breaks) is stripped while the heading level is
//! kept as a signal, and column-gap spaces between CJK characters are closed. Paragraphs cut
//! mid-sentence across blocks are joined later, by segmentation, once it knows which units are
//! running text. This module decides nothing about articles.

use super::{byline, furniture};

/// One paragraph candidate: a heading, a line, or a run of joined lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Text with markdown residue removed and surrounding whitespace trimmed.
    pub text: String,
    /// Markdown heading level (`#` = 1) when the dump printed the line as a heading.
    pub level: Option<u8>,
    /// Whether the block this unit came from reads as running text (it holds sentence
    /// punctuation, commas or long lines): a short line there is a fragment, not a headline.
    pub in_prose_block: bool,
    /// Index of the blank-line separated block the unit came from.
    pub block: usize,
    /// It opens with an indent in a block where indents mark paragraphs (some lines indented,
    /// others not): a new paragraph, never the continuation of a sentence cut before it.
    pub indented: bool,
}

/// Is `c` a Han character (CJK ideograph, including `〇`)?
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF | 0x3007)
}

/// Is `c` CJK punctuation (full-width forms, curly quotes, ellipsis, middle dot, dashes)?
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2018..=0x201F | 0x2026 | 0x00B7 | 0x2014 | 0x25A0..=0x25FF)
}

fn is_cjkish(c: char) -> bool {
    is_han(c) || is_cjk_punct(c)
}

/// Closing quotes and brackets that may follow a sentence's final punctuation.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\'' | '》' | '】' | ' '
    )
}

/// Does `s` end a sentence (。！？… or ；, possibly followed by closing quotes/brackets, or by a
/// bracketed note such as a trailing byline `。（记者 张三）`)?
pub fn ends_sentence(s: &str) -> bool {
    let trimmed = s.trim_end_matches(is_closer);
    if matches!(
        trimmed.chars().last(),
        Some('。' | '！' | '？' | '!' | '?' | '…' | '；' | ';')
    ) {
        return true;
    }
    let s = s.trim_end();
    if !s.ends_with(['）', ')']) {
        return false;
    }
    // A short bracketed note after the sentence's end.
    match s.rfind(['（', '(']) {
        Some(open) => {
            let note = &s[open..];
            width(note) <= 24 && !note.chars().skip(1).any(|c| matches!(c, '（' | '(')) && {
                let before = s[..open].trim_end().trim_end_matches(is_closer);
                matches!(
                    before.chars().last(),
                    Some('。' | '！' | '？' | '!' | '?' | '…')
                )
            }
        }
        None => false,
    }
}

/// Does `s` hold sentence punctuation or a comma anywhere (the marks of running text)?
pub fn has_prose_marks(s: &str) -> bool {
    s.contains(['。', '，', ',', '；', '！', '？', '、'])
}

/// Commas or sentence punctuation (an enumeration comma `、` alone does not make a sentence: it
/// appears in numbered headings like `一、抓好项目建设`).
fn has_sentence_marks(s: &str) -> bool {
    s.contains(['。', '，', ',', '；', '！', '？'])
}

/// Number of characters, the unit of every length rule here.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// Removes the spaces a column gap left between CJK characters (and between CJK and digits or
/// ASCII punctuation), keeping the spaces between Latin words and between numbers. Runs of
/// spaces elsewhere collapse to one.
pub fn close_gaps(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\u{3000}' || c == '\t' {
            let start = i;
            while i < chars.len() && matches!(chars[i], ' ' | '\u{3000}' | '\t') {
                i += 1;
            }
            let (Some(&a), Some(&b)) = (out.chars().last().as_ref(), chars.get(i)) else {
                continue; // leading or trailing run
            };
            let glue = |x: char, y: char| {
                (is_cjkish(x) && is_cjkish(y))
                    || (is_han(x) && (y.is_ascii_digit() || y.is_ascii_punctuation()))
                    || ((x.is_ascii_digit() || x.is_ascii_punctuation()) && is_han(y))
                    || (is_cjk_punct(x) && y.is_ascii_alphanumeric())
                    || (x.is_ascii_alphanumeric() && is_cjk_punct(y))
            };
            if !glue(a, b) && start < i {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Joins two pieces of one paragraph: no space where CJK meets, one space between Latin words.
pub fn join_pieces(a: &mut String, b: &str) {
    let b = b.trim();
    let need_space = match (a.chars().last(), b.chars().next()) {
        (Some(x), Some(y)) => !(is_cjkish(x) || is_cjkish(y)),
        _ => false,
    };
    if need_space {
        a.push(' ');
    }
    a.push_str(b);
}

/// Lines wider than this were not hard-wrapped by a newspaper column: a sentence end there ends
/// the paragraph.
const UNWRAPPED: usize = 45;

/// A line with its markdown residue removed.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub(super) text: String,
    pub(super) level: Option<u8>,
    pub(super) indented: bool,
}

pub(super) fn clean_line(raw: &str) -> Line {
    let indented = raw.starts_with([' ', '\u{3000}', '\t']);
    let mut s = raw.trim();
    let mut level = None;
    if s.starts_with('#') {
        let hashes = s.bytes().take_while(|&b| b == b'#').count();
        let rest = &s[hashes..];
        if hashes <= 6 && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
            level = Some(hashes as u8);
            s = rest.trim();
        }
    }
    let text = if s.contains("**") || s.contains('\u{3000}') || s.contains('\t') {
        s.replace("**", "")
            .replace(['\u{3000}', '\t'], " ")
            .trim()
            .to_string()
    } else {
        s.to_string()
    };
    Line {
        text,
        level,
        indented,
    }
}

/// A line that is a unit of its own whatever its neighbours: a heading, a byline, furniture or a
/// jump marker.
fn stands_alone(line: &Line) -> bool {
    line.level.is_some()
        || byline::is_byline_line(&line.text)
        || byline::byline_bracket_open(&line.text)
        || furniture::is_furniture(&line.text)
        || furniture::is_label(&line.text)
}

/// Splits page text into units: blank-line separated blocks, with hard-wrapped lines joined.
pub fn units(text: &str) -> Vec<Unit> {
    // Does the page mark paragraphs by indents (some text lines indented, others not)?
    let mut seen = (false, false);
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        let ind = l.starts_with([' ', '\u{3000}', '\t']);
        seen = (seen.0 || ind, seen.1 || !ind);
    }
    let indent_page = seen.0 && seen.1;
    // A converter that ends pages with form feeds set its headlines apart from their leads;
    // only text wrapped by hand or by OCR glues a headline to the line under it.
    let glued_headlines = !text.contains('\u{c}');
    let mut out: Vec<Unit> = Vec::new();
    let mut block: Vec<Line> = Vec::new();
    let mut block_no = 0;
    for raw in text.lines().chain(std::iter::once("")) {
        let line = clean_line(raw);
        if line.text.is_empty() {
            if !block.is_empty() {
                if is_verse(&block, out.last()) {
                    verse(&block, block_no, &mut out);
                } else {
                    split_block(&block, block_no, (indent_page, glued_headlines), &mut out);
                }
                block.clear();
                block_no += 1;
            }
            continue;
        }
        block.push(line);
    }
    out
}

/// Share of a headline's words that recur in the text under it when the headline is set right
/// over it, without a blank line.
const HEADLINE_WORDS: f64 = 0.3;

/// Is a block's first line a headline set right over its hard-wrapped lead? It holds no
/// punctuation and stops short of the column's width; the line under it does not go on with a
/// clause the first line cut (`工程二` / `期、…`); and that text opens like a news lead (a date,
/// 近日, 本报讯) or goes on with the headline's words. Joined to its lead, it would be lost.
fn headline_over_lead(lines: &[Line], widest: usize) -> bool {
    let [first, second, ..] = lines else {
        return false;
    };
    let clause_goes_on = second
        .text
        .chars()
        .take(3)
        .any(|c| matches!(c, '、' | '，' | '。' | '；' | '：' | '）' | '”' | ','));
    if lines.len() < 3
        || first.level.is_some()
        || has_sentence_marks(&first.text)
        || width(&first.text) * 100 > widest * 85
        || clause_goes_on
    {
        return false;
    }
    let rest: String = lines[1..].iter().map(|l| l.text.as_str()).collect();
    super::features::opens_like_a_lead(&second.text)
        || super::headline::overlap(&first.text, &super::headline::han_text([rest.as_str()]))
            >= HEADLINE_WORDS
}

/// Longest text, in bytes, that can be a byline still waiting for its wrapped rest (40
/// characters of three bytes, with room for spaces).
const BYLINE_BYTES: usize = 160;

/// Least lines of a poem's block.
const VERSE_LINES: usize = 3;
/// Widest line of a poem.
const VERSE_WIDTH: usize = 20;

/// A poem under its author's line (`□ 郑 怡`): a block of short lines without sentence
/// punctuation, which elsewhere would read as a headline set on several lines.
fn is_verse(lines: &[Line], before: Option<&Unit>) -> bool {
    // A poet's line is a bare name (`□ 郑 怡`); a reporter's byline (`□本报记者 侯冲`,
    // `（记者 张三）`) stands over or under a story, and short lines after it are a headline.
    let author = before.is_some_and(|u| {
        byline::names_only(u.text.trim_start_matches(byline::MARKS).trim()).is_some()
    });
    author
        && lines.len() >= VERSE_LINES
        && lines.iter().all(|l| {
            l.level.is_none()
                && width(&l.text) <= VERSE_WIDTH
                && !has_sentence_marks(&l.text)
                && !l.text.contains(['：', ':'])
        })
}

/// Each line of a poem is running text of its own, never joined to the next.
fn verse(lines: &[Line], block: usize, out: &mut Vec<Unit>) {
    out.extend(lines.iter().map(|l| Unit {
        text: l.text.clone(),
        level: None,
        in_prose_block: true,
        block,
        indented: true,
    }));
}

/// Splits a block into units; `page` tells whether the page marks paragraphs by indents and
/// whether a headline may stand glued to the lead under it.
fn split_block(lines: &[Line], block: usize, page: (bool, bool), out: &mut Vec<Unit>) {
    let (indent_page, glued_headlines) = page;
    let prose = lines
        .iter()
        .any(|l| l.level.is_none() && (has_prose_marks(&l.text) || width(&l.text) > 40));
    let widest = lines.iter().map(|l| width(&l.text)).max().unwrap_or(0);
    let all_indented = lines.iter().all(|l| l.indented);
    // Indents mark paragraphs here: an indented line opens one, unindented lines continue it.
    let indent_marks = !all_indented && lines.iter().any(|l| l.indented);
    // Units of this block: the unit, whether it stands alone, its last line's width, its line
    // count, and whether it opened with an indent.
    // A headline follows a finished story (its last sentence or byline), the masthead or
    // another headline; a block after running text cut mid-sentence starts with the rest of
    // that sentence.
    // (A line set on its own without punctuation, as a poem's, is whole too.)
    let after_whole = out.last().is_none_or(|u| {
        !u.in_prose_block
            || ends_sentence(&u.text)
            || byline::is_byline_line(&u.text)
            || (u.indented && !has_prose_marks(&u.text))
    });
    let title_first = glued_headlines && prose && after_whole && headline_over_lead(lines, widest);
    let mut built: Vec<(Unit, bool, usize, usize, bool)> = Vec::new();
    for line in lines {
        // A bracketed byline cut by a wrap takes the lines up to its closing bracket, the
        // break kept for the byline to tell a cut name from a space between names.
        // (Only a short unit can be a byline: long ones are not looked at again per line.)
        if let Some((cur, ..)) = built.last_mut().filter(|b| b.0.text.len() <= BYLINE_BYTES) {
            if byline::byline_bracket_open(&cur.text.replace('\n', " ")) && width(&line.text) <= 40
            {
                cur.text.push('\n');
                cur.text.push_str(&line.text);
                continue;
            }
            // A byline that ends on a role takes the names the wrap put under it.
            if byline::byline_awaits_names(&cur.text) && byline::names_only(&line.text).is_some() {
                cur.text.push(' ');
                cur.text.push_str(&line.text);
                continue;
            }
        }
        let alone = stands_alone(line);
        let line_width = width(&line.text);
        let own_paragraph = line.indented && !all_indented;
        let first_unit = built.len() == 1;
        if let Some((cur, cur_alone, last_width, count, _)) = built.last_mut() {
            // A line that ends a sentence and stops short of the column's width ends its
            // paragraph; so does a line without any punctuation much shorter than the next (a
            // title or label set on its own line over running text).
            let paragraph_ended = ends_sentence(&cur.text)
                && (!prose || *last_width * 100 < widest * 85 || *last_width > UNWRAPPED);
            let short_title = prose
                && *count == 1
                && !has_sentence_marks(&cur.text)
                && (*last_width * 100 < line_width * 60 || (first_unit && title_first));
            let new_paragraph =
                alone || *cur_alone || own_paragraph || paragraph_ended || short_title;
            if !new_paragraph {
                if prose {
                    join_pieces(&mut cur.text, &line.text);
                } else {
                    // A headline set on two lines: keep the break as a space.
                    cur.text.push(' ');
                    cur.text.push_str(&line.text);
                }
                *last_width = line_width;
                *count += 1;
                continue;
            }
        }
        let unit = Unit {
            text: line.text.clone(),
            level: line.level,
            in_prose_block: prose,
            block,
            indented: line.indented && indent_page,
        };
        built.push((unit, alone, line_width, 1, own_paragraph));
    }
    let n = built.len();
    for (i, (mut unit, _, _, count, own_paragraph)) in built.into_iter().enumerate() {
        // A one-line unit without punctuation that running text follows in the same block is
        // judged by itself (a headline over its body); the block's last line is not, since it
        // is most often a sentence cut by the column end.
        // Where indents mark paragraphs, an unindented line that still starts a unit of its own
        // (the paragraph before it ended) is not running text either, even last in its block.
        let set_apart = count == 1
            && (i + 1 < n || (indent_marks && !own_paragraph))
            && !has_sentence_marks(&unit.text);
        if own_paragraph || set_apart {
            unit.in_prose_block = false;
        }
        out.push(unit);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn texts(page: &str) -> Vec<String> {
        units(page).into_iter().map(|u| u.text).collect()
    }

    #[test]
    fn joins_lines_hard_wrapped_by_a_narrow_column() {
        let page = "民以食为天，食以安为先。\n食品安全关乎着民生福祉。今年\n以来，区市场监管局深入落实\n“食品安全”民生实事项目。\n";
        assert_eq!(
            texts(page),
            ["民以食为天，食以安为先。食品安全关乎着民生福祉。今年以来，区市场监管局深入落实“食品安全”民生实事项目。"]
        );
    }

    #[test]
    fn a_short_line_ending_a_sentence_ends_the_paragraph() {
        let page = "全部完成提升改造工作，受到\n群众好评。\n与此同时，为了让菜篮子更\n丰富，市场改造升级。\n";
        assert_eq!(
            texts(page),
            [
                "全部完成提升改造工作，受到群众好评。",
                "与此同时，为了让菜篮子更丰富，市场改造升级。"
            ]
        );
    }

    #[test]
    fn headline_on_two_lines_keeps_a_space() {
        let page = "从严从紧从实 用心用情用力\n坚决打赢疫情防控遭遇战阻击战\n";
        let u = units(page);
        assert_eq!(u.len(), 1);
        assert_eq!(
            u[0].text,
            "从严从紧从实 用心用情用力 坚决打赢疫情防控遭遇战阻击战"
        );
        assert!(!u[0].in_prose_block);
    }

    #[test]
    fn strips_markdown_residue_and_keeps_heading_level() {
        let u = units("### 桥韵\n\n**本报讯** 昨日上午，我市召开会议。  \n（记者 许在诚）\n");
        assert_eq!(u[0].text, "桥韵");
        assert_eq!(u[0].level, Some(3));
        assert_eq!(u[1].text, "本报讯 昨日上午，我市召开会议。");
        assert_eq!(u[2].text, "（记者 许在诚）");
    }

    #[test]
    fn a_title_on_its_own_line_over_unwrapped_paragraphs_is_set_apart() {
        let u = units("新年招聘会 搭建就业路\n1月8日，我市举行就业援助新年招聘会，吸引了全市服务业、制造业等领域的用工单位前来设摊招聘。\n（记者 宁文武）\n");
        assert_eq!(u.len(), 3);
        assert_eq!(u[0].text, "新年招聘会 搭建就业路");
        assert!(!u[0].in_prose_block);
        assert!(u[1].in_prose_block);
    }

    #[test]
    fn an_indented_line_starts_a_new_unit() {
        let u = texts("进一步织密疫情防控网络。\n 金承涛在全区会议上强调\n");
        assert_eq!(u, ["进一步织密疫情防控网络。", "金承涛在全区会议上强调"]);
    }

    #[test]
    fn closes_column_gaps_between_cjk_but_not_between_latin_words_or_numbers() {
        assert_eq!(
            close_gaps("农贸市场等 地,实地督查工 作。"),
            "农贸市场等地,实地督查工作。"
        );
        assert_eq!(close_gaps("宣传活动 1500 余场"), "宣传活动1500余场");
        assert_eq!(close_gaps("JIAXING DAILY 出版"), "JIAXING DAILY 出版");
        assert_eq!(close_gaps("1500 2000"), "1500 2000");
        assert_eq!(
            close_gaps("文明创建,人人有责, 要落实"),
            "文明创建,人人有责,要落实"
        );
        assert_eq!(close_gaps("“大爱西藏 情暖高原”"), "“大爱西藏情暖高原”");
    }

    #[test]
    fn sentence_ends_are_seen_through_closing_quotes() {
        assert!(ends_sentence("为民服务。”"));
        assert!(ends_sentence("好不好？）"));
        assert!(!ends_sentence("俞伟指出，防"));
        assert!(!ends_sentence("他表示："));
    }

    #[test]
    fn a_sentence_with_a_trailing_bracketed_byline_ends_its_paragraph() {
        assert!(ends_sentence("会议要求抓好落实。（记者 张三 通讯员 李四）"));
        assert!(!ends_sentence("会议要求（试行）"));
        let t = texts(
            "    全县上下掀起学习热潮，各乡镇纷纷组织党员干部开展专题学习，大家表示要\n行动起来。（记者 张三）\n抓好落实 推动发展\n",
        );
        assert_eq!(t.last().unwrap(), "抓好落实 推动发展");
    }

    #[test]
    fn where_indents_mark_paragraphs_a_closing_unindented_line_is_set_apart() {
        let u = units(
            "    镇里举行重点项目集中开工仪式，此次集中开工项目共八个，总投资达十亿元。\n    据悉，这批项目涵盖先进制造业等领域，预计可新增产值。\n镇八个重点项目集中开工\n",
        );
        assert_eq!(u.len(), 3);
        assert!(u[0].indented && u[1].indented && !u[2].indented);
        assert_eq!(u[2].text, "镇八个重点项目集中开工");
        assert!(!u[2].in_prose_block);
    }

    #[test]
    fn a_bracketed_byline_cut_by_a_wrap_is_one_unit_under_its_headline() {
        let u = units("高桥街道开展集体婚礼\n（今日桐乡记者 羊宇杰 通讯员 周\n建平）\n\n5月16日，街道举办集体婚礼。\n");
        assert_eq!(u[0].text, "高桥街道开展集体婚礼");
        assert_eq!(u[1].text, "（今日桐乡记者 羊宇杰 通讯员 周\n建平）");
        let b = byline::parse_line(&u[1].text).unwrap();
        assert_eq!(b.names, ["羊宇杰", "周建平"]);
    }

    #[test]
    fn a_poem_under_its_author_is_running_text_line_by_line() {
        let u = units("玉苍山\n□ 郑 怡\n\n云雾漫过山腰\n松涛在石阶上回响\n我们沿着古道向上\n");
        let texts: Vec<&str> = u.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "玉苍山",
                "□ 郑 怡",
                "云雾漫过山腰",
                "松涛在石阶上回响",
                "我们沿着古道向上"
            ]
        );
        assert!(u[2..].iter().all(|u| u.in_prose_block && u.indented));
        // Without an author's line over it, such a block is a headline set on several lines.
        let h = units("云雾漫过山腰\n松涛在石阶上回响\n我们沿着古道向上\n");
        assert_eq!(h.len(), 1);
        // Nor after a closing byline: that is the next story's headline.
        let h = units("（记者 张三）\n\n寿光市调度城市\n边界社区建设情\n况\n");
        assert_eq!(h.len(), 2);
        let h =
            units("□本报记者侯冲\n\n镜头对准四川贫困地区\n三位返乡者回家过年\n今年有哪些不一样\n");
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn a_byline_wrapped_after_a_role_takes_the_names_under_it() {
        let u = units("**本报记者 吕晓红 通讯员\n 杜建平**\n\n本报讯 走进工业园区，机器轰鸣。\n");
        assert_eq!(u[0].text, "本报记者 吕晓红 通讯员 杜建平");
        assert_eq!(
            byline::parse_line(&u[0].text).unwrap().names,
            ["吕晓红", "杜建平"]
        );
    }

    #[test]
    fn a_headline_set_right_over_its_wrapped_lead_stays_apart() {
        let u = texts("龙港渔民喜迎开渔季\n7月8日一早，龙港镇的渔港码\n头就热闹起来，上百艘渔船满载\n冰块驶出港口。\n");
        assert_eq!(u[0], "龙港渔民喜迎开渔季");
        let u = texts("（记者 林晓东）\n\n灵溪镇新建口袋公园\n灵溪镇今年利用边角地块新建\n的三座口袋公园近日向市民开\n放，设有步道和座椅。\n");
        assert_eq!(u[1], "灵溪镇新建口袋公园");
        // A line the column cut at a block's start is not one: its clause goes on below…
        let u = texts("在江东大道提升改造工程二\n期、艮山东路过江隧道项目建设\n现场，江东大道提升改造工程二期正在推进。\n");
        assert_eq!(u.len(), 1);
        // …or the text before it stopped mid-sentence.
        let u = texts("巴雅尔图介绍，这期报纸由新巴尔虎右旗\n\n新巴尔虎右旗旗委宣\n传部副部长巴雅尔图又拿\n出一期报纸，巴雅尔图说。\n");
        assert_eq!(u.len(), 2);
        // A converter that ends its pages with form feeds set its headlines apart already.
        let u = texts("龙港渔民喜迎开渔季\n7月8日一早，龙港镇的渔港码\n头就热闹起来，上百艘渔船满载\n冰块驶出港口。\n\u{c}");
        assert_eq!(u.len(), 1);
    }
}
