//! Region slugs: the pinyin of a region's short name (建德市 → `jiande`), unique across all levels.
//!
//! Input: every region of the gazetteer in code order; output: one slug per region. The `pinyin`
//! crate gives the most common reading of each character, which for place names is often wrong
//! (长兴 is changxing, 乐清 yueqing, 六安 luan), so readings are overridden per character for
//! characters whose place-name reading differs from their everyday one, and per name for the
//! exceptions to those. Slugs are published in URLs: the ordering here must stay deterministic,
//! and a table change must not rename existing slugs.

use std::collections::HashMap;

use pinyin::ToPinyin;

use crate::model::RegionLevel;

/// Whole-name readings that no per-character rule gives (keyed by short name, or by full name
/// where the short form is the full one, like 单县).
const NAME_READINGS: &[(&str, &str)] = &[
    ("长子", "zhangzi"),
    ("乐清", "yueqing"),
    ("乐亭", "laoting"),
    ("六安", "luan"),
    ("六合", "luhe"),
    ("洪洞", "hongtong"),
    ("铅山", "yanshan"),
    ("大埔", "dabu"),
    ("东阿", "donge"),
    ("番禺", "panyu"),
    ("陕西", "shaanxi"),
    ("尉氏", "yushi"),
    ("尉犁", "yuli"),
    ("蔚县", "yuxian"),
    ("荥阳", "xingyang"),
    ("荥经", "yingjing"),
    ("中牟", "zhongmou"),
    ("吴堡", "wubu"),
    ("柞水", "zhashui"),
    ("涡阳", "guoyang"),
    ("黄陂", "huangpi"),
    ("曾都", "zengdu"),
    ("鄱阳", "poyang"),
    ("句容", "jurong"),
    ("泌阳", "biyang"),
    ("浚县", "xunxian"),
    ("单县", "shanxian"),
    ("叶县", "yexian"),
    ("莎车", "shache"),
    ("犍为", "qianwei"),
    ("枞阳", "zongyang"),
    ("歙县", "shexian"),
    ("黟县", "yixian"),
    ("蚌山", "bengshan"),
    ("厦门", "xiamen"),
    ("丽水", "lishui"),
    ("重庆", "chongqing"),
    ("长兴", "changxing"),
    ("莘县", "shenxian"),
    ("繁峙", "fanshi"),
    ("牟定", "mouding"),
    ("闵行", "minhang"),
    ("召陵", "shaoling"),
    ("龙圩", "longxu"),
    ("宝坻", "baodi"),
    ("珲春", "hunchun"),
    ("筠连", "junlian"),
    ("伽师", "jiashi"),
    ("穆棱", "muling"),
];

/// Per-character readings in place names where the everyday reading differs.
const CHAR_READINGS: &[(char, &str)] = &[
    ('长', "chang"),
    ('重', "chong"),
    ('乐', "le"),
    ('丽', "li"),
    ('蚌', "beng"),
    ('莘', "shen"),
    ('厦', "xia"),
    ('番', "fan"),
    ('埔', "pu"),
    ('六', "liu"),
    ('都', "du"),
    ('朝', "chao"),
    ('藏', "zang"),
    ('宿', "su"),
    ('济', "ji"),
    ('会', "hui"),
    ('什', "shi"),
    ('单', "shan"),
    ('行', "xing"),
    ('曲', "qu"),
    ('阿', "a"),
    ('铅', "qian"),
    ('台', "tai"),
    ('堡', "bao"),
    ('盖', "gai"),
    ('扎', "zha"),
    ('繁', "fan"),
    ('应', "ying"),
    ('尉', "wei"),
    ('蔚', "wei"),
    ('柏', "bai"),
    ('那', "na"),
    ('漯', "luo"),
    ('沈', "shen"),
    ('覃', "qin"),
    ('调', "diao"),
    ('解', "jie"),
    ('茄', "qie"),
    ('泊', "bo"),
    ('车', "che"),
    ('色', "se"),
    ('查', "cha"),
    ('华', "hua"),
    ('广', "guang"),
    ('干', "gan"),
    ('石', "shi"),
    ('员', "yuan"),
    ('和', "he"),
    ('兴', "xing"),
    ('宁', "ning"),
    ('喀', "ka"),
    ('种', "zhong"),
    ('蕃', "fan"),
    ('沔', "mian"),
    ('奇', "qi"),
    ('大', "da"),
    ('塔', "ta"),
    ('思', "si"),
    ('洞', "dong"),
    ('曾', "zeng"),
    ('牟', "mu"),
    ('吐', "tu"),
    ('冠', "guan"),
    ('观', "guan"),
    ('省', "sheng"),
    ('鲜', "xian"),
    ('枞', "zong"),
    ('浚', "jun"),
    ('亳', "bo"),
    ('佛', "fo"),
    ('勒', "le"),
];

