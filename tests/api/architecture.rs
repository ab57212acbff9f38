//! The API layer's own promises: orders are nodes, pages of orders cost a fixed number of
//! statements, connections are priced by page size, payloads answer in the caller's scope, and
//! caches are dropped only after a change that succeeded.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use crate::builders::Gid;
use crate::docs::{CHECKOUT, ORDER_CANCEL, PRODUCT_UPDATE, checkout_vars};
use crate::harness::TestApp;

const ORDER_PAGE: &str = "query($n: Int) { myOrders(first: $n) { nodes { id number total { amount }
    shipments { id status producer { name province { name } } }
    lines { quantity variant { sku product { name } } lots { quantity lot { traceCode variant { sku } } } } } } }";

async fn order(app: &TestApp, buyer: &str, key: &str, variants: &[&str]) -> Value {
    let lines: Vec<Value> = variants
        .iter()
        .map(|v| json!({ "variantId": v, "quantity": 1 }))
        .collect();
    let d = app
        .data(Some(buyer), CHECKOUT, checkout_vars(key, json!(lines)))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    d["checkout"]["order"].clone()
}

#[tokio::test]
async fn a_page_of_orders_costs_the_same_statements_whatever_its_size() {
    // Twenty detailed orders in one page is more than the default complexity budget allows;
    // this test is about statements, so it raises the budget.
    let app = TestApp::spawn_with(|c| c.max_complexity = 100_000).await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let g = app.listed_product("Chè", 5, 200_000, "19").await;
    app.stock(&f.owner, f.variant, 50).await;
    app.stock(&g.owner, g.variant, 50).await;
    let buyer = app.buyer("mua@test.vn").await;
    let mut costs = Vec::new();
    for n in [2usize, 20] {
        while app
            .data(
                Some(&buyer),
                "{ myOrders(first: 100) { nodes { id } } }",
                json!({}),
            )
            .await["myOrders"]["nodes"]
            .as_array()
            .unwrap()
            .len()
            < n
        {
            let key = format!("k{}", crate::harness::random_suffix());
            order(&app, &buyer, &key, &[&f.variant.gid(), &g.variant.gid()]).await;
        }
        // The counter is the whole app's: a background task's statement (a job's tick, a
        // listener) can land inside one request's window. The fewest of three reads is the
        // page's own cost.
        let mut cost = u64::MAX;
        for _ in 0..3 {
            let before = app.statements.statements.load(Ordering::SeqCst);
            let d = app
                .data(Some(&buyer), ORDER_PAGE, json!({ "n": n as i64 }))
                .await;
            cost = cost.min(app.statements.statements.load(Ordering::SeqCst) - before);
            assert_eq!(d["myOrders"]["nodes"].as_array().unwrap().len(), n);
        }
        assert!(cost > 0, "a signed-in page is read, not cached");
        costs.push(cost);
    }
    assert_eq!(
        costs[0], costs[1],
        "a page of 2 and a page of 20 orders cost the same: {costs:?}"
    );
    assert!(
        costs[1] <= 16,
        "a page of orders costs few statements: {costs:?}"
    );
}

