//! Bylines and datelines in the forms papers print them.
#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn a_dateline_bracket_left_open_by_the_wrap_is_told() {
    assert!(dateline_bracket_open("本报讯（记者 陈一 实习记者"));
    assert!(!dateline_bracket_open("本报讯（记者 陈一） 9月8日下午，"));
    assert!(!dateline_bracket_open("本报讯 9月8日下午，在"));
    let (rest, names) = split_dateline("本报讯（记者 陈一 实习记者 丁二） 9月8日下午，").unwrap();
    assert_eq!(
        (rest.as_str(), names),
        ("9月8日下午，", vec!["陈一".to_string(), "丁二".to_string()])
    );
}

#[test]
fn a_role_may_name_its_newsroom() {
    let (rest, b) = split_trailing("会议在临江召开。（临江日报记者 张三）").unwrap();
    assert_eq!(
        (rest.as_str(), b.names.as_slice()),
        ("会议在临江召开。", &["张三".to_string()][..])
    );
    let b = parse_line("（县融媒体中心记者李四 通讯员王五）").unwrap();
    assert_eq!(b.names, ["李四", "王五"]);
    let b = parse_line("今日青田记者 赵六").unwrap();
    assert_eq!(b.names, ["赵六"]);
    assert!(parse_line("临江日报社举办读者见面会").is_none());
}

fn names(line: &str) -> Vec<String> {
    parse_line(line).map(|b| b.names).unwrap_or_default()
}

#[test]
fn marked_and_role_led_bylines() {
    assert_eq!(names("■记者 张明远 通讯员 李晓"), ["张明远", "李晓"]);
    assert_eq!(names("■首席记者 赵一鸣"), ["赵一鸣"]);
    assert_eq!(names("本报记者 钱多多"), ["钱多多"]);
    assert_eq!(names("通讯员 孙小美 潘大海"), ["孙小美", "潘大海"]);
    assert_eq!(names("实习生 王五"), ["王五"]);
    assert_eq!(names("图/文 周立"), ["周立"]);
    assert_eq!(names("记者 周立 报道"), ["周立"]);
    assert!(parse_line("■摄影 赵云").unwrap().photo);
    assert!(parse_line("■记 者 通讯员").unwrap().names.is_empty());
    assert!(parse_line("■记者").unwrap().marked);
}

#[test]
fn names_split_by_column_spacing_are_rejoined() {
    assert_eq!(names("■记者 张 三 通讯员 李四"), ["张三", "李四"]);
}

#[test]
fn bracketed_bylines_at_the_end() {
    let b = parse_line("（记者 许多）").unwrap();
    assert!(b.bracketed && !b.marked);
    assert_eq!(b.names, ["许多"]);
    assert_eq!(names("(罗明 潘佳 陈星)"), ["罗明", "潘佳", "陈星"]);
    assert!(parse_line("（试行）").is_none());
    assert!(parse_line("（上接第1版）").is_none());
}

#[test]
fn sentences_are_not_bylines() {
    assert!(parse_line("记者从市人力社保局获悉").is_none());
    assert!(parse_line("记者来到涌金花苑小区，只见居民刷脸进出。").is_none());
    assert!(parse_line("坚决打赢根治欠薪冬季攻坚战").is_none());
}

#[test]
fn a_line_of_names_under_a_title() {
    assert_eq!(names_only("陈彩萍 缪海英").unwrap(), ["陈彩萍", "缪海英"]);
    assert_eq!(names_only("欧阳修远").unwrap(), ["欧阳修远"]);
    assert!(names_only("携手同心 领潮时尚").is_none());
    assert!(names_only("桥韵").is_none());
}

#[test]
fn a_reporter_finding_out_is_not_a_byline() {
    assert!(split_trailing("纷纷点赞道。记者了解到，近年来，慈云镇").is_none());
    assert!(parse_line("记者了解到，近年来，慈云镇").is_none());
    let (_, b) = split_trailing("吸引着不少游客前来参观游览。本报记者 过仕宁 摄").unwrap();
    assert_eq!(b.names, ["过仕宁"]);
}

#[test]
fn author_lines_name_writers_and_photographers() {
    assert_eq!(
        names("作者：文字 胡吉 闾高桥 摄影 马玉龙 吴燕钧"),
        ["胡吉", "闾高桥", "马玉龙", "吴燕钧"]
    );
    assert_eq!(
        names("作者： 记者 陆晨晖 通讯员 俞大庆"),
        ["陆晨晖", "俞大庆"]
    );
    assert!(parse_line("作者：本市广大干部群众").is_none());
    let (rest, b) = split_trailing("带入全面小康。作者： 记者 陆晨晖 通讯员 俞大庆 李瑶").unwrap();
    assert_eq!(rest, "带入全面小康。");
    assert_eq!(b.names, ["陆晨晖", "俞大庆", "李瑶"]);
}

