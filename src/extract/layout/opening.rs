//! Where a block of a hard-wrapped page starts in its paragraph, told by its first line's width
//! against the column's measure: converters drop the indent that sets a paragraph's first line
//! in, so that line prints two characters short, while a column's next line runs full.

use super::{ends_sentence, is_cjk_punct, is_han, width, Line};

/// Where a block of a hard-wrapped page starts in its paragraph. A paragraph's first line is set
/// in by an indent, which converters drop, so it prints two characters short of the measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Opening {
    /// Not told (no measure, a heading, a line alone).
    #[default]
    Unknown,
    /// The rest of a paragraph a column cut: a first line as wide as the lines inside the
    /// block, or one short line ending a sentence.
    GoesOn,
    /// A paragraph's indented first line.
    Paragraph,
    /// A line alone in its block as wide as the page's column lines (the full measure, or an
    /// indented first line's) that ends no sentence: running text a column end cut, though it
    /// stands apart like display type.
    ColumnLine,
}

/// How the first line of a block of a page hard-wrapped at `wrap` (0: not wrapped) stands.
pub(super) fn of_block(lines: &[Line], wrap: usize) -> Opening {
    if wrap == 0 {
        return Opening::Unknown;
    }
    if paragraph_tail(lines, wrap) {
        return Opening::GoesOn;
    }
    // In a narrow column a headline's lines run as wide as the text's (`全旗宣传思想文化工作`
    // over a column of 11): only a wider measure tells them apart.
    if let [line] = lines {
        let column = wrap.saturating_sub(INDENT_CHARS + 1)..=wrap;
        if wrap >= COLUMN_LINE_WRAP && column.contains(&line.printed) && !ends_sentence(&line.text)
        {
            return Opening::ColumnLine;
        }
    }
    match first_line_short(lines) {
        Some(0..=FULL_SLACK) => Opening::GoesOn,
        Some(INDENT_FROM..=INDENT_TO) => Opening::Paragraph,
        _ => Opening::Unknown,
    }
}

/// Half-em widths: the least a hard-wrapped block's first line may run short of its widest
/// line and still be a column's next line, not an indented paragraph's first (two ems short).
const FULL_SLACK: usize = 2;

/// Half-em widths an indented first line falls short of the measure by: two ems, give or take
/// half an em for the Latin characters of a line (over the development pages, 97% of the
/// blocks opening so short opened a paragraph).
const INDENT_FROM: usize = 4;
const INDENT_TO: usize = 6;

/// By how many half ems a block of hard-wrapped lines' first line falls short of the lines
/// inside it (its last line may stop short, so the measure is read from the middle ones);
/// `None` for a block of fewer than three lines or of narrow ones.
fn first_line_short(lines: &[Line]) -> Option<usize> {
    let [first, middle @ .., _] = lines else {
        return None;
    };
    let widest = middle.iter().map(|l| half_ems(&l.text)).max().unwrap_or(0);
    (widest >= 16).then(|| widest.saturating_sub(half_ems(&first.text)))
}

/// Characters an indented first line sets in.
const INDENT_CHARS: usize = 2;

/// Narrowest wrap at which a line alone as wide as the column is taken for running text.
const COLUMN_LINE_WRAP: usize = 16;

/// Widest line taken for a paragraph's last few characters standing alone in a block.
const TAIL: usize = 9;

/// Is the block one short line ending a sentence on a page wrapped much wider: a paragraph's
/// last line set apart from the lines over it (a converter reading across columns puts the
/// next column's text in between)? Over the development pages' markdown and OCR dumps such
/// lines were all paragraphs' ends.
fn paragraph_tail(lines: &[Line], wrap: usize) -> bool {
    let [line] = lines else {
        return false;
    };
    let w = width(&line.text);
    (3..=TAIL).contains(&w) && wrap >= TAIL + 3 && ends_sentence(&line.text)
}

/// Printed width in half ems: CJK characters and punctuation take a whole em, the rest half.
fn half_ems(s: &str) -> usize {
    s.chars()
        .map(|c| if is_han(c) || is_cjk_punct(c) { 2 } else { 1 })
        .sum()
}
