//! The price bounds of search words (`catalog::listing::bounds`): a search sorted by price
//! starts its walk at them, so they must hold after every change that could move a product
//! holding the words outside them, and while they are being computed.

use serde_json::json;

use crate::builders::Seller;
use crate::harness::TestApp;
use crate::search::names;

const SEARCH: &str = "query($s: ProductSort, $f: ProductFilter) { products(first: 50, sort: $s, filter: $f) { nodes { name } } }";

async fn sorted(app: &TestApp, sort: &str, filter: serde_json::Value) -> Vec<String> {
    names(
        &app.data(None, SEARCH, json!({ "s": sort, "f": filter }))
            .await,
    )
}

/// A verified producer in Sơn La whose name holds none of the searched words.
async fn highland_seller(app: &TestApp) -> Seller {
    app.seller()
        .name("HTX Bản Mường")
        .province("14")
        .build()
        .await
}

/// Computes the word's row.
async fn compute(app: &TestApp, term: &str) {
    catalog::listing::compute_price_bounds(&app.db, term)
        .await
        .expect("bounds computed");
}

/// The word's row: (lowest, highest_low, highest).
async fn row(app: &TestApp, term: &str) -> (i64, i64, i64) {
    let n = |column: &str| {
        format!("SELECT {column} AS n FROM search_price_bounds WHERE term = '{term}'")
    };
    (
        app.scalar(&n("lowest")).await,
        app.scalar(&n("highest_low")).await,
        app.scalar(&n("highest")).await,
    )
}

#[tokio::test]
async fn a_search_sorted_by_price_finds_products_that_moved_past_its_words_bounds() {
    let app = TestApp::spawn().await;
    let seller = highland_seller(&app).await;
    seller.listed(&app, "Rượu cần Tây Bắc", 120_000).await;
    let dear = seller.listed(&app, "Rượu cần men lá", 150_000).await;
    let plain = seller.listed(&app, "Gạo nếp nương", 30_000).await;
    for term in ["ruou", "can"] {
        compute(&app, term).await;
    }
    assert_eq!(row(&app, "ruou").await, (120_000, 150_000, 150_000));
    let words = json!({ "search": "ruou can" });
    assert_eq!(
        sorted(&app, "PRICE_ASC", words.clone()).await,
        ["Rượu cần Tây Bắc", "Rượu cần men lá"]
    );

    // A new product holding the words, cheaper than the bound: it comes first.
    seller.listed(&app, "Rượu cần ché nhỏ", 60_000).await;
    // A new one dearer than the bound: first from the dear end.
    seller.listed(&app, "Rượu cần ché lớn", 500_000).await;
    // A product's variant made cheaper than every other.
    seller.reprice(&app, dear.variant, 20_000).await;
    // A product renamed to hold the words, at a price outside them.
    seller
        .rename(&app, plain.product, "Rượu cần nếp nương")
        .await;
    assert_eq!(row(&app, "ruou").await, (20_000, 500_000, 500_000));
    assert_eq!(
        sorted(&app, "PRICE_ASC", words.clone()).await,
        [
            "Rượu cần men lá",
            "Rượu cần nếp nương",
            "Rượu cần ché nhỏ",
            "Rượu cần Tây Bắc",
            "Rượu cần ché lớn"
        ]
    );
    assert_eq!(
        sorted(&app, "PRICE_DESC", words.clone()).await,
        [
            "Rượu cần ché lớn",
            "Rượu cần Tây Bắc",
            "Rượu cần ché nhỏ",
            "Rượu cần nếp nương",
            "Rượu cần men lá"
        ]
    );
    // Walking the variants from a bound of a price range, too.
    assert_eq!(
        sorted(
            &app,
            "PRICE_DESC",
            json!({ "search": "ruou can", "priceMax": 1_000_000 })
        )
        .await[0],
        "Rượu cần ché lớn"
    );
    assert_eq!(
        sorted(
            &app,
            "PRICE_ASC",
            json!({ "search": "ruou can", "priceMin": 10_000 })
        )
        .await[0],
        "Rượu cần men lá"
    );
    app.assert_listing_copies_fresh().await;

    // Computed again, the bounds are exact, and the pages unchanged.
    compute(&app, "ruou").await;
    assert_eq!(row(&app, "ruou").await, (20_000, 500_000, 500_000));
    assert_eq!(sorted(&app, "PRICE_ASC", words).await[0], "Rượu cần men lá");
}

