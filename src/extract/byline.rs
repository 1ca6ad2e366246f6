//! Bylines and datelines: who wrote or photographed an article, as names only. Forms handled:
//! `■记者 张三 通讯员 李四`, `■首席记者 张三`, `本报记者 张三`, `实习生 王五`, `（记者 张三）` or
//! `(张三 李四)` ending a paragraph, roles named with their newsroom (`（临江日报记者 张三）`,
//! `县融媒体中心记者 李四`, `（今日青田记者 王五）`), a line of names under a title, `张三 摄`, `■摄影 张三`,
//! `图/文 张三`; names split by column spacing (`张 三`) are rejoined. Datelines (`本报讯`,
//! `本报讯（记者 张三）`, `新华社杭州6月27日电`, `晚报讯`) are recognised so they can be cut from
//! the body. This module does not decide where an article starts; segmentation does.

use std::sync::LazyLock;

use regex::Regex;

use super::layout::{is_han, width};
use super::rule;

/// Common Chinese surnames (single characters); a bare line of names is accepted only when each
/// name starts with one of these, so that short headlines are not taken for names.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝封蔺傅楼斯竺裘郦厉钭泮屠储濮郏谌阙茅芮笪郁晁闻劳揭忻干宦戈练楚储晋奚阎";
const COMPOUND_SURNAMES: [&str; 16] = [
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
    "司徒", "夏侯", "端木", "南宫",
];

static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"(?:[\p{Han}]{1,10}?(?:日报社?|晚报|报社|融媒体中心|传媒中心|新闻中心|广播电视台|电视台)|今日[\p{Han}]{2,3})?(本报|本刊|本台)?\s*(首席|见习|实\s*习|特约|融媒体|融媒|全媒体|驻站|本报)?\s*(摄影记者|记\s*者|通\s*讯\s*员|摄\s*影|摄像|拍\s*友|实\s*习\s*生|撰稿|撰文|编译|作\s*者\s*[：:]?|文\s*字|图\s*片)|[\p{Han}]{1,10}?(?:融媒体中心|传媒中心|新闻中心|广播电视台|电视台|日报社|报社)|图\s*/\s*文|文\s*/\s*图|[图文摄]\s*[/／]|\s摄$|^摄\s",
    )
});
static ROLE_START: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"^(?:[\p{Han}]{1,10}?(?:日报社?|晚报|报社|融媒体中心|传媒中心|新闻中心|广播电视台|电视台)|今日[\p{Han}]{2,3})?(本报|本刊|本台)?\s*(首席|见习|实\s*习|特约|融媒体|融媒|全媒体|驻站)?\s*(摄影记者|记\s*者|通\s*讯\s*员|摄\s*影|摄像|拍\s*友|实\s*习\s*生|撰稿|撰文|作\s*者\s*[：:]|文\s*字|图\s*片)|^(图\s*/\s*文|文\s*/\s*图|[图文]\s*[/／])",
    )
});
static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"^(本报讯|本报[\p{Han}]{1,6}讯|[\p{Han}]{1,6}[报台]讯|(?:新华社|中新社|人民网)[\p{Han}\d]{2,14}电|本报[\p{Han}]{1,8}\d{1,2}月\d{1,2}日电|[\p{Han}]{2,8}网讯)\s*(?:[（(]([^（）()]{1,40})[）)])?[\s:：,，]*",
    )
});
/// Reporting roles, with the body they report for (`县委报道组`, `摄影报道`): a group named
/// before `报道组` is a role, not a person.
static REPORTED: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"(^|\s)[\p{Han}]{0,6}?(摄影)?报道组?(\s|$)|(摄影)?报道组?(\s|$)|(\s|^)(文|图)(\s|$)")
});
/// A picture or text supplied by an organisation (`市总工会 供图`): a credit, rarely a person.
static SUPPLIED: LazyLock<Regex> = LazyLock::new(|| rule(r"\s*(供图|供稿|提供)$"));
static END_BRACKET: LazyLock<Regex> =
    LazyLock::new(|| rule(r"\s*[（(]\s*([^（）()]{2,40}?)\s*[）)]\s*$"));

static AUTHOR: LazyLock<Regex> = LazyLock::new(|| rule(r"^[■●▲◆□★▼◎]?\s*作\s*者\s*[：:]"));
static LEADING_BRACKET: LazyLock<Regex> =
    LazyLock::new(|| rule(r"^\s*[（(]\s*([^（）()]{2,40}?)\s*[）)][\s:：,，]*"));

pub const MARKS: &[char] = &['■', '●', '▲', '◆', '□', '★', '▼', '◎'];

