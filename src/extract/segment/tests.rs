//! Segmentation of small pages written for each case.

use super::*;
use crate::extract::layout::{units, Opening};

mod order;

fn drafts(page: &str) -> Vec<Item> {
    segment(&units(page))
}

/// Each headline group's lines, in page order.
fn groups(items: &[Item]) -> Vec<Vec<&str>> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Group(g) => Some(g.iter().map(|h| h.text.as_str()).collect()),
            Item::Article(_) => None,
        })
        .collect()
}

fn articles(items: &[Item]) -> Vec<&Draft> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Article(d) => Some(d),
            _ => None,
        })
        .collect()
}

#[test]
fn a_numbered_point_is_not_joined_to_its_paragraph() {
    let items =
        drafts("# 标题\n\n本报讯 会议召开。\n\n一、抓好项目建设\n\n会议要求，加快推进项目落地。\n");
    let a = articles(&items);
    assert_eq!(
        a[0].paras,
        [
            "会议召开。",
            "一、抓好项目建设",
            "会议要求，加快推进项目落地。"
        ]
    );
}

#[test]
fn a_short_line_cut_by_the_column_end_stays_in_the_body() {
    let page = "# 标题\n\n本报讯 小区完成改造。\n\n社区党委书记徐振兴的\n\n表态得到居民支持，项目顺利推进。\n\n社区主任表示\n\n：“我们会继续努力。”\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 1);
    assert_eq!(
        a[0].paras,
        [
            "小区完成改造。",
            "社区党委书记徐振兴的表态得到居民支持，项目顺利推进。",
            "社区主任表示：“我们会继续努力。”"
        ]
    );
}

#[test]
fn a_title_ending_a_block_of_running_text_heads_the_next_article() {
    let page = "第一篇报道正文，讲述了事情经过。\n（记者 张三）\n新农村建设见成效\n\n本报讯 近日，某镇完成改造。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert!(matches!(&items[1], Item::Group(g) if g[0].text == "新农村建设见成效"));
    assert_eq!(a[1].paras, ["近日，某镇完成改造。"]);
}

#[test]
fn a_paragraph_cut_mid_sentence_is_joined() {
    let items = drafts("# 标题一\n\n在听取汇报后，他指出，防\n\n欠薪工作事关稳定。\n");
    let a = articles(&items);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].paras, ["在听取汇报后，他指出，防欠薪工作事关稳定。"]);
}

#[test]
fn datelines_trailing_bylines_and_jumps_split_articles() {
    let page = "**本报讯** 昨日上午，我市召开会议。  \n（记者 许多）\n\n**本报讯** 东昌社区完成换届。\n\n（记者 汤圆）\n\n（上接第1版）大同镇卫生院创建成功。\n\n（记者 王五）\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 3);
    assert_eq!(a[0].paras, ["昨日上午，我市召开会议。"]);
    assert_eq!(a[0].byline, ["许多"]);
    assert_eq!(a[1].byline, ["汤圆"]);
    assert!(a[2].continuation);
    assert_eq!(a[2].paras, ["大同镇卫生院创建成功。"]);
}

#[test]
fn furniture_is_dropped_and_the_body_rejoined_around_it() {
    let page = "## 标题\n\n本报讯 钟埭社区做强党\n\n讲文明 树新风 公/益/广/告\n\n编辑/戴 琰 电话/85018195\n\n建核心，划小治理单元。\n";
    let a_items = drafts(page);
    let a = articles(&a_items);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].paras, ["钟埭社区做强党建核心，划小治理单元。"]);
}

#[test]
fn a_deeper_heading_sharing_the_body_words_is_a_subhead() {
    let page = "### 民生共享的实践\n\n■记者 李雨\n\n本报讯 五年来，深化民生领域改革，让民生幸福看得见。\n\n#### 深化民生改革 让民生幸福\n\n新闻回放：便民服务中心完成改造。\n\n### 另一篇报道\n\n正文。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].paras.len(), 3);
    assert_eq!(a[0].byline, ["李雨"]);
}

