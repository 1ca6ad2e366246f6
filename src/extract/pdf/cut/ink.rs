//! Punctuation set in half its em box: where its ink stands, and headline marks no text layer
//! maps.

use super::Run;

/// A run's box narrowed to the ink of full-width punctuation at its ends: a closing quote or a
/// comma is set in the left half of its em box, an opening quote in the right half. The empty
/// half would otherwise close the gutter beside a headline that ends in `”`.
pub(super) fn trim_to_ink(r: &mut Run) {
    let half = r.size * 0.5;
    if r.text.starts_with(OPENING) {
        r.rect.x0 = (r.rect.x0 + half).min(r.rect.x1);
    }
    if r.text.ends_with(CLOSING) {
        r.rect.x1 = (r.rect.x1 - half).max(r.rect.x0);
    }
}

/// Full-width punctuation set in the right half of its em box.
pub(super) const OPENING: &[char] = &['“', '‘', '（', '《', '「', '『', '【', '〔'];
/// Full-width punctuation set in the left half of its em box.
pub(super) const CLOSING: &[char] = &[
    '”', '’', '）', '》', '」', '』', '】', '〕', '，', '。', '、', '：', '；',
];

/// Glyphs of headline type no text layer maps (U+FFFD). Set top to bottom they are quote
/// marks: a font sets `“”` in vertical text with vertical alternates, and some PDFs map those
/// glyphs to no character; they come in pairs, opening then closing. Anywhere else they are
/// left out, as unreadable characters are in body type.
pub(super) fn unmapped_in_headlines(runs: Vec<Run>) -> Vec<Run> {
    runs.into_iter()
        .filter_map(|mut r| {
            if !r.text.contains('\u{fffd}') {
                return Some(r);
            }
            if r.vertical {
                // As on a line, a mark at either end inks half its box: the gap over or under
                // the headline is measured from its ink.
                let half = r.size * 0.5;
                if r.text.starts_with('\u{fffd}') {
                    r.rect.y0 = (r.rect.y0 + half).min(r.rect.y1);
                }
                if r.text.ends_with('\u{fffd}') {
                    r.rect.y1 = (r.rect.y1 - half).max(r.rect.y0);
                }
                let mut open = true;
                r.text = r
                    .text
                    .chars()
                    .map(|c| match c {
                        '\u{fffd}' => {
                            open = !open;
                            if open {
                                '”'
                            } else {
                                '“'
                            }
                        }
                        c => c,
                    })
                    .collect();
                return Some(r);
            }
            let dropped = r.text.chars().filter(|&c| c == '\u{fffd}').count();
            r.text = r.text.replace('\u{fffd}', "");
            r.chars = r.chars.saturating_sub(dropped);
            (!r.text.trim().is_empty()).then_some(r)
        })
        .collect()
}
