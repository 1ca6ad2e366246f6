//! The default segmenter chooses by the kind of page: text a PDF converter wrote page by page in
//! reading order (form feeds between pages, columns one after another, as pdftotext and
//! pdfminer.six write it) goes to the fitted page model, every other page to the rules.
#![allow(clippy::unwrap_used)]

mod seed_support;
use seed_support::seeds;

use paperboy::extract::{self, read_by_model, Options, Segmenter};
use paperboy::model::Page;

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

/// A page of two stories, each paragraph on one line.
const BY_PARAGRAPH: &str = "城南街道推进垃圾分类\n\n本报讯 昨日，城南街道召开垃圾分类工作推进会，部署下一阶段的工作任务，要求各社区把责任落实到每一户居民。\n会议指出，今年以来街道共建成分类投放点四十二个，居民参与率明显提高，下一步将开展督导员上岗培训。\n（记者 王小明）\n\n春耕备耕正当时\n\n本报讯 近日，县农业农村局组织技术人员走进田间地头，指导农户做好春耕备耕工作，确保今年粮食生产稳定增长。\n据了解，全县今年计划种植水稻十二万亩，目前已备足种子和化肥，农机具检修工作也已全部完成。\n（通讯员 李红）\n";

/// The same page as a converter or OCR writes a narrow column: every line hard-wrapped.
fn hard_wrapped(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        if chars.len() <= 14 {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        for piece in chars.chunks(13) {
            out.extend(piece);
            out.push('\n');
        }
    }
    out
}

#[test]
fn hard_wrapped_pages_go_to_the_rules_unless_a_converter_ended_them_with_form_feeds() {
    assert!(!read_by_model(BY_PARAGRAPH));
    let wrapped = hard_wrapped(BY_PARAGRAPH);
    assert!(wrapped.lines().all(|l| l.chars().count() <= 14));
    assert!(!read_by_model(&wrapped));
    let rules = cut(&wrapped, "w.txt", Segmenter::Auto);
    assert_eq!(
        articles(&rules),
        articles(&cut(&wrapped, "w.txt", Segmenter::Rules))
    );
    // Either way the page holds its two stories with their bylines.
    let bylines: Vec<Vec<String>> = rules.articles.iter().map(|a| a.byline.clone()).collect();
    assert_eq!(
        bylines,
        [vec!["王小明".to_string()], vec!["李红".to_string()]]
    );
    // Form feeds between pages make a converter's dump whatever its lines look like.
    let dumped = format!("{wrapped}\u{c}");
    assert!(read_by_model(&dumped));
    assert_eq!(
        articles(&cut(&dumped, "w.txt", Segmenter::Auto)),
        articles(&cut(&dumped, "w.txt", Segmenter::Model))
    );
}

#[test]
fn the_seed_pages_go_by_their_kind() {
    let mut differ = 0;
    for (name, text) in seeds() {
        let rules = cut(&text, &name, Segmenter::Rules);
        let model = cut(&text, &name, Segmenter::Model);
        let expected = if read_by_model(&text) { &model } else { &rules };
        assert_eq!(
            articles(&cut(&text, &name, Segmenter::Auto)),
            articles(expected),
            "{name}"
        );
        differ += usize::from(articles(&model) != articles(&rules));
    }
    // The two segmenters do not agree on every seed, so the equality above tells them apart.
    assert!(differ > 0, "the model and the rules cut every seed alike");
    // No seed is a converter's dump: all go to the rules; with form feeds, to the model.
    for (name, text) in seeds() {
        assert!(!read_by_model(&text), "{name}");
        assert!(read_by_model(&format!("{text}\n\u{c}")), "{name}");
    }
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
    assert!(!read_by_model(&text));
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
    assert!(read_by_model(&flowing));
}
