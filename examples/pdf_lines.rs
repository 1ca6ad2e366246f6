//! Prints what paperboy's PDF layout analysis reads on each page of the PDFs given: every line
//! in reading order with its tag (O outside, H/h headline, T/t text, B/b byline; capitals open an
//! article), headline level, bold, indent and gap flags.
//!
//! `cargo run --release --example pdf_lines -- page.pdf`

fn main() {
    for path in std::env::args().skip(1) {
        match std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| paperboy::extract::pdf::explain(&b))
        {
            Ok(lines) => {
                println!("# {path}");
                for l in lines {
                    println!("{l}");
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
