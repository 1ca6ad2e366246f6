//! Publication dates: from the masthead (`2022年6月28日◆星期二`, `2022-06-28 星期二`,
//! `二〇二二年六月二十八日`), from a file name (`…2022-06-28…`, `…20220628…`), or inferred from
//! the dates an article mentions. A weekday printed with a masthead date must agree with it (a
//! one-digit OCR slip is corrected when exactly one reading agrees). Only a line shaped like a
//! masthead counts as one: every other date on a page is an event date.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use regex::Regex;

use super::layout::{has_prose_marks, width};
use super::rule;

static YMD: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-./](\d{1,2})[-./](\d{1,2})(?:[^\d]|$))",
    )
});
static YMD_HAN: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"([〇零○ＯOo0一二三四五六七八九]{4,6})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日",
    )
});
static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| rule(r"(?:星期|礼拜|周)([一二三四五六日天])"));
/// The weekday right after the date, with the ornament between them that OCR reads as some
/// character (`2015年2月1日儿星期日` for `◆星期日`); the weekday must still agree.
static WEEKDAY_AFTER: LazyLock<Regex> =
    LazyLock::new(|| rule(r"^\s*[^\s\d]?\s*(?:星期|礼拜|周)[一二三四五六日天]"));
static EVENT_TIME: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"^\s*(时间|日期时间)\s*[：:]|\d{1,2}\s*[时点:：]|上午|下午|晚上|凌晨|中午|早上")
});
static MASTHEAD_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"农历\S*|总第\s*\d+\s*期|第\s*\d+\s*[期号版]|(责任编辑|编辑|美编|校对|版式|组版|电话)[/:：\s]*[\p{Han}\d]{0,8}|[\p{Han}]{0,4}(新闻|要闻|综合|专版|副刊)|[◆◇·•|｜/\-—\s#*]|[\p{Han}]{2,6}(?:日报|晚报|报)社?",
    )
});
static FILE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"(?:^|[^0-9])((?:19|20)\d{2})([-_.]?)(\d{2})([-_.]?)(\d{2})(?:[^0-9]|$)")
});
static MONTH_DAY: LazyLock<Regex> =
    LazyLock::new(|| rule(r"(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"));
static YEAR: LazyLock<Regex> = LazyLock::new(|| rule(r"((?:19|20)\d{2})\s*年"));
/// A month named with its year (`2020年12月`): the year is written because it is not the
/// page's own year.
static YEAR_MONTH: LazyLock<Regex> =
    LazyLock::new(|| rule(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月"));

fn han_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32)
        .or(match c {
            // OCR reads 〇 as a Latin letter O or a digit 0 (`二O二六年`).
            '零' | '○' | 'Ｏ' | 'O' | 'o' | '0' => Some(0),
            _ => None,
        })
}

/// `十` → 10, `二十八` → 28, `三十一` → 31.
fn han_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', u] => Some(10 + han_digit(*u)?),
        [t, '十'] => Some(han_digit(*t)? * 10),
        [t, '十', u] => Some(han_digit(*t)? * 10 + han_digit(*u)?),
        [u] => han_digit(*u),
        _ => None,
    }
}

/// The first full date (year, month, day) written in `line`, in Arabic or Chinese numerals, and
/// the line with the date cut out.
fn full_date(line: &str) -> Option<(NaiveDate, String)> {
    if let Some(c) = YMD.captures(line) {
        let y = c[1].parse().ok()?;
        let m = c.get(2).or(c.get(4))?.as_str().parse().ok()?;
        let d = c.get(3).or(c.get(5))?.as_str().parse().ok()?;
        let all = c.get(0)?;
        // The character the pattern checks after `2017-03-25` is not part of the date.
        let end = c.get(5).map_or(all.end(), |day| day.end());
        let rest = format!("{}{}", &line[..all.start()], &line[end..]);
        return NaiveDate::from_ymd_opt(y, m, d).map(|date| (date, rest));
    }
    let c = YMD_HAN.captures(line)?;
    let mut digits: Vec<u32> = c[1].chars().map(han_digit).collect::<Option<_>>()?;
    // OCR doubles the round zeros of a year (`二O〇二六` for 二〇二六): a year has four digits,
    // so extra zeros after the first are dropped.
    while digits.len() > 4 && digits.get(1) == Some(&0) && digits.get(2) == Some(&0) {
        digits.remove(1);
    }
    if digits.len() != 4 {
        return None;
    }
    let y = digits.iter().fold(0u32, |acc, d| acc * 10 + d);
    if !(1900..2100).contains(&y) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y as i32, han_number(&c[2])?, han_number(&c[3])?)?;
    let all = c.get(0)?;
    Some((
        date,
        format!("{}{}", &line[..all.start()], &line[all.end()..]),
    ))
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "一" => Weekday::Mon,
        "二" => Weekday::Tue,
        "三" => Weekday::Wed,
        "四" => Weekday::Thu,
        "五" => Weekday::Fri,
        "六" => Weekday::Sat,
        "日" | "天" => Weekday::Sun,
        _ => return None,
    })
}

