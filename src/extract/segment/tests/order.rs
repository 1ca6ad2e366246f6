//! Reading-order repair inside the walk (`stream`): blocks a converter read in bands across
//! the columns go back on the story they continue.

use super::*;

/// Two stories read in bands across their columns: the second band of the first story comes
/// after the second story's lead.
#[test]
fn a_block_read_across_columns_goes_on_the_story_it_continues() {
    let page = "# 大桥通车\n\n本报讯 今天上午，城南大桥正式通车。大桥全长八百米，连接城南城北两岸，市民过江时间缩短到五分钟\n\n# 新校开学\n\n本报讯 城东小学今天迎来首批新生，学校共有二十四个班级。\n\n，大桥通车当天，不少市民前来参观拍照。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[0].paras,
        ["今天上午，城南大桥正式通车。大桥全长八百米，连接城南城北两岸，市民过江时间缩短到五分钟，大桥通车当天，不少市民前来参观拍照。"]
    );
    assert_eq!(
        a[1].paras,
        ["城东小学今天迎来首批新生，学校共有二十四个班级。"]
    );
}

/// A block cut inside a word (`保持稳` / `定。`) goes on the story left mid-sentence even when it
/// shares no words with it.
#[test]
fn a_block_opening_on_a_word_s_tail_goes_on_the_story_left_mid_sentence() {
    let page = "# 菜价平稳\n\n本报讯 台风过后，记者走访了城区菜市场，蔬菜供应基本保持稳\n\n# 新校开学\n\n本报讯 城东小学今天迎来首批新生。\n\n定。一位摊主说，这几天生意还不错。\n";
    let a = articles(&drafts(page))
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[0].paras,
        ["台风过后，记者走访了城区菜市场，蔬菜供应基本保持稳定。一位摊主说，这几天生意还不错。"]
    );
    assert_eq!(a[1].paras, ["城东小学今天迎来首批新生。"]);
}

#[test]
fn blocks_cut_inside_a_word_go_back_to_the_story_whose_end_makes_the_word() {
    // Two stories read in bands: each column block stops mid-word (`乡村振` / `兴…`, `农户解` /
    // `决…`), and the continuations come after the other story, opening like sentences.
    let page = "# 县城新建湿地公园开放\n\n本报记者 张三\n\n\
                昨天上午，县城东部新建的湿地公园正式对外开放，市民纷纷前来游\n\
                览。公园占地三百亩，建有步道和观景台，成为乡村振\n\n\
                # 春耕备耕全面展开\n\n本报记者 李四\n\n\
                眼下正是春耕时节，全县各乡镇抢抓农时，组织农户开展春耕生产，\n\
                田间地头一片繁忙景象。县农业部门派出技术人员下乡指导，帮助农户解\n\n\
                兴的新去处。据介绍，公园还将增设儿童游乐区。\n\n\
                决实际困难。今年全县计划种植水稻十万亩。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].paras.join(""), "昨天上午，县城东部新建的湿地公园正式对外开放，市民纷纷前来游览。公园占地三百亩，建有步道和观景台，成为乡村振兴的新去处。据介绍，公园还将增设儿童游乐区。");
    assert!(a[1]
        .paras
        .join("")
        .ends_with("帮助农户解决实际困难。今年全县计划种植水稻十万亩。"));
}

#[test]
fn a_block_set_in_another_column_measure_is_not_the_rest_of_a_cut_paragraph() {
    // A story in a narrow column (12 characters) cut mid-sentence; a wide caption block (30)
    // that a banded reading put next; then the narrow column goes on.
    let narrow = "# 剪纸进课堂\n\n6月9日，在城南小学的剪纸\n课上，老师手把手教学生剪\n出窗花。近年来，我县把剪\n\n";
    let wide = "3月3日，在城区老街石桥上，来自城关街道的居民以石桥为背景拍\n摄合影。这座桥几十年来默默陪伴着街坊邻里，承载着太多记忆，\n见证了县城的变迁。\n\n";
    let rest = "纸等非遗项目引入校园，让\n孩子们在动手中感受传统。\n";
    let items = drafts(&format!("{narrow}{wide}{rest}"));
    let a = articles(&items);
    assert_eq!(a.len(), 2, "{a:#?}");
    assert!(a[0].paras.concat().contains("我县把剪纸等非遗项目"));
    assert!(!a[0].paras.concat().contains("石桥"));
    assert!(a[1].paras.concat().starts_with("3月3日"));
    // A block of the story's own measure after it is its text.
    let same = "工作，还把石桥老街的剪纸\n作品搬进课堂展示。\n\n";
    let joined = drafts(&format!("{narrow}{same}{rest}"));
    assert_eq!(articles(&joined).len(), 1);
    // After a finished sentence, a wider block that goes on with the story's words is its text:
    // a dump may change measure inside a story.
    let finished = "# 剪纸进课堂\n\n6月9日，在城南小学的剪纸\n课上，老师手把手教学生剪\n出窗花，孩子们学得认真。\n\n";
    let wider = "随后，老师在城南小学的剪纸课上展示了孩子们剪\n出的窗花，剪纸课上的孩子们学得认真，剪出窗花。\n";
    assert_eq!(articles(&drafts(&format!("{finished}{wider}"))).len(), 1);
}

