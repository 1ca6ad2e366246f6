//! Reading-order repair by what articles share. Every story a newspaper prints has a headline;
//! an article found with none is, most often, a piece a converter cut from its story (a column
//! read out of order, a block set apart by a picture) or a story whose headline the converter
//! lost. A piece goes back on the one article it shares distinctive words with — three Han
//! characters in a row that no other article on the page has (a person's name, a village, a
//! project) — when that article is clearly the best: at least `MIN_SHARED` such words, and at
//! least `MARGIN` times as many as the runner-up. A story that merely lost its headline shares
//! the page's common words with every story and keeps standing alone. A body that opens with a
//! dateline (`本报讯`) is a story's start: it joins no article with a dateline of its own (a story
//! has one), only one whose opening it may be (a headline the converter set apart over text that
//! starts mid-sentence). A short-titled article that names no one is a piece too, a section
//! head read as a headline: it goes, head and all, on a story printed before it, or on one
//! printed after it (a converter read the section before its story's head) when its text does
//! not open like a news lead.
//!
//! Over the dev set and thirteen pressings (markdown and OCR dumps, the rules' output) this moved
//! article F1 up on 30 of 39 sets and down on 9; the thresholds were chosen there, over the three
//! kinds of dump together.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::model::{Article, ArticleKind};

use super::is_short;
use super::layout::{is_han, width};

/// Fewest distinctive words an untitled article must share with the article it goes on.
const MIN_SHARED: usize = 2;
/// How many times the runner-up's count the best article's must be.
const MARGIN: usize = 2;

/// A word: three Han characters packed 21 bits each.
type Word = u64;

/// Hashes a packed word with one multiplication: the page's words are hashed once per
/// character of its text, so the default hasher's cost would show in extraction's speed.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type WordMap<V> = HashMap<Word, V, BuildHasherDefault<WordHasher>>;

/// Who holds a word: the first two articles, how many hold it (counted up to three), the last
/// article counted (each counts once, however often it repeats the word) and the last piece
/// credited with it when pieces are ranked.
#[derive(Clone, Copy)]
struct Holders {
    first: usize,
    second: usize,
    count: u8,
    last: usize,
    credited: usize,
}

impl Holders {
    const NONE: Holders = Holders {
        first: 0,
        second: 0,
        count: 0,
        last: usize::MAX,
        credited: usize::MAX,
    };

    fn count(&mut self, article: usize) {
        if self.last == article {
            return;
        }
        self.last = article;
        match self.count {
            0 => self.first = article,
            1 => self.second = article,
            _ => {}
        }
        self.count = (self.count + 1).min(3);
    }
}

/// A set of words that answers most misses without the map: one bit per hash bucket, small
/// enough to stay in cache while the page's text streams past it.
struct Sieve(Vec<u64>);

impl Sieve {
    const BITS: u32 = 17;

    fn slot(w: Word) -> usize {
        (w.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::BITS)) as usize
    }
    fn new() -> Sieve {
        Sieve(vec![0; 1 << (Self::BITS - 6)])
    }
    fn add(&mut self, w: Word) {
        let s = Self::slot(w);
        self.0[s >> 6] |= 1 << (s & 63);
    }
    fn may_hold(&self, w: Word) -> bool {
        let s = Self::slot(w);
        self.0[s >> 6] & (1 << (s & 63)) != 0
    }
}

/// Which articles may be pieces of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pieces {
    /// Untitled articles and sections (short-titled, naming no one), on a page read in bands
    /// across its columns (markdown and OCR dumps, cut by the rules): a section may have been
    /// read before its story's head.
    Banded,
    /// Untitled articles and sections, a section only after its story's head.
    All,
    /// Sections only: on a page read from its character grid an untitled block is seldom a piece
    /// cut from another story (rejoining untitled blocks there lowered F1, sections raised it).
    Sections,
}

/// Is the article a candidate piece: untitled (where `pieces` allows) or titled like a section
/// head, and no continuation of another page's story?
fn is_piece(a: &Article, pieces: Pieces) -> bool {
    let untitled = a.title.is_none() && pieces != Pieces::Sections;
    (untitled || subhead_like(a)) && a.kind != ArticleKind::Continuation
}

/// Widest title of a section head (`菜价：稳中有升`, `勃兴之湖`): a story's own headline is
/// most often longer.
const SUBHEAD_WIDTH: usize = 9;

