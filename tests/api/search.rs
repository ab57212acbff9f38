//! Search, filters, sorts and keyset pagination of the public listing, and query batching.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use crate::builders::{Fixture, Gid};
use crate::harness::TestApp;

/// Adds a listed product to the fixture's producer.
async fn add(app: &TestApp, f: &Fixture, name: &str, price: i64, province: &str) -> String {
    f.seller(province)
        .listed(app, name, price)
        .await
        .product
        .gid()
}

/// The names of a `products` connection's nodes.
pub(crate) fn names(d: &Value) -> Vec<String> {
    d["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The nodes of a `products` connection's edges.
fn nodes_of(d: &Value) -> Vec<Value> {
    d["products"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Every node of the listing, read two at a time by following the keyset cursors.
async fn walk_by_two(app: &TestApp, page: &str, sort: &str, filter: &Value) -> Vec<Value> {
    walk_pages(app, page, sort, filter, 2, 10).await
}

/// Every node of the listing, read `size` at a time by following the keyset cursors, for at
/// most `pages` pages.
async fn walk_pages(
    app: &TestApp,
    page: &str,
    sort: &str,
    filter: &Value,
    size: i64,
    pages: usize,
) -> Vec<Value> {
    let mut walked = Vec::new();
    let mut after = Value::Null;
    for _ in 0..pages {
        let d = app
            .data(
                None,
                page,
                json!({ "s": sort, "f": filter, "n": size, "a": after }),
            )
            .await;
        walked.extend(nodes_of(&d));
        let info = &d["products"]["pageInfo"];
        if !info["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = info["endCursor"].clone();
    }
    walked
}

/// The four sorts and RELEVANCE.
const SORTS: [&str; 5] = [
    "NEWEST",
    "PRICE_ASC",
    "PRICE_DESC",
    "STARS_DESC",
    "RELEVANCE",
];

/// One big page of `filter` in `sort` holds exactly `expected` (names, in any order), in the
/// sort's order, and reading it one product a page (at most `pages` pages) by the cursors gives
/// the same nodes.
async fn assert_pages_like_one_big_page(
    app: &TestApp,
    page: &str,
    sort: &str,
    filter: &Value,
    expected: &[&str],
    pages: usize,
) {
    let all = nodes_of(
        &app.data(None, page, json!({ "s": sort, "f": filter, "n": 100 }))
            .await,
    );
    let mut got: Vec<&str> = all.iter().map(|n| n["name"].as_str().unwrap()).collect();
    got.sort();
    assert_eq!(got, expected, "{sort} {filter}");
    assert_sorted(sort, &all);
    let walked = walk_pages(app, page, sort, filter, 1, pages).await;
    assert_eq!(walked, all, "{sort} {filter}");
}

/// The nodes are in the price or star order `sort` names.
fn assert_sorted(sort: &str, nodes: &[Value]) {
    let prices: Vec<i64> = nodes
        .iter()
        .map(|n| n["priceRange"]["min"]["amount"].as_i64().unwrap())
        .collect();
    let stars: Vec<i64> = nodes
        .iter()
        .map(|n| n["ocopStars"].as_i64().unwrap())
        .collect();
    match sort {
        "PRICE_ASC" => assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}"),
        "PRICE_DESC" => assert!(prices.windows(2).all(|w| w[0] >= w[1]), "{prices:?}"),
        "STARS_DESC" => assert!(stars.windows(2).all(|w| w[0] >= w[1]), "{stars:?}"),
        _ => {}
    }
}

const SEARCH: &str = "query($f: ProductFilter, $s: ProductSort) { products(first: 50, filter: $f, sort: $s) { nodes { name } } }";

#[tokio::test]
async fn search_ignores_case_and_vietnamese_diacritics() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Sản phẩm mẫu", 5, 125_000, "01").await;
    add(&app, &f, "Nước mắm Phú Quốc cá cơm", 125_000, "91").await;
    add(&app, &f, "Đặc sản Đà Lạt mứt dâu", 75_000, "68").await;
    add(&app, &f, "Chè Thái Nguyên", 180_000, "19").await;
    for (query, expected) in [
        ("nuoc mam phu quoc", vec!["Nước mắm Phú Quốc cá cơm"]),
        ("NƯỚC MẮM PHÚ QUỐC", vec!["Nước mắm Phú Quốc cá cơm"]),
        ("dac san da lat", vec!["Đặc sản Đà Lạt mứt dâu"]),
        ("Đà lạt", vec!["Đặc sản Đà Lạt mứt dâu"]),
        ("che thai", vec!["Chè Thái Nguyên"]),
        ("mam  phu", vec!["Nước mắm Phú Quốc cá cơm"]),
        ("100%_\\", vec![]),
    ] {
        let d = app
            .data(None, SEARCH, json!({ "f": { "search": query } }))
            .await;
        assert_eq!(names(&d), expected, "search {query:?}");
    }
    // The province name is searchable too: "lam dong" finds the Đà Lạt product.
    let d = app
        .data(None, SEARCH, json!({ "f": { "search": "lam dong" } }))
        .await;
    assert_eq!(names(&d), vec!["Đặc sản Đà Lạt mứt dâu"]);
}

#[tokio::test]
async fn relevance_puts_name_matches_first() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Cà phê Robusta", 4, 100_000, "66").await;
    add(&app, &f, "Bột ca cao", 90_000, "66").await; // matches "ca" only in the producer name
    add(&app, &f, "Ca cao nguyên chất", 95_000, "66").await;
    let d = app
        .data(None, SEARCH, json!({ "f": { "search": "ca cao" } }))
        .await;
    assert_eq!(names(&d)[0], "Ca cao nguyên chất");
    assert_eq!(names(&d)[1], "Bột ca cao");
}

#[tokio::test]
async fn filters_narrow_the_listing() {
    let app = TestApp::spawn().await;
    let f = app
        .listed_product("Nước mắm Nghệ An", 4, 100_000, "40")
        .await;
    add(&app, &f, "Kẹo cu đơ", 40_000, "42").await;
    add(&app, &f, "Cam Vinh", 250_000, "40").await;
    let other = app.listed_product("Gạo ST25", 5, 200_000, "92").await;
    let app = &app;
    let q = |filter: Value| async move {
        let mut v = names(
            &app.data(None, SEARCH, json!({ "f": filter, "s": "PRICE_ASC" }))
                .await,
        );
        v.sort();
        v
    };
    assert_eq!(
        q(json!({ "provinceCodes": ["40"] })).await,
        vec!["Cam Vinh", "Nước mắm Nghệ An"]
    );
    assert_eq!(q(json!({ "minStars": 5 })).await, vec!["Gạo ST25"]);
    assert_eq!(
        q(json!({ "priceMin": 50_000, "priceMax": 200_000 })).await,
        vec!["Gạo ST25", "Nước mắm Nghệ An"]
    );
    assert_eq!(
        q(json!({ "producerId": other.producer.gid() })).await,
        vec!["Gạo ST25"]
    );
    assert_eq!(
        q(json!({ "categoryCodes": ["I.6"] })).await,
        Vec::<String>::new()
    );
    assert_eq!(q(json!({ "categoryCodes": ["I.4.a"] })).await.len(), 4);
    // Sold out: the lot of "Gạo ST25" is emptied.
    app.exec_on_lots("UPDATE lots SET quantity_available = 0 WHERE variant_id IN (SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id WHERE p.name = 'Gạo ST25')").await;
    assert_eq!(q(json!({ "inStock": false })).await, vec!["Gạo ST25"]);
    assert_eq!(q(json!({ "inStock": true })).await.len(), 3);
    // Expired and recalled lots are not stock either.
    app.exec_on_lots("UPDATE lots SET expires_on = '2020-01-01' WHERE variant_id IN (SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id WHERE p.name = 'Cam Vinh')").await;
    assert_eq!(
        q(json!({ "inStock": true })).await,
        vec!["Kẹo cu đơ", "Nước mắm Nghệ An"]
    );
    let d = app
        .data(
            None,
            "query($id: ID!) { product(id: $id) { inStock variants { available } } }",
            json!({ "id": other.product.gid() }),
        )
        .await;
    assert_eq!(d["product"]["inStock"], false);
    assert_eq!(d["product"]["variants"][0]["available"], 0);
}

#[tokio::test]
async fn every_sort_pages_with_keyset_cursors_that_agree_with_one_big_page() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Sản phẩm 0", 3, 50_000, "01").await;
    let five = app
        .listed_product("Sản phẩm năm sao", 5, 50_000, "01")
        .await;
    add(&app, &five, "Sản phẩm năm sao 2", 70_000, "01").await;
    for (i, price) in [90_000, 50_000, 120_000, 50_000, 70_000, 30_000]
        .iter()
        .enumerate()
    {
        add(&app, &f, &format!("Sản phẩm {}", i + 1), *price, "01").await;
    }
    let page = "query($a: String, $s: ProductSort, $f: ProductFilter, $n: Int) { products(first: $n, after: $a, sort: $s, filter: $f) { edges { cursor node { name ocopStars priceRange { min { amount } } } } pageInfo { hasNextPage endCursor } } }";
    for sort in SORTS {
        let filter = if sort == "RELEVANCE" {
            json!({ "search": "san pham" })
        } else {
            json!({})
        };
        let all = app
            .data(None, page, json!({ "s": sort, "f": filter, "n": 100 }))
            .await;
        let all_names = nodes_of(&all);
        assert_eq!(all_names.len(), 9, "{sort}");
        let walked = walk_by_two(&app, page, sort, &filter).await;
        assert_eq!(walked, all_names, "{sort}");
        assert_sorted(sort, &all_names);
        if sort == "NEWEST" {
            assert_eq!(all_names[0]["name"], "Sản phẩm 6");
        }
    }
    // A cursor of one sort is refused by another, and garbage is refused.
    let newest = app.data(None, page, json!({ "s": "NEWEST", "n": 1 })).await;
    let cursor = newest["products"]["pageInfo"]["endCursor"].clone();
    for (sort, bad) in [
        ("PRICE_ASC", cursor.clone()),
        ("NEWEST", json!("%%%not-a-cursor")),
    ] {
        let v = app
            .gql(None, page, json!({ "s": sort, "n": 2, "a": bad }))
            .await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "INVALID", "{v}");
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("Con trỏ")
        );
    }
}

