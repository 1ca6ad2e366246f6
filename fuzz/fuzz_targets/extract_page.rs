//! Any bytes given to the extractor, with either segmenter: a clear error or a page, never a
//! panic, and every article it returns has body text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paperboy::extract::{self, Options, Segmenter};

fuzz_target!(|data: &[u8]| {
    for segmenter in [Segmenter::Rules, Segmenter::Model] {
        let opts = Options {
            segmenter,
            ..Options::default()
        };
        if let Ok(page) = extract::page(data, "fuzz.txt", &opts) {
            assert!(page.articles.iter().all(|a| !a.body.trim().is_empty()));
        }
    }
});