#[test]
fn a_names_line_under_a_title_is_its_byline() {
    let items = drafts("全力助推企业安全生产\n\n王燕\n\n五常街道开展活动，助力企业安全发展。\n");
    let a = articles(&items);
    assert_eq!(a[0].byline, ["王燕"]);
    assert!(matches!(&items[0], Item::Group(g) if g[0].text == "全力助推企业安全生产"));
}

#[test]
fn a_photo_credit_closes_a_photo_item() {
    let items = drafts("### 桥韵\n\n初冬时节，古桥在细波辉映下尽显水乡风情。\n\n■摄影 赵云\n\n### 下一篇\n\n■记者 李四\n\n本报讯 正文。\n");
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert!(a[0].photo_credit && a[0].closed);
    assert_eq!(a[0].byline, ["赵云"]);
    assert_eq!(a[1].byline, ["李四"]);
}

#[test]
fn an_indented_paragraph_is_never_joined_to_the_unfinished_one_before() {
    let items = drafts(
        "    本报讯 县里召开会议，部署春耕工作，要求各乡镇抓紧\n落实。\n    会议强调，要确保粮食生产\n\n    各部门负责人参加会议。\n",
    );
    let a = articles(&items);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].paras.len(), 3, "{:?}", a[0].paras);
}

#[test]
fn a_date_and_place_line_opens_a_report_and_is_no_headline() {
    let page = "本报讯 昨日，全县召开秋收工作会议，部署秋粮收购工作。\n\n（记者 张三）\n\n9月21日 武义县熟溪街道\n\n清晨六点，菜市场已经热闹起来。\n\n（记者 李四）\n\n农贸市场换新颜\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[1].paras,
        ["9月21日 武义县熟溪街道", "清晨六点，菜市场已经热闹起来。"]
    );
    assert_eq!(a[1].byline, ["李四"]);
    assert!(a[1].dateline);
    // No headline group was made of the dateline: the only one is the title after the body.
    let groups: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Group(g) => Some(g[0].text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(groups, ["农贸市场换新颜"]);
}

#[test]
fn a_date_and_place_line_needs_a_place() {
    assert!(byline::place_dateline("9月21日 苍南龙港镇卢处村"));
    assert!(byline::place_dateline("10月8日，城南街道"));
    assert!(!byline::place_dateline("9月21日 星期六"));
    assert!(!byline::place_dateline("10月1日 国庆假期见闻"));
    assert!(!byline::place_dateline("9月21日，龙港镇召开会议。"));
}

#[test]
fn a_caption_after_a_dated_brief_is_a_picture_of_its_own() {
    let page = "本报讯（记者 朱丽）近日，县图书馆新馆正式向读者开放，藏书量达到六十万册。\n\n金秋时节，高山梯田层层叠叠，一片金黄，吸引了摄影爱好者前来采风。\n\n（通讯员 蓝小红 摄）\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].byline, ["朱丽"]);
    assert_eq!(a[0].paras.len(), 1);
    assert_eq!(a[1].byline, ["蓝小红"]);
    assert!(a[1].photo_credit);
    assert!(a[1].paras[0].starts_with("金秋时节"));
}

#[test]
fn a_picture_of_the_report_itself_stays_with_it() {
    // The caption speaks of the report's own subject: the credit is the report's picture.
    let page = "本报讯（记者 朱丽）近日，县图书馆新馆正式向读者开放，藏书量达到六十万册。\n\n图为读者在图书馆新馆阅览室里阅读图书。\n\n（通讯员 蓝小红 摄）\n";
    let a_items = drafts(page);
    let a = articles(&a_items);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].byline, ["朱丽", "蓝小红"]);
    assert_eq!(a[0].paras.len(), 2);
}

