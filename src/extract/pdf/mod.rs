//! PDF input: every page of an e-paper PDF becomes a [`Page`], read from the characters' positions
//! and type sizes instead of from a converter's text. `read` is the only part that knows the PDF
//! library (it yields each page's glyphs and picture areas); `cut` orders the glyphs into lines
//! and columns; `roles` tags the lines (headline by type size, kicker and subtitle by weight next
//! to it, furniture, bylines, where articles open); the text pipeline's assembly, bylines,
//! dates and regions then finish the page exactly as for a text dump.

mod cut;
mod read;
mod roles;

use crate::model::Page;

use super::{ExtractError, Options};

/// Does this look like a PDF file (`%PDF-` within its first kilobyte, as readers accept)?
pub fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Largest PDF file read, in bytes.
pub const MAX_BYTES: usize = 200 << 20;
/// Most pages read from one file: a longer file is refused rather than read for minutes.
pub const MAX_PAGES: usize = 64;
/// Most glyphs read on one page (a newspaper page holds some 10,000).
pub const MAX_GLYPHS: usize = 400_000;

/// Share of the page's height, from the top, where a masthead can stand.
const MASTHEAD_SHARE: f32 = 0.12;

/// An axis-aligned box in points, y growing down the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub fn union(&self, o: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }

    pub fn mid_y(&self) -> f32 {
        (self.y0 + self.y1) / 2.0
    }
}

/// One character as the page sets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub ch: char,
    pub x0: f32,
    pub x1: f32,
    pub y0: f32,
    pub y1: f32,
    /// Type size in points.
    pub size: f32,
    /// Set in a bold, heavy or black face.
    pub bold: bool,
}

impl Glyph {
    fn mid(&self) -> f32 {
        (self.y0 + self.y1) / 2.0
    }

    fn rect(&self) -> Rect {
        Rect {
            x0: self.x0,
            y0: self.y0,
            x1: self.x1,
            y1: self.y1,
        }
    }
}

/// One page of the PDF as geometry.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub width: f32,
    pub height: f32,
    pub glyphs: Vec<Glyph>,
    /// Picture areas: images, and large filled boxes standing in for them.
    pub pictures: Vec<Rect>,
}

/// Extracts every page of a PDF. A one-page file keeps `source` as its name; the pages of a
/// longer one are `source#p1`, `source#p2`, ….
pub fn pages(bytes: &[u8], source: &str, opts: &Options) -> Result<Vec<Page>, ExtractError> {
    let fail = |reason: String| ExtractError::Pdf {
        file: source.to_string(),
        reason,
    };
    if bytes.len() > MAX_BYTES {
        return Err(fail(format!(
            "{} MB is more than the {} MB paperboy reads from one PDF",
            bytes.len() >> 20,
            MAX_BYTES >> 20
        )));
    }
    let sheets = read::sheets(bytes).map_err(fail)?;
    let n = sheets.len();
    let mut out = Vec::with_capacity(n);
    for (k, sheet) in sheets.into_iter().enumerate() {
        let name = if n == 1 {
            source.to_string()
        } else {
            format!("{source}#p{}", k + 1)
        };
        let sheet = sheet.map_err(|reason| ExtractError::Pdf {
            file: name.clone(),
            reason,
        })?;
        out.push(page(&sheet, &name, opts)?);
    }
    Ok(out)
}

/// Extracts one page from its geometry.
pub fn page(sheet: &Sheet, source: &str, opts: &Options) -> Result<Page, ExtractError> {
    let readable = sheet
        .glyphs
        .iter()
        .filter(|g| !g.ch.is_whitespace() && !unreadable(g.ch))
        .count();
    if readable == 0 {
        let reason = if sheet.pictures.is_empty() {
            "no text on the page".to_string()
        } else {
            "a scanned page: no text layer (pictures only)".to_string()
        };
        return Err(ExtractError::Pdf {
            file: source.to_string(),
            reason,
        });
    }
    let mut warnings = Vec::new();
    let total = sheet
        .glyphs
        .iter()
        .filter(|g| !g.ch.is_whitespace())
        .count();
    if (total - readable) * 5 > total {
        warnings.push(format!(
            "no text layer we can read for {} of {} characters (fonts without a usable ToUnicode map)",
            total - readable,
            total
        ));
    }
    let glyphs: Vec<Glyph> = sheet
        .glyphs
        .iter()
        .filter(|g| !unreadable(g.ch))
        .cloned()
        .collect();
    let clean = Sheet {
        glyphs,
        ..sheet.clone()
    };
    let body = cut::body_size(&clean.glyphs);
    let lines = cut::read(&clean);
    // The masthead: what stands in the top fifth of the page, read before any article.
    let head: Vec<String> = lines
        .iter()
        .filter(|l| !l.picture && l.rect.y0 < sheet.height * 0.2)
        .map(|l| l.text.clone())
        .take(40)
        .collect();
    let text: String = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let (page_lines, tags) = roles::tag(&lines, body, sheet.height * MASTHEAD_SHARE);
    let mut page = super::from_tagged(&page_lines, &tags, &text, &head, source, opts);
    page.encoding = "pdf".to_string();
    page.warnings = warnings;
    Ok(page)
}

/// A glyph with no Unicode meaning behind it: the font gave no usable ToUnicode map.
fn unreadable(c: char) -> bool {
    c == '\u{fffd}' || ('\u{e000}'..='\u{f8ff}').contains(&c) || (c.is_control() && c != '\n')
}

/// A PDF's lines in reading order with their type size, weight and tag, one per row: what the
/// layout analysis made of each page (for developers: `cargo run --example pdf_lines`).
pub fn explain(bytes: &[u8]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (k, sheet) in read::sheets(bytes)?.into_iter().enumerate() {
        let sheet = sheet?;
        let body = cut::body_size(&sheet.glyphs);
        let lines = cut::read(&sheet);
        out.push(format!("== page {} (body {body} pt)", k + 1));
        for l in &lines {
            out.push(format!(
                "  leaf {:>3} y {:>6.1}-{:>6.1} x {:>6.1}-{:>6.1} {:>5.1}pt {}",
                l.leaf,
                l.rect.y0,
                l.rect.y1,
                l.rect.x0,
                l.rect.x1,
                l.size,
                if l.picture { "[picture]" } else { &l.text }
            ));
        }
        let (pl, tags) = roles::tag(&lines, body, sheet.height * MASTHEAD_SHARE);
        for (l, t) in pl.iter().zip(&tags) {
            out.push(format!(
                "{} {:>2} {}{}{} {}",
                t.code(),
                l.level.map_or(0, |v| v),
                if l.bold { 'b' } else { '.' },
                if l.indented { 'i' } else { '.' },
                if l.blank_before { '_' } else { '.' },
                l.shown
            ));
        }
    }
    Ok(out)
}
