//! The XY cut on pages set by hand.

use super::super::testing::{column, set, set_vertical, sheet};
use super::super::Rect;
use super::*;

#[test]
fn a_headline_over_columns_reaching_past_it_is_read_first() {
    // The byline's column starts left of the centred headline, just below its bottom.
    let mut g = Vec::new();
    set(&mut g, "新城新景写未来", 200.0, 20.0, 24.0, true);
    set(&mut g, "本报记者张三", 20.0, 50.0, 10.0, false);
    column(&mut g, &"甲".repeat(40), 20.0, 66.0, 10);
    column(&mut g, &"乙".repeat(40), 140.0, 50.0, 10);
    column(&mut g, &"丙".repeat(40), 260.0, 50.0, 10);
    let lines = read(&sheet(g, vec![]));
    assert_eq!(lines[0].text, "新城新景写未来");
    assert_eq!(lines[1].text, "本报记者张三");
    assert!(lines[2].text.starts_with('甲'), "{:?}", lines[2].text);
}

#[test]
fn columns_are_read_one_after_the_other_under_a_spanning_headline() {
    let mut g = Vec::new();
    set(&mut g, "大桥通车了", 100.0, 20.0, 24.0, true);
    column(
        &mut g,
        "甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲",
        20.0,
        60.0,
        10,
    );
    column(
        &mut g,
        "乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙",
        130.0,
        60.0,
        10,
    );
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "大桥通车了",
            "甲甲甲甲甲甲甲甲甲甲",
            "甲甲甲甲甲甲甲甲甲甲",
            "乙乙乙乙乙乙乙乙乙乙",
            "乙乙乙乙乙乙乙乙乙乙"
        ]
    );
    assert_eq!(lines[0].size, 24.0);
    assert!(lines[0].bold && !lines[1].bold);
    assert!(lines[3].gap_before && !lines[2].gap_before);
}

#[test]
fn a_headline_with_a_wide_space_stays_one_line() {
    let mut g = Vec::new();
    set(&mut g, "不把污泥浊水", 20.0, 20.0, 20.0, true);
    set(&mut g, "带入全面小康", 160.0, 20.0, 20.0, true);
    column(
        &mut g,
        "正文正文正文正文正文正文正文正文正文正文正文正文正文正文",
        20.0,
        60.0,
        28,
    );
    let lines = read(&sheet(g, vec![]));
    assert_eq!(lines[0].text, "不把污泥浊水 带入全面小康");
    assert_eq!(lines.len(), 2);
}

#[test]
fn a_picture_stands_where_it_is_in_reading_order() {
    let mut g = Vec::new();
    set(&mut g, "张三 摄", 60.0, 130.0, 10.0, false);
    set(&mut g, "亚星桥上", 20.0, 150.0, 18.0, true);
    column(&mut g, "图片说明图片说明图片说明。", 20.0, 180.0, 13);
    let pic = Rect {
        x0: 20.0,
        y0: 20.0,
        x1: 150.0,
        y1: 120.0,
    };
    let lines = read(&sheet(g, vec![pic]));
    assert!(lines[0].picture);
    let texts: Vec<&str> = lines[1..].iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["张三 摄", "亚星桥上", "图片说明图片说明图片说明。"]);
}

#[test]
fn the_body_size_is_the_most_common_size() {
    let mut g = Vec::new();
    set(&mut g, "大标题", 0.0, 0.0, 30.0, true);
    set(&mut g, "正文正文正文", 0.0, 40.0, 10.0, false);
    assert_eq!(body_size(&g), 10.0);
}

#[test]
fn columns_set_close_under_a_picture_across_them_are_read_one_after_the_other() {
    let mut g = Vec::new();
    // The picture spans both columns; the text starts 3 pt under it, less than a gap
    // between bands of text.
    column(&mut g, &"甲".repeat(30), 20.0, 123.0, 10);
    column(&mut g, &"乙".repeat(30), 135.0, 123.0, 10);
    let pic = Rect {
        x0: 20.0,
        y0: 20.0,
        x1: 235.0,
        y1: 120.0,
    };
    let lines = read(&sheet(g, vec![pic]));
    assert!(lines[0].picture);
    let texts: Vec<&str> = lines[1..].iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "甲甲甲甲甲甲甲甲甲甲",
            "甲甲甲甲甲甲甲甲甲甲",
            "甲甲甲甲甲甲甲甲甲甲",
            "乙乙乙乙乙乙乙乙乙乙",
            "乙乙乙乙乙乙乙乙乙乙",
            "乙乙乙乙乙乙乙乙乙乙",
        ]
    );
}

