//! Line labels for fitting: given a page's lines and the articles known to be printed on it
//! (their headline, byline and body text), tells each line's tag. A line belongs to the article
//! whose text holds it (compared on Han characters, letters and digits only, so punctuation
//! and spacing damage do not matter); a line no article holds closely enough (masthead,
//! furniture, labels) is `Outside`. OCR-damaged lines are matched by their share of character
//! pairs. Used by `paperboy fit`; extraction itself never needs it.

use std::collections::HashSet;

use super::byline;
use super::layout::is_han;
use super::lines::PageLine;
use super::tagger::Tag;

/// What is known about one printed article.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Kicker, title and subtitle (and a column label printed with them).
    pub head: Vec<String>,
    /// The printed byline and credits.
    pub byline: Vec<String>,
    /// Dateline, body paragraphs, subheads and editor's note, in order.
    pub body: Vec<String>,
}

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| is_han(*c) || c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn pairs(s: &str) -> HashSet<(char, char)> {
    let c: Vec<char> = s.chars().collect();
    c.windows(2).map(|w| (w[0], w[1])).collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Head,
    Byline,
    Text,
}

struct Folded {
    head: String,
    byline: String,
    body: String,
    all_pairs: HashSet<(char, char)>,
    head_pairs: HashSet<(char, char)>,
}

/// Tags every line; `None` where a line's article cannot be told (it is then left to the
/// neighbouring lines: it takes the previous line's article).
/// Lines equal to one of `furniture` (masthead parts, page labels, prompts printed on the page)
/// are `Outside` whatever else holds them.
pub fn align(lines: &[PageLine], known: &[Known], furniture: &[String]) -> Vec<Tag> {
    align_ids(lines, known, furniture).0
}

/// Tags every line and tells the article (index into `known`) each line belongs to.
pub fn align_ids(
    lines: &[PageLine],
    known: &[Known],
    furniture: &[String],
) -> (Vec<Tag>, Vec<Option<usize>>) {
    let furniture: Vec<String> = furniture
        .iter()
        .map(|f| fold(f))
        .filter(|f| !f.is_empty())
        .collect();
    let folded: Vec<Folded> = known
        .iter()
        .map(|k| {
            let head = fold(&k.head.join(""));
            let byline = fold(&k.byline.join(""));
            let body = fold(&k.body.join(""));
            let all_pairs = pairs(&format!("{head}{byline}{body}"));
            Folded {
                head_pairs: pairs(&head),
                head,
                byline,
                body,
                all_pairs,
            }
        })
        .collect();
    let mut prev: Option<usize> = None;
    let mut prev_head = false;
    let mut out = Vec::with_capacity(lines.len());
    let mut ids = Vec::with_capacity(lines.len());
    let folds: Vec<String> = lines.iter().map(|l| fold(&l.text)).collect();
    for (i, l) in lines.iter().enumerate() {
        let f = folds[i].clone();
        let next = folds.get(i + 1).map(String::as_str).unwrap_or("");
        let ctx = Context {
            prev,
            prev_head,
            next,
        };
        let found = if !f.is_empty() && furniture.iter().any(|x| x.contains(&f)) {
            None
        } else if f.is_empty() {
            prev.map(|a| (a, Role::Text))
        } else {
            credit(&l.shown, &folded, prev)
                .or_else(|| exact(&l.text, &f, &folded, &ctx))
                .or_else(|| fuzzy(&f, &folded))
        };
        ids.push(found.map(|(a, _)| a));
        prev_head = matches!(found, Some((_, Role::Head)));
        let tag = match found {
            None => Tag::Outside,
            Some((a, role)) => {
                let opens = prev != Some(a);
                prev = Some(a);
                match (role, opens) {
                    (Role::Head, true) => Tag::HeadOpen,
                    (Role::Head, false) => Tag::Head,
                    (Role::Byline, true) => Tag::BylineOpen,
                    (Role::Byline, false) => Tag::Byline,
                    (Role::Text, true) => Tag::TextOpen,
                    (Role::Text, false) => Tag::Text,
                }
            }
        };
        out.push(tag);
    }
    (out, ids)
}

