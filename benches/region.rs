//! Region matching throughput on one core, in MB/s, over about 4 MB of page text (the seed pages
//! repeated), beside a raw scan of the same bytes (UTF-8 validation and a newline count with
//! memchr) as the floor of any pass over the text:
//! - `raw_scan`: the floor;
//! - `automaton`: whitespace removal plus one leftmost-longest pass of the daachorse automaton
//!   over every name of the gazetteer (`Gazetteer::count_names`);
//! - `assign_page`: the whole region stage, pages split into articles at blank lines.
//!
//! Run: `cargo bench --bench region -- --warm-up-time 1 --measurement-time 5`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use paperboy::region::{assign_page, ArticleText, Gazetteer};

const TARGET_BYTES: usize = 4 * 1024 * 1024;

/// The seed pages, repeated in order until the corpus reaches [`TARGET_BYTES`].
fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    let seeds: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(!seeds.is_empty(), "no seed pages found");
    let mut pages = Vec::new();
    let mut total = 0;
    while total < TARGET_BYTES {
        for s in &seeds {
            total += s.len();
            pages.push(s.clone());
        }
    }
    pages
}

fn bench(c: &mut Criterion) {
    let pages = corpus();
    let bytes: usize = pages.iter().map(String::len).sum();
    let g = Gazetteer::global();
    let mut group = c.benchmark_group("region");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);

    group.bench_function("raw_scan", |b| {
        b.iter(|| {
            pages
                .iter()
                .map(|p| {
                    let s = std::str::from_utf8(p.as_bytes()).map_or(0, str::len);
                    s + memchr::memchr_iter(b'\n', p.as_bytes()).count()
                })
                .sum::<usize>()
        })
    });

    group.bench_function("automaton", |b| {
        let mut buf = String::new();
        b.iter(|| {
            pages
                .iter()
                .map(|p| g.count_names(p, &mut buf))
                .sum::<usize>()
        })
    });

    let split: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| p.split("\n\n").filter(|b| !b.trim().is_empty()).collect())
        .collect();
    group.bench_function("assign_page", |b| {
        b.iter(|| {
            split
                .iter()
                .map(|blocks| {
                    let articles: Vec<ArticleText<'_>> = blocks
                        .iter()
                        .map(|body| ArticleText { title: "", body })
                        .collect();
                    assign_page(None, &articles).len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
