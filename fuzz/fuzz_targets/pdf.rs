//! Any bytes as a PDF: extraction answers pages or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // paperboy catches a panic inside the PDF library and reports it as the file's error
        // (`extract/pdf/read.rs`); only a panic in paperboy's own code is a crash here.
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_library = info
                .location()
                .is_some_and(|l| l.file().contains("/pdf_oxide-"));
            if !in_library {
                abort(info);
            }
        }));
    },
    |data: &[u8]| {
        // Most inputs are not PDFs at all: start them as one so the reader is reached.
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.extend_from_slice(data);
        bytes.extend_from_slice(b"\n%%EOF\n");
        let _ = paperboy::extract::pages(
            &bytes,
            "fuzz.pdf",
            &paperboy::extract::Options::default(),
        );
    }
);
