//! The web layer's view of the gazetteer: region slugs, codes and names resolved to
//! [`RegionView`]s, and the lookup of a URL's region segment (slug, adcode or name).

use crate::model::{RegionCode, RegionLevel};
use crate::region::Gazetteer;
use crate::render::RegionView;

/// The view of region `code`, when the gazetteer knows it.
pub fn view(code: &RegionCode) -> Option<RegionView> {
    let g = Gazetteer::global();
    let r = g.get(code)?;
    let name_of = |c: &RegionCode| g.get(c).map(|p| crate::render::cleaned(&p.name));
    Some(RegionView {
        code: r.code.to_string(),
        name: crate::render::cleaned(&r.name),
        slug: r.slug.to_string(),
        level: r.level,
        prefecture: match r.level {
            RegionLevel::County => r.prefecture.as_ref().and_then(name_of),
            _ => None,
        },
        province: match r.level {
            RegionLevel::Province => None,
            _ => name_of(&r.province),
        },
    })
}

/// What a URL's region segment names.
pub enum Lookup {
    /// The segment is the region's slug.
    Found(RegionView),
    /// The segment names a region by another spelling (adcode, name): redirect to the slug.
    Redirect(RegionView),
    NotFound,
}

/// Resolves a slug, adcode or name.
pub fn lookup(segment: &str) -> Lookup {
    let g = Gazetteer::global();
    let Some(r) = g.resolve(segment) else {
        return Lookup::NotFound;
    };
    match view(&r.code) {
        Some(v) if v.slug == segment => Lookup::Found(v),
        Some(v) => Lookup::Redirect(v),
        None => Lookup::NotFound,
    }
}

/// The parents of a region, province first.
pub fn parents(region: &RegionView) -> Vec<RegionView> {
    let Ok(code) = RegionCode::parse(&region.code) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match code.level() {
        RegionLevel::County => {
            out.extend(view(&code.province()));
            if code.prefecture() != code.province() {
                out.extend(view(&code.prefecture()));
            }
        }
        RegionLevel::Prefecture => out.extend(view(&code.province())),
        RegionLevel::Province => {}
    }
    out
}
