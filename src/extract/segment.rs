//! Segmentation: units → article drafts and headline groups, in reading order. Each unit is told
//! apart as furniture, headline line, byline or running text; articles open at a headline, a
//! byline that leads a body, a dateline (`本报讯`) or a jump marker (`（上接第1版）`), and close at a
//! trailing byline (`（记者 张三）`), a photo credit or `（下转第2版）`. Paragraphs cut mid-sentence
//! by a column end are joined here. Which article a headline group belongs to is decided
//! afterwards by `headline::attach`.

use std::sync::LazyLock;

use regex::Regex;

use super::byline::{self, Byline};
use super::headline::{han_text, overlap};
use super::layout::{ends_sentence, join_pieces, width, Unit};
use super::rule;
use super::{date, furniture};

/// One headline line with its markdown level, if the dump kept one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadLine {
    pub text: String,
    pub level: Option<u8>,
}

/// An article being assembled.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// Headline lines given to this article by `headline::attach`.
    pub head: Vec<HeadLine>,
    pub paras: Vec<String>,
    pub byline: Vec<String>,
    /// Its body opened with a dateline (`本报讯`).
    pub dateline: bool,
    /// A trailing byline, photo credit or `下转` marker ended it.
    pub closed: bool,
    /// It continues a story from another page (`（上接第1版）`).
    pub continuation: bool,
    /// Closed by a picture credit (`摄`).
    pub photo_credit: bool,
    /// A reporter (`记者`) is credited.
    pub reporter: bool,
    /// Closed by a credit on a line of its own, not in brackets (`记者 张三` under a caption).
    pub credit_line: bool,
    /// Markdown level of the headline printed right before it (for in-body subheads).
    pub title_level: Option<u8>,
    /// The last paragraph is complete (a subhead, or the next opens with an indent): the next
    /// paragraph is not its continuation.
    pub last_para_done: bool,
    /// The body's Han text, computed once when headlines are matched against it.
    pub han: std::cell::OnceCell<String>,
}

/// Segmentation output: headline groups and article drafts in page order.
#[derive(Debug, Clone)]
pub enum Item {
    Group(Vec<HeadLine>),
    Article(Draft),
}

/// A jump line opening a continuation (`（上接第1版）`).
pub(super) static JUMP_FROM: LazyLock<Regex> =
    LazyLock::new(|| rule(r"^[（(]\s*[上紧]接第?\s*[\d一二三四五六七八九十]+\s*版\s*[）)]\s*"));
/// A jump marker ending the part printed here (`（下转第2版）`).
pub(super) static JUMP_TO: LazyLock<Regex> =
    LazyLock::new(|| rule(r"\s*[（(]\s*下转第?\s*[\d一二三四五六七八九十]+\s*版\s*[）)]\s*"));

/// Least share of a deeper heading's words found in the open article for it to be a subhead of
/// that article rather than a new headline.
const SUBHEAD_MIN: f64 = 0.25;

enum Kind {
    Skip,
    Head(HeadLine),
    Byline(Byline),
    Body { text: String, heading: bool },
}

static LIST_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rule(r"^([一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]|[①-⑳])")
});

/// A numbered point set as a heading of its own (`一、抓好项目建设`): not cut mid-sentence.
fn is_list_heading(s: &str) -> bool {
    LIST_ITEM.is_match(s) && width(s) <= 25 && !s.contains(['，', '。', ','])
}

fn is_headline_text(s: &str) -> bool {
    let w = width(s);
    (1..=40).contains(&w)
        && !LIST_ITEM.is_match(s)
        && !s.contains(['。', '，', ',', '；', ';'])
        && !ends_sentence(s)
        && byline::split_dateline(s).is_none()
        && !JUMP_FROM.is_match(s)
}

fn classify(unit: &Unit, after_head: bool) -> Kind {
    let t = unit.text.as_str();
    if furniture::is_furniture(t) || furniture::is_label(t) || date::masthead_line(t).is_some() {
        return Kind::Skip;
    }
    if let Some(b) = byline::parse_line(t) {
        return Kind::Byline(b);
    }
    if after_head {
        if let Some(names) = byline::names_only(t) {
            return Kind::Byline(Byline {
                names,
                photo: false,
                marked: true,
                bracketed: false,
            });
        }
    }
    match unit.level {
        Some(level) if width(t) <= 60 && is_headline_text_loose(t) => Kind::Head(HeadLine {
            text: t.to_string(),
            level: Some(level),
        }),
        Some(_) => Kind::Body {
            text: t.to_string(),
            heading: true,
        },
        None if !unit.in_prose_block && is_headline_text(t) => Kind::Head(HeadLine {
            text: t.to_string(),
            level: None,
        }),
        None => Kind::Body {
            text: t.to_string(),
            heading: false,
        },
    }
}

