//! OCR's stray marks around a headline. An OCR engine reads the rules, picture edges and
//! quotation marks beside a headline set in display type as short runs of symbols and letters
//! (`@ A 通榆：沃野春 耕正当时`, `La 坚守岗位 保洁净 /D`), apart from the headline by spaces. Such
//! runs at either end of a title are dropped. Pure; linear in the title.

use super::layout::is_han;

/// Fewest Han characters the title must hold for its end runs to be dropped.
const MIN_HAN: usize = 4;

/// Is a space-separated run a stray mark: ASCII only (a title's own quotation marks and
/// brackets are full-width: `“ 回 家 ”` stays), at most two letters or digits (`@`, `A`, `/D`,
/// `66`), and not a letter-and-digit name (`5G`, `G2`)?
fn stray(run: &str) -> bool {
    if !run.is_ascii() {
        return false;
    }
    let digits = run.bytes().filter(u8::is_ascii_digit).count();
    let letters = run.bytes().filter(u8::is_ascii_alphabetic).count();
    digits + letters <= 2 && (digits == 0 || letters == 0)
}

/// The title without stray runs at its ends; unchanged when it has none. A stray run holds no
/// Han character, so what is left keeps all of the title's.
pub fn trim_title(title: String) -> String {
    if title.chars().filter(|&c| is_han(c)).count() < MIN_HAN {
        return title;
    }
    let runs: Vec<&str> = title.split(' ').collect();
    let (mut from, mut to) = (0, runs.len());
    while to - from > 1 && stray(runs[from]) {
        from += 1;
    }
    while to - from > 1 && stray(runs[to - 1]) {
        to -= 1;
    }
    if (from, to) == (0, runs.len()) {
        title
    } else {
        runs[from..to].join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::trim_title;

    fn trim(t: &str) -> String {
        trim_title(t.to_string())
    }

    #[test]
    fn marks_read_beside_a_headline_are_dropped() {
        assert_eq!(
            trim("@ A 河口镇：春茶上市 正当时"),
            "河口镇：春茶上市 正当时"
        );
        assert_eq!(trim("Lo 守护一江 清水 /D"), "守护一江 清水");
        assert_eq!(trim("| 66 小镇来了 新邻居"), "小镇来了 新邻居");
    }

    #[test]
    fn names_numbers_and_short_titles_stay() {
        assert_eq!(trim("5G 基站覆盖全县"), "5G 基站覆盖全县");
        assert_eq!(trim("2026 年县运会开幕"), "2026 年县运会开幕");
        assert_eq!(trim("CBA 联赛来了"), "CBA 联赛来了");
        // Too little Han text left to tell a headline from a mark.
        assert_eq!(trim("A 新春"), "A 新春");
        assert_eq!(trim("县城新增三条公交线路"), "县城新增三条公交线路");
        // A letter-spaced title's own quotation marks.
        assert_eq!(trim("“ 小 镇 ” 来 了 新 邻 居"), "“ 小 镇 ” 来 了 新 邻 居");
    }
}