#[test]
fn a_bracketed_byline_after_a_dateline_line_and_a_name_after_the_last_sentence() {
    let (rest, n) = split_leading_bracket("（记者 李玉琢） 蒙古国《东方省报》").unwrap();
    assert_eq!(
        (rest.as_str(), n),
        ("蒙古国《东方省报》", vec!["李玉琢".to_string()])
    );
    assert!(split_leading_bracket("（图为活动现场）今天上午").is_none());
    let (rest, n) = split_trailing_names("为庐江谱写新时代之歌。李夏").unwrap();
    assert_eq!(
        (rest.as_str(), n),
        ("为庐江谱写新时代之歌。", vec!["李夏".to_string()])
    );
    assert!(split_trailing_names("为庐江谱写新时代之歌。据悉").is_none());
    assert!(split_trailing_names("为庐江谱写新时代之歌。").is_none());
}

#[test]
fn trailing_bylines_are_cut_from_paragraphs() {
    let (rest, b) = split_trailing("现场给予指导和帮助。(罗明 潘佳 陈星)").unwrap();
    assert_eq!(rest, "现场给予指导和帮助。");
    assert_eq!(b.names, ["罗明", "潘佳", "陈星"]);
    let (rest, b) = split_trailing("电力工人在塔基上施工。 谢锦 摄").unwrap();
    assert_eq!((rest.as_str(), b.photo), ("电力工人在塔基上施工。", true));
    assert_eq!(b.names, ["谢锦"]);
    let (rest, b) = split_trailing("农机手正驾驶收割机抢收小麦。 ■摄影 徐风").unwrap();
    assert_eq!(
        (rest.as_str(), b.photo, b.names),
        (
            "农机手正驾驶收割机抢收小麦。",
            true,
            vec!["徐风".to_string()]
        )
    );
    assert!(split_trailing("通过了《实施方案(试行)》").is_none());
    assert!(split_trailing("他说。（完）").is_none());
}

#[test]
fn datelines_are_cut_and_credit_names() {
    let (rest, n) = split_dateline("本报讯（记者 张三） 昨天上午，我市召开会议。").unwrap();
    assert_eq!(rest, "昨天上午，我市召开会议。");
    assert_eq!(n, ["张三"]);
    let (rest, _) = split_dateline("新华社杭州6月27日电 浙江省……").unwrap();
    assert_eq!(rest, "浙江省……");
    assert_eq!(split_dateline("晚报讯 昨日").unwrap().0, "昨日");
    assert!(split_dateline("本报记者深入一线").is_none());
    let (rest, n) = split_dateline("本报讯 记者 张三 通讯员 李四 昨天上午，开会。").unwrap();
    assert_eq!(
        (rest.as_str(), n),
        ("昨天上午，开会。", vec!["张三".to_string(), "李四".into()])
    );
    let (rest, n) = split_dateline("本报讯 记者张三 昨天上午，开会。").unwrap();
    assert_eq!(
        (rest.as_str(), n),
        ("昨天上午，开会。", vec!["张三".to_string()])
    );
}

#[test]
fn reporting_groups_are_roles_not_names() {
    assert_eq!(
        names("本报记者 李明 市委报道组 王强"),
        vec!["李明".to_string(), "王强".to_string()]
    );
    assert_eq!(
        names("通讯员 张伟 区委报道组 刘芳 特约记者 赵磊"),
        vec!["张伟".to_string(), "刘芳".to_string(), "赵磊".to_string()]
    );
}

#[test]
fn an_organisation_supplying_a_picture_is_a_credit_without_names() {
    let b = parse_line("县文化馆 供图").unwrap();
    assert!(b.photo && b.names.is_empty());
    let b = parse_line("陈红 供图").unwrap();
    assert_eq!(b.names, vec!["陈红".to_string()]);
    assert!(parse_line("各单位积极报名供稿").is_none());
}

#[test]
fn a_byline_wrapped_by_the_column_keeps_its_names_whole() {
    let names = |t: &str| split_dateline(t).map(|(_, n)| n);
    let want = Some(vec!["吴建国".to_string(), "李丽".to_string()]);
    // The wrap cuts a name, or a role, inside the bracket.
    assert_eq!(
        names("本报讯（记者 吴建\n国 实习记者 李丽） 昨天上午，"),
        want
    );
    assert_eq!(
        names("本报讯（记者 吴建国 实习\n记者 李丽） 昨天上午，"),
        want
    );
    // Column spacing inside a two-character name still joins it.
    assert_eq!(
        names("本报讯（记者 李 丽） 昨天上午，"),
        Some(vec!["李丽".to_string()])
    );
}

#[test]
fn a_wrap_between_two_names_is_a_space() {
    let (rest, b) =
        split_trailing("河道清淤全面完成。作者： 记者 吴建国 通讯员 钱多多\n李丽").unwrap();
    assert_eq!(rest, "河道清淤全面完成。");
    assert_eq!(b.names, ["吴建国", "钱多多", "李丽"]);
    let (_, b) =
        split_trailing("河道清淤全面完成。作者： 记者 吴建国 通讯\n员 钱多多 李丽").unwrap();
    assert_eq!(b.names, ["吴建国", "钱多多", "李丽"]);
}

