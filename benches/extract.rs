//! Extraction throughput on one core, in MB/s, over a generated corpus of about 20 MB of page
//! text: the seed pages' blocks recombined at random (fixed seed) into new pages with varied
//! masthead dates and reporter names, beside a raw scan of the same bytes (UTF-8 validation and
//! a newline count) as the floor of what any pass over the text costs.
//!
//! Also large single pages (places named 80,000 times; 200,000 short lines) and the fitted
//! page model over the same corpus.
//!
//! Run: `cargo bench --bench extract -- --warm-up-time 1 --measurement-time 5`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should stop the test

use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use paperboy::extract::{self, Options};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const TARGET_BYTES: usize = 20 * 1024 * 1024;
const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
const NAMES: [&str; 8] = [
    "张明远",
    "李晓",
    "王慧",
    "陈星宇",
    "赵一鸣",
    "周立",
    "吴宇",
    "孙婷",
];

/// Pages built from the seeds' blank-line separated blocks, shuffled and recombined.
fn corpus() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut blocks: Vec<String> = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(path).unwrap();
        blocks.extend(
            text.split("\n\n")
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .map(str::to_string),
        );
    }
    let mut rng = StdRng::seed_from_u64(2022);
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let mut pages = Vec::new();
    let mut total = 0;
    while total < TARGET_BYTES {
        let date = start + Duration::days(rng.gen_range(0..1500));
        let mut page = String::new();
        if rng.gen_bool(0.5) {
            let wd = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
            page.push_str(&format!(
                "#### {}年{}月{}日◆星期{wd}\n\n",
                date.year(),
                date.month(),
                date.day()
            ));
        }
        let n = rng.gen_range(20..60);
        let picked: Vec<&String> = blocks.choose_multiple(&mut rng, n).collect();
        for block in picked {
            let name = NAMES[rng.gen_range(0..NAMES.len())];
            let block = block.replace("李雨婷", name).replace("赵一霖", name);
            page.push_str(&block);
            page.push_str("\n\n");
        }
        total += page.len();
        pages.push(page.into_bytes());
    }
    pages
}

fn bench(c: &mut Criterion) {
    let pages = corpus();
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let opts = Options::default();
    // Warm the region gazetteer and compiled rules outside the timing.
    let _ = extract::page(&pages[0], "warm.txt", &opts);

    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("raw_scan", |b| {
        b.iter(|| {
            let mut lines = 0usize;
            for p in &pages {
                let text = std::str::from_utf8(p).unwrap();
                lines += memchr::memchr_iter(b'\n', text.as_bytes()).count();
            }
            lines
        })
    });
    group.bench_function("whole_extraction", |b| {
        b.iter_batched(
            || (),
            |()| {
                let mut articles = 0usize;
                for (i, p) in pages.iter().enumerate() {
                    let page = extract::page(p, &format!("page-{i}.txt"), &opts).unwrap();
                    articles += page.articles.len();
                }
                articles
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    // Large single pages: one page naming the same places 80,000 times, and one of 200,000
    // short lines. Their MB/s must stay near the corpus's (no stage may be superlinear).
    let repeated = format!(
        "今日建德\n\n# 标题\n\n本报讯 {}。\n",
        "我市新安江街道，".repeat(80_000)
    );
    let lines: String = (0..200_000)
        .map(|i| format!("{}镇\n", ["寿昌", "乾潭", "梅城", "大同", "杨村桥"][i % 5]))
        .collect();
    for (name, page) in [
        ("large_repeated_places", repeated),
        ("large_short_lines", lines),
    ] {
        let mut group = c.benchmark_group("extract_large");
        group.throughput(Throughput::Bytes(page.len() as u64));
        group.sample_size(10);
        group.bench_function(name, |b| {
            b.iter(|| {
                extract::page(page.as_bytes(), "large.txt", &opts)
                    .unwrap()
                    .articles
                    .len()
            })
        });
        group.finish();
    }
    let model = Options {
        segmenter: extract::Segmenter::Model,
        ..Options::default()
    };
    let mut group = c.benchmark_group("extract_model");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("whole_extraction_page_model", |b| {
        b.iter(|| {
            pages
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    extract::page(p, &format!("page-{i}.txt"), &model)
                        .unwrap()
                        .articles
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