/// Checks a date against the weekday printed with it. A date off by one misread digit of the
/// day is corrected when exactly one reading matches; otherwise the date is refused.
fn agree(date: NaiveDate, wd: Weekday) -> Option<NaiveDate> {
    if date.weekday() == wd {
        return Some(date);
    }
    let day = date.day();
    let candidates: Vec<NaiveDate> = (1..=31)
        .filter(|&d| d != day && (d % 10 == day % 10 || d / 10 == day / 10))
        .filter_map(|d| NaiveDate::from_ymd_opt(date.year(), date.month(), d))
        .filter(|c| c.weekday() == wd)
        .collect();
    (candidates.len() == 1).then(|| candidates[0])
}

/// A masthead date line: a full date with at most a weekday, lunar date, issue number and paper
/// name beside it. Returns the date (checked against its weekday).
pub fn masthead_line(line: &str) -> Option<NaiveDate> {
    let line = line.trim().trim_start_matches('#').trim();
    if width(line) > 60 || has_prose_marks(line) {
        return None;
    }
    let (date, rest) = full_date(line)?;
    // A date with a time of day or under a 时间 label is an event's (`时间：2021年7月4日20时`), not
    // the issue's: no folio prints a clock time.
    if EVENT_TIME.is_match(&rest) {
        return None;
    }
    let wd = WEEKDAY.captures(&rest).and_then(|c| weekday(&c[1]));
    let rest = without_weekday(&rest);
    let rest = MASTHEAD_NOISE.replace_all(&rest, "");
    if width(&rest) > 8 {
        return None;
    }
    match wd {
        Some(wd) => agree(date, wd),
        None => Some(date),
    }
}

/// The date of a folio line that a converter ran together (`2018年10月10日 星期三 第三版 区域
/// 某某融媒体中心 农历戊戌年九月初二 本版编辑 某某`, pymupdf4llm's heading): the line holds no
/// prose, and its first item that is a masthead date (with the weekday after it, if any) gives
/// the date.
pub fn folio_line(line: &str) -> Option<NaiveDate> {
    let line = line.trim().trim_start_matches('#').trim();
    if has_prose_marks(line) {
        return None;
    }
    // Markdown marks around folio items (`**2017-03-25…**`) are not part of them. A weekday
    // ends its item even where the PDF set no space after it
    // (`二〇一七年三月二十五日星期六A2各地传真`).
    let spaced = WEEKDAY.replace_all(line, "$0 ");
    let items: Vec<&str> = spaced
        .split_whitespace()
        .map(|item| item.trim_matches(['*', '_']))
        .filter(|item| !item.is_empty())
        .collect();
    if items.len() < 3 {
        return None;
    }
    for (i, item) in items.iter().enumerate() {
        let Some(date) = bare_date(item) else {
            continue;
        };
        // The weekday printed beside it must agree, as on any masthead.
        return match items.get(i + 1).filter(|next| WEEKDAY.is_match(next)) {
            Some(next) => masthead_line(&format!("{item} {next}")),
            None => Some(date),
        };
    }
    None
}

/// What stands beside a date with its weekday taken out (and the ornament before it that OCR
/// read as a character).
fn without_weekday(rest: &str) -> String {
    let rest = WEEKDAY_AFTER.replace(rest, "");
    WEEKDAY.replace_all(&rest, "").into_owned()
}