#[tokio::test]
async fn a_page_of_products_costs_a_fixed_handful_of_queries() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Sản phẩm 0", 4, 50_000, "01").await;
    for i in 1..25 {
        add(&app, &f, &format!("Sản phẩm {i}"), 40_000 + i * 1000, "01").await;
    }
    let q = "query($n: Int) { products(first: $n) { nodes { id name ocopStars inStock listed
        producer { name province { name } products(first: 2) { nodes { name } } }
        certificate { decisionNumber category { name } producer { name } }
        category { code } images { url } priceRange { min { formatted } max { formatted } }
        variants { sku available price { formatted } product { name } } } } }";
    let mut costs = Vec::new();
    for n in [5, 20] {
        let before = app.statements.statements.load(Ordering::SeqCst);
        let d = app.data(None, q, json!({ "n": n })).await;
        let after = app.statements.statements.load(Ordering::SeqCst);
        assert_eq!(d["products"]["nodes"].as_array().unwrap().len(), n as usize);
        costs.push(after - before);
    }
    // A nested connection (`producer.products`) pages each producer's products on its own, so
    // it is left out of the fixed handful below; everything else is batched.
    let q_flat = "query($n: Int) { products(first: $n) { nodes { id name ocopStars inStock listed
        producer { name province { name } } certificate { decisionNumber category { name } producer { name } }
        category { code } images { url } priceRange { min { formatted } }
        variants { sku available price { formatted } product { name certificate { stars } } } } } }";
    let mut flat = Vec::new();
    for n in [5, 20, 25] {
        let before = app.statements.statements.load(Ordering::SeqCst);
        app.data(None, q_flat, json!({ "n": n })).await;
        flat.push(app.statements.statements.load(Ordering::SeqCst) - before);
    }
    // Loaders batch what arrives within a millisecond, so a batch may split in two on a busy
    // machine: the bound is what matters, and it does not grow with the page.
    // One listing query, then one batch per loader (producer, certificate, category, images,
    // variants, availability, variant's product, listing check), some in two rounds.
    assert!(
        flat.iter().all(|n| *n <= 16),
        "a page costs at most 16 statements: {flat:?}"
    );
    // Even the deep selection grows with the page, but far less than per field.
    assert!(costs[1] <= 20 * 4 + 8, "{costs:?}");
}

