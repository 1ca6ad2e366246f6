//! Units of small pages written for each case.

use super::*;

fn texts(page: &str) -> Vec<String> {
    units(page).into_iter().map(|u| u.text).collect()
}

#[test]
fn joins_lines_hard_wrapped_by_a_narrow_column() {
    let page = "民以食为天，食以安为先。\n食品安全关乎着民生福祉。今年\n以来，区市场监管局深入落实\n“食品安全”民生实事项目。\n";
    assert_eq!(
        texts(page),
        ["民以食为天，食以安为先。食品安全关乎着民生福祉。今年以来，区市场监管局深入落实“食品安全”民生实事项目。"]
    );
}

#[test]
fn a_short_line_ending_a_sentence_ends_the_paragraph() {
    let page =
        "全部完成提升改造工作，受到\n群众好评。\n与此同时，为了让菜篮子更\n丰富，市场改造升级。\n";
    assert_eq!(
        texts(page),
        [
            "全部完成提升改造工作，受到群众好评。",
            "与此同时，为了让菜篮子更丰富，市场改造升级。"
        ]
    );
}

#[test]
fn headline_on_two_lines_keeps_a_space() {
    let page = "从严从紧从实 用心用情用力\n坚决打赢疫情防控遭遇战阻击战\n";
    let u = units(page);
    assert_eq!(u.len(), 1);
    assert_eq!(
        u[0].text,
        "从严从紧从实 用心用情用力 坚决打赢疫情防控遭遇战阻击战"
    );
    assert!(!u[0].in_prose_block);
}

#[test]
fn strips_markdown_residue_and_keeps_heading_level() {
    let u = units("### 桥韵\n\n**本报讯** 昨日上午，我市召开会议。  \n（记者 许在诚）\n");
    assert_eq!(u[0].text, "桥韵");
    assert_eq!(u[0].level, Some(3));
    assert_eq!(u[1].text, "本报讯 昨日上午，我市召开会议。");
    assert_eq!(u[2].text, "（记者 许在诚）");
}

#[test]
fn a_title_on_its_own_line_over_unwrapped_paragraphs_is_set_apart() {
    let u = units("新年招聘会 搭建就业路\n1月8日，我市举行就业援助新年招聘会，吸引了全市服务业、制造业等领域的用工单位前来设摊招聘。\n（记者 宁文武）\n");
    assert_eq!(u.len(), 3);
    assert_eq!(u[0].text, "新年招聘会 搭建就业路");
    assert!(!u[0].in_prose_block);
    assert!(u[1].in_prose_block);
}

#[test]
fn an_indented_line_starts_a_new_unit() {
    let u = texts("进一步织密疫情防控网络。\n 金承涛在全区会议上强调\n");
    assert_eq!(u, ["进一步织密疫情防控网络。", "金承涛在全区会议上强调"]);
}

#[test]
fn closes_column_gaps_between_cjk_but_not_between_latin_words_or_numbers() {
    assert_eq!(
        close_gaps("农贸市场等 地,实地督查工 作。"),
        "农贸市场等地,实地督查工作。"
    );
    assert_eq!(close_gaps("宣传活动 1500 余场"), "宣传活动1500余场");
    assert_eq!(close_gaps("JIAXING DAILY 出版"), "JIAXING DAILY 出版");
    assert_eq!(close_gaps("1500 2000"), "1500 2000");
    assert_eq!(
        close_gaps("文明创建,人人有责, 要落实"),
        "文明创建,人人有责,要落实"
    );
    assert_eq!(close_gaps("“大爱西藏 情暖高原”"), "“大爱西藏情暖高原”");
}

#[test]
fn sentence_ends_are_seen_through_closing_quotes() {
    assert!(ends_sentence("为民服务。”"));
    assert!(ends_sentence("好不好？）"));
    assert!(!ends_sentence("俞伟指出，防"));
    assert!(!ends_sentence("他表示："));
}

#[test]
fn a_sentence_with_a_trailing_bracketed_byline_ends_its_paragraph() {
    assert!(ends_sentence("会议要求抓好落实。（记者 张三 通讯员 李四）"));
    assert!(!ends_sentence("会议要求（试行）"));
    let t = texts(
        "    全县上下掀起学习热潮，各乡镇纷纷组织党员干部开展专题学习，大家表示要\n行动起来。（记者 张三）\n抓好落实 推动发展\n",
    );
    assert_eq!(t.last().unwrap(), "抓好落实 推动发展");
}

