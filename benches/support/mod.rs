//! What the benchmarks that generate a store share: their size from the environment, the tiny
//! run under `cargo test`, the seed pages' sentences and a deterministic generator. Each
//! benchmark uses a part of it.
#![allow(dead_code, clippy::expect_used)]

use std::path::Path;

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: a tiny run then.
pub fn testing() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

/// The seed pages' texts, in file order: the raw material of generated pages.
pub fn seed_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("seeds/ directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("seed text"))
        .collect()
}

/// The seed pages' sentences of at least 8 characters.
pub fn sentences() -> Vec<String> {
    let mut out = Vec::new();
    for text in seed_texts() {
        for s in text.split(['。', '！', '？', '\n']) {
            let s = s.trim().trim_start_matches(['#', '*', ' ']);
            if s.chars().count() >= 8 {
                out.push(format!("{s}。"));
            }
        }
    }
    out
}

/// xorshift: deterministic, so every run stores the same data.
pub fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

pub fn seeded(n: u64) -> u64 {
    0x9E37_79B9_7F4A_7C15u64 ^ n.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1
}