fn is_surname_start(name: &str) -> bool {
    COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s))
        || name.chars().next().is_some_and(|c| SURNAMES.contains(c))
}

/// Splits text into name tokens, rejoining names that column spacing split (`张 三`).
fn tokens(text: &str) -> Vec<String> {
    let raw: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '、' | '，' | ',' | '/' | '／' | '·'))
        .filter(|t| !t.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let t = raw[i];
        if width(t) == 1 && i + 1 < raw.len() && width(raw[i + 1]) <= 2 {
            out.push(format!("{t}{}", raw[i + 1]));
            i += 2;
            continue;
        }
        out.push(t.to_string());
        i += 1;
    }
    out
}

fn is_name(t: &str) -> bool {
    (2..=4).contains(&width(t))
        && t.chars().all(is_han)
        && !REPORTING_VERBS.iter().any(|v| t.starts_with(v))
}

/// What a reporter does in running text (`…。记者了解到，…`, cut by a wrap after `记者了解`;
/// `…接受记者采访时说`): never the start of a name after 记者.
const REPORTING_VERBS: &[&str] = &[
    "了解",
    "获悉",
    "看到",
    "发现",
    "注意到",
    "走访",
    "采访",
    "来到",
    "调查",
    "观察",
    "跟随",
    "随后",
    "在场",
];

/// Names in a byline text after its roles, marks and brackets are removed; `None` when something
/// other than names is left (then the text is not a byline).
fn names_after_roles(text: &str) -> Option<Vec<String>> {
    let text = rejoin_wraps(text);
    let text = text
        .replace(MARKS, " ")
        .replace(['（', '）', '(', ')', '【', '】'], " ");
    let stripped = ROLE.replace_all(&text, " ");
    let stripped = REPORTED.replace_all(&stripped, " ");
    let stripped = stripped.trim().trim_end_matches('摄').trim();
    let names = tokens(stripped);
    names
        .iter()
        .all(|n| is_name(n) && !CUT_ROLES.contains(&n.as_str()))
        .then_some(names)
}

/// The first half of a role cut by a line wrap (`通讯|员`, `实习|记者`): never a name, so that a
/// byline ending in one is known to go on below.
const CUT_ROLES: &[&str] = &["通讯", "实习", "见习", "特约", "首席"];

/// A byline recognised by its form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Byline {
    pub names: Vec<String>,
    /// A picture credit (`摄`, `摄影`): it closes a photo item rather than opening an article.
    pub photo: bool,
    /// Set off by a ■-type mark: such a byline opens an article.
    pub marked: bool,
    /// In brackets (`（记者 张三）`): such a byline ends an article.
    pub bracketed: bool,
}

/// Parses a line that is a byline by its form alone (marked, role-led, bracketed, or `X 摄`).
pub fn parse_line(line: &str) -> Option<Byline> {
    let t = line.trim();
    // OCR reads the mark □ before a byline as a character: 口 or 回 (`口本报记者 张三`,
    // `口]彭富 本报记者 李四`), and, for the same box in other type, 加, 器, 日… Nothing a paper
    // prints sets a single character before 本报 (an outlet's name is longer), so any one
    // character there is the mark.
    if let Some(c) = t.chars().next().filter(|c| !MARKS.contains(c)) {
        let rest = t[c.len_utf8()..].trim_start_matches([']', '】', '|', ' ']);
        let boxlike = matches!(c, '口' | '回');
        if (boxlike && (rest.contains("记者") || rest.contains("通讯员")))
            || (is_han(c) && rest.starts_with("本报"))
        {
            return parse_line(&format!("□{rest}"));
        }
        // A box read as two characters, the second the box itself (`上器本报记者 张三`).
        let mut two = t.chars();
        if let (Some(a), Some(b)) = (two.next(), two.next()) {
            let rest = two.as_str().trim_start_matches([']', '】', '|', ' ']);
            if is_han(a)
                && matches!(b, '口' | '回' | '器' | '加' | '日')
                && rest.starts_with("本报")
            {
                return parse_line(&format!("□{rest}"));
            }
        }
    }
    // OCR reads the bracket around a byline as an angle bracket (`〈本报记者 张三 文/摄)`).
    if let Some(rest) = t.strip_prefix(['〈', '《']) {
        let rest = rest.trim_start_matches(['《', '〈']);
        if rest.ends_with([')', '）']) && rest.starts_with("本报") {
            return parse_line(&format!("（{rest}"));
        }
    }
    // `作者：` is the one colon a byline holds (`作者：文字 张三 摄影 李四`).
    let after_author = AUTHOR.find(t).map_or(t, |m| &t[m.end()..]);
    // A comma is running text (`记者了解到，近年来`) except between names inside brackets.
    let bracket = t.starts_with(['（', '(']);
    if t.is_empty()
        || width(t) > 40
        || after_author.contains(['。', '！', '？', '；', '：', ':'])
        || (!bracket && t.contains(['，', ',']))
    {
        return None;
    }
    let marked = t.starts_with(MARKS);
    let body = t.trim_start_matches(MARKS).trim();
    let bracketed = (body.starts_with(['（', '(']) && body.ends_with(['）', ')'])) && !marked;
    let inner = if bracketed {
        body.trim_start_matches(['（', '('])
            .trim_end_matches(['）', ')'])
    } else {
        body
    };
    let photo = inner.contains('摄') || inner.starts_with("图/") || inner.starts_with("图／");
    let role_led = ROLE_START.is_match(inner);
    let credit = inner.ends_with('摄') || inner.ends_with("摄影");
    let supplied = !bracketed && (inner.ends_with("供图") || inner.ends_with("供稿"));
    if !(marked || role_led || credit || bracketed || supplied) {
        return None; // the common case, a line of running text: decided without allocating
    }
    if supplied {
        return supplied_credit(inner, marked);
    }
    let names = names_after_roles(inner)?;
    let plausible = marked
        || role_led
        || credit
        || (bracketed && !names.is_empty() && names.iter().all(|n| is_surname_start(n)));
    if !plausible || (names.is_empty() && !(marked || role_led)) {
        return None;
    }
    Some(Byline {
        names,
        photo,
        marked,
        bracketed,
    })
}