#[tokio::test]
async fn a_word_no_listed_product_holds_bounds_every_walk_to_nothing_until_one_does() {
    let app = TestApp::spawn().await;
    let seller = highland_seller(&app).await;
    seller.listed(&app, "Gạo nếp nương", 30_000).await;
    compute(&app, "zzkhong").await;
    assert_eq!(row(&app, "zzkhong").await, (i64::MAX, 0, 0));
    let words = json!({ "search": "zzkhong" });
    assert!(sorted(&app, "PRICE_ASC", words.clone()).await.is_empty());
    seller.listed(&app, "Mứt zzkhong", 45_000).await;
    assert_eq!(
        sorted(&app, "PRICE_ASC", words.clone()).await,
        ["Mứt zzkhong"]
    );
    assert_eq!(sorted(&app, "PRICE_DESC", words).await, ["Mứt zzkhong"]);
    app.assert_listing_copies_fresh().await;
}

/// Products holding a word are listed and repriced while the word's bounds are computed again
/// and again: every commit leaves them holding (on PostgreSQL the computation and the changes
/// exclude each other through an advisory lock; SQLite serialises writers).
#[tokio::test]
async fn bounds_computed_while_products_change_still_hold() {
    let app = TestApp::spawn().await;
    let seller = highland_seller(&app).await;
    seller.listed(&app, "Rượu cần gốc", 200_000).await;
    compute(&app, "ruou").await;
    let computing = async {
        for _ in 0..30 {
            compute(&app, "ruou").await;
        }
    };
    let changing = async {
        for i in 0..8i64 {
            // Each cheaper, then one dearer, than everything before it.
            seller
                .listed(&app, &format!("Rượu cần số {i}"), 190_000 - i * 10_000)
                .await;
            seller
                .listed(&app, &format!("Rượu cần hũ {i}"), 300_000 + i * 10_000)
                .await;
        }
    };
    futures_util::future::join(computing, changing).await;
    app.assert_listing_copies_fresh().await;
    let asc = sorted(&app, "PRICE_ASC", json!({ "search": "ruou" })).await;
    assert_eq!(asc.len(), 17);
    assert_eq!(asc[0], "Rượu cần số 7");
    assert_eq!(asc[16], "Rượu cần hũ 7");
}

/// Products holding the same two words, each outside both words' bounds, listed at once:
/// every write widens both rows, and none fails (on PostgreSQL the rows are locked in the
/// words' order, so two writers never hold one row each that the other needs).
#[tokio::test]
async fn products_listed_at_once_outside_the_same_words_bounds_all_succeed() {
    let app = TestApp::spawn().await;
    let seller = highland_seller(&app).await;
    seller.listed(&app, "Rượu cần gốc", 200_000).await;
    for term in ["ruou", "can"] {
        compute(&app, term).await;
    }
    futures_util::future::join_all((0..12i64).map(|i| {
        let seller = &seller;
        let app = &app;
        async move {
            let price = if i % 2 == 0 {
                100_000 - i * 1_000
            } else {
                300_000 + i * 1_000
            };
            seller.listed(app, &format!("Rượu cần mẻ {i}"), price).await;
        }
    }))
    .await;
    app.assert_listing_copies_fresh().await;
    assert_eq!(row(&app, "can").await, (90_000, 311_000, 311_000));
    let asc = sorted(&app, "PRICE_ASC", json!({ "search": "ruou can" })).await;
    assert_eq!(asc.len(), 13);
    assert_eq!(asc[0], "Rượu cần mẻ 10");
    assert_eq!(asc[12], "Rượu cần mẻ 11");
}
