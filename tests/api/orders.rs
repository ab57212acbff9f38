//! Checkout: multi-producer orders, first-expiring-first-out lot allocation, idempotency,
//! oversell-proof stock under concurrency, and who may see an order.

use serde_json::{Value, json};

use traceability::lots::LotFields;

use crate::builders::{Fixture, Gid};
use crate::docs::{self, CHECKOUT, checkout_vars};
use crate::harness::TestApp;

/// Adds a lot of `qty` with an explicit expiry, made on 2026-11-01.
pub async fn lot(app: &TestApp, f: &Fixture, number: &str, expires: Option<&str>, qty: i64) {
    app.lot(
        &f.owner,
        LotFields {
            variant_id: f.variant,
            lot_number: number,
            produced_on: "2026-11-01".parse().unwrap(),
            expires_on: expires.map(|e| e.parse().unwrap()),
            quantity: qty,
            origin: None,
            gln: None,
        },
    )
    .await;
}

/// Every lot's units are either still available or held by an unreleased allocation.
pub async fn stock_invariant(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT l.id, l.quantity_produced AS produced, l.quantity_available AS available, \
             CAST(COALESCE((SELECT SUM(a.quantity) FROM lot_allocations a WHERE a.lot_id = l.id AND a.released = FALSE), 0) AS BIGINT) AS allocated FROM lots l",
        ))
        .await
        .unwrap();
    for r in rows {
        let (p, a, al): (i64, i64, i64) = (
            r.try_get("", "produced").unwrap(),
            r.try_get("", "available").unwrap(),
            r.try_get("", "allocated").unwrap(),
        );
        assert_eq!(p, a + al, "produced = available + allocated");
        assert!(a >= 0);
    }
}

#[tokio::test]
async fn checkout_takes_stock_first_expiring_first_and_splits_by_producer() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await; // its first lot: 10 units, expiring in a year
    lot(&app, &f, "LATE", Some("2029-01-01"), 10).await;
    lot(&app, &f, "SOON", Some("2027-01-01"), 3).await;
    lot(&app, &f, "NOEXP", None, 50).await;
    let g = app.listed_product("Chè", 5, 600_000, "19").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app
        .data(Some(&buyer), CHECKOUT, checkout_vars("k1", json!([
            { "variantId": f.variant.gid(), "quantity": 10 }, { "variantId": g.variant.gid(), "quantity": 1 }, { "variantId": f.variant.gid(), "quantity": 5 }
        ])))
        .await;
    let o = &d["checkout"]["order"];
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    assert!(o["number"].as_str().unwrap().starts_with("OC-2026-"));
    // The whole order: 15 × 100.000 and 600.000, over 500.000 so shipping is free; two
    // shipments; the fixture's own lots have random numbers and every trace code is random.
    insta::assert_json_snapshot!(d, {
        ".checkout.order.id" => "[id]",
        ".checkout.order.number" => "[number]",
        ".checkout.order.shipments[].id" => "[id]",
        ".checkout.order.lines[].lots[].lot.traceCode" => "[trace code]",
        ".checkout.order.lines[].lots[].lot.lotNumber" => insta::dynamic_redaction(|v, _| {
            match v.as_str() {
                Some(n) if n.len() == 11 && n.starts_with('L') => "[fixture lot]".into(),
                _ => v,
            }
        }),
    });
    // The merged line of 15 came from SOON (3), then the one-year lot (10), then LATE (2).
    let line = o["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["quantity"] == 15)
        .unwrap();
    let taken: Vec<(String, i64)> = line["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["lot"]["lotNumber"].as_str().unwrap().to_owned(),
                a["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(taken[0], ("SOON".to_owned(), 3));
    assert_eq!(taken[1].1, 10);
    assert_eq!(taken[2], ("LATE".to_owned(), 2));
    stock_invariant(&app).await;
    // A small order pays for shipping.
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            checkout_vars(
                "k2",
                json!([{ "variantId": f.variant.gid(), "quantity": 1 }]),
            ),
        )
        .await;
    assert_eq!(d["checkout"]["order"]["shippingTotal"]["amount"], 30_000);
}

#[tokio::test]
async fn the_same_key_returns_the_same_order_even_ten_at_once() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Gạo", 5, 50_000, "92").await;
    let buyer = app.buyer("mua@test.vn").await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (client, addr, token, vars) = (
            app.client.clone(),
            app.addr.clone(),
            buyer.clone(),
            checkout_vars(
                "same",
                json!([{ "variantId": f.variant.gid(), "quantity": 2 }]),
            ),
        );
        tasks.push(tokio::spawn(async move {
            let v: Value = client
                .post(format!("{addr}/graphql"))
                .bearer_auth(token)
                .json(&json!({ "query": CHECKOUT, "variables": vars }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["data"]["checkout"]["order"]["id"]
                .as_str()
                .map(str::to_owned)
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().expect("every request gets the order"));
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one order for one key");
    assert_eq!(app.count("orders").await, 1);
    let d = app
        .data(None, docs::STOCK, json!({ "id": f.product.gid() }))
        .await;
    assert_eq!(
        d["product"]["variants"][0]["available"], 8,
        "stock taken once"
    );
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            checkout_vars(
                "same",
                json!([{ "variantId": f.variant.gid(), "quantity": 3 }]),
            ),
        )
        .await;
    assert_eq!(
        d["checkout"]["userErrors"][0]["code"],
        "IDEMPOTENCY_KEY_REUSED"
    );
    // Keys are scoped to the buyer.
    let other = app.buyer("khac@test.vn").await;
    let d = app
        .data(
            Some(&other),
            CHECKOUT,
            checkout_vars(
                "same",
                json!([{ "variantId": f.variant.gid(), "quantity": 2 }]),
            ),
        )
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]));
}

