//! The price bounds of search words at an edge of a price range
//! (`catalog::listing::edges`): a search in a range sorted from that edge starts its walk of
//! the variants at them, so they must hold after every change that could put a variant holding
//! the words between the edge and the bound, and while they are being computed.

use serde_json::json;

use crate::builders::{Gid, Seller};
use crate::docs;
use crate::harness::TestApp;
use crate::search::names;

const SEARCH: &str = "query($s: ProductSort, $f: ProductFilter) { products(first: 50, sort: $s, filter: $f) { nodes { name } } }";

/// "cà phê" between 60,000 and 80,000 ₫, sorted from `sort`'s end of the range.
async fn in_range(app: &TestApp, sort: &str) -> Vec<String> {
    let filter = json!({ "search": "ca phe", "priceMin": 60_000, "priceMax": 80_000 });
    names(
        &app.data(None, SEARCH, json!({ "s": sort, "f": filter }))
            .await,
    )
}

/// A verified producer in Lâm Đồng whose name holds none of the searched words.
async fn seller(app: &TestApp) -> Seller {
    app.seller()
        .name("HTX Lang Biang")
        .province("68")
        .build()
        .await
}

/// Computes the rows of both words at both edges of the range.
async fn compute(app: &TestApp) {
    for term in ["ca", "phe"] {
        for (edge, descending) in [(80_000, true), (60_000, false)] {
            catalog::listing::compute_price_edge(&app.db, term, edge, descending)
                .await
                .expect("edge computed");
        }
    }
}

/// The word's bound at the edge.
async fn bound(app: &TestApp, term: &str, edge: i64, descending: bool) -> i64 {
    let descending = if descending { "TRUE" } else { "FALSE" };
    app.scalar(&format!(
        "SELECT bound AS n FROM search_price_edges \
         WHERE term = '{term}' AND edge = {edge} AND descending = {descending}"
    ))
    .await
}

#[tokio::test]
async fn a_search_in_a_price_range_finds_variants_that_moved_past_its_edges_bounds() {
    let app = TestApp::spawn().await;
    let seller = seller(&app).await;
    seller.listed(&app, "Cà phê Mộc", 63_000).await;
    let dear = seller.listed(&app, "Cà phê Sơn La", 93_000).await;
    let tea = seller.listed(&app, "Trà Ô long", 78_000).await;
    let cheap = seller.listed(&app, "Cà phê phin", 40_000).await;
    compute(&app).await;
    // Products outside the range on the walk's side do not count.
    assert_eq!(bound(&app, "phe", 80_000, true).await, 63_000);
    assert_eq!(bound(&app, "phe", 60_000, false).await, 63_000);
    assert_eq!(in_range(&app, "PRICE_DESC").await, ["Cà phê Mộc"]);
    assert_eq!(in_range(&app, "PRICE_ASC").await, ["Cà phê Mộc"]);

    // A new product between the dear edge and its bound.
    seller.listed(&app, "Cà phê Cầu Đất", 75_000).await;
    // One between the cheap edge and its bound.
    seller.listed(&app, "Cà phê rang xay", 61_000).await;
    // A variant repriced into the range from above it.
    seller.reprice(&app, dear.variant, 79_000).await;
    // A product renamed to hold the words, inside the range.
    seller.rename(&app, tea.product, "Cà phê Ô long").await;
    // A second variant, inside the range, of a product priced below it.
    let d = app
        .data(
            Some(&seller.owner),
            docs::VARIANT_CREATE,
            json!({ "p": cheap.product.gid(), "i": { "sku": "CP-PHIN-2", "name": "Hộp quà", "price": 60_500 } }),
        )
        .await;
    assert_eq!(d["variantCreate"]["userErrors"], json!([]), "{d}");
    app.assert_listing_copies_fresh().await;
    assert_eq!(bound(&app, "phe", 80_000, true).await, 79_000);
    assert_eq!(bound(&app, "phe", 60_000, false).await, 60_500);
    let desc = [
        "Cà phê Sơn La",
        "Cà phê Ô long",
        "Cà phê Cầu Đất",
        "Cà phê Mộc",
        "Cà phê rang xay",
        "Cà phê phin",
    ];
    assert_eq!(in_range(&app, "PRICE_DESC").await, desc);
    let mut asc = desc;
    asc.reverse();
    assert_eq!(in_range(&app, "PRICE_ASC").await, asc);

    // Computed again, the bounds are the same, and so are the pages.
    compute(&app).await;
    assert_eq!(bound(&app, "phe", 80_000, true).await, 79_000);
    assert_eq!(bound(&app, "ca", 60_000, false).await, 60_500);
    assert_eq!(in_range(&app, "PRICE_DESC").await, desc);
    assert_eq!(in_range(&app, "PRICE_ASC").await, asc);
}

#[tokio::test]
async fn a_range_no_variant_holding_the_words_lies_in_is_empty_until_one_does() {
    let app = TestApp::spawn().await;
    let seller = seller(&app).await;
    seller.listed(&app, "Cà phê Mộc", 95_000).await;
    seller.listed(&app, "Cà phê phin", 40_000).await;
    compute(&app).await;
    // The nearest prices holding the words from each edge lie past the range's other edge, so
    // both walks are empty at once.
    assert_eq!(bound(&app, "phe", 80_000, true).await, 40_000);
    assert_eq!(bound(&app, "phe", 60_000, false).await, 95_000);
    // A word no variant holds bounds every walk to nothing.
    catalog::listing::compute_price_edge(&app.db, "zzkhong", 80_000, true)
        .await
        .expect("edge computed");
    assert_eq!(bound(&app, "zzkhong", 80_000, true).await, 0);
    assert!(in_range(&app, "PRICE_DESC").await.is_empty());
    assert!(in_range(&app, "PRICE_ASC").await.is_empty());
    seller.listed(&app, "Cà phê hạt", 70_000).await;
    assert_eq!(in_range(&app, "PRICE_DESC").await, ["Cà phê hạt"]);
    assert_eq!(in_range(&app, "PRICE_ASC").await, ["Cà phê hạt"]);
    app.assert_listing_copies_fresh().await;
}

/// Products holding the words are listed inside the range while its edges' rows are computed
/// again and again, and others at once: every commit leaves the rows holding (on PostgreSQL
/// computing and widening exclude each other through an advisory lock, and writers lock the
/// rows in their key's order).
#[tokio::test]
async fn edges_computed_while_products_change_still_hold() {
    let app = TestApp::spawn().await;
    let seller = seller(&app).await;
    seller.listed(&app, "Cà phê gốc", 70_000).await;
    compute(&app).await;
    let computing = async {
        for _ in 0..10 {
            compute(&app).await;
        }
    };
    let changing = futures_util::future::join_all((0..10i64).map(|i| {
        let seller = &seller;
        let app = &app;
        async move {
            // Each nearer one edge or the other than everything before it.
            let price = if i % 2 == 0 {
                71_000 + i * 800
            } else {
                69_000 - i * 800
            };
            seller.listed(app, &format!("Cà phê mẻ {i}"), price).await;
        }
    }));
    futures_util::future::join(computing, changing).await;
    app.assert_listing_copies_fresh().await;
    assert_eq!(bound(&app, "ca", 80_000, true).await, 77_400);
    assert_eq!(bound(&app, "phe", 60_000, false).await, 61_800);
    let desc = in_range(&app, "PRICE_DESC").await;
    assert_eq!(desc.len(), 11);
    assert_eq!(desc[0], "Cà phê mẻ 8");
    assert_eq!(desc[10], "Cà phê mẻ 9");
}
