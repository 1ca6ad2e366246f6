//! The PDF library's side: each page's characters with their boxes, type sizes and weights,
//! and its picture areas (images, and large filled boxes standing in for pictures), in page
//! coordinates turned so that y grows down the page. `pdf_oxide` (MIT or Apache-2.0, pure Rust)
//! reads CID fonts through their ToUnicode maps and gives each character's font weight, which
//! headlines and kickers are told by; `pdf-extract` gave the same characters and sizes but no
//! weights and no paths.

use std::sync::mpsc;
use std::time::Duration;

use pdf_oxide::PdfDocument;

use super::{Glyph, Rect, Sheet, MAX_GLYPHS, MAX_PAGES};

/// Smallest side of a filled box taken for a picture, in points (a QR code's box is smaller
/// than a photo's, and a rule is thinner still).
const PICTURE_SIDE: f32 = 40.0;

/// Every page's geometry; a page that cannot be read is an error of its own. A panic inside
/// the PDF library (a malformed file it does not expect) is this file's error, not the
/// process's end.
pub fn sheets(bytes: &[u8]) -> Result<Vec<Result<Sheet, String>>, String> {
    sheets_within(bytes, READ_LIMIT)
}

/// Longest a file's reading may take (a newspaper page takes some 10 ms). The library cannot be
/// interrupted: past the limit the file fails and its reading is left to finish on its own
/// thread, bounded by the byte, page and glyph limits, while the caller goes on.
pub const READ_LIMIT: Duration = Duration::from_secs(60);

fn sheets_within(bytes: &[u8], limit: Duration) -> Result<Vec<Result<Sheet, String>>, String> {
    let owned = bytes.to_vec();
    within(limit, move || guarded(|| read_sheets(&owned)))
}

/// Runs `f` on a thread of its own and waits for it at most `limit`.
fn within<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("pdf-read".into())
        .spawn(move || {
            // The receiver may have given up: nothing is left to tell.
            let _ = tx.send(f());
        })
        .map_err(|e| format!("cannot start the PDF reader: {e}"))?;
    match rx.recv_timeout(limit) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "reading the file took longer than {} s; it is left out",
            limit.as_secs_f32()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err("the PDF reader stopped without an answer".into())
        }
    }
}

fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err("the PDF library failed on this file (a structure it does not expect)".into())
    })
}

fn read_sheets(bytes: &[u8]) -> Result<Vec<Result<Sheet, String>>, String> {
    let doc = PdfDocument::from_bytes(bytes.to_vec()).map_err(|e| describe(&e))?;
    if doc.is_encrypted() {
        // Owner-password-only files open; the library fails below when a user password is
        // needed, and says so.
        tracing::debug!("encrypted PDF");
    }
    let n = doc.page_count().map_err(|e| describe(&e))?;
    if n == 0 {
        return Err("the file holds no pages".into());
    }
    if n > MAX_PAGES {
        return Err(format!(
            "{n} pages: paperboy reads at most {MAX_PAGES} pages from one file (split it)"
        ));
    }
    Ok((0..n).map(|k| sheet(&doc, k)).collect())
}