#[test]
fn a_short_line_inside_a_bylined_feature_is_a_subhead() {
    let page = "村里的变化\n\n记者 方卫东\n\n初冬时节，走进东岸社区，新铺的沥青路面平整干净，小区广场上老人正在锻炼。\n\n改造前后\n\n东岸社区建于上世纪九十年代，今年三月小区改造启动，新增停车位一百二十个。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].paras.len(), 3);
    assert_eq!(a[0].paras[1], "改造前后");
}

#[test]
fn a_short_line_over_a_new_lead_is_still_a_headline() {
    // The text after it opens like a news lead and shares no words with the story.
    let page = "村里的变化\n\n记者 方卫东\n\n初冬时节，走进东岸社区，新铺的沥青路面平整干净，小区广场上老人正在锻炼。\n\n义诊进乡村\n\n近日，县人民医院组织专家到杨林镇开展健康义诊，服务群众三百余人。\n";
    let items = drafts(page);
    assert_eq!(articles(&items).len(), 2);
}

#[test]
fn marked_paragraphs_in_a_column_of_briefs_are_items() {
    let page = "■简讯\n\n■ 11月4日，县人民医院举办健康义诊活动，专家为群众提供免费咨询服务。（汪晓玲）\n\n■ 近日，杨林镇开展冬季森林防火宣传，发放宣传资料一千余份。（程 浩）\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].byline, ["汪晓玲"]);
    assert_eq!(a[1].byline, ["程浩"]);
    assert!(a[0].paras[0].starts_with("11月4日"));
}

#[test]
fn an_editors_note_opens_the_article_it_introduces() {
    let page = "## 编者按\n\n乡村振兴，关键在人。本报今起推出系列报道，讲述返乡青年的故事。\n\n### 返乡青年种出网红茭白\n\n新碧街道黄碧村的茭白田里，小潘正在查看茭白长势。\n\n（记者 应丽萍）\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 1);
    assert!(a[0].paras[0].starts_with("乡村振兴"));
    assert_eq!(a[0].byline, ["应丽萍"]);
    assert!(matches!(&items[0], Item::Group(g) if g[0].text == "返乡青年种出网红茭白"));
}

#[test]
fn a_credit_over_a_lone_caption_opens_the_picture() {
    let page = "高桥街道开展集体婚礼\n\n（记者 羊宇杰）\n\n5月16日，高桥街道举办集体婚礼，12对新人喜结连理。\n\n拍友 沈春燕 摄\n\n凤鸣街道的万亩油菜田迎来收割季，农机手驾驶收割机在田间穿梭。\n\n在基层读懂民生\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].byline, ["羊宇杰"]);
    assert_eq!(a[1].byline, ["沈春燕"]);
    assert!(a[1].photo_credit);
    assert!(a[1].paras[0].starts_with("凤鸣街道"));
}

#[test]
fn a_story_is_compared_by_its_last_paragraphs_only() {
    let long = "很长的段落。".repeat(2000);
    let paras = vec![
        "开头的话。".to_string(),
        long.clone(),
        "最后一段落。".to_string(),
    ];
    let han = walk::recent_han(&paras);
    assert!(han.len() <= 3000);
    assert!(han.ends_with("最后一段落"));
    assert!(!han.contains("开头"));
    assert_eq!(walk::recent_han(&["短。".to_string()]), "短");
}

#[test]
fn a_column_label_closes_the_story_before_it() {
    let page = "本报讯（记者 楼晓丹）昨天，市委召开全体会议，部署第四季度重点任务。\n\n图片新闻\n\n10月13日，马拉松鸣枪开跑，一万多名跑者穿城而过。（记者 吴峥嵘 摄）\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].byline, ["楼晓丹"]);
    assert_eq!(a[1].byline, ["吴峥嵘"]);
    assert!(a[1].photo_credit);
}

