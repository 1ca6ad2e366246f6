//! Extraction stays near-linear in its input: a page naming the same place tens of thousands of
//! times, or made of tens of thousands of short lines, costs per byte about what a small one
//! does. Region evidence once walked every place mention for every hit (80,000 mentions took
//! 25 s); the layout once looked again at the whole unit it was building for every short line
//! (40,000 lines took 48 s). The bound is generous (20× the small page's cost per byte, best of
//! three runs each) so that only a superlinear stage fails it.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use paperboy::extract::{self, Options};

fn page(mentions: usize) -> String {
    format!(
        "今日建德\n\n# 新安江街道推进城市更新\n\n本报讯 {}。\n",
        "我市新安江街道，".repeat(mentions)
    )
}

/// A page of short lines naming townships, one per line, without a blank line between them.
fn short_lines(n: usize) -> String {
    let names = ["寿昌", "乾潭", "梅城", "大同", "杨村桥"];
    (0..n).map(|i| format!("{}镇\n", names[i % 5])).collect()
}

fn best_of_three(text: &str) -> Duration {
    best_of_three_with(text, |p| {
        assert_eq!(p.articles.len(), 1);
        assert_eq!(p.articles[0].regions[0].code.as_str(), "330182", "建德市");
    })
}

fn best_of_three_with(text: &str, check: impl Fn(&paperboy::model::Page)) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let p = extract::page(text.as_bytes(), "scaling.txt", &Options::default()).unwrap();
            let took = start.elapsed();
            check(&p);
            took
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

#[test]
fn a_page_of_many_short_lines_costs_per_byte_what_a_small_one_does() {
    let small = short_lines(1_000);
    let large = short_lines(40_000);
    // The lines are read as one story holding every township named.
    let none = |p: &paperboy::model::Page| {
        assert_eq!(p.articles.len(), 1);
        assert!(p.articles[0].body.contains("杨村桥镇寿昌镇"));
    };
    let _ = best_of_three_with(&small, none);
    let per_byte = |t: Duration, s: &str| t.as_secs_f64() / s.len() as f64;
    let small_rate = per_byte(best_of_three_with(&small, none), &small);
    let large_rate = per_byte(best_of_three_with(&large, none), &large);
    assert!(
        large_rate < small_rate * 20.0,
        "large page {:.1} ns/byte against {:.1} ns/byte for a small one",
        large_rate * 1e9,
        small_rate * 1e9
    );
}