#[test]
fn a_headline_ending_in_a_quote_leaves_the_gutter_beside_it_open() {
    let mut g = Vec::new();
    // The closing quote's em box reaches to 4 pt from the next column; its ink stops half
    // an em earlier.
    set(&mut g, "“小报”", 48.0, 40.0, 20.0, true);
    set(&mut g, "有了小组", 20.0, 62.0, 20.0, true);
    column(&mut g, &"甲".repeat(30), 20.0, 90.0, 10);
    column(&mut g, &"乙".repeat(60), 132.0, 40.0, 10);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts[0], "“小报”");
    assert_eq!(texts[1], "有了小组");
    assert!(texts[2].starts_with('甲'), "{texts:?}");
    assert!(
        texts
            .iter()
            .all(|t| !(t.contains('甲') && t.contains('乙'))),
        "{texts:?}"
    );
}

#[test]
fn a_closing_quote_hung_past_the_column_edge_does_not_bridge_the_gutter() {
    let mut g = Vec::new();
    column(&mut g, &"甲".repeat(20), 20.0, 40.0, 10);
    // Its third line ends in a closing quote set past the column's right edge.
    set(&mut g, "甲甲甲甲甲甲甲“荡云”", 20.0, 69.0, 10.0, false);
    column(&mut g, &"甲".repeat(20), 20.0, 83.5, 10);
    column(&mut g, &"乙".repeat(60), 137.0, 40.0, 10);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert!(
        texts
            .iter()
            .all(|t| !(t.contains('甲') && t.contains('乙'))),
        "{texts:?}"
    );
    assert_eq!(texts[2], "甲甲甲甲甲甲甲“荡云”");
    assert!(texts[5].starts_with('乙'), "{texts:?}");
}

#[test]
fn a_lone_character_past_a_wide_space_stays_in_its_headline() {
    let mut g = Vec::new();
    // `第四十五期　寿` wrapped over `光人在青岛`, the text under it wider than the headline.
    set(&mut g, "第四十五期", 20.0, 40.0, 20.0, true);
    set(&mut g, "寿", 145.0, 40.0, 20.0, true);
    set(&mut g, "光人在青岛", 20.0, 65.0, 20.0, true);
    set(&mut g, "本报记者 慧茗", 60.0, 91.5, 10.0, false);
    column(&mut g, &"甲".repeat(45), 20.0, 110.0, 15);
    // Another story's column beside it.
    column(&mut g, &"乙".repeat(60), 200.0, 40.0, 10);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts[..2], ["第四十五期 寿", "光人在青岛"], "{texts:?}");
    assert!(texts[3].starts_with('甲'), "{texts:?}");
}

