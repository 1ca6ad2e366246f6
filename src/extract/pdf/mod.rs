//! PDF input: every page of an e-paper PDF becomes a [`Page`], read from the characters' positions
//! and type sizes instead of from a converter's text. `read` is the only part that knows the PDF
//! library (it yields each page's glyphs and picture areas); `cut` orders the glyphs into lines
//! and columns (`vertical` joins text set top to bottom, `columns` regroups columns into stories); `roles` tags the lines (headline by type size, kicker and subtitle by weight next
//! to it, furniture, bylines, where articles open); the text pipeline's assembly, bylines,
//! dates and regions then finish the page exactly as for a text dump.

mod columns;
mod cut;
mod grid;
mod ocr;
mod read;
mod roles;
#[cfg(test)]
mod testing;
mod vertical;

pub use grid::reading_order;
pub use ocr::Ocr;

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

/// How much larger than the body headline type is set, at least.
const HEAD_SCALE: f32 = 1.15;

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

impl Sheet {
    /// No readable character and at least one image: a scan.
    fn scanned(&self) -> bool {
        self.images > 0
            && !self
                .glyphs
                .iter()
                .any(|g| !g.ch.is_whitespace() && !unreadable(g.ch))
    }
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
    /// Images painted on the page (any size, a full-page scan included).
    pub images: usize,
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
    // A download cut short still opens (the library rebuilds what it can), but its fonts are
    // gone and its text reads as garbage: every PDF writer ends the file with `%%EOF`.
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(fail(
            "the file is cut short (it does not end with %%EOF): download it again".into(),
        ));
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
        if sheet.scanned() && opts.ocr == Ocr::Tesseract {
            out.push(by_ocr(bytes, k, &name, opts)?);
        } else {
            out.push(page(&sheet, &name, opts)?);
        }
    }
    Ok(out)
}

/// Reads a scanned page through OCR: its images' text, extracted as a text dump.
fn by_ocr(bytes: &[u8], k: usize, name: &str, opts: &Options) -> Result<Page, ExtractError> {
    let fail = |reason: String| ExtractError::Pdf {
        file: name.to_string(),
        reason: format!("a scanned page: {reason}"),
    };
    let images = read::page_images(bytes, k, ocr::MAX_IMAGES).map_err(fail)?;
    if images.is_empty() {
        return Err(fail("no picture on it is large enough to read".into()));
    }
    let text = ocr::read(&images).map_err(fail)?;
    let mut page = super::page(text.as_bytes(), name, opts)?;
    page.encoding = "pdf".into();
    page.warnings.insert(
        0,
        "a scanned page, read by OCR (tesseract): expect misread characters".into(),
    );
    Ok(page)
}

