//! Which index walks a listing reads, and the text PostgreSQL plans for them.

use super::*;

fn read_with<T>(filter: &Filter, order: Order, f: impl FnOnce(&Read<'_>) -> T) -> T {
    let read = Read {
        filter,
        terms: &[],
        today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        order,
        after: None,
        tier: None,
        fetch: 21,
        rare: &[],
    };
    f(&read)
}

fn walks(filter: Filter, order: Order) -> Vec<String> {
    read_with(&filter, order, |r| {
        r.branches().iter().map(|b| format!("{b:?}")).collect()
    })
}

fn provinces_of(codes: &[&str]) -> Option<Vec<String>> {
    Some(codes.iter().map(|c| c.to_string()).collect())
}

#[test]
fn every_star_value_is_one_walk_per_province() {
    let filter = Filter {
        province_codes: provinces_of(&["79", "01", "79"]),
        ..Filter::default()
    };
    for order in [Order::IdDesc, Order::PriceAsc, Order::StarsDesc] {
        assert_eq!(
            walks(filter.clone(), order),
            vec![
                r#"Walk { province: Some("01"), stars: Any }"#,
                r#"Walk { province: Some("79"), stars: Any }"#
            ]
        );
    }
    let floor_of_three = Filter {
        min_stars: Some(3),
        ..Filter::default()
    };
    assert_eq!(
        walks(floor_of_three, Order::PriceDesc),
        vec!["Walk { province: None, stars: Any }"]
    );
}

#[test]
fn a_higher_star_floor_walks_each_star_value_or_one_range_by_stars() {
    let filter = Filter {
        min_stars: Some(4),
        province_codes: provinces_of(&["40"]),
        ..Filter::default()
    };
    assert_eq!(
        walks(filter.clone(), Order::IdDesc),
        vec![
            r#"Walk { province: Some("40"), stars: One(5) }"#,
            r#"Walk { province: Some("40"), stars: One(4) }"#
        ]
    );
    assert_eq!(
        walks(filter, Order::StarsDesc),
        vec![r#"Walk { province: Some("40"), stars: From(4) }"#]
    );
    let none = Filter {
        min_stars: Some(6),
        ..Filter::default()
    };
    assert!(walks(none, Order::IdDesc).is_empty());
}

#[test]
fn a_walk_names_its_stars_only_when_it_must_and_writes_its_limit() {
    let sql = |filter: Filter, order: Order| {
        read_with(&filter, order, |r| {
            let mut q = Sql::new(sea_orm::DbBackend::Postgres);
            r.push_walk(&mut q, r.branches()[0]);
            q.build().sql
        })
    };
    let any = sql(Filter::default(), Order::PriceAsc);
    let (_, conditions) = any.split_once(" WHERE ").unwrap();
    assert!(!conditions.contains("stars"), "{any}");
    assert!(
        any.ends_with("ORDER BY p.min_price ASC, p.id ASC LIMIT 21"),
        "{any}"
    );
    let one = sql(
        Filter {
            min_stars: Some(5),
            ..Filter::default()
        },
        Order::IdDesc,
    );
    assert!(one.contains("p.stars >= $2 AND p.stars <= $3"), "{one}");
    assert!(
        one.ends_with("ORDER BY p.stars DESC, p.id DESC LIMIT 21"),
        "{one}"
    );
}
