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
fn a_walk_names_its_stars_only_when_it_must_and_writes_its_limit_stars_and_day() {
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
    // The star value, today and the limit are written into the text (a plan kept for any
    // values must see how many rows they pass); nothing is bound.
    assert!(one.contains("p.stars >= 5 AND p.stars <= 5"), "{one}");
    assert!(one.contains("p.listed_until >= '2026-"), "{one}");
    assert!(!one.contains('$'), "{one}");
    assert!(
        one.ends_with("ORDER BY p.stars DESC, p.id DESC LIMIT 21"),
        "{one}"
    );
}

#[test]
fn a_price_bound_sorted_from_walks_the_variants() {
    let filter = Filter {
        min_stars: Some(4),
        province_codes: provinces_of(&["40", "01"]),
        price_min: Some(60_000),
        price_max: Some(80_000),
        ..Filter::default()
    };
    // One walk per province and star value, as over the products.
    assert_eq!(
        walks(filter.clone(), Order::PriceAsc),
        vec![
            r#"Walk { province: Some("01"), stars: One(5) }"#,
            r#"Walk { province: Some("01"), stars: One(4) }"#,
            r#"Walk { province: Some("40"), stars: One(5) }"#,
            r#"Walk { province: Some("40"), stars: One(4) }"#
        ]
    );
    let sql = |filter: &Filter, order: Order| {
        read_with(filter, order, |r| {
            let mut q = Sql::new(sea_orm::DbBackend::Postgres);
            r.push_walk(&mut q, r.branches()[0]);
            q.build().sql
        })
    };
    let desc = sql(&filter, Order::PriceDesc);
    assert!(desc.starts_with("SELECT v.product_id AS id"), "{desc}");
    assert!(desc.contains("v.origin_province_code = $1"), "{desc}");
    assert!(desc.contains("v.stars = 5"), "{desc}");
    // Each product at its dearest variant inside the range.
    assert!(
        desc.contains("ORDER BY o.price DESC, o.id DESC LIMIT 1)"),
        "{desc}"
    );
    // The product's price span is not asked (the variant's own price is in the range), and
    // the product is probed, not joined.
    assert!(!desc.contains("max_price"), "{desc}");
    assert!(!desc.contains("JOIN"), "{desc}");
    assert!(
        desc.ends_with("ORDER BY v.price DESC, v.product_id DESC LIMIT 21"),
        "{desc}"
    );
    let asc = sql(&filter, Order::PriceAsc);
    assert!(asc.contains("ORDER BY o.price, o.id LIMIT 1)"), "{asc}");
    // Sorted from the open end of the range, or not by price, the products' walks serve.
    let below = Filter {
        price_min: None,
        ..filter.clone()
    };
    assert!(sql(&below, Order::PriceAsc).starts_with("SELECT p.id"));
    assert!(sql(&below, Order::PriceDesc).starts_with("SELECT v.product_id"));
    let above = Filter {
        price_max: None,
        ..filter.clone()
    };
    assert!(sql(&above, Order::PriceDesc).starts_with("SELECT p.id"));
    assert!(sql(&filter, Order::IdDesc).starts_with("SELECT p.id"));
    // A producer's listing sorts its products on the same price, computed.
    let producer = Filter {
        producer_id: Some(kernel::id::ProducerId(7)),
        ..filter
    };
    let whole = sql(&producer, Order::PriceAsc);
    assert!(
        whole.contains("(SELECT MIN(o.price) FROM variants o"),
        "{whole}"
    );
    assert!(
        whole.ends_with("ORDER BY k.min_price ASC, k.id ASC LIMIT 21"),
        "{whole}"
    );
}

#[test]
fn a_relevance_tier_inside_the_name_walks_without_the_words() {
    let filter = Filter {
        search: Some("Trà shan tuyết".into()),
        ..Filter::default()
    };
    let terms = filter_terms(&filter);
    let folded = fold("Trà shan tuyết");
    let sql = |tier: i64, rare: &[Option<String>]| {
        let read = Read {
            filter: &filter,
            terms: &terms,
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            order: Order::IdDesc,
            after: None,
            tier: Some((tier, &folded)),
            fetch: 21,
            rare,
        };
        let mut q = Sql::new(sea_orm::DbBackend::Postgres);
        read.push_walk(&mut q, read.branches()[0]);
        q.build().sql
    };
    // The name holds the whole query in tiers 4, 3 and 2, so the search text (which begins
    // with the name) holds every word: the walk asks for the name only.
    for tier in 2..=4 {
        let walk = sql(tier, &[]);
        assert!(walk.contains("p.name_folded"), "{walk}");
        assert!(!walk.contains("search_text"), "{walk}");
    }
    // Elsewhere (tier 1) the words are asked for, and a rare read keeps them in every tier
    // (its trigram index reads them).
    assert_eq!(sql(1, &[]).matches("strpos(p.search_text").count(), 3);
    assert_eq!(sql(3, &[None]).matches("p.search_text LIKE").count(), 3);
}

