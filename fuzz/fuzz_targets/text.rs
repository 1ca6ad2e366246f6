//! Any bytes as a text dump: extraction answers a page or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = paperboy::extract::page(data, "fuzz.txt", &paperboy::extract::Options::default());
});
