//! Roles and tags of small pages of lines built for each case.

use super::super::Rect;
use super::*;

fn line(text: &str, size: f32, bold: bool) -> Line {
    Line {
        text: text.into(),
        rect: Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 100.0,
            y1: size,
        },
        size,
        bold,
        indented: false,
        gap_before: false,
        picture: false,
        leaf: 0,
    }
}

fn picture() -> Line {
    Line {
        picture: true,
        ..line("", 0.0, false)
    }
}

#[test]
fn headlines_open_and_wrapped_titles_join() {
    let lines = [
        line("上虞日报", 40.0, true),
        line("我市举行中秋联谊活动", 20.0, true),
        line("共抒衷肠", 20.0, true),
        line("卢一勤等出席", 11.0, true),
        line(
            "本报讯（记者 陈一 实习生 丁二） 9月8日下午，在中华民族的",
            10.0,
            false,
        ),
        line("传统节日来临之际，全市举行联谊活动。", 10.0, false),
        line("（下转第二版）", 10.0, true),
        picture(),
        line("石勇生 邵海标 摄", 9.0, false),
        line("坚守岗位保洁净", 18.0, true),
        line("7月6日早上，环卫职工正在冲洗道路。", 10.0, false),
    ];
    let (pl, tags) = tag(&lines, 10.0, 0.0);
    let texts: Vec<&str> = pl.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts[1], "我市举行中秋联谊活动共抒衷肠");
    assert_eq!(pl[1].level, Some(1));
    assert_eq!(pl[2].level, Some(2));
    use Tag::*;
    assert_eq!(
        tags,
        [Outside, HeadOpen, Head, Text, Text, Text, BylineOpen, Head, Text]
    );
}

fn at(text: &str, size: f32, x0: f32, y0: f32, leaf: usize) -> Line {
    Line {
        rect: Rect {
            x0,
            y0,
            x1: x0 + size * text.chars().count() as f32,
            y1: y0 + size,
        },
        leaf,
        ..line(text, size, false)
    }
}

#[test]
fn large_type_in_the_page_header_strip_is_furniture_and_a_short_headline_under_it_is_not() {
    let lines = [
        at("A5区域", 10.0, 30.0, 33.0, 0),
        at("yybnet.net转载", 15.0, 240.0, 28.0, 1),
        at("编辑/某某 校对/某某", 10.0, 540.0, 33.0, 2),
        at("台风过后", 25.0, 220.0, 59.0, 3),
        at(
            "10月9日，台风终于离开了浙江，进入东海。",
            10.0,
            30.0,
            95.0,
            4,
        ),
    ];
    let (_, tags) = tag(&lines, 10.0, 138.0);
    use Tag::*;
    assert_eq!(tags, [Outside, Outside, Outside, HeadOpen, Text]);
}

#[test]
fn a_large_name_beside_the_masthead_date_is_the_paper_and_a_bold_dateline_is_text() {
    let lines = [
        at("2018年10月10日", 8.0, 350.0, 20.0, 0),
        at("临江融媒体中心", 38.0, 20.0, 24.0, 0),
        at("“跨国”平台讲好临江故事", 19.0, 20.0, 80.0, 1),
        Line {
            bold: true,
            ..at("本报临江10月8日电（记者 李", 8.0, 20.0, 154.0, 2)
        },
        at(
            "一） 临江日报9月10日以图文并茂的形式，整版报道了展销会。",
            8.0,
            20.0,
            165.0,
            2,
        ),
    ];
    let (_, tags) = tag(&lines, 8.0, 90.0);
    use Tag::*;
    assert_eq!(tags, [Outside, Outside, HeadOpen, Text, Text]);
}

#[test]
fn a_picture_inside_a_story_is_read_past_and_one_with_a_credit_opens_a_photo_item() {
    let lines = [
        line("新城新景写未来", 20.0, true),
        line("城市的变化看得见。", 10.0, false),
        picture(),
        line("新的一年里，新城还将建成三座公园。", 10.0, false),
        picture(),
        line("7月6日早上，环卫职工正在冲洗道路。", 10.0, false),
        line("石勇生 摄", 9.0, false),
    ];
    let (_, tags) = tag(&lines, 10.0, 0.0);
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Text, Text, TextOpen, Byline]);
}

