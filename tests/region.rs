//! Region assignment on texts written for these tests: one rule per test, as a local paper or a
//! roundup page would state it.
#![allow(clippy::unwrap_used)]

use paperboy::model::RegionCode;
use paperboy::region::{assign_page, ArticleText, Gazetteer};

fn art<'a>(title: &'a str, body: &'a str) -> ArticleText<'a> {
    ArticleText { title, body }
}

/// The codes of each article's regions, primary first.
fn codes(paper: Option<&str>, articles: &[ArticleText<'_>]) -> Vec<Vec<String>> {
    assign_page(paper, articles)
        .into_iter()
        .map(|rs| rs.into_iter().map(|r| r.code.to_string()).collect())
        .collect()
}

fn one(paper: Option<&str>, title: &str, body: &str) -> Vec<String> {
    codes(paper, &[art(title, body)]).remove(0)
}

#[test]
fn township_names_count_for_their_county() {
    let got = one(
        None,
        "社区开展暑期课堂",
        "近日，新安江街道健安社区举办茶文化讲堂，二十多名学生参加。",
    );
    assert_eq!(got, ["330182"]);
}

#[test]
fn a_line_break_inside_a_name_does_not_hide_it() {
    let got = one(
        None,
        "",
        "近日，新安江\n街道健安社区举办茶文化讲堂，新安 江街道相关负责人说。",
    );
    assert_eq!(got, ["330182"]);
}

#[test]
fn duplicate_township_names_resolve_by_the_prefecture_named_nearby() {
    // 城关镇 exists in about ninety counties; 蚌埠 has one (五河县), 三明 has one (尤溪县).
    let bengbu = one(
        None,
        "",
        "蚌埠市召开乡村振兴推进会。会后，与会人员来到城关镇，察看高标准农田建设。",
    );
    assert_eq!(bengbu, ["340322"]);
    let sanming = one(None, "", "三明市持续推进林业改革。城关镇的护林员每天巡山。");
    assert_eq!(sanming, ["350426"]);
}

#[test]
fn duplicate_township_name_without_context_gives_nothing() {
    assert!(one(None, "", "城关镇的护林员每天巡山，守护一方青山。").is_empty());
}

#[test]
fn home_markers_and_evidence_free_articles_take_the_papers_home() {
    let got = codes(
        Some("今日建德"),
        &[
            art(
                "新年招聘会 搭建就业路",
                "1月8日，我市在市人力资源市场举行新年招聘会。",
            ),
            art("", "天气转冷，请注意保暖。"),
            art(
                "市领导调研重点项目",
                "市委书记一行来到项目工地，察看工程进度。",
            ),
        ],
    );
    assert_eq!(got, [["330182"], ["330182"], ["330182"]]);
}

#[test]
fn the_edition_name_wins_over_the_prefecture_paper() {
    let got = one(
        Some("嘉兴日报·平湖版"),
        "",
        "我市召开文明城市巩固工作推进会。",
    );
    assert_eq!(got, ["330482"]);
    // A city paper's story of its own city, no district or county named: the city's seat
    // (南湖区, the first unit of 嘉兴市's list), as its readers file city news.
    let prefecture_paper = one(Some("嘉兴日报"), "", "我市召开文明城市巩固工作推进会。");
    assert_eq!(prefecture_paper, ["330402"]);
}

#[test]
fn a_city_papers_own_city_goes_to_its_seat_and_a_named_county_stays() {
    let g = |body: &str| one(Some("白城日报"), "", body);
    assert_eq!(g("白城市委召开常委会议，研究部署春耕生产。"), ["220802"]);
    assert_eq!(g("通榆县召开春耕生产动员会。"), ["220822"]);
    // A prefecture named without a paper of its own stays the prefecture.
    assert_eq!(one(None, "", "白城市召开春耕生产动员会。"), ["220800"]);
}

#[test]
fn the_papers_city_named_in_an_article_stays_the_home_county() {
    let got = one(Some("今日建德"), "", "杭州市人大常委会调研组来我市调研。");
    assert_eq!(got, ["330182"]);
}

#[test]
fn a_roundup_article_gets_every_place_primary_first() {
    let body = "入夏以来，宁波市象山县石浦镇开展渔船安全检查，石浦镇组织渔民演练。\n\n\
                与此同时，湖州市安吉县也开展了系列检查工作，安吉县应急管理局联合多部门行动。\n\n\
                此外，丽水市缙云县消防救援大队开展夜查行动。";
    let got = one(None, "防范未“燃”", body);
    assert_eq!(got, ["330225", "330523", "331122"]);
}

#[test]
fn passing_mentions_do_not_become_regions() {
    let body = "余杭区五常街道开展安全生产检查。五常街道制定专项行动方案，余杭区应急管理局参与。\
                五常街道还组织专题讲座。余杭区相关负责人说，余杭区将继续推进。参会者中有来自临安区的企业代表。";
    assert_eq!(one(None, "", body), ["330110"]);
}

#[test]
fn prefecture_only_evidence_gives_the_prefecture_code() {
    let got = one(
        None,
        "隧道车辆 管控有招",
        "“隧道车辆留存系统”在高速公路台州管理中心猫狸岭隧道所安装使用。",
    );
    assert_eq!(got, ["331000"]);
}

#[test]
fn a_name_after_its_prefecture_resolves_a_shared_county_name() {
    assert_eq!(one(None, "", "福州市鼓楼区召开会议。"), ["350102"]);
    assert_eq!(one(None, "", "南京市鼓楼区召开会议。"), ["320106"]);
    assert!(
        one(None, "", "鼓楼区召开会议。").is_empty(),
        "four 鼓楼区, no context"
    );
}

#[test]
fn everyday_words_that_contain_place_names_are_not_places() {
    let body = "据新华社报道，各地推进平安建设，城区道路改造完成，和平与发展仍是时代主题，中山路两侧绿树成荫。";
    assert!(one(None, "", body).is_empty(), "{:?}", one(None, "", body));
}

#[test]
fn short_names_count_and_street_names_do_not() {
    assert_eq!(one(None, "", "苍南开展消防安全夜查行动。"), ["330327"]);
    assert!(one(None, "", "建德路上新开了一家书店。").is_empty());
}

#[test]
fn a_page_without_paper_name_takes_the_majority_as_home() {
    let got = codes(
        None,
        &[
            art("", "平湖市当湖街道开展垃圾分类宣传。"),
            art("", "平湖市钟埭街道举办招聘会。"),
            art("", "我市召开防汛工作会议。"),
        ],
    );
    assert_eq!(got, [["330482"], ["330482"], ["330482"]]);
}

#[test]
fn no_evidence_and_no_paper_gives_no_region() {
    assert!(one(None, "天气", "明天多云转晴，气温回升。").is_empty());
}

#[test]
fn region_refs_name_prefecture_and_province() {
    let r = &assign_page(None, &[art("", "新安江街道开展活动。")])[0][0];
    assert_eq!(r.name, "建德市");
    assert_eq!(r.prefecture.as_deref(), Some("杭州市"));
    assert_eq!(r.province, "浙江省");
    let g = Gazetteer::global();
    assert_eq!(
        g.region_ref(&RegionCode::parse("330182").unwrap()).as_ref(),
        Some(r)
    );
}

#[test]
fn a_given_name_that_is_a_county_name_is_not_a_place() {
    // 永康 and 长兴 are Zhejiang counties; here they are people.
    let body = "会上，市长周永康表示，要抓好安全生产。刘长兴等参加会议。";
    assert!(one(None, "", body).is_empty(), "{:?}", one(None, "", body));
}

#[test]
fn a_short_name_inside_a_longer_word_does_not_decide() {
    // 和政 (和政县) inside 和政府, 上党 (上党区) inside 上党课: no clause starts with them.
    assert!(one(None, "", "群众和政府一起努力，党员们上党课。").is_empty());
}

#[test]
fn a_duplicate_township_name_resolves_to_the_papers_county() {
    // 新密市 (郑州) has a 城关镇, as do about ninety other counties.
    assert_eq!(
        one(Some("今日新密"), "", "城关镇开展人居环境整治。"),
        ["410183"]
    );
}

#[test]
fn a_province_paper_does_not_make_every_word_a_county() {
    let got = codes(
        Some("浙江日报"),
        &[
            art("", "江山就是人民，人民就是江山。各地干部深入基层。"),
            art("", "衢州市江山市虎山街道建成邻里中心。"),
        ],
    );
    assert_eq!(got, [vec!["330000"], vec!["330881"]]);
}

#[test]
fn a_short_name_before_an_ordinary_word_still_counts() {
    assert_eq!(one(None, "", "平湖大力推进文明城市建设。"), ["330482"]);
    assert_eq!(one(None, "", "余杭公布今年民生实事项目。"), ["330110"]);
    assert!(one(None, "", "平湖大道两侧绿树成荫。").is_empty());
}

#[test]
fn a_prefecture_papers_page_about_one_county_takes_that_county_as_home() {
    let got = codes(
        Some("嘉兴日报"),
        &[
            art("", "平湖市当湖街道开展垃圾分类宣传。"),
            art("", "平湖市钟埭街道举办招聘会。"),
            art("", "我市召开防汛工作会议。"),
        ],
    );
    assert_eq!(got, [["330482"], ["330482"], ["330482"]]);
}

#[test]
fn a_community_named_like_a_distant_county_adds_no_region() {
    // 东昌 is also a district of 通化 (吉林); here it is a community of 寿昌镇.
    let body =
        "东昌社区新班子上任后，以智慧安防平台建设为“开门一件事”。寿昌镇东昌社区党委书记表示，\
                东昌社区班子成员第一时间上门走访。";
    assert_eq!(one(Some("今日建德"), "", body), ["330182"]);
}

#[test]
fn another_towns_city_hall_stays_with_its_own_story() {
    // Most of this page is about 建德, but the last story's 市政府 is 温岭's.
    let got = codes(
        None,
        &[
            art("", "建德市新安江街道开展垃圾分类宣传。"),
            art("", "建德市寿昌镇举办招聘会。"),
            art("", "建德市乾潭镇推进美丽乡村建设。"),
            art("", "台州市温岭市开展隐患整治验收，市政府实行挂牌督办。"),
            art("", "我市召开防汛工作会议。"),
        ],
    );
    assert_eq!(got[3], ["331081"]);
    assert_eq!(got[4], ["330182"]);
}

#[test]
fn the_papers_name_gives_its_place_whatever_the_separator() {
    for paper in [
        "嘉兴日报‧平湖版",
        "嘉兴日报 平湖版",
        "嘉兴日报平湖版",
        "平湖版",
    ] {
        assert_eq!(
            one(Some(paper), "", "我市召开会议。"),
            ["330482"],
            "{paper}"
        );
    }
    // No edition named: the city paper's own city, filed under its seat.
    assert_eq!(
        one(Some("嘉兴日报·要闻版"), "", "我市召开会议。"),
        ["330402"]
    );
}

#[test]
fn a_townships_name_without_its_suffix_places_a_story() {
    // 千岛湖 is 淳安县's 千岛湖镇 (and its lake).
    assert_eq!(one(None, "", "暑期以来，千岛湖迎来旅游旺季。"), ["330127"]);
}

#[test]
fn a_district_papers_page_without_its_name_is_filed_under_the_district() {
    // No paper name: the page's own townships and 钱塘区 make the district the home, which then
    // resolves 白杨街道 (also a township of 临渭区) and takes the 我区-only stories.
    let got = codes(
        None,
        &[
            art(
                "我区立足民生打造平安建设名片",
                "近年来，钱塘区坚持以人民为中心。",
            ),
            art("", "下沙街道开展消防演练。"),
            art("", "白杨街道组织志愿者清理河道。"),
            art("", "区委书记检查指导疫情防控工作，要求全区上下从严从紧。"),
            art("", "河庄街道举办招聘会，吸引求职者千余人。"),
        ],
    );
    for (i, regions) in got.iter().enumerate() {
        assert_eq!(regions, &["330114"], "article {i}");
    }
}

#[test]
fn a_lone_short_name_of_a_far_county_does_not_outweigh_the_papers_home() {
    let body = "雨过天晴，商河展示了安静祥和的一面。街道上车来车往，菜市场里人头攒动，\
                市民们的生活恢复了往日的节奏。";
    // In a 建德 paper the story stays home: a bare 商河 in its body is not enough.
    assert_eq!(one(Some("建德日报"), "雨过天晴", body), ["330182"]);
    // Without a paper, or with the name in the headline, the name places the story.
    assert_eq!(one(None, "雨过天晴", body), ["370126"]);
    assert_eq!(
        one(Some("建德日报"), "商河雨过天晴", body)[0],
        "370126",
        "a headline names what the story is about"
    );
    // A paper of the same province does not hide it either.
    assert_eq!(one(Some("济南日报"), "雨过天晴", body)[0], "370126");
}

#[test]
fn a_university_named_after_a_city_is_not_that_city() {
    let body = "村里邀请南京大学规划团队为全村策划设计，苍南的村民也来参观。";
    assert_eq!(one(None, "", body), ["330327"]);
    assert!(one(None, "", "他毕业于南京大学。").is_empty());
}

#[test]
fn a_districts_own_words_pick_the_township_of_a_district() {
    // 双龙镇 is a township of 长寿区 and of three 县 of 重庆 (丰都, 云阳, 巫山).
    let body = "重庆市双龙镇日前召开座谈会。几位区人大代表走访农户，区委有关负责人参加。";
    assert_eq!(one(None, "", body), ["500115"]);
    // A 县's own words leave three places of the name: no pick.
    let county = "重庆市双龙镇日前召开座谈会。几位县人大代表走访农户。";
    assert_eq!(one(None, "", county), ["500000"]);
    // Markers of two kinds say nothing.
    let mixed = "重庆市双龙镇日前召开座谈会。区委、县委有关负责人参加。";
    assert_eq!(one(None, "", mixed), ["500000"]);
}
