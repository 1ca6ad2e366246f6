//! The region list (`Store::regions`) and the newest editions of every region are read from
//! tables the database keeps as articles come and go (migration 0009): after every kind of
//! change (new pages, a corrected page that empties a day, a page dated after the fact,
//! writers of two pools at once) they must say what the edition index itself says. On SQLite
//! and (when `PAPERBOY_TEST_POSTGRES` is set) PostgreSQL in a fresh schema per case.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use paperboy::store::{EditionQuery, NewPage, Store};
use store_support::{day, page, Db};

#[macro_use]
mod store_support;

store_suite!(
    "regions": region_list_follows_every_change,
    region_list_holds_under_concurrent_writers
);

/// (region, latest day, editions) as `regions()` gives them.
async fn listed(store: &Store) -> Vec<(String, NaiveDate, i64)> {
    store
        .regions()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.region.to_string(), r.latest, r.editions))
        .collect()
}

/// The same list counted from every edition (`editions` without a region, no limit), and
/// that every edition counts the articles `edition_articles` returns.
async fn counted(store: &Store) -> Vec<(String, NaiveDate, i64)> {
    let mut days: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for e in store.editions(&EditionQuery::default()).await.unwrap() {
        let articles = store.edition_articles(&e.region, e.date).await.unwrap();
        assert_eq!(articles.len() as i64, e.articles, "{} {}", e.region, e.date);
        assert!(
            e.articles > 0,
            "an empty edition {} {} is listed",
            e.region,
            e.date
        );
        days.entry(e.region.to_string()).or_default().push(e.date);
    }
    days.into_iter()
        .map(|(r, d)| (r, *d.iter().max().unwrap(), d.len() as i64))
        .collect()
}

const JIANDE: &[&str] = &["330182"];
const TONGLU: &[&str] = &["330122"];
const BOTH: &[&str] = &["330182", "330122"];
const PINGHU: &[&str] = &["330482"];

async fn region_list_follows_every_change(store: Store, _: Db) {
    assert!(listed(&store).await.is_empty());
    store
        .ingest_many(&[
            page("a.txt", Some("2022-06-27"), &[("建德一", JIANDE)]),
            page("b.txt", Some("2022-06-28"), &[("两地", BOTH)]),
            page("c.txt", Some("2022-06-28"), &[("平湖", PINGHU)]),
            page("u.txt", None, &[("旧闻", TONGLU)]),
        ])
        .await
        .unwrap();
    let want = [
        ("330122".to_string(), day("2022-06-28"), 1),
        ("330182".to_string(), day("2022-06-28"), 2),
        ("330482".to_string(), day("2022-06-28"), 1),
    ];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);

    // The corrected page b names only 建德: 桐庐's only day empties and 桐庐 leaves the list.
    store
        .ingest(&page("b.txt", Some("2022-06-28"), &[("改正", JIANDE)]))
        .await
        .unwrap();
    let want = [
        ("330182".to_string(), day("2022-06-28"), 2),
        ("330482".to_string(), day("2022-06-28"), 1),
    ];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);

    // The corrected page c names 建德 instead: 平湖 leaves, 建德 keeps its two days.
    store
        .ingest(&page("c.txt", Some("2022-06-28"), &[("改到建德", JIANDE)]))
        .await
        .unwrap();
    let want = [("330182".to_string(), day("2022-06-28"), 2)];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);

    // The undated page dated after the fact: 桐庐 comes back with that day, the newest.
    store
        .set_page_date("u.txt", day("2022-06-30"), Utc::now())
        .await
        .unwrap();
    let want = [
        ("330122".to_string(), day("2022-06-30"), 1),
        ("330182".to_string(), day("2022-06-28"), 2),
    ];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);
    // ... and dated again, to an older day: 桐庐's latest day moves back.
    store
        .set_page_date("u.txt", day("2022-06-01"), Utc::now())
        .await
        .unwrap();
    let want = [
        ("330122".to_string(), day("2022-06-01"), 1),
        ("330182".to_string(), day("2022-06-28"), 2),
    ];
    assert_eq!(listed(&store).await, want);
    assert_eq!(counted(&store).await, want);

    // Newest editions of every region, as the home page asks for them.
    let newest: Vec<(String, String, i64)> = store
        .editions(&EditionQuery {
            limit: Some(2),
            ..EditionQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.date.to_string(), e.region.to_string(), e.articles))
        .collect();
    assert_eq!(
        newest,
        [
            ("2022-06-28".to_string(), "330182".to_string(), 2),
            ("2022-06-27".to_string(), "330182".to_string(), 1),
        ]
    );
}

/// Two pools (as two processes) write the same regions and days at once, one adding pages,
/// the other correcting pages so that days empty and fill again.
async fn region_list_holds_under_concurrent_writers(store: Store, db: Db) {
    let days = ["2022-06-01", "2022-06-02", "2022-06-03", "2022-06-04"];
    let first: Vec<NewPage> = (0..40)
        .map(|i| {
            let d = days[i % days.len()];
            page(
                &format!("p{i}.txt"),
                Some(d),
                &[(&format!("第{i}篇"), BOTH)],
            )
        })
        .collect();
    store.ingest_many(&first).await.unwrap();
    let other = db.reopen().await;
    let adder = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                let d = days[(i + 1) % days.len()];
                let p = page(
                    &format!("q{i}.txt"),
                    Some(d),
                    &[(&format!("新{i}"), TONGLU)],
                );
                store.ingest(&p).await.unwrap();
            }
        })
    };
    let corrector = {
        let other = other.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                // Moves page p{i} to 平湖, on a day of its own for the first ten.
                let d = if i < 10 {
                    "2022-07-01"
                } else {
                    days[i % days.len()]
                };
                let p = page(
                    &format!("p{i}.txt"),
                    Some(d),
                    &[(&format!("改{i}"), PINGHU)],
                );
                other.ingest(&p).await.unwrap();
            }
        })
    };
    adder.await.unwrap();
    corrector.await.unwrap();
    other.close().await;
    let want = [
        ("330122".to_string(), day("2022-06-04"), 4),
        ("330482".to_string(), day("2022-07-01"), 5),
    ];
    assert_eq!(counted(&store).await, want);
    assert_eq!(listed(&store).await, want);
}