/// Last characters of organisation names (`市总工会`, `县文化馆`, `区融媒体中心`).
const ORG_SUFFIXES: &[char] = &[
    '会', '局', '馆', '办', '部', '心', '委', '院', '站', '所', '队', '司', '厂', '校', '处', '团',
    '社', '府', '行', '园', '区', '镇', '街', '村',
];

/// `市总工会 供图` / `张三 供稿`: the supplier is kept only when it reads as a person's name;
/// an organisation is a credit without names. A picture supplied closes a photo item.
fn supplied_credit(inner: &str, marked: bool) -> Option<Byline> {
    let who = SUPPLIED.replace(inner, "");
    let who = who.trim();
    if who.is_empty() || width(who) > 16 || !who.chars().all(|c| is_han(c) || c == ' ') {
        return None;
    }
    let toks = tokens(who);
    let names: Vec<String> = toks
        .iter()
        .filter(|n| is_name(n) && is_surname_start(n) && width(n) <= 3)
        .cloned()
        .collect();
    let organisation = who.ends_with(ORG_SUFFIXES);
    if !organisation && names.len() != toks.len() {
        return None; // `…报名供稿`: a sentence, not a credit
    }
    Some(Byline {
        names,
        photo: inner.ends_with("供图"),
        marked,
        bracketed: false,
    })
}

/// Is this line a byline by its form alone?
pub fn is_byline_line(line: &str) -> bool {
    parse_line(line).is_some()
}

/// A line made only of personal names (`陈彩萍 缪海英`), as printed under a title. Only trusted
/// by the caller where a byline can stand (right after a headline).
pub fn names_only(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if width(t) > 24 || t.is_empty() {
        return None;
    }
    let names = tokens(t);
    let ok = (1..=6).contains(&names.len())
        && names.iter().all(|n| {
            let compound = COMPOUND_SURNAMES.iter().any(|s| n.starts_with(s));
            is_name(n) && is_surname_start(n) && (width(n) <= 3 || compound)
        });
    ok.then_some(names)
}