/// A public-service advertisement set inside a story: its slogan is no headline, and the story
/// goes on after the ad's label.
#[test]
fn an_advertisement_s_slogan_does_not_open_an_article() {
    let page = "# 大桥通车\n\n本报讯 今天上午，城南大桥正式通车，两岸市民每年正\n\n## 垃圾分类 从我做起\n\n**公益广告**\n\n月都盼着这一天。大桥全长八百米。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 1);
    assert_eq!(
        a[0].paras,
        ["今天上午，城南大桥正式通车，两岸市民每年正月都盼着这一天。大桥全长八百米。"]
    );
    assert!(!items
        .iter()
        .any(|i| matches!(i, Item::Group(g) if g.iter().any(|h| h.text.contains("垃圾分类")))));
}

/// A jump marker set in bold ends the part printed here; it is no headline of the text after it.
#[test]
fn a_bold_jump_marker_closes_the_story_and_heads_nothing() {
    let page = "# 大桥通车\n\n本报讯 今天上午，城南大桥正式通车。\n\n**（下转第四版）**\n\n3月2日，城东小学迎来首批新生。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].paras, ["今天上午，城南大桥正式通车。"]);
    assert!(a[0].closed);
    assert_eq!(a[1].paras, ["3月2日，城东小学迎来首批新生。"]);
    assert!(!items
        .iter()
        .any(|i| matches!(i, Item::Group(g) if g.iter().any(|h| h.text.contains("下转")))));
}

/// A markdown dump sets titles as headings and a feature's subheads in bold: a bold line inside
/// the story, with running text after it, stays in the story.
#[test]
fn a_bold_subhead_inside_a_story_titled_by_a_heading_stays_in_it() {
    let page = "## 台风过后\n\n记者 王一\n\n10月9日，台风终于离开了本省，城区恢复了往日的平静。\n\n**菜价：稳中有升**\n\n昨天上午，记者走访了城区的几家菜市场，发现蔬菜供应充足。\n\n## 新校开学\n\n本报讯 城东小学今天迎来首批新生。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[0].paras,
        [
            "10月9日，台风终于离开了本省，城区恢复了往日的平静。",
            "菜价：稳中有升",
            "昨天上午，记者走访了城区的几家菜市场，发现蔬菜供应充足。"
        ]
    );
    assert_eq!(a[1].paras, ["城东小学今天迎来首批新生。"]);
}

#[test]
fn stacked_bold_subheads_inside_a_titled_story_stay_in_it() {
    // A markdown converter sets a story's title as a heading and its section heads in bold, here
    // three stacked over the section's text: they are the story's subheads, not a new story.
    let page = "## 返乡者的新年\n\n本报记者 张三\n\n\
                近乡情更怯。今天，我们跟随返乡者的脚步，感受山村的变化。\n\n\
                **故事1**\n\n**主人公：李四**\n\n**把牡丹种回家乡**\n\n\
                2月23日，正月初八。一大早，李四发动汽车出了门，去镇上打听土地流转的进展。\n\n\
                ## 县里召开春耕会议\n\n本报讯 昨天，县里召开春耕生产会议，部署全年农业工作。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[0].paras[1..4],
        ["故事1", "主人公：李四", "把牡丹种回家乡"],
        "subheads kept in their story, in order"
    );
    assert!(a[0].paras[4].starts_with("2月23日，正月初八。"));
    assert!(a[1].paras[0].starts_with("昨天，县里召开"));
}