#[test]
fn a_search_sorted_by_price_starts_its_walk_at_the_words_bounds() {
    let filter = Filter {
        search: Some("Rượu cần".into()),
        province_codes: provinces_of(&["40"]),
        ..Filter::default()
    };
    let terms = filter_terms(&filter);
    let sql = |filter: &Filter, order: Order, rare: &[Option<String>]| {
        let read = Read {
            filter,
            terms: &terms,
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            order,
            after: None,
            tier: None,
            fetch: 21,
            rare,
        };
        let mut q = Sql::new(sea_orm::DbBackend::Postgres);
        read.push_walk(&mut q, read.branches()[0]);
        q.build().sql
    };
    let asc = sql(&filter, Order::PriceAsc, &[]);
    assert!(
        asc.contains(
            "p.min_price >= (SELECT COALESCE(MAX(b.lowest), 0) FROM search_price_bounds b \
             WHERE b.term IN ($4, $5))"
        ),
        "{asc}"
    );
    let desc = sql(&filter, Order::PriceDesc, &[]);
    assert!(
        desc.contains("p.min_price <= (SELECT COALESCE(MIN(b.highest_low), 9223372036854775807)"),
        "{desc}"
    );
    // Walking the variants from a price bound, on the variant's price: the tightest of the
    // products' dearest prices and the words' bounds at that edge of the range.
    let range = Filter {
        price_max: Some(100_000),
        ..filter.clone()
    };
    let by_variant = sql(&range, Order::PriceDesc, &[]);
    assert!(
        by_variant.contains(
            "v.price <= (SELECT COALESCE(MIN(s.bound), 9223372036854775807) FROM \
             (SELECT b.highest AS bound FROM search_price_bounds b WHERE b.term IN ($3, $4) \
             UNION ALL SELECT e.bound FROM search_price_edges e WHERE e.term IN ($5, $6) \
             AND e.edge = $7 AND e.descending = $8) s)"
        ),
        "{by_variant}"
    );
    // Walked up from the range's lower bound, the words' lowest prices and bounds there.
    let from_min = Filter {
        price_min: Some(60_000),
        ..filter.clone()
    };
    let up = sql(&from_min, Order::PriceAsc, &[]);
    assert!(
        up.contains("v.price >= (SELECT COALESCE(MAX(s.bound), 0) FROM (SELECT b.lowest AS bound"),
        "{up}"
    );
    // Sorted from the open end, the products' walk: the words' bounds only.
    let open = sql(&from_min, Order::PriceDesc, &[]);
    assert!(open.contains("search_price_bounds"), "{open}");
    assert!(!open.contains("search_price_edges"), "{open}");
    // Not sorted by price, or reading rare words through the trigram index, no bound.
    assert!(!sql(&filter, Order::IdDesc, &[]).contains("search_price_bounds"));
    assert!(!sql(&filter, Order::StarsDesc, &[]).contains("search_price_bounds"));
    assert!(!sql(&filter, Order::PriceAsc, &[Some("40".into())]).contains("search_price_bounds"));
    let no_words = Filter {
        search: None,
        ..filter
    };
    let read_terms: &[String] = &[];
    let read = Read {
        filter: &no_words,
        terms: read_terms,
        today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        order: Order::PriceAsc,
        after: None,
        tier: None,
        fetch: 21,
        rare: &[],
    };
    let mut q = Sql::new(sea_orm::DbBackend::Postgres);
    read.push_walk(&mut q, read.branches()[0]);
    assert!(!q.build().sql.contains("search_price_bounds"));
}

#[test]
fn a_province_a_word_is_known_absent_from_is_skipped() {
    let filter = Filter {
        search: Some("Miến dong".into()),
        province_codes: provinces_of(&["91"]),
        ..Filter::default()
    };
    let terms = filter_terms(&filter);
    let sql = |backend, rare: &[Option<String>]| {
        let read = Read {
            filter: &filter,
            terms: &terms,
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            order: Order::IdDesc,
            after: None,
            tier: None,
            fetch: 21,
            rare,
        };
        let mut q = Sql::new(backend);
        read.push_walk(&mut q, read.branches()[0]);
        q.build().sql
    };
    // SQLite's walk is keyed on the province only while no word is known absent from it.
    let walk = sql(sea_orm::DbBackend::Sqlite, &[]);
    assert!(
        walk.contains(
            "p.origin_province_code = (SELECT CASE WHEN EXISTS (SELECT 1 FROM \
             search_word_absence a WHERE a.province = ? AND a.term IN (?, ?)) THEN NULL ELSE ? END)"
        ),
        "{walk}"
    );
    // PostgreSQL's rare read carries the condition; its walks find a page soon and do not.
    let rare = sql(sea_orm::DbBackend::Postgres, &[Some("91".into())]);
    assert!(
        rare.contains("AND NOT EXISTS (SELECT 1 FROM search_word_absence a"),
        "{rare}"
    );
    assert!(!sql(sea_orm::DbBackend::Postgres, &[]).contains("search_word_absence"));
}