/// The page shoppers load most (the catalog benchmark's selection) costs exactly three
/// statements: the listing, its producers with its certificates, and its variants with their
/// units. Each statement costs a pooled connection's round trips besides its own work.
#[tokio::test]
async fn a_shoppers_page_costs_three_statements() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Sản phẩm 0", 4, 50_000, "01").await;
    let g = app.listed_product("Sản phẩm 1", 5, 70_000, "79").await;
    for i in 2..24 {
        let owner = if i % 2 == 0 { &f } else { &g };
        add(
            &app,
            owner,
            &format!("Sản phẩm {i}"),
            40_000 + i * 1000,
            "01",
        )
        .await;
    }
    let q = "query($n: Int) { products(first: $n, sort: PRICE_ASC) { edges { cursor node {
        id name slug ocopStars producer { id name province { name } }
        certificate { decisionNumber stars validUntil status }
        variants { sku price { amount formatted } available }
        priceRange { min { formatted } max { formatted } } } } pageInfo { hasNextPage endCursor } } }";
    // The counter is the whole app's (a job's tick may land in a request's window): the fewest
    // of three is the page's own cost. Each page size is a new query, never a cached answer.
    let mut cost = u64::MAX;
    for n in [18, 19, 20] {
        let before = app.statements.statements.load(Ordering::SeqCst);
        let d = app.data(None, q, json!({ "n": n })).await;
        cost = cost.min(app.statements.statements.load(Ordering::SeqCst) - before);
        let edges = d["products"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), n as usize);
        for e in edges {
            let node = &e["node"];
            // Each product's own producer and certificate.
            let i: i64 = node["name"].as_str().unwrap()["Sản phẩm ".len()..]
                .parse()
                .unwrap();
            let (producer, stars) = if i % 2 == 0 {
                ("HTX Sản phẩm 0", 4)
            } else {
                ("HTX Sản phẩm 1", 5)
            };
            assert_eq!(node["producer"]["name"], producer, "{node}");
            assert_eq!(node["certificate"]["stars"], stars, "{node}");
            assert_eq!(node["ocopStars"], stars, "{node}");
            assert!(node["certificate"]["decisionNumber"].is_string(), "{node}");
            // Each product's own variant, with its own lot's units.
            let variants = node["variants"].as_array().unwrap();
            assert_eq!(variants.len(), 1, "{node}");
            assert_eq!(
                variants[0]["price"]["formatted"], node["priceRange"]["min"]["formatted"],
                "{node}"
            );
            assert!(variants[0]["available"].as_i64().unwrap() > 0, "{node}");
        }
    }
    assert_eq!(cost, 3, "listing, producers and certificates, variants");
}

