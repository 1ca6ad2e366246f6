//! Prints the text of side-by-side column dumps (`pdftotext -layout`) in the reading order
//! paperboy reads them in: column after column, a blank line between blocks.
//!
//! `cargo run --release --example layout_order -- page.txt`

fn main() {
    for path in std::env::args().skip(1) {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                println!("# {path}");
                print!("{}", paperboy::extract::pdf::reading_order(&text));
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
