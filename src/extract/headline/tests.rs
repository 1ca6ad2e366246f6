//! Headline resolution and attachment on small cases written for each.

use super::*;

fn hl(text: &str, level: Option<u8>) -> HeadLine {
    HeadLine {
        text: text.into(),
        level,
        blank_before: false,
    }
}

#[test]
fn a_lone_quotation_mark_between_headline_parts_is_their_gap() {
    let h = resolve(&[hl("芒种将至”农事忙", None)]);
    assert_eq!(h.title.as_deref(), Some("芒种将至 农事忙"));
    let h = resolve(&[hl("“乱石岗”上开出新花", None)]);
    assert_eq!(h.title.as_deref(), Some("“乱石岗”上开出新花"));
    // The space OCR kept beside the mark, and an empty pair, are the same gap.
    let h = resolve(&[hl("老街换新 ”来到身边", None)]);
    assert_eq!(h.title.as_deref(), Some("老街换新 来到身边"));
    let h = resolve(&[hl("溪水变清“”带动乡村", None)]);
    assert_eq!(h.title.as_deref(), Some("溪水变清 带动乡村"));
    let h = resolve(&[hl("“两山”理念 ”落地生根", None)]);
    assert_eq!(h.title.as_deref(), Some("“两山”理念 ”落地生根"));
}

#[test]
fn a_jump_marker_read_onto_a_headline_line_is_no_part_of_the_title() {
    let h = resolve(&[hl("(下转第2版) 老街换新 来到身边", None)]);
    assert_eq!(h.title.as_deref(), Some("老街换新 来到身边"));
    let h = resolve(&[hl("雨后展新颜（下转第二版）", None)]);
    assert_eq!(h.title.as_deref(), Some("雨后展新颜"));
}

#[test]
fn a_headline_wrapped_in_a_narrow_column_is_one_title() {
    let h = resolve(&[hl("安徽作家", None), hl("赴山区采", None), hl("风", None)]);
    assert_eq!(h.title.as_deref(), Some("安徽作家赴山区采风"));
    assert_eq!((h.kicker, h.subtitle), (None, None));
    // Lines of different widths stay kicker, title and subtitle.
    let h = resolve(&[
        hl("春风里", None),
        hl("大桥今天正式通车", None),
        hl("两岸市民", None),
    ]);
    assert_eq!(h.title.as_deref(), Some("大桥今天正式通车"));
}

/// A wrap inside a word (`进` / `展`) joins two lines into one title, whatever their count; a
/// kicker over its title, ending on a phrase, stays apart.
#[test]
fn a_headline_line_wrapped_inside_a_word_goes_on_in_the_next() {
    let h = resolve(&[hl("秋粮收购工作进", None), hl("展顺利", None)]);
    assert_eq!(h.title.as_deref(), Some("秋粮收购工作进展顺利"));
    assert_eq!((h.kicker, h.subtitle), (None, None));
    let h = resolve(&[
        hl("走基层 看变化", None),
        hl("城南老街换新面", None),
        hl("貌", None),
    ]);
    assert_eq!(h.kicker.as_deref(), Some("走基层 看变化"));
    assert_eq!(h.title.as_deref(), Some("城南老街换新面貌"));
    let h = resolve(&[hl("春风里", None), hl("大桥今天通车", None)]);
    assert_eq!(
        (h.kicker.as_deref(), h.title.as_deref()),
        (Some("春风里"), Some("大桥今天通车"))
    );
}

/// A headline in two parts wrapped inside a word of its first part: the line under it opens
/// with the one character that finishes the word, then the gap; the third line finishes the
/// second part. One title; a kicker over a two-part title stays apart.
#[test]
fn a_two_part_headline_wrapped_inside_words_is_one_title() {
    let h = resolve(&[
        hl("全面推进乡村振兴战", None),
        hl("略 建设美丽宜居新", None),
        hl("乡村", None),
    ]);
    assert_eq!(
        h.title.as_deref(),
        Some("全面推进乡村振兴战略 建设美丽宜居新乡村")
    );
    assert_eq!((h.kicker, h.subtitle), (None, None));
    let h = resolve(&[hl("春风里", None), hl("大桥通车 两岸相连", None)]);
    assert_eq!(
        (h.kicker.as_deref(), h.title.as_deref()),
        (Some("春风里"), Some("大桥通车 两岸相连"))
    );
}

