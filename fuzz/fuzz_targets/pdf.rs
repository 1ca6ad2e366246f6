//! Any bytes as a PDF: extraction answers pages or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Most inputs are not PDFs at all: start them as one so the reader is reached.
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend_from_slice(data);
    bytes.extend_from_slice(b"\n%%EOF\n");
    let _ = paperboy::extract::pages(&bytes, "fuzz.pdf", &paperboy::extract::Options::default());
});