/// A page read in bands across its columns, hard-wrapped at the column's measure: a block whose
/// first line runs the full measure (no paragraph's indented first line) is the rest of the story
/// left mid-sentence, though it opens on a whole word, not the story headed just before it.
#[test]
fn a_block_opening_in_full_measure_goes_on_the_story_left_mid_sentence() {
    let page = "# 大桥通车\n\n今天上午，城南大桥正\n式通车。大桥全长八百米，\n连接城南城北两岸，市民们\n\n# 新校开学\n\n城东小学今天迎来首批\n新生，学校共有二十四个班\n级，新教学楼也已投用。\n\n每天上下班可以节省不少时\n间，不少市民当天前来参观\n拍照，都说出行方便多了。\n";
    let u = units(page);
    let lead = u.iter().find(|u| u.text.starts_with("城东")).unwrap();
    let rest = u.iter().find(|u| u.text.starts_with("每天")).unwrap();
    assert_eq!(
        (lead.opening, rest.opening),
        (Opening::Paragraph, Opening::GoesOn)
    );
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[0].paras,
        ["今天上午，城南大桥正式通车。大桥全长八百米，连接城南城北两岸，市民们每天上下班可以节省不少时间，不少市民当天前来参观拍照，都说出行方便多了。"]
    );
    assert_eq!(
        a[1].paras,
        ["城东小学今天迎来首批新生，学校共有二十四个班级，新教学楼也已投用。"]
    );
}

/// After a story left mid-sentence, a block opening with an indented paragraph's first line
/// (two characters short of the measure) cannot finish that sentence: it goes on the story that
/// ended its last one and shares its words.
#[test]
fn an_indented_paragraph_after_an_unfinished_sentence_goes_on_the_story_it_shares_words_with() {
    let page = "# 大桥通车\n\n今天上午，城南大桥正\n式通车。大桥全长八百米，\n连接城南城北两岸，市民们\n\n# 新校开学\n\n城东小学今天迎来首批\n新生，学校共有二十四个班\n级，新教学楼也已投用。\n\n每天上下班可以节省不少时\n间，不少市民当天前来参观\n拍照，都说出行方便多\n\n城东小学的校长介绍，\n学校还新建了一座图书馆，\n藏书三万多册。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[0].paras,
        ["今天上午，城南大桥正式通车。大桥全长八百米，连接城南城北两岸，市民们每天上下班可以节省不少时间，不少市民当天前来参观拍照，都说出行方便多"]
    );
    assert_eq!(
        a[1].paras,
        [
            "城东小学今天迎来首批新生，学校共有二十四个班级，新教学楼也已投用。",
            "城东小学的校长介绍，学校还新建了一座图书馆，藏书三万多册。"
        ]
    );
    // The one story that ended its sentence takes it, words shared or not.
    let page = page.replace(
        "城东小学的校长介绍，\n学校还新建了一座图书馆，\n藏书三万多册。",
        "据悉，今年秋季园区里\n还新建了一座图书馆，藏书\n三万多册，周末对外开放。",
    );
    let items = drafts(&page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[1].paras[1],
        "据悉，今年秋季园区里还新建了一座图书馆，藏书三万多册，周末对外开放。"
    );
}

#[test]
fn on_a_page_titled_by_headings_a_plain_line_over_a_heading_is_the_story_cut_there() {
    // A markdown converter reading in bands: the first story's column is cut after a plain
    // line that ends mid-sentence, another story's heading and text come next, then the first
    // column goes on. A kicker would be set in bold; the plain line is the first story's text.
    let page = "## 山村茶园迎来采茶季\n\n\
                本报讯 清明前后，白石镇的茶\n园里一片繁忙，茶农们趁着晴好\n\
                天气抢摘春茶，家家户户忙个不\n停。\n\n\
                镇农业服务中心主任周立群带着\n\n\
                ### 县城新增三条公交线路\n\n\
                昨天起，县城新开通三条公交\n线路，方便市民出行，受到市民\n的欢迎。\n\n\
                技术员走进茶园，指导茶农科学\n采摘，提高鲜叶品质和茶叶产量\n，让茶农增收。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2, "{items:#?}");
    let groups = groups(&items);
    assert_eq!(groups, [["山村茶园迎来采茶季"], ["县城新增三条公交线路"]]);
    let first = a[0].paras.join("|");
    assert!(
        first.ends_with("|镇农业服务中心主任周立群带着技术员走进茶园，指导茶农科学采摘，提高鲜叶品质和茶叶产量，让茶农增收。"),
        "{first}"
    );
    assert_eq!(
        a[1].paras,
        ["昨天起，县城新开通三条公交线路，方便市民出行，受到市民的欢迎。"]
    );
}