#[test]
fn latin_specks_before_an_ocr_headline_are_dropped() {
    let h = resolve(&[hl("Ph Ri 坚守岗位保洁净", None)]);
    assert_eq!(h.title.as_deref(), Some("坚守岗位保洁净"));
    let h = resolve(&[hl("G20 峰会今天开幕", None)]);
    assert_eq!(h.title.as_deref(), Some("G20 峰会今天开幕"));
}

#[test]
fn a_jump_marker_among_headline_lines_is_none_of_them() {
    let h = resolve(&[hl("(下转第七版)", None), hl("大桥今天通车", None)]);
    assert_eq!((h.kicker, h.title.as_deref()), (None, Some("大桥今天通车")));
}

#[test]
fn markdown_levels_rank_kicker_title_subtitle() {
    let h = resolve(&[
        hl("张三在调研时强调", Some(2)),
        hl("扎实推进共同富裕", Some(1)),
        hl("基层干部聆听党课", None),
    ]);
    assert_eq!(h.kicker.as_deref(), Some("张三在调研时强调"));
    assert_eq!(h.title.as_deref(), Some("扎实推进共同富裕"));
    assert_eq!(h.subtitle.as_deref(), Some("基层干部聆听党课"));
}

#[test]
fn headings_of_one_level_are_ranked_like_plain_lines() {
    let h = resolve(&[
        hl("赵六在调研时强调", Some(2)),
        hl("扎实推进共同富裕", Some(2)),
    ]);
    assert_eq!(h.kicker.as_deref(), Some("赵六在调研时强调"));
    assert_eq!(h.title.as_deref(), Some("扎实推进共同富裕"));
}

#[test]
fn plain_lines_kicker_by_speech_verb_and_longer_title() {
    let h = resolve(&[
        hl("李四在全区会议上强调", None),
        hl("从严从紧 坚决打赢", None),
    ]);
    assert_eq!(
        (h.kicker.as_deref(), h.title.as_deref()),
        (Some("李四在全区会议上强调"), Some("从严从紧 坚决打赢"))
    );
    let h = resolve(&[
        hl("携手同心 领潮时尚", None),
        hl("服装一条街成立红色联建圈", None),
    ]);
    assert_eq!(h.title.as_deref(), Some("服装一条街成立红色联建圈"));
    let h = resolve(&[hl("一堂党课", None), hl("——老书记讲述奋斗历程", None)]);
    assert_eq!(
        (h.title.as_deref(), h.subtitle.as_deref()),
        (Some("一堂党课"), Some("老书记讲述奋斗历程"))
    );
}

#[test]
fn one_line_kicker_and_title_are_split_and_ocr_dash_repaired() {
    let h = resolve(&[hl("王五在部署工作时强调 紧张起来 严格起来", Some(3))]);
    assert_eq!(h.kicker.as_deref(), Some("王五在部署工作时强调"));
    assert_eq!(h.title.as_deref(), Some("紧张起来 严格起来"));
    assert_eq!(
        resolve(&[hl("-堂生动党课", Some(1))]).title.as_deref(),
        Some("一堂生动党课")
    );
}

fn draft(body: &str) -> Draft {
    Draft {
        paras: vec![body.into()],
        ..Draft::default()
    }
}

#[test]
fn a_group_between_two_bodies_is_split_by_shared_words() {
    let items = vec![
        Item::Article(draft("区里推进平安建设，让城市更安全，市民更满意。")),
        Item::Group(vec![
            hl("让城市更安全市民更满意", None),
            hl("以演促防", None),
        ]),
        Item::Article(draft("前进街道开展核酸检测应急演练，以“演”促“防”。")),
    ];
    let d = attach(items);
    assert_eq!(d[0].head[0].text, "让城市更安全市民更满意");
    assert_eq!(d[1].head[0].text, "以演促防");
}

