//! OCR's stray marks around a headline. An OCR engine reads the rules, picture edges and
//! quotation marks beside a headline set in display type as short runs of symbols and letters
//! (`@ A 通榆：沃野春 耕正当时`, `La 坚守岗位 保洁净 /D`), apart from the headline by spaces. Such
//! runs at either end of a title are dropped. Pure; linear in the title.

use super::layout::is_han;

/// Fewest Han characters the rest of the title must keep for an end run to be dropped.
const MIN_HAN: usize = 4;

/// Is a space-separated run a stray mark: ASCII only (a title's own quotation marks and
/// brackets are full-width: `“ 回 家 ”` stays), at most two letters or digits (`@`, `A`, `/D`,
/// `66`), and not a letter-and-digit name (`5G`, `G2`)?
fn stray(run: &str) -> bool {
    if !run.is_ascii() {
        return false;
    }
    let alnum: Vec<char> = run.chars().filter(char::is_ascii_alphanumeric).collect();
    let named =
        alnum.iter().any(char::is_ascii_digit) && alnum.iter().any(char::is_ascii_alphabetic);
    alnum.len() <= 2 && !named
}

fn han_count(runs: &[&str]) -> usize {
    runs.iter()
        .flat_map(|r| r.chars())
        .filter(|&c| is_han(c))
        .count()
}

/// The title without stray runs at its ends; unchanged when it has none.
pub fn trim_title(title: String) -> String {
    let runs: Vec<&str> = title.split(' ').collect();
    let (mut from, mut to) = (0, runs.len());
    while to - from > 1 && stray(runs[from]) && han_count(&runs[from + 1..to]) >= MIN_HAN {
        from += 1;
    }
    while to - from > 1 && stray(runs[to - 1]) && han_count(&runs[from..to - 1]) >= MIN_HAN {
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