#[test]
fn where_indents_mark_paragraphs_a_closing_unindented_line_is_set_apart() {
    let u = units(
        "    镇里举行重点项目集中开工仪式，此次集中开工项目共八个，总投资达十亿元。\n    据悉，这批项目涵盖先进制造业等领域，预计可新增产值。\n镇八个重点项目集中开工\n",
    );
    assert_eq!(u.len(), 3);
    assert!(u[0].indented && u[1].indented && !u[2].indented);
    assert_eq!(u[2].text, "镇八个重点项目集中开工");
    assert!(!u[2].in_prose_block);
}

#[test]
fn a_bracketed_byline_cut_by_a_wrap_is_one_unit_under_its_headline() {
    let u = units("高桥街道开展集体婚礼\n（今日桐乡记者 羊宇杰 通讯员 周\n建平）\n\n5月16日，街道举办集体婚礼。\n");
    assert_eq!(u[0].text, "高桥街道开展集体婚礼");
    assert_eq!(u[1].text, "（今日桐乡记者 羊宇杰 通讯员 周\n建平）");
    let b = byline::parse_line(&u[1].text).unwrap();
    assert_eq!(b.names, ["羊宇杰", "周建平"]);
}

#[test]
fn a_poem_under_its_author_is_running_text_line_by_line() {
    let u = units("玉苍山\n□ 郑 怡\n\n云雾漫过山腰\n松涛在石阶上回响\n我们沿着古道向上\n");
    let texts: Vec<&str> = u.iter().map(|u| u.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "玉苍山",
            "□ 郑 怡",
            "云雾漫过山腰",
            "松涛在石阶上回响",
            "我们沿着古道向上"
        ]
    );
    assert!(u[2..].iter().all(|u| u.in_prose_block && u.indented));
    // Without an author's line over it, such a block is a headline set on several lines.
    let h = units("云雾漫过山腰\n松涛在石阶上回响\n我们沿着古道向上\n");
    assert_eq!(h.len(), 1);
    // Nor after a closing byline: that is the next story's headline.
    let h = units("（记者 张三）\n\n寿光市调度城市\n边界社区建设情\n况\n");
    assert_eq!(h.len(), 2);
    let h = units("□本报记者侯冲\n\n镜头对准四川贫困地区\n三位返乡者回家过年\n今年有哪些不一样\n");
    assert_eq!(h.len(), 2);
}

#[test]
fn a_byline_wrapped_after_a_role_takes_the_names_under_it() {
    let u = units("**本报记者 吕晓红 通讯员\n 杜建平**\n\n本报讯 走进工业园区，机器轰鸣。\n");
    assert_eq!(u[0].text, "本报记者 吕晓红 通讯员 杜建平");
    assert_eq!(
        byline::parse_line(&u[0].text).unwrap().names,
        ["吕晓红", "杜建平"]
    );
}

#[test]
fn a_headline_set_right_over_its_wrapped_lead_stays_apart() {
    let u = texts("龙港渔民喜迎开渔季\n7月8日一早，龙港镇的渔港码\n头就热闹起来，上百艘渔船满载\n冰块驶出港口。\n");
    assert_eq!(u[0], "龙港渔民喜迎开渔季");
    let u = texts("（记者 林晓东）\n\n灵溪镇新建口袋公园\n灵溪镇今年利用边角地块新建\n的三座口袋公园近日向市民开\n放，设有步道和座椅。\n");
    assert_eq!(u[1], "灵溪镇新建口袋公园");
    // A line the column cut at a block's start is not one: its clause goes on below…
    let u = texts("在江东大道提升改造工程二\n期、艮山东路过江隧道项目建设\n现场，江东大道提升改造工程二期正在推进。\n");
    assert_eq!(u.len(), 1);
    // …or the text before it stopped mid-sentence.
    let u = texts("巴雅尔图介绍，这期报纸由新巴尔虎右旗\n\n新巴尔虎右旗旗委宣\n传部副部长巴雅尔图又拿\n出一期报纸，巴雅尔图说。\n");
    assert_eq!(u.len(), 2);
    // A converter that ends its pages with form feeds set its headlines apart already.
    let u = texts("龙港渔民喜迎开渔季\n7月8日一早，龙港镇的渔港码\n头就热闹起来，上百艘渔船满载\n冰块驶出港口。\n\u{c}");
    assert_eq!(u.len(), 1);
}

