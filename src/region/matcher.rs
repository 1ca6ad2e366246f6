//! The place-name automaton: one leftmost-longest daachorse automaton over every name of the
//! gazetteer (full and short names of provinces, prefectures and counties, township names), the
//! home-region markers (我市, 市委 …) and a few everyday words that contain place names
//! (新华社, 平安建设) so that they are consumed whole and never count as places.
//!
//! Input: text; output: [`Hit`]s (entry, byte span in the whitespace-free copy of the text). The
//! scan removes whitespace into a reused buffer, so a line break inside 新安江\n街道 does not hide
//! the name; it allocates nothing per character. Deciding what hits mean is `assign`'s job.

use std::collections::HashMap;

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};

use super::gazetteer::{Region, Township};
use super::names::township_stem;
use crate::model::RegionLevel;

/// How a name refers to its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    CountyFull,
    TownshipFull,
    CountyShort,
    PrefectureFull,
    PrefectureShort,
    TownshipShort,
    ProvinceFull,
    ProvinceShort,
}

/// One region a name may stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cand {
    pub region: u32,
    pub kind: Kind,
}

/// What one pattern of the automaton means.
#[derive(Debug, Clone, Default)]
pub(crate) struct Entry {
    pub cands: Vec<Cand>,
    /// Length of the pattern in characters.
    pub chars: u32,
    /// An everyday word as well as a place name (和平, 城区): counts only with context.
    pub common: bool,
    /// A home-region marker (我市, 区委).
    pub marker: bool,
}

/// A match in the whitespace-free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub entry: u32,
    pub start: usize,
    pub end: usize,
}

/// Short names that are also everyday words or names of other things (roads, companies, lakes,
/// rivers, a news agency): without a suffix they count only when the context supports them.
const COMMON_SHORTS: &[&str] = &[
    "和平", "新华", "平安", "长安", "东方", "大方", "安宁", "永安", "长寿", "新城", "城关", "城中",
    "城东", "城西", "城南", "城北", "东城", "西城", "南城", "北城", "中山", "大理", "阿里", "安康",
    "日照", "北海", "黄山", "大同", "山南", "朝阳", "向阳", "红旗", "前进", "胜利", "东风", "民主",
    "通道", "吉利", "白云", "青山", "宝山", "普陀", "西湖", "南湖", "东湖", "江北", "江南", "河东",
    "河西", "城区", "郊区", "矿区", "新区", "东区", "西区", "市中", "市南", "市北", "江山", "开化",
    "路桥", "滨江", "定海", "仙居", "天台", "龙湾", "三门", "兴安", "新兴", "龙华", "金山", "龙泉",
    "铁西", "铁东", "建华", "桥西", "桥东", "开平", "立新", "光明", "城阳", "海南", "河北", "山东",
    "吉林", "太平", "太和", "永和", "清河", "新乡", "新民", "新和", "安定", "合作", "团结", "振兴",
    "复兴", "文明", "和谐", "富民", "丰收", "临江", "连山", "石林", "江城", "华容", "共和", "友好",
    "凤凰", "龙门", "东安", "东海", "南海", "大通", "平山", "长宁", "永定", "古城", "红星", "东山",
    "西山", "南山", "北山", "方正", "公安", "安全", "通化", "黄埔", "海港", "白银", "金川", "和田",
    "天元", "红花", "三江", "沙市", "文山", "玉树", "鼓楼", "台江", "华安", "长乐", "金平", "平和",
    "东兴", "新会",
];

/// Non-place words that begin with a place name; consumed whole so that they never count.
const BLOCKERS: &[&str] = &[
    "新华社",
    "新华网",
    "新华书店",
    "平安建设",
    "平安中国",
    "平安浙江",
    "平安创建",
    "平安银行",
    "平安保险",
    "平安夜",
    "平安喜乐",
    "平安无事",
    "安康杯",
    "大理石",
    "阿里巴巴",
    "阿里云",
    "中山装",
    "中山路",
    "中山大学",
    "中山公园",
    "钱塘江",
    "长安街",
    "东方红",
    "东方明珠",
    "人民日报",
    "黄山松",
    "和平年代",
    "和平共处",
    "朝阳产业",
    "长寿老人",
    "长寿村",
    "江山就是",
    "打江山",
    "守江山",
    "大同小异",
    "世界大同",
    "天台山",
    "普陀山",
    "西湖龙井",
    "千岛湖",
    "日照时间",
    "通道口",
    "安全通道",
    "绿色通道",
    "消防通道",
    "生命通道",
    "大方向",
    "落落大方",
    "东风标致",
    "东方之珠",
    "新城控股",
    "安宁疗护",
    "太平洋",
    "太平间",
    "光明日报",
    "光明网",
    "凤凰卫视",
    "凤凰网",
    "北海道",
    "南海海域",
    "东海岸",
    "南京路",
    "上海路",
    "北京路",
    "人民路",
    "解放路",
    "建设路",
    "文明城市",
    "团结一致",
    "复兴号",
    "民族复兴",
    "振兴乡村",
    "乡村振兴",
    "青山绿水",
    "绿水青山",
    "金山银山",
    "宁海路",
    "新乡贤",
    "公安局",
    "公安机关",
    "公安部",
    "宝山路",
];