/// A titled article that may be a section of the story printed before it, its head read as a
/// headline: it names no one, has no kicker or subtitle, and its title is short. (A converter
/// reading a long feature's section heads as headlines cuts the feature at each one.)
fn subhead_like(a: &Article) -> bool {
    a.byline.is_empty()
        && a.kicker.is_none()
        && a.subtitle.is_none()
        && a.title
            .as_deref()
            .is_some_and(|t| width(t) <= SUBHEAD_WIDTH)
}

/// Puts pieces (untitled, or sections where `kinds` says) back on the article they were cut
/// from, in page order. `opened[i]`:
/// article `i`'s body opened with a dateline.
pub fn rejoin(mut articles: Vec<Article>, opened: &[bool], kinds: Pieces) -> Vec<Article> {
    let piece: Vec<bool> = articles.iter().map(|a| is_piece(a, kinds)).collect();
    let pieces: Vec<usize> = (0..articles.len()).filter(|&i| piece[i]).collect();
    if pieces.is_empty() {
        return articles;
    }
    // Only the pieces' words are counted, in one pass over every article's text: linear in the
    // page, however many articles it has. The other articles' words mostly miss, and the sieve
    // answers those.
    // A Han character takes three bytes, so this bounds the pieces' distinct words: no rehash.
    let most: usize = pieces.iter().map(|&i| articles[i].body.len() / 3).sum();
    let mut index: WordMap<u32> = WordMap::with_capacity_and_hasher(most, Default::default());
    let mut holders: Vec<Holders> = Vec::new();
    let mut sieve = Sieve::new();
    // Each piece's words as indices into `holders`, in order: `spans[k]` are piece k's.
    let mut held: Vec<u32> = Vec::with_capacity(most);
    let mut spans = Vec::with_capacity(pieces.len());
    for &i in &pieces {
        let start = held.len();
        for w in words(&articles[i].body) {
            let at = *index.entry(w).or_insert_with(|| {
                holders.push(Holders::NONE);
                u32::try_from(holders.len() - 1).unwrap_or(u32::MAX)
            });
            holders[at as usize].count(i);
            held.push(at);
            sieve.add(w);
        }
        spans.push(start..held.len());
    }
    for (i, a) in articles.iter().enumerate().filter(|&(i, _)| !piece[i]) {
        for w in words(&a.body).filter(|&w| sieve.may_hold(w)) {
            if let Some(&at) = index.get(&w) {
                holders[at as usize].count(i);
            }
        }
    }
    let mut gone = vec![false; articles.len()];
    let mut moves = Vec::new();
    for (&i, span) in pieces.iter().zip(spans) {
        // (article, words shared with it); a piece shares words with few articles.
        let mut shared: Vec<(usize, usize)> = Vec::new();
        for &at in &held[span] {
            let h = &mut holders[at as usize];
            if h.count != 2 || h.credited == i {
                continue;
            }
            h.credited = i;
            let other = if h.first == i { h.second } else { h.first };
            if gone[other] {
                continue;
            }
            match shared.iter_mut().find(|(j, _)| *j == other) {
                Some((_, n)) => *n += 1,
                None => shared.push((other, 1)),
            }
        }
        let mut ranked: Vec<(usize, usize)> = shared.into_iter().map(|(j, n)| (n, j)).collect();
        // Most shared first; on a tie the nearer article on the page, then the earlier.
        ranked.sort_by_key(|&(n, j)| (std::cmp::Reverse(n), j.abs_diff(i), j));
        let Some(&(best, j)) = ranked.first() else {
            continue;
        };
        let runner_up = ranked.get(1).map_or(0, |r| r.0);
        let opens = |k: usize| opened.get(k).copied().unwrap_or(false);
        if best < MIN_SHARED || best < MARGIN * runner_up || (opens(i) && opens(j)) {
            continue;
        }
        // A section never opens with a dateline. It goes on a story printed after it (a converter
        // read the section before its story's head) only on a page read in bands and when it
        // does not open like a lead. On pages put in order from their character grid it seldom
        // comes first (`pdftotext -layout`, six pressings: F1 0.685 → 0.664 when allowed), and
        // on pages the model cuts it lowered pdftotext's leave-one-outlet-out F1.
        let later_ok =
            kinds == Pieces::Banded && !super::features::opens_like_a_lead(&articles[i].body);
        if articles[i].title.is_some() && (opens(i) || (j > i && !later_ok)) {
            continue;
        }
        gone[i] = true;
        moves.push((i, j));
    }
    // Moved after all are decided, so that each piece is ranked by its own words even when an
    // earlier piece went onto it.
    for (i, j) in moves {
        let mut piece = std::mem::take(&mut articles[i]);
        // A section's head stays in the story as its own paragraph.
        if let Some(t) = piece.title.take() {
            piece.body = format!("{t}\n\n{}", piece.body);
        }
        put_on(&mut articles[j], piece, j < i);
    }
    articles
        .into_iter()
        .zip(gone)
        .filter_map(|(a, g)| (!g).then_some(a))
        .collect()
}