#[test]
fn text_after_a_closed_story_opens_one() {
    let lines = [
        line("大桥通车", 20.0, true),
        line("大桥今天通车。（记者 张三）", 10.0, false),
        line("（上接第一版）会议还要求，", 10.0, false),
        line("各地抓好落实。", 10.0, false),
        line("新校开学了，学生很高兴。", 10.0, false),
    ];
    let (_, tags) = tag(&lines, 10.0, 0.0);
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Text, TextOpen, Text, Text]);
}

/// A picture's credit closing a text line ends that story as a bracketed byline does: the brief
/// under it is another story, not more of the caption.
#[test]
fn a_photo_credit_closing_a_caption_s_last_line_closes_its_story() {
    let lines = [
        line("新桥通车", 20.0, true),
        line("5月1日，南河新桥建成通车。", 10.0, false),
        line("图为市民走过新桥。近日，", 10.0, false),
        line("新桥迎来客流高峰。■通讯员 王小明 摄", 10.0, false),
        line("全镇上下要以更大力度推进项目", 10.0, false),
        line("建设，确保全年目标圆满完成。", 10.0, false),
    ];
    let (_, tags) = tag(&lines, 10.0, 0.0);
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Text, Text, Text, TextOpen, Text]);
}

/// In a column of briefs, a paragraph set a gap under a finished sentence opens a brief of its
/// own; the story's next paragraph right under it, or one under a sentence left open, or the
/// first line of the next column, reads on.
#[test]
fn a_paragraph_set_apart_under_a_finished_sentence_opens_a_brief() {
    // A paragraph's first line: indented; `gap` when whitespace stands over it.
    let first = |text: &str, x0: f32, y0: f32, gap: bool| Line {
        indented: true,
        gap_before: gap,
        ..at(text, 10.0, x0, y0, 0)
    };
    let lines = vec![
        Line {
            bold: true,
            ..at("新桥通车", 14.0, 0.0, 0.0, 0)
        },
        first("5月1日，南河新桥建成通车。", 20.0, 20.0, true),
        at("市民纷纷前来参观。", 10.0, 0.0, 32.0, 0),
        first("全镇上下要以更大力度推进项", 20.0, 52.0, true),
        at("目建设，确保全年目标圆满完成。", 10.0, 0.0, 64.0, 0),
    ];
    let (_, tags) = tag(&lines, 10.0, 0.0);
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Text, Text, TextOpen, Text]);
    // Under a sentence left open, or at the top of the next column, it reads on.
    let mut open = lines.clone();
    open[2].text = "市民纷纷前来".into();
    assert_eq!(tag(&open, 10.0, 0.0).1[3], Text);
    let mut next_column = lines.clone();
    next_column[3] = first("全镇上下要以更大力度推进项", 140.0, 20.0, true);
    assert_eq!(tag(&next_column, 10.0, 0.0).1[3], Text);
}

#[test]
fn a_bracketed_byline_cut_by_the_column_closes_its_story() {
    let lines = [
        line("会议要求各部门抓好落实。", 9.0, false),
        line("（记者 朱星然 通讯员", 9.0, false),
        line("王晨旭）", 9.0, false),
        line("为依托，整合全市媒体资源，", 9.0, false),
    ];
    let (out, tags) = tag(&lines, 9.0, 0.0);
    assert_eq!(out.len(), 3);
    assert_eq!(out[1].shown, "（记者 朱星然 通讯员\n王晨旭）");
    assert_eq!(tags[1], Tag::Byline);
    assert_eq!(tags[2], Tag::TextOpen);
    assert_eq!(
        byline::parse_line(&out[1].shown).unwrap().names,
        ["朱星然", "王晨旭"]
    );
}

