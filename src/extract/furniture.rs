//! Page furniture, column labels and the masthead's paper name: the parts of a page that are not
//! an article and not part of any body. Editor/phone/layout/proofreader lines, QR and video
//! prompts, app promotions, public-service advertisements, masthead lines (sponsors, issue
//! numbers, lunar dates, English names, edition labels, page numbers) and running column labels
//! (`村(社区)组织换届进行时`, `学习贯彻…精神`, `喜迎…特别报道`). Rules describe the genre, never one
//! page; this module does not read dates (see `date`).

use std::sync::LazyLock;

use regex::Regex;

use super::layout::{has_prose_marks, width};
use super::rule;

static STAFF: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"(责任编辑|编辑|电话|版式|校对|美编|组版|排版|审读|值班|终审|制版|美术编辑|图片编辑|责编|编审)\s*[/:：／]|^[（(]?(本版)?(责任编辑|责编|编辑)[\s：:]+[\p{Han}]{1,3}(\s[\p{Han}])?[）)]?(\s|$)",
    )
});
static PROMO: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"^(本期|今日|本版)?导读$|详见第?\s*[\d一二三四五六七八九十]+\s*版$|^天气[：:]|\d\s*℃|扫一扫|扫码|二维码|看视频|客户端|下载\S{0,6}APP|公益广告|公\s*/\s*益\s*/\s*广\s*/\s*告|讲文明\s*树新风|关注\S{0,8}(微信|公众号|抖音|视频号)",
    )
});
static MASTHEAD: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"(?x)
        ^[A-Z][A-Z\s.&·-]*$                        # English name: JIAXING DAILY
        | 联办$ | 主办$ | 协办$ | 承办$ | 出版$
        | 总第\s*\d+\s*期 | 第\s*\d+\s*[号期]\s*$ | 国内统一连续出版物号 | CN\s*\d\d-\d{4}
        | ^农历 | ^[\p{Han}]{2,5}版$ | ^第?\s*[\d一二三四五六七八九十]+\s*版$ | ^\d{1,3}$
        | ^第?\s*[\d一二三四五六七八九十]{1,3}\s*版\s+[\p{Han}]{2,6}$   # page label: 06版 地方新闻
        | ^[A-Z][\dl]{1,2}\s+[\p{Han}]{2,6}$   # page label: A1 要闻 (OCR: Al 图片新闻)
        | ^(要闻|综合新闻|综合|本地新闻|时政|民生|专版|副刊)$
        | ^[\p{Han}]{2,4}新闻$                      # section name: 市县新闻, 社会新闻
        | ^[\p{Han}]{2,8}?(日报|晚报|早报|时报|商报|都市报|青年报|法制报|农民报)社?
          (\s*·?\s*[\p{Han}]{2,4}版)?(\s*第?\s*[\d一二三四五六七八九十]+\s*版)?$  # the paper's name line
        | ^[\p{Han}][\p{Han}--[喜捷快简情画电海周月年通汇预举申公战学晚日早时商党]]报$  # a county paper: 开化报
        | ^[\p{Han}]{2,8}(融媒体中心|传媒中心|新闻中心|新闻网)$   # a county media centre's name line
        | ^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.(cn|com|net|org)$   # the outlet's web address: ccs.cn",
    )
});
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"^(学习贯彻|深入学习|喜迎|迎接|庆祝|奋进|聚焦|走进|回眸|我为群众办实事)\S*$|(进行时|特别报道|系列报道|专题报道|专栏|巡礼|在行动|面对面|大家谈)$|^(图片新闻|新闻速递|新闻快递|简讯|短讯|快讯|要闻简报|本地新闻|镇街动态|部门动态|时评|短评|快评|社评|微评|评论|观点|视点|声音|论坛|杂谈|漫谈)$|^[\p{Han}]{2,4}(手记|札记|随笔|日记|走笔|纪事)$|^[\p{Han}]{2,4}(快讯|简讯|短讯)$",
    )
});

static PAGE_POINTER: LazyLock<Regex> =
    LazyLock::new(|| rule(r"^(详见|见)第?\s*[\d一二三四五六七八九十]+\s*版$"));

/// A teaser's page pointer on a line of its own (`详见第2版`): it ends the teaser line above it.
pub fn page_pointer(line: &str) -> bool {
    PAGE_POINTER.is_match(line.trim())
}

/// Is this line page furniture (staff credits, prompts, advertisements, masthead parts)?
pub fn is_furniture(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() {
        return false;
    }
    // Furniture is short: a paragraph of running text is ruled out without counting it whole.
    if line.chars().nth(80).is_some() {
        return false;
    }
    let w = width(line);
    let staff_shaped = line.contains(['/', '／', '：', ':']) || line.contains("编");
    if w <= 80 && staff_shaped && STAFF.is_match(line) && !line.contains('。') {
        return true;
    }
    // A prompt is short, or carries no sentence marks: a column's line of running text may
    // name one (`公益广告牌上，可以感觉出…`).
    // The cheap tests first: nearly every line of a hard-wrapped column is this short.
    if w <= 40
        && !line.contains('。')
        && (w <= 14 || !has_prose_marks(line))
        && PROMO.is_match(line)
    {
        return true;
    }
    !has_prose_marks(line) && ((w <= 40 && MASTHEAD.is_match(line)) || super::folio::is_folio(line))
}