/// Extracts one page from its geometry.
pub fn page(sheet: &Sheet, source: &str, opts: &Options) -> Result<Page, ExtractError> {
    let (clean, warnings, readable) = cleaned(sheet);
    if readable == 0 {
        let reason = if sheet.images == 0 && sheet.pictures.is_empty() {
            "no text on the page".to_string()
        } else {
            "a scanned page: no text layer (pictures only; set [ingest] ocr = \"tesseract\" \
             to read it by OCR)"
                .to_string()
        };
        return Err(ExtractError::Pdf {
            file: source.to_string(),
            reason,
        });
    }
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

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// A character no Chinese news text sets but a CJK font's codes read as Latin-1, Windows-1252
/// or PDFDocEncoding give: accented letters, `•ƒ‰⁄‚„‹›`, ligatures.
fn mojibake(c: char) -> bool {
    matches!(c, '\u{c0}'..='\u{17f}' | '\u{192}' | '\u{2018}'..='\u{201e}' | '\u{2020}'..='\u{2022}'
        | '\u{2030}' | '\u{2039}' | '\u{203a}' | '\u{2044}' | '\u{fb01}' | '\u{fb02}' | '\u{a2}'..='\u{bf}')
        && !matches!(
            c,
            '\u{b7}' | '\u{d7}' | '\u{f7}' | '\u{b0}' | '\u{2018}'..='\u{201d}'
        )
}

/// A glyph with no Unicode meaning behind it: the font gave no usable ToUnicode map.
fn unreadable(c: char) -> bool {
    c == '\u{fffd}' || ('\u{e000}'..='\u{f8ff}').contains(&c) || (c.is_control() && c != '\n')
}

/// The sheet without the characters no text layer lets us read, what was left out, said, and
/// how many readable characters it holds.
fn cleaned(sheet: &Sheet) -> (Sheet, Vec<String>, usize) {
    let readable = sheet
        .glyphs
        .iter()
        .filter(|g| !g.ch.is_whitespace() && !unreadable(g.ch))
        .count();
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
    // On a Chinese page, accented Latin letters and stray typographic signs are a font's codes
    // read in a single-byte encoding: dropped, and said, rather than printed as articles.
    let han = sheet.glyphs.iter().filter(|g| is_han(g.ch)).count();
    let chinese = han * 2 > total;
    let misread = if chinese {
        sheet.glyphs.iter().filter(|g| mojibake(g.ch)).count()
    } else {
        0
    };
    if misread * 100 > total {
        warnings.push(format!(
            "{misread} of {total} characters are misread (a font whose codes the PDF library \
             decodes in the wrong encoding); they are left out"
        ));
    }
    // An unmapped glyph in headline type is kept for the layout to place: set vertically it is
    // a quote mark's vertical form (see `cut::unmapped_in_headlines`). The library gives one
    // such code as two marks side by side; the second is dropped.
    let body = cut::body_size(&sheet.glyphs);
    let mark = |g: &Glyph| g.ch == '\u{fffd}' && g.size >= body * HEAD_SCALE;
    let mut glyphs: Vec<Glyph> = Vec::with_capacity(sheet.glyphs.len());
    for g in &sheet.glyphs {
        let twin = mark(g)
            && glyphs.last().is_some_and(|p: &Glyph| {
                mark(p) && (p.y0 - g.y0).abs() < 0.5 && (g.x0 - p.x1).abs() < 0.5
            });
        if !twin && (mark(g) || !(unreadable(g.ch) || chinese && mojibake(g.ch))) {
            glyphs.push(g.clone());
        }
    }
    let clean = Sheet {
        glyphs,
        ..sheet.clone()
    };
    (clean, warnings, readable)
}

/// A PDF's lines in reading order with their type size, weight and tag, one per row: what the
/// layout analysis made of each page (for developers: `cargo run --example pdf_lines`).
pub fn explain(bytes: &[u8]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (k, sheet) in read::sheets(bytes)?.into_iter().enumerate() {
        let (sheet, _, _) = cleaned(&sheet?);
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn glyphs(text: &str) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, ch)| Glyph {
                ch,
                x0: 20.0 + 10.0 * (i % 40) as f32,
                x1: 30.0 + 10.0 * (i % 40) as f32,
                y0: 100.0 + 14.0 * (i / 40) as f32,
                y1: 110.0 + 14.0 * (i / 40) as f32,
                size: 10.0,
                bold: false,
            })
            .collect()
    }

    #[test]
    fn codes_read_in_a_single_byte_encoding_are_left_out_and_said() {
        let text = "新安江街道Ł 旧å°区改造全Ø¢ 开å•¥。3æ 4æ是¥上午，建德市新安江街道二十个小区改造项目同时开工，“惠及居民”四千余户。";
        let sheet = Sheet {
            width: 600.0,
            height: 800.0,
            glyphs: glyphs(text),
            ..Sheet::default()
        };
        let page = page(&sheet, "p.pdf", &Options::default()).unwrap();
        assert!(
            page.warnings.iter().any(|w| w.contains("misread")),
            "{:?}",
            page.warnings
        );
        let all: String = page.articles.iter().map(|a| a.body.clone()).collect();
        assert!(!all.contains(['Ł', 'å', 'Ø', '¢', '¥', '•', 'æ']), "{all}");
        assert!(all.contains("“惠及居民”"), "quotation marks stay: {all}");
    }

    #[test]
    fn unmapped_marks_of_a_vertical_headline_read_as_its_quotes() {
        // `台风“罗莎”过后` set top to bottom right of its story; each quote mark's vertical
        // form comes from the library as two unmapped marks side by side.
        let mut g = Vec::new();
        for (k, ch) in "台风\u{fffd}罗莎\u{fffd}过后".chars().enumerate() {
            let y0 = 100.0 + 24.0 * k as f32;
            let at = |x0: f32, ch: char| Glyph {
                ch,
                x0,
                x1: x0 + 24.0,
                y0,
                y1: y0 + 24.0,
                size: 24.0,
                bold: true,
            };
            g.push(at(440.0, ch));
            if ch == '\u{fffd}' {
                g.push(at(464.0, ch));
            }
        }
        let body = "十月九日，台风过后，全县干部群众投入生产自救，道路已经全部抢通。".repeat(6);
        // The story in one column of 20 characters left of the headline.
        g.extend(body.chars().enumerate().map(|(i, ch)| {
            let (x0, y0) = (
                20.0 + 10.0 * (i % 20) as f32,
                100.0 + 14.0 * (i / 20) as f32,
            );
            Glyph {
                ch,
                x0,
                x1: x0 + 10.0,
                y0,
                y1: y0 + 10.0,
                size: 10.0,
                bold: false,
            }
        }));
        let sheet = Sheet {
            width: 600.0,
            height: 800.0,
            glyphs: g,
            ..Sheet::default()
        };
        let page = page(&sheet, "p.pdf", &Options::default()).unwrap();
        let titles: Vec<_> = page.articles.iter().map(|a| a.title.clone()).collect();
        assert_eq!(titles, [Some("台风“罗莎”过后".to_string())]);
    }

    #[test]
    fn a_file_cut_short_is_refused() {
        let err = pages(
            b"%PDF-1.7\n1 0 obj << >> endobj\n",
            "cut.pdf",
            &Options::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("cut short"), "{err}");
    }
}