#[test]
fn names_set_as_the_subtitle_end_it_and_names_set_apart_are_the_byline() {
    let interview = [
        line("扛牢主城区担当", 20.0, true),
        line("——访某某街道党工委书记", 11.0, true),
        line("吕凡政", 11.0, true),
        line("“今年，街道将始终坚定发展信心。”吕凡政说。", 10.0, false),
    ];
    let (pl, tags) = tag(&interview, 10.0, 0.0);
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Head, Text]);
    assert_eq!(pl[1].text, "——访某某街道党工委书记吕凡政");
    let plain = [
        line("扛牢主城区担当", 20.0, true),
        line("——访某某街道党工委书记", 11.0, true),
        line("张 三", 10.0, false),
        line("“今年，街道将始终坚定发展信心。”吕凡政说。", 10.0, false),
    ];
    let (_, tags) = tag(&plain, 10.0, 0.0);
    assert_eq!(tags, [HeadOpen, Head, Byline, Text]);
}

#[test]
fn bylines_a_narrow_column_wrapped_are_whole() {
    let lines = [
        line("不把污泥浊水带入全面小康", 20.0, true),
        line("绍兴市新闻传媒中心全媒", 10.0, false),
        line("体记者 王五", 10.0, false),
        line("昨天下午，新市镇正式吹响", 10.0, false),
        line("清淤工作的号角，决不把污", 10.0, false),
        line("泥浊水带入全面小康。作者： 记者", 10.0, false),
        line("陆晨晖 通讯员 俞大庆", 10.0, false),
        line("李瑶", 10.0, false),
    ];
    let (pl, tags) = tag(&lines, 10.0, 0.0);
    let shown: Vec<&str> = pl.iter().map(|l| l.shown.as_str()).collect();
    assert_eq!(
        shown,
        [
            "不把污泥浊水带入全面小康",
            "绍兴市新闻传媒中心全媒体记者 王五",
            "昨天下午，新市镇正式吹响",
            "清淤工作的号角，决不把污",
            "泥浊水带入全面小康。",
            "作者： 记者陆晨晖 通讯员 俞大庆 李瑶",
        ]
    );
    assert_eq!(
        byline::parse_line(shown[5]).unwrap().names,
        ["陆晨晖", "俞大庆", "李瑶"]
    );
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Byline, Text, Text, Text, Byline]);
    // A credit's last word wrapped (`摄影报` / `道`) is not a name.
    let photo = [
        line("把心愿带上两会。本报记者 田为 摄影报", 10.0, false),
        line("道", 10.0, false),
    ];
    let (pl, _) = tag(&photo, 10.0, 0.0);
    assert_eq!(pl[1].shown, "本报记者 田为 摄影报道");
    assert_eq!(byline::parse_line(&pl[1].shown).unwrap().names, ["田为"]);
}

#[test]
fn a_last_name_wrapped_onto_a_line_of_its_own_stays_in_the_byline() {
    for (first, second, names) in [
        ("记者 俞立青 实习生 阮伟", "萍", vec!["俞立青", "阮伟萍"]),
        (
            "文字 胡吉 摄影 马玉龙",
            "吴燕钧",
            vec!["胡吉", "马玉龙", "吴燕钧"],
        ),
        ("某某传媒中心全媒体记者", "王旭东", vec!["王旭东"]),
        // The wrap cut the role word itself, the names after it too long for a last name's line.
        (
            "作者：文字 张明 李华 摄",
            "影 王小强 赵丽娟",
            vec!["张明", "李华", "王小强", "赵丽娟"],
        ),
        (
            "记者 张明 通讯",
            "员 王小强 李大华",
            vec!["张明", "王小强", "李大华"],
        ),
    ] {
        let lines = [
            line("台风过后", 20.0, true),
            line(first, 10.0, false),
            line(second, 10.0, false),
            line("10月9日，台风终于挪出浙江。", 10.0, false),
        ];
        let (pl, tags) = tag(&lines, 10.0, 0.0);
        use Tag::*;
        assert_eq!(tags, [HeadOpen, Byline, Text], "{first}");
        assert_eq!(byline::parse_line(&pl[1].shown).unwrap().names, names);
    }
}