#[test]
fn a_letter_spaced_dateline_is_a_dateline() {
    let (rest, names) =
        split_dateline("本 报 杭 州 10 月 8 日 电 （记者 吴建国） 昨天上午，").unwrap();
    assert_eq!(rest, "昨天上午，");
    assert_eq!(names, ["吴建国"]);
    assert!(split_dateline("本 报 杭 州 10 月 8 日 电").is_some_and(|(r, _)| r.is_empty()));
    // Ordinary text with a few spaces is not letter-spaced.
    assert!(split_dateline("杭州 今天 迎来 新一轮 降雨").is_none());
}

#[test]
fn a_reader_photographer_is_a_role_not_a_name() {
    assert_eq!(names("拍友 沈春燕 摄"), vec!["沈春燕".to_string()]);
    let b = parse_line("拍友 沈春燕 摄").unwrap();
    assert!(b.photo);
}

#[test]
fn a_bracketed_byline_open_at_the_line_end_is_known() {
    assert!(byline_bracket_open("（今日桐乡记者 羊宇杰 通讯员 周"));
    assert!(!byline_bracket_open("（记者 羊宇杰）"));
    assert!(!byline_bracket_open("（下转第2版"));
}

#[test]
fn a_media_centre_credits_its_reporter_without_a_role() {
    let b = parse_line("（寿光市融媒体中心 孙 丽）").unwrap();
    assert_eq!(b.names, ["孙丽"]);
    assert!(b.bracketed);
}

#[test]
fn a_byline_mark_read_by_ocr_as_a_character_still_marks_a_byline() {
    let b = parse_line("口本报记者 刘一 通讯员 梁二").unwrap();
    assert_eq!(b.names, ["刘一", "梁二"]);
    let b = parse_line("口]彭三 本报记者 侯四").unwrap();
    assert_eq!(b.names, ["彭三", "侯四"]);
    let b = parse_line("回本报记者 刘一").unwrap();
    assert_eq!(b.names, ["刘一"]);
    assert!(parse_line("口罩厂今天复工").is_none());
}

#[test]
fn any_one_character_before_the_papers_own_reporter_is_the_mark_misread() {
    for line in [
        "加本报记者 刘一 通讯员 梁二",
        "器本报记者 刘一 通讯员 梁二",
        "日本报记者 刘一 通讯员 梁二",
    ] {
        let b = parse_line(line).unwrap();
        assert_eq!(b.names, ["刘一", "梁二"], "{line}");
        assert!(b.marked, "{line}");
    }
    // The box read as two characters, the box itself second.
    let b = parse_line("上器本报记者 刘一 通讯员 梁二").unwrap();
    assert_eq!(b.names, ["刘一", "梁二"]);
    assert!(b.marked);
    assert!(parse_line("日本本报记者 刘一").is_none_or(|b| !b.marked));
    // An outlet's name before its reporter is a byline of its own kind, not a mark.
    assert!(!parse_line("寿光日报记者 尹二").is_some_and(|b| b.marked));
    // Running text that starts with 本报 after one character stays running text.
    assert!(parse_line("据本报统计，全县今年新增企业三百家").is_none());
    let b = parse_line("〈本报记者 李一 文/摄)").unwrap();
    assert_eq!(b.names, ["李一"]);
    assert!(b.bracketed && b.photo);
}

#[test]
fn a_reporting_verb_after_the_role_is_running_text_not_a_name() {
    assert!(split_trailing("前来赶集的人们纷纷点赞。记者了解").is_none());
    assert!(parse_line("记者 了解").is_none());
    // A column's line ending in a reporting verb, its object wrapped off.
    assert!(parse_line("凡政在接受县报记者采访时").is_none());
    assert!(parse_line("记者 走访中").is_none());
    let (_, b) = split_trailing("会议在临江召开。（记者 张三）").unwrap();
    assert_eq!(b.names, ["张三"]);
}

#[test]
fn a_role_cut_by_a_wrap_joins_the_line_under_it() {
    assert!(role_cut_by_wrap("市融媒体中心全媒体", "记者 周明远"));
    assert!(role_cut_by_wrap("本报", "记者 张三"));
    // A headline over a byline is no part of it.
    assert!(!role_cut_by_wrap("湖畔新绿", "记者 周明远"));
    assert!(!role_cut_by_wrap("湖畔新绿游人如织。", "记者 周明远"));
}

#[test]
fn a_role_a_converter_spaced_is_still_a_role() {
    // Layout converters put a space where the column wrapped, inside a role too.
    let b = parse_line("本报 记者 李晓明").unwrap();
    assert_eq!(b.names, ["李晓明"]);
    let (rest, names) =
        split_dateline("本报讯 （记者 陈胜龙 实习 记者 丁燕） 9月8日下午，").unwrap();
    assert_eq!(names, ["陈胜龙", "丁燕"]);
    assert_eq!(rest.trim(), "9月8日下午，");
    let (_, names) = split_dateline("本报讯（记者 郑志勋 实 习生 厉斌）60多个花季少年").unwrap();
    assert_eq!(names, ["郑志勋", "厉斌"]);
}
