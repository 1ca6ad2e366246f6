//! Extraction stays near-linear in its input: a page naming the same place tens of thousands of
//! times costs per byte about what a small one does. Region evidence once walked every place
//! mention for every hit (80,000 mentions took 25 s). The bound is generous (20× the small
//! page's cost per byte, best of three runs each) so that only a superlinear stage fails it.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use paperboy::extract::{self, Options};

fn page(mentions: usize) -> String {
    format!(
        "今日建德\n\n# 新安江街道推进城市更新\n\n本报讯 {}。\n",
        "我市新安江街道，".repeat(mentions)
    )
}

fn best_of_three(text: &str) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let p = extract::page(text.as_bytes(), "scaling.txt", &Options::default()).unwrap();
            assert_eq!(p.articles.len(), 1);
            assert_eq!(p.articles[0].regions[0].code.as_str(), "330182", "建德市");
            start.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn a_page_naming_a_place_many_times_costs_per_byte_what_a_small_one_does() {
    let small = page(500);
    let large = page(50_000);
    let _ = best_of_three(&small); // warm the gazetteer
    let per_byte = |t: Duration, s: &str| t.as_secs_f64() / s.len() as f64;
    let small_rate = per_byte(best_of_three(&small), &small);
    let large_rate = per_byte(best_of_three(&large), &large);
    assert!(
        large_rate < small_rate * 20.0,
        "large page {:.1} ns/byte against {:.1} ns/byte for a small one",
        large_rate * 1e9,
        small_rate * 1e9
    );
}