/// Is this line a running column label set over one or several stories (not a title)?
/// The label of a public-service advertisement (`公益广告`): the headline-sized slogan printed
/// over it is the advertisement's, not a story's.
pub fn is_ad_label(line: &str) -> bool {
    AD_LABEL.is_match(line.trim())
}

static AD_LABEL: LazyLock<Regex> =
    LazyLock::new(|| rule(r"^[【\[]?(公\s*/?\s*益\s*/?\s*广\s*/?\s*告)[】\]]?$"));

pub fn is_label(line: &str) -> bool {
    // A mark set before a label (`■简讯`) is the label's ornament.
    let line = line
        .trim()
        .trim_start_matches(['■', '●', '▲', '◆', '□', '★', '▼', '◎'])
        .trim_start();
    if has_prose_marks(line) {
        return false; // labels carry no sentence punctuation
    }
    let w = width(line);
    {
        let bracketed = line.starts_with('【')
            && line.ends_with('】')
            && !line.contains("编后")
            && !line.contains("编者");
        (bracketed && w <= 12)
            || ((2..=20).contains(&w)
                && !line.contains([' ', '，', '。', ','])
                && LABEL.is_match(line))
    }
}

static PAPER: LazyLock<Regex> = LazyLock::new(|| {
    rule(
        r"([\p{Han}]{2,8}?(?:日报|晚报|早报|时报|商报|都市报|青年报|法制报|农民报)|^今日[\p{Han}]{2,3}$|^[\p{Han}][\p{Han}--[喜捷快简情画电海周月年通汇预举申公战学晚日早时商党]]报$)社?",
    )
});
/// A county's own paper named after the county (`苍南新闻`, `余杭新闻`): only when the name
/// before 新闻 is a place (else it is a section: `社会新闻`).
static PLACE_NEWS: LazyLock<Regex> = LazyLock::new(|| rule(r"^([\p{Han}]{2,3})新闻$"));
/// A date printed after the paper's name on its line (`苍南新闻 2024年7月9日 星期二`).
static DATE_AFTER: LazyLock<Regex> =
    LazyLock::new(|| rule(r"\s+(\d{4}\s*年|[〇一二三四五六七八九零]{4}年).*$"));
static PAGE_NO: LazyLock<Regex> =
    LazyLock::new(|| rule(r"\s*第\s*[\d一二三四五六七八九十]+\s*版$"));
static LOCAL_SPONSOR: LazyLock<Regex> = LazyLock::new(|| rule(r"中共([\p{Han}]{2,4}?)[市县区]委"));
static EDITION: LazyLock<Regex> = LazyLock::new(|| rule(r"^([\p{Han}]{2,4})版$"));

