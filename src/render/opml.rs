//! OPML 2.0 of every feed, for importing into a feed reader in one go: the all-regions feed,
//! then each province, its prefectures and their counties, every region with its editions and
//! articles feeds in Atom, RSS and JSON Feed. Grouping outlines carry no feed of their own;
//! each feed's title names its region, so readers that flatten folders still tell them apart.

use super::feed::{RegionView, Site};
use super::pages::{Directory, FeedLink};
use super::text::{clean, escape_html};

fn feed_outlines(out: &mut String, indent: &str, site: &Site, feeds: &[FeedLink], html: &str) {
    for f in feeds {
        out.push_str(&format!(
            "{indent}<outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{x}\" htmlUrl=\"{h}\" language=\"zh-CN\"/>\n",
            t = escape_html(&clean(&f.title)),
            x = escape_html(&site.url(&f.href)),
            h = escape_html(&site.url(html)),
        ));
    }
}

/// A folder named `label` holding the six feeds of `region`.
fn region_folder(out: &mut String, indent: &str, site: &Site, region: &RegionView, label: &str) {
    out.push_str(&format!(
        "{indent}<outline text=\"{0}\" title=\"{0}\">\n",
        escape_html(&clean(label))
    ));
    let inner = format!("{indent}  ");
    feed_outlines(
        out,
        &inner,
        site,
        &FeedLink::for_region(region),
        &region.path(),
    );
    out.push_str(&format!("{indent}</outline>\n"));
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
    out.push_str("  <outline text=\"各地最新文章\" title=\"各地最新文章\">\n");
    feed_outlines(&mut out, "    ", site, &FeedLink::everywhere(), "/");
    out.push_str("  </outline>\n");
    for province in &directory.provinces {
        out.push_str(&format!(
            "  <outline text=\"{0}\" title=\"{0}\">\n",
            escape_html(&clean(&province.region.name))
        ));
        region_folder(
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
            region_folder(
                &mut out,
                "      ",
                site,
                &pref.region,
                &format!("{}（全市）", pref.region.name),
            );
            for county in &pref.counties {
                if county.region.code != pref.region.code {
                    region_folder(
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
