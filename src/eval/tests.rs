//! Scoring rules on small pages written here, each rule against `score.py`'s wording.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should stop the test

use chrono::NaiveDate;

use super::*;
use crate::model::{ArticleKind, RegionCode, RegionRef};

const GOLD: &str = r#"{
  "about": "two pages", "converter": "hand",
  "pages": [
    {"file": "p01.txt", "paper": "今日建德", "date": "2021-01-08", "columns": 2,
     "articles": [
       {"id": "a1", "title": "新年招聘会 搭建就业路", "title_alts": ["春风行动·新年招聘会 搭建就业路"],
        "kicker": "春风行动", "byline": ["宁文武", "许在诚"], "regions": ["330182"],
        "contains": ["就业援助新年招聘会", "岗位两千余个"], "kind": "news"},
       {"id": "a2", "title": "进商超不戴口罩 将被拒之门外", "byline": ["吕蕾"], "regions": ["3301"],
        "contains": ["商场超市防控指南", "保护自己，保护他人"]}
     ]},
    {"file": "p02.txt", "date": null,
     "articles": [
       {"title": null, "byline": [], "regions": ["330182"], "contains": ["寿昌镇东昌社区", "安居乐业"]}
     ]}
  ]
}"#;

fn gold() -> GoldFile {
    serde_json::from_str(GOLD).unwrap()
}

fn region(code: &str) -> RegionRef {
    RegionRef {
        code: RegionCode::parse(code).unwrap(),
        name: String::new(),
        prefecture: None,
        province: "浙江省".to_string(),
    }
}

fn article(title: Option<&str>, byline: &[&str], regions: &[&str], body: &str) -> Article {
    Article {
        title: title.map(str::to_string),
        kicker: None,
        subtitle: None,
        byline: byline.iter().map(|s| s.to_string()).collect(),
        kind: ArticleKind::News,
        regions: regions.iter().map(|c| region(c)).collect(),
        body: body.to_string(),
    }
}

fn page(source: &str, date: Option<&str>, date_source: DateSource, articles: Vec<Article>) -> Page {
    Page {
        source: source.to_string(),
        encoding: "utf-8".to_string(),
        paper: None,
        date: date.map(|d| d.parse::<NaiveDate>().unwrap()),
        date_source,
        articles,
        warnings: Vec::new(),
    }
}

/// Page 1 extracted right: both articles, with the byline in another order, the second article's
/// county inside the gold prefecture and full-width punctuation and spaces in the body.
fn good_p01() -> Page {
    page(
        "/tmp/dump/p01.txt",
        Some("2021-01-08"),
        DateSource::Masthead,
        vec![
            article(
                Some("新年招聘会　搭建就业路"),
                &["许在诚", "宁文武"],
                &["330182"],
                "本报讯 就业援助 新年招聘会昨日举行。\n\n提供岗位两千余个。",
            ),
            article(
                Some("进商超不戴口罩 将被拒之门外"),
                &["吕蕾"],
                &["330182", "330100"],
                "按照“商场超市防控指南”，请保护自己，保护他人。",
            ),
        ],
    )
}

fn good_p02() -> Page {
    let brief = article(None, &[], &["330182"], "寿昌镇东昌社区居民安居乐业。");
    page("p02.txt", None, DateSource::None, vec![brief])
}

#[test]
fn gold_file_accepts_unknown_fields_and_nulls() {
    let g = gold();
    assert_eq!(g.pages.len(), 2);
    assert_eq!(g.pages[0].date.as_deref(), Some("2021-01-08"));
    assert_eq!(g.pages[1].date, None);
    let a = &g.pages[0].articles[0];
    assert_eq!(a.title_alts.as_ref().map(Vec::len), Some(1));
    assert_eq!(a.byline, ["宁文武", "许在诚"]);
    assert_eq!(g.pages[1].articles[0].title, None);
}

#[test]
fn counts_hits_sorted_bylines_and_prefecture_regions() {
    let r = score(&gold(), &[good_p01(), good_p02()]);
    let s = &r.summary;
    assert_eq!((s.gold, s.pred), (3, 3));
    assert_eq!((s.precision, s.recall, s.f1), (1.0, 1.0, 1.0));
    assert_eq!(s.title_acc, 1.0, "untitled brief is not counted in titles");
    assert_eq!(s.byline_acc, 1.0, "bylines compare as sorted lists");
    assert_eq!(s.region_acc, 1.0, "330182 lies in gold prefecture 3301");
    assert_eq!(s.region_set_recall, 1.0);
    assert_eq!((s.date_acc, s.date_false_claims), (1.0, 0));
    assert_eq!((s.merged, s.split, s.missing_pages), (0, 0, 0));
    assert!(r.pages.iter().all(|p| p.misses.is_empty()));
    assert_eq!(r.pages[0].matched, 2);
}