/// The paper's name as its masthead prints it, looked for in the page's first lines: a name
/// ending in 日报/晚报/…, with the local edition when the masthead names one (`平湖版`, or a local
/// party committee among the sponsors: `嘉兴日报社 中共平湖市委 联办` → `嘉兴日报·平湖版`).
pub fn masthead_paper(head_lines: &[&str]) -> Option<String> {
    let mut name: Option<String> = None;
    let mut edition: Option<String> = None;
    for line in head_lines {
        let line = line.trim().trim_start_matches('#').trim();
        if width(line) > 40 || line.contains(['。', '，', ',']) {
            continue;
        }
        if let Some(c) = EDITION.captures(line) {
            edition.get_or_insert_with(|| format!("{}版", &c[1]));
            continue;
        }
        let sponsor_line = line.ends_with("联办") || line.ends_with("主办");
        if name.is_none() {
            let bare = DATE_AFTER.replace(line, "");
            if let Some(c) = PLACE_NEWS.captures(&bare) {
                if crate::region::Gazetteer::global().resolve(&c[1]).is_some() {
                    name = Some(c[0].to_string());
                    continue;
                }
            }
            if let Some(c) = PAPER.captures(line) {
                // Only a line that is the name (or the sponsors' line) names this paper; a
                // headline may mention another paper.
                // A page number after the name (`慈溪日报 第2版`) is part of the name line.
                let bare = PAGE_NO.replace(line, "");
                let stand_alone = width(&bare) <= width(&c[0]) + 2;
                if stand_alone || sponsor_line {
                    name = Some(c[1].to_string());
                }
            }
        }
        if sponsor_line {
            if let Some(c) = LOCAL_SPONSOR.captures(line) {
                edition.get_or_insert_with(|| format!("{}版", &c[1]));
            }
        }
    }
    match (name, edition) {
        (Some(n), Some(e)) if !n.starts_with(e.trim_end_matches('版')) => Some(format!("{n}·{e}")),
        (Some(n), _) => Some(n),
        (None, Some(e)) => Some(e),
        (None, None) => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn staff_prompt_and_ad_lines_are_furniture() {
        assert!(is_furniture(
            "编辑/王 五 电话/85018195 版式/李四 校对/张 三"
        ));
        assert!(is_furniture("责任编辑：赵六"));
        assert!(is_furniture("责任编辑 赵六"));
        assert!(is_furniture("（编辑 张三）"));
        assert!(is_furniture("扫一扫 看视频"));
        // Page labels, as printed and as OCR reads them.
        assert!(is_furniture("06版 地方新闻"));
        assert!(is_furniture("第4版 乡村振兴"));
        assert!(is_furniture("Al 图片新闻"));
        assert!(!is_furniture("G20峰会召开"));
        assert!(is_furniture("本期导读"));
        assert!(is_furniture("国际商贸城迎来秋季采购高峰 详见第2版"));
        assert!(is_furniture("天气：多云 16℃～25℃"));
        assert!(is_furniture("某某发布 今某某客户端"));
        assert!(is_furniture("讲文明 树新风 公/益/广/告"));
        assert!(is_furniture("农历壬寅年五月三十 总第4961期"));
        assert!(is_furniture("JIAXING DAILY"));
        assert!(is_furniture("某报社 中共某某县委 联办"));
        assert!(is_furniture("桐乡版"));
        assert!(is_furniture("开化报"));
        assert!(!is_furniture("新年喜报"));
        assert!(!is_furniture("喜报"));
        assert!(!is_furniture("本报讯 昨天上午，市长主持召开常务会议。"));
        assert!(!is_furniture("桥韵"));
        // A column's line of running text that names a prompt's words is running text.
        assert!(is_furniture("扫码关注，看更多"));
        assert!(!is_furniture("公益广告牌上，可以感觉出这个事业型领导"));
        assert!(!is_furniture("市民可以扫一扫二维码，在手机上预约挂号"));
    }

    #[test]
    fn column_labels_are_told_from_titles() {
        assert!(is_label("村(社区)组织换届进行时"));
        assert!(is_label("学习贯彻省党代会精神"));
        assert!(is_label("本地快讯"));
        assert!(is_label("乡镇简讯"));
        assert!(!is_label("快讯传来喜讯"));
        assert!(is_label("喜迎市第十五次党代会特别报道"));
        assert!(is_label("【走基层】"));
        assert!(is_label("简讯"));
        assert!(is_label("■简讯"));
        assert!(is_label("挂职手记"));
        assert!(is_label("时评"));
        assert!(!is_label("【编后语】"));
        assert!(!is_label("坚决打赢根治欠薪冬季攻坚战"));
        assert!(!is_label("新年招聘会 搭建就业路"));
    }

    #[test]
    fn paper_name_and_edition_from_the_masthead() {
        assert_eq!(
            masthead_paper(&["丽水日报社 中共青田县委 联办", "2022年6月28日"]),
            Some("丽水日报·青田版".into())
        );
        assert_eq!(masthead_paper(&["温州晚报"]), Some("温州晚报".into()));
        assert_eq!(
            masthead_paper(&["开化报", "KAIHUA DAILY"]),
            Some("开化报".into())
        );
        assert_eq!(masthead_paper(&["年度喜报"]), None);
        assert_eq!(
            masthead_paper(&["第二版 社会新闻", "苍南新闻 2024年7月9日"]),
            Some("苍南新闻".into())
        );
        assert_eq!(masthead_paper(&["社会新闻"]), None);
        assert_eq!(
            masthead_paper(&["今日临安", "2022年6月28日"]),
            Some("今日临安".into())
        );
        assert_eq!(
            masthead_paper(&["# 瑞安版", "WENZHOU DAILY"]),
            Some("瑞安版".into())
        );
        assert_eq!(
            masthead_paper(&["本报讯 据温州日报报道，昨天上午，市长出席。"]),
            None
        );
    }

    #[test]
    fn the_paper_name_line_and_section_names_are_furniture() {
        assert!(is_furniture("平阳日报"));
        assert!(is_furniture("平阳日报 第3版"));
        assert!(is_furniture("喀喇沁融媒体中心"));
        assert!(is_furniture("ccs.cn"));
        assert!(!is_furniture("县融媒体中心揭牌成立"));
        assert!(is_furniture("社会新闻"));
        assert!(!is_furniture("平阳日报记者走访企业"));
        assert!(!is_furniture("新闻发布会召开"));
    }

    #[test]
    fn a_paper_name_followed_by_its_page_number_names_the_paper() {
        assert_eq!(
            masthead_paper(&["要闻", "2023-05-06 星期六", "平阳日报 第2版"]),
            Some("平阳日报".to_string())
        );
    }
}
