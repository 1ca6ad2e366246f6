//! The folio line: the strip a page prints over (or under) its stories, made of parts that each
//! say where the page sits, not what it reports — the date, the weekday, the page number, the
//! section's name, the paper's name or web address, a reprint mark, the staff credits
//! (`2025-02-06 第六版 全省新闻 ccs.cn`, `yybnet.net 转载`, `第7版 视觉 潍坊晚报`). Converters
//! keep it on one line, and markdown converters set it as a heading; OCR glues the page number
//! to the section (`07版全省新闻`). Read part by part it is furniture, however its parts are
//! combined.

use std::sync::LazyLock;

use regex::Regex;

use super::rule;

/// A part that places the page: its number (with the section OCR glued to it) or the paper's
/// web address. A line of folio parts holds at least one: a line of a date alone is the
/// masthead's, which `date` reads and the layout keeps with the paper's name over it.
static ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"(?xi)
        ^(今日)?第?[\dA-Z一二三四五六七八九十]{1,3}版[\p{Han}]{0,6}$   # 第六版, 今日12版, 07版全省新闻
        | ^[A-Z][\dl]{1,2}$                                          # A3
        | ^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.(cn|com|net|org)$       # ccs.cn, CCS.cn",
    )
});

/// A date or weekday, as printed or as OCR reads it (`二O〇二@〇年八月三日`).
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"(?x)
        ^\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?$                       # 2025-02-06, 2018年10月10日
        | ^[〇零一二三四五六七八九十O○@\d]{2,6}年[〇零一二三四五六七八九十\d]{1,3}月[〇零一二三四五六七八九十\d]{1,3}日?$
        | ^(星期|礼拜|周)[一二三四五六日天]$",
    )
});

/// A part that names the page's paper or section, which a headline may also hold: a folio part
/// only beside an anchor.
static NAME: LazyLock<Regex> = LazyLock::new(|| rule(r"^[\p{Han}]{2,10}$|^转载$"));

/// A staff credit's role: the credits end a folio line, names and all.
static STAFF: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"(责任编辑|本版编辑|编辑|校对|版式|美编|责编|审读|组版|排版|值班|终审)")
});

/// Is the line a folio: parts apart by spaces (or a printed separator), each a folio part, at
/// least one of them placing the page? A line of one part is one only when that part places the
/// page (`今日12版`, `07版全省新闻`).
pub fn is_folio(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() || line.chars().nth(100).is_some() {
        return false;
    }
    // Every line of running text without punctuation passes here: one without the mark of any
    // anchor (`版`, a web address's dot, a page letter) is ruled out before the patterns run.
    if !line.contains(['版', '.']) && !line.bytes().any(|b| b.is_ascii_uppercase()) {
        return false;
    }
    let mut anchored = false;
    for part in line.split(|c: char| c.is_whitespace() || matches!(c, '◆' | '|' | '｜' | '·')) {
        if part.is_empty() {
            continue;
        }
        if ANCHOR.is_match(part) {
            anchored = true;
        } else if STAFF.is_match(part) {
            // Credits close the line: the names after a role are no folio parts by their look.
            return anchored || line.split_whitespace().count() > 1;
        } else if !NAME.is_match(part) && !DATE.is_match(part) {
            return false;
        }
    }
    anchored
}

#[cfg(test)]
mod tests {
    use super::is_folio;

    #[test]
    fn folio_lines_are_told_by_their_parts() {
        for line in [
            "2025-02-06 第六版 全省新闻 abc.cn",
            "今日4版 A1 各地传真",
            "abc.net 转载",
            "第7版 视觉 某某晚报",
            "今日12版",
            "07版全省新闻",
            "二〇一八年十月十日 星期三 第5版 全省新闻 某某融媒体中心 本版编辑 某某 校对 某某",
            "2018年10月10日◆星期三 第3版",
            "某某日报 本版编辑 某某校对某某 版式某某",
            "A3 地方新闻 abc.cn",
            "二O〇二@〇年八月三日 星期一 03版区域",
        ] {
            assert!(is_folio(line), "{line}");
        }
    }

    #[test]
    fn headlines_and_text_are_no_folio() {
        for line in [
            "通榆：沃野春耕正当时",
            "高湖碧波 浣东兴",
            "全旗宣传思想文化工作 会议召开",
            "2026年第1次常务会议召开",
            "白玲主持召开喀喇沁旗政府2026年第1次常务会议",
            "5G网络 覆盖全县",
            "本报讯 昨天上午，市长主持召开常务会议。",
            "编辑部的故事",
            "二〇二三年六月一日 星期四",
            "第四十五期 寿光人在青岛",
        ] {
            assert!(!is_folio(line), "{line}");
        }
    }
}