/// A folio's date comes first on its line (not `时间：2021年7月4日20时`).
fn starts_with_date(s: &str) -> bool {
    s.starts_with(|c: char| {
        c.is_ascii_digit() || ('０'..='９').contains(&c) || "〇零一二三四五六七八九".contains(c)
    })
}

/// A masthead date with nothing beside it but a weekday (which must agree) and folio items.
fn bare_date(s: &str) -> Option<NaiveDate> {
    let (_, rest) = full_date(s).filter(|_| starts_with_date(s))?;
    let rest = without_weekday(&rest);
    match MASTHEAD_NOISE.replace_all(&rest, "").trim().is_empty() {
        true => masthead_line(s),
        false => None,
    }
}

/// A folio item printed beside a masthead date: lunar date, page number, weekday.
static FOLIO_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"^(农历|第\s*[\d一二三四五六七八九十]+\s*版|[A-Z]\d{1,2}(\s|$)|星期|礼拜)")
});

/// The date of a folio a converter printed away from the top of the page (read after the
/// columns beside it): a masthead date line with its weekday, or with a lunar date or page
/// number within two lines, or standing alone between blank lines. Every such line must give
/// the same date; otherwise the page has none from here.
pub fn folio_block(text: &str) -> Option<NaiveDate> {
    // Markdown marks (`**二〇一五年二月一日**`) are not part of a folio line.
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim().trim_matches(['*', '_', '#']).trim())
        .collect();
    let mut found: Option<NaiveDate> = None;
    for (i, line) in lines.iter().enumerate() {
        if !starts_with_date(line) || width(line) > 40 {
            continue;
        }
        let Some(date) = masthead_line(line) else {
            continue;
        };
        let bare = bare_date(line).is_some();
        let beside = (i.saturating_sub(2)..=i + 2)
            .filter(|&k| k != i)
            .any(|k| lines.get(k).is_some_and(|l| FOLIO_ITEM.is_match(l)));
        let alone =
            i > 0 && lines[i - 1].is_empty() && lines.get(i + 1).is_some_and(|l| l.is_empty());
        if WEEKDAY.is_match(line) || beside || (alone && bare) {
            match found {
                Some(d) if d != date => return None,
                _ => found = Some(date),
            }
        }
    }
    found
}

/// A date in a file name (`…2022-06-28…`, `…20220628…`), taken from its last path component.
pub fn from_file_name(source: &str) -> Option<NaiveDate> {
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    FILE_DATE.captures_iter(name).find_map(|c| {
        if c[2] != c[4] {
            return None; // 2022-0628: not one date
        }
        NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[3].parse().ok()?, c[5].parse().ok()?)
    })
}

