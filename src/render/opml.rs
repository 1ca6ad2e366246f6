//! OPML 2.0 of every region feed, grouped by province and prefecture, for importing into a
//! feed reader in one go. Each region contributes its editions feed (Atom); grouping outlines
//! carry no feed of their own so readers that flatten folders see no duplicates.

use super::feed::{FeedFormat, FeedKind, RegionView, Site};
use super::pages::Directory;
use super::text::{clean, escape_html};

fn feed_outline(out: &mut String, indent: &str, site: &Site, region: &RegionView, label: &str) {
    let xml_url = site.url(&format!(
        "{}{}",
        region.path(),
        FeedKind::Editions.file(FeedFormat::Atom)
    ));
    out.push_str(&format!(
        "{indent}<outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{x}\" htmlUrl=\"{h}\" language=\"zh-CN\"/>\n",
        t = escape_html(&clean(label)),
        x = escape_html(&xml_url),
        h = escape_html(&site.url(&region.path())),
    ));
}

/// Writes the OPML document. `date_created` is a content time (RFC 822), not the render time.
pub fn opml(site: &Site, directory: &Directory, date_created: Option<&str>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<opml version=\"2.0\">\n<head>\n",
    );
    out.push_str(&format!(
        "  <title>{}</title>\n",
        escape_html(&clean(&format!("{} · 全部订阅源", site.title)))
    ));
    if let Some(d) = date_created {
        out.push_str(&format!(
            "  <dateModified>{}</dateModified>\n",
            escape_html(d)
        ));
    }
    out.push_str("</head>\n<body>\n");
    for province in &directory.provinces {
        out.push_str(&format!(
            "  <outline text=\"{0}\" title=\"{0}\">\n",
            escape_html(&clean(&province.region.name))
        ));
        feed_outline(
            &mut out,
            "    ",
            site,
            &province.region,
            &format!("{}（全省）", province.region.name),
        );
        for pref in &province.prefectures {
            out.push_str(&format!(
                "    <outline text=\"{0}\" title=\"{0}\">\n",
                escape_html(&clean(&pref.region.name))
            ));
            feed_outline(
                &mut out,
                "      ",
                site,
                &pref.region,
                &format!("{}（全市）", pref.region.name),
            );
            for county in &pref.counties {
                if county.region.code != pref.region.code {
                    feed_outline(
                        &mut out,
                        "      ",
                        site,
                        &county.region,
                        &county.region.name,
                    );
                }
            }
            out.push_str("    </outline>\n");
        }
        out.push_str("  </outline>\n");
    }
    out.push_str("</body>\n</opml>\n");
    out
}