#[test]
fn a_teasers_page_pointer_goes_back_on_its_line() {
    let u = texts(
        "本期导读\n国际商贸城迎来秋季采购高峰\n详见第2版\n佛堂古镇获评省级旅游度假区\n详见第3版\n",
    );
    assert_eq!(
        u,
        [
            "本期导读",
            "国际商贸城迎来秋季采购高峰 详见第2版",
            "佛堂古镇获评省级旅游度假区 详见第3版"
        ]
    );
    assert!(u.iter().all(|t| furniture::is_furniture(t)));
}

#[test]
fn a_dateline_whose_byline_bracket_a_wrap_cut_goes_on_below_whatever_its_indent() {
    let u = units(
        "本报讯（通讯员 刘 洋 记者\n 赵 磊）走进古城街道的智能温\n室，菜农用手机就能管理大棚。\n",
    );
    assert_eq!(u.len(), 1);
    let (rest, names) = byline::split_dateline(&u[0].text).unwrap();
    assert_eq!(names, ["刘洋", "赵磊"]);
    assert!(rest.starts_with("走进古城街道"));
}

#[test]
fn a_masthead_run_into_the_first_story_ends_at_its_date_line() {
    // The page lost its blank lines: paper, date, headline and lead stand in one block.
    let page = "今日某县\n2024年6月3日 星期一\n山区小学用上新校舍\n本报讯（记者 王明）昨天，\
                某镇中心小学的三百多名学生搬进了新建的教学楼，教室宽敞明亮。\n";
    let got = texts(page);
    assert!(got.iter().any(|u| u == "山区小学用上新校舍"), "{got:?}");
    assert!(got.iter().any(|u| u.starts_with("本报讯")), "{got:?}");
}

#[test]
fn a_heading_cut_by_a_hard_wrap_is_whole() {
    // Every line cut at 12 printed characters, the heading's `## ` included.
    let body = "本报讯 昨天上午，县长主\n持召开县政府常务会议，研\n究部署春耕生产工作，会议\n要求抓好落实。\n";
    let page = format!("## 县政府召开第五次常\n务会议\n{body}");
    let got = units(&page);
    assert_eq!(got[0].text, "县政府召开第五次常务会议");
    assert_eq!(got[0].level, Some(2));
    // A shorter heading over a line without punctuation: a subtitle, not the heading's rest.
    let sub = format!("## 县政府召开会议\n研究春耕生产\n{body}");
    assert_eq!(units(&sub)[0].text, "县政府召开会议");
}

#[test]
fn inline_html_from_a_markdown_converter_is_dropped_and_other_angle_brackets_kept() {
    let l = clean_line("# <u>上虞日报</u> ");
    assert_eq!((l.text.as_str(), l.level), ("上虞日报", Some(1)));
    let l = clean_line("**2017年3月25日** <u>yybnet.net 转载</u><br>编辑/某某");
    assert_eq!(l.text, "2017年3月25日 yybnet.net 转载 编辑/某某");
    assert_eq!(clean_line("<mark>高湖</mark>碧波").text, "高湖碧波");
    assert_eq!(clean_line("a<b>c").text, "ac");
    assert_eq!(clean_line("x < y <script>").text, "x < y <script>");
}

/// A byline marked □ under a headline, as pymupdf4llm writes it (a list item), is a byline: the
/// mark is read back, and the names are the story's, not its first words.
#[test]
fn a_markdown_list_item_is_the_mark_the_page_printed() {
    assert_eq!(clean_line("      - 林 青").text, "□林 青");
    assert_eq!(clean_line("- 2 -").text, "- 2 -");
    assert_eq!(clean_line("**要闻**").text, "要闻");
    let page = "###### **在小区读懂民生**\n\n      - 林 青\n\n\
                下沉社区半年来，我跟着网格员走访了三百多户居民，听到最多的是对停车难的期盼。\n";
    let drafts = crate::extract::headline::attach(crate::extract::segment::segment(&units(page)));
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].byline, vec!["林青".to_string()]);
    assert!(
        drafts[0].paras[0].starts_with("下沉社区"),
        "{:?}",
        drafts[0].paras
    );
}