#[test]
fn a_gold_article_spread_over_two_predictions_is_split() {
    let mut p = good_p01();
    let first = p.articles.remove(0);
    p.articles.insert(
        0,
        article(None, &[], &[], "本报讯 就业援助 新年招聘会昨日举行。"),
    );
    p.articles.insert(
        1,
        Article {
            body: "提供岗位两千余个。".into(),
            ..first
        },
    );
    let r = score(&gold(), &[p, good_p02()]);
    assert_eq!((r.summary.split, r.summary.merged), (1, 0));
    assert_eq!(r.pages[0].matched, 1);
    assert_eq!(r.summary.pred, 4);
    assert_eq!(
        r.pages[0].misses[0].to_string(),
        "miss: 新年招聘会 搭建就业路 就业援助新年招聘会"
    );
    assert_eq!(r.summary.precision, 0.5);
}

#[test]
fn a_prediction_holding_two_gold_articles_is_merged_and_matches_neither() {
    let mut p = good_p01();
    let second = p.articles.pop().unwrap();
    p.articles[0].body.push_str(&format!("\n\n{}", second.body));
    let r = score(&gold(), &[p, good_p02()]);
    assert_eq!(r.summary.merged, 1, "one prediction, counted once");
    assert_eq!(r.pages[0].matched, 0);
    let lines: Vec<String> = r.pages[0].misses.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        lines,
        [
            "merged: 新年招聘会 搭建就业路 into pred #0 新年招聘会\u{3000}搭建就业路",
            "merged: 进商超不戴口罩 将被拒之门外 into pred #0 新年招聘会\u{3000}搭建就业路",
        ]
    );
}

#[test]
fn titles_accept_alternatives_and_kicker_forms_and_report_the_rest() {
    let mut p = good_p01();
    p.articles[0].title = Some("·新年招聘会 搭建就业路".into());
    p.articles[0].kicker = Some("春风行动".into());
    assert_eq!(
        score(&gold(), &[p.clone()]).summary.title_acc,
        1.0,
        "kicker + title is a title_alt"
    );
    p.articles[0].kicker = Some("第二版 社会新闻".into());
    assert_eq!(score(&gold(), &[p.clone()]).summary.title_acc, 0.5);
    p.articles[0].kicker = None;
    p.articles[0].title = Some("春风行动".into());
    p.articles[0].subtitle = Some("·新年招聘会 搭建就业路".into());
    assert_eq!(
        score(&gold(), &[p.clone()]).summary.title_acc,
        1.0,
        "title + subtitle"
    );
    p.articles[0].subtitle = None;
    let r = score(&gold(), &[p]);
    assert_eq!(
        r.pages[0].misses[0].to_string(),
        "title: want '新年招聘会 搭建就业路' got None/'春风行动'/None"
    );
}

#[test]
fn wrong_byline_and_region_are_reported_as_score_py_words_them() {
    let mut p = good_p01();
    p.articles[0].byline = vec!["建平".into()];
    p.articles[0].regions = vec![region("330100")];
    p.articles[1].regions = vec![region("331000")];
    let r = score(&gold(), &[p]);
    let lines: Vec<String> = r.pages[0].misses.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        lines,
        [
            "byline: want ['宁文武', '许在诚'] got ['建平']",
            "region: want ['330182'] got ['330100'] (新年招聘会\u{3000}搭建就业路)",
            "region: want ['3301'] got ['331000'] (进商超不戴口罩 将被拒之门外)",
        ]
    );
    assert_eq!((r.summary.byline_acc, r.summary.region_acc), (0.5, 0.0));
}

#[test]
fn a_date_on_a_page_that_prints_none_is_a_false_claim_only_from_the_masthead() {
    let mut p2 = good_p02();
    p2.date = Some(NaiveDate::from_ymd_opt(2021, 1, 9).unwrap());
    p2.date_source = DateSource::Inferred;
    assert_eq!(
        score(&gold(), &[good_p01(), p2.clone()])
            .summary
            .date_false_claims,
        0
    );
    p2.date_source = DateSource::Masthead;
    let r = score(&gold(), &[good_p01(), p2]);
    assert_eq!(r.summary.date_false_claims, 1);
    assert_eq!(
        r.summary.date_acc, 1.0,
        "only pages that print a date count in date_acc"
    );
}