/// Markdown headings are trusted further: commas are allowed, sentences and datelines are not.
fn is_headline_text_loose(s: &str) -> bool {
    !s.contains('。')
        && !s
            .trim_end_matches(['”', '"', '’'])
            .ends_with(['。', '；', ';'])
        && byline::split_dateline(s).is_none()
        && !JUMP_FROM.is_match(s)
}

/// Does the unit at `i` (furniture skipped) open an article's body: a byline or a dateline?
fn opens_body(units: &[Unit], i: usize) -> bool {
    units[i.min(units.len())..]
        .iter()
        .find(|u| !furniture::is_furniture(&u.text))
        .is_some_and(|u| {
            byline::is_byline_line(&u.text)
                || byline::names_only(&u.text).is_some()
                || byline::split_dateline(&u.text).is_some()
        })
}

struct Walk {
    items: Vec<Item>,
    group: Vec<HeadLine>,
    /// Index in `items` of the article text is being added to.
    open: Option<usize>,
}

impl Walk {
    fn current(&mut self) -> Option<&mut Draft> {
        match self.open.and_then(|i| self.items.get_mut(i)) {
            Some(Item::Article(d)) => Some(d),
            _ => None,
        }
    }

    /// Starts an article; a pending headline group is placed right before it.
    fn start(&mut self, mut draft: Draft) -> &mut Draft {
        if !self.group.is_empty() {
            draft.title_level = self.group.iter().filter_map(|h| h.level).min();
            self.items
                .push(Item::Group(std::mem::take(&mut self.group)));
        }
        self.items.push(Item::Article(draft));
        self.open = Some(self.items.len() - 1);
        match self.items.last_mut() {
            Some(Item::Article(d)) => d,
            _ => unreachable!("an article was just pushed"),
        }
    }

    fn head(&mut self, h: HeadLine) {
        if self.group.is_empty() {
            if let Some(cur) = self.current() {
                let deeper = matches!((h.level, cur.title_level), (Some(l), Some(t)) if l > t);
                if deeper && !cur.closed && !cur.paras.is_empty() {
                    let body = han_text(cur.paras.iter().map(String::as_str));
                    if overlap(&h.text, &body) >= SUBHEAD_MIN {
                        cur.paras.push(h.text);
                        cur.last_para_done = true;
                        return;
                    }
                }
            }
        }
        self.group.push(h);
        self.open = None;
    }

    fn byline(&mut self, b: Byline, next_opens: bool) {
        let reporter = !b.photo;
        if self.group.is_empty() {
            if let Some(cur) = self.current() {
                if cur.paras.is_empty() {
                    cur.byline.extend(b.names);
                    cur.reporter |= reporter;
                    return;
                }
                let opens = b.marked && !b.photo && !b.bracketed && next_opens;
                if !opens {
                    cur.byline.extend(b.names);
                    cur.closed = true;
                    cur.photo_credit |= b.photo;
                    cur.reporter |= reporter;
                    cur.credit_line |= !b.bracketed;
                    return;
                }
            } else if b.bracketed || b.photo {
                // A trailing byline after a headline group or at the page top: it still ends
                // the article before.
                if let Some(Item::Article(last)) = self
                    .items
                    .iter_mut()
                    .rev()
                    .find(|i| matches!(i, Item::Article(_)))
                {
                    last.byline.extend(b.names);
                    last.photo_credit |= b.photo;
                    return;
                }
            }
        }
        let d = self.start(Draft::default());
        d.byline.extend(b.names);
        d.reporter = reporter;
    }

    fn body(&mut self, text: String, heading: bool) {
        let mut text = text;
        let continuation = JUMP_FROM.is_match(&text);
        if continuation {
            text = JUMP_FROM.replace(&text, "").into_owned();
        }
        let jumps_on = JUMP_TO.is_match(&text);
        if jumps_on {
            text = JUMP_TO.replace_all(&text, "").trim().to_string();
        }
        let trailing = byline::split_trailing(&text);
        if let Some((rest, _)) = &trailing {
            text = rest.clone();
        }
        let mut credited = Vec::new();
        let dateline = match byline::split_dateline(&text) {
            Some((rest, names)) => {
                text = rest;
                credited = names;
                true
            }
            None => false,
        };
        let grouped = !self.group.is_empty();
        let append = !grouped
            && !continuation
            && match self.current() {
                None => false,
                Some(cur) if dateline && heading => !cur.dateline && !cur.closed, // a surfaced lead
                Some(cur) if dateline => cur.paras.is_empty() && !cur.closed,
                Some(cur) => !cur.closed,
            };
        let d = if append {
            match self.current() {
                Some(d) => d,
                None => return,
            }
        } else {
            self.start(Draft {
                continuation,
                ..Draft::default()
            })
        };
        d.dateline |= dateline;
        d.byline.extend(credited);
        if !text.is_empty() {
            match d.paras.last_mut() {
                Some(last)
                    if !d.last_para_done
                        && !ends_sentence(last)
                        && !last.ends_with('：')
                        && !is_list_heading(last) =>
                {
                    join_pieces(last, &text)
                }
                _ => d.paras.push(text),
            }
            d.last_para_done = false;
        }
        if let Some((_, b)) = trailing {
            d.byline.extend(b.names);
            d.photo_credit |= b.photo;
            d.reporter |= !b.photo;
            d.closed = true;
        }
        d.closed |= jumps_on;
    }
}