#[tokio::test]
async fn bad_checkouts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Gạo", 5, 50_000, "92").await;
    let draft = f.seller("92").draft(&app, "Gạo nháp", 40_000).await;
    let buyer = app.buyer("mua@test.vn").await;
    let line = |q: i64| json!([{ "variantId": f.variant.gid(), "quantity": q }]);
    let with_addr = |key: &str, addr: Value| json!({ "i": { "idempotencyKey": key, "lines": line(1), "shippingAddress": addr, "paymentMethod": "COD" } });
    let many: Vec<Value> = (0..100)
        .map(|_| json!({ "variantId": f.variant.gid(), "quantity": 1 }))
        .collect();
    let cases = vec![
        (
            checkout_vars("a", line(11)),
            "INSUFFICIENT_STOCK",
            json!(["input", "lines", "0", "quantity"]),
        ),
        (
            checkout_vars("b", line(0)),
            "INVALID",
            json!(["input", "lines", "0", "quantity"]),
        ),
        (
            checkout_vars("c", line(-2)),
            "INVALID",
            json!(["input", "lines", "0", "quantity"]),
        ),
        (
            checkout_vars(
                "d",
                json!([{ "variantId": "VmFyaWFudDo5OTk5", "quantity": 1 }]),
            ),
            "NOT_FOUND",
            json!(["input", "lines", "0", "variantId"]),
        ),
        (
            checkout_vars("e", json!([{ "variantId": draft.1.gid(), "quantity": 1 }])),
            "INVALID_STATE",
            json!(["input", "lines", "0", "variantId"]),
        ),
        (
            checkout_vars("f", json!(many)),
            "LIMIT_EXCEEDED",
            json!(["input", "lines"]),
        ),
        (
            with_addr(
                "g",
                json!({ "name": "A", "phone": "0912345678", "provinceCode": "01", "communeCode": "31078", "line": "x" }),
            ),
            "INVALID",
            json!(["input", "shippingAddress", "communeCode"]),
        ),
        (
            with_addr(
                "h",
                json!({ "name": "A", "phone": "+1 415 555 0100", "provinceCode": "01", "line": "x" }),
            ),
            "INVALID",
            json!(["input", "shippingAddress", "phone"]),
        ),
    ];
    for (vars, code, field) in cases {
        let d = app.data(Some(&buyer), CHECKOUT, vars.clone()).await;
        let e = &d["checkout"]["userErrors"][0];
        assert_eq!(e["code"], code, "{vars}");
        assert_eq!(e["field"], field, "{vars}");
        assert!(d["checkout"]["order"].is_null());
    }
    assert_eq!(app.count("orders").await, 0);
    assert_eq!(app.count("lot_allocations").await, 0);
    let d = app
        .data(None, docs::STOCK, json!({ "id": f.product.gid() }))
        .await;
    assert_eq!(d["product"]["variants"][0]["available"], 10);
    let v = app.gql(None, CHECKOUT, checkout_vars("z", line(1))).await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn an_order_is_seen_by_its_buyer_its_producers_for_their_part_and_admin_only() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let g = app.listed_product("Chè", 5, 200_000, "19").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app.data(Some(&buyer), CHECKOUT, checkout_vars("k", json!([{ "variantId": f.variant.gid(), "quantity": 1 }, { "variantId": g.variant.gid(), "quantity": 1 }]))).await;
    let id = d["checkout"]["order"]["id"].clone();
    let q = "query($id: ID!) { order(id: $id) { number shipments { producer { name } } lines { quantity } } }";
    assert_eq!(
        app.data(Some(&buyer), q, json!({ "id": id })).await["order"]["shipments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.data(Some(&f.admin), q, json!({ "id": id })).await["order"]["shipments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let part = app.data(Some(&f.owner), q, json!({ "id": id })).await;
    assert_eq!(
        part["order"]["shipments"],
        json!([{ "producer": { "name": "HTX Nước mắm" } }])
    );
    assert_eq!(part["order"]["lines"].as_array().unwrap().len(), 1);
    let stranger = app.buyer("la@test.vn").await;
    assert_eq!(
        app.data(Some(&stranger), q, json!({ "id": id })).await["order"],
        json!(null)
    );
    assert_eq!(
        app.gql(None, q, json!({ "id": id })).await["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    let mine = app
        .data(Some(&buyer), "{ myOrders { nodes { id } } }", json!({}))
        .await;
    assert_eq!(mine["myOrders"]["nodes"], json!([{ "id": id }]));
    assert_eq!(
        app.data(Some(&stranger), "{ myOrders { nodes { id } } }", json!({}))
            .await["myOrders"]["nodes"],
        json!([])
    );
}

#[tokio::test]
async fn a_thousand_checkouts_from_a_hundred_clients_never_oversell() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mật ong", 4, 100_000, "08").await; // 10 units
    lot(&app, &f, "A", Some("2027-06-01"), 40).await;
    lot(&app, &f, "B", None, 50).await;
    let buyers: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..10 {
            v.push(app.buyer(&format!("b{i}@test.vn")).await.token);
        }
        v
    };
    let mut tasks = Vec::new();
    for client in 0..100 {
        let (http, addr, token, variant) = (
            app.client.clone(),
            app.addr.clone(),
            buyers[client % 10].clone(),
            f.variant.gid().clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut sold = 0;
            let mut refused = 0;
            for n in 0..10 {
                let vars = json!({ "i": { "idempotencyKey": format!("c{client}-{n}"), "lines": [{ "variantId": variant, "quantity": 1 }],
                    "shippingAddress": { "name": "A", "phone": "0912345678", "provinceCode": "40", "line": "x" }, "paymentMethod": "COD" } });
                let v: Value = http.post(format!("{addr}/graphql")).bearer_auth(&token)
                    .json(&json!({ "query": "mutation($i: CheckoutInput!) { checkout(input: $i) { order { id } userErrors { code } } }", "variables": vars }))
                    .send().await.unwrap().json().await.unwrap();
                if v["data"]["checkout"]["order"]["id"].is_string() {
                    sold += 1;
                } else {
                    assert_eq!(v["data"]["checkout"]["userErrors"][0]["code"], "INSUFFICIENT_STOCK", "{v}");
                    refused += 1;
                }
            }
            (sold, refused)
        }));
    }
    let (mut sold, mut refused) = (0, 0);
    for t in tasks {
        let (s, r) = t.await.unwrap();
        sold += s;
        refused += r;
    }
    assert_eq!(sold, 100, "exactly the 100 units were sold");
    assert_eq!(refused, 900);
    assert_eq!(app.count("orders").await, 100);
    stock_invariant(&app).await;
}