#[test]
fn a_wrong_printed_date_names_its_source() {
    let mut p1 = good_p01();
    p1.date = None;
    p1.date_source = DateSource::None;
    let r = score(&gold(), &[p1]);
    assert_eq!(
        r.pages[0].misses[0].to_string(),
        "date: want 2021-01-08 got None (none)"
    );
    assert_eq!(r.summary.date_acc, 0.0);
}

#[test]
fn primary_any_is_one_place_and_other_regions_are_more() {
    let mut g = gold();
    let a = &mut g.pages[0].articles[0];
    a.regions = vec!["330182".into(), "330183".into(), "330100".into()];
    a.primary_any = Some(vec!["330183".into(), "330182".into()]);
    let mut p = good_p01();
    p.articles[0].regions = vec![region("330183")];
    let r = score(&g, &[p, good_p02()]);
    // Places: {330183, 330182} found, 330100 not; article 2: 3301 found; brief: 330182 found.
    assert_eq!(r.summary.region_acc, 1.0);
    assert_eq!(r.summary.region_set_recall, 0.75);
}

#[test]
fn empty_bodies_are_ignored_and_missing_pages_count_in_recall() {
    let mut p = good_p01();
    p.articles.push(article(Some("A1 要闻"), &[], &[], " \n**"));
    let r = score(&gold(), &[p]);
    let s = &r.summary;
    assert_eq!((s.pred, s.gold, s.missing_pages), (2, 3, 1));
    assert_eq!((s.precision, s.recall, s.f1), (1.0, 0.667, 0.8));
    assert_eq!(r.pages[1].pred, None);
}

#[test]
fn renders_the_text_score_py_prints() {
    let mut p = good_p01();
    p.articles[0].byline.clear();
    let r = score(&gold(), &[p]);
    let summary = "SUMMARY {\"precision\": 1.0, \"recall\": 0.667, \"f1\": 0.8, \"title_acc\": 1.0, \
        \"byline_acc\": 0.5, \"region_acc\": 1.0, \"region_set_recall\": 1.0, \"date_acc\": 1.0, \
        \"date_false_claims\": 0, \"merged\": 0, \"split\": 0, \"missing_pages\": 1, \"gold\": 3, \"pred\": 2}\n";
    assert_eq!(
        r.to_text(false),
        format!("p01.txt: gold 2 pred 2 matched 2\np02.txt: NO PREDICTION\n{summary}")
    );
    assert_eq!(
        r.to_text(true),
        format!(
            "  byline: want ['宁文武', '许在诚'] got []\n\
             p01.txt: gold 2 pred 2 matched 2\np02.txt: NO PREDICTION\n{summary}"
        )
    );
}

#[test]
fn rounds_as_python_does() {
    assert_eq!(round3(1.0 / 16.0), 0.062, "ties go to even");
    assert_eq!(round3(3.0 / 16.0), 0.188);
    assert_eq!(round3(2.0 / 3.0), 0.667);
    let s = Summary {
        precision: 0.0,
        recall: 0.062,
        f1: 0.1,
        ..score(&GoldFile::default(), &[]).summary
    };
    assert!(s
        .to_python_json()
        .starts_with("{\"precision\": 0.0, \"recall\": 0.062, \"f1\": 0.1, "));
}

#[test]
fn serialises_misses_with_their_kind() {
    let r = score(&gold(), &[good_p01()]);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["summary"]["missing_pages"], 1);
    assert_eq!(v["pages"][1]["pred"], serde_json::Value::Null);
    let mut p = good_p01();
    p.articles[1].byline.clear();
    let v = serde_json::to_value(score(&gold(), &[p])).unwrap();
    assert_eq!(v["pages"][0]["misses"][0]["kind"], "byline");
    assert_eq!(v["pages"][0]["misses"][0]["want"][0], "吕蕾");
}

#[test]
fn the_pages_of_a_pdf_count_together_for_its_gold_page() {
    // p01.pdf came out as two pages: one article on each.
    let mut first = good_p01();
    first.source = "/tmp/pdf/p01.pdf#p1".to_string();
    let second_article = first.articles.pop().unwrap();
    let second = page(
        "/tmp/pdf/p01.pdf#p2",
        None,
        DateSource::None,
        vec![second_article],
    );
    // Another file's page (`p011.pdf#p1`) is not p01's.
    let other = page("/tmp/pdf/p011.pdf#p1", None, DateSource::None, Vec::new());
    let r = score(&gold(), &[first, second, other]);
    assert_eq!(r.pages[0].pred, Some(2));
    assert_eq!(r.pages[0].matched, 2);
    assert_eq!((r.summary.date_acc, r.summary.missing_pages), (1.0, 1));
}