#[tokio::test]
async fn orders_and_their_parts_are_nodes_for_those_who_may_see_them() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let g = app.listed_product("Chè", 5, 200_000, "19").await;
    let buyer = app.buyer("mua@test.vn").await;
    let o = order(&app, &buyer, "k1", &[&f.variant.gid(), &g.variant.gid()]).await;
    let q = "query($id: ID!) { node(id: $id) { __typename id ... on Order { shipments { producer { name } } } ... on SellerOrder { producer { name } } } }";
    let as_buyer = app.data(Some(&buyer), q, json!({ "id": o["id"] })).await;
    assert_eq!(as_buyer["node"]["__typename"], "Order");
    assert_eq!(as_buyer["node"]["id"], o["id"]);
    assert_eq!(as_buyer["node"]["shipments"].as_array().unwrap().len(), 2);
    // A producer's member sees the order, but only their part of it.
    let as_f = app.data(Some(&f.owner), q, json!({ "id": o["id"] })).await;
    assert_eq!(
        as_f["node"]["shipments"],
        json!([{ "producer": { "name": "HTX Nước mắm" } }])
    );
    let g_part = o["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["producer"]["name"] == "HTX Chè")
        .unwrap()["id"]
        .clone();
    assert_eq!(
        app.data(Some(&g.owner), q, json!({ "id": g_part })).await["node"]["__typename"],
        "SellerOrder"
    );
    assert_eq!(
        app.data(Some(&f.owner), q, json!({ "id": g_part })).await["node"],
        json!(null),
        "another producer's part is not theirs to see"
    );
    let stranger = app.buyer("la@test.vn").await;
    assert_eq!(
        app.data(Some(&stranger), q, json!({ "id": o["id"] })).await["node"],
        json!(null)
    );
    assert_eq!(
        app.data(None, q, json!({ "id": o["id"] })).await["node"],
        json!(null)
    );
}

#[tokio::test]
async fn sixty_aliases_of_a_full_order_page_are_too_complex() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("mua@test.vn").await;
    let one = "myOrders(first: 100) { nodes { id lines { quantity lots { quantity lot { traceCode } } } } }";
    let q = format!(
        "{{ {} }}",
        (0..60)
            .map(|i| format!("a{i}: {one}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let v = app.gql(Some(&buyer), &q, json!({})).await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{v}"
    );
    // A page of a buyer's orders, as the app shows it, is fine.
    app.data(
        Some(&buyer),
        "{ myOrders(first: 5) { nodes { id lines { quantity lots { quantity lot { traceCode } } } } } }",
        json!({}),
    )
    .await;
}

#[tokio::test]
async fn a_producer_cancelling_its_part_is_answered_with_its_part_only() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let g = app.listed_product("Chè", 5, 200_000, "19").await;
    let buyer = app.buyer("mua@test.vn").await;
    let o = order(&app, &buyer, "k1", &[&f.variant.gid(), &g.variant.gid()]).await;
    let d = app
        .data(
            Some(&f.owner),
            ORDER_CANCEL,
            json!({ "id": o["id"], "r": "Hết hàng" }),
        )
        .await;
    assert_eq!(d["orderCancel"]["userErrors"], json!([]));
    assert_eq!(
        d["orderCancel"]["order"]["shipments"],
        json!([{ "producer": { "name": "HTX Nước mắm" }, "status": "CANCELLED" }])
    );
    assert_eq!(
        d["orderCancel"]["order"]["lines"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn a_refused_mutation_leaves_the_cache_alone() {
    let app = TestApp::spawn_with(|c| c.response_cache_ms = 60_000).await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let q = "{ products { nodes { name } } }";
    let first = app.data(None, q, json!({})).await;
    assert_eq!(first["products"]["nodes"], json!([{ "name": "Nước mắm" }]));
    // Changed behind the API: only a successful mutation may make the cache forget.
    app.exec("UPDATE products SET name = 'Đổi tên' WHERE 1 = 1")
        .await;
    let refused = app
        .data(
            Some(&f.owner),
            PRODUCT_UPDATE,
            json!({ "id": f.product.gid(), "i": { "name": "" } }),
        )
        .await;
    assert_eq!(
        refused["productUpdate"]["userErrors"][0]["code"], "INVALID",
        "{refused}"
    );
    assert_eq!(app.data(None, q, json!({})).await, first, "still cached");
    let ok = app
        .data(
            Some(&f.owner),
            PRODUCT_UPDATE,
            json!({ "id": f.product.gid(), "i": { "description": "Mới" } }),
        )
        .await;
    assert_eq!(ok["productUpdate"]["userErrors"], json!([]));
    assert_eq!(
        app.data(None, q, json!({})).await["products"]["nodes"],
        json!([{ "name": "Đổi tên" }]),
        "dropped after the change that succeeded"
    );
}