/// The piece's text goes after the article's when it was printed after it, before otherwise;
/// its byline counts when the article has none.
fn put_on(article: &mut Article, piece: Article, after: bool) {
    article.body = if after {
        format!("{}\n\n{}", article.body, piece.body)
    } else {
        format!("{}\n\n{}", piece.body, article.body)
    };
    if article.byline.is_empty() {
        article.byline = piece.byline;
    }
    if matches!(article.kind, ArticleKind::Brief | ArticleKind::Photo) && !is_short(&article.body) {
        article.kind = ArticleKind::News;
    }
}

/// Every run of three Han characters in a text, in order (punctuation and spaces skipped over).
fn words(text: &str) -> impl Iterator<Item = Word> + '_ {
    const MASK: u64 = (1 << 63) - 1;
    text.chars()
        .filter(|&c| is_han(c))
        .scan((0u64, 0usize), |(key, seen), c| {
            *key = ((*key << 21) | u64::from(c)) & MASK;
            *seen += 1;
            Some((*seen >= 3).then_some(*key))
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(title: Option<&str>, body: &str) -> Article {
        Article {
            title: title.map(str::to_string),
            body: body.to_string(),
            kind: ArticleKind::News,
            ..Article::default()
        }
    }

    #[test]
    fn an_untitled_piece_goes_back_on_the_story_it_shares_names_with() {
        let page = vec![
            art(
                Some("专访白石镇党委书记周立群"),
                "问：白石镇今年有哪些打算？\n\n周立群说，全镇将围绕茶叶产业做文章。",
            ),
            art(
                Some("县城新增三条公交线路"),
                "昨天起，县城新开通三条公交线路，方便市民出行。",
            ),
            art(
                None,
                "周立群介绍，白石镇还将建设茶叶交易市场，带动茶农增收。",
            ),
        ];
        let out = rejoin(page, &[false; 3], Pieces::All);
        assert_eq!(out.len(), 2);
        assert!(out[0]
            .body
            .ends_with("周立群介绍，白石镇还将建设茶叶交易市场，带动茶农增收。"));
        assert_eq!(out[1].title.as_deref(), Some("县城新增三条公交线路"));
    }

    /// A feature credited to its reporter, and a section of it printed after it with a head.
    fn feature_and_section() -> (Article, Article) {
        let mut feature = art(
            Some("山村茶园的春天"),
            "清明前后，白石镇的周立群天天守在茶园里。\n\n他说，茶叶是白石镇的饭碗。",
        );
        feature.byline = vec!["王小明".to_string()];
        let section = art(Some("茶园新事"), "今年，周立群在白石镇建起了茶叶加工厂。");
        (feature, section)
    }

    #[test]
    fn a_section_head_read_as_a_headline_goes_back_on_the_story_before_it() {
        let (feature, section) = feature_and_section();
        let page = vec![
            feature.clone(),
            section.clone(),
            art(
                Some("县城新增三条公交线路"),
                "昨天起，县城新开通三条公交线路。",
            ),
        ];
        let out = rejoin(page, &[false; 3], Pieces::All);
        assert_eq!(out.len(), 2, "{out:#?}");
        assert!(
            out[0]
                .body
                .ends_with("茶园新事\n\n今年，周立群在白石镇建起了茶叶加工厂。"),
            "{}",
            out[0].body
        );
        assert_eq!(out[0].byline, ["王小明"]);
        // A short-titled story with a byline of its own is a story, and a section opening like a
        // news lead (`今年，…`) goes on no story printed after it.
        let mut own = section.clone();
        own.byline = vec!["李四".to_string()];
        assert_eq!(
            rejoin(vec![feature.clone(), own], &[false; 2], Pieces::All).len(),
            2
        );
        assert_eq!(
            rejoin(vec![section, feature], &[false; 2], Pieces::All).len(),
            2
        );
    }

    #[test]
    fn a_section_read_before_its_story_goes_in_front_of_it_unless_it_opens_like_a_lead() {
        // A converter read the feature's second section, head and all, before the feature's own
        // headline: the section opens mid-story, not like a news lead, and shares its names.
        let (feature, _) = feature_and_section();
        let section = art(
            Some("茶园新事"),
            "加工厂建成后，周立群又在白石镇办起了茶叶合作社。",
        );
        let out = rejoin(
            vec![section.clone(), feature.clone()],
            &[false; 2],
            Pieces::Banded,
        );
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].title.as_deref(), Some("山村茶园的春天"));
        assert!(
            out[0]
                .body
                .starts_with("茶园新事\n\n加工厂建成后，周立群又在白石镇"),
            "{}",
            out[0].body
        );
        // The same text opening like a lead is a story of its own; on a page not read in bands
        // a section is not looked for after itself.
        let mut lead = section.clone();
        lead.body = format!("近日，{}", section.body);
        let apart = |a: Article, kinds| rejoin(vec![a, feature.clone()], &[false; 2], kinds).len();
        assert_eq!(apart(lead, Pieces::Banded), 2);
        assert_eq!(apart(section.clone(), Pieces::All), 2);
        assert_eq!(apart(section, Pieces::Sections), 2);
    }

    #[test]
    fn on_a_page_read_from_its_grid_only_sections_go_back() {
        let (feature, section) = feature_and_section();
        let untitled = art(None, "周立群说，白石镇的茶叶卖到了省城。");
        let out = rejoin(
            vec![feature.clone(), untitled.clone()],
            &[false; 2],
            Pieces::Sections,
        );
        assert_eq!(out.len(), 2);
        let out = rejoin(vec![feature, section], &[false; 2], Pieces::Sections);
        assert_eq!(out.len(), 1);
        assert!(out[0].body.contains("茶园新事"), "{}", out[0].body);
    }

    #[test]
    fn a_story_that_lost_its_headline_stands_alone() {
        // It shares only words every story of the county has, or as many with two stories.
        let page = vec![
            art(
                Some("青溪县召开春耕会议"),
                "青溪县召开春耕生产会议，部署全年农业工作。",
            ),
            art(
                Some("青溪县新建两所学校"),
                "青溪县今年新建两所小学，秋季开学。",
            ),
            art(None, "青溪县图书馆推出夜间开放服务，市民可借阅到晚上九点。"),
        ];
        let out = rejoin(page.clone(), &[false; 3], Pieces::All);
        assert_eq!(out, page);
    }

    #[test]
    fn an_untitled_story_with_a_dateline_joins_no_story_with_its_own() {
        // Two stories about one official, each opening with 本报讯: the second's headline was
        // lost, but a story has one dateline.
        let page = vec![
            art(
                Some("周立群调研茶叶产业"),
                "周立群来到白石镇茶叶合作社，了解春茶采摘情况。",
            ),
            art(None, "昨日，周立群来到白石镇中心小学，检查校园安全工作。"),
        ];
        assert_eq!(rejoin(page.clone(), &[true, true], Pieces::All), page);
        // A headline set apart over text that starts mid-sentence takes the opening.
        assert_eq!(rejoin(page, &[false, true], Pieces::All).len(), 1);
    }

    #[test]
    fn a_piece_printed_before_its_story_goes_in_front_and_a_continuation_stays() {
        let page = vec![
            art(
                None,
                "李家村的红薯粉条远近闻名，李家村的合作社今年又添了两条生产线。",
            ),
            art(
                Some("红薯粉条成了致富路"),
                "走进李家村，合作社的晒场上挂满了红薯粉条。",
            ),
            Article {
                kind: ArticleKind::Continuation,
                ..art(None, "（上接第一版）全县今年新修农村公路一百二十公里。")
            },
        ];
        let out = rejoin(page, &[false; 3], Pieces::All);
        assert_eq!(out.len(), 2);
        assert!(out[0].body.starts_with("李家村的红薯粉条远近闻名"));
        assert!(out[0].body.ends_with("挂满了红薯粉条。"));
        assert_eq!(out[1].kind, ArticleKind::Continuation);
    }
}
