//! Assembly of small pages written for each case, tags given.

use super::*;
use crate::extract::lines::lines;
use Tag::*;

fn build(page: &str, tags: &[Tag]) -> Vec<Draft> {
    let l = lines(page);
    assert_eq!(l.len(), tags.len(), "one tag per line");
    drafts(&l, tags, &crate::extract::tagger::fitted().join)
}

/// The texts of a draft's headline lines.
fn heads(d: &Draft) -> Vec<&str> {
    d.head.iter().map(|h| h.text.as_str()).collect()
}

#[test]
fn a_headline_printed_after_its_body_is_its_headline() {
    let d = build(
        "大桥今天正式通车，市民纷纷\n前来参观。\n大桥通车\n新校开学了。\n",
        &[TextOpen, Text, Head, TextOpen],
    );
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].head[0].text, "大桥通车");
    assert_eq!(d[0].paras, ["大桥今天正式通车，市民纷纷前来参观。"]);
}

#[test]
fn a_fragment_cut_by_another_story_rejoins_its_article() {
    let d = build(
        "大桥通车\n大桥今天正式通车，市民\n新校开学\n新校开学了。\n纷纷前来参观。\n",
        &[HeadOpen, Text, HeadOpen, Text, TextOpen],
    );
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].paras, ["大桥今天正式通车，市民纷纷前来参观。"]);
    assert_eq!(d[1].paras, ["新校开学了。"]);
}

#[test]
fn a_stray_headline_goes_to_the_headless_article_it_describes() {
    let d = build(
        "大桥通车\n大桥今天正式通车，市民前来参观。\n新校今天开学了，学生很高兴。\n新校开学\n",
        &[HeadOpen, Text, TextOpen, HeadOpen],
    );
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].head[0].text, "大桥通车");
    assert_eq!(d[1].head[0].text, "新校开学");
    assert_eq!(d[1].paras, ["新校今天开学了，学生很高兴。"]);
}

#[test]
fn datelines_and_trailing_bylines_leave_the_body() {
    let d = build(
        "标题\n本报讯（记者 张三）今天上午，会议召开。（李四）\n",
        &[HeadOpen, Text],
    );
    assert_eq!(d[0].paras, ["今天上午，会议召开。"]);
    assert_eq!(d[0].byline, ["张三", "李四"]);
    assert!(d[0].dateline);
}

#[test]
fn a_dateline_bracket_wrapped_inside_a_name_keeps_the_name_whole() {
    let d = build(
        "大桥通车\n本报讯（记者 吴建\n国 实习记者 李丽） 今\n天上午，大桥正式通车。\n",
        &[HeadOpen, Text, Text, Text],
    );
    assert_eq!(d[0].byline, ["吴建国", "李丽"]);
    assert_eq!(d[0].paras, ["今天上午，大桥正式通车。"]);
}

#[test]
fn a_dateline_after_a_subtitle_set_as_text_still_gives_the_byline() {
    let d = build(
        "大桥通车\n卢一勤等出\n席\n    本报讯（记者 吴建\n国 实习记者 李丽） 今\n天上午，大桥正式通车。\n",
        &[HeadOpen, Text, Text, Text, Text, Text],
    );
    assert_eq!(d[0].byline, ["吴建国", "李丽"]);
    assert_eq!(d[0].paras, ["卢一勤等出席", "今天上午，大桥正式通车。"]);
    // After a paragraph that ends a sentence, the story has begun: no dateline is read.
    let d = build(
        "大桥通车\n大桥今天通车。\n    新华社（记者 吴建国）今天，大桥通车了。\n",
        &[HeadOpen, Text, Text],
    );
    assert!(d[0].byline.is_empty(), "{:?}", d[0].byline);
    assert_eq!(d[0].paras.len(), 2);
}

#[test]
fn a_closing_byline_wrapped_onto_a_paragraph_of_its_own_is_read_whole() {
    let d = build(
        "大桥通车\n今天上午，大桥正式通车。作者： 记者 吴建国 通讯\n\n员 钱多多 李丽\n",
        &[HeadOpen, Text, Text],
    );
    assert_eq!(d[0].byline, ["吴建国", "钱多多", "李丽"]);
    assert_eq!(d[0].paras, ["今天上午，大桥正式通车。"]);
}

#[test]
fn a_headline_printed_under_its_story_takes_that_story_not_the_text_after_it() {
    let d = build(
        "大桥通车\n本报讯 今天上午，城南大桥正式通车。\n\n日前，市作家协会一行二十人赴山区采风，走访了茶园和学校。\n作家赴山区采风\n新校今天开学了。\n",
        &[HeadOpen, Text, Text, HeadOpen, Text],
    );
    assert_eq!(d[0].paras, ["今天上午，城南大桥正式通车。"]);
    assert_eq!(d[1].head[0].text, "作家赴山区采风");
    assert_eq!(
        d[1].paras,
        ["日前，市作家协会一行二十人赴山区采风，走访了茶园和学校。"]
    );
    assert!(d.iter().all(|a| a
        .paras
        .iter()
        .all(|p| !p.contains("作家") || !p.contains("新校"))));
}

#[test]
fn text_after_a_jump_marker_that_ends_a_sentence_is_another_story() {
    let d = build(
        "大桥通车\n本报讯 今天上午，城南大桥正式通车。\n（下转第2版）\n日前，市作家协会一行赴山区采风。\n",
        &[HeadOpen, Text, Outside, Text],
    );
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].paras, ["今天上午，城南大桥正式通车。"]);
    assert_eq!(d[1].paras, ["日前，市作家协会一行赴山区采风。"]);
    // A marker read out of place, inside a sentence, does not cut it.
    let d = build(
        "大桥通车\n本报讯 今天上午，城南大桥正式\n（下转第2版）\n通车，市民纷纷前来参观。\n",
        &[HeadOpen, Text, Outside, Text],
    );
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].paras,
        ["今天上午，城南大桥正式通车，市民纷纷前来参观。"]
    );
}