/// The slug stem of one name: lowercase ASCII pinyin syllables run together.
pub(crate) fn stem(short: &str, full: &str) -> String {
    for key in [short, full] {
        if let Some((_, reading)) = NAME_READINGS.iter().find(|(n, _)| *n == key) {
            return (*reading).to_string();
        }
    }
    let mut out = String::new();
    for (c, py) in short.chars().zip(short.to_pinyin()) {
        if let Some((_, reading)) = CHAR_READINGS.iter().find(|(ch, _)| *ch == c) {
            out.push_str(reading);
        } else if let Some(py) = py {
            for pc in py.plain().chars() {
                out.push(if pc == 'ü' { 'v' } else { pc });
            }
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// What slug assignment needs to know of one region.
pub(crate) struct SlugInput<'a> {
    pub short: &'a str,
    pub full: &'a str,
    pub level: RegionLevel,
    /// Index of the region's prefecture (for counties) in the same slice.
    pub prefecture: Option<usize>,
    /// Index of the region's province in the same slice (itself for a province).
    pub province: usize,
}

fn rank(level: RegionLevel) -> u8 {
    match level {
        RegionLevel::Province => 0,
        RegionLevel::Prefecture => 1,
        RegionLevel::County => 2,
    }
}

/// Assigns unique slugs; `regions` must be in code order. Where several regions share a stem,
/// the one of the highest level, and among those the lowest code, keeps the bare stem
/// (吉林省 → `jilin`, 南京's 鼓楼区 → `gulou`); the others get their parent's stem appended (`gulou-fuzhou`: the prefecture for counties, the province
/// for prefectures and for counties of municipalities), then the province's, then the code.
pub(crate) fn assign(regions: &[SlugInput<'_>], codes: &[&str]) -> Vec<String> {
    let stems: Vec<String> = regions.iter().map(|r| stem(r.short, r.full)).collect();
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in stems.iter().enumerate() {
        groups.entry(s.as_str()).or_default().push(i);
    }
    let mut slugs = stems.clone();
    for (i, r) in regions.iter().enumerate() {
        let group = &groups[stems[i].as_str()];
        if group.len() < 2 {
            continue;
        }
        // The highest level keeps the bare stem, and within it the lowest code (input order).
        let keeper = group
            .iter()
            .copied()
            .min_by_key(|&j| (rank(regions[j].level), j));
        if keeper == Some(i) {
            continue;
        }
        let parent = r.prefecture.unwrap_or(r.province);
        if parent != i {
            slugs[i] = format!("{}-{}", stems[i], stems[parent]);
        }
    }
    // Second round: still clashing → add the province; third: the code (cannot clash).
    for round in 0..2 {
        let mut count: HashMap<String, usize> = HashMap::new();
        for s in &slugs {
            *count.entry(s.clone()).or_default() += 1;
        }
        for (i, r) in regions.iter().enumerate() {
            if count[&slugs[i]] < 2 {
                continue;
            }
            if round == 0 && r.province != i && r.prefecture.is_some() {
                slugs[i] = format!("{}-{}", slugs[i], stems[r.province]);
            } else if round == 1 || r.province == i || r.prefecture.is_none() {
                slugs[i] = format!("{}-{}", slugs[i], codes[i]);
            }
        }
    }
    slugs
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_place_name_polyphones() {
        let cases = [
            ("长兴", "长兴县", "changxing"),
            ("乐清", "乐清市", "yueqing"),
            ("重庆", "重庆市", "chongqing"),
            ("六安", "六安市", "luan"),
            ("丽水", "丽水市", "lishui"),
            ("蚌埠", "蚌埠市", "bengbu"),
            ("莘县", "莘县", "shenxian"),
            ("厦门", "厦门市", "xiamen"),
            ("番禺", "番禺区", "panyu"),
            ("洪洞", "洪洞县", "hongtong"),
            ("铅山", "铅山县", "yanshan"),
            ("大埔", "大埔县", "dabu"),
            ("东阿", "东阿县", "donge"),
            ("建德", "建德市", "jiande"),
            ("钱塘", "钱塘区", "qiantang"),
            ("上城", "上城区", "shangcheng"),
            ("长沙", "长沙市", "changsha"),
            ("吕梁", "吕梁市", "lvliang"),
            ("佛山", "佛山市", "foshan"),
            ("锡林郭勒", "锡林郭勒盟", "xilinguole"),
            ("闵行", "闵行区", "minhang"),
            ("繁峙", "繁峙县", "fanshi"),
            ("喀什", "喀什地区", "kashi"),
        ];
        for (short, full, want) in cases {
            assert_eq!(stem(short, full), want, "{full}");
        }
    }
}