/// Cuts a byline from the end of a paragraph: `…。（记者 张三）`, `…。(张三 李四)`, `…。 张三 摄`.
/// Returns the paragraph without it and the byline.
pub fn split_trailing(para: &str) -> Option<(String, Byline)> {
    let para = para.trim_end();
    if let Some(m) = END_BRACKET.captures(para) {
        let whole = m.get(0)?;
        let inner = &m[1];
        let role = ROLE.is_match(inner);
        if let Some(names) = names_after_roles(inner) {
            let good = !names.is_empty() && (role || names.iter().all(|n| is_surname_start(n)));
            if good && whole.start() > 0 {
                let photo = inner.contains('摄');
                let rest = para[..whole.start()].trim_end().to_string();
                return Some((
                    rest,
                    Byline {
                        names,
                        photo,
                        marked: false,
                        bracketed: true,
                    },
                ));
            }
        }
    }
    // A marked or role-led byline run on after the last sentence: `…小麦。 ■摄影 徐风`.
    let sentence_end = para
        .char_indices()
        .rev()
        .find(|&(_, c)| matches!(c, '。' | '！' | '？' | '”'))
        .map(|(i, c)| i + c.len_utf8());
    if let Some(cut) = sentence_end.filter(|&c| c < para.len()) {
        let tail = para[cut..].trim();
        if tail.starts_with(MARKS) || ROLE_START.is_match(tail) {
            if let Some(b) = parse_line(tail).filter(|b| !b.names.is_empty()) {
                let rest = para[..cut].trim_end().to_string();
                return Some((rest, b));
            }
        }
    }
    let without = para
        .strip_suffix("摄影")
        .or_else(|| para.strip_suffix('摄'))?;
    let cut = without
        .char_indices()
        .rev()
        .find(|&(_, c)| matches!(c, '。' | '！' | '？' | '”' | '）' | ')'))
        .map(|(i, c)| i + c.len_utf8())?;
    // Roles go (`本报记者 张三 摄`); what is left must be names.
    let names = names_after_roles(&without[cut..]).unwrap_or_default();
    if names.is_empty() || names.len() > 4 {
        return None;
    }
    let rest = without[..cut].trim_end().to_string();
    Some((
        rest,
        Byline {
            names,
            photo: true,
            marked: false,
            bracketed: false,
        },
    ))
}

/// A bracketed byline opening the text after a dateline set on a line of its own
/// (`本报杭州5月1日电` / `（记者 张三） 昨天，…`): the rest of the text and the names.
pub fn split_leading_bracket(text: &str) -> Option<(String, Vec<String>)> {
    let m = LEADING_BRACKET.captures(text)?;
    let inner = &m[1];
    let names = names_after_roles(inner).filter(|n| !n.is_empty())?;
    if !ROLE.is_match(inner) && !names.iter().all(|n| is_surname_start(n)) {
        return None;
    }
    Some((text[m.get(0)?.end()..].to_string(), names))
}

/// A writer's name set right after an article's last sentence, without a role
/// (`…谱写新时代之歌。李夏`): the paragraph without it and the names. The caller trusts it
/// only where the article ends on a short line.
pub fn split_trailing_names(para: &str) -> Option<(String, Vec<String>)> {
    let para = para.trim_end();
    let cut = para
        .char_indices()
        .rev()
        .find(|&(_, c)| matches!(c, '。' | '！' | '？' | '”'))
        .map(|(i, c)| i + c.len_utf8())?;
    let tail = para[cut..].trim();
    if !(2..=8).contains(&width(tail)) {
        return None;
    }
    let names = names_only(tail)?;
    Some((para[..cut].to_string(), names))
}

/// A line wrap inside a byline falls between two names (`俞大庆|李瑶`) or cuts a name or a role
/// (`陈胜|龙`, `通讯|员`, `实习|记者`): the two sides are one word again when one of them is a
/// lone character or together they make a role; otherwise the wrap is a space.
fn rejoin_wraps(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, piece) in text.split('\n').enumerate() {
        let right = piece.trim_start();
        if i > 0 {
            let kept = out.trim_end().len();
            out.truncate(kept);
            let left = out.rsplit(char::is_whitespace).next().unwrap_or("");
            let next = right.split(char::is_whitespace).next().unwrap_or("");
            let both = format!("{left}{next}");
            let one_word = width(left) == 1
                || width(next) == 1
                || ROLE
                    .find(&both)
                    .is_some_and(|m| m.end() - m.start() > left.len().max(next.len()));
            if !one_word {
                out.push(' ');
            }
        }
        out.push_str(right);
    }
    out
}

/// Does a byline end on a role whose names a wrap put on the next line (`本报记者 张三 通讯员` /
/// `李四`)?
pub fn byline_awaits_names(line: &str) -> bool {
    let t = line.trim();
    parse_line(t).is_some() && ROLE.find_iter(t).last().is_some_and(|m| m.end() == t.len())
}

/// Is `first` the start of a byline whose role a wrap cut (`市融媒体中心全媒体` / `记者 张三`):
/// the role runs across the cut and the two lines read as one byline naming someone?
pub fn role_cut_by_wrap(first: &str, second: &str) -> bool {
    let first = first.trim();
    // Asked of nearly every short line pair of a page: the cheap checks first, before the join.
    if width(first) > 20 || !first.chars().all(is_han) {
        return false;
    }
    let joined = format!("{first}{}", second.trim());
    ROLE_START
        .find(&joined)
        .is_some_and(|m| m.end() > first.len())
        && parse_line(&joined).is_some_and(|b| !b.names.is_empty())
}