/// Names of listed products with an in-stock filter, as the public listing gives them.
async fn listed_with_stock(app: &TestApp, in_stock: bool) -> Vec<String> {
    let d = app
        .data(
            None,
            "query($f: ProductFilter) { products(first: 50, filter: $f) { nodes { name } } }",
            json!({ "f": { "inStock": in_stock } }),
        )
        .await;
    crate::search::names(&d)
}

#[tokio::test]
async fn the_in_stock_listing_follows_checkout_cancellation_recall_and_new_lots() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Trà shan tuyết", 4, 90_000, "08").await; // 10 units
    app.listed_product("Chè Thái", 4, 80_000, "19").await;
    let name = "Trà shan tuyết".to_owned();
    assert!(listed_with_stock(&app, true).await.contains(&name));
    app.assert_listing_copies_fresh().await;

    // Sold out by a checkout: out of the in-stock listing, into the out-of-stock one.
    let buyer = app.buyer("mua@test.vn").await;
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            checkout_vars(
                "het-hang",
                json!([{ "variantId": f.variant.gid(), "quantity": 10 }]),
            ),
        )
        .await;
    let order = d["checkout"]["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed_with_stock(&app, false).await, vec![name.clone()]);
    assert_eq!(listed_with_stock(&app, true).await, vec!["Chè Thái"]);
    app.assert_listing_copies_fresh().await;

    // Cancelled: the units come back, and so does the product.
    let c = app
        .data(
            Some(&buyer),
            docs::ORDER_CANCEL,
            json!({ "id": order, "r": "Đổi ý" }),
        )
        .await;
    assert_eq!(c["orderCancel"]["userErrors"], json!([]), "{c}");
    assert!(listed_with_stock(&app, true).await.contains(&name));
    assert_eq!(listed_with_stock(&app, false).await, Vec::<String>::new());
    app.assert_listing_copies_fresh().await;

    // Recalled: its only lot is not stock any more; a new lot puts it back.
    let lots: Vec<i64> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        catalog::entity::lot::Entity::find()
            .filter(catalog::entity::lot::Column::VariantId.eq(f.variant.get()))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|l| l.quantity_available > 0)
            .map(|l| l.id)
            .collect()
    };
    for id in lots {
        let r = app
            .data(
                Some(&f.owner),
                docs::LOT_RECALL,
                json!({ "id": kernel::id::LotId(id).gid(), "r": "Nhiễm khuẩn" }),
            )
            .await;
        assert_eq!(r["lotRecall"]["userErrors"], json!([]), "{r}");
    }
    assert_eq!(listed_with_stock(&app, false).await, vec![name.clone()]);
    app.assert_listing_copies_fresh().await;
    app.stock(&f.owner, f.variant, 5).await;
    assert!(listed_with_stock(&app, true).await.contains(&name));
    app.assert_listing_copies_fresh().await;

    // The copy is judged against today when read: once the day passes the latest expiry, the
    // product is out of stock with no write (here the calendar is moved, not the clock).
    app.exec(&format!(
        "UPDATE lots SET expires_on = '2020-01-01' WHERE variant_id = {v}; \
         UPDATE products SET stock_until = '2020-01-01' WHERE id = {p}",
        v = f.variant.get(),
        p = f.product.get()
    ))
    .await;
    assert_eq!(listed_with_stock(&app, false).await, vec![name]);
    app.assert_listing_copies_fresh().await;
}