/// A product's page by slug (the bench's detail selection) costs three statements: the product
/// with its producer, certificate and variants with their units; its images; its lots.
#[tokio::test]
async fn a_product_page_by_slug_costs_three_statements() {
    let app = TestApp::spawn().await;
    app.listed_product("Mật ong bạc hà", 5, 150_000, "01").await;
    let slug = app
        .data(None, "{ products(first: 1) { nodes { slug } } }", json!({}))
        .await["products"]["nodes"][0]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = "query($slug: String!, $n: Int) { product(slug: $slug) { id name slug description
        ocopStars images { url alt } producer { id name province { name } }
        certificate { decisionNumber stars validUntil status issuedBy }
        variants { sku name price { amount formatted } available }
        lots(first: $n) { nodes { lotNumber traceCode producedOn expiresOn quantityAvailable } } } }";
    let mut cost = u64::MAX;
    for n in [3, 4, 5] {
        let before = app.statements.statements.load(Ordering::SeqCst);
        let d = app.data(None, q, json!({ "slug": slug, "n": n })).await;
        cost = cost.min(app.statements.statements.load(Ordering::SeqCst) - before);
        assert_eq!(d["product"]["name"], "Mật ong bạc hà", "{d}");
        assert!(d["product"]["producer"]["name"].is_string(), "{d}");
        assert!(
            d["product"]["certificate"]["decisionNumber"].is_string(),
            "{d}"
        );
        assert_eq!(d["product"]["variants"].as_array().unwrap().len(), 1, "{d}");
    }
    assert_eq!(cost, 3, "product with owners and variants, images, lots");
}