/// Splits units into headline groups and article drafts, in page order.
pub fn segment(units: &[Unit]) -> Vec<Item> {
    let mut walk = Walk {
        items: Vec::new(),
        group: Vec::new(),
        open: None,
    };
    for (i, unit) in units.iter().enumerate() {
        let after_head = !walk.group.is_empty();
        match classify(unit, after_head) {
            Kind::Skip => {}
            Kind::Head(h) => {
                // A plain line after markdown headings is their subtitle only when a byline or
                // dateline follows; otherwise it is the body's first line cut short.
                let last_marked = walk.group.last().is_some_and(|g| g.level.is_some());
                let subtitle_in_doubt = last_marked && !opens_body(units, i + 1);
                if h.level.is_none() && (subtitle_in_doubt || cut_short(&h.text, units, i + 1)) {
                    walk.body(h.text, false);
                } else {
                    walk.head(h);
                }
            }
            Kind::Byline(b) => walk.byline(b, opens_body_or_text(units, i + 1)),
            // A short unpunctuated line ending a block of running text, with a byline or
            // dateline next: a headline over the next article, not a sentence cut short.
            Kind::Body { text, heading }
                if !heading && is_headline_text(&text) && opens_body(units, i + 1) =>
            {
                walk.head(HeadLine { text, level: None })
            }
            Kind::Body { text, heading } => {
                // An indented paragraph opens afresh: the sentence before it was not cut.
                if unit.indented {
                    if let Some(cur) = walk.current() {
                        cur.last_para_done = true;
                    }
                }
                walk.body(text, heading)
            }
        }
    }
    if !walk.group.is_empty() {
        walk.items
            .push(Item::Group(std::mem::take(&mut walk.group)));
    }
    walk.items
}

/// A short plain line that is really running text cut by a column end: the next text opens
/// with punctuation no sentence starts with, or the line ends in a word that cannot end a
/// headline (`的`, `和`, `对`, …) and running text follows.
fn cut_short(line: &str, units: &[Unit], i: usize) -> bool {
    let Some(next) = units[i.min(units.len())..]
        .iter()
        .find(|u| !furniture::is_furniture(&u.text))
    else {
        return false;
    };
    if next.text.starts_with([
        '，', '、', '。', '：', '；', '）', '”', '」', '』', ',', ':', ';',
    ]) {
        return true;
    }
    let dangling = line.ends_with([
        '的', '和', '与', '对', '把', '将', '从', '向', '被', '及', '以', '而', '或', '并', '但',
        '该',
    ]);
    dangling
        && byline::split_dateline(&next.text).is_none()
        && !byline::is_byline_line(&next.text)
        && (next.in_prose_block || !is_headline_text(&next.text))
}

