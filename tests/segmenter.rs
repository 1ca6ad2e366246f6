//! The default segmenter chooses by the kind of page: text a PDF converter wrote page by page in
//! reading order (form feeds between pages, columns one after another, as pdftotext and
//! pdfminer.six write it) goes to the fitted page model, every other page to the rules.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use paperboy::extract::{self, converter_pages_in_reading_order, Options, Segmenter};
use paperboy::model::Page;

fn seeds() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), 5, "the five seed pages");
    out
}

fn cut(text: &str, source: &str, segmenter: Segmenter) -> Page {
    let opts = Options {
        segmenter,
        ..Options::default()
    };
    extract::page(text.as_bytes(), source, &opts).unwrap()
}

/// What identifies a page's articles: each one's title, byline and body.
fn articles(p: &Page) -> Vec<(Option<String>, Vec<String>, String)> {
    p.articles
        .iter()
        .map(|a| (a.title.clone(), a.byline.clone(), a.body.clone()))
        .collect()
}

#[test]
fn the_default_is_by_kind_of_page() {
    assert_eq!(Options::default().segmenter, Segmenter::Auto);
}

#[test]
fn hand_made_pages_go_to_the_rules_and_converter_pages_to_the_model() {
    let mut differ = 0;
    for (name, text) in seeds() {
        assert!(!converter_pages_in_reading_order(&text), "{name}");
        let rules = cut(&text, &name, Segmenter::Rules);
        assert_eq!(
            articles(&cut(&text, &name, Segmenter::Auto)),
            articles(&rules),
            "{name}: a page without form feeds is cut by the rules"
        );

        // The same text as a converter writes it: each page ended by a form feed.
        let dumped = format!("{text}\n\u{c}");
        assert!(converter_pages_in_reading_order(&dumped), "{name}");
        let model = cut(&dumped, &name, Segmenter::Model);
        assert!(!model.articles.is_empty(), "{name}");
        assert_eq!(
            articles(&cut(&dumped, &name, Segmenter::Auto)),
            articles(&model),
            "{name}: converter pages in reading order are cut by the model"
        );
        differ += usize::from(articles(&model) != articles(&rules));
    }
    // The two segmenters do not agree on every seed, so the equalities above tell them apart.
    assert!(differ > 0, "the model and the rules cut every seed alike");
}

#[test]
fn columns_side_by_side_go_to_the_rules_even_from_a_converter() {
    // Two columns printed side by side on each line, as `pdftotext -layout` writes them.
    let left = [
        "本报讯 昨日，城南街道召开",
        "垃圾分类工作推进会，部署",
        "下一阶段的工作任务。会议",
        "要求各社区落实责任到人。",
    ];
    let right = [
        "本报讯 近日，县农业农村局",
        "组织技术人员走进田间地头，",
        "指导农户做好春耕备耕工作，",
        "确保今年粮食生产稳定增长。",
    ];
    let mut text = String::from("城南街道推进垃圾分类          春耕备耕正当时\n\n");
    for (l, r) in left.iter().zip(right.iter()) {
        text.push_str(&format!("{l}          {r}\n"));
    }
    text.push('\u{c}');
    assert!(paperboy::extract::lines::side_by_side(&text));
    assert!(!converter_pages_in_reading_order(&text));
    assert_eq!(
        articles(&cut(&text, "layout.txt", Segmenter::Auto)),
        articles(&cut(&text, "layout.txt", Segmenter::Rules))
    );

    // The same columns read one after the other, from the same converter without -layout.
    let mut flowing = String::from("城南街道推进垃圾分类\n\n");
    flowing.push_str(&left.join("\n"));
    flowing.push_str("\n\n春耕备耕正当时\n\n");
    flowing.push_str(&right.join("\n"));
    flowing.push_str("\n\u{c}");
    assert!(!paperboy::extract::lines::side_by_side(&flowing));
    assert!(converter_pages_in_reading_order(&flowing));
}