#[test]
fn photo_items_side_by_side_are_read_one_after_the_other() {
    let mut g = Vec::new();
    set(&mut g, "坚守岗位", 20.0, 40.0, 20.0, true);
    set(&mut g, "改善环境", 160.0, 40.0, 20.0, true);
    column(&mut g, &"甲".repeat(24), 20.0, 173.0, 12);
    column(&mut g, &"乙".repeat(24), 160.0, 173.0, 12);
    let left = Rect {
        x0: 20.0,
        y0: 66.0,
        x1: 140.0,
        y1: 170.0,
    };
    let right = Rect { x0: 160.0, ..left };
    let right = Rect { x1: 280.0, ..right };
    let lines = read(&sheet(g, vec![left, right]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let at = |p: &dyn Fn(&str) -> bool| texts.iter().position(|t| p(t)).unwrap();
    let (first, its_caption) = (at(&|t| t == "坚守岗位"), at(&|t| t.starts_with('甲')));
    let (second, caption) = (at(&|t| t == "改善环境"), at(&|t| t.starts_with('乙')));
    assert!(
        first < its_caption && its_caption < second && second < caption,
        "{texts:?}"
    );
}

#[test]
fn a_story_under_another_on_its_column_grid_is_read_after_it_whatever_the_gap() {
    // Two stories over the same two columns, the second's headline less than a line's height
    // under the first's last lines, its text in the second column level with its headline.
    let mut g = Vec::new();
    set(&mut g, "甲报道", 140.0, 20.0, 24.0, true);
    column(&mut g, &"甲".repeat(80), 140.0, 50.0, 10);
    column(&mut g, &"甲".repeat(80), 260.0, 50.0, 10);
    let b_top = 50.0 + 7.0 * 14.5 + 10.0 + 8.0;
    set(&mut g, "乙消息", 140.0, b_top, 24.0, true);
    column(&mut g, &"乙".repeat(60), 140.0, b_top + 30.0, 10);
    column(&mut g, &"乙".repeat(80), 260.0, b_top, 10);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let head_b = texts.iter().position(|t| *t == "乙消息").unwrap();
    assert_eq!(texts[0], "甲报道");
    assert!(
        texts[1..head_b].iter().all(|t| t.starts_with('甲')),
        "{texts:?}"
    );
    assert_eq!(texts[1..head_b].len(), 16, "{texts:?}");
    assert!(
        texts[head_b + 1..].iter().all(|t| t.starts_with('乙')),
        "{texts:?}"
    );
}

#[test]
fn a_headline_right_over_the_gap_stays_with_what_is_under_it() {
    // Left: a story's last lines over a slogan in display type; right: a photo item's
    // headline right over its caption, level with the slogan.
    let mut g = Vec::new();
    column(&mut g, &"甲".repeat(80), 20.0, 50.0, 10);
    let under = 50.0 + 7.0 * 14.5 + 10.0 + 8.0;
    set(&mut g, "垃圾分类", 20.0, under, 20.0, true);
    set(&mut g, "乙标题", 160.0, under - 30.0, 20.0, true);
    column(&mut g, &"乙".repeat(40), 160.0, under, 10);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let head = texts.iter().position(|t| *t == "乙标题").unwrap();
    assert!(texts[head + 1].starts_with('乙'), "{texts:?}");
}

#[test]
fn headlines_side_by_side_in_sizes_of_their_own_stay_apart_where_a_quote_touches() {
    let mut g = Vec::new();
    // The left headline runs past its column, its closing quote up to the right headline's
    // first character; each is set in a size of its own.
    set(&mut g, "“计连松小报”", 20.0, 40.0, 24.0, true);
    set(&mut g, "不把污泥", 188.4, 40.0, 23.0, true);
    column(&mut g, &"甲".repeat(40), 20.0, 68.0, 12);
    column(&mut g, &"乙".repeat(40), 188.4, 68.0, 12);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts[0], "“计连松小报”", "{texts:?}");
    assert!(texts[1].starts_with('甲'), "{texts:?}");
    assert!(texts.contains(&"不把污泥"), "{texts:?}");
}

#[test]
fn a_headline_whose_space_falls_on_the_gutter_is_read_whole_before_its_columns() {
    let mut g = Vec::new();
    // `第四十五期 寿光人在青` over `岛`, its space on the gutter between the story's two
    // columns.
    set(&mut g, "第四十五期 寿光人在青", 20.0, 40.0, 25.0, true);
    set(&mut g, "岛", 20.0, 70.0, 25.0, true);
    set(&mut g, "本报记者 慧茗", 20.0, 102.0, 10.0, false);
    column(&mut g, &"甲".repeat(60), 20.0, 120.0, 14);
    column(&mut g, &"乙".repeat(60), 170.0, 102.0, 14);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts[..3],
        ["第四十五期 寿光人在青", "岛", "本报记者 慧茗"],
        "{texts:?}"
    );
    let first_yi = texts.iter().position(|t| t.starts_with('乙'));
    let last_jia = texts.iter().rposition(|t| t.starts_with('甲'));
    assert!(last_jia < first_yi, "{texts:?}");
}

#[test]
fn headlines_level_over_a_gutter_with_no_space_between_stay_apart() {
    let mut g = Vec::new();
    // The same geometry with no space set between the parts: two stories side by side.
    set(&mut g, "第四十五期", 20.0, 40.0, 25.0, true);
    set(&mut g, "寿光人在青", 170.0, 40.0, 25.0, true);
    set(&mut g, "岛", 20.0, 70.0, 25.0, true);
    column(&mut g, &"甲".repeat(60), 20.0, 102.0, 14);
    column(&mut g, &"乙".repeat(60), 170.0, 102.0, 14);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts[..3],
        ["第四十五期", "岛", "甲".repeat(14).as_str()],
        "{texts:?}"
    );
}