/// A product without variants (a seller's draft) still comes with its producer and
/// certificate by slug, with no variants: the statement that reads them with the variants
/// keeps a product that has none.
#[tokio::test]
async fn a_product_without_variants_keeps_its_producer_and_certificate() {
    let app = TestApp::spawn().await;
    let seller = app.seller().build().await;
    let cert = seller.free_certificate(&app, "Trà xanh").await;
    let product = catalog::products::create(
        &app.db,
        &app.units,
        &seller.owner.viewer,
        catalog::products::ProductFields {
            producer_id: seller.producer,
            certificate_id: cert,
            name: "Trà xanh",
            description: "Sản phẩm OCOP",
            category_code: None,
            origin: catalog::products::Origin {
                province_code: &seller.province,
                commune_code: None,
                place: None,
            },
            images: None,
        },
    )
    .await
    .expect("product created");
    let q = "query($slug: String!) { product(slug: $slug) { name producer { name }
        certificate { decisionNumber } variants { sku available } priceRange { min { amount } } } }";
    let d = app
        .data(
            Some(&seller.owner.token),
            q,
            json!({ "slug": product.slug }),
        )
        .await;
    assert_eq!(d["product"]["name"], "Trà xanh", "{d}");
    assert!(d["product"]["producer"]["name"].is_string(), "{d}");
    assert_eq!(
        d["product"]["certificate"]["decisionNumber"], "436/QĐ-UBND",
        "{d}"
    );
    assert_eq!(d["product"]["variants"], json!([]), "{d}");
    // Not listed: a shopper does not see it.
    let d = app.data(None, q, json!({ "slug": product.slug })).await;
    assert_eq!(d["product"], Value::Null, "{d}");
}

