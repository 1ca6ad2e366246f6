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
use super::words::{township_stem_is_word, BLOCKERS, COMMON_SHORTS, MARKERS};
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
            if stem.chars().count() >= 3 && !township_stem_is_word(stem) {
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
        // Copy the runs between whitespace as slices (a memcpy each) rather than char by char.
        for run in text.split(char::is_whitespace) {
            buf.push_str(run);
        }
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
#[allow(clippy::unwrap_used, clippy::expect_used)]
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