#[test]
fn a_byline_over_two_columns_under_the_headline_is_read_before_them() {
    let mut g = Vec::new();
    set(
        &mut g,
        "一展尽览嵊州之美推介活动完美落幕",
        20.0,
        40.0,
        25.0,
        true,
    );
    // Set to the right, from the middle of the second column into the third (its words a
    // narrow space apart: one run).
    set(&mut g, "作者：文字胡吉摄影马玉龙", 250.0, 72.0, 10.0, false);
    column(&mut g, &"甲".repeat(56), 20.0, 88.0, 14);
    column(&mut g, &"乙".repeat(56), 170.0, 88.0, 14);
    column(&mut g, &"丙".repeat(56), 320.0, 88.0, 14);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts[1], "作者：文字胡吉摄影马玉龙", "{texts:?}");
    assert!(texts[2].starts_with('甲'), "{texts:?}");
    assert!(
        texts.last().is_some_and(|t| t.starts_with('丙')),
        "{texts:?}"
    );
}

#[test]
fn a_vertical_headlines_unmapped_marks_are_its_quotes() {
    let mut g = Vec::new();
    // `台风“罗莎”过后` set top to bottom, its quote marks' vertical forms mapped to nothing.
    set_vertical(&mut g, "台风\u{fffd}罗莎\u{fffd}过后", 300.0, 40.0, 24.0);
    column(&mut g, &"甲".repeat(60), 20.0, 40.0, 12);
    column(&mut g, &"乙".repeat(60), 160.0, 40.0, 12);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts[0], "台风“罗莎”过后", "{texts:?}");
}

#[test]
fn a_vertical_headline_is_measured_from_the_ink_of_its_end_marks() {
    let run = Run {
        rect: Rect {
            x0: 300.0,
            y0: 100.0,
            x1: 324.0,
            y1: 220.0,
        },
        size: 24.0,
        bold: 5,
        chars: 5,
        text: "\u{fffd}回家路\u{fffd}".to_string(),
        picture: false,
        vertical: true,
    };
    let out = unmapped_in_headlines(vec![run]);
    assert_eq!(out[0].text, "“回家路”");
    assert_eq!((out[0].rect.y0, out[0].rect.y1), (112.0, 208.0));
}

#[test]
fn a_headline_stranded_at_the_foot_of_a_band_heads_the_text_under_it() {
    // Left: a story, then the headline of the next one at the column's foot; right: a story
    // running down level with that headline. A gap across the page parts the headline from its
    // own text, which goes on under it beside a brief.
    let mut g = Vec::new();
    set(&mut g, "老街换新颜", 20.0, 20.0, 20.0, true);
    column(&mut g, &"甲".repeat(100), 20.0, 50.0, 10);
    set(&mut g, "夜市开张了", 20.0, 214.0, 20.0, true);
    set(&mut g, "小河变清了", 140.0, 20.0, 20.0, true);
    column(&mut g, &"乙".repeat(130), 140.0, 50.0, 10);
    column(&mut g, &"丙".repeat(50), 20.0, 245.0, 10);
    set(&mut g, "新书上架", 140.0, 245.0, 20.0, true);
    column(&mut g, &"丁".repeat(30), 140.0, 275.0, 10);
    let lines = read(&sheet(g, vec![]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let at = |t: &str| texts.iter().position(|&x| x == t).unwrap();
    let last_yi = texts.iter().rposition(|t| t.starts_with('乙')).unwrap();
    let first_bing = texts.iter().position(|t| t.starts_with('丙')).unwrap();
    assert!(at("夜市开张了") > last_yi, "{texts:?}");
    assert_eq!(at("夜市开张了") + 1, first_bing, "{texts:?}");
    assert!(at("新书上架") > first_bing, "{texts:?}");
}

#[test]
fn a_headline_beside_its_story_at_a_bands_foot_stays_in_its_band() {
    // A headline set to the left of its own text, level with its top, ending at the band's
    // foot, with a picture well under it: it heads the text beside it, not the picture.
    let mut g = Vec::new();
    set(&mut g, "老街换新颜", 20.0, 20.0, 20.0, true);
    column(&mut g, &"甲".repeat(60), 20.0, 50.0, 10);
    set(&mut g, "夜市", 20.0, 150.0, 20.0, true);
    set(&mut g, "开张了", 20.0, 174.0, 20.0, true);
    column(&mut g, &"乙".repeat(40), 140.0, 150.0, 10);
    let pic = Rect {
        x0: 20.0,
        y0: 220.0,
        x1: 240.0,
        y1: 320.0,
    };
    let lines = read(&sheet(g, vec![pic]));
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let head = texts.iter().position(|&x| x == "开张了").unwrap();
    let first_yi = texts.iter().position(|t| t.starts_with('乙')).unwrap();
    assert_eq!(head + 1, first_yi, "{texts:?}");
}