/// A byline line (by its form) whose names are all in one article's byline.
fn credit(text: &str, arts: &[Folded], prev: Option<usize>) -> Option<(usize, Role)> {
    let names = byline::parse_line(text)
        .map(|b| b.names)
        .or_else(|| byline::names_only(text))?;
    if names.is_empty() {
        return None;
    }
    let holds = |a: &Folded| names.iter().all(|n| a.byline.contains(&fold(n)));
    let hits: Vec<usize> = (0..arts.len()).filter(|&i| holds(&arts[i])).collect();
    let pick = hits.iter().find(|&&i| Some(i) == prev).or(hits.first())?;
    Some((*pick, Role::Byline))
}

/// What the neighbouring lines say.
struct Context<'a> {
    prev: Option<usize>,
    prev_head: bool,
    next: &'a str,
}

fn exact(text: &str, f: &str, arts: &[Folded], ctx: &Context<'_>) -> Option<(usize, Role)> {
    let prev = ctx.prev;
    let sentence = text.contains(['。', '，', '；', '！', '？', ',']);
    let role_in = |a: &Folded| {
        let in_head = a.head.contains(f);
        if in_head && a.body.contains(f) {
            // A lead that repeats its headline's words: the line belongs to the headline when
            // the headline goes on around it, to the text when it reads as a sentence.
            let head_goes_on = ctx.prev_head || (!ctx.next.is_empty() && a.head.contains(ctx.next));
            if head_goes_on || !sentence {
                Some(Role::Head)
            } else {
                Some(Role::Text)
            }
        } else if in_head {
            Some(Role::Head)
        } else if f.chars().count() >= 2 && a.byline.contains(f) {
            Some(Role::Byline)
        } else if a.body.contains(f) {
            Some(Role::Text)
        } else {
            // A line holding the end of the body and the byline run on (`…。（记者 张三）`).
            let joined = format!("{}{}", a.body, a.byline);
            let led = format!("{}{}", a.byline, a.body);
            (joined.contains(f) || led.contains(f)).then_some(Role::Text)
        }
    };
    let hits: Vec<(usize, Role)> = arts
        .iter()
        .enumerate()
        .filter_map(|(i, a)| role_in(a).map(|r| (i, r)))
        .collect();
    match hits.len() {
        0 => None,
        1 => Some(hits[0]),
        _ => hits
            .iter()
            .find(|(i, _)| Some(*i) == prev)
            .or(hits.first())
            .copied(),
    }
}

/// An OCR-damaged line: the article holding most of its character pairs, if that is most.
fn fuzzy(f: &str, arts: &[Folded]) -> Option<(usize, Role)> {
    let p = pairs(f);
    if p.len() < 3 {
        return None;
    }
    let share = |set: &HashSet<(char, char)>| p.iter().filter(|x| set.contains(x)).count();
    let (best, hits) = arts
        .iter()
        .enumerate()
        .map(|(i, a)| (i, share(&a.all_pairs)))
        .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))?;
    if hits * 10 < p.len() * 6 {
        return None;
    }
    let a = &arts[best];
    let role = if share(&a.head_pairs) * 10 >= p.len() * 8 && f.chars().count() <= 40 {
        Role::Head
    } else {
        Role::Text
    };
    Some((best, role))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::lines::lines;
    use super::*;

    #[test]
    fn lines_get_the_role_and_article_of_the_text_holding_them() {
        let page = "某某日报\n桥梁通车\n本报讯 今天上午，大桥正式\n通车。\n（记者 王五）\n新校开学\n秋季学期新校开学了。\n";
        let known = vec![
            Known {
                head: vec!["桥梁通车".into()],
                byline: vec!["（记者 王五）".into()],
                body: vec!["本报讯".into(), "今天上午，大桥正式通车。".into()],
            },
            Known {
                head: vec!["新校开学".into()],
                byline: vec![],
                body: vec!["秋季学期新校开学了。".into()],
            },
        ];
        let tags = align(&lines(page), &known, &["某某日报".to_string()]);
        assert_eq!(
            tags,
            [
                Tag::Outside,
                Tag::HeadOpen,
                Tag::Text,
                Tag::Text,
                Tag::Byline,
                Tag::HeadOpen,
                Tag::Text
            ]
        );
    }

    #[test]
    fn an_ocr_damaged_line_goes_to_the_article_sharing_most_of_it() {
        let known = vec![Known {
            head: vec!["标题".into()],
            byline: vec![],
            body: vec!["全市农业生产形势总体平稳向好发展。".into()],
        }];
        let tags = align(&lines("全市农业生产形势总休平稳向好发展\n"), &known, &[]);
        assert_eq!(tags, [Tag::TextOpen]);
    }
}
