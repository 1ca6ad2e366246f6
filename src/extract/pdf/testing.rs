//! Pages set by hand for the layout tests: glyphs placed where a typesetter would put them.

use super::{Glyph, Rect, Sheet};

/// Sets `text` at (x, y) in `size` point type, one glyph per character.
pub fn set(glyphs: &mut Vec<Glyph>, text: &str, x: f32, y: f32, size: f32, bold: bool) {
    for (k, ch) in text.chars().enumerate() {
        let x0 = x + k as f32 * size;
        glyphs.push(Glyph {
            ch,
            x0,
            x1: x0 + size,
            y0: y,
            y1: y + size,
            size,
            bold,
        });
    }
}

/// Sets a column of text lines of `per` characters under (x, y).
pub fn column(glyphs: &mut Vec<Glyph>, text: &str, x: f32, y: f32, per: usize) -> f32 {
    let chars: Vec<char> = text.chars().collect();
    let mut y = y;
    for chunk in chars.chunks(per) {
        let s: String = chunk.iter().collect();
        set(glyphs, &s, x, y, 10.0, false);
        y += 14.5;
    }
    y
}

pub fn sheet(glyphs: Vec<Glyph>, pictures: Vec<Rect>) -> Sheet {
    Sheet {
        width: 600.0,
        height: 800.0,
        glyphs,
        pictures,
        images: 0,
    }
}

/// Sets `text` top to bottom from (x, y), one character under the other (竖排).
pub fn set_vertical(glyphs: &mut Vec<Glyph>, text: &str, x: f32, y: f32, size: f32) {
    for (k, ch) in text.chars().enumerate() {
        let y0 = y + k as f32 * size;
        glyphs.push(Glyph {
            ch,
            x0: x,
            x1: x + size,
            y0,
            y1: y0 + size,
            size,
            bold: true,
        });
    }
}