#[test]
fn a_headline_at_the_page_end_goes_to_the_untitled_article_it_describes() {
    let items = vec![
        Item::Group(vec![hl("防欠薪工作部署会召开", None)]),
        Item::Article(draft("我市召开防欠薪工作部署会。")),
        Item::Article(draft("东昌社区建设智慧安防小区，居民刷脸进出。")),
        Item::Group(vec![hl("东昌社区建设智慧安防小区", None)]),
    ];
    let d = attach(items);
    assert_eq!(d[0].head[0].text, "防欠薪工作部署会召开");
    assert_eq!(d[1].head[0].text, "东昌社区建设智慧安防小区");
}

#[test]
fn on_a_page_of_headlines_below_bodies_the_last_group_is_the_last_articles() {
    let items = vec![
        Item::Article(draft("区教育局召开全区教育工作会议。")),
        Item::Group(vec![hl("全区教育工作会议召开", None)]),
        Item::Article(draft("区卫健局联合多部门开展检查。")),
        Item::Group(vec![hl("守护群众舌尖安全", None)]),
    ];
    let d = attach(items);
    assert_eq!(d[0].head[0].text, "全区教育工作会议召开");
    assert_eq!(d[1].head[0].text, "守护群众舌尖安全");
}

#[test]
fn two_headlines_at_the_page_end_go_to_their_own_articles() {
    let items = vec![
        Item::Group(vec![hl("全区教育工作会议召开", None)]),
        Item::Article(draft("区教育局召开全区教育工作会议。")),
        Item::Article(draft("东昌社区建设智慧安防小区，居民刷脸进出。")),
        Item::Article(draft("白杨街道组织企业开展消防演练。")),
        Item::Group(vec![
            hl("东昌社区建设智慧安防小区", None),
            hl("白杨街道开展消防演练", None),
        ]),
    ];
    let d = attach(items);
    assert_eq!(d[1].head[0].text, "东昌社区建设智慧安防小区");
    assert_eq!(d[2].head[0].text, "白杨街道开展消防演练");
}

#[test]
fn a_headline_unlike_any_untitled_body_is_dropped() {
    let items = vec![
        Item::Group(vec![hl("甲", None)]),
        Item::Article(draft("正文一。")),
        Item::Group(vec![hl("讲文明树新风公益口号", None)]),
    ];
    let d = attach(items);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].head.len(), 1);
}

fn after_blank(text: &str) -> HeadLine {
    HeadLine {
        blank_before: true,
        ..hl(text, None)
    }
}

#[test]
fn a_wrapped_two_part_headline_read_as_two_blocks_is_one_line_again() {
    // `老街换新 焕然` over `一新`, read as the first part with the tail under it, then the
    // second part after a blank line.
    let h = resolve(&[hl("老街换新", None), hl("一新", None), after_blank("焕然")]);
    assert_eq!(h.title.as_deref(), Some("老街换新 焕然一新"));
    assert_eq!((h.kicker, h.subtitle), (None, None));
    let h = resolve(&[
        hl("茶园喜获丰收", None),
        hl("年", None),
        after_blank("迎来好"),
    ]);
    assert_eq!(h.title.as_deref(), Some("茶园喜获丰收 迎来好年"));
    // A wide line: the tail finishes the word the second part ends on (`推` + `动`).
    let h = resolve(&[
        hl("【代表风采】李明：守护青山绿水", None),
        hl("动乡村振兴", None),
        after_blank("推"),
    ]);
    assert_eq!(
        h.title.as_deref(),
        Some("【代表风采】李明：守护青山绿水 推动乡村振兴")
    );
}

#[test]
fn lines_that_only_look_like_parts_read_apart_stay_as_they_are() {
    // The short line finishes the word its line ends on: that line's own wrap, joined to it
    // (`wrapped_words`), the part after the blank line no part of it.
    let lines = [
        hl("春耕正当", None),
        hl("时", None),
        after_blank("银杏长青"),
    ];
    let h = resolve(&lines);
    assert_eq!(h.title.as_deref(), Some("春耕正当时"));
    assert_eq!(h.subtitle.as_deref(), Some("银杏长青"));
    // No blank line before the third: three lines of one block.
    let lines = [hl("老街换新", None), hl("一新", None), hl("焕然", None)];
    assert_eq!(resolve(&lines).title.as_deref(), Some("一新"));
    // Too wide to have shared a line in a narrow column.
    let lines = [
        hl("全县干部群众学习会议精神", None),
        hl("访谈", None),
        after_blank("扛牢担当"),
    ];
    assert_eq!(resolve(&lines).title.as_deref(), Some("访谈"));
}