fn sheet(doc: &PdfDocument, k: usize) -> Result<Sheet, String> {
    let (x0, y0, x1, y1) = doc.get_page_media_box(k).map_err(|e| describe(&e))?;
    let (width, height) = ((x1 - x0).abs(), (y1 - y0).abs());
    let top = y0.max(y1);
    // PDF space has y growing up the page; the layout reads top down.
    let flip = |r: &pdf_oxide::geometry::Rect| Rect {
        x0: r.x - x0.min(x1),
        y0: top - (r.y + r.height),
        x1: r.x + r.width - x0.min(x1),
        y1: top - r.y,
    };
    let chars = doc.extract_chars(k).map_err(|e| describe(&e))?;
    if chars.len() > MAX_GLYPHS {
        return Err(format!(
            "{} characters on the page: more than the {MAX_GLYPHS} a newspaper page holds",
            chars.len()
        ));
    }
    let glyphs = chars
        .iter()
        .filter(|c| c.bbox.width.is_finite() && c.bbox.height.is_finite() && c.font_size > 0.0)
        .map(|c| {
            let r = flip(&c.bbox);
            Glyph {
                ch: c.char,
                x0: r.x0,
                x1: r.x1,
                y0: r.y0,
                y1: r.y1,
                size: c.font_size,
                bold: c.font_weight.is_bold() || heavy_name(&c.font_name),
            }
        })
        .collect();
    let mut pictures: Vec<Rect> = Vec::new();
    let mut images = 0;
    if let Ok(handles) = doc.page_image_handles(k) {
        images = handles.len();
        pictures.extend(handles.iter().map(|h| flip(&h.bbox)));
    }
    if let Ok(rects) = doc.extract_rects(k) {
        pictures.extend(
            rects
                .iter()
                .filter(|p| p.fill_color.is_some_and(|c| c.r.min(c.g).min(c.b) < 0.95))
                .map(|p| flip(&p.bbox)),
        );
    }
    pictures.retain(|r| {
        let (w, h) = (r.x1 - r.x0, r.y1 - r.y0);
        w >= PICTURE_SIDE && h >= PICTURE_SIDE && w * h < width * height * 0.5
    });
    Ok(Sheet {
        width,
        height,
        glyphs,
        pictures,
        images,
    })
}

/// Smallest image handed to OCR, in pixels (a logo or a QR code is smaller than a scan).
const OCR_MIN_PIXELS: u64 = 300 * 300;
/// Largest image decoded for OCR, in pixels (an A2 page scanned at 600 dpi is some 140 million:
/// beyond this the memory is not worth it).
const OCR_MAX_PIXELS: u64 = 150_000_000;

/// Page `k`'s images large enough to hold text, as PNG files in reading order (top to bottom,
/// then left to right), for OCR.
pub fn page_images(bytes: &[u8], k: usize, most: usize) -> Result<Vec<Vec<u8>>, String> {
    guarded(|| images_of(bytes, k, most))
}

fn images_of(bytes: &[u8], k: usize, most: usize) -> Result<Vec<Vec<u8>>, String> {
    let doc = PdfDocument::from_bytes(bytes.to_vec()).map_err(|e| describe(&e))?;
    let mut handles = doc.page_image_handles(k).map_err(|e| describe(&e))?;
    handles.retain(|h| {
        let px = u64::from(h.width) * u64::from(h.height);
        (OCR_MIN_PIXELS..=OCR_MAX_PIXELS).contains(&px)
    });
    // PDF space: the top of an image is its largest y.
    handles.sort_by(|a, b| {
        let top = |h: &pdf_oxide::PdfImageHandle| -(h.bbox.y + h.bbox.height);
        top(a)
            .total_cmp(&top(b))
            .then(a.bbox.x.total_cmp(&b.bbox.x))
    });
    handles
        .iter()
        .take(most)
        .map(|h| {
            h.decode()
                .and_then(|img| img.to_png_bytes())
                .map_err(|e| format!("an image on the page cannot be decoded: {}", describe(&e)))
        })
        .collect()
}

/// A face named heavy (`…-Bold`, `…-Black`, `…Heavy`, `黑体` families set bold by name).
fn heavy_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["bold", "black", "heavy", "semibold", "demibold"]
        .iter()
        .any(|w| n.contains(w))
}

fn describe(e: &pdf_oxide::Error) -> String {
    let s = e.to_string();
    let s = s.lines().next().unwrap_or("").trim();
    if s.is_empty() {
        "the PDF library could not read it".into()
    } else {
        s.chars().take(300).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_past_the_limit_fails_and_the_caller_goes_on() {
        let slow = within(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            Ok(1)
        });
        assert_eq!(
            slow.unwrap_err(),
            "reading the file took longer than 0.05 s; it is left out"
        );
        assert_eq!(within(Duration::from_secs(10), || Ok(2)), Ok(2));
        assert!(within::<u8>(Duration::from_secs(10), || panic!("library bug")).is_err());
    }

    #[test]
    fn a_file_that_is_no_pdf_is_an_error_within_the_limit() {
        assert!(sheets(b"%PDF-1.7\nnot really").is_err());
    }
}