#[test]
fn a_headline_listing_with_enumeration_commas_after_a_finished_story_is_no_running_text() {
    // Body lines wrapped at 13 characters; the headline, in bigger type, at 10.
    let body = "全镇今年新建高标准农田两千亩\n，带动周边农户增收致富，村民\n们纷纷点赞这一惠民工程建设。\n\n";
    let head = "市人大常委会委员、\n法工委主任一行来\n我县调研\n\n";
    let lead = "5月8日，市人大常委会委员、法\n工委主任带领调研组一行，来我\n县开展立法调研，先后到多地考\n察，并召开座谈会听取意见建议。\n";
    let u = units(&format!("{body}{head}{lead}"));
    let headline = u.iter().find(|u| u.text.starts_with("市人大")).unwrap();
    assert_eq!(
        headline.text,
        "市人大常委会委员、 法工委主任一行来 我县调研"
    );
    assert!(!headline.in_prose_block);
    // The same lines after a sentence a column cut are that sentence's rest.
    let cut = body.replace("工程建设。", "工程建设，");
    let u = units(&format!("{cut}{head}{lead}"));
    let rest = u.iter().find(|u| u.text.starts_with("市人大")).unwrap();
    assert!(rest.in_prose_block);
}

/// On a hard-wrapped page a block that opens in the column's full measure, or is one short line
/// ending a sentence, goes on a paragraph cut before it; a block opening two characters short
/// (the indent converters drop) opens a paragraph; a block of one long sentence is not told.
#[test]
fn blocks_opening_mid_paragraph_are_told_by_their_first_line() {
    let page = "城东小学今天迎来首批\n新生，学校共有二十四个班\n级，新教学楼也已投用。\n\n每天上下班可以节省不少时\n间，不少市民当天前来参观\n拍照，都说出行方便多了。\n\n都说方便多了。\n\n据介绍，大桥全长八百米。\n";
    let flags: Vec<(String, Opening)> = units(page)
        .into_iter()
        .map(|u| (u.text.chars().take(2).collect(), u.opening))
        .collect();
    let want = [
        ("城东", Opening::Paragraph),
        ("每天", Opening::GoesOn),
        ("都说", Opening::GoesOn),
        ("据介", Opening::Unknown),
    ];
    let want: Vec<(String, Opening)> = want.iter().map(|&(t, c)| (t.to_string(), c)).collect();
    assert_eq!(flags, want);
    // A page not hard-wrapped (one paragraph per line) has no measure to tell by.
    assert!(units("大桥今天正式通车。\n\n都说方便多了。\n")
        .iter()
        .all(|u| u.opening == Opening::Unknown));
}

#[test]
fn a_byline_s_names_written_as_a_block_of_their_own_go_on_its_role_line() {
    // Markdown converters write every line of a two-line byline as a block of its own.
    let page = "# 湖畔新绿\n\n市融媒体中心全媒体记者\n\n周明远\n\n开春以来，湖边的柳树渐渐抽出新芽，前来散步的市民多了起来。\n";
    assert_eq!(
        texts(page),
        [
            "湖畔新绿",
            "市融媒体中心全媒体记者 周明远",
            "开春以来，湖边的柳树渐渐抽出新芽，前来散步的市民多了起来。"
        ]
    );
    let p = crate::extract::page(page.as_bytes(), "p.md", &Default::default()).unwrap();
    let a = &p.articles[0];
    assert_eq!(p.articles.len(), 1);
    assert_eq!(a.title.as_deref(), Some("湖畔新绿"));
    assert_eq!(a.byline, ["周明远"]);
    // A role the column wrapped is one byline with the line under it.
    assert_eq!(
        texts(
            "# 湖畔新绿\n\n市融媒体中心全媒体\n记者 周明远\n\n开春以来，湖边的柳树渐渐抽出新芽。\n"
        )[1],
        "市融媒体中心全媒体记者 周明远"
    );
    // A name alone under a story's last sentence is not taken onto the text over it.
    assert_eq!(texts("开春以来，柳树抽出新芽。\n\n周明远\n").len(), 2);
}