/// A province set is read as one index walk per province, merged; RELEVANCE reads its tiers one
/// after the other. Pages of two agree with one big page, in every sort, and the set is right.
#[tokio::test]
async fn province_sets_and_relevance_tiers_page_like_one_big_page() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mật ong", 3, 120_000, "01").await;
    let g = app.listed_product("Mật ong rừng", 5, 90_000, "40").await;
    add(&app, &f, "Kẹo mật ong", 40_000, "01").await;
    add(&app, &g, "Mật ong hoa nhãn", 90_000, "79").await;
    add(&app, &g, "Rượu mật ong", 200_000, "40").await;
    add(&app, &f, "Cà phê", 60_000, "79").await;
    add(&app, &f, "Mật ong Cà Mau", 80_000, "96").await; // outside the set
    let page = "query($a: String, $s: ProductSort, $f: ProductFilter, $n: Int) { products(first: $n, after: $a, sort: $s, filter: $f) { edges { node { name ocopStars priceRange { min { amount } } } } pageInfo { hasNextPage endCursor } } }";
    for sort in SORTS {
        let mut filter = json!({ "provinceCodes": ["79", "01", "40", "01"] });
        if sort == "RELEVANCE" {
            filter["search"] = json!("mat ong");
        }
        let all = app
            .data(None, page, json!({ "s": sort, "f": filter, "n": 50 }))
            .await;
        let all = nodes_of(&all);
        let walked = walk_by_two(&app, page, sort, &filter).await;
        assert_eq!(walked, all, "{sort}");
        let names: Vec<&str> = all.iter().map(|n| n["name"].as_str().unwrap()).collect();
        assert_sorted(sort, &all);
        match sort {
            "RELEVANCE" => assert_eq!(
                names,
                vec![
                    "Mật ong",
                    "Mật ong hoa nhãn",
                    "Mật ong rừng",
                    "Rượu mật ong",
                    "Kẹo mật ong",
                    // Its producer's name or its place hold both words: the last tier.
                    "Cà phê"
                ]
            ),
            _ => {
                let mut sorted = names.clone();
                sorted.sort();
                assert_eq!(
                    sorted,
                    vec![
                        "Cà phê",
                        "Kẹo mật ong",
                        "Mật ong",
                        "Mật ong hoa nhãn",
                        "Mật ong rừng",
                        "Rượu mật ong"
                    ],
                    "{sort}"
                );
            }
        }
        if sort == "NEWEST" {
            assert_eq!(names[0], "Cà phê");
        }
    }
    // A price range and a star floor within the set.
    let d = app
        .data(
            None,
            page,
            json!({ "s": "PRICE_ASC", "n": 50, "f": { "provinceCodes": ["01", "40"], "priceMin": 50_000, "priceMax": 150_000, "minStars": 3 } }),
        )
        .await;
    let names: Vec<&str> = d["products"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Mật ong rừng", "Mật ong"]);
    app.assert_listing_copies_fresh().await;
}

#[tokio::test]
async fn sparse_filters_page_like_one_big_page_across_walks() {
    // Pages of one over the walks (one per province; with a star floor above 3, one per star
    // value too, or one range of stars sorted by stars): 21 products per star value, of which
    // only the 4 oldest pass the filters (words, a price range, in stock), so newest-first
    // walks pass many rejected rows and pages are merged across walks.
    let app = TestApp::spawn().await;
    let mut expected = Vec::new();
    for stars in [3, 4, 5] {
        let f = app
            .listed_product(&format!("Khác {stars}"), stars, 10_000, "01")
            .await;
        for i in 0..20 {
            let (name, price) = if i < 4 {
                (format!("Mật ong rừng {stars}-{i}"), 90_000 + i * 1_000)
            } else if i % 2 == 0 {
                (format!("Mật ong {stars}-{i}"), 300_000)
            } else {
                (format!("Cà phê {stars}-{i}"), 40_000 + i * 1_000)
            };
            add(&app, &f, &name, price, if i % 2 == 0 { "01" } else { "79" }).await;
            if i < 4 {
                expected.push(name);
            }
        }
    }
    expected.sort();
    let page = "query($a: String, $s: ProductSort, $f: ProductFilter, $n: Int) { products(first: $n, after: $a, sort: $s, filter: $f) { edges { cursor node { name ocopStars priceRange { min { amount } } } } pageInfo { hasNextPage endCursor } } }";
    // With both price bounds a variant is probed for; with one, the price span decides.
    for (provinces, price_min, min_stars) in [
        (json!(null), json!(50_000), json!(null)),
        (json!(["79", "01"]), json!(50_000), json!(4)),
        (json!(null), json!(null), json!(4)),
        (json!(["79", "01"]), json!(null), json!(3)),
    ] {
        let filter = json!({ "search": "mat ong", "priceMin": price_min, "priceMax": 100_000,
                             "inStock": true, "provinceCodes": provinces, "minStars": min_stars });
        let expected: Vec<&str> = expected
            .iter()
            .map(String::as_str)
            .filter(|n| min_stars != json!(4) || !n.starts_with("Mật ong rừng 3"))
            .collect();
        for sort in SORTS {
            assert_pages_like_one_big_page(&app, page, sort, &filter, &expected, 30).await;
        }
    }
}