#[tokio::test]
async fn two_lots_of_one_product_emptied_at_once_leave_it_out_of_stock() {
    // Two checkouts empty the two lots (of two variants) of one product at the same moment:
    // each sees the other's lot still full, and without the product lock both would leave
    // the product in stock. Twelve products, so some pairs really overlap.
    let app = TestApp::spawn().await;
    let seller = app.seller().stars(4).province("40").build().await;
    let mut pairs = Vec::new();
    for i in 0..12 {
        let (product, x) = seller.draft(&app, &format!("Nấm hương {i}"), 50_000).await;
        let y = seller.variant(&app, product, 60_000).await;
        app.stock(&seller.owner, x, 1).await;
        app.stock(&seller.owner, y, 1).await;
        catalog::products::publish(&app.db, &seller.owner.viewer, product)
            .await
            .unwrap()
            .unwrap();
        pairs.push((x, y));
    }
    let a = app.buyer("a@test.vn").await;
    let b = app.buyer("b@test.vn").await;
    let mut tasks = Vec::new();
    for (i, (x, y)) in pairs.into_iter().enumerate() {
        for (who, variant) in [(a.token.clone(), x), (b.token.clone(), y)] {
            let (http, addr) = (app.client.clone(), app.addr.clone());
            tasks.push(tokio::spawn(async move {
                let vars = checkout_vars(
                    &format!("n{i}-{}", variant.get()),
                    json!([{ "variantId": variant.gid(), "quantity": 1 }]),
                );
                let v: Value = http
                    .post(format!("{addr}/graphql"))
                    .bearer_auth(&who)
                    .json(&json!({ "query": CHECKOUT, "variables": vars }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert!(v["data"]["checkout"]["order"]["id"].is_string(), "{v}");
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    app.assert_listing_copies_fresh().await;
    assert_eq!(listed_with_stock(&app, true).await, Vec::<String>::new());
    assert_eq!(listed_with_stock(&app, false).await.len(), 12);
    stock_invariant(&app).await;
}