/// Home-region markers: the paper's own city, district or county.
const MARKERS: &[&str] = &[
    "我市",
    "我区",
    "我县",
    "本市",
    "本区",
    "本县",
    "全市",
    "全区",
    "全县",
    "市委",
    "区委",
    "县委",
    "市政府",
    "区政府",
    "县政府",
    "市人大",
    "区人大",
    "县人大",
    "市政协",
    "区政协",
    "县政协",
    "市领导",
    "区领导",
    "县领导",
    "市长",
    "区长",
    "县长",
    "市委书记",
    "区委书记",
    "县委书记",
    "副市长",
    "副区长",
    "副县长",
    "代市长",
    "代区长",
    "代县长",
    "市纪委",
    "区纪委",
    "县纪委",
];

/// The automaton and the meaning of each of its patterns.
pub(crate) struct Matcher {
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    entries: Vec<Entry>,
}

/// Adds `cand` under `pattern`, keeping one candidate per region (the strongest kind).
fn add(
    index: &mut HashMap<String, usize>,
    entries: &mut Vec<Entry>,
    pattern: &str,
    cand: Option<Cand>,
) -> usize {
    let i = *index.entry(pattern.to_string()).or_insert_with(|| {
        entries.push(Entry {
            chars: pattern.chars().count() as u32,
            ..Entry::default()
        });
        entries.len() - 1
    });
    if let Some(cand) = cand {
        let e = &mut entries[i];
        match e.cands.iter_mut().find(|c| c.region == cand.region) {
            Some(c) => c.kind = c.kind.min(cand.kind),
            None => e.cands.push(cand),
        }
    }
    i
}

impl Matcher {
    /// Builds the automaton over the regions and townships of the gazetteer.
    pub(crate) fn build(regions: &[Region], townships: &[Township]) -> Matcher {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut entries: Vec<Entry> = Vec::new();
        for (i, r) in regions.iter().enumerate() {
            let region = i as u32;
            let (full, short) = match r.level {
                RegionLevel::Province => (Kind::ProvinceFull, Kind::ProvinceShort),
                RegionLevel::Prefecture => (Kind::PrefectureFull, Kind::PrefectureShort),
                RegionLevel::County => (Kind::CountyFull, Kind::CountyShort),
            };
            add(
                &mut index,
                &mut entries,
                &r.name,
                Some(Cand { region, kind: full }),
            );
            if r.short != r.name {
                add(
                    &mut index,
                    &mut entries,
                    &r.short,
                    Some(Cand {
                        region,
                        kind: short,
                    }),
                );
            }
        }
        for t in townships {
            let region = t.county as u32;
            let Some(stem) = township_stem(&t.name) else {
                continue; // farms, parks, development zones: generic names, not evidence
            };
            if t.name.chars().count() < 3 {
                continue;
            }
            add(
                &mut index,
                &mut entries,
                &t.name,
                Some(Cand {
                    region,
                    kind: Kind::TownshipFull,
                }),
            );
            if stem.chars().count() >= 3 {
                let kind = Kind::TownshipShort;
                add(&mut index, &mut entries, stem, Some(Cand { region, kind }));
            }
        }
        for word in COMMON_SHORTS {
            if let Some(&i) = index.get(*word) {
                entries[i].common = true;
            }
        }
        for word in BLOCKERS {
            // A blocker that is itself a name (unlikely) keeps its candidates.
            add(&mut index, &mut entries, word, None);
        }
        for word in MARKERS {
            let i = add(&mut index, &mut entries, word, None);
            entries[i].marker = true;
        }
        let mut patterns: Vec<(&str, u32)> =
            index.iter().map(|(p, &i)| (p.as_str(), i as u32)).collect();
        patterns.sort_unstable();
        let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build_with_values(patterns)
            .ok();
        Matcher { automaton, entries }
    }

    /// The meaning of pattern `i`.
    pub(crate) fn entry(&self, i: u32) -> &Entry {
        &self.entries[i as usize]
    }

    /// Copies `text` without whitespace into `buf` and appends the leftmost-longest matches
    /// (spans in `buf`) to `hits`. Blockers are consumed but not reported.
    pub(crate) fn scan(&self, text: &str, buf: &mut String, hits: &mut Vec<Hit>) {
        buf.clear();
        buf.extend(text.chars().filter(|c| !c.is_whitespace()));
        let Some(ac) = &self.automaton else {
            return;
        };
        for m in ac.leftmost_find_iter(buf.as_str()) {
            let e = &self.entries[m.value() as usize];
            if e.cands.is_empty() && !e.marker {
                continue;
            }
            hits.push(Hit {
                entry: m.value(),
                start: m.start(),
                end: m.end(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::gazetteer::Gazetteer;

    fn names(text: &str) -> Vec<String> {
        let m = Gazetteer::global().matcher();
        let (mut buf, mut hits) = (String::new(), Vec::new());
        m.scan(text, &mut buf, &mut hits);
        hits.iter()
            .map(|h| buf[h.start..h.end].to_string())
            .collect()
    }

    #[test]
    fn finds_names_leftmost_longest() {
        assert_eq!(
            names("温州市苍南县望里镇开展夜查"),
            ["温州市", "苍南县", "望里镇"]
        );
        assert_eq!(
            names("杭州市建德新安江街道叶家社区"),
            ["杭州市", "建德", "新安江街道"]
        );
    }

    #[test]
    fn whitespace_and_line_breaks_do_not_hide_names() {
        assert_eq!(names("家住新安江\n街道的居民"), ["新安江街道"]);
        assert_eq!(names("平 湖 市"), ["平湖市"]);
    }

    #[test]
    fn blockers_consume_non_place_words() {
        assert_eq!(names("新华社杭州电"), ["杭州"]);
        assert!(names("推进平安建设").is_empty());
        assert_eq!(names("我市召开会议"), ["我市"]);
    }
}