#[test]
fn a_headline_at_the_page_foot_takes_the_story_printed_over_it() {
    // A box at the page's foot: its story read on after the story over it, its headline (a
    // section head read into the group) last.
    let mut first = draft("本报讯 今天上午，城南大桥正式通车。");
    first.head = vec![hl("城南大桥通车", None)];
    first.paras.push("据悉，大桥全长八百米。".into());
    first
        .paras
        .push("10月9日，台风“海燕”过境后，县城菜价稳中略升。".into());
    first.paras.push("蔬菜供应基本稳定，河鲜价格略涨。".into());
    let items = vec![
        Item::Article(first),
        Item::Group(vec![hl("菜价：稳中有升", None), hl("台风过后菜价稳", None)]),
    ];
    let d = attach(items);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(
        d[0].paras,
        [
            "本报讯 今天上午，城南大桥正式通车。",
            "据悉，大桥全长八百米。"
        ]
    );
    assert_eq!(
        d[1].head.last().map(|h| h.text.as_str()),
        Some("台风过后菜价稳")
    );
    assert_eq!(d[1].paras.len(), 2);
    // Without the story's words under it, the headline stays where it was put.
    let mut other = draft("本报讯 今天上午，城南大桥正式通车。");
    other.head = vec![hl("城南大桥通车", None)];
    other.paras.push("10月9日，新校开学。".into());
    let d = attach(vec![
        Item::Article(other),
        Item::Group(vec![hl("台风过后菜价稳", None)]),
    ]);
    assert_eq!(d.len(), 1);
}

#[test]
fn the_credit_over_a_foot_headline_goes_with_the_story_cut_off() {
    let page = "城南大桥通车\n\n本报讯（记者 王一）今天上午，城南大桥正式通车。\n\n据悉，大桥全长八百米。\n\n10月9日，台风“海燕”过境后，县城菜价稳中略升。\n\n蔬菜供应基本稳定，河鲜价格略涨。\n\n记者 李二\n\n台风过后菜价稳\n";
    let units = crate::extract::layout::units(page);
    let d = attach(crate::extract::segment::segment(&units));
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(d[0].byline, ["王一"]);
    assert_eq!(d[1].byline, ["李二"]);
    assert_eq!(
        d[1].head.last().map(|h| h.text.as_str()),
        Some("台风过后菜价稳")
    );
}

#[test]
fn a_headline_with_its_byline_and_no_text_heads_the_untitled_story_sharing_its_words() {
    let credited = |name: &str| Draft {
        byline: vec![name.to_string()],
        reporter: true,
        ..Draft::default()
    };
    let mut titled = draft("白杨街道组织企业开展消防演练。");
    titled.head = vec![hl("白杨街道开展消防演练", None)];
    let items = vec![
        Item::Article(draft(
            "东昌社区建设智慧安防小区，居民刷脸进出，安防小区更安心。",
        )),
        Item::Article(titled),
        Item::Group(vec![hl("东昌社区建成智慧安防小区", None)]),
        Item::Article(credited("周明远")),
        Item::Group(vec![hl("区教育工作会议召开", None)]),
        Item::Article(draft("区教育局召开全区教育工作会议。")),
    ];
    let d = attach(items);
    assert_eq!(d[0].head[0].text, "东昌社区建成智慧安防小区");
    assert_eq!(d[0].byline, ["周明远"]);
    assert_eq!(d[1].head[0].text, "白杨街道开展消防演练");
    assert!(d[1].byline.is_empty());
    // A photo's credit under a headline is a picture's, which heads no story read elsewhere.
    let photo = Draft {
        photo_credit: true,
        reporter: false,
        ..credited("刘丹")
    };
    let items = vec![
        Item::Article(draft(
            "东昌社区建设智慧安防小区，居民刷脸进出，安防小区更安心。",
        )),
        Item::Group(vec![hl("东昌社区建成智慧安防小区", None)]),
        Item::Article(photo),
    ];
    assert!(attach(items)[0].byline.is_empty());
}
