//! What the text before a block tells about it: whether it ended whole (a headline may follow),
//! whether the block is a poem under its author's line, and whether it holds the names of a
//! byline over it.

use super::{byline, ends_sentence, has_prose_marks, has_sentence_marks, width, Line, Unit};

/// Least lines of a poem's block.
const VERSE_LINES: usize = 3;
/// Widest line of a poem.
const VERSE_WIDTH: usize = 20;

/// A poem under its author's line (`□ 郑 怡`): a block of short lines without sentence
/// punctuation, which elsewhere would read as a headline set on several lines.
pub(super) fn is_verse(lines: &[Line], before: Option<&Unit>) -> bool {
    // A poet's line is a bare name (`□ 郑 怡`); a reporter's byline (`□本报记者 侯冲`,
    // `（记者 张三）`) stands over or under a story, and short lines after it are a headline.
    let author = before.is_some_and(|u| {
        byline::names_only(u.text.trim_start_matches(byline::MARKS).trim()).is_some()
    });
    author
        && lines.len() >= VERSE_LINES
        && lines.iter().all(|l| {
            l.level.is_none()
                && width(&l.text) <= VERSE_WIDTH
                && !has_sentence_marks(&l.text)
                && !l.text.contains(['：', ':'])
        })
}

/// Is `block` one line of names only under a byline unit that ends on a role (`全媒体记者` /
/// blank line / `王旭东`, as markdown converters write a byline set on two lines)?
pub(super) fn names_under_role(unit: &Unit, block: &[Line]) -> bool {
    matches!(block, [line] if byline::names_only(&line.text).is_some())
        && unit.text.len() <= super::BYLINE_BYTES
        && !unit.text.contains('\n')
        && byline::byline_awaits_names(&unit.text)
}

/// Each line of a poem is running text of its own, never joined to the next.
pub(super) fn verse(lines: &[Line], block: usize, out: &mut Vec<Unit>) {
    out.extend(lines.iter().map(|l| Unit {
        text: l.text.clone(),
        level: None,
        in_prose_block: true,
        block,
        indented: true,
        bold: l.bold,
        measure: 0,
        opening: super::Opening::Unknown,
    }));
}

/// Does the text so far end whole? A headline follows a finished story (its last sentence or
/// byline), the masthead or another headline; a block after running text cut mid-sentence
/// starts with the rest of that sentence. (A line set on its own without punctuation, as a
/// poem's, is whole too.)
pub(super) fn after_whole(out: &[Unit]) -> bool {
    out.last().is_none_or(|u| {
        !u.in_prose_block
            || ends_sentence(&u.text)
            || byline::is_byline_line(&u.text)
            || (u.indented && !has_prose_marks(&u.text))
    })
}

/// Does the text so far end on a closed unit: a sentence's end, a byline, a bracket (a jump line,
/// a credit) or a heading? Stricter than [`after_whole`]: a short line standing alone may be a
/// sentence a column cut.
pub(super) fn closed_before(out: &[Unit]) -> bool {
    out.last().is_none_or(|u| {
        u.level.is_some()
            || ends_sentence(&u.text)
            || u.text.ends_with([')', '）'])
            || byline::is_byline_line(&u.text)
    })
}