/// Does `line` open a bracketed byline that a wrap cut before its closing bracket
/// (`（今日桐乡记者 羊宇杰 通讯员 周` / `建平）`)?
pub fn byline_bracket_open(line: &str) -> bool {
    let t = line.trim();
    t.starts_with(['（', '('])
        && !t.contains(['）', ')', '。', '，'])
        && width(t) <= 40
        && ROLE.is_match(t)
}

/// Does `line` open a dateline whose bracketed byline is not closed on it
/// (`本报讯（记者 张三 实习记者`, wrapped by the column)?
pub fn dateline_bracket_open(line: &str) -> bool {
    DATELINE_OPEN.is_match(line.trim())
}

static DATELINE_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"^(本报讯|本报[\p{Han}]{1,6}讯|[\p{Han}]{1,6}[报台]讯|本报[\p{Han}]{1,8}\d{1,2}月\d{1,2}日电|[\p{Han}]{2,8}网讯)\s*[（(][^（）()]{1,30}$",
    )
});

/// A line that is only a date and a place (`9月21日 苍南龙港镇卢处村`): a report's dateline set
/// over its first paragraph, not a headline. The place must end like one (镇, 村, 街道, 社区 …).
static PLACE_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"^\d{1,2}\s*月\s*\d{1,2}\s*日[\s，,、]*[\p{Han}·]{1,16}(镇|乡|村|街道|社区|县|区|市|旗|州|场|港|湾|岛|园|站|寨|屯)$",
    )
});

/// Whether a line is a date and a place and nothing else (see [`PLACE_DATELINE`]).
pub fn place_dateline(line: &str) -> bool {
    PLACE_DATELINE.is_match(line.trim())
}

/// Cuts a dateline (`本报讯`, `本报讯（记者 张三）`, `新华社杭州6月27日电`) from the start of a
/// paragraph. Returns the rest and the names the dateline credits.
pub fn split_dateline(para: &str) -> Option<(String, Vec<String>)> {
    match DATELINE.is_match(para) {
        true => dateline_at_start(para),
        false => dateline_at_start(&letters_closed(para)?),
    }
}

/// A paragraph whose opening is set letter-spaced (`本 报 呼 伦 贝 尔 10 月 8 日 电`, as
/// converters read wide-tracked type) with the gaps of that opening closed; `None` when it is
/// not. Only the opening, up to a bracket or the line's end, so that the spaces between a
/// byline's names stay.
fn letters_closed(para: &str) -> Option<String> {
    let end = para.find(['（', '(', '\n']).unwrap_or(para.len());
    let head = &para[..end];
    let tokens: Vec<&str> = head.split(' ').filter(|t| !t.is_empty()).collect();
    let single = tokens.iter().filter(|t| t.chars().count() == 1).count();
    if tokens.len() < 5 || single * 4 < tokens.len() * 3 {
        return None;
    }
    Some(format!(
        "{}{}",
        super::layout::close_gaps(head),
        &para[end..]
    ))
}

fn dateline_at_start(para: &str) -> Option<(String, Vec<String>)> {
    let m = DATELINE.captures(para)?;
    let names = m
        .get(2)
        .and_then(|g| names_after_roles(g.as_str()))
        .unwrap_or_default();
    let mut rest = para[m.get(0)?.end()..].trim_start();
    let mut names = names;
    // `本报讯 记者 张三 通讯员 李四 昨天上午，…`: names printed inline after the dateline.
    if ROLE_START.is_match(rest) {
        let mut taken = 0;
        let mut found = Vec::new();
        let mut last_role = false;
        for tok in rest.split(' ').filter(|t| !t.is_empty()) {
            let role_only = ROLE_START.find(tok).is_some_and(|m| m.end() == tok.len());
            let role_name = ROLE_START
                .find(tok)
                .is_some_and(|m| m.start() == 0 && is_name(&tok[m.end()..]));
            if role_only {
                last_role = true;
            } else if role_name {
                found.extend(names_after_roles(tok).unwrap_or_default());
                last_role = false;
            } else if (last_role || !found.is_empty()) && is_name(tok) && is_surname_start(tok) {
                found.push(tok.to_string());
            } else {
                break;
            }
            taken += 1;
        }
        if !found.is_empty() {
            let skip: usize = rest
                .split_inclusive(' ')
                .filter(|t| !t.trim().is_empty())
                .take(taken)
                .map(str::len)
                .sum();
            // split_inclusive keeps single spaces; skip any extra ones too.
            rest = rest.get(skip..).unwrap_or("").trim_start();
            names.extend(found);
        }
    }
    Some((rest.to_string(), names))
}

#[cfg(test)]
mod tests;