/// Works out a publication date from the dates the text mentions: the latest day of the page's
/// year that an article names. The year comes from full dates, else from the latest year named
/// outside a target (`到2025年`, `力争在2025年实现`). `None` when the text names no day.
pub fn infer(text: &str) -> Option<NaiveDate> {
    let mut full: Vec<NaiveDate> = Vec::new();
    let mut month_days: Vec<(u32, u32)> = Vec::new();
    for c in MONTH_DAY.captures_iter(text) {
        let (Ok(m), Ok(d)) = (c[2].parse::<u32>(), c[3].parse::<u32>()) else {
            continue;
        };
        match c.get(1).and_then(|y| y.as_str().parse::<i32>().ok()) {
            Some(y) => full.extend(NaiveDate::from_ymd_opt(y, m, d)),
            None if (1..=12).contains(&m) && (1..=31).contains(&d) => month_days.push((m, d)),
            None => {}
        }
    }
    let mut years: Vec<i32> = Vec::new();
    for m in YEAR.find_iter(text) {
        let before: String = text[..m.start()].chars().rev().take(3).collect();
        let after: String = text[m.end()..].chars().take(6).collect();
        let target = before.starts_with(['到', '至', '—', '-', '~', '～'])
            || before.contains("争在")
            || after.contains("实现")
            || after.starts_with(['前', '底', '末'])
            || after.contains("目标");
        if !target {
            years.extend(m.as_str()[..4].parse::<i32>().ok());
        }
    }
    let latest_full = full.iter().max().copied();
    let mut year = latest_full
        .map(|d| d.year())
        .into_iter()
        .chain(years.iter().copied())
        .max()?;
    // Papers leave the year off days of the current year: when the text names the latest year
    // with a month (`2020年12月`) and also days of that month or an earlier one without a year
    // (`12月11日`), those days cannot fall in that year-month, so the page is a year later.
    let latest_undated_month = month_days.iter().map(|&(m, _)| m).max();
    if let Some(um) = latest_undated_month {
        let named_earlier = YEAR_MONTH.captures_iter(text).any(|c| {
            let y = c[1].parse::<i32>().ok();
            let m = c[2].parse::<u32>().ok();
            let after: String = text[c.get(0).map_or(0, |g| g.end())..]
                .chars()
                .take(3)
                .collect();
            let target = after.starts_with(['前', '底', '末']);
            y == Some(year) && m.is_some_and(|m| um <= m) && !target
        });
        if named_earlier && latest_full.is_none_or(|f| f.year() < year) {
            year += 1;
        }
    }
    let latest_md = month_days
        .iter()
        .filter_map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d))
        .max();
    match (latest_full, latest_md) {
        (Some(f), Some(md)) => Some(f.max(md)),
        (f, md) => f.or(md),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn masthead_forms() {
        assert_eq!(
            masthead_line("#### 2022年6月28日◆星期二"),
            Some(ymd(2022, 6, 28))
        );
        assert_eq!(masthead_line("2022-06-28 星期二"), Some(ymd(2022, 6, 28)));
        // An ornament OCR read as a character between date and weekday.
        assert_eq!(masthead_line("2015年2月1日儿星期日"), Some(ymd(2015, 2, 1)));
        assert_eq!(masthead_line("2015年2月1日儿星期一"), None);
        assert_eq!(
            masthead_line("二O〇二六年一月九日 星期五"),
            Some(ymd(2026, 1, 9))
        );
        assert_eq!(
            masthead_line("二O〇OO四年十二月五日"),
            Some(ymd(2004, 12, 5))
        );
        assert_eq!(
            folio_line("2015年2月1日儿星期日   08版 地方新闻   某某日报"),
            Some(ymd(2015, 2, 1))
        );
        assert_eq!(
            masthead_line("二〇二二年六月二十八日 星期二"),
            Some(ymd(2022, 6, 28))
        );
        assert_eq!(masthead_line("2022.6.28"), Some(ymd(2022, 6, 28)));
        assert_eq!(
            masthead_line("2021年1月9日 星期六 农历庚子年十一月廿六 第8123号"),
            Some(ymd(2021, 1, 9))
        );
    }

    #[test]
    fn an_events_date_and_time_is_no_masthead() {
        assert_eq!(masthead_line("时间：2021年7月4日20时"), None);
        assert_eq!(masthead_line("2021年7月4日 19:30"), None);
        assert_eq!(masthead_line("2021年7月4日下午"), None);
        assert_eq!(masthead_line("2021年7月4日 星期日"), Some(ymd(2021, 7, 4)));
    }

    #[test]
    fn an_inner_page_header_with_staff_credits_is_a_masthead() {
        assert_eq!(
            masthead_line("2022年6月28日 星期二 第3版 综合新闻 责任编辑 张三"),
            Some(ymd(2022, 6, 28))
        );
    }

    #[test]
    fn a_weekday_corrects_or_refuses_a_misread_day() {
        // 2022-06-07 was a Tuesday and the only one-digit reading of "5" that is.
        assert_eq!(masthead_line("2022年6月5日 星期二"), Some(ymd(2022, 6, 7)));
        // Several readings of 28 fall on a Wednesday: refuse rather than guess.
        assert_eq!(masthead_line("2022年6月28日 星期三"), None);
    }

    #[test]
    fn event_dates_in_sentences_are_not_mastheads() {
        assert_eq!(
            masthead_line("2018年9月21日,2018中国·平湖西瓜灯文化节举行开工仪式"),
            None
        );
        assert_eq!(
            masthead_line("本报讯 2022年6月27日上午，全市召开大会。"),
            None
        );
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            from_file_name("pages/jiande-2022-06-28-p1.txt"),
            Some(ymd(2022, 6, 28))
        );
        assert_eq!(from_file_name("/x/20220628_03.txt"), Some(ymd(2022, 6, 28)));
        assert_eq!(from_file_name("seeds/000_8bd78546456298dc.txt"), None);
        assert_eq!(from_file_name("2019/a_20221399.txt"), None);
    }

    #[test]
    fn infers_the_latest_named_day_of_the_page_year() {
        let text = "1月8日，我市举行2021年就业援助新年招聘会。力争在2025年实现目标。1月6日，开会。";
        assert_eq!(infer(text), Some(ymd(2021, 1, 8)));
        assert_eq!(
            infer("8月12日晚，活动举行。2023年是开局之年。"),
            Some(ymd(2023, 8, 12))
        );
        assert_eq!(infer("10日上午，区长检查工作。"), None);
        assert_eq!(infer("没有日期"), None);
    }

    #[test]
    fn a_year_written_out_with_the_month_of_undated_days_is_a_past_year() {
        let text = "12月11日下午，市领导督查工作。2020年12月，全市政务服务中心完成改造。";
        assert_eq!(infer(text), Some(ymd(2021, 12, 11)));
        // A target month in the same year does not move the page year.
        let text = "3月5日，县里开会。工程将于2023年6月底前完工。";
        assert_eq!(infer(text), Some(ymd(2023, 3, 5)));
    }

    #[test]
    fn a_folio_set_solid_around_its_weekday_gives_its_date() {
        let folio = "二〇一七年三月二十五日星期六A2各地传真 yybnet.net转载 责任编辑某某校对某某";
        assert_eq!(folio_line(folio), Some(ymd(2017, 3, 25)));
    }

    #[test]
    fn a_folio_run_together_on_one_line_gives_its_date() {
        // 2024-03-06 is a Wednesday.
        let folio = "#### 2024年3月6日 星期三 第三版 综合新闻 某某县融媒体中心 农历甲辰年正月廿六 本版编辑 张三";
        assert_eq!(folio_line(folio), Some(ymd(2024, 3, 6)));
        assert_eq!(
            folio_line("第8版 地方新闻 某某新闻网 2024-03-06 编辑/张三"),
            Some(ymd(2024, 3, 6))
        );
        // A weekday that disagrees with the date gives none.
        assert_eq!(folio_line("2024年3月6日 星期五 第三版 综合新闻"), None);
        assert_eq!(
            folio_line("第二版 综合新闻 二〇二四年三月六日 星期三 农历甲辰年正月廿六"),
            Some(ymd(2024, 3, 6))
        );
        // A sentence that names a date is not a folio.
        assert_eq!(folio_line("2024年3月6日 上午，全县 召开 大会。"), None);
        assert_eq!(folio_line("2024年3月6日"), None);
        assert_eq!(
            folio_line("**05版 综合新闻** **2024-03-06农历甲辰年正月廿六责任编辑 张三**"),
            Some(ymd(2024, 3, 6))
        );
        assert_eq!(folio_line("直播 时间 2024年3月6日20时 地点 县城广场"), None);
    }

    #[test]
    fn a_folio_printed_in_the_middle_of_the_dump_gives_its_date() {
        let page = "县里召开大会\n会议强调，要抓好落实。\n\n2024-03-06\n第一版 综合新闻\n\n带，自古本是湖畈之地。\n";
        assert_eq!(folio_block(page), Some(ymd(2024, 3, 6)));
        let alone = "会议强调，要抓好落实。\n\n2024年3月6日\n\n采访活动在县城举行。\n";
        assert_eq!(folio_block(alone), Some(ymd(2024, 3, 6)));
        // A date inside running text, or two folios that disagree, give none.
        assert_eq!(
            folio_block("会议于\n2024年3月6日\n召开，要求落实。\n"),
            None
        );
        let two = "\n2024年3月6日\n\n正文。\n\n2024年3月7日\n\n";
        assert_eq!(folio_block(two), None);
        let marked = "正文。\n\n**二〇二四年三月六日**\n\n**农历甲辰年正月廿六**\n";
        assert_eq!(folio_block(marked), Some(ymd(2024, 3, 6)));
        let time = "直播预告\n\n时间：2024年3月6日20时\n\n地点：县城广场\n";
        assert_eq!(folio_block(time), None);
        assert_eq!(folio_block("正文。\n\n2024年3月6日20时\n\n正文。\n"), None);
    }
}