#[tokio::test]
async fn words_rare_in_one_province_page_like_one_big_page() {
    // In 79 the words are rare (three products of 1,003, in three RELEVANCE tiers), so
    // PostgreSQL finds them through the trigram index, once for every tier; in 01 they are
    // common and walked. Both reads merge into one order and one cursor.
    let app = TestApp::spawn().await;
    let f = app.listed_product("Sâm Ngọc Linh", 4, 150_000, "01").await;
    add(&app, &f, "Sâm Ngọc Linh củ nhỏ", 90_000, "01").await;
    add(&app, &f, "Rượu sâm Ngọc Linh", 120_000, "01").await;
    add(&app, &f, "Sâm Ngọc Linh thái lát", 200_000, "79").await;
    add(&app, &f, "Sâm Ngọc Linh tươi", 300_000, "79").await;
    add(&app, &f, "Rượu sâm Ngọc Linh Kon Tum", 250_000, "79").await;
    // 1,000 other listed products in 79, a third of each star value, each with its certificate.
    app.exec(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1000) \
         INSERT INTO ocop_certificates (producer_id, product_name, category_code, stars, \
           decision_number, issued_by, issued_on, valid_until, status, reviewed_at, created_at) \
         SELECT c.producer_id, 'Cà phê lô ' || g.n, c.category_code, 3 + g.n % 3, 'LO-' || g.n, \
           c.issued_by, c.issued_on, c.valid_until, c.status, c.reviewed_at, c.created_at \
         FROM g, ocop_certificates c \
         WHERE c.id = (SELECT certificate_id FROM products WHERE name = 'Sâm Ngọc Linh')",
    )
    .await;
    app.exec(
        "INSERT INTO products (producer_id, certificate_id, category_code, slug, name, name_folded, \
           search_text, description, status, origin_province_code, min_price, max_price, stars, \
           listed_until, created_at, updated_at, published_at) \
         SELECT p.producer_id, c.id, p.category_code, 'ca-phe-' || lower(c.decision_number), \
           c.product_name, 'ca phe ' || lower(c.decision_number), \
           'ca phe ' || lower(c.decision_number), '', p.status, '79', p.min_price, p.max_price, \
           c.stars, p.listed_until, p.created_at, p.updated_at, p.published_at \
         FROM ocop_certificates c, products p \
         WHERE c.decision_number LIKE 'LO-%' AND p.name = 'Sâm Ngọc Linh'",
    )
    .await;
    app.assert_listing_copies_fresh().await;

    let filter = catalog::listing::Filter {
        search: Some("sâm ngọc linh".into()),
        province_codes: Some(vec!["79".into(), "01".into()]),
        ..Default::default()
    };
    let rare = catalog::listing::rare_provinces(&app.db, &filter, kernel::time::today_vn())
        .await
        .expect("rarity judged");
    match sea_orm::ConnectionTrait::get_database_backend(&app.db) {
        sea_orm::DbBackend::Postgres => assert_eq!(rare, vec![Some("79".to_owned())]),
        // No trigram index: SQLite walks every province.
        _ => assert_eq!(rare, Vec::<Option<String>>::new()),
    }

    let page = "query($a: String, $s: ProductSort, $f: ProductFilter, $n: Int) { products(first: $n, after: $a, sort: $s, filter: $f) { edges { cursor node { name ocopStars priceRange { min { amount } } } } pageInfo { hasNextPage endCursor } } }";
    let mut expected = [
        ("Rượu sâm Ngọc Linh", 0),
        ("Rượu sâm Ngọc Linh Kon Tum", 0),
        ("Sâm Ngọc Linh", 0),
        ("Sâm Ngọc Linh củ nhỏ", 0),
        ("Sâm Ngọc Linh thái lát", 0),
        ("Sâm Ngọc Linh tươi", 0),
    ];
    let everything = nodes_of(
        &app.data(
            None,
            page,
            json!({ "s": "NEWEST", "n": 100, "f": { "search": "sam ngoc linh" } }),
        )
        .await,
    );
    for (name, stars) in expected.iter_mut() {
        let node = everything.iter().find(|n| n["name"] == *name).expect(name);
        *stars = node["ocopStars"].as_i64().unwrap();
    }
    expected.sort();
    for min_stars in [3, 4, 5] {
        let expected: Vec<&str> = expected
            .iter()
            .filter(|(_, stars)| *stars >= min_stars)
            .map(|(name, _)| *name)
            .collect();
        let filter = json!({ "search": "sam ngoc linh", "provinceCodes": ["79", "01"],
                             "minStars": min_stars });
        for sort in SORTS {
            assert_pages_like_one_big_page(&app, page, sort, &filter, &expected, 10).await;
        }
    }
}