/// Is the next unit (furniture skipped) running text or a dateline, so that a byline before it
/// leads an article?
fn opens_body_or_text(units: &[Unit], i: usize) -> bool {
    units[i.min(units.len())..]
        .iter()
        .find(|u| !furniture::is_furniture(&u.text))
        .is_some_and(|u| {
            byline::split_dateline(&u.text).is_some()
                || (!byline::is_byline_line(&u.text)
                    && (u.in_prose_block || !is_headline_text(&u.text)))
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::extract::layout::units;

    fn drafts(page: &str) -> Vec<Item> {
        segment(&units(page))
    }

    fn articles(items: &[Item]) -> Vec<&Draft> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Article(d) => Some(d),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_numbered_point_is_not_joined_to_its_paragraph() {
        let items = drafts(
            "# 标题\n\n本报讯 会议召开。\n\n一、抓好项目建设\n\n会议要求，加快推进项目落地。\n",
        );
        let a = articles(&items);
        assert_eq!(
            a[0].paras,
            [
                "会议召开。",
                "一、抓好项目建设",
                "会议要求，加快推进项目落地。"
            ]
        );
    }

    #[test]
    fn a_short_line_cut_by_the_column_end_stays_in_the_body() {
        let page = "# 标题\n\n本报讯 小区完成改造。\n\n社区党委书记徐振兴的\n\n表态得到居民支持，项目顺利推进。\n\n社区主任表示\n\n：“我们会继续努力。”\n";
        let items = drafts(page);
        let a = articles(&items);
        assert_eq!(a.len(), 1);
        assert_eq!(
            a[0].paras,
            [
                "小区完成改造。",
                "社区党委书记徐振兴的表态得到居民支持，项目顺利推进。",
                "社区主任表示：“我们会继续努力。”"
            ]
        );
    }

    #[test]
    fn a_title_ending_a_block_of_running_text_heads_the_next_article() {
        let page = "第一篇报道正文，讲述了事情经过。\n（记者 张三）\n新农村建设见成效\n\n本报讯 近日，某镇完成改造。\n";
        let items = drafts(page);
        let a = articles(&items);
        assert_eq!(a.len(), 2);
        assert!(matches!(&items[1], Item::Group(g) if g[0].text == "新农村建设见成效"));
        assert_eq!(a[1].paras, ["近日，某镇完成改造。"]);
    }

    #[test]
    fn a_paragraph_cut_mid_sentence_is_joined() {
        let items = drafts("# 标题一\n\n在听取汇报后，他指出，防\n\n欠薪工作事关稳定。\n");
        let a = articles(&items);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].paras, ["在听取汇报后，他指出，防欠薪工作事关稳定。"]);
    }

    #[test]
    fn datelines_trailing_bylines_and_jumps_split_articles() {
        let page = "**本报讯** 昨日上午，我市召开会议。  \n（记者 许多）\n\n**本报讯** 东昌社区完成换届。\n\n（记者 汤圆）\n\n（上接第1版）大同镇卫生院创建成功。\n\n（记者 王五）\n";
        let items = drafts(page);
        let a = articles(&items);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].paras, ["昨日上午，我市召开会议。"]);
        assert_eq!(a[0].byline, ["许多"]);
        assert_eq!(a[1].byline, ["汤圆"]);
        assert!(a[2].continuation);
        assert_eq!(a[2].paras, ["大同镇卫生院创建成功。"]);
    }

    #[test]
    fn furniture_is_dropped_and_the_body_rejoined_around_it() {
        let page = "## 标题\n\n本报讯 钟埭社区做强党\n\n讲文明 树新风 公/益/广/告\n\n编辑/戴 琰 电话/85018195\n\n建核心，划小治理单元。\n";
        let a_items = drafts(page);
        let a = articles(&a_items);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].paras, ["钟埭社区做强党建核心，划小治理单元。"]);
    }

    #[test]
    fn a_deeper_heading_sharing_the_body_words_is_a_subhead() {
        let page = "### 民生共享的实践\n\n■记者 李雨\n\n本报讯 五年来，深化民生领域改革，让民生幸福看得见。\n\n#### 深化民生改革 让民生幸福\n\n新闻回放：便民服务中心完成改造。\n\n### 另一篇报道\n\n正文。\n";
        let items = drafts(page);
        let a = articles(&items);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].paras.len(), 3);
        assert_eq!(a[0].byline, ["李雨"]);
    }

    #[test]
    fn a_names_line_under_a_title_is_its_byline() {
        let items =
            drafts("全力助推企业安全生产\n\n王燕\n\n五常街道开展活动，助力企业安全发展。\n");
        let a = articles(&items);
        assert_eq!(a[0].byline, ["王燕"]);
        assert!(matches!(&items[0], Item::Group(g) if g[0].text == "全力助推企业安全生产"));
    }

    #[test]
    fn a_photo_credit_closes_a_photo_item() {
        let items = drafts("### 桥韵\n\n初冬时节，古桥在细波辉映下尽显水乡风情。\n\n■摄影 赵云\n\n### 下一篇\n\n■记者 李四\n\n本报讯 正文。\n");
        let a = articles(&items);
        assert_eq!(a.len(), 2);
        assert!(a[0].photo_credit && a[0].closed);
        assert_eq!(a[0].byline, ["赵云"]);
        assert_eq!(a[1].byline, ["李四"]);
    }

    #[test]
    fn an_indented_paragraph_is_never_joined_to_the_unfinished_one_before() {
        let items = drafts(
            "    本报讯 县里召开会议，部署春耕工作，要求各乡镇抓紧\n落实。\n    会议强调，要确保粮食生产\n\n    各部门负责人参加会议。\n",
        );
        let a = articles(&items);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].paras.len(), 3, "{:?}", a[0].paras);
    }
}
