//! Search words known to be absent from a province (`catalog::listing::absence`): a rare read
//! of the province is skipped while a row says none of its products holds a word, so the row
//! must go in the transaction of every change that lists such a product there, and while rows
//! are being checked.

use serde_json::json;

use crate::builders::Seller;
use crate::harness::TestApp;
use crate::search::names;

const SEARCH: &str = "query($s: ProductSort, $f: ProductFilter) { products(first: 50, sort: $s, filter: $f) { nodes { name } } }";

/// Pages of "sâm" in Sơn La (14), in every sort.
async fn in_son_la(app: &TestApp) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    for sort in [
        "RELEVANCE",
        "NEWEST",
        "PRICE_ASC",
        "PRICE_DESC",
        "STARS_DESC",
    ] {
        let filter = json!({ "search": "sâm", "provinceCodes": ["14"] });
        let d = app
            .data(None, SEARCH, json!({ "s": sort, "f": filter }))
            .await;
        pages.push(names(&d));
    }
    pages
}

/// Checks the word in the province.
async fn compute(app: &TestApp, term: &str, province: &str) {
    catalog::listing::compute_word_absence(&app.db, term, province)
        .await
        .expect("absence checked");
}

/// Whether a row says the word is absent from the province.
async fn absent(app: &TestApp, term: &str, province: &str) -> bool {
    app.scalar(&format!(
        "SELECT COUNT(*) AS n FROM search_word_absence WHERE term = '{term}' \
         AND province = '{province}'"
    ))
    .await
        == 1
}

/// A verified producer in Sơn La.
async fn son_la(app: &TestApp) -> Seller {
    app.seller()
        .name("HTX Bản Mường")
        .province("14")
        .build()
        .await
}

#[tokio::test]
async fn a_word_said_absent_from_a_province_is_found_there_once_a_product_holds_it() {
    let app = TestApp::spawn().await;
    let seller = son_la(&app).await;
    let tea = seller.listed(&app, "Chè Tà Xùa", 90_000).await;
    // Elsewhere the word is held; in Sơn La it is not.
    app.seller()
        .name("HTX Kon Tum")
        .province("51")
        .build()
        .await
        .listed(&app, "Sâm Ngọc Linh", 900_000)
        .await;
    compute(&app, "sam", "14").await;
    compute(&app, "sam", "51").await;
    assert!(absent(&app, "sam", "14").await);
    assert!(!absent(&app, "sam", "51").await);
    for page in in_son_la(&app).await {
        assert!(page.is_empty(), "{page:?}");
    }

    // A product of Sơn La renamed to hold the word: the row goes with the change.
    seller.rename(&app, tea.product, "Chè sâm Tà Xùa").await;
    assert!(!absent(&app, "sam", "14").await);
    for page in in_son_la(&app).await {
        assert_eq!(page, ["Chè sâm Tà Xùa"]);
    }
    app.assert_listing_copies_fresh().await;

    // Checked again while the product is listed, no row; once it is gone, a row again.
    compute(&app, "sam", "14").await;
    assert!(!absent(&app, "sam", "14").await);
    seller.rename(&app, tea.product, "Chè Tà Xùa").await;
    compute(&app, "sam", "14").await;
    assert!(absent(&app, "sam", "14").await);
    // A new product holding the word, listed there.
    seller.listed(&app, "Rượu sâm Sơn La", 300_000).await;
    assert!(!absent(&app, "sam", "14").await);
    for page in in_son_la(&app).await {
        assert_eq!(page, ["Rượu sâm Sơn La"]);
    }
    app.assert_listing_copies_fresh().await;
}

/// The word is checked again and again while products holding it are listed in the province:
/// every commit leaves no row a listed product contradicts (on PostgreSQL checking and
/// listing exclude each other through the price bounds' advisory lock).
#[tokio::test]
async fn absence_checked_while_products_are_listed_still_holds() {
    let app = TestApp::spawn().await;
    let seller = son_la(&app).await;
    seller.listed(&app, "Chè Tà Xùa", 90_000).await;
    let checking = async {
        for _ in 0..20 {
            compute(&app, "sam", "14").await;
        }
    };
    let listing = futures_util::future::join_all((0..6i64).map(|i| {
        let seller = &seller;
        let app = &app;
        async move {
            seller
                .listed(app, &format!("Sâm núi mẻ {i}"), 100_000 + i)
                .await;
        }
    }));
    futures_util::future::join(checking, listing).await;
    app.assert_listing_copies_fresh().await;
    assert!(!absent(&app, "sam", "14").await);
    assert_eq!(in_son_la(&app).await[1].len(), 6);
}