#[test]
fn names_flush_right_under_the_last_sentence_sign_the_story() {
    let lines = [
        at("作家采风", 20.0, 0.0, 0.0, 0),
        at("日前，省报告文学协会一行人", 10.0, 20.0, 30.0, 1),
        at("赴县里采风。他们表示要以手中的", 10.0, 0.0, 42.0, 1),
        at("笔，谱写新时代之歌。", 10.0, 0.0, 54.0, 1),
        at("李夏", 10.0, 130.0, 66.0, 1),
        // The same names at the left edge are text: a paragraph's last line.
        at("张三", 10.0, 0.0, 78.0, 1),
    ];
    let (_, tags) = tag(&lines, 10.0, 0.0);
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Text, Text, Text, Byline, Text]);
}

#[test]
fn a_headline_line_that_reads_like_a_column_label_stays_in_the_headline() {
    let lines = [
        at("一展尽览嵊州之美——", 16.0, 0.0, 0.0, 0),
        at("走进杭州”推介活动完美", 16.0, 0.0, 20.0, 0),
        at("落幕", 16.0, 0.0, 40.0, 0),
        at(
            "展会现场，越剧折子戏表演和竹编纷纷登场。",
            10.0,
            0.0,
            64.0,
            1,
        ),
    ];
    let (pl, tags) = tag(&lines, 10.0, 0.0);
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Text]);
    assert_eq!(pl[0].text, "一展尽览嵊州之美——走进杭州”推介活动完美落幕");
    // Alone, under its own gap, the same line is a label.
    let label = [
        at("走进杭州", 16.0, 0.0, 0.0, 0),
        at("杭州举行推介活动", 16.0, 0.0, 40.0, 0),
        at(
            "展会现场，越剧折子戏表演和竹编纷纷登场。",
            10.0,
            0.0,
            64.0,
            1,
        ),
    ];
    let (_, tags) = tag(&label, 10.0, 0.0);
    assert_eq!(tags, [Outside, HeadOpen, Text]);
}

#[test]
fn a_public_service_slogan_heads_nothing_and_the_text_after_it_opens_a_fragment() {
    let lines = [
        line("乡村遛个弯儿", 20.0, true),
        line("听溪涧鸣琴、鸟雀啁啾，一股超然的感觉沁入", 10.0, false),
        line("文明出行礼让斑马线", 20.0, true),
        line("公 益 广 告", 10.0, true),
        line("心中，能让人把一切烦恼都抛到九霄云外。", 10.0, false),
    ];
    let (_, tags) = tag(&lines, 10.0, 0.0);
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Text, Outside, Outside, TextOpen]);
}

#[test]
fn a_kicker_wrapped_over_several_lines_heads_its_story() {
    let bold = |text: &str, y0: f32, x1: f32| Line {
        bold: true,
        rect: Rect {
            x0: 30.0,
            y0,
            x1,
            y1: y0 + 10.0,
        },
        ..line(text, 10.0, true)
    };
    let lines = [
        bold("开局之年奋斗正当时·学", 100.0, 140.0),
        bold("习贯彻全会精神权威访", 113.0, 140.0),
        bold("谈", 126.0, 40.0),
        Line {
            rect: Rect {
                x0: 30.0,
                y0: 139.0,
                x1: 140.0,
                y1: 157.0,
            },
            ..line("扛牢主城区担当", 18.0, true)
        },
        line("“今年是开局之年，”街道党工委书记说。", 10.0, false),
    ];
    let (pl, tags) = tag(&lines, 10.0, 0.0);
    use Tag::*;
    assert_eq!(tags, [HeadOpen, Head, Text], "{pl:?}");
    assert_eq!(pl[0].text, "开局之年奋斗正当时·学习贯彻全会精神权威访谈");
}