#[test]
fn a_headline_alone_at_the_foot_takes_the_story_printed_over_it() {
    // The last story's headline, with its vertical byline read into the group, printed under
    // its body at the page's foot: no text follows it, and its body was read as the end of the
    // story before.
    let d = build(
        "大桥通车\n本报讯 今天上午，城南大桥正式通车。\n\n10月9日，台风“海燕”过境后，县城菜价稳中略升。\n蔬菜供应基本稳定，河鲜价格略涨。\n□本报记者 王小明 通讯员 李大伟\n台风过后菜价稳\n",
        &[HeadOpen, Text, Text, Text, HeadOpen, Head],
    );
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(d[0].paras, ["今天上午，城南大桥正式通车。"]);
    assert_eq!(
        d[1].head.last().map(|h| h.text.as_str()),
        Some("台风过后菜价稳")
    );
    assert!(d[1].paras.concat().contains("台风“海燕”过境后"));
}

/// A headline's first line left outside any article under a column label opens the headline;
/// the label, a paper's name over a headline and a line set apart by a blank stay outside.
#[test]
fn a_headline_s_first_line_left_outside_opens_its_headline() {
    let page = "简讯\n\n全面推进乡村振兴\n战略 建设美丽乡村\n南山镇今年新建村道十公里。\n";
    let d = build(page, &[Outside, Outside, HeadOpen, TextOpen]);
    assert_eq!(heads(&d[0]), ["全面推进乡村振兴", "战略 建设美丽乡村"]);
    let page = "青溪日报\n南山镇新建村道十公里\n今年以来，南山镇新建村道十公里。\n";
    let d = build(page, &[Outside, HeadOpen, Text]);
    assert_eq!(d[0].head.len(), 1);
    let page = "全面推进乡村振兴\n\n战略 建设美丽乡村\n南山镇今年新建村道十公里。\n";
    let d = build(page, &[Outside, HeadOpen, Text]);
    assert_eq!(d[0].head.len(), 1);
}

/// A headline's last line that opens a quotation it does not close, running text right under
/// it, is the story's first line; a headline line whose quotation closes stays a headline's.
#[test]
fn a_line_opening_a_quotation_under_a_headline_is_the_story_s() {
    let page = "村道通车\n方便群众出行\n“以前下雨天\n出门全是泥。”村民老李说。\n";
    let d = build(page, &[HeadOpen, Head, Head, Text]);
    assert_eq!(heads(&d[0]), ["村道通车", "方便群众出行"]);
    assert_eq!(d[0].paras, ["“以前下雨天出门全是泥。”村民老李说。"]);
    let page = "村道通车\n“最美村道”建成\n以前下雨天出门全是泥。\n";
    let d = build(page, &[HeadOpen, Head, Text]);
    assert_eq!(d[0].head.len(), 2);
}

/// Two headlines read in a row over both stories' text: the first story's text, up to its
/// credit, goes under the first headline and the rest under the second. Text whose only
/// credit follows no finished sentence is left as it was read.
#[test]
fn two_headlines_read_in_a_row_each_head_their_own_story() {
    let page = "油菜花开\n古桥留影\n3月2日，南山镇万亩油菜花\n竞相开放，吸引游客前来观赏。\n本报记者 王小明 摄\n\
                连日来，不少市民来到西溪\n古桥拍照留念。\n记者 李华 摄\n";
    let tags = [HeadOpen, HeadOpen, Text, Text, Byline, Text, Text, Byline];
    let d = build(page, &tags);
    assert_eq!(d.len(), 2);
    assert_eq!(heads(&d[0]), ["油菜花开"]);
    assert_eq!(
        d[0].paras.concat(),
        "3月2日，南山镇万亩油菜花竞相开放，吸引游客前来观赏。"
    );
    assert_eq!(d[0].byline, ["王小明"]);
    assert_eq!(heads(&d[1]), ["古桥留影"]);
    assert_eq!(
        d[1].paras.concat(),
        "连日来，不少市民来到西溪古桥拍照留念。"
    );
    assert_eq!(d[1].byline, ["李华"]);
    // A credit closing a caption's last line cuts the same way.
    let page = "油菜花开\n古桥留影\n3月2日，南山镇万亩油菜花\n竞相开放。本报记者 王小明 摄\n\
                连日来，不少市民来到西溪\n古桥拍照留念。\n";
    let d = build(page, &[HeadOpen, HeadOpen, Text, Text, Text, Text]);
    assert_eq!(heads(&d[0]), ["油菜花开"]);
    assert_eq!(heads(&d[1]), ["古桥留影"]);
    assert_eq!(
        d[1].paras.concat(),
        "连日来，不少市民来到西溪古桥拍照留念。"
    );
    // A headline's lines read as text finish no sentence: nothing is moved.
    let page = "油菜花开\n古桥留影\n游客纷至\n沓来赏春\n本报记者 王小明\n\
                3月2日，南山镇万亩油菜花\n竞相开放。\n";
    let d = build(page, &[HeadOpen, HeadOpen, Text, Text, Byline, Text, Text]);
    assert!(d
        .iter()
        .all(|a| heads(a) != ["油菜花开"] || a.paras.is_empty()));
}