#[tokio::test]
async fn a_price_range_inside_a_products_prices_matches_by_its_variants() {
    // Both bounds, and each product's prices spanning the range on both sides: only a variant
    // inside the range lets it in, however many variants it has.
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mật ong hai cỡ", 4, 50_000, "40").await;
    let seller = f.seller("40");
    seller.variant(&app, f.product, 300_000).await;
    let three = seller.listed(&app, "Mật ong ba cỡ", 50_000).await;
    seller.variant(&app, three.product, 150_000).await;
    seller.variant(&app, three.product, 300_000).await;
    let outside = seller.listed(&app, "Mật ong ba cỡ lớn", 50_000).await;
    seller.variant(&app, outside.product, 250_000).await;
    seller.variant(&app, outside.product, 300_000).await;
    seller.listed(&app, "Mật ong một cỡ", 120_000).await;
    let cheap_end = seller.listed(&app, "Mật ong hũ nhỏ", 100_000).await;
    seller.variant(&app, cheap_end.product, 400_000).await;
    let dear_end = seller.listed(&app, "Mật ong hũ lớn", 20_000).await;
    seller.variant(&app, dear_end.product, 200_000).await;
    let two_inside = seller.listed(&app, "Mật ong hai hũ", 110_000).await;
    seller.variant(&app, two_inside.product, 190_000).await;
    for sort in SORTS {
        let mut got = names(
            &app.data(
                None,
                SEARCH,
                json!({ "s": sort, "f": { "priceMin": 100_000, "priceMax": 200_000 } }),
            )
            .await,
        );
        got.sort();
        assert_eq!(
            got,
            vec![
                "Mật ong ba cỡ",
                "Mật ong hai hũ",
                "Mật ong hũ lớn",
                "Mật ong hũ nhỏ",
                "Mật ong một cỡ"
            ],
            "{sort}"
        );
    }
    // Cheapest first, each at its cheapest price inside the range (100, 110, 120, 150, 200
    // thousand), not at its cheapest of all (100, 110, 120, 50, 20); dearest first, at its
    // dearest inside the range (200, 190, 150, 120, 100), not at its cheapest.
    let asc = ["hũ nhỏ", "hai hũ", "một cỡ", "ba cỡ", "hũ lớn"];
    let desc = ["hũ lớn", "hai hũ", "ba cỡ", "một cỡ", "hũ nhỏ"];
    for (sort, expected) in [("PRICE_ASC", asc), ("PRICE_DESC", desc)] {
        let f = json!({ "s": sort, "f": { "priceMin": 100_000, "priceMax": 200_000 } });
        let expected: Vec<String> = expected.iter().map(|n| format!("Mật ong {n}")).collect();
        assert_eq!(names(&app.data(None, SEARCH, f).await), expected, "{sort}");
    }
    app.assert_listing_copies_fresh().await;
}