#[test]
fn on_a_page_titled_by_headings_a_bold_line_inside_a_story_is_a_subhead_not_a_new_story() {
    // Markdown converters set titles as headings; a bold line (or a short plain block) in the
    // middle of a story is a section head. A bold line over a heading is still its kicker.
    let page = "**新春走基层**\n\n## 山村里的年货集市\n\n\
                腊月二十六，李家村的年货集市格外热闹，村民们早早赶来置办年货。\n\n\
                **集市：人气旺**\n\n\
                今年的集市比往年多了二十多个摊位，卖春联的摊前围满了人。\n\n\
                老手艺\n\n\
                剪纸艺人张大妈现场剪出一幅幅窗花，引得孩子们阵阵叫好。\n\n\
                ## 县城新增三条公交线路\n\n本报讯 昨天起，县城新开通三条公交线路，方便市民出行。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 2, "{items:#?}");
    let Item::Group(head) = &items[0] else {
        panic!("{items:#?}")
    };
    let head: Vec<&str> = head.iter().map(|h| h.text.as_str()).collect();
    assert_eq!(head, ["新春走基层", "山村里的年货集市"]);
    let body = a[0].paras.join("|");
    assert!(body.contains("集市：人气旺|"), "{body}");
    assert!(body.contains("老手艺|剪纸艺人"), "{body}");
    assert!(a[1].paras[0].starts_with("昨天起"));
}

/// A feature's labelled details (`时间：…`, `地点：…`) are lines of its text, not headlines of
/// new articles, though they hold no sentence mark.
#[test]
fn labelled_detail_lines_stay_in_the_story() {
    let page = "# 古镇夜市开张\n\n本报讯 古镇夜市昨晚开张，吸引大批市民前来。\n\n时间：10月1日19时\n\n地点：老街广场\n\n夜幕降临，老街灯火通明，各色小吃摊前排起长队。\n";
    let items = drafts(page);
    let a = articles(&items);
    assert_eq!(a.len(), 1);
    assert_eq!(
        a[0].paras,
        [
            "古镇夜市昨晚开张，吸引大批市民前来。",
            "时间：10月1日19时",
            "地点：老街广场",
            "夜幕降临，老街灯火通明，各色小吃摊前排起长队。"
        ]
    );
    assert!(!items.iter().any(|i| matches!(i, Item::Group(_))) || a[0].head.len() <= 1);
}

#[test]
fn a_headline_pending_over_a_column_label_is_not_the_next_story_s_kicker() {
    // A markdown converter put a feature's headline at the page top, over the folio strip and a
    // column of briefs: the label ends it, and the brief under the label keeps its own headline.
    let page = "## 第三期 茶乡人在杭州\n\n**2024-06-09 星期四**\n\n**今日12版**\n\n\
                ##### 本地快讯\n###### 县城新增三条公交线路\n\n\
                本报讯 昨天起，县城新开通三条公交线路，方便市民出行。\n";
    let items = drafts(page);
    let groups = groups(&items);
    assert_eq!(
        groups,
        [["第三期 茶乡人在杭州"], ["县城新增三条公交线路"]],
        "{items:#?}"
    );
    let a = articles(&items);
    assert_eq!(a.len(), 1);
    assert_eq!(
        a[0].paras,
        ["昨天起，县城新开通三条公交线路，方便市民出行。"]
    );
}

#[test]
fn a_line_alone_as_wide_as_the_column_over_a_headline_is_the_story_cut_there() {
    // A hard-wrapped page (18 characters a line) read in bands: the first story's next
    // paragraph opens on a line of its own (an indented first line, cut by the column end) right
    // over another story's headline. It is running text, not that headline's kicker.
    let page = "山村茶园迎来采茶季\n\n\
                本报讯 清明前后，白石镇的茶园里一片\n繁忙，茶农们趁着晴好天气抢摘春茶，家\n家户户忙个不停。\n\n\
                镇农业服务中心主任周立群带着技术\n\n\
                县城新增三条公交线路\n\n\
                昨天起，县城新开通三条公交线路，方便\n市民出行，受到市民的欢迎。新线路途经\n县人民医院和汽车站，沿线设二十个站点\n。\n";
    let items = drafts(page);
    let groups = groups(&items);
    assert_eq!(
        groups,
        [["山村茶园迎来采茶季"], ["县城新增三条公交线路"]],
        "{items:#?}"
    );
    let a = articles(&items);
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[0].paras.last().map(String::as_str),
        Some("镇农业服务中心主任周立群带着技术")
    );
}
