//! Short forms of administrative names: 建德市 → 建德, 延边朝鲜族自治州 → 延边, 郊区 → 郊区.
//!
//! Input: a full official name; output: the name as people write it without its level suffix.
//! Pure string work; it must never shorten a name below two characters (郊区, 城区, 忠县 stay).

/// Ethnic-group names as they appear inside autonomous-area names, longest first so that
/// 土家族 is stripped before 土族 could be. Multi-character groups also appear without 族
/// (伊犁哈萨克自治州, 博尔塔拉蒙古自治州).
const ETHNIC: &[&str] = &[
    "乌孜别克",
    "柯尔克孜",
    "鄂伦春",
    "鄂温克",
    "达斡尔",
    "维吾尔",
    "塔吉克",
    "塔塔尔",
    "哈萨克",
    "俄罗斯",
    "蒙古",
    "布依",
    "朝鲜",
    "土家",
    "哈尼",
    "傈僳",
    "拉祜",
    "东乡",
    "纳西",
    "景颇",
    "仫佬",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "德昂",
    "保安",
    "裕固",
    "独龙",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "高山",
    "回",
    "藏",
    "苗",
    "彝",
    "壮",
    "满",
    "侗",
    "瑶",
    "白",
    "黎",
    "佤",
    "畲",
    "水",
    "土",
    "羌",
    "怒",
    "京",
    "傣",
];

/// Level suffixes, longest first. Autonomous suffixes are handled separately (ethnic names).
const SUFFIXES: &[&str] = &[
    "特别行政区",
    "行政委员会",
    "管理区管委会",
    "林区",
    "特区",
    "新区",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
];

const AUTONOMOUS: &[&str] = &["自治区", "自治州", "自治县", "自治旗"];

/// The usual short form of an administrative name (keeps at least two characters).
///
/// ```
/// use paperboy::region::short_name;
/// assert_eq!(short_name("建德市"), "建德");
/// assert_eq!(short_name("景宁畲族自治县"), "景宁");
/// assert_eq!(short_name("郊区"), "郊区");
/// ```
pub fn short_name(full: &str) -> String {
    for suffix in AUTONOMOUS {
        if let Some(stem) = full.strip_suffix(suffix) {
            let mut stem = strip_ethnic(stem);
            // 鄂温克族自治旗: the whole stem is one group; drop only its 族.
            if let Some(group) = stem.strip_suffix('族') {
                if group.chars().count() >= 2 {
                    stem = group;
                }
            }
            if stem.chars().count() >= 2 {
                return stem.to_string();
            }
            return full.to_string();
        }
    }
    for suffix in SUFFIXES {
        if let Some(stem) = full.strip_suffix(suffix) {
            if stem.chars().count() >= 2 {
                return stem.to_string();
            }
            return full.to_string();
        }
    }
    full.to_string()
}

/// Removes trailing ethnic-group names (壮族苗族 → ``), repeatedly, keeping two characters.
fn strip_ethnic(mut stem: &str) -> &str {
    'outer: loop {
        for e in ETHNIC {
            let with_zu = format!("{e}族");
            for form in [with_zu.as_str(), e] {
                // Single-character groups only ever appear with 族 (藏族, not 藏).
                if form.chars().count() < 2 {
                    continue;
                }
                if let Some(rest) = stem.strip_suffix(form) {
                    if rest.chars().count() >= 2 {
                        stem = rest;
                        continue 'outer;
                    }
                }
            }
        }
        return stem;
    }
}

/// Township suffixes (街道, 镇, 乡, 苏木 …), longest first; `None` when the name has none.
pub(crate) fn township_stem(full: &str) -> Option<&str> {
    const TOWN: &[&str] = &[
        "民族乡",
        "街道办事处",
        "办事处",
        "街道",
        "苏木",
        "地区",
        "镇",
        "乡",
    ];
    TOWN.iter().find_map(|s| full.strip_suffix(s))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn strips_level_suffixes_keeping_two_characters() {
        assert_eq!(short_name("浙江省"), "浙江");
        assert_eq!(short_name("杭州市"), "杭州");
        assert_eq!(short_name("钱塘区"), "钱塘");
        assert_eq!(short_name("淳安县"), "淳安");
        assert_eq!(short_name("郊区"), "郊区");
        assert_eq!(short_name("城区"), "城区");
        assert_eq!(short_name("忠县"), "忠县");
        assert_eq!(short_name("浦东新区"), "浦东");
        assert_eq!(short_name("大兴安岭地区"), "大兴安岭");
        assert_eq!(short_name("锡林郭勒盟"), "锡林郭勒");
        assert_eq!(short_name("神农架林区"), "神农架");
        assert_eq!(short_name("六枝特区"), "六枝");
    }

    #[test]
    fn strips_autonomous_suffixes_and_ethnic_names() {
        assert_eq!(short_name("内蒙古自治区"), "内蒙古");
        assert_eq!(short_name("广西壮族自治区"), "广西");
        assert_eq!(short_name("延边朝鲜族自治州"), "延边");
        assert_eq!(short_name("黔西南布依族苗族自治州"), "黔西南");
        assert_eq!(short_name("伊犁哈萨克自治州"), "伊犁");
        assert_eq!(short_name("博尔塔拉蒙古自治州"), "博尔塔拉");
        assert_eq!(short_name("景宁畲族自治县"), "景宁");
        assert_eq!(short_name("石柱土家族自治县"), "石柱");
        assert_eq!(short_name("三江侗族自治县"), "三江");
        assert_eq!(short_name("鄂温克族自治旗"), "鄂温克");
    }

    #[test]
    fn finds_township_stems() {
        assert_eq!(township_stem("新安江街道"), Some("新安江"));
        assert_eq!(township_stem("寿昌镇"), Some("寿昌"));
        assert_eq!(township_stem("开发区"), None);
    }
}
